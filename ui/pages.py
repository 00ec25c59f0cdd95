"""The start page (new dossier, open, the demo, recent files) and the history dialog of a field."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QListWidget,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from dossier.cases import builtin_cases, make_case
from dossier.changes import describe_entry
from dossier.service import Dossier

from .background import run_in_background
from .crash import show_exception

RECENT_KEY, RECENT_MAX = "recent_files", 8
FILTER = "Dossier files (*.dossier);;All files (*)"


def recent_files() -> list[str]:
    value = QSettings().value(RECENT_KEY, [])
    if isinstance(value, str):  # QSettings gives a list of one back as its one string
        return [value]
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else []


def add_recent(path: Path) -> None:
    name = str(Path(path).resolve())
    QSettings().setValue(RECENT_KEY, ([name] + [f for f in recent_files() if f != name])[:RECENT_MAX])


def demo_folder() -> Path:
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppLocalDataLocation)
    return Path(location or Path.home() / ".dossier-builder") / "demos"


class StartPage(QWidget):
    """What the window shows with no dossier open. It makes files (a new dossier, the demo) but asks
    for them to be opened through `open_requested`; whoever owns the session opens them."""

    open_requested = Signal(str)  # a dossier file

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addStretch()
        title = QLabel("<h1>Dossier Builder</h1><p>Prepare the IND for an individualized genetic medicine, "
                       "section by section, offline.</p>")
        title.setAlignment(Qt.AlignCenter)
        layout.addWidget(title)
        buttons = QHBoxLayout()
        buttons.addStretch()
        self.buttons = []
        for text, slot in (("&New dossier…", self.new_dossier), ("&Open…", self.open_dialog),
                           ("Open the &demo", self.open_demo)):
            button = QPushButton(text)
            button.setMinimumHeight(36)
            button.clicked.connect(lambda _=False, slot=slot: slot())
            buttons.addWidget(button)
            self.buttons.append(button)
        buttons.addStretch()
        layout.addLayout(buttons)
        layout.addLayout(self._case_choice())
        self.status = QLabel()
        self.status.setAlignment(Qt.AlignCenter)
        layout.addWidget(self.status)
        self.recent = QListWidget()
        self.recent.setAccessibleName("Recent dossiers")
        self.recent.setMaximumWidth(640)
        self.recent.setMinimumWidth(480)  # room for a path, which its own width cut at 250 pixels
        self.recent.setMaximumHeight(200)
        self.recent.itemActivated.connect(lambda item: self.open_requested.emit(item.text()))
        heading = self.recent_heading = QLabel("&Recent dossiers:")
        heading.setBuddy(self.recent)
        layout.addWidget(heading, 0, Qt.AlignHCenter)
        layout.addWidget(self.recent, 0, Qt.AlignHCenter)
        layout.addStretch()

    def _case_choice(self) -> QHBoxLayout:
        """Which built-in case the demo button opens (an ASO first; a base editor, expanded access, a
        master protocol …): the app offered only the first, the others only on the command line."""
        self.case = QComboBox()
        self.case.setAccessibleName("Demo case")
        for case in builtin_cases():
            self.case.addItem(case.name, case.name)
            self.case.setItemData(self.case.count() - 1, case.summary, Qt.ItemDataRole.ToolTipRole)
        self.case_summary = QLabel()
        self.case_summary.setWordWrap(True)
        self.case_summary.setMaximumWidth(640)
        self.case.currentIndexChanged.connect(
            lambda i: self.case_summary.setText(str(self.case.itemData(i, Qt.ItemDataRole.ToolTipRole) or "")))
        self.case_summary.setText(str(self.case.itemData(0, Qt.ItemDataRole.ToolTipRole) or ""))
        label = QLabel("Demo &case:")
        label.setBuddy(self.case)
        row = QHBoxLayout()
        row.addStretch()
        row.addWidget(label)
        row.addWidget(self.case)
        row.addWidget(self.case_summary, 1)
        row.addStretch()
        return row

    def showEvent(self, event):
        self.recent.clear()
        self.recent.addItems([f for f in recent_files() if Path(f).exists()])
        for i in range(self.recent.count()):
            self.recent.item(i).setToolTip(self.recent.item(i).text())
        for widget in (self.recent_heading, self.recent):  # no empty white box on the first start
            widget.setVisible(self.recent.count() > 0)
        super().showEvent(event)

    def new_dossier(self) -> None:
        # The refusal below is the only word on an existing file: the dialog's "Replace it?" was answered
        # yes, then creating refused anyway, after the title had been typed.
        path, _ = QFileDialog.getSaveFileName(self, "New dossier", "", FILTER,
                                              options=QFileDialog.Option.DontConfirmOverwrite)
        if not path:
            return
        path = path if path.endswith(".dossier") else path + ".dossier"
        if Path(path).exists():
            QMessageBox.warning(self, "Cannot create the dossier",
                                f"{path} already exists. Open it (Open…), or choose another name for the new dossier.")
            return
        title, ok = QInputDialog.getText(self, "New dossier", "Title (e.g. ASO for patient A):")
        if not ok or not title.strip():
            return
        try:
            Dossier.create(path, title).close()
        except Exception as exc:
            show_exception(self, "Cannot create the dossier", exc)
            return
        self.open_requested.emit(path)

    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open dossier", "", FILTER)
        if path:
            self.open_requested.emit(path)

    def open_demo(self) -> None:
        """Make the chosen built-in case in a fresh file in the user's data folder (in the background: it
        checks every value, which loads the HPO ontology) and open it."""
        name = str(self.case.currentData())
        folder = demo_folder()
        folder.mkdir(parents=True, exist_ok=True)
        stem = "demo" if self.case.currentIndex() == 0 else name
        n = 1
        while (folder / f"{stem}-{n}.dossier").exists():
            n += 1
        target = folder / f"{stem}-{n}.dossier"
        self._waiting(f"Preparing the demo dossier ({name})…")
        run_in_background(lambda report, cancel: make_case(name, target),
                          on_done=lambda _: self._demo_ready(target), on_error=self._demo_failed)

    def _waiting(self, message: str) -> None:
        self.status.setText(message)
        for button in [*self.buttons, self.case]:
            button.setEnabled(not message)

    def _demo_ready(self, target: Path) -> None:
        self._waiting("")
        self.open_requested.emit(str(target))

    def _demo_failed(self, error: BaseException, details: str) -> None:
        self._waiting("")
        show_exception(self, "Cannot create the demo", error)


class HistoryDialog(QDialog):
    """Who changed a field, when, and what changed (the dossier's audit log), newest first; a table
    edit reads as the rows added, removed or changed, in the same words as `dossier history`."""

    def __init__(self, field, entries, parent=None):
        super().__init__(parent)
        self.setWindowTitle(f"History of {field.label}")
        self.table = QTableWidget(len(entries), 3)
        self.table.setAccessibleName(f"History of {field.label}")
        self.table.setHorizontalHeaderLabels(["When (UTC)", "Who", "Change"])
        for row, entry in enumerate(reversed(entries)):
            change = "\n".join(describe_entry(entry.field, entry.old, entry.new, field))
            for column, text in enumerate((entry.at[:19].replace("T", " "), entry.who, change)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.Stretch)
        self.table.resizeRowsToContents()
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"{len(entries)} change(s)" if entries else "No changes recorded yet."))
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(760, 380)

