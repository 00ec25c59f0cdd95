"""The demo dossier (resources/demo) as tests use it: its render input read straight from the text
form, one dossier file imported once per session for tests that only read it, and a fresh copy of
that file for each test that writes."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from dossier.fieldpath import FieldPath
from dossier.model import default_model
from dossier.paths import demo_dir
from dossier.render import RenderInput
from dossier.textform import import_dossier, read_values


def demo_render_input() -> RenderInput:
    """The demo dossier's values read straight from its text form (no dossier file needed)."""
    src = demo_dir()
    title = json.loads((src / "dossier.json").read_text(encoding="utf-8"))["title"]
    attachments = json.loads((src / "attachments" / "attachments.json").read_text(encoding="utf-8"))
    return RenderInput(title, read_values(src, default_model()), tuple(attachments))


@pytest.fixture(scope="session")
def demo_input() -> RenderInput:
    """Shared by every test: change values in a copy (with_values)."""
    return demo_render_input()


def with_values(inp: RenderInput, **changes) -> RenderInput:
    """A copy of `inp` with values changed, fields named with __ for . (clinical__design__objectives); a
    field of a repeated section named without an instance is the demo's first instance's (its one arm)."""
    return RenderInput(inp.title, {**inp.values, **{_first(k.replace("__", ".")): v for k, v in changes.items()}},
                       inp.attachments)


def _first(path: str) -> str:
    where = FieldPath.match(path)
    if where is None or where.instance is not None or default_model().repeat_of(where.section_path) is None:
        return path
    return str(where.in_instance(0))


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="session")
def demo_master(tmp_path_factory) -> Path:
    """The demo imported once for the whole session. Tests only read it (Dossier.open(read_only=True),
    the reading commands); a test that writes takes `demo_file`. Checked unchanged at the end."""
    path = tmp_path_factory.mktemp("demo") / "demo.dossier"
    import_dossier(demo_dir(), path)
    before = _digest(path)
    yield path
    assert _digest(path) == before, "a test wrote the shared demo dossier; give it `demo_file` instead"


@pytest.fixture
def demo_file(tmp_path, demo_master) -> Path:
    """A copy of the demo dossier of this test's own, to change as it likes."""
    path = tmp_path / "demo.dossier"
    path.write_bytes(demo_master.read_bytes())
    return path
