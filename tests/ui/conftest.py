"""UI tests run offscreen with settings and logs in a temporary home."""

import os
import tempfile

_home = tempfile.mkdtemp(prefix="dossier-ui-home-")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["XDG_CONFIG_HOME"] = os.path.join(_home, "config")
os.environ["XDG_DATA_HOME"] = os.path.join(_home, "data")
os.environ["XDG_DOCUMENTS_DIR"] = os.path.join(_home, "documents")

import pytest  # noqa: E402

from dossier.paths import demo_dir  # noqa: E402
from dossier.textform import import_dossier  # noqa: E402


@pytest.fixture
def window(qtbot):
    from ui.app import open_main_window

    w = open_main_window()
    w.interactive = False
    qtbot.addWidget(w)
    yield w
    w.close_dossier()


@pytest.fixture
def demo_file(tmp_path):
    path = tmp_path / "demo.dossier"
    import_dossier(demo_dir(), path)
    return path
