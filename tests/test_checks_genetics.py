"""The `alleles` check on the demo (compound heterozygous, phased by parental testing, autosomal
recessive): the demo raises nothing, one edit raises exactly the finding it should, naming the alleles;
a missing input says so; a check that names a choice its field does not have is refused at load."""

from __future__ import annotations

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


def alleles(inp, **changes):
    inp = with_values(inp, **changes)
    found = check_dossier(default_model(), inp.values, [a["name"] for a in inp.attachments]).findings
    return [f for f in found if f.check == "alleles-agree"], found


def test_the_demo_agrees(demo_input):
    assert alleles(demo_input)[0] == []
    assert demo_input.values["genetic.variant.phase"] == "Parental testing (in trans)"


def test_homozygous_with_a_different_second_allele(demo_input):
    [f], everything = alleles(demo_input, genetic__variant__zygosity="Homozygous")
    assert f.field == "genetic.variant.second_allele" and f.severity == "error"
    said = "homozygous means one variant on both alleles, but the second allele is NM_001042432.2:c.462_677del, "
    assert said + f"not {FIRST}" in f.message
    assert [x.check for x in everything if x.severity == "error"] == ["alleles-agree"]  # phase no longer applies


def test_compound_heterozygous_needs_two_different_phased_alleles(demo_input):
    [f] = alleles(demo_input, genetic__variant__second_allele=None)[0]
    assert f.field == "genetic.variant.second_allele" and "needs the variant on the other allele" in f.message
    [f] = alleles(demo_input, genetic__variant__second_allele=FIRST)[0]
    assert f"both alleles are {FIRST}: that is one variant on both alleles" in f.message
    [f] = alleles(demo_input, genetic__variant__phase="Not determined")[0]
    assert f.field == "genetic.variant.phase"
    assert "in trans: Long-read sequencing (in trans) or Parental testing (in trans)" in f.message
    assert "How the two variants were shown to be on different alleles: Not determined" in f.message


def test_a_recessive_disease_with_one_allele(demo_input):
    [f] = alleles(demo_input, genetic__variant__zygosity="Heterozygous", genetic__variant__second_allele=None)[0]
    assert f.field == "genetic.variant.zygosity"
    assert "autosomal recessive disease with one variant allele (heterozygous)" in f.message
    assert alleles(demo_input, genetic__variant__zygosity="Heterozygous", genetic__variant__second_allele=None,
                   genetic__gene__inheritance="Autosomal dominant")[0] == []


def test_alleles_on_two_transcripts(demo_input):
    [f] = alleles(demo_input, genetic__variant__second_allele="NM_000086.2:c.462_677del")[0]
    assert "different transcripts (NM_001042432, NM_000086)" in f.message


def test_a_missing_zygosity_says_the_check_cannot_run(demo_input):
    [f] = alleles(demo_input, genetic__variant__zygosity=None)[0]
    assert f.severity == "warning"
    assert f.message.startswith("Cannot check this yet: fill in Zygosity.") and f.field == "genetic.variant.zygosity"


def test_a_meaning_naming_no_choice_is_refused():
    raw = yaml.safe_load(content_model_path().read_text(encoding="utf-8"))
    check = next(c for c in raw["checks"] if c["id"] == "alleles-agree")
    check["meaning"]["same_on_both"] = ["Homozygote"]
    with pytest.raises(ModelError, match=r"meaning.same_on_both: 'Homozygote' not among the choices of "
                                         r"genetic.variant.zygosity"):
        parse_model(raw, Path("content_model.yaml"))
