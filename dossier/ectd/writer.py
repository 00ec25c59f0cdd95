"""Writing a planned sequence into a folder: the leaves' files, the study tagging files, both
backbones, index-md5.txt and the official util/ files.

Every byte goes through `write_chunks`, which hashes exactly the bytes it writes, so a failing disk
shows up in one place and no checksum is taken on trust. An attachment is verified against the
SHA-256 the dossier recorded when it was attached (SHA-256 runs at twice MD5's speed here); when it
matches, the bytes are the attached ones, so the MD5 recorded with them is their MD5.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .. import standards as std
from ..errors import Cancelled, DossierError
from .backbone import index_xml
from .headings import HeadingTree
from .leaf import REGIONAL_PATH, Leaf, Plan
from .regional import regional_xml

CHUNK = 4 << 20


def write_chunks(dest: Path, chunks: Iterable[bytes], algorithm: str = "md5") -> str:
    """Write `chunks` to `dest`; return the digest (MD5 unless told) of exactly the bytes written.

    Hashing runs inline: measured here, a helper thread per file cost more in hand-offs than it
    saved, while copying several files on parallel threads (the writer does) uses every core.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.new(algorithm)
    with open(dest, "wb") as out:
        for chunk in chunks:
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


def file_chunks(path: Path) -> Iterator[bytes]:
    with open(path, "rb", buffering=0) as fh:
        while chunk := fh.read(CHUNK):
            yield chunk


class SequenceWriter:
    """Writes one planned sequence into `folder` (a temporary folder the build renames into place)."""

    def __init__(self, folder: Path, plan: Plan, trees, standards: Path,
                 document_pdf: Callable[[str], Path], attachment_chunks: Callable[[str], Iterator[bytes]],
                 attachment_sha256: dict[str, str], check_cancel: Callable[[], None],
                 progress: Callable[[float, str], None], workers: int = 2):
        self.folder = folder
        self.plan = plan
        self.ich: HeadingTree = trees.ich
        self.regional: HeadingTree = trees.regional
        self.standards = standards
        self.document_pdf = document_pdf
        self.attachment_chunks = attachment_chunks
        self.attachment_sha256 = attachment_sha256
        self.check_cancel = check_cancel
        self.progress = progress
        self.workers = max(1, workers)
        self.md5s: dict[str, str] = {}
        self._aborted = False
        self._pool: ThreadPoolExecutor | None = None

    def start(self) -> None:
        """Begin copying the attachments on background threads (they need nothing rendered), so the
        copy overlaps rendering; `finish` writes the rest and waits for them."""
        self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="sequence-copy")
        self._attachments = [leaf for leaf in self.plan.sent() if leaf.kind == "attachment"]
        self._futures = [self._pool.submit(self._write_leaf, leaf) for leaf in self._attachments]

    def finish(self) -> dict[str, str]:
        """Write documents, study tagging files, backbones and util/; return {path: MD5} of every file."""
        others = [leaf for leaf in self.plan.sent() if leaf.kind != "attachment"]
        total = len(others) + len(self._attachments) or 1
        for done, leaf in enumerate(others, 1):
            self.check_cancel()
            self._write_leaf(leaf)
            self.progress(done / total, f"Writing {leaf.path}")
        for done, (future, leaf) in enumerate(zip(self._futures, self._attachments, strict=True), len(others) + 1):
            future.result()
            self.progress(done / total, f"Copied {leaf.path}")
        if self._pool is not None:
            self._pool.shutdown()
        self._write_backbones()
        self._copy_util()
        return dict(self.md5s)

    def abort(self) -> None:
        """Stop the background copies (each stops at its next chunk) and wait for them."""
        self._aborted = True
        pool = getattr(self, "_pool", None)
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    def _write_leaf(self, leaf: Leaf) -> None:
        self.check_cancel()
        dest = self.folder / leaf.path
        if leaf.kind == "document":
            md5 = write_chunks(dest, file_chunks(self.document_pdf(leaf.ref)))
        elif leaf.kind == "attachment":
            sha256 = write_chunks(dest, self._cancellable(self.attachment_chunks(leaf.ref)), "sha256")
            if sha256 != self.attachment_sha256.get(leaf.ref):
                raise DossierError(f"attachment {leaf.ref} is damaged inside the dossier (its SHA-256 differs from "
                                   "the one recorded when it was attached); attach the file again")
            md5 = leaf.fingerprint  # recorded at attach time from these very bytes
        elif leaf.kind == "stf":
            md5 = write_chunks(dest, [self.plan.generated[leaf.path]])
        else:
            raise DossierError(f"no source for leaf {leaf.path} ({leaf.kind})")
        leaf.md5 = md5
        self.md5s[leaf.path] = md5

    def _cancellable(self, chunks: Iterator[bytes]) -> Iterator[bytes]:
        for chunk in chunks:
            if self._aborted:
                raise Cancelled("the build was cancelled; nothing was written")
            self.check_cancel()
            yield chunk

    def _write_backbones(self) -> None:
        regional = regional_xml(self.plan, self.regional)
        self.md5s[REGIONAL_PATH] = write_chunks(self.folder / REGIONAL_PATH, [regional])
        index = index_xml(self.plan, self.ich, self.md5s[REGIONAL_PATH])
        self.md5s["index.xml"] = write_chunks(self.folder / "index.xml", [index])
        md5_text = self.md5s["index.xml"].encode("ascii")
        self.md5s["index-md5.txt"] = write_chunks(self.folder / "index-md5.txt", [md5_text])

    def _copy_util(self) -> None:
        for s in std.STANDARD_FILES:
            if s.util_path:
                md5 = write_chunks(self.folder / s.util_path, file_chunks(self.standards / s.name))
                if md5 != s.md5:
                    raise DossierError(f"the installed {s.name} is not the official file; install it again with "
                                       "`dossier standards install PATH`")
                self.md5s[s.util_path] = md5


def remove_tree(path: Path) -> None:
    """Remove a folder we made, even when a file in it is read-only."""
    def retry(func, target, _exc):
        os.chmod(target, 0o700)
        func(target)

    if path.exists():
        shutil.rmtree(path, onerror=retry)
