"""The table editor: rows of typed cells on a QAbstractTableModel, with add, remove, reorder, paste
from a spreadsheet (tab-separated text) and files attached to a row's attachment cell.

Cells hold what the user typed; the core validates the whole table each time it is saved, so a row
still being filled in shows its problem beside the table and stays on screen as typed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QMenu,
    QPushButton,
    QStyledItemDelegate,
    QTableView,
    QToolButton,
    QVBoxLayout,
)

from dossier.fieldpath import cell_path
from dossier.fieldtypes import display
from dossier.model import Column, Field

from .attachment import AcceptsFileDrops, dropped_files
from .base import FieldEditor, widget_shortcut


def cell_text(column: Column, value: Any) -> str:
    return display(column, value) if value is not None else ""


class RowsModel(QAbstractTableModel):
    def __init__(self, field: Field, parent=None):
        super().__init__(parent)
        self.field = field
        self.rows: list[list[str]] = []

    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.field.columns)

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if orientation == Qt.Vertical:
            return str(section + 1) if role == Qt.DisplayRole else None
        column = self.field.columns[section]
        if role == Qt.DisplayRole:
            unit = f" ({', '.join(column.units)})" if column.units else ""
            return column.label + (" *" if column.required else "") + unit
        if role == Qt.ToolTipRole:  # the whole header, as a narrow column shows it cut short
            choices = f"\nOne of: {', '.join(column.choices)}" if column.choices else ""
            units = f"\nUnits: {', '.join(column.units)}" if column.units else ""
            return (f"{column.label}: {column.help}" if column.help else column.label) + choices + units
        return None

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        if role in (Qt.DisplayRole, Qt.EditRole):
            return self.rows[index.row()][index.column()]
        if role == Qt.ToolTipRole:
            return self.rows[index.row()][index.column()] or self.field.columns[index.column()].help or None
        return None

    def flags(self, index):
        return Qt.ItemIsSelectable | Qt.ItemIsEnabled | Qt.ItemIsEditable

    def setData(self, index, value, role=Qt.EditRole):
        if role != Qt.EditRole or not index.isValid():
            return False
        text = "" if value is None else str(value)
        if self.rows[index.row()][index.column()] == text:
            return False
        self.rows[index.row()][index.column()] = text
        self.dataChanged.emit(index, index)
        return True

    def load(self, value: list[dict] | None) -> None:
        self.beginResetModel()
        self.rows = [[cell_text(c, row.get(c.id)) for c in self.field.columns] for row in value or []]
        self.endResetModel()

    def value(self) -> list[dict[str, str]]:
        return [{c.id: cell for c, cell in zip(self.field.columns, row, strict=False) if cell.strip()}
                for row in self.rows]

    def insert(self, at: int, rows: list[list[str]]) -> None:
        width = len(self.field.columns)
        self.beginInsertRows(QModelIndex(), at, at + len(rows) - 1)
        self.rows[at:at] = [(list(r) + [""] * width)[:width] for r in rows]
        self.endInsertRows()

    def remove(self, row: int) -> None:
        self.beginRemoveRows(QModelIndex(), row, row)
        del self.rows[row]
        self.endRemoveRows()

    def move(self, row: int, step: int) -> bool:
        target = row + step
        if not (0 <= row < len(self.rows) and 0 <= target < len(self.rows)):
            return False
        self.beginMoveRows(QModelIndex(), row, row, QModelIndex(), target + (1 if step > 0 else 0))
        self.rows[row], self.rows[target] = self.rows[target], self.rows[row]
        self.endMoveRows()
        return True

    def paste(self, text: str, row: int, column: int) -> int:
        """Write a block of tab-separated lines from (row, column) on, adding rows as needed; returns
        the number of rows touched. A first line equal to the column labels (a copied header) is skipped."""
        lines = [line.split("\t") for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
                 if line.strip()]
        labels = [c.label.casefold() for c in self.field.columns]
        if lines and [cell.strip().casefold() for cell in lines[0]] == labels[: len(lines[0])] and len(lines[0]) > 1:
            lines = lines[1:]
        missing = row + len(lines) - len(self.rows)
        if missing > 0:
            self.insert(len(self.rows), [[] for _ in range(missing)])
        width = len(self.field.columns)
        for i, cells in enumerate(lines):
            for j, cell in enumerate(cells[: max(0, width - column)]):
                self.rows[row + i][column + j] = cell.strip()
        if lines:
            self.dataChanged.emit(self.index(row, 0), self.index(row + len(lines) - 1, width - 1))
        return len(lines)


class ChoiceDelegate(QStyledItemDelegate):
    """Choice and yes/no cells are picked from a list, as their field is in a form."""

    def __init__(self, options: list[str], parent=None):
        super().__init__(parent)
        self.options = options

    def createEditor(self, parent, option, index):
        combo = QComboBox(parent)
        combo.addItems([""] + self.options)
        return combo

    def setEditorData(self, editor, index):
        editor.setCurrentText(index.data(Qt.EditRole) or "")

    def setModelData(self, editor, model, index):
        model.setData(index, editor.currentText())


class TableEditor(AcceptsFileDrops, FieldEditor):
    attach_requested = Signal(str, list)  # a cell path like `field[2].report`, [Path]

    def __init__(self, field: Field, parent=None):
        super().__init__(field, parent)
        self.model = RowsModel(field, self)
        self.view = self._name(QTableView())
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setWordWrap(False)
        self.view.horizontalHeader().setStretchLastSection(True)
        # a header wider than its column ends in "…" (it was cut on both sides: "ıg, mg/kg, µg/kg")
        self.view.horizontalHeader().setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.setMinimumHeight(130)
        self.view.setTabKeyNavigation(False)  # Tab leaves the table, as in every other field
        self._delegates = []
        for i, column in enumerate(field.columns):
            options = list(column.choices) if column.type == "choice" else \
                ["Yes", "No"] if column.type == "yesno" else None
            if options:
                self._delegates.append(ChoiceDelegate(options, self.view))
                self.view.setItemDelegateForColumn(i, self._delegates[-1])
        self.attachment_column = next((c for c in field.columns if c.type == "attachment"), None)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        layout.addLayout(self._buttons())
        for keys, action in ((QKeySequence.StandardKey.Paste, lambda: self.paste(at_cell=True)),
                             ("Ctrl+Shift+Up", lambda: self.move_row(-1)),
                             ("Ctrl+Shift+Down", lambda: self.move_row(1))):
            widget_shortcut(keys, self.view, action)
        self.model.dataChanged.connect(lambda *_: self.commit())
        self.setAcceptDrops(self.attachment_column is not None)

    def _buttons(self) -> QHBoxLayout:
        """The frequent actions as buttons, the rest in a "More" menu: the row must fit a form pane of
        about 580 pixels (the default window), or the form grows a horizontal scrollbar."""
        buttons = QHBoxLayout()
        actions = [("Add row", self.add_row, "Add row"), ("Remove row", self.remove_row, "Remove row")]
        if self.attachment_column is not None:
            actions.append(("Attach file…", self.pick, f"Attach a file as {self.attachment_column.label}"))
        for text, slot, name in actions:
            button = QPushButton(text)
            button.setAccessibleName(f"{self.field.label}: {name}")
            button.setToolTip(name)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        more = QToolButton()
        more.setText("More")
        more.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        more.setAccessibleName(f"{self.field.label}: more row actions")
        menu = QMenu(more)
        for text, slot, keys in (("Move row up", lambda: self.move_row(-1), "Ctrl+Shift+Up"),
                                 ("Move row down", lambda: self.move_row(1), "Ctrl+Shift+Down"),
                                 ("Paste rows", lambda: self.paste(), "")):
            action = menu.addAction(text, slot)
            action.setShortcut(QKeySequence(keys))  # shown as a hint; the shortcuts live on the table
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        more.setMenu(menu)
        buttons.addWidget(more)
        buttons.addStretch()
        return buttons

    def current(self):
        return self.model.value()  # a hidden column's cells are kept: its condition may hold again

    def show_column(self, column_id: str, shown: bool) -> None:
        index = next(i for i, c in enumerate(self.field.columns) if c.id == column_id)
        self.view.setColumnHidden(index, not shown)

    def _show(self, value):
        self.model.load(value)
        self.view.resizeRowsToContents()

    def current_row(self) -> int:
        index = self.view.currentIndex()
        return index.row() if index.isValid() else self.model.rowCount() - 1

    def add_row(self) -> None:
        self.model.insert(self.model.rowCount(), [[]])
        self.view.setCurrentIndex(self.model.index(self.model.rowCount() - 1, 0))
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)

    def remove_row(self) -> None:
        row = self.current_row()
        if row >= 0:
            self.model.remove(row)
            self.commit()

    def move_row(self, step: int) -> None:
        index = self.view.currentIndex()
        row = self.current_row()
        if self.model.move(row, step):
            self.view.setCurrentIndex(self.model.index(row + step, index.column() if index.isValid() else 0))
            self.commit()

    def paste(self, text: str | None = None, at_cell: bool = False) -> None:
        """Paste spreadsheet cells (tab-separated lines): as new rows, or with `at_cell` (Ctrl+V in
        the table) over the cells from the current one on, adding rows as needed."""
        text = QGuiApplication.clipboard().text() if text is None else text
        index = self.view.currentIndex()
        row, column = (index.row(), index.column()) if at_cell and index.isValid() else (self.model.rowCount(), 0)
        if self.model.paste(text, row, column) == 0:
            return
        self.view.resizeRowsToContents()

    def focus_part(self, part=None, row=None):
        """Put the cursor in a cell (a finding on `table[3].column` lands on row 3's cell)."""
        column = next((i for i, c in enumerate(self.field.columns) if c.id == part), 0)
        if row is not None and 0 <= row < self.model.rowCount():
            self.view.setCurrentIndex(self.model.index(row, column))
        self.view.setFocus(Qt.OtherFocusReason)

    def focus_widget(self):
        return self.view

    # Files for a row's attachment cell ------------------------------------------------------

    def cell_target(self, row: int) -> str:
        assert self.attachment_column is not None, "only a table with an attachment column takes files"
        return cell_path(self.field.path, row, self.attachment_column.id)

    def pick(self) -> None:
        row = self.current_row()
        target_row = row if row >= 0 else self.model.rowCount()
        files, _ = QFileDialog.getOpenFileNames(self, f"Attach to row {target_row + 1} of {self.field.label}", "",
                                                "PDF files (*.pdf)")
        if files:
            self.attach_to_row(target_row, [Path(files[0])])

    def attach_to_row(self, row: int, paths: list[Path]) -> None:
        """Store a file in the dossier and put its name in row `row`'s attachment cell (a new row when
        `row` is just past the end)."""
        if self.attachment_column is not None and paths:
            self.attach_requested.emit(self.cell_target(row), [Path(paths[0])])

    def dropEvent(self, event):
        files = dropped_files(event)
        if not files:
            return
        event.acceptProposedAction()
        at = self.view.viewport().mapFrom(self, event.position().toPoint())
        row = self.view.rowAt(at.y())
        self.attach_to_row(row if row >= 0 else self.model.rowCount(), files)
