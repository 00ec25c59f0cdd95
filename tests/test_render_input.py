"""Documents from difficult input: hostile and huge text, empty dossiers, missing fields, broken
templates; the content key; the render command. (Which fields a template may use: test_render_templates.py.)"""

import re
import shutil
import subprocess
import threading
from pathlib import Path

import docx
import pikepdf
import pytest
from pypdf import PdfReader

from dossier.docunits import unit_stem, units
from dossier.errors import DossierError
from dossier.model import default_model
from dossier.render import (
    NotReadyError,
    RenderInput,
    build_tree,
    document_key,
    precompiled,
    render_all,
    render_document,
    templateenv,
    templating,
)
from dossier.render.tree import Paragraph, parse, safe_href, xml_safe
from tests.helpers.demo import demo_render_input, with_values
from tests.helpers.documents import docx_text, pdf_problems, pdf_text

MODEL = default_model()
# The demo's units: the documents of its path (an individualized IND: not Form 3926 nor the post-approval
# confirmatory plan), those rendered per drug substance once for its one substance (`ds-structure@0`).
DEMO = demo_render_input().values
DEMO_UNITS = units(MODEL, DEMO)
NASTY = "<b>&amp; {{ 7*7 }} {% if true %}x{% endif %} ]]> שלום عالم 😀 α→β \x07\ud800end"


# --- missing content, drafts and finals -----------------------------------------------------------

def test_empty_dossier_shows_placeholders_never_none(tmp_path):
    results = render_all(RenderInput("Empty", {}), tmp_path, draft=True)
    applying = units(MODEL, {})  # no references, no path, no drug substance: none of those documents
    assert sorted(results) == sorted(applying)
    assert {d.id for d in MODEL.documents} - set(applying) == \
        {"references", "form-3926", "confirmatory-plan"} | {d.id for d in MODEL.documents if d.per}
    for doc_id, files in results.items():
        text = docx_text(files["docx"])
        assert "None" not in re.findall(r"\w+", text) and "[Not yet provided:" in text, doc_id
        pdf = pdf_text(files["pdf"])
        assert "None" not in re.findall(r"\w+", pdf) and "[Not yet provided:" in pdf, doc_id
        header = docx.Document(str(files["docx"])).sections[0].header.paragraphs[0].text
        assert "DRAFT" in header and "Sponsor not yet provided" in header and "IND not yet assigned" in header
        assert "DRAFT" in pdf
        assert pdf_problems(files["pdf"]) == [], doc_id


def test_placeholder_names_the_field(demo_input, tmp_path):
    inp = RenderInput(demo_input.title, {k: v for k, v in demo_input.values.items() if k != "module1.product.route"})
    files = render_document(inp, "dp-description", tmp_path, draft=True)
    assert "[Not yet provided: Route of administration]" in docx_text(files["docx"])
    assert "[Not yet provided: Route of administration]" in pdf_text(files["pdf"]).replace("\n", " ")
    runs = [r for p in docx.Document(str(files["docx"])).paragraphs for r in p.runs if "Not yet provided" in r.text]
    assert runs and all(r.font.highlight_color is not None for r in runs)  # highlighted, not just text


def test_final_build_refuses_with_readiness_errors(tmp_path):
    with pytest.raises(NotReadyError, match="readiness errors") as caught:
        render_all(RenderInput("Empty", {}), tmp_path / "out")
    assert caught.value.errors and all(": " in e for e in caught.value.errors)
    assert isinstance(caught.value, DossierError)
    assert not (tmp_path / "out").exists()


def test_final_build_of_a_ready_dossier_has_no_draft_mark(demo_input, tmp_path):
    files = render_document(demo_input, "cover-letter", tmp_path, draft=False)
    assert "DRAFT" not in pdf_text(files["pdf"])
    assert "DRAFT" not in docx.Document(str(files["docx"])).sections[0].header.paragraphs[0].text


# --- hostile and huge input -----------------------------------------------------------------------

def test_hostile_text_stays_text(demo_input, tmp_path):
    inp = with_values(demo_input, clinical__design__objectives=NASTY,
                      module1__sponsor__sponsor={"organisation": "Smith & <Jones> {{ x }}"})
    files = render_document(inp, "clinical-protocol", tmp_path, draft=True)
    expected = "<b>&amp; {{ 7*7 }} {% if true %}x{% endif %} ]]> שלום عالم 😀 α→β end"  # controls dropped
    text = docx_text(files["docx"])
    assert expected in text and not re.search(r"\b49\b", text)
    header = docx.Document(str(files["docx"])).sections[0].header.paragraphs[0].text
    assert header.startswith("Smith & <Jones> {{ x }}")
    pdf = pdf_text(files["pdf"])
    assert "<b>&amp; {{ 7*7 }} {% if true %}x{% endif %} ]]> ???? ???? ? α→β end" in pdf  # marked, not lost
    assert "Smith & <Jones> {{ x }}" in pdf and not re.search(r"\b49\b", pdf)
    with pikepdf.open(files["pdf"]) as pdf_file:
        assert str(pdf_file.docinfo["/Author"]) == "Smith & <Jones> {{ x }}"
    assert pdf_problems(files["pdf"]) == []


@pytest.mark.slow
def test_long_words_and_long_tables_keep_the_layout(demo_input, tmp_path):
    word = "W" * 5000
    schedule = [{"visit": f"V{i} {NASTY}", "timing": "Day 1", "assessments": "x" * 40} for i in range(1000)]
    schedule[3]["assessments"] = word  # a cell taller than a page
    schedule[4]["assessments"] = "many words " * 2500
    inp = with_values(demo_input, clinical__design__objectives=f"{word}\n{word}",
                      clinical__endpoints__schedule=schedule)
    files = render_document(inp, "clinical-protocol", tmp_path, draft=True)
    with pikepdf.open(files["pdf"]) as pdf:
        assert len(pdf.pages) > 25
    texts = [p.extract_text() for p in PdfReader(str(files["pdf"])).pages]
    with_header = [t for t in texts if "Visit" in t and "Timing" in t and "Assessments" in t]
    assert len(with_header) > 20, "the header row repeats on every page of the table"
    assert "V999" in texts[-2] + texts[-1] + texts[-3]
    assert sum(t.count("W") for t in texts) >= 2 * len(word)  # the long words wrap across lines, none cut
    document = docx.Document(str(files["docx"]))
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "Visit")
    assert len(table.rows) == 1001 and "w:tblHeader" in table.rows[0]._tr.xml
    assert pdf_problems(files["pdf"]) == []
    if shutil.which("soffice"):  # LibreOffice opens the hostile, huge Word file too
        profile = f"-env:UserInstallation=file://{tmp_path / 'profile'}"
        subprocess.run(["soffice", profile, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path / "lo"),
                        str(files["docx"])], capture_output=True, timeout=600, check=True)
        assert (tmp_path / "lo" / "clinical-protocol.pdf").stat().st_size > 10000


def test_long_heading_from_data(demo_input, tmp_path):
    studies = [dict(row, study="S" * 5000) for row in demo_input.values["nonclinical.pharmacology.studies"]]
    files = render_document(with_values(demo_input, nonclinical__pharmacology__studies=studies),
                            "nonclinical-studies", tmp_path, draft=True)
    headings = [p.text for p in docx.Document(str(files["docx"])).paragraphs if p.style.name == "Heading 2"]
    assert "S" * 5000 in headings
    with pikepdf.open(files["pdf"]) as pdf, pdf.open_outline() as outline:
        assert any(item.title == "S" * 5000 for top in outline.root for item in top.children)


def test_xml_invalid_characters_are_dropped_everything_else_kept():
    assert xml_safe("a\x00b\x07c\x1f\ud800d\ufffe\tе\n😀") == "abcd\tе\n😀"


def test_links_are_web_mail_or_relative_only():
    assert safe_href("https://doi.org/10.1/x") == "https://doi.org/10.1/x"
    assert safe_href("mailto:a@b.example") == "mailto:a@b.example"
    assert safe_href("../m3/x.pdf") == "../m3/x.pdf"
    for bad in ("javascript:alert(1)", "file:///etc/passwd", "data:text/html,x", "  JavaScript:x"):
        assert safe_href(bad) == ""
    tree = parse('<p>see <a href="javascript:x">this</a> and <a href="https://e.example/">that</a></p>', "t")
    runs = tree.blocks[0].runs
    assert isinstance(tree.blocks[0], Paragraph) and [r.href for r in runs if r.text.strip()] == ["", "", "", "https://e.example/"]


def test_links_become_hyperlinks_in_both_formats(tmp_path):
    from dossier.render.docx_writer import write_docx
    from dossier.render.pdf_writer import write_pdf

    tree = parse('<h1>Links</h1><p>See <a href="https://doi.org/10.1000/182"><b>the DOI</b></a>.</p>', "Links")
    write_docx(tree, tmp_path / "l.docx", "header", "author", False)
    write_pdf(tree, tmp_path / "l.pdf", "header", "author", False)
    rels = docx.Document(str(tmp_path / "l.docx")).part.rels.values()
    assert "https://doi.org/10.1000/182" in [r.target_ref for r in rels]
    with pikepdf.open(tmp_path / "l.pdf") as pdf:
        uris = [str(a.A.URI) for a in pdf.pages[0].Annots if "/A" in a]
    assert uris == ["https://doi.org/10.1000/182"]


def test_placeholder_inside_bold_keeps_its_place():
    tree = parse('<p><b>Re: <placeholder field="x.y.z" label="Product"/> now</b></p>', "t")
    assert [(r.text, r.style) for r in tree.blocks[0].runs] == [("Re: ", "b"), ("[Not yet provided: Product]", "bp"),
                                                                 (" now", "b")]


# --- template errors --------------------------------------------------------------------------------

@pytest.fixture
def broken_templates(tmp_path, monkeypatch):
    folder = tmp_path / "templates"
    shutil.copytree(templateenv.templates_dir(), folder)
    monkeypatch.setattr(templateenv, "templates_dir", lambda: folder)
    monkeypatch.setattr(templating, "templates_dir", lambda: folder)
    templateenv.environment.cache_clear()
    yield folder
    templateenv.environment.cache_clear()


def test_template_errors_name_template_and_line(broken_templates, demo_input):
    lines = (broken_templates / "references.j2").read_text().split("\n")
    lines[2] = "<h1>{{ f.v('genetic.literature.references' }}</h1>"
    (broken_templates / "references.j2").write_text("\n".join(lines))
    (broken_templates / "form_3674.j2").write_text("<p>ok</p>\n<p>{{ f.no_such_helper() }}</p>\n")
    (broken_templates / "form_1572.j2").write_text("<p>ok</p>\n\n<p>{{ f.v('module1.nope.nothing') }}</p>\n")
    (broken_templates / "cover_letter.j2").write_text("<p>{{ undefined_name }}</p>\n")
    (broken_templates / "informed_consent.j2").write_text("<p>ok</p>\n<p>{{ 1 / 0 }}</p>\n")
    (broken_templates / "dp_description.j2").write_text("<p>unclosed\n")
    (broken_templates / "_macros.j2").write_text((broken_templates / "_macros.j2").read_text()
                                                 + "{% macro oops() %}{{ f.v('x.y') }}{% endmacro %}\n")
    cases = {"references": r"references.j2 line 3", "form-3674": r"form_3674.j2 line 2",
             "form-1572": r"form_1572.j2 line 3: .*no such field", "cover-letter": r"cover_letter.j2 line 1",
             "informed-consent": r"informed_consent.j2 line 2", "dp-description": "malformed markup"}
    for doc_id, message in cases.items():
        with pytest.raises(DossierError, match=message):
            build_tree(demo_input, doc_id)


def test_template_cannot_reach_python_internals(broken_templates, demo_input):
    (broken_templates / "form_3674.j2").write_text("<p>{{ f.__class__.__mro__ }}</p>\n")
    with pytest.raises(DossierError, match=r"form_3674.j2 line 1"):
        build_tree(demo_input, "form-3674")
    (broken_templates / "form_3674.j2").write_text("<p>{{ f.values.clear() }}</p>\n")
    with pytest.raises(DossierError, match=r"form_3674.j2"):
        build_tree(demo_input, "form-3674")


# --- the content key --------------------------------------------------------------------------------

def test_document_key_follows_only_its_inputs(demo_input):
    base = {d.id: document_key(demo_input, d.id, False) for d in MODEL.documents}
    edited = with_values(demo_input, cmc__product__labelling="New label")
    after = {d.id: document_key(edited, d.id, False) for d in MODEL.documents}
    expected = {d.id for d in MODEL.documents if d.id in MODEL.field("cmc.product.labelling").documents}
    assert {d for d in base if base[d] != after[d]} == expected == {"investigational-labeling"}
    assert document_key(demo_input, "investigational-labeling", True) != base["investigational-labeling"]
    phi = next(p for p, f in MODEL.fields.items() if f.phi)
    assert {d.id: document_key(with_values(demo_input, **{phi.replace(".", "__"): "Other"}), d.id, False)
            for d in MODEL.documents} == base
    renamed = RenderInput("Another title", demo_input.values, ())
    assert document_key(renamed, "investigational-labeling", False) == base["investigational-labeling"]
    sponsor = with_values(demo_input, module1__product__product_name="Another name")
    assert all(document_key(sponsor, d, False) != base[d] for d in base)  # a header field: every page


def test_document_key_follows_the_content_model_and_the_program_version(demo_input, monkeypatch):
    """A cache kept across an upgrade must not serve a document whose labels or program changed."""
    import dataclasses

    from dossier.render import document as document_mod

    path = "cmc.product.labelling"
    label = "Text of the investigational label"
    relabelled = dict(MODEL.fields, **{path: dataclasses.replace(MODEL.field(path), label=label)})
    model = dataclasses.replace(MODEL, fields=relabelled)
    base = {d.id: document_key(demo_input, d.id, False, MODEL) for d in MODEL.documents}
    after = {d.id: document_key(demo_input, d.id, False, model) for d in MODEL.documents}
    assert {d for d in base if base[d] != after[d]} == {"investigational-labeling"}
    monkeypatch.setattr(document_mod, "__version__", "99.0")
    assert all(document_key(demo_input, d, False, MODEL) != base[d] for d in base)


def test_document_key_follows_templates_and_macros(broken_templates, demo_input):
    before = document_key(demo_input, "references", False)
    (broken_templates / "_macros.j2").write_text((broken_templates / "_macros.j2").read_text() + "\n")
    assert document_key(demo_input, "references", False) != before


def test_what_templates_import_is_kept_on_disk_and_follows_their_sources(broken_templates, demo_input, monkeypatch):
    """The documents' keys need what each template imports; a later process reads that from the cache
    beside the compiled templates instead of parsing every template, and an edited template is parsed."""
    from dossier.render import RenderJob

    before = {d.id: document_key(demo_input, d.id, False) for d in MODEL.documents}
    RenderJob(demo_input, draft=True, out_dir=Path("unused"))  # computes the keys and keeps the references
    templateenv._references.cache_clear()
    templateenv._known_references.cache_clear()

    def no_parsing(*_):
        raise AssertionError("parsed although its references are on disk")

    monkeypatch.setattr(precompiled.meta, "find_referenced_templates", no_parsing)
    assert {d.id: document_key(demo_input, d.id, False) for d in MODEL.documents} == before
    monkeypatch.undo()
    monkeypatch.setattr(templateenv, "templates_dir", lambda: broken_templates)
    monkeypatch.setattr(templating, "templates_dir", lambda: broken_templates)
    (broken_templates / "_extra.j2").write_text("<p>shared</p>\n")
    cover = broken_templates / "cover_letter.j2"
    cover.write_text('{% include "_extra.j2" %}\n' + cover.read_text())
    changed = document_key(demo_input, "cover-letter", False)
    (broken_templates / "_extra.j2").write_text("<p>shared, edited</p>\n")
    assert changed != before["cover-letter"] and document_key(demo_input, "cover-letter", False) != changed


# --- render_all and the command ----------------------------------------------------------------------

def test_progress_cancel_and_formats(demo_input, tmp_path):
    seen = []
    results = render_all(demo_input, tmp_path / "a", formats=("pdf",), progress=lambda *a: seen.append(a))
    assert [s[0] for s in seen] == list(range(1, len(DEMO_UNITS) + 1)) and seen[-1][1] == len(DEMO_UNITS)
    assert all(set(files) == {"pdf"} for files in results.values())
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == \
        sorted(f"{unit_stem(MODEL, u, DEMO)}.pdf" for u in DEMO_UNITS)
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(DossierError, match="cancelled"):
        render_all(demo_input, tmp_path / "b", cancel=cancel)
    with pytest.raises(DossierError, match="unknown format"):
        render_all(demo_input, tmp_path / "c", formats=("odt",))


def test_a_failed_write_leaves_no_file(demo_input, tmp_path, monkeypatch):
    import dossier.render.pdf_writer as pdf_writer

    def explode(tree, path, *args):
        path.write_bytes(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(pdf_writer, "write_pdf", explode)
    with pytest.raises(OSError):
        render_document(demo_input, "references", tmp_path, formats=("pdf",))
    assert list(tmp_path.iterdir()) == []


def test_render_command(tmp_path, cli, demo_file):
    demo = demo_file
    result = cli("render", demo, "--out", tmp_path / "out", "--format", "pdf")
    assert result.code == 0, result.err
    assert f"[{len(DEMO_UNITS)}/{len(DEMO_UNITS)}]" in result.out
    assert len(list((tmp_path / "out").glob("*.pdf"))) == len(DEMO_UNITS)
    assert not list((tmp_path / "out").glob("*.docx"))
    empty = tmp_path / "empty.dossier"
    assert cli("new", empty, "--title", "Empty").code == 0
    refused = cli("render", empty, "--out", tmp_path / "final")
    assert refused.code == 1 and "readiness errors" in refused.err and "--draft" in refused.err
    drafted = cli("render", empty, "--out", tmp_path / "draft", "--draft", "--format", "docx")
    assert drafted.code == 0 and "(draft)" in drafted.out
    bad = cli("render", empty, "--out", tmp_path / "x", "--draft", "--format", "odt")
    assert bad.code == 2 and "unknown format" in bad.err


def test_render_command_renders_only_what_an_edit_changed(tmp_path, cli, monkeypatch, demo_file):
    from dossier.render import engine
    from dossier.render.templating import allowed_fields

    rendered = []
    real = engine.render_document
    monkeypatch.setattr(engine, "render_document",
                        lambda inp, doc_id, *args: rendered.append(doc_id) or real(inp, doc_id, *args))
    demo, out = demo_file, tmp_path / "out"
    render = ("render", demo, "--out", out, "--format", "docx", "--jobs", "1")  # one process: every render counted
    first = cli(*render)
    assert sorted(rendered) == sorted(DEMO_UNITS)
    assert f"{len(DEMO_UNITS)} rendered, 0 taken from the render cache" in first.out
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    field = "module1.submission.reason"
    fed = {u for u in DEMO_UNITS if field in allowed_fields(MODEL, MODEL.document(u))}
    assert cli("set", demo, field, "Amended: a second patient").code == 0
    rendered.clear()
    second = cli(*render)
    assert sorted(rendered) == sorted(fed) and 0 < len(fed) < len(DEMO_UNITS)
    assert f"{len(fed)} rendered, {len(DEMO_UNITS) - len(fed)} taken from the render cache" in second.out
    after = {p.name: p.read_bytes() for p in out.iterdir()}
    assert after.keys() == before.keys()
    changed = {name for name in after if after[name] != before[name]}
    assert changed == {f"{unit_stem(MODEL, d, DEMO)}.docx" for d in fed}
    rendered.clear()
    assert cli(*render, "--no-cache").code == 0 and len(rendered) == len(DEMO_UNITS)


def test_reference_identifiers_link_to_pubmed_and_doi(demo_input, tmp_path):
    link = precompiled.reference_link
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/31597037/"' in link("PMID:31597037")
    assert 'href="https://doi.org/10.1038/gim.2015.30"' in link("doi: 10.1038/gim.2015.30")
    assert 'href="https://example.org/a?b=1&amp;c=2"' in link("https://example.org/a?b=1&c=2")
    assert link("javascript:alert(1)") == "javascript:alert(1)" and "<a" not in link('https://x"><b>')
    files = render_document(demo_input, "references", tmp_path)
    with pikepdf.open(files["pdf"]) as pdf:
        uris = [str(a.A.URI) for p in pdf.pages for a in (p.get("/Annots") or []) if "/A" in a]
    assert "https://pubmed.ncbi.nlm.nih.gov/31597037/" in uris
    targets = [r.target_ref for r in docx.Document(str(files["docx"])).part.rels.values() if r.is_external]
    assert "https://pubmed.ncbi.nlm.nih.gov/31597037/" in targets


@pytest.mark.slow
def test_parallel_render_writes_the_same_documents(demo_input, tmp_path):
    seen = []
    parallel = render_all(demo_input, tmp_path / "par", formats=("docx",), workers=2,
                          progress=lambda done, total, doc: seen.append((done, doc)))
    serial = render_all(demo_input, tmp_path / "ser", formats=("docx",))
    assert list(parallel) == list(serial) == DEMO_UNITS
    assert sorted(done for done, _ in seen) == list(range(1, len(DEMO_UNITS) + 1))
    for doc_id in serial:
        assert docx_text(parallel[doc_id]["docx"]) == docx_text(serial[doc_id]["docx"])
    cancel = threading.Event()
    with pytest.raises(DossierError, match="cancelled"):
        render_all(demo_input, tmp_path / "cancel", workers=2, progress=lambda *a: cancel.set(), cancel=cancel)


ODD_VALUES = ["text", 42, 2.5, True, [1, "a", None], {"value": "x"}, [{"x": 1}, "row"], {"name": 7}, ""]


@pytest.mark.parametrize("shift", range(3))
def test_values_of_unexpected_shape_render_as_text(tmp_path, shift):
    """An old file or a changed model may hold a value of another shape: it is shown, not a crash."""
    values = {path: ODD_VALUES[(i + shift) % len(ODD_VALUES)] for i, path in enumerate(MODEL.fields)}
    values["module1.sponsor.sponsor"] = [{"name": 7}, {"organisation": ["x"]}, "Acme"][shift]
    results = render_all(RenderInput("Odd", values), tmp_path, draft=True)
    assert sorted(results) == sorted(units(MODEL, values))
    for files in results.values():
        assert pdf_problems(files["pdf"]) == []
