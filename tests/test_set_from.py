"""`dossier set FILE --from VALUES` and Dossier.set_many on real dossier files with the real content
model: many values in one transaction, or, when any is refused, nothing written and every refusal
listed with its line."""

import hashlib
import json

import pytest
import yaml

from dossier.errors import RefusedValuesError
from dossier.service import Dossier
from dossier.store import Store


@pytest.fixture(scope="module")
def demo_values(demo_master):
    """The demo dossier's values without attachment references (a fresh dossier holds no files)."""
    with Dossier.open(demo_master, read_only=True) as d:
        values = {p: v for p, v in d.values().items() if d.model.field(p).type != "attachment"}
        attachment_columns = {p: {c.id for c in d.field(p).columns if c.type == "attachment"} for p in values}
    return {p: [{k: v for k, v in row.items() if k not in attachment_columns[p]} for row in value]
            if d.model.field(p).type == "table" else value for p, value in values.items()}


def state(path):
    """Everything a refused run must leave as it was: the file's bytes, its values and its history."""
    with Dossier.open(path, read_only=True) as d:
        return hashlib.sha256(path.read_bytes()).hexdigest(), d.values(), d.history()


def write(tmp_path, text, name="values.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_150_values_are_set_in_one_transaction_with_one_history_entry_each(tmp_path, cli, fresh, demo_values,
                                                                         monkeypatch):
    cells = {f"clinical.natural_history.data[{i}].{column}": value
             for i, row in enumerate(demo_values["clinical.natural_history.data"]) for column, value in row.items()}
    whole = {p: v for p, v in demo_values.items() if p != "clinical.natural_history.data"}
    values = {**dict(list(whole.items())[: 150 - len(cells)]), **cells}
    assert len(values) == 150
    path = write(tmp_path, yaml.safe_dump(values, allow_unicode=True, sort_keys=False))
    transactions = []
    real = Store._transaction
    monkeypatch.setattr(Store, "_transaction", lambda self: transactions.append(1) or real(self))

    result = cli("set", fresh, "--from", path)

    assert result.code == 0, result.err
    assert len(transactions) == 1
    fields = [p for p in values if p not in cells] + ["clinical.natural_history.data"]
    assert result.out.splitlines()[-1].startswith(f"150 value(s) from values.yaml: {len(fields)} field(s) changed")
    with Dossier.open(fresh, read_only=True) as d:
        assert d.values() == {p: demo_values[p] for p in fields}
        assert sorted(e.field for e in d.history() if e.field != "title") == sorted(fields)
    again = cli("set", fresh, "--from", path)
    assert again.code == 0 and "0 field(s) changed" in again.out


def test_one_bad_value_among_many_writes_nothing_and_every_error_has_its_line(tmp_path, cli, fresh, demo_values):
    values = dict(list(demo_values.items())[:60])
    values["genetic.variant[0].hgvs"] = "NM_001042432.2 c.1056"
    values["genetic.variant[0].zygosity"] = "Tetrazygous"
    values["clinical.dosing.starting_dose"] = "5 mL"
    path = write(tmp_path, yaml.safe_dump(values, sort_keys=False))
    lines = path.read_text().splitlines()
    before = state(fresh)

    result = cli("set", fresh, "--from", path)

    assert result.code == 2 and state(fresh) == before
    errors = result.err.splitlines()
    for field in ("genetic.variant[0].hgvs", "genetic.variant[0].zygosity", "clinical.dosing.starting_dose"):
        line = next(i for i, text in enumerate(lines, 1) if text.startswith(field + ":"))
        assert any(e.startswith(f"values.yaml:{line}: {field}: ") for e in errors), (field, errors)
    assert "unit 'mL' (volume) does not fit here; units that fit: mg, µg (mass); mg/kg, µg/kg" in result.err
    assert "3 problem(s) in values.yaml; nothing was written" in errors[-1]


@pytest.mark.parametrize("text, expected", [
    ("module1.sponsor.duns: '123456789'\ngenetic.gene.symbl: CLN3\n",
     "values.yaml:2: genetic.gene.symbl: no such field in the content model "
     "(did you mean genetic.gene.symbol?); fields in genetic.gene:"),
    ("module1.sponsor.duns: '123456789'\ngenetic:\n  gene:\n    symbol: CLN3\n"
     "    nope: 1\n", "values.yaml:5: genetic.gene.nope: no such field"),
    ("module1.sponsor.duns: '123456789'\ncmc.product.stability_duration: 24 mg\n",
     "values.yaml:2: cmc.product.stability_duration: unit 'mg' (mass) does not fit here; units that fit: weeks, "
     "months, years (time)"),
    ("module1.sponsor.duns: '123456789'\ngenetic.variant[0].hgvs: [NM_001042432.2\n",
     "values.yaml:3: not valid YAML"),
    ("module1.sponsor.duns: '123456789'\nclinical.dosing.escalation[3].dose: 4 mg\n",
     "values.yaml:2: clinical.dosing.escalation[3].dose: row 3 does not exist: Dose escalation has 2 row(s), "
     "numbered 0 to 1; new rows take the numbers from 2 on"),
    ("clinical.dosing.escalation[1].dosage: 4 mg\n",
     "values.yaml:1: clinical.dosing.escalation[1].dosage: Dose escalation has no column 'dosage'; its columns are"),
    ("module1.letters.letters_of_authorization: coa.pdf\n",
     "values.yaml:1: module1.letters.letters_of_authorization: no attachment named 'coa.pdf' in this dossier; "
     "attach the file first"),
    ("module1.letters.letters_of_authorization: scans/coa.pdf\n",
     "values.yaml:1: module1.letters.letters_of_authorization: 'scans/coa.pdf' is not an attachment name; "
     "attach files with `dossier attach`"),
])
def test_bad_input_exits_2_names_the_line_and_writes_nothing(tmp_path, cli, fresh, text, expected):
    escalation = [{"step": "1", "dose": "2 mg"}, {"step": "2", "dose": "3 mg"}]
    assert cli("set", fresh, "clinical.dosing.escalation", json.dumps(escalation)).code == 0
    before = state(fresh)

    result = cli("set", fresh, "--from", write(tmp_path, text))

    assert result.code == 2 and expected in result.err, result.err
    assert "nothing was written" in result.err and state(fresh) == before


def test_cells_change_existing_rows_add_the_next_ones_and_clear(tmp_path, cli, fresh):
    escalation = [{"step": "1", "dose": "2 mg", "timing": "week 0"}, {"step": "2", "dose": "3 mg"}]
    assert cli("set", fresh, "clinical.dosing.escalation", json.dumps(escalation)).code == 0
    path = write(tmp_path, """\
clinical.dosing.escalation[0].timing:
clinical.dosing.escalation[1].dose: 4 MG
clinical.dosing:
  escalation[2]: {step: "3", dose: 6 mg}
  escalation[3].step: "4"
""")
    result = cli("set", fresh, "--from", path)
    assert result.code == 0, result.err
    assert "clinical.dosing.escalation: saved" in result.out
    with Dossier.open(fresh, read_only=True) as d:
        assert d.get("clinical.dosing.escalation") == [
            {"step": "1", "dose": {"value": 2, "unit": "mg"}}, {"step": "2", "dose": {"value": 4, "unit": "mg"}},
            {"step": "3", "dose": {"value": 6, "unit": "mg"}}, {"step": "4"}]
        assert len(d.history("clinical.dosing.escalation")) == 2


def test_a_stored_attachment_may_be_named_in_a_cell(tmp_path, cli, demo_file):
    demo = demo_file
    with Dossier.open(demo, read_only=True) as d:
        stored = d.get("nonclinical.pharmacology.studies")[0]["report"]
    path = write(tmp_path, f"nonclinical.pharmacology.studies[1].report: {stored}\n"
                           f"nonclinical.pharmacology.studies[0].report: missing.pdf\n")
    refused = cli("set", demo, "--from", path)
    assert refused.code == 2 and "values.yaml:2: nonclinical.pharmacology.studies" in refused.err
    assert "no attachment named 'missing.pdf'" in refused.err
    path.write_text(f"nonclinical.pharmacology.studies[1].report: {stored}\n")
    assert cli("set", demo, "--from", path).code == 0


def test_a_json_values_file_and_an_empty_value_that_clears(tmp_path, cli, fresh):
    assert cli("set", fresh, "genetic.patient.current_status", "old").code == 0
    values = {"genetic": {"variant": [{"arm": "Arm 1", "hgvs": "NM_001042432.2:c.1056+34C>A"}],
                          "patient": {"current_status": None}},
              "clinical.dosing.starting_dose": {"value": 2.5, "unit": "mg"}, "nonclinical.design[0].length": "18 nt"}
    path = write(tmp_path, json.dumps(values, indent=2), "values.json")
    assert cli("set", fresh, "--from", path).code == 0
    with Dossier.open(fresh, read_only=True) as d:
        assert d.get("genetic.patient.current_status") is None
        assert d.get("clinical.dosing.starting_dose") == {"value": 2.5, "unit": "mg"}
    path.write_text('{\n  "nonclinical.design[0].length": "18 mm"\n}\n')
    refused = cli("set", fresh, "--from", path)
    assert refused.code == 2
    assert ("values.json:2: nonclinical.design[0].length: unit 'mm' is not a unit this program knows; "
            "units that fit: nt (nucleotides)") in refused.err


def test_set_takes_one_form_or_the_other(tmp_path, cli, fresh):
    path = write(tmp_path, "module1.sponsor.duns: '123456789'\n")
    before = state(fresh)
    for args in (("module1.sponsor.duns", "1", "--from", path), ("--from", path, "module1.sponsor.duns", "1")):
        result = cli("set", fresh, *args)
        assert result.code == 2 and "not both" in result.err and "dossier set FILE --from VALUES.yaml" in result.err
    missing = cli("set", fresh, "module1.sponsor.duns")
    assert missing.code == 2 and "give the field and its value" in missing.err
    assert state(fresh) == before
    assert cli("set", fresh, "--from", tmp_path / "none.yaml").code == 2


def test_set_many_lists_every_refusal_and_stores_nothing(tmp_path):
    with Dossier.create(tmp_path / "c.dossier", "Case") as d:
        with pytest.raises(RefusedValuesError) as refused:
            d.set_many({"genetic.variant[0].arm": "Arm 1", "genetic.variant[0].hgvs": "nonsense",
                        "module1.sponsor.duns": "123456789",
                        "genetic.variant[0].nope": "x", "clinical.dosing.escalation": [{"dose": "1 g"}],
                        "clinical.dosing.escalation[0].step": "1"})
        assert [e.field for e in refused.value.errors] == [
            "genetic.variant[0].hgvs", "genetic.variant[0].nope", "clinical.dosing.escalation[0].dose",
            "clinical.dosing.escalation"]
        assert "4 value(s) refused, so nothing was saved" in str(refused.value)
        assert d.values() == {} and [e.field for e in d.history()] == []
        assert d.set_many({"module1.sponsor.duns": "123456789", "genetic.patient.current_status": None}) == \
            ["module1.sponsor.duns"]
