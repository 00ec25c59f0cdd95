"""Derived values: what the content model computes from other fields, read by checks, conditions and
templates at `derived.<id>`. Two kinds, never code:

- a quantity from number fields, such as a dose in mg from a dose in mg/kg times the patient's body
  weight. A formula is a product or quotient of field paths (`a.s.dose * a.s.weight`); the model lists
  formulas in order and the first whose inputs are filled and whose units give the declared unit's
  dimension is used: `[dose * weight, dose]` gives mg from a dose in mg/kg or in mg. Whether a formula
  fits is decided from the units table alone; pint is loaded only to convert.
- a value a choice decides (`from:` a choice field, `values:` choice → yes/no, text or a quantity,
  `otherwise:` a field read for any other choice), such as whether the drug class is human gene
  transfer (the user is asked only where the choice does not decide it), or the follow-up FDA
  recommends for it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from . import quantities
from .conditions import same
from .fieldtypes import is_filled
from .model import Derived, Field, Lookup

_TERM = re.compile(r"\s*([*/])\s*")
_KEYS = {"id", "label", "unit", "formula", "from", "values", "otherwise", "help", "source", "documents"}


def read_derived(r, items: Any, fields: dict[str, Field]) -> dict[str, Derived]:
    """The model's `derived:` list, each checked: a quantity (a known unit, formulas over number fields
    that can give that unit's dimension) or a lookup (a choice field and a value for its choices); no
    protected health information (documents never print it)."""
    derived: dict[str, Derived] = {}
    for place, data in r.entries(items, "derived", _KEYS, "a derived value"):
        derived_id = r.ident(data, place)
        if ("formula" in data) == ("from" in data):
            raise r.fail(place, "a derived value is a quantity (unit: and formula:) or a lookup (from:, values: "
                                "and optionally otherwise:), one of the two")
        made = _quantity(r, data, fields, place) if "formula" in data else _lookup(r, data, fields, place)
        if made.path in derived:
            raise r.fail(place, f"id '{derived_id}' is used twice")
        derived[made.path] = made
    return derived


def _field(r, data: dict, place: str, **kind: Any) -> Field:
    derived_id = r.ident(data, place)
    return Field(path=f"derived.{derived_id}", id=derived_id, label=r.text(data, "label", place),
                 help=r.text(data, "help", place, ""), source=r.text(data, "source", place, ""),
                 documents=r.strings(data, "documents", place), **kind)


def _quantity(r, data: dict, fields: dict[str, Field], place: str) -> Derived:
    if {"values", "otherwise"} & set(data):
        raise r.fail(place, "values: and otherwise: belong to a lookup (from:), not to a formula")
    unit = r.text(data, "unit", place)
    found = quantities.unit(unit)
    if found is None:
        raise r.fail(place, f"unit '{unit}' is not a unit this program knows; known units: "
                            f"{', '.join(quantities.known_units())}")
    formulas = data.get("formula")
    formulas = [formulas] if isinstance(formulas, str) else formulas
    if not isinstance(formulas, list) or not formulas or not all(isinstance(f, str) for f in formulas):
        raise r.fail(place, "'formula' must be a formula (a.s.dose * a.s.weight) or a list of them")
    field = _field(r, data, place, type="number", units=(found.spelling,))
    return Derived(field, tuple(_formula(r, text, fields, found.spelling, place) for text in formulas))


def _lookup(r, data: dict, fields: dict[str, Field], place: str) -> Derived:
    """`from:` a choice field, `values:` each of some of its choices → the value it decides (all yes/no,
    or all text), `otherwise:` a field of the same kind read for the other choices."""
    if "unit" in data:
        raise r.fail(place, "a lookup (from:) has no unit")
    source = fields.get(r.text(data, "from", place))
    if source is None or source.type != "choice" or source.phi:
        raise r.fail(place, f"'from' must be a choice field without protected health information, got "
                            f"'{data.get('from')}'")
    values = data.get("values")
    if not isinstance(values, dict) or not values:
        raise r.fail(place, "'values' must map choices of the 'from' field to the value each decides")
    unknown = [str(c) for c in values if c not in source.choices]
    if unknown:
        raise r.fail(place, f"{', '.join(unknown)}: not among the choices of {source.path} "
                            f"({', '.join(source.choices)})")
    kinds = {type(v) for v in values.values()}
    if kinds not in ({bool}, {str}, {dict}):
        raise r.fail(place, "the values must all be yes/no (true, false), all text, or all quantities "
                            "({value: 15, unit: years})")
    kind = {bool: "yesno", str: "choice", dict: "number"}[kinds.pop()]
    choices = tuple(dict.fromkeys(values.values())) if kind == "choice" else ()
    units: tuple[str, ...] = ()
    if kind == "number":
        values = _lookup_quantities(r, values, place)
        units = tuple(dict.fromkeys(q["unit"] for q in values.values()))
    otherwise = data.get("otherwise")
    if otherwise is not None:
        other = fields.get(otherwise) if isinstance(otherwise, str) else None
        if other is None or other.type != kind or other.phi or not set(choices) <= set(other.choices) or \
                (units and not set(units) <= set(other.units)):
            raise r.fail(place, f"'otherwise' must be a {kind} field holding the same values, got '{otherwise}'")
        choices, units = other.choices, other.units
    field = _field(r, data, place, type=kind, choices=choices, units=units)
    return Derived(field, lookup=Lookup(source.path, dict(values), otherwise))


def _lookup_quantities(r, values: dict, place: str) -> dict[str, dict]:
    """A lookup's quantities ({value, unit}) as a number field stores them (the unit's canonical
    spelling); they must share one dimension."""
    found: dict[str, dict] = {}
    for choice, quantity in values.items():
        unit = quantities.unit(quantity.get("unit")) if isinstance(quantity.get("unit"), str) else None
        number = quantity.get("value")
        if set(quantity) != {"value", "unit"} or unit is None or isinstance(number, bool) or \
                not isinstance(number, (int, float)):
            raise r.fail(place, f"{choice}: a quantity is {{value: a number, unit: a known unit}}, got {quantity}")
        found[choice] = {"value": number, "unit": unit.spelling}
    units = list(dict.fromkeys(q["unit"] for q in found.values()))
    if len({quantities.unit_of(u).dimension for u in units}) > 1:
        raise r.fail(place, f"the quantities must share one dimension, got units {', '.join(units)}")
    return found


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


def compute(derived: Derived, values: dict[str, Any]) -> Any:
    """A quantity: {"value", "unit"} from the first formula whose fields are filled and whose units fit;
    None when none does (a field is empty, or its units give another dimension). A lookup: the value
    its choice decides, else the `otherwise` field's value; None when neither is there."""
    if derived.lookup is not None:
        return _looked_up(derived.lookup, values)
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


def _looked_up(lookup: Lookup, values: dict[str, Any]) -> Any:
    choice = values.get(lookup.source)
    if is_filled(choice):
        decided = [value for wanted, value in lookup.values.items() if same(choice, wanted)]
        if decided:
            return decided[0]
    other = values.get(lookup.otherwise) if lookup.otherwise else None
    return other if is_filled(other) else None


def derived_values(model, values: dict[str, Any], paths: Iterable[str] | None = None) -> dict[str, Any]:
    """The derived values at `paths` (all when None) that can be computed from `values`."""
    wanted = model.derived if paths is None else [p for p in paths if p in model.derived]
    computed = {path: compute(model.derived[path], values) for path in wanted}
    return {path: value for path, value in computed.items() if value is not None}
