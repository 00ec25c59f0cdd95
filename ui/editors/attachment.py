"""The attachment editor: the names of the files a field refers to, with a file picker and drag and
drop. Files go into the dossier through `attach_paths`, the one method the picker, a drop and the
tests all call; the window stores them (large ones in the background)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QListWidget, QPushButton, QVBoxLayout

from dossier.model import Field

from .base import FieldEditor


def dropped_files(event) -> list[Path]:
    return [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]


class AcceptsFileDrops:
    """Mixin for a widget that takes local files dropped on it: it says yes while files are dragged
    over it, and its dropEvent does the rest."""

    def dragEnterEvent(self, event):
        if dropped_files(event):
            event.acceptProposedAction()

    def dragMoveEvent(self, event):
        if dropped_files(event):
            event.acceptProposedAction()


class AttachmentEditor(AcceptsFileDrops, FieldEditor):
    attach_requested = Signal(str, list)  # the field path, [Path]
    copy_requested = Signal(str)          # the name of a stored file to save a copy of

    def __init__(self, field: Field, parent=None):
        super().__init__(field, parent)
        self.setAcceptDrops(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.list = self._name(QListWidget())
        self.list.setMaximumHeight(72)
        self.list.setToolTip(f"{field.help}\nDrop PDF files here to attach them.")
        layout.addWidget(self.list)
        buttons = QHBoxLayout()
        attach = QPushButton("Attach PDF…")
        attach.setAccessibleName(f"Attach a PDF to {field.label}")
        attach.clicked.connect(self.pick)
        remove = QPushButton("Remove from field")
        remove.setAccessibleName(f"Remove the selected file from {field.label}")
        remove.clicked.connect(self.remove_selected)
        # a file once attached could not be read back from the app: only `dossier export` gave it out
        save = QPushButton("Save a copy…")
        save.setAccessibleName(f"Save a copy of the selected file of {field.label}")
        save.clicked.connect(self.save_selected)
        self.list.itemActivated.connect(lambda _: self.save_selected())
        buttons.addWidget(attach)
        buttons.addWidget(remove)
        buttons.addWidget(save)
        buttons.addStretch()
        layout.addLayout(buttons)

    def pick(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, f"Attach to {self.field.label}", "", "PDF files (*.pdf)")
        if files:
            self.attach_paths([Path(f) for f in files])

    def attach_paths(self, paths: list[Path]) -> None:
        """Ask for these files to be stored in the dossier and listed in this field."""
        paths = [Path(p) for p in paths]
        if paths:
            self.attach_requested.emit(self.field.path, paths if self.field.multiple else paths[:1])

    def remove_selected(self) -> None:
        """Drop the selected name from the field (the file stays in the dossier; Undo brings it back)."""
        row = self.list.currentRow()
        if row >= 0:
            self.list.takeItem(row)
            self.commit()

    def save_selected(self) -> None:
        item = self.list.currentItem() or self.list.item(0)
        if item is not None:
            self.copy_requested.emit(item.text())

    def dropEvent(self, event):
        files = dropped_files(event)
        if files:
            event.acceptProposedAction()
            self.attach_paths(files)

    def current(self):
        return [self.list.item(i).text() for i in range(self.list.count())]

    def _show(self, value):
        self.list.clear()
        self.list.addItems(value or [])

    def focus_widget(self):
        return self.list
