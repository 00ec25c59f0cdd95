"""Dossier Builder core: the content model, the dossier file, readiness, documents and eCTD output.

This package never imports Qt; the desktop app in `ui/` and the `dossier` command are two thin
faces over it.
"""

__version__ = "0.1.0"
