"""Streaming a file into a dossier: one pass over the bytes computes SHA-256 and MD5 and writes the
blob, with MD5 (the slowest step) hashed on a second thread so the copy runs near MD5's speed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO, Callable

import filetype

CHUNK = 4 << 20
SNIFF = 64 << 10


def media_type(head: bytes) -> str:
    """The media type sniffed from a file's first bytes (never from its name)."""
    kind = filetype.guess(head)
    if kind is not None:
        return kind.mime
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sniffed window is still text.
        if exc.start < len(head) - 4:
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
        with os.fdopen(fd, "wb") as out:
            shutil.copyfileobj(source, out, CHUNK)
        self.path = Path(self._temp)

    def __enter__(self) -> "Spooled":
        return self

    def __exit__(self, *exc) -> None:
        if self._temp:
            Path(self._temp).unlink(missing_ok=True)


def stream_into(path: Path, write: Callable[[int, bytes], None]) -> tuple[str, str, str, int]:
    """Read `path` once, calling write(offset, chunk); return (sha256, md5, media type, size).

    MD5 and SHA-256 each run on a thread of their own (hashlib releases the GIL on large buffers)
    while this thread reads and writes, so the copy runs at about the speed of the slowest hash.
    """
    sha, md5 = hashlib.sha256(), hashlib.md5()
    head = b""
    offset = 0
    with open(path, "rb", buffering=0) as fh, ThreadPoolExecutor(max_workers=2) as pool:
        pending: list = []
        while True:
            chunk = fh.read(CHUNK)
            if not chunk:
                break
            if len(head) < SNIFF:
                head += chunk[: SNIFF - len(head)]
            for job in pending:
                job.result()
            pending = [pool.submit(md5.update, chunk), pool.submit(sha.update, chunk)]
            write(offset, chunk)
            offset += len(chunk)
        for job in pending:
            job.result()
    return sha.hexdigest(), md5.hexdigest(), media_type(head), offset
