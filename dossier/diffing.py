"""What differs between two copies of a dossier (`dossier diff A B`), field by field: a value as
old -> new, a table by row, an attachment by its content hash, the title, submitted sequences.

Rows of a table are matched by their key (`Field.row_key`: the model's `key:` columns, else the first
required column), so a row changed in place shows its cells, and rows added or removed show as such;
rows with the same key are matched in the order they come. The history is not compared: two copies
with the same content are equal however they got there.

>>> [d.text() for d in diff(read_snapshot("a.dossier"), read_snapshot("b"), model)]
["area.section.table: row batch='B-2' scale: '1 g' -> '2 g'", "attachment coa.pdf: added (…)"]
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

from .changes import cell_changes, row_text, value_text
from .errors import DossierError
from .fieldpath import FieldPath
from .model import ContentModel, Field, Repeat
from .repeats import instance_key, instances
from .snapshot import AttachmentCopy, Snapshot

RowKey = tuple[tuple[str, ...], int]  # the key columns' values (as JSON), and which row of that key


@dataclass(frozen=True)
class Difference:
    """One difference: `kind` is title, field, row, order, attachment or sequence; `change` is added,
    removed or changed (A -> B)."""
    kind: str
    path: str
    change: str
    old: Any = None
    new: Any = None
    row: str = ""  # a table row's key in words (batch='B-2')
    details: tuple[str, ...] = ()

    def text(self) -> str:
        where = f"{self.path}: row {self.row}" if self.row else self.path
        return f"{where} {'; '.join(self.details)}" if self.kind == "row" else f"{where}: {'; '.join(self.details)}"

    def as_dict(self) -> dict[str, Any]:
        data = {"kind": self.kind, "path": self.path, "change": self.change, "old": self.old, "new": self.new}
        return {**data, "row": self.row} if self.row else data


def row_keys(field: Field, rows: list[dict] | None) -> dict[RowKey, dict]:
    """The rows of a table by their key, in table order; the n-th row of one key is (key, n)."""
    keyed: dict[RowKey, dict] = {}
    seen: dict[tuple[str, ...], int] = {}
    for row in rows or []:
        key = tuple(json.dumps(row.get(c), sort_keys=True, ensure_ascii=False) for c in field.row_key)
        keyed[(key, seen.get(key, 0))] = row
        seen[key] = seen.get(key, 0) + 1
    return keyed


@dataclass(frozen=True)
class Named:
    """A copy's values with the instances of each repeat by name, not position: `outside` holds the values
    of no repeat; `repeats[repeat id][instance name]` an instance's values under the model's paths."""
    outside: dict[str, Any]
    repeats: dict[str, dict[str, dict[str, Any]]]


def by_name(model: ContentModel, values: dict[str, Any], copy: str) -> Named:
    """`values` with each repeat's instances keyed by name (instances are matched by name, so two of one
    name in one copy are refused, naming the copy)."""
    repeats: dict[str, dict[str, dict[str, Any]]] = {}
    names: dict[tuple[str, int], str] = {}
    for repeat in model.repeats.values():
        listed = instances(model, values, repeat.id)
        for i, name in enumerate(listed):
            if listed.index(name) != i:
                raise DossierError(f"{copy} has two {repeat.label.lower()} instances named '{name}' "
                                   f"([{listed.index(name)}] and [{i}]); instances are matched by name, so rename "
                                   "one in that copy and try again")
            names[(repeat.id, i)] = name
        repeats[repeat.id] = {name: {} for name in listed}
    outside = {}
    for path, value in values.items():
        where = FieldPath.match(path)
        held = model.repeat_of(path) if where is not None and where.instance is not None else None
        if held is None or where is None or where.instance is None:
            outside[path] = value
        elif (held.id, where.instance) in names:  # a value of no instance (its name empty) is no part of it
            repeats[held.id][names[(held.id, where.instance)]][str(where.in_instance(None))] = value
    return Named(outside, repeats)


def key_text(field: Field, key: RowKey, row: dict) -> str:
    """A row's key in words, as a user would point at the row: batch='B-2' (a second row with it: (2nd))."""
    parts = [f"{c}={value_text(field.column(c), row.get(c))}" for c in field.row_key]
    return ", ".join(parts) + (f" ({_ordinal(key[1] + 1)})" if key[1] else "")


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def diff(a: Snapshot, b: Snapshot, model: ContentModel) -> list[Difference]:
    """Every difference from `a` to `b`, in model order (title first, attachments and sequences last)."""
    found: list[Difference] = []
    if a.title != b.title:
        found.append(Difference("title", "title", "changed", a.title, b.title,
                                details=(f"{value_text(None, a.title)} -> {value_text(None, b.title)}",)))
    named_a, named_b = by_name(model, a.values, "A"), by_name(model, b.values, "B")
    found += diff_values(model, named_a.outside, named_b.outside)
    for repeat_id, repeat in model.repeats.items():
        found += _diff_instances(model, repeat, named_a.repeats[repeat_id], named_b.repeats[repeat_id])
    found += diff_attachments(a.attachments, b.attachments)
    found += _diff_sequences(a, b)
    return found


def _diff_instances(model: ContentModel, repeat: Repeat, old: dict[str, dict],
                    new: dict[str, dict]) -> list[Difference]:
    """A repeat's instances matched by name: added, removed, their values, and their order."""
    found: list[Difference] = []
    for name in dict.fromkeys([*old, *new]):
        at = list(new).index(name) if name in new else list(old).index(name)
        label = f"{repeat.label.lower()} '{name}'"
        if name not in old:
            found.append(Difference("instance", instance_key(repeat.name, at), "added", None, name,
                                    details=(f"{label} added",)))
        elif name not in new:
            found.append(Difference("instance", instance_key(repeat.name, at), "removed", name, None,
                                    details=(f"{label} removed",)))
        found += diff_values(model, old.get(name, {}), new.get(name, {}), at, label)
    if [n for n in old if n in new] != [n for n in new if n in old]:
        found.append(Difference("order", repeat.id, "changed", list(old), list(new),
                                details=(f"{repeat.label.lower()} instances in another order",)))
    return found


def diff_values(model: ContentModel, a: dict[str, Any], b: dict[str, Any], instance: int | None = None,
                label: str = "") -> list[Difference]:
    """Value by value (model paths; in `instance`, shown at its path there and named by `label`)."""
    found: list[Difference] = []
    for path in _paths(model, a, b):
        old, new = a.get(path), b.get(path)
        if old == new:
            continue
        field = model.fields.get(path)
        shown = path if instance is None else instance_key(path, instance)
        if field is not None and field.type == "table":
            found += diff_table(field, old, new, shown)
        else:
            change = "added" if old is None else "removed" if new is None else "changed"
            found.append(Difference("field", shown, change, old, new,
                                    details=(f"{value_text(field, old)} -> {value_text(field, new)}",)))
    if label:
        found = [replace(d, details=(*d.details[:-1], f"{d.details[-1]} (in {label})")) for d in found]
    return found


def _paths(model: ContentModel, *values: dict[str, Any]) -> list[str]:
    """Every path either copy holds, the model's fields in model order first."""
    held = {p for v in values for p in v}
    ordered = [p for p in model.fields if p in held]
    return ordered + sorted(held - set(ordered))


def diff_table(field: Field, old: list[dict] | None, new: list[dict] | None, path: str) -> list[Difference]:
    """A table's rows, matched by key: changed in place (their cells), removed, added; and, when the same
    rows come in another order, that."""
    before, after = row_keys(field, old), row_keys(field, new)
    found: list[Difference] = []
    for key, row in after.items():
        if key not in before:
            found.append(Difference("row", path, "added", None, row, key_text(field, key, row),
                                    (f"added: {row_text(field, row)}",)))
        elif before[key] != row:
            found.append(Difference("row", path, "changed", before[key], row, key_text(field, key, row),
                                    tuple(cell_changes(field, before[key], row))))
    for key, row in before.items():
        if key not in after:
            found.append(Difference("row", path, "removed", row, None, key_text(field, key, row),
                                    (f"removed: {row_text(field, row)}",)))
    common_before = [k for k in before if k in after]
    common_after = [k for k in after if k in before]
    if common_before != common_after:
        found.append(Difference("order", path, "changed", [before[k] for k in common_before],
                                [after[k] for k in common_after], details=("rows in another order",)))
    return found


def attachment_text(a: AttachmentCopy) -> str:
    return f"{a.size} bytes, sha256 {a.sha256[:12]}…"


def diff_attachments(old: dict[str, AttachmentCopy], new: dict[str, AttachmentCopy]) -> list[Difference]:
    """Attachments by name, compared by content hash (SHA-256)."""
    found = []
    for name in sorted(set(old) | set(new)):
        a, b = old.get(name), new.get(name)
        summary = {k: getattr(x, k) for x in (a, b) if x is not None for k in ("sha256", "size")}
        if a is None and b is not None:
            found.append(Difference("attachment", f"attachment:{name}", "added", None, summary,
                                    details=(f"added ({attachment_text(b)})",)))
        elif b is None and a is not None:
            found.append(Difference("attachment", f"attachment:{name}", "removed", summary, None,
                                    details=(f"removed ({attachment_text(a)})",)))
        elif a is not None and b is not None and a.sha256 != b.sha256:
            found.append(Difference("attachment", f"attachment:{name}", "changed",
                                    {"sha256": a.sha256, "size": a.size}, {"sha256": b.sha256, "size": b.size},
                                    details=(f"other content ({attachment_text(a)} -> {attachment_text(b)})",)))
    return found


def _diff_sequences(a: Snapshot, b: Snapshot) -> list[Difference]:
    """Submitted sequences; a text form holds none, so a folder is not compared on them."""
    if a.is_folder or b.is_folder:
        return []
    found = []
    for number in sorted(set(a.sequences) | set(b.sequences)):
        x, y = a.sequences.get(number), b.sequences.get(number)
        if x is None or y is None:
            found.append(Difference("sequence", f"sequence:{number}", "added" if x is None else "removed",
                                    details=(f"recorded as submitted only in {'B' if x is None else 'A'}",)))
        elif (x.files, x.details) != (y.files, y.details):
            found.append(Difference("sequence", f"sequence:{number}", "changed",
                                    details=("recorded with other files on each side",)))
    return found
