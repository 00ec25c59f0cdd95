"""The drug class (modality) and the regulatory path decide what applies: the review centre and its
address, the forms, the fields, their help and sources, the documents and the checks. Each modality
and each path is a real dossier (the demo with edits) that checks clean, renders and names the right
centre; switching keeps every stored value byte for byte."""

from __future__ import annotations

import re
import sqlite3

import pytest

from dossier.cases import make_case
from dossier.conditions import Applicability
from dossier.fieldpath import model_path
from dossier.model import default_model
from dossier.render.templating import render_markup
from dossier.service import Dossier

PATH = "module1.application.path"
CLASS = "module1.product.drug_class"
EA = "Single-patient expanded access (Form FDA 3926)"
MARKETING = "Marketing application (BLA or NDA)"
CDER = "Center for Drug Evaluation and Research"
CBER = "Center for Biologics Evaluation and Research"

# The demo (an intrathecal splice-switching ASO for CLN3 disease) turned into each other modality: the
# fields that modality asks for, on today's single drug substance; a gene therapy is human gene
# transfer (the drug class decides it), which an institutional biosafety committee reviews.
IBC = {"module1.letters.ibc_name": "Riverside Children's Hospital IBC (fictional)",
       "module1.letters.ibc_status": "Approved"}
SIRNA = {
    CLASS: "siRNA", "cmc.substance[0].kind": "siRNA duplex",
    "nonclinical.design[0].passenger_sequence": "5'-AGCUUCUCCAUGGUCAGCCUGA-3'",
}
PRIME_EDITOR = {
    CLASS: "Prime editor", "cmc.substance[0].kind": "Guide RNA",
    "cmc.substance[0].sequence": "GGCUCUGCCAGGUCCUCACCGUUUUAGAGCUAGAAAUAGCAAGUUAAAAUAAGGC",
    # the ASO's formula and weight are not the guide's (the RNA weight check would say so)
    "cmc.substance[0].molecular_formula": None, "cmc.substance[0].molecular_weight": None,
    "nonclinical.design[0].editor": "Prime editor 2 (Cas9 H840A nickase fused to an engineered reverse transcriptase)",
    "nonclinical.design[0].cas_variant": "SpCas9",
    # on the demo's target (sense strand, positions 20–39, PAM AGG): the variant at 44 lies 8 nt after the nick
    "nonclinical.design[0].guide_rna": "GGCUCUGCCAGGUCCUCACC",
    "nonclinical.design[0].pam": "AGG",
    "nonclinical.design[0].edit_design": "pegRNA primer-binding site 13 nt, RT template 16 nt writing c.1056+34A>C",
    "nonclinical.offtarget.editing_off_target": "CHANGE-seq on the patient's genomic DNA nominated 41 sites.",
    "nonclinical.offtarget.candidate_confirmation": "Amplicon sequencing of the 41 sites in edited patient "
                                                   "fibroblasts at 10,000x: no edit above background.",
    "nonclinical.offtarget.structural_variants": "Long-read sequencing at the target found no large deletion; "
                                                 "no LNP-delivered DNA; gonads not reached in mice.",
    "nonclinical.toxicology.immunogenicity": "Anti-Cas9 antibodies and T cells measured before and after dosing.",
    "confirmatory.followup.ltfu_duration": "15 years", **IBC,
}
AAV = {
    CLASS: "AAV gene therapy", "cmc.substance[0].kind": "AAV vector",
    "nonclinical.design[0].vector":
        "AAV9 capsid; MeCP2 promoter; codon-optimized human CLN3 cDNA; bGH poly(A); 4.1 kb.",
    "cmc.substance[0].capsid": "AAV9", "cmc.substance[0].titer": "2.1e13 vg/mL",
    "cmc.substance[0].empty_full": "At least 70 % full capsids by analytical ultracentrifugation",
    "cmc.substance[0].potency_assay": "CLN3 protein expression in transduced HEK293 cells, 50–200 % of reference.",
    "nonclinical.offtarget.structural_variants": "Integration sites in mouse liver and brain by LAM-PCR.",
    "nonclinical.toxicology.immunogenicity": "Antibodies to AAV9 and T cells against the capsid and CLN3.",
    "clinical.design.capsid_antibodies": "Total antibodies to AAV9 below 1:50 before dosing.",
    "clinical.safety.shedding": "Vector genomes in saliva, urine and stool by qPCR until three negatives.",
    "confirmatory.followup.ltfu_duration": "5 years", **IBC,
}
MODALITIES = {"aso": ({}, CDER), "sirna": (SIRNA, CDER), "prime-editor": (PRIME_EDITOR, CBER), "aav": (AAV, CBER)}
MARKETING_VALUES = {
    PATH: MARKETING, "module1.marketing.application_kind": "NDA",
    "module1.marketing.approval_pathway": "Accelerated approval",
    "module1.marketing.surrogate_endpoint": "CLN3 splice correction in blood",
    "module1.marketing.surrogate_justification": "Correct splicing restores CLN3 protein in patient neurons.",
    "clinical.results.patients_treated": "1",
    "clinical.results.te_observed": "Splice correction rose from 0 % to 61 % at month 6.",
    "clinical.results.course_observed": "Hamburg score stable for 18 months against a decline of 1 point a year.",
}
PATHS = {"individualized-ind": "aso", "expanded-access": "aso-expanded-access",
         "master-protocol": "aso-master-protocol"}


def _dossier(tmp_path, case: str = "aso", edits: dict | None = None) -> Dossier:
    path = tmp_path / f"{case}.dossier"
    make_case(case, path)
    dossier = Dossier.open(path)
    if edits:
        dossier.set_many(edits)
    return dossier


def _text(model, values: dict) -> dict[str, str]:
    """Each applying document's rendered text (its markup without tags), by document id."""
    ap = Applicability(model, values)
    texts = {}
    for document in model.documents:
        if ap.document(document):
            markup, _ = render_markup(model, document, values)
            texts[document.id] = re.sub(r"<[^>]+>", " ", markup)
    return texts


def _other_modality_labels(model, values: dict) -> set[str]:
    """Labels of the fields the drug class (or the kind of drug substance) hides in this dossier, except
    those an applying field shares: the wording of another modality."""
    ap = Applicability(model, values)
    deciding = {CLASS, "cmc.substance.kind"}
    hidden = {f.label for p, f in model.fields.items()
              if not ap.field(p) and model.conditions.inputs.get(p, frozenset()) & deciding}
    return hidden - {f.label for p, f in model.fields.items() if ap.field(p)}


@pytest.mark.parametrize("name", MODALITIES)
def test_each_modality_checks_clean_and_its_documents_name_its_centre(tmp_path, name):
    edits, centre = MODALITIES[name]
    with _dossier(tmp_path, edits=edits) as d:
        report, values, model = d.check(), d.values(), d.model
    assert [f"{f.field}: {f.message}" for f in report.findings if f.severity == "error"] == []
    texts = _text(model, values)
    other = CBER if centre == CDER else CDER
    assert centre in texts["cover-letter"] and centre in texts["form-1571"]
    assert not any(other in text for text in texts.values()), name
    address = Applicability(model, values).center().address
    assert all(line in texts["cover-letter"] for line in address)
    foreign = _other_modality_labels(model, values)
    assert foreign, "another modality always has fields of its own"
    leaks = {(doc, label) for doc, text in texts.items() for label in foreign if label in text}
    assert leaks == set(), f"{name}: another modality's wording in the documents"


def test_the_centre_and_its_address_are_data_of_the_model_not_of_a_template():
    from dossier.paths import templates_dir

    model = default_model()
    for centre in model.centers:
        for line in centre.address:
            if any(ch.isdigit() for ch in line):  # street and town lines
                assert not any(line in p.read_text(encoding="utf-8") for p in templates_dir().glob("*.j2"))
        assert centre.source.startswith("FDA, ")
    by_class = {c: Applicability(model, {CLASS: c}).center().abbreviation
                for c in ("Antisense oligonucleotide", "siRNA", "Base editor", "Prime editor",
                          "Nuclease genome editor", "AAV gene therapy")}
    assert by_class == {"Antisense oligonucleotide": "CDER", "siRNA": "CDER", "Base editor": "CBER",
                        "Prime editor": "CBER", "Nuclease genome editor": "CBER", "AAV gene therapy": "CBER"}
    assert Applicability(model, {CLASS: "Other"}).center() is None
    assert Applicability(model, {CLASS: "Other", "module1.product.review_center": "CBER"}).center().id == "cber"


def test_help_and_source_follow_the_modality_and_the_path():
    model = default_model()
    synthesis = model.field("cmc.substance.synthesis")
    oligo = Applicability(model, {"cmc.substance.kind": "Antisense oligonucleotide"}).help(synthesis)
    mrna = Applicability(model, {"cmc.substance.kind": "Editor mRNA"}).help(synthesis)
    assert "Solid-phase" in oligo[0] and "transcription" in mrna[0] and "gene therapy" in mrna[1]
    formulation = model.field("cmc.product.formulation")
    assert "ICH M4Q" in Applicability(model, {CLASS: "siRNA"}).help(formulation)[1]
    assert "gene therapy" in Applicability(model, {CLASS: "AAV gene therapy"}).help(formulation)[1]
    assert "individualized ASO" in Applicability(model, {CLASS: "Antisense oligonucleotide"}).help(formulation)[1]
    path = model.field(PATH)
    told = Applicability(model, {PATH: EA}).help(path)[0]
    assert "cannot give" in told and "substantial evidence of effectiveness" in told and "312.310" in told
    assert "confirmatory plan applies" in Applicability(model, {PATH: MARKETING}).help(path)[0]


@pytest.mark.parametrize("drug_class", ["siRNA", "AAV gene therapy"])
def test_no_field_of_an_sirna_or_aav_dossier_cites_an_aso_only_guidance(drug_class):
    """The individualized-ASO guidances stay with ASOs: an siRNA dossier cites the oligonucleotide ones
    (FDA has none for siRNA alone), an AAV dossier the gene-therapy ones, whatever help_for: a field has."""
    model = default_model()
    ap = Applicability(model, {CLASS: drug_class})
    shown = {path: ap.help(field)[1] for path, field in model.fields.items()}
    assert not {path: source for path, source in shown.items() if "ASO" in source}
    expected = "oligonucleotide" if drug_class == "siRNA" else "gene therapy"
    assert expected in shown["nonclinical.pk.pk_biodistribution"] and expected in shown["clinical.safety.monitoring"]
    if drug_class == "siRNA":  # an siRNA's own help (its guide strand) keeps a source fit for siRNA
        assert "Nonclinical safety assessment of oligonucleotide-based" in shown["nonclinical.design.sequence"]
        assert "Clinical pharmacology considerations" in shown["clinical.dosing.starting_dose"]
    else:
        assert "Potency assurance" in shown["cmc.product.specifications"]
        assert "Preclinical assessment of investigational cellular and gene therapy" in \
            shown["nonclinical.toxicology.lot_bridging"]


@pytest.mark.parametrize("drug_class", ["siRNA", "AAV gene therapy"])
def test_findings_and_measures_of_an_sirna_or_aav_dossier_cite_no_aso_only_guidance(tmp_path, drug_class):
    """The ASO demo turned into an siRNA or AAV dossier: what its checks find or measure cites the guidance
    for its own modality; the ASO demo itself still cites the ASO guidances."""
    with _dossier(tmp_path) as d:
        told = [*d.check().findings, *d.check().measures]
        assert any("individualized ASO" in t.source for t in told)
        d.set(CLASS, drug_class)
        report = d.check()
    told = [*report.findings, *report.measures]
    assert [(t.check, t.source) for t in told if "ASO" in t.source] == []
    expected = "oligonucleotide" if drug_class == "siRNA" else "gene therapy"
    escalation = [t.source for t in told if t.check == "dose-escalation"]  # the ASO clinical guidance's
    assert escalation and all(expected in source for source in escalation)


@pytest.mark.parametrize("path_name", PATHS)
def test_each_path_case_checks_without_errors(tmp_path, path_name):
    with _dossier(tmp_path, PATHS[path_name]) as d:
        report, values, model = d.check(), d.values(), d.model
    assert [f"{f.field}: {f.message}" for f in report.findings if f.severity == "error"] == []
    assert CDER in _text(model, values)["cover-letter"]


def test_expanded_access_has_form_3926_instead_of_forms_1571_and_1572(tmp_path):
    with _dossier(tmp_path, "aso-expanded-access") as d:
        values, model, report = d.values(), d.model, d.check()
    ap = Applicability(model, values)
    applying = {doc.id for doc in model.documents if ap.document(doc)}
    assert "form-3926" in applying and not {"form-1571", "form-1572", "clinical-protocol",
                                            "confirmatory-plan"} & applying
    assert not ap.section("module1.forms") and not ap.section("clinical.natural_history")
    assert not ap.section("confirmatory.evidence") and ap.section("confirmatory.followup")
    text = _text(model, values)
    assert "Form FDA 3926" in text["cover-letter"] and "1571 and 1572" in text["cover-letter"]
    assert "Treatment plan" in text["form-3926"] and "P. A." not in text["form-3926"]  # initials are PHI
    assert {f.check for f in report.findings} >= {"expanded-access-evidence", "expanded-access-sequence"}


def test_marketing_application_brings_the_confirmatory_plan_and_its_limits(tmp_path):
    with _dossier(tmp_path, edits=MARKETING_VALUES) as d:
        values, model, report = d.values(), d.model, d.check()
        errors = {f.check for f in report.findings if f.severity == "error"}
        assert errors == {"marketing-module1"}  # Module 1 of a BLA/NDA is not built: said, not hidden
        ap = Applicability(model, values)
        assert ap.section("confirmatory.evidence") and ap.document(model.document("confirmatory-plan"))
        assert not ap.field("confirmatory.followup.annual_reports")
        text = _text(model, values)
        assert "NDA" in text["cover-letter"] and "Why the surrogate predicts clinical benefit" in text[
            "confirmatory-plan"]
        d.set("module1.marketing.surrogate_justification", "")
        assert "required:module1.marketing.surrogate_justification" in {f.check for f in d.check().findings}
        states = {e.id: e.state for e in d.check().elements}
        assert states["target_engagement"] == states["clinical_course"] == "patients"


def test_an_individualized_ind_is_not_asked_for_post_approval_dates(tmp_path):
    with _dossier(tmp_path, edits={"confirmatory.evidence.milestones": []}) as d:
        checks = {f.check for f in d.check().findings}
        assert not {"milestone", "milestone-dates"} & checks
        d.set(PATH, MARKETING)
        assert "milestone" in {f.check for f in d.check().findings}


@pytest.mark.parametrize("edits, check", [
    ({"module1.application.application_type": "Treatment"}, "treatment-ind"),
    ({PATH: "Master protocol", "module1.application.application_type": "Emergency",
      "clinical.design.design": "Master protocol arm", "clinical.design.master_protocol_arm": "arm 1",
      "confirmatory.sharing.platform_addition": "By amendment."}, "emergency-master-protocol"),
    ({PATH: "Master protocol"}, "design-fits-path"),
    ({"clinical.design.design": "Master protocol arm"}, "design-fits-path"),
    ({**AAV, PATH: MARKETING, "module1.marketing.application_kind": "NDA"}, "application-fits-modality"),
    ({CLASS: "Base editor"}, "substance-fits-modality"),
])
def test_a_combination_the_rules_do_not_allow_is_explained(tmp_path, edits, check):
    with _dossier(tmp_path, edits=edits) as d:
        found = [f for f in d.check().findings if f.check == check]
    assert found and found[0].severity == "error" and len(found[0].message) > 80 and found[0].source


def _stored(path) -> dict[str, bytes]:
    """Every stored value as the file holds it (the JSON text of the value column)."""
    conn = sqlite3.connect(path)
    try:
        return {p: v.encode() for p, v in conn.execute("SELECT path, value FROM field_values")}
    finally:
        conn.close()


def test_switching_modality_and_path_keeps_every_value_and_lists_what_now_applies(tmp_path):
    with _dossier(tmp_path) as d:
        path = d.path
        before_values = d.values()
    before = _stored(path)
    with Dossier.open(path) as d:
        d.set_many({CLASS: "AAV gene therapy", PATH: EA})
        hidden = [p for p in before_values if not d.applicability().field(model_path(p))]
        assert "nonclinical.design[0].chemistry" in hidden and "clinical.natural_history.data" in hidden
        kept = {p: v for p, v in before_values.items() if p not in (CLASS, PATH)}
        assert {p: d.get(p) for p in kept} == kept  # hidden, not deleted
        missing = {f.field for f in d.check().findings if f.check.startswith("required:")}
        assert {"nonclinical.design[0].vector", "module1.form_3926.treatment_plan",
                "clinical.safety.shedding", "confirmatory.followup.ltfu_duration"} <= missing
        assert "substance-fits-modality" in {f.check for f in d.check().findings}
        d.set_many({CLASS: before_values[CLASS], PATH: before_values[PATH]})
        assert d.values() == before_values
    after = _stored(path)
    assert {k: v for k, v in after.items() if k in before} == before


def test_element_states_rise_only_with_evidence(tmp_path):
    with _dossier(tmp_path, edits={"nonclinical.pharmacology.studies": [
            {"study": "Modelling", "system": "In silico", "patient_derived": False, "purpose": "Efficacy"}]}) as d:
        states = {e.id: (e.state, e.label) for e in d.check().elements}
        assert states["target_engagement"][0] == "partial"  # the plan is written, the evidence is not there
        assert states["clinical_course"] == ("planned", "planned")
        d.set("clinical.results.course_observed", "Stable for 12 months against a decline of 1 point a year.")
        states = {e.id: e.state for e in d.check().elements}
        assert states["clinical_course"] == "patients"


@pytest.mark.slow
@pytest.mark.parametrize("case, edits, centre", [("aso-master-protocol", {}, CDER), ("aso", AAV, CBER)])
def test_a_final_sequence_builds_and_its_cover_letter_names_the_centre(tmp_path, monkeypatch, case, edits, centre):
    from dossier.build import build_sequence
    from dossier.ectd.readback import parse_backbone
    from tests.helpers.documents import pdf_text
    from tests.helpers.ectd import install_standards

    standards = install_standards(monkeypatch, tmp_path / "standards")
    with _dossier(tmp_path, case, edits) as d:
        result = build_sequence(d, tmp_path / "app")
    assert [f for f in result.findings if f.severity in ("high", "medium")] == []
    titles = {leaf.title for bb in ("index.xml", "m1/us/us-regional.xml")
              for leaf in parse_backbone(result.path, bb, standards).leaves}
    assert "Form FDA 1571 information sheet" in titles and "Form FDA 3926 information sheet" not in titles
    letter = pdf_text(result.path / "m1/us/12-cover-letters/cover-letter.pdf")
    assert centre in " ".join(letter.split())


def test_a_dossier_from_before_the_paths_keeps_its_expanded_access_answer_until_the_path_is_chosen(tmp_path, cli):
    from pathlib import Path

    release_1 = Path(__file__).parent / "fixtures" / "release-1" / "text-form"
    assert cli("import", release_1, tmp_path / "old.dossier").code == 0
    with Dossier.open(tmp_path / "old.dossier") as d:
        assert d.get("module1.application.expanded_access") is False
        assert "required:module1.application.path" in {f.check for f in d.check().findings}
        d.set("module1.application.expanded_access", True)
        found = [f for f in d.check().findings if f.check == "expanded-access-answered-before"]
        assert found and found[0].field == PATH and "Form FDA 3926" in found[0].message
        d.set(PATH, EA)
        assert not d.applicability().field("module1.application.expanded_access")
        assert d.get("module1.application.expanded_access") is True  # kept, hidden
        assert "expanded-access-answered-before" not in {f.check for f in d.check().findings}
