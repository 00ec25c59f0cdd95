"""Check kind `endotoxin`: the endotoxin a patient receives with the maximum dose, per kg of body
weight, against the threshold K of the route (USP <85>: K = 0.2 EU/kg intrathecal, 5 EU/kg for other
parenteral routes; the limit is K/M, M the maximum dose per kg given within one hour).

A check judges the limits it names, each on its own: a drug substance's (EU/mg × the substance's mg in
the maximum dose ÷ body weight) and the drug product's (EU/mL × the volume of the maximum dose ÷ body
weight, or EU/mg as for the substance). Each finding shows its numbers. A dose measured as another
material carries its substances in proportion (`share`: a lipid nanoparticle dosed in mg of total RNA
carries about 14 mg of its ionizable lipid per mg); without one a substance is what the dose measures.
A substance's limit is a field of a repeated section (one per drug substance), so the model declares it
in a check of its own, run per substance, and the product's in another, run once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import checkinputs as ci
from .checkinputs import Inputs, g, shown
from .findings import Finding

if TYPE_CHECKING:
    from .measures import Measure
    from .model import Check, ContentModel

KEYS = ("route", "thresholds", "maximum", "weight")
LIMITS = (("substance_limit", "drug substance"), ("product_limit", "drug product"))
OPTIONAL = ("concentration", "share", *(key for key, _ in LIMITS))


def run(check: Check, model: ContentModel, values: dict[str, Any]) -> list[Finding | Measure]:
    c = Inputs(check, model, values)
    routed = c.for_route("route", "thresholds", "the endotoxin dose",
                        "state the limit's basis in the specification: no endotoxin threshold K")
    if isinstance(routed, Finding):
        return [routed]
    route, threshold = routed
    maximum, weight = c.value("maximum"), c.value("weight")
    if maximum is None or weight is None:
        return [c.cannot_check("the endotoxin dose")]  # at the input it lacks (the patient's weight, mostly)
    dose_mg, kg = ci.number_in(maximum, "mg"), ci.number_in(weight, "kg")
    k = threshold["k"]
    found: list[Finding | Measure] = []
    read = [check.spec["maximum"], check.spec["weight"], check.spec["route"]]
    for key, what in ((key, what) for key, what in LIMITS if key in check.spec):
        limit = c.value(key, record=False)
        if limit is None:
            found.append(c.cannot_check(f"the {what} endotoxin limit", [check.spec[key]]))
            continue
        dose_eu = _endotoxin(c, limit, dose_mg, c.value("share", record=False) if key == "substance_limit" else None)
        if isinstance(dose_eu, Finding):
            found.append(dose_eu)
            continue
        eu, working = dose_eu
        per_kg = eu / kg
        measured = c.measure(f"Endotoxin, {what} limit", per_kg, "EU/kg", "<=", k,
                             f"{working} ÷ {shown(weight)}", check.spec[key], read, f"K for {route}",
                             ok=per_kg <= k * (1 + 1e-9))
        found.append(measured)
        if not measured.ok:
            found.append(c.finding(
                f"the {what} limit gives {working} ÷ {shown(weight)} = {g(per_kg, 'EU/kg')}, above K = "
                f"{g(k, 'EU/kg')} for {route} ({threshold['why']}); the limit must be at most "
                f"{_allowed(limit, k * kg, eu)}.", check.spec[key], read))
    return found


def _endotoxin(c: Inputs, limit: dict, dose_mg: float, share: dict | None = None) -> tuple[float, str] | Finding:
    """EU in the maximum dose, with the working shown: EU/mg × mg (× the substance's mg per mg of the
    dose), or EU/mL × (mg ÷ mg/mL)."""
    if ci.dimension(limit) == "endotoxin_per_mass":
        if share is not None:
            mg = dose_mg * share["value"]
            eu = ci.number_in(limit, "EU/mg") * mg
            return eu, (f"{shown(limit)} × {g(mg, 'mg')} (maximum dose {g(dose_mg, 'mg')} × {g(share['value'])} mg "
                        f"per mg) = {g(eu, 'EU')}")
        eu = ci.number_in(limit, "EU/mg") * dose_mg
        return eu, f"{shown(limit)} × {g(dose_mg, 'mg')} = {g(eu, 'EU')}"
    concentration = c.value("concentration", record=False)
    if concentration is None or ci.dimension(concentration) != "concentration":
        return c.cannot_check("the drug product endotoxin limit per mL", [c.spec.get("concentration")],
                            "a limit per mL needs the product's concentration in mg/mL to know the dose's volume")
    volume = dose_mg / ci.number_in(concentration, "mg/mL")
    eu = ci.number_in(limit, "EU/mL") * volume
    return eu, (f"{shown(limit)} × {g(volume, 'mL')} (maximum dose {g(dose_mg, 'mg')} at {shown(concentration)}) "
                f"= {g(eu, 'EU')}")


def _allowed(limit: dict, allowed_eu: float, eu: float) -> str:
    """The highest limit in the limit's own unit that keeps the dose at K."""
    return g(limit["value"] * allowed_eu / eu, limit["unit"]) if eu else shown(limit)


def validate(r, model: ContentModel, spec: dict, place: str) -> None:
    ci.validate_keys(r, spec, KEYS, OPTIONAL, place)
    if not any(key in spec for key, _ in LIMITS):
        raise r.fail(place, "an 'endotoxin' check judges substance_limit (EU/mg), product_limit (EU/mL or EU/mg) "
                            "or both; name at least one")
    ci.need_field(r, model, spec, "route", place, {"choice", "text"})
    ci.need_field(r, model, spec, "maximum", place, {"number"}, {"mass"})
    ci.need_field(r, model, spec, "weight", place, {"number"}, {"mass"})
    ci.need_field(r, model, spec, "substance_limit", place, {"number"}, {"endotoxin_per_mass"})
    ci.need_field(r, model, spec, "product_limit", place, {"number"}, {"endotoxin_per_mass", "endotoxin_per_volume"})
    ci.need_field(r, model, spec, "concentration", place, {"number"}, {"concentration"})
    ci.need_field(r, model, spec, "share", place, {"number"}, set())
    if "share" in spec and "substance_limit" not in spec:
        raise r.fail(place, "'share' (a substance's mg per mg of the dose) goes with substance_limit")
    thresholds = spec["thresholds"]
    if not isinstance(thresholds, list) or not thresholds:
        raise r.fail(place, "'thresholds' must be a list of {routes, k, why}")
    choices = ci.route_choices(model, spec, ("route",))
    for n, data in enumerate(thresholds):
        where = f"{place}.thresholds[{n}]"
        data = r.mapping(data, where)
        ci.validate_keys(r, data, ("routes", "k", "why"), (), where)
        ci.need_routes(r, data, where, choices)
        ci.need_number(r, data, "k", where)
        r.text(data, "why", where)


ci.register("endotoxin", KEYS, ("route", "maximum", "weight", "substance_limit", "product_limit", "concentration",
                                "share"),
            validate, run)
