"""Check kinds that ask whether the toxicology fits the clinic (FDA's individualized-ASO nonclinical
guidance: a study by the clinical route, long enough for the dosing, with the clinical material):
- `tox_route`: at least one study was done by the clinical route;
- `tox_duration`: the longest study by the clinical route covers the planned dosing period, or the
  customary chronic duration (declared, e.g. 13 weeks) when dosing is longer, unless a waiver says why not;
- `tox_lot`: each study by the clinical route used a clinical batch, unless a bridging statement is given.
With no study by the clinical route, duration and lot say nothing: the `tox_route` finding says they
cannot be judged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import checkinputs as ci
from .checkinputs import Inputs, g, shown
from .fieldpath import FieldPath
from .fieldtypes import is_filled
from .findings import Finding

if TYPE_CHECKING:
    from .measures import Measure
    from .model import Check, ContentModel

ROUTE_KEYS = ("studies", "study", "route", "clinical_route")
DURATION_KEYS = (*ROUTE_KEYS, "duration", "period", "chronic")
LOT_KEYS = (*ROUTE_KEYS, "lot", "batches")


def _by_route(c: Inputs) -> tuple[str | None, list[tuple[int, dict]]]:
    route = c.text("clinical_route")
    rows = [(i, row) for i, row in enumerate(c.rows()) if ci.same_text(row.get(c.column("route")), route)]
    return route, rows


def _name(c: Inputs, i: int, row: dict) -> str:
    return row.get(c.column("study")) or f"row {i + 1}"


def run_route(check: Check, model: ContentModel, values: dict[str, Any]) -> list[Finding]:
    c = Inputs(check, model, values)
    route, rows = _by_route(c)
    if route is None:
        return [c.cannot_check("the route of the toxicology studies")]
    studies = c.rows()
    if not studies or rows:
        return []  # no studies at all: the toxicology-basis check says so
    routes = [(i, row) for i, row in enumerate(studies) if is_filled(row.get(c.column("route")))]
    if not routes:
        cells = [c.cell("route", i) for i in range(len(studies))]
        return [c.cannot_check("the route of the toxicology studies", cells)]
    used = "; ".join(f"{_name(c, i, row)}: {row[c.column('route')]}" for i, row in routes)
    return [c.finding(f"no toxicology study was done by the clinical route, {route} (studies by route: {used}); "
                      "the dose margin, study duration and test-article lot cannot be judged until one is.",
                      c.cell("route", routes[0][0]), [c.spec["clinical_route"]])]


def run_duration(check: Check, model: ContentModel, values: dict[str, Any]) -> list[Finding | Measure]:
    c = Inputs(check, model, values)
    waived = "waiver" in c.spec and c.value("waiver", record=False) is not None
    route, rows = _by_route(c)
    period = c.value("period")
    if route is None or period is None:
        return [] if waived else [c.cannot_check("whether the toxicology covers the dosing period")]
    timed = [(i, row) for i, row in rows if is_filled(row.get(c.column("duration")))]
    if rows and not timed and not waived:
        cells = [c.cell("duration", i) for i, _ in rows]
        return [c.cannot_check("whether the toxicology covers the dosing period", cells)]
    if not timed:
        return []
    i, longest = max(timed, key=lambda item: ci.number_in(item[1][c.column("duration")], "days"))
    duration, chronic = longest[c.column("duration")], c.spec["chronic"]
    days = ci.number_in(duration, "days")
    if ci.number_in(period, "days") > ci.number_in(chronic, "days"):
        needed = chronic
        why = f"longer than {shown(chronic)}, so the customary {shown(chronic)} study for chronic dosing"
    else:
        needed, why = period, "so a study covering that period"
    covers = days >= ci.number_in(needed, "days") * (1 - 1e-9)
    read = [c.spec["period"], c.spec.get("waiver", "")]
    note = "the customary chronic study" if needed is chronic else "the dosing period"
    if waived and not covers:
        note += "; waived, the waiver says why"
    measured = c.measure("Longest toxicology study", days, "days", ">=", ci.number_in(needed, "days"),
                         f"{_name(c, i, longest)} by {route} vs dosing for {_days(period)}", c.cell("duration", i),
                         read, note, ok=covers or waived)
    if measured.ok:
        return [measured]
    detail = (f"the longest study by {route}, {_name(c, i, longest)}, dosed for {_days(duration)}; dosing is planned "
              f"for {_days(period)}, {why} is needed. Extend the study, or say why not in the waiver.")
    return [measured, c.finding(detail, c.cell("duration", i), read)]


def _days(quantity: dict) -> str:
    """'13 weeks (91 days)': the length as entered, and in days when entered otherwise."""
    days = ci.number_in(quantity, "days")
    return shown(quantity) if quantity.get("unit") == "days" else f"{shown(quantity)} ({g(days, 'days')})"


def run_lot(check: Check, model: ContentModel, values: dict[str, Any]) -> list[Finding]:
    c = Inputs(check, model, values)
    if "bridging" in c.spec and c.value("bridging", record=False) is not None:
        return []
    route, rows = _by_route(c)
    if route is None:
        return [c.cannot_check("the toxicology test-article lot")]
    batches = [b for b in _column_values(c, "batches") if b]
    if rows and not batches:
        return [c.cannot_check("the toxicology test-article lot", [c.spec["batches"]])]
    found = []
    for i, row in rows:
        lot = row.get(c.column("lot"))
        if not is_filled(lot):
            found.append(c.cannot_check(f"the test-article lot of {_name(c, i, row)}", [c.cell("lot", i)]))
        elif not any(ci.same_text(lot, b) for b in batches):
            found.append(c.finding(
                f"{_name(c, i, row)} ({route}) used lot {lot}, which is not a clinical batch ({', '.join(batches)}); "
                "use the clinical lot or give a bridging statement (same process, comparable impurity profile).",
                c.cell("lot", i), [c.spec["batches"], c.spec.get("bridging", "")]))
    return found


def _column_values(c: Inputs, key: str) -> list[str]:
    table = FieldPath.parse(c.spec[key])
    return [str(row.get(table.part)).strip() for row in c.values.get(table.field_path) or []
            if is_filled(row.get(table.part))]


def _validate_route(r, model: ContentModel, spec: dict, place: str, required: tuple, optional: tuple) -> str:
    ci.validate_keys(r, spec, required, optional, place)
    table = ci.need_field(r, model, spec, "studies", place, {"table"})
    assert table is not None
    ci.need_column(r, model, spec, "study", place, {"text"}, table=table.path)
    ci.need_column(r, model, spec, "route", place, {"choice", "text"}, table=table.path)
    ci.need_field(r, model, spec, "clinical_route", place, {"choice", "text"})
    return table.path


def validate_route(r, model: ContentModel, spec: dict, place: str) -> None:
    _validate_route(r, model, spec, place, ROUTE_KEYS, ())


def validate_duration(r, model: ContentModel, spec: dict, place: str) -> None:
    table = _validate_route(r, model, spec, place, DURATION_KEYS, ("waiver",))
    ci.need_column(r, model, spec, "duration", place, {"number"}, {"time"}, table=table)
    ci.need_field(r, model, spec, "period", place, {"number"}, {"time"})
    ci.need_field(r, model, spec, "waiver", place, {"text", "longtext"})
    spec["chronic"] = ci.need_quantity(r, spec["chronic"], "chronic", place, "time")


def validate_lot(r, model: ContentModel, spec: dict, place: str) -> None:
    table = _validate_route(r, model, spec, place, LOT_KEYS, ("bridging",))
    ci.need_column(r, model, spec, "lot", place, {"text"}, table=table)
    ci.need_column(r, model, spec, "batches", place, {"text"})
    ci.need_field(r, model, spec, "bridging", place, {"text", "longtext"})


ci.register("tox_route", ROUTE_KEYS, ROUTE_KEYS, validate_route, run_route)
ci.register("tox_duration", DURATION_KEYS, (*ROUTE_KEYS, "duration", "period", "waiver"), validate_duration,
            run_duration)
ci.register("tox_lot", LOT_KEYS, (*ROUTE_KEYS, "lot", "batches", "bridging"), validate_lot, run_lot)
