"""A dossier file is data, not code: objects another program added (triggers, views, tables, indexes) are
removed by the next writer and reported, never run; SQLite runs with trusted_schema=OFF; every stored value
carries a checksum, so a value changed outside Dossier Builder is named by `check` and restored from the
history; files of schema 2 gain checksums in one migration."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from dossier import dbfile
from dossier.dbfile import SCHEMA_VERSION, make_file, value_checksum
from dossier.store import Store

FIELD = "module1.letters.irb_name"


def raw(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path)
    with conn:
        for statement in statements:
            conn.execute(statement)
    conn.close()


def objects(path: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(path)
    try:
        query = "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite%' ORDER BY name"
        return conn.execute(query).fetchall()
    finally:
        conn.close()


@pytest.fixture
def demo(cli, tmp_path) -> Path:
    path = tmp_path / "case.dossier"
    assert cli("demo", path).code == 0
    return path


def test_a_trigger_that_eats_the_audit_log_never_runs(cli, demo):
    ours = objects(demo)
    raw(demo, "CREATE TRIGGER eat_audit AFTER INSERT ON audit BEGIN DELETE FROM audit WHERE id = new.id; END")
    read = cli("get", demo, FIELD)
    assert read.code == 0 and "trigger eat_audit" in read.err and "ignores them" in read.err
    saved = cli("set", demo, FIELD, "Central IRB")
    assert saved.code == 0 and "saved" in saved.out
    assert "note:" in saved.err and "trigger eat_audit" in saved.err and "removed them" in saved.err
    assert "Central IRB" in cli("history", demo, FIELD).out
    assert objects(demo) == ours
    assert cli("set", demo, FIELD, "Other IRB").err == ""  # reported once: it is gone


def test_views_tables_and_indexes_added_elsewhere_are_removed_by_the_next_writer(cli, demo):
    ours = objects(demo)
    raw(demo, "CREATE TABLE extra(x)", "CREATE VIEW peek AS SELECT * FROM meta", "CREATE INDEX by_value ON meta(value)")
    saved = cli("set", demo, FIELD, "Central IRB")
    assert saved.code == 0 and all(o in saved.err for o in ("table extra", "view peek", "index by_value"))
    assert objects(demo) == ours


def test_a_view_in_place_of_a_table_is_named_in_one_line(cli, demo):
    raw(demo, "ALTER TABLE field_values RENAME TO old_values", "CREATE VIEW field_values AS SELECT * FROM old_values")
    for command in (("get", demo, FIELD), ("set", demo, FIELD, "x"), ("check", demo)):
        result = cli(*command)
        assert result.code == 2 and "Traceback" not in result.err and result.err.count("\n") == 1
        assert "its table field_values is a view" in result.err


def test_sqlite_never_trusts_the_schema(demo):
    for read_only in (True, False):
        with Store.open(demo, read_only=read_only) as store:
            assert store._query("PRAGMA trusted_schema") == [(0,)]


def test_a_value_changed_outside_is_found_by_check_and_restored_from_the_history(cli, demo):
    assert cli("set", demo, FIELD, "Central IRB").code == 0
    assert cli("check", demo).code == 0
    raw(demo, f"UPDATE field_values SET value = '\"Central IRC\"' WHERE path = '{FIELD}'")  # one flipped bit
    found = cli("check", demo)
    assert found.code == 1
    assert f"ERROR   {FIELD}: the stored value was changed outside Dossier Builder" in found.out
    assert f"dossier restore {demo.name} {FIELD}" in found.out
    fixed = cli("restore", demo)
    assert fixed.code == 0 and f"{FIELD}: restored" in fixed.out
    assert cli("get", demo, FIELD).out == "Central IRB\n"
    assert cli("check", demo).code == 0
    assert "Central IRC" in cli("history", demo, FIELD).out  # the damaged text is on record
    assert "nothing to restore" in cli("restore", demo).out
    assert "matches its checksum; left as it is" in cli("restore", demo, FIELD).out


def test_a_schema_2_file_gains_checksums_in_one_migration(tmp_path):
    path = tmp_path / "old.dossier"
    make_file(path, "Old", upto=2)
    raw(path, "INSERT INTO field_values(path, value, updated_at, updated_by) VALUES ('a.b.c', '\"kept\"', 't', 'w')")
    with Store.open(path) as store:
        assert store.meta()["schema_version"] == SCHEMA_VERSION == 3
        assert store.get("a.b.c") == "kept" and store.damaged_values() == []
        assert store._query("SELECT checksum FROM field_values") == [(value_checksum("a.b.c", '"kept"'),)]


def test_a_failed_migration_leaves_the_file_as_it_was(tmp_path, monkeypatch):
    path = tmp_path / "old.dossier"
    make_file(path, "Old", upto=1)

    def broken(db):
        raise RuntimeError("power cut")

    monkeypatch.setattr(dbfile, "MIGRATIONS", dbfile.MIGRATIONS[:2] + [(3, broken)])
    with pytest.raises(RuntimeError, match="power cut"):
        Store.open(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone() == (1,)
    assert conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'submitted_sequences'").fetchall() == []
    conn.close()
