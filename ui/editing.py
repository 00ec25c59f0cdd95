"""Edits as undo commands. Every edit is saved as it is made (one transaction and one audit entry in
the core); undoing writes the old value back, itself a saved and audited edit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtGui import QUndoCommand


class Writer(Protocol):
    def write_value(self, path: str, value: Any, shown: bool) -> None: ...


class SetField(QUndoCommand):
    """One field changed from `old` to `new`.

    The first redo is the edit itself: the editor already shows what the user entered, so it is not
    redrawn. Later redos and undos redraw it and bring its section into view. With `stored=True` the
    value is already in the dossier (an attachment stored with its reference) and the first redo
    writes nothing.
    """

    def __init__(self, writer: Writer, path: str, old: Any, new: Any, label: str, stored: bool = False):
        super().__init__(f"attachment to {label}" if stored else f"edit of {label}")
        self.writer, self.path, self.old, self.new = writer, path, old, new
        self._first, self._stored = True, stored

    def redo(self) -> None:
        first, self._first = self._first, False
        # Writing a value already stored changes nothing (no audit entry); it only redraws.
        self.writer.write_value(self.path, self.new, shown=not first or self._stored)

    def undo(self) -> None:
        self.writer.write_value(self.path, self.old, shown=True)


class InstanceEdit(QUndoCommand):
    """An instance of a repeated section added, moved or removed. The operation has already run when the
    command is pushed (so a refusal is told before anything enters the undo history); the first redo
    does nothing, later ones run `again`, undo runs `back`."""

    def __init__(self, text: str, again: Callable[[], None], back: Callable[[], None]):
        super().__init__(text)
        self.again, self.back = again, back
        self._first = True

    def redo(self) -> None:
        first, self._first = self._first, False
        if not first:
            self.again()

    def undo(self) -> None:
        self.back()
