"""The desktop app driven as a user would, offscreen (pytest-qt)."""

import os
import sys
from pathlib import Path

import pikepdf
import pytest
from PySide6.QtCore import QDate, QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from dossier.service import Dossier

SHARED = Path(__file__).resolve().parents[3] / "shared" / "ectd-dtd"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def pdf_file(path: Path) -> Path:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.save(path, min_version="1.4")
    return path


def editor(window, path):
    window.select_section(path.rsplit(".", 1)[0])
    return window.form.editors[path]


def test_create_and_fill_one_field_of_every_type(window, qtbot, tmp_path):
    assert window.start_page.new_dossier(str(tmp_path / "new.dossier"), "UI case")
    d = window.dossier

    text = editor(window, "genetic.gene.symbol")
    qtbot.keyClicks(text.line, "CLN3")
    qtbot.keyClick(text.line, Qt.Key_Return)

    hgvs = editor(window, "genetic.variant.hgvs")
    qtbot.keyClicks(hgvs.line, "NM_001042432.2:c.1056+34C>A")
    hgvs.check_now()
    assert "valid HGVS" in hgvs.status.text()
    qtbot.keyClick(hgvs.line, Qt.Key_Return)

    longtext = editor(window, "genetic.variant.confirmation")
    longtext.text.setPlainText("Sanger\nRNA-seq")
    longtext.text.finished.emit()

    date = editor(window, "genetic.variant.detection_date")
    date.date.setDate(QDate(2026, 1, 20))
    date.date.editingFinished.emit()

    choice = editor(window, "genetic.classification.acmg_class")
    choice.combo.setCurrentText("Likely pathogenic")

    multi = editor(window, "genetic.classification.evidence_codes")
    multi.list.item(3).setCheckState(Qt.Checked)  # PS3

    hpo = editor(window, "genetic.patient.phenotype")
    qtbot.keyClicks(hpo.line, "HP:0001250")
    qtbot.keyClick(hpo.line, Qt.Key_Return)

    person = editor(window, "genetic.mechanism.amenability_assessor")
    qtbot.keyClicks(person.parts["name"], "Dr. Raman")
    person.parts["name"].editingFinished.emit()

    number = editor(window, "nonclinical.design.length")
    qtbot.keyClicks(number.number, "22")
    qtbot.keyClick(number.number, Qt.Key_Return)

    yesno = editor(window, "cmc.product.parenteral")
    yesno.combo.setCurrentText("Yes")

    table = editor(window, "clinical.endpoints.schedule")
    table.add_row()
    table.model.setData(table.model.index(0, 0), "Screening")
    table.paste("Month 6\tDay 180\tHamburg score")

    attachment = editor(window, "module1.letters.letters_of_authorization")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(pdf_file(tmp_path / "Letter of Authorization.pdf")))])
    attachment.dropEvent(QDropEvent(QPoint(5, 5), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier))

    assert d.get("genetic.gene.symbol") == "CLN3"
    assert d.get("genetic.variant.hgvs") == "NM_001042432.2:c.1056+34C>A"
    assert d.get("genetic.variant.confirmation") == "Sanger\nRNA-seq"
    assert d.get("genetic.variant.detection_date") == "2026-01-20"
    assert d.get("genetic.classification.acmg_class") == "Likely pathogenic"
    assert d.get("genetic.classification.evidence_codes") == ["PS3"]
    assert d.get("genetic.patient.phenotype") == [{"id": "HP:0001250", "label": "Seizure"}]
    assert d.get("genetic.mechanism.amenability_assessor") == {"name": "Dr. Raman"}
    assert d.get("nonclinical.design.length") == {"value": 22, "unit": "nt"}
    assert d.get("cmc.product.parenteral") is True
    assert d.get("clinical.endpoints.schedule") == [{"visit": "Screening"},
                                                   {"visit": "Month 6", "timing": "Day 180", "assessments": "Hamburg score"}]
    assert d.get("module1.letters.letters_of_authorization") == ["letter-of-authorization.pdf"]
    assert d.history("genetic.gene.symbol")[0].new == "CLN3"


def test_invalid_input_is_shown_and_not_saved(window, qtbot, demo_file):
    window.open_dossier(demo_file)
    hgvs = editor(window, "genetic.variant.hgvs")
    hgvs.line.setText("not a variant")
    hgvs.line.editingFinished.emit()
    assert "not a valid HGVS variant" in window.form.errors["genetic.variant.hgvs"].text()
    assert window.dossier.get("genetic.variant.hgvs") == "NM_001042432.2:c.1056+34C>A"
    assert hgvs.line.text() == "not a variant"  # the user's text is kept to correct


def test_undo_and_redo(window, qtbot, demo_file):
    window.open_dossier(demo_file)
    text = editor(window, "genetic.gene.hgnc_id")
    text.line.setText("HGNC:9999")
    text.line.editingFinished.emit()
    assert window.dossier.get("genetic.gene.hgnc_id") == "HGNC:9999"
    window.undo_stack.undo()
    assert window.dossier.get("genetic.gene.hgnc_id") == "HGNC:2074"
    assert text.line.text() == "HGNC:2074"
    window.undo_stack.redo()
    assert window.dossier.get("genetic.gene.hgnc_id") == "HGNC:9999"
    assert [e.new for e in window.dossier.history("genetic.gene.hgnc_id")] == ["HGNC:2074", "HGNC:9999", "HGNC:2074", "HGNC:9999"]


def test_clicking_a_finding_focuses_its_field(window, qtbot, tmp_path):
    window.start_page.new_dossier(str(tmp_path / "empty.dossier"), "Empty")
    window.activateWindow()
    qtbot.waitExposed(window)
    row = next(i for i in range(window.findings.count())
               if window.findings.item(i).data(Qt.UserRole).field == "clinical.safety.stopping_rules")
    item = window.findings.item(row)
    window.findings.scrollToItem(item)
    qtbot.mouseClick(window.findings.viewport(), Qt.LeftButton, pos=window.findings.visualItemRect(item).center())
    assert window.form.section.path == "clinical.safety"
    target = window.form.editors["clinical.safety.stopping_rules"].focus_widget()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is target, timeout=2000)


def test_history_dialog_lists_changes(window, demo_file, monkeypatch):
    window.open_dossier(demo_file)
    shown = []
    monkeypatch.setattr("ui.pages.HistoryDialog.exec", lambda self: shown.append(self.table.rowCount()))
    window.show_history("genetic.gene.symbol")
    assert shown == [1]


def test_bad_files_give_a_dialog(window, tmp_path, monkeypatch, demo_file):
    messages = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: messages.append(text))
    (tmp_path / "junk.dossier").write_bytes(os.urandom(2048))
    assert window.open_dossier(tmp_path / "junk.dossier") is False
    import sqlite3
    newer = tmp_path / "newer.dossier"
    Dossier.create(newer, "x").close()
    conn = sqlite3.connect(newer)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    assert window.open_dossier(newer) is False
    with Dossier.open(demo_file):
        assert window.open_dossier(demo_file) is False
    assert "not a Dossier Builder file" in messages[0]
    assert "newer Dossier Builder" in messages[1]
    assert "open in another Dossier Builder window" in messages[2]


def test_unexpected_error_is_logged_and_shown(window, monkeypatch):
    from ui import app

    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: shown.append(self.detailedText()))
    try:
        raise RuntimeError("boom in a slot")
    except RuntimeError:
        sys.excepthook(*sys.exc_info())
    assert "boom in a slot" in shown[0]
    assert "boom in a slot" in app.log_file().read_text()


@pytest.fixture
def standards(tmp_path, monkeypatch):
    if not SHARED.is_dir():
        pytest.skip("official DTDs not beside the project (../shared/ectd-dtd)")
    from dossier.standards import install

    monkeypatch.setenv("DOSSIER_STANDARDS_DIR", str(tmp_path / "std"))
    install(SHARED)


def test_build_reports_progress_and_result(window, qtbot, demo_file, tmp_path, standards):
    window.open_dossier(demo_file)
    steps = []
    window.build_progress.connect(lambda fraction, message: steps.append(fraction))
    with qtbot.waitSignal(window.build_finished, timeout=60000) as finished:
        window.start_build(tmp_path / "app", draft=True)
    result = finished.args[0]
    assert result.number == "0001" and (tmp_path / "app" / "0001" / "index.xml").is_file()
    assert not [f for f in result.findings if f.severity == "high"]
    assert steps and steps == sorted(steps) and steps[-1] == pytest.approx(1.0)
    assert window.stack.widget(1).isEnabled() and window.dossier is not None


def test_cancel_a_build(window, qtbot, demo_file, tmp_path, standards):
    window.open_dossier(demo_file)
    with qtbot.waitSignal(window.build_failed, timeout=60000) as failed:
        window.start_build(tmp_path / "app", draft=True)
        window.cancel_build()
    assert "cancel" in failed.args[0].lower()
    assert not (tmp_path / "app" / "0001").exists()


def test_main_window_screenshot(window, qtbot, demo_file):
    window.open_dossier(demo_file)
    window.resize(1280, 800)
    window.select_section("clinical.natural_history")
    qtbot.waitExposed(window)
    qtbot.wait(200)  # widgets added to a visible layout are shown by a queued event
    ARTIFACTS.mkdir(exist_ok=True)
    assert window.grab().save(str(ARTIFACTS / "main-window.png"))
    assert (ARTIFACTS / "main-window.png").stat().st_size > 10000


def test_closing_mid_edit_saves_the_edit(window, qtbot, demo_file):
    window.open_dossier(demo_file)
    window.activateWindow()
    qtbot.waitExposed(window)
    longtext = editor(window, "genetic.variant.confirmation")
    longtext.text.setFocus()
    qtbot.waitUntil(longtext.text.hasFocus, timeout=2000)
    longtext.text.setPlainText("Typed just before closing")
    window.close_dossier()
    with Dossier.open(demo_file) as d:
        assert d.get("genetic.variant.confirmation") == "Typed just before closing"
