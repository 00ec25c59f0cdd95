"""Streaming a file into a dossier and back out: one pass over the bytes computes SHA-256 and MD5 and
writes the blob, with MD5 (the slowest step) hashed on a thread of its own so the copy runs near
the speed of MD5 or of the disk, whichever is slower. Memory stays flat: a few fixed buffers.

An attachment is stored as parts of at most CHUNK bytes (table `attachment_chunks`, keyed by name
and byte offset): SQLite refuses a single value over 1,000,000,000 bytes, and a 1 GiB file is more.
Each part is inserted as zeroblob(n) and filled through Connection.blobopen (no extra copy).
"""

from __future__ import annotations

import hashlib
import os
import queue
import shutil
import sqlite3
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import filetype

from .dbfile import BUSY_SECONDS
from .errors import DossierError

CHUNK = 4 << 20
SNIFF = 64 << 10
_BUFFERS = 3  # one being read and hashed here, one or two queued for the MD5 thread
BULK_CACHE_KIB = 16 << 10  # page cache while attaching: a part fits, so its pages are filled before they spill
_fsync = getattr(os, "fdatasync", os.fsync)


def media_type(head: bytes) -> str:
    """The media type sniffed from a file's first bytes (never from its name)."""
    kind = filetype.guess(head) if head else None
    if kind is not None:
        return kind.mime
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sniffed window is still text.
        if exc.start < len(head) - 4 or exc.reason != "unexpected end of data":
            return "application/octet-stream"
    return "text/plain"


class Spooled:
    """A path to read from: the source itself, or a temporary copy of a file object."""

    def __init__(self, source: str | Path | BinaryIO):
        self._temp: str | None = None
        if isinstance(source, (str, Path)):
            self.path = Path(source)
            return
        fd, self._temp = tempfile.mkstemp(prefix="dossier-attach-")
        try:
            with os.fdopen(fd, "wb") as out:
                shutil.copyfileobj(source, out, CHUNK)
        except BaseException:
            Path(self._temp).unlink(missing_ok=True)
            raise
        self.path = Path(self._temp)

    def __enter__(self) -> Spooled:
        return self

    def __exit__(self, *exc) -> None:
        if self._temp:
            Path(self._temp).unlink(missing_ok=True)


@dataclass(frozen=True)
class Digest:
    sha256: str
    md5: str
    media_type: str
    size: int


class _Md5Worker(threading.Thread):
    """Hashes MD5 on its own thread (hashlib releases the GIL on large buffers) and hands each
    buffer back once it is done with it."""

    def __init__(self, free: queue.Queue):
        super().__init__(name="dossier-md5", daemon=True)
        self.md5 = hashlib.md5()
        self.todo: queue.Queue = queue.Queue()
        self.free = free

    def run(self) -> None:
        while (item := self.todo.get()) is not None:
            buffer, size = item
            self.md5.update(memoryview(buffer)[:size])
            self.free.put(buffer)


def _read_into(source: BinaryIO, buffer: bytearray) -> memoryview:
    if hasattr(source, "readinto"):
        n = source.readinto(buffer)
        return memoryview(buffer)[: n or 0]
    data = source.read(len(buffer))
    buffer[: len(data)] = data
    return memoryview(buffer)[: len(data)]


def stream_into(source: BinaryIO, write: Callable[[int, memoryview], None]) -> Digest:
    """Read `source` once to its end, calling write(offset, chunk) for each chunk in order.

    This thread reads, hashes SHA-256 and writes; MD5 runs alongside on a worker thread. Three
    CHUNK-sized buffers are reused, so memory does not grow with the file. An exception from the
    source or from `write` propagates (the caller's transaction then rolls back).
    """
    free: queue.Queue = queue.Queue()
    for _ in range(_BUFFERS):
        free.put(bytearray(CHUNK))
    worker = _Md5Worker(free)
    worker.start()
    sha, head, offset = hashlib.sha256(), b"", 0
    try:
        while True:
            buffer = free.get()
            view = _read_into(source, buffer)
            if not view:
                break
            if len(head) < SNIFF:
                head += view[: SNIFF - len(head)].tobytes()
            worker.todo.put((buffer, len(view)))
            sha.update(view)
            write(offset, view)
            offset += len(view)
    finally:
        worker.todo.put(None)
        worker.join()
    return Digest(sha.hexdigest(), worker.md5.hexdigest(), media_type(head), offset)


def insert_parts(conn: sqlite3.Connection, name: str) -> Callable[[int, memoryview], None]:
    """A `write` for stream_into that stores each chunk as one part row of attachment `name`."""

    def write(offset: int, chunk: memoryview) -> None:
        cursor = conn.execute("INSERT INTO attachment_chunks(name, n, data) VALUES (?, ?, zeroblob(?))",
                              (name, offset, len(chunk)))
        row = cursor.lastrowid
        assert row is not None, "an INSERT sets lastrowid"
        with conn.blobopen("attachment_chunks", "data", row) as blob:
            blob.write(chunk)

    return write


def part_rows(query: Callable[[str, tuple], list[tuple]], name: str) -> Iterator[bytes]:
    """The parts of attachment `name` in order, one query per part (memory stays at one part)."""
    offset = -1
    while rows := query("SELECT n, data FROM attachment_chunks WHERE name = ? AND n > ? ORDER BY n LIMIT 1",
                        (name, offset)):
        offset, data = rows[0]
        yield data


class EarlyFlush:
    """While a large write runs, ask the OS every `interval` seconds to write the file's dirty pages
    to disk, so that the commit's final fsync has little left to do (the flush overlaps hashing).

    Flushing early is always safe: SQLite never relies on a page staying out of the file.
    `fd` is a descriptor of the dossier file that the caller keeps open (on POSIX, closing any
    descriptor of a file drops this process's locks on it, so it must outlive the connection).
    """

    def __init__(self, fd: int | None, interval: float = 0.05):
        self._fd, self._interval = fd, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="dossier-flush", daemon=True)

    def _run(self) -> None:
        fd = self._fd
        if fd is None:  # __enter__ starts the thread only with a descriptor
            return
        while not self._stop.wait(self._interval):
            try:
                _fsync(fd)
            except OSError:
                return

    def __enter__(self) -> EarlyFlush:
        if self._fd is not None:
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()


class FlushHandle:
    """A descriptor of the dossier file for EarlyFlush, opened on first use and closed only after the
    SQLite connection: on POSIX, closing any descriptor of a file drops this process's locks on it."""

    def __init__(self, path: Path):
        self.path = path
        self.fd: int | None = None

    def get(self) -> int | None:
        if self.fd is None:
            try:
                self.fd = os.open(self.path, os.O_RDWR | getattr(os, "O_BINARY", 0))
            except OSError:
                return None
        return self.fd

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


@contextmanager
def bulk_append(conn: sqlite3.Connection, flush: FlushHandle) -> Iterator[None]:
    """Settings for one large append (the caller holds the connection's lock and then opens the
    transaction): a rollback journal, as SQLite then writes appended pages once where WAL writes them
    twice (log, then checkpoint) with the same crash safety; a page cache that holds a whole part; and
    early flushing, so the commit's fsync overlaps the hashing. Back to WAL afterwards. While a reader has
    the file open SQLite cannot leave WAL: the append then goes through the WAL, slower but as safe."""
    try:
        conn.execute("PRAGMA busy_timeout = 0")
        conn.execute("PRAGMA journal_mode = DELETE").fetchall()
    except sqlite3.OperationalError:
        pass
    finally:
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_SECONDS * 1000)}")
    conn.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
    try:
        with EarlyFlush(flush.get()):
            yield
    finally:
        conn.execute("PRAGMA cache_size = -2000")
        try:
            conn.execute("PRAGMA journal_mode = WAL").fetchall()
        except sqlite3.OperationalError:
            pass  # a reader mid-query for longer than the busy timeout: rollback journal until the next append


@contextmanager
def readable(source: str | Path | BinaryIO) -> Iterator[BinaryIO]:
    """A binary file object for `source`: the file at a path (opened unbuffered), or `source` itself."""
    if not isinstance(source, (str, Path)):
        yield source
        return
    try:
        fh = open(source, "rb", buffering=0)
    except OSError as exc:
        raise DossierError(f"cannot read {source}: {exc.strerror or exc}; check that the file exists and can be read") \
            from None
    with fh:
        yield fh
