"""A content model with repeats is refused at load, with the file, the place and the reason, when a
repeat is unused, unnamed or named by the wrong field, or when something reads repeated fields without
being able to say which instance it means."""

from __future__ import annotations

from pathlib import Path

import pytest

from dossier.ectd.headings import ich_tree, regional_tree
from dossier.ectd.wanted import Inputs, Trees, attachment_leaves
from dossier.errors import ModelError
from dossier.model_reader import parse_model


def refused(raw: dict) -> str:
    with pytest.raises(ModelError) as exc:
        parse_model(raw, Path("repeats.yaml"))
    assert str(exc.value).startswith("repeats.yaml: ")
    return str(exc.value)


def section(raw: dict, path: str) -> dict:
    area, sid = path.split(".")
    found = next(a for a in raw["areas"] if a["id"] == area)
    return next(s for s in found["sections"] if s["id"] == sid)


def field(raw: dict, path: str) -> dict:
    area, sid, fid = path.split(".")
    return next(f for f in section(raw, f"{area}.{sid}")["fields"] if f["id"] == fid)


def test_the_repeat_and_its_sections_are_read(repeats_model):
    repeat = repeats_model.repeats["substances"]
    assert (repeat.label, repeat.name, repeat.min, repeat.max) == ("Drug substance", "cmc.substance.name", 1, 4)
    assert repeat.sections == ("cmc.substance", "nonclinical.potency")
    assert repeats_model.section("nonclinical.potency").repeat == "substances"


def test_a_section_naming_an_undeclared_repeat_is_refused(repeats_raw):
    section(repeats_raw, "nonclinical.potency")["repeat"] = "arms"
    assert "areas[2].sections[0]: repeat 'arms' is not declared under `repeats:` (declared: substances)" \
        in refused(repeats_raw)


def test_a_repeat_no_section_uses_is_refused(repeats_raw):
    repeats_raw["repeats"].append({"id": "arms", "label": "Arm", "name": "cmc.substance.name"})
    assert "repeats (arms): no section uses this repeat" in refused(repeats_raw)


def test_a_repeat_without_a_name_is_refused(repeats_raw):
    del repeats_raw["repeats"][0]["name"]
    assert "repeats[0] (substances): a repeat needs 'name'" in refused(repeats_raw)


def test_a_name_outside_the_repeat_or_not_text_is_refused(repeats_raw):
    repeats_raw["repeats"][0]["name"] = "product.overview.product_name"
    assert ("'name: product.overview.product_name' is not a field of its sections (cmc.substance, "
           "nonclinical.potency)") in refused(repeats_raw)
    repeats_raw["repeats"][0]["name"] = "nonclinical.potency.summary"
    assert "is a longtext field; an instance is named by a one-line text field" in refused(repeats_raw)


@pytest.mark.parametrize("data, reason", [
    ({"min": -1}, "'min' must be a whole number from 0"),
    ({"max": 0}, "'max' (0) must be at least 1"),
    ({"min": 3, "max": 2}, "must be at least 1 and at least 'min' (3)"),
    ({"sections": ["x"]}, "unknown key(s) sections"),
    ({"id": "Substances"}, "must match"),
])
def test_a_malformed_repeat_is_refused(repeats_raw, data, reason):
    repeats_raw["repeats"][0].update(data)
    assert reason in refused(repeats_raw)


def test_a_condition_outside_the_repeat_on_a_field_inside_it_is_refused(repeats_raw):
    field(repeats_raw, "product.overview.editor")["when"] = {"field": "cmc.substance.kind", "equals": "mRNA"}
    message = refused(repeats_raw)
    assert ("field product.overview.editor.when: tests cmc.substance.kind, which has one value per drug substance, "
           "from a part outside the repeat 'substances': which instance would decide?") in message
    assert "move this part into a section with `repeat: substances`" in message


def test_a_document_condition_on_a_repeated_field_is_refused(repeats_raw):
    repeats_raw["documents"][0]["when"] = {"field": "nonclinical.potency.summary", "filled": True}
    assert "document substance.when: tests nonclinical.potency.summary" in refused(repeats_raw)


def test_checks_and_elements_reading_two_repeats_are_refused(repeats_raw):
    repeats_raw["repeats"].append({"id": "arms", "label": "Arm", "name": "product.overview.product_name"})
    section(repeats_raw, "product.overview")["repeat"] = "arms"
    del field(repeats_raw, "cmc.substance.guide_design")["when"]
    repeats_raw["checks"] = []
    repeats_raw["elements"][0]["fields"].append("product.overview.editor")
    assert ("element characterised: reads cmc.substance.kind (repeat 'substances') and product.overview.editor "
           "(repeat 'arms')") in refused(repeats_raw)
    repeats_raw["elements"][0]["fields"].pop()
    repeats_raw["checks"] = [{"id": "mixed", "kind": "equal", "severity": "error", "message": "m",
                              "fields": ["cmc.substance.name", "product.overview.product_name"]}]
    assert ("check mixed: reads cmc.substance.name (repeat 'substances') and product.overview.product_name "
           "(repeat 'arms'): fields of two repeats cannot be paired") in refused(repeats_raw)


def test_a_single_value_role_on_a_repeated_field_is_refused(repeats_raw):
    repeats_raw["roles"] = {"header": {"product": "cmc.substance.name"}}
    assert "roles.header.product: cmc.substance.name is repeated (Drug substance: one value per instance)" \
        in refused(repeats_raw)


def test_each_instance_s_attachments_go_where_their_field_s_home_says(repeats_raw, installed):
    repeats_raw["roles"] = {"attachments": {
        "cmc.substance.batches.coa": {"heading": "m3-2-s-4-4", "title": "CoA {lot}",
                                      "folder": "m3/32-body-data/32s-drug-sub/32s4-contr-drug-sub/32s44-batch-analys"},
        "cmc.substance.report": {"heading": "m3-2-s-1-1", "folder": "m3/32-body-data/32s-drug-sub/32s1-gen-info",
                                 "title": "Report, {file}"}}}
    model = parse_model(repeats_raw, Path("repeats.yaml"))
    values = {"cmc.substance[0].name": "Editor mRNA", "cmc.substance[0].report": ["r0.pdf"],
              "cmc.substance[0].batches": [{"lot": "L1", "coa": "c1.pdf"}],
              "cmc.substance[1].name": "Guide RNA", "cmc.substance[1].batches": [{"lot": "L2", "coa": "c2.pdf"}]}
    notes: list[str] = []
    leaves = {x.ref: x for x in attachment_leaves(Inputs(model, values, {"r0.pdf": "1", "c1.pdf": "2", "c2.pdf": "3"},
                                                         {}, {}), Trees(ich_tree(installed), regional_tree(installed)),
                                                  notes)}
    assert set(leaves) == {"r0.pdf", "c1.pdf", "c2.pdf"} and notes == []
    # each titled as its row says, with its instance's name as the instance's documents are
    assert (leaves["c2.pdf"].title, leaves["r0.pdf"].title) == ("CoA L2 — Guide RNA", "Report, r0 — Editor mRNA")
    assert leaves["c2.pdf"].path.startswith("m3/32-body-data/32s-drug-sub/32s4-contr-drug-sub/32s44-batch-analys/")


def test_a_repeat_condition_is_read_and_must_test_a_field_outside_any_repeat(repeats_raw):
    repeats_raw["repeats"][0]["when"] = {"field": "cmc.substance.kind", "equals": "mRNA"}
    assert "repeats (substances).when: tests cmc.substance.kind, which has one value per drug substance" \
        in refused(repeats_raw)
    repeats_raw["repeats"][0]["when"] = {"field": "product.overview.editor", "filled": True}
    model = parse_model(repeats_raw, Path("repeats.yaml"))
    assert model.repeats["substances"].when.fields() == {"product.overview.editor"}
    # its name field applies only where the repeat does: the one instance elsewhere needs no name
    assert model.conditions.parts["cmc.substance.name"][0] == model.repeats["substances"].when


@pytest.fixture
def default_raw() -> dict:
    import yaml

    from dossier.paths import content_model_path
    return yaml.safe_load(content_model_path().read_text(encoding="utf-8"))


def _refused_as_model(raw: dict) -> str:
    with pytest.raises(ModelError) as exc:
        parse_model(raw, Path("content_model.yaml"))
    return str(exc.value)


def test_a_table_whose_rows_name_instances_names_a_repeat_and_a_text_column(default_raw):
    studies = field(default_raw, "nonclinical.pharmacology.studies")
    assert parse_model(default_raw, Path("m.yaml")).fields[
        "nonclinical.pharmacology.studies"].rows_for == ("arms", "arm")
    studies["rows_for"] = {"repeat": "arms", "by": "patient_derived"}  # a yes/no column names no arm
    assert "rows_for: 'by: patient_derived' must be a text column of the table" in _refused_as_model(default_raw)
    studies["rows_for"] = {"repeat": "patients", "by": "arm"}
    assert "'repeat: patients' must name a declared repeat" in _refused_as_model(default_raw)


def test_rows_counted_per_instance_belong_to_a_rows_check_naming_a_column(default_raw):
    [check] = [c for c in default_raw["checks"] if c["id"] == "te-patient-derived"]
    check["per"] = {"armm": "genetic.variant.arm"}
    assert "check te-patient-derived: 'armm' is not a column of table" in _refused_as_model(default_raw)
    check["per"] = {"arm": "genetic.variant.arms"}
    assert "genetic.variant.arms" in _refused_as_model(default_raw)
    check["per"] = {"arm": "genetic.variant.arm"}
    check["kind"] = "each_row"
    check["has"] = ["report"]
    assert "'per' belongs to a 'rows' check" in _refused_as_model(default_raw)
