"""Oligonucleotide arithmetic against published structures: nusinersen (18-mer, uniformly 2'-MOE,
phosphorothioate, 5-methylcytosine) and inotersen (20-mer 5-10-5 2'-MOE gapmer, phosphorothioate,
5-methylcytosine), whose formulas and weights are in their US prescribing information / USAN entries."""

import re

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


# --- RNA: ribonucleotides, 2'-O-methyl, phosphorothioate, 5'-phosphate, sodium salt ---------------------
# By hand with IUPAC 2021 weights (C 12.011, H 1.008, N 14.007, O 15.999, P 30.974, S 32.06, Na 22.990):
# ribonucleosides A C10H13N5O4, G C10H13N5O5, C C9H13N3O5, U C9H12N2O6 (each one O above its
# 2'-deoxy form; uridine is thymidine's ribo form less CH2); a linkage adds PO2 and loses one H (PO3H
# joins two hydroxyls, less H2O); 2'-O-methyl adds CH2; a phosphorothioate swaps one O for S.
RNA = {"prefixes": {"m": "ome", "f": "fluoro", "d": "dna"}, "marks": {"*": "ps"}, "phosphate": "p"}


def _strand(text, ion=None):
    counts = oligo.read_strand(text, **RNA).composition(ion)
    return oligo.formula_text(counts), round(oligo.weight(counts), 2)


def test_an_unmodified_rna_21mer_free_acid_by_hand_and_by_residue_masses():
    # GUAACCAAGAGUAUUCCAUUU: A 7, C 4, G 3, U 7.
    # C 70+36+30+63 = 199; H 91+52+39+84 - 20 = 246; N 35+12+15+14 = 76; O 28+20+15+42 + 2×20 = 145; P 20.
    # weight 2390.189 (C) + 247.968 (H) + 1064.532 (N) + 2319.855 (O) + 619.480 (P) = 6642.02
    assert _strand("GUAACCAAGAGUAUUCCAUUU") == ("C199H246N76O145P20", 6642.02)
    # independent: the residue-mass formula of RNA calculators (OligoCalc; NMP less water: A 329.21,
    # U 306.17, C 305.18, G 345.21) less 61.96 for the missing 5'-phosphate: 6704.01 - 61.96 = 6642.05
    by_residues = 7 * 329.21 + 7 * 306.17 + 4 * 305.18 + 3 * 345.21 - 61.96
    assert abs(by_residues - 6642.02) < 0.1


def test_patisiran_sodium_reproduces_its_label_formula_and_weight():
    # Onpattro label: patisiran sodium C412H480N148Na40O290P40, 14304 Da (free acid C412H520N148O290P40); two
    # 21-mers with 3' dTdT, 11 of the ribonucleotides 2'-O-methyl (Um, Cm). The unmodified duplex is C401:
    # the 11 methyls make C412 and H +22; 40 linkages, 40 Na. Where the 11 sit does not change the formula.
    sense = "GmUAAmCmCAAGAGmUAmUmUmCmCAmUdTdT"   # 9 methyls
    antisense = "AmUGGAAmUACUCUUGGUUACdTdT"      # 2 methyls
    counts = oligo.read_strand(sense, **RNA).composition("Na") + oligo.read_strand(antisense, **RNA).composition("Na")
    assert oligo.formula_text(counts) == "C412H480N148Na40O290P40" and round(oligo.weight(counts)) == 14304
    free = oligo.read_strand(sense, **RNA).composition(None) + oligo.read_strand(antisense, **RNA).composition(None)
    assert oligo.formula_text(free) == "C412H520N148O290P40"


def test_the_base_editor_guide_rna_is_34483_g_per_mol_as_sodium_salt():
    # 100 nt (A 30, C 18, G 23, U 29), 2'-O-methyl and phosphorothioate on three nucleotides at each end.
    # Nucleosides: C 300+162+230+261 = 953, H 390+234+299+348 = 1271, N 150+54+115+58 = 377,
    # O 120+90+115+174 = 499. 99 linkages: +P99, +O198, H -99 → C953H1172N377O697P99 = 32,126.23.
    # 6 × 2'-O-methyl (+CH2, 14.027) = +84.16; 6 × S for O (+16.061) = +96.37 → C959H1184N377O691P99S6, 32,306.76.
    # Sodium salt: 99 H → Na (+21.982 each, +2,176.22) → C959H1085N377Na99O691P99S6, 34,482.97 (declared 34,483.0).
    guide = ("mU*mU*mC*CUAAGCGUUCAGGUCCAGUUUUAGAGCUAGAAAUAGCAAGUUAAAAUAAGGCUAGUCCGUUAUCAACUUGAAAAAGUGGCACCGAGUCGG"
             "UGCU*mU*mU*mU")
    assert _strand(guide) == ("C959H1184N377O691P99S6", 32306.76)
    assert _strand(guide, "Na") == ("C959H1085N377Na99O691P99S6", 34482.97)


def test_a_5_prime_phosphate_adds_hpo3_and_two_sodium_ions():
    # UUU: 3 uridines C27H36N6O18 + 2 linkages (P2O4, H -2) = C27H34N6O22P2; 5'-OH → 5'-OPO3H2 adds HPO3
    # (1.008 + 30.974 + 3 × 15.999 = 79.979); the salt replaces its two acidic H as well as each linkage's one
    plain, phosphorylated = _strand("5'-UUU-3'"), _strand("5'-pUUU-3'")
    assert plain[0] == "C27H34N6O22P2"
    assert phosphorylated == ("C27H35N6O25P3", round(plain[1] + 79.979, 2))
    assert _strand("pUUU", "Na")[0] == "C27H31N6Na4O25P3"


def test_2_fluoro_and_deoxy_residues_change_the_sugar():
    # 2'-F-U: deoxyuridine C9H12N2O5 with F for the 2'-H → C9H11FN2O5; dT thymidine C10H14N2O5
    assert _strand("fU")[0] == "C9H11FN2O5" and _strand("dT")[0] == "C10H14N2O5" and _strand("U")[0] == "C9H12N2O6"


@pytest.mark.parametrize("written, reason", [
    ("5' cap-1, 5' UTR, open reading frame, 3' UTR and a 110-nt poly(A) tail", "describes a transcript"),
    ("UUCXAG", "has 'XAG' at character 4"),
    ("uucag", "has 'uucag' at character 1"),
    ("UUC*", "ends in a linkage mark"),
    ("5'--3'", "holds no nucleotide"),
])
def test_what_the_rna_notation_cannot_read_is_refused_with_the_reason(written, reason):
    with pytest.raises(ValueError, match=re.escape(reason)):
        oligo.read_strand(written, **RNA)
