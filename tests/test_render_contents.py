"""The PDF's table of contents is laid out in one pass (its page numbers drawn when the pages are
output): the same pages, to the pixel, and the same links as reportlab's passes until the numbers
settle, which remain the way when the rows the headings make are not the ones guessed."""

import pikepdf
import pypdfium2 as pdfium
import pytest

from dossier.render import build_tree, header_text, pdf_pages, pdf_writer
from dossier.render.tree import DocumentTree, Heading, Paragraph, Run
from tests.helpers.documents import contents_pages, pdf_problems


@pytest.fixture(scope="module")
def protocol(demo_input):
    return build_tree(demo_input, "clinical-protocol", final=True), header_text(demo_input)


class Layouts:
    """Counts the layout passes of the PDF writer (reportlab's build and multiBuild)."""

    def __init__(self, monkeypatch):
        self.builds, self.multi = 0, 0
        build, multi = pdf_writer._Doc.build, pdf_writer._Doc.multiBuild

        def counted_build(doc, *args, **kwargs):
            self.builds += 1
            return build(doc, *args, **kwargs)

        def counted_multi(doc, *args, **kwargs):
            self.multi += 1
            return multi(doc, *args, **kwargs)

        monkeypatch.setattr(pdf_writer._Doc, "build", counted_build)
        monkeypatch.setattr(pdf_writer._Doc, "multiBuild", counted_multi)


def _pixels(path) -> list[bytes]:
    document = pdfium.PdfDocument(str(path))
    try:
        return [bytes(document[i].render(scale=1).buffer) for i in range(len(document))]
    finally:
        document.close()


def _links(path) -> list[tuple]:
    with pikepdf.open(path) as pdf:
        number = {page.objgen: n for n, page in enumerate(pdf.pages, 1)}
        return sorted((n, tuple(round(float(v), 2) for v in link.Rect), number[link.Dest[0].objgen])
                      for n, page in enumerate(pdf.pages, 1) for link in page.get("/Annots") or [])


def test_the_protocol_is_laid_out_once_with_its_contents(protocol, tmp_path, monkeypatch):
    tree, header = protocol
    layouts = Layouts(monkeypatch)
    pages = pdf_writer.write_pdf(tree, tmp_path / "protocol.pdf", header, "Sponsor", draft=False)
    assert pages >= pdf_writer.TOC_MIN_PAGES
    assert layouts.multi == 0 and layouts.builds <= 2  # its pages counted (not surely long), then once with contents
    shown, bookmarks = contents_pages(tmp_path / "protocol.pdf")
    assert shown == bookmarks and len(bookmarks) >= 10
    assert pdf_problems(tmp_path / "protocol.pdf") == []


def test_one_pass_gives_the_pages_and_links_of_repeated_passes(protocol, tmp_path, monkeypatch):
    tree, header = protocol
    pdf_writer.write_pdf(tree, tmp_path / "once.pdf", header, "Sponsor", draft=True)
    # Rows that never match the guess send the writer through reportlab's passes.
    monkeypatch.setattr(pdf_pages.Contents, "rows", lambda self: None)
    layouts = Layouts(monkeypatch)
    pdf_writer.write_pdf(tree, tmp_path / "passes.pdf", header, "Sponsor", draft=True)
    assert layouts.multi == 1
    assert _pixels(tmp_path / "once.pdf") == _pixels(tmp_path / "passes.pdf")
    assert _links(tmp_path / "once.pdf") == _links(tmp_path / "passes.pdf")
    assert len(_links(tmp_path / "once.pdf")) >= 20  # each contents row links its text and its page number


def test_rows_unlike_the_guessed_ones_are_laid_out_until_their_numbers_settle(tmp_path, monkeypatch):
    """Should the guess ever miss (here: every guessed row one level too deep, so the contents are
    laid out at another size first), the numbers shown are still the headings' pages."""
    blocks = []
    for n in range(12):
        blocks += [Heading(1, f"Part {n}"), Paragraph([Run("A line of the part. " * 220)])]
    tree = DocumentTree("Long", blocks)
    guess = pdf_writer._toc_guess
    monkeypatch.setattr(pdf_writer, "_toc_guess", lambda t: [(level + 1, *rest) for level, *rest in guess(t)])
    layouts = Layouts(monkeypatch)
    pdf_writer.write_pdf(tree, tmp_path / "long.pdf", "Header", "Author", draft=False)
    assert layouts.multi == 1
    shown, bookmarks = contents_pages(tmp_path / "long.pdf")
    assert shown == bookmarks and len(bookmarks) == 12
    assert max(bookmarks.values()) >= 10  # two-digit page numbers, wider than the guessed rows' page 1
