"""One writer per dossier file, any number of readers: the writer holds an OS lock on a small sidecar
file (`.NAME.lock` beside the dossier) for as long as it has the dossier open.

Why a sidecar and not the database file: on POSIX, fcntl locks belong to the process and are all
dropped when *any* descriptor of the file is closed, so a lock taken on the database from Python
would silently drop SQLite's own locks. The sidecar is a file SQLite never touches, locked with
flock (POSIX) or msvcrt.locking (Windows); the operating system releases either when the holder
exits or is killed, so a crash never leaves a dossier locked. Readers never look at the sidecar.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import DossierFileError, FileInUseError

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]
    import msvcrt


def sidecar(path: Path) -> Path:
    return path.with_name(f".{path.name}.lock")


def _try_lock(fd: int) -> bool:
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except OSError:
        return False
    return True


def in_use(path: Path) -> FileInUseError:
    return FileInUseError(f"{path} is open in another Dossier Builder window or program; close it there first "
                          "(reading it, e.g. `dossier get` or `dossier export`, works meanwhile)")


class WriterLock:
    """Held by the one process that may write the dossier at `path`.

    >>> lock = WriterLock.acquire(Path("case.dossier"))   # FileInUseError when someone else writes
    >>> lock.release()
    """

    def __init__(self, file: Path, fd: int):
        self.file = file
        self._fd: int | None = fd

    @classmethod
    def acquire(cls, path: Path) -> WriterLock:
        file = sidecar(path)
        for _ in range(10):
            try:
                fd = os.open(file, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o644)
            except OSError as exc:
                raise DossierFileError(f"cannot open {path} for writing: the folder {path.parent} does not let "
                                       f"this program make {file.name} ({exc.strerror or exc}); copy the dossier "
                                       "to a folder you can write to") from None
            if not _try_lock(fd):
                os.close(fd)
                raise in_use(path)
            # The previous holder removes the sidecar when it closes; if it did so between our open and our
            # lock, we hold a lock on a file nobody else will ever see: try again with the current one.
            try:
                current = os.path.samestat(os.fstat(fd), os.stat(file))
            except FileNotFoundError:
                current = False
            if current:
                return cls(file, fd)
            os.close(fd)
        raise in_use(path)

    def release(self) -> None:
        if self._fd is None:
            return
        if fcntl is not None:
            # Unlinked while still locked, so a newcomer either sees the old file (and retries, see acquire)
            # or makes a fresh one.
            self.file.unlink(missing_ok=True)
            os.close(self._fd)
        else:
            os.close(self._fd)
            try:  # Windows refuses to delete a file another process has open: it then stays, harmlessly
                self.file.unlink(missing_ok=True)
            except OSError:
                pass
        self._fd = None
