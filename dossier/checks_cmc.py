"""Check kinds for CMC content (docs/content-model-format.md):

- `lists`: a table column names each of a set of items, each by any of its spellings (a parenteral
  drug product's minimum release tests);
- `row_compare`: two dates of each row, or a row's date and a field's (a stability study starts after
  its batch was made; a batch is made after the variant it is designed for was reported).
"""

from __future__ import annotations

import re

from . import quantities
from .checkkinds import Context, Fail, check_kind
from .fieldpath import FieldPath, cell_path
from .findings import COMPARISONS, Finding, cannot_check, finding, label, row_name, texts
from .model import Check, ContentModel


def _validate(check: Check, model: ContentModel, fail: Fail) -> None:
    where = FieldPath.match(check.spec["column"])
    if where is None or where.part is None or where.field_path not in model.fields:
        raise fail(f"'column' must be a table column (table.column), got '{check.spec['column']}'")
    items = check.spec["items"]
    if not isinstance(items, dict) or not items or not all(
            isinstance(words, list) and words and all(isinstance(w, str) and w.strip() for w in words)
            for words in items.values()):
        raise fail("'items' must map each item to the words that name it, e.g. {Purity: [purity, related substances]}")


@check_kind("lists", needs=("column", "items"), paths=("column",), validate=_validate)
def lists(check: Check, ctx: Context) -> list[Finding]:
    """Every item is named (as a whole word or phrase, case aside) in some row of the column."""
    column = check.spec["column"]
    written = texts(ctx.model, ctx.values, column)
    if not written:
        return [cannot_check(check, ctx.model, [column])]
    missing = [item for item, words in check.spec["items"].items()
               if not any(re.search(rf"\b{re.escape(w)}\b", t, re.IGNORECASE) for w in words for t in written)]
    if not missing:
        return []
    where = FieldPath.match(column)
    return [finding(check, where.field_path if where else column,
                    f"missing: {', '.join(missing)}; the specification lists {', '.join(written)}")]


def _validate_rows(check: Check, model: ContentModel, fail: Fail) -> None:
    spec = check.spec
    table = model.fields.get(spec["table"])
    if table is None or table.type != "table":
        raise fail(f"'table' must be a table field, got '{spec['table']}'")
    ids = {c.id: c for c in table.columns}
    if spec["column"] not in ids or ("than" in spec and spec["than"] not in ids):
        raise fail(f"'column' and 'than' must be columns of {table.path} ({', '.join(ids)})")
    if spec["op"] not in COMPARISONS:
        raise fail(f"op '{spec['op']}' is not one of {', '.join(COMPARISONS)}")
    if ("than" in spec) == ("than_field" in spec):
        raise fail("compare with a column of the same row ('than') or with a field ('than_field'), one of them")
    other = ids[spec["than"]] if "than" in spec else model.fields.get(spec["than_field"])
    if other is None or {ids[spec["column"]].type, other.type} != {"date"}:
        raise fail("compares two dates (a date column with a date column or a date field)")


@check_kind("row_compare", needs=("table", "column", "op"), paths=("table", "than_field"), validate=_validate_rows)
def row_compare(check: Check, ctx: Context) -> list[Finding]:
    """In each row, a date column against another of the same row or against a field (at the coarser
    precision of the two, as `compare` does); a row lacking either date says it cannot be checked."""
    spec, model = check.spec, ctx.model
    table = model.fields[spec["table"]]
    rows = ctx.values.get(spec["table"]) or []
    if not rows:
        return []
    fixed = ctx.values.get(spec["than_field"]) if "than_field" in spec else None
    if "than_field" in spec and not fixed:
        return [cannot_check(check, model, [spec["than_field"]])]
    found = []
    for i, row in enumerate(rows):
        left, right = row.get(spec["column"]), fixed if fixed else row.get(spec.get("than", ""))
        if not (left and right):
            found.append(cannot_check(check, model, [cell_path(table.path, i, spec["column"] if not left else
                                                               spec["than"])]))
        elif not COMPARISONS[spec["op"]](*quantities.compare_dates(left, right)):
            what = label(model, spec["than_field"]) if fixed else table.column(spec["than"]).label.lower()
            found.append(finding(check, cell_path(table.path, i, spec["column"]),
                                 f"row {i + 1} ({row_name(table, row)}): {table.column(spec['column']).label.lower()} "
                                 f"{left} is not {spec['op']} {what} {right}"))
    return found

