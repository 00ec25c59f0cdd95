"""Building a sequence from the desktop app: a dialog to choose where, the build itself off the GUI
thread (progress and cancel through run_in_background), and the result with its validation
findings and a way to open the output folder or one of its PDFs."""

from __future__ import annotations

import hashlib
import html
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from .background import run_in_background

APP_DIR_KEY = "build/application_folder"  # one per dossier: see application_folder()


def _folder_key(dossier_path: Path) -> str:
    # one setting per dossier: a folder remembered from another dossier would put this dossier's sequence
    # (or replace its draft) among another application's sequences
    return f"{APP_DIR_KEY}/{hashlib.sha1(str(dossier_path.resolve()).encode()).hexdigest()[:16]}"


def application_folder(dossier_path: Path) -> Path:
    """Where this dossier's sequences were last built, else a folder beside the dossier named after it."""
    remembered = str(QSettings().value(_folder_key(dossier_path), "") or "")
    return Path(remembered) if remembered else dossier_path.resolve().parent / f"{dossier_path.stem}-submission"


class BuildDialog(QDialog):
    """Where to build (the application folder that holds the sequences) and, for a real sequence,
    whether to record it as submitted so later sequences build on it."""

    def __init__(self, draft: bool, dossier_path: Path, parent=None, packet: bool = False):
        super().__init__(parent)
        self.draft = draft
        self.dossier_path = dossier_path
        # On the expanded-access path a build writes a packet: the dialog spoke of an eCTD sequence and offered
        # to record it as submitted, which the packet refuses.
        self.setWindowTitle(("Build a draft" if draft else "Build the next sequence") if not packet else
                            "Build the expanded-access packet" + (" (draft)" if draft else ""))
        layout = QVBoxLayout(self)
        text = QLabel(
            "Builds the single-patient expanded-access packet: the Form FDA 3926 information sheet first, the "
            "documents and attachments that apply as PDFs, one combined PDF and a README on how to send it. It is "
            "not an eCTD sequence, so nothing is recorded." + (" A draft carries a DRAFT mark." if draft else "")
            if packet else
            "A draft is for review: its documents carry a DRAFT mark and nothing is recorded." if draft else
            "Builds the next eCTD sequence, validates it and refuses if the dossier still has errors.")
        text.setWordWrap(True)
        layout.addWidget(text)
        row = QHBoxLayout()
        self.folder = QLineEdit(str(application_folder(dossier_path)))
        self.folder.setAccessibleName("Application folder")
        self.folder.setPlaceholderText("the folder that holds this application's sequences (0001, 0002, …)")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        label = QLabel("&Application folder:")
        label.setBuddy(self.folder)
        row.addWidget(label)
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        layout.addLayout(row)
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #b00020")
        self.problem.hide()
        layout.addWidget(self.problem)
        self.record = QCheckBox("&Record as submitted to FDA (the next sequence will build on this one)")
        self.record.setVisible(not draft and not packet)
        layout.addWidget(self.record)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Build")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(640, self.sizeHint().height())

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Application folder", self.folder.text())
        if folder:
            self.folder.setText(folder)

    def _accept(self) -> None:
        if not self.folder.text().strip():  # the Build button never just does nothing
            self.problem.setText("Choose the folder that holds this application's sequences (Browse…).")
            self.problem.show()
            self.folder.setFocus()
            return
        QSettings().setValue(_folder_key(self.dossier_path), self.folder.text().strip())
        self.accept()


class BuildResultDialog(QDialog):
    """What was built, the validation findings, and buttons to open the folder or a PDF."""

    def __init__(self, result, parent=None):
        super().__init__(parent)
        self.build = result
        kind = "Expanded-access packet" if result.kind == "packet" else "Draft" if result.draft else "Sequence"
        self.setWindowTitle(f"{kind} {result.number} built")
        blockers = sum(1 for f in result.findings if f.blocks)
        recorded = " It is recorded as submitted." if result.recorded else ""
        checked = ("Every part meets FDA's PDF rules; a packet is not an eCTD sequence, so no eCTD validation applies."
                   if result.kind == "packet" else f"Validation: {blockers} finding(s) that block submission and "
                   f"{len(result.findings) - blockers} that do not.")
        word_dir = result.word_dir
        word = f"<br>Word copies for editing and signing: {html.escape(str(word_dir))}." if word_dir else ""
        text = QLabel(f"<b>{kind} {result.number}</b> was written to {html.escape(str(result.path))}.{recorded}"
                      f"{word}<br>{checked}")
        text.setWordWrap(True)
        text.setTextInteractionFlags(Qt.TextSelectableByMouse)
        # the notes in a list of their own: a dozen of them once overflowed a label the dialog could not show
        self.notes = QListWidget()
        self.notes.setAccessibleName("Notes on the build")
        self.notes.setWordWrap(True)
        self.notes.addItems(result.notes)
        self.notes.setVisible(bool(result.notes))
        self.table = QTableWidget(len(result.findings), 3)
        self.table.setAccessibleName("Validation findings")
        self.table.setHorizontalHeaderLabels(["Severity", "File", "Finding"])
        for row, finding in enumerate(result.findings):
            for column, value in enumerate((finding.severity, finding.file, finding.message)):
                self.table.setItem(row, column, QTableWidgetItem(str(value or "")))
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.Stretch)
        self.table.setVisible(bool(result.findings))
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        open_folder = buttons.addButton("Open folder", QDialogButtonBox.ActionRole)
        open_folder.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(result.path))))
        open_pdf = buttons.addButton("Open a PDF…", QDialogButtonBox.ActionRole)
        open_pdf.clicked.connect(self.open_pdf)
        if word_dir:  # the forms' sheets to sign are there, and only there (the notes say so)
            self.open_word = buttons.addButton("Open Word copies", QDialogButtonBox.ActionRole)
            self.open_word.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(word_dir))))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(self.notes, 1)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(760, 480 if result.findings or result.notes else 200)

    def open_pdf(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a document of the sequence", str(self.build.path),
                                              "PDF documents (*.pdf)")
        if path:
            QDesktopServices.openUrl(QUrl.fromLocalFile(path))


class BuildRunner(QObject):
    """Runs one build at a time off the GUI thread and reports by signals."""

    progress = Signal(float, str)
    finished = Signal(object)   # BuildResult
    failed = Signal(object, str)  # the exception (dossier.errors.Cancelled when cancelled), its traceback

    def __init__(self, parent=None):
        super().__init__(parent)
        self.task = None
        self._shown = 0.0

    @property
    def running(self) -> bool:
        return self.task is not None

    def start(self, dossier, app_dir: Path, draft: bool, mark_submitted: bool = False) -> None:
        # Imported here: the renderers behind it are not needed to show the window.
        from dossier.build import build_sequence

        self._shown = 0.0

        def work(report, cancel):
            return build_sequence(dossier, Path(app_dir), draft=draft, mark_submitted=mark_submitted,
                                  progress=report, cancel=cancel)

        self.task = run_in_background(work, on_done=self._done, on_error=self._error, progress=self._progress)

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def _progress(self, fraction: float, message: str) -> None:
        self._shown = max(self._shown, fraction)  # parallel steps may report out of order
        self.progress.emit(self._shown, message)

    def _done(self, result) -> None:
        self.task = None
        self.finished.emit(result)

    def _error(self, error: BaseException, details: str) -> None:
        self.task = None
        self.failed.emit(error, details)
