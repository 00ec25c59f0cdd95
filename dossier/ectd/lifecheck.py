"""Checks across sequences: lifecycle targets (modified-file), keyed heading attributes that must
not change, and study tagging files covering every study report.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

from .readback import Backbone, ReadLeaf, earlier_sequences, parse_backbone, regional_path
from .stf import needs_stf, stf_references

Found = list[tuple[str, str, str]]  # (severity, file, message)
_TARGET = re.compile(r"^(?P<seq>\d{4})/(?P<backbone>.+)$")


class History:
    """The earlier sequences beside the one being checked, parsed on demand."""

    def __init__(self, seq_dir: Path, number: str, folder: Path | None):
        self.app = seq_dir.parent
        self.number = number
        self.folder = folder
        self.numbers = [p.name for p in earlier_sequences(seq_dir, number)]
        self._cache: dict[tuple[str, str], Backbone] = {}

    def backbone(self, seq: str, relpath: str) -> Backbone:
        key = (seq, relpath)
        if key not in self._cache:
            self._cache[key] = parse_backbone(self.app / seq, relpath, self.folder)
        return self._cache[key]

    def all_leaves(self, seq: str) -> list[tuple[str, ReadLeaf]]:
        index = self.backbone(seq, "index.xml")
        regional = self.backbone(seq, regional_path(index))
        return [(b.path, leaf) for b in (index, regional) for leaf in b.leaves]


def target_of(number: str, leaf: ReadLeaf) -> tuple[str, str, str] | None:
    """(sequence, backbone path, leaf ID) a modified-file points at, or None when unreadable."""
    path, _, leaf_id = leaf.modified_file.partition("#")
    joined = posixpath.normpath(posixpath.join(number, posixpath.dirname(leaf.backbone), path))
    match = _TARGET.match(joined)
    if not match or not leaf_id:
        return None
    return match["seq"], match["backbone"], leaf_id


def check_lifecycle(seq_dir: Path, number: str, leaves: list[ReadLeaf], history: History) -> Found:
    found: Found = []
    targets: dict[tuple, str] = {}
    for leaf in leaves:
        where = leaf.backbone
        if leaf.operation in ("replace", "append", "delete") and not leaf.modified_file:
            found.append(("high", where, f"leaf {leaf.id} ({leaf.operation}) has no modified-file; say which "
                                         "earlier leaf it changes"))
            continue
        if not leaf.modified_file:
            continue
        if leaf.operation == "new":
            found.append(("medium", where, f"leaf {leaf.id} is 'new' but names a modified-file"))
        target = target_of(number, leaf)
        if target is None:
            found.append(("high", where, f"leaf {leaf.id}: modified-file '{leaf.modified_file}' is not of the form "
                                         "../NNNN/index.xml#ID"))
            continue
        seq, _, _ = target
        if seq >= number:
            found.append(("high", where, f"leaf {leaf.id} modifies a leaf of sequence {seq}, not an earlier one "
                                         "(circular lifecycle)"))
            continue
        if target in targets:
            found.append(("high", where, f"leaves {targets[target]} and {leaf.id} both modify {leaf.modified_file}"))
        targets[target] = leaf.id
        found += _check_target(leaf, target, history)
    return found


def _check_target(leaf: ReadLeaf, target: tuple[str, str, str], history: History) -> Found:
    seq, backbone, leaf_id = target
    where = leaf.backbone
    if seq not in history.numbers:
        return [("low", where, f"leaf {leaf.id} modifies sequence {seq}, which is not beside this one, so the "
                               "target could not be checked; keep every sequence of the application in one folder")]
    earlier = history.backbone(seq, backbone)
    if earlier.error:
        return [("high", where, f"leaf {leaf.id} modifies {seq}/{backbone}, which is {earlier.error}")]
    match = [old for old in earlier.leaves if old.id == leaf_id]
    if not match:
        return [("high", where, f"leaf {leaf.id}: {seq}/{backbone} has no leaf with ID {leaf_id}")]
    if match[0].operation == "delete":
        return [("high", where, f"leaf {leaf.id} modifies {leaf_id} in {seq}, which is itself a deletion")]
    for later in history.numbers:
        if later <= seq:
            continue
        for _, other in history.all_leaves(later):
            if other.operation in ("replace", "delete") and target_of(later, other) == target:
                return [("high", where, f"leaf {leaf.id} modifies {leaf_id} of {seq}, but sequence {later} already "
                                        f"{other.operation}d it; point at the live leaf instead")]
    return []


def check_keyed(index: Backbone, history: History) -> Found:
    """Keyed heading attributes must be identical to those of earlier sequences: a heading element with
    values no earlier sequence used may only bring new leaves (a drug substance added, under its own
    keyed heading); one that changes leaves sent before must carry the values they were sent under."""
    found: Found = []
    for heading, values in index.keyed.items():
        for seq in history.numbers:
            earlier = history.backbone(seq, "index.xml").keyed.get(heading)
            changing = {v for v in values - (earlier or set())
                        if index.keyed_operations.get((heading, v), set()) - {"new"}}
            if earlier and changing:
                now = "; ".join(", ".join(f"{a}={v!r}" for a, v in t) for t in sorted(changing))
                then = "; ".join(", ".join(f"{a}={v!r}" for a, v in t) for t in sorted(earlier))
                found.append(("medium", "index.xml", f"{heading} has {now}, but sequence {seq} used {then}; keyed "
                                                     "attributes must stay identical in every sequence"))
                break
    return found


def check_studies(seq_dir: Path, number: str, leaves: list[ReadLeaf], history: History) -> Found:
    """Every study report under 4.2.x or 5.3.1–5.3.5 is listed by a study tagging file."""
    found: Found = []
    covered: set[tuple[str, str]] = set()
    stf_targets: set[str] = set()
    sources = [(number, seq_dir, leaf) for leaf in leaves]
    for seq in history.numbers:
        sources += [(seq, history.app / seq, leaf) for _, leaf in history.all_leaves(seq)]
    for seq, folder, leaf in sources:
        if not (leaf.target and leaf.target.endswith(".xml") and needs_stf(leaf.heading)):
            continue
        path = folder / leaf.target
        if not path.is_file():
            continue
        study, hrefs = stf_references(path.read_bytes())
        if study is None:
            continue
        if seq == number:
            stf_targets.add(leaf.target)
        for href in hrefs:
            ref_path, _, ref_id = href.partition("#")
            joined = posixpath.normpath(posixpath.join(seq, posixpath.dirname(leaf.target), ref_path))
            match = _TARGET.match(joined)
            if match:
                covered.add((match["seq"], ref_id))
            elif seq == number:
                found.append(("medium", leaf.target, f"study tagging file reference '{href}' does not point at an "
                                                     "index.xml leaf"))
    ids_now = {leaf.id for leaf in leaves}
    for seq, ref_id in sorted(covered):
        if seq == number and ref_id not in ids_now:
            found.append(("medium", "index.xml", f"a study tagging file lists leaf {ref_id}, which index.xml lacks"))
    for leaf in leaves:
        if leaf.operation == "delete" or not needs_stf(leaf.heading) or leaf.target in stf_targets:
            continue
        if (number, leaf.id) not in covered:
            found.append(("medium", leaf.target or leaf.backbone,
                          f"'{leaf.title}' is a study report in {leaf.heading} that no study tagging file lists; "
                          "FDA files it under 'unassigned'"))
    return found
