"""Check kinds for the clinical plan (docs/content-model-format.md):

- `links`: each row of one table names, in one column, a row of another table by its key (every
  dose-limiting toxicity and every identified risk names the stopping rule it triggers);
- `comparator_covers`: the natural-history comparator measures each primary efficacy endpoint's
  instrument, over the patient's age range during dosing and for as long as the endpoint runs.
"""

from __future__ import annotations

import re
from typing import Any

from . import quantities
from .checkkinds import Context, Fail, check_kind
from .conditions import same
from .fieldpath import FieldPath, cell_path
from .fieldtypes import is_filled
from .findings import Finding, cannot_check, finding, label, normalize, row_name
from .model import Check, ContentModel, Field


def _column(model: ContentModel, path: str) -> tuple[Field, str] | None:
    """(the table, the column id) a `table.column` path names, or None."""
    where = FieldPath.match(path)
    table = model.fields.get(where.field_path) if where else None
    if where is None or where.part is None or table is None or table.type != "table" or \
            where.part not in {c.id for c in table.columns}:
        return None
    return table, where.part


def _validate_links(check: Check, model: ContentModel, fail: Fail) -> None:
    for key in ("column", "to"):
        if _column(model, check.spec[key]) is None:
            raise fail(f"'{key}' must be a table column (table.column), got '{check.spec[key]}'")


def _names(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,;]| and ", text) if part.strip()]


@check_kind("links", needs=("column", "to"), paths=("column", "to"), validate=_validate_links)
def links(check: Check, ctx: Context) -> list[Finding]:
    """Each row's `column` names one or more rows of the `to` column (comma-separated, case aside)."""
    (table, column), (target, key) = (_column(ctx.model, check.spec[k]) or (None, "") for k in ("column", "to"))
    assert table is not None and target is not None  # validated when the model loaded
    keys = {normalize(str(r[key]), "text"): str(r[key]) for r in ctx.values.get(target.path) or [] if r.get(key)}
    found = []
    for i, row in enumerate(ctx.values.get(table.path) or []):
        where, name = cell_path(table.path, i, column), row_name(table, row)
        named = _names(str(row.get(column) or ""))
        if not named:
            found.append(finding(check, where, f"row {i + 1} ({name}) names no row of {label(ctx.model, target.path)}"))
            continue
        unknown = [n for n in named if normalize(n, "text") not in keys]
        if unknown:
            have = ", ".join(keys.values()) or "none"
            found.append(finding(check, where, f"row {i + 1} ({name}) names {', '.join(unknown)}, which "
                                               f"{label(ctx.model, target.path)} does not have (it has {have})"))
    return found


def _validate_comparator(check: Check, model: ContentModel, fail: Fail) -> None:
    spec = check.spec
    for key, columns in (("endpoints", ["endpoint_instrument", "endpoint_time", *spec.get("endpoint_where", {})]),
                         ("measures", ["age_min", "age_max", "follow_up", *spec.get("measure_names", [])])):
        table = model.fields.get(spec[key])
        if table is None or table.type != "table":
            raise fail(f"'{key}' must be a table field")
        ids = {c.id for c in table.columns}
        for column in columns:
            name = spec.get(column, column)
            if name not in ids:
                raise fail(f"'{name}' is not a column of {table.path}")
    for key in ("age", "period"):
        if model.fields.get(spec[key]) is None or model.fields[spec[key]].type != "number":
            raise fail(f"'{key}' must be a number field")


@check_kind("comparator_covers", paths=("endpoints", "measures", "age", "period"), validate=_validate_comparator,
            needs=("endpoints", "endpoint_instrument", "endpoint_time", "measures", "measure_names", "age_min",
                   "age_max", "follow_up", "age", "period"))
def comparator_covers(check: Check, ctx: Context) -> list[Finding]:
    spec, values, model = check.spec, ctx.values, ctx.model
    missing = [spec[k] for k in ("age", "period") if not is_filled(values.get(spec[k]))]
    if missing:
        return [cannot_check(check, model, missing)]
    start = _in(values[spec["age"]], "years")
    end = start + _in(values[spec["period"]], "years")
    measures = values.get(spec["measures"]) or []
    found = []
    for i, row in enumerate(values.get(spec["endpoints"]) or []):
        if not all(any(same(row.get(c), w) for w in wanted) for c, wanted in spec.get("endpoint_where", {}).items()):
            continue
        instrument = str(row.get(spec["endpoint_instrument"]) or "")
        where = cell_path(spec["endpoints"], i, spec["endpoint_instrument"])
        matching = [m for m in measures
                    if any(_mentions(instrument, str(m.get(c) or "")) for c in spec["measure_names"])]
        if not instrument or not matching:
            found.append(finding(check, where, f"no comparator measure uses the instrument '{instrument or '(none)'}'"))
            continue
        found += _coverage(check, ctx, i, row, matching, (start, end))
    return found


def _coverage(check: Check, ctx: Context, i: int, row: dict, matching: list[dict],
              ages: tuple[float, float]) -> list[Finding]:
    spec = check.spec
    lows = [m[spec["age_min"]]["value"] for m in matching if is_filled(m.get(spec["age_min"]))]
    highs = [m[spec["age_max"]]["value"] for m in matching if is_filled(m.get(spec["age_max"]))]
    spans = [_in(m[spec["follow_up"]], "years") for m in matching if is_filled(m.get(spec["follow_up"]))]
    if not (lows and highs and spans) or not is_filled(row.get(spec["endpoint_time"])):
        gaps = [spec["measures"] + "." + spec[k] for k, have in (("age_min", lows), ("age_max", highs),
                                                                  ("follow_up", spans)) if not have]
        return [cannot_check(check, ctx.model, gaps or [spec["endpoints"] + "." + spec["endpoint_time"]])]
    found = []
    if min(lows) > ages[0] or max(highs) < ages[1]:
        found.append(finding(check, spec["measures"], f"the comparator covers ages {_n(min(lows))}–{_n(max(highs))}; "
                                                      f"the patient is {_n(ages[0])}–{_n(ages[1])} years over dosing"))
    needed = _in(row[spec["endpoint_time"]], "years")
    if max(spans) < needed:
        found.append(finding(check, cell_path(spec["endpoints"], i, spec["endpoint_time"]),
                             f"the endpoint is read at {_n(needed * 12)} months; the comparator follows patients "
                             f"for {_n(max(spans) * 12)} months"))
    return found


def _in(value: Any, unit: str) -> float:
    number = value["value"]
    return float(quantities.convert(number, value["unit"], unit) if value.get("unit") else number)


def _n(number: float) -> str:
    return quantities.format_number(round(number, 1))


def _mentions(a: str, b: str) -> bool:
    a, b = normalize(a, "text"), normalize(b, "text")
    return bool(a and b) and (a in b or b in a)
