"""Check kind `dose_margin`: the human-equivalent dose (HED) of the toxicology NOAEL, scaled the way
the route calls for, against the maximum clinical dose for this patient; a margin below the declared
(or customary) safety factor is a finding that shows the arithmetic.

Two scalings, each declared in the content model with its species table and source:
- `body_surface_area`: systemic exposure follows body surface area, so a NOAEL in mg/kg becomes an
  HED in mg/kg by the ratio of the species' Km to the human Km (FDA 2005, Table 1), then mg for this
  patient by the body weight;
- `csf_volume`: a dose into the CSF (intrathecal, intracerebroventricular) distributes in the CSF, so
  a NOAEL per animal (mg, vg) becomes an HED by the ratio of the human CSF volume (by age) to the
  species' CSF volume.
Among the studies by the clinical route the most sensitive (lowest HED) decides, as FDA 2005 says
by default. Studies by another route are the `tox_route` check's business: none by the clinical
route and this check says nothing (that finding says the margin cannot be judged).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import checkinputs as ci
from .checkinputs import Inputs, g, shown
from .fieldtypes import is_filled
from .findings import Finding

if TYPE_CHECKING:
    from .measures import Measure
    from .model import Check, ContentModel

METHODS = {"body_surface_area": {"mass_per_body_weight"}, "csf_volume": {"mass", "vector_genomes"}}
KEYS = ("studies", "study", "species", "route", "noael", "clinical_route", "maximum", "customary_factor",
        "scalings")
OPTIONAL = ("weight", "age", "factor", "species_names", "duration")
_SCALING_KEYS = {"name", "method", "routes", "why", "source", "species", "human"}


@dataclass(frozen=True)
class Scaled:
    """One study's NOAEL scaled to a human-equivalent amount for this patient, with its arithmetic."""
    row: int
    hed: dict       # {"value", "unit"}: mg or vg
    working: str    # "1 mg × 130 mL ÷ 0.25 mL = 520 mg"


def run(check: Check, model: ContentModel, values: dict[str, Any]) -> list[Finding | Measure]:
    c = Inputs(check, model, values)
    found = c.for_route("clinical_route", "scalings", "the dose margin",
                        "show the margin in the dose rationale: no scaling to a human-equivalent dose")
    if isinstance(found, Finding):
        return [found]
    route, scaling = found
    rows = [(i, row) for i, row in enumerate(c.rows()) if ci.same_text(row.get(c.column("route")), route)]
    if not rows:
        return []  # the tox_route check's finding
    with_noael = [(i, row) for i, row in rows if is_filled(row.get(c.column("noael")))]
    if not with_noael:
        return [c.cannot_check(f"the dose margin: no study by {route} gives a NOAEL",
                             [c.cell("noael", i) for i, _ in rows])]
    scaled: list[Scaled] = []
    problems: list[Finding] = []
    for i, row in with_noael:
        result = _scale(c, scaling, i, row)
        if isinstance(result, Scaled):
            scaled.append(result)
        else:
            problems.append(result)
    if not scaled:
        return [problems[0]]
    # the most sensitive study decides; of equal ones, the longest (the repeat-dose study, not the range-finder)
    pivotal = min(scaled, key=lambda s: (s.hed["value"], -_days(c, s.row)))
    return _judge(c, scaling, route, pivotal)


def _scale(c: Inputs, scaling: dict, i: int, row: dict) -> Scaled | Finding:
    noael = row[c.column("noael")]
    species_text = row.get(c.column("species")) or ""
    species = _species(c.spec, scaling, species_text)
    noael_cell, species_cell = c.cell("noael", i), c.cell("species", i)
    if species is None:
        return c.cannot_check(f"the dose margin by {scaling['name']} scaling", [species_cell],
                            f"species '{species_text or 'not given'}' has no factor in the declared table "
                            f"({', '.join(scaling['species'])})")
    if ci.dimension(noael) not in METHODS[scaling["method"]]:
        wanted = "a dose per body weight (mg/kg)" if scaling["method"] == "body_surface_area" else \
            "a dose per animal (mg, vg)"
        return c.cannot_check(f"the dose margin by {scaling['name']} scaling", [noael_cell],
                            f"the NOAEL {shown(noael)} must be {wanted} for this scaling")
    factor = scaling["species"][species]
    if scaling["method"] == "body_surface_area":
        weight = c.value("weight")
        if weight is None:
            return c.cannot_check("the dose margin", [c.spec["weight"]])
        per_kg = ci.number_in(noael, "mg/kg") * factor / scaling["human"]
        hed = per_kg * ci.number_in(weight, "kg")
        working = (f"{shown(noael)} × Km {g(factor)} ({species}) ÷ Km {g(scaling['human'])} (human) = "
                   f"{g(per_kg, 'mg/kg')}, × {shown(weight)} = {g(hed, 'mg')}")
        return Scaled(i, {"value": hed, "unit": "mg"}, working)
    human = _human_volume(c, scaling)
    if human is None:
        return c.cannot_check("the dose margin", [c.spec["age"]])
    unit = ci.CANONICAL[ci.dimension(noael) or "mass"]
    hed = ci.number_in(noael, unit) * human / factor
    working = (f"{shown(noael)} × {g(human, 'mL')} (human CSF) ÷ {g(factor, 'mL')} ({species} CSF) = "
               f"{g(hed, unit)}")
    return Scaled(i, {"value": hed, "unit": unit}, working)


def _days(c: Inputs, row: int) -> float:
    duration = c.rows()[row].get(c.column("duration")) if "duration" in c.spec else None
    return ci.number_in(duration, "days") if isinstance(duration, dict) and is_filled(duration) else 0.0


def _species(spec: dict, scaling: dict, text: str) -> str | None:
    """The declared species a study's species text names (`Sprague-Dawley rat` → Rat), the longest
    name or alias found as whole words."""
    said = ci.words(text)
    names = [(alias, species) for species in scaling["species"]
             for alias in [species, *(spec.get("species_names") or {}).get(species, [])]]
    hits = [(len(alias), species) for alias, species in names if ci.words(alias) in said]
    return max(hits)[1] if hits else None


def _human_volume(c: Inputs, scaling: dict) -> float | None:
    """The human CSF volume (mL) for the patient's age, or the one volume the model declares."""
    human = scaling["human"]
    if not isinstance(human, list):
        return human
    age = c.value("age")
    if age is None:
        return None
    years = ci.number_in(age, "years")
    return next(step["value"] for step in human if "below" not in step or years < step["below"])


def _judge(c: Inputs, scaling: dict, route: str, pivotal: Scaled) -> list[Finding | Measure]:
    """The margin of the pivotal study's HED over the maximum dose, always measured; below the
    safety factor, also a finding that shows the arithmetic."""
    maximum = _maximum(c, pivotal.hed["unit"])
    if maximum is None:
        return [c.cannot_check("the dose margin", [_first(c.spec["maximum"]), c.spec.get("weight")])]
    declared = c.value("factor", record=False)
    factor = declared["value"] if declared else c.spec["customary_factor"]
    margin = pivotal.hed["value"] / maximum["value"] if maximum["value"] else float("inf")
    study = c.rows()[pivotal.row].get(c.column("study")) or f"row {pivotal.row + 1}"
    basis = "declared" if declared else "customary"
    hed, top = g(pivotal.hed["value"], pivotal.hed["unit"]), g(maximum["value"], maximum["unit"])
    inputs = ("weight", "factor") if scaling["method"] == "body_surface_area" else ("age", "factor")
    fields = [c.cell("noael", pivotal.row), c.cell("species", pivotal.row), c.spec["clinical_route"],
              *(c.spec[k] for k in inputs if k in c.spec)]
    measured = c.measure("Safety margin", margin, "×", ">=", factor,
                         f"HED {hed} from {study} vs maximum dose {top}", _first(c.spec["maximum"]), fields,
                         f"{basis} safety factor; {scaling['name']} scaling, {route}")
    if measured.ok:
        return [measured]
    detail = (f"{study} ({route}): NOAEL {shown(c.rows()[pivotal.row][c.column('noael')])}; "
              f"{scaling['name']} scaling, {scaling['why']}: HED = {pivotal.working}; "
              f"maximum dose for this patient {top}; margin {hed} ÷ {top} = "
              f"{g(margin)}, below the {basis} safety factor of {g(factor)} ({scaling['source']}).")
    return [measured, c.finding(detail, _first(c.spec["maximum"]), fields)]


def _maximum(c: Inputs, unit: str) -> dict | None:
    """The maximum dose for this patient in the HED's unit: the first of the spec's values in it."""
    paths = c.spec["maximum"] if isinstance(c.spec["maximum"], list) else [c.spec["maximum"]]
    for path in paths:
        value = c.values.get(path)
        if isinstance(value, dict) and ci.dimension(value) == ci.dimension({"unit": unit}):
            return {"value": ci.number_in(value, unit), "unit": unit}
    return None


def _first(paths: Any) -> str:
    return paths[0] if isinstance(paths, list) else paths


def validate(r, model: ContentModel, spec: dict, place: str) -> None:
    ci.validate_keys(r, spec, KEYS, OPTIONAL, place)
    table = ci.need_field(r, model, spec, "studies", place, {"table"})
    assert table is not None
    for key, types in (("study", {"text"}), ("species", {"text", "choice"}), ("route", {"choice", "text"})):
        ci.need_column(r, model, spec, key, place, types, table=table.path)
    ci.need_column(r, model, spec, "duration", place, {"number"}, {"time"}, table=table.path)
    ci.need_column(r, model, spec, "noael", place, {"number"},
                   set().union(*METHODS.values()) | {"vector_genomes_per_body_weight"}, table=table.path)
    ci.need_field(r, model, spec, "clinical_route", place, {"choice", "text"})
    ci.need_field(r, model, spec, "maximum", place, {"number"}, {"mass", "vector_genomes"})
    ci.need_field(r, model, spec, "weight", place, {"number"}, {"mass"})
    ci.need_field(r, model, spec, "age", place, {"number"}, {"time"})
    ci.need_field(r, model, spec, "factor", place, {"number"}, set())
    ci.need_number(r, spec, "customary_factor", place)
    names = spec.get("species_names") or {}
    if not isinstance(names, dict) or not all(isinstance(v, list) for v in names.values()):
        raise r.fail(place, "'species_names' maps a species to a list of other names for it")
    scalings = spec["scalings"]
    if not isinstance(scalings, list) or not scalings:
        raise r.fail(place, "'scalings' must be a list of scalings")
    choices = ci.route_choices(model, spec, ("clinical_route", "route"))
    for n, scaling in enumerate(scalings):
        _validate_scaling(r, spec, r.mapping(scaling, f"{place}.scalings[{n}]"), f"{place}.scalings[{n}]", choices)


def _validate_scaling(r, spec: dict, scaling: dict, place: str, choices: set[str]) -> None:
    ci.validate_keys(r, scaling, _SCALING_KEYS, (), place)
    for key in ("name", "why", "source"):
        r.text(scaling, key, place)
    if scaling["method"] not in METHODS:
        raise r.fail(place, f"method '{scaling['method']}' is not one of {', '.join(METHODS)}")
    if scaling["method"] == "body_surface_area" and "weight" not in spec:
        raise r.fail(place, "body-surface-area scaling needs the check's 'weight' (mg/kg × body weight)")
    ci.need_routes(r, scaling, place, choices)
    species = r.mapping(scaling["species"], f"{place}.species")
    for name in species:
        ci.need_number(r, species, name, f"{place}.species")
    human = scaling["human"]
    if isinstance(human, list):
        if "age" not in spec:
            raise r.fail(place, "a human value by age needs the check's 'age'")
        for step in human[:-1]:
            ci.need_number(r, r.mapping(step, f"{place}.human"), "below", f"{place}.human")
        if not human or "below" in human[-1]:
            raise r.fail(place, "'human' by age ends with a value for every older age (no 'below')")
        for step in human:
            ci.need_number(r, step, "value", f"{place}.human")
    else:
        ci.need_number(r, scaling, "human", place)


ci.register("dose_margin", KEYS, ("studies", "study", "species", "route", "noael", "duration", "clinical_route",
                                  "maximum", "weight", "age", "factor"), validate, run)
