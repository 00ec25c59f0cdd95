"""Guards against a Qt binding that leaks references to Python singletons (PySide6 6.12.0 on
Python 3.11 did: each emit() from Python dropped a reference to True/False and each
processEvents() one to None, so the app crashed after a few hundred edits)."""

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication


class Emitter(QObject):
    fired = Signal(object)


def test_emit_and_process_events_keep_singleton_refcounts(qapp):
    emitter = Emitter()
    emitter.fired.connect(lambda value: None)
    before = sys.getrefcount(True), sys.getrefcount(False), sys.getrefcount(None)
    for _ in range(300):
        emitter.fired.emit("x")
        QApplication.processEvents()
    after = sys.getrefcount(True), sys.getrefcount(False), sys.getrefcount(None)
    assert all(abs(a - b) < 50 for a, b in zip(after, before, strict=True)), (before, after)
