"""Derived values: declared in the model, checked at load, computed from the dossier's values, read
by checks and templates; and the model's units refused at load when the program does not know them."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from dossier.conditions import Applicability
from dossier.derived import compute, derived_values
from dossier.errors import ModelError
from dossier.model import default_model
from dossier.model_reader import parse_model
from dossier.readiness import check_dossier
from dossier.render import render_document
from dossier.render.templating import given_values
from dossier.repeats import instance_view
from tests.helpers.demo import with_values
from tests.helpers.documents import docx_text

MODEL = default_model()
STARTING = MODEL.derived["derived.starting_dose_amount"]


def dose(value, unit):
    return {"value": value, "unit": unit}


@pytest.mark.parametrize("starting, weight, expected", [
    (dose(0.1, "mg/kg"), dose(20, "kg"), dose(2.0, "mg")),
    (dose(50, "µg/kg"), dose(20, "kg"), dose(1.0, "mg")),
    (dose(10, "mg"), dose(20, "kg"), dose(10, "mg")),     # a fixed dose is its own amount
    (dose(10, "mg"), None, dose(10, "mg")),
    (dose(250, "µg"), None, dose(0.25, "mg")),
    (dose(0.1, "mg/kg"), None, None),                      # no weight: no amount
    (dose(2e13, "vg/kg"), dose(20, "kg"), None),           # vector genomes are never mg
    (dose(0.1, "mg/kg"), dose(0, "kg"), dose(0.0, "mg")),
])
def test_the_dose_for_this_patient(starting, weight, expected):
    values = {"clinical.dosing.starting_dose": starting, "clinical.patient.body_weight": weight}
    assert compute(STARTING, values) == expected


def test_a_check_reads_derived_values(demo_input):
    def findings(**changes):
        report = check_dossier(MODEL, with_values(demo_input, **changes).values,
                               [a["name"] for a in demo_input.attachments])
        return [f for f in report.findings if f.check == "starting-dose-within-maximum"]

    weight_based = dict(clinical__dosing__starting_dose=dose(0.1, "mg/kg"),
                        clinical__patient__body_weight=dose(20, "kg"))
    assert findings(**weight_based, clinical__dosing__maximum_dose=dose(3, "mg")) == []
    assert findings(**weight_based, clinical__dosing__maximum_dose=dose(2, "mg")) == []  # 2 mg <= 2 mg
    (above,) = findings(**weight_based, clinical__dosing__maximum_dose=dose(1.5, "mg"))
    assert above.severity == "error" and above.field == "clinical.dosing.starting_dose"  # where to fix it
    (above,) = findings(**weight_based, clinical__dosing__maximum_dose=dose(0.05, "mg/kg"))  # 1 mg
    assert "above the maximum dose" in above.message
    assert findings() == []  # the demo: 10 mg starting, 42 mg maximum


def test_a_template_prints_derived_values(demo_input, tmp_path):
    inp = with_values(demo_input, clinical__dosing__starting_dose=dose(0.1, "mg/kg"),
                      clinical__patient__body_weight=dose(20, "kg"))
    text = docx_text(render_document(inp, "clinical-protocol", tmp_path, formats=("docx",))["docx"])
    assert "Starting dose for this patient: 2 mg (body weight 20 kg)." in text
    assert "0.1 mg/kg" in text


def test_documents_are_given_the_derived_values_they_list(demo_input):
    """The clinical protocol lists the derived starting dose: it is among its inputs (so in its
    render-cache key), once per arm since the body weight is the arm's patient's (`derived.id[i]`); a
    document that does not list it is not given it."""
    inp = with_values(demo_input, clinical__dosing__starting_dose=dose(0.1, "mg/kg"),
                      clinical__patient__body_weight=dose(25, "kg"))
    protocol, intro = MODEL.document("clinical-protocol"), MODEL.document("intro-statement")
    given = given_values(MODEL, protocol, inp.values)
    assert given["derived.starting_dose_amount[0]"] == dose(2.5, "mg") and "derived.starting_dose_amount" not in given
    assert not [p for p in given_values(MODEL, intro, inp.values) if p.startswith("derived.starting_dose_amount")]
    assert derived_values(MODEL, instance_view(MODEL, inp.values, "arms", 0)) == {
        "derived.starting_dose_amount": dose(2.5, "mg"), "derived.maximum_dose_amount": dose(42, "mg"),
        "derived.gene_transfer": False}  # an ASO


def broken(mini_raw, change) -> str:
    raw = copy.deepcopy(mini_raw)
    change(raw)
    with pytest.raises(ModelError) as refused:
        parse_model(raw, Path("mini.yaml"))
    return str(refused.value)


def design_field(raw, field_id):
    return next(f for f in raw["areas"][1]["sections"][0]["fields"] if f["id"] == field_id)


def test_a_unit_the_program_does_not_know_is_refused_at_load(mini_raw):
    message = broken(mini_raw, lambda raw: design_field(raw, "dose").update(units=["mg", "furlongs"]))
    assert message.startswith("mini.yaml: areas[1].sections[0].fields[2] (dose): unit 'furlongs' is not a unit "
                              "this program knows; known units: mg, g, kg")
    assert "unknown dimension 'mass_per_furlong'" in broken(
        mini_raw, lambda raw: design_field(raw, "dose").update(dimension="mass_per_furlong"))
    message = broken(mini_raw, lambda raw: design_field(raw, "dose").pop("dimension"))
    assert "(dose): units mg, mL are of different dimensions (mass, volume)" in message
    assert "(dose): unit 'mL' is volume, not mass" in broken(
        mini_raw, lambda raw: design_field(raw, "dose").update(dimension="mass"))


def test_a_dimension_gives_a_field_all_its_units(mini_raw):
    raw = copy.deepcopy(mini_raw)
    design_field(raw, "dose").update(units=[], dimension="mass_per_body_weight")
    assert parse_model(raw, Path("mini.yaml")).field("product.design.dose").units == ("mg/kg", "µg/kg", "ng/kg", "g/kg")


def add_derived(raw, **entry):
    raw["areas"][1]["sections"][0]["fields"] += [
        {"id": "weight", "label": "Weight", "type": "number", "units": ["kg"]},
        {"id": "per_kg", "label": "Dose", "type": "number", "units": ["mg/kg"]}]
    raw["derived"] = [{"id": "amount", "label": "Amount", "unit": "mg", **entry}]


def test_derived_values_are_checked_at_load(mini_raw):
    good = copy.deepcopy(mini_raw)
    add_derived(good, formula="product.design.per_kg * product.design.weight")
    model = parse_model(good, Path("mini.yaml"))
    assert model.derived["derived.amount"].formulas == ((("product.design.per_kg", 1), ("product.design.weight", 1)),)
    assert "'product.design.per_kg / product.design.weight' can never be in mg" in broken(
        mini_raw, lambda raw: add_derived(raw, formula="product.design.per_kg / product.design.weight"))
    assert "'product.design.sequence' is not a number field with units" in broken(
        mini_raw, lambda raw: add_derived(raw, formula="product.design.sequence * product.design.weight"))
    assert "derived[0] (amount): unit 'mgs' is not a unit" in broken(
        mini_raw, lambda raw: add_derived(raw, formula="product.design.dose", unit="mgs"))
    assert "unknown key(s) expression" in broken(
        mini_raw, lambda raw: add_derived(raw, expression="__import__('os')", formula="product.design.dose"))


def test_a_check_on_a_derived_value_must_name_one(mini_raw):
    def check_on(raw, right):
        add_derived(raw, formula="product.design.dose")
        raw["checks"].append({"id": "x", "kind": "compare", "severity": "error", "message": "m",
                              "left": "derived.amount", "op": "<=", "right": right})
    assert "refers to unknown field 'derived.nothing'" in broken(mini_raw, lambda raw: check_on(raw, "derived.nothing"))
    assert "derived.amount and product.cmc.stability cannot be compared: they share no dimension" in broken(
        mini_raw, lambda raw: check_on(raw, "product.cmc.stability"))


# A value a choice decides (from:, values:, otherwise:): human gene transfer, from the drug class.
GENE_TRANSFER = MODEL.derived["derived.gene_transfer"]
CLASS, ANSWER, IBC = "module1.product.drug_class", "module1.product.gene_transfer", "module1.letters.ibc_name"


@pytest.mark.parametrize("drug_class, answer, expected", [
    ("Base editor", None, True), ("AAV gene therapy", False, True),   # the class decides; a stored answer has no say
    ("Antisense oligonucleotide", True, False), ("siRNA", None, False),
    ("Other", True, True), ("Other", False, False), ("Other", None, None),  # the user's answer, or nothing yet
    (None, True, True),
])
def test_gene_transfer_follows_the_drug_class_and_asks_only_for_another(drug_class, answer, expected):
    values = {k: v for k, v in ((CLASS, drug_class), (ANSWER, answer)) if v is not None}
    assert compute(GENE_TRANSFER, values) is expected
    ap = Applicability(MODEL, values)
    assert ap.field(ANSWER) is (drug_class == "Other")
    # the IBC is asked where gene transfer holds; a stored answer counts only where it is asked
    assert ap.field(IBC) is (expected is True and drug_class is not None)


def test_the_ibc_fields_change_with_the_drug_class_in_the_form():
    assert {CLASS, ANSWER, "derived.gene_transfer"} <= MODEL.conditions.inputs[IBC]
    assert IBC in MODEL.conditions.affected(CLASS) and IBC in MODEL.conditions.affected(ANSWER)


def add_lookup(raw, **entry):
    raw["areas"][1]["sections"][0]["fields"] += [
        {"id": "kind", "label": "Kind", "type": "choice", "choices": ["Editor", "Oligo", "Other"]},
        {"id": "answer", "label": "Answer", "type": "yesno"}]
    raw["derived"] = [{"id": "transfer", "label": "Gene transfer", "from": "product.design.kind",
                       "values": {"Editor": True, "Oligo": False}, **entry}]


def test_a_lookup_is_checked_at_load_and_read_by_conditions(mini_raw):
    good = copy.deepcopy(mini_raw)
    add_lookup(good, otherwise="product.design.answer")
    good["areas"][1]["sections"][0]["fields"][0]["when"] = {"field": "derived.transfer", "equals": True}
    model = parse_model(good, Path("mini.yaml"))
    assert model.derived["derived.transfer"].reads == ("product.design.kind", "product.design.answer")
    assert model.derived["derived.transfer"].field.type == "yesno"
    assert Applicability(model, {"product.design.kind": "Editor"}).field("product.design.sequence")
    assert not Applicability(model, {"product.design.kind": "Oligo", "product.design.answer": True}).field(
        "product.design.sequence")
    assert "(transfer): Nuclease: not among the choices of product.design.kind" in broken(
        mini_raw, lambda raw: add_lookup(raw, values={"Nuclease": True}))
    assert "must all be yes/no (true, false), all text, or all quantities" in broken(
        mini_raw, lambda raw: add_lookup(raw, values={"Editor": True, "Oligo": "no"}))
    assert "'otherwise' must be a yesno field" in broken(
        mini_raw, lambda raw: add_lookup(raw, otherwise="product.design.target"))
    assert "'from' must be a choice field" in broken(
        mini_raw, lambda raw: add_lookup(raw, **{"from": "product.design.target"}))
    assert "a quantity (unit: and formula:) or a lookup" in broken(
        mini_raw, lambda raw: add_lookup(raw, formula="product.design.dose", unit="mg"))
    assert "'yes' is not true or false" in broken(mini_raw, lambda raw: (
        add_lookup(raw), raw["areas"][1]["sections"][0]["fields"][0].update(
            when={"field": "derived.transfer", "equals": "yes"})))


@pytest.mark.parametrize("drug_class, expected", [
    ("Base editor", dose(15, "years")), ("Nuclease genome editor", dose(15, "years")),
    ("AAV gene therapy", dose(5, "years")), ("Antisense oligonucleotide", None), ("Other", None)])
def test_the_follow_up_fda_recommends_is_a_quantity_the_drug_class_decides(drug_class, expected):
    assert compute(MODEL.derived["derived.recommended_ltfu"], {CLASS: drug_class}) == expected


def test_a_quantity_lookup_needs_known_units_of_one_dimension(mini_raw):
    good = copy.deepcopy(mini_raw)
    add_lookup(good, values={"Editor": {"value": 15, "unit": "year"}, "Oligo": {"value": 6, "unit": "months"}})
    found = parse_model(good, Path("mini.yaml")).derived["derived.transfer"]
    assert found.field.type == "number" and found.field.units == ("years", "months")
    assert compute(found, {"product.design.kind": "Editor"}) == dose(15, "years")
    assert "the quantities must share one dimension" in broken(
        mini_raw, lambda raw: add_lookup(raw, values={"Editor": {"value": 15, "unit": "years"},
                                                      "Oligo": {"value": 6, "unit": "mg"}}))
    assert "Editor: a quantity is {value: a number, unit: a known unit}" in broken(
        mini_raw, lambda raw: add_lookup(raw, values={"Editor": {"value": 15, "unit": "fortnights"}}))
