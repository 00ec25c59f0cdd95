"""The content model's readiness checks (`checks:`), read at load, and the references of checks,
elements and fields checked against the model: every path, document, element and check they name
exists, and each check kind's own rules hold (see dossier.checkkinds for the kinds' code)."""

from __future__ import annotations

from functools import partial
from typing import Any

from . import quantities
from .checkkinds import kinds, spec_paths
from .conditions import parse_condition
from .fieldpath import FieldPath
from .model import CHECK_KINDS, SEVERITIES, Check, ContentModel


def read_checks(r, raw: dict) -> tuple[Check, ...]:
    checks = []
    for i, data in enumerate(raw.get("checks") or []):
        place = f"checks[{i}]"
        data = r.mapping(data, place)
        place = f"{place} ({data.get('id', '?')})"
        kind = r.text(data, "kind", place)
        registered = {name: k.needs for name, k in kinds().items()}
        known_kinds = {**CHECK_KINDS, **registered}
        if kind not in known_kinds:
            raise r.fail(place, f"check kind '{kind}' is not one of {', '.join(sorted(known_kinds))}")
        missing = [k for k in known_kinds[kind] if k not in data]
        if missing:
            raise r.fail(place, f"a '{kind}' check needs {', '.join(missing)}")
        severity = r.text(data, "severity", place)
        if severity not in SEVERITIES:
            raise r.fail(place, f"severity '{severity}' is not one of {', '.join(SEVERITIES)}")
        known = {"id", "kind", "severity", "message", "source", "element", "when"}
        spec = {k: v for k, v in data.items() if k not in known}
        checks.append(Check(
            id=r.ident(data, place, r.DOC_ID), kind=kind, severity=severity,
            message=r.text(data, "message", place), source=r.text(data, "source", place, ""),
            element=data.get("element"), when=parse_condition(data.get("when"), f"{place}.when", r.fail), spec=spec,
        ))
    return tuple(checks)


def check_references(r, model: ContentModel) -> None:
    """Every path a check, element or field names must exist in the model."""
    doc_ids = {d.id for d in model.documents}
    element_ids = {e.id for e in model.elements}
    for f in [*model.fields.values(), *(d.field for d in model.derived.values())]:
        for doc in f.documents:
            if doc not in doc_ids:
                raise r.fail(f"field {f.path}", f"feeds unknown document '{doc}'")
    check_ids = {c.id for c in model.checks}
    for e in model.elements:
        for path in (*e.fields, *e.nonclinical.fields, *e.patients.fields):
            _resolve(r, model, path, f"element {e.id}")
        for check_id in (*e.nonclinical.checks, *e.patients.checks):
            if check_id not in check_ids:
                raise r.fail(f"element {e.id}", f"unknown check '{check_id}'")
    for c in model.checks:
        place = f"check {c.id}"
        if c.element is not None and c.element not in element_ids:
            raise r.fail(place, f"unknown element '{c.element}'")
        for key in ("fields", "field", "in", "left", "right", "by"):
            for path in _as_list(c.spec.get(key)):
                _resolve(r, model, path, place)
        for path in spec_paths(c):
            _resolve(r, model, path, place)
        per = _per(r, c, place)
        for path in per.values():
            _resolve(r, model, path, place)
        if c.kind == "compare":
            _check_compare(r, model, c.spec, place)
        if c.kind == "flag" and c.when is None:
            raise r.fail(place, "a 'flag' check needs 'when': the combination it reports")
        registered = kinds().get(c.kind)
        if registered is not None:
            if registered.validate is not None:
                registered.validate(c, model, partial(r.fail, place))
            continue
        table = model.fields.get(c.spec.get("field", ""))
        for column in _as_list(c.spec.get("has")) + list((c.spec.get("where") or {}).keys()) + list(per):
            if table is None or table.type != "table" or column not in {col.id for col in table.columns}:
                raise r.fail(place, f"'{column}' is not a column of table {c.spec.get('field')}")


def _per(r, c: Check, place: str) -> dict[str, str]:
    """A `rows` check's `per: {column: field path}`: each row's column names the instance it counts for."""
    if "per" not in c.spec:
        return {}
    per = c.spec["per"]
    if not isinstance(per, dict) or c.kind != "rows" or not all(isinstance(v, str) for v in per.values()):
        raise r.fail(place, "'per' belongs to a 'rows' check: {column: the text field naming the instance}, "
                            "e.g. per: {arm: area.section.field}")
    return per


def _check_compare(r, model: ContentModel, spec: dict, place: str) -> None:
    """A comparison is between two dates, or two numbers that share a dimension (the values are
    converted to one unit when they differ)."""
    if spec["op"] not in (">=", "<=", ">", "<"):
        raise r.fail(place, f"op '{spec['op']}' is not one of >=, <=, >, <")
    if not all(spec[key] in model.fields or spec[key] in model.derived for key in ("left", "right")):
        raise r.fail(place, "compares two number fields or two date fields, not table columns")
    left, right = model.quantity(spec["left"]), model.quantity(spec["right"])
    if {left.type, right.type} not in ({"number"}, {"date"}):
        raise r.fail(place, "compares two number fields or two date fields")
    ours, theirs = ({quantities.unit_of(u).dimension for u in side.units} for side in (left, right))
    if left.type == "number" and (bool(ours) != bool(theirs) or (ours and not ours & theirs)):
        raise r.fail(place, f"{left.path} and {right.path} cannot be compared: they share no dimension")


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _resolve(r, model: ContentModel, path: str, place: str) -> None:
    """A path is a field (`a.s.f`), a table column (`a.s.f.column`) or a derived value (`derived.id`)."""
    if isinstance(path, str) and (path in model.fields or path in model.derived):
        return
    where = FieldPath.match(path)
    if where is not None and where.row is None and where.instance is None:
        table = model.fields.get(where.field_path)
        if table is not None and table.type == "table" and where.part in {c.id for c in table.columns}:
            return
    raise r.fail(place, f"refers to unknown field '{path}'")
