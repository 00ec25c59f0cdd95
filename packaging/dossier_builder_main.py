"""Entry point of the bundled desktop application (PyInstaller needs a script)."""
import sys

from ui.app import main

sys.exit(main())
