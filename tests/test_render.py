"""Documents of the demo dossier: real .docx and .pdf files read back with python-docx, pypdf and
pikepdf, checked against each other, against FDA's PDF rules and by LibreOffice where installed.
(Bad input, placeholders and template rules: test_render_input.py.)"""

import pickle
import shutil
import subprocess
from collections import Counter

import docx
import pikepdf
import pytest
from pypdf import PdfReader

from dossier.docunits import split_unit, unit_title, units
from dossier.fieldpath import model_path
from dossier.model import default_model
from dossier.render import build_tree, header_text, render_all, render_document, snapshot
from dossier.render.fonts import covers
from dossier.service import Dossier
from tests.helpers.demo import demo_render_input, with_values
from tests.helpers.documents import contents_pages, docx_text, joined, outline_pages, pdf_problems, pdf_text, tokens

MODEL = default_model()
DEMO = demo_render_input().values
# What render_all writes: a file per document, and one per drug substance for a document rendered per
# instance (`ds-structure@0`, titled after the substance).
TITLES = {unit: unit_title(MODEL, unit, DEMO) for unit in units(MODEL, DEMO)}


def test_snapshot_of_a_dossier_file_is_the_demo_input(demo_master):
    with Dossier.open(demo_master, read_only=True) as dossier:
        inp = snapshot(dossier)
    expected = demo_render_input()
    assert inp.title == expected.title and inp.values == expected.values
    assert sorted(a["name"] for a in inp.attachments) == sorted(a["name"] for a in expected.attachments)
    assert set(inp.attachments[0]) == {"name", "media_type", "size", "sha256", "md5"}
    assert pickle.loads(pickle.dumps(inp)) == inp  # goes to worker processes as it is


@pytest.fixture(scope="module")
def rendered(demo_input, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    return out, render_all(demo_input, out)


def test_every_document_written_in_both_formats(rendered, demo_input):
    out, results = rendered
    assert set(results) == set(TITLES)
    assert {split_unit(unit)[0] for unit in results} <= {d.id for d in MODEL.documents}
    assert {"form-3926", "confirmatory-plan"}.isdisjoint(results)  # the demo is an individualized IND
    for files in results.values():
        assert files["docx"].stat().st_size > 0 and files["pdf"].stat().st_size > 0
    assert not list(out.glob(".*.part"))


@pytest.mark.slow
def test_docx_and_pdf_hold_the_same_text(rendered, demo_input):
    """Every word of one format is in the other (compared without whitespace, so wrapping is fine)."""
    _, results = rendered
    frame = tokens("Page of Contents " + header_text(demo_input)) + Counter(str(i) for i in range(100))
    for doc_id, files in results.items():
        text_docx, text_pdf = docx_text(files["docx"]), pdf_text(files["pdf"])
        missing = [w for w in tokens(text_docx) if w not in joined(text_pdf)]
        assert not missing, f"{doc_id}: in DOCX but not PDF: {missing[:10]}"
        extra = [w for w in tokens(text_pdf) if w not in joined(text_docx) and w not in frame]
        assert not extra, f"{doc_id}: in PDF but not DOCX: {extra[:10]}"


def test_pdfs_meet_fda_rules(rendered):
    _, results = rendered
    for doc_id, files in results.items():
        assert pdf_problems(files["pdf"]) == [], doc_id
        with pikepdf.open(files["pdf"]) as pdf:
            assert str(pdf.docinfo["/Title"]) == TITLES[doc_id]
            assert str(pdf.docinfo["/Author"]) == "Riverside Children's Hospital (fictional)"
        pages = PdfReader(files["pdf"]).pages
        for number, page in enumerate(pages, 1):
            assert f"Page {number} of {len(pages)}" in page.extract_text(), (doc_id, number)
    with pikepdf.open(results["clinical-protocol"]["pdf"]) as pdf:
        assert len(pdf.pages) >= 5  # so the table-of-contents rule is exercised by the demo


def test_pdf_margins_leave_room(rendered):
    """Every glyph sits inside 0.75 in (left) and 0.375 in (elsewhere) of the Letter page."""
    from pypdf import PdfReader

    _, results = rendered
    for doc_id, files in results.items():
        for number, page in enumerate(PdfReader(str(files["pdf"])).pages, 1):
            spots: list[tuple[float, float, str]] = []

            def visit(text, cm, tm, *_, spots=spots):
                if text.strip():
                    spots.append((tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5], text))

            page.extract_text(visitor_text=visit)
            for x, y, text in spots:
                assert 54 <= x <= 612 - 27 and 27 <= y <= 792 - 27, f"{doc_id} p{number}: {text!r} at {x:.0f},{y:.0f}"


def test_bookmarks_mirror_headings(rendered, demo_input):
    _, results = rendered
    for doc_id, files in results.items():
        tree = build_tree(demo_input, doc_id, final=True)
        with pikepdf.open(files["pdf"]) as pdf, pdf.open_outline() as outline:
            titles = _outline_titles(outline.root, doc_id)
        assert titles == [h.text for h in tree.headings()], doc_id
        reader = PdfReader(files["pdf"])
        for title, page in outline_pages(reader):  # each bookmark opens the page its heading is on
            assert title[:40] in " ".join(reader.pages[page - 1].extract_text().split()), (doc_id, title, page)


def _outline_titles(items, doc_id: str, depth: int = 0) -> list[str]:
    titles = []
    for item in items:
        assert depth < 4, f"{doc_id}: bookmarks deeper than 4 levels"
        titles += [item.title, *_outline_titles(item.children, doc_id, depth + 1)]
    return titles


def test_contents_page_numbers_are_where_the_headings_are(rendered):
    _, results = rendered
    checked = 0
    for doc_id, files in results.items():
        if len(PdfReader(files["pdf"]).pages) < 5:
            continue
        shown, bookmarks = contents_pages(files["pdf"])
        assert shown == bookmarks, doc_id
        checked += len(bookmarks)
    assert checked >= 10  # the demo has documents long enough for contents


@pytest.mark.skipif(not shutil.which("qpdf"), reason="qpdf not installed")
def test_qpdf_check_is_clean(rendered):
    _, results = rendered
    for files in results.values():
        result = subprocess.run(["qpdf", "--check", str(files["pdf"])], capture_output=True, text=True)
        clean = result.returncode == 0 and "No syntax or stream encoding errors" in result.stdout
        assert clean, result.stdout + result.stderr


WORD_STYLES = {"Title", "Heading 1", "Heading 2", "Heading 3", "List Bullet", "List Number", "Table Grid", "Caption"}


def test_docx_structure(rendered, demo_input):
    _, results = rendered
    for doc_id, files in results.items():
        document = docx.Document(str(files["docx"]))
        assert WORD_STYLES <= {s.name for s in document.styles}
        assert document.paragraphs[0].style.name == "Title"
        assert document.paragraphs[0].text == TITLES[doc_id]
        headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")]
        tree = build_tree(demo_input, doc_id, final=True)
        assert headings == [(f"Heading {min(h.level, 4)}", h.text) for h in tree.headings()]
        assert 'TOC \\o "1-3"' in document.element.xml
        header = document.sections[0].header.paragraphs[0].text
        assert header == header_text(demo_input) and "DRAFT" not in header
        assert "CLN3-ASO-01" in header and "IND 654321" in header
        footer = document.sections[0].footer.paragraphs[0]
        assert footer.text.startswith("Page ") and " of " in footer.text
        assert "NUMPAGES" in footer._p.xml and " PAGE " in footer._p.xml
        section = document.sections[0]
        assert (round(section.page_width.inches, 2), round(section.page_height.inches, 2)) == (8.5, 11)
        assert section.left_margin.inches >= 0.75 and min(section.top_margin, section.bottom_margin,
                                                          section.right_margin).inches >= 0.375
        assert document.core_properties.title == TITLES[doc_id]
        assert document.core_properties.author == "Riverside Children's Hospital (fictional)"
        assert "python-docx" not in (document.core_properties.comments + document.core_properties.author)
        parts = {str(p.partname) for p in document.part.package.iter_parts()}
        assert not any("thumbnail" in p or "stylesWithEffects" in p for p in parts), parts
        for table in document.tables:
            assert table.style.name == "Table Grid"
            assert "w:tblHeader" in table.rows[0]._tr.xml


def test_lists_and_tables_use_word_structures(rendered):
    _, results = rendered
    protocol = docx.Document(str(results["clinical-protocol"]["docx"]))
    assert any(p.style.name == "List Bullet" for p in protocol.paragraphs)  # the phenotype terms
    schedule = next(t for t in protocol.tables if t.rows[0].cells[0].text == "Visit")
    assert [c.text for c in schedule.rows[0].cells] == ["Visit", "Timing", "Assessments"]
    assert schedule.rows[1].cells[0].text == "Screening"


def test_greek_arrows_and_symbols_print_as_themselves(rendered):
    _, results = rendered
    assert "Sequence (5'→3')" in pdf_text(results["ds-structure@0"]["pdf"])  # the field's own label
    assert covers("α-synuclein, IFN-γ, ≤ 0.2 EU/kg, 37 °C, Ω") and not covers("שלום")


def test_figures_are_vector_in_pdf_and_images_in_docx(rendered, demo_input, tmp_path):
    _, results = rendered
    # the confirmatory plan (with its timeline) belongs to a marketing application
    marketing = with_values(demo_input, module1__application__path="Marketing application (BLA or NDA)")
    results = {**results, "confirmatory-plan": render_document(marketing, "confirmatory-plan", tmp_path)}
    for doc_id in ("clinical-protocol", "confirmatory-plan"):
        document = docx.Document(str(results[doc_id]["docx"]))
        assert len(document.inline_shapes) == 1, doc_id
        assert document.inline_shapes[0]._inline.docPr.get("descr"), "the picture has alt text"
        with pikepdf.open(results[doc_id]["pdf"]) as pdf:
            images = [x for p in pdf.pages for x in (p.Resources.get("/XObject") or {}).values()
                      if x.get("/Subtype") == "/Image"]
            assert images == [], f"{doc_id}: the chart is drawn, not pasted"
    assert "Age (years)" in pdf_text(results["clinical-protocol"]["pdf"])
    assert "Biomarker validation report" in pdf_text(results["confirmatory-plan"]["pdf"])


def test_docx_figures_are_true_colour_pictures_at_200_dpi(rendered):
    """The chart's picture (a PNG written by figures._png_file) reads back in Pillow at 200 dpi of its
    size in points, on white, the patient's series in its red; a chart shown by two documents is
    made once and is the same picture in both."""
    import io
    import math

    from PIL import Image

    from dossier.render.figures import HEIGHT, PATIENT, WIDTH

    _, results = rendered
    blobs = []
    for doc_id in ("clinical-protocol", "genetic-rationale@0"):
        document = docx.Document(str(results[doc_id]["docx"]))
        blobs.append(document.part.related_parts[document.inline_shapes[0]._inline.graphic.graphicData.pic
                                                 .blipFill.blip.embed].blob)
    assert blobs[0] == blobs[1]
    image = Image.open(io.BytesIO(blobs[0]))
    image.load()
    assert image.format == "PNG" and image.mode == "RGB"
    assert image.size == (math.ceil(WIDTH * 200 / 72), math.ceil(HEIGHT * 200 / 72))
    pixels = image.tobytes()
    colours = Counter(zip(pixels[0::3], pixels[1::3], pixels[2::3], strict=True))
    assert colours.most_common(1)[0][0] == (255, 255, 255)
    red = tuple(round(c * 255) for c in PATIENT.rgb())
    assert colours[red] > 100, "the patient's series is drawn in its colour"


def test_word_files_written_one_after_another_share_nothing(demo_input, tmp_path):
    """Every Word file starts as a copy of one base document per header (docx_writer._base_document):
    a picture or a link of one document never reaches the next, and a draft's header is its own."""
    import zipfile

    from dossier.render import render_document

    protocol = render_document(demo_input, "clinical-protocol", tmp_path / "p", formats=("docx",), draft=True)
    references = render_document(demo_input, "references", tmp_path / "r", formats=("docx",))["docx"]
    final = render_document(demo_input, "cover-letter", tmp_path / "f", formats=("docx",))["docx"]
    draft = render_document(demo_input, "cover-letter", tmp_path / "d", formats=("docx",), draft=True)["docx"]
    assert any(n.startswith("word/media/") for n in zipfile.ZipFile(protocol["docx"]).namelist())
    assert docx.Document(str(references)).part.rels.xml.count(b"hyperlink") > 0
    for path, is_draft in ((final, False), (draft, True)):
        assert not [n for n in zipfile.ZipFile(path).namelist() if n.startswith("word/media/")]
        document = docx.Document(str(path))
        assert document.part.rels.xml.count(b"hyperlink") == 0
        header = document.sections[0].header.paragraphs[0].text
        assert header.startswith(header_text(demo_input)) and ("DRAFT" in header) == is_draft


def test_a_pdf_is_the_same_whatever_was_rendered_before_it_in_the_process(rendered, demo_input, tmp_path):
    """Font subsets are made and compressed once per process and shared by the documents that use the
    same characters (fonts._Face): a PDF rendered after every other is byte for byte the one a fresh
    process writes, and a document with other characters still embeds and shows them."""
    import sys

    from dossier.render import RenderInput, render_document

    here = render_document(demo_input, "cover-letter", tmp_path / "here", formats=("pdf",))["pdf"]
    script = ("import pickle, sys; from pathlib import Path; from dossier.render import render_document; "
              "render_document(pickle.loads(sys.stdin.buffer.read()), 'cover-letter', Path(sys.argv[1]), ('pdf',))")
    subprocess.run([sys.executable, "-c", script, str(tmp_path / "fresh")], input=pickle.dumps(demo_input),
                   check=True, capture_output=True)
    assert here.read_bytes() == (tmp_path / "fresh" / here.name).read_bytes()
    product = MODEL.roles.header["product"]
    greek = RenderInput(demo_input.title, {**demo_input.values, product: "ΑΒΓ-ωψ therapy"}, demo_input.attachments)
    other = render_document(greek, "cover-letter", tmp_path / "greek", formats=("pdf",))["pdf"]
    assert "ΑΒΓ-ωψ therapy" in pdf_text(other) and pdf_problems(other) == []


def test_remembered_font_streams_survive_threads():
    """The desktop app renders on a worker thread: streams compressed on several threads at once, more
    than are remembered, each come back as their own."""
    import zlib
    from concurrent.futures import ThreadPoolExecutor

    from dossier.render.fonts import _COMPRESSED_ONCE

    streams = [f"stream {i} ".encode() * 500 for i in range(3 * _COMPRESSED_ONCE.KEEP)]
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(_COMPRESSED_ONCE.encode, streams * 4))
    assert [zlib.decompress(r) for r in results] == streams * 4


def test_phi_never_reaches_a_document(rendered, demo_input):
    _, results = rendered
    secrets = []
    for path, value in demo_input.values.items():  # the patient's fields lie in the one arm's instance
        field = MODEL.fields.get(model_path(path))
        if field is not None and field.phi and value:
            secrets += [str(v) for v in (value.values() if isinstance(value, dict) else [value]) if len(str(v)) > 3]
    assert secrets, "the demo holds protected health information to look for"
    for doc_id, files in results.items():
        for text in (docx_text(files["docx"]), pdf_text(files["pdf"])):
            leaked = [s for s in secrets if s in text]
            assert not leaked, f"{doc_id}: {leaked}"


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice not installed")
def test_libreoffice_opens_every_docx(rendered, tmp_path):
    _, results = rendered
    files = [f["docx"] for f in results.values()]
    profile = f"-env:UserInstallation=file://{tmp_path / 'profile'}"  # not shared with a running soffice
    subprocess.run(["soffice", profile, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path / "pdf"),
                    *map(str, files)], capture_output=True, timeout=600, check=True)
    for file in files:
        converted = tmp_path / "pdf" / f"{file.stem}.pdf"
        assert converted.exists() and converted.stat().st_size > 1000, file.name
        doc_id = next(d for d, f in results.items() if f["docx"] == file)
        assert TITLES[doc_id].split()[0] in pdf_text(converted)


@pytest.mark.parametrize("rows", [10, 40, 80, 400])
def test_the_page_counting_pass_is_skipped_only_for_documents_that_surely_need_contents(tmp_path, monkeypatch, rows):
    """The shortcut that skips laying a document out just to count its pages never decides for a
    document of fewer than 5 pages, and a document it decides for still gets its linked contents."""
    from dossier.render import pdf_writer
    from dossier.render.tree import DocumentTree, Heading, Paragraph, Run, Table

    tree = DocumentTree("Long", [Heading(1, "Studies"), Paragraph([Run("Summary of the studies.")]),
                                 Table(["Study", "Result"], [[[Run(f"S-{i}")], [Run("ok")]] for i in range(rows)])])
    surely = pdf_writer._surely_long(tree, pdf_writer._styles())
    pdf_writer.write_pdf(tree, tmp_path / "fast.pdf", "Header", "Author", draft=False)
    # The pages counted the slow way: the counting pass only (no contents at any length).
    monkeypatch.setattr(pdf_writer, "_surely_long", lambda *_: False)
    monkeypatch.setattr(pdf_writer, "TOC_MIN_PAGES", 10**6)
    counted = pdf_writer.write_pdf(tree, tmp_path / "counted.pdf", "Header", "Author", draft=False)
    assert counted == len(PdfReader(tmp_path / "counted.pdf").pages)
    if surely:
        assert counted >= 5
        assert pdf_problems(tmp_path / "fast.pdf") == []  # bookmarks and a linked table of contents
    assert surely == (rows == 400)  # the long one takes the shortcut; the others are counted
