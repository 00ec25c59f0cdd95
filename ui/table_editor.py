"""The table editor: rows of typed cells on a QAbstractTableModel, with add, remove, reorder and
paste from a spreadsheet (tab-separated text). Cells hold what the user typed; the core validates
the whole table when it is saved."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractItemView, QHBoxLayout, QPushButton, QTableView, QVBoxLayout

from dossier.fieldtypes import display
from dossier.model import Field

from .editors import FieldEditor


def _cell_text(column, value: Any) -> str:
    if value is None:
        return ""
    if column.type == "number":
        return display(column, value)
    if column.type == "yesno":
        return "Yes" if value else "No"
    if column.type == "multichoice":
        return ", ".join(value)
    return str(value)


class RowsModel(QAbstractTableModel):
    def __init__(self, field: Field):
        super().__init__()
        self.field = field
        self.rows: list[list[str]] = []

    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.field.columns)

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if role == Qt.DisplayRole and orientation == Qt.Horizontal:
            column = self.field.columns[section]
            unit = f" ({', '.join(column.units)})" if column.units else ""
            return column.label + unit
        if role == Qt.DisplayRole:
            return str(section + 1)
        return None

    def data(self, index, role=Qt.DisplayRole):
        if role in (Qt.DisplayRole, Qt.EditRole):
            return self.rows[index.row()][index.column()]
        if role == Qt.ToolTipRole:
            return self.field.columns[index.column()].help or None
        return None

    def flags(self, index):
        return Qt.ItemIsSelectable | Qt.ItemIsEnabled | Qt.ItemIsEditable

    def setData(self, index, value, role=Qt.EditRole):
        if role != Qt.EditRole:
            return False
        self.rows[index.row()][index.column()] = str(value)
        self.dataChanged.emit(index, index)
        return True

    def load(self, value: list[dict] | None) -> None:
        self.beginResetModel()
        self.rows = [[_cell_text(c, row.get(c.id)) for c in self.field.columns] for row in value or []]
        self.endResetModel()

    def value(self) -> list[dict[str, str]]:
        return [{c.id: cell for c, cell in zip(self.field.columns, row) if cell.strip()} for row in self.rows]

    def insert(self, at: int, rows: list[list[str]]) -> None:
        width = len(self.field.columns)
        self.beginInsertRows(QModelIndex(), at, at + len(rows) - 1)
        self.rows[at:at] = [(r + [""] * width)[:width] for r in rows]
        self.endInsertRows()

    def remove(self, row: int) -> None:
        self.beginRemoveRows(QModelIndex(), row, row)
        del self.rows[row]
        self.endRemoveRows()

    def move(self, row: int, step: int) -> bool:
        target = row + step
        if not (0 <= row < len(self.rows) and 0 <= target < len(self.rows)):
            return False
        self.beginResetModel()
        self.rows[row], self.rows[target] = self.rows[target], self.rows[row]
        self.endResetModel()
        return True


class TableEditor(FieldEditor):
    def __init__(self, field: Field, parent=None):
        super().__init__(field, parent)
        self.model = RowsModel(field)
        self.view = self._name(QTableView())
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectItems)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.setMinimumHeight(120)
        self.view.setTabKeyNavigation(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        buttons = QHBoxLayout()
        for text, slot in (("Add row", self.add_row), ("Remove row", self.remove_row),
                           ("Move up", lambda: self.move_row(-1)), ("Move down", lambda: self.move_row(1)),
                           ("Paste rows", self.paste)):
            button = QPushButton(text)
            button.setAccessibleName(f"{field.label}: {text}")
            button.clicked.connect(slot)
            buttons.addWidget(button)
        buttons.addStretch()
        layout.addLayout(buttons)
        QShortcut(QKeySequence.Paste, self.view, activated=self.paste, context=Qt.WidgetShortcut)
        self.model.dataChanged.connect(lambda *_: self._emit(self.model.value()))

    def _show(self, value):
        self.model.load(value)

    def _current_row(self) -> int:
        index = self.view.currentIndex()
        return index.row() if index.isValid() else self.model.rowCount() - 1

    def add_row(self) -> None:
        self.model.insert(self.model.rowCount(), [[]])
        self.view.setCurrentIndex(self.model.index(self.model.rowCount() - 1, 0))

    def remove_row(self) -> None:
        row = self._current_row()
        if row >= 0:
            self.model.remove(row)
            self._emit(self.model.value())

    def move_row(self, step: int) -> None:
        row = self._current_row()
        if self.model.move(row, step):
            self.view.setCurrentIndex(self.model.index(row + step, 0))
            self._emit(self.model.value())

    def paste(self, text: str | None = None) -> None:
        """Append rows pasted from a spreadsheet: lines of tab-separated cells in column order."""
        text = QGuiApplication.clipboard().text() if text is None else text
        rows = [line.split("\t") for line in text.replace("\r\n", "\n").split("\n") if line.strip()]
        if rows:
            self.model.insert(self.model.rowCount(), rows)
            self._emit(self.model.value())

    def focus_widget(self):
        return self.view
