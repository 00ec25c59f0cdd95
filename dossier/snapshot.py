"""A dossier's content as `dossier diff` and `dossier merge` see it, read alike from a dossier file or a
text-form folder (title, identity, values, attachments by name with their content hash, history,
submitted sequences), and a merged one written back as a dossier file or a folder, aside and renamed
into place only when complete.

>>> with read_snapshot("ours.dossier") as ours: ...
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import DossierError, output_error
from .model import ContentModel, default_model
from .records import AuditEntry, SubmittedSequence
from .service import Dossier
from .tempdirs import temp_name
from .textform import WITHHELD_TITLE, export_dossier, read_folder

DOSSIER_SUFFIX = ".dossier"


@dataclass(frozen=True)
class AttachmentCopy:
    """One attachment of one copy: what it is (its content hash) and where its bytes are."""
    name: str
    media_type: str
    size: int
    sha256: str
    md5: str
    origin: Path  # the dossier file, or the file inside a folder
    in_folder: bool


@dataclass(frozen=True)
class Sequence(SubmittedSequence):
    """A sequence recorded as submitted, with what was recorded about its leaves."""
    details: dict


@dataclass
class Snapshot:
    where: Path
    title: str
    created: tuple[str, str] | None  # the dossier's identity; None: a folder exported before it was kept
    values: dict[str, Any]
    attachments: dict[str, AttachmentCopy]
    history: list[AuditEntry] | None  # None: a hand-made folder without history.jsonl
    sequences: dict[str, Sequence] = field(default_factory=dict)  # a text form holds none
    is_folder: bool = False

    @property
    def without_phi(self) -> bool:
        """Exported with --without-phi: its protected health information is left out, not emptied."""
        return self.is_folder and self.title == WITHHELD_TITLE


def read_snapshot(path: str | Path, model: ContentModel | None = None) -> Snapshot:
    """Read a dossier file (opened read-only: an older file is brought up to date first, as any
    opening does) or a text-form folder (checked as an import checks it)."""
    path = Path(path)
    model = model or default_model()
    if path.is_dir():
        return _from_folder(path, model)
    if not path.exists():
        raise DossierError(f"{path} does not exist; give a dossier file or an exported folder")
    with Dossier.open(path, read_only=True, model=model) as dossier:
        details = dossier.sequence_details()
        return Snapshot(
            path, dossier.title, dossier.created, dossier.values(),
            {a.name: AttachmentCopy(a.name, a.media_type, a.size, a.sha256, a.md5, path, False)
             for a in dossier.attachments()},
            dossier.history(),
            {s.number: Sequence(s.number, s.submitted_at, s.who, s.files, details.get(s.number, {}))
             for s in dossier.sequences()})


def _from_folder(path: Path, model: ContentModel) -> Snapshot:
    folder = read_folder(path, model)
    attachments = {a["name"]: AttachmentCopy(a["name"], a.get("media_type") or "application/pdf", a["size"],
                                             a["sha256"], a["md5"], a["path"], True)
                   for a in folder.attachments}
    return Snapshot(path, folder.title, folder.created, folder.values, attachments, folder.history, is_folder=True)


def write_snapshot(snapshot: Snapshot, out: str | Path, model: ContentModel | None = None) -> Path:
    """Write `snapshot` as a dossier file when `out` ends in .dossier, else as a text-form folder; `out`
    must not exist yet (a folder may exist empty). Nothing appears at `out` unless all of it was written."""
    out = Path(out)
    model = model or default_model()
    if out.suffix == DOSSIER_SUFFIX:
        if out.exists():
            raise DossierError(f"{out} already exists; choose a new file name for the result")
        return _write_file(snapshot, out, model)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise DossierError(f"{out} already exists; choose a new folder for the result (or a name ending in "
                           f"{DOSSIER_SUFFIX} for a dossier file)")
    try:
        work = Path(tempfile.mkdtemp(prefix="dossier-merge-"))
    except OSError as exc:
        raise output_error(exc) from None
    try:
        made = _write_file(snapshot, work / f"merged{DOSSIER_SUFFIX}", model)
        with Dossier.open(made, read_only=True, model=model) as dossier:
            return export_dossier(dossier, out, replace=out.exists())
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _write_file(snapshot: Snapshot, out: Path, model: ContentModel) -> Path:
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise output_error(exc, out.parent) from None
    temp = out.parent / temp_name(out.name, "merging")
    files = Path(tempfile.mkdtemp(prefix="dossier-attachments-"))
    try:
        sources = _gather(snapshot.attachments.values(), files, model)
        with Dossier.create(temp, snapshot.title, model=model, created=snapshot.created) as dossier:
            for seq in sorted(snapshot.sequences.values(), key=lambda s: s.number):
                dossier.record_submission(seq.number, seq.files, seq.details, who=seq.who, at=seq.submitted_at)
            dossier.restore(sources, snapshot.values, snapshot.history)
        os.replace(temp, out)
    except OSError as exc:
        raise output_error(exc, out) from None
    finally:
        shutil.rmtree(files, ignore_errors=True)
        for leftover in (temp, Path(f"{temp}-wal"), Path(f"{temp}-shm")):
            leftover.unlink(missing_ok=True)
    return out


def _gather(attachments: Any, into: Path, model: ContentModel) -> list[tuple[str, Path]]:
    """Each attachment as a file to store: a folder's own file, or a copy out of its dossier file (each
    dossier file opened once; its bytes checked against their checksums on the way out)."""
    sources: list[tuple[str, Path]] = []
    by_file: dict[Path, list[str]] = {}
    for a in sorted(attachments, key=lambda a: a.name):
        if a.in_folder:
            sources.append((a.name, a.origin))
        else:
            by_file.setdefault(a.origin, []).append(a.name)
    for origin, names in by_file.items():
        with Dossier.open(origin, read_only=True, model=model) as dossier:
            sources += [(name, dossier.copy_attachment_to(name, into / name)) for name in names]
    return sorted(sources)
