"""Numbers with units and partial dates: which unit spellings the product knows and of what
dimension, how a quantity prints, and exact conversion between compatible units (by pint).

Knowing and checking units needs only the table below, so `dossier set` and `dossier check` stay
fast; pint's registry (0.5–1 s to build) is loaded on the first conversion only. The table is checked
against pint by tests/test_quantities.py: every spelling means what pint says it means.

Months are 1/12 of a year of 365.25 days (pint's `month` and `year`): 1 month = 30.4375 days.
"points" are a clinical score's (pint's point is a typographic length).
"Da" is read as g/mol: a molecule's weight in daltons is numerically its molar mass in g/mol.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .errors import FieldError
from .limits import shown

# dimension: pint's dimensionality of its units (a test checks it), then its units: canonical
# spelling, pint expression, other spellings accepted on input. Canonical spellings are stored.
_TABLE: dict[str, tuple[dict[str, int], tuple[tuple[str, str, tuple[str, ...]], ...]]] = {
    "mass": ({"[mass]": 1}, (
        ("mg", "milligram", ()), ("g", "gram", ()), ("kg", "kilogram", ()),
        ("µg", "microgram", ("μg", "ug", "mcg")), ("ng", "nanogram", ()))),
    "mass_per_body_weight": ({}, (
        ("mg/kg", "milligram/kilogram", ()),
        ("µg/kg", "microgram/kilogram", ("μg/kg", "ug/kg", "mcg/kg")),
        ("ng/kg", "nanogram/kilogram", ()), ("g/kg", "gram/kilogram", ()))),
    "volume": ({"[length]": 3}, (
        ("mL", "milliliter", ("ml",)), ("L", "liter", ("l",)), ("µL", "microliter", ("μL", "uL", "ul")))),
    "concentration": ({"[mass]": 1, "[length]": -3}, (
        ("mg/mL", "milligram/milliliter", ("mg/ml",)),
        ("µg/mL", "microgram/milliliter", ("μg/mL", "ug/mL", "ug/ml")),
        ("ng/mL", "nanogram/milliliter", ("ng/ml",)), ("g/L", "gram/liter", ("g/l",)),
        ("mg/L", "milligram/liter", ("mg/l",)))),
    "molar_concentration": ({"[substance]": 1, "[length]": -3}, (
        ("nM", "nanomolar", ()), ("µM", "micromolar", ("μM", "uM")), ("mM", "millimolar", ()))),
    "vector_genomes": ({"[vector_genome]": 1}, (("vg", "vector_genome", ()),)),
    "vector_genomes_per_body_weight": ({"[vector_genome]": 1, "[mass]": -1}, (
        ("vg/kg", "vector_genome/kilogram", ()),)),
    "vector_genomes_per_volume": ({"[vector_genome]": 1, "[length]": -3}, (
        ("vg/mL", "vector_genome/milliliter", ("vg/ml",)),)),
    "endotoxin": ({"[endotoxin]": 1}, (("EU", "endotoxin_unit", ()),)),
    "endotoxin_per_mass": ({"[endotoxin]": 1, "[mass]": -1}, (("EU/mg", "endotoxin_unit/milligram", ()),)),
    "endotoxin_per_body_weight": ({"[endotoxin]": 1, "[mass]": -1}, (("EU/kg", "endotoxin_unit/kilogram", ()),)),
    "endotoxin_per_volume": ({"[endotoxin]": 1, "[length]": -3}, (("EU/mL", "endotoxin_unit/milliliter", ("EU/ml",)),)),
    "time": ({"[time]": 1}, (
        ("hours", "hour", ("hour", "h", "hr", "hrs")), ("days", "day", ("day", "d")),
        ("weeks", "week", ("week", "wk", "wks")), ("months", "month", ("month", "mo")),
        ("years", "year", ("year", "y", "yr", "yrs")))),
    "molar_mass": ({"[mass]": 1, "[substance]": -1}, (
        ("g/mol", "gram/mole", ()), ("Da", "gram/mole", ()), ("kDa", "kilogram/mole", ()))),
    "nucleotides": ({"[nucleotide]": 1}, (("nt", "nucleotide", ()),)),
    # A clinical score or scale (a natural-history measure): a pure number, convertible to nothing else.
    "score": ({"[score_point]": 1}, (("points", "score_point", ("score",)),)),
}
# Units pint does not define (or defines otherwise: pint's "nt" is a nanometric ton).
PINT_DEFINITIONS = ("endotoxin_unit = [endotoxin] = EU", "vector_genome = [vector_genome] = vg",
                    "nucleotide = [nucleotide]", "score_point = [score_point]")
_CASE_MATTERS = {"molar_concentration"}
_SINGULAR = {"hours": "hour", "days": "day", "weeks": "week", "months": "month", "years": "year"}
_SIGNIFICANT = 12  # printing and comparing keep 12 significant digits: float noise (0.32000000000000006) goes


@dataclass(frozen=True)
class Unit:
    spelling: str  # canonical, as stored
    pint: str
    dimension: str


def _index() -> tuple[dict[str, Unit], dict[str, Unit]]:
    """Spellings as written, and case aside ("Weeks", "ML"), except where case is the meaning:
    mM is millimolar and mm would be millimetres."""
    exact: dict[str, Unit] = {}
    folded: dict[str, Unit] = {}
    for dimension, (_dims, units) in _TABLE.items():
        for spelling, expression, aliases in units:
            unit = Unit(spelling, expression, dimension)
            for name in (spelling, *aliases):
                exact[name] = unit
                if dimension not in _CASE_MATTERS:
                    folded.setdefault(name.casefold(), unit)
    return exact, folded


_EXACT, _FOLDED = _index()


def dimensions() -> list[str]:
    return list(_TABLE)


def dimension_units(dimension: str) -> tuple[str, ...]:
    return tuple(spelling for spelling, _, _ in _TABLE[dimension][1])


def dimensionality(dimension: str) -> dict[str, int]:
    """pint's base dimensions of a dimension, e.g. concentration → {[mass]: 1, [length]: -3}."""
    return dict(_TABLE[dimension][0])


def known_units() -> list[str]:
    return [spelling for dimension in _TABLE for spelling in dimension_units(dimension)]


def unit(spelling: str) -> Unit | None:
    """The known unit written `spelling` (any accepted spelling, case aside), or None."""
    text = " ".join(spelling.split())
    return _EXACT.get(text) or _FOLDED.get(text.casefold())


def is_known(spelling: Any) -> bool:
    """Whether a stored unit is one of the table's canonical spellings."""
    return isinstance(spelling, str) and spelling in _EXACT and _EXACT[spelling].spelling == spelling


def unit_of(spelling: str) -> Unit:
    """A stored (canonical) unit; KeyError for one the table does not know."""
    return _EXACT[spelling]


def accept_unit(allowed: Iterable[str], given: Any, where: str) -> str:
    """The canonical spelling of `given` when it is one of the `allowed` units, else a FieldError
    saying which units fit."""
    allowed = tuple(allowed)
    fits = describe(allowed)
    if not given:
        raise FieldError(where, f"give the unit: {fits}")
    if not isinstance(given, str):
        raise FieldError(where, f"the unit is a word: {fits}; got {type(given).__name__}")
    found = unit(given)
    if found is not None and found.spelling in allowed:
        return found.spelling
    what = f"({found.dimension.replace('_', ' ')}) does not fit here" if found else "is not a unit this program knows"
    raise FieldError(where, f"unit '{shown(given)}' {what}; {fits}")


def describe(allowed: Iterable[str]) -> str:
    """'units that fit: mg/kg, µg/kg (mass per body weight)' for a field's units."""
    groups: dict[str, list[str]] = {}
    for spelling in allowed:
        groups.setdefault(unit_of(spelling).dimension, []).append(spelling)
    parts = [f"{', '.join(units)} ({dim.replace('_', ' ')})" for dim, units in groups.items()]
    return "units that fit: " + "; ".join(parts)


def format_number(number: int | float) -> str:
    """12 significant digits, no float noise; large and small floats as 2 × 10¹³."""
    if isinstance(number, int) or number != number:
        return str(number)
    text = f"{number:.{_SIGNIFICANT}g}"
    mantissa, _, exponent = text.partition("e")
    if not exponent:
        return text
    power = str(int(exponent)).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))
    return f"10{power}" if mantissa == "1" else f"{mantissa} × 10{power}"


def format_quantity(number: int | float, spelling: str | None) -> str:
    """'0.1 mg/kg', '1 month', '2 months': time units are singular for exactly one."""
    text = format_number(number)
    if not spelling:
        return text
    return f"{text} {_SINGULAR.get(spelling, spelling) if number == 1 else spelling}"


@lru_cache(maxsize=1)
def registry():
    """pint's registry with the units it lacks, built once per process on the first conversion."""
    import pint

    from .paths import user_cache_root

    try:
        units = pint.UnitRegistry(cache_folder=user_cache_root() / "pint")
    except OSError:  # a cache folder that cannot be written costs time, never a conversion
        units = pint.UnitRegistry()
    for definition in PINT_DEFINITIONS:
        units.define(definition)
    return units


def _rounded(number: int | float) -> float:
    return float(f"{number:.{_SIGNIFICANT}g}")


# Exact factors to one unit (factor 1) of each of a few dimensions, so that the readiness checks convert doses and
# durations without loading pint (~0.5 s); tests/test_quantities.py checks each against pint.
_FACTORS: dict[str, float] = {
    "mg": 1, "g": 1e3, "kg": 1e6, "µg": 1e-3, "ng": 1e-6,
    "mg/kg": 1, "µg/kg": 1e-3, "ng/kg": 1e-6, "g/kg": 1e3,
    "mL": 1, "L": 1e3, "µL": 1e-3,
    "hours": 1 / 24, "days": 1, "weeks": 7, "months": 365.25 / 12, "years": 365.25,
}


def convert(number: int | float, spelling: str, to: str) -> int | float:
    """`number` in unit `spelling` expressed in unit `to` (both known, of one dimension)."""
    if spelling == to:
        return number
    source, target = unit_of(spelling), unit_of(to)
    if source.dimension != target.dimension:
        raise ValueError(f"cannot convert {spelling} ({source.dimension}) to {to} ({target.dimension})")
    if spelling in _FACTORS and to in _FACTORS:
        return number * _FACTORS[spelling] / _FACTORS[to]
    units = registry()
    return units.Quantity(number, source.pint).to(target.pint).magnitude


def product(terms: Iterable[tuple[int | float, str, int]], to: str) -> int | float:
    """∏ value·unit ^ power, expressed in unit `to` (the caller checked the dimensions fit)."""
    units = registry()
    result = units.Quantity(1)
    for number, spelling, power in terms:
        result = result * units.Quantity(number, unit_of(spelling).pint) ** power
    return result.to(unit_of(to).pint).magnitude


def product_dimension(dimensions_and_powers: Iterable[tuple[str, int]]) -> dict[str, int]:
    """Base dimensions of a product of quantities of the given dimensions, without pint."""
    total: dict[str, int] = {}
    for dimension, power in dimensions_and_powers:
        for base, exponent in _TABLE[dimension][0].items():
            total[base] = total.get(base, 0) + exponent * power
    return {base: exponent for base, exponent in total.items() if exponent}


def comparable(left: dict, right: dict) -> tuple[float, float]:
    """Two stored quantities as numbers in the left one's unit, to 12 significant digits (so that
    36 months >= 3 years holds whatever the float noise); ValueError when their dimensions differ."""
    left_unit, right_unit = left.get("unit"), right.get("unit")
    if left_unit == right_unit:
        return left["value"], right["value"]
    if not (isinstance(left_unit, str) and isinstance(right_unit, str) and is_known(left_unit)
            and is_known(right_unit) and unit_of(left_unit).dimension == unit_of(right_unit).dimension):
        raise ValueError(f"cannot compare {left_unit or 'a plain number'} with {right_unit or 'a plain number'}")
    return _rounded(left["value"]), _rounded(convert(right["value"], right_unit, left_unit))


# Partial dates: YYYY-MM-DD, or YYYY-MM / YYYY where a date field allows them.
_DATE_FORMS = {10: "YYYY-MM-DD", 7: "YYYY-MM", 4: "YYYY"}


def parse_date(text: str, partial: bool, where: str) -> str:
    """A date as stored: ISO text at the precision given; FieldError saying which forms fit."""
    forms = "YYYY-MM-DD, YYYY-MM or YYYY (e.g. 2027-03)" if partial else "YYYY-MM-DD (e.g. 2026-03-31)"
    stripped = text.strip()
    if len(stripped) in _DATE_FORMS and (partial or len(stripped) == 10):
        try:
            if len(stripped) == 10:
                return dt.date.fromisoformat(stripped).isoformat()
            if re.fullmatch(r"\d{4}(-(0[1-9]|1[0-2]))?", stripped):
                return stripped
        except ValueError:
            pass
    raise FieldError(where, f"date must be {forms}, got '{shown(text)}'")


def compare_dates(left: str, right: str) -> tuple[str, str]:
    """Two stored dates cut to the precision of the less precise one, ready to compare as text:
    2027-03 and 2027-03-15 are the same month, so 2027-03 >= 2027-03-15 holds and > does not."""
    size = min(len(left), len(right))
    return left[:size], right[:size]
