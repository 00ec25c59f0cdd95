import io

import pytest

from dossier.dossier_attachments import attachment_name
from dossier.errors import DossierError, FieldError, UnknownFieldError
from dossier.service import Dossier
from tests.helpers.pdfs import make_pdf, pdf_bytes

PDF = pdf_bytes()


@pytest.fixture
def dossier(tmp_path, mini_model):
    with Dossier.create(tmp_path / "case.dossier", "Case A", model=mini_model) as d:
        yield d


def test_set_validates_and_records_history(dossier):
    assert dossier.set("product.design.dose", "2.5 mg") is True
    assert dossier.set("product.design.dose", {"value": 2.5, "unit": "mg"}) is False
    assert dossier.get("product.design.dose") == {"value": 2.5, "unit": "mg"}
    history = dossier.history("product.design.dose")
    assert len(history) == 1 and history[0].old is None and history[0].new == {"value": 2.5, "unit": "mg"}
    assert history[0].who == "tester"


def test_bad_value_is_refused_and_nothing_changes(dossier):
    dossier.set("genetic.variant.detected", "2026-01-02")
    with pytest.raises(FieldError, match="YYYY-MM-DD"):
        dossier.set("genetic.variant.detected", "02/01/2026")
    assert dossier.get("genetic.variant.detected") == "2026-01-02"
    with pytest.raises(UnknownFieldError):
        dossier.set("genetic.variant.nope", "x")


def test_attach_to_field_and_table_cell(dossier, tmp_path):
    source = tmp_path / "Splice Report (final).PDF"
    source.write_bytes(PDF)
    a = dossier.attach("product.design.report", source)
    assert a.name == "splice-report-final.pdf" and a.media_type == "application/pdf"
    assert dossier.get("product.design.report") == ["splice-report-final.pdf"]
    b = dossier.attach("product.design.report", source)
    assert b.name == "splice-report-final-2.pdf"
    dossier.set("product.design.studies", [{"name": "S1"}])
    dossier.attach("product.design.studies[0].report", source, name="s1.pdf")
    assert dossier.get("product.design.studies") == [{"name": "S1", "report": "s1.pdf"}]
    with pytest.raises(FieldError, match="not an attachment field"):
        dossier.attach("product.design.dose", source)


def test_remove_attachment_clears_references(dossier, tmp_path):
    source = tmp_path / "r.pdf"
    source.write_bytes(PDF)
    dossier.attach("product.design.report", source)
    dossier.set("product.design.studies", [{"name": "S1", "report": "r.pdf"}])
    dossier.remove_attachment("r.pdf")
    assert dossier.attachments() == []
    assert dossier.get("product.design.report") is None
    assert dossier.get("product.design.studies") == [{"name": "S1"}]


def test_reference_to_unknown_attachment_refused(dossier):
    with pytest.raises(FieldError, match=r"no attachment named 'ghost.pdf'"):
        dossier.set("product.design.report", ["ghost.pdf"])


def test_create_needs_a_title(tmp_path, mini_model):
    with pytest.raises(DossierError, match="title"):
        Dossier.create(tmp_path / "x.dossier", "  ", model=mini_model)


@pytest.mark.parametrize("given, expected", [
    ("Report.PDF", "report.pdf"), ("../../etc/passwd", "passwd.pdf"), ("/abs/Ümlaut file.tar.gz", "mlaut-file-tar.pdf"),
    ("....", "attachment.pdf"), ("x" * 200 + ".pdf", "x" * 60 + ".pdf"), ("x.exe", "x.pdf"),
    ("report.pdf.exe", "report-pdf.pdf"), ("noext", "noext.pdf"),
])
def test_attachment_names_are_safe(given, expected):
    assert attachment_name(given) == expected


def test_attach_refuses_what_fda_would(dossier, tmp_path):
    (tmp_path / "notes.docx").write_bytes(b"PK\x03\x04 not a pdf")
    with pytest.raises(FieldError, match="not a PDF"):
        dossier.attach("product.design.report", tmp_path / "notes.docx")
    with pytest.raises(FieldError, match="password-protected"):
        dossier.attach("product.design.report", make_pdf(tmp_path / "locked.pdf", password="u"))
    assert dossier.attachments() == [] and dossier.get("product.design.report") is None


def test_attach_from_a_file_object(dossier):
    a = dossier.attach("product.design.report", io.BytesIO(PDF), name="dropped.pdf")
    assert a.name == "dropped.pdf" and a.size == len(PDF)


def test_a_submission_is_recorded_with_its_leaf_details_once(dossier, tmp_path):
    assert dossier.sequences() == [] and dossier.sequence_details() == {}
    details = {"leaves": {"m1/us/cover.pdf": {"heading": "m1-2-cover-letters", "id": "cover", "title": "Cover"}}}
    dossier.record_submission("0001", {"index.xml": "0" * 32, "m1/us/cover.pdf": "1" * 32}, details)
    assert [s.number for s in dossier.sequences()] == ["0001"]
    assert dossier.sequences()[0].files["m1/us/cover.pdf"] == "1" * 32
    assert dossier.sequence_details() == {"0001": details}
    with pytest.raises(DossierError, match="already recorded"):
        dossier.record_submission("0001", {"index.xml": "2" * 32}, {"leaves": {}})
    assert dossier.sequence_details() == {"0001": details}  # the refused record changed nothing
    reopened_identity = dossier.identity
    dossier.close()
    with Dossier.open(tmp_path / "case.dossier") as again:
        assert again.identity == reopened_identity and again.sequence_details() == {"0001": details}


def test_restore_fills_only_a_new_dossier(dossier, tmp_path):
    (tmp_path / "r.pdf").write_bytes(PDF)
    dossier.restore([("r.pdf", tmp_path / "r.pdf")], {"product.design.report": ["r.pdf"]}, None)
    assert dossier.get("product.design.report") == ["r.pdf"]
    assert b"".join(dossier.read_attachment("r.pdf")) == PDF
    with pytest.raises(DossierError, match="not empty"):
        dossier.restore([], {"genetic.variant.gene": "CLN3"}, None)
