"""The demo dossier built with the real renderer: sequence 0001 clean and DTD-valid, an amendment with
exactly the expected operations, and tampering caught by validate."""

import shutil

import pytest
from lxml import etree

from dossier.build import build_sequence
from dossier.conditions import Applicability
from dossier.ectd.readback import parse_backbone
from dossier.ectd.validate import validate_sequence
from dossier.service import Dossier
from tests.helpers.demo import demo_render_input
from tests.helpers.ectd import SHARED, install_standards

pytestmark = pytest.mark.slow
COA = "coa-batch-aso-001.pdf"
SUBSTANCE = "CLN3-ASO-01 sodium"  # the demo's one drug substance: its 3.2.S documents are rendered for it
EDITS = {"cmc.substance[0].impurities": "Shortmers (n-1, n-2) below 5.0 % in total; phosphodiester content below 2 %.",
         "clinical.safety.stopping_rules": "Stop dosing after any grade 3 adverse event related to the product."}


@pytest.fixture(scope="module")
def built(tmp_path_factory, demo_master):
    """0001 of the demo (submitted), then 0002 after two edits and one attachment removed."""
    tmp = tmp_path_factory.mktemp("demo")
    shutil.copyfile(demo_master, tmp / "demo.dossier")
    with pytest.MonkeyPatch.context() as mp:
        install_standards(mp, tmp / "standards")
        with Dossier.open(tmp / "demo.dossier") as d:
            first = build_sequence(d, tmp / "app", mark_submitted=True)
            for path, value in EDITS.items():
                d.set(path, value)
            d.remove_attachment(COA)
            second = build_sequence(d, tmp / "app", mark_submitted=True)
            model = d.model
    return {"tmp": tmp, "first": first, "second": second, "model": model, "standards": tmp / "standards"}


def serious(findings):
    return [str(f) for f in findings if f.severity in ("high", "medium")]


def test_sequence_0001_is_clean_and_valid_against_the_official_dtds(built):
    first = built["first"]
    assert first.number == "0001" and first.recorded and first.rendered == len(applying(built["model"]))
    assert [str(f) for f in first.findings] == []  # not even a low one: every leaf at its lowest heading
    parser = etree.XMLParser(load_dtd=False, no_network=True, resolve_entities=False)
    for backbone, dtd in (("index.xml", "ich-ectd-3-2.dtd"), ("m1/us/us-regional.xml", "us-regional-v3-3.dtd")):
        tree = etree.parse(str(first.path / backbone), parser)
        official = etree.DTD(str(SHARED / dtd))
        assert official.validate(tree), official.error_log.filter_from_errors()
    assert (first.path / "util/dtd/ich-ectd-3-2.dtd").read_bytes() == (SHARED / "ich-ectd-3-2.dtd").read_bytes()


def applying(model) -> list:
    """The documents of the demo (an individualized IND): not Form 3926 nor the confirmatory plan."""
    demo = Applicability(model, demo_render_input().values)
    return [doc for doc in model.documents if demo.document(doc)]


def test_the_drug_substance_has_its_own_keyed_heading_folder_and_titles(built):
    first, model = built["first"], built["model"]
    index = (first.path / "index.xml").read_text(encoding="utf-8")
    assert index.count("<m3-2-s-drug-substance ") == 1
    assert f'<m3-2-s-drug-substance manufacturer="Northstar Oligo Manufacturing (fictional)" substance="{SUBSTANCE}">' \
        in index
    leaves = parse_backbone(first.path, "index.xml", built["standards"]).leaves
    per_substance = {doc.title for doc in model.documents if doc.per == "substances"}
    assert len(per_substance) == 11  # the ten 3.2.S sections and the 2.3.S summary
    drug_substance = [leaf for leaf in leaves if leaf.title.endswith(f" — {SUBSTANCE}")]
    assert {leaf.title.removesuffix(f" — {SUBSTANCE}") for leaf in drug_substance} == per_substance
    assert all(leaf.href.startswith("m3/32-body-data/32s-drug-sub/cln3-aso-01-sodium-northstar-oligo/")
               for leaf in drug_substance if leaf.href.startswith("m3/"))
    assert not [leaf for leaf in leaves if leaf.title in per_substance]  # no 3.2.S document left unnamed


def expected_replacements(model) -> set[str]:
    """Documents fed (per the content model) by the edited fields or by the table that held the CoA."""
    changed = set(EDITS) | {"cmc.batches.batches"}
    instance = {"substances": SUBSTANCE, "arms": "Arm 1"}  # the demo's one drug substance and one arm
    return {f"{doc.title} — {instance[doc.per]}" if doc.per else doc.title for doc in applying(model)
            if any(doc.id in model.field(path).documents for path in changed)}


def test_amendment_has_exactly_the_expected_operations(built):
    second, folder = built["second"], built["standards"]
    assert second.number == "0002" and second.recorded
    assert serious(second.findings) == []
    leaves = [leaf for bb in ("index.xml", "m1/us/us-regional.xml")
              for leaf in parse_backbone(second.path, bb, folder).leaves]
    ops = {}
    for leaf in leaves:
        ops.setdefault(leaf.operation, set()).add(leaf.title)
    replaced_documents = {t for t in ops["replace"] if not t.startswith("Study tagging file")}
    assert replaced_documents == expected_replacements(built["model"])
    assert ops["replace"] - replaced_documents == {"Study tagging file: Clinical protocol"}
    assert ops["delete"] == {"Certificate of analysis, batch ASO-001"}
    assert ops["new"] == {"FDA Module 1 regional information", "Cover letter", "Form FDA 1571 information sheet"}
    for leaf in leaves:
        if leaf.operation in ("replace", "delete"):
            assert leaf.modified_file.startswith("../0001/index.xml#") or \
                leaf.modified_file.startswith("../../../0001/m1/us/us-regional.xml#")
    # 0001 beside it is untouched by the amendment.
    assert [f for f in validate_sequence(built["first"].path, folder) if f.severity == "high"] == []


def test_tampering_with_a_built_file_is_caught(built, tmp_path):
    app = tmp_path / "app"
    shutil.copytree(built["first"].path.parent, app, ignore=shutil.ignore_patterns(".cache"))
    protocol = next((app / "0001").rglob("clinical-protocol.pdf"))
    data = bytearray(protocol.read_bytes())
    data[len(data) // 2] ^= 0xFF
    protocol.write_bytes(bytes(data))
    findings = validate_sequence(app / "0001", built["standards"])
    rel = protocol.relative_to(app / "0001").as_posix()
    assert any(f.severity == "high" and f.file == rel and "changed after the sequence was built" in f.message
               for f in findings)
