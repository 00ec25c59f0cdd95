"""The build's render cache: each document's PDF and DOCX stored under APPDIR/.cache/<key>.{pdf,docx},
where the key (from the renderer) changes only when that document's inputs change. A rebuild after
one field edit renders one document; the rest are taken from the cache.

Why beside the sequences and not inside the dossier: rendered files are derived data, cheap to
remake, and tied to the renderer's version. In the dossier they would bloat the file, its backups and
exports, and every build would need a write transaction on the file the user is editing.

Rendering runs in worker processes only when it pays: the cache remembers how long each document
took, and a pool is used when the missing documents' expected time is well above the pool's start-up
cost (cheap with fork, about a second when a process must be spawned). A one-document rebuild always
renders in-process.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import multiprocessing
import os
import re
import shutil
import sys
import time
import uuid
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Callable

KEEP_DAYS = 30            # unused cache entries older than this are removed
GUESS_SECONDS = 0.05      # expected render time of a document never rendered here
START_SECONDS = {"fork": 0.1, "spawn": 1.2}  # measured cost of starting a pool, per start method
_worker_input = None


def renderer():
    """The document renderer (dossier.render)."""
    return importlib.import_module("dossier.render")


def _safe_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]{8,128}", key) else hashlib.sha256(key.encode()).hexdigest()


def _init_worker(inp) -> None:
    global _worker_input
    _worker_input = inp


def _render(inp, doc_id: str, out_dir: str, draft: bool) -> tuple[dict[str, str], float]:
    started = time.perf_counter()
    paths = renderer().render_document(inp, doc_id, Path(out_dir), formats=("docx", "pdf"), draft=draft)
    return {fmt: str(p) for fmt, p in paths.items()}, time.perf_counter() - started


def _render_in_worker(doc_id: str, out_dir: str, draft: bool) -> tuple[dict[str, str], float]:
    return _render(_worker_input, doc_id, out_dir, draft)


def _context():
    # fork is quickest and safe for a single-threaded CLI; a process with other threads (the desktop
    # app) must not fork, so it spawns (as Windows and macOS always do).
    import threading

    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def pays(expected: list[float], workers: int, method: str) -> bool:
    """Whether rendering `expected` (seconds per document) in a pool beats doing it in-process."""
    if workers < 2 or len(expected) < 2:
        return False
    share = max(max(expected), sum(expected) / min(workers, len(expected)))
    return share + START_SECONDS[method] < sum(expected)


class RenderCache:
    def __init__(self, folder: Path, dossier, draft: bool, workers: int):
        render = renderer()
        self.folder = folder
        self.draft = draft
        self.workers = max(1, workers)
        self.input = render.snapshot(dossier)
        self.documents = {d.id: d for d in dossier.model.documents}
        self.doc_ids = list(self.documents)
        self.keys = {doc_id: _safe_key(render.document_key(self.input, doc_id, draft)) for doc_id in self.doc_ids}
        self.rendered = 0
        self.reused = 0
        self.parallel = False

    def pdf(self, doc_id: str) -> Path:
        return self.folder / f"{self.keys[doc_id]}.pdf"

    def docx(self, doc_id: str) -> Path:
        return self.folder / f"{self.keys[doc_id]}.docx"

    def _cached(self, doc_id: str) -> bool:
        return self.pdf(doc_id).is_file() and self.docx(doc_id).is_file()

    def begin(self, doc_ids: list[str]) -> None:
        """Decide what to render and how; a worker pool is started (forked) here, before the build
        starts any thread of its own."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self._ids = list(doc_ids)
        self._times_seen = self._times()
        # Longest first, so the slowest document never starts last.
        self._missing = sorted((d for d in doc_ids if not self._cached(d)),
                               key=lambda d: -self._times_seen.get(d, GUESS_SECONDS))
        self.reused = len(doc_ids) - len(self._missing)
        context = _context()
        expected = [self._times_seen.get(d, GUESS_SECONDS) for d in self._missing]
        self.parallel = pays(expected, self.workers, context.get_start_method())
        self._work = self.folder / f"tmp-{uuid.uuid4().hex[:8]}"
        self._work.mkdir()
        self._pool, self._futures = None, {}
        if self.parallel:
            self._pool = ProcessPoolExecutor(max_workers=min(self.workers, len(self._missing)), mp_context=context,
                                             initializer=_init_worker, initargs=(self.input,))
            self._futures = {self._pool.submit(_render_in_worker, d, str(self._work / d), self.draft): d
                             for d in self._missing}

    def finish(self, progress: Callable[[float, str], None], check_cancel: Callable[[], None]) -> None:
        """Render (or collect) the missing documents into the cache."""
        times, missing = self._times_seen, self._missing
        try:
            if self._pool is not None:
                for done, future in enumerate(as_completed(self._futures), 1):
                    check_cancel()
                    doc_id = self._futures[future]
                    paths, times[doc_id] = future.result()
                    self._store(doc_id, paths)
                    progress(done / len(missing), f"Rendered {self.documents[doc_id].title}")
            else:
                for i, doc_id in enumerate(missing):
                    check_cancel()
                    progress(i / max(len(missing), 1), f"Rendering {self.documents[doc_id].title}")
                    paths, times[doc_id] = _render(self.input, doc_id, str(self._work / doc_id), self.draft)
                    self._store(doc_id, paths)
        finally:
            self.abort()
            self._save_times(times)
        self.rendered = len(missing)
        now = time.time()
        for doc_id in self._ids:
            for path in (self.pdf(doc_id), self.docx(doc_id)):
                os.utime(path, (now, now))
        self._prune(now)
        progress(1.0, f"Rendered {len(missing)} document(s), reused {self.reused}")

    def ensure(self, doc_ids: list[str], progress: Callable[[float, str], None], check_cancel: Callable[[], None]) -> None:
        """Make sure every document's PDF and DOCX is in the cache, rendering the missing ones."""
        self.begin(doc_ids)
        self.finish(progress, check_cancel)

    def abort(self) -> None:
        """Stop the workers (pending documents are dropped) and remove the work folder."""
        if getattr(self, "_pool", None) is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        if getattr(self, "_work", None) is not None:
            shutil.rmtree(self._work, ignore_errors=True)

    def _times(self) -> dict[str, float]:
        try:
            return json.loads((self.folder / "render-times.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def _save_times(self, times: dict[str, float]) -> None:
        temp = self.folder / f".render-times.{uuid.uuid4().hex[:8]}"
        try:
            temp.write_text(json.dumps({k: round(v, 4) for k, v in times.items()}), encoding="utf-8")
            os.replace(temp, self.folder / "render-times.json")
        except OSError:
            temp.unlink(missing_ok=True)

    def _store(self, doc_id: str, paths: dict[str, str]) -> None:
        os.replace(paths["docx"], self.docx(doc_id))
        os.replace(paths["pdf"], self.pdf(doc_id))

    def _prune(self, now: float) -> None:
        keep = {p.name for d in self.doc_ids for p in (self.pdf(d), self.docx(d))}
        for path in self.folder.glob("*.*"):
            if path.suffix in (".pdf", ".docx") and path.name not in keep:
                try:
                    if now - path.stat().st_mtime > KEEP_DAYS * 86400:
                        path.unlink()
                except OSError:
                    pass

    def copy_docx(self, dest: Path) -> None:
        """Copy every document's DOCX into `dest`, named after its file in the sequence."""
        dest.mkdir(parents=True)
        for doc_id, doc in self.documents.items():
            stem = doc.file.rsplit(".", 1)[0]
            shutil.copyfile(self.docx(doc_id), dest / f"{stem}.docx")
