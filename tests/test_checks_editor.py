"""The genome-editor check (editor_site) on real dossier files: the demo made into a base editor, a
nuclease and a prime editor on its own target sequence checks clean; one wrong edit to a copy raises
exactly the finding it should, with the positions, strand and PAM in its message; a missing input says
so; a malformed check is refused when the model loads."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml

from dossier.cases import make_case
from dossier.errors import ModelError
from dossier.model_reader import parse_model
from dossier.paths import content_model_path
from dossier.service import Dossier
from dossier.upgrade import values_version
from tests.helpers.pdfs import make_pdf
from tests.helpers.release1 import contents, section, shipped_model_with, without_arms

EDITOR_CHECKS = {"base-editor-site", "nuclease-site", "prime-editor-site"}
D = "nonclinical.design[0]."  # the design of the dossier's one arm
M = "nonclinical.design."     # … as the model names its fields
# The demo's target (CLN3 intron 11, sense strand) holds the patient's A at position 44. The spacer below
# lies on the sense strand at 39–58 before TGG, so the A is protospacer position 6 (ABE8e window 4–8);
# the window's other A, at position 7 (target 45), is a bystander.
SPACER = "CAGGUAAGUUCCUGGGACCU"
SCAFFOLD = "GUUUUAGAGCUAGAAAUAGCAAGUUAAAAUAAGGC"
EDITOR = {  # what every genome editor needs besides its design (as the modalities test gives it)
    "cmc.substance[0].kind": "Guide RNA",
    # the ASO's formula and weight are not the guide's (the RNA weight check would say so)
    "cmc.substance[0].molecular_formula": None, "cmc.substance[0].molecular_weight": None,
    "nonclinical.offtarget.editing_off_target": "CHANGE-seq on the patient's genomic DNA nominated 41 sites.",
    "nonclinical.offtarget.candidate_confirmation": "Amplicon sequencing of the 41 sites in edited patient "
                                                   "fibroblasts at 10,000x: no edit above background.",
    "nonclinical.offtarget.structural_variants": "Long-read sequencing at the target found no large deletion.",
    "nonclinical.toxicology.immunogenicity": "Anti-Cas9 antibodies and T cells measured before and after dosing.",
    "confirmatory.followup.ltfu_duration": "15 years",
    D + "cas_variant": "SpCas9",
    # a genome editor is human gene transfer (the drug class decides it): an IBC reviews the protocol
    "module1.letters.ibc_name": "Riverside Children's Hospital IBC (fictional)",
    "module1.letters.ibc_status": "Approved",
}
BASE_EDITOR = {
    **EDITOR, "module1.product.drug_class": "Base editor",
    "genetic.variant[0].hgvs": "NM_001042432.2:c.1056+34G>A",  # an A an adenine base editor turns back into G
    D + "targeted_variant": "NM_001042432.2:c.1056+34G>A",  # the product targets the rationale's variant
    "cmc.substance[0].sequence": SPACER + SCAFFOLD,
    D + "editor": "ABE8e (TadA-8e deaminase fused to SpCas9 D10A nickase)", D + "deaminase": "ABE8e",
    D + "guide_rna": SPACER, D + "pam": "TGG", D + "edit_design": "The only NGG guide placing the A in the window.",
    D + "bystanders[0].position": "7", D + "bystanders[0].consequence": "Intronic, outside the splice motif",
    D + "bystanders[0].frequency": "4 % of alleles in patient fibroblasts",
}
# a nuclease cutting 4 nt from the variant (sense strand 31–50, PAM TGG: cut between 47 and 48)
NUCLEASE = {**EDITOR, "module1.product.drug_class": "Nuclease genome editor",
            "cmc.substance[0].sequence": "GUCCUCACCAGGUAAGUUCC" + SCAFFOLD,
            D + "editor": "SpCas9 nuclease with a single-stranded donor writing the reference base",
            D + "guide_rna": "GUCCUCACCAGGUAAGUUCC", D + "edit_design": "Cut 4 nt from the variant; ssODN donor."}


def _make(folder: Path, values: dict) -> Path:
    path = folder / "editor.dossier"
    make_case("aso", path)
    with Dossier.open(path) as d:
        d.set_many(values)
        if "genetic.variant[0].hgvs" in values:  # the laboratory's report names the variant the dossier gives
            for name in d.get("genetic.variant[0].lab_report"):
                d.remove_attachment(name)
            alleles = f"{values['genetic.variant[0].hgvs']} and {d.get('genetic.variant[0].second_allele')}"
            d.attach("genetic.variant[0].lab_report", make_pdf(folder / "report.pdf", f"CLN3: {alleles}; CLIA "
                                                               f"{d.get('genetic.variant[0].clia')}, CAP "
                                                               f"{d.get('genetic.variant[0].cap')}"))
    return path


@pytest.fixture(scope="module")
def base_editor(tmp_path_factory) -> Path:
    return _make(tmp_path_factory.mktemp("base-editor"), BASE_EDITOR)


@pytest.fixture(scope="module")
def nuclease(tmp_path_factory) -> Path:
    return _make(tmp_path_factory.mktemp("nuclease"), NUCLEASE)


def findings(original: Path, tmp_path: Path, **changes) -> list:
    """The editor check's findings on a copy of `original` with `changes` (D__field for nonclinical.design)."""
    path = tmp_path / "copy.dossier"
    path.write_bytes(original.read_bytes())
    with Dossier.open(path) as d:
        d.set_many({k.replace("D__", D).replace("__", "."): v for k, v in changes.items()})
        return [f for f in d.check().findings if f.check in EDITOR_CHECKS]


def only(found: list, field: str, *words: str):
    assert len(found) == 1, [(f.field, f.message) for f in found]
    [f] = found
    assert f.field == field and f.severity == "error", (f.field, f.message)
    for w in words:
        assert w in f.message, f.message
    return f


def test_a_consistent_base_editor_and_nuclease_check_clean(base_editor, nuclease):
    for path in (base_editor, nuclease):
        with Dossier.open(path, read_only=True) as d:
            report = d.check()
        assert [f"{f.check}: {f.message}" for f in report.findings if f.severity == "error"] == []
        assert not EDITOR_CHECKS & {f.check for f in report.findings}


def test_a_spacer_not_in_the_target_shows_the_best_match(base_editor, tmp_path):
    f = only(findings(base_editor, tmp_path, D__guide_rna=SPACER[:12] + "A" + SPACER[13:]), D + "guide_rna",
             "the spacer CAGGTAAGTTCCAGGGACCT lies on neither strand of the target",
             "the best match, target 39–58 on the sense (+) strand, mismatches at spacer position(s) 13")
    assert D + "target_sequence" in f.fields


def test_a_pam_the_cas_protein_does_not_accept_is_found(base_editor, tmp_path):
    f = only(findings(base_editor, tmp_path, D__cas_variant="SaCas9"), D + "guide_rna",
             "the spacer matches target 39–58 on the sense (+) strand, followed by TGGCTC",
             "SaCas9 needs the PAM NNGRRT there", "Ran et al., Nature 2015")
    assert D + "cas_variant" in f.fields


def test_a_declared_pam_that_is_not_at_the_target_is_found(base_editor, tmp_path):
    only(findings(base_editor, tmp_path, D__pam="AGG"), D + "pam",
         "the PAM declared, AGG, is not the one at the target", "followed by TGG")
    assert findings(base_editor, tmp_path, D__pam="NGG") == []  # the Cas protein's motif fits too


def test_a_variant_outside_the_window_shows_its_protospacer_position(base_editor, tmp_path):
    only(findings(base_editor, tmp_path, D__window_start="7", D__window_end="8"), D + "variant_position",
         "the variant at target position 44 is protospacer position 6 (target 39–58 on the sense (+) strand), "
         "outside the editing window declared, 7–8")
    # a guide further along puts the variant at position 14, outside ABE8e's published window
    only(findings(base_editor, tmp_path, D__guide_rna="GUCCUCACCAGGUAAGUUCC"), D + "variant_position",
         "protospacer position 14 (target 31–50", "outside ABE8e's published window 4–8 [Richter et al.")


def test_a_cytosine_base_editor_on_an_a_is_found(base_editor, tmp_path):
    only(findings(base_editor, tmp_path, D__deaminase="BE4max"), D + "deaminase",
         "BE4max edits C on the protospacer strand, but the variant at target position 44 is protospacer "
         "position 6", "holds A there (target base A on the sense strand)")


def test_an_unlisted_bystander_is_found(base_editor, tmp_path):
    f = only(findings(base_editor, tmp_path, **{D + "bystanders": None}), D + "bystanders",
             "the window, protospacer positions 4–8 (target 39–58 on the sense (+) strand), has editable A at "
             "position(s) 7 (target 45) not listed as bystanders")
    assert D + "deaminase" in f.fields
    # a declared window narrower than the published one still asks for the published window's bystanders
    assert len(findings(base_editor, tmp_path, D__window_start="5", D__window_end="6",
                        **{D + "bystanders": None})) == 1


def test_a_nuclease_cutting_too_far_from_the_variant_is_found(nuclease, tmp_path):
    # on the antisense strand (30–49, PAM TGG) the cut falls between 33 and 32: 12 nt from the variant
    only(findings(nuclease, tmp_path, D__guide_rna="GAACUUACCUGGUGAGGACC"), D + "variant_position",
         "the cut falls between target positions 32 and 33 (protospacer positions 17 and 18, 3 nt before "
         "SpCas9's PAM", "is protospacer position 6, 12 nt from the cut; it must lie within 10 nt [Paquet")


def test_a_prime_editor_needs_the_variant_after_the_nick(base_editor, tmp_path):
    found = findings(base_editor, tmp_path, module1__product__drug_class="Prime editor")
    only(found, D + "variant_position", "the nick falls between target positions 55 and 56",
         "protospacer position 6, 12 nt before the nick: the edit must lie after it")


def measured(original: Path, tmp_path: Path, **changes) -> dict[str, object]:
    """The editor check's measures on a copy of `original` with `changes`, by label."""
    path = tmp_path / "copy.dossier"
    path.write_bytes(original.read_bytes())
    with Dossier.open(path) as d:
        d.set_many({k.replace("D__", D).replace("__", "."): v for k, v in changes.items()})
        return {m.label: m for m in d.check().measures if m.check in EDITOR_CHECKS}


def test_a_base_editor_reports_the_spacer_pam_window_and_bystanders_it_measured(base_editor, tmp_path, cli):
    shown = {label: (m.shown, m.limit_shown, m.ok) for label, m in measured(base_editor, tmp_path).items()}
    assert shown == {"Spacer bases matching the target": ("20 nt", "≥ 20 nt", True),
                     "SpCas9 PAM after the spacer": ("yes", "yes", True),
                     "Variant's protospacer position": ("6", "4–8", True),
                     "Bystanders in the window not listed": ("0", "= 0", True)}
    m = measured(base_editor, tmp_path)
    assert m["SpCas9 PAM after the spacer"].basis == "TGG after target 39–58 on the sense (+) strand; SpCas9 takes NGG"
    assert m["Variant's protospacer position"].field == D + "variant_position"
    assert m["Variant's protospacer position"].note.startswith("ABE8e's published window 4–8 [Richter et al.")
    assert m["Bystanders in the window not listed"].basis == ("editable A besides the variant's in protospacer "
                                                              "positions 4–8: 7; 1 listed")
    report = json.loads(cli("check", "--json", base_editor).out)
    briefs = {m["brief"] for m in report["measures"] if m["check"] == "base-editor-site"}
    assert {"Variant's protospacer position 6 (needs 4–8)", "SpCas9 PAM after the spacer: yes"} <= briefs
    text = cli("check", base_editor).out
    assert ("ok     Bystanders in the window not listed 0 (editable A besides the variant's in protospacer "
            "positions 4–8: 7; 1 listed; needs = 0)") in text


def test_what_a_failing_editor_design_measured_is_not_ok(base_editor, nuclease, tmp_path):
    outside = measured(base_editor, tmp_path, D__window_start="7", D__window_end="8")
    assert (outside["Variant's protospacer position"].ok, outside["Variant's protospacer position"].limit_shown) == \
        (False, "7–8")
    unlisted = measured(base_editor, tmp_path, **{D + "bystanders": None})["Bystanders in the window not listed"]
    assert (unlisted.value, unlisted.ok) == (1, False)
    pam = measured(base_editor, tmp_path, D__cas_variant="SaCas9")
    assert pam["SaCas9 PAM after the spacer"].basis == ("TGGCTC after target 39–58 on the sense (+) strand; SaCas9 "
                                                        "takes NNGRRT") and not pam["SaCas9 PAM after the spacer"].ok
    assert "Variant's protospacer position" not in pam  # no place for the guide: nothing further to measure
    mismatch = measured(base_editor, tmp_path, D__guide_rna=SPACER[:12] + "A" + SPACER[13:])
    assert (mismatch["Spacer bases matching the target"].value, mismatch["Spacer bases matching the target"].ok) == \
        (19, False)
    far = measured(nuclease, tmp_path, D__guide_rna="GAACUUACCUGGUGAGGACC")["Cut to the variant"]
    assert (far.value, far.limit, far.unit, far.ok) == (12, 10, "nt", False)
    assert far.basis == "cut between target positions 32 and 33, variant at 44"
    assert measured(nuclease, tmp_path)["Cut to the variant"].ok
    nick = measured(base_editor, tmp_path, module1__product__drug_class="Prime editor")["Nick to the variant"]
    assert (nick.value, nick.ok, nick.note) == (12, False, "after the nick")
    assert nick.basis == "nick between target positions 55 and 56, variant at 44, before the nick"


@pytest.mark.parametrize("changes, field, words", [
    ({D + "target_sequence": None, D + "cas_variant": None}, D + "target_sequence",
     "fill in Target sequence (5'→3', sense strand), Cas protein"),
    ({D + "cas_variant": "Other"}, D + "cas_variant", "the model declares no PAM for Other"),
    ({D + "target_sequence": "GCTCTTCCAGGTGAGCCTGGGCTCTGCCAGGTCCTCACCAGGTAAGTTCCTGGGACCTT"}, D + "target_sequence",
     "the target ends 1 nt after the protospacer (target 39–58 on the sense (+) strand), so the PAM cannot be "
     "seen: give at least 3 nt beyond it"),
])
def test_a_check_that_cannot_run_says_what_it_lacks(base_editor, tmp_path, changes, field, words):
    [f] = findings(base_editor, tmp_path, **changes)
    assert f.severity == "warning" and f.field == field
    assert f.message.startswith("Cannot check where the guide sits") and words in f.message, f.message


def _version2(raw: dict) -> None:
    """The shipped model as version 2 had it: a genome editor's editing window as free text."""
    section(raw, "nonclinical.design")["fields"].append({"id": "editing_window", "label": "Editing window",
                                                         "type": "text"})
    without_arms(raw)
    raw["upgrades"] = [step for step in raw["upgrades"] if step["version"] <= 2]


def test_an_older_dossiers_editing_window_is_kept_as_its_edit_design(tmp_path):
    path, written = tmp_path / "older.dossier", "pegRNA primer-binding site 13 nt, RT template 16 nt"
    with Dossier.create(path, "Prime editor made with model version 2", model=shipped_model_with(_version2)) as d:
        d.set_many({"module1.product.drug_class": "Prime editor", M + "editing_window": written})
    stored = contents(path).values[M + "editing_window"]
    with Dossier.open(path) as d:  # to the edit design (version 3) of the first arm (version 4)
        assert d.get(D + "edit_design") == written and M + "editing_window" not in d.values()
        assert [note for note in d.notes if f"older.before-upgrade-{values_version(d.model)}.dossier" in note]
    assert contents(path).values[D + "edit_design"] == stored  # the stored JSON text, byte for byte


def _shipped() -> dict:
    return yaml.safe_load(content_model_path().read_text(encoding="utf-8"))


@pytest.mark.parametrize("change, expected", [
    ({"cas_variants": {"SpCas9X": {"pam": "NGG", "source": "x"}}}, "'SpCas9X' is not a choice of nonclinical.design"),
    ({"cas_variants": {"SpCas9": {"pam": "NGJ", "source": "x"}}}, "'pam' must be an IUPAC motif"),
    ({"deaminases": {"ABE8e": {"edits": "A", "window": [8, 4], "source": "x"}}}, "'window' must be [first, last]"),
    ({"deaminases": {"ABE8e": {"edits": "A", "window": [4, 8]}}}, "'source' must be a non-empty string"),
    ({"bystanders": M + "bystanders.consequence"}, "is a text; this key needs number"),
    ({"window_end": None}, "'window_start' and 'window_end' go together"),
])
def test_a_malformed_editor_check_is_refused_at_load(change, expected):
    raw = copy.deepcopy(_shipped())
    check = next(c for c in raw["checks"] if c["id"] == "base-editor-site")
    check.update(change)
    for key in [k for k, v in check.items() if v is None]:
        del check[key]
    with pytest.raises(ModelError) as err:
        parse_model(raw, Path("broken.yaml"))
    assert str(err.value).startswith("broken.yaml: check base-editor-site: ") and expected in str(err.value), \
        str(err.value)
