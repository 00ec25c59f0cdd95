"""Conditions (`when:`): what applies, what the model refuses at load, and what a part that does not
apply means for the stored value, readiness, completeness, rendering and the built sequence."""

import copy
import sqlite3
from pathlib import Path

import pytest
import yaml

from dossier.build import build_sequence
from dossier.conditions import Applicability, applies
from dossier.docunits import unit_values
from dossier.ectd.readback import parse_backbone
from dossier.errors import ModelError
from dossier.model import default_model
from dossier.model_reader import parse_model
from dossier.render import templating
from dossier.render.document import document_key
from dossier.service import Dossier
from tests.helpers.demo import with_values
from tests.helpers.models import CONDITIONS_MODEL as MODEL
from tests.helpers.models import ECTD_MODEL, VALUES


@pytest.fixture(scope="module")
def model():
    return parse_model(yaml.safe_load(MODEL), Path("conditions.yaml"))


@pytest.fixture
def raw():
    return yaml.safe_load(MODEL)


def applying(model, values) -> set[str]:
    ap = Applicability(model, values)
    return {p for p in ap.index.parts if ":" not in p and ap.field(p)}


def test_equals_in_filled_not_all_any_decide_what_applies(model):
    parenteral = {"product.design.parenteral": True, "product.design.route": "Intrathecal"}
    shown = applying(model, parenteral)
    assert {"product.design.sterility", "product.design.device", "product.design.batches.endotoxin",
            "product.catheter.model"} <= shown
    assert "product.design.oral_note" not in shown
    oral = applying(model, {"product.design.parenteral": False, "product.design.route": "Oral"})
    assert "product.design.oral_note" in oral
    assert not {"product.design.sterility", "product.design.device", "product.design.batches.endotoxin",
                "product.catheter.model"} & oral
    # `in` and `equals` compare text without case; `all` needs both parts
    assert not applies(model, model.field("product.design.device"),
                       {"product.design.parenteral": True, "product.design.route": "Intravenous"})


def test_a_condition_on_a_field_that_does_not_apply_is_false(model):
    values = {"product.design.parenteral": True, "product.design.sterility": "Filtered"}
    assert applies(model, model.field("product.design.sterility_note"), values)
    values["product.design.parenteral"] = False  # sterility keeps its text but no longer applies
    assert not applies(model, model.field("product.design.sterility_note"), values)
    # and with nothing set at all, a `not` over a missing value holds
    assert applies(model, model.field("product.design.oral_note"), {})


def test_an_area_that_does_not_apply_takes_its_sections_and_fields_with_it(raw):
    raw["areas"].append({"id": "sterile", "title": "Sterile manufacture",
                         "when": {"field": "product.design.parenteral", "equals": True},
                         "sections": [{"id": "fill", "title": "Aseptic fill", "fields": [
                             {"id": "media_fills", "label": "Media fills", "type": "text", "required": True}]}]})
    model = parse_model(raw, Path("conditions.yaml"))
    assert Applicability(model, {"product.design.parenteral": True}).section("sterile.fill")
    ap = Applicability(model, {"product.design.parenteral": False})
    assert not ap.section("sterile.fill") and not ap.field("sterile.fill.media_fills")
    assert set(model.conditions.affected("product.design.parenteral")) >= {"area:sterile", "section:sterile.fill",
                                                                           "sterile.fill.media_fills"}


def test_the_dependency_map_names_every_part_a_field_can_show_or_hide(model):
    affected = set(model.conditions.affected("product.design.parenteral"))
    assert affected == {"product.design.sterility", "product.design.device", "product.design.oral_note",
                        "product.design.sterility_note", "product.design.batches.endotoxin",
                        "document:sterility-report", "check:oral-route"}
    assert set(model.conditions.affected("product.design.route")) >= {"section:product.catheter",
                                                                      "product.catheter.model"}
    assert model.conditions.affected("product.design.batches") == []


def F(raw):  # the design section's fields, as the cases below change them
    return raw["areas"][0]["sections"][0]["fields"]


@pytest.mark.parametrize("mutate, place, reason", [
    (lambda m: F(m)[2].update(when={"field": "product.design.parentral", "equals": True}),
     "field product.design.sterility.when", "refers to unknown field 'product.design.parentral'; fields there: "
     "product.design.parenteral"),
    (lambda m: F(m)[0].update(when={"field": "product.design.sterility", "filled": True}),
     "field product.design.parenteral.when", "the condition depends on itself (field product.design.parenteral → "
     "field product.design.sterility → field product.design.parenteral)"),
    (lambda m: F(m)[1].update(when={"field": "product.design.route", "filled": True}),
     "field product.design.route.when", "depends on itself"),
    (lambda m: m["areas"][0]["sections"][1].update(when={"field": "product.catheter.model", "filled": True}),
     "section product.catheter.when", "depends on itself"),
    (lambda m: F(m)[3].update(when={"field": "product.design.route", "equals": "Nasal"}),
     "field product.design.device.when", "'Nasal' is not one of the choices of product.design.route"),
    (lambda m: F(m)[2].update(when={"field": "product.design.parenteral", "equals": "yes"}),
     "field product.design.sterility.when", "is not true or false"),
    (lambda m: F(m)[2].update(when={"field": "product.design.batches", "equals": "x"}),
     "field product.design.sterility.when", "'equals' cannot test product.design.batches, a table field"),
    (lambda m: F(m)[2].update(when={"field": "product.design.batches.lot", "filled": True}),
     "field product.design.sterility.when", "is a table column"),
    (lambda m: F(m)[6]["columns"][0].update(when={"field": "product.design.parenteral",
                                                                                    "equals": True}),
     "column product.design.batches.lot.when", "a column required in every row cannot have a condition"),
    (lambda m: F(m)[2].update(when={"field": "product.design.parenteral", "equals": True,
                                                                      "filled": True}),
     "fields[2] (sterility).when", "exactly one of equals, in, filled"),
    (lambda m: F(m)[2].update(when={"all": []}),
     "fields[2] (sterility).when.all", "non-empty list"),
    (lambda m: m["documents"][0].update(when={"field": "product.design.nope", "filled": True}),
     "document sterility-report.when", "unknown field 'product.design.nope'"),
    (lambda m: m["checks"][0].update(when={"any": [{"field": "product.design.route", "in": "Oral"}]}),
     "checks[0] (oral-route).when.any[0]", "'in' must be a non-empty list"),
])
def test_a_bad_condition_is_refused_at_load_with_file_place_and_reason(raw, mutate, place, reason):
    mutate(raw)
    with pytest.raises(ModelError) as err:
        parse_model(raw, Path("conditions.yaml"))
    message = str(err.value)
    assert message.startswith("conditions.yaml: "), message
    assert place in message and reason in message, message


def _stored_text(path: Path, field: str) -> str | None:
    with sqlite3.connect(path) as conn:
        row = conn.execute("SELECT value FROM field_values WHERE path = ?", (field,)).fetchone()
    return row[0] if row else None


def test_a_value_that_stops_applying_is_kept_byte_for_byte_and_comes_back(model, tmp_path):
    path = tmp_path / "case.dossier"
    text = "Sterile filtration (0.22 µm), aseptic fill;\nmedia fills every 6 months — “USP <71>”"
    with Dossier.create(path, "flip", model=model) as d:
        d.set_many({"product.design.parenteral": True, "product.design.sterility": text,
                    "product.design.batches": [{"lot": "L1", "endotoxin": "< 0.2 EU/kg"}]})
        before = _stored_text(path, "product.design.sterility"), _stored_text(path, "product.design.batches")
        d.set("product.design.parenteral", False)
        assert not d.applicability().field("product.design.sterility")
        assert (_stored_text(path, "product.design.sterility"), _stored_text(path, "product.design.batches")) == before
        assert d.get("product.design.sterility") == text
        d.set("product.design.parenteral", True)
        assert (_stored_text(path, "product.design.sterility"), _stored_text(path, "product.design.batches")) == before
        assert d.applicability().field("product.design.sterility")


def test_a_required_field_that_does_not_apply_is_no_finding_and_not_counted(model, tmp_path):
    with Dossier.create(tmp_path / "case.dossier", "required", model=model) as d:
        d.set_many({"product.design.parenteral": False, "product.design.route": "Oral"})
        report = d.check()
        assert {f.field for f in report.findings} == set()  # sterility, device and the catheter section: hidden
        assert report.elements[0].missing == ()  # sterility is not lacking while it does not apply
        counted = {f.path: (f.filled, f.applies) for f in d.fields()}
        assert counted["product.design.sterility"] == (False, False)
        assert counted["product.catheter.model"] == (False, False)
        assert counted["product.design.route"] == (True, True)
        d.set("product.design.parenteral", True)
        d.set("product.design.route", "Intrathecal")
        assert {f.field for f in d.check().findings if f.check.startswith("required:")} == {
            "product.design.sterility", "product.design.device", "product.catheter.model"}


def test_a_check_runs_only_where_its_general_condition_holds(model, tmp_path):
    with Dossier.create(tmp_path / "case.dossier", "checks", model=model) as d:
        d.set("product.design.parenteral", False)
        assert [f.check for f in d.check().findings] == ["oral-route"]  # not parenteral, route empty
        d.set("product.design.parenteral", True)
        assert "oral-route" not in [f.check for f in d.check().findings]


def test_shipped_model_uses_conditions_where_the_product_needs_them():
    model = default_model()
    vus = model.field("genetic.classification.vus_justification")
    assert not applies(model, vus, {"genetic.classification.acmg_class": "Likely pathogenic"})
    assert applies(model, vus, {"genetic.classification.acmg_class": "Variant of uncertain significance"})
    for path in ("cmc.product.sterility", "cmc.product.endotoxin"):
        assert not applies(model, model.field(path), {"cmc.product.parenteral": False})
        assert applies(model, model.field(path), {"cmc.product.parenteral": True})
    treatment_plan = model.field("module1.form_3926.treatment_plan")
    assert not applies(model, treatment_plan, {"module1.application.path": "Individualized IND"})
    expanded_access = "Single-patient expanded access (Form FDA 3926)"
    assert applies(model, treatment_plan, {"module1.application.path": expanded_access})
    sterility = next(c for c in model.checks if c.id == "sterility")
    assert not applies(model, sterility, {"cmc.product.parenteral": False})


def test_a_field_that_does_not_apply_is_not_rendered(demo_input):
    model = default_model()
    document = model.document("genetic-rationale")
    reason = "Minigene assay shows exon 5 skipping in patient cells"
    kept = with_values(demo_input, genetic__classification__vus_justification=reason)
    arm = "genetic-rationale@0"  # the genetic rationale of the demo's one arm
    markup, _ = templating.render_markup(model, document, unit_values(model, arm, kept.values))
    assert reason not in markup and "uncertain significance" not in markup
    vus = with_values(kept, genetic__classification__acmg_class="Variant of uncertain significance")
    markup, _ = templating.render_markup(model, document, unit_values(model, arm, vus.values))
    assert reason in markup
    assert document_key(kept, arm, False, model) != document_key(vus, arm, False, model)
    not_parenteral = with_values(demo_input, cmc__product__parenteral=False)
    markup, _ = templating.render_markup(model, model.document("dp-specifications"), not_parenteral.values)
    assert "Endotoxin limit" not in markup and "Not yet provided" not in markup


def _conditional_ectd_model():
    raw = yaml.safe_load(ECTD_MODEL)
    product = raw["areas"][0]["sections"][2]["fields"]
    product.append({"id": "study_planned", "label": "A clinical study is planned", "type": "yesno"})
    protocol = next(d for d in raw["documents"] if d["id"] == "clinical-protocol")
    protocol["when"] = {"field": "module1.product.study_planned", "equals": True}
    return parse_model(raw, Path("ectd-conditions.yaml"))


def _leaf_titles(seq_dir: Path, folder: Path) -> dict[str, str]:
    index = parse_backbone(seq_dir, "index.xml", folder)
    return {leaf.title: leaf.operation for leaf in index.leaves}


def test_a_document_whose_condition_is_false_is_neither_rendered_nor_in_the_sequence(
        tmp_path, installed, fake_renderer):
    with Dossier.create(tmp_path / "case.dossier", "eCTD", model=_conditional_ectd_model()) as d:
        d.set_many(copy.deepcopy(VALUES))
        d.set("module1.product.study_planned", False)
        first = build_sequence(d, tmp_path / "app", mark_submitted=True, workers=1)
        assert "clinical-protocol" not in fake_renderer.calls and "clinical-overview" in fake_renderer.calls
        assert "Clinical protocol" not in _leaf_titles(first.path, installed)
        assert any("Clinical protocol is not in the sequence: it does not apply" in n for n in first.notes)
        assert not list(first.path.rglob("protocol.pdf"))
        d.set("module1.product.study_planned", True)
        second = build_sequence(d, tmp_path / "app", mark_submitted=True, workers=1)
        assert "clinical-protocol" in fake_renderer.calls
        assert _leaf_titles(second.path, installed).get("Clinical protocol") == "new"
