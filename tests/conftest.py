"""Every test runs offscreen as user 'tester' with a render cache of its own; the shared fixtures
(content models, the demo dossier, the eCTD standards and stand-in renderer, the in-process command
line) live in tests/helpers/ and are loaded here."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("DOSSIER_USER", "tester")

pytest_plugins = ["tests.helpers.models", "tests.helpers.demo", "tests.helpers.ectd", "tests.helpers.cli",
                  "tests.helpers.storefiles"]


@pytest.fixture(autouse=True)
def render_cache_dir(tmp_path_factory, monkeypatch):
    """`dossier render` keeps its render cache in the user's cache folder; each test has its own."""
    folder = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("DOSSIER_CACHE_DIR", str(folder))
    return folder / "render"
