"""Active content in PDFs (FDA's PDF specifications: no JavaScript, no dynamic content, nothing that
needs more than a reader): refused when attached or imported, and flagged by the validator."""

import hashlib
import json

import pikepdf
import pytest
from lxml import etree

from dossier.build import build_sequence
from dossier.ectd.validate import validate_sequence
from dossier.errors import FieldError, ImportFormatError
from dossier.pdfcheck import check_pdf, pdf_findings
from dossier.service import Dossier
from dossier.textform import export_dossier, import_dossier
from tests.helpers.ectd import new_dossier
from tests.helpers.pdfs import make_pdf

A, D, N = pikepdf.Array, pikepdf.Dictionary, pikepdf.Name


def link(action):
    return D(Type=N.Annot, Subtype=N.Link, Rect=[0, 0, 10, 10], A=action)


def annots(*items):
    def setup(pdf):
        pdf.pages[0].obj.Annots = pdf.make_indirect(A(list(items)))
    return setup


def root(**entries):
    def setup(pdf):
        for key, value in entries.items():
            pdf.Root[f"/{key}"] = value
    return setup


LAUNCH = D(S=N.Launch, F=pikepdf.String("calc.exe"))
URI = D(S=N.URI, URI=pikepdf.String("https://example.org/"))

REFUSED = {
    "launch-on-open": (root(OpenAction=LAUNCH), "has a Launch action, which starts a program"),
    "launch-in-a-link": (annots(link(LAUNCH)), "Launch action"),
    "launch-after-a-goto": (root(OpenAction=D(S=N.GoTo, D=A([0, N.Fit]), Next=LAUNCH)), "Launch action"),
    "uri-on-open": (root(OpenAction=URI), "opens a web address by itself when it is opened"),
    "uri-on-page-open": (lambda pdf: pdf.pages[0].obj.__setitem__("/AA", D(O=URI)), "when a page opens or closes"),
    "gotor-on-hover": (annots(D(Type=N.Annot, Subtype=N.Link, Rect=[0, 0, 9, 9],
                                AA=D(E=D(S=N.GoToR, F=pikepdf.String("other.pdf"))))), "opens another file by itself"),
    "submit-form": (annots(link(D(S=N.SubmitForm, F=pikepdf.String("https://x.org/")))), "sends data to a server"),
    "import-data": (root(OpenAction=D(S=N.ImportData, F=pikepdf.String("data.fdf"))), "loads data from another file"),
    "javascript-in-a-link": (annots(link(D(S=N.JavaScript, JS=pikepdf.String("app.alert(1)")))), "JavaScript"),
    "xfa-form": (root(AcroForm=D(Fields=A([]), XFA=A([]))), "is an XFA form"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_active_content_is_refused_with_the_reason(tmp_path, case):
    setup, reason = REFUSED[case]
    problems = check_pdf(make_pdf(tmp_path / f"{case}.pdf", change=setup))
    assert any(reason in p and "FDA's PDF specifications forbid active content" in p for p in problems), problems
    assert any(severity == "high" and reason in message for severity, message in pdf_findings(tmp_path / f"{case}.pdf"))


def test_links_a_reader_clicks_are_fine(tmp_path):
    setup = annots(link(URI), link(D(S=N.GoToR, F=pikepdf.String("../other/report.pdf"), D=A([0, N.Fit]))),
                   link(D(S=N.GoTo, D=A([0, N.Fit]))))
    assert check_pdf(make_pdf(tmp_path / "links.pdf", change=setup)) == []
    assert check_pdf(make_pdf(tmp_path / "open-at-page.pdf", change=root(OpenAction=A([0, N.Fit])))) == []


@pytest.fixture
def dossier(tmp_path, mini_model):
    with Dossier.create(tmp_path / "case.dossier", "Case A", model=mini_model) as d:
        yield d


def test_attaching_a_launch_pdf_is_refused_and_nothing_is_stored(dossier, tmp_path):
    with pytest.raises(FieldError, match="Launch action"):
        dossier.attach("product.design.report", make_pdf(tmp_path / "evil.pdf", change=root(OpenAction=LAUNCH)))
    assert dossier.attachments() == [] and dossier.get("product.design.report") is None


def test_every_attachment_is_stored_with_a_pdf_name(dossier, tmp_path):
    attached = dossier.attach("product.design.report", make_pdf(tmp_path / "x.exe"))
    named = dossier.attach("product.design.report", make_pdf(tmp_path / "y.pdf"), name="setup.exe")
    assert (attached.name, named.name) == ("x.pdf", "setup.pdf")
    assert dossier.get("product.design.report") == ["x.pdf", "setup.pdf"]


def _export_with(tmp_path, mini_model, name, data):
    with Dossier.create(tmp_path / "src.dossier", "Case", model=mini_model) as d:
        d.set("genetic.variant.gene", "CLN3")
        export_dossier(d, tmp_path / "out")
    out = tmp_path / "out"
    (out / "attachments" / "files" / name).write_bytes(data)
    manifest = [{"name": name, "media_type": "application/pdf", "size": len(data),
                 "sha256": hashlib.sha256(data).hexdigest(), "md5": hashlib.md5(data).hexdigest()}]
    (out / "attachments" / "attachments.json").write_text(json.dumps(manifest))
    return out


@pytest.mark.parametrize("name, setup, match", [
    ("x.exe", None, "x.exe is not named .pdf"),
    ("evil.pdf", root(OpenAction=LAUNCH), "attachment evil.pdf: .*Launch action"),
])
def test_import_refuses_what_attach_refuses(tmp_path, mini_model, name, setup, match):
    data = make_pdf(tmp_path / "made.pdf", change=setup).read_bytes()
    src = _export_with(tmp_path, mini_model, name, data)
    with pytest.raises(ImportFormatError, match=match):
        import_dossier(src, tmp_path / "new.dossier", model=mini_model)
    assert not (tmp_path / "new.dossier").exists()


def test_import_of_deeply_nested_json_is_refused_in_one_line(tmp_path, mini_model):
    src = _export_with(tmp_path, mini_model, "ok.pdf", make_pdf(tmp_path / "ok.pdf").read_bytes())
    (src / "sections" / "genetic.variant.json").write_text('{"section": "genetic.variant", "fields": ' + "[" * 100_000)
    with pytest.raises(ImportFormatError, match=r"genetic.variant.json is not valid JSON.*nested too deeply"):
        import_dossier(src, tmp_path / "new.dossier", model=mini_model)


COA = "m3/32-body-data/32p-drug-prod/atipeksen-injection/32p5-contr-drug-prod/32p54-batch-analys/coa-lot-7.pdf"
XLINK = "{http://www.w3c.org/1999/xlink}href"


@pytest.fixture
def sequence(tmp_path, installed, fake_renderer):
    with new_dossier(tmp_path / "case.dossier", tmp_path) as d:
        return build_sequence(d, tmp_path / "app").path


def test_the_validator_flags_a_leaf_that_is_not_a_pdf(sequence):
    exe = COA.replace(".pdf", ".exe")
    (sequence / COA).rename(sequence / exe)
    index = etree.parse(str(sequence / "index.xml"), etree.XMLParser(load_dtd=False, resolve_entities=False))
    next(leaf for leaf in index.iter("leaf") if leaf.get(XLINK) == COA).set(XLINK, exe)
    index.write(str(sequence / "index.xml"), xml_declaration=True, encoding="UTF-8", doctype=index.docinfo.doctype)
    findings = [(f.severity, f.file, f.message) for f in validate_sequence(sequence)]
    assert ("high", exe, "is a .exe, not a PDF; FDA accepts documents in eCTD sections only as PDF — submit a PDF") \
        in findings


def test_the_validator_flags_a_pdf_with_a_launch_action(sequence):
    make_pdf(sequence / COA, change=root(OpenAction=LAUNCH))
    findings = validate_sequence(sequence)
    assert any(f.severity == "high" and f.file == COA and "Launch action" in f.message for f in findings)
