"""What a check measured (a Measure): the number it computed from the dossier, the limit it held the
number to and whether it is within it, reported whether or not the check finds anything. A reviewer
reads the margin, not only its failure: `dossier check` prints the measures under the elements (or
dossier parts) they support and the readiness panel shows them there.

A check kind reports a measure by returning it among its findings (dossier.checkkinds); readiness
sorts them apart (Report.measures). A measure says how its number compares with its limit (`op`) and
whether that holds (`ok`); the check decides `ok` once and makes its finding from the same decision,
so the panel and the findings never disagree.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from .findings import COMPARISONS
from .quantities import format_quantity

if TYPE_CHECKING:
    from .model import Check

# how a measure's comparison reads ("needs ≥ 10×"); "=" is a match within the check's own tolerance, "in"
# a place within a stretch (limit to upper: "needs 4–8")
OP_WORDS = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "=": "=", "in": ""}
# the unit of a yes-or-no measure (a report names the variant, a PAM follows the spacer): 1 is yes
YES_NO = "yes/no"


@dataclass(frozen=True)
class Measure:
    check: str                # the id of the check that measured it
    label: str                # what was measured, in the user's words: "Safety margin"
    value: float
    unit: str                 # "×" for a ratio, "" for a plain number
    op: str                   # how the value must compare with the limit (OP_WORDS)
    limit: float
    ok: bool
    basis: str                # the arithmetic in brief: "HED 520 mg vs maximum dose 42 mg"
    field: str                # the field it supports: the app jumps there
    fields: tuple[str, ...] = ()  # the other fields it read
    note: str = ""            # what sets the limit: "customary factor, CSF-volume scaling"
    source: str = ""
    severity: str = "error"   # its check's: the severity of the finding when it is not ok
    element: str | None = None    # the plausible-mechanism element its check declares
    instance: str = ""        # set by readiness: the name of the instance of a repeated section it measured
    group: str = ""           # set by readiness: the element it is shown under, or else the dossier part
    group_title: str = ""
    upper: float | None = None  # the end of the stretch an "in" measure must lie in (limit is its start)

    @property
    def shown(self) -> str:
        """The value as the dossier shows numbers: '12.4×', '0.0438 EU/kg'; 'yes' or 'no' for a yes/no measure."""
        if self.unit == YES_NO:
            return "yes" if self.value else "no"
        return number(self.value, self.unit)

    @property
    def limit_shown(self) -> str:
        """'≥ 10×'; a stretch '4–8'; 'yes'."""
        if self.unit == YES_NO:
            return "yes" if self.limit else "no"
        if self.op == "in":
            return f"{number(self.limit)}–{number(self.upper if self.upper is not None else self.limit, self.unit)}"
        return f"{OP_WORDS[self.op]} {number(self.limit, self.unit)}"

    @property
    def needs(self) -> str:
        """'≥ 10× (customary safety factor)': the limit and what sets it."""
        return f"{self.limit_shown} ({self.note})" if self.note else self.limit_shown

    @property
    def headline(self) -> str:
        """One short line for a narrow panel that heads it with the instance: 'Safety margin 12.4× (needs
        ≥ 10×)'; a yes/no measure says its answer: 'Lab report names NM_000391.4:c.1266+5G>A: yes'."""
        return f"{self.label}: {self.shown}" if self.unit == YES_NO else \
            f"{self.label} {self.shown} (needs {self.limit_shown})"

    @property
    def brief(self) -> str:
        """The headline with the instance last: 'Safety margin 12.4× (needs ≥ 10×) · Arm 2'."""
        return f"{self.headline} · {self.instance}" if self.instance else self.headline

    @property
    def text(self) -> str:
        """The line `dossier check` prints (and the panel's tooltip): label, value, arithmetic, what it needs."""
        text = f"{self.label}: {self.shown} ({self.basis})" if self.unit == YES_NO else \
            f"{self.label} {self.shown} ({self.basis}; needs {self.needs})"
        return f"{self.instance}: {text}" if self.instance else text

    def as_dict(self) -> dict:
        shown = {k: getattr(self, k) for k in ("shown", "limit_shown", "needs", "brief", "text")}
        return {**asdict(self), **shown}


@dataclass(frozen=True)
class MeasureGroup:
    """The measures shown together: under an element, or under the dossier part of their field."""
    id: str
    title: str
    measures: tuple[Measure, ...] = ()


def number(value: float, unit: str | None = None) -> str:
    """A computed number to 3 significant digits with its unit ('12.4×', '520 mg'); a margin over a
    dose of 0 is '∞×'."""
    if math.isinf(value):
        return "∞×" if unit == "×" else f"∞ {unit}" if unit else "∞"
    rounded = float(f"{value:.3g}")
    return f"{format_quantity(rounded, None)}×" if unit == "×" else format_quantity(rounded, unit or None)


def measure(check: Check, label: str, value: float, unit: str, op: str, limit: float, basis: str, field: str,
            fields: Iterable[str | None] = (), note: str = "", ok: bool | None = None,
            upper: float | None = None) -> Measure:
    """A measure of `check`; `ok` defaults to the comparison itself (give it when the check allows a
    tolerance). Op "in" is a place within limit…upper. Empty names among `fields`, and `field` itself, are
    dropped."""
    held = COMPARISONS[op](value, limit) if ok is None and op in COMPARISONS else ok
    if held is None and op == "in" and upper is not None:
        held = limit <= value <= upper
    if held is None:
        raise ValueError(f"a measure with op '{op}' must say whether it holds")
    return Measure(check.id, label, value, unit, op, limit, held, basis, field,
                   tuple(p for p in dict.fromkeys(fields) if p and p != field), note, check.source, check.severity,
                   check.element, upper=upper)


def answer(check: Check, label: str, yes: bool, basis: str, field: str, fields: Iterable[str | None] = ()) -> Measure:
    """A yes/no measure of `check` that holds when the answer is yes: 'Lab report names …: yes (found on page 1)'."""
    return measure(check, label, 1 if yes else 0, YES_NO, "=", 1, basis, field, fields, ok=yes)


def groups(measures: Iterable[Measure], order: Iterable[str] = ()) -> tuple[MeasureGroup, ...]:
    """The measures by group: the groups named in `order` (the elements) first, then the rest as met."""
    by: dict[str, list[Measure]] = {g: [] for g in order}
    titles: dict[str, str] = {}
    for m in measures:
        by.setdefault(m.group, []).append(m)
        titles[m.group] = m.group_title
    return tuple(MeasureGroup(g, titles[g], tuple(ms)) for g, ms in by.items() if ms)
