"""Check kind `dose_escalation`: the escalation table starts at the starting dose, no step exceeds the
maximum dose, and each step says what lets the patient move on. Doses are compared as amounts for
this patient (a dose in mg/kg times the body weight), so a table in mg/kg and a maximum in mg agree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import checkinputs as ci
from .checkinputs import Inputs, g, shown
from .fieldtypes import is_filled
from .findings import Finding

if TYPE_CHECKING:
    from .measures import Measure
    from .model import Check, ContentModel

KEYS = ("steps", "step", "dose", "rule", "starting", "maximum")
OPTIONAL = ("weight",)
_SAME = 1e-9  # relative: 0.1 mg/kg × 20 kg is 2 mg whatever the float noise


def run(check: Check, model: ContentModel, values: dict[str, Any]) -> list[Finding | Measure]:
    c = Inputs(check, model, values)
    starting, maximum = c.value("starting"), c.value("maximum")
    if starting is None or maximum is None:
        return [c.cannot_check("the dose escalation")]
    weight = c.value("weight", record=False)
    start, top = ci.amount(starting, weight), ci.amount(maximum, weight)
    if start is None or top is None or start["unit"] != top["unit"]:
        return [c.cannot_check("the dose escalation", [c.spec["starting"], c.spec["maximum"], c.spec.get("weight")],
                             _why_not(starting, maximum, weight))]
    rows = c.rows("steps")
    if not rows:
        if start["value"] < top["value"] * (1 - _SAME):
            return [c.finding(f"the starting dose ({shown(starting)}) is below the maximum ({shown(maximum)}) "
                              "but no escalation step says how the dose rises; add the steps.",
                              c.spec["steps"], [c.spec["starting"], c.spec["maximum"]])]
        return []
    return _steps(c, rows, start, top, weight, starting, maximum)


def _steps(c: Inputs, rows: list[dict], start: dict, top: dict, weight: dict | None, starting: dict,
           maximum: dict) -> list[Finding | Measure]:
    found: list[Finding | Measure] = []
    doses: list[tuple[int, str, dict]] = []  # (row, step name, amount for this patient)
    for i, row in enumerate(rows):
        name = f"step {row.get(c.column('step')) or i + 1}"
        dose = row.get(c.column("dose"))
        if not isinstance(dose, dict) or not is_filled(dose):
            found.append(c.cannot_check(f"{name} of the escalation", [c.cell("dose", i)]))
            continue
        amount = ci.amount(dose, weight)
        if amount is None or amount["unit"] != top["unit"]:
            found.append(c.cannot_check(f"{name} of the escalation", [c.cell("dose", i), c.spec.get("weight")],
                                      _why_not(dose, maximum, weight)))
            continue
        per = _per_patient(dose, amount)
        doses.append((i, name, amount))
        if i == 0 and abs(amount["value"] - start["value"]) > _SAME * max(start["value"], 1e-300):
            found.append(c.finding(f"the escalation starts at {shown(dose)}{per}, not at the starting dose "
                                   f"{shown(starting)}{_per_patient(starting, start)}.",
                                   c.cell("dose", i), [c.spec["starting"]]))
        if amount["value"] > top["value"] * (1 + _SAME):
            found.append(c.finding(f"{name} gives {shown(dose)}{per}, above the maximum dose "
                                   f"{shown(maximum)}{_per_patient(maximum, top)}.",
                                   c.cell("dose", i), [c.spec["maximum"]]))
        if not is_filled(row.get(c.column("rule"))):
            found.append(c.finding(f"{name} does not say what allows moving on from it; give its "
                                   f"{c.label(c.spec['rule']).split(': ')[-1]}.", c.cell("rule", i)))
    return _measures(c, doses, start, top) + found


def _measures(c: Inputs, doses: list[tuple[int, str, dict]], start: dict, top: dict) -> list[Finding | Measure]:
    """The first step against the starting dose and the highest step against the maximum, as amounts
    for this patient (the same decisions as the findings above)."""
    if not doses:
        return []
    first, (i, name, highest) = doses[0], max(doses, key=lambda d: d[2]["value"])
    unit = top["unit"]
    return [
        c.measure("First escalation step", first[2]["value"], unit, "=", start["value"],
                  f"{first[1]} vs starting dose {g(start['value'], unit)}", c.cell("dose", first[0]),
                  [c.spec["starting"], c.spec.get("weight")],
                  ok=abs(first[2]["value"] - start["value"]) <= _SAME * max(start["value"], 1e-300)),
        c.measure("Highest escalation step", highest["value"], unit, "<=", top["value"],
                  f"{name} vs maximum dose {g(top['value'], unit)}", c.cell("dose", i),
                  [c.spec["maximum"], c.spec.get("weight")], ok=highest["value"] <= top["value"] * (1 + _SAME)),
    ]


def _per_patient(dose: dict, amount: dict) -> str:
    """' (= 2 mg for this patient)' for a weight-based dose; nothing for an amount."""
    same = dose.get("unit") == amount["unit"]
    return "" if same else f" (= {g(amount['value'], amount['unit'])} for this patient)"


def _why_not(a: dict, b: dict, weight: dict | None) -> str:
    dims = {ci.dimension(a), ci.dimension(b)}
    if weight is None and dims & set(ci.ABSOLUTE):
        return "a dose per body weight needs the body weight; fill it in"
    return f"{shown(a)} and {shown(b)} are not doses of one kind (mg and vg never compare)"


def validate(r, model: ContentModel, spec: dict, place: str) -> None:
    ci.validate_keys(r, spec, KEYS, OPTIONAL, place)
    doses = set(ci.CANONICAL) - {"time"}
    table = ci.need_field(r, model, spec, "steps", place, {"table"})
    assert table is not None
    ci.need_column(r, model, spec, "step", place, {"text", "number"}, table=table.path)
    ci.need_column(r, model, spec, "dose", place, {"number"}, doses, table=table.path)
    ci.need_column(r, model, spec, "rule", place, {"text", "longtext"}, table=table.path)
    for key in ("starting", "maximum"):
        ci.need_field(r, model, spec, key, place, {"number"}, doses)
    ci.need_field(r, model, spec, "weight", place, {"number"}, {"mass"})


ci.register("dose_escalation", KEYS, (*KEYS, *OPTIONAL), validate, run)
