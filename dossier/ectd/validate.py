"""Checking a sequence folder — ours or anyone's — as FDA's validator would, against every rule in
ECTD.md's "What validation must catch". Findings carry an FDA-like severity (high / medium / low),
the file and a message a user can act on.

    >>> findings = validate_sequence("IND123456/0002")
    >>> blocking(findings)     # high findings: FDA would reject the sequence
    []
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from .. import standards as std
from ..pdfcheck import not_pdf_leaves, pdf_findings
from .headings import ich_tree, regional_tree
from .lifecheck import History, check_keyed, check_lifecycle, check_studies
from .naming import MAX_FILE_NAME, MAX_PATH, valid_segment
from .readback import SEQUENCE_NAME, Backbone, ReadLeaf, files_in, parse_backbone, regional_path
from .regional import check_admin

SEQUENCE_SEVERITIES = ("high", "medium", "low")  # FDA's validation severities, worst first
# The one rule for which findings block a sequence (the build refuses to record it, `dossier validate`
# and the self-test fail, the desktop app says it cannot be submitted): FDA rejects a sequence with a
# high finding; medium and low findings are reported and should be fixed, but do not stop it.
BLOCKING = frozenset({"high"})
ICH_SYSTEM_ID = "util/dtd/ich-ectd-3-2.dtd"
_SECTION_NUMBER = re.compile(r"^\s*\d+(\.[0-9A-Za-z]+)+\s")


@dataclass(frozen=True)
class SequenceFinding:
    """A problem in a sequence folder (not a readiness finding about the dossier: dossier.readiness.Finding)."""

    severity: str   # high | medium | low
    file: str       # relative to the sequence folder ('' = the folder itself)
    message: str

    @property
    def blocks(self) -> bool:
        """Whether this finding stops the sequence from being submitted (see BLOCKING)."""
        return self.severity in BLOCKING

    def as_dict(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        return f"{self.severity.upper():6} {self.file or '.'}: {self.message}"


def blocking(findings: Iterable[SequenceFinding]) -> list[SequenceFinding]:
    """The findings that stop a sequence from being submitted."""
    return [f for f in findings if f.blocks]


def validate_sequence(seq_dir: str | Path, standards: Path | None = None, *, number: str | None = None,
                      used_numbers: Iterable[str] = (), known_md5: dict[str, str] | None = None,
                      workers: int | None = None) -> list[SequenceFinding]:
    """Every finding for the sequence folder `seq_dir`, most severe first.

    `number` is the sequence number when the folder is not (yet) named by it; `used_numbers` are
    numbers already submitted for the application; `known_md5` are MD5s of files just written
    (path → MD5), which are then not read again.
    """
    seq_dir = Path(seq_dir)
    folder = std.require(standards)
    number = number or seq_dir.name
    out: list[tuple[str, str, str]] = []
    if not SEQUENCE_NAME.match(number):
        out.append(("high", "", f"the folder name '{number}' is not a four-digit sequence number such as 0001"))
    if number in set(used_numbers):
        out.append(("high", "", f"sequence number {number} was already used for this application; FDA rejects a "
                                "reused number — build the next sequence"))
    files = files_in(seq_dir)
    out += _check_util(seq_dir)
    index = parse_backbone(seq_dir, "index.xml", folder)
    out += _check_backbone(index, folder, "ich-ectd-3-2.dtd", ICH_SYSTEM_ID)
    out += _check_index_md5(seq_dir, index)
    if index.tree is not None and not any(leaf.heading.startswith("m1-") and leaf.target == regional_path(index)
                                          for leaf in index.leaves):
        out.append(("high", "index.xml", "has no Module 1 leaf pointing at m1/us/us-regional.xml"))
    regional = parse_backbone(seq_dir, regional_path(index), folder)
    out += _check_backbone(regional, folder, "us-regional-v3-3.dtd", std.FDA_REGIONAL_URL)
    if regional.tree is not None:
        out += [(sev, regional.path, msg) for sev, msg in check_admin(regional.tree.getroot(), number)]
    leaves = index.leaves + regional.leaves
    md5s = checksums(seq_dir, {leaf.target for leaf in leaves if leaf.target} & set(files), known_md5, workers)
    out += _check_leaves(leaves, md5s, folder)
    out += _check_references(files, leaves, regional.path)
    out += _check_names(files)
    history = History(seq_dir, number, folder)
    out += check_lifecycle(seq_dir, number, leaves, history)
    if index.tree is not None:
        out += check_keyed(index, history)
    out += check_studies(seq_dir, number, leaves, history)
    out += _check_pdfs(seq_dir, leaves, md5s, workers)
    out += not_pdf_leaves(leaf.target for leaf in leaves if leaf.target and leaf.operation != "delete")
    findings = {SequenceFinding(*item) for item in out}
    return sorted(findings, key=lambda f: (SEQUENCE_SEVERITIES.index(f.severity), f.file, f.message))


def _check_util(seq_dir: Path) -> list[tuple[str, str, str]]:
    found = []
    for s in std.STANDARD_FILES:
        if not s.util_path:
            continue
        path = seq_dir / s.util_path
        if not path.is_file():
            found.append(("high", s.util_path, f"missing; copy the official {s.name} here"))
        elif std.md5_of(path) != s.md5:
            found.append(("high", s.util_path, f"is not the official {s.name} (MD5 differs); use the byte-exact file"))
    return found


def _check_backbone(backbone: Backbone, folder: Path, dtd_name: str, system_id: str) -> list[tuple[str, str, str]]:
    if backbone.error or backbone.tree is None:
        return [("high", backbone.path, f"{backbone.error}; every sequence needs it, well-formed")]
    found = []
    if backbone.tree.docinfo.system_url != system_id:
        found.append(("high", backbone.path, f"DOCTYPE names '{backbone.tree.docinfo.system_url}'; it must be "
                                             f"'{system_id}'"))
    dtd = std.dtd(dtd_name, folder)
    if not dtd.validate(backbone.tree):
        errors = dtd.error_log.filter_from_errors()
        for error in errors[:15]:
            found.append(("high", backbone.path, f"line {error.line}: not valid against {dtd_name}: {error.message}"))
        if len(errors) > 15:
            found.append(("high", backbone.path, f"{len(errors) - 15} more DTD errors"))
    return found


def _check_index_md5(seq_dir: Path, index: Backbone) -> list[tuple[str, str, str]]:
    md5_file = seq_dir / "index-md5.txt"
    if not md5_file.is_file():
        return [("high", "index-md5.txt", "missing; it holds the MD5 of index.xml")]
    if index.error == "missing":
        return []
    text = md5_file.read_text(encoding="ascii", errors="replace")
    actual = std.md5_of(seq_dir / "index.xml")
    if text.strip().lower() != actual:
        return [("high", "index-md5.txt", f"says {text.strip()[:40]!r} but index.xml's MD5 is {actual}; index.xml was "
                                          "changed after it was built, or the file is wrong")]
    if text != actual:
        return [("low", "index-md5.txt", "should hold the lower-case MD5 and nothing else (no spaces or newline)")]
    return []


def checksums(seq_dir: Path, paths: set[str], known: dict[str, str] | None, workers: int | None) -> dict[str, str]:
    """MD5 of each path, reading files in parallel (hashlib releases the GIL on large buffers)."""
    known = known or {}
    todo = sorted(p for p in paths if p not in known)
    with ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 2) as pool:
        computed = dict(zip(todo, pool.map(lambda p: _md5(seq_dir / p), todo), strict=True))
    return {**{p: known[p] for p in paths if p in known}, **computed}


def _md5(path: Path) -> str:
    digest = hashlib.md5()
    with open(path, "rb", buffering=0) as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _check_leaves(leaves: list[ReadLeaf], md5s: dict[str, str], folder: Path) -> list[tuple[str, str, str]]:
    found = []
    ich, regional = ich_tree(folder), regional_tree(folder)
    seen: dict[tuple[str, str], int] = {}
    for leaf in leaves:
        where = leaf.backbone
        key = (leaf.backbone, leaf.id)
        if key in seen:
            found.append(("high", where, f"leaf ID {leaf.id} is used twice (lines {seen[key]} and {leaf.line})"))
        seen[key] = leaf.line
        found += _check_leaf_file(leaf, md5s)
        if not leaf.title:
            found.append(("medium", where, f"leaf {leaf.id} has no title"))
        elif len(leaf.title) > 512:
            found.append(("low", where, f"leaf {leaf.id}: title is {len(leaf.title)} characters; FDA allows 512"))
        elif _SECTION_NUMBER.match(leaf.title):
            found.append(("low", where, f"leaf {leaf.id}: title '{leaf.title[:40]}' starts with a section number; "
                                        "leave it out"))
        if leaf.in_node_extension:
            found.append(("low", where, f"leaf {leaf.id} sits in a node-extension, which FDA does not use"))
        tree = regional if leaf.backbone != "index.xml" else ich
        heading = tree.headings.get(leaf.heading)
        if heading is not None and not heading.lowest:
            found.append(("low", where, f"leaf '{leaf.title}' sits at {leaf.heading}, which has subheadings; place "
                                        "documents at the lowest heading"))
    return found


def _check_leaf_file(leaf: ReadLeaf, md5s: dict[str, str]) -> list[tuple[str, str, str]]:
    where = leaf.backbone
    if leaf.operation == "delete":
        problems = []
        if leaf.href:
            problems.append(("medium", where, f"leaf {leaf.id} deletes but still points at {leaf.href}"))
        if leaf.checksum:
            problems.append(("low", where, f"leaf {leaf.id} deletes but has a checksum; leave it empty"))
        return problems
    if not leaf.href:
        return [("high", where, f"leaf {leaf.id} ({leaf.operation}) points at no file")]
    if leaf.target == "":
        return [("high", where, f"leaf {leaf.id} points outside the sequence ({leaf.href}); use a relative path "
                                "inside it")]
    if leaf.target not in md5s:
        return [("high", where, f"leaf {leaf.id} points at {leaf.href}, which is missing")]
    problems = []
    if leaf.checksum_type.lower() != "md5":
        problems.append(("medium", where, f"leaf {leaf.id}: checksum-type is '{leaf.checksum_type}'; use md5"))
    if leaf.checksum != md5s[leaf.target]:
        problems.append(("high", leaf.target, f"MD5 is {md5s[leaf.target]} but {where} says "
                                              f"{leaf.checksum or '(none)'}; the file changed after the sequence "
                                              "was built"))
    return problems


def _check_references(files: list[str], leaves: list[ReadLeaf], regional: str) -> list[tuple[str, str, str]]:
    referenced = {leaf.target for leaf in leaves if leaf.target and leaf.operation != "delete"}
    found = []
    for path in files:
        if path in referenced or path in ("index.xml", "index-md5.txt", regional) or path.startswith("util/"):
            continue
        if re.match(r"^m[1-5]/", path):
            found.append(("medium", path, "no leaf references this file; add a leaf for it or remove it"))
        else:
            found.append(("low", path, "is outside the eCTD structure (m1–m5, util); remove it"))
    return found


def _check_names(files: list[str]) -> list[tuple[str, str, str]]:
    found = []
    for path in files:
        bad = [s for s in path.split("/") if not valid_segment(s)]
        if bad:
            found.append(("medium", path, f"'{bad[0]}' breaks the naming rules (lower-case letters, digits, hyphens, "
                                          "one extension)"))
        name = path.rsplit("/", 1)[-1]
        if len(name) > MAX_FILE_NAME:
            found.append(("medium", path, f"file name is {len(name)} characters; at most {MAX_FILE_NAME}"))
        if len(path) > MAX_PATH:
            found.append(("medium", path, f"path is {len(path)} characters; FDA allows {MAX_PATH}"))
    return found


def _check_pdfs(seq_dir: Path, leaves: list[ReadLeaf], md5s: dict[str, str],
                workers: int | None) -> list[tuple[str, str, str]]:
    pdfs = sorted({leaf.target for leaf in leaves if leaf.target in md5s and leaf.target.lower().endswith(".pdf")
                   and leaf.operation != "delete"})
    with ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 2) as pool:
        results = pool.map(lambda p: pdf_findings(seq_dir / p), pdfs)
        return [(sev, path, msg) for path, found in zip(pdfs, results, strict=True) for sev, msg in found]
