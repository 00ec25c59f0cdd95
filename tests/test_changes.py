"""A recorded change in words: table edits as row changes, attachments, values."""

from dossier.changes import WIDTH, describe, describe_entry
from dossier.model import default_model

MODEL = default_model()
ENDPOINTS = MODEL.field("clinical.endpoints.endpoints")


def row(endpoint, kind="Primary", **more):
    return {"endpoint": endpoint, "type": kind, **more}


def test_a_changed_cell_and_an_added_row():
    assert describe(ENDPOINTS, [row("x")], [row("y"), row("z", "Secondary")]) == [
        "row 1 endpoint: 'x' -> 'y'", "row 2 added: endpoint='z', type='Secondary'"]


def test_a_row_removed_in_the_middle_is_one_removal_not_a_cascade_of_edits():
    before = [row("a"), row("b"), row("c"), row("d")]
    removed = describe(ENDPOINTS, before, [row("a"), row("c"), row("d")])
    assert removed == ["row 2 removed: endpoint='b', type='Primary'"]
    assert describe(ENDPOINTS, before[1:], before) == ["row 1 added: endpoint='a', type='Primary'"]


def test_cells_in_column_order_and_the_empty_table():
    first = [row("walk test", instrument="6MWT", timing="week 12")]
    assert describe(ENDPOINTS, None, first) == [
        "row 1 added: endpoint='walk test', type='Primary', instrument='6MWT', timing='week 12'"]
    assert describe(ENDPOINTS, first, None) == [
        "row 1 removed: endpoint='walk test', type='Primary', instrument='6MWT', timing='week 12'"]
    assert describe(ENDPOINTS, first, [row("walk test", instrument="6MWT")]) == ["row 1 timing: 'week 12' -> (empty)"]


def test_a_table_field_the_model_no_longer_has_is_still_read_as_rows():
    assert describe(None, [{"a": "1"}], [{"a": "1"}, {"a": "2", "b": 3}]) == ["row 2 added: a='2', b=3"]


def test_values_other_than_tables():
    hpo = next(f for f in MODEL.fields.values() if f.type == "hpo")
    terms = [{"id": "HP:0001250", "label": "Seizure"}]
    assert describe(hpo, None, terms) == ["(empty) -> Seizure (HP:0001250)"]
    number = next(f for f in MODEL.fields.values() if f.type == "number" and f.units)
    assert describe(number, {"value": 2, "unit": number.units[0]}, None) == [f"2 {number.units[0]} -> (empty)"]
    (line,) = describe(None, "short", "long " * 40)
    assert line.startswith("'short' -> 'long long") and len(line) == len("'short' -> ") + WIDTH and line.endswith("…")


def test_the_dossiers_own_entries():
    stored = {"sha256": "ab" * 32, "size": 1234}
    assert describe_entry("attachment:coa.pdf", None, stored, None) == ["stored (1234 bytes, sha256 abababababab…)"]
    assert describe_entry("attachment:coa.pdf", stored, None, None) == ["removed"]
    assert describe_entry("sequence", None, {"number": "0001", "files": 12}, None) == [
        "sequence 0001 recorded as submitted (12 file(s))"]
    assert describe_entry("title", "Old", "New", None) == ["'Old' -> 'New'"]
    assert describe_entry("attachment:odd", None, "not a record", None) == ["(empty) -> 'not a record'"]
