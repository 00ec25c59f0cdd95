"""The one place that finds the bundled `templates/` and `resources/` folders, and the user's cache folder.

The bundled ones are Python packages of data, so `importlib.resources` finds them in a checkout, in
an installed wheel and inside a PyInstaller bundle alike.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path


def _package_dir(name: str) -> Path:
    root = resources.files(name)
    return Path(str(root))


def resources_dir() -> Path:
    return _package_dir("resources")


def templates_dir() -> Path:
    return _package_dir("templates")


def content_model_path() -> Path:
    return resources_dir() / "content_model.yaml"


def demo_dir() -> Path:
    return resources_dir() / "demo"


def user_cache_root() -> Path:
    """The folder of every cache (parsed content model, rendered documents, compiled templates):
    $DOSSIER_CACHE_DIR, else the user's cache folder. Each cache keeps a subfolder of its own."""
    override = os.environ.get("DOSSIER_CACHE_DIR")
    if override:
        return Path(override)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("Dossier Builder", "Dossier Builder"))
