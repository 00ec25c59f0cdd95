"""A cache of parsed content model files, so that a command does not parse YAML on every start.

Parsing the bundled model takes most of a short command's time, while reading its parsed form
back as JSON takes under a millisecond. Entries are keyed by the SHA-256 of the file's bytes, so
an edited model is never served stale; they live in the user's cache folder (or
$DOSSIER_CACHE_DIR), are written atomically, and any trouble with the cache (unwritable folder,
damaged entry) falls back silently to parsing: the cache can only make loading faster.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .paths import user_cache_root

CACHE_FORMAT = b"1"  # change when the entry format changes, so old entries are not read
KEEP = 8  # entries kept: a few model versions side by side (tests, a second installation)


def cache_dir() -> Path:
    """The content model cache: in $DOSSIER_CACHE_DIR, else in the user's cache folder."""
    return user_cache_root() / "content-model"


def cached_parse(data: bytes, parse: Callable[[bytes], Any], folder: Path | None = None) -> Any:
    """`parse(data)`, or the result of an earlier parse of the same bytes (kept in `folder`, by
    default the content model cache's)."""
    key = hashlib.sha256(CACHE_FORMAT + b"\0" + data).hexdigest()
    entry = (folder or cache_dir()) / f"{key}.json"
    try:
        return json.loads(entry.read_bytes())
    except (OSError, ValueError):
        pass
    parsed = parse(data)
    _store(entry, parsed)
    return parsed


def _store(entry: Path, parsed: Any) -> None:
    try:
        text = json.dumps(parsed, ensure_ascii=False)
    except (TypeError, ValueError):
        return  # dates, sets: JSON cannot hold them, so such a file is parsed each time
    if json.loads(text) != parsed:
        return  # non-text keys would come back as text
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
