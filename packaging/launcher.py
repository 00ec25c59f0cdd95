"""Entry point of both bundled programs (PyInstaller needs a script): the name it is started under
picks the program. `dossier` is the command line; anything else (`dossier-builder`) is the desktop
app. One script means one analysis and one archive of Python code, so on Linux and macOS `dossier`
can be a link to `dossier-builder` rather than a second 8 MB copy of the same code (build_app.spec).
"""
import os
import sys


def _is_command_line() -> bool:
    name = os.path.basename(sys.argv[0] if sys.argv and sys.argv[0] else sys.executable)
    return os.path.splitext(name)[0].lower() == "dossier"


if _is_command_line():
    from dossier.cli import main  # the command line never imports Qt (fast start, #13)
else:
    from ui.app import main

sys.exit(main())
