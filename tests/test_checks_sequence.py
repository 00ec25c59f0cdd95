"""The sequence checks on the demo: it raises none of them, and one edit to a copy raises exactly the
finding it should, with the sequences and numbers in its message; a missing input says so; a malformed
check is refused when the model loads."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from dossier.cases import make_case
from dossier.errors import ModelError
from dossier.model import default_model
from dossier.model_reader import parse_model
from dossier.paths import content_model_path
from dossier.readiness import check_dossier
from dossier.service import Dossier
from tests.helpers.demo import with_values

SEQUENCE_CHECKS = {"aso-pairs-with-target", "sirna-guide-pairs-with-target", "ds-formula-and-weight", "same-sequence"}
DS = "cmc.substance[0]."  # the demo's one drug substance
TARGET = "GCTCTTCCAGGTGAGCCTGGGCTCTGCCAGGTCCTCACCAGGTAAGTTCCTGGGACCTTGGCTCAGCCTC"


def findings(inp, **changes):
    inp = with_values(inp, **changes)
    return check_dossier(default_model(), inp.values, [a["name"] for a in inp.attachments]).findings


def only(found, check):
    assert [f.check for f in found] == [check] * len(found) and found, [(f.check, f.message) for f in found]
    return found


def test_the_demo_raises_no_finding(demo_input):
    assert findings(demo_input) == ()


def test_a_target_that_does_not_pair_shows_the_best_match_and_its_mismatches(demo_input):
    wrong = TARGET[:51] + "C" + TARGET[52:]  # target position 52 (G) lies under strand position 4
    [f] = only(findings(demo_input, nonclinical__design__target_sequence=wrong), "aso-pairs-with-target")
    assert f.field == "nonclinical.design[0].sequence" and f.severity == "error"
    assert "reverse complement CTCACCAGGTAAGTTCCTGGGA is not in the target" in f.message
    assert "target 34–55 (CTCACCAGGTAAGTTCCTCGGA)" in f.message and "strand position(s) 4" in f.message


def test_the_variant_base_must_be_the_patients_allele(demo_input):
    [f] = only(findings(demo_input, nonclinical__design__variant_position={"value": 5}), "aso-pairs-with-target")
    assert f.field == "nonclinical.design[0].target_sequence"
    assert "position 5 of the target is T, but NM_001042432.2:c.1056+34C>A puts A there" in f.message


def test_a_binding_site_far_from_the_variant_is_found(demo_input):
    [f] = only(findings(demo_input, nonclinical__design__target_sequence="A" + "C" * 60 + TARGET,
                        nonclinical__design__variant_position={"value": 1}), "aso-pairs-with-target")
    assert f.field == "nonclinical.design[0].variant_position"
    assert "binds target position(s) 95–116, 94 nt from the variant at position 1" in f.message
    assert "lie within 50 nt of it" in f.message


def test_an_sirna_guide_pairs_with_a_two_nt_overhang_left_aside(demo_input):
    guide = "5'-" + "".join(reversed(TARGET[10:29].translate(str.maketrans("ACGT", "UGCA")))) + "dTdT-3'"
    sirna = {"module1__product__drug_class": "siRNA", DS + "kind": "siRNA duplex",
             "nonclinical__design__passenger_sequence": "5'-" + TARGET[10:29].replace("T", "U") + "dTdT-3'"}
    assert findings(demo_input, **sirna, nonclinical__design__sequence=guide, **{DS + "sequence": guide}) == ()
    wrong = guide.replace("GCUC", "GCUG", 1)
    found = findings(demo_input, **sirna, nonclinical__design__sequence=wrong, **{DS + "sequence": wrong})
    [f] = only(found, "sirna-guide-pairs-with-target")
    assert "mismatches at strand position(s)" in f.message


def test_a_wrong_molecular_weight_shows_the_computed_one(demo_input):
    [f] = only(findings(demo_input, **{DS + "molecular_weight": {"value": 7620.4, "unit": "g/mol"}}),
               "ds-formula-and-weight")
    assert f.field == DS + "molecular_weight"
    assert "declared 7,620.4 g/mol, 1,627.8 from the computed value (tolerance 1.0 g/mol)" in f.message
    assert "sodium salt: C286H393N83Na21O153P21S21, 9,248.2 g/mol" in f.message
    assert "free acid C286H414N83O153P21S21, 8,786.6 g/mol" in f.message


def test_a_wrong_formula_is_found(demo_input):
    [f] = only(findings(demo_input, **{DS + "molecular_formula": "C230H318N72O120P21S21Na21 (fictional)"}),
               "ds-formula-and-weight")
    assert f.field == DS + "molecular_formula"
    assert "declared C230H318N72Na21O120P21S21; computed for the sodium salt: C286H393N83Na21O153P21S21" in f.message


def test_a_salt_weight_declared_as_free_acid_is_found_twice(demo_input):
    found = only(findings(demo_input, **{DS + "salt_form": "Free acid"}), "ds-formula-and-weight")
    assert {f.field for f in found} == {DS + "molecular_formula", DS + "molecular_weight"}
    assert all("computed for the free acid: C286H414N83O153P21S21, 8,786.6 g/mol" in f.message for f in found)


def test_one_molecule_shows_both_sequences(demo_input):
    changes = {DS + "sequence": "TCCCAGGAACTTACCTGGTGAA", DS + "molecular_weight": None, DS + "molecular_formula": None}
    [f] = only(findings(demo_input, **changes), "same-sequence")
    assert "cmc.substance.sequence: TCCCAGGAACTTACCTGGTGAA; nonclinical.design.sequence: TCCCAGGAACTTACCTGGTGAG" \
        in f.message


@pytest.mark.parametrize("changes, field, words", [
    ({"nonclinical__design__target_sequence": None}, "nonclinical.design[0].target_sequence",
     "fill in Target sequence"),
    ({"nonclinical__design__chemistry": ["2'-MOE", "PMO"]}, "nonclinical.design[0].chemistry",
     "includes PMO, whose formula this check cannot compute"),
    ({"nonclinical__design__modification_pattern": "5-10-5"}, "nonclinical.design[0].modification_pattern",
     "is not wing–gap–wing lengths adding up to the 22-nt sequence"),
    ({DS + "salt_form": None}, DS + "salt_form", "fill in Formula and weight given for"),
])
def test_a_check_that_cannot_run_says_what_it_lacks(demo_input, changes, field, words):
    [f] = findings(demo_input, **changes)
    assert f.severity == "warning" and f.field == field
    # a check runs per instance (of the drug substance, or of the arm), and its findings name the instance first
    message = f.message.removeprefix("CLN3-ASO-01 sodium: ").removeprefix("Arm 1: ")
    assert message.startswith("Cannot check this yet:") and words in message


def _shipped() -> dict:
    return yaml.safe_load(content_model_path().read_text(encoding="utf-8"))


def _check(raw: dict, check_id: str) -> dict:
    return next(c for c in raw["checks"] if c["id"] == check_id)


@pytest.mark.parametrize("check_id, change, expected", [
    ("ds-formula-and-weight", {"modifications": {"Morpholino": {"sugar": "moe"}}},
     "modification 'Morpholino' is not a choice of nonclinical.design.chemistry"),
    ("ds-formula-and-weight", {"forms": {"Free acid": None}},
     "'forms' must give each choice of cmc.substance.salt_form"),
    ("ds-formula-and-weight", {"modifications": {"2'-MOE": {"sugar": "ribose-ish"}}}, "must say sugar (dna, rna"),
    ("rna-formula-and-weight", {"notation": {"prefixes": {"m": "methoxy"}}}, "'notation' must give prefixes"),
    ("rna-formula-and-weight", {"notation": {"marks": {"*": "thio"}}}, "marks (each → a linkage: po, ps)"),
    ("aso-pairs-with-target", {"target": "nonclinical.design.length"}, "'target' must be a field of type text"),
    ("aso-pairs-with-target", {"max_distance": -3}, "'max_distance' must be a whole number"),
    ("aso-pairs-with-target", {"target": "nonclinical.design.nothing"}, "unknown field 'nonclinical.design.nothing'"),
])
def test_a_malformed_sequence_check_is_refused_at_load(check_id, change, expected):
    raw = copy.deepcopy(_shipped())
    _check(raw, check_id).update(change)
    with pytest.raises(ModelError) as err:
        parse_model(raw, Path("broken.yaml"))
    assert str(err.value).startswith(f"broken.yaml: check {check_id}: ") and expected in str(err.value)


# The base-editor case's guide RNA (100 nt, 2'-O-methyl and phosphorothioate on three nucleotides at each
# end, written mU*mU*mC*…U*mU*mU*mU) is checked from its notation: sodium salt C959H1085N377Na99O691P99S6,
# 34,483.0 g/mol (tests/test_oligo.py shows the arithmetic).
GUIDE = "cmc.substance[1]."


def _guide_findings(tmp_path, edits: dict) -> list:
    make_case("base-editor", tmp_path / "editor.dossier")
    with Dossier.open(tmp_path / "editor.dossier") as d:
        agrees = [m for m in d.check().measures if m.check == "rna-formula-and-weight"]
        assert [(m.ok, m.field) for m in agrees] == [(True, GUIDE + "molecular_weight")]
        d.set_many(edits)
        return [f for f in d.check().findings if f.check == "rna-formula-and-weight"]


def test_a_guide_rna_weight_read_as_dna_is_found_with_the_rna_value(tmp_path):
    # the letters read the old way, as a DNA-backbone oligo (U as T, no 2'-OH, no end modifications), give
    # C982H1131N377Na99O597P99, 33,109.3 g/mol as the sodium salt: 1,373.7 short of the guide RNA
    [f] = _guide_findings(tmp_path, {GUIDE + "molecular_weight": {"value": 33109.3, "unit": "g/mol"}})
    assert f.severity == "error" and f.field == GUIDE + "molecular_weight"
    assert "declared 33,109.3 g/mol, 1,373.7 from the computed value" in f.message
    assert "computed for the sodium salt: C959H1085N377Na99O691P99S6, 34,483.0 g/mol" in f.message
    assert "free acid C959H1184N377O691P99S6, 32,306.8 g/mol" in f.message


def test_a_guide_rna_without_its_end_modifications_is_another_molecule(tmp_path):
    with Dossier.open(make_case("base-editor", tmp_path / "source.dossier"), read_only=True) as d:
        plain = d.get(GUIDE + "sequence").replace("m", "").replace("*", "")
    found = _guide_findings(tmp_path, {GUIDE + "sequence": plain})
    assert {f.field for f in found} == {GUIDE + "molecular_formula", GUIDE + "molecular_weight"}
    assert all("computed for the sodium salt: C953H1073N377Na99O697P99, 34,302.4 g/mol" in f.message for f in found)


def test_an_rna_strand_described_as_a_transcript_cannot_be_checked(tmp_path):
    mrna = "5' cap-1, 5' UTR, coding sequence, 3' UTR and a 110-nt poly(A) tail"
    [f] = _guide_findings(tmp_path, {GUIDE + "sequence": mrna})
    assert f.severity == "warning" and f.field == GUIDE + "sequence"
    assert "Cannot check this yet: Sequence (5'→3') describes a transcript (cap, UTR or poly(A) tail)" in f.message


def test_an_sirna_strand_is_weighed_from_its_notation_with_its_5_prime_phosphate(demo_input):
    # patisiran's antisense strand as an example, with a 5'-phosphate and a phosphorothioate before its last dT.
    # Free acid without either: C202H252N72O147P20, 6,660.07 (tests/test_oligo.py shows the method); the
    # 5'-phosphate adds HPO3 (79.979), the thioate S for O (16.061): C202H253N72O149P21S, 6,756.11.
    # Sodium salt: 20 linkages + 2 phosphate H → 22 Na (22 × 21.982 = 483.60): C202H231N72Na22O149P21S, 7,239.7.
    strand = {"module1__product__drug_class": "siRNA", DS + "kind": "siRNA strand",
              DS + "sequence": "5'-pAmUGGAAmUACUCUUGGUUACdT*dT-3'",
              DS + "molecular_formula": "C202H231N72Na22O149P21S"}
    right = with_values(demo_input, **strand, **{DS + "molecular_weight": {"value": 7239.7, "unit": "g/mol"}})
    found = check_dossier(default_model(), right.values, [a["name"] for a in right.attachments])
    assert [f for f in found.findings if f.check == "rna-formula-and-weight"] == []
    assert [m.ok for m in found.measures if m.check == "rna-formula-and-weight"] == [True]
    # the same strand declared without its 5'-phosphate (6,660.07 as free acid, 7,099.7 as sodium salt)
    [f] = [f for f in findings(demo_input, **strand, **{DS + "molecular_weight": {"value": 7099.7, "unit": "g/mol"}})
           if f.check == "rna-formula-and-weight"]
    assert f.field == DS + "molecular_weight" and "declared 7,099.7 g/mol, 140.0 from the computed value" in f.message
