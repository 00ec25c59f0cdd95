"""A cache of parsed content model files, so that a command does not parse YAML on every start.

Parsing the bundled model takes most of a short command's time, while reading its parsed form
back as JSON takes under a millisecond. Entries are keyed by the SHA-256 of the file's bytes, so
an edited model is never served stale; they live in the user's cache folder (or
$DOSSIER_CACHE_DIR), are written atomically, and any trouble with the cache (unwritable folder,
damaged entry) falls back silently to parsing: the cache can only make loading faster.

The bundled model also ships parsed (resources/_parsed, written by the wheel's and the bundle's builds
through `ship_model`), so even a first command after installing parses no YAML; it is found by the
same key, so an edited model is never served a stale parse either.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .errors import ModelError
from .paths import content_model_path, resources_dir, user_cache_root

CACHE_FORMAT = b"1"  # change when the entry format changes, so old entries are not read
KEEP = 8  # entries kept: a few model versions side by side (tests, a second installation)
SHIPPED = "_parsed"  # in resources/: the bundled model, parsed when the program was built


def cache_dir() -> Path:
    """The content model cache: in $DOSSIER_CACHE_DIR, else in the user's cache folder."""
    return user_cache_root() / "content-model"


def cached_parse(data: bytes, parse: Callable[[bytes], Any], folder: Path | None = None) -> Any:
    """`parse(data)`, or the result of an earlier parse of the same bytes (kept in `folder`, by
    default the content model cache's)."""
    name = _entry_name(data)
    entry = (folder or cache_dir()) / name
    try:
        return json.loads(entry.read_bytes())
    except (OSError, ValueError):
        pass
    if folder is None:  # the content model cache: the bundled model may have shipped parsed
        try:
            text = (resources_dir() / SHIPPED / name).read_text(encoding="utf-8")
            parsed = json.loads(text)
        except (OSError, ValueError):
            pass
        else:
            _write(entry, text)
            return parsed
    parsed = parse(data)
    _store(entry, parsed)
    return parsed


def _entry_name(data: bytes) -> str:
    return hashlib.sha256(CACHE_FORMAT + b"\0" + data).hexdigest() + ".json"


def parse_yaml(data: bytes, source: Path) -> Any:
    """A content model file's YAML, or a ModelError saying where it is not YAML."""
    import yaml  # only when no cache has an entry for this file

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ModelError(f"{source}: byte {exc.start}: the content model must be UTF-8 text") from None
    try:
        # libyaml's loader, where PyYAML was built with it, parses ~7x faster than the pure-Python one
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        place = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "YAML"
        raise ModelError(f"{source}: {place}: {getattr(exc, 'problem', None) or exc}") from None


def ship_model(resources: Path, target: Path | None = None) -> Path | None:
    """Write the parse of `resources`' content model where cached_parse finds it shipped
    (resources/_parsed by default); a build's step. Returns the entry (None when JSON cannot hold it)."""
    model = resources / content_model_path().name
    data = model.read_bytes()
    target = target or resources / SHIPPED
    shutil.rmtree(target, ignore_errors=True)
    text = _json(parse_yaml(data, model))
    if text is None:
        return None
    target.mkdir(parents=True)
    (target / _entry_name(data)).write_text(text, encoding="utf-8")
    return target / _entry_name(data)


def _json(parsed: Any) -> str | None:
    try:
        text = json.dumps(parsed, ensure_ascii=False)
    except (TypeError, ValueError):
        return None  # dates, sets: JSON cannot hold them, so such a file is parsed each time
    return text if json.loads(text) == parsed else None  # non-text keys would come back as text


def _store(entry: Path, parsed: Any) -> None:
    text = _json(parsed)
    if text is not None:
        _write(entry, text)


def _write(entry: Path, text: str) -> None:
    import tempfile

    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=entry.parent, prefix=".writing-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(temp, entry)  # readers see the whole entry or none
        finally:
            if os.path.exists(temp):
                os.unlink(temp)
        _prune(entry.parent)
    except OSError:
        pass  # a read-only or full disk costs speed, never a command


def _prune(folder: Path) -> None:
    entries = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[KEEP:]:
        old.unlink(missing_ok=True)
