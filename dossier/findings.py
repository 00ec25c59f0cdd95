"""What a readiness check reports (a Finding) and the small readers every check kind shares: the
text of a field or table column, a finding of a check, and the honest "cannot check" finding."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from .fieldpath import FieldPath
from .fieldtypes import display, is_filled
from .model import Check, ContentModel, Field

# The one readiness gate: a readiness error blocks a final render or build (drafts are always
# allowed); warnings and notes are shown, never blocking.
BLOCKING = frozenset({"error"})
# The comparisons checks make (compare, row_compare): of numbers, or of dates at the coarser precision.
COMPARISONS = {">=": lambda a, b: a >= b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, "<": lambda a, b: a < b}


@dataclass(frozen=True)
class Finding:
    severity: str
    message: str
    field: str
    source: str
    check: str
    element: str | None = None
    fields: tuple[str, ...] = ()  # the other fields (or table cells) the check read, for the app to show

    @property
    def blocks(self) -> bool:
        """Whether this finding stops a final render or build (see BLOCKING)."""
        return self.severity in BLOCKING

    def as_dict(self) -> dict:
        return asdict(self)


def texts(model: ContentModel, values: dict, path: str) -> list[str]:
    """Every filled value at a field or table-column path, as text."""
    if path in model.fields or path in model.derived:
        spec = model.quantity(path)
        value: Any = values.get(path)
        if not is_filled(value):
            return []
        if spec.type == "table":
            return [" ".join(display(spec.column(k), v) for k, v in row.items()) for row in value]
        if spec.type in ("multichoice", "attachment"):
            return list(value)
        if spec.type == "hpo":
            return [t["label"] for t in value]
        return [display(spec, value)]
    where = FieldPath.parse(path)  # the model's check reads a table's column here (validated at load)
    column = model.fields[where.field_path].column(where.part or "")
    rows = values.get(where.field_path) or []
    return [display(column, row[column.id]) for row in rows if is_filled(row.get(column.id))]


def normalize(text: str, how: str | None) -> str:
    if how == "sequence":  # the bases only: no 5'/3' ends, spacing, sugar prefixes (mU, fC, dT) or * linkages
        text = re.sub(r"[mfdp](?=[ACGTU])|\*", "", text)
        return re.sub(r"5['′]|3['′]|[\s\-\d]", "", text.upper()).replace("U", "T")
    return " ".join(text.casefold().split())


def finding(check: Check, field: str | None = None, detail: str = "") -> Finding:
    message = f"{check.message} ({detail})" if detail else check.message
    return Finding(check.severity, message, field or check.field, check.source, check.id, check.element)


def cannot_check(check: Check, model: ContentModel, missing: Iterable[str | None], why: str = "",
                 what: str = "") -> Finding:
    """The one finding of a check that cannot run (never a silent pass), at the first input it lacks and
    naming the others: "Cannot check <what>: <why>." (`why` by default "fill in <their labels>"; without
    `what`, the check's own message says which check it is). It is a warning for a check of severity
    error, which it does not let block yet, and a note (info) otherwise."""
    paths = [p for p in dict.fromkeys(missing) if p]
    reason = why or "fill in " + ", ".join(label(model, p) for p in paths)
    message = f"Cannot check {what}: {reason}." if what else \
        f"Cannot check this yet: {reason}. (The check: {check.message})"
    return Finding("warning" if check.severity == "error" else "info", message, paths[0] if paths else check.field,
                   check.source, check.id, check.element, tuple(paths[1:]))


def label(model: ContentModel, path: str) -> str:
    """The label a user knows a field, derived value, column or cell by (`Studies, row 2: NOAEL`)."""
    if path in model.fields or path in model.derived:
        return model.quantity(path).label
    where = FieldPath.match(path)
    table = model.fields.get(where.field_path) if where else None
    if table is None or where is None or where.part is None:
        return path
    column = table.column(where.part).label
    return f"{table.label}, row {where.row + 1}: {column}" if where.row is not None else f"{table.label}: {column}"


def row_name(table: Field, row: dict) -> str:
    """A row as messages name it: its first filled required text column (a batch number, a toxicity)."""
    return next((str(row[c.id]) for c in table.columns if c.required and c.type == "text" and row.get(c.id)), "?")
