"""A section's form, generated from the content model: per field its label, the editor for its type,
its help text and guidance source, a line for what is wrong with the input, and its history one
click away. No section has a form of its own. A field or table column whose `when:` condition is
false is hidden (its value stays in the dossier) and comes back as soon as the condition holds.

A repeated section has one form per instance (`instance=i`): its editors show and edit instance i's
values (`area.section[1].field`), and its conditions read that instance (ui.instances holds them)."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QScrollArea, QToolButton, QWidget

from dossier.conditions import Applicability
from dossier.errors import DossierError
from dossier.fieldpath import FieldPath, base_path
from dossier.model import ContentModel, Field, Section
from dossier.repeats import instance_key, instance_view

from .editors import FieldEditor, editor_for

ERROR_COLOUR = "#b00020"


class SectionForm(QWidget):
    edit_requested = Signal(str, object)   # field path, what the user entered
    attach_requested = Signal(str, list)   # field path or table cell, [Path]
    history_requested = Signal(str)        # field path
    copy_requested = Signal(str)           # the name of an attachment to save a copy of

    def __init__(self, section: Section, values: dict[str, Any], parent=None, model: ContentModel | None = None,
                 instance: int | None = None):
        if (section.repeat is None) != (instance is None):
            raise DossierError(f"section {section.path} " + ("repeats: its form shows one instance; say which"
                               if instance is None else f"is not repeated: it has no instance {instance}"))
        super().__init__(parent)
        self.section = section
        self.model = model
        self.instance = instance
        self.editors: dict[str, FieldEditor] = {}        # by the model's field path
        self.errors: dict[str, QLabel] = {}
        self.rows: dict[str, tuple[QWidget, ...]] = {}  # field path → the widgets of its row
        self.hidden: set[str] = set()                   # fields and columns whose condition is false
        grid = QGridLayout(self)
        grid.setColumnStretch(1, 1)
        grid.setVerticalSpacing(4)
        title = QLabel(f"<h2>{html.escape(section.title)}</h2><p>{html.escape(section.help)}</p>")
        title.setWordWrap(True)
        grid.addWidget(title, 0, 0, 1, 3)
        self.help_labels: dict[str, QLabel] = {}
        row = 1
        for field in section.fields:
            row = self._add_field(grid, row, field, values.get(self.key(field.path)))
        grid.setRowStretch(row, 1)
        if model is not None and model.conditions.conditional:
            ap = Applicability(model, self._view(values))
            self._show_applying(ap, self._conditional_parts())
            self._show_help(ap, [f for f in section.fields if f.help_variants])

    def key(self, path: str) -> str:
        """Where a model path of this section is stored: in this form's instance, if it has one."""
        return path if self.instance is None else instance_key(path, self.instance)

    def _view(self, values: dict[str, Any]) -> dict[str, Any]:
        """The values as this form's conditions read them: its instance under the model's paths."""
        if self.instance is None or self.model is None:
            return values
        assert self.section.repeat is not None
        return instance_view(self.model, values, self.section.repeat, self.instance)

    def _add_field(self, grid: QGridLayout, row: int, field: Field, value: Any) -> int:
        phi = " <span title='protected health information'>(PHI)</span>"  # an emoji padlock was a box without its font
        marks = (" <span title='required'>*</span>" if field.required else "") + (phi if field.phi else "")
        label = QLabel(f"<b>{html.escape(field.label)}</b>{marks}")
        label.setWordWrap(True)
        label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        label.setMinimumWidth(120)
        label.setMaximumWidth(200)
        key = self.key(field.path)
        editor = editor_for(field)
        editor.set_value(value)
        editor.edited.connect(lambda raw, path=key: self.edit_requested.emit(path, raw))
        if hasattr(editor, "copy_requested"):
            editor.copy_requested.connect(self.copy_requested)
        if hasattr(editor, "attach_requested"):
            editor.attach_requested.connect(lambda target, files: self.attach_requested.emit(self.key(target), files))
        label.setBuddy(editor.focus_widget())
        history = QToolButton()
        history.setText("History")
        history.setAccessibleName(f"History of {field.label}")
        history.setToolTip(f"Who changed {field.label}, when, and from what to what")
        history.clicked.connect(lambda _=False, path=key: self.history_requested.emit(path))
        help_label = QLabel(self._help_html(field.help, field.source))
        help_label.setWordWrap(True)
        help_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        error = QLabel()
        error.setWordWrap(True)
        error.setStyleSheet(f"color: {ERROR_COLOUR}")
        error.setAccessibleName(f"Problem with {field.label}")
        error.hide()
        grid.addWidget(label, row, 0)
        grid.addWidget(editor, row, 1)
        grid.addWidget(history, row, 2, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(help_label, row + 1, 1)
        grid.addWidget(error, row + 2, 1)
        self.editors[field.path] = editor
        self.errors[field.path] = error
        self.rows[field.path] = (label, editor, history, help_label)
        self.help_labels[field.path] = help_label
        return row + 3

    @staticmethod
    def _help_html(text: str, source: str) -> str:
        source = f"<br><i>Source: {html.escape(source)}</i>" if source else ""
        return f"<span style='color:#555'>{html.escape(text)}{source}</span>"

    def _show_help(self, ap: Applicability, fields: list[Field]) -> None:
        """Help written for the dossier's modality or path (a field's `help_for`), else its own."""
        for field in fields:
            text, source = ap.help(field)
            self.help_labels[field.path].setText(self._help_html(text, source))
            self.editors[field.path].focus_widget().setToolTip(text)

    def show_error(self, path: str, message: str) -> None:
        field = base_path(path)
        error = self.errors[field]
        shown_by_editor = self.editors[field].show_problem(message)
        error.setText("" if shown_by_editor else message)
        error.setVisible(bool(error.text()) and field not in self.hidden)

    # Conditions -------------------------------------------------------------------------------

    def _conditional_parts(self) -> list[str]:
        """This form's fields and columns that have a condition of their own or in their section."""
        inputs = self.model.conditions.inputs if self.model is not None else {}
        keys = [key for path, editor in self.editors.items()
                for key in (path, *(f"{path}.{c.id}" for c in editor.field.columns))]
        return [key for key in keys if inputs.get(key)]

    def refresh_conditions(self, changed: str, get: Callable[[str], Any]) -> bool:
        """Show or hide the fields and columns whose applicability depends on the field that just
        changed; `get(path)` reads a stored value. Only the parts that depend on it are evaluated,
        reading only the values that decide them. True when something was shown or hidden."""
        if self.model is None:
            return False
        where = FieldPath.match(changed)
        if where is not None and where.instance is not None and where.instance != self.instance:
            return False  # another instance's value decides only that instance's parts
        prefix = self.section.path + "."
        affected = self.model.conditions.affected(base_path(changed))
        keys = [k for k in affected if k.startswith(prefix)]
        helps = [k for k in affected if k.startswith("help:" + prefix)]
        if not keys and not helps:
            return False
        inputs = set().union(*(self.model.conditions.inputs[k] for k in keys + helps))
        ap = Applicability(self.model, {p: get(self._input_key(p)) for p in inputs})
        self._show_help(ap, [self.model.fields[base_path(k[len("help:"):])] for k in dict.fromkeys(helps)])
        return self._show_applying(ap, keys)

    def _input_key(self, path: str) -> str:
        """Where a condition's input is stored: in this instance when it lies in this form's repeat."""
        if self.instance is None or self.model is None:
            return path
        repeat = self.model.repeat_of(path)
        if repeat is not None and repeat.id == self.section.repeat:
            return instance_key(path, self.instance)
        return path

    def _show_applying(self, ap: Applicability, keys: list[str]) -> bool:
        changed = False
        for key in keys:
            hide = not ap.field(key)
            if hide == (key in self.hidden):
                continue
            changed = True
            (self.hidden.add if hide else self.hidden.discard)(key)
            if key in self.rows:
                for widget in self.rows[key]:
                    widget.setVisible(not hide)
                self.errors[key].setVisible(not hide and bool(self.errors[key].text()))
            else:
                field, _, column = key.rpartition(".")
                self.editors[field].show_column(column, not hide)
        return changed

    def set_value(self, path: str, value: Any) -> None:
        self.editors[base_path(path)].set_value(value)
        self.show_error(path, "")

    def focus_field(self, path: str) -> bool:
        """Put the cursor in the field (or the table cell, or the person's part) a path names."""
        where = FieldPath.match(path)
        editor = self.editors.get(where.field_path) if where else None
        if where is None or editor is None:
            return False
        editor.focus_part(where.part, where.row)
        return True

    def first_editor(self) -> FieldEditor | None:
        return next((e for p, e in self.editors.items() if p not in self.hidden), None)


class SectionPage(QScrollArea):
    """A form in its own scroll area: the window keeps one per visited section, so switching back is
    instant, the scroll position stays, and an edit still waiting (an HPO check) is not lost."""

    def __init__(self, form: SectionForm):
        super().__init__()
        self.form = form
        self.setWidgetResizable(True)
        self.setWidget(form)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    @property
    def forms(self) -> list[SectionForm]:
        return [self.form]

    def form_for(self, path: str) -> SectionForm | None:
        """The form that shows a path of this section (a repeated section's page has one per instance)."""
        return self.form

    def show_field(self, path: str) -> SectionForm | None:
        """Scroll the field into view; the form it is in."""
        editor = self.form.editors.get(base_path(path))
        if editor is not None:
            self.ensureWidgetVisible(editor, 50, 80)
        return self.form
