"""HGVS variants: the Mutalyzer grammar's syntax, the product's reference-sequence rules on top, the
length bound, and the grammar loading only when a variant is parsed; HPO ids checked from a cached
index of the shipped ontology."""

import json
import os
import subprocess
import sys

import pytest

from dossier.errors import FieldError
from dossier.genetics import HGVS_MAX_LENGTH, parse_hgvs, same_variant

VALID = [
    "NM_000391.4:c.1266+5G>A",
    "NM_001042432.2:c.1056+34C>A",
    "NM_001042432.2:c.462_677del",
    "NC_000016.10:g.28482000_28482010del",
    "NC_000016.10(NM_001042432.2):c.1056+34C>A",  # transcript named as a selector on the chromosome
    "NG_012232.1(NM_004006.2):c.93+1G>T",
    "NM_000391.4(TPP1):c.622C>T",  # ClinVar's form: the gene beside the transcript
    "NM_000391.4:c.-15A>G",
    "NM_000391.4:c.*20A>G",
    "NM_000391.4:c.100_101insATG",
    "NM_000391.4:c.100_102delinsTT",
    "NM_000391.4:c.100dup",
    "NM_000391.4:c.100_200inv",
    "NM_000391.4:c.[100A>G;200C>T]",
    "NM_000391.4:r.100a>g",
    "NR_046018.2:n.100A>G",
    "NP_000382.3:p.Arg412Ter",
    "NP_000382.3:p.(Arg412Ter)",
    "NC_012920.1:m.3243A>G",
]


@pytest.mark.parametrize("variant", VALID)
def test_valid_variants_are_kept_as_written(variant):
    assert parse_hgvs(variant) == variant


@pytest.mark.parametrize("variant, says", [
    ("NM_000391.4:c.12x66G>A", "unexpected '>' after 'NM_000391.4:c.12x66G'"),
    ("NM_000391.4:c.100del:", "ends too early"),
    ("", "ends too early"),
    ("CLN3 big deletion", "one word without spaces"),
    ("NM_000391.4: c.1266+5G>A", "write it as 'NM_000391.4:c.1266+5G>A'"),
    ("c.1266+5G>A", "names no reference sequence"),
    ("MFSD8:c.1102G>C", "MFSD8 looks like a gene symbol; write the variant on a versioned RefSeq transcript"),
    ("HLA-A:c.100A>G", "HLA-A looks like a gene symbol"),
    ("NM_000391:c.1266+5G>A", "NM_000391 has no version"),
    ("chr16:g.28482000A>G", "chr16 is not a versioned RefSeq accession"),
    ("ENST00000357033.8:c.100A>G", "not a versioned RefSeq accession"),
    ("NC_000016.10:c.1056+34C>A", "'c.' positions are counted on a coding transcript (NM_)"),
    ("NM_000391.4:g.100A>G", "'g.' positions are counted on a chromosome (NC_) or a gene region (NG_)"),
    ("NM_000391.4:p.Arg412Ter", "a protein (NP_)"),
])
def test_refusals_say_what_to_write(variant, says):
    with pytest.raises(FieldError) as err:
        parse_hgvs(variant, "Variant (HGVS)")
    assert err.value.field == "Variant (HGVS)"
    assert "not a valid HGVS variant" in err.value.problem and says in err.value.problem


@pytest.mark.parametrize("a, b, same", [
    ("NM_000391.4:c.1266+5G>A", "NM_000391.4(TPP1):c.1266+5G>A", True),   # the gene beside the transcript
    ("NM_001042432.2:c.462_677del", "NM_001042432.2:c.462_677delCTG", True),  # deleted bases spelled out
    ("NM_000391.4:c.1266+5G>A", "NM_000391.4:c.1266+5G>T", False),         # another change
    ("NM_000391.4:c.1266+5G>A", "NM_000391.3:c.1266+5G>A", False),         # another version numbers otherwise
    ("NM_000391.4:c.1266+5G>A", "NM_000391.4:c.1266+6G>A", False),
    ("NM_000391.4:c.1266+5G>A", "NC_000011.10:g.6617154C>T", False),       # one change on two sequences: unknown
    ("not hgvs", "not hgvs", True), ("not hgvs", "not  hgvs", False),
])
def test_same_variant_reads_both_through_the_grammar(a, b, same):
    assert same_variant(a, b) is same and same_variant(b, a) is same


def test_overlong_input_is_refused_before_parsing():
    allele = "NM_000391.4:c.[" + ";".join(f"{100 + i}A>G" for i in range(HGVS_MAX_LENGTH // 6)) + "]"
    assert len(allele) > HGVS_MAX_LENGTH
    with pytest.raises(FieldError, match=f"at most {HGVS_MAX_LENGTH:,}") as err:
        parse_hgvs(allele)
    assert len(str(err.value)) < 400  # the message quotes the start of the input, not all of it
    with pytest.raises(FieldError, match="characters long"):
        parse_hgvs("N" * 1_000_000)


def test_grammar_loads_only_when_a_variant_is_parsed():
    code = ("import sys, dossier.genetics, dossier.fieldtypes, dossier.cli\n"
            "assert 'lark' not in sys.modules and 'mutalyzer_hgvs_parser' not in sys.modules, 'loaded at import'\n"
            "dossier.genetics.parse_hgvs('NM_000391.4:c.1266+5G>A')\n"
            "assert 'lark' in sys.modules\n")
    subprocess.run([sys.executable, "-c", code], check=True)


HPO_IN_A_FRESH_PROCESS = """
import json, sys
from dossier import genetics
from dossier.errors import FieldError
terms = [genetics.hpo_term(t) for t in ("HP:0001250", "hp_0004322", "HP:0001388")]
try:
    genetics.hpo_term("HP:9999999")
except FieldError as exc:
    unknown = str(exc)
print(json.dumps({"terms": terms, "unknown": unknown, "ontology_loaded": genetics.hpo_loaded()}))
"""


def test_hpo_ids_are_checked_from_a_cached_index_of_the_shipped_ontology(tmp_path):
    env = {**os.environ, "DOSSIER_CACHE_DIR": str(tmp_path)}
    runs = [json.loads(subprocess.run([sys.executable, "-c", HPO_IN_A_FRESH_PROCESS], env=env, check=True,
                                      capture_output=True, text=True).stdout) for _ in range(2)]
    assert runs[0]["ontology_loaded"] is True and runs[1]["ontology_loaded"] is False  # the second reads the index
    assert runs[0]["terms"] == runs[1]["terms"] == [
        {"id": "HP:0001250", "label": "Seizure"}, {"id": "HP:0004322", "label": "Short stature"},
        {"id": "HP:0001388", "label": "obsolete Joint laxity"}]
    assert "HP:9999999 is not a term of the shipped HPO ontology" in runs[1]["unknown"]
    assert list((tmp_path / "hpo").glob("*.json"))
