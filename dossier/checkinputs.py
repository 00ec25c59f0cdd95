"""What the number-reading check kinds share: reading the fields and table columns a check's spec
names (with the names of those left empty), the finding a check gives when an input is missing
(findings.cannot_check, never a silent pass), amounts of dose for this patient, and the load-time validation of
a spec's keys against the model (file, place and reason on failure).

A spec names fields, derived values and table columns by path (`a.s.table.column`); no Python here
knows a particular field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from . import measures, quantities
from .checkkinds import check_kind
from .fieldpath import FieldPath, cell_path
from .fieldtypes import is_filled
from .findings import Finding, cannot_check, label

if TYPE_CHECKING:
    from .measures import Measure
    from .model import Check, ContentModel, Field

# a dose per body weight times the weight is an amount: the unit it is given in
ABSOLUTE = {"mass_per_body_weight": "mg", "vector_genomes_per_body_weight": "vg"}
CANONICAL = {"mass": "mg", "mass_per_body_weight": "mg/kg", "vector_genomes": "vg",
             "vector_genomes_per_body_weight": "vg/kg", "time": "days"}


class Inputs:
    """A check's view of the dossier: values by spec key, and the paths it found empty."""

    def __init__(self, check: Check, model: ContentModel, values: dict[str, Any]):
        self.check, self.model, self.values, self.spec = check, model, values, check.spec
        self.missing: list[str] = []

    def value(self, key: str, record: bool = True) -> Any:
        """The value at spec[key] (a path, or a list of paths: the first filled); None when empty."""
        paths = self.spec.get(key)
        for path in paths if isinstance(paths, list) else [paths] if paths else []:
            if is_filled(self.values.get(path)):
                return self.values[path]
        if record and paths:
            self.missing.append(paths[0] if isinstance(paths, list) else paths)
        return None

    def text(self, key: str) -> str | None:
        value = self.value(key)
        return value if isinstance(value, str) else None

    def rows(self, table_key: str = "studies") -> list[dict]:
        return list(self.values.get(self.spec[table_key]) or [])

    def column(self, key: str) -> str:
        """The column id of spec[key] (`a.s.table.column`)."""
        return FieldPath.parse(self.spec[key]).part or ""

    def cell(self, key: str, row: int) -> str:
        where = FieldPath.parse(self.spec[key])
        return cell_path(where.field_path, row, where.part or "")

    def label(self, path: str) -> str:
        return label(self.model, path)

    def for_route(self, route_key: str, entries_key: str, what: str, otherwise: str) -> tuple[str, dict] | Finding:
        """The clinical route and the spec's entry (scaling, threshold …) whose `routes` list it; a
        "cannot check" finding when the route is empty or no entry lists it (`otherwise` says what to do)."""
        route = self.text(route_key)
        if route is None:
            return self.cannot_check(what)
        entry = next((e for e in self.spec[entries_key] if any(same_text(route, r) for r in e["routes"])), None)
        if entry is None:
            return self.cannot_check(what, [self.spec[route_key]], f"{otherwise} is declared for {route}")
        return route, entry

    def cannot_check(self, what: str, missing: Iterable[str | None] | None = None, why: str = "") -> Finding:
        """findings.cannot_check for this check: `missing` by default the inputs `value` found empty."""
        return cannot_check(self.check, self.model, self.missing if missing is None else missing, why, what)

    def measure(self, label: str, value: float, unit: str, op: str, limit: float, basis: str, field: str,
                fields: Iterable[str | None] = (), note: str = "", ok: bool | None = None,
                upper: float | None = None) -> Measure:
        """A measure of the check (dossier.measures.measure): what it computed, whether or not it fails."""
        return measures.measure(self.check, label, value, unit, op, limit, basis, field, fields, note, ok, upper)

    def finding(self, detail: str, field: str, fields: Iterable[str] = ()) -> Finding:
        """A finding of the check at `field`, naming the other fields it read (empty names dropped)."""
        return Finding(self.check.severity, f"{self.check.message} {detail}", field, self.check.source,
                       self.check.id, self.check.element, tuple(p for p in dict.fromkeys(fields) if p and p != field))


def same_text(a: Any, b: Any) -> bool:
    return isinstance(a, str) and isinstance(b, str) and a.casefold().split() == b.casefold().split()


def dimension(quantity: dict) -> str | None:
    unit = quantity.get("unit")
    return quantities.unit_of(unit).dimension if isinstance(unit, str) and quantities.is_known(unit) else None


def number_in(quantity: dict, unit: str) -> float:
    """The quantity's number in `unit` (same dimension); no pint when the units are the same."""
    return quantities.convert(quantity["value"], quantity["unit"], unit)


def amount(quantity: dict, weight: dict | None) -> dict | None:
    """A dose as an amount for this patient (mg or vg): a weight-based dose times the body weight;
    None when it is weight-based and the weight is missing, or not a dose at all."""
    dim = dimension(quantity)
    if dim in ABSOLUTE:
        if weight is None:
            return None
        return {"value": number_in(quantity, CANONICAL[dim]) * number_in(weight, "kg"), "unit": ABSOLUTE[dim]}
    if dim in ("mass", "vector_genomes"):
        return {"value": number_in(quantity, CANONICAL[dim]), "unit": CANONICAL[dim]}
    return None


def shown(quantity: dict) -> str:
    """A dossier value as the form shows it."""
    return quantities.format_quantity(quantity["value"], quantity.get("unit"))


def g(number: float, unit: str | None = None) -> str:
    """A computed number to 3 significant digits (520, 12.4, 0.175), with its unit."""
    return measures.number(number, unit)


# ---- registration and load-time validation of a spec ----------------------------------------------

class SpecReader:
    """The model reader's verbs for a spec's nested parts, over the registry's fail(reason) (which names
    the file and the check): `place` is where in the spec (`scalings[0]`)."""

    def __init__(self, fail):
        self._fail = fail

    def fail(self, place: str, reason: str):
        place = place.strip(".")
        return self._fail(f"{place}: {reason}" if place else reason)

    def mapping(self, value: Any, place: str) -> dict:
        if not isinstance(value, dict):
            raise self.fail(place, f"expected a mapping, got {type(value).__name__}")
        return value

    def text(self, data: dict, key: str, place: str) -> str:
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(place, f"'{key}' must be a non-empty string")
        return value


def register(name: str, needs: tuple[str, ...], paths: tuple[str, ...], validate, run) -> None:
    """Register a number-reading kind: `run(check, model, values)`, `validate(reader, model, spec, place)`."""
    check_kind(name, needs, paths, lambda check, model, fail: validate(SpecReader(fail), model, check.spec, ""))(
        lambda check, ctx: run(check, ctx.model, ctx.values))



def validate_keys(r, spec: dict, required: Iterable[str], optional: Iterable[str], place: str) -> None:
    known = set(required) | set(optional)
    unknown = sorted(str(k) for k in spec if k not in known)
    if unknown:
        raise r.fail(place, f"unknown key(s) {', '.join(unknown)}; this kind takes {', '.join(sorted(known))}")


def need_field(r, model: ContentModel, spec: dict, key: str, place: str, types: set[str],
               dimensions: set[str] | None = None) -> Field | None:
    """The field or derived value spec[key] names (each of a list), of one of `types` and, for a number,
    with a unit of one of `dimensions` (empty set: a plain number). None when the key is absent."""
    paths = spec.get(key)
    if paths is None:
        return None
    found = None
    for path in paths if isinstance(paths, list) else [paths]:
        if not isinstance(path, str) or not (path in model.fields or path in model.derived):
            raise r.fail(place, f"'{key}': '{path}' is not a field or derived value of the model")
        found = model.quantity(path)
        _fits(r, found, key, path, place, types, dimensions)
    return found


def need_column(r, model: ContentModel, spec: dict, key: str, place: str, types: set[str],
                dimensions: set[str] | None = None, table: str | None = None) -> Any:
    """The table column spec[key] names (`a.s.table.column`), of one of `types`, in `table` when given."""
    path = spec.get(key)
    if path is None:
        return None
    where = FieldPath.match(path) if isinstance(path, str) else None
    field = model.fields.get(where.field_path) if where else None
    if field is None or field.type != "table" or where is None or where.part not in {c.id for c in field.columns}:
        raise r.fail(place, f"'{key}': '{path}' is not a table column (area.section.table.column)")
    if table is not None and where.field_path != table:
        raise r.fail(place, f"'{key}': '{path}' is not a column of {table}, the table this check reads")
    column = field.column(where.part or "")
    _fits(r, column, key, path, place, types, dimensions)
    return column


def _fits(r, spec, key: str, path: str, place: str, types: set[str], dimensions: set[str] | None) -> None:
    if spec.type not in types:
        raise r.fail(place, f"'{key}': {path} is a {spec.type}; this key needs {' or '.join(sorted(types))}")
    if spec.type == "number" and dimensions is not None:
        dims = {quantities.unit_of(u).dimension for u in spec.units}
        if (not dimensions and dims) or (dimensions and not dims & dimensions):
            wanted = ", ".join(sorted(d.replace("_", " ") for d in dimensions)) or "no unit"
            raise r.fail(place, f"'{key}': {path} must take {wanted}")


def need_number(r, data: dict, key: str, place: str, positive: bool = True) -> float:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (positive and value <= 0):
        raise r.fail(place, f"'{key}' must be a {'positive ' if positive else ''}number")
    return value


def need_routes(r, data: dict, place: str, choices: set[str]) -> list[str]:
    """A list of routes, each a choice of the route fields the check reads (a typo would never match)."""
    routes = data.get("routes")
    if not isinstance(routes, list) or not routes or not all(isinstance(x, str) for x in routes):
        raise r.fail(place, "'routes' must be a list of routes")
    folded = {c.casefold() for c in choices}
    for route in routes:
        if route.casefold() not in folded:
            raise r.fail(place, f"route '{route}' is not a choice of the route fields ({', '.join(sorted(choices))})")
    return routes


def route_choices(model: ContentModel, spec: dict, keys: Iterable[str]) -> set[str]:
    """The choices of the route field and route column a spec names."""
    found: set[str] = set()
    for key in keys:
        path = spec.get(key)
        where = FieldPath.match(path) if isinstance(path, str) else None
        if isinstance(path, str) and path in model.fields:
            found |= set(model.fields[path].choices)
        elif where is not None and where.field_path in model.fields and where.part:
            found |= set(model.fields[where.field_path].column(where.part).choices)
    return found


def need_quantity(r, data: Any, key: str, place: str, dimension_name: str) -> dict:
    """A quantity written in the model, {value: 13, unit: weeks}, in a unit of `dimension_name`."""
    if not isinstance(data, dict) or set(data) != {"value", "unit"}:
        raise r.fail(place, f"'{key}' must be {{value: <number>, unit: <unit>}}")
    need_number(r, data, "value", f"{place}.{key}")
    found = quantities.unit(str(data["unit"]))
    if found is None or found.dimension != dimension_name:
        raise r.fail(place, f"'{key}': unit '{data['unit']}' is not a unit of {dimension_name}")
    return {"value": data["value"], "unit": found.spelling}


def words(text: str) -> str:
    return " " + re.sub(r"[^0-9a-z]+", " ", text.casefold()) + " "
