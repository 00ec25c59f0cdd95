"""Derived values: quantities the content model computes from number fields, such as a dose in mg
from a dose in mg/kg times the patient's body weight. A formula is a product or quotient of field
paths (`a.s.dose * a.s.weight`), never code; checks and templates read the result at `derived.<id>`.

The model lists formulas in order and the first whose inputs are filled and whose units give the
declared unit's dimension is used: `[dose * weight, dose]` gives mg from a dose in mg/kg or in mg.
Whether a formula fits is decided from the units table alone; pint is loaded only to convert.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from . import quantities
from .model import Derived, Field

_TERM = re.compile(r"\s*([*/])\s*")
_KEYS = {"id", "label", "unit", "formula", "help", "source", "documents"}


def read_derived(r, items: Any, fields: dict[str, Field]) -> dict[str, Derived]:
    """The model's `derived:` list, each checked: a known unit, formulas over number fields that can
    give that unit's dimension, no protected health information (documents never print it)."""
    derived: dict[str, Derived] = {}
    for place, data in r.entries(items, "derived", _KEYS, "a derived value"):
        derived_id, unit = r.ident(data, place), r.text(data, "unit", place)
        found = quantities.unit(unit)
        if found is None:
            raise r.fail(place, f"unit '{unit}' is not a unit this program knows; known units: "
                                f"{', '.join(quantities.known_units())}")
        formulas = data.get("formula")
        formulas = [formulas] if isinstance(formulas, str) else formulas
        if not isinstance(formulas, list) or not formulas or not all(isinstance(f, str) for f in formulas):
            raise r.fail(place, "'formula' must be a formula (a.s.dose * a.s.weight) or a list of them")
        field = Field(path=f"derived.{derived_id}", id=derived_id, label=r.text(data, "label", place), type="number",
                      help=r.text(data, "help", place, ""), source=r.text(data, "source", place, ""),
                      documents=r.strings(data, "documents", place), units=(found.spelling,))
        parsed = tuple(_formula(r, text, fields, found.spelling, place) for text in formulas)
        if field.path in derived:
            raise r.fail(place, f"id '{derived_id}' is used twice")
        derived[field.path] = Derived(field, parsed)
    return derived


def _formula(r, text: str, fields: dict[str, Field], unit: str, place: str) -> tuple[tuple[str, int], ...]:
    parts = _TERM.split(text.strip())
    operators, paths = parts[1::2], parts[2::2]
    terms = [(parts[0], 1)] + [(path, 1 if op == "*" else -1) for op, path in zip(operators, paths, strict=True)]
    for path, _ in terms:
        spec = fields.get(path)
        if spec is None or spec.type != "number" or not spec.units:
            raise r.fail(place, f"in '{text}': '{path}' is not a number field with units (formulas multiply "
                                "and divide number fields: a.s.dose * a.s.weight)")
        if spec.phi:
            raise r.fail(place, f"in '{text}': {path} holds protected health information, which documents never show")
    target = quantities.dimensionality(quantities.unit_of(unit).dimension)
    if not any(_gives(choice, target) for choice in _unit_choices(fields, terms)):
        raise r.fail(place, f"'{text}' can never be in {unit}: no units its fields take give "
                            f"{quantities.unit_of(unit).dimension.replace('_', ' ')}")
    return tuple(terms)


def _unit_choices(fields: dict[str, Field], terms: list[tuple[str, int]]) -> Iterable[list[tuple[str, int]]]:
    """Every combination of one unit per term (a few fields of a few units each)."""
    combos: list[list[tuple[str, int]]] = [[]]
    for path, power in terms:
        combos = [combo + [(unit, power)] for combo in combos for unit in fields[path].units]
    return combos


def _gives(units_and_powers: list[tuple[str, int]], target: dict[str, int]) -> bool:
    dims = [(quantities.unit_of(unit).dimension, power) for unit, power in units_and_powers]
    return quantities.product_dimension(dims) == target


def compute(derived: Derived, values: dict[str, Any]) -> dict | None:
    """{"value", "unit"} from the first formula whose fields are filled and whose units fit; None
    when none does (a field is empty, or its units give another dimension)."""
    unit = derived.field.units[0]
    target = quantities.dimensionality(quantities.unit_of(unit).dimension)
    for terms in derived.formulas:
        inputs: list[dict] = [v for v in (values.get(path) for path, _ in terms)
                              if isinstance(v, dict) and quantities.is_known(v.get("unit"))]
        if len(inputs) < len(terms):
            continue
        powers = [power for _, power in terms]
        if not _gives([(v["unit"], power) for v, power in zip(inputs, powers, strict=True)], target):
            continue
        if len(terms) == 1 and terms[0][1] == 1 and inputs[0]["unit"] == unit:
            return {"value": inputs[0]["value"], "unit": unit}  # nothing to convert: no pint
        factors = [(v["value"], v["unit"], power) for v, power in zip(inputs, powers, strict=True)]
        try:
            return {"value": quantities.product(factors, unit), "unit": unit}
        except ZeroDivisionError:  # dividing by a field that is 0: no value rather than a crash
            return None
    return None


def derived_values(model, values: dict[str, Any], paths: Iterable[str] | None = None) -> dict[str, dict]:
    """The derived values at `paths` (all when None) that can be computed from `values`."""
    wanted = model.derived if paths is None else [p for p in paths if p in model.derived]
    computed = {path: compute(model.derived[path], values) for path in wanted}
    return {path: value for path, value in computed.items() if value is not None}
