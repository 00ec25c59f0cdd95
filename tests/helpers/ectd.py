"""What the eCTD and build tests share: the official standard files installed from ../shared/ectd-dtd
(skipping where absent), a stand-in renderer for the test model (which has no templates), and a
dossier of that model with Module 1 filled and four attachments."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import ClassVar

import pytest

from dossier import standards
from tests.helpers.models import VALUES, ectd_content_model
from tests.helpers.pdfs import make_pdf

SHARED = Path(__file__).resolve().parents[3] / "shared" / "ectd-dtd"
needs_standards = pytest.mark.skipif(not SHARED.is_dir(),
                                     reason="official DTDs not beside the project (../shared/ectd-dtd)")


def install_standards(monkeypatch: pytest.MonkeyPatch, folder: Path) -> Path:
    """Install the official files into `folder` and make it the standards folder; skip without them."""
    if not SHARED.is_dir():
        pytest.skip("official DTDs not beside the project (../shared/ectd-dtd)")
    monkeypatch.setenv("DOSSIER_STANDARDS_DIR", str(folder))
    standards.install(SHARED)
    return folder


@pytest.fixture
def installed(tmp_path, monkeypatch) -> Path:
    """The official standard files installed into a temporary folder."""
    return install_standards(monkeypatch, tmp_path / "standards")


def _feeds(inp, model, doc_id: str) -> dict:
    """The values a document (or one instance's rendering of it, `doc@i`) is given."""
    from dossier.docunits import split_unit, unit_values

    values = unit_values(model, doc_id, inp.values)
    doc = split_unit(doc_id)[0]
    return {p: values[p] for p, f in model.fields.items() if doc in f.documents and p in values}


class FakeRenderer:
    """Stands in for the document renderer in the engine (the test model has no templates): the same
    calls, simple deterministic PDFs. `calls` lists the documents rendered in this process."""

    calls: ClassVar[list[str]] = []

    @staticmethod
    def document_key(inp, doc_id, draft, model):
        data = json.dumps([doc_id, draft, _feeds(inp, model, doc_id)], sort_keys=True, default=str)
        return hashlib.sha256(data.encode()).hexdigest()[:32]

    @staticmethod
    def render_document(inp, doc_id, out_dir, formats, draft, model):
        FakeRenderer.calls.append(doc_id)
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        text = ("DRAFT " if draft else "") + json.dumps(_feeds(inp, model, doc_id), sort_keys=True, default=str)[:200]
        files = {}
        if "pdf" in formats:
            files["pdf"] = make_pdf(out_dir / f"{doc_id}.pdf", text, title=model.document(doc_id).title)
        if "docx" in formats:
            files["docx"] = out_dir / f"{doc_id}.docx"
            files["docx"].write_bytes(b"PK fake docx " + text.encode())
        return files


def use_fake_renderer(monkeypatch: pytest.MonkeyPatch) -> type[FakeRenderer]:
    from dossier.render import engine

    FakeRenderer.calls = []
    monkeypatch.setattr(engine, "document_key", FakeRenderer.document_key)
    monkeypatch.setattr(engine, "render_document", FakeRenderer.render_document)
    return FakeRenderer


@pytest.fixture
def fake_renderer(monkeypatch) -> type[FakeRenderer]:
    return use_fake_renderer(monkeypatch)


def new_dossier(path: Path, tmp_path: Path, values: dict | None = None, model=None):
    """A dossier of the test model (or of `model`, a variant of it) with Module 1 filled, two studies, a CoA
    and a reference attached."""
    from dossier.service import Dossier

    d = Dossier.create(path, "eCTD test", model=model or ectd_content_model())
    d.set_many(values or VALUES)
    files = tmp_path / "files"
    d.attach("nonclinical.pharmacology.studies[0].report", make_pdf(files / "Splice Rescue Study.pdf", "splice"))
    d.attach("nonclinical.pharmacology.studies[1].report", make_pdf(files / "dose-response.pdf", "dose"))
    rows = d.get("nonclinical.pharmacology.studies")
    rows[0].update(study="STUDY-001 splice rescue", system="Patient fibroblasts", purpose="Target engagement")
    rows[1].update(study="STUDY-002 dose response", system="Patient fibroblasts", purpose="Target engagement")
    d.set("nonclinical.pharmacology.studies", rows)
    d.attach("cmc.batches.batches[0].coa", make_pdf(files / "coa-lot-7.pdf", "coa"))
    batches = d.get("cmc.batches.batches")
    batches[0]["batch"] = "LOT-7"
    d.set("cmc.batches.batches", batches)
    d.attach("genetic.literature.references[0].file", make_pdf(files / "smith-2020.pdf", "smith"))
    refs = d.get("genetic.literature.references")
    refs[0]["citation"] = "Smith et al. 2020, CLN7 splice variants"
    d.set("genetic.literature.references", refs)
    return d
