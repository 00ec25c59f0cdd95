"""The start page (new, open, demo, recent files) and the small dialogs of the main window."""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths, Qt
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFileDialog, QHBoxLayout, QInputDialog, QLabel,
                               QListWidget, QMessageBox, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout,
                               QWidget)

from dossier.errors import DossierError
from dossier.paths import demo_dir
from dossier.service import Dossier
from dossier.textform import import_dossier

RECENT_KEY, RECENT_MAX = "recent_files", 8


def recent_files() -> list[str]:
    value = QSettings().value(RECENT_KEY, [])
    return [value] if isinstance(value, str) else list(value or [])


def add_recent(path: Path) -> None:
    files = [str(Path(path).resolve())] + [f for f in recent_files() if f != str(Path(path).resolve())]
    QSettings().setValue(RECENT_KEY, files[:RECENT_MAX])


class StartPage(QWidget):
    """What the window shows with no dossier open."""

    def __init__(self, window):
        super().__init__()
        self.window = window
        layout = QVBoxLayout(self)
        layout.addStretch()
        title = QLabel("<h1>Dossier Builder</h1><p>Prepare an individualized-therapy IND under FDA's "
                       "Plausible Mechanism Framework, offline.</p>")
        title.setAlignment(Qt.AlignCenter)
        layout.addWidget(title)
        buttons = QHBoxLayout()
        buttons.addStretch()
        for text, slot in (("New dossier…", self.new_dossier), ("Open…", self.open_dialog), ("Open the demo", self.open_demo)):
            button = QPushButton(text)
            button.setMinimumHeight(36)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        buttons.addStretch()
        layout.addLayout(buttons)
        self.recent = QListWidget()
        self.recent.setAccessibleName("Recent dossiers")
        self.recent.setMaximumWidth(600)
        self.recent.itemActivated.connect(lambda item: self.window.open_dossier(item.text()))
        layout.addWidget(QLabel("Recent dossiers:"), 0, Qt.AlignHCenter)
        layout.addWidget(self.recent, 0, Qt.AlignHCenter)
        layout.addStretch()

    def showEvent(self, event):
        self.recent.clear()
        self.recent.addItems([f for f in recent_files() if Path(f).exists()])
        super().showEvent(event)

    def new_dossier(self, path: str | None = None, title: str | None = None) -> bool:
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "New dossier", "", "Dossier files (*.dossier)")
            if not path:
                return False
        if title is None:
            title, ok = QInputDialog.getText(self, "New dossier", "Title (e.g. ASO for patient A):")
            if not ok:
                return False
        try:
            Dossier.create(path, title).close()
        except DossierError as exc:
            QMessageBox.critical(self, "Cannot create the dossier", str(exc))
            return False
        return self.window.open_dossier(path)

    def open_dialog(self) -> bool:
        path, _ = QFileDialog.getOpenFileName(self, "Open dossier", "", "Dossier files (*.dossier);;All files (*)")
        return bool(path) and self.window.open_dossier(path)

    def open_demo(self) -> bool:
        """Make a fresh copy of the built-in demo in the user's documents folder and open it."""
        folder = Path(QStandardPaths.writableLocation(QStandardPaths.DocumentsLocation) or tempfile.gettempdir())
        folder.mkdir(parents=True, exist_ok=True)
        n = 1
        while (folder / f"demo-{n}.dossier").exists():
            n += 1
        target = folder / f"demo-{n}.dossier"
        try:
            import_dossier(demo_dir(), target)
        except DossierError as exc:
            QMessageBox.critical(self, "Cannot create the demo", str(exc))
            return False
        return self.window.open_dossier(target)


class HistoryDialog(QDialog):
    """Who changed a field, when, and from what to what (from the dossier's audit log)."""

    def __init__(self, label: str, entries, parent=None):
        super().__init__(parent)
        self.setWindowTitle(f"History of {label}")
        table = QTableWidget(len(entries), 4)
        table.setHorizontalHeaderLabels(["When (UTC)", "Who", "Old", "New"])
        for row, entry in enumerate(reversed(entries)):
            for col, text in enumerate((entry.at[:19].replace("T", " "), entry.who, _short(entry.old), _short(entry.new))):
                table.setItem(row, col, QTableWidgetItem(text))
        table.horizontalHeader().setStretchLastSection(True)
        table.resizeColumnsToContents()
        self.table = table
        layout = QVBoxLayout(self)
        layout.addWidget(table)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(720, 360)


def _short(value) -> str:
    import json

    text = "" if value is None else (value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
    return text if len(text) <= 200 else text[:197] + "…"
