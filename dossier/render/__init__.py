"""Documents: every submission document in Word and PDF from one template each.

A template (Jinja2, sandboxed) produces one document tree; a DOCX writer and a PDF writer render
that same tree, so both formats hold the same content.

    inp = snapshot(dossier)
    render_document(inp, "cover-letter", Path("out"))   # out/cover-letter.docx, out/cover-letter.pdf
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from ..errors import DossierError
from ..model import ContentModel, default_model
from ..readiness import check_dossier
from .docx_writer import write_docx
from .pdf_writer import write_pdf
from .templating import HEADER_FIELDS, allowed_fields, render_markup, template_sources
from .tree import DocumentTree, parse

RENDERER_VERSION = "1"
FORMATS = ("docx", "pdf")


@dataclass(frozen=True)
class RenderInput:
    """Everything rendering needs, detached from the dossier file (picklable for worker processes)."""
    title: str
    values: dict[str, Any]
    attachments: tuple[dict, ...] = ()


def snapshot(dossier) -> RenderInput:
    attachments = tuple({"name": a.name, "media_type": a.media_type, "size": a.size, "sha256": a.sha256, "md5": a.md5}
                        for a in dossier.attachments())
    return RenderInput(dossier.title, dossier.values(), attachments)


def document_key(inp: RenderInput, doc_id: str, draft: bool, model: ContentModel | None = None) -> str:
    """A content hash of one document's inputs: its templates, the renderer, the draft flag and the
    values of the fields that feed it — editing any other field leaves the key unchanged."""
    model = model or default_model()
    document = model.document(doc_id)
    allowed = sorted(allowed_fields(model, document))
    payload = {
        "renderer": RENDERER_VERSION, "draft": draft, "templates": template_sources(document),
        "title": inp.title, "values": {p: inp.values.get(p) for p in allowed},
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def header_text(inp: RenderInput) -> str:
    sponsor = inp.values.get(HEADER_FIELDS[0]) or {}
    parts = [sponsor.get("organisation") or sponsor.get("name") or "Sponsor not yet provided",
             inp.values.get(HEADER_FIELDS[1]) or "Product not yet provided",
             f"IND {inp.values.get(HEADER_FIELDS[2])}" if inp.values.get(HEADER_FIELDS[2]) else "IND not yet assigned"]
    return " · ".join(parts)


def build_tree(inp: RenderInput, doc_id: str, model: ContentModel | None = None) -> DocumentTree:
    model = model or default_model()
    document = model.document(doc_id)
    return parse(render_markup(model, document, inp.values, inp.title), document.title)


def _replace_into(path: Path, write: Callable[[Path], Any]) -> None:
    temp = path.with_name(f".{path.name}.part")
    try:
        write(temp)
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)


def render_document(inp: RenderInput, doc_id: str, out_dir: Path, formats=FORMATS, draft: bool = False,
                    model: ContentModel | None = None) -> dict[str, Path]:
    """Write one document in the given formats, each file complete or absent."""
    model = model or default_model()
    tree = build_tree(inp, doc_id, model)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = Path(model.document(doc_id).file).stem
    header = header_text(inp)
    written = {}
    for fmt in formats:
        path = out_dir / f"{stem}.{fmt}"
        writer = write_docx if fmt == "docx" else write_pdf
        _replace_into(path, lambda p: writer(tree, inp.values, p, header, draft))
        written[fmt] = path
    return written


def readiness_errors(inp: RenderInput, model: ContentModel) -> list[str]:
    report = check_dossier(model, inp.values, [a["name"] for a in inp.attachments])
    return [f"{f.field}: {f.message}" for f in report.findings if f.severity == "error"]


def render_all(source, out_dir: Path, formats=FORMATS, draft: bool = False,
               progress: Callable[[int, int, str], None] | None = None, cancel=None,
               model: ContentModel | None = None) -> dict[str, dict[str, Path]]:
    """Render every document. A final (non-draft) render refuses while readiness errors remain."""
    model = model or default_model()
    inp = source if isinstance(source, RenderInput) else snapshot(source)
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise DossierError(f"unknown format(s) {', '.join(sorted(unknown))}; choose from docx, pdf")
    if not draft:
        errors = readiness_errors(inp, model)
        if errors:
            shown = "; ".join(errors[:5]) + (f"; and {len(errors) - 5} more" if len(errors) > 5 else "")
            raise DossierError(f"a final build needs a dossier without readiness errors ({len(errors)}): {shown}. "
                               "Fix them, or build a draft")
    results = {}
    total = len(model.documents)
    for done, document in enumerate(model.documents):
        if cancel is not None and cancel.is_set():
            raise DossierError("rendering cancelled")
        results[document.id] = render_document(inp, document.id, out_dir, formats, draft, model)
        if progress:
            progress(done + 1, total, document.id)
    return results
