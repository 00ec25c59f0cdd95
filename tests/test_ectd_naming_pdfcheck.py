import pikepdf
import pytest

from dossier.ectd.naming import MAX_PATH, file_name, fit_path, valid_segment
from dossier.errors import DossierError
from dossier.pdfcheck import check_pdf
from tests.helpers.pdfs import javascript_on_open, make_pdf


@pytest.mark.parametrize("given", ["Study Report (v2).PDF", "../../x.pdf", "ÄÖÜ.docx", "a" * 300 + ".pdf", "noext"])
def test_file_names_always_valid(given):
    name = file_name(given)
    assert valid_segment(name) and len(name) <= 64


def test_long_paths_shortened_without_collisions():
    folder = "m5/53-clin-stud-rep/535-rep-effic-safety-stud/neuronal-ceroid-lipofuscinosis/5352-stud-rep-uncontr"
    a = fit_path(folder, "splice-correction-in-patient-fibroblasts-dose-response-report-a.pdf")
    b = fit_path(folder, "splice-correction-in-patient-fibroblasts-dose-response-report-b.pdf")
    assert len(a) <= MAX_PATH and len(b) <= MAX_PATH and a != b
    assert a.endswith(".pdf") and a.startswith(folder + "/")


def test_a_folder_leaving_no_room_for_a_name_is_a_dossier_error():
    folder = "m4/42-stud-rep/421-pharmacol/4211-prim-pharmacodyn/" + "splice-correction-" * 6
    with pytest.raises(DossierError, match=r"no room for a file name.*shorten the study name"):
        fit_path(folder.rstrip("-"), "report.pdf")


def test_clean_pdf_passes(tmp_path):
    assert check_pdf(make_pdf(tmp_path / "ok.pdf")) == []


def test_not_a_pdf(tmp_path):
    (tmp_path / "x.pdf").write_bytes(b"PK\x03\x04 a zip file")
    assert "is not a PDF" in check_pdf(tmp_path / "x.pdf")[0]


def test_encrypted_pdf(tmp_path):
    assert "password-protected" in check_pdf(make_pdf(tmp_path / "e.pdf", password="u"))[0]


def test_javascript_pdf(tmp_path):
    assert any("JavaScript" in p for p in check_pdf(make_pdf(tmp_path / "js.pdf", change=javascript_on_open)))


def test_embedded_file_pdf(tmp_path):
    def attach(pdf):
        pdf.attachments["data.csv"] = pikepdf.AttachedFileSpec(pdf, b"a,b\n1,2\n")

    assert any("embedded files" in p for p in check_pdf(make_pdf(tmp_path / "att.pdf", change=attach)))
