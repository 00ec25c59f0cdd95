"""Building sequences (with a stand-in renderer; the demo with the real one is in test_build_demo.py):
lifecycle across sequences, refusals, failure injection, cancellation, drafts, recording later."""

import errno
import threading

import pytest

from dossier import build as build_mod
from dossier.build import build_sequence, record_submitted
from dossier.ectd import writer
from dossier.ectd.lifecycle import leaf_history
from dossier.ectd.readback import parse_backbone
from dossier.ectd.validate import validate_sequence
from dossier.errors import Cancelled, DossierError, NotReadyError
from dossier.readiness import Finding, Report
from tests.helpers.ectd import new_dossier
from tests.helpers.pdfs import javascript_on_open, make_pdf


@pytest.fixture
def dossier(tmp_path, installed, fake_renderer):
    with new_dossier(tmp_path / "case.dossier", tmp_path) as d:
        yield d


def leaves_by_op(seq_dir, folder):
    index = parse_backbone(seq_dir, "index.xml", folder)
    regional = parse_backbone(seq_dir, "m1/us/us-regional.xml", folder)
    out = {}
    for leaf in index.leaves + regional.leaves:
        out.setdefault(leaf.operation, set()).add(leaf.title)
    return out


def test_first_sequence_is_0001_and_valid(dossier, tmp_path, installed):
    seen = []
    result = build_sequence(dossier, tmp_path / "app", mark_submitted=True, progress=lambda f, m: seen.append(f))
    assert result.number == "0001" and result.path == tmp_path / "app" / "0001" and result.recorded
    assert [f for f in result.findings if f.severity in ("high", "medium")] == []
    assert result.counts["new"] == 13 and result.rendered == 7 and result.reused == 0
    assert any("Form FDA 1572 information sheet is not in the sequence" in n for n in result.notes)
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)
    assert (tmp_path / "app" / "0001-word" / "cover-letter.docx").is_file()
    recorded = dossier.sequences()
    assert [s.number for s in recorded] == ["0001"]
    assert recorded[0].files["index.xml"] == (result.path / "index-md5.txt").read_text()
    assert leaves_by_op(result.path, installed).keys() == {"new"}


def test_amendment_sends_only_what_changed(dossier, tmp_path, installed, fake_renderer):
    build_sequence(dossier, tmp_path / "app", mark_submitted=True)
    dossier.set("module1.product.indication", "CLN7 neuronal ceroid lipofuscinosis")  # clinical overview, protocol
    dossier.set("cmc.substance.manufacturer", "Oligo Manufacturing LLC")                # drug substance document
    dossier.remove_attachment("dose-response.pdf")                                      # a study report
    fake_renderer.calls.clear()
    result = build_sequence(dossier, tmp_path / "app", mark_submitted=True, workers=1)  # one process: calls counted
    assert result.number == "0002" and result.recorded
    changed = {"clinical-overview", "clinical-protocol", "drug-substance", "nonclinical-overview"}
    assert sorted(fake_renderer.calls) == sorted(changed) and (result.rendered, result.reused) == (4, 3)
    assert [f for f in result.findings if f.severity in ("high", "medium")] == []
    ops = leaves_by_op(result.path, installed)
    assert ops["replace"] == {"Clinical overview", "Clinical protocol", "Study tagging file: Clinical protocol",
                              "Drug substance general information", "Nonclinical overview"}
    assert ops["delete"] == {"Study report, STUDY-002 dose response", "Study tagging file: STUDY-002 dose response"}
    # Every sequence carries its own cover letter and Form 1571.
    assert ops["new"] == {"FDA Module 1 regional information", "Cover letter", "Form FDA 1571 information sheet"}
    assert result.rendered == 4 and result.reused == 3
    # Keyed headings keep the values first submitted, so the drug substance section stays the same one.
    index = (result.path / "index.xml").read_text()
    assert 'manufacturer="Oligo Manufacturing Inc"' in index and 'indication="CLN7 Batten disease"' in index
    assert validate_sequence(tmp_path / "app" / "0001", installed) == []


def test_history_shows_each_leaf_across_sequences(dossier, tmp_path):
    build_sequence(dossier, tmp_path / "app", mark_submitted=True)
    dossier.remove_attachment("smith-2020.pdf")
    build_sequence(dossier, tmp_path / "app", mark_submitted=True)
    sequences = dossier.sequences()
    details = dossier.sequence_details()
    rows = {r["path"]: r for r in leaf_history(sequences, details)}
    assert rows["m5/54-lit-ref/smith-2020.pdf"]["states"] == {"0001": "new", "0002": "delete"}
    assert rows["m5/54-lit-ref/smith-2020.pdf"]["live"] is None
    assert rows["m2/25-clin-over/clinical-overview.pdf"]["states"] == {"0001": "new"}
    assert rows["m1/us/12-cover-letters/cover-letter.pdf"]["states"] == {"0001": "new", "0002": "new"}
    assert rows["m1/us/11-forms/form-1571-information.pdf"]["states"] == {"0001": "new", "0002": "new"}


def test_a_rebuild_without_changes_sends_only_cover_letter_and_form(dossier, tmp_path):
    build_sequence(dossier, tmp_path / "app", mark_submitted=True)
    result = build_sequence(dossier, tmp_path / "app", mark_submitted=True)
    assert result.counts == {"new": 2, "append": 0, "replace": 0, "delete": 0}
    assert result.rendered == 0 and result.reused == 7 and result.unchanged == 11


def test_existing_sequence_folder_is_refused(dossier, tmp_path):
    app = tmp_path / "app"
    (app / "0001").mkdir(parents=True)
    (app / "0001" / "mine.txt").write_text("someone else's")
    with pytest.raises(DossierError, match="already exists and is not a draft"):
        build_sequence(dossier, app)
    assert (app / "0001" / "mine.txt").read_text() == "someone else's"
    assert dossier.sequences() == []


def test_full_disk_leaves_no_partial_sequence(dossier, tmp_path, monkeypatch):
    real = writer.write_chunks
    written = []

    def failing(dest, chunks, *args):
        if len(written) == 6:
            raise OSError(errno.ENOSPC, "No space left on device")
        written.append(dest)
        return real(dest, chunks, *args)

    monkeypatch.setattr(writer, "write_chunks", failing)
    app = tmp_path / "app"
    with pytest.raises(DossierError, match=r"the disk is full.*nothing was left"):
        build_sequence(dossier, app, mark_submitted=True)
    assert len(written) == 6
    assert not (app / "0001").exists()
    assert [p.name for p in app.iterdir() if not p.name.startswith(".cache")] == []
    assert dossier.sequences() == []
    monkeypatch.setattr(writer, "write_chunks", real)
    assert build_sequence(dossier, app, mark_submitted=True).number == "0001"


def test_cancel_leaves_nothing(dossier, tmp_path):
    cancel = threading.Event()

    def progress(fraction, message):
        if fraction > 0.6:
            cancel.set()

    with pytest.raises(Cancelled):
        build_sequence(dossier, tmp_path / "app", progress=progress, cancel=cancel)
    assert not (tmp_path / "app" / "0001").exists()
    assert [p.name for p in (tmp_path / "app").iterdir() if p.name != ".cache"] == []
    assert issubclass(Cancelled, DossierError)


def test_draft_is_written_not_recorded_and_replaced_by_the_next_build(dossier, tmp_path):
    app = tmp_path / "app"
    draft = build_sequence(dossier, app, draft=True)
    assert draft.draft and not draft.recorded and draft.number == "0001"
    assert any("DRAFT" in note and "not recorded" in note for note in draft.notes)
    assert "DRAFT" in (app / "0001" / "m1/us/us-regional.xml").read_text()
    assert dossier.sequences() == []
    final = build_sequence(dossier, app, mark_submitted=True)
    assert any("replaced the earlier draft" in note for note in final.notes)
    assert "DRAFT" not in (app / "0001" / "m1/us/us-regional.xml").read_text()
    with pytest.raises(DossierError, match="cannot be marked submitted"):
        build_sequence(dossier, app, draft=True, mark_submitted=True)


def test_a_tampered_draft_is_not_replaced(dossier, tmp_path):
    app = tmp_path / "app"
    build_sequence(dossier, app, draft=True)
    (app / "0001" / "index-md5.txt").write_text("edited by hand")
    with pytest.raises(DossierError, match="already exists"):
        build_sequence(dossier, app)


def test_final_build_recorded_later(dossier, tmp_path):
    app = tmp_path / "app"
    result = build_sequence(dossier, app)
    assert not result.recorded and any("--record" in note for note in result.notes)
    assert record_submitted(dossier, app / "0001") == "0001"
    assert [s.number for s in dossier.sequences()] == ["0001"]
    with pytest.raises(DossierError, match="not the next sequence"):
        record_submitted(dossier, app / "0001")


def test_recording_a_changed_folder_is_refused(dossier, tmp_path):
    app = tmp_path / "app"
    build_sequence(dossier, app)
    (app / "0001" / "m5" / "54-lit-ref" / "smith-2020.pdf").write_bytes(b"%PDF-1.4 replaced")
    with pytest.raises(DossierError, match="high finding"):
        record_submitted(dossier, app / "0001")
    assert dossier.sequences() == []


def test_readiness_errors_refuse_a_final_build(dossier, tmp_path, monkeypatch):
    error = Finding("error", "Fill it", "module1.product.name", "", "required:module1.product.name")
    warning = Finding("warning", "Consider it", "module1.product.indication", "", "w")
    monkeypatch.setattr(type(dossier), "check", lambda self: Report((error, warning), ()))
    with pytest.raises(NotReadyError, match=r"readiness errors; 1 remain.*--draft") as caught:
        build_sequence(dossier, tmp_path / "app")
    assert caught.value.findings == [error]
    assert build_sequence(dossier, tmp_path / "app", draft=True).draft


def test_missing_ind_number_refuses_final_build(dossier, tmp_path):
    dossier.clear("module1.application.ind_number")
    with pytest.raises(DossierError, match="IND number"):
        build_sequence(dossier, tmp_path / "app")


def test_missing_standards_are_named(dossier, tmp_path, monkeypatch):
    monkeypatch.setenv("DOSSIER_STANDARDS_DIR", str(tmp_path / "empty"))
    with pytest.raises(DossierError, match=r"ich-ectd-3-2.dtd.*dossier standards install"):
        build_sequence(dossier, tmp_path / "app")


def test_long_names_are_shortened_without_collisions(dossier, tmp_path):
    long = "Comprehensive splice correction dose response report in patient derived fibroblasts and neurons"
    for i in range(2):
        dossier.attach(f"nonclinical.pharmacology.studies[{2 + i}].report",
                       make_pdf(tmp_path / "files" / f"{long} part {i}.pdf", "x"))
    rows = dossier.get("nonclinical.pharmacology.studies")
    rows[2]["study"] = rows[3]["study"] = "STUDY-003 " + long
    dossier.set("nonclinical.pharmacology.studies", rows)
    result = build_sequence(dossier, tmp_path / "app")
    assert [f for f in result.findings if f.severity in ("high", "medium")] == []
    paths = [p.relative_to(result.path).as_posix() for p in result.path.rglob("*.pdf")]
    assert all(len(p) <= 150 for p in paths) and len(paths) == len(set(paths))


def test_next_number_follows_the_highest_recorded():
    assert build_mod.next_number([]) == "0001"
    assert build_mod.next_number(["0001", "0002"]) == "0003"
    assert build_mod.next_number(["0001", "0005"]) == "0006"


def test_an_attachment_damaged_inside_the_dossier_is_refused(dossier, tmp_path):
    conn = dossier.store._conn
    conn.execute("UPDATE attachment_chunks SET data = CAST('%PDF-1.4 not the attached bytes' AS BLOB) "
                 "WHERE name = 'smith-2020.pdf'")
    with pytest.raises(DossierError, match=r"smith-2020.pdf is damaged inside the dossier"):
        build_sequence(dossier, tmp_path / "app")
    assert not (tmp_path / "app" / "0001").exists()


def test_an_attachment_fda_would_refuse_stops_the_build(dossier, tmp_path):
    bad = make_pdf(tmp_path / "with-js.pdf", change=javascript_on_open)
    # Dossier.attach refuses it; an import or an older file could still carry it.
    dossier.store.attach("with-js.pdf", bad)
    rows = dossier.get("genetic.literature.references") + [{"citation": "Scripted", "file": "with-js.pdf"}]
    dossier.store.set("genetic.literature.references", rows)
    with pytest.raises(DossierError, match=r"was not written: with-js.pdf .*JavaScript"):
        build_sequence(dossier, tmp_path / "app")
    assert not (tmp_path / "app" / "0001").exists()


def test_a_draft_of_a_dossier_just_begun_builds(tmp_path, installed, fake_renderer):
    """A new user's first Build draft: nothing filled yet, not even a contact; the draft says what is missing."""
    from dossier.service import Dossier

    with Dossier.create(tmp_path / "new.dossier", "Just begun") as d:
        result = build_sequence(d, tmp_path / "app", draft=True)
        assert any(note.startswith("no contact yet") for note in result.notes)
        assert not any("lacks a telephone" in note for note in result.notes)
        assert "not given" in (result.path / "m1/us/us-regional.xml").read_text()
        with pytest.raises(NotReadyError) as refused:  # a final build still refuses
            build_sequence(d, tmp_path / "app")
        assert "Sponsor is required; fill it in; " in str(refused.value) and ".;" not in str(refused.value)


def test_notes_speak_to_the_user_not_of_source_files(dossier, tmp_path):
    """The forms' note sent a hospital user to '(dossier/ectd/mapping.py)'."""
    result = build_sequence(dossier, tmp_path / "app", draft=True)
    forms = [n for n in result.notes if "Module 1 form list has no form-type code" in n]
    assert forms and not [n for n in result.notes if ".py" in n]
