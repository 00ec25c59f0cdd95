"""Clinical-logic and CMC-timeline checks on the demo: it raises none; one edit to a copy raises exactly
the finding it should, naming its fields and showing its numbers; a missing input says so; a malformed
check is refused when the model loads."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from dossier.errors import ModelError
from dossier.model_reader import parse_model
from tests.test_checks_sequence import _check, _shipped, findings, only

EP, NH, SAFETY = "clinical__endpoints__endpoints", "clinical__natural_history__measures", "clinical__safety__"
STAB, SPECS = "cmc__product__stability_studies", "cmc__product__specifications"


def rows(inp, name):
    return [dict(r) for r in inp.values[name.replace("__", ".")]]


def test_dp_specification_lacking_tests_names_them(demo_input):
    kept = [r for r in rows(demo_input, SPECS) if r["test"] not in ("Purity", "Osmolality")]
    [f] = only(findings(demo_input, **{SPECS: kept}), "dp-minimum-tests")
    assert f.field == "cmc.product.specifications"
    assert "missing: Purity, Osmolality; the specification lists Appearance, Identity, Assay, Sterility" in f.message
    assert findings(demo_input, **{SPECS: kept, "cmc__product__parenteral": False}) == ()


def test_a_stability_study_before_its_batch_was_made(demo_input):
    studies = rows(demo_input, STAB)
    studies[1]["start"] = "2026-05-01"
    [f] = only(findings(demo_input, **{STAB: studies}), "stability-after-manufacture")
    assert f.field == "cmc.product.stability_studies[1].start"
    assert "row 2 (ASO-001): study start 2026-05-01 is not >= date of manufacture 2026-05-12" in f.message


def test_material_made_before_the_variant_was_reported(demo_input):
    studies = rows(demo_input, STAB)
    studies[0].update(manufactured="2025-01-10", start="2025-01-17")
    [f] = only(findings(demo_input, **{STAB: studies}), "material-after-variant")
    assert f.severity == "warning" and f.field == "cmc.product.stability_studies[0].manufactured"
    assert "row 1 (NS-26-017): date of manufacture 2025-01-10 is not >= Date reported 2026-01-20" in f.message


def test_no_drug_product_stability_study(demo_input):
    [f] = only(findings(demo_input, **{STAB: rows(demo_input, STAB)[:1]}), "dp-stability-study")
    assert "0 of 1 found" in f.message


def test_a_stability_study_without_dates_cannot_be_checked(demo_input):
    studies = rows(demo_input, STAB)
    del studies[1]["start"]
    [f] = findings(demo_input, **{STAB: studies})
    assert f.severity == "warning" and f.field == "cmc.product.stability_studies[1].start"
    assert f.message.startswith("Cannot check this yet: fill in Stability studies, row 2: Study start.")


def test_a_safety_objective_without_a_safety_endpoint(demo_input):
    kept = [r for r in rows(demo_input, EP) if r.get("domain") != "Safety"]
    [f] = only(findings(demo_input, **{EP: kept}), "safety-objective-safety-endpoint")
    assert f.field == "clinical.endpoints.endpoints" and "0 of 1 found" in f.message


def test_a_dlt_naming_no_existing_stopping_rule(demo_input):
    dlts = rows(demo_input, SAFETY + "dlt_criteria")
    dlts[1]["stopping_rule"] = "S9"
    dlts[2]["stopping_rule"] = ""
    found = only(findings(demo_input, **{SAFETY + "dlt_criteria": dlts}), "dlt-stopping-rule")
    assert [f.field for f in found] == ["clinical.safety.dlt_criteria[1].stopping_rule",
                                        "clinical.safety.dlt_criteria[2].stopping_rule"]
    assert "row 2 (Thrombocytopenia) names S9, which Stopping rules (each) does not have (it has S1, S2, S3)" \
        in found[0].message
    assert "row 3 (Symptomatic CSF pleocytosis) names no row of Stopping rules (each)" in found[1].message


def test_a_risk_without_monitoring_or_stopping_rule(demo_input):
    risks = rows(demo_input, SAFETY + "risk_register")
    del risks[2]["monitoring"]
    [f] = only(findings(demo_input, **{SAFETY + "risk_register": risks}), "risk-monitored")
    assert f.field == "clinical.safety.risk_register[2].monitoring"
    risks = rows(demo_input, SAFETY + "risk_register")
    risks[3]["stopping_rule"] = "S4"
    [f] = only(findings(demo_input, **{SAFETY + "risk_register": risks}), "risk-stopping-rule")
    assert "row 4 (Lumbar-puncture complications (headache, infection, hydrocephalus)) names S4" in f.message


def test_the_comparator_lacks_the_endpoints_instrument(demo_input):
    endpoints = rows(demo_input, EP)
    endpoints[0]["instrument"] = "Vineland Adaptive Behavior Scales"
    found = findings(demo_input, **{EP: endpoints})
    assert {f.check for f in found} == {"comparator-covers-endpoint", "comparator-matches-endpoint",
                                        "schedule-covers-endpoints"}
    [f] = [f for f in found if f.check == "comparator-covers-endpoint"]
    assert f.field == "clinical.endpoints.endpoints[0].instrument"
    assert "no comparator measure uses the instrument 'Vineland Adaptive Behavior Scales'" in f.message


def test_the_comparator_does_not_cover_the_patients_ages(demo_input):
    [f] = only(findings(demo_input, clinical__patient__age_at_first_dose={"value": 14, "unit": "years"}),
               "comparator-covers-endpoint")
    assert f.field == "clinical.natural_history.measures"
    assert "the comparator covers ages 4–14; the patient is 14–15 years over dosing" in f.message


def test_the_comparator_follows_patients_too_briefly(demo_input):
    measures = rows(demo_input, NH)
    measures[0]["follow_up"] = {"value": 6, "unit": "months"}
    [f] = only(findings(demo_input, **{NH: measures}), "comparator-covers-endpoint")
    assert f.field == "clinical.endpoints.endpoints[0].last_assessment"
    assert "the endpoint is read at 12 months; the comparator follows patients for 6 months" in f.message


def test_the_comparator_check_says_when_it_lacks_the_age(demo_input):
    """The one age at first dose feeds the comparator's ages and the dose margin (CSF volume): both say so."""
    found = {f.check: f for f in findings(demo_input, clinical__patient__age_at_first_dose=None)}
    assert set(found) == {"comparator-covers-endpoint", "dose-margin"}
    f = found["comparator-covers-endpoint"]
    assert f.severity == "warning" and f.message.startswith("Cannot check this yet: fill in Age at first dose.")
    assert {f.field for f in found.values()} == {"clinical.patient[0].age_at_first_dose"}


def test_no_numeric_success_criterion(demo_input):
    [f] = only(findings(demo_input, clinical__endpoints__success_threshold=None), "success-criterion")
    assert f.field == "clinical.endpoints.success_threshold"


@pytest.mark.parametrize("check_id, change, expected", [
    ("dlt-stopping-rule", {"to": "clinical.safety.stopping_criteria"}, "'to' must be a table column"),
    ("stability-after-manufacture", {"than": "months"}, "compares two dates"),
    ("stability-after-manufacture", {"than_field": "genetic.variant.detection_date"}, "one of them"),
    ("dp-minimum-tests", {"items": {"Purity": []}}, "'items' must map each item to the words"),
    ("comparator-covers-endpoint", {"follow_up": "span"},
     "'span' is not a column of clinical.natural_history.measures"),
])
def test_a_malformed_check_is_refused_at_load(check_id, change, expected):
    raw = copy.deepcopy(_shipped())
    _check(raw, check_id).update(change)
    with pytest.raises(ModelError) as err:
        parse_model(raw, Path("broken.yaml"))
    assert str(err.value).startswith(f"broken.yaml: check {check_id}: ") and expected in str(err.value)
