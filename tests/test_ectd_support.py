"""Shared helpers for the eCTD and build tests: the official standard files installed from
../shared/ectd-dtd (skipping where absent), a small content model with Module 1, CMC, studies and
literature, FDA-clean PDFs made with reportlab, and a stand-in renderer for planning tests.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
import yaml
from reportlab.lib.pagesizes import letter
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from dossier import standards
from dossier.model_reader import parse_model

SHARED = Path(__file__).resolve().parents[2] / "shared" / "ectd-dtd"
needs_standards = pytest.mark.skipif(not SHARED.is_dir(), reason="official DTDs not beside the project (../shared/ectd-dtd)")

ECTD_MODEL = """
version: 1
areas:
  - id: module1
    title: Module 1
    sections:
      - id: sponsor
        title: Sponsor
        fields:
          - {id: sponsor, label: Sponsor, type: person, documents: [cover-letter, form-1571]}
          - {id: duns, label: DUNS, type: text}
          - id: contacts
            label: Contacts
            type: table
            columns:
              - {id: role, label: Role, type: choice, choices: [Regulatory, Technical, US agent]}
              - {id: name, label: Name, type: text}
              - {id: phone, label: Phone, type: text}
              - {id: email, label: Email, type: text}
      - id: application
        title: Application
        fields:
          - {id: ind_number, label: IND number, type: text, documents: [cover-letter, form-1571]}
      - id: product
        title: Product
        fields:
          - {id: product_name, label: Product, type: text, documents: [cover-letter, clinical-overview]}
          - {id: indication, label: Indication, type: text, documents: [clinical-overview, clinical-protocol]}
      - id: submission
        title: Submission
        fields:
          - {id: submission_subtype, label: Sub-type, type: choice, choices: [Original, Amendment, Resubmission]}
          - {id: reason, label: Reason, type: longtext, documents: [cover-letter]}
  - id: cmc
    title: CMC
    sections:
      - id: substance
        title: Drug substance
        fields:
          - {id: name, label: Substance, type: text, documents: [drug-substance]}
          - {id: manufacturer, label: Manufacturer, type: text, documents: [drug-substance]}
      - id: product
        title: Drug product
        fields:
          - {id: name, label: Product, type: text}
          - {id: manufacturer, label: Manufacturer, type: text}
      - id: batches
        title: Batches
        fields:
          - id: batches
            label: Batches
            type: table
            columns:
              - {id: batch, label: Batch, type: text}
              - {id: coa, label: CoA, type: attachment}
  - id: nonclinical
    title: Nonclinical
    sections:
      - id: pharmacology
        title: Pharmacology
        fields:
          - id: studies
            label: Studies
            type: table
            documents: [nonclinical-overview]
            columns:
              - {id: study, label: Study, type: text}
              - {id: system, label: System, type: text}
              - {id: purpose, label: Purpose, type: choice, choices: [Target engagement, Safety]}
              - {id: report, label: Report, type: attachment}
  - id: genetic
    title: Genetics
    sections:
      - id: literature
        title: Literature
        fields:
          - id: references
            label: References
            type: table
            columns:
              - {id: citation, label: Citation, type: text}
              - {id: file, label: File, type: attachment}
elements:
  - {id: abnormality, title: Abnormality, fields: [module1.product.product_name]}
documents:
  - {id: cover-letter, title: Cover letter, template: x.j2,
     ectd: {heading: m1-2-cover-letters, folder: m1/us/12-cover-letters, file: cover-letter.pdf}}
  - {id: form-1571, title: Form FDA 1571 information sheet, template: x.j2,
     ectd: {heading: m1-1-forms, folder: m1/us/11-forms, file: form-1571-information.pdf}}
  - {id: form-1572, title: Form FDA 1572 information sheet, template: x.j2,
     ectd: {heading: m1-1-forms, folder: m1/us/11-forms, file: form-1572-information.pdf}}
  - {id: clinical-overview, title: Clinical overview, template: x.j2,
     ectd: {heading: m2-5, folder: m2/25-clin-over, file: clinical-overview.pdf}}
  - {id: nonclinical-overview, title: Nonclinical overview, template: x.j2,
     ectd: {heading: m2-4, folder: m2/24-nonclin-over, file: nonclinical-overview.pdf}}
  - {id: drug-substance, title: Drug substance general information, template: x.j2,
     ectd: {heading: m3-2-s-1-1, folder: m3/32-body-data/32s-drug-sub/32s1-gen-info, file: nomenclature.pdf}}
  - {id: clinical-protocol, title: Clinical protocol, template: x.j2,
     ectd: {heading: m5-3-5-2, folder: m5/53-clin-stud-rep/535-rep-effic-safety-stud/5352-stud-rep-uncontr,
            file: protocol.pdf}}
"""

VALUES = {
    "module1.sponsor.sponsor": {"organisation": "Example Children's Hospital", "name": "Dr. Ada Example"},
    "module1.sponsor.duns": "123456789",
    "module1.sponsor.contacts": [{"role": "Regulatory", "name": "Dr. Ada Example", "phone": "+1 555 0100",
                                  "email": "ada@example.org"}],
    "module1.application.ind_number": "123456",
    "module1.product.product_name": "atipeksen",
    "module1.product.indication": "CLN7 Batten disease",
    "module1.submission.reason": "Initial IND for one patient",
    "cmc.substance.name": "atipeksen sodium",
    "cmc.substance.manufacturer": "Oligo Manufacturing Inc",
    "cmc.product.name": "atipeksen injection",
}

@pytest.fixture
def installed(tmp_path, monkeypatch):
    """The official standard files installed into a temporary folder."""
    if not SHARED.is_dir():
        pytest.skip("official DTDs not beside the project (../shared/ectd-dtd)")
    folder = tmp_path / "standards"
    monkeypatch.setenv("DOSSIER_STANDARDS_DIR", str(folder))
    standards.install(SHARED)
    return folder


def ectd_model():
    return parse_model(yaml.safe_load(ECTD_MODEL), Path("ectd-test.yaml"))


def make_pdf(path: Path, text: str, pages: int = 1, title: str = "Test document") -> Path:
    """An FDA-clean PDF: 1.4, Letter, embedded TrueType font, title in the metadata."""
    # A font name of our own, so it can never stand in for a font the renderer registers.
    if "TestVera" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("TestVera", "Vera.ttf"))
    path.parent.mkdir(parents=True, exist_ok=True)
    c = canvas.Canvas(str(path), pagesize=letter, initialFontName="TestVera", pdfVersion=(1, 4), invariant=1)
    c.setTitle(title)
    for n in range(pages):
        c.setFont("TestVera", 11)
        c.drawString(72, 700, f"{text} (page {n + 1})")
        c.showPage()
    c.save()
    return path


def _feeds(inp, model, doc_id: str) -> dict:
    return {p: inp.values[p] for p, f in model.fields.items() if doc_id in f.documents and p in inp.values}


class FakeRenderer:
    """Stands in for the document renderer in the engine (the test model has no templates): the same
    calls, simple deterministic PDFs. `calls` lists the documents rendered in this process."""

    calls: list[str] = []

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


@pytest.fixture
def fake_renderer(monkeypatch):
    from dossier.render import engine

    FakeRenderer.calls = []
    monkeypatch.setattr(engine, "document_key", FakeRenderer.document_key)
    monkeypatch.setattr(engine, "render_document", FakeRenderer.render_document)
    return FakeRenderer


def new_dossier(path: Path, tmp_path: Path, values: dict | None = None):
    """A dossier of the test model with Module 1 filled, two studies, a CoA and a reference attached."""
    from dossier.service import Dossier

    d = Dossier.create(path, "eCTD test", model=ectd_model())
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


def copy_tree(src: Path, dst: Path) -> None:
    shutil.copytree(src, dst)
