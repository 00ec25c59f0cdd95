"""Entry point of the bundled `dossier` command (PyInstaller needs a script)."""
import sys

from dossier.cli import main

sys.exit(main())
