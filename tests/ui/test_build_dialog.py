"""Choosing where to build, installing missing standard files from the app, and reading the result:
what a first-time user of Build met (a folder proposed from another dossier, a Build button that did
nothing, a command line to run, notes cut off)."""

from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QLabel, QMessageBox

from dossier.service import Dossier
from tests.helpers.ectd import SHARED
from ui.build_runner import BuildDialog, BuildResultDialog


def test_each_dossier_is_proposed_its_own_application_folder(qtbot, tmp_path):
    first, second = tmp_path / "patient-a.dossier", tmp_path / "other" / "patient-b.dossier"
    dialog = BuildDialog(True, first)
    qtbot.addWidget(dialog)
    assert dialog.folder.text() == str(tmp_path / "patient-a-submission")  # beside the dossier, named after it
    dialog.folder.setText(str(tmp_path / "chosen"))
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.result() == BuildDialog.DialogCode.Accepted
    again, other = BuildDialog(False, first), BuildDialog(False, second)
    qtbot.addWidget(again)
    qtbot.addWidget(other)
    assert again.folder.text() == str(tmp_path / "chosen")  # remembered for that dossier
    assert other.folder.text() == str(tmp_path / "other" / "patient-b-submission")  # never another's


def test_build_without_a_folder_says_what_to_do(qtbot, tmp_path):
    dialog = BuildDialog(True, tmp_path / "x.dossier")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.folder.setText("  ")
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.isVisible() and dialog.problem.isVisible()
    assert "Choose the folder" in dialog.problem.text()


@pytest.mark.skipif(not SHARED.is_dir(), reason="official DTDs not beside the project (../shared/ectd-dtd)")
def test_missing_standard_files_are_installed_from_the_app_and_the_build_runs(
        window, qtbot, tmp_path, monkeypatch, dialogs):
    monkeypatch.setenv("DOSSIER_STANDARDS_DIR", str(tmp_path / "standards"))  # nothing installed there
    with Dossier.create(tmp_path / "new.dossier", "Just begun"):
        pass
    assert window.open_dossier(tmp_path / "new.dossier")
    dialogs.reply = QMessageBox.StandardButton.Yes
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(SHARED)))
    with qtbot.waitSignal(window.session.build_finished, timeout=120000) as finished:
        window.start_build(tmp_path / "app", draft=True)
    kind, title, text = dialogs.messages[0]
    assert kind == "question" and "standard files" in title and text.startswith("Official eCTD standard files")
    assert sorted(p.name for p in (tmp_path / "standards").iterdir()) == [
        "ectd-2-0.xsl", "ich-ectd-3-2.dtd", "us-regional-v3-3.dtd"]
    assert finished.args[0].number == "0001" and (tmp_path / "app" / "0001" / "index.xml").is_file()
    assert window.statusBar().currentMessage().startswith("Draft 0001 built in")  # not "Sequence", as the dialog
    window.build_result.close()


def test_declining_the_install_builds_nothing(window, demo_file, qtbot, tmp_path, monkeypatch, dialogs):
    monkeypatch.setenv("DOSSIER_STANDARDS_DIR", str(tmp_path / "standards"))
    assert window.open_dossier(demo_file)
    dialogs.reply = QMessageBox.StandardButton.No
    with qtbot.waitSignal(window.session.build_failed, timeout=60000):
        window.start_build(tmp_path / "app", draft=True)
    assert [kind for kind, _, _ in dialogs.messages] == ["question"]
    assert not (tmp_path / "app" / "0001").exists() and not (tmp_path / "standards").exists()


class _Result:
    def __init__(self):
        self.kind, self.number, self.draft, self.recorded, self.findings = "sequence", "0001", True, False, []
        self.path, self.word_dir = Path("/tmp/app/0001"), Path("/tmp/app/0001-word")
        self.notes = [f"note {i}: " + "a long explanation of what is not in the sequence and why " * 3
                      for i in range(12)]


def test_every_note_of_a_build_can_be_read(qtbot):
    dialog = BuildResultDialog(_Result())
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.notes.count() == 12 and dialog.notes.isVisible()
    assert dialog.notes.item(11).text().startswith("note 11")
    assert dialog.height() >= 400  # room for the list, which scrolls, not a label cut off at 200 pixels


def test_the_result_says_where_the_word_copies_are_and_opens_them(qtbot, monkeypatch):
    """The notes sent the user to "the Word copies" for the forms to sign; the dialog never said where."""
    from PySide6.QtGui import QDesktopServices

    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url.toLocalFile())))
    dialog = BuildResultDialog(_Result())
    qtbot.addWidget(dialog)
    assert "Word copies for editing and signing: /tmp/app/0001-word" in dialog.findChild(QLabel).text()
    dialog.open_word.click()
    assert opened == ["/tmp/app/0001-word"]


def test_on_the_expanded_access_path_the_dialog_builds_a_packet(window, tmp_path, qtbot, dialogs):
    """The dialog spoke of the next eCTD sequence and offered 'Record as submitted', which a packet refuses."""
    from dossier.cases import make_case

    make_case("aso-expanded-access", tmp_path / "ea.dossier")
    assert window.open_dossier(tmp_path / "ea.dossier")
    window.build_dialog(False)
    dialog = dialogs.ran[-1]
    assert isinstance(dialog, BuildDialog) and "expanded-access packet" in dialog.windowTitle()
    assert not dialog.record.isVisibleTo(dialog)
    assert any("not an eCTD sequence" in label.text() for label in dialog.findChildren(QLabel))
    window.close_dossier()
    make_case("aso", tmp_path / "ind.dossier")
    assert window.open_dossier(tmp_path / "ind.dossier")
    window.build_dialog(False)
    assert dialogs.ran[-1].record.isVisibleTo(dialogs.ran[-1]) and "sequence" in dialogs.ran[-1].windowTitle()
