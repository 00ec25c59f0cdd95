"""Module 1 as FDA's forms number it: the Form 1571 and 1572 information sheets item by item, the cover
letter (dated, naming the sponsor once), the checks behind them (letter of authorization, CRO
obligations, IBC for gene transfer), and the submission description in us-regional.xml. Documents are
rendered final and read back from DOCX and PDF."""

from __future__ import annotations

import re

import pytest

from dossier.ectd import admin
from dossier.ectd.headings import ich_tree, regional_tree
from dossier.ectd.plan import Inputs, Trees, plan_sequence
from dossier.ectd.regional import MAX_DESCRIPTION, fit_description
from dossier.model import default_model
from dossier.readiness import check_dossier
from dossier.render import render_document
from tests.helpers.demo import with_values
from tests.helpers.documents import docx_text, pdf_text
from tests.helpers.ectd import install_standards

MODEL = default_model()


def _texts(inp, doc_id: str, folder, draft: bool = False) -> list[str]:
    files = render_document(inp, doc_id, folder, draft=draft)
    return [docx_text(files["docx"]), " ".join(pdf_text(files["pdf"]).split())]


def _errors(inp) -> dict[str, str]:
    report = check_dossier(MODEL, inp.values, [a["name"] for a in inp.attachments])
    return {f.field: f.check for f in report.blocking}


def test_form_1571_sheet_numbers_the_items_of_the_form(demo_input, tmp_path):
    for text in _texts(demo_input, "form-1571", tmp_path):
        flat = " ".join(text.split())
        for item in ["1. Name of sponsor", "2. Date of submission: 2026-11-20", "5. Name of drug",
                     "6A. IND number: 654321", "7A. (Proposed) indication for use",
                     "8. Phase of clinical investigation: Phase 1",
                     "10. Serial number", "11. This submission contains: Original application.",
                     "14. Person responsible for monitoring: Dr. Aisha Bello",
                     "15. Person(s) responsible for reviewing safety information: Dr. Samuel Greer"]:
            assert item in flat, item
        assert ("Rare disease (prevalence below 200,000 in the US): Yes. "
                "FDA orphan designation for this indication: none") in flat
        assert "045678" in flat and "loa-dmf-045678.pdf" in flat  # item 9 and its letter of authorization
        assert "categorical exclusion" in flat and "25.31(e)" in flat
        assert "No part of the study is conducted by a contract research organisation" in flat  # item 13, no CRO
        assert "has not been given to any person" in flat  # previous human experience
        assert "(Original)" not in flat


def test_form_1572_sheet_has_cv_irb_address_and_protocol(demo_input, tmp_path):
    for text in _texts(demo_input, "form-1572", tmp_path):
        flat = " ".join(text.split())
        assert "cv-maya-okafor.pdf" in flat
        assert "Riverside Children's Hospital IRB (fictional), 1200 Riverside Drive" in flat
        assert "RCH-CLN3-ASO-01" in flat
        assert "biosafety" not in flat  # no gene transfer in the ASO demo


def test_gene_transfer_needs_an_ibc_shown_on_form_1572(demo_input, tmp_path):
    """The drug class decides gene transfer (an ASO is not); for another class the user's answer does."""
    assert "module1.letters.ibc_name" not in _errors(with_values(demo_input, module1__product__gene_transfer=True))
    gene = with_values(demo_input, module1__product__drug_class="Other", module1__product__review_center="CDER",
                       module1__product__gene_transfer=True)
    assert _errors(gene).get("module1.letters.ibc_name") == "required:module1.letters.ibc_name"
    approved = with_values(gene, module1__letters__ibc_name="Riverside IBC (fictional)",
                           module1__letters__ibc_status="Approved")
    assert not _errors(approved)
    for text in _texts(approved, "form-1572", tmp_path):
        assert "Institutional biosafety committee" in text and "Riverside IBC (fictional)" in text


def test_right_of_reference_needs_its_letter_of_authorization(demo_input, tmp_path):
    without = with_values(demo_input, module1__letters__letters_of_authorization=[])
    assert _errors(without).get("module1.letters.letters_of_authorization") == "loa-attached"
    for text in _texts(without, "cover-letter", tmp_path, draft=True):
        assert "DMF 045678" in text and "enclosed" not in text  # the draft no longer claims an enclosure
    for text in _texts(demo_input, "cover-letter", tmp_path / "final"):
        assert "letter of authorization is enclosed" in " ".join(text.split())


def test_a_cro_needs_the_obligations_it_takes_over(demo_input, tmp_path):
    cro = with_values(demo_input, module1__forms__cro="Trialwise CRO (fictional), 5 Main St, Springfield")
    assert "module1.forms.cro_obligations" in _errors(cro)
    listed = with_values(cro, module1__forms__cro_obligations="Monitoring of the study site (21 CFR 312.56).")
    assert not _errors(listed)
    for text in _texts(listed, "form-1571", tmp_path):
        assert "Trialwise CRO" in text and "Monitoring of the study site" in text


def test_cover_letter_is_dated_and_names_the_sponsor_once(demo_input, tmp_path):
    for text in _texts(demo_input, "cover-letter", tmp_path):
        flat = " ".join(text.split())
        assert "2026-11-20" in flat
        body = flat[flat.index("Dear Sir or Madam"):flat.index("Sincerely")]
        assert "Okafor" not in body  # the letterhead names the sponsor; the body does not repeat it
        assert flat.count("Dr. Maya Okafor") == 2  # letterhead and signature
        assert re.search(r"Re: IND 654321, CLN3-ASO-01: Original application(?! \(Original\))", flat)


def test_investigators_brochure_keeps_disease_mechanism_apart_from_the_drugs(demo_input, tmp_path):
    text = " ".join(_texts(demo_input, "investigators-brochure", tmp_path)[0].split())
    disease = text[text.index("The disease and its cause"):text.index("Mechanism of action")]
    action = text[text.index("Mechanism of action"):text.index("Nonclinical studies")]
    assert "loss of function" in disease.lower()
    assert "loss of function" not in action.lower() and "CLN3-ASO-01 acts on" in action


@pytest.mark.parametrize("text", [
    "Initial IND for a single-patient, externally controlled study of CLN3-ASO-01, a splice-switching antisense "
    "oligonucleotide for one child with a private deep-intronic CLN3 variant.",
    "x" * 300, "word " * 40, "short"])
def test_submission_description_is_never_cut_mid_word(text):
    fitted = fit_description(text)
    assert len(fitted) <= MAX_DESCRIPTION
    if fitted != " ".join(text.split()):
        assert fitted.endswith("...")
        kept = fitted[:-3]
        assert " ".join(text.split()).startswith(kept)
        rest = " ".join(text.split())[len(kept):]
        assert not kept or rest[:1] in (" ", ",", ".") or " " not in text  # ends at a word boundary


def test_an_environmental_assessment_is_required_and_goes_to_module_1_12_14(demo_input, tmp_path, monkeypatch):
    ea = with_values(demo_input, module1__forms__environmental="Environmental assessment")
    path = "module1.forms.environmental_assessment"
    assert _errors(ea).get(path) == f"required:{path}"
    attached = with_values(ea, module1__forms__environmental_assessment=["environmental-assessment.pdf"])
    md5s = {a["name"]: a["md5"] for a in demo_input.attachments} | {"environmental-assessment.pdf": "0" * 32}
    folder = install_standards(monkeypatch, tmp_path / "standards")
    trees = Trees(ich_tree(folder), regional_tree(folder))
    facts = admin.module1(MODEL.roles, attached.values, "0001", False, [])
    keys = {d.id: "key" for d in MODEL.documents}
    plan = plan_sequence(Inputs(MODEL, attached.values, md5s, keys, {}), trees, "0001", {}, facts)
    leaf = next(leaf for leaf in plan.leaves if leaf.ref == "environmental-assessment.pdf")
    assert leaf.heading.startswith("m1-12-14") and leaf.path.startswith("m1/us/1214-env-analysis/")
    for text in _texts(attached, "cover-letter", tmp_path / "letter"):
        assert "environmental assessment is enclosed" in " ".join(text.split())


def test_a_registered_study_needs_its_nct_number_and_an_unregistered_one_has_no_line(demo_input, tmp_path):
    registered = with_values(demo_input, module1__forms__nct_number="")
    assert _errors(registered).get("module1.forms.nct_number") == "nct-registered"
    phase1 = with_values(registered, module1__forms__clinicaltrials_status="Requirements not applicable")
    assert not _errors(phase1)
    for text in _texts(phase1, "form-3674", tmp_path):
        assert "Requirements not applicable" in text and "NCT" not in text and "Not yet provided" not in text
