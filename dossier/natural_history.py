"""Natural-history data import: a CSV of patient-level rows (one measurement of one cohort member)
checked line by line and written into the comparator's data table — the table the natural-history
figure draws — in one transaction, with the spread of what the table then holds.

The CSV has a header row naming the columns `id, age, age_unit, measure, value, unit` (any order, case
aside; more columns are ignored); UTF-8 with or without BOM; comma or semicolon separated (with
semicolons a decimal comma is read too). Which table and columns are filled is declared in the model
(`roles: figures: natural-history` and `roles: evidence: natural_history`); docs/shared-evidence.md.
"""

from __future__ import annotations

import csv
import io
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import quantities
from .errors import BadLinesError, DossierError
from .fieldpath import FieldPath

COLUMNS = ("id", "age", "age_unit", "measure", "value", "unit")


@dataclass(frozen=True)
class Spread:
    """One measure's rows in the table after the import."""

    measure: str
    unit: str
    rows: int
    patients: int
    mean: float
    sd: float | None            # None for a single row
    median: float
    low: float
    high: float
    ages: tuple[float, float]   # youngest and oldest age measured

    def text(self) -> str:
        sd = f" ± {quantities.format_number(round(self.sd, 3))}" if self.sd is not None else ""
        return (f"{self.measure}: n = {self.rows} rows of {self.patients} patient(s); mean "
                f"{quantities.format_number(round(self.mean, 3))}{sd} {self.unit}, median "
                f"{quantities.format_number(round(self.median, 3))}, range {quantities.format_number(self.low)}–"
                f"{quantities.format_number(self.high)}")


@dataclass(frozen=True)
class Summary:
    imported: int               # rows read from the file
    patients: int               # distinct ids among the group's rows after the import
    age_low: float
    age_high: float
    age_unit: str
    measures: tuple[Spread, ...]

    def lines(self) -> list[str]:
        return [f"Imported {self.imported} row(s): {self.patients} patient(s), {len(self.measures)} measure(s), "
                f"ages {quantities.format_number(self.age_low)}–{quantities.format_number(self.age_high)} "
                f"{self.age_unit}", *(f"  {s.text()}" for s in self.measures)]


def read_lines(path: str | Path) -> tuple[list[tuple[int, dict[str, str]]], bool]:
    """The data lines of the CSV as (line number, column → text), and whether decimal commas are read."""
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise DossierError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise BadLinesError(str(path), [(_text_line(exc), "not UTF-8 text; save the file as UTF-8 CSV")]) from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    names = [h.strip().casefold() for h in header or []]
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise BadLinesError(str(path), [(1, f"the header row lacks column(s) {', '.join(missing)}; it must name "
                                            f"{', '.join(COLUMNS)}")])
    lines = []
    for cells in reader:
        if any(c.strip() for c in cells):
            lines.append((reader.line_num, {n: (cells[i].strip() if i < len(cells) else "")
                                            for i, n in enumerate(names)}))
    return lines, delimiter == ";"


def _text_line(exc: UnicodeDecodeError) -> int:
    return exc.object[:exc.start].count(b"\n") + 1


def import_natural_history(dossier, csv_path: str | Path, append: bool = False, who: str | None = None) -> Summary:
    """Check every line of the CSV, then replace the cohort's rows of the data table (or add to them with
    `append`) and fill in each imported measure's patient count and age span, all in one transaction.
    BadLinesError lists every bad line; then nothing is stored."""
    roles = _roles(dossier.model)
    lines, decimal_comma = read_lines(csv_path)
    if not lines:
        raise BadLinesError(str(csv_path), [(2, "no data lines under the header row")])
    table = dossier.model.field(roles["table"])
    measures = {str(r.get(roles["measure"]) or "").casefold(): r for r in dossier.get(roles["measures"]) or []}
    kept = [r for r in dossier.get(roles["table"]) or [] if append or r.get(roles["series"]) != roles["group"]]
    seen = {_key(roles, r): "the table" for r in kept if r.get(roles["series"]) == roles["group"]}
    new_rows, bad = [], []
    for number, cells in lines:
        try:
            row = _row(roles, measures, cells, decimal_comma)
        except ValueError as exc:
            bad.append((number, str(exc)))
            continue
        where = seen.setdefault(_key(roles, row), f"line {number}")
        if where != f"line {number}":
            bad.append((number, f"id {cells['id']} has {row[roles['chart']]} at this age already ({where})"))
            continue
        new_rows.append(row)
    if bad:
        raise BadLinesError(str(csv_path), bad)
    rows = kept + new_rows
    summary = _summary(roles, measures, rows, len(new_rows))
    values: dict[str, Any] = {table.path: rows, roles["measures"]: _measures_with_spread(roles, dossier, summary)}
    dossier.set_many(values, who=who)
    return summary


def _roles(model) -> dict[str, str]:
    """Table, columns and group of the import, from the model's roles (see evidence_roles.py)."""
    evidence = model.roles.evidence.natural_history
    figure = model.roles.figures.get("natural-history")
    if not evidence or figure is None:
        raise DossierError("this content model declares no natural-history import (roles: evidence: natural_history)")
    measure = FieldPath.parse(evidence["measure"])
    found = {"table": figure.table, "group": evidence["group"], "age_unit": evidence["age_unit"],
             "measures": measure.field_path, "measure": str(measure.part)}
    found.update({part: figure.columns[part] for part in ("x", "y", "chart", "series")})
    for part in ("subject", "unit", "patients", "span"):
        found[part] = str(FieldPath.parse(evidence[part]).part)
    return found


def _number(text: str, decimal_comma: bool, what: str) -> float:
    try:
        number = float(text.replace(",", ".") if decimal_comma else text)
    except ValueError:
        raise ValueError(f"{what} '{text}' is not a number" if text else f"{what} is missing") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(f"{what} '{text}' is not a number")
    return number


def _row(roles: dict, measures: dict, cells: dict[str, str], decimal_comma: bool) -> dict[str, Any]:
    """The data-table row of one CSV line; ValueError says what is wrong with it."""
    empty = [c for c in COLUMNS if not cells.get(c)]
    if empty:
        raise ValueError(f"missing {', '.join(empty)}")
    measure = measures.get(" ".join(cells["measure"].split()).casefold())
    if measure is None:
        raise ValueError(f"measure '{cells['measure']}' is not in the comparator's measures; add it there "
                         "with the unit of its values first")
    name, kept_in = measure[roles["measure"]], measure.get(roles["unit"]) or ""
    target = quantities.unit(kept_in)
    if target is None:
        raise ValueError(f"measure '{name}' has no unit dossier knows in the comparator's measures "
                         f"({kept_in or 'none given'}); give it one (points for a score, mg/L …)")
    value = _number(cells["value"], decimal_comma, "value")
    given = _unit(cells["unit"], target.dimension, f"measure '{name}' (in {target.spelling})")
    age = _number(cells["age"], decimal_comma, "age")
    if age < 0:
        raise ValueError(f"age {cells['age']} is negative")
    age_unit = _unit(cells["age_unit"], "time", "age")
    return {roles["x"]: {"value": _rounded(quantities.convert(age, age_unit, roles["age_unit"]))},
            roles["chart"]: name, roles["series"]: roles["group"], roles["subject"]: cells["id"],
            roles["y"]: {"value": _rounded(quantities.convert(value, given, target.spelling))}}


def _unit(text: str, dimension: str, what: str) -> str:
    found = quantities.unit(text)
    if found is None:
        raise ValueError(f"unit '{text}' is not one dossier knows; {what} takes "
                         f"{', '.join(quantities.dimension_units(dimension))}")
    if found.dimension != dimension:
        raise ValueError(f"unit '{text}' is a {found.dimension.replace('_', ' ')} unit; {what} takes "
                         f"{', '.join(quantities.dimension_units(dimension))}")
    return found.spelling


def _rounded(number: float) -> int | float:
    number = float(f"{number:.12g}")
    return int(number) if number.is_integer() else number


def _key(roles: dict, row: dict) -> tuple:
    age = (row.get(roles["x"]) or {}).get("value")
    return row.get(roles["chart"]), row.get(roles["subject"]) or "", age


def _summary(roles: dict, measures: dict, rows: list[dict], imported: int) -> Summary:
    group = [r for r in rows if r.get(roles["series"]) == roles["group"]]
    ages = [r[roles["x"]]["value"] for r in group]
    spreads = []
    for name in dict.fromkeys(r[roles["chart"]] for r in group):
        mine = [r for r in group if r[roles["chart"]] == name]
        values = [r[roles["y"]]["value"] for r in mine]
        unit = measures.get(str(name).casefold(), {}).get(roles["unit"]) or ""  # a hand-entered row may name any
        spreads.append(Spread(name, unit, len(values),
                              len({r.get(roles["subject"]) for r in mine if r.get(roles["subject"])}),
                              statistics.fmean(values), statistics.stdev(values) if len(values) > 1 else None,
                              statistics.median(values), min(values), max(values),
                              (min(r[roles["x"]]["value"] for r in mine), max(r[roles["x"]]["value"] for r in mine))))
    patients = len({r.get(roles["subject"]) for r in group if r.get(roles["subject"])})
    return Summary(imported, patients, min(ages), max(ages), roles["age_unit"], tuple(spreads))


def _measures_with_spread(roles: dict, dossier, summary: Summary) -> list[dict]:
    """The measures table with each imported measure's patient count and age span as the data now say."""
    spreads = {s.measure: s for s in summary.measures}
    rows = []
    for row in dossier.get(roles["measures"]) or []:
        spread = spreads.get(row.get(roles["measure"]))
        if spread is not None:
            low, high = (quantities.format_number(a) for a in spread.ages)
            row = {**row, roles["patients"]: {"value": spread.patients},
                   roles["span"]: f"Ages {low}–{high} {summary.age_unit}"}
        rows.append(row)
    return rows
