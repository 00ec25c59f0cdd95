"""Validation catches what FDA's validator would: each test tampers with a built sequence (copied, so
the built one stays clean) and expects the finding, with its severity, file and an actionable message."""

import shutil

import pytest
from lxml import etree

from dossier.build import build_sequence
from dossier.ectd.validate import validate_sequence
from dossier.errors import DossierError
from tests.helpers.ectd import install_standards, new_dossier, use_fake_renderer
from tests.helpers.pdfs import make_pdf

COA = "m3/32-body-data/32p-drug-prod/atipeksen-injection/32p5-contr-drug-prod/32p54-batch-analys/coa-lot-7.pdf"
LIT = "m5/54-lit-ref/smith-2020.pdf"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """An application folder with 0001 (submitted) and 0002 (amendment deleting a reference), built
    once: every test reads it or tampers with a copy."""
    tmp = tmp_path_factory.mktemp("validate")
    with pytest.MonkeyPatch.context() as mp:
        install_standards(mp, tmp / "standards")
        use_fake_renderer(mp)
        with new_dossier(tmp / "case.dossier", tmp) as d:
            build_sequence(d, tmp / "app", mark_submitted=True)
            d.remove_attachment("smith-2020.pdf")
            d.set("module1.product.indication", "CLN7 neuronal ceroid lipofuscinosis")
            build_sequence(d, tmp / "app", mark_submitted=True)
    return tmp / "app"


@pytest.fixture(autouse=True)
def standards(installed):
    """Validation reads the official files from the standards folder."""


def copy(app, tmp_path, number="0001"):
    """A copy of the application folder to tamper with; returns the sequence folder in it."""
    target = tmp_path / "tampered"
    if not target.exists():
        shutil.copytree(app, target)
    return target / number


def found(seq, **kw):
    return [(f.severity, f.file, f.message) for f in validate_sequence(seq, **kw)]


def has(findings, severity, file, text):
    return any(s == severity and f == file and text in m for s, f, m in findings)


def edit_xml(path, change):
    tree = etree.parse(str(path), etree.XMLParser(load_dtd=False, resolve_entities=False))
    change(tree.getroot())
    tree.write(str(path), xml_declaration=True, encoding="UTF-8", doctype=tree.docinfo.doctype)


def test_built_sequences_are_clean(app):
    assert validate_sequence(app / "0001") == []
    assert validate_sequence(app / "0002") == []


def test_changed_file_is_caught(app, tmp_path):
    seq = copy(app, tmp_path)
    make_pdf(seq / COA, "a different certificate")
    assert has(found(seq), "high", COA, "the file changed after the sequence was built")


def test_edited_index_is_caught_by_index_md5(app, tmp_path):
    seq = copy(app, tmp_path)
    edit_xml(seq / "index.xml", lambda root: root.find(".//leaf/title").__setattr__("text", "Edited title"))
    assert has(found(seq), "high", "index-md5.txt", "index.xml was changed after it was built")


def test_missing_and_unreferenced_files(app, tmp_path):
    seq = copy(app, tmp_path)
    (seq / LIT).unlink()
    (seq / "m5" / "54-lit-ref" / "stray.pdf").write_bytes((app / "0001" / COA).read_bytes())
    (seq / "notes.txt").write_text("left behind")
    findings = found(seq)
    assert has(findings, "high", "index.xml", "which is missing")
    assert has(findings, "medium", "m5/54-lit-ref/stray.pdf", "no leaf references this file")
    assert has(findings, "low", "notes.txt", "outside the eCTD structure")


def test_util_files_must_be_official(app, tmp_path):
    seq = copy(app, tmp_path)
    (seq / "util/style/ectd-2-0.xsl").write_text("<xsl/>")
    (seq / "util/dtd/ich-ectd-3-2.dtd").unlink()
    findings = found(seq)
    assert has(findings, "high", "util/style/ectd-2-0.xsl", "not the official ectd-2-0.xsl")
    assert has(findings, "high", "util/dtd/ich-ectd-3-2.dtd", "missing")


def test_dtd_violations_and_malformed_backbones(app, tmp_path):
    seq = copy(app, tmp_path)
    edit_xml(seq / "index.xml", lambda root: root.find(".//leaf").set("operation", "rename"))
    (seq / "m1/us/us-regional.xml").write_text("<fda-regional:fda-regional")
    findings = found(seq)
    assert has(findings, "high", "index.xml", "not valid against ich-ectd-3-2.dtd")
    assert has(findings, "high", "m1/us/us-regional.xml", "malformed XML")


def test_wrong_xlink_namespace_fails_the_dtd(app, tmp_path):
    seq = copy(app, tmp_path)
    text = (seq / "index.xml").read_text().replace("http://www.w3c.org/1999/xlink", "http://www.w3.org/1999/xlink")
    (seq / "index.xml").write_text(text)
    assert has(found(seq), "high", "index.xml", "not valid against ich-ectd-3-2.dtd")


def test_folder_name_and_reused_number(app, tmp_path):
    seq = copy(app, tmp_path)
    renamed = seq.with_name("seq1")
    seq.rename(renamed)
    assert has(found(renamed), "high", "", "not a four-digit sequence number")
    assert has(found(app / "0001", used_numbers=["0001"]), "high", "", "already used")


def test_lifecycle_targets_must_resolve_to_live_leaves(app, tmp_path):
    seq = copy(app, tmp_path, "0002")

    def break_targets(root):
        leaves = root.findall(".//leaf[@modified-file]")
        leaves[0].set("modified-file", "../0001/index.xml#lf-nowhere")
        leaves[1].set("modified-file", "../0002/index.xml#" + leaves[1].get("ID"))

    edit_xml(seq / "index.xml", break_targets)
    findings = found(seq)
    assert has(findings, "high", "index.xml", "has no leaf with ID lf-nowhere")
    assert has(findings, "high", "index.xml", "circular lifecycle")


def test_a_leaf_already_replaced_is_not_live(app, tmp_path):
    seq = copy(app, tmp_path, "0002")
    third = seq.with_name("0003")
    shutil.copytree(seq, third)
    findings = found(third)  # 0003 replaces the same 0001 leaves that 0002 already replaced
    assert has(findings, "high", "index.xml", "already replaced it; point at the live leaf")


def test_keyed_attributes_must_not_change(app, tmp_path):
    seq = copy(app, tmp_path, "0002")
    text = (seq / "index.xml").read_text().replace('indication="CLN7 Batten disease"', 'indication="CLN7"')
    (seq / "index.xml").write_text(text)
    assert has(found(seq), "medium", "index.xml", "keyed attributes must stay identical")


def test_study_reports_need_a_study_tagging_file(app, tmp_path):
    seq = copy(app, tmp_path)
    stf = next(p for p in seq.rglob("stf-study-001*.xml"))
    stf.write_text(stf.read_text().replace("index.xml#", "index.xml#x-"))
    findings = found(seq)
    assert has(findings, "medium", "index.xml", "a study tagging file lists leaf x-")
    report = next(p for p in seq.rglob("splice-rescue-study.pdf")).relative_to(seq).as_posix()
    assert has(findings, "medium", report, "no study tagging file lists")


def test_names_and_lengths(app, tmp_path):
    seq = copy(app, tmp_path)
    bad = seq / "m5" / "54-lit-ref" / "Bad Name.PDF"
    bad.write_bytes(b"%PDF-1.4")
    deep = seq / "m5" / ("x" * 70 + ".pdf")
    deep.write_bytes(b"%PDF-1.4")
    findings = found(seq)
    assert has(findings, "medium", "m5/54-lit-ref/Bad Name.PDF", "breaks the naming rules")
    assert has(findings, "medium", f"m5/{'x' * 70}.pdf", "file name is 74 characters")


def test_module1_codes(app, tmp_path):
    seq = copy(app, tmp_path)

    def damage(root):
        root.find("admin/applicant-info/id").text = "12-34"
        root.find(".//application-number").text = "123"
        root.find(".//sequence-number").set("submission-sub-type", "fdasst4")
        form = root.find(".//submission-information/form")
        form.getparent().remove(form)

    edit_xml(seq / "m1/us/us-regional.xml", damage)
    findings = found(seq)
    regional = "m1/us/us-regional.xml"
    assert has(findings, "medium", regional, "not a 9-digit DUNS")
    assert has(findings, "high", regional, "not 6 digits")
    assert has(findings, "medium", regional, "should be the original application")
    assert has(findings, "high", regional, "no Form FDA 1571")


def test_pdf_rules_apply_to_leaves(app, tmp_path):
    seq = copy(app, tmp_path)
    make_pdf(seq / COA, "Helvetica, unembedded", embed_font=False)
    findings = found(seq)
    assert has(findings, "medium", COA, "fonts not embedded: Helvetica")


def test_missing_standards_refuse_validation(app, monkeypatch, tmp_path):
    monkeypatch.setenv("DOSSIER_STANDARDS_DIR", str(tmp_path / "none"))
    with pytest.raises(DossierError, match=r"us-regional-v3-3.dtd.*accessdata.fda.gov"):
        validate_sequence(app / "0001")


def test_anyones_external_entities_are_not_read(app, tmp_path):
    seq = copy(app, tmp_path)
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    text = (seq / "index.xml").read_text()
    text = text.replace('<!DOCTYPE ectd:ectd SYSTEM "util/dtd/ich-ectd-3-2.dtd">',
                        f'<!DOCTYPE ectd:ectd SYSTEM "util/dtd/ich-ectd-3-2.dtd" [<!ENTITY x SYSTEM "{secret}">]>')
    text = text.replace("<title>Clinical overview</title>", "<title>&x;</title>")
    (seq / "index.xml").write_text(text)
    assert not any("TOP SECRET" in m for _, _, m in found(seq))


def test_index_needs_its_module1_leaf(app, tmp_path):
    seq = copy(app, tmp_path)

    def drop_m1(root):
        m1 = root.find("m1-administrative-information-and-prescribing-information")
        root.remove(m1)

    edit_xml(seq / "index.xml", drop_m1)
    assert has(found(seq), "high", "index.xml", "no Module 1 leaf")


def test_one_rule_says_what_blocks_a_sequence(app, tmp_path, capsys):
    """High findings block (the CLI fails, the build will not record); medium and low are only reported."""
    from dossier.cli import main
    from dossier.ectd.validate import blocking

    seq = copy(app, tmp_path)
    make_pdf(seq / "m1/us/stray.pdf", "not referenced")
    findings = validate_sequence(seq)
    assert [f.severity for f in findings] == ["medium"] and blocking(findings) == []
    assert main(["validate", str(seq)]) == 0
    make_pdf(seq / COA, "a different certificate")
    findings = validate_sequence(seq)
    assert [f.severity for f in blocking(findings)] == ["high"] and all(f.blocks for f in blocking(findings))
    assert main(["validate", str(seq)]) == 1
