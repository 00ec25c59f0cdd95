"""Building the next submission sequence of a dossier: render what changed (in parallel where it
pays), plan the leaves and their lifecycle, write into a temporary folder beside the final one,
validate, and rename it into place only when complete.

    >>> with Dossier.open("case.dossier") as dossier:
    ...     result = build_sequence(dossier, "IND654321", mark_submitted=True)
    >>> result.number, result.path, result.counts
    ('0001', PosixPath('IND654321/0001'), {'new': 19, 'append': 0, 'replace': 0, 'delete': 0})

The desktop app calls this from a worker thread: `progress(fraction, message)` reports, `cancel`
(a threading.Event) stops it with `Cancelled`, and nothing is left at the final path.
"""

from __future__ import annotations

import errno
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import standards as std
from .docunits import unit_title
from .ectd import admin, lifecycle, submitted
from .ectd.headings import ich_tree, regional_tree
from .ectd.leaf import Plan
from .ectd.plan import plan_sequence
from .ectd.validate import SequenceFinding, blocking, validate_sequence
from .ectd.wanted import Inputs, Trees
from .ectd.writer import SequenceWriter, remove_tree
from .errors import Cancelled, DossierError
from .packet import is_packet_path, refuse_mark_submitted, write_packet
from .pdfcheck import check_pdf
from .render.engine import RenderJob
from .service import Dossier
from .tempdirs import remove_stale, temp_name

Progress = Callable[[float, str], None]


@dataclass
class BuildResult:
    number: str
    path: Path
    draft: bool
    recorded: bool
    findings: list[SequenceFinding]
    counts: dict[str, int]           # operation → leaves
    unchanged: int                   # live leaves not sent again
    rendered: int                    # documents rendered now
    reused: int                      # documents taken from the render cache
    timings: dict[str, float]
    notes: list[str] = field(default_factory=list)
    word_dir: Path | None = None     # the editable DOCX files, beside the sequence
    kind: str = "sequence"           # or "packet": the expanded-access packet (dossier.packet), no eCTD

    @property
    def ok(self) -> bool:
        """No finding blocks the sequence (dossier.ectd.validate.BLOCKING)."""
        return not blocking(self.findings)

    def as_dict(self) -> dict[str, Any]:
        return {"number": self.number, "path": str(self.path), "draft": self.draft, "recorded": self.recorded,
                "ok": self.ok, "counts": self.counts, "unchanged": self.unchanged, "rendered": self.rendered,
                "reused": self.reused, "timings": self.timings, "notes": self.notes,
                "word_dir": str(self.word_dir) if self.word_dir else None,
                "kind": self.kind, "findings": [f.as_dict() for f in self.findings]}


next_number = submitted.next_number
record_submitted = submitted.record_submitted  # `dossier sequences FILE --record SEQDIR`


class _Build:
    """One build in progress (state shared by the steps of build_sequence)."""

    def __init__(self, dossier, app_dir: Path, draft: bool, progress: Progress | None, cancel, workers: int | None):
        self.dossier = dossier
        self.app_dir = app_dir
        self.draft = draft
        self._progress = progress
        self.cancel = cancel
        self.workers = workers or os.cpu_count() or 1
        self.timings: dict[str, float] = {}
        self._t = time.perf_counter()
        self.notes: list[str] = []

    def progress(self, fraction: float, message: str) -> None:
        if self._progress is not None:
            self._progress(round(min(max(fraction, 0.0), 1.0), 4), message)

    def check_cancel(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise Cancelled("the build was cancelled; nothing was written")

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = round(now - self._t, 4)
        self._t = now


def build_sequence(dossier: Dossier, app_dir, draft: bool = False, mark_submitted: bool = False,
                   progress: Progress | None = None, cancel=None, workers: int | None = None) -> BuildResult:
    """Build the open dossier's next sequence into APPDIR/NNNN and validate it (see the module docstring)."""
    if draft and mark_submitted:
        raise DossierError("a draft cannot be marked submitted; build without --draft to submit")
    started = time.perf_counter()
    build = _Build(dossier, Path(app_dir), draft, progress, cancel, workers)
    values = dossier.values()
    try:
        if is_packet_path(dossier.model, values):
            result = _run_packet(build, values, mark_submitted)
        else:
            result = _run(build, mark_submitted)
    except Cancelled as exc:
        raise Cancelled("the build was cancelled; nothing was written") from exc
    result.timings["total"] = round(time.perf_counter() - started, 4)
    return result


def _run(build: _Build, mark_submitted: bool) -> BuildResult:
    d = build.dossier
    build.progress(0.0, "Checking the dossier")
    job = RenderJob(d, draft=build.draft, cache=build.app_dir / ".cache", workers=build.workers, doing="build")
    folder = std.require()
    trees = Trees(ich_tree(folder), regional_tree(folder))
    sequences, details = d.sequences(), d.sequence_details()
    number = next_number([s.number for s in sequences])
    final = build.app_dir / number
    replaces_draft = _check_target(build.app_dir, number)
    _remove_leftovers(build)
    build.check_cancel()
    live = lifecycle.live_leaves(sequences, details)
    values = d.values()
    inputs = Inputs(model=d.model, values=values, attachment_md5={a.name: a.md5 for a in d.attachments()},
                    render_keys=job.keys, keyed=lifecycle.pinned_keyed(sequences, details), draft=build.draft)
    facts = admin.module1(d.model.roles, values, number, build.draft, build.notes)
    plan = plan_sequence(inputs, trees, number, live, facts)
    build.lap("plan")
    counts = ", ".join(f"{n} {op}" for op, n in plan.counts().items() if n)
    build.progress(0.05, f"Planned sequence {number}: {counts}")
    md5s, findings = _assemble(build, plan, trees, folder, job, [s.number for s in sequences], mark_submitted,
                               replaces_draft)
    if mark_submitted:
        submitted.record(d, plan, md5s, final)
    elif not build.draft:
        submitted.keep_pending(d, build.app_dir, plan, md5s)
    word_dir = _word_copies(build, job, number)
    _log_build(build, number, md5s["index.xml"])
    build.lap("finish")
    notes = plan.notes + build.notes + _closing_notes(build, number, final, mark_submitted, replaces_draft)
    build.progress(1.0, f"Sequence {number} written")
    return BuildResult(number=number, path=final, draft=build.draft, recorded=mark_submitted, findings=findings,
                       counts=plan.counts(), unchanged=len(plan.unchanged), rendered=job.rendered,
                       reused=job.reused, timings=build.timings, notes=notes, word_dir=word_dir)


def _run_packet(build: _Build, values: dict, mark_submitted: bool) -> BuildResult:
    """The expanded-access path: the documents and attachments as one packet (dossier.packet), no eCTD."""
    if mark_submitted:
        refuse_mark_submitted()
    build.progress(0.0, "Checking the dossier")
    job = RenderJob(build.dossier, draft=build.draft, cache=build.app_dir / ".cache", workers=build.workers,
                    doing="build")
    titles = {unit: unit_title(job.model, unit, job.input.values) for unit in job.doc_ids}
    try:
        job.start()
        files = job.finish(lambda done, total, doc_id: build.progress(0.8 * done / total, f"Rendered {titles[doc_id]}"),
                           build.cancel)
    except BaseException:
        job.abort()
        raise
    build.lap("render")
    build.progress(0.85, "Writing the packet")
    path, parts = write_packet(build.dossier, values, {u: f["pdf"] for u, f in files.items()}, build.app_dir,
                               build.draft, build.check_cancel)
    build.lap("write")
    word_dir = _word_copies(build, job, path.name)
    build.notes.append("an expanded-access packet, not an eCTD sequence: Form FDA 3926 has no form-type code this "
                       f"product has verified; send it as {path / 'README.txt'} says")
    if build.draft:
        build.notes.append("DRAFT: the documents carry a DRAFT mark; do not send this packet")
    build.progress(1.0, f"Packet {path.name} written")
    return BuildResult(number=path.name, path=path, draft=build.draft, recorded=False, findings=[],
                       counts={"documents": len(job.doc_ids), "attachments": len(parts) - len(job.doc_ids)},
                       unchanged=0, rendered=job.rendered, reused=job.reused, timings=build.timings,
                       notes=build.notes, word_dir=word_dir, kind="packet")


def _assemble(build: _Build, plan: Plan, trees: Trees, folder: Path, job: RenderJob, used: list[str],
              mark_submitted: bool, replaces_draft: bool) -> tuple[dict[str, str], list[SequenceFinding]]:
    """Render, write into a temporary folder beside the final one, validate, and rename it into place;
    on any failure or cancel nothing is left at the final path."""
    final = build.app_dir / plan.number
    temp = build.app_dir / temp_name(plan.number, "building")
    writer = _writer(build, plan, trees, folder, job, temp)
    titles = {unit: unit_title(job.model, unit, job.input.values) for unit in job.doc_ids}
    try:
        job.start()  # forks render workers (if they pay) before any thread of ours starts
        writer.start()  # attachments copy while documents render
        job.finish(lambda done, total, doc_id: build.progress(0.05 + 0.55 * done / total, f"Rendered {titles[doc_id]}"),
                   build.cancel)
        build.progress(0.6, f"Rendered {job.rendered} document(s), reused {job.reused}")
        build.lap("render")
        md5s = _finish(build, writer, plan)
        _refuse_bad_attachments(plan, temp)
        build.lap("write")
        build.progress(0.85, "Validating")
        findings = validate_sequence(temp, folder, number=plan.number, used_numbers=used, known_md5=md5s,
                                     workers=build.workers)
        build.lap("validate")
        build.check_cancel()
        blockers = blocking(findings)
        if mark_submitted and blockers:
            raise DossierError(f"sequence {plan.number} has {len(blockers)} high finding(s), so it was not written or "
                               "recorded: " + "; ".join(str(f) for f in blockers[:5]))
        _move_into_place(temp, final, replaces_draft)
    except BaseException:
        job.abort()
        writer.abort()
        remove_tree(temp)
        raise
    return md5s, findings


def _refuse_bad_attachments(plan: Plan, temp: Path) -> None:
    """Attachments FDA would refuse (not a PDF, encrypted, JavaScript, embedded files) stop the build;
    Dossier.attach refuses them too, but files can arrive by import or from older versions."""
    bad = []
    for leaf in plan.sent():
        if leaf.kind == "attachment":
            problems = check_pdf(temp / leaf.path)
            if problems:
                bad.append(f"{leaf.ref} ({leaf.title}): {'; '.join(problems)}")
    if bad:
        raise DossierError(f"{len(bad)} attachment(s) cannot go into a submission, so sequence {plan.number} was not "
                           f"written: {' | '.join(bad)}. Replace them and build again")


def _builds_log(app_dir: Path) -> Path:
    return app_dir / ".cache" / "builds.json"


def _read_log(app_dir: Path) -> dict:
    try:
        return json.loads(_builds_log(app_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _log_build(build: _Build, number: str, index_md5: str) -> None:
    """Note which folders are our drafts (a later build may replace an untouched draft)."""
    log = _read_log(build.app_dir)
    log[number] = {"draft": build.draft, "index_md5": index_md5, "built_at": time.strftime("%Y-%m-%dT%H:%M:%S")}
    path = _builds_log(build.app_dir)
    temp = path.with_name(f".builds.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp.write_text(json.dumps(log, indent=2, sort_keys=True), encoding="utf-8")
        os.replace(temp, path)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        build.notes.append(f"the build log in {path.parent} could not be written ({exc.strerror or exc})"
                           + ("; this draft will not be replaced automatically" if build.draft else ""))


def _check_target(app_dir: Path, number: str) -> bool:
    """Refuse a folder that already holds this sequence; True when it holds our untouched draft, which
    this build replaces."""
    if app_dir.exists() and not app_dir.is_dir():
        raise DossierError(f"{app_dir} is a file; give a folder for the application's sequences")
    final = app_dir / number
    if not final.exists():
        return False
    entry = _read_log(app_dir).get(number, {})
    md5_file = final / "index-md5.txt"
    if entry.get("draft") and md5_file.is_file() and \
            md5_file.read_text(errors="replace").strip() == entry.get("index_md5"):
        return True
    raise DossierError(
        f"{final} already exists and is not a draft this program wrote, so it is not overwritten. If that sequence "
        f"was submitted, record it with `dossier sequences FILE --record {final}`; otherwise move or delete the "
        "folder, then build again")


def _writer(build: _Build, plan: Plan, trees: Trees, folder: Path, job: RenderJob, temp: Path) -> SequenceWriter:
    build.app_dir.mkdir(parents=True, exist_ok=True)
    temp.mkdir()
    d = build.dossier
    sha256 = {a.name: a.sha256 for a in d.attachments()}
    return SequenceWriter(temp, plan, trees, folder, lambda doc_id: job.files(doc_id)["pdf"], d.read_attachment,
                          sha256, build.check_cancel, lambda f, m: build.progress(0.6 + 0.25 * f, m),
                          workers=min(build.workers, 4))


def _finish(build: _Build, writer: SequenceWriter, plan: Plan) -> dict[str, str]:
    try:
        return writer.finish()
    except OSError as exc:
        reason = "the disk is full" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
        raise DossierError(f"could not write sequence {plan.number} ({reason}); nothing was left at "
                           f"{build.app_dir / plan.number}") from exc


def _move_into_place(temp: Path, final: Path, replaces_draft: bool) -> None:
    old = None
    if replaces_draft and final.exists():
        old = final.with_name(temp_name(final.name, "replaced"))
        os.rename(final, old)
    if final.exists():
        raise DossierError(f"{final} appeared while building; it was not overwritten")
    os.rename(temp, final)
    if old is not None:
        remove_tree(old)


def _word_copies(build: _Build, job: RenderJob, number: str) -> Path | None:
    """The editable DOCX of every document, in APPDIR/NNNN-word (an earlier copy is kept aside)."""
    word = build.app_dir / f"{number}-word"
    temp = build.app_dir / temp_name(word.name, "building")
    try:
        job.copy_out(temp, ("docx",))
        if word.exists():
            aside = word.with_name(f"{word.name}-{time.strftime('%Y%m%d-%H%M%S')}")
            os.rename(word, aside)
            build.notes.append(f"the earlier Word copies were kept in {aside}")
        os.rename(temp, word)
    except OSError as exc:
        remove_tree(temp)
        build.notes.append(f"the Word copies could not be written ({exc.strerror or exc})")
        return None
    return word


def _remove_leftovers(build: _Build) -> None:
    """Remove the half-written folders of builds that were killed (a build that fails or is
    cancelled removes its own; one killed mid-way cannot)."""
    removed = remove_stale(build.app_dir, "building", "replaced")
    if removed:
        build.notes.append(f"removed {len(removed)} half-written folder(s) that a stopped build left in "
                           f"{build.app_dir}: {', '.join(p.name for p in removed)}")


def _closing_notes(build: _Build, number: str, final: Path, recorded: bool, replaced: bool) -> list[str]:
    notes = []
    if replaced:
        notes.append(f"replaced the earlier draft of sequence {number}")
    if build.draft:
        notes.append(f"DRAFT: written to {final} but not recorded as submitted; the documents carry a DRAFT mark")
    elif not recorded:
        notes.append(f"not recorded as submitted; once FDA has it, run `dossier sequences FILE --record {final}`")
    return notes
