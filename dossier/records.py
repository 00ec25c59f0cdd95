"""The records a dossier file holds, as the store hands them out (an audit entry, an attachment, a
submitted sequence), and how a value is written as JSON text and read back (a damaged one named)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import DamagedFileError


@dataclass(frozen=True)
class AuditEntry:
    at: str
    who: str
    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class Attachment:
    name: str
    media_type: str
    size: int
    sha256: str
    md5: str
    added_at: str
    added_by: str


@dataclass(frozen=True)
class SubmittedSequence:
    number: str
    submitted_at: str
    who: str
    files: dict[str, str]


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def damaged_value(file: Path, path: str, problem: str) -> DamagedFileError:
    """The one-line error for a stored value the program could not have written, with the way out."""
    return DamagedFileError(f"{file.name}: {path}: {problem} (the file was changed outside Dossier Builder); clear "
                            f"it with `dossier set {file.name} {path} ''` and enter it again")


def _loads_value(text: str | None, path: str, file: Path) -> Any:
    """A stored field value; a damaged one (not JSON) is named."""
    try:
        return _loads(text)
    except (ValueError, RecursionError):
        raise damaged_value(file, path, "the stored value is not valid JSON") from None


def _loads_logged(text: str | None) -> Any:
    """An audit entry's value; a damaged one is shown as the text it is, since the log only reports."""
    try:
        return _loads(text)
    except (ValueError, RecursionError):
        return text


def _dumps_or_none(value: Any) -> str | None:
    return None if value is None else _dumps(value)


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, (str, list, dict)) and not value)
