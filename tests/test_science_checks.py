"""The checks that read the numbers as a reviewer does (dose margin, escalation, toxicology fit,
endotoxin): the demo raises none of them; a wrong dossier made from the demo by one edit raises
exactly that finding, with the numbers it compared; a missing input gives a "cannot check" finding."""

from __future__ import annotations

import copy
import json

import pytest
import yaml

from dossier.errors import ModelError
from dossier.model import default_model, load_model
from dossier.paths import content_model_path
from dossier.readiness import check_dossier
from tests.helpers.demo import demo_render_input

MODEL = default_model()
SCIENCE = {"dose-margin", "dose-escalation", "tox-route", "tox-duration", "tox-lot", "tox-glp-reason", "endotoxin-dose",
           "endotoxin-dose-product"}
STUDIES = "nonclinical.toxicology.studies"


@pytest.fixture(scope="module")
def demo():
    inp = demo_render_input()
    return inp.values, [a["name"] for a in inp.attachments]


def findings(demo, edit=None):
    values, names = copy.deepcopy(demo[0]), demo[1]
    if edit:
        edit(values)
    return [f for f in check_dossier(MODEL, values, names).findings if f.check in SCIENCE]


def qty(value, unit):
    return {"value": value, "unit": unit}


def test_the_demo_raises_none_of_them(demo):
    assert findings(demo) == []


def test_a_fifty_fold_maximum_dose_breaks_the_margin_and_shows_the_arithmetic(demo):
    found = findings(demo, lambda v: v.update({"clinical.dosing.maximum_dose": qty(2100, "mg")}))
    (margin,) = [f for f in found if f.check == "dose-margin"]
    assert margin.severity == "error" and margin.field == "clinical.dosing.maximum_dose"
    for part in ("TOX-02", "NOAEL 1 mg", "CSF-volume scaling", "1 mg × 130 mL (human CSF) ÷ 0.25 mL (Rat CSF) = 520 mg",
                 "maximum dose for this patient 2100 mg", "520 mg ÷ 2100 mg = 0.248", "safety factor of 10", "Yaksh"):
        assert part in margin.message
    assert f"{STUDIES}[1].noael_dose" in margin.fields
    # fifty times the dose is fifty times the endotoxin too: the only other findings are the two limits
    assert {f.check for f in found} == {"dose-margin", "endotoxin-dose", "endotoxin-dose-product"}


def test_the_margin_is_judged_against_a_declared_safety_factor(demo):
    """520 mg ÷ 42 mg = 12.4: enough for the customary 10, not for a declared 15."""
    (margin,) = findings(demo, lambda v: v.update({"nonclinical.pk.safety_factor": {"value": 15}}))
    assert "= 12.4, below the declared safety factor of 15" in margin.message


def test_a_young_child_has_a_smaller_csf_volume(demo):
    """Under 1 year the human CSF volume is 65 mL: HED 260 mg, margin 6.19 for 42 mg."""
    (margin,) = findings(demo, lambda v: v.update({"clinical.patient[0].age_at_first_dose": qty(8, "months")}))
    assert "1 mg × 65 mL (human CSF) ÷ 0.25 mL (Rat CSF) = 260 mg" in margin.message
    assert "260 mg ÷ 42 mg = 6.19" in margin.message


def test_systemic_dosing_scales_by_body_surface_area(demo):
    def intravenous(v):
        v["clinical.dosing.route"] = "Intravenous"
        for row in v[STUDIES]:
            row.update(route="Intravenous", noael_dose=qty(10, "mg/kg"))
    (margin,) = findings(demo, intravenous)
    assert "body-surface-area scaling" in margin.message
    assert "10 mg/kg × Km 6 (Rat) ÷ Km 37 (human) = 1.62 mg/kg, × 24 kg = 38.9 mg" in margin.message
    assert "38.9 mg ÷ 42 mg = 0.927" in margin.message


def test_a_tox_route_that_is_not_the_clinical_route(demo):
    def intravenous(v):
        for row in v[STUDIES]:
            row["route"] = "Intravenous"
    (route,) = findings(demo, intravenous)
    assert route.check == "tox-route" and route.field == f"{STUDIES}[0].route"
    assert "clinical route, Intrathecal bolus" in route.message and "TOX-02 13-week intrathecal toxicity: Intravenous" \
        in route.message


def test_a_tox_lot_that_is_not_the_clinical_lot(demo):
    (lot,) = findings(demo, lambda v: v[STUDIES][1].update(lot="ASO-R07"))
    assert lot.check == "tox-lot" and lot.field == f"{STUDIES}[1].lot"
    assert "used lot ASO-R07, which is not a clinical batch (ASO-001)" in lot.message


def test_a_bridging_statement_accepts_another_lot(demo):
    def bridged(v):
        v[STUDIES][1]["lot"] = "ASO-R07"
        v["nonclinical.toxicology.lot_bridging"] = "ASO-R07 was made by the same process; purity 90.8% vs 91.2%."
    assert findings(demo, bridged) == []


def test_a_study_shorter_than_chronic_dosing(demo):
    (short,) = findings(demo, lambda v: v[STUDIES][1].update(duration=qty(14, "days")))
    assert short.check == "tox-duration" and short.field == f"{STUDIES}[1].duration"
    assert "dosed for 14 days; dosing is planned for 12 months (365 days), longer than 13 weeks" in short.message


def test_short_dosing_needs_a_study_as_long_as_the_dosing(demo):
    def short(v):
        v["clinical.dosing.dosing_duration"] = qty(8, "weeks")
        v[STUDIES][1]["duration"] = qty(6, "weeks")
    (found,) = findings(demo, short)
    assert "dosed for 6 weeks (42 days); dosing is planned for 8 weeks (56 days)" in found.message


def test_a_duration_waiver_says_why_not(demo):
    def waived(v):
        v[STUDIES][1]["duration"] = qty(14, "days")
        v["nonclinical.toxicology.duration_waiver"] = "Rapidly fatal disease; FDA agreed at the pre-IND meeting."
    assert findings(demo, waived) == []


def test_endotoxin_of_the_substance_above_the_intrathecal_threshold(demo):
    (endo,) = findings(demo, lambda v: v.update({"cmc.substance[0].endotoxin_limit": qty(0.5, "EU/mg")}))
    assert endo.check == "endotoxin-dose" and endo.field == "cmc.substance[0].endotoxin_limit"
    assert "0.5 EU/mg × 42 mg = 21 EU ÷ 24 kg = 0.875 EU/kg, above K = 0.2 EU/kg for Intrathecal bolus" in endo.message
    assert "at most 0.114 EU/mg" in endo.message


def test_endotoxin_of_the_product_per_ml(demo):
    (endo,) = findings(demo, lambda v: v.update({"cmc.product.endotoxin_limit": qty(5, "EU/mL")}))
    assert endo.field == "cmc.product.endotoxin_limit"
    assert "5 EU/mL × 3.5 mL (maximum dose 42 mg at 12 mg/mL) = 17.5 EU ÷ 24 kg = 0.729 EU/kg" in endo.message


def test_intravenous_threshold_is_five(demo):
    def intravenous(v):
        v["clinical.dosing.route"] = "Intravenous"
        v["cmc.substance[0].endotoxin_limit"] = qty(3, "EU/mg")
        for row in v[STUDIES]:
            row.update(route="Intravenous", noael_dose=qty(200, "mg/kg"))  # HED 778 mg
    (endo,) = findings(demo, intravenous)
    assert "3 EU/mg × 42 mg = 126 EU ÷ 24 kg = 5.25 EU/kg, above K = 5 EU/kg for Intravenous" in endo.message


def test_an_escalation_step_above_the_maximum(demo):
    (step,) = findings(demo, lambda v: v["clinical.dosing.escalation"][2].update(dose=qty(60, "mg")))
    assert step.check == "dose-escalation" and step.field == "clinical.dosing.escalation[2].dose"
    assert "step 3 gives 60 mg, above the maximum dose 42 mg" in step.message


def test_an_escalation_that_does_not_start_at_the_starting_dose(demo):
    (step,) = findings(demo, lambda v: v["clinical.dosing.escalation"][0].update(dose=qty(0.5, "mg/kg")))
    assert step.field == "clinical.dosing.escalation[0].dose"
    assert "starts at 0.5 mg/kg (= 12 mg for this patient), not at the starting dose 10 mg" in step.message


def test_an_escalation_step_without_a_rule(demo):
    (step,) = findings(demo, lambda v: v["clinical.dosing.escalation"][1].pop("criteria"))
    assert step.field == "clinical.dosing.escalation[1].criteria" and "step 2 does not say" in step.message


@pytest.mark.parametrize("path, check, named", [
    ("clinical.patient[0].age_at_first_dose", "dose-margin", "Age at first dose"),
    ("cmc.substance[0].endotoxin_limit", "endotoxin-dose", "Drug substance endotoxin limit"),
    ("cmc.product.endotoxin_limit", "endotoxin-dose-product", "Drug product endotoxin limit"),
    ("clinical.dosing.maximum_dose", "dose-escalation", "Maximum dose"),
    ("clinical.dosing.dosing_duration", "tox-duration", "Planned dosing period"),
])
def test_a_missing_input_is_a_finding_that_names_it(demo, path, check, named):
    found = [f for f in findings(demo, lambda v: v.pop(path)) if f.check == check]
    assert found and found[0].severity == "warning"
    # the endotoxin check reads the drug substance's limit, so it runs per substance and names it first
    message = found[0].message.removeprefix("CLN3-ASO-01 sodium: ") if check == "endotoxin-dose" else found[0].message
    assert message.startswith("Cannot check")
    assert named in found[0].message and found[0].field == path


def test_a_missing_noael_or_lot_is_named_per_study(demo):
    def empty(v):
        for row in v[STUDIES]:
            row.pop("noael_dose")
        v[STUDIES][1].pop("lot")
    found = {(f.check, f.field) for f in findings(demo, empty)}
    assert ("dose-margin", f"{STUDIES}[0].noael_dose") in found
    assert ("tox-lot", f"{STUDIES}[1].lot") in found


def test_an_unknown_species_cannot_be_scaled(demo):
    def axolotl(v):
        for row in v[STUDIES]:
            row["species"] = "Axolotl"
    (found,) = findings(demo, axolotl)
    assert "species 'Axolotl' has no factor" in found.message and found.severity == "warning"


def test_species_are_read_by_their_common_names(demo):
    """A cynomolgus monkey (15 mL of CSF) gives an HED of 1 mg × 130 ÷ 15 = 8.67 mg: below 42 mg."""
    (margin,) = findings(demo, lambda v: [row.update(species="Cynomolgus macaque") for row in v[STUDIES]])
    assert "÷ 15 mL (Monkey CSF) = 8.67 mg" in margin.message


# ---- the model refuses a malformed spec, with file, place and reason ---------------------------------

def _model_with(tmp_path, change):
    raw = yaml.safe_load(content_model_path().read_text(encoding="utf-8"))
    check = next(c for c in raw["checks"] if c["id"] == change[0])
    change[1](check)
    path = tmp_path / "model.yaml"
    path.write_text(json.dumps(raw), encoding="utf-8")
    return path


@pytest.mark.parametrize("check, change, reason", [
    ("dose-margin", lambda c: c.pop("noael"), "a 'dose_margin' check needs noael"),
    ("dose-margin", lambda c: c.update(noael="nonclinical.toxicology.studies.lot"), "'noael': "),
    ("dose-margin", lambda c: c["scalings"][0].update(routes=["Intrathecal bolous"]), "route 'Intrathecal bolous'"),
    ("dose-margin", lambda c: c["scalings"][0].update(method="allometry"), "method 'allometry'"),
    ("dose-margin", lambda c: c["scalings"][0]["species"].update(Rat=0), "'Rat' must be a positive number"),
    ("dose-margin", lambda c: c["scalings"][0].update(human=[{"below": 1, "value": 65}]), "ends with a value"),
    ("tox-duration", lambda c: c.update(chronic={"value": 3, "unit": "mg"}), "is not a unit of time"),
    ("tox-lot", lambda c: c.update(batches="cmc.batches.batches"), "is not a table column"),
    ("endotoxin-dose", lambda c: c.update(colour="red"), "unknown key(s) colour"),
    ("endotoxin-dose", lambda c: c.pop("substance_limit"), "name at least one"),
    ("endotoxin-dose-product", lambda c: c.update(share="cmc.substance.dose_share"), "goes with substance_limit"),
    ("endotoxin-dose", lambda c: c.update(weight="clinical.dosing.route"), "clinical.dosing.route is a choice"),
    ("dose-escalation", lambda c: c.update(dose="clinical.dosing.escalation.timing"), "'dose': "),
])
def test_a_malformed_spec_is_refused_at_load(tmp_path, check, change, reason):
    with pytest.raises(ModelError) as caught:
        load_model(_model_with(tmp_path, (check, change)))
    assert reason in str(caught.value) and check in str(caught.value)


def test_a_route_without_a_declared_scaling_or_threshold_says_so(demo):
    def intravitreal(v):
        v["clinical.dosing.route"] = "Intravitreal"
        for row in v[STUDIES]:
            row["route"] = "Intravitreal"
    found = {f.check: f for f in findings(demo, intravitreal)}
    assert set(found) == {"dose-margin", "endotoxin-dose", "endotoxin-dose-product"}
    assert "no scaling to a human-equivalent dose is declared for Intravitreal" in found["dose-margin"].message
    assert "no endotoxin threshold K is declared for Intravitreal" in found["endotoxin-dose-product"].message
    assert all(f.severity == "warning" and f.field == "clinical.dosing.route" for f in found.values())
