"""Editors for the plain field types: text, long text, choice, multi-choice, date, number with unit,
yes/no and person/organisation."""

from __future__ import annotations

import re

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCalendarWidget,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPlainTextEdit,
    QToolButton,
    QWidgetAction,
)

from dossier.fieldtypes import PERSON_KEYS
from dossier.model import Field

from .base import FieldEditor, PlainText, single, widget_shortcut


class Line(QLineEdit):
    """A one-line value shows its beginning (see TextEditor._show); the cursor a program puts in it (a
    finding clicked, Ctrl+2) goes to its end, so what is typed next is added, not put in front."""

    def focusInEvent(self, event):
        super().focusInEvent(event)
        if event.reason() == Qt.FocusReason.OtherFocusReason:
            self.end(False)


class TextEditor(FieldEditor):
    def __init__(self, field: Field, parent=None):
        super().__init__(field, parent)
        self.line = self._name(Line())
        if field.max_length:
            self.line.setMaxLength(field.max_length)
        self.box = single(self, self.line)
        self.line.editingFinished.connect(self.commit)

    def current(self):
        return self.line.text()

    def _show(self, value):
        self.line.setText("" if value is None else str(value))
        self.line.setCursorPosition(0)  # a value longer than the box shows its beginning, not its end

    def focus_widget(self):
        return self.line


class LongTextEditor(FieldEditor):
    def __init__(self, field: Field, parent=None):
        super().__init__(field, parent)
        self.text = self._name(PlainText())
        self.text.setMinimumHeight(70)
        self.text.setMaximumHeight(140)
        single(self, self.text)
        self.text.finished.connect(self.commit)

    def current(self):
        return self.text.toPlainText()

    def _show(self, value):
        if self.text.toPlainText() != (value or ""):
            self.text.setPlainText(value or "")

    def focus_widget(self):
        return self.text


class ChoiceEditor(FieldEditor):
    """One of the model's choices; the empty first entry means "not answered"."""

    def __init__(self, field: Field, parent=None, choices: tuple[str, ...] | None = None):
        super().__init__(field, parent)
        self.combo = self._name(QComboBox())
        self.combo.addItems([""] + list(choices or field.choices))
        single(self, self.combo)
        self.combo.currentTextChanged.connect(lambda _: self.commit())

    def current(self):
        return self.combo.currentText()

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
    """A checklist; Space ticks the current choice."""

    def __init__(self, field: Field, parent=None):
        super().__init__(field, parent)
        self.list = self._name(QListWidget())
        for choice in field.choices:
            item = QListWidgetItem(choice)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.list.addItem(item)
        self.list.setMaximumHeight(min(self.list.sizeHintForRow(0) * len(field.choices) + 8, 170))
        single(self, self.list)
        self.list.itemChanged.connect(lambda _: self.commit())

    def current(self):
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
    """A date: typed as YYYY-MM-DD or picked from a calendar (the button beside it, or Alt+Down)."""

    def __init__(self, field: Field, parent=None):
        super().__init__(field, parent)
        self.line = self._name(QLineEdit())
        self.line.setPlaceholderText("YYYY-MM-DD or YYYY-MM" if field.partial else "YYYY-MM-DD")
        self.line.setMaximumWidth(160)
        self.calendar = QCalendarWidget()
        self.calendar.setAccessibleName(f"{field.label}: calendar")
        self.calendar.setGridVisible(True)
        self.calendar.clicked.connect(self.pick)
        self.calendar.activated.connect(self.pick)
        menu = QMenu(self)
        picker = QWidgetAction(menu)
        picker.setDefaultWidget(self.calendar)
        menu.addAction(picker)
        menu.aboutToShow.connect(self._open_on_current)
        self.button = QToolButton()
        self.button.setText("Calendar…")
        self.button.setAccessibleName(f"Pick {field.label} from a calendar")
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.button.setMenu(menu)
        widget_shortcut("Alt+Down", self.line, self.button.showMenu)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.line)
        layout.addWidget(self.button)
        layout.addStretch()
        self.line.editingFinished.connect(self.commit)

    def _open_on_current(self) -> None:
        day = QDate.fromString(self.line.text().strip(), "yyyy-MM-dd")
        self.calendar.setSelectedDate(day if day.isValid() else QDate.currentDate())

    def pick(self, day: QDate) -> None:
        self.line.setText(day.toString("yyyy-MM-dd"))
        self.button.menu().hide()
        self.line.setFocus(Qt.FocusReason.OtherFocusReason)
        self.commit()

    def current(self):
        return self.line.text().strip()

    def _show(self, value):
        self.line.setText(value or "")

    def focus_widget(self):
        return self.line


_HAS_UNIT = re.compile(r"[^\d\s.eE+-]")


class NumberEditor(FieldEditor):
    """A number and, when the model gives units, its unit (typing "2.5 mg" works too)."""

    def __init__(self, field: Field, parent=None):
        super().__init__(field, parent)
        self.number = self._name(QLineEdit())
        limits = [f"≥ {field.minimum:g}" if field.minimum is not None else "",
                  f"≤ {field.maximum:g}" if field.maximum is not None else ""]
        kind = "whole number " if field.integer else "number "
        self.number.setPlaceholderText(kind + " ".join(filter(None, limits)))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.number, 2)
        self.unit = QComboBox()
        self.unit.addItems(list(field.units))
        self.unit.setAccessibleName(f"{field.label}: unit")
        self.unit.setVisible(bool(field.units))
        layout.addWidget(self.unit, 1)
        layout.addStretch(1)
        self.number.editingFinished.connect(self.commit)
        self.unit.activated.connect(lambda _: self.commit())

    def current(self):
        text = self.number.text().strip()
        if not text or not self.field.units or _HAS_UNIT.search(text):
            return text
        return f"{text} {self.unit.currentText()}"

    def _show(self, value):
        if not value:
            self.number.setText("")
            return
        number = value["value"]
        # 12 significant digits, as documents print: 2.5e13 vg/kg or 0.32 mg come back as they were typed
        self.number.setText(f"{number:.12g}" if isinstance(number, float) else str(number))
        if value.get("unit"):
            self.unit.setCurrentText(value["unit"])

    def focus_widget(self):
        return self.number


class PersonEditor(FieldEditor):
    """A person or organisation: name or organisation, and optional role and contact details."""

    def __init__(self, field: Field, parent=None):
        super().__init__(field, parent)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self.parts: dict[str, QLineEdit | PlainText] = {}
        for key in PERSON_KEYS:
            widget: QLineEdit | PlainText
            if key == "address":
                widget = PlainText()
                widget.setMaximumHeight(60)
                widget.finished.connect(self.commit)
            else:
                widget = QLineEdit()
                widget.editingFinished.connect(self.commit)
            widget.setAccessibleName(f"{field.label}: {key}")
            self.parts[key] = widget
            form.addRow(key.title() + ":", widget)

    def _text(self, key: str) -> str:
        widget = self.parts[key]
        return widget.toPlainText() if isinstance(widget, QPlainTextEdit) else widget.text()

    def current(self):
        return {key: self._text(key) for key in PERSON_KEYS if self._text(key).strip()}

    def _show(self, value):
        for key, widget in self.parts.items():
            text = (value or {}).get(key, "")
            if isinstance(widget, QPlainTextEdit):
                if widget.toPlainText() != text:
                    widget.setPlainText(text)
            else:
                widget.setText(text)

    def focus_part(self, part=None, row=None):
        self.parts.get(part or "name", self.parts["name"]).setFocus(Qt.OtherFocusReason)

    def focus_widget(self):
        return self.parts["name"]
