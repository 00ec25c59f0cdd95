"""Planning without files: lifecycle operations against live leaves, keyed headings and their folders,
attachment homes, names and paths."""

import pytest

from dossier.ectd.headings import ich_tree, regional_tree
from dossier.ectd.leaf import Leaf
from dossier.ectd.lifecycle import LiveLeaf, apply_lifecycle, live_leaves, pinned_keyed
from dossier.ectd.wanted import Inputs, Trees, attachment_leaves, finish_paths, keyed_folder, keyed_values
from dossier.errors import DossierError
from dossier.records import SubmittedSequence
from dossier.roles import AttachmentHome
from tests.helpers.models import VALUES


def leaf(path, fingerprint, heading="m2-5-clinical-overview", md5=""):
    return Leaf(path=path, heading=heading, title=path, kind="document", ref=path, fingerprint=fingerprint, md5=md5)


def live(path, seq, fingerprint, heading="m2-5-clinical-overview"):
    return LiveLeaf(path, seq, "m" + fingerprint, fingerprint, heading, f"id-{path}", path, "document")


def test_new_replace_delete_and_unchanged():
    state = {"a.pdf": live("a.pdf", "0001", "k1"), "b.pdf": live("b.pdf", "0002", "k2"),
             "c.pdf": live("c.pdf", "0001", "k3")}
    planned, unchanged = apply_lifecycle([leaf("a.pdf", "k1"), leaf("b.pdf", "k2-new"), leaf("d.pdf", "k4")], state)
    ops = {p.path: (p.operation, p.modified_seq) for p in planned}
    assert ops == {"b.pdf": ("replace", "0002"), "d.pdf": ("new", None), "c.pdf": ("delete", "0001")}
    assert [u.path for u in unchanged] == ["a.pdf"]
    replace = next(p for p in planned if p.path == "b.pdf")
    assert replace.modified_file() == "../0002/index.xml#id-b.pdf"


def test_same_md5_counts_as_unchanged_even_with_a_new_key():
    state = {"a.pdf": LiveLeaf("a.pdf", "0001", "same", "old-key", "m2-5-clinical-overview", "id", "t", "document")}
    planned, unchanged = apply_lifecycle([leaf("a.pdf", "new-key", md5="same")], state)
    assert planned == [] and len(unchanged) == 1


def test_moved_heading_deletes_and_sends_new():
    state = {"a.pdf": live("a.pdf", "0001", "k1", heading="m2-4-nonclinical-overview")}
    planned, _ = apply_lifecycle([leaf("a.pdf", "k2")], state)
    assert sorted(p.operation for p in planned) == ["delete", "new"]


def test_cover_letters_are_new_in_every_sequence():
    state = {"m1/us/12-cover-letters/c.pdf": live("m1/us/12-cover-letters/c.pdf", "0001", "k", "m1-2-cover-letters")}
    planned, _ = apply_lifecycle([leaf("m1/us/12-cover-letters/c.pdf", "k", "m1-2-cover-letters")], state)
    assert [(p.operation, p.modified_seq) for p in planned] == [("new", None)]


def test_live_leaves_replay_recorded_sequences():
    sequences = [SubmittedSequence("0001", "t", "me", {"index.xml": "x", "a.pdf": "1", "b.pdf": "2",
                                                       "m1/us/12-cover-letters/c.pdf": "3"}),
                 SubmittedSequence("0002", "t", "me", {"a.pdf": "1b", "b.pdf": ""})]
    details = {"0001": {"leaves": {"m1/us/12-cover-letters/c.pdf": {"heading": "m1-2-cover-letters"}},
                        "keyed": {"m5-3-5": {"indication": "X"}}},
               "0002": {"keyed": {"m5-3-5": {"indication": "Y"}}}}
    state = live_leaves(sequences, details)
    assert list(state) == ["a.pdf"] and state["a.pdf"].seq == "0002" and state["a.pdf"].md5 == "1b"
    assert pinned_keyed(sequences, details) == {"m5-3-5": {"indication": "X"}}


def test_keyed_values_and_folders(installed, ectd_model):
    trees = Trees(ich_tree(installed), regional_tree(installed))
    inputs = Inputs(ectd_model, dict(VALUES), {}, {}, {})
    heading = trees.resolve("m3-2-s-1-1")
    keyed = keyed_values(inputs, trees, [heading, trees.resolve("m3-2-p-5-4")])
    assert keyed["m3-2-s-drug-substance"] == {"substance": "atipeksen sodium",
                                              "manufacturer": "Oligo Manufacturing Inc"}
    assert keyed["m3-2-p-drug-product"] == {"product-name": "atipeksen injection",
                                            "manufacturer": "Oligo Manufacturing Inc"}
    chain = trees.ich.chain(heading)
    assert keyed_folder("m3/32-body-data/32s-drug-sub/32s1-gen-info", chain, keyed) == \
        "m3/32-body-data/32s-drug-sub/atipeksen-sodium-oligo-manufacturing-inc/32s1-gen-info"
    already = "m3/32-body-data/32s-drug-sub/atipeksen-sodium-oligo-manufacturing-inc/32s1-gen-info"
    assert keyed_folder(already, chain, keyed) == already
    pinned = Inputs(ectd_model, {}, {}, {}, {"m3-2-s-drug-substance": {"substance": "old", "manufacturer": "m"}})
    assert keyed_values(pinned, trees, [heading])["m3-2-s-drug-substance"]["substance"] == "old"
    with pytest.raises(DossierError, match=r"needs manufacturer from .*substance from cmc.substance.name"):
        keyed_values(Inputs(ectd_model, {}, {}, {}, {}), trees, [heading])


def test_attachment_homes_rows_and_fallback(installed, ectd_model):
    trees = Trees(ich_tree(installed), regional_tree(installed))
    values = {"nonclinical.pharmacology.studies": [
        {"study": "S-1", "purpose": "Target engagement", "system": "Patient fibroblasts", "report": "s1.pdf"},
        {"study": "S-2", "purpose": "Safety", "report": "s2.pdf"}],
        "genetic.literature.references": [{"citation": "Smith 2020", "file": "smith.pdf"}]}
    md5 = {"s1.pdf": "1", "s2.pdf": "2", "smith.pdf": "3"}
    notes = []
    leaves = attachment_leaves(Inputs(ectd_model, values, md5, {}, {}), trees, notes)
    by_ref = {x.ref: x for x in leaves}
    assert by_ref["s1.pdf"].heading == "m4-2-1-1-primary-pharmacodynamics"
    assert by_ref["s1.pdf"].path.endswith("4211-prim-pd/s-1/s1.pdf") and by_ref["s1.pdf"].study == "s-1"
    assert by_ref["s1.pdf"].categories == {"species": "Patient fibroblasts"}
    assert by_ref["s2.pdf"].heading == "m4-2-1-3-safety-pharmacology"
    assert by_ref["smith.pdf"].title == "Smith 2020" and by_ref["smith.pdf"].study is None
    homes = {}  # nothing mapped: literature falls back to no document → left out with a note
    left = attachment_leaves(Inputs(ectd_model, values, md5, {}, {}, homes=homes), trees, notes)
    assert {x.ref for x in left} == {"s1.pdf", "s2.pdf"}  # studies feed the nonclinical overview (fallback)
    assert any("smith.pdf" in n and "no place" in n for n in notes)
    custom = {"genetic.literature.references.file": AttachmentHome("m5-4", "m5/54-lit-ref", "{file}")}
    placed = attachment_leaves(Inputs(ectd_model, values, md5, {}, {}, homes=custom), trees, [])
    assert {x.ref: x.title for x in placed}["smith.pdf"] == "smith"


def test_paths_are_valid_short_and_unique(installed):
    trees = Trees(ich_tree(installed), regional_tree(installed))
    folder = "m5/53-clin-stud-rep/535-rep-effic-safety-stud/5352-stud-rep-uncontr/A Study Folder"
    name = "Report on splice correction in patient-derived fibroblasts and iPSC neurons, final.PDF"
    leaves = [leaf(f"{folder}/{name}", "k", trees.resolve("m5-3-5-2")) for _ in range(3)]
    finish_paths(leaves, trees, {"m5-3-5-reports-of-efficacy-and-safety-studies": {"indication": "CLN7 disease"}})
    paths = [x.path for x in leaves]
    assert len(set(paths)) == 3 and all(len(p) <= 150 for p in paths)
    assert all("/cln7-disease/5352-stud-rep-uncontr/a-study-folder/" in p for p in paths)
    assert all(p.endswith(".pdf") for p in paths)


def test_one_report_for_two_studies_is_sent_once_and_tagged_by_both(installed, ectd_model):
    from dossier.ectd.plan import study_leaves

    trees = Trees(ich_tree(installed), regional_tree(installed))
    values = {"nonclinical.pharmacology.studies": [
        {"study": "NC-01 fibroblasts", "purpose": "Target engagement", "report": "shared.pdf"},
        {"study": "NC-02 neurons", "purpose": "Efficacy", "report": "shared.pdf"}]}
    leaves = attachment_leaves(Inputs(ectd_model, values, {"shared.pdf": "1"}, {}, {}), trees, [])
    assert len(leaves) == 1 and leaves[0].study == "nc-01-fibroblasts"
    assert leaves[0].extra_studies == {"nc-02-neurons": "NC-02 neurons"}
    stfs = study_leaves(leaves)
    assert [s.title for s in stfs] == ["Study tagging file: NC-01 fibroblasts", "Study tagging file: NC-02 neurons"]
    assert len({s.path.rpartition("/")[0] for s in stfs}) == 1
