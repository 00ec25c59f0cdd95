"""Documents from very large values: a megabyte of long text, a 100 kB one-line value, a very long
sponsor name. Each renders to both formats with all its text, and a long paragraph is laid out in
time linear in its length (bench/bench_render.py prints the figures)."""

import random
import re

import docx
import pikepdf
import pytest
from pypdf import PdfReader

from dossier.render import pdf_writer, render_document
from dossier.render.docx_writer import write_docx
from dossier.render.tree import DocumentTree, Paragraph, Run, Table
from tests.helpers.demo import with_values
from tests.helpers.documents import docx_text, joined, pdf_problems, pdf_text

WORDS = ["alpha", "vector", "dose", "patient", "α-synuclein", "5'→3'", "therapy", "x", "intrathecal"]


def prose(size: int, seed: int = 1) -> str:
    """`size` characters of words on one line (one paragraph), reproducibly."""
    pick, parts, length = random.Random(seed).choice, [], 0
    while length < size:
        parts.append(pick(WORDS))
        length += len(parts[-1]) + 1
    return " ".join(parts)[:size].strip()


def body_text(path) -> str:
    """The PDF's text without what every page repeats: the header (its first line), the DRAFT
    marks, the page footer and the header row of a table going on (Item, Entry)."""
    frame = re.compile(r"^(DRAFT|Page \d+ of \d+|Item|Entry)$")
    return "\n".join(line for page in PdfReader(str(path)).pages for line in page.extract_text().splitlines()[1:]
                     if not frame.match(line))


@pytest.mark.slow
def test_a_megabyte_of_long_text_renders_whole_in_both_formats(tmp_path, demo_input):
    text = prose(1_000_000)
    inp = with_values(demo_input, clinical__design__objectives=text)
    files = render_document(inp, "clinical-protocol", tmp_path, draft=True)
    paragraphs = [p.text for p in docx.Document(str(files["docx"])).paragraphs]
    assert text in paragraphs  # one paragraph in Word, as typed
    assert joined(text) in joined(body_text(files["pdf"]))  # every character, wrapped over many pages
    with pikepdf.open(files["pdf"]) as pdf:
        assert len(pdf.pages) > 150
    assert pdf_problems(files["pdf"]) == []


@pytest.mark.slow
def test_a_100_kb_one_line_value_renders_in_text_and_tables(tmp_path, demo_input):
    word = "W" * 20_000  # a 'word' longer than many lines is broken across them, never cut
    name = f"{prose(40_000)} {word} {prose(40_000, seed=2)}"
    inp = with_values(demo_input, module1__product__product_name=name)
    for doc_id in ("cover-letter", "form-1571"):  # in a sentence, and in a table cell
        files = render_document(inp, doc_id, tmp_path, draft=True)
        assert name in docx_text(files["docx"]), doc_id
        assert joined(name) in joined(body_text(files["pdf"])), doc_id
        header = docx.Document(str(files["docx"])).sections[0].header.paragraphs[0].text
        assert name in header  # Word wraps the header itself; the PDF's is shortened to its one line
        assert pdf_problems(files["pdf"]) == []


def test_a_long_paragraph_laid_out_in_pieces_shows_the_same_lines(tmp_path, monkeypatch):
    """The pieces of a long paragraph are cut between whole lines, so the page shows the words on
    each line that reportlab lays out for the whole paragraph; so does a long table cell."""
    text = prose(12_000, seed=3)
    tree = DocumentTree("Lines", [Paragraph([Run(text[:3000]), Run(text[3000:6000], "b"), Run(text[6000:])]),
                                  Table(["Item", "Entry"], [[[Run("one")], [Run(text)]]])])
    assert len(pdf_writer._paragraphs(tree.blocks[0].runs, pdf_writer._styles()["body"], 456)) > 3
    pdf_writer.write_pdf(tree, tmp_path / "pieces.pdf", "Header", "Author", draft=False)
    monkeypatch.setattr(pdf_writer, "LONG_TEXT", 10**9)
    pdf_writer.write_pdf(tree, tmp_path / "whole.pdf", "Header", "Author", draft=False)
    pieces, whole = pdf_text(tmp_path / "pieces.pdf"), pdf_text(tmp_path / "whole.pdf")
    lines = [line.strip() for line in whole.splitlines() if len(line) > 40]
    assert len(lines) > 100 and lines == [line.strip() for line in pieces.splitlines() if len(line) > 40]


def test_a_text_over_lxml_limit_is_kept_in_pieces(tmp_path):
    text = "A long sentence of the protocol. " * 330_000  # 10.9 MB: lxml refuses one text node over 10 MB
    write_docx(DocumentTree("Big", [Paragraph([Run(text)])]), tmp_path / "big.docx", "Header", "Author", False)
    document = docx.Document(str(tmp_path / "big.docx"))
    assert any(p.text == text for p in document.paragraphs)


def test_a_sponsor_name_over_255_characters_is_shortened_in_the_properties_only(tmp_path, demo_input):
    organisation = "Foundation for " + "Very Rare Neurological Disease Research " * 10
    inp = with_values(demo_input, module1__sponsor__sponsor={**demo_input.values["module1.sponsor.sponsor"],
                                                              "organisation": organisation})
    files = render_document(inp, "cover-letter", tmp_path, draft=True)
    document = docx.Document(str(files["docx"]))
    author = document.core_properties.author
    assert len(author) == 255 and author.endswith("…") and organisation.startswith(author[:-1])
    assert document.sections[0].header.paragraphs[0].text.startswith(organisation)
    assert organisation.strip() in docx_text(files["docx"])
    assert re.sub(r"\s+", " ", organisation.strip()) in re.sub(r"\s+", " ", pdf_text(files["pdf"]))
    with pikepdf.open(files["pdf"]) as pdf:
        assert str(pdf.docinfo["/Author"]) == organisation
