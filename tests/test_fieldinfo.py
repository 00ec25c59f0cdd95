"""`dossier fields --json` (dossier.fieldinfo): everything a program needs to fill a dossier, so that a
script can write a values file for `dossier set --from` from it alone."""

import json

import yaml

from dossier.conditions import applies
from dossier.fieldpath import base_path
from dossier.model import default_model
from dossier.service import Dossier

KEYS = {"path", "section", "type", "label", "help", "source", "required", "applies", "filled", "phi", "accepts",
        "example", "choices", "units", "minimum", "maximum", "integer", "max_length", "limit", "multiple", "min_rows",
        "columns", "repeat", "documents"}


def fields_json(cli, path):
    result = cli("fields", path, "--json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_every_field_of_the_model_is_described_from_its_field_and_columns(cli, fresh):
    rows = fields_json(cli, fresh)
    model = default_model()
    # a repeat without instances (a fresh dossier's drug substances) is listed once, by the path that adds one
    # … and a repeat that does not apply on the default path (arms) has its one instance, which none can join
    single = {repeat.id for repeat in model.repeats.values() if repeat.when is not None}
    names = {repeat.name for repeat in model.repeats.values() if repeat.id not in single}
    repeated = {p for p in model.fields for repeat in model.repeats.values()
                if repeat.id not in single and any(p.startswith(f"{s}.") for s in repeat.sections)}
    listed = [base_path(r["path"]) for r in rows]
    assert sorted(listed) == sorted(p for p in model.fields if p not in repeated or p in names)
    assert [p for p in listed if p not in names] == [p for p in model.fields if p not in repeated]
    for row in rows:
        field = model.fields[base_path(row["path"])]
        assert row.keys() == KEYS
        assert (row["type"], row["label"], row["help"], row["required"], row["phi"]) == \
               (field.type, field.label, field.help, field.required, field.phi)
        assert row["choices"] == list(field.choices) and row["units"] == list(field.units)
        # a fresh dossier has no values, so a field with a condition (VUS justification, sterility) does not apply
        assert row["applies"] is applies(model, field, {}) and row["filled"] is False
        assert (row["repeat"] is None) is (model.repeat_of(field.path) is None)
        if row["repeat"] and row["repeat"]["id"] in single:
            assert row["path"].startswith(f"{field.path.rsplit('.', 1)[0]}[0].") and row["repeat"]["add"] is None
        assert [c["id"] for c in row["columns"]] == [c.id for c in field.columns]
    assert not next(r for r in rows if r["path"] == "cmc.product.sterility")["applies"]
    studies = next(r for r in rows if r["path"] == "nonclinical.pharmacology.studies")
    system = next(c for c in studies["columns"] if c["id"] == "system")
    assert system["type"] == "choice" and "Patient fibroblasts" in system["choices"]
    dose = next(c for c in next(r for r in rows if r["path"] == "clinical.dosing.escalation")["columns"]
                if c["id"] == "dose")
    assert dose["type"] == "number" and dose["units"] == ["mg", "µg", "mg/kg", "µg/kg", "vg", "vg/kg"]
    assert any(r["phi"] for r in rows) and any(r["required"] for r in rows)


def test_every_example_is_a_value_its_field_accepts(tmp_path, cli, fresh):
    rows = fields_json(cli, fresh)
    values = {r["path"]: r["example"] for r in rows if r["example"] is not None}
    assert {r["type"] for r in rows if r["path"] not in values} == {"attachment"}
    path = tmp_path / "examples.yaml"
    path.write_text(yaml.safe_dump(values, allow_unicode=True))
    assert cli("set", fresh, "--from", path).code == 0
    assert all(r["filled"] for r in fields_json(cli, fresh) if r["path"] in values)


def decide(row):
    """What a script would write for a field, knowing only its description."""
    kind = row["type"]
    if kind == "choice":
        return row["choices"][-1]
    if kind == "multichoice":
        return row["choices"][:2]
    if kind == "number":
        number = row.get("maximum") if row.get("maximum") is not None else 12
        return f"{number} {row['units'][-1]}" if row["units"] else number
    if kind == "date":
        return "2027-01-15"
    if kind == "yesno":
        return False
    if kind == "table":
        return [{c["id"]: decide(c) for c in row["columns"] if c["type"] != "attachment"} for _ in range(2)]
    if kind == "text":
        return "Z" * min(5, row.get("max_length") or 5)
    return None  # the rest this script leaves to a person


def test_a_script_fills_a_fresh_dossier_from_the_description_alone(tmp_path, cli, fresh):
    rows = fields_json(cli, fresh)
    chosen = {r["path"]: decide(r) for r in rows if r["applies"] and decide(r) is not None}
    assert {r["type"] for r in rows if r["path"] in chosen} >= {"choice", "multichoice", "number", "date", "yesno",
                                                                "table", "text"}
    path = tmp_path / "script.json"
    path.write_text(json.dumps(chosen))

    result = cli("set", fresh, "--from", path)

    assert result.code == 0, result.err
    with Dossier.open(fresh, read_only=True) as d:
        by_type = {d.field(p).type: (p, v) for p, v in d.values().items()}
        assert set(d.values()) == set(chosen)
    path_, value = by_type["number"]
    assert value.get("unit") == (d.model.fields[path_].units or [None])[-1]
    table_path, table = by_type["table"]
    assert len(table) == 2 and set(table[0]) == {c.id for c in d.model.fields[table_path].columns
                                                 if c.type != "attachment"}
