"""What every field editor shares: show a stored value, report what the user entered when an edit
is finished, and name its widgets for assistive technology."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QPlainTextEdit, QWidget

from dossier.model import Field

W = TypeVar("W", bound=QWidget)


class FieldEditor(QWidget):
    """An editor for one field of one type.

    Subclasses implement `_show(value)` (display a stored value), `current()` (what the user has
    entered, as raw input the core's `coerce` understands) and `focus_widget()`. They call
    `commit()` when an edit is finished (editingFinished, focus out, a new selection); the form
    validates and saves what `edited` carries.
    """

    edited = Signal(object)
    current: Callable[[], Any]  # declared for the type checker; __init_subclass__ demands them
    _show: Callable[[Any], None]

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        missing = [name for name in ("current", "_show") if not callable(getattr(cls, name, None))]
        if missing:  # caught when the module is imported, not when a user first edits the field
            raise TypeError(f"{cls.__name__} must define {' and '.join(missing)}")

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

    def commit(self) -> None:
        """Hand what the user entered to the form (it saves it when it differs from the stored value)."""
        if not self._loading:
            self.edited.emit(self.current())

    def finish_waiting(self) -> None:
        """Save an edit that is waiting for something slow (see HpoEditor) now, even if that blocks:
        called before the dossier closes. Most editors never wait."""

    def focus_widget(self) -> QWidget:
        return self

    def show_problem(self, message: str) -> bool:
        """Show what is wrong with the input in the editor itself (an editor that checks as you type has
        a line for it); False: the form shows it under the field's help."""
        return False

    def show_column(self, column_id: str, shown: bool) -> None:
        """Show or hide one column (a table's column whose condition changed); other editors have none."""

    def focus_part(self, part: str | None = None, row: int | None = None) -> None:
        """Put the cursor in the editor (a table puts it in the cell `row`, column `part`)."""
        self.focus_widget().setFocus(Qt.FocusReason.OtherFocusReason)

    def _name(self, widget: W, suffix: str = "") -> W:
        widget.setAccessibleName(self.field.label + suffix)
        widget.setAccessibleDescription(self.field.help)
        widget.setToolTip(self.field.help)
        return widget


def widget_shortcut(keys: QKeySequence | QKeySequence.StandardKey | str, widget: QWidget,
                    action: Callable[[], Any]) -> QShortcut:
    """A shortcut that works while `widget` has the focus."""
    shortcut = QShortcut(QKeySequence(keys), widget)
    shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
    shortcut.activated.connect(action)
    return shortcut


def single(owner: QWidget, widget: QWidget) -> QHBoxLayout:
    layout = QHBoxLayout(owner)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(widget)
    return layout


class PlainText(QPlainTextEdit):
    """Multi-line text whose edit is finished when the cursor leaves it (Tab moves on, as in a form)."""

    finished = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setTabChangesFocus(True)

    def focusOutEvent(self, event):
        super().focusOutEvent(event)
        if event.reason() != Qt.PopupFocusReason:  # a context menu is not the end of the edit
            self.finished.emit()
