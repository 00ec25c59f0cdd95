"""Errors: `show_exception` is the one way an operation that failed is reported. The user's own
problems (DossierError) show their message; unexpected errors are logged with their traceback to a
file in the user's log folder and shown in a dialog with the details, and the application keeps
running (every edit is already saved)."""

from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QMessageBox

log = logging.getLogger("dossier_builder")


def log_folder() -> Path:
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppLocalDataLocation)
    return Path(location or Path.home() / ".dossier-builder") / "logs"


def log_file() -> Path:
    return log_folder() / "dossier-builder.log"


def start_logging() -> None:
    """Log to a rotating file (started on the first error: logging.handlers is slow to import)."""
    from logging.handlers import RotatingFileHandler

    if any(isinstance(h, RotatingFileHandler) for h in log.handlers):
        return
    log_folder().mkdir(parents=True, exist_ok=True)
    handler = RotatingFileHandler(log_file(), maxBytes=1_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)


class CrashHandler:
    """Installed as sys.excepthook. Qt calls it for an exception escaping a slot or an event handler."""

    def __init__(self, parent_window=None):
        self.parent_window = parent_window
        self.showing = False

    def __call__(self, kind, value, tb) -> None:
        details = "".join(traceback.format_exception(kind, value, tb))
        start_logging()
        log.error("unexpected error\n%s", details)
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, value, tb)
            return
        if self.showing:  # an error while the dialog is up (e.g. in a repaint): logged, not stacked
            return
        self.showing = True
        try:
            box = QMessageBox(QMessageBox.Icon.Critical, "Something went wrong",
                              f"{value or kind.__name__}\n\nYour dossier is safe: every edit was saved as it was "
                              f"made. You can keep working. The details were written to {log_file()}.",
                              parent=self.parent_window)
            box.setDetailedText(details)
            box.exec()
        finally:
            self.showing = False


def install(parent_window=None) -> CrashHandler:
    handler = CrashHandler(parent_window)
    sys.excepthook = handler
    return handler


def show_exception(parent, title: str, error: BaseException, kind: str = "critical") -> None:
    """The one way the app reports an operation that failed: a DossierError (or the system refusing a
    file) as its message, which says what to do, in a `kind` ("critical" or "warning") message box;
    anything else as the unexpected error it is (logged, with its details)."""
    from dossier.errors import DossierError

    if isinstance(error, (DossierError, OSError)):
        getattr(QMessageBox, kind)(parent, title, str(error))
    else:
        sys.excepthook(type(error), error, error.__traceback__)
