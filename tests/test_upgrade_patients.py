"""Versions 5 and 6 of the content model keep patient-level data per arm: a version-4 dossier (file or text-form
folder) upgrades with every value kept, the phenotype section's values in the first arm, the weight and age
of dosing in the per-arm clinical.patient, and the age asked in three places joined into one field; a
different age is never dropped silently: the note names both values, the history and the backup keep it."""

from __future__ import annotations

import json

import pytest

from dossier.model import default_model
from dossier.service import Dossier
from dossier.textform import export_dossier, import_dossier
from dossier.upgrade import UPGRADE_ENTRY, VERSION_KEY, values_version
from tests.helpers.release1 import _fields_where_they_were, backups, contents, section, shipped_model_with

AGE, WEIGHT = "clinical.patient[0].age_at_first_dose", "clinical.patient[0].body_weight"
NOW = values_version(default_model())
YEARS = lambda n: {"value": n, "unit": "years"}  # noqa: E731


def version4(raw: dict) -> None:
    """The shipped model as version 4 had it: one phenotype section, the weight and age under dosing,
    the age also under study design and on Form 3926."""
    _fields_where_they_were(raw)
    del section(raw, "genetic.patient")["repeat"]


@pytest.fixture(scope="module")
def v4():
    return shipped_model_with(version4, "version4.yaml")


def v4_dossier(tmp_path, v4, **ages) -> tuple:
    values = {"genetic.patient.phenotype": [{"id": "HP:0000505", "label": "Visual impairment"}],
              "genetic.patient.onset_age": YEARS(6), "genetic.patient.current_status": "Ambulant.",
              "genetic.patient.patient_name": "Patient A (fictional)", "genetic.patient.record_number": "MRN-1",
              "clinical.dosing.body_weight": {"value": 24, "unit": "kg"},
              "clinical.design.patient_initials": "RCH-CLN3-01",
              "clinical.dosing.route": "Intrathecal bolus",
              **{f"{path.replace('__', '.')}": age for path, age in ages.items()}}
    path = tmp_path / "v4.dossier"
    with Dossier.create(path, "Version 4", model=v4) as d:
        assert d.store.get_setting(VERSION_KEY) == 4
        d.set_many(values)
    return path, contents(path).values


def test_a_version4_file_keeps_every_value_in_its_new_place(tmp_path, v4):
    path, before = v4_dossier(tmp_path, v4, clinical__dosing__patient_age=YEARS(9),
                              clinical__design__age_at_first_dose=YEARS(9))
    with Dossier.open(path) as d:
        assert d.get(WEIGHT) == {"value": 24, "unit": "kg"} and d.get(AGE) == YEARS(9)
        assert d.get("genetic.patient[0].patient_name") == "Patient A (fictional)"
        assert d.get("clinical.patient[0].study_id") == "RCH-CLN3-01"  # version 6: the study ID per arm too
        assert d.get("genetic.patient.onset_age") == YEARS(6)  # the one arm, off the master protocol
        assert not [n for n in d.notes if "held a different one" in n]  # the same age twice: only a copy
    after = contents(path).values
    for old, text in before.items():
        if old != "clinical.design.age_at_first_dose":
            assert text in after.values(), old  # byte for byte, somewhere
    assert after[AGE] == before["clinical.dosing.patient_age"]
    assert backups(tmp_path) == [f"v4.before-upgrade-{NOW}.dossier"]


def test_ages_that_differ_keep_the_dosing_age_and_name_the_other(tmp_path, v4):
    path, before = v4_dossier(tmp_path, v4, clinical__dosing__patient_age=YEARS(9),
                              module1__form_3926__patient_age=YEARS(10))
    with Dossier.open(path) as d:
        assert d.get(AGE) == YEARS(9)
        [note] = [n for n in d.notes if "held a different one" in n]
        assert "module1.form_3926.patient_age" in note and "10 years" in note and "9 years" in note
        assert f"v4.before-upgrade-{NOW}.dossier" in note
    after = contents(path)
    [entry] = [row for row in after.audit if row[3] == UPGRADE_ENTRY]
    logged = json.loads(entry[5])
    assert logged["differed"] == ["module1.form_3926.patient_age"]
    # the value set aside left its path as a cleared value does: the history keeps its text
    assert any(row[3] == "module1.form_3926.patient_age" and row[4] == before["module1.form_3926.patient_age"]
               and row[5] is None for row in after.audit)
    assert contents(tmp_path / f"v4.before-upgrade-{NOW}.dossier").values["module1.form_3926.patient_age"] == \
        before["module1.form_3926.patient_age"]


def test_only_the_form_3926_age_moves_when_it_is_the_one_given(tmp_path, v4):
    path, _ = v4_dossier(tmp_path, v4, module1__form_3926__patient_age=YEARS(10))
    with Dossier.open(path) as d:
        assert d.get(AGE) == YEARS(10) and not [n for n in d.notes if "held a different one" in n]


def test_a_version4_text_form_imports_into_the_new_places_with_the_same_note(tmp_path, v4):
    path, _ = v4_dossier(tmp_path, v4, clinical__dosing__patient_age=YEARS(9),
                         clinical__design__age_at_first_dose={"value": 110, "unit": "months"})
    with Dossier.open(path, model=v4) as d:
        export_dossier(d, tmp_path / "folder")
    notes: list[str] = []
    import_dossier(tmp_path / "folder", tmp_path / "imported.dossier", notes=notes)
    [note] = [n for n in notes if "held a different one" in n]
    assert "clinical.design.age_at_first_dose" in note and "110 months" in note
    with Dossier.open(tmp_path / "imported.dossier") as d:
        assert d.get(AGE) == YEARS(9) and d.get(WEIGHT) == {"value": 24, "unit": "kg"}
        assert d.get("genetic.patient[0].record_number") == "MRN-1"
        assert d.store.get_setting(VERSION_KEY) == NOW
