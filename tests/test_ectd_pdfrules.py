"""The FDA PDF rules a sequence's PDFs are validated against."""

import pikepdf
from reportlab.lib.pagesizes import A4

from dossier.pdfcheck import pdf_findings
from tests.helpers.pdfs import make_pdf


def messages(path):
    return " | ".join(f"{sev}:{msg}" for sev, msg in pdf_findings(path))


def test_clean_pdf_has_no_findings(tmp_path):
    assert pdf_findings(make_pdf(tmp_path / "ok.pdf", "fine")) == []


def test_unembedded_base14_font_and_page_size(tmp_path):
    path = make_pdf(tmp_path / "helvetica.pdf", "Helvetica slips in unembedded", embed_font=False, pagesize=A4)
    text = messages(path)
    assert "medium:fonts not embedded: Helvetica" in text
    assert "low:page(s) 1 are not US Letter" in text


def test_long_document_without_bookmarks(tmp_path):
    text = messages(make_pdf(tmp_path / "long.pdf", "x", pages=6))
    assert "low:6 pages and no bookmarks" in text


def test_bookmarks_must_open_the_panel_and_title_is_needed(tmp_path):
    def bookmark_without_title(pdf):
        with pdf.open_outline() as outline:
            outline.root.append(pikepdf.OutlineItem("Section 1", 0))
        del pdf.docinfo["/Title"]

    text = messages(make_pdf(tmp_path / "b.pdf", "x", pages=2, change=bookmark_without_title))
    assert "/PageMode /UseOutlines" in text and "no document title" in text


def test_annotations_other_than_links_and_absolute_links(tmp_path):
    def annotate(pdf):
        pdf.pages[0].obj.Annots = pdf.make_indirect(pikepdf.Array([
            pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Text, Rect=[0, 0, 10, 10]),
            pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[0, 0, 10, 10],
                               A=pikepdf.Dictionary(S=pikepdf.Name.GoToR, F=pikepdf.String("C:/docs/x.pdf"))),
        ]))

    text = messages(make_pdf(tmp_path / "annots.pdf", "x", change=annotate))
    assert "annotations other than links (Text)" in text and "absolute file paths" in text


def test_refusals_are_high(tmp_path):
    bad = tmp_path / "x.pdf"
    bad.write_bytes(b"not a pdf at all")
    assert pdf_findings(bad)[0][0] == "high"
