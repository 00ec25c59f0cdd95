"""run_in_background: work off the GUI thread, callbacks on it, progress, errors, cancel."""

import threading

from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication

from ui.background import busy_tasks, run_in_background


def test_work_runs_off_the_gui_thread_and_callbacks_on_it(qtbot):
    seen = {}

    def work(report, cancel):
        seen["worker"] = threading.current_thread() is threading.main_thread()
        for i in range(1, 4):
            report(i / 3, f"step {i}")
        return 42

    progress, results = [], []

    def on_progress(fraction, message):
        progress.append((fraction, message, QThread.currentThread() is QApplication.instance().thread()))

    run_in_background(work, on_done=lambda r: results.append(
        (r, QThread.currentThread() is QApplication.instance().thread())), progress=on_progress)
    qtbot.waitUntil(lambda: bool(results), timeout=5000)
    assert seen["worker"] is False
    assert results == [(42, True)]
    assert [p[:2] for p in progress] == [(1 / 3, "step 1"), (2 / 3, "step 2"), (1.0, "step 3")]
    assert all(on_gui for *_, on_gui in progress)
    qtbot.waitUntil(lambda: busy_tasks() == 0, timeout=2000)


def test_errors_and_cancel_reach_the_gui_thread(qtbot):
    errors = []

    def work(report, cancel):
        assert cancel.wait(5), "never cancelled"
        raise ValueError("stopped as asked")

    task = run_in_background(work, on_error=lambda exc, details: errors.append((exc, details)))
    with qtbot.waitSignal(task.failed, timeout=5000):
        task.cancel()
    assert isinstance(errors[0][0], ValueError) and "stopped as asked" in errors[0][1]
