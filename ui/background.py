"""Run long work off the GUI thread, with progress and cancel: the one helper that building,
importing large attachments and loading the ontology all use (in the manner of Anki's CollectionOp).

    task = run_in_background(lambda report, cancel: slow_job(report, cancel),
                             on_done=show_result, on_error=show_error, progress=update_bar)
    task.cancel()

`work(report, cancel)` runs on a QThreadPool thread: `report(fraction, message)` sends progress and
`cancel` is a threading.Event the work polls. Every callback runs on the GUI thread.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

Work = Callable[[Callable[[float, str], None], threading.Event], Any]


class Task(QObject):
    """One piece of background work. It lives on the GUI thread, so the worker's signals reach its
    slots (and so the callbacks) there, queued."""

    progressed = Signal(float, str)
    succeeded = Signal(object)
    failed = Signal(object, str)  # the exception, its formatted traceback

    _progress_from_worker = Signal(float, str)
    _done_from_worker = Signal(object)
    _error_from_worker = Signal(object, str)

    def __init__(self, on_done=None, on_error=None, progress=None):
        super().__init__()
        self.cancel_event = threading.Event()
        self.finished = False
        self._on_done, self._on_error, self._on_progress = on_done, on_error, progress
        self._progress_from_worker.connect(self._relay_progress)
        self._done_from_worker.connect(self._relay_done)
        self._error_from_worker.connect(self._relay_error)

    def cancel(self) -> None:
        self.cancel_event.set()

    @Slot(float, str)
    def _relay_progress(self, fraction: float, message: str) -> None:
        if self.finished:
            return  # a late report queued behind the result
        if self._on_progress:
            self._on_progress(fraction, message)
        self.progressed.emit(fraction, message)

    @Slot(object)
    def _relay_done(self, result: Any) -> None:
        self._finish()
        if self._on_done:
            self._on_done(result)
        self.succeeded.emit(result)

    @Slot(object, str)
    def _relay_error(self, error: BaseException, details: str) -> None:
        self._finish()
        if self._on_error:
            self._on_error(error, details)
        else:  # nobody asked: treat it as the unexpected error it is
            import sys

            sys.excepthook(type(error), error, error.__traceback__)
        self.failed.emit(error, details)

    def _finish(self) -> None:
        self.finished = True
        _running.discard(self)


class _Runner(QRunnable):
    def __init__(self, task: Task, work: Work):
        super().__init__()
        self.task, self.work = task, work

    def run(self) -> None:
        task = self.task
        try:
            def progress(fraction: float, message: str = "") -> None:
                task._progress_from_worker.emit(float(fraction), str(message))

            result = self.work(progress, task.cancel_event)
        except BaseException as exc:  # reported to the GUI thread, never lost in a worker
            task._error_from_worker.emit(exc, traceback.format_exc())
            return
        task._done_from_worker.emit(result)


_running: set[Task] = set()  # keeps each Task alive until its result has been delivered


def run_in_background(work: Work, on_done: Callable[[Any], None] | None = None,
                      on_error: Callable[[BaseException, str], None] | None = None,
                      progress: Callable[[float, str], None] | None = None) -> Task:
    """Start `work(report, cancel)` on the thread pool; the callbacks run on the GUI thread."""
    task = Task(on_done, on_error, progress)
    _running.add(task)
    QThreadPool.globalInstance().start(_Runner(task, work))
    return task


def busy_tasks() -> int:
    """How many background tasks have not yet delivered their result (tests wait for zero)."""
    return len(_running)
