"""Run long work off the GUI thread, with progress and cancel (the one helper build, large
attachments and ontology loading all use, in the manner of Anki's CollectionOp)."""

from __future__ import annotations

import threading
import traceback
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class Task(QObject):
    """A piece of background work; its signals arrive on the GUI thread."""

    progress = Signal(float, str)
    done = Signal(object)
    failed = Signal(object, str)  # the exception, its traceback

    def __init__(self):
        super().__init__()
        self.cancel_event = threading.Event()

    def cancel(self) -> None:
        self.cancel_event.set()


class _Runner(QRunnable):
    def __init__(self, task: Task, work: Callable[[Callable[[float, str], None], threading.Event], Any]):
        super().__init__()
        self.task, self.work = task, work

    def run(self) -> None:
        try:
            result = self.work(lambda fraction, message="": self.task.progress.emit(float(fraction), message),
                               self.task.cancel_event)
        except BaseException as exc:  # reported to the GUI thread, never lost in a worker
            self.task.failed.emit(exc, traceback.format_exc())
            return
        self.task.done.emit(result)


_running: set[Task] = set()


def run_in_background(work: Callable[[Callable[[float, str], None], threading.Event], Any],
                      on_done: Callable[[Any], None] | None = None,
                      on_error: Callable[[BaseException, str], None] | None = None,
                      on_progress: Callable[[float, str], None] | None = None) -> Task:
    """Run `work(progress, cancel_event)` on the thread pool; callbacks run on the GUI thread.

    >>> task = run_in_background(lambda progress, cancel: slow_job(), on_done=show)
    >>> task.cancel()
    """
    task = Task()
    _running.add(task)
    if on_progress:
        task.progress.connect(on_progress)
    if on_done:
        task.done.connect(on_done)
    if on_error:
        task.failed.connect(on_error)
    task.done.connect(lambda _: _running.discard(task))
    task.failed.connect(lambda *_: _running.discard(task))
    QThreadPool.globalInstance().start(_Runner(task, work))
    return task
