"""One recorded change (an audit log entry) in words: a table edit as the rows it added, removed or
changed, an attachment as stored or removed, a value as old -> new.

>>> describe(field, [{"endpoint": "x"}], [{"endpoint": "y"}, {"endpoint": "z"}])
["row 1 endpoint: 'x' -> 'y'", "row 2 added: endpoint='z'"]
"""

from __future__ import annotations

import json
from difflib import SequenceMatcher
from typing import Any

from .fieldtypes import display, is_filled
from .model import Column, Field

WIDTH = 60  # characters of one value shown; a listing line stays readable


def describe(field: Field | None, old: Any, new: Any) -> list[str]:
    """The change of a field (None when the model no longer has it) as one or more lines."""
    is_table = field.type == "table" if field is not None else _is_rows(old) and _is_rows(new)
    if is_table and _is_rows(old) and _is_rows(new):
        return _table_changes(field, old or [], new or [])
    return [f"{value_text(field, old)} -> {value_text(field, new)}"]


def describe_entry(path: str, old: Any, new: Any, field: Field | None) -> list[str]:
    """Any audit entry: field paths, and the dossier's own entries (title, attachment:NAME, sequence)."""
    if path.startswith("attachment:") and (new is None or isinstance(new, dict)):
        if new is None:
            return ["removed"]
        return [f"stored ({new.get('size', '?')} bytes, sha256 {str(new.get('sha256', ''))[:12]}…)"]
    if path == "sequence" and isinstance(new, dict):
        return [f"sequence {new.get('number')} recorded as submitted ({new.get('files')} file(s))"]
    if path.startswith("repeat:") and isinstance(old, list) and isinstance(new, list):
        return [_instances_change(old, new)]
    return describe(field, old, new)


def _instances_change(old: list, new: list) -> str:
    """An entry `repeat:ID` holds the instances' names before and after one add, rename, move or removal."""
    gone = [i for i, name in enumerate(old) if name not in new]
    came = [i for i, name in enumerate(new) if name not in old]
    if len(new) > len(old) and came:
        return f"added {new[came[0]]!r} as [{came[0]}]"
    if len(new) < len(old) and gone:
        return f"removed {old[gone[0]]!r} (was [{gone[0]}])"
    if gone and came:
        return f"renamed [{gone[0]}] {old[gone[0]]!r} to {new[came[0]]!r}"
    changed = [i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b]
    if not changed:
        return "no change"
    first, last = changed[0], changed[-1]  # one instance moved: it is at one end of the stretch that changed
    name = old[first] if new[last] == old[first] else old[last]
    return f"moved {name!r} from [{old.index(name)}] to [{new.index(name)}]"


def value_text(spec: Field | Column | None, value: Any) -> str:
    """A value on one line: text quoted, other types as documents show them, cut to WIDTH."""
    if not is_filled(value):
        return "(empty)"
    if isinstance(value, str):
        text = repr(value)
    elif spec is not None:
        try:
            text = display(spec, value)
        except (KeyError, TypeError, AttributeError):  # a value of an older shape than its type now has
            text = json.dumps(value, ensure_ascii=False)
    else:
        text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= WIDTH else text[:WIDTH - 1] + "…"


def _is_rows(value: Any) -> bool:
    return value is None or (isinstance(value, list) and all(isinstance(row, dict) for row in value))


def _table_changes(field: Field | None, old: list[dict], new: list[dict]) -> list[str]:
    key = [json.dumps(row, sort_keys=True) for row in old], [json.dumps(row, sort_keys=True) for row in new]
    lines: list[str] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, *key, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        pairs = list(zip(range(i1, i2), range(j1, j2), strict=False)) if op == "replace" else []
        for i, j in pairs:
            lines += [f"row {j + 1} {cell}" for cell in cell_changes(field, old[i], new[j])]
        lines += [f"row {i + 1} removed: {row_text(field, old[i])}" for i in range(i1 + len(pairs), i2)]
        lines += [f"row {j + 1} added: {row_text(field, new[j])}" for j in range(j1 + len(pairs), j2)]
    return lines or ["no change"]


def _columns(field: Field | None, *rows: dict) -> list[tuple[str, Column | None]]:
    known = [(c.id, c) for c in field.columns] if field is not None else []
    ids = {cid for cid, _ in known}
    extra = [(k, None) for row in rows for k in row if k not in ids]
    return known + list(dict.fromkeys(extra))


def cell_changes(field: Field | None, old: dict, new: dict) -> list[str]:
    return [f"{cid}: {value_text(col, old.get(cid))} -> {value_text(col, new.get(cid))}"
            for cid, col in _columns(field, old, new) if old.get(cid) != new.get(cid)]


def row_text(field: Field | None, row: dict) -> str:
    cells = [f"{cid}={value_text(col, row.get(cid))}" for cid, col in _columns(field, row) if is_filled(row.get(cid))]
    return ", ".join(cells) or "(empty row)"
