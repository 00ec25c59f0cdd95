"""Table cells set one by one (`area.section.table[1].column: 4 mg`): written into the rows the
table holds, before the whole table is validated as any table value is."""

from __future__ import annotations

from typing import Any

from .errors import FieldError, UnknownFieldError
from .fieldpath import FieldPath
from .model import Field


def table_of(path: str) -> str | None:
    """The table path of a cell path (`t[2].col` or `t[2]`; in an instance `a.s[1].t[2].col` → `a.s[1].t`),
    None for any other path."""
    where = FieldPath.match(path)
    if where is None or where.row is None:
        return None
    return str(FieldPath(where.area, where.section, where.field, where.instance))


def apply_cells(field: Field, stored: list[dict] | None, cells: dict[str, Any]) -> tuple[list[dict], list[FieldError]]:
    """The rows of `stored` with `cells` (cell path → raw value; empty clears the cell) written in.

    A row number is one of the rows the table has, or one of the next numbers, to add rows (a table of
    2 rows takes rows 2, 3 … in that order, not 5). Returns the rows and every cell refused.
    """
    by_row, errors = _by_row(field, cells)
    rows = [dict(row) for row in stored or []]
    added = sorted(i for i in by_row if i >= len(rows))
    for k, row in enumerate(added):
        if row != len(rows) + k:
            first = next(iter(by_row[row].values()))[0]
            errors.append(FieldError(first, f"row {row} does not exist: {field.label} has {_rows(len(rows))}; "
                                            f"new rows take the numbers from {len(rows)} on, without gaps"))
    if errors:
        return rows, errors
    for row in sorted(by_row):
        if row == len(rows):
            rows.append({})
        for column, (_, raw) in by_row[row].items():
            if raw is None or raw == "":
                rows[row].pop(column, None)
            else:
                rows[row][column] = raw
    return rows, errors


def _by_row(field: Field, cells: dict[str, Any]) -> tuple[dict[int, dict[str, tuple[str, Any]]], list[FieldError]]:
    """row number → column → (cell path, raw value), and the cells that name no cell of this table."""
    by_row: dict[int, dict[str, tuple[str, Any]]] = {}
    errors = []
    columns = [c.id for c in field.columns]
    for path, raw in cells.items():
        where = FieldPath.parse(path)  # apply_cells is given the paths table_of recognised as cells
        if field.type != "table":
            errors.append(FieldError(path, f"{field.label} is a {field.type} field, not a table; give its value as "
                                           f"`{field.path}: …`"))
        elif not where.part:
            errors.append(FieldError(path, f"give a row as a mapping of its columns (`{path}: {{{columns[0]}: …}}`) "
                                           f"or one cell (`{path}.{columns[0]}: …`)"))
        elif where.part not in columns:
            errors.append(FieldError(path, f"{field.label} has no column '{where.part}'; its columns are "
                                           f"{', '.join(columns)}"))
        elif where.row is not None:  # always: table_of gave only paths with a row
            by_row.setdefault(where.row, {})[where.part] = (path, raw)
    return by_row, errors


def _rows(n: int) -> str:
    return "no rows" if n == 0 else f"{n} row(s), numbered 0 to {n - 1}"


def cell_value(field: Field, rows: list[dict] | None, path: str) -> Any:
    """The stored value of one cell (`t[2].column`, or a whole row `t[2]`) of `rows`, the table's value;
    an UnknownFieldError names the rows or columns there are."""
    where = FieldPath.parse(path)
    if field.type != "table":
        raise UnknownFieldError(path, f"{field.label} is a {field.type} field, not a table; read it as {field.path}")
    rows = rows or []
    if where.row is None or where.row >= len(rows):
        raise UnknownFieldError(path, f"there is no row {where.row}: {field.label} has {_rows(len(rows))}")
    if not where.part:
        return rows[where.row]
    columns = [c.id for c in field.columns]
    if where.part not in columns:
        raise UnknownFieldError(path, f"{field.label} has no column '{where.part}'; its columns are "
                                      f"{', '.join(columns)}")
    return rows[where.row].get(where.part)
