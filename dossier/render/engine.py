"""The one rendering engine: `dossier render`, the build and the desktop app render a dossier's
documents through it. It passes the readiness gate (final renders only), takes from the render cache
what is already there (when given one), renders the rest in this process or in worker processes
where that pays, reports progress, can be cancelled, and its workers end with their parent.

    job = RenderJob(dossier, cache=Path("APPDIR/.cache"))
    job.start()                       # starts (forks) the workers now, before the caller starts threads
    job.finish(progress, cancel)      # renders the missing documents; progress(done, total, doc_id)
    job.files("cover-letter")         # {"docx": Path(...), "pdf": Path(...)}

Worker processes are used only when they pay: the cache remembers how long each document took, and a
pool is used when the missing documents' expected time is well above the pool's start-up cost (cheap
with fork, about a second when a process must be spawned). A one-document render runs in-process.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import shutil
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from ..docunits import unit_stem, units
from ..errors import Cancelled
from ..model import ContentModel, default_model
from ..readiness import check_dossier
from ..tempdirs import temp_name
from .cache import RenderCache
from .document import FORMATS, RenderInput, check_formats, document_key, render_document, snapshot, writers
from .templateenv import keep_references
from .templating import allowed_fields

GUESS_SECONDS = 0.005     # expected render time, per field given, of a document never rendered here
START_SECONDS = {"fork": 0.1, "spawn": 1.2}  # measured cost of starting a pool, per start method
MAX_WORKERS = 8
Progress = Callable[[int, int, str], None]   # (documents done, documents to render, document id)


def start_method() -> str:
    """fork where it is quick and safe (Linux, no other thread in this process); a process with other
    threads (the desktop app) must not fork, so it spawns, as Windows and macOS always do."""
    return "fork" if sys.platform.startswith("linux") and threading.active_count() == 1 else "spawn"


def default_workers() -> int:
    """Worker processes worth offering on this machine; the engine uses them only where they pay."""
    return min(os.cpu_count() or 1, MAX_WORKERS)


def pays(expected: list[float], workers: int, method: str) -> bool:
    """Whether rendering `expected` (seconds per document) in a pool beats doing it in-process."""
    if workers < 2 or len(expected) < 2:
        return False
    share = max(max(expected), sum(expected) / min(workers, len(expected)))
    return share + START_SECONDS[method] < sum(expected)


class RenderJob:
    """One rendering of a dossier's documents (see the module docstring). `source` is an open Dossier
    or a RenderInput; files go to `cache` (a RenderCache or its folder), to `out_dir` as
    <eCTD file stem>.<format>, or to both (rendered into the cache, copied out)."""

    def __init__(self, source, *, draft: bool = False, formats=FORMATS, cache: RenderCache | Path | None = None,
                 out_dir: Path | None = None, workers: int | None = None, model: ContentModel | None = None,
                 doing: str = "render"):
        if cache is None and out_dir is None:
            raise TypeError("RenderJob needs a cache, an out_dir or both")
        self.model = model or getattr(source, "model", None) or default_model()
        self.formats = check_formats(formats)
        self.draft = draft
        self.input = _ready_input(source, self.model, draft, doing)
        self.doc_ids = documents_that_apply(self.model, self.input.values)
        self.keys = {d: document_key(self.input, d, draft, self.model) for d in self.doc_ids}
        keep_references()
        self.cache = RenderCache(cache) if isinstance(cache, (str, Path)) else cache
        self.out_dir = Path(out_dir) if out_dir is not None else None
        self.workers = max(1, workers or 1)
        self.rendered = 0       # documents rendered by this job
        self.reused = 0         # documents taken from the cache
        self.parallel = False
        self._pool: ProcessPoolExecutor | None = None
        self._futures: dict = {}
        self._work: Path | None = None

    def start(self) -> None:
        """Decide what to render and how; a worker pool is started here, so a caller that starts
        threads of its own afterwards (the build's attachment copy) still forks a single-threaded process."""
        self._times = self.cache.times() if self.cache else {}
        todo = {d: self._missing(d) for d in self.doc_ids}
        self._todo = {d: formats for d, formats in todo.items() if formats}
        expected = {d: self._times.get(d) or self._guess(d) for d in self._todo}
        # Longest first, so the slowest document never starts last.
        self._order = sorted(self._todo, key=lambda d: -expected[d])
        self.reused = len(self.doc_ids) - len(self._todo)
        method = start_method()
        self.parallel = pays([expected[d] for d in self._order], self.workers, method)
        if self.cache is not None:
            self._work = self.cache.work_folder()
        if self.parallel:
            if method == "fork":
                writers()  # loaded once here and inherited, rather than once in every worker
            self._pool = ProcessPoolExecutor(min(self.workers, len(self._order)),
                                             mp_context=multiprocessing.get_context(method),
                                             initializer=_init_worker, initargs=(self.input, self.model))
            self._futures = {self._pool.submit(_render_in_worker, d, self._dest(d), self._todo[d], self.draft): d
                             for d in self._order}

    def finish(self, progress: Progress | None = None, cancel=None) -> dict[str, dict[str, Path]]:
        """Render (or collect from the workers) what start() found missing; `cancel.is_set()` is asked
        before each document and raises Cancelled. Returns every document's files."""
        times, total = self._times, len(self._order)
        try:
            if self._pool is not None:
                for done, future in enumerate(as_completed(self._futures), 1):
                    _check(cancel)
                    doc_id = self._futures[future]
                    paths, times[doc_id] = future.result()
                    self._rendered(doc_id, paths, done, total, progress)
            else:
                for done, doc_id in enumerate(self._order, 1):
                    _check(cancel)
                    paths, times[doc_id] = _render(self.input, self.model, doc_id, self._dest(doc_id),
                                                   self._todo[doc_id], self.draft)
                    self._rendered(doc_id, paths, done, total, progress)
        finally:
            self.abort()
            if self.cache is not None:
                self.cache.save_times(times)
        self.rendered = total
        if self.cache is not None:
            self.cache.keep(list(self.keys.values()), self.formats)
            if self.out_dir is not None:
                self.copy_out(self.out_dir)
        return {d: self.files(d) for d in self.doc_ids}

    def abort(self) -> None:
        """Stop the workers (pending documents are dropped) and remove the work folder."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        if self._work is not None:
            shutil.rmtree(self._work, ignore_errors=True)
            self._work = None

    def files(self, doc_id: str) -> dict[str, Path]:
        """Where the document's files are: in out_dir when given, else in the cache."""
        if self.out_dir is not None:
            return {fmt: self.out_dir / f"{self._stem(doc_id)}.{fmt}" for fmt in self.formats}
        return {fmt: self._cache().path(self.keys[doc_id], fmt) for fmt in self.formats}

    def copy_out(self, dest: Path, formats: tuple[str, ...] | None = None) -> None:
        """Copy every document's cached files into `dest` as <eCTD file stem>.<format>, each complete or absent."""
        dest.mkdir(parents=True, exist_ok=True)
        for doc_id in self.doc_ids:
            for fmt in formats or self.formats:
                final = dest / f"{self._stem(doc_id)}.{fmt}"
                temp = dest / temp_name(final.name, "part")
                try:
                    shutil.copyfile(self._cache().path(self.keys[doc_id], fmt), temp)
                    os.replace(temp, final)
                finally:
                    temp.unlink(missing_ok=True)

    def _guess(self, doc_id: str) -> float:
        """The time of a document never rendered here grows with the fields it is given: the demo's
        protocol (50 fields) takes ten times as long as a drug-substance section (4 fields), and a
        first render that started it last waited for it alone at the end."""
        return GUESS_SECONDS * max(1, len(allowed_fields(self.model, self.model.document(doc_id))))

    def _missing(self, doc_id: str) -> tuple[str, ...]:
        return self.cache.missing(self.keys[doc_id], self.formats) if self.cache is not None else self.formats

    def _cache(self) -> RenderCache:
        if self.cache is None:
            raise TypeError("this RenderJob renders without a cache; its files are in out_dir")
        return self.cache

    def _dest(self, doc_id: str) -> str:
        return str(self._work / doc_id) if self._work is not None else str(self.out_dir)

    def _stem(self, doc_id: str) -> str:
        return unit_stem(self.model, doc_id, self.input.values)

    def _rendered(self, doc_id: str, paths: dict[str, str], done: int, total: int, progress: Progress | None) -> None:
        if self.cache is not None:
            self.cache.store(self.keys[doc_id], paths)
        if progress is not None:
            progress(done, total, doc_id)


def documents_that_apply(model: ContentModel, values: dict) -> list[str]:
    """The documents to render (their units: one per instance for a per-instance document, see
    dossier.docunits): a document whose `when:` is false is neither rendered nor in the sequence."""
    return units(model, values)


def render_all(source, out_dir: Path, formats=FORMATS, draft: bool = False, progress: Progress | None = None,
               cancel=None, model: ContentModel | None = None, workers: int = 1,
               cache: RenderCache | Path | None = None) -> dict[str, dict[str, Path]]:
    """Render every document into `out_dir` (see RenderJob); with a `cache`, only the documents whose
    inputs changed since they were cached are rendered."""
    job = RenderJob(source, draft=draft, formats=formats, cache=cache, out_dir=out_dir, workers=workers, model=model)
    job.start()
    return job.finish(progress, cancel)


def _ready_input(source, model: ContentModel, draft: bool, doing: str) -> RenderInput:
    """What to render from `source`, once through the readiness gate (a draft needs none)."""
    if isinstance(source, RenderInput):
        if not draft:
            texts = source.texts.get if source.texts is not None else None
            check_dossier(model, source.values, [a["name"] for a in source.attachments], texts).require_ready(doing)
        return source
    if not draft:
        source.check().require_ready(doing)
    return snapshot(source)


def _check(cancel) -> None:
    if cancel is not None and cancel.is_set():
        raise Cancelled("rendering cancelled")


def _render(inp: RenderInput, model: ContentModel, doc_id: str, dest: str, formats: tuple[str, ...],
            draft: bool) -> tuple[dict[str, str], float]:
    started = time.perf_counter()
    paths = render_document(inp, doc_id, Path(dest), formats, draft, model)
    return {fmt: str(p) for fmt, p in paths.items()}, time.perf_counter() - started


# In a worker process --------------------------------------------------------------------------------

_worker: tuple[RenderInput, ContentModel] | None = None


def _init_worker(inp: RenderInput, model: ContentModel) -> None:
    global _worker
    _worker = (inp, model)
    _end_with_parent()


def _render_in_worker(doc_id: str, dest: str, formats: tuple[str, ...], draft: bool) -> tuple[dict[str, str], float]:
    assert _worker is not None, "the pool's initializer sets it"
    inp, model = _worker
    return _render(inp, model, doc_id, dest, formats, draft)


def _end_with_parent() -> None:
    """End this worker as soon as its parent ends, however it ends. A killed build used to leave its
    workers waiting for work forever, holding the caller's output (so `dossier build … | cat` never
    finished). multiprocessing gives every child a sentinel that becomes ready when the parent is gone
    (a pipe on POSIX, the parent's process handle on Windows)."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return
    sentinel = parent.sentinel

    def watch() -> None:
        multiprocessing.connection.wait([sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="end-with-parent", daemon=True).start()
