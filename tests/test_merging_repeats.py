"""Merge and diff of dossiers with a repeat (tests/helpers/models.py REPEATS_MODEL: drug substances shared
by a CMC and a nonclinical section): instances are matched by their name, never by their position."""

from __future__ import annotations

import json
import shutil

import pytest

from dossier.diffing import diff
from dossier.errors import DossierError
from dossier.mergefile import merge_file
from dossier.merging import merge
from dossier.service import Dossier
from dossier.snapshot import read_snapshot, write_snapshot

SUBSTANCES = "substances"


@pytest.fixture
def copies(tmp_path, repeats_model):
    """BASE with two drug substances, and OURS and THEIRS copied from it."""
    base = tmp_path / "base.dossier"
    with Dossier.create(base, "Editor case", model=repeats_model) as d:
        d.add_instance(SUBSTANCES, "Editor mRNA")
        d.add_instance(SUBSTANCES, "Guide RNA")
        d.set_many({"cmc.substance[0].kind": "mRNA", "cmc.substance[0].sequence": "AUGGCC",
                    "cmc.substance[1].kind": "Guide RNA", "cmc.substance[1].sequence": "GGCUAGC",
                    "cmc.substance[1].batches": [{"lot": "G-1"}], "nonclinical.potency[1].summary": "Cuts",
                    "product.overview.product_name": "editor-1"})
    for name in ("ours", "theirs"):
        shutil.copyfile(base, tmp_path / f"{name}.dossier")
    return base, tmp_path / "ours.dossier", tmp_path / "theirs.dossier"


def merged(paths, model, out):
    result = merge(*(read_snapshot(p, model) for p in paths), model)
    if result.merged is not None:
        write_snapshot(result.merged, out, model)
    return result


def test_instances_are_matched_by_name_not_position(copies, tmp_path, repeats_model):
    _base, ours, theirs = copies
    with Dossier.open(ours, model=repeats_model) as d:  # ours puts the guide first and edits it
        d.move_instance(SUBSTANCES, 1, 0)
        d.set("cmc.substance[0].sequence", "GGCUAGCA")
    with Dossier.open(theirs, model=repeats_model) as d:  # theirs edits the guide at its old place, adds a lipid
        d.set_many({"nonclinical.potency[1].summary": "Cuts at the target", "cmc.substance[1].batches":
                    [{"lot": "G-1"}, {"lot": "G-2"}]})
        d.add_instance(SUBSTANCES, "Lipid")

    result = merged(copies, repeats_model, tmp_path / "m.dossier")

    assert result.conflicts == []
    with Dossier.open(tmp_path / "m.dossier", model=repeats_model, read_only=True) as d:
        assert d.instances(SUBSTANCES) == ["Guide RNA", "Editor mRNA", "Lipid"]
        values = d.values()
    assert values["cmc.substance[0].sequence"] == "GGCUAGCA"
    assert values["nonclinical.potency[0].summary"] == "Cuts at the target"
    assert values["cmc.substance[0].batches"] == [{"lot": "G-1"}, {"lot": "G-2"}]
    assert values["cmc.substance[1].sequence"] == "AUGGCC" and values["cmc.substance[2].name"] == "Lipid"


def test_an_instance_value_changed_differently_is_a_conflict_naming_the_instance(copies, tmp_path, repeats_model):
    _base, ours, theirs = copies
    with Dossier.open(ours, model=repeats_model) as d:
        d.move_instance(SUBSTANCES, 1, 0)
        d.set("cmc.substance[0].sequence", "OURS")
    with Dossier.open(theirs, model=repeats_model) as d:
        d.set("cmc.substance[1].sequence", "THEIRS")

    result = merged(copies, repeats_model, tmp_path / "m.dossier")

    assert [(c.path, c.what, c.base, c.ours, c.theirs) for c in result.conflicts] == [
        ("cmc.substance[0].sequence", "changed differently on both sides (in drug substance 'Guide RNA')",
         "GGCUAGC", "OURS", "THEIRS")]
    assert not (tmp_path / "m.dossier").exists()


def test_an_instance_removed_on_one_side_and_changed_on_the_other_is_a_conflict(copies, tmp_path, repeats_model):
    _base, ours, theirs = copies
    with Dossier.open(ours, model=repeats_model) as d:
        d.remove_instance(SUBSTANCES, 0)
    with Dossier.open(theirs, model=repeats_model) as d:
        d.set("cmc.substance[0].sequence", "AUGGCCA")

    result = merged(copies, repeats_model, tmp_path / "m.dossier")

    assert [(c.path, c.what) for c in result.conflicts] == [
        ("drug substance 'Editor mRNA'", "removed on one side, changed on the other")]


def test_an_instance_removed_on_one_side_goes(copies, tmp_path, repeats_model):
    _base, ours, theirs = copies
    with Dossier.open(ours, model=repeats_model) as d:
        d.remove_instance(SUBSTANCES, 0)
    with Dossier.open(theirs, model=repeats_model) as d:
        d.set("nonclinical.potency[1].summary", "Cuts well")

    assert merged(copies, repeats_model, tmp_path / "m.dossier").conflicts == []
    with Dossier.open(tmp_path / "m.dossier", model=repeats_model, read_only=True) as d:
        assert d.instances(SUBSTANCES) == ["Guide RNA"]
        assert d.get("nonclinical.potency[0].summary") == "Cuts well"


def test_diff_pairs_instances_by_name(copies, repeats_model):
    base, ours, _ = copies
    with Dossier.open(ours, model=repeats_model) as d:
        d.move_instance(SUBSTANCES, 1, 0)
        d.set("cmc.substance[0].kind", "mRNA")

    texts = [x.text() for x in diff(read_snapshot(base, repeats_model), read_snapshot(ours, repeats_model),
                                    repeats_model)]

    assert texts == ["cmc.substance[0].kind: 'Guide RNA' -> 'mRNA' (in drug substance 'Guide RNA')",
                     "substances: drug substance instances in another order"]


def test_two_instances_of_one_name_are_refused(copies, tmp_path, repeats_model):
    _base, ours, _theirs = copies
    with Dossier.open(ours, model=repeats_model) as d:
        try:
            d.rename_instance(SUBSTANCES, 1, "Editor mRNA")
        except DossierError:  # the app refuses it; a copy edited elsewhere may still hold it
            d.store.set("cmc.substance[1].name", "Editor mRNA")

    with pytest.raises(DossierError, match=r"OURS has two drug substance instances named 'Editor mRNA' \(\[0\] and "
                                           r"\[1\]\); instances are matched by name"):
        merged(copies, repeats_model, tmp_path / "m.dossier")


def section_file(path, section, instances_):
    path.write_text(json.dumps({"section": section, "instances": instances_}, indent=2) + "\n", encoding="utf-8")
    return path


def test_merge_file_pairs_the_instances_of_a_section_file_by_name(tmp_path, repeats_model):
    mrna, guide = {"name": "Editor mRNA", "kind": "mRNA"}, {"name": "Guide RNA", "kind": "Guide RNA"}
    base = section_file(tmp_path / "base", "cmc.substance", [mrna, guide])
    ours = section_file(tmp_path / "ours", "cmc.substance", [{**guide, "sequence": "GGC"}, mrna])
    theirs = section_file(tmp_path / "theirs", "cmc.substance", [mrna, {**guide, "batches": [{"lot": "G-1"}]},
                                                                 {"name": "Lipid", "kind": "Lipid"}])

    assert merge_file(base, ours, theirs, "case/sections/cmc.substance.json", repeats_model) == []

    assert json.loads(ours.read_text())["instances"] == [
        {"name": "Guide RNA", "kind": "Guide RNA", "sequence": "GGC", "batches": [{"lot": "G-1"}]},
        mrna, {"name": "Lipid", "kind": "Lipid"}]


def test_merge_file_leaves_a_section_whose_instances_are_named_elsewhere_to_dossier_merge(tmp_path, repeats_model):
    base = section_file(tmp_path / "base", "nonclinical.potency", [{"summary": "a"}, {"summary": "b"}])
    ours = section_file(tmp_path / "ours", "nonclinical.potency", [{"summary": "b"}, {"summary": "a"}])
    theirs = section_file(tmp_path / "theirs", "nonclinical.potency", [{"summary": "a"}, {"summary": "b2"}])
    before = ours.read_bytes()

    conflicts = merge_file(base, ours, theirs, "case/sections/nonclinical.potency.json", repeats_model)

    assert [c.path for c in conflicts] == ["nonclinical.potency"]
    assert "named in cmc.substance.json: merge the two copies with `dossier merge`" in conflicts[0].what
    assert ours.read_bytes() == before
