"""Master-protocol dossiers: arms as instances of the `arms` repeat (each with its variant, classification,
mechanism and product design, and the drug substance made for it), the two-arm platform case, readiness
per arm, and the amendment that adds an arm to a submitted dossier: its own leaves and the shared ones
that list the arms, nothing else."""

from __future__ import annotations

import pytest
import yaml

from dossier.cases import find_case, make_case
from dossier.ectd.readback import parse_backbone
from dossier.errors import DossierError
from dossier.service import Dossier
from tests.helpers.ectd import install_standards

pytest_plugins = ["tests.helpers.cli"]
pytestmark = pytest.mark.slow

ARM1, ARM2 = "Arm 1: c.1056+34C>A", "Arm 2: c.790+139G>A"
ASO1, ASO2 = "CLN3-ASO-01 sodium", "CLN3-ASO-02 sodium"


def second_arm() -> dict:
    """Arm 2 of the platform case (its instance [1] of every repeated section), as a values file gives it."""
    values = yaml.safe_load(find_case("aso-platform").values.read_text(encoding="utf-8"))
    return {path: value for path, value in values.items() if "[1]" in path}


def test_the_platform_case_has_two_arms_each_with_its_own_drug_substance(tmp_path, cli):
    assert cli("demo", tmp_path / "p.dossier", "--case", "aso-platform").code == 0
    with Dossier.open(tmp_path / "p.dossier", read_only=True) as d:
        assert d.instances("arms") == [ARM1, ARM2]
        assert d.instances("substances") == [ASO1, ASO2]
        assert d.get("cmc.substance[1].arm") == ARM2
        assert d.get("nonclinical.design[1].sequence") != d.get("nonclinical.design[0].sequence")
    assert "aso-platform\t" in cli("demo", "--list").out


def test_each_arm_is_checked_with_its_own_variant_design_and_substance(tmp_path, cli):
    cli("demo", tmp_path / "p.dossier", "--case", "aso-platform")
    with Dossier.open(tmp_path / "p.dossier") as d:
        assert d.check().findings == ()
        d.set("nonclinical.design[1].variant_position", "33")   # arm 2's target no longer has its variant base
        d.set("cmc.substance[1].sequence", "ACCCAGGACTTACCTGGAGGCC")  # nor is ASO-02 the molecule designed
        found = {(f.check, f.field): f.message for f in d.check().findings if f.severity == "error"}
    assert found[("aso-pairs-with-target", "nonclinical.design[1].target_sequence")].startswith(f"{ARM2}: ")
    assert found[("same-sequence", "cmc.substance[1].sequence")].startswith(f"{ASO2}: ")
    assert "nonclinical.design.sequence: ACCCAGGACTTACCTGGAGGCA" in found[("same-sequence",
                                                                              "cmc.substance[1].sequence")]
    assert not [field for _, field in found if "[0]" in field]  # arm 1 and its ASO are untouched


def test_a_drug_substance_names_an_arm_the_dossier_has(tmp_path, cli):
    cli("demo", tmp_path / "p.dossier", "--case", "aso-platform")
    with Dossier.open(tmp_path / "p.dossier") as d:
        d.set("cmc.substance[1].arm", "Arm 3")
        [f] = [f for f in d.check().findings if f.field == "cmc.substance[1].arm"]
        assert f.severity == "error" and f"there is no arm 'Arm 3'; name one of [0] {ARM1}, [1] {ARM2}" in f.message
        d.clear("cmc.substance[1].arm")  # with two arms an oligonucleotide must say which it is made for
        [f] = [f for f in d.check().findings if f.field == "cmc.substance[1].arm"]
        assert "say which arm it is made for" in f.message


def test_an_arm_named_twice_is_refused_and_nothing_changes(tmp_path, cli):
    cli("demo", tmp_path / "m.dossier", "--case", "aso-master-protocol")
    with Dossier.open(tmp_path / "m.dossier") as d:
        before = d.values()
        with pytest.raises(DossierError, match=r"already names arm \[0\]; give each arm its own name"):
            d.add_instance("arms", ARM1.upper())  # names are unique without regard to case
        assert d.values() == before and d.instances("arms") == [ARM1]
    result = cli("instances", tmp_path / "m.dossier", "arms", "add", ARM1)
    assert result.code != 0 and f"'{ARM1}' already names arm [0]" in result.err


def test_adding_an_arm_to_a_submitted_dossier_sends_its_leaves_and_the_shared_ones_that_list_arms(
        tmp_path, cli, monkeypatch):
    standards = install_standards(monkeypatch, tmp_path / "standards")
    path, app = tmp_path / "m.dossier", tmp_path / "app"
    cli("demo", path, "--case", "aso-master-protocol")
    first = cli("build", path, "--out", app, "--workers", "1", "--mark-submitted")
    assert first.code == 0, first.err
    (tmp_path / "arm2.yaml").write_text(yaml.safe_dump(second_arm(), allow_unicode=True), encoding="utf-8")
    assert cli("set", path, "--from", tmp_path / "arm2.yaml").code == 0
    [(field, report)] = [(f, r) for f, r in find_case("aso-platform").attach if r.name.startswith("genetic-test")]
    assert cli("attach", path, field, report).code == 0  # arm 2's own laboratory report
    with Dossier.open(path) as d:  # its own target engagement, and a drug product its patient receives
        assert [f.check for f in d.check().findings] == ["te-patient-derived", "dp-lists-substance"]
        nc03 = yaml.safe_load(find_case("aso-platform").values.read_text(encoding="utf-8"))[
            "nonclinical.pharmacology.studies"][2]
        d.set("nonclinical.pharmacology.studies", [*d.get("nonclinical.pharmacology.studies"), nc03])
        active, *rest = d.get("cmc.product.composition")
        d.set("cmc.product.composition", [active, {"component": f"{ASO2} (arm 2 vials)", "function": "Active",
                                                   "amount": "12 mg/mL"}, *rest])
    [(field, report)] = [(f, r) for f, r in find_case("aso-platform").attach if r.name.startswith("splice")]
    assert cli("attach", path, field, report).code == 0  # NC-03's report
    assert cli("check", path).code == 0
    second = cli("build", path, "--out", app, "--workers", "1")
    assert second.code == 0 and "0 high, 0 medium" in second.out, second.out + second.err

    sequence = app / "0002"
    leaves = [leaf for backbone in ("index.xml", "m1/us/us-regional.xml")
              for leaf in parse_backbone(sequence, backbone, standards).leaves]  # valid against the DTDs
    ops = {leaf.href.rpartition("/")[2] if "32s-drug-sub" not in leaf.href else leaf.href: leaf.operation
           for leaf in leaves}
    substance2 = "m3/32-body-data/32s-drug-sub/cln3-aso-02-sodium-northstar-oligo/"
    new = {href for href, op in ops.items() if op == "new"}
    assert {h for h in new if h.startswith(substance2)} and all(h.startswith(substance2) for h in new if "/" in h)
    assert len([h for h in new if h.startswith(substance2)]) == 10  # its 3.2.S, under its own keyed heading
    assert {h for h in new if "/" not in h} == {
        "genetic-rationale-arm-2-c-790-139g-a.pdf", "qos-drug-substance-cln3-aso-02-sodium.pdf",
        "genetic-test-report-arm-2.pdf",  # its variant's laboratory report, beside arm 1's in 5.3.7
        "splice-correction-report-arm-2.pdf", "stf-nc-03-splice-correction-in-fibroblasts.xml",  # NC-03, its own
        "cover-letter.pdf", "form-1571-information.pdf", "us-regional.xml"}  # the arm's; the rest goes every time
    assert {h for h, op in ops.items() if op == "replace"} == {  # the shared documents that list the arms
        "clinical-protocol.pdf", "stf-clinical-protocol.xml", "investigators-brochure.pdf", "intro-statement.pdf",
        "informed-consent-considerations.pdf", "nonclinical-overview.pdf", "pharmacology-written-summary.pdf",
        "dp-description.pdf", "qos-drug-product.pdf"}  # the drug product's composition, now with arm 2's ASO
    assert not [h for h in ops if "cln3-aso-01" in h or h == "genetic-rationale.pdf"]  # arm 1 stays as sent
    assert "delete" not in ops.values()
    [report] = [leaf for leaf in leaves if leaf.href.endswith("genetic-test-report-arm-2.pdf")]
    assert report.title == f"Genetic test report — {ARM2}"  # beside arm 1's under one heading, told apart
    [first_report] = [leaf for leaf in parse_backbone(app / "0001", "index.xml", standards).leaves
                      if "genetic-test-report" in leaf.href]
    assert first_report.title == f"Genetic test report — {ARM1}"
    index = (sequence / "index.xml").read_text(encoding="utf-8")
    assert f'substance="{ASO2}"' in index and f'substance="{ASO1}"' not in index


def test_two_arms_are_two_products_in_every_sentence_that_names_them(tmp_path):
    """The platform's Module 1 names both ASOs; the cover letter, introductory statement and brochure say
    they *are* products, one per arm (it read 'CLN3-ASO-01 and CLN3-ASO-02 is an ... oligonucleotide')."""
    import re

    from dossier.docunits import split_unit, unit_values
    from dossier.model import default_model
    from dossier.render.templating import render_markup

    model = default_model()
    with Dossier.open(make_case("aso-platform", tmp_path / "p.dossier"), read_only=True) as d:
        values = d.values()
    for unit in ("cover-letter", "intro-statement", "investigators-brochure", "genetic-rationale@1"):
        text = re.sub(r"<[^>]+>|\s+", " ", str(render_markup(model, model.document(split_unit(unit)[0]),
                                                             unit_values(model, unit, values), final=True)))
        assert "CLN3-ASO-02 is " not in text, unit
        assert ("are investigational antisense oligonucleotide products, one per arm" in text) == \
            (unit in ("cover-letter", "intro-statement")), unit


def _name_arm(d: Dossier, row: int, arm: str | None) -> None:
    """Row `row` of the pharmacology studies names `arm` (None: names no arm)."""
    rows = d.get("nonclinical.pharmacology.studies")
    rows[row] = {k: v for k, v in rows[row].items() if k != "arm"} | ({"arm": arm} if arm else {})
    d.set("nonclinical.pharmacology.studies", rows)


def test_each_arm_needs_its_own_target_engagement_study_in_its_patients_cells(tmp_path):
    """Arm 1's study cannot stand for arm 2's product in arm 2's patient (element 4 per arm): without NC-03
    naming arm 2 the check names arm 2 and says how to fix it; naming it again makes the dossier clean."""
    with Dossier.open(make_case("aso-platform", tmp_path / "p.dossier")) as d:
        assert d.check().findings == ()
        assert {e.id: e.state for e in d.check().elements}["target_engagement"] == "nonclinical"
        assert d.get("nonclinical.pharmacology.studies")[2]["study"].startswith("NC-03")
        _name_arm(d, 2, None)  # NC-03 no longer says whose cells it used
        report = d.check()
        [f] = [f for f in report.findings if f.check == "te-patient-derived"]
        assert f.severity == "error" and f.message.startswith(f"{ARM2}: Add at least one target-engagement study")
        assert "0 of 1 found naming this arm in its Arm column; row(s) 3 name no arm: name it there" in f.message
        assert {e.id: e.state for e in report.elements}["target_engagement"] == "partial"
        _name_arm(d, 2, ARM1)  # arm 1's now: arm 1 has two, arm 2 none
        [f] = [f for f in d.check().findings if f.check == "te-patient-derived"]
        assert f.message.startswith(f"{ARM2}: ") and "row(s)" not in f.message
        _name_arm(d, 2, ARM2.lower())  # an arm's name, case aside
        assert d.check().findings == ()


def test_each_arms_genetic_rationale_lists_its_own_studies_and_the_shared_ones(tmp_path):
    import re

    from dossier.docunits import split_unit, unit_values
    from dossier.model import default_model
    from dossier.render.templating import render_markup

    model = default_model()
    with Dossier.open(make_case("aso-platform", tmp_path / "p.dossier")) as d:
        rows = d.get("nonclinical.pharmacology.studies")
        d.set("nonclinical.pharmacology.studies", [*rows, {"study": "NC-04 class pharmacology (shared)",
                                                           "system": "Cell line", "purpose": "Efficacy"}])
        values = d.values()

    def studies(unit: str) -> list[str]:
        text = str(render_markup(model, model.document(split_unit(unit)[0]), unit_values(model, unit, values),
                                 final=True))
        return re.findall(r"NC-0\d", text)
    assert studies("genetic-rationale@0") == ["NC-01", "NC-02", "NC-04"]
    assert studies("genetic-rationale@1") == ["NC-03", "NC-04"]


def test_off_the_master_protocol_path_studies_name_no_arm_and_count_as_before(tmp_path):
    from dossier.conditions import Applicability
    from dossier.model import default_model

    with Dossier.open(make_case("aso", tmp_path / "a.dossier")) as d:
        assert not Applicability(default_model(), d.values()).field("nonclinical.pharmacology.studies.arm")
        assert d.check().findings == ()  # its studies name no arm, as before: they are the one patient's
        d.set("nonclinical.pharmacology.studies", [row | {"purpose": "Efficacy"}  # no target-engagement study left
                                                   for row in d.get("nonclinical.pharmacology.studies")])
        [f] = [f for f in d.check().findings if f.check == "te-patient-derived"]
        assert f.message.endswith("(patient-derived, purpose target engagement). (0 of 1 found)")


def test_a_study_names_an_arm_the_dossier_has(tmp_path):
    with Dossier.open(make_case("aso-platform", tmp_path / "p.dossier")) as d:
        _name_arm(d, 1, "Arm 3")  # NC-02 for an arm the dossier does not have
        [f] = [f for f in d.check().findings if f.field == "nonclinical.pharmacology.studies[1].arm"]
        assert f.severity == "error" and f.message.startswith("Pharmacology studies, row 2: there is no arm 'Arm 3'; "
                                                              f"name one of [0] {ARM1}, [1] {ARM2}")
        _name_arm(d, 1, None)  # shared by both arms: allowed (it is no arm's target engagement)
        assert d.check().findings == ()
