"""One document: a template (Jinja2, sandboxed) produces its document tree, and a DOCX writer and a
PDF writer render that same tree, so both formats hold the same content.

    inp = snapshot(dossier)
    render_document(inp, "cover-letter", Path("out"))   # out/cover-letter.docx, out/cover-letter.pdf
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import __version__
from ..docunits import unit_stem, unit_title, unit_values
from ..errors import DossierError
from ..fieldtypes import is_filled
from ..model import ContentModel, default_model
from ..pdftext import PdfText
from ..readiness import attachments_read
from .templateenv import template_sources
from .templating import allowed_fields, given_values, not_applying, render_markup
from .tree import DocumentTree, parse, xml_safe

RENDERER_VERSION = "2"  # 2: a final document leaves out empty fields' lines
FORMATS = ("docx", "pdf")


@dataclass(frozen=True)
class RenderInput:
    """Everything rendering needs, detached from the dossier file (picklable for worker processes)."""
    title: str
    values: dict[str, Any]
    attachments: tuple[dict, ...] = ()
    texts: dict[str, PdfText | None] | None = None  # for the readiness gate: the reports the checks read


def snapshot(dossier) -> RenderInput:
    held = dossier.attachments()
    attachments = tuple({"name": a.name, "media_type": a.media_type, "size": a.size, "sha256": a.sha256, "md5": a.md5}
                        for a in held)
    values, text = dossier.values(), dossier.attachment_texts(held)
    return RenderInput(dossier.title, values, attachments,
                       {name: text(name) for name in attachments_read(dossier.model, values)})


def document_key(inp: RenderInput, doc_id: str, draft: bool, model: ContentModel | None = None) -> str:
    """A content hash of one document's inputs: its templates (macros included), the program's and the
    renderer's versions, the draft flag, the document's and its fields' definitions in the content model
    (a relabelled field changes the text), the roles that shape every document (header, figures), the
    values of the fields it is given and which of them do not apply — editing any other field leaves it
    alone (unless it decides whether one of them applies), and a cache shared across an upgrade never
    serves a stale document."""
    model = model or default_model()
    document = model.document(doc_id)
    allowed = sorted(allowed_fields(model, document))
    values = unit_values(model, doc_id, inp.values)  # a per-instance document: its instance's values
    payload = {
        "program": __version__, "renderer": RENDERER_VERSION, "draft": bool(draft),
        "templates": template_sources(document), "document": repr(document),
        "definitions": {p: repr(model.derived.get(p) or model.fields.get(p)) for p in allowed},
        "roles": repr((model.roles.header, model.roles.figures)),
        "title": unit_title(model, doc_id, inp.values),
        "values": given_values(model, document, values),
        "not_applying": not_applying(model, document, values),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def _header(values: dict[str, Any], model: ContentModel, role: str) -> Any:
    """The value of the field playing one of the header's roles (None when the model names none)."""
    path = model.roles.header.get(role)
    return values.get(path) if path else None


def _sponsor(values: dict[str, Any], model: ContentModel) -> str:
    sponsor = _header(values, model, "sponsor")
    if isinstance(sponsor, dict):
        return xml_safe(str(sponsor.get("organisation") or sponsor.get("name") or ""))
    return xml_safe(sponsor) if isinstance(sponsor, str) else ""


def header_text(inp: RenderInput, model: ContentModel | None = None) -> str:
    """Sponsor · product · IND number, as every page's header shows it (`roles: header:` in the model)."""
    model = model or default_model()
    product, ind = _header(inp.values, model, "product"), _header(inp.values, model, "ind_number")
    parts = [_sponsor(inp.values, model) or "Sponsor not yet provided",
             xml_safe(str(product)) if is_filled(product) else "Product not yet provided",
             f"IND {xml_safe(str(ind))}" if is_filled(ind) else "IND not yet assigned"]
    return " · ".join(parts)


def build_tree(inp: RenderInput, doc_id: str, model: ContentModel | None = None, final: bool = False) -> DocumentTree:
    """The document tree of one document: its template run over the fields it is given (a final one
    without placeholders, see templating.Fields)."""
    model = model or default_model()
    document = model.document(doc_id)
    markup, fields = render_markup(model, document, unit_values(model, doc_id, inp.values), final)
    return parse(markup, unit_title(model, doc_id, inp.values), fields.figure_data)


def _writing(writer: Callable, tree: DocumentTree, header: str, author: str, draft: bool) -> Callable[[Path], Any]:
    return lambda path: writer(tree, path, header, author, draft)


def _replace_into(path: Path, write: Callable[[Path], Any]) -> None:
    temp = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        write(temp)
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)


def check_formats(formats) -> tuple[str, ...]:
    formats = tuple(formats)
    unknown = set(formats) - set(FORMATS)
    if unknown or not formats:
        raise DossierError(f"unknown format(s) {', '.join(sorted(unknown)) or '(none)'}; choose docx, pdf or both")
    return formats


def writers() -> dict[str, Callable]:
    """The DOCX and PDF writers, loaded on first use: python-docx, reportlab and the fonts take a
    third of a second to load, which a render served wholly from the render cache never needs."""
    from .docx_writer import write_docx
    from .pdf_writer import write_pdf

    return {"docx": write_docx, "pdf": write_pdf}


def render_document(inp: RenderInput, doc_id: str, out_dir: Path, formats=FORMATS, draft: bool = False,
                    model: ContentModel | None = None) -> dict[str, Path]:
    """Write one document as <out_dir>/<eCTD file stem>.docx/.pdf, each file complete or absent."""
    model = model or default_model()
    formats = check_formats(formats)
    tree = build_tree(inp, doc_id, model, final=not draft)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = unit_stem(model, doc_id, inp.values)
    header, author = header_text(inp, model), _sponsor(inp.values, model)
    written = {}
    for fmt in formats:
        path = out_dir / f"{stem}.{fmt}"
        writer = writers()[fmt]
        _replace_into(path, _writing(writer, tree, header, author, draft))
        written[fmt] = path
    return written
