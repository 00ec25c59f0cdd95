"""Documents: real .docx and .pdf files read back with python-docx, pypdf and pikepdf."""

import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import docx
import pikepdf
import pytest
from pypdf import PdfReader

from dossier.errors import DossierError
from dossier.model import default_model
from dossier.paths import demo_dir
from dossier.render import RenderInput, build_tree, document_key, header_text, render_all, render_document, snapshot
from dossier.render import templating
from dossier.render.fonts import covers
from dossier.render.tree import plain_text
from dossier.textform import import_dossier
from dossier.service import Dossier

MODEL = default_model()


@pytest.fixture(scope="module")
def demo_input(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.dossier"
    import_dossier(demo_dir(), path)
    with Dossier.open(path) as d:
        return snapshot(d)


@pytest.fixture(scope="module")
def rendered(demo_input, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    return out, render_all(demo_input, out)


def docx_text(path: Path) -> str:
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs if "Update Field" not in p.text]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)


def tokens(text: str) -> Counter:
    shown = "".join(ch if covers(ch) else "?" for ch in text)
    return Counter(re.findall(r"[^\W_]+", shown.casefold()))


def test_every_document_written_in_both_formats(rendered):
    out, results = rendered
    assert set(results) == {d.id for d in MODEL.documents}
    for files in results.values():
        assert files["docx"].stat().st_size > 0 and files["pdf"].stat().st_size > 0
    assert not list(out.glob(".*.part"))


def joined(text: str) -> str:
    shown = "".join(ch if covers(ch) else "?" for ch in text)
    return re.sub(r"[\W_]+", "", shown.casefold())


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


def _fonts(resources, seen):
    for font in (resources.get("/Font") or {}).values():
        descriptor = font.get("/FontDescriptor")
        for sub in font.get("/DescendantFonts") or []:
            descriptor = sub.get("/FontDescriptor")
        seen.append((str(font.get("/BaseFont")), descriptor is not None and
                     any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))))
    for xobject in (resources.get("/XObject") or {}).values():
        if xobject.get("/Resources") is not None:
            _fonts(xobject.Resources, seen)


def test_pdfs_meet_fda_rules(rendered):
    _, results = rendered
    for doc_id, files in results.items():
        with pikepdf.open(files["pdf"]) as pdf:
            assert "1.4" <= pdf.pdf_version <= "1.7"
            assert not pdf.is_encrypted
            seen = []
            for page in pdf.pages:
                assert [round(float(v)) for v in page.MediaBox] == [0, 0, 612, 792]
                _fonts(page.Resources, seen)
            assert seen and all(embedded for _, embedded in seen), f"{doc_id}: {seen}"
            assert pdf.Root.PageMode == "/UseOutlines"
            with pdf.open_outline() as outline:
                assert len(outline.root) > 0
            assert str(pdf.docinfo["/Title"]) == MODEL.document(doc_id).title
            if len(pdf.pages) >= 5:
                links = [a for p in pdf.pages[:2] for a in (p.get("/Annots") or []) if a.get("/Subtype") == "/Link"]
                assert links, f"{doc_id}: {len(pdf.pages)} pages but no linked table of contents"


def test_bookmarks_mirror_headings(rendered, demo_input):
    _, results = rendered
    tree = build_tree(demo_input, "clinical-protocol")
    with pikepdf.open(results["clinical-protocol"]["pdf"]) as pdf, pdf.open_outline() as outline:
        titles = []

        def walk(items):
            for item in items:
                titles.append(item.title)
                walk(item.children)
        walk(outline.root)
    assert titles == [h.text for h in tree.headings()]


@pytest.mark.skipif(not shutil.which("qpdf"), reason="qpdf not installed")
def test_qpdf_check_is_clean(rendered):
    _, results = rendered
    for files in results.values():
        result = subprocess.run(["qpdf", "--check", str(files["pdf"])], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr


def test_docx_structure(rendered, demo_input):
    _, results = rendered
    for doc_id, files in results.items():
        document = docx.Document(str(files["docx"]))
        styles = {p.style.name for p in document.paragraphs}
        assert "Title" in styles
        headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
        assert headings == [h.text for h in build_tree(demo_input, doc_id).headings()]
        xml = document.element.xml
        assert 'TOC \\o "1-3"' in xml
        header = document.sections[0].header.paragraphs[0].text
        assert "CLN3-ASO-01" in header and "IND 654321" in header
        footer_xml = document.sections[0].footer._element.xml
        assert "NUMPAGES" in footer_xml and "PAGE" in footer_xml
        assert round(document.sections[0].page_width.inches, 2) == 8.5
        for table in document.tables:
            assert table.style.name == "Table Grid"
            assert "w:tblHeader" in table.rows[0]._tr.xml


def test_figures_are_vector_in_pdf_and_images_in_docx(rendered):
    _, results = rendered
    protocol = docx.Document(str(results["clinical-protocol"]["docx"]))
    assert len(protocol.inline_shapes) == 1
    with pikepdf.open(results["clinical-protocol"]["pdf"]) as pdf:
        images = [x for p in pdf.pages for x in (p.Resources.get("/XObject") or {}).values() if x.get("/Subtype") == "/Image"]
        assert images == []  # the chart is drawn, not pasted
    assert "Age (years)" in pdf_text(results["clinical-protocol"]["pdf"])


def test_phi_never_reaches_a_document(rendered):
    _, results = rendered
    for files in results.values():
        for text in (docx_text(files["docx"]), pdf_text(files["pdf"])):
            assert "Patient A" not in text and "MRN-000000" not in text and "2017-03-14" not in text


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice not installed")
def test_libreoffice_opens_every_docx(rendered, tmp_path):
    _, results = rendered
    files = [str(f["docx"]) for f in results.values()]
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), *files],
                   capture_output=True, timeout=300, check=True)
    assert len(list(tmp_path.glob("*.pdf"))) == len(files)


def test_empty_dossier_shows_placeholders_never_none(tmp_path):
    inp = RenderInput("Empty", {})
    results = render_all(inp, tmp_path, draft=True)
    for doc_id, files in results.items():
        text = docx_text(files["docx"])
        assert "None" not in text.split() and "[Not yet provided:" in text, doc_id
        assert "[Not yet provided:" in pdf_text(files["pdf"])
        assert "DRAFT" in docx.Document(str(files["docx"])).sections[0].header.paragraphs[0].text
        assert "DRAFT" in pdf_text(files["pdf"])


def test_final_build_refuses_with_readiness_errors(tmp_path):
    with pytest.raises(DossierError, match="readiness errors"):
        render_all(RenderInput("Empty", {}), tmp_path)
    assert list(tmp_path.iterdir()) == []


NASTY = "<b>&amp; {{ 7*7 }} {% if true %}x{% endif %} שלום عالم 😀 \x07"


def test_hostile_input_renders_as_text(demo_input, tmp_path):
    values = dict(demo_input.values)
    values["clinical.design.objectives"] = NASTY + "\n" + "W" * 5000
    values["clinical.endpoints.schedule"] = [{"visit": f"V{i} {NASTY}", "assessments": "x" * 40} for i in range(1000)]
    files = render_document(RenderInput(demo_input.title, values), "clinical-protocol", tmp_path, draft=True)
    text = docx_text(files["docx"])
    assert "<b>&amp; {{ 7*7 }} {% if true %}x{% endif %} שלום عالم 😀 \ufffd" in text
    assert not re.search(r"(?<![V\d])49(?!\d)", text)  # the template syntax was not evaluated
    pdf = pdf_text(files["pdf"])
    assert "{{ 7*7 }}" in pdf and "V999" in pdf
    with pikepdf.open(files["pdf"]) as doc:
        assert len(doc.pages) > 20  # the 1,000-row table split across pages


def test_template_error_names_template_and_line(tmp_path, monkeypatch, demo_input):
    broken = tmp_path / "templates"
    shutil.copytree(templating.templates_dir(), broken)
    lines = (broken / "references.j2").read_text().split("\n")
    lines[2] = "<h1>{{ f.v('genetic.literature.references' }}</h1>"
    (broken / "references.j2").write_text("\n".join(lines))
    (broken / "form_3674.j2").write_text("<p>ok</p>\n<p>{{ f.no_such_helper() }}</p>\n")
    monkeypatch.setattr(templating, "templates_dir", lambda: broken)
    templating.environment.cache_clear()
    try:
        with pytest.raises(DossierError, match=r"references.j2 line 3"):
            build_tree(demo_input, "references")
        with pytest.raises(DossierError, match=r"form_3674.j2 line 2"):
            build_tree(demo_input, "form-3674")
    finally:
        templating.environment.cache_clear()


def test_template_may_not_read_fields_outside_its_document(demo_input):
    fields = templating.Fields(MODEL, MODEL.document("form-3674"), demo_input.values)
    with pytest.raises(templating.TemplateFieldError, match="does not list document 'form-3674'"):
        fields.v("clinical.safety.stopping_rules")
    with pytest.raises(templating.TemplateFieldError):
        fields.v("genetic.patient.patient_name")


def test_document_key_follows_only_its_inputs(demo_input):
    base = {d.id: document_key(demo_input, d.id, False) for d in MODEL.documents}
    edited = dict(demo_input.values, **{"cmc.product.labelling": "New label"})
    after = {d.id: document_key(RenderInput(demo_input.title, edited), d.id, False) for d in MODEL.documents}
    changed = {d for d in base if base[d] != after[d]}
    assert changed == {"drug-product"}
    assert document_key(demo_input, "drug-product", True) != base["drug-product"]
    assert plain_text(build_tree(RenderInput(demo_input.title, edited), "drug-product"))
