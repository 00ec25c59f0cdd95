"""Patient-level data per arm (content model v5): on the master-protocol path each arm has its own patient
(phenotype, status, identifiers) and its own weight and age for dosing, so the dose checks run per arm with
that arm's numbers and name the arm; the documents list each arm's patient, the phenopackets carry each
arm's phenotype, and no protected health information leaves the file."""

from __future__ import annotations

import pytest
from docx import Document as Docx
from google.protobuf.json_format import Parse
from phenopackets import Phenopacket

from dossier.fieldpath import model_path
from dossier.service import Dossier

pytest_plugins = ["tests.helpers.cli"]

ARM1, ARM2 = "Arm 1: c.1056+34C>A", "Arm 2: c.790+139G>A"
WEIGHT, AGE = "clinical.patient[{}].body_weight", "clinical.patient[{}].age_at_first_dose"


@pytest.fixture
def platform(tmp_path, cli):
    path = tmp_path / "p.dossier"
    assert cli("demo", path, "--case", "aso-platform").code == 0
    return path


def by_arm(report, check: str) -> dict[str, float]:
    """The value a check measured, per arm it named."""
    return {m.instance: m.value for m in report.measures if m.check == check}


def test_each_arms_endotoxin_per_kg_is_worked_out_with_its_own_weight(platform):
    with Dossier.open(platform, read_only=True) as d:
        assert (d.get(WEIGHT.format(0)), d.get(WEIGHT.format(1))) == ({"value": 24, "unit": "kg"},
                                                                      {"value": 21.5, "unit": "kg"})
        measured = by_arm(d.check(), "endotoxin-dose-product")
    assert measured == {ARM1: pytest.approx(4.2 / 24), ARM2: pytest.approx(4.2 / 21.5)}


def test_an_arms_younger_patient_gets_its_own_smaller_dose_margin(platform):
    """Intrathecal: the human-equivalent dose scales by the CSF volume of the patient's age (108 mL from 2
    to 3 years of age, 130 mL from 3 on): arm 2's child of 2 years has a margin of its own, arm 1's is kept."""
    with Dossier.open(platform) as d:
        before = by_arm(d.check(), "dose-margin")
        d.set(AGE.format(1), "2 years")
        after = by_arm(d.check(), "dose-margin")
    assert before[ARM1] == before[ARM2] == pytest.approx(520 / 42)
    assert after == {ARM1: pytest.approx(520 / 42), ARM2: pytest.approx(432 / 42)}


def test_dose_margins_differ_by_arm_when_the_weights_differ(tmp_path, cli):
    """A fixed dose against a NOAEL per kg (body-surface-area scaling): the heavier patient's
    human-equivalent dose is larger, so the same maximum dose leaves it a wider margin."""
    path = tmp_path / "e.dossier"
    cli("demo", path, "--case", "base-editor")
    with Dossier.open(path) as d:
        d.set_many({"module1.application.path": "Master protocol", "clinical.design.design": "Master protocol arm",
                    "clinical.dosing.maximum_dose": "2 mg", "genetic.variant[0].arm": "Arm A"})
        d.add_instance("arms", "Arm B")
        d.set(WEIGHT.format(1), "14.4 kg")
        margins = by_arm(d.check(), "dose-margin")
        weights = [d.get(WEIGHT.format(i))["value"] for i in (0, 1)]
    assert set(margins) == {"Arm A", "Arm B"} and margins["Arm A"] != margins["Arm B"]
    assert margins["Arm B"] / margins["Arm A"] == pytest.approx(weights[1] / weights[0])


def test_an_arm_without_a_weight_says_it_cannot_be_checked_and_which_arm(platform):
    with Dossier.open(platform) as d:
        d.clear(WEIGHT.format(1))
        findings = d.check().findings
    cannot = {f.check: f.message for f in findings if f.field == WEIGHT.format(1)}
    # the drug product's limit per arm; arm 2's drug substance (made for it) by its own name
    assert cannot["endotoxin-dose-product"].startswith(f"{ARM2}: Cannot check the endotoxin dose: fill in Body weight")
    assert cannot["endotoxin-dose"].startswith("CLN3-ASO-02 sodium: Cannot check the endotoxin dose")
    assert not [f for f in findings if "[0]" in f.field or f.message.startswith(ARM1)]


def test_one_arms_patient_named_in_another_arms_text_is_found_and_says_whose(platform):
    """The PHI check reads the whole dossier at once: arm 1's patient's name in arm 2's status, and arm 2's
    record number in a shared field, are found, each naming the arm the PHI belongs to, never the value."""
    with Dossier.open(platform) as d:
        name, mrn = d.get("genetic.patient[0].patient_name"), d.get("genetic.patient[1].record_number")
        d.set("genetic.patient[1].current_status", f"Seven-year-old, cousin of {name.split(' (')[0]}.")
        d.set("clinical.dosing.procedures", f"Lumbar puncture (chart {mrn.split(' (')[0]}).")
        found = {f.field: f.message for f in d.check().findings if f.check == "phi-in-free-text"}
    assert set(found) == {"genetic.patient[1].current_status", "clinical.dosing.procedures"}
    assert f"(genetic.patient.patient_name of arm '{ARM1}') appears" in found["genetic.patient[1].current_status"]
    assert f"(genetic.patient.record_number of arm '{ARM2}') appears" in found["clinical.dosing.procedures"]
    assert not [m for m in found.values() if name.split(" (")[0] in m or mrn.split(" (")[0] in m]


def test_the_documents_give_each_arm_its_own_patient_and_no_phi(tmp_path, cli, platform):
    result = cli("render", platform, "--out", tmp_path / "docs", "--format", "docx")
    assert result.code == 0, result.err
    text = {p.name: _text(p) for p in (tmp_path / "docs").glob("*.docx")}
    protocol = text["clinical-protocol.docx"]
    assert "Vacuolated lymphocytes" in protocol and "Mental deterioration" in protocol  # arm 2's phenotype, arm 1's
    assert "21.5 kg" in protocol and "24 kg" in protocol and ARM2 in protocol
    [arm2] = [t for name, t in text.items() if name.startswith("genetic-rationale-arm-2")]
    [arm1] = [t for name, t in text.items() if name.startswith("genetic-rationale-arm-1")]
    assert "Vacuolated lymphocytes" in arm2 and "Mental deterioration" not in arm2
    assert "Mental deterioration" in arm1 and "Vacuolated lymphocytes" not in arm1
    secrets = phi_values(platform)
    assert any("Patient C" in s for s in secrets)
    for name, body in text.items():
        for secret in secrets:
            assert secret.casefold() not in body.casefold(), (name, secret)


def test_each_arms_phenopacket_carries_its_own_patient_and_no_phi(tmp_path, cli, platform):
    assert cli("export-phenopackets", platform, tmp_path / "out").code == 0
    texts = [p.read_text(encoding="utf-8") for p in sorted((tmp_path / "out").iterdir())]
    packets = [Parse(t, Phenopacket()) for t in texts]
    phenotypes = {tuple(f.type.id for f in p.phenotypic_features) for p in packets}
    with Dossier.open(platform, read_only=True) as d:
        wanted = {tuple(t["id"] for t in d.get(f"genetic.patient[{i}].phenotype")) for i in (0, 1)}
        onsets = {f"P{d.get(f'genetic.patient[{i}].onset_age')['value']}Y" for i in (0, 1)}
        hgvs = {d.get(f"genetic.variant[{i}].hgvs") for i in (0, 1)}
    assert len(packets) == 2 and phenotypes == wanted and len(wanted) == 2
    assert {p.diseases[0].onset.age.iso8601duration for p in packets} == onsets
    assert {p.interpretations[0].diagnosis.genomic_interpretations[0].variant_interpretation
            .variation_descriptor.expressions[0].value for p in packets} == hgvs
    for text in texts:
        for secret in phi_values(platform):
            assert secret.casefold() not in text.casefold(), secret


def test_an_arm_without_a_phenotype_is_named_and_no_phenopacket_is_written(tmp_path, cli, platform):
    with Dossier.open(platform) as d:
        d.clear("genetic.patient[1].phenotype")
    result = cli("export-phenopackets", platform, tmp_path / "out")
    assert result.code == 2 and f"p.dossier, arm '{ARM2}', has no phenotype" in result.err
    assert not (tmp_path / "out").exists()  # not even arm 1's


def phi_values(path) -> list[str]:
    """Every filled value of a field marked phi, in every arm (a date as written)."""
    with Dossier.open(path, read_only=True) as d:
        found = [str(v) for p, v in d.values().items() if d.model.fields[model_path(p)].phi]
    assert any("Patient C" in v for v in found) and len(found) >= 6  # both arms' patients, and more
    return found


def _text(path) -> str:
    doc = Docx(str(path))
    return "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells])
