"""PHI outside its own fields: a name, a date of birth (in any common written form) or a record number
pasted into another field is flagged there without echoing it, and `export --without-phi` refuses to
write a copy while it is there; once removed, the copy holds none of it, not even in its history."""

from __future__ import annotations

import pytest

from dossier.model import default_model
from dossier.readiness import check_dossier
from tests.helpers.demo import with_values
from tests.test_phi import _everything

NAME, DOB, MRN = "genetic.patient.patient_name", "genetic.patient.date_of_birth", "genetic.patient.record_number"


def phi_findings(inp, **changes):
    inp = with_values(inp, **changes)
    report = check_dossier(default_model(), inp.values, [a["name"] for a in inp.attachments])
    return [f for f in report.findings if f.check == "phi-in-free-text"]


def test_the_demo_has_no_phi_outside_its_fields(demo_input):
    assert phi_findings(demo_input) == []


@pytest.mark.parametrize("written", ["14 March 2017", "March 14, 2017", "14/03/2017", "3/14/17", "2017-03-14",
                                     "14th of Mar. 2017", "20170314", "14.03.2017"])
def test_a_date_of_birth_in_any_common_form_is_found(demo_input, written):
    [f] = phi_findings(demo_input, clinical__safety__monitoring=f"Labs weekly; born {written}, so dose by age.")
    assert f.field == "clinical.safety.monitoring" and f.severity == "error"
    assert f"Date of birth ({DOB}) appears in this field" in f.message and written not in f.message


@pytest.mark.parametrize("written", ["Jane Zebediah", "ZEBEDIAH, Jane", "the Zebediah family"])
def test_a_name_is_found_without_being_echoed(demo_input, written):
    found = phi_findings(demo_input, genetic__patient__patient_name="Jane Zebediah",
                         clinical__dosing__procedures=f"Sedation as agreed with {written}.")
    assert [(f.field, f.check) for f in found] == [("clinical.dosing.procedures", "phi-in-free-text")]
    assert f"Patient name ({NAME}) appears in this field" in found[0].message and "Zebediah" not in found[0].message


def test_a_record_number_in_a_table_cell_points_at_the_cell(demo_input):
    rows = [dict(r) for r in demo_input.values["clinical.investigators.investigators"]]
    rows[0]["site"] = "Riverside (chart mrn 000000)"
    [f] = phi_findings(demo_input, clinical__investigators__investigators=rows)
    assert f.field == "clinical.investigators.investigators[0].site" and f"({MRN})" in f.message


def test_words_that_only_resemble_phi_are_not_flagged(demo_input):
    text = "Labs on 15 March 2017-style schedules; Jane Austen's novel."
    found = phi_findings(demo_input, genetic__patient__patient_name="Jane Zebediah", clinical__safety__monitoring=text)
    assert found == []


def test_export_without_phi_refuses_then_ships_none_of_it(cli, tmp_path):
    path = tmp_path / "case.dossier"
    assert cli("demo", path).code == 0
    assert cli("set", path, NAME, "Jane Zebediah").code == 0
    monitoring = cli("get", path, "clinical.safety.monitoring").out.strip()
    assert cli("set", path, "clinical.safety.monitoring", monitoring + " Call Jane Zebediah's parents.").code == 0
    refused = cli("export", path, tmp_path / "shared", "--without-phi")
    assert refused.code != 0 and "PHI appears outside its own fields, in clinical.safety.monitoring" in refused.err
    assert "Zebediah" not in refused.err and not (tmp_path / "shared").exists()
    assert cli("set", path, "clinical.safety.monitoring", monitoring).code == 0
    assert cli("set", path, NAME, "Patient B").code == 0  # the earlier name stays PHI in the history
    shared = cli("export", path, tmp_path / "shared", "--without-phi")
    assert shared.code == 0, shared.err
    assert b"Zebediah" not in _everything(tmp_path / "shared")
    assert cli("export", path, tmp_path / "full").code == 0  # the full copy keeps the history as it is
    assert b"Zebediah" in _everything(tmp_path / "full")


def test_an_earlier_name_written_elsewhere_is_refused(cli, tmp_path):
    path = tmp_path / "case.dossier"
    assert cli("demo", path).code == 0
    assert cli("set", path, NAME, "Jane Zebediah").code == 0
    assert cli("set", path, "clinical.dosing.premedication", "Ask Zebediah about allergies").code == 0
    assert cli("set", path, NAME, "Patient B").code == 0
    refused = cli("export", path, tmp_path / "shared", "--without-phi")
    assert refused.code != 0 and "clinical.dosing.premedication" in refused.err
