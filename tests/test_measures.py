"""What the science checks measured, shown whether or not they fail (dossier.measures): `dossier check`
lists the demo's safety margin, endotoxin dose, escalation, toxicology duration, binding site and
molecular weight with the numbers a reviewer would compute from the demo's own values; a fifty-fold
maximum dose turns the margin "not ok" and the finding says the same."""

from __future__ import annotations

import copy
import json
import math

import pytest

from dossier.measures import answer, measure, number
from dossier.model import default_model
from dossier.readiness import check_dossier
from dossier.service import Dossier
from tests.helpers.demo import demo_render_input

MODEL = default_model()
# CSF volumes (mL) of Yaksh et al. 2018, Table 4: the adult human (a 9-year-old's is the adult's) and the rat
HUMAN_CSF_ML, RAT_CSF_ML = 130, 0.25


def in_mg(quantity: dict) -> float:
    return quantity["value"] * {"mg": 1, "g": 1000, "µg": 0.001}[quantity["unit"]]


def measures_of(report: dict, check: str) -> list[dict]:
    return [m for m in report["measures"] if m["check"] == check]


def expected_margin(d: Dossier) -> float:
    """The margin computed here from the demo's values: the most sensitive intrathecal rat study's NOAEL
    scaled by CSF volume, over the maximum dose."""
    assert d.get("clinical.dosing.route") == "Intrathecal bolus"
    assert d.get("clinical.patient[0].age_at_first_dose")["value"] >= 3
    noaels = [in_mg(s["noael_dose"]) for s in d.get("nonclinical.toxicology.studies")
              if s["route"] == "Intrathecal bolus" and s["species"] == "Rat" and s.get("noael_dose")]
    return min(noaels) * HUMAN_CSF_ML / RAT_CSF_ML / in_mg(d.get("clinical.dosing.maximum_dose"))


def test_check_json_lists_the_demos_safety_margin_with_its_numbers(cli, demo_file):
    with Dossier.open(demo_file, read_only=True) as d:
        margin, weight = expected_margin(d), d.get("clinical.patient[0].body_weight")["value"]
        maximum = in_mg(d.get("clinical.dosing.maximum_dose"))
        substance_limit = d.get("cmc.substance[0].endotoxin_limit")
    result = cli("check", "--json", demo_file)
    assert result.code == 0, result.err
    report = json.loads(result.out)
    (found,) = measures_of(report, "dose-margin")
    assert found["value"] == pytest.approx(margin) and found["ok"] is True
    assert (found["op"], found["limit"], found["unit"]) == (">=", 10, "×")
    assert found["field"] == "clinical.dosing.maximum_dose" and "nonclinical.pk.safety_factor" in found["fields"]
    assert found["text"].startswith(f"Safety margin {margin:.3g}×") and "needs ≥ 10×" in found["text"]
    assert found["source"].startswith("FDA guidance, Estimating the maximum safe starting dose")
    assert found["group"] == "clinical" and found["group_title"] == next(a.title for a in MODEL.areas
                                                                         if a.id == "clinical")
    # the endotoxin the drug substance limit lets through, per kg, against K = 0.2 EU/kg intrathecal
    endotoxin = measures_of(report, "endotoxin-dose")
    (substance,) = [m for m in endotoxin if m["field"] == "cmc.substance[0].endotoxin_limit"]
    assert substance["unit"] == "EU/kg" and substance["limit"] == 0.2 and substance["ok"] is True
    assert substance["value"] == pytest.approx(substance_limit["value"] * maximum / weight)
    assert "K for Intrathecal bolus" in substance["needs"]


def test_check_prints_the_measures_under_their_element_or_dossier_part(cli, demo_master):
    result = cli("check", demo_master)
    lines = result.out.splitlines()
    targets = lines.index(next(line for line in lines if line.endswith("Product targets the cause")))
    assert "ok     Bases paired with the target 22 nt (binds target 34–55; needs ≥ 22 nt)" in lines[targets + 1]
    assert "ok     Binding site to the variant 0 nt" in lines[targets + 2]  # one arm: unnamed
    abnormality = lines.index(next(line for line in lines if line.endswith("Specific abnormality identified")))
    assert ("ok     Lab report names NM_001042432.2:c.1056+34C>A: yes (genetic-test-report.pdf: "
            "NM_001042432.2:c.1056+34C>A)") in lines[abnormality + 1]
    genetics = lines.index(next(a.title for a in MODEL.areas if a.id == "genetic"))
    assert lines[genetics + 1].strip().startswith("ok     Other known carriers 0 (ClinVar, gnomAD v4.1 and the CLN3 "
                                                  "registries, searched 2026-10; needs ≤ 5 (")
    clinical = lines.index("Clinical plan")
    assert lines[clinical + 1].strip().startswith("ok     Safety margin 12.4× (HED 520 mg from TOX-02")
    assert lines[clinical + 1].endswith("(2005)]")  # its source


def test_a_fifty_fold_maximum_dose_turns_the_margin_not_ok(cli, demo_file):
    assert cli("set", demo_file, "clinical.dosing.maximum_dose", "2100 mg").code == 0
    with Dossier.open(demo_file, read_only=True) as d:
        margin = expected_margin(d)
    result = cli("check", "--json", demo_file)
    report = json.loads(result.out)
    (found,) = measures_of(report, "dose-margin")
    assert found["ok"] is False and found["value"] == pytest.approx(margin) and margin < 10
    (finding,) = [f for f in report["findings"] if f["check"] == "dose-margin"]
    assert f"= {margin:.3g}, below the customary safety factor of 10" in finding["message"]
    # the escalation still tops out at 42 mg, well under the new maximum
    assert {m["label"]: m["ok"] for m in measures_of(report, "dose-escalation")} == {
        "First escalation step": True, "Highest escalation step": True}
    text = cli("check", demo_file)
    assert text.code == 1 and f"NOT OK Safety margin {margin:.3g}×" in text.out


@pytest.fixture(scope="module")
def demo():
    inp = demo_render_input()
    return inp.values, [a["name"] for a in inp.attachments]


def measured(demo, edit=None):
    values = copy.deepcopy(demo[0])
    if edit:
        edit(values)
    return check_dossier(MODEL, values, demo[1])


def test_every_science_check_of_the_demo_reports_what_it_measured(demo):
    report = measured(demo)
    assert all(m.ok for m in report.measures)
    assert {m.check for m in report.measures} == {"aso-pairs-with-target", "dose-margin", "dose-escalation",
                                                   "tox-duration", "ds-formula-and-weight", "endotoxin-dose",
                                                   "endotoxin-dose-product", "known-carriers"}
    groups = {g.id: g for g in report.measure_groups}
    assert [m.label for m in groups["targets_cause"].measures] == ["Bases paired with the target",
                                                                   "Binding site to the variant"]
    assert groups["targets_cause"].title == "Product targets the cause"
    # measures in a repeated section point at the instance and name it, as its findings do
    weight = next(m for m in report.measures if m.check == "ds-formula-and-weight")
    assert weight.field == "cmc.substance[0].molecular_weight" and weight.instance == "CLN3-ASO-01 sodium"
    assert weight.text.startswith("CLN3-ASO-01 sodium: Molecular weight difference 0.0")
    assert weight.brief.endswith("(needs ≤ 1 g/mol) · CLN3-ASO-01 sodium")


def test_more_carriers_than_the_limit_is_measured_not_ok_with_its_note(demo):
    def many(v):
        v["genetic.variant[0].known_carriers"] = {"value": 12, "unit": None}

    report = measured(demo, many)
    (carriers,) = [m for m in report.measures if m.check == "known-carriers"]
    assert (carriers.value, carriers.op, carriers.limit, carriers.ok) == (12, "<=", 5, False)
    assert carriers.field == "genetic.variant[0].known_carriers" and carriers.severity == "info"
    assert carriers.brief == "Other known carriers 12 (needs ≤ 5)"
    assert [f.check for f in report.findings if f.severity == "info"] == ["known-carriers"]


def test_a_strand_that_pairs_with_mismatches_is_measured_by_its_paired_bases(demo):
    def mismatched(v):
        sequence = v["nonclinical.design[0].sequence"]
        v["nonclinical.design[0].sequence"] = sequence[:5] + ("A" if sequence[5] != "A" else "C") + sequence[6:]

    report = measured(demo, mismatched)
    (paired,) = [m for m in report.measures if m.label == "Bases paired with the target"]
    assert (paired.value, paired.limit, paired.unit, paired.ok) == (21, 22, "nt", False)
    assert paired.basis.startswith("best match target 34–55 (")
    assert any(f.check == "aso-pairs-with-target" for f in report.findings)


def test_a_yes_no_measure_and_a_place_in_a_stretch_read_as_answers():
    check = next(c for c in MODEL.checks if c.id == "lab-report")
    yes = answer(check, "Lab report names X", True, "r.pdf: X", "f")
    assert (yes.shown, yes.limit_shown, yes.brief, yes.text, yes.ok) == ("yes", "yes", "Lab report names X: yes",
                                                                         "Lab report names X: yes (r.pdf: X)", True)
    assert not answer(check, "Lab report names X", False, "b", "f").ok
    inside = measure(check, "Variant's protospacer position", 9, "", "in", 4, "b", "f", upper=8)
    assert not inside.ok and inside.brief == "Variant's protospacer position 9 (needs 4–8)"
    assert inside.as_dict()["upper"] == 8


def test_a_check_that_cannot_run_measures_nothing_and_says_so(demo):
    report = measured(demo, lambda v: v.pop("clinical.patient[0].body_weight"))
    assert not [m for m in report.measures if m.check == "endotoxin-dose"]
    assert any(f.check == "endotoxin-dose" and "Cannot check the endotoxin dose" in f.message for f in report.findings)


def test_a_waived_short_study_is_measured_and_marked_waived(demo):
    def waived(v):
        v["clinical.dosing.dosing_duration"] = {"value": 2, "unit": "years"}
        v["nonclinical.toxicology.studies"][1]["duration"] = {"value": 4, "unit": "weeks"}
        v["nonclinical.toxicology.duration_waiver"] = "A longer study would delay dosing of a dying child."

    (duration,) = [m for m in measured(demo, waived).measures if m.check == "tox-duration"]
    assert duration.ok and (duration.value, duration.limit) == (28, 91) and "waived" in duration.needs


def test_a_measure_is_ok_by_its_comparison_unless_the_check_says():
    check = next(c for c in MODEL.checks if c.id == "dose-margin")
    low = measure(check, "Safety margin", 9.99, "×", ">=", 10, "b", "clinical.dosing.maximum_dose",
                  ["clinical.dosing.maximum_dose", None, "clinical.dosing.route"])
    assert not low.ok and low.fields == ("clinical.dosing.route",) and low.source == check.source
    assert measure(check, "Dose", 1.0000000001, "mg", "=", 1, "b", "f", ok=True).ok
    with pytest.raises(ValueError):
        measure(check, "Dose", 1, "mg", "=", 1, "b", "f")


def test_numbers_are_shown_to_three_digits():
    assert (number(12.38095, "×"), number(520, "mg"), number(0.17500001, "EU/kg"), number(math.inf, "×")) == \
        ("12.4×", "520 mg", "0.175 EU/kg", "∞×")
