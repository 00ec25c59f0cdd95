"""Readiness: run the content model's checks over a dossier's values and derive the state of the
five plausible-mechanism elements. Pure functions of (model, values, attachment names).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from . import quantities
from .checkkinds import Context, Texts, kinds, text_read
from .conditions import Applicability, same
from .derived import derived_values
from .errors import NotReadyError
from .fieldpath import FieldPath, base_path, cell_path, model_path
from .fieldtypes import is_filled
from .findings import BLOCKING, COMPARISONS, Finding, cannot_check, finding, normalize, texts
from .instance_readiness import Scope, count_findings, scopes
from .limits import shown
from .measures import Measure, MeasureGroup, groups
from .model import ELEMENT_STATES, Check, ContentModel, Element, Evidence
from .model_repeats import check_reads, check_repeat, fields_repeat
from .repeats import in_instance, names_instance

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
_OPS = COMPARISONS
__all__ = ["BLOCKING", "Finding", "Measure", "Report", "check_dossier"]


@dataclass(frozen=True)
class ElementState:
    id: str
    title: str
    state: str  # missing / partial / planned / nonclinical / patients (model.ELEMENT_STATES)
    filled: tuple[str, ...]
    missing: tuple[str, ...]
    errors: int
    label: str = ""  # the state in words: "supported by nonclinical evidence"


@dataclass(frozen=True)
class Report:
    findings: tuple[Finding, ...]
    elements: tuple[ElementState, ...]
    measures: tuple[Measure, ...] = ()  # what the checks computed, failing or not (dossier.measures)

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def has_errors(self) -> bool:
        return bool(self.blocking)

    @property
    def blocking(self) -> list[Finding]:
        """The findings that stop a final render or build."""
        return [f for f in self.findings if f.blocks]

    @property
    def measure_groups(self) -> tuple[MeasureGroup, ...]:
        """The measures under the elements they support (in the elements' order), then by dossier part."""
        return groups(self.measures, [e.id for e in self.elements])

    def require_ready(self, doing: str = "build") -> None:
        """The readiness gate of a final render or build: NotReadyError while any finding blocks."""
        if self.blocking:
            raise NotReadyError(self.blocking, doing)

    def as_dict(self) -> dict:
        return {
            "summary": {s: self.count(s) for s in SEVERITY_ORDER},
            "elements": [asdict(e) for e in self.elements],
            "findings": [f.as_dict() for f in self.findings],
            "measures": [m.as_dict() for m in self.measures],
        }


def check_dossier(model: ContentModel, values: dict[str, Any], attachment_names: Iterable[str] = (),
                  read_text: Texts | None = None) -> Report:
    """All findings for a dossier, worst first, then in model order. The checks see the dossier as the
    form shows it: a field that does not apply (dossier.conditions) reads as empty, is not required,
    and no finding points at it. A repeated section is checked instance by instance (`values` holds it
    under `a.s[i].f`; see dossier.instance_readiness), its findings pointing at the instance.

    `read_text` reads an attachment's text for the checks that read reports (Dossier.check gives it; without
    it they check that a report is attached, not what it says)."""
    names = set(attachment_names)
    findings: list[Finding] = count_findings(model, values)
    measures: list[Measure] = []
    passes = []
    reads = {p for c in model.checks for p in check_reads(c)}  # once per check, not once per pass
    repeats = {c.id: check_repeat(model, c) for c in model.checks}
    for scope in scopes(model, values):
        ap = Applicability(model, scope.values)
        seen = ap.values_that_apply()
        # derived values some check reads, computed only then: a conversion loads pint (~0.5 s)
        seen = {**seen, **derived_values(model, seen, reads)}
        for found in scope.place(model, _findings(model, scope, seen, ap, names, repeats, read_text, values)):
            if isinstance(found, Measure):
                measures.append(found)
            else:
                findings.append(found)
        passes.append((scope, seen, ap))
    order = {path: i for i, path in enumerate(model.fields)}
    findings.sort(key=lambda f: (SEVERITY_ORDER[f.severity], order.get(base_path(f.field), len(order)),
                                 _instance(f.field), f.check))
    return Report(tuple(findings), tuple(_element(model, e, passes, findings) for e in model.elements),
                  tuple(_grouped(model, measures)))


def _grouped(model: ContentModel, measures: list[Measure]) -> list[Measure]:
    """The measures in the model's order of checks, each with the group it is shown in: the element its
    check declares, or else the dossier part (area) of the field it supports."""
    elements = {e.id: e.title for e in model.elements}
    checks = {c.id: i for i, c in enumerate(model.checks)}
    placed = []
    for m in sorted(measures, key=lambda m: checks.get(m.check, len(checks))):  # stable: instances in order
        if m.element in elements:
            placed.append(replace(m, group=m.element, group_title=elements[m.element]))
            continue
        where = FieldPath.match(m.field)
        area = next((a for a in model.areas if where and a.id == where.area), None)
        placed.append(replace(m, group=area.id if area else "", group_title=area.title if area else ""))
    return placed


def _findings(model: ContentModel, scope: Scope, values: dict, ap: Applicability, names: set[str],
              repeats: dict[str, str | None], read_text: Texts | None,
              dossier: dict[str, Any]) -> list[Finding | Measure]:
    findings: list[Finding | Measure] = list(_required_fields(model, values, ap, scope))
    findings += dangling_attachments(model, {p: v for p, v in values.items() if scope.checks_field(p)}, names)
    held = (lambda name: read_text(name) if name in names else None) if read_text is not None else None
    for check in model.checks:
        if scope.runs(repeats[check.id]) and ap.check(check):
            findings += [replace(f, source=ap.source(f.source)) for f in _run(check, model, values, ap, held, dossier)
                         if _points_at_applying(ap, f.field)]
    # a finding on a derived value points at the field the user can change: its formula's first
    return [replace(f, field=_changed_by(model, f.field), fields=tuple(_changed_by(model, p) for p in f.fields))
            for f in findings]


def _changed_by(model: ContentModel, path: str) -> str:
    return model.derived[path].reads[0] if path in model.derived else path


def _instance(path: str) -> int:
    where = FieldPath.match(path)
    return -1 if where is None or where.instance is None else where.instance


def _points_at_applying(ap: Applicability, path: str) -> bool:
    """Whether the field, or table column, a finding's path points at applies (`t[2].col`: column col)."""
    where = FieldPath.match(path)
    if where is None:
        return True
    return ap.field(where.field_path) and (where.part is None or ap.field(f"{where.field_path}.{where.part}"))


def _required_fields(model: ContentModel, values: dict, ap: Applicability, scope: Scope) -> Iterable[Finding]:
    for f in model.fields.values():
        if not scope.checks_field(f.path) or not ap.field(f.path):
            continue
        source = ap.help(f)[1] if f.help_variants else f.source  # the source written for this modality or path
        if f.required and not is_filled(values.get(f.path)):
            yield Finding("error", f"{f.label} is required; fill it in.", f.path, source, f"required:{f.path}")
        elif f.type == "table" and f.min_rows and len(values.get(f.path) or []) < f.min_rows:
            yield Finding("error", f"{f.label} needs at least {f.min_rows} row(s).", f.path, source, f"rows:{f.path}")


def attachments_read(model: ContentModel, values: dict[str, Any]) -> list[str]:
    """The attachments whose text the checks read (a laboratory report), as `values` name them at their
    fields (in every instance of a repeated section)."""
    fields = text_read(model)
    return list(dict.fromkeys(name for path, value in values.items() if model_path(path) in fields
                              for name in value or []))


def dangling_attachments(model: ContentModel, values: dict, names: set[str]) -> Iterable[Finding]:
    """An attachment a value names (at a field's path, or an instance's) that the dossier does not hold."""
    for path, value in values.items():
        f = model.fields.get(model_path(path))
        refs: list[tuple[str, str]] = []
        if f is None:  # a derived value
            continue
        if f.type == "attachment":
            refs = [(path, name) for name in value or []]
        elif f.type == "table":
            refs = [(cell_path(path, i, c.id), row[c.id]) for i, row in enumerate(value or [])
                    for c in f.columns if c.type == "attachment" and c.id in row]
        for path, name in refs:
            if name not in names:
                yield Finding("error", f"attachment '{name}' is referenced but not in the dossier; attach it again.",
                              path, f.source, "attachment-missing")


def _mentions(a: str, b: str) -> bool:
    a, b = normalize(a, "text"), normalize(b, "text")
    return bool(a and b) and (a in b or b in a)


def _row_matches(row: dict, where: dict | None) -> bool:
    return all(any(same(row.get(col), w) for w in (wanted if isinstance(wanted, list) else [wanted]))
               for col, wanted in (where or {}).items())


def _run(check: Check, model: ContentModel, values: dict, ap: Applicability,
         read_text: Texts | None = None, dossier: dict[str, Any] | None = None) -> Sequence[Finding | Measure]:
    spec = check.spec
    kind = check.kind
    if kind == "flag":  # it runs only while its `when` holds: the combination is there
        return [finding(check)]
    if kind == "required":
        return [finding(check, p) for p in spec["fields"] if not texts(model, values, p)]
    if kind == "any_filled":
        shown = [p for p in spec["fields"] if ap.field(p)]  # the finding points at the first one the form shows
        return [] if not shown or any(texts(model, values, p) for p in shown) else [finding(check, shown[0])]
    if kind == "equal":
        return _equal(check, model, values)
    if kind == "contains":
        needle, haystack = texts(model, values, spec["field"]), texts(model, values, spec["in"])
        if not needle or not haystack:
            return []
        how = spec.get("normalize", "text")
        return [] if any(normalize(n, how) in normalize(" ".join(haystack), how) for n in needle) \
            else [finding(check, spec["in"])]
    if kind == "rows":
        return _rows(check, model, values)
    if kind == "each_row":
        found = []
        for i, row in enumerate(values.get(spec["field"]) or []):
            if _row_matches(row, spec.get("where")):
                found += [finding(check, cell_path(spec["field"], i, col))
                          for col in spec["has"] if not is_filled(row.get(col))]
        return found
    if kind == "compare":
        return _compare(check, values)
    if kind == "overlap":
        ours, theirs = texts(model, values, spec["left"]), texts(model, values, spec["right"])
        if not ours or not theirs:
            return []
        return [] if any(_mentions(a, b) for a in ours for b in theirs) else [finding(check)]
    if kind == "covers":
        needed, offered = texts(model, values, spec["field"]), texts(model, values, spec["by"])
        missing = [w for w in needed if not any(_mentions(w, o) for o in offered)]
        return [finding(check, detail=f"not covered: {m}") for m in dict.fromkeys(missing)]
    if kind in kinds():
        return kinds()[kind].run(check, Context(model, values, ap, read_text,
                                                dossier if kinds()[kind].whole else None))
    raise AssertionError(f"check kind {kind} passed model validation but has no implementation")


def _rows(check: Check, model: ContentModel, values: dict) -> list[Finding]:
    """At least `min` rows match `where`. With `per: {column: path}` (the field naming an instance: an arm)
    a row counts only where its column names that field's value; a row naming none counts for no instance
    (evidence for one arm's product does not show another's), and the finding says which rows those are.
    While the field is empty or does not apply (one unnamed arm), every row counts, as without `per`."""
    spec = check.spec
    rows = [(i, r) for i, r in enumerate(values.get(spec["field"]) or []) if _row_matches(r, spec.get("where"))]
    wanted, detail = int(spec.get("min", 1)), ""
    for column, path in (spec.get("per") or {}).items():
        name = values.get(path)
        if not is_filled(name):
            continue
        unnamed = [i + 1 for i, r in rows if not is_filled(r.get(column))]
        rows = [(i, r) for i, r in rows if names_instance(r.get(column), name)]
        label = model.fields[spec["field"]].column(column).label
        detail = f" naming this {label.lower()} in its {label} column" + (
            f"; row(s) {', '.join(map(str, unnamed))} name no {label.lower()}: name it there" if unnamed else "")
    if len(rows) >= wanted:
        return []
    return [finding(check, detail=f"{len(rows)} of {wanted} found{detail}")]


def _equal(check: Check, model: ContentModel, values: dict) -> list[Finding]:
    """One value in several places (one molecule, one route): the finding shows each place's value.
    While only some of the places are filled the check cannot tell, and says so."""
    found = {p: texts(model, values, p) for p in check.spec["fields"]}
    empty = [p for p, t in found.items() if not t]
    if empty:
        return [] if len(empty) == len(found) else [cannot_check(check, model, empty)]
    normal = {p: normalize(t[0], check.spec.get("normalize")) for p, t in found.items()}
    if len(set(normal.values())) == 1:
        return []
    return [finding(check, detail="; ".join(f"{p}: {shown(v)}" for p, v in normal.items()))]


def _compare(check: Check, values: dict) -> list[Finding]:
    """Two numbers, converted to one unit when their units differ, or two dates at the precision of
    the less precise (2027-03 and 2027-03-15 are the same month)."""
    left, right = values.get(check.spec["left"]), values.get(check.spec["right"])
    if not (is_filled(left) and is_filled(right)):
        return []
    op = _OPS[check.spec["op"]]
    if isinstance(left, str) and isinstance(right, str):
        return [] if op(*quantities.compare_dates(left, right)) else [finding(check)]
    try:
        numbers = quantities.comparable(*(side if isinstance(side, dict) else {} for side in (left, right)))
    except ValueError as exc:
        return [finding(check, detail=str(exc))]
    return [] if op(*numbers) else [finding(check)]


def _element(model: ContentModel, element: Element, passes: list[tuple[Scope, dict, Applicability]],
             findings: list[Finding]) -> ElementState:
    """An element's state; one whose fields repeat is supported only when every instance supports it
    (no instance at all: as a dossier without them, its repeated fields lacking)."""
    repeat = fields_repeat(model, element.fields)
    ours = [p for p in passes if p[0].repeat == repeat and repeat is not None] or passes[:1]
    states = [(scope, _element_state(element, seen, findings, ap)) for scope, seen, ap in ours]
    if len(states) == 1:
        scope, state = states[0]
        return replace(state, filled=tuple(_placed(model, scope, state.filled)),
                       missing=tuple(_placed(model, scope, state.missing)))
    kinds = {state.state for _, state in states}
    order = list(ELEMENT_STATES)  # weakest first: the element is as strong as its weakest instance
    kind = kinds.pop() if len(kinds) == 1 else "partial" if kinds & {"missing", "partial"} else \
        min(kinds, key=order.index)
    return ElementState(element.id, element.title, kind,
                        tuple(p for scope, state in states for p in _placed(model, scope, state.filled)),
                        tuple(p for scope, state in states for p in _placed(model, scope, state.missing)),
                        states[0][1].errors, ELEMENT_STATES[kind])


def _placed(model: ContentModel, scope: Scope, paths: Iterable[str]) -> list[str]:
    return [p if scope.repeat is None else in_instance(model, p, scope.repeat, scope.instance, scope.outer)
            for p in paths]


def _element_state(element: Element, values: dict, findings: list[Finding], ap: Applicability) -> ElementState:
    """Missing or partial while the plan is incomplete; a complete plan is only *planned* until
    evidence shows it: outside patients (nonclinical) or in the treated patients."""
    def filled(path: str) -> bool:
        if path in values:
            return is_filled(values[path])
        where = FieldPath.parse(path)
        return any(is_filled(row.get(where.part)) for row in values.get(where.field_path) or [])

    def shown(evidence: Evidence) -> bool:
        """Evidence is there when its fields apply and are filled and its checks apply and find nothing."""
        if not evidence:
            return False
        checks = [c for c in ap.model.checks if c.id in evidence.checks]
        return all(ap.field(p) and filled(p) for p in evidence.fields) and all(ap.check(c) for c in checks) \
            and not any(f.check in evidence.checks for f in findings)

    paths = [p for p in element.fields if ap.field(p)]  # a field that does not apply is not lacking
    have = tuple(p for p in paths if filled(p))
    lacking = tuple(p for p in paths if not filled(p))
    errors = sum(1 for f in findings if f.severity == "error" and
                 (f.element == element.id or base_path(f.field) in element.fields))
    if not have:
        state = "missing"
    elif lacking or errors:
        state = "partial"
    elif shown(element.patients):
        state = "patients"
    elif shown(element.nonclinical):
        state = "nonclinical"
    else:
        state = "planned"
    return ElementState(element.id, element.title, state, have, lacking, errors, ELEMENT_STATES[state])
