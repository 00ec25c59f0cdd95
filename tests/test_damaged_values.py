"""Values already in a dossier file that Dossier Builder could not have written (edited by another
program, damaged): every read names the field in one line, and clearing the field repairs it."""

import sqlite3
import subprocess
import sys

import pytest

from dossier.errors import DamagedFileError
from dossier.service import Dossier


def poke(path, field, text):
    """Write a stored value behind the program's back, as another SQLite tool would."""
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO field_values(path, value, updated_at, updated_by) VALUES (?, ?, 'now', 'x') "
                     "ON CONFLICT(path) DO UPDATE SET value = excluded.value", (field, text))
    conn.close()


@pytest.mark.parametrize("field, stored, problem", [
    ("product.design.dose", '{"value": 2.5, "unit": "mg"', "is not valid JSON"),
    ("product.design.dose", '"2.5 mg"', "text, not a number"),
    ("product.design.dose", '{"value": true}', "not a number"),
    ("product.design.sponsor", '["A"]', "a list, not a person"),
    ("product.design.studies", '[{"name": "S1", "colour": "red"}]', "row 1: unknown column colour"),
    ("product.design.studies", '[{"name": "S1", "dose": "5"}]', "row 1, dose: text, not a number"),
    ("product.design.studies", '{"name": "S1"}', "an object, not a list of rows"),
    ("genetic.variant.phenotype", '["HP:0001250"]', "not a list of HPO terms"),
    ("genetic.variant.gene", '"CLN\\u00003"', "U+0000 (NUL) at position 4"),
    ("genetic.variant.gene", "[" * 50_000, "is not valid JSON"),
])
def test_a_damaged_value_is_named_wherever_it_is_read(tmp_path, mini_model, field, stored, problem):
    path = tmp_path / "case.dossier"
    Dossier.create(path, "Case", model=mini_model).close()
    poke(path, field, stored)
    with Dossier.open(path, model=mini_model) as dossier:
        for read in (dossier.values, lambda: dossier.get(field), dossier.check):
            with pytest.raises(DamagedFileError) as caught:
                read()
            message = str(caught.value)
            assert field in message and problem in message and "\n" not in message, message
            assert f"dossier set case.dossier {field} ''" in message
        dossier.clear(field)
        assert dossier.values() == {}
        assert dossier.history(field)[-1].new is None  # the log still reads, the damaged value in it too


def test_the_command_line_reports_a_damaged_value_in_one_line(tmp_path):
    path = tmp_path / "case.dossier"
    run = lambda *args: subprocess.run([sys.executable, "-m", "dossier", *map(str, args)],  # noqa: E731
                                       capture_output=True, text=True)
    assert run("new", path, "--title", "T").returncode == 0
    poke(path, "clinical.dosing.maximum_dose", '{"value": "twenty"}')
    for args in (("check", path), ("get", path, "clinical.dosing.maximum_dose"), ("export", path, tmp_path / "out")):
        result = run(*args)
        assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
        assert result.stderr.count("\n") == 1 and "clinical.dosing.maximum_dose" in result.stderr
    assert run("set", path, "clinical.dosing.maximum_dose", "").returncode == 0
    assert run("check", path).returncode in (0, 1)
