"""`dossier merge`: three-way merges of real copies of the demo dossier (files and exported folders)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from dossier.diffing import diff
from dossier.fieldpath import model_path
from dossier.merging import UnrelatedDossiersError, merge
from dossier.model import default_model
from dossier.service import Dossier
from dossier.snapshot import read_snapshot
from tests.helpers.pdfs import pdf_bytes

BATCHES = "cmc.batches.batches"
ENDPOINTS = "clinical.endpoints.endpoints"
SYMBOL = "genetic.gene.symbol"
LETTERS = "module1.letters.letters_of_authorization"


@pytest.fixture
def copies(tmp_path, demo_master):
    """BASE, OURS and THEIRS: three copies of one demo dossier file."""
    paths = [tmp_path / f"{name}.dossier" for name in ("base", "ours", "theirs")]
    for path in paths:
        shutil.copyfile(demo_master, path)
    return paths


def edit(path: Path, values: dict) -> None:
    with Dossier.open(path) as d:
        d.set_many(values)


def values_of(path: Path) -> dict:
    with Dossier.open(path, read_only=True) as d:
        return d.values()


def test_disjoint_edits_merge_to_both_applied(copies, tmp_path, cli):
    base, ours, theirs = copies
    ours_edits = {SYMBOL: "CLN3B", "clinical.design.objectives": "Ours", f"{BATCHES}[0].scale": "2 g"}
    theirs_edits = {"genetic.variant[0].hgvs": "NM_001042432.2:c.461-280_677+382del",
                    "module1.sponsor.duns": "987654321",
                    f"{ENDPOINTS}[2].timing": "Weekly"}
    edit(ours, ours_edits)
    edit(theirs, theirs_edits)
    both = tmp_path / "both.dossier"
    shutil.copyfile(base, both)
    edit(both, {**ours_edits, **theirs_edits})

    result = cli("merge", base, ours, theirs, "--out", tmp_path / "merged.dossier")

    assert result.code == 0, result.err
    assert values_of(tmp_path / "merged.dossier") == values_of(both)
    with Dossier.open(tmp_path / "merged.dossier", read_only=True) as merged, Dossier.open(ours, read_only=True) as o:
        assert merged.identity == o.identity  # still the same dossier
        fields = [e.field for e in merged.history()]
        assert [e.at for e in merged.history()] == sorted(e.at for e in merged.history())
    assert {SYMBOL, BATCHES, "genetic.variant[0].hgvs", ENDPOINTS} <= set(fields)
    assert cli("diff", tmp_path / "merged.dossier", both).code == 0


def test_a_conflicting_merge_writes_nothing_and_lists_the_three_values(copies, tmp_path, cli):
    base, ours, theirs = copies
    edit(ours, {SYMBOL: "OURS1", "clinical.design.objectives": "only ours"})
    edit(theirs, {SYMBOL: "THEIRS1", f"{BATCHES}[0].scale": "9 g"})
    out = tmp_path / "merged.dossier"

    result = cli("merge", base, ours, theirs, "--out", out)

    assert result.code == 1
    assert not out.exists() and not list(tmp_path.glob(".merged*"))
    assert f"CONFLICT {SYMBOL}: changed differently on both sides" in result.err
    assert "base:   'CLN3'" in result.err and "'OURS1'" in result.err and "'THEIRS1'" in result.err
    assert "1 conflict(s); nothing was written" in result.err
    assert cli("merge", base, ours, theirs, "--out", tmp_path / "folder").code == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["base.dossier", "ours.dossier", "theirs.dossier"]
    data = json.loads(cli("merge", base, ours, theirs, "--out", out, "--json").out)
    assert data["merged"] is None and data["conflicts"] == [
        {"path": SYMBOL, "what": "changed differently on both sides", "base": "CLN3", "ours": "OURS1",
         "theirs": "THEIRS1"}]


def test_rows_edited_on_both_sides_merge_by_key(copies, tmp_path, cli):
    base, ours, theirs = copies
    edit(ours, {f"{ENDPOINTS}[0].timing": "Months 3, 6 and 12", f"{ENDPOINTS}[3].endpoint": "Quality of life",
                f"{ENDPOINTS}[3].type": "Exploratory"})
    # theirs changes another row, another cell of the first row, and removes the last row
    with Dossier.open(theirs) as d:
        rows = d.get(ENDPOINTS)
        d.set(ENDPOINTS, [{**rows[0], "instrument": "Hamburg scale v2"}, {**rows[1], "timing": "Monthly"}])

    assert cli("merge", base, ours, theirs, "--out", tmp_path / "m.dossier").code == 0

    merged = values_of(tmp_path / "m.dossier")[ENDPOINTS]
    assert [r["endpoint"] for r in merged] == [rows[0]["endpoint"], rows[1]["endpoint"], "Quality of life"]
    assert merged[0]["timing"] == "Months 3, 6 and 12" and merged[0]["instrument"] == "Hamburg scale v2"
    assert merged[1]["timing"] == "Monthly"


def test_the_same_cell_changed_differently_is_a_conflict(copies, tmp_path, cli):
    base, ours, theirs = copies
    edit(ours, {f"{ENDPOINTS}[1].timing": "Daily"})
    edit(theirs, {f"{ENDPOINTS}[1].timing": "Yearly", f"{ENDPOINTS}[1].instrument": "other"})

    result = cli("merge", base, ours, theirs, "--out", tmp_path / "m.dossier")

    assert result.code == 1 and not (tmp_path / "m.dossier").exists()
    assert f"CONFLICT {ENDPOINTS}[1].timing (endpoint='Correct CLN3 splicing in CSF cells')" in result.err
    assert "instrument" not in result.err  # changed on one side only: no conflict


def test_a_row_removed_on_one_side_and_changed_on_the_other_is_a_conflict(copies, tmp_path, cli):
    base, ours, theirs = copies
    with Dossier.open(ours) as d:
        d.set(ENDPOINTS, d.get(ENDPOINTS)[:2])
    edit(theirs, {f"{ENDPOINTS}[2].timing": "Weekly"})

    result = cli("merge", base, ours, theirs, "--out", tmp_path / "m.dossier")

    assert result.code == 1
    assert "row removed on one side, changed on the other" in result.err and "Seizure frequency" in result.err


def test_attachments_added_on_both_sides_merge(copies, tmp_path, cli):
    base, ours, theirs = copies
    with Dossier.open(base, read_only=True) as b:
        before = b.get(LETTERS) or []  # the demo's own letter(s)
    for side, text in ((ours, "Letter from ours"), (theirs, "Letter from theirs")):
        pdf = tmp_path / f"{side.stem}-letter.pdf"
        pdf.write_bytes(pdf_bytes(text))
        with Dossier.open(side) as d:
            d.attach(LETTERS, pdf)

    assert cli("merge", base, ours, theirs, "--out", tmp_path / "m.dossier").code == 0

    with Dossier.open(tmp_path / "m.dossier", read_only=True) as m, Dossier.open(ours, read_only=True) as o, \
            Dossier.open(theirs, read_only=True) as t:
        assert m.get(LETTERS) == [*before, "ours-letter.pdf", "theirs-letter.pdf"]
        mine = {a.name: a.sha256 for a in m.attachments()}
        assert {a.name: a.sha256 for a in o.attachments()}.items() <= mine.items()
        assert {a.name: a.sha256 for a in t.attachments()}.items() <= mine.items()
        assert b"".join(m.read_attachment("theirs-letter.pdf")) == b"".join(t.read_attachment("theirs-letter.pdf"))


def test_one_name_stored_with_other_content_on_each_side_is_a_conflict(copies, tmp_path, cli):
    base, ours, theirs = copies
    for side, text in ((ours, "Ours"), (theirs, "Theirs")):
        pdf = tmp_path / "letter.pdf"
        pdf.write_bytes(pdf_bytes(text))
        with Dossier.open(side) as d:
            d.attach(LETTERS, pdf)

    result = cli("merge", base, ours, theirs, "--out", tmp_path / "m.dossier")

    assert result.code == 1 and "CONFLICT attachment:letter.pdf: stored with other content on each side" in result.err


def test_an_attachment_removed_on_one_side_and_newly_referred_to_on_the_other_is_a_conflict(copies, tmp_path, cli):
    base, ours, theirs = copies
    with Dossier.open(base, read_only=True) as d:
        coa = d.get(BATCHES)[0]["coa"]
    with Dossier.open(ours) as d:
        d.remove_attachment(coa)
    edit(theirs, {f"{BATCHES}[1].batch": "ASO-002", f"{BATCHES}[1].coa": coa})

    result = cli("merge", base, ours, theirs, "--out", tmp_path / "m.dossier")

    assert result.code == 1 and f"attachment '{coa}' is referenced but not in the dossier" in result.err


def test_sets_and_persons_merge_item_by_item(copies, tmp_path, cli):
    base, ours, theirs = copies
    with Dossier.open(base, read_only=True) as d:
        codes, sponsor = d.get("genetic.classification[0].evidence_codes"), d.get("module1.sponsor.sponsor")
    choices = default_model().fields["genetic.classification.evidence_codes"].choices
    extra = [c for c in choices if c not in codes][:2]
    edit(ours, {"genetic.classification[0].evidence_codes": codes + extra[:1],
                "module1.sponsor.sponsor": {**sponsor, "phone": "+1 1"}})
    edit(theirs, {"genetic.classification[0].evidence_codes": codes[1:] + extra[1:],
                  "module1.sponsor.sponsor": {**sponsor, "email": "new@example.org"}})

    assert cli("merge", base, ours, theirs, "--out", tmp_path / "m.dossier").code == 0

    merged = values_of(tmp_path / "m.dossier")
    assert set(merged["genetic.classification[0].evidence_codes"]) == set(codes[1:]) | set(extra)
    assert merged["module1.sponsor.sponsor"]["phone"] == "+1 1"
    assert merged["module1.sponsor.sponsor"]["email"] == "new@example.org"


def test_folders_merge_as_files_do(copies, tmp_path, cli):
    base, ours, theirs = copies
    edit(ours, {SYMBOL: "CLN3B"})
    edit(theirs, {f"{BATCHES}[0].scale": "3 g"})
    for path in copies:
        assert cli("export", path, tmp_path / path.stem).code == 0

    assert cli("merge", tmp_path / "base", tmp_path / "ours", theirs, "--out", tmp_path / "merged").code == 0
    assert cli("merge", base, ours, theirs, "--out", tmp_path / "merged.dossier").code == 0

    assert cli("diff", tmp_path / "merged", tmp_path / "merged.dossier").code == 0
    assert (tmp_path / "merged" / "history.jsonl").read_text().count("\n") == len(
        read_snapshot(tmp_path / "merged.dossier").history or [])


def test_unrelated_dossiers_are_refused_with_the_reason(copies, tmp_path, cli):
    base, ours, _ = copies
    other = tmp_path / "other.dossier"
    assert cli("demo", other).code == 0  # the same content, but another dossier

    result = cli("merge", base, ours, other, "--out", tmp_path / "m.dossier")

    assert result.code == 2 and not (tmp_path / "m.dossier").exists()
    assert "these are not copies of one dossier" in result.err and "THEIRS (other.dossier) was made" in result.err


def test_a_base_that_is_not_where_both_started_is_refused(copies, tmp_path):
    base, ours, theirs = copies
    edit(base, {SYMBOL: "LATER"})  # base moved on: its history has a change neither side has

    with pytest.raises(UnrelatedDossiersError, match=r"BASE .* is not where OURS .* started: 1 change"):
        merge(*(read_snapshot(p) for p in (base, ours, theirs)), default_model())


def test_a_copy_exported_without_phi_is_not_merged_with_full_ones(copies, tmp_path, cli):
    base, ours, theirs = copies
    assert cli("export", theirs, tmp_path / "shared", "--without-phi").code == 0

    result = cli("merge", base, ours, tmp_path / "shared", "--out", tmp_path / "m.dossier")

    assert result.code == 2 and "THEIRS was exported without protected health information" in result.err


def test_an_existing_output_is_not_overwritten(copies, tmp_path, cli):
    base, ours, theirs = copies
    result = cli("merge", base, ours, theirs, "--out", ours)
    assert result.code == 2 and "already exists" in result.err
    assert diff(read_snapshot(ours), read_snapshot(base), default_model()) == []


def test_an_import_keeps_the_identity_of_the_exported_dossier(copies, tmp_path, cli):
    base = copies[0]
    assert cli("export", base, tmp_path / "text").code == 0
    assert cli("import", tmp_path / "text", tmp_path / "again.dossier").code == 0
    with Dossier.open(base, read_only=True) as a, Dossier.open(tmp_path / "again.dossier", read_only=True) as b:
        assert a.identity == b.identity


RELEASE_1 = Path(__file__).parent / "fixtures" / "release-1" / "text-form"


def test_a_folder_exported_by_release_1_merges_with_copies_imported_from_it(tmp_path, cli):
    """An older text form (no identity in dossier.json) is read as an import reads it; its history tells
    that both copies started from it."""
    for side in ("ours", "theirs"):
        assert cli("import", RELEASE_1, tmp_path / f"{side}.dossier").code == 0
    edit(tmp_path / "ours.dossier", {SYMBOL: "CLN3B"})
    edit(tmp_path / "theirs.dossier", {"clinical.design.objectives": "Theirs"})

    result = cli("merge", RELEASE_1, tmp_path / "ours.dossier", tmp_path / "theirs.dossier", "--out", tmp_path / "m")

    assert result.code == 0, result.err
    merged = read_snapshot(tmp_path / "m")
    assert merged.values[SYMBOL] == "CLN3B" and merged.values["clinical.design.objectives"] == "Theirs"


def test_a_value_purged_on_one_side_stays_out_of_the_merged_history(copies, tmp_path, cli):
    base, ours, theirs = copies
    fields = default_model().fields  # a stored path: the patient's fields lie in the one arm's instance
    phi = next(p for p in values_of(base) if fields[model_path(p)].phi and fields[model_path(p)].type == "text")
    secret = values_of(base)[phi]
    with Dossier.open(ours) as d:
        d.clear(phi, purge_history=True)
    edit(theirs, {SYMBOL: "CLN3B"})

    assert cli("merge", base, ours, theirs, "--out", tmp_path / "m").code == 0

    merged = read_snapshot(tmp_path / "m")
    assert phi not in merged.values
    assert [e.field for e in merged.history or [] if phi in e.field] == [f"purged:{phi}"]
    assert secret in [e.new for e in read_snapshot(theirs).history or [] if e.field == phi]


def test_sequences_recorded_on_either_side_are_kept_and_one_number_recorded_twice_differently_conflicts(
        copies, tmp_path, cli):
    base, ours, theirs = copies
    with Dossier.open(ours) as d:
        d.record_submission("0001", {"index.xml": "a" * 32}, {"leaves": {}})
    assert cli("merge", base, ours, theirs, "--out", tmp_path / "m.dossier").code == 0
    with Dossier.open(tmp_path / "m.dossier", read_only=True) as m, Dossier.open(ours, read_only=True) as o:
        assert m.sequences() == o.sequences() and m.sequence_details() == {"0001": {"leaves": {}}}

    with Dossier.open(theirs) as d:
        d.record_submission("0001", {"index.xml": "b" * 32}, {"leaves": {}})
    result = cli("merge", base, ours, theirs, "--out", tmp_path / "m2.dossier")
    assert result.code == 1 and "CONFLICT sequence:0001: recorded as submitted with other files" in result.err


def test_copies_in_an_older_file_format_are_brought_up_to_date_and_merged(tmp_path, cli):
    import sqlite3

    from dossier.dbfile import SCHEMA_VERSION, make_file

    base = tmp_path / "base.dossier"
    make_file(base, "Old case", upto=1)  # as the first release wrote it
    with sqlite3.connect(base) as conn:
        conn.execute("INSERT INTO field_values(path, value, updated_at, updated_by) VALUES (?, ?, ?, ?)",
                     ("clinical.design.objectives", '"Old objectives"', "2026-01-01T00:00:00Z", "old"))
    conn.close()
    for side in ("ours", "theirs"):
        shutil.copyfile(base, tmp_path / f"{side}.dossier")
    edit(tmp_path / "ours.dossier", {SYMBOL: "CLN3"})  # ours was opened by this version; theirs never was

    result = cli("merge", base, tmp_path / "ours.dossier", tmp_path / "theirs.dossier", "--out", tmp_path / "m.dossier")

    assert result.code == 0, result.err
    assert values_of(tmp_path / "m.dossier") == {"clinical.design.objectives": "Old objectives", SYMBOL: "CLN3"}
    with sqlite3.connect(tmp_path / "theirs.dossier") as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()
