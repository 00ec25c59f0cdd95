"""The render cache: each document's files kept as <folder>/<key>.<format>, where the key
(document_key) changes only when that document's inputs change, so a render after a one-field edit
renders only the documents that field feeds. It also remembers how long each document took to render
here, which tells the engine whether worker processes pay.

The build keeps its cache beside the sequences (APPDIR/.cache); `dossier render` keeps one in the
user's cache folder. Never inside the dossier: rendered files are derived data, cheap to remake and
tied to the renderer's version; in the dossier they would bloat the file, its backups and exports,
and every render would need a write transaction on the file the user is editing.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
import uuid
from collections.abc import Mapping
from pathlib import Path

from ..paths import user_cache_root
from ..tempdirs import remove_stale, temp_dir

KEEP_DAYS = 30  # unused entries older than this are removed


def user_cache_dir() -> Path:
    """The render cache of `dossier render`: in $DOSSIER_CACHE_DIR, else in the user's cache folder."""
    return user_cache_root() / "render"


def _safe_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]{8,128}", key) else hashlib.sha256(key.encode()).hexdigest()


class RenderCache:
    """One cache folder.

    >>> cache = RenderCache(Path("APPDIR/.cache"))
    >>> cache.missing(key, ("docx", "pdf"))       # the formats not yet in the cache
    """

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def path(self, key: str, fmt: str) -> Path:
        return self.folder / f"{_safe_key(key)}.{fmt}"

    def missing(self, key: str, formats: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(fmt for fmt in formats if not self.path(key, fmt).is_file())

    def work_folder(self) -> Path:
        """A new folder to render into before files are stored; a killed run's are removed here."""
        self.folder.mkdir(parents=True, exist_ok=True)
        remove_stale(self.folder, "rendering")
        return temp_dir(self.folder, "", "rendering")

    def store(self, key: str, files: Mapping[str, str | Path]) -> None:
        for fmt, path in files.items():
            os.replace(path, self.path(key, fmt))

    def times(self) -> dict[str, float]:
        """Seconds each document took to render here (document id → seconds)."""
        try:
            times = json.loads((self.folder / "render-times.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return times if isinstance(times, dict) else {}

    def save_times(self, times: dict[str, float]) -> None:
        temp = self.folder / f".render-times.{uuid.uuid4().hex[:8]}"
        try:
            temp.write_text(json.dumps({k: round(v, 4) for k, v in times.items()}), encoding="utf-8")
            os.replace(temp, self.folder / "render-times.json")
        except OSError:
            temp.unlink(missing_ok=True)

    def keep(self, keys: list[str], formats: tuple[str, ...]) -> None:
        """Mark these entries used now, and remove entries unused for KEEP_DAYS."""
        now = time.time()
        used = {self.path(key, fmt).name for key in keys for fmt in formats}
        for name in used:
            try:
                os.utime(self.folder / name, (now, now))
            except OSError:
                pass
        for path in self.folder.glob("*.*"):
            if path.suffix in (".pdf", ".docx") and path.name not in used:
                try:
                    if now - path.stat().st_mtime > KEEP_DAYS * 86400:
                        path.unlink()
                except OSError:
                    pass
