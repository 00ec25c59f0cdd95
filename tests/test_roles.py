"""Roles in the content model: read, checked against the model's fields, and used by the code that
once spelled field paths (the page header, Module 1, keyed headings, attachment homes, figures)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from dossier.ectd.admin import module1
from dossier.errors import DossierError, ModelError
from dossier.model import load_model
from dossier.model_reader import parse_model
from dossier.paths import content_model_path
from dossier.render import templating
from dossier.render.document import RenderInput, header_text

SOURCE = Path("content_model.yaml")


@pytest.fixture(scope="module")
def shipped_raw() -> dict:
    return yaml.safe_load(content_model_path().read_text(encoding="utf-8"))


def refused(raw: dict, change) -> str:
    raw = copy.deepcopy(raw)
    change(raw["roles"])
    with pytest.raises(ModelError) as err:
        parse_model(raw, SOURCE)
    return str(err.value)


def test_the_shipped_model_declares_what_code_needs():
    roles = load_model().roles
    assert roles.header == {"sponsor": "module1.sponsor.sponsor", "product": "module1.product.product_name",
                            "ind_number": "module1.application.ind_number"}
    assert roles.fields("sponsor") == ("module1.sponsor.sponsor", "module1.sponsor.sponsor_investigator")
    assert roles.keyed_fields("m3-2-p-4", "manufacturer")[0] == "cmc.product.manufacturer"
    assert roles.keyed_fields("m3-2-s-1", "manufacturer")[0] == "cmc.substance.manufacturer"
    assert roles.attachments["cmc.batches.batches.coa"].heading == "m3-2-p-5-4"
    chart = roles.figures["natural-history"]
    assert chart.series == ("Patient", "External control") and chart.highlight == "Patient"
    assert chart.columns == {"x": "age", "y": "value", "chart": "measure", "series": "group"}


@pytest.mark.parametrize("change, place, reason", [
    (lambda r: r["module1"].update(ind_number="module1.application.ind_numbr"),
     "roles.module1.ind_number", "refers to unknown field 'module1.application.ind_numbr'"),
    (lambda r: r["module1"].update(sponsor=["module1.sponsor.sponsor", "module1.nope.sponsor"]),
     "roles.module1.sponsor", "refers to unknown field 'module1.nope.sponsor'"),
    (lambda r: r["header"].update(product="module1.product.product_name[0]"),
     "roles.header.product", "refers to unknown field 'module1.product.product_name[0]'"),
    (lambda r: r["module1"].update(duns="module1.sponsor.sponsor"),
     "roles.module1.duns", "'module1.sponsor.sponsor' is a person field; this role needs text"),
    (lambda r: r["module1"].update(ind_nummer="module1.application.ind_number"),
     "roles.module1", "unknown key(s) ind_nummer"),
    (lambda r: r["keyed_headings"]["*"].update(dosageform="cmc.product.dosage_form"),
     "roles.keyed_headings.*.dosageform", "refers to unknown field 'cmc.product.dosage_form'"),
    (lambda r: r["figures"]["natural-history"].update(highlight="The patient"),
     "roles.figures.natural-history.highlight",
     "'The patient' is not a choice of group (choices: Patient, External control)"),
    (lambda r: r["figures"]["natural-history"].update(series="measure"),
     "roles.figures.natural-history.series", "column 'measure' of clinical.natural_history.data is a text column"),
    (lambda r: r["figures"]["timeline"].update(date="due"),
     "roles.figures.timeline.date", "'due' is not a column of table confirmatory.evidence.milestones"),
    (lambda r: r["figures"].update(pie={"table": "confirmatory.evidence.milestones"}),
     "roles.figures.pie", "unknown figure kind"),
    (lambda r: r["attachments"]["nonclinical.pharmacology.studies.report"]["heading_by"]["rules"][0].update(
        when="Safety pharmacology"),
     "roles.attachments.nonclinical.pharmacology.studies.report.heading_by.rules[0]",
     "'Safety pharmacology' is not a choice of purpose"),
    (lambda r: r["attachments"]["nonclinical.pharmacology.studies.report"].update(study="study_name"),
     "roles.attachments.nonclinical.pharmacology.studies.report.study",
     "'study_name' is not a column of table nonclinical.pharmacology.studies"),
    (lambda r: r["attachments"].update({"cmc.batches.batches.batch": {"heading": "m3", "folder": "m3", "title": "x"}}),
     "roles.attachments.cmc.batches.batches.batch", "column 'batch' of cmc.batches.batches is a text column"),
    (lambda r: r["attachments"].update({"module1.letters.nope": {"heading": "m1", "folder": "m1", "title": "x"}}),
     "roles.attachments.module1.letters.nope", "refers to unknown field 'module1.letters.nope'"),
    (lambda r: r["codes"]["module1.sponsor.contacts.role"].update({"US Agent": "fdaact3"}),
     "roles.codes.module1.sponsor.contacts.role.US Agent", "'US Agent' is not a choice of role"),
    (lambda r: r["codes"]["module1.submission.submission_subtype"].update(Amendment="amendment"),
     "roles.codes.module1.submission.submission_subtype.Amendment", "'amendment' is not an FDA code"),
    (lambda r: r["codes"].update({"module1.sponsor.contacts.name": {"x": "fdaact1"}}),
     "roles.codes.module1.sponsor.contacts.name", "column 'name' of module1.sponsor.contacts is a text column"),
])
def test_a_role_pointing_at_a_missing_field_or_choice_refuses_the_model(shipped_raw, change, place, reason):
    message = refused(shipped_raw, change)
    assert message.startswith(f"{SOURCE}: {place}: ")
    assert reason in message


def test_a_model_without_roles_loads_and_code_says_what_is_missing(shipped_raw):
    raw = copy.deepcopy(shipped_raw)
    del raw["roles"]
    model = parse_model(raw, SOURCE)
    assert not model.roles.header and not model.roles.fields("ind_number")
    inp = RenderInput("T", {"module1.sponsor.sponsor": {"organisation": "Acme"}})
    assert header_text(inp, model) == "Sponsor not yet provided · Product not yet provided · IND not yet assigned"
    with pytest.raises(DossierError, match=r"roles: module1: ind_number:"):
        module1(model.roles, {}, "0001", False, [])


def test_the_header_follows_its_roles(shipped_raw):
    raw = copy.deepcopy(shipped_raw)
    raw["roles"]["header"]["product"] = "cmc.product.name"
    model = parse_model(raw, SOURCE)
    inp = RenderInput("T", {"module1.sponsor.sponsor": {"organisation": "Acme"}, "cmc.product.name": "x injection",
                            "module1.product.product_name": "x", "module1.application.ind_number": "123456"})
    assert header_text(inp, model) == "Acme · x injection · IND 123456"
    assert "cmc.product.name" in templating.allowed_fields(model, model.document("cover-letter"))


def test_a_figure_gets_its_rows_by_part_and_its_series_from_the_model(demo_input):
    model = load_model()
    fields = templating.Fields(model, model.document("clinical-protocol"), demo_input.values)
    assert 'kind="natural-history"' in fields.figure("natural-history", "Figure 1.")
    data = fields.figure_data["natural-history"]
    assert data["series"] == ("Patient", "External control") and data["highlight"] == "Patient"
    assert data["labels"]["x"] == "Age (years)"
    assert {key for row in data["rows"] for key in row} == {"x", "y", "chart", "series"}
    with pytest.raises(DossierError, match="declares no 'pie' figure"):
        fields.figure("pie", "x")


def test_module1_codes_come_from_the_model(ectd_model):
    values = {"module1.sponsor.sponsor": {"organisation": "Acme", "name": "Dr. A", "role": "fdaact2"},
              "module1.application.ind_number": "123456", "module1.submission.submission_subtype": "Amendment",
              "module1.sponsor.contacts": [
                  {"role": "US agent", "name": "B", "phone": "1", "email": "b@x.org"},
                  {"role": "Technical", "name": "C", "phone": "2", "email": "c@x.org"},
                  {"name": "D", "phone": "3", "email": "d@x.org"}]}
    notes: list[str] = []
    facts = module1(ectd_model.roles, values, "0002", False, notes)
    assert [(c["name"], c["type"]) for c in facts.contacts] == [("B", "fdaact3"), ("C", "fdaact2"), ("D", "fdaact1")]
    assert facts.submission_sub_type == "fdasst4" and notes == []
    values["module1.submission.submission_subtype"] = "Resubmission"  # a choice the model gives no code
    facts = module1(ectd_model.roles, values, "0002", False, notes)
    assert facts.submission_sub_type == "fdasst4" and "the dossier says 'Resubmission'" in notes[0]
    del values["module1.sponsor.contacts"]  # the sponsor stands in, its role written as a code
    assert [(c["name"], c["type"]) for c in module1(ectd_model.roles, values, "0002", True, []).contacts] == \
        [("Dr. A", "fdaact2")]


@pytest.mark.parametrize("change, place, reason", [
    (lambda r: r["evidence"]["phenopacket"].update(onset="genetic.patient.date_of_birth"),
     "roles.evidence.phenopacket.onset", "holds protected health information; a shared export never reads it"),
    (lambda r: r["evidence"]["natural_history"].update(group="Patient"),
     "roles.evidence.natural_history.group", "'Patient' is not one of the figure's other series"),
    (lambda r: r["evidence"]["natural_history"].update(age_unit="mg"),
     "roles.evidence.natural_history.age_unit", "'mg' is not a unit of time"),
    (lambda r: r["evidence"]["natural_history"].update(subject="clinical.natural_history.measures.instrument"),
     "roles.evidence.natural_history.subject", "must be a column of the figure's table"),
    (lambda r: r["evidence"]["terms"]["genetic.variant.zygosity"].update(Mosaic="GENO:0000539 mosaic"),
     "roles.evidence.terms.genetic.variant.zygosity.Mosaic", "'Mosaic' is not a choice"),
])
def test_evidence_roles_are_checked_against_the_model(shipped_raw, change, place, reason):
    message = refused(shipped_raw, change)
    assert f"{place}: " in message and reason in message
