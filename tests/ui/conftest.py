"""UI tests run offscreen, with settings, logs and demo copies in a temporary home, and with every
modal dialog captured instead of shown (a modal dialog would wait forever for a click)."""

import os
import tempfile

_home = tempfile.mkdtemp(prefix="dossier-ui-home-")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["XDG_CONFIG_HOME"] = os.path.join(_home, "config")
os.environ["XDG_DATA_HOME"] = os.path.join(_home, "data")
os.environ["XDG_DOCUMENTS_DIR"] = os.path.join(_home, "documents")

import pytest  # noqa: E402
from PySide6.QtWidgets import QDialog, QMessageBox  # noqa: E402


class Dialogs:
    """What the app tried to show: (kind, title, text) per message box, the dialogs it ran."""

    def __init__(self):
        self.messages: list[tuple[str, str, str]] = []
        self.ran: list[QDialog] = []
        self.answer = QDialog.Rejected
        self.reply = QMessageBox.Ok  # what a static message box (question, warning…) answers

    def texts(self) -> list[str]:
        return [text for _, _, text in self.messages]


@pytest.fixture(autouse=True)
def dialogs(monkeypatch):
    captured = Dialogs()

    def message(kind):
        def show(parent, title, text, *args, **kwargs):
            captured.messages.append((kind, title, text))
            return captured.reply
        return staticmethod(show)

    for kind in ("critical", "warning", "information", "question"):
        monkeypatch.setattr(QMessageBox, kind, message(kind))

    def run(self):
        captured.ran.append(self)
        if isinstance(self, QMessageBox):
            captured.messages.append(("box", self.windowTitle(), self.text() + "\n" + self.detailedText()))
        return captured.answer

    monkeypatch.setattr(QMessageBox, "exec", run)
    monkeypatch.setattr(QDialog, "exec", run)
    return captured


@pytest.fixture
def window(qtbot):
    from ui.app import open_main_window

    w = open_main_window()
    w.resize(1280, 800)
    qtbot.addWidget(w)
    yield w
    w.close_dossier()


@pytest.fixture
def demo(window, demo_file):
    assert window.open_dossier(demo_file)
    return window
