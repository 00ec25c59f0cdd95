"""The FDA PDF rules a sequence's PDFs are validated against."""

import pikepdf
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from dossier.ectd.pdfcheck import pdf_findings
from tests.test_ectd_support import make_pdf


def messages(path):
    return " | ".join(f"{sev}:{msg}" for sev, msg in pdf_findings(path))


def test_clean_pdf_has_no_findings(tmp_path):
    assert pdf_findings(make_pdf(tmp_path / "ok.pdf", "fine")) == []


def test_unembedded_base14_font_and_page_size(tmp_path):
    path = tmp_path / "helvetica.pdf"
    c = canvas.Canvas(str(path), pagesize=A4, pdfVersion=(1, 4))
    c.drawString(72, 700, "Helvetica slips in unembedded")
    c.save()
    text = messages(path)
    assert "medium:fonts not embedded: Helvetica" in text
    assert "low:page(s) 1 are not US Letter" in text


def test_long_document_without_bookmarks(tmp_path):
    text = messages(make_pdf(tmp_path / "long.pdf", "x", pages=6))
    assert "low:6 pages and no bookmarks" in text


def test_bookmarks_must_open_the_panel_and_title_is_needed(tmp_path):
    path = make_pdf(tmp_path / "b.pdf", "x", pages=2)
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        with pdf.open_outline() as outline:
            outline.root.append(pikepdf.OutlineItem("Section 1", 0))
        del pdf.docinfo["/Title"]
        pdf.save(path)
    text = messages(path)
    assert "/PageMode /UseOutlines" in text and "no document title" in text


def test_annotations_other_than_links_and_absolute_links(tmp_path):
    path = make_pdf(tmp_path / "annots.pdf", "x")
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        page = pdf.pages[0]
        page.obj.Annots = pdf.make_indirect(pikepdf.Array([
            pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Text, Rect=[0, 0, 10, 10]),
            pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[0, 0, 10, 10],
                               A=pikepdf.Dictionary(S=pikepdf.Name.GoToR, F=pikepdf.String("C:/docs/x.pdf"))),
        ]))
        pdf.save(path)
    text = messages(path)
    assert "annotations other than links (Text)" in text and "absolute file paths" in text


def test_refusals_are_high(tmp_path):
    bad = tmp_path / "x.pdf"
    bad.write_bytes(b"not a pdf at all")
    assert pdf_findings(bad)[0][0] == "high"
