"""The files release 1 made (tests/fixtures/release-1, never rewritten) and what they hold, read straight
from SQLite so that a test compares against what release 1 stored, not against what this release reads."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import yaml

from dossier.model import ContentModel
from dossier.model_reader import parse_model
from dossier.paths import content_model_path

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "release-1"
DOSSIER = FIXTURE / "demo.dossier"
TEXT_FORM = FIXTURE / "text-form"


@dataclass(frozen=True)
class Contents:
    """Everything a dossier file holds, as stored (JSON texts as SQLite returns them)."""
    values: dict[str, str]
    audit: list[tuple]
    attachments: dict[str, str]  # name → SHA-256 recorded
    blobs: dict[str, str]        # name → SHA-256 of the stored bytes
    sequences: list[tuple]
    settings: dict[str, str]
    meta: dict[str, str]


def contents(path: Path) -> Contents:
    """Read a dossier file as SQLite sees it (with what its WAL holds), writing nothing into it; the
    fixture itself is read immutable, so not even a -shm file appears beside it."""
    pristine = path.resolve().is_relative_to(FIXTURE)
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro{'&immutable=1' if pristine else ''}", uri=True)
    try:
        blobs: dict[str, hashlib._Hash] = {}
        for name, data in conn.execute("SELECT name, data FROM attachment_chunks ORDER BY name, n"):
            blobs.setdefault(name, hashlib.sha256()).update(data)
        return Contents(
            values=dict(conn.execute("SELECT path, value FROM field_values")),
            audit=conn.execute("SELECT id, at, who, field, old, new FROM audit ORDER BY id").fetchall(),
            attachments=dict(conn.execute("SELECT name, sha256 FROM attachments")),
            blobs={name: h.hexdigest() for name, h in blobs.items()},
            sequences=conn.execute("SELECT * FROM submitted_sequences ORDER BY number").fetchall(),
            settings=dict(conn.execute("SELECT key, value FROM settings")),
            meta=dict(conn.execute("SELECT key, value FROM meta")))
    finally:
        conn.close()


def copy_of_release1(tmp_path: Path, name: str = "demo.dossier") -> Path:
    """A copy to open: opening may upgrade in place, and the fixture stays as release 1 wrote it."""
    target = tmp_path / name
    shutil.copyfile(DOSSIER, target)
    return target


def shipped_model_with(change, name: str = "upgrading.yaml") -> ContentModel:
    """The shipped content model with `change(raw)` applied to its parsed YAML."""
    raw = yaml.safe_load(content_model_path().read_text(encoding="utf-8"))
    change(raw)
    return parse_model(raw, Path(name))


def section(raw: dict, path: str) -> dict:
    area_id, _, section_id = path.partition(".")
    area = next(a for a in raw["areas"] if a["id"] == area_id)
    return next(s for s in area["sections"] if s["id"] == section_id)
