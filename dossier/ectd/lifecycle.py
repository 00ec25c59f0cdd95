"""The lifecycle of leaves across sequences: what is live after everything submitted so far, the
operations the next sequence needs against it, and the history of each leaf.

A submitted sequence is recorded in the dossier as {file path → MD5} (a deleted leaf as path → "")
plus each leaf's heading, ID, title, content fingerprint and, for a document rendered per instance, the
keyed headings of its own that a later deletion must sit under (Dossier.record_submission and
Dossier.sequence_details keep them).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .leaf import PER_SEQUENCE_HEADINGS, STRUCTURE_FILES, Leaf, leaf_id


@dataclass(frozen=True)
class LiveLeaf:
    path: str
    seq: str            # the sequence whose file is live
    md5: str
    fingerprint: str
    heading: str
    id: str
    title: str
    kind: str
    keyed: dict[str, dict[str, str]] | None = None  # its own keyed headings (an instance's document)


def lifecycle_file(path: str) -> bool:
    """Files that are leaves with a lifecycle (not the backbones, index-md5.txt or util/)."""
    return path not in STRUCTURE_FILES and not path.startswith("util/")


def live_leaves(sequences: Iterable[Any], details: dict[str, dict]) -> dict[str, LiveLeaf]:
    """Replay submitted sequences (oldest first) into the leaves live now, by path."""
    live: dict[str, LiveLeaf] = {}
    for seq in sorted(sequences, key=lambda s: s.number):
        info = details.get(seq.number, {}).get("leaves", {})
        for path, md5 in seq.files.items():
            if not lifecycle_file(path):
                continue
            if not md5:
                live.pop(path, None)
                continue
            d = info.get(path, {})
            heading = d.get("heading", "")
            if heading in PER_SEQUENCE_HEADINGS:
                continue
            live[path] = LiveLeaf(path, seq.number, md5, d.get("fingerprint") or md5, heading,
                                  d.get("id") or leaf_id(heading, path), d.get("title") or path, d.get("kind", ""),
                                  d.get("keyed"))
    return live


def pinned_keyed(sequences: Iterable[Any], details: dict[str, dict]) -> dict[str, dict[str, str]]:
    """Keyed heading values as first submitted: they must stay identical in every later sequence."""
    keyed: dict[str, dict[str, str]] = {}
    for seq in sorted(sequences, key=lambda s: s.number):
        for heading, attrs in details.get(seq.number, {}).get("keyed", {}).items():
            keyed.setdefault(heading, attrs)
    return keyed


def apply_lifecycle(wanted: list[Leaf], live: dict[str, LiveLeaf]) -> tuple[list[Leaf], list[Leaf]]:
    """Set each wanted leaf's operation against the live ones and add deletions.

    Returns (leaves for the sequence, unchanged leaves not sent again). A leaf whose fingerprint
    matches the live one is unchanged; a different one replaces it; a live path no longer wanted
    is deleted.
    """
    planned, unchanged = [], []
    wanted_paths = set()
    for leaf in wanted:
        wanted_paths.add(leaf.path)
        old = live.get(leaf.path)
        if old is None or leaf.heading in PER_SEQUENCE_HEADINGS:
            leaf.operation = "new"
            planned.append(leaf)
        elif old.fingerprint == leaf.fingerprint or (leaf.md5 and old.md5 == leaf.md5):
            unchanged.append(leaf)
        else:
            leaf.operation, leaf.modified_seq, leaf.modified_id = "replace", old.seq, old.id
            if old.heading and old.heading != leaf.heading:
                # Same file, new heading: delete the old leaf and send this one as new.
                leaf.operation, leaf.modified_seq, leaf.modified_id = "new", None, None
                planned.append(_deletion(old))
            planned.append(leaf)
    for path, old in sorted(live.items()):
        if path not in wanted_paths:
            planned.append(_deletion(old))
    return planned, unchanged


def _deletion(old: LiveLeaf) -> Leaf:
    return Leaf(path=old.path, heading=old.heading, title=old.title, kind=old.kind or "deleted", ref="",
                fingerprint="", operation="delete", modified_seq=old.seq, modified_id=old.id, keyed=old.keyed)


def details_of(leaves: Iterable[Leaf], keyed: dict[str, dict[str, str]]) -> dict:
    """What a submitted sequence records about its leaves beyond their MD5s."""
    return {"leaves": {leaf.path: {"heading": leaf.heading, "id": leaf.id, "title": leaf.title,
                                   "fingerprint": leaf.fingerprint, "kind": leaf.kind, "operation": leaf.operation,
                                   **({"keyed": leaf.keyed} if leaf.keyed is not None else {})}
                       for leaf in leaves},
            "keyed": keyed}


def leaf_history(sequences: Iterable[Any], details: dict[str, dict]) -> list[dict]:
    """Each leaf's state in every submitted sequence: [{path, title, states: {seq: op}, live: seq|None}]."""
    sequences = sorted(sequences, key=lambda s: s.number)
    rows: dict[str, dict] = {}
    for seq in sequences:
        info = details.get(seq.number, {}).get("leaves", {})
        for path, md5 in seq.files.items():
            if not lifecycle_file(path):
                continue
            row = rows.setdefault(path, {"path": path, "title": info.get(path, {}).get("title", path),
                                         "states": {}, "live": None})
            op = info.get(path, {}).get("operation") or ("delete" if not md5 else
                                                         "replace" if row["live"] else "new")
            row["states"][seq.number] = op
            row["live"] = None if op == "delete" else seq.number
            if info.get(path, {}).get("title"):
                row["title"] = info[path]["title"]
    return sorted(rows.values(), key=lambda r: r["path"])
