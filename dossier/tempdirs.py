"""Temporary folders named after the process that made them (`.0002.building-4711-1a2b3c4d`), so a
later run can tell a killed run's leftovers from a run still going, and remove them. (A build
killed mid-way cannot clean up after itself; before this, its half-written folders stayed.)
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def temp_name(name: str, kind: str) -> str:
    """A hidden name for a folder or file being made for `name`: `.NAME.KIND-PID-RANDOM`."""
    return f".{name + '.' if name else ''}{kind}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def replace_text(target: Path, text: str, kind: str) -> None:
    """Write `text` (UTF-8, \\n line ends) to `target` through a temporary file renamed over it: a reader sees the
    old file or the whole new one, and a failure part way leaves no half-written file."""
    temp = target.with_name(temp_name(target.name, kind))
    try:
        with open(temp, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)


@contextmanager
def dossier_aside(target: Path, kind: str) -> Iterator[str]:
    """A free name beside `target` to make a new dossier file under; renamed to `target` when the block
    ends, and removed with its SQLite journal files if it fails: all of the file or nothing."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.{kind}-", dir=target.parent)
    os.close(fd)
    os.unlink(name)
    try:
        yield name
        os.replace(name, target)
    except BaseException:
        for leftover in (name, name + "-wal", name + "-shm"):
            Path(leftover).unlink(missing_ok=True)
        raise


def temp_dir(parent: Path, name: str, kind: str) -> Path:
    path = parent / temp_name(name, kind)
    path.mkdir(parents=True)
    return path


def remove_stale(parent: Path, *kinds: str) -> list[Path]:
    """Remove what runs that no longer exist left in `parent` (folders and files named by temp_name
    with one of `kinds`); what a live process is still making stays. Returns what was removed."""
    pattern = re.compile(rf"^\.(?:.*\.)?(?:{'|'.join(map(re.escape, kinds))})-(\d+)-[0-9a-f]{{8}}$")
    removed: list[Path] = []
    try:
        entries = list(parent.iterdir())
    except OSError:
        return removed
    for path in entries:
        match = pattern.match(path.name)
        if match is None or pid_alive(int(match[1])):
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed.append(path)
    return removed


def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs now (this process counts as running)."""
    if pid == os.getpid():
        return True
    if pid <= 0:
        return False
    if sys.platform == "win32":
        return _windows_pid_alive(pid)
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists but belongs to someone else
    return True


if sys.platform == "win32":  # the type checker skips it elsewhere, where ctypes has no WinDLL
    def _windows_pid_alive(pid: int) -> bool:
        # os.kill on Windows would terminate the process, so ask the kernel instead.
        import ctypes

        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return ctypes.get_last_error() == 5  # access denied: it exists
        try:
            code = ctypes.c_ulong()
            kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
            return code.value == 259  # STILL_ACTIVE
        finally:
            kernel32.CloseHandle(handle)
