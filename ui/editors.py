"""One editor per field type. Every editor shows a stored value (`set_value`) and emits what the
user entered (`edited`) when an edit is finished; the form validates and saves it through the core.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QStringListModel, Qt, QTimer, Signal
from PySide6.QtWidgets import (QApplication, QComboBox, QCompleter, QDateEdit, QFileDialog, QFormLayout, QHBoxLayout, QLabel,
                               QLineEdit, QListWidget, QListWidgetItem, QPlainTextEdit, QPushButton, QVBoxLayout,
                               QWidget)

from dossier import genetics
from dossier.errors import FieldError
from dossier.fieldtypes import PERSON_KEYS
from dossier.model import Field

from .background import run_in_background


class FieldEditor(QWidget):
    """Base: a labelled editor for one field. Subclasses define `_show(value)`."""

    edited = Signal(object)

    def __init__(self, field: Field, parent=None):
        super().__init__(parent)
        self.field = field
        self._loading = False

    def set_value(self, value: Any) -> None:
        self._loading = True
        try:
            self._show(value)
        finally:
            self._loading = False

    def _emit(self, value: Any) -> None:
        if not self._loading:
            self.edited.emit(value)

    def focus_widget(self) -> QWidget:
        return self

    def _name(self, widget: QWidget) -> QWidget:
        widget.setAccessibleName(self.field.label)
        widget.setAccessibleDescription(self.field.help)
        widget.setToolTip(self.field.help)
        return widget


def _single(layout_owner: QWidget, widget: QWidget) -> None:
    layout = QHBoxLayout(layout_owner)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(widget)


class TextEditor(FieldEditor):
    def __init__(self, field: Field, parent=None):
        super().__init__(field, parent)
        self.line = self._name(QLineEdit())
        _single(self, self.line)
        self.line.editingFinished.connect(lambda: self._emit(self.line.text()))

    def _show(self, value):
        self.line.setText("" if value is None else str(value))

    def focus_widget(self):
        return self.line


class _PlainText(QPlainTextEdit):
    finished = Signal()

    def focusOutEvent(self, event):
        super().focusOutEvent(event)
        self.finished.emit()


class LongTextEditor(FieldEditor):
    def __init__(self, field: Field, parent=None):
        super().__init__(field, parent)
        self.text = self._name(_PlainText())
        self.text.setTabChangesFocus(True)
        self.text.setMinimumHeight(70)
        self.text.setMaximumHeight(140)
        _single(self, self.text)
        self.text.finished.connect(lambda: self._emit(self.text.toPlainText()))

    def _show(self, value):
        if self.text.toPlainText() != (value or ""):
            self.text.setPlainText(value or "")

    def focus_widget(self):
        return self.text


class ChoiceEditor(FieldEditor):
    def __init__(self, field: Field, parent=None, choices: tuple[str, ...] | None = None):
        super().__init__(field, parent)
        self.combo = self._name(QComboBox())
        self.combo.addItems([""] + list(choices or field.choices))
        _single(self, self.combo)
        self.combo.currentTextChanged.connect(lambda text: self._emit(text))

    def _show(self, value):
        self.combo.setCurrentText("" if value is None else str(value))

    def focus_widget(self):
        return self.combo


class YesNoEditor(ChoiceEditor):
    def __init__(self, field: Field, parent=None):
        super().__init__(field, parent, choices=("Yes", "No"))

    def _show(self, value):
        self.combo.setCurrentText("" if value is None else ("Yes" if value else "No"))


class MultiChoiceEditor(FieldEditor):
    def __init__(self, field: Field, parent=None):
        super().__init__(field, parent)
        self.list = self._name(QListWidget())
        for choice in field.choices:
            item = QListWidgetItem(choice)
            item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
            item.setCheckState(Qt.Unchecked)
            self.list.addItem(item)
        self.list.setMaximumHeight(min(22 * len(field.choices) + 6, 160))
        _single(self, self.list)
        self.list.itemChanged.connect(lambda _: self._emit(self.checked()))

    def checked(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())
                if self.list.item(i).checkState() == Qt.Checked]

    def _show(self, value):
        chosen = set(value or [])
        for i in range(self.list.count()):
            item = self.list.item(i)
            item.setCheckState(Qt.Checked if item.text() in chosen else Qt.Unchecked)

    def focus_widget(self):
        return self.list


class DateEditor(FieldEditor):
    """A date picker; the lowest date reads "Not set" and means empty."""

    EMPTY = QDate(1900, 1, 1)

    def __init__(self, field: Field, parent=None):
        super().__init__(field, parent)
        self.date = self._name(QDateEdit())
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.date.setMinimumDate(self.EMPTY)
        self.date.setSpecialValueText("Not set")
        _single(self, self.date)
        self.date.editingFinished.connect(self._finished)
        self.date.dateChanged.connect(lambda _: self._finished() if self.date.calendarWidget().isVisible() else None)

    def _finished(self):
        day = self.date.date()
        self._emit("" if day == self.EMPTY else day.toString("yyyy-MM-dd"))

    def _show(self, value):
        self.date.setDate(QDate.fromString(value, "yyyy-MM-dd") if value else self.EMPTY)

    def focus_widget(self):
        return self.date


class NumberEditor(FieldEditor):
    def __init__(self, field: Field, parent=None):
        super().__init__(field, parent)
        self.number = self._name(QLineEdit())
        self.number.setPlaceholderText("number")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.number, 2)
        self.unit = QComboBox()
        self.unit.addItems(list(field.units))
        self.unit.setAccessibleName(f"{field.label} unit")
        self.unit.setVisible(bool(field.units))
        layout.addWidget(self.unit, 1)
        self.number.editingFinished.connect(self._finished)
        self.unit.activated.connect(lambda _: self._finished())

    def _finished(self):
        text = self.number.text().strip()
        self._emit(f"{text} {self.unit.currentText()}".strip() if text else "")

    def _show(self, value):
        if not value:
            self.number.setText("")
            return
        number = value["value"]
        self.number.setText(f"{number:g}" if isinstance(number, float) else str(number))
        if value.get("unit"):
            self.unit.setCurrentText(value["unit"])

    def focus_widget(self):
        return self.number


class PersonEditor(FieldEditor):
    def __init__(self, field: Field, parent=None):
        super().__init__(field, parent)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self.parts: dict[str, QWidget] = {}
        for key in PERSON_KEYS:
            widget = _PlainText() if key == "address" else QLineEdit()
            if key == "address":
                widget.setTabChangesFocus(True)
                widget.setMaximumHeight(60)
                widget.finished.connect(self._finished)
            else:
                widget.editingFinished.connect(self._finished)
            widget.setAccessibleName(f"{field.label}: {key}")
            self.parts[key] = widget
            form.addRow(key.title(), widget)

    def _text(self, key: str) -> str:
        widget = self.parts[key]
        return widget.toPlainText() if isinstance(widget, QPlainTextEdit) else widget.text()

    def _finished(self):
        self._emit({k: self._text(k) for k in PERSON_KEYS if self._text(k).strip()})

    def _show(self, value):
        for key, widget in self.parts.items():
            text = (value or {}).get(key, "")
            if isinstance(widget, QPlainTextEdit):
                widget.setPlainText(text)
            else:
                widget.setText(text)

    def focus_widget(self):
        return self.parts["name"]


class HgvsEditor(TextEditor):
    """An HGVS variant, checked by the reference parser as the user types."""

    def __init__(self, field: Field, parent=None):
        super().__init__(field, parent)
        self.line.setPlaceholderText("NM_000000.0:c.123+4A>G")
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.layout().addWidget(self.status)
        self.timer = QTimer(self, singleShot=True, interval=300)
        self.timer.timeout.connect(self.check_now)
        self.line.textEdited.connect(lambda _: self.timer.start())

    def check_now(self) -> None:
        text = self.line.text().strip()
        if not text:
            self.status.setText("")
            return
        try:
            genetics.parse_hgvs(text, self.field.label)
        except FieldError as exc:
            self.status.setText(f"<span style='color:#b00020'>✗ {exc.problem}</span>")
        else:
            self.status.setText("<span style='color:#1b7f3b'>✓ valid HGVS</span>")


class HpoEditor(TextEditor):
    """HPO terms as ids; a completer offers term names once the ontology has loaded in the background."""

    def __init__(self, field: Field, parent=None):
        super().__init__(field, parent)
        self.line.setPlaceholderText("HP:0001250, HP:0000505 … (type a name once the ontology has loaded)")
        self.names = QLabel()
        self.names.setWordWrap(True)
        self.layout().addWidget(self.names)
        completer = QCompleter(hpo_terms_model(), self)
        completer.setCaseSensitivity(Qt.CaseInsensitive)
        completer.setFilterMode(Qt.MatchContains)
        completer.activated.connect(self._chosen)
        self.line.setCompleter(completer)

    def _chosen(self, text: str) -> None:
        term_id = text.split(" ", 1)[0]
        self.line.setText(term_id)
        self._emit(term_id)

    def _show(self, value):
        self.line.setText(", ".join(t["id"] for t in value or []))
        self.names.setText("; ".join(t["label"] for t in value or []))


_terms_model: QStringListModel | None = None


def hpo_terms_model() -> QStringListModel:
    """One list of "HP:id name" strings for every HPO completer, filled once in the background
    (the ontology takes about 0.6 s to load); until then the fields take ids typed by hand."""
    global _terms_model
    if _terms_model is None:
        _terms_model = QStringListModel(QApplication.instance())

        def load(progress, cancel):
            return sorted(f"{term.id} {term.name}" for term in genetics.load_hpo())

        run_in_background(load, on_done=_terms_model.setStringList)
    return _terms_model


class AttachmentEditor(FieldEditor):
    """Attachment names, with a file picker and drag and drop; files go in through `attach_paths`."""

    attach_requested = Signal(list)

    def __init__(self, field: Field, parent=None):
        super().__init__(field, parent)
        self.setAcceptDrops(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.list = self._name(QListWidget())
        self.list.setMaximumHeight(70)
        layout.addWidget(self.list)
        button = QPushButton("Attach PDF…")
        button.clicked.connect(self._pick)
        layout.addWidget(button)

    def _pick(self):
        paths, _ = QFileDialog.getOpenFileNames(self, f"Attach to {self.field.label}", "", "PDF files (*.pdf)")
        if paths:
            self.attach_paths([Path(p) for p in paths])

    def attach_paths(self, paths: list[Path]) -> None:
        self.attach_requested.emit([Path(p) for p in paths])

    def dragEnterEvent(self, event):
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event):
        self.attach_paths([Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()])
        event.acceptProposedAction()

    def _show(self, value):
        self.list.clear()
        self.list.addItems(value or [])

    def focus_widget(self):
        return self.list
