"""A section's form, generated from the content model: one editor per field, chosen by field type,
with the field's help, guidance source, an error line and its history one click away."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QToolButton, QWidget

from dossier.model import Field, Section

from .editors import (AttachmentEditor, ChoiceEditor, DateEditor, FieldEditor, HgvsEditor, HpoEditor,
                      LongTextEditor, MultiChoiceEditor, NumberEditor, PersonEditor, TextEditor, YesNoEditor)
from .table_editor import TableEditor

EDITORS: dict[str, type[FieldEditor]] = {
    "text": TextEditor, "longtext": LongTextEditor, "choice": ChoiceEditor, "multichoice": MultiChoiceEditor,
    "date": DateEditor, "number": NumberEditor, "yesno": YesNoEditor, "person": PersonEditor,
    "table": TableEditor, "hgvs": HgvsEditor, "hpo": HpoEditor, "attachment": AttachmentEditor,
}


class SectionForm(QWidget):
    edit_requested = Signal(str, object)       # field path, what the user entered
    attach_requested = Signal(str, list)       # field path, file paths
    history_requested = Signal(str)            # field path

    def __init__(self, section: Section, values: dict[str, Any], parent=None):
        super().__init__(parent)
        self.section = section
        self.editors: dict[str, FieldEditor] = {}
        self.errors: dict[str, QLabel] = {}
        grid = QGridLayout(self)
        grid.setColumnStretch(1, 1)
        title = QLabel(f"<h2>{section.title}</h2><p>{section.help}</p>")
        title.setWordWrap(True)
        grid.addWidget(title, 0, 0, 1, 3)
        row = 1
        for field in section.fields:
            row = self._add_field(grid, row, field, values.get(field.path))
        grid.setRowStretch(row, 1)

    def _add_field(self, grid: QGridLayout, row: int, field: Field, value: Any) -> int:
        marks = (" *" if field.required else "") + (" 🔒 PHI" if field.phi else "")
        label = QLabel(f"<b>{field.label}</b>{marks}")
        label.setWordWrap(True)
        label.setAlignment(Qt.AlignRight | Qt.AlignTop)
        label.setMaximumWidth(220)
        editor = EDITORS[field.type](field)
        editor.set_value(value)
        editor.edited.connect(lambda raw, path=field.path: self.edit_requested.emit(path, raw))
        if isinstance(editor, AttachmentEditor):
            editor.attach_requested.connect(lambda paths, path=field.path: self.attach_requested.emit(path, paths))
        label.setBuddy(editor.focus_widget())
        history = QToolButton(text="History")
        history.setAccessibleName(f"History of {field.label}")
        history.setToolTip(f"Who changed {field.label}, when, old → new")
        history.clicked.connect(lambda _=False, path=field.path: self.history_requested.emit(path))
        help_text = field.help + (f"  <i>Source: {field.source}</i>" if field.source else "")
        help_label = QLabel(f"<span style='color:#555'>{help_text}</span>")
        help_label.setWordWrap(True)
        error = QLabel()
        error.setWordWrap(True)
        error.setStyleSheet("color: #b00020")
        error.hide()
        grid.addWidget(label, row, 0)
        grid.addWidget(editor, row, 1)
        grid.addWidget(history, row, 2, Qt.AlignTop)
        grid.addWidget(help_label, row + 1, 1)
        grid.addWidget(error, row + 2, 1)
        self.editors[field.path] = editor
        self.errors[field.path] = error
        return row + 3

    def show_error(self, path: str, message: str) -> None:
        self.errors[path].setText(message)
        self.errors[path].setVisible(bool(message))

    def set_value(self, path: str, value: Any) -> None:
        self.editors[path].set_value(value)
        self.show_error(path, "")

    def focus_field(self, path: str) -> bool:
        editor = self.editors.get(path)
        if editor is None:
            return False
        editor.focus_widget().setFocus(Qt.OtherFocusReason)
        return True
