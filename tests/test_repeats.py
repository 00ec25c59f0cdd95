"""Repeatable groups: instances added, renamed, moved, removed and restored through the Dossier (one
transaction each, in the history, undone from the return value), and paths into them refused when
they do not say which instance they mean."""

from __future__ import annotations

import sqlite3

import pytest

from dossier.errors import DossierError, FieldError, RefusedValuesError, UnknownFieldError
from dossier.fieldpath import model_path
from dossier.repeats import in_instance, instance_view, instances
from dossier.service import Dossier
from tests.helpers.pdfs import make_pdf

NAME = "cmc.substance[{}].name"


@pytest.fixture
def dossier(tmp_path, repeats_model):
    with Dossier.create(tmp_path / "case.dossier", "Editor case", model=repeats_model) as d:
        yield d


def fill(d: Dossier) -> None:
    """Two drug substances with values in both sections that share the repeat, and a table."""
    d.add_instance("substances", "Editor mRNA")
    d.add_instance("substances", "Guide RNA")
    d.set_many({"cmc.substance[0].kind": "mRNA", "cmc.substance[0].sequence": "AUGGCC",
                "cmc.substance[1].kind": "Guide RNA", "cmc.substance[1].sequence": "GGCUAGC",
                "cmc.substance[1].batches": [{"lot": "G-1"}, {"lot": "G-2"}],
                "nonclinical.potency[0].ec50": "3 nM", "nonclinical.potency[1].summary": "Cuts at the target",
                "product.overview.product_name": "editor-1"})


def rows(path) -> list[tuple]:
    """The stored values as SQLite holds them, byte for byte."""
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT path, value FROM field_values ORDER BY path").fetchall()


def test_instances_are_added_in_order_and_listed(dossier):
    assert dossier.instances("substances") == []
    assert dossier.add_instance("substances", "Editor mRNA") == 0
    assert dossier.add_instance("substances", "Guide RNA") == 1
    assert dossier.instances("substances") == ["Editor mRNA", "Guide RNA"]
    assert dossier.get(NAME.format(1)) == "Guide RNA"


def test_values_list_each_instance_under_its_path(dossier):
    fill(dossier)
    values = dossier.values()
    assert values["cmc.substance[1].sequence"] == "GGCUAGC"
    assert values["nonclinical.potency[0].ec50"] == {"value": 3.0, "unit": "nM"}
    assert "cmc.substance.sequence" not in values
    ours = [p for p in values if p.startswith("cmc.substance")]
    assert ours == ["cmc.substance[0].name", "cmc.substance[0].kind", "cmc.substance[0].sequence",
                    "cmc.substance[1].name", "cmc.substance[1].kind", "cmc.substance[1].sequence",
                    "cmc.substance[1].batches"]


def test_move_rewrites_every_section_sharing_the_repeat_and_moves_back_byte_for_byte(dossier):
    fill(dossier)
    before = rows(dossier.path)
    dossier.move_instance("substances", 1, 0)
    assert dossier.instances("substances") == ["Guide RNA", "Editor mRNA"]
    assert dossier.get("cmc.substance[0].sequence") == "GGCUAGC"
    assert dossier.get("nonclinical.potency[0].summary") == "Cuts at the target"
    assert dossier.get("nonclinical.potency[1].ec50") == {"value": 3.0, "unit": "nM"}
    assert dossier.get("nonclinical.potency[0].ec50") is None
    dossier.move_instance("substances", 0, 1)
    assert rows(dossier.path) == before


def test_remove_shifts_later_instances_down_and_restore_puts_it_back_byte_for_byte(dossier):
    fill(dossier)
    dossier.add_instance("substances", "Lipid")
    dossier.set("cmc.substance[2].kind", "Lipid")
    before = rows(dossier.path)
    removed = dossier.remove_instance("substances", 1)
    assert removed == {"cmc.substance[1].batches": [{"lot": "G-1"}, {"lot": "G-2"}],
                       "cmc.substance[1].kind": "Guide RNA", "cmc.substance[1].name": "Guide RNA",
                       "cmc.substance[1].sequence": "GGCUAGC", "nonclinical.potency[1].summary": "Cuts at the target"}
    assert dossier.instances("substances") == ["Editor mRNA", "Lipid"]
    assert dossier.get("cmc.substance[1].kind") == "Lipid"
    assert not [p for p, _ in rows(dossier.path) if "[2]" in p]
    dossier.restore_instance("substances", 1, removed)
    assert rows(dossier.path) == before


def test_rename_returns_the_old_name_to_undo_it(dossier):
    fill(dossier)
    before = rows(dossier.path)
    old = dossier.rename_instance("substances", 1, "sgRNA")
    assert old == "Guide RNA"
    assert dossier.instances("substances") == ["Editor mRNA", "sgRNA"]
    dossier.rename_instance("substances", 1, old)
    assert rows(dossier.path) == before


def test_add_undone_by_remove(dossier):
    fill(dossier)
    before = rows(dossier.path)
    i = dossier.add_instance("substances", "Lipid")
    dossier.remove_instance("substances", i)
    assert rows(dossier.path) == before


def test_each_operation_is_one_readable_history_entry_besides_the_values_it_changed(dossier):
    fill(dossier)
    dossier.move_instance("substances", 1, 0)
    entries = [e for e in dossier.history() if e.field == "repeat:substances"]
    assert [(e.old, e.new) for e in entries] == [
        ([], ["Editor mRNA"]), (["Editor mRNA"], ["Editor mRNA", "Guide RNA"]),
        (["Editor mRNA", "Guide RNA"], ["Guide RNA", "Editor mRNA"])]
    moved = [e for e in dossier.history("cmc.substance[0].sequence")]
    assert (moved[-1].old, moved[-1].new) == ("AUGGCC", "GGCUAGC")
    from dossier.changes import describe_entry

    assert describe_entry("repeat:substances", entries[0].old, entries[0].new, None) == ["added 'Editor mRNA' as [0]"]
    dossier.add_instance("substances", "Lipid")
    dossier.move_instance("substances", 2, 0)
    dossier.rename_instance("substances", 1, "gRNA")
    dossier.remove_instance("substances", 2)
    said = [describe_entry(e.field, e.old, e.new, None)[0] for e in dossier.history() if e.field.startswith("repeat:")]
    assert said[-4:] == ["added 'Lipid' as [2]", "moved 'Lipid' from [2] to [0]",
                         "renamed [1] 'Guide RNA' to 'gRNA'", "removed 'Editor mRNA' (was [2])"]


@pytest.mark.parametrize("name, problem", [
    ("guide rna", r"already names drug substance \[1\]"),
    ("", "a drug substance needs a name"),
    ("two\nlines", "takes one line"),
])
def test_a_name_that_is_empty_taken_or_not_one_line_is_refused(dossier, name, problem):
    fill(dossier)
    before = rows(dossier.path)
    with pytest.raises(FieldError, match=problem):
        dossier.add_instance("substances", name)
    with pytest.raises(FieldError, match=problem if name != "guide rna" else "already names"):
        dossier.rename_instance("substances", 0, name)
    assert rows(dossier.path) == before


def test_an_instance_that_does_not_exist_is_refused_with_the_instances(dossier):
    fill(dossier)
    with pytest.raises(DossierError, match=r"no drug substance \[2\].*\[0\] Editor mRNA, \[1\] Guide RNA"):
        dossier.move_instance("substances", 2, 0)
    with pytest.raises(DossierError, match=r"no drug substance \[5\]"):
        dossier.remove_instance("substances", 5)
    with pytest.raises(UnknownFieldError, match=r"there is no drug substance \[2\]"):
        dossier.get("cmc.substance[2].kind")
    with pytest.raises(DossierError, match="no repeat 'arms'"):
        dossier.instances("arms")


def test_a_path_without_the_instance_names_the_instances(dossier):
    fill(dossier)
    with pytest.raises(UnknownFieldError, match=r"cmc.substance is repeated: say which drug substance, e.g. "
                                                r"cmc.substance\[0\].sequence; instances: \[0\] Editor mRNA, "
                                                r"\[1\] Guide RNA"):
        dossier.set("cmc.substance.sequence", "AUG")
    with pytest.raises(UnknownFieldError, match="is repeated"):
        dossier.get("nonclinical.potency.summary")


def test_an_instance_of_a_section_that_does_not_repeat_is_refused(dossier):
    with pytest.raises(UnknownFieldError, match=r"product.overview is not repeated: write "
                                                r"product.overview.product_name without \[0\]"):
        dossier.set("product.overview[0].product_name", "x")


def test_setting_the_next_name_adds_an_instance_and_a_gap_is_refused(dossier):
    fill(dossier)
    with pytest.raises(FieldError, match=r"there are 2 drug substance instance\(s\); add the next as \[2\]"):
        dossier.set(NAME.format(3), "Lipid")
    with pytest.raises(UnknownFieldError, match=r"there is no drug substance \[2\]"):
        dossier.set("cmc.substance[2].kind", "Lipid")
    assert dossier.set(NAME.format(2), "Lipid")
    assert dossier.instances("substances") == ["Editor mRNA", "Guide RNA", "Lipid"]


def test_many_values_may_add_instances_with_their_values_in_one_batch(dossier):
    dossier.set_many({NAME.format(0): "A", NAME.format(1): "B", "cmc.substance[1].kind": "Lipid"})
    assert dossier.instances("substances") == ["A", "B"]
    with pytest.raises(RefusedValuesError) as refused:
        dossier.set_many({NAME.format(3): "D", "cmc.substance[3].kind": "Lipid", NAME.format(0): "b"})
    assert sorted(e.field for e in refused.value.errors) == [NAME.format(0), "cmc.substance[3].kind", NAME.format(3)]
    assert dossier.instances("substances") == ["A", "B"]
    dossier.set_many({NAME.format(0): "B", NAME.format(1): "A"})  # a swap of names in one batch
    assert dossier.instances("substances") == ["B", "A"]


def test_the_name_cannot_be_cleared_and_the_most_instances_is_kept(dossier):
    fill(dossier)
    with pytest.raises(FieldError, match="remove the instance as a whole"):
        dossier.clear(NAME.format(0))
    with pytest.raises(FieldError, match="needs a name"):
        dossier.set(NAME.format(0), "")
    dossier.add_instance("substances", "Lipid A")
    dossier.add_instance("substances", "Lipid B")
    with pytest.raises(DossierError, match=r"the most this dossier takes \(4\)"):
        dossier.add_instance("substances", "Lipid C")


def test_table_cells_and_attachments_in_an_instance(dossier, tmp_path):
    fill(dossier)
    dossier.set("cmc.substance[1].batches[2].lot", "G-3")
    assert [r["lot"] for r in dossier.get("cmc.substance[1].batches")] == ["G-1", "G-2", "G-3"]
    dossier.attach("cmc.substance[1].batches[0].coa", make_pdf(tmp_path / "coa.pdf"))
    dossier.attach("cmc.substance[0].report", make_pdf(tmp_path / "report.pdf"))
    assert dossier.get("cmc.substance[1].batches")[0]["coa"] == "coa.pdf"
    assert dossier.get("cmc.substance[0].report") == ["report.pdf"]
    removed = dossier.remove_instance("substances", 0)
    assert {a.name for a in dossier.attachments()} == {"coa.pdf", "report.pdf"}  # kept: restore needs them
    dossier.restore_instance("substances", 0, removed)
    assert dossier.get("cmc.substance[0].report") == ["report.pdf"]
    dossier.remove_attachment("coa.pdf")
    assert "coa" not in dossier.get("cmc.substance[1].batches")[0]


def test_restore_refuses_values_of_another_repeat_or_shape(dossier):
    fill(dossier)
    removed = dossier.remove_instance("substances", 1)
    with pytest.raises(DossierError, match="cannot be restored"):
        dossier.restore_instance("substances", 1, {**removed, "product.overview.product_name": "x"})
    with pytest.raises(FieldError, match="stored value"):
        dossier.restore_instance("substances", 1, {**removed, "cmc.substance[1].kind": ["not", "a", "choice"]})
    with pytest.raises(FieldError, match="already names"):
        dossier.restore_instance("substances", 0, {**removed, NAME.format(1): "Editor mRNA"})
    dossier.restore_instance("substances", 1, removed)
    assert dossier.instances("substances") == ["Editor mRNA", "Guide RNA"]


def test_model_field_takes_instance_paths_and_model_path_maps_back(repeats_model):
    assert repeats_model.field("nonclinical.potency[3].ec50").path == "nonclinical.potency.ec50"
    assert model_path("cmc.substance[1].batches[2].lot") == "cmc.substance.batches[2].lot"
    assert model_path("cmc.substance.name") == "cmc.substance.name"
    assert repeats_model.repeat_of("cmc.substance[1].kind").id == "substances"
    assert repeats_model.repeat_of("product.overview.editor") is None


def test_instance_view_shows_one_instance_under_the_model_paths(repeats_model):
    values = {"cmc.substance[0].name": "A", "cmc.substance[1].name": "B", "nonclinical.potency[1].summary": "s",
              "product.overview.product_name": "p"}
    assert instances(repeats_model, values, "substances") == ["A", "B"]
    assert instance_view(repeats_model, values, "substances", 1) == {
        "cmc.substance.name": "B", "nonclinical.potency.summary": "s", "product.overview.product_name": "p"}
    assert in_instance(repeats_model, "nonclinical.potency.ec50", "substances", 1) == "nonclinical.potency[1].ec50"
    assert in_instance(repeats_model, "product.overview.editor", "substances", 1) == "product.overview.editor"


def test_the_text_form_keeps_every_instance_and_exports_again_byte_for_byte(dossier, tmp_path, repeats_model):
    from dossier.textform import export_dossier, import_dossier

    fill(dossier)
    dossier.attach("cmc.substance[1].batches[0].coa", make_pdf(tmp_path / "coa.pdf"))
    first = export_dossier(dossier, tmp_path / "one")
    section = (first / "sections" / "nonclinical.potency.json").read_text()
    assert '"instances"' in section and "Cuts at the target" in section
    copy = import_dossier(first, tmp_path / "copy.dossier", model=repeats_model)
    with Dossier.open(copy, model=repeats_model) as again:
        assert again.values() == dossier.values()
        assert again.instances("substances") == ["Editor mRNA", "Guide RNA"]
        second = export_dossier(again, tmp_path / "two")
    for path in sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file()):
        assert (first / path).read_bytes() == (second / path).read_bytes(), path


def test_a_text_form_with_an_unnamed_instance_is_refused(dossier, tmp_path, repeats_model):
    import json

    from dossier.errors import ImportFormatError
    from dossier.textform import export_dossier, import_dossier

    fill(dossier)
    out = export_dossier(dossier, tmp_path / "one")
    path = out / "sections" / "cmc.substance.json"
    data = json.loads(path.read_text())
    del data["instances"][0]["name"]
    path.write_text(json.dumps(data))
    with pytest.raises(ImportFormatError, match=r"cmc.substance\[1\].name: there are 0 drug substance instance"):
        import_dossier(out, tmp_path / "copy.dossier", model=repeats_model)
    path.write_text(json.dumps({"section": "cmc.substance", "fields": {"name": "x"}}))
    with pytest.raises(ImportFormatError, match="the section repeats: one mapping of fields per instance"):
        import_dossier(out, tmp_path / "copy.dossier", model=repeats_model)
