"""The genetics checks on the demo (compound heterozygous, phased by parental testing, autosomal
recessive; a CLIA-certified report attached; the ASO designed against c.1056+34C>A; no other carrier
known): the demo raises nothing, one edit raises exactly the finding it should, with its values; a
missing input says so; a check that names what its field cannot hold is refused at load."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from dossier.errors import ModelError
from dossier.model import default_model
from dossier.model_reader import parse_model
from dossier.paths import content_model_path
from dossier.readiness import check_dossier
from tests.helpers.demo import with_values

FIRST = "NM_001042432.2:c.1056+34C>A"
SECOND = "NM_001042432.2:c.462_677del"
LAB = "Springfield Genomics Laboratory (fictional)"


def checked(inp, check: str, **changes):
    """(the findings of `check`, every finding) on the demo with `changes`."""
    inp = with_values(inp, **changes)
    found = check_dossier(default_model(), inp.values, [a["name"] for a in inp.attachments]).findings
    return [f for f in found if f.check == check], found


def alleles(inp, **changes):
    return checked(inp, "alleles-agree", **changes)


def only(inp, check: str, **changes):
    """The one finding of the demo with `changes`, which must be `check`'s (one edit, one finding)."""
    ours, everything = checked(inp, check, **changes)
    assert ours == list(everything) and len(ours) == 1, [f"{f.check}: {f.message}" for f in everything]
    return ours[0]


def test_the_demo_agrees(demo_input):
    assert checked(demo_input, "")[1] == ()  # no finding at all, of any check
    assert alleles(demo_input)[0] == []
    assert demo_input.values["genetic.variant[0].phase"] == "Parental testing (in trans)"


def test_homozygous_with_a_different_second_allele(demo_input):
    [f], everything = alleles(demo_input, genetic__variant__zygosity="Homozygous")
    assert f.field == "genetic.variant[0].second_allele" and f.severity == "error"
    said = "homozygous means one variant on both alleles, but the second allele is NM_001042432.2:c.462_677del, "
    assert said + f"not {FIRST}" in f.message
    assert [x.check for x in everything if x.severity == "error"] == ["alleles-agree"]  # phase no longer applies


def test_compound_heterozygous_needs_two_different_phased_alleles(demo_input):
    [f] = alleles(demo_input, genetic__variant__second_allele=None)[0]
    assert f.field == "genetic.variant[0].second_allele" and "needs the variant on the other allele" in f.message
    [f] = alleles(demo_input, genetic__variant__second_allele=FIRST)[0]
    assert f"both alleles are {FIRST}: that is one variant on both alleles" in f.message
    [f] = alleles(demo_input, genetic__variant__phase="Not determined")[0]
    assert f.field == "genetic.variant[0].phase"
    assert "in trans: Long-read sequencing (in trans) or Parental testing (in trans)" in f.message
    assert "How the two variants were shown to be on different alleles: Not determined" in f.message


def test_a_recessive_disease_with_one_allele(demo_input):
    [f] = alleles(demo_input, genetic__variant__zygosity="Heterozygous", genetic__variant__second_allele=None)[0]
    assert f.field == "genetic.variant[0].zygosity"
    assert "autosomal recessive disease with one variant allele (heterozygous)" in f.message
    assert alleles(demo_input, genetic__variant__zygosity="Heterozygous", genetic__variant__second_allele=None,
                   genetic__gene__inheritance="Autosomal dominant")[0] == []


def test_alleles_on_two_transcripts(demo_input):
    [f] = alleles(demo_input, genetic__variant__second_allele="NM_000086.2:c.462_677del")[0]
    assert "different transcripts (NM_001042432, NM_000086)" in f.message


def test_a_missing_zygosity_says_the_check_cannot_run(demo_input):
    [f] = alleles(demo_input, genetic__variant__zygosity=None)[0]
    assert f.severity == "warning"
    assert f.message.startswith("Cannot check this yet: fill in Zygosity.")  # one arm, unnamed
    assert f.field == "genetic.variant[0].zygosity"


def test_a_meaning_naming_no_choice_is_refused():
    raw = yaml.safe_load(content_model_path().read_text(encoding="utf-8"))
    check = next(c for c in raw["checks"] if c["id"] == "alleles-agree")
    check["meaning"]["same_on_both"] = ["Homozygote"]
    with pytest.raises(ModelError, match=r"meaning.same_on_both: 'Homozygote' not among the choices of "
                                         r"genetic.variant.zygosity"):
        parse_model(raw, Path("content_model.yaml"))


# --- the laboratory report ----------------------------------------------------------------------

def test_the_demo_rests_on_an_attached_report_of_a_clia_certified_lab(demo_input):
    values = demo_input.values
    assert values["genetic.variant[0].lab_report"] == ["genetic-test-report.pdf"]
    assert "genetic-test-report.pdf" in {a["name"] for a in demo_input.attachments}
    assert (values["genetic.variant[0].clia"], values["genetic.variant[0].cap"]) == ("99D9999999", "1234567")


def test_a_missing_report_is_an_error_saying_what_to_attach(demo_input):
    f = only(demo_input, "lab-report", genetic__variant__lab_report=None)
    assert f.severity == "error" and f.field == "genetic.variant[0].lab_report"
    assert f"no report is attached to Laboratory report (PDF); attach {LAB}'s signed report" in f.message


@pytest.mark.parametrize("written, fix", [
    ("CLIA 99D9999999; CAP 1234567", "write 99D9999999 alone in CLIA number"),
    ("99d9999999", "write 99D9999999 alone in CLIA number"),
    ("99D999999", "copy the number from the laboratory's report"),
    ("9909999999", "copy the number from the laboratory's report"),
])
def test_a_malformed_clia_number_says_the_form_and_the_fix(demo_input, written, fix):
    f = only(demo_input, "lab-report", genetic__variant__clia=written)
    assert f.severity == "error" and f.field == "genetic.variant[0].clia"
    assert (f"CLIA number '{written}' is not a CLIA number, which is 10 characters: two digits, the letter D, "
            f"seven digits (e.g. 05D0987654); {fix}") in f.message


def test_a_malformed_cap_number_and_no_number_at_all(demo_input):
    f = only(demo_input, "lab-report", genetic__variant__cap="CAP # 1234567")
    assert f.field == "genetic.variant[0].cap" and "write 1234567 alone in CAP accreditation number" in f.message
    f = only(demo_input, "lab-report", genetic__variant__clia=None, genetic__variant__cap=None)
    assert f.field == "genetic.variant[0].clia"
    assert f"CLIA number or CAP accreditation number of {LAB} is not given" in f.message
    assert checked(demo_input, "lab-report", genetic__variant__clia=None)[0] == []  # CAP alone will do


# --- the variant the product targets ------------------------------------------------------------

@pytest.mark.parametrize("targeted", [FIRST, SECOND, "NM_001042432.2(CLN3):c.1056+34C>A"])
def test_a_variant_of_the_rationale_is_targeted(demo_input, targeted):
    assert checked(demo_input, "targeted-variant", nonclinical__design__targeted_variant=targeted)[1] == ()


def test_another_variant_is_an_error_showing_both(demo_input):
    f = only(demo_input, "targeted-variant", nonclinical__design__targeted_variant="NM_001042432.2:c.1056+34C>G")
    assert f.severity == "error" and f.field == "nonclinical.design[0].targeted_variant"
    assert (f"Variant the product targets (HGVS): NM_001042432.2:c.1056+34C>G; the genetic rationale has Variant "
            f"(HGVS): {FIRST}; Second allele (HGVS): {SECOND}") in f.message
    assert f.fields == ("genetic.variant[0].hgvs", "genetic.variant[0].second_allele")


def test_another_transcript_version_is_named_as_the_slip(demo_input):
    f = only(demo_input, "targeted-variant", nonclinical__design__targeted_variant="NM_001042432.1:c.1056+34C>A")
    assert "(the same change on NM_001042432.1, not NM_001042432.2: write both on the same transcript version)" \
        in f.message


def test_without_the_targeted_variant_the_check_says_it_cannot_run(demo_input):
    f = only(demo_input, "targeted-variant", nonclinical__design__targeted_variant=None)
    assert f.severity == "warning" and f.field == "nonclinical.design[0].targeted_variant"
    assert f.message.startswith("Cannot check this yet: fill in Variant the product targets (HGVS).")


def test_an_aav_gene_replacement_targets_no_variant(demo_input):
    """A gene replacement acts on the gene, not a variant: the field and its check do not apply."""
    assert checked(demo_input, "targeted-variant", module1__product__drug_class="AAV gene therapy",
                   nonclinical__design__targeted_variant=None)[0] == []


# --- other known carriers -----------------------------------------------------------------------

def test_more_than_five_other_carriers_is_a_note_with_the_count_and_its_source(demo_input):
    f = only(demo_input, "known-carriers", genetic__variant__known_carriers={"value": 12})
    assert f.severity == "info" and f.field == "genetic.variant[0].known_carriers"
    assert "may not be individualized" in f.message and "master protocol" in f.message
    assert ("(12 other people known to carry the variant (ClinVar, gnomAD v4.1 and the CLN3 registries, searched "
            "2026-10), more than 5)") in f.message
    assert "Plausible Mechanism Framework" in f.source and "multiple versions" in f.source
    assert checked(demo_input, "known-carriers", genetic__variant__known_carriers={"value": 5})[1] == ()


@pytest.mark.parametrize("emptied, label", [("known_carriers", "Other known carriers of the variant"),
                                            ("carriers_source", "Where the carrier count comes from")])
def test_a_count_or_its_source_missing_cannot_be_judged(demo_input, emptied, label):
    f = only(demo_input, "known-carriers", **{f"genetic__variant__{emptied}": None})
    assert f.severity == "info" and f.field == f"genetic.variant[0].{emptied}"
    assert f.message.startswith(f"Cannot check this yet: fill in {label}.")  # one arm, unnamed


@pytest.mark.parametrize("check_id, edit, reason", [
    ("known-carriers", {"more_than": -1}, "'more_than' must be a whole number of people (0 or more), got -1"),
    ("known-carriers", {"count": "genetic.patient.current_status"}, "'count' must name a field of type number"),
    ("known-carriers", {"count": "genetic.patient.onset_age"}, "'count' must be a plain number field"),
    ("lab-report", {"report": "genetic.variant.clia"}, "'report' must name a field of type attachment"),
    ("targeted-variant", {"variants": ["genetic.variant.hgvs", "genetic.variant.zygosity"]},
     "'variants' must name a field of type hgvs, got 'genetic.variant.zygosity'"),
])
def test_a_spec_naming_the_wrong_kind_of_field_is_refused(check_id, edit, reason):
    raw = yaml.safe_load(content_model_path().read_text(encoding="utf-8"))
    next(c for c in raw["checks"] if c["id"] == check_id).update(edit)
    with pytest.raises(ModelError, match=re.escape(reason)):
        parse_model(raw, Path("content_model.yaml"))
