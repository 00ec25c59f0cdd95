"""Readiness of a dossier with repeatable groups: required fields, conditions, checks and elements are
evaluated per instance, findings point at the instance (`[i]`) and name it; the count of instances
is checked against the repeat's min."""

from __future__ import annotations

import pytest

from dossier.readiness import check_dossier
from dossier.service import Dossier

BASE = {"product.overview.product_name": "editor-1"}


def findings(model, values: dict, names=()) -> list[tuple[str, str, str]]:
    return [(f.check, f.field, f.message) for f in check_dossier(model, {**BASE, **values}, names).findings]


def test_no_instance_is_an_error_at_the_first_name(repeats_model):
    assert findings(repeats_model, {}) == [
        ("instances:substances", "cmc.substance[0].name",
         "At least 1 drug substance instance(s) are needed; there are 0. Add one.")]


def test_required_fields_are_required_in_each_instance_that_they_apply_to(repeats_model):
    values = {"cmc.substance[0].name": "Editor mRNA", "cmc.substance[0].kind": "mRNA",
              "cmc.substance[0].sequence": "AUG",
              "cmc.substance[1].name": "Guide RNA", "cmc.substance[1].kind": "Guide RNA",
              "cmc.substance[2].name": "Lipid", "cmc.substance[2].kind": "Lipid", "product.overview.editor": True}
    assert findings(repeats_model, values) == [
        ("required:cmc.substance.sequence", "cmc.substance[1].sequence",
         "Guide RNA: Sequence is required; fill it in."),
        ("guide-designed", "cmc.substance[1].guide_design", "Guide RNA: Describe the guide design")]


def test_a_condition_reading_a_field_outside_and_one_inside_the_repeat_is_evaluated_per_instance(repeats_model):
    values = {"cmc.substance[0].name": "g1", "cmc.substance[0].kind": "Guide RNA", "cmc.substance[0].sequence": "G",
              "cmc.substance[1].name": "m1", "cmc.substance[1].kind": "mRNA", "cmc.substance[1].sequence": "A",
              "cmc.substance[0].guide_design": "designed", "cmc.substance[1].guide_design": "stale text"}
    report = check_dossier(repeats_model, {**BASE, **values, "product.overview.editor": True})
    assert report.findings == ()
    from dossier.conditions import Applicability
    from dossier.repeats import instance_view

    for i, applies in ((0, True), (1, False)):
        view = instance_view(repeats_model, {**values, "product.overview.editor": True}, "substances", i)
        assert Applicability(repeats_model, view).field("cmc.substance.guide_design") is applies


def test_a_check_comparing_repeated_fields_runs_per_instance(repeats_model):
    values = {"cmc.substance[0].name": "A", "cmc.substance[0].kind": "Lipid",
              "cmc.substance[1].name": "B", "cmc.substance[1].kind": "Lipid",
              "nonclinical.potency[0].ec50": {"value": 3, "unit": "nM"},
              "nonclinical.potency[0].limit": {"value": 5, "unit": "nM"},
              "nonclinical.potency[1].ec50": {"value": 9, "unit": "nM"},
              "nonclinical.potency[1].limit": {"value": 5, "unit": "nM"}}
    assert findings(repeats_model, values) == [
        ("potency-limit", "nonclinical.potency[1].ec50", "B: EC50 above its limit")]


def test_a_dangling_attachment_in_an_instance_points_at_it(repeats_model):
    values = {"cmc.substance[0].name": "A", "cmc.substance[0].kind": "Lipid",
              "cmc.substance[0].batches": [{"lot": "1", "coa": "gone.pdf"}]}
    assert [(c, f) for c, f, _ in findings(repeats_model, values)] == [
        ("attachment-missing", "cmc.substance[0].batches[0].coa")]


def test_an_element_of_repeated_fields_is_supported_only_when_every_instance_supports_it(repeats_model):
    one = {"cmc.substance[0].name": "A", "cmc.substance[0].kind": "Lipid", "nonclinical.potency[0].summary": "s"}
    state = check_dossier(repeats_model, {**BASE, **one}).elements[0]
    # filled in, with no evidence declared for the element: planned (never "supported" for a filled plan)
    assert (state.state, state.filled) == ("planned", ("cmc.substance[0].kind", "nonclinical.potency[0].summary"))
    two = {**one, "cmc.substance[1].name": "B", "cmc.substance[1].kind": "Lipid"}
    state = check_dossier(repeats_model, {**BASE, **two}).elements[0]
    assert (state.state, state.missing) == ("partial", ("nonclinical.potency[1].summary",))
    assert check_dossier(repeats_model, BASE).elements[0].state == "missing"
    assert check_dossier(repeats_model, BASE).elements[1].state == "planned"


@pytest.fixture
def ten(tmp_path, repeats_raw):
    """A dossier of ten instances, through the Dossier's own values (instance paths, model order)."""
    import yaml

    from dossier.model_reader import parse_model

    repeats_raw["repeats"][0]["max"] = 10
    model = parse_model(yaml.safe_load(yaml.safe_dump(repeats_raw)), tmp_path / "m.yaml")
    with Dossier.create(tmp_path / "ten.dossier", "Ten", model=model) as d:
        d.set_many({f"cmc.substance[{i}].name": f"S{i}" for i in range(10)})
        d.set_many({f"cmc.substance[{i}].kind": "mRNA" for i in range(10)})
        yield d


def test_the_dossier_checks_every_instance_in_order(ten):
    report = ten.check()
    required = [f.field for f in report.findings if f.check == "required:cmc.substance.sequence"]
    assert required == [f"cmc.substance[{i}].sequence" for i in range(10)]
    assert [f.message.split(":")[0] for f in report.findings if f.check.startswith("required:cmc")] == \
        [f"S{i}" for i in range(10)]
