"""The open dossier as the desktop app holds it (in the manner of Anki's operations): one object owns
the dossier, its undo stack, whether background work is writing to it, the readiness report and the
build, and says by signals what happened. Widgets never touch the dossier to change it; they ask the
session, and every screen listens to `changed` to redraw what an operation did.

    session = DossierSession()
    session.changed.connect(lambda change: form.set_value(change.field, change.value))
    session.open("case.dossier")
    session.edit("area.section.field", "CLN3")     # validated, saved, undoable
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QThreadPool, QTimer, Signal
from PySide6.QtGui import QUndoStack

from dossier.errors import DossierError, FieldError
from dossier.fieldpath import value_path
from dossier.model import ContentModel
from dossier.repeats import instance_key
from dossier.service import Dossier

from .background import run_in_background
from .build_runner import BuildRunner
from .editing import InstanceEdit, SetField

LARGE_ATTACHMENT = 4 * 1024 * 1024  # bytes; larger files are stored in the background


@dataclass(frozen=True)
class Change:
    """What one operation wrote: a field's new value, and whether its editor must be redrawn and
    brought into view (undo, redo, an attachment) or already shows it (the user's own edit)."""

    field: str
    value: Any
    label: str
    shown: bool


class DossierSession(QObject):
    opened = Signal(object)              # Dossier
    closed = Signal()
    changed = Signal(object)             # Change: the one "an operation did execute" signal
    problem = Signal(str, str)           # field path (or cell), what is wrong with the input ("" clears it)
    busy_changed = Signal(str)           # what runs in the background on the dossier; "" when nothing does
    readiness_updated = Signal(object, object)  # Report, the filled values it was made from
    attached = Signal(str)               # the field or cell a file was attached to
    instances_changed = Signal(str, int)  # a repeat's instances were added, moved or removed; the one to show
    phi_cleared = Signal(str, str)       # a field holding PHI was emptied (path, label); its history still holds it
    build_progress = Signal(float, str)
    build_finished = Signal(object)      # BuildResult
    build_failed = Signal(object, str)   # the exception (Cancelled when the user stopped it), its traceback

    def __init__(self, parent=None):
        super().__init__(parent)
        self.dossier: Dossier | None = None
        self.report = None
        self.busy: str | None = None
        self.undo_stack = QUndoStack(self)
        self.builder = BuildRunner(self)
        self.builder.progress.connect(self.build_progress)
        self.builder.finished.connect(self._build_done)
        self.builder.failed.connect(self._build_failed)
        self.readiness_timer = QTimer(self, singleShot=True, interval=150)
        self.readiness_timer.timeout.connect(self.refresh_readiness)

    # Opening and closing ----------------------------------------------------------------------

    def open(self, path: str | Path, model: ContentModel | None = None) -> Dossier:
        """Open a dossier for editing (closing the one open); DossierError or OSError says why not."""
        dossier = Dossier.open(path, model=model)
        self.close()
        self.dossier = dossier
        self.opened.emit(dossier)
        self.refresh_readiness()
        return dossier

    def close(self) -> None:
        """Stop background work (waiting for it to end), close the file and forget the undo history."""
        if self.dossier is None:
            return
        if self.builder.running or self.busy:
            self.builder.cancel()
            QThreadPool.globalInstance().waitForDone(30000)
            QCoreApplication.processEvents()  # deliver the results before the dossier goes
        self.readiness_timer.stop()
        self.dossier.close()
        self.dossier, self.report, self.busy = None, None, None
        self.undo_stack.clear()
        self.closed.emit()

    # Edits ------------------------------------------------------------------------------------

    def edit(self, path: str, raw: Any) -> None:
        """Validate what the user entered and save it as an undoable edit, or say why not through
        `problem` (the user's text stays in the field to be corrected)."""
        if self.dossier is None or self.busy:
            return
        try:
            value = self.dossier.validate(path, raw)
        except FieldError as exc:
            self.problem.emit(path, exc.problem if exc.field.startswith(path) else str(exc))
            return
        self.problem.emit(path, "")
        old = self.dossier.get(path)
        if old != value:
            field = self.dossier.field(path)
            self.undo_stack.push(SetField(self, path, old, value, field.label))
            if value is None and field.phi:
                self.phi_cleared.emit(path, field.label)

    def purge_history(self, path: str) -> None:
        """Remove every earlier value of a protected-health-information field from the history and the
        file. Undo would bring a purged value back, so the undo history goes too."""
        dossier = self.current()
        dossier.clear(path, purge_history=True)
        self.undo_stack.clear()
        self.changed.emit(Change(path, None, dossier.field(path).label, True))
        self.readiness_timer.start()

    def write_value(self, path: str, value: Any, shown: bool) -> None:
        """Store a value (the undo commands call this) and tell every screen."""
        dossier = self.current()
        if value is None:
            dossier.clear(path)
        else:
            dossier.set(path, value)
        self.changed.emit(Change(path, value, dossier.field(path).label, shown))
        self.readiness_timer.start()

    def undo(self) -> None:
        if not self.busy:
            self.undo_stack.undo()

    def redo(self) -> None:
        if not self.busy:
            self.undo_stack.redo()

    def history(self, path: str):
        return self.current().history(path)

    def current(self) -> Dossier:
        """The open dossier, for what only happens while one is open (undo commands, history)."""
        if self.dossier is None:
            raise RuntimeError("no dossier is open")
        return self.dossier

    # Instances of repeated sections ------------------------------------------------------------
    # Each runs at once (a refusal raises DossierError before anything enters the undo history) and
    # is one undoable step; `instances_changed` tells the screens which instance to show.

    def add_instance(self, repeat_id: str, name: str) -> None:
        dossier = self._idle()
        i = dossier.add_instance(repeat_id, name)
        self._instance_step(repeat_id, f"adding {name}", i,
                            again=lambda: dossier.add_instance(repeat_id, name),
                            back=lambda: dossier.remove_instance(repeat_id, i), back_shows=i - 1)

    def rename_instance(self, repeat_id: str, i: int, name: str) -> None:
        dossier = self._idle()
        old = dossier.rename_instance(repeat_id, i, name)
        path = instance_key(dossier.model.repeats[repeat_id].name, i)
        self.undo_stack.push(SetField(self, path, old, dossier.get(path), dossier.field(path).label, stored=True))

    def move_instance(self, repeat_id: str, i: int, to: int) -> None:
        dossier = self._idle()
        dossier.move_instance(repeat_id, i, to)
        name = dossier.instances(repeat_id)[to]
        self._instance_step(repeat_id, f"move of {name}", to,
                            again=lambda: dossier.move_instance(repeat_id, i, to),
                            back=lambda: dossier.move_instance(repeat_id, to, i), back_shows=i)

    def remove_instance(self, repeat_id: str, i: int) -> None:
        dossier = self._idle()
        name = dossier.instances(repeat_id)[i]
        removed = dossier.remove_instance(repeat_id, i)
        self._instance_step(repeat_id, f"removal of {name}", max(i - 1, 0),
                            again=lambda: dossier.remove_instance(repeat_id, i),
                            back=lambda: dossier.restore_instance(repeat_id, i, removed), back_shows=i)

    def _instance_step(self, repeat_id: str, text: str, shows: int, again, back, back_shows: int) -> None:
        def run(operation, show: int) -> None:
            operation()
            self._instances_shown(repeat_id, show)

        self.undo_stack.push(InstanceEdit(text, lambda: run(again, shows), lambda: run(back, back_shows)))
        self._instances_shown(repeat_id, shows)

    def _instances_shown(self, repeat_id: str, show: int) -> None:
        self.instances_changed.emit(repeat_id, show)
        self.readiness_timer.start()

    def _idle(self) -> Dossier:
        """The open dossier, for an edit; refused while background work writes to it."""
        if self.busy:
            raise DossierError(f"wait until this ends: {self.busy}")
        return self.current()

    # Attachments ------------------------------------------------------------------------------

    def attach(self, target: str, files: list[Path]) -> None:
        """Store files in the dossier and refer to them from a field or a table cell, as one undoable
        edit; files over LARGE_ATTACHMENT bytes are stored in the background."""
        if self.dossier is None or self.busy or not files:
            return
        path = value_path(target)
        dossier, old = self.dossier, self.dossier.get(path)

        def store(report=None, cancel=None):
            for file in files:
                dossier.attach(target, file)
            return dossier.get(path)

        def done(new):
            self._set_busy(None)
            if new != old:
                self.undo_stack.push(SetField(self, path, old, new, dossier.field(path).label, stored=True))
            self.attached.emit(target)

        def failed(error, details):
            self._set_busy(None)
            if not isinstance(error, DossierError):
                raise error
            problem = error.problem if isinstance(error, FieldError) else str(error)
            self.problem.emit(path, f"{Path(files[0]).name}: {problem}")
            if dossier.get(path) != old:  # some files of several went in before the failure
                done(dossier.get(path))

        if sum(Path(f).stat().st_size for f in files if Path(f).is_file()) < LARGE_ATTACHMENT:
            try:
                done(store())
            except Exception as exc:
                failed(exc, "")
            return
        self._set_busy(f"Storing {Path(files[0]).name}…")
        run_in_background(store, on_done=done, on_error=failed)

    def _set_busy(self, message: str | None) -> None:
        """While background work writes to the dossier, edits wait (the screens show it read-only)."""
        self.busy = message
        self.busy_changed.emit(message or "")
        if not message:
            self.readiness_timer.start()

    # Readiness --------------------------------------------------------------------------------

    def refresh_readiness(self) -> None:
        """Run the readiness checks (well under a millisecond on the demo)."""
        if self.dossier is None or self.busy:
            return
        values = self.dossier.values()
        self.report = self.dossier.check()
        self.readiness_updated.emit(self.report, values)

    # Build ------------------------------------------------------------------------------------

    def start_build(self, app_dir: Path, draft: bool, mark_submitted: bool = False) -> bool:
        """Build the next sequence off the GUI thread; edits wait until it ends."""
        if self.dossier is None or self.builder.running or self.busy:
            return False
        self._set_busy("Building the draft…" if draft else "Building the sequence…")
        self.builder.start(self.dossier, app_dir, draft, mark_submitted)
        return True

    def cancel_build(self) -> bool:
        if not self.builder.running:
            return False
        self.builder.cancel()
        return True

    def _build_done(self, result) -> None:
        self._set_busy(None)
        self.build_finished.emit(result)

    def _build_failed(self, error: BaseException, details: str) -> None:
        self._set_busy(None)
        self.build_failed.emit(error, details)
