"""Oligonucleotide arithmetic against published structures: nusinersen (18-mer, uniformly 2'-MOE,
phosphorothioate, 5-methylcytosine) and inotersen (20-mer 5-10-5 2'-MOE gapmer, phosphorothioate,
5-methylcytosine), whose formulas and weights are in their US prescribing information / USAN entries."""

import pytest

from dossier import oligo


def _formula(seq, sugar, pattern, ion):
    counts = oligo.composition(seq, oligo.sugar_pattern(len(seq), sugar, pattern), "ps", True, ion)
    return oligo.formula_text(counts), round(oligo.weight(counts), 1)


def test_nusinersen_formula_and_weight_reproduce():
    seq = "TCACTTTCATAATGCTGG"
    assert _formula(seq, "moe", None, None) == ("C234H340N61O128P17S17", 7127.2)
    formula, weight = _formula(seq, "moe", None, "Na")
    assert formula == "C234H323N61Na17O128P17S17" and abs(weight - 7501.0) < 0.5


def test_inotersen_gapmer_formula_and_weight_reproduce():
    seq = "TCTTGGTTACATGAAATCCC"
    assert _formula(seq, "moe", "5-10-5", None) == ("C230H318N69O121P19S19", 7183.1)
    formula, weight = _formula(seq, "moe", "5-10-5", "Na")
    assert formula == "C230H299N69Na19O121P19S19" and abs(weight - 7601.0) < 0.5


def test_a_pattern_that_does_not_add_up_is_refused():
    with pytest.raises(ValueError, match="adding up to the 20-nt sequence"):
        oligo.sugar_pattern(20, "moe", "5-8-5")


@pytest.mark.parametrize("written, read", [
    ("5'-TCAGG CTGAC-3'", "TCAGGCTGAC"),
    ("ucaggcugac", "TCAGGCTGAC"),
    ("mU*mC*[5MeC]*a*+G*dT", "TCCAGT"),
    ("5′-(m5C)AsGsT{moeA}-3′", "CAGTA"),
    ("GalNAc3-UCAG", "TCAG"),
])
def test_sequences_are_read_through_their_notation(written, read):
    assert oligo.bases(written) == read


def test_reverse_complement_pairs_in_the_target():
    target = "GGGAAACCCTTT"
    assert oligo.reverse_complement("GGGTTT") == "AAACCC"
    assert oligo.pairing_sites("GGGTTT", target) == [3]
    assert oligo.best_site("GGGTTA", target) == (3, [6])


def test_written_formulas_are_read_with_notes_ignored():
    assert oligo.parse_formula("C230H318N72O120P21S21Na21 (fictional)")["Na"] == 21
    assert oligo.formula_text(oligo.parse_formula("H2O")) == "H2O"
