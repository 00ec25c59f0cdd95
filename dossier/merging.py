"""Three-way merge of two copies of a dossier that started from a common one (`dossier merge BASE OURS
THEIRS`): field by field, table rows by their key, attachments by name and content hash, the histories
combined. A part changed on one side only takes that side's change; changed alike on both, it is kept
once; changed differently on both, it is a Conflict, listed with the three values, and nothing is
written: a merge never picks a side by itself.

Values merge by type: a table row by row (rows changed on both sides cell by cell), a person key by
key, a multiple choice, HPO terms and a multiple attachment field as sets (what either side added
stays, what either removed goes); everything else as one value.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from .diffing import Named, RowKey, by_name, key_text, row_keys
from .errors import DossierError, FieldError
from .fieldpath import base_path, cell_path
from .fieldtypes import coerce, is_filled
from .model import Column, ContentModel, Field
from .readiness import dangling_attachments
from .records import AuditEntry
from .repeats import instance_key
from .snapshot import AttachmentCopy, Snapshot
from .upgrade import UPGRADE_ENTRY

_SET_TYPES = {"multichoice", "hpo"}


class UnrelatedDossiersError(DossierError):
    """The copies given to a merge are not copies of one dossier, or BASE is not where both started."""


@dataclass(frozen=True)
class Conflict:
    """A part both sides changed differently (`what` says how), with its value in each copy."""
    path: str
    what: str
    base: Any
    ours: Any
    theirs: Any
    spec: Field | Column | None = None  # how the values are shown

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "what": self.what, "base": self.base, "ours": self.ours, "theirs": self.theirs}


BOTH_CHANGED = object()


def pick(base: Any, ours: Any, theirs: Any) -> Any:
    """The three-way choice: the side that changed, or the value both agree on; BOTH_CHANGED when both
    changed it differently."""
    if ours == theirs or theirs == base:
        return ours
    if ours == base:
        return theirs
    return BOTH_CHANGED


class Merger:
    """Collects the merged values and every conflict met on the way."""

    def __init__(self, model: ContentModel):
        self.model = model
        self.conflicts: list[Conflict] = []
        self.inside = ""  # the repeat instance being merged, in words, for its conflicts

    def conflict(self, path: str, what: str, b: Any, o: Any, t: Any, spec: Field | Column | None = None) -> None:
        self.conflicts.append(Conflict(path, f"{what}{self.inside}", b, o, t, spec))

    def values(self, base: dict[str, Any], ours: dict[str, Any], theirs: dict[str, Any]) -> dict[str, Any]:
        """Path → merged value, in model order; an empty result leaves the path out."""
        paths = [p for p in self.model.fields if p in base or p in ours or p in theirs]
        paths += sorted((set(base) | set(ours) | set(theirs)) - set(paths))
        merged: dict[str, Any] = {}
        for path in paths:
            value = self.value(path, base.get(path), ours.get(path), theirs.get(path))
            if is_filled(value):
                merged[path] = value
        return merged

    def value(self, path: str, b: Any, o: Any, t: Any) -> Any:
        chosen = pick(b, o, t)
        if chosen is not BOTH_CHANGED:
            return chosen
        field = self.model.fields.get(base_path(path))  # an instance's path (a.s[1].f) is of the field a.s.f
        merged = self._combined(field, path, b, o, t) if field is not None else BOTH_CHANGED
        if merged is BOTH_CHANGED or field is None:
            what = "changed differently on both sides" if o is not None and t is not None else \
                "emptied on one side, changed on the other"
            self.conflict(path, what, b, o, t, field)
            return o
        return self._normalised(field, path, merged, b, o, t)

    def _combined(self, field: Field, path: str, b: Any, o: Any, t: Any) -> Any:
        """Both sides' changes of a value made of parts (rows, keys, items); BOTH_CHANGED for one of a single part."""
        if field.type == "table":
            return self.table(field, path, b, o or [], t or [])
        if field.type in _SET_TYPES or (field.type == "attachment" and field.multiple):
            by = (lambda term: term.get("id")) if field.type == "hpo" else (lambda item: item)
            return merge_set(b, o or [], t or [], by)
        if field.type == "person":
            return self.mapping(path, b or {}, o or {}, t or {})
        return BOTH_CHANGED

    def _normalised(self, field: Field, path: str, merged: Any, b: Any, o: Any, t: Any) -> Any:
        """A value combined from both sides is checked as any entered value is (and put in model order)."""
        try:
            return coerce(field, merged) if is_filled(merged) else None
        except FieldError as exc:
            self.conflict(path, f"the two sides' changes together do not fit: {exc.problem}", b, o, t, field)
            return o

    def mapping(self, path: str, b: dict, o: dict, t: dict) -> dict:
        merged = {}
        for key in dict.fromkeys([*o, *t, *b]):
            chosen = pick(b.get(key), o.get(key), t.get(key))
            if chosen is BOTH_CHANGED:
                self.conflict(f"{path}.{key}", "changed differently on both sides", b.get(key), o.get(key), t.get(key))
                chosen = o.get(key)
            if is_filled(chosen):
                merged[key] = chosen
        return merged

    def table(self, field: Field, path: str, b: list | None, o: list, t: list) -> list[dict]:
        """Rows matched by key: each row three-way, a row changed on both sides cell by cell."""
        rows_b, rows_o, rows_t = row_keys(field, b), row_keys(field, o), row_keys(field, t)
        kept: dict[RowKey, dict] = {}
        for key in dict.fromkeys([*rows_o, *rows_t, *rows_b]):
            rb, ro, rt = rows_b.get(key), rows_o.get(key), rows_t.get(key)
            row = pick(rb, ro, rt)
            if row is BOTH_CHANGED:
                row = self._row(field, path, key, rb, ro, rt, list(rows_o).index(key) if ro else None)
            if row:
                kept[key] = row
        order = merged_order(list(rows_b), list(rows_o), list(rows_t), kept)
        if order is None:
            self.conflict(path, "rows put in a different order on each side", b, o, t, field)
            order = [k for k in rows_o if k in kept] + [k for k in kept if k not in rows_o]
        return [kept[k] for k in order]

    def _row(self, field: Field, path: str, key: RowKey, rb: dict | None, ro: dict | None, rt: dict | None,
             index: int | None) -> dict | None:
        where = f"{path}[{index if index is not None else '?'}]"
        named = key_text(field, key, ro or rt or rb or {})
        if ro is None or rt is None:
            self.conflict(f"{where} ({named})", "row removed on one side, changed on the other", rb, ro, rt, field)
            return ro
        merged, rb = {}, rb or {}
        for column in field.columns:
            c = column.id
            chosen = pick(rb.get(c), ro.get(c), rt.get(c))
            if chosen is BOTH_CHANGED:
                self.conflict(f"{cell_path(path, index or 0, c)} ({named})", "cell changed differently on both sides",
                              rb.get(c), ro.get(c), rt.get(c), column)
                chosen = ro.get(c)
            if is_filled(chosen):
                merged[c] = chosen
        return merged


def merge_instances(m: Merger, b: Named, o: Named, t: Named) -> dict[str, Any]:
    """Each repeat's instances matched by name: one added or removed on one side is added or removed; one
    kept on both merges value by value; the instances numbered afresh in the merged order."""
    merged: dict[str, Any] = {}
    for repeat_id, repeat in m.model.repeats.items():
        base, ours, theirs = b.repeats[repeat_id], o.repeats[repeat_id], t.repeats[repeat_id]
        kept: dict[str, dict[str, Any]] = {}
        for name in dict.fromkeys([*ours, *theirs, *base]):
            chosen = pick(base.get(name), ours.get(name), theirs.get(name))
            if chosen is BOTH_CHANGED and (name not in ours or name not in theirs):
                m.conflict(f"{repeat.label.lower()} '{name}'", "removed on one side, changed on the other",
                           name, ours.get(name) and name, theirs.get(name) and name)
                chosen = ours.get(name)
            elif chosen is BOTH_CHANGED:
                at, m.inside = list(ours).index(name), f" (in {repeat.label.lower()} '{name}')"
                chosen = {p: v for p in dict.fromkeys([*ours[name], *theirs[name], *base.get(name, {})])
                          if is_filled(v := m.value(instance_key(p, at), base.get(name, {}).get(p),
                                                    ours[name].get(p), theirs[name].get(p)))}
            m.inside = ""
            if chosen is not None:
                kept[name] = chosen
        order = merged_order(list(base), list(ours), list(theirs), kept)
        if order is None:
            m.conflict(repeat.id, f"{repeat.label.lower()} instances put in a different order on each side",
                       list(base), list(ours), list(theirs))
            order = list(kept)
        merged.update({instance_key(p, i): v for i, name in enumerate(order) for p, v in kept[name].items()})
    return merged


def merge_set(b: list | None, o: list, t: list, key: Callable[[Any], Hashable]) -> list:
    """Items either side added stay, items either side removed go; ours' order, then theirs' additions."""
    in_b, in_o, in_t = ({key(x) for x in v or []} for v in (b, o, t))
    gone = (in_b - in_o) | (in_b - in_t)
    return [x for x in o if key(x) not in gone] + [x for x in t if key(x) not in in_o and key(x) not in gone]


def merged_order(b: list, o: list, t: list, kept: dict) -> list | None:
    """The order of the kept rows: a side that reordered the rows it shares with BASE sets the order (None
    when both did, differently); rows the other side added come before the row they came before there,
    or last when they were last."""
    def common(seq: list, other: list) -> list:
        return [k for k in seq if k in other and k in kept]

    o_moved, t_moved = common(o, b) != common(b, o), common(t, b) != common(b, t)
    if o_moved and t_moved and common(o, t) != common(t, o):
        return None
    skeleton, extra = (t, o) if t_moved and not o_moved else (o, t)
    order = [k for k in skeleton if k in kept]
    placed = set(order)
    following: Any = None  # walking backwards: the next row of `extra` that is already placed
    for k in reversed(extra):
        if k in placed:
            following = k
        elif k in kept:
            order.insert(order.index(following) if following is not None else len(order), k)
            placed.add(k)
            following = k
    return order + [k for k in kept if k not in placed]


def entry_key(e: AuditEntry) -> tuple:
    return (e.at, e.who, e.field, json.dumps(e.old, sort_keys=True), json.dumps(e.new, sort_keys=True))


def combine_history(b: list[AuditEntry] | None, o: list[AuditEntry] | None,
                    t: list[AuditEntry] | None) -> list[AuditEntry] | None:
    """Both sides' audit entries, each once, in time order (entries of one time in the order ours had
    them). An entry of BASE that one side no longer has was purged there, so it stays out."""
    sides = [s for s in (o, t) if s is not None]
    if not sides:
        return None
    held = [{entry_key(e) for e in s} for s in sides]
    purged = {entry_key(e) for e in b or [] if any(entry_key(e) not in h for h in held)}
    seen: set[tuple] = set()
    combined = []
    for e in (e for s in sides for e in s):
        key = entry_key(e)
        if key not in seen and key not in purged:
            seen.add(key)
            combined.append(e)
    return sorted(combined, key=lambda e: e.at)


@dataclass(frozen=True)
class MergeResult:
    merged: Snapshot | None  # None when there are conflicts: then nothing may be written
    conflicts: list[Conflict]


def merge(base: Snapshot, ours: Snapshot, theirs: Snapshot, model: ContentModel) -> MergeResult:
    """Three-way merge of two copies of one dossier; UnrelatedDossiersError when they are not (see
    check_related). The result is complete, or absent with every conflict listed."""
    check_related(base, ours, theirs)
    m = Merger(model)
    title = pick(base.title, ours.title, theirs.title)
    if title is BOTH_CHANGED:
        m.conflict("title", "changed differently on both sides", base.title, ours.title, theirs.title)
    named = [by_name(model, s.values, role) for s, role in ((base, "BASE"), (ours, "OURS"), (theirs, "THEIRS"))]
    values = {**m.values(*(n.outside for n in named)), **merge_instances(m, *named)}
    attachments = merge_attachments(m, base.attachments, ours.attachments, theirs.attachments)
    for finding in dangling_attachments(model, values, set(attachments)):
        m.conflict(finding.field, f"{finding.message.split(';')[0]}: one side removed it, the other refers to it",
                   None, None, None)
    sequences = dict(ours.sequences)
    for number, seq in theirs.sequences.items():
        mine = sequences.setdefault(number, seq)
        if (mine.files, mine.details) != (seq.files, seq.details):
            m.conflict(f"sequence:{number}", "recorded as submitted with other files on each side", None,
                       mine.submitted_at, seq.submitted_at)
    if m.conflicts:
        return MergeResult(None, m.conflicts)
    created = ours.created or theirs.created or base.created
    history = combine_history(base.history, ours.history, theirs.history)
    return MergeResult(Snapshot(ours.where, ours.title if title is BOTH_CHANGED else title, created, values,
                                attachments, history, sequences), [])


def merge_attachments(m: Merger, b: dict[str, AttachmentCopy], o: dict[str, AttachmentCopy],
                 t: dict[str, AttachmentCopy]) -> dict[str, AttachmentCopy]:
    """By name, compared by content hash: one stored on one side only stays, one removed goes."""
    merged = {}
    for name in sorted(set(b) | set(o) | set(t)):
        hashes = [x[name].sha256 if name in x else None for x in (b, o, t)]
        chosen = pick(*hashes)
        if chosen is BOTH_CHANGED:
            what = "stored with other content on each side" if hashes[1] and hashes[2] else \
                "removed on one side, stored with other content on the other"
            shown = [f"sha256 {h[:12]}…" if h else None for h in hashes]
            m.conflict(f"attachment:{name}", what, shown[0], shown[1], shown[2])
        elif chosen is not None:
            merged[name] = o[name] if name in o and o[name].sha256 == chosen else t[name]
    return merged


def check_related(base: Snapshot, ours: Snapshot, theirs: Snapshot) -> None:
    """Refuse copies that are not of one dossier (their identities, when and by whom it was made,
    differ), copies exported with and without protected health information (a value left out would read
    as removed), and a BASE that is not where both sides started (its history is not in theirs)."""
    copies = {"BASE": base, "OURS": ours, "THEIRS": theirs}
    known = {role: s.created for role, s in copies.items() if s.created}
    if len(set(known.values())) > 1:
        made = "; ".join(f"{role} ({copies[role].where.name}) was made {at} by {who}"
                         for role, (at, who) in known.items())
        raise UnrelatedDossiersError(f"these are not copies of one dossier: {made}. A merge combines copies of one "
                                     "dossier (exported, imported or copied from it); to bring parts of another "
                                     "dossier over, set them with `dossier set FILE --from VALUES.yaml`")
    without = [role for role, s in copies.items() if s.without_phi]
    if without and len(without) < len(copies):
        raise UnrelatedDossiersError(f"{' and '.join(without)} was exported without protected health information and "
                                     "the others were not, so its missing values would read as removed; merge copies "
                                     "exported the same way")
    for role, side in (("OURS", ours), ("THEIRS", theirs)):
        if base.history is None or side.history is None:
            continue
        held = {entry_key(e) for e in side.history}
        purged = _purged(side.history)
        missing = [e for e in base.history if entry_key(e) not in held and e.field not in purged]
        if missing:
            raise UnrelatedDossiersError(
                f"BASE ({base.where.name}) is not where {role} ({side.where.name}) started: {len(missing)} "
                f"change(s) in BASE's history are not in {role}'s (the first: {missing[0].field} at "
                f"{missing[0].at}). Give as BASE the copy both sides started from (in git: the folder at "
                "`git merge-base` of the two branches)")


def _purged(history: list[AuditEntry]) -> set[str]:
    """The paths a side purged (`purged:PATH`), and the paths upgrades had moved those values from: a purge
    takes the value's history there too (Dossier.clear, upgrade.former_paths)."""
    purged = {e.field.removeprefix("purged:") for e in history if e.field.startswith("purged:")}
    moves = [(old, new) for e in history if e.field == UPGRADE_ENTRY and isinstance(e.new, dict)
             and isinstance(e.new.get("moves"), dict) for old, new in e.new["moves"].items()]
    while True:
        more = {old for old, new in moves if new in purged} - purged
        if not more:
            return purged
        purged |= more
