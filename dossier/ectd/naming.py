"""eCTD naming rules: lower-case segments of letters, digits and hyphens with one extension;
file names of at most 64 characters; whole paths of at most 150 characters (FDA)."""

from __future__ import annotations

import hashlib
import re

from ..errors import DossierError

SEGMENT = re.compile(r"^[a-z0-9][a-z0-9-]*(\.[a-z0-9]+)?$")
MAX_FILE_NAME = 64
MAX_PATH = 150


def valid_segment(name: str) -> bool:
    return bool(SEGMENT.match(name))


def file_name(wanted: str, max_length: int = MAX_FILE_NAME) -> str:
    """A valid eCTD file name derived from any name, keeping its extension.

    >>> file_name("Study Report_final(2).PDF")
    'study-report-final-2.pdf'
    """
    stem, dot, ext = wanted.rpartition(".")
    if not dot:
        stem, ext = ext, ""
    ext = re.sub(r"[^a-z0-9]", "", ext.lower())
    stem = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-") or "document"
    room = max_length - (len(ext) + 1 if ext else 0)
    if len(stem) > room:
        stem = _shorten(stem, room)
    return f"{stem}.{ext}" if ext else stem


def _shorten(stem: str, room: int) -> str:
    """Cut `stem` to `room` characters with a hash of the whole, so two long names never collide."""
    tag = hashlib.sha1(stem.encode()).hexdigest()[:6]
    return f"{stem[: room - len(tag) - 1].rstrip('-')}-{tag}"


def fit_path(folder: str, name: str, max_length: int = MAX_PATH) -> str:
    """`folder/name` within the path limit: the file name is shortened (never the mandated folders).
    A folder too long to leave room for a name (a very long study name makes one) is refused."""
    path = f"{folder}/{name}" if folder else name
    if len(path) <= max_length:
        return path
    room = max_length - len(folder) - 1
    if room < 12:
        raise DossierError(f"the eCTD folder {folder} is {len(folder)} characters long and leaves no room for a file "
                           f"name within FDA's {max_length}-character path limit; shorten the study name or "
                           "keyed value that makes its last folders")
    return f"{folder}/{_fit_name(name, room)}"


def _fit_name(name: str, room: int) -> str:
    stem, dot, ext = name.rpartition(".")
    if not dot:
        return _shorten(name, room)
    return f"{_shorten(stem, room - len(ext) - 1)}.{ext}"
