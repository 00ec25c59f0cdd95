"""The desktop application: `dossier-builder [FILE]`.

`open_main_window(path)` returns the main window on a dossier without starting an event loop, so
tests and tools open one the same way the command does.
"""

from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QStandardPaths
from PySide6.QtWidgets import QApplication, QMessageBox

from dossier import __version__

from .main_window import MainWindow

log = logging.getLogger("dossier_builder")


def application() -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
    QCoreApplication.setOrganizationName("Dossier Builder")
    QCoreApplication.setApplicationName("Dossier Builder")
    QCoreApplication.setApplicationVersion(__version__)
    return app


def log_file() -> Path:
    folder = Path(QStandardPaths.writableLocation(QStandardPaths.AppLocalDataLocation) or Path.home() / ".dossier-builder")
    folder.mkdir(parents=True, exist_ok=True)
    return folder / "dossier-builder.log"


def install_crash_handler(window: MainWindow) -> None:
    """An unexpected exception is logged to a file and shown with its details; the app keeps running."""
    if not log.handlers:
        handler = logging.FileHandler(log_file(), encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)

    def handle(kind, value, tb):
        details = "".join(traceback.format_exception(kind, value, tb))
        log.error("unexpected error\n%s", details)
        box = QMessageBox(QMessageBox.Critical, "Something went wrong",
                          f"{value}\n\nYour dossier is safe: every edit is saved as it is made. "
                          f"The details were written to {log_file()}.", parent=window)
        box.setDetailedText(details)
        box.exec()

    sys.excepthook = handle


def open_main_window(path: str | Path | None = None) -> MainWindow:
    """The main window, shown, on `path` (or the start page); no event loop is started."""
    application()
    window = MainWindow()
    install_crash_handler(window)
    screen = window.screen().availableGeometry()
    window.resize(min(1280, int(screen.width() * 0.9)), min(800, int(screen.height() * 0.9)))
    if path is not None:
        window.open_dossier(path)
    window.show()
    return window


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ("-h", "--help"):
        print("usage: dossier-builder [FILE]\n       dossier-builder --self-test [--standards PATH]\n\n"
              "Open the Dossier Builder desktop application, on FILE if given. --self-test checks the\n"
              "installation without a window: it makes, checks, builds and validates the demo dossier.")
        return 0
    if args and args[0] == "--self-test":
        from dossier.selftest import run

        standards = args[args.index("--standards") + 1] if "--standards" in args[:-1] else None
        return 0 if run(standards=standards) else 1
    app = application()
    window = open_main_window(args[0] if args else None)
    window.raise_()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
