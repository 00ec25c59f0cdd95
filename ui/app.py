"""The desktop application: `dossier-builder [FILE]`.

`open_main_window(path)` returns the main window, shown, on a dossier file (or the start page)
without starting an event loop: the command uses it, and so can tests and tools.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QApplication

from dossier import __version__

from . import crash
from .main_window import MainWindow

DEFAULT_SIZE = (1280, 800)


def application() -> QApplication:
    running = QApplication.instance()
    app = running if isinstance(running, QApplication) else QApplication(sys.argv[:1])
    QCoreApplication.setOrganizationName("Dossier Builder")
    QCoreApplication.setApplicationName("Dossier Builder")
    QCoreApplication.setApplicationVersion(__version__)
    return app


def open_main_window(path: str | Path | None = None) -> MainWindow:
    """The main window, shown, on `path` (or the start page); no event loop is started."""
    application()
    window = MainWindow()
    crash.install(window)
    geometry = QSettings().value("window/geometry")
    if not (geometry and window.restoreGeometry(geometry)):
        screen = window.screen().availableGeometry()
        window.resize(min(DEFAULT_SIZE[0], int(screen.width() * 0.95)),
                      min(DEFAULT_SIZE[1], int(screen.height() * 0.9)))
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
    if args and args[0] == "--version":
        print(f"dossier-builder {__version__}")
        return 0
    app = application()
    window = open_main_window(args[0] if args else None)
    window.raise_()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
