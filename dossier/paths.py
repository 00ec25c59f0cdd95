"""The one place that finds the bundled `templates/` and `resources/` folders.

They are Python packages of data, so `importlib.resources` finds them in a checkout, in an
installed wheel and inside a PyInstaller bundle alike.
"""

from __future__ import annotations

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
