"""The copy of a dossier file written beside it before an upgrade changes it (a schema migration or a
move of values to a newer content model): `NAME.before-upgrade-<version>.dossier`, never overwriting
an earlier one, complete and on the disk before the upgrade writes a byte.

The copy is the file's own bytes when the file is the whole dossier (its WAL folded back, and a read
transaction held while copying, so nothing can change under the copy): the backup is then exactly the
file as the earlier release left it. When the WAL cannot be folded back (a reader still needs it),
SQLite's backup API makes a consistent copy instead; its header counters differ, its content not.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

from .dbfile import BUSY_SECONDS
from .errors import DossierFileError

_COPY_CHUNK = 1 << 20


def backup_name(path: Path, label: str, n: int = 1) -> Path:
    """`demo.dossier` → `demo.before-upgrade-2.dossier` (`…-2.2.dossier`, `…-2.3.dossier` when taken)."""
    suffix = "" if n == 1 else f".{n}"
    return path.with_name(f"{path.stem}.before-upgrade-{label}{suffix}{path.suffix or '.dossier'}")


def write_backup(path: Path, conn: sqlite3.Connection, label: str) -> Path:
    """Copy the dossier at `path` (open on `conn`, no transaction open, the writer lock held) beside it,
    fsync'd; returns the backup's path. DossierFileError, with nothing changed, when it cannot be written."""
    temp = path.with_name(f".{path.name}.backing-up-{os.getpid()}")
    try:
        _copy(path, conn, temp)
        _fsync(temp)
        final = _link_new(temp, path, label)
        _fsync_folder(path.parent)
        return final
    except OSError as exc:
        raise DossierFileError(f"{path} was not upgraded: its backup copy could not be written beside it "
                               f"({exc.strerror or exc}); free some space or make the folder writable, then open "
                               "it again. The file was not changed.") from None
    finally:
        temp.unlink(missing_ok=True)
        # A copy killed part way left its temporary file; the caller holds the writer lock, so no other
        # process is copying now.
        for leftover in path.parent.glob(f".{path.name}.backing-up-*"):
            leftover.unlink(missing_ok=True)


def _copy(path: Path, conn: sqlite3.Connection, temp: Path) -> None:
    conn.execute("PRAGMA busy_timeout = 0")
    try:
        busy, wal_frames, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    except sqlite3.OperationalError:  # a reader mid-query
        busy, wal_frames = 1, 1
    finally:
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_SECONDS * 1000)}")
    if busy or wal_frames > 0:
        target = sqlite3.connect(temp)
        try:
            conn.backup(target)
            target.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, as a copy should be
        finally:
            target.close()
        return
    # A read transaction keeps the file as it is while its bytes are copied: in rollback-journal mode no
    # writer can commit, in WAL mode no checkpoint can write into the file past this reader's snapshot.
    conn.execute("BEGIN")
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchall()
        with open(path, "rb") as src, open(temp, "xb") as out:
            shutil.copyfileobj(src, out, _COPY_CHUNK)
    finally:
        conn.execute("ROLLBACK")


def _link_new(temp: Path, path: Path, label: str) -> Path:
    """Give the complete copy its name, never replacing a file of that name (an earlier backup)."""
    n = 1
    while True:
        final = backup_name(path, label, n)
        try:
            os.link(temp, final)  # fails if `final` exists: an earlier backup is never overwritten
            return final
        except FileExistsError:
            n += 1
        except OSError:  # a file system without hard links (FAT, some shares)
            if final.exists():
                n += 1
                continue
            os.replace(temp, final)
            return final


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder: Path) -> None:
    """Make the new name durable too (POSIX; Windows has no folder handles to sync)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
