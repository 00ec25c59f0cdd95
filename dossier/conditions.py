"""Conditions (`when:` in the content model): whether an area, section, field, table column, document
or check applies, given other fields' values. The one evaluator the form, readiness, completeness,
rendering and the eCTD plan all ask.

    ap = Applicability(model, dossier.values())
    ap.field("area.section.field")    # False while its `when:` does not hold
    applies(model, model.document(doc_id), values)     # one question, without keeping the answers

A part that does not apply is hidden in the form, not required, not counted, not rendered and not in
the sequence; its stored value is kept. A condition on a field that itself does not apply is false.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .fieldtypes import is_filled

if TYPE_CHECKING:
    from .model import Center, Check, ContentModel, Document, Field

LEAF_TESTS = ("equals", "in", "filled")
GROUPS = ("all", "any")
_VALUE_TYPES = {"text", "longtext", "choice", "multichoice", "date", "number", "yesno", "hgvs"}

Fail = Callable[[str, str], Exception]  # (place, reason) → the error to raise, naming the file


@dataclass(frozen=True)
class Condition:
    """One `when:`: a test of a field (`equals`, `in`, `filled`) or `not`, `all`, `any` over others."""

    op: str                                  # equals | in | filled | not | all | any
    field: str = ""                          # the field a test looks at
    values: tuple = ()                       # equals: (v,); in: (v, ...); filled: (True|False,)
    parts: tuple[Condition, ...] = ()      # not: (c,); all / any: (c, ...)

    def fields(self) -> set[str]:
        """Every field whose value the condition reads."""
        if self.field:
            return {self.field}
        return set().union(*(p.fields() for p in self.parts))

    def tests(self) -> Iterable[Condition]:
        """The field tests inside the condition."""
        if self.field:
            yield self
        for part in self.parts:
            yield from part.tests()


def parse_condition(raw: Any, place: str, fail: Fail) -> Condition | None:
    """A `when:` mapping as written in the model file (None when absent); `fail` names the place."""
    return None if raw is None else _parse(raw, place, fail)


def _parse(raw: Any, place: str, fail: Fail) -> Condition:
    if not isinstance(raw, dict):
        raise fail(place, f"a condition is a mapping such as {{field: a.b.c, equals: X}}, got {type(raw).__name__}")
    ops = [k for k in (*LEAF_TESTS, "not", *GROUPS) if k in raw]
    if len(ops) != 1:
        raise fail(place, "a condition needs exactly one of equals, in, filled (with field), not, all, any; "
                          f"got {', '.join(sorted(map(str, raw))) or 'nothing'}")
    op = ops[0]
    extra = set(raw) - {op} - ({"field"} if op in LEAF_TESTS else set())
    if extra:
        raise fail(place, f"unknown key(s) {', '.join(sorted(map(str, extra)))} in a '{op}' condition")
    if op == "not":
        return Condition("not", parts=(_parse(raw["not"], f"{place}.not", fail),))
    if op in GROUPS:
        items = raw[op]
        if not isinstance(items, list) or not items:
            raise fail(f"{place}.{op}", "expected a non-empty list of conditions")
        return Condition(op, parts=tuple(_parse(c, f"{place}.{op}[{i}]", fail) for i, c in enumerate(items)))
    field = raw.get("field")
    if not isinstance(field, str) or not field:
        raise fail(place, f"an '{op}' condition needs 'field' (the path of the field it tests)")
    wanted = raw[op]
    if op == "filled" and not isinstance(wanted, bool):
        raise fail(place, "'filled' must be true or false")
    if op == "in" and (not isinstance(wanted, list) or not wanted):
        raise fail(place, "'in' must be a non-empty list of values")
    if op != "in" and isinstance(wanted, (list, dict)):
        raise fail(place, f"'{op}' takes one value; use 'in' for several")
    return Condition(op, field, tuple(wanted) if op == "in" else (wanted,))


def same(value: Any, wanted: Any) -> bool:
    """Whether a stored value is `wanted`: any item of a list, a number's value, text without case."""
    if isinstance(value, list):
        return any(same(v, wanted) for v in value)
    if isinstance(value, dict) and "value" in value:
        value = value["value"]
    if isinstance(value, str) and isinstance(wanted, str):
        return value.casefold() == wanted.casefold()
    if isinstance(value, bool) or isinstance(wanted, bool):
        return value is wanted
    return value == wanted


# Evaluating -------------------------------------------------------------------------------------

class Applicability:
    """Which parts of a model apply for one set of values; each answer is worked out once. `values`
    maps field paths to stored values and is only ever asked `.get(path)`."""

    def __init__(self, model: ContentModel, values: Mapping[str, Any]):
        self.model, self.values = model, values
        self.index = model.conditions
        self._memo: dict[str, bool] = {}

    def field(self, path: str) -> bool:
        """A field (`a.s.f`) or a table column (`a.s.f.column`) applies. A path outside the model (a
        finding about the dossier as a whole) has no condition."""
        if path not in self.index.parts:
            return True
        if path not in self._memo:
            self._memo[path] = self._part(path)
        return self._memo[path]

    def section(self, path: str) -> bool:
        return self.field(f"section:{path}")

    def document(self, document: Document) -> bool:
        return self.holds(document.when)

    def check(self, check: Check) -> bool:
        return self.holds(check.when)

    def help(self, field: Field) -> tuple[str, str]:
        """The help and guidance source to show for a field: those of its first help variant whose
        condition holds (help written for this modality or path), else its own."""
        for variant in field.help_variants:
            if self.holds(variant.when):
                return variant.help or field.help, variant.source or field.source
        return field.help, field.source

    def source(self, source: str) -> str:
        """The guidance a check's finding or measure cites: one written for another modality (the model's
        `sources_for:`) gives way to the one for this dossier's."""
        return next((s.source for s in self.model.sources_for.get(source, ()) if self.holds(s.when)), source)

    def center(self) -> Center | None:
        """The FDA review centre of the dossier: the first declared centre whose condition holds."""
        return next((c for c in self.model.centers if self.holds(c.when)), None)

    def _part(self, key: str) -> bool:
        when, container = self.index.parts[key]
        return (container is None or self.field(container)) and self.holds(when)

    def holds(self, condition: Condition | None) -> bool:
        if condition is None:
            return True
        if condition.op == "not":
            return not self.holds(condition.parts[0])
        if condition.op in GROUPS:
            test = all if condition.op == "all" else any
            return test(self.holds(p) for p in condition.parts)
        if not self.field(condition.field):
            return False  # a field that does not apply has no say
        value = self._value(condition.field)
        if condition.op == "filled":
            return is_filled(value) == condition.values[0]
        return is_filled(value) and any(same(value, w) for w in condition.values)

    def _value(self, path: str) -> Any:
        """A field's value, or a derived value computed from the fields it reads that apply."""
        derived = self.model.derived.get(path)
        if derived is None:
            return self.values.get(path)
        from .derived import compute  # derived reads conditions (same); import it when first needed

        return compute(derived, {p: self.values.get(p) for p in derived.reads if self.field(p)})

    def values_that_apply(self) -> dict[str, Any]:
        """The values of the fields that apply (what readiness and the templates see)."""
        values = self.values if isinstance(self.values, dict) else dict(self.values)
        if not self.index.conditional:
            return values
        return {p: v for p, v in values.items() if self.field(p)}


def applies(model: ContentModel, part: Field | Document | Check, values: Mapping[str, Any]) -> bool:
    """Whether one field, document or check applies for `values` (see Applicability for many)."""
    ap = Applicability(model, values)
    if hasattr(part, "path"):
        return ap.field(part.path)
    return ap.holds(part.when)


# The model's conditions, indexed once ---------------------------------------------------------------

class ConditionIndex:
    """Every part's condition and container, and which parts a field's value can show or hide:
    the form re-evaluates only those when the field changes. Built once per model (model.conditions)."""

    def __init__(self, model: ContentModel):
        self.parts = part_conditions(model)
        self.conditional = any(when is not None for when, _ in self.parts.values())
        self.inputs = _closures(self.parts, {p: d.reads for p, d in model.derived.items()})
        self._affected: dict[str, list[str]] = {}
        for key, inputs in self.inputs.items():
            for path in inputs:
                self._affected.setdefault(path, []).append(key)

    def affected(self, field_path: str) -> list[str]:
        """The parts (keys as in `parts`) whose applicability can change when this field's value does."""
        return self._affected.get(field_path, [])


def part_conditions(model: ContentModel) -> dict[str, tuple[Condition | None, str | None]]:
    """Every part's key → (its own condition, the key of the part containing it, or None). A field or
    column is keyed by its path, the others as `area:ID`, `section:PATH`, `document:ID`, `check:ID`,
    `center:ID` and `help:PATH[i]` (a field's help variant)."""
    parts: dict[str, tuple[Condition | None, str | None]] = {}
    for area in model.areas:
        parts[f"area:{area.id}"] = (area.when, None)
        for section in area.sections:
            parts[f"section:{section.path}"] = (section.when, f"area:{area.id}")
            for f in section.fields:
                parts[f.path] = (_with_repeat(model, f.path, f.when), f"section:{section.path}")
                for column in f.columns:
                    parts[f"{f.path}.{column.id}"] = (column.when, f.path)
    for repeat in model.repeats.values():
        parts[f"repeat:{repeat.id}"] = (repeat.when, None)
    for document in model.documents:
        parts[f"document:{document.id}"] = (document.when, None)
    for check in model.checks:
        parts[f"check:{check.id}"] = (check.when, None)
    for center in model.centers:
        parts[f"center:{center.id}"] = (center.when, None)
    for f in model.fields.values():
        for i, variant in enumerate(f.help_variants):
            parts[f"help:{f.path}[{i}]"] = (variant.when, f.path)
    return parts


class ConditionCycle(Exception):
    def __init__(self, chain: list[str]):
        super().__init__(" → ".join(chain))
        self.chain = chain


def _closures(parts: dict[str, tuple[Condition | None, str | None]],
              derived: Mapping[str, Iterable[str]] | None = None) -> dict[str, frozenset[str]]:
    """For every part, the fields whose values decide whether it applies (through its condition, the
    conditions of the fields it reads, and its containers'; a derived value it reads counts with the
    fields it is computed from). ConditionCycle when a part depends on itself."""
    derived = derived or {}
    done: dict[str, frozenset[str]] = {}
    stack: list[str] = []

    def visit(key: str) -> frozenset[str]:
        if key in done:
            return done[key]
        if key in stack:
            raise ConditionCycle(stack[stack.index(key):] + [key])
        stack.append(key)
        when, container = parts[key]
        found: set[str] = set(visit(container)) if container else set()
        for read in (when.fields() if when else ()):
            for path in (read, *derived.get(read, ())):
                found.add(path)
                if path in parts:  # an unknown path is reported by check_conditions, not here
                    found |= visit(path)
        stack.pop()
        done[key] = frozenset(found)
        return done[key]

    for key in parts:
        visit(key)
    return done


# Checking the model's conditions at load ------------------------------------------------------------

def _with_repeat(model: ContentModel, path: str, when: Condition | None) -> Condition | None:
    """A field's condition, and for the field naming a repeat's instances (or, `by`, the instance of an
    enclosing repeat one belongs to) also that repeat's `when:`: where it does not hold there is one
    instance, which nobody names (dossier.repeats.single)."""
    for repeat in model.repeats.values():
        if path == repeat.name:
            gate = repeat.when
        elif path == repeat.by and repeat.within is not None:
            gate = model.repeats[repeat.within].when
        else:
            continue
        if gate is not None:
            return gate if when is None else Condition("all", parts=(when, gate))
    return when


def check_conditions(model: ContentModel, fail: Fail) -> None:
    """Every condition tests a field that exists, with values that field can hold; a required column
    has no condition; no part's applicability depends on itself. `fail(place, reason)` names the file."""
    parts = part_conditions(model)
    for key, (when, _) in parts.items():
        if when is None:
            continue
        place = f"{_place(key, model)}.when"
        if ":" not in key and key not in model.fields:  # a table column
            table, _, column = key.rpartition(".")
            if model.fields[table].column(column).required:
                raise fail(place, "a column required in every row cannot have a condition: rows are checked "
                                  "as they are saved, without the other fields; drop 'required' or the condition")
        for test in when.tests():
            _check_test(model, test, place, fail)
    try:
        _closures(parts, {p: d.reads for p, d in model.derived.items()})
    except ConditionCycle as cycle:
        chain = " → ".join(_place(k, model) for k in cycle.chain)
        raise fail(f"{_place(cycle.chain[0], model)}.when",
                   f"the condition depends on itself ({chain}); a part cannot decide whether it applies") from None


def _check_test(model: ContentModel, test: Condition, place: str, fail: Fail) -> None:
    field = model.fields.get(test.field) or (model.derived[test.field].field if test.field in model.derived else None)
    if field is None:
        table = model.fields.get(test.field.rpartition(".")[0])
        if table is not None and table.type == "table":
            raise fail(place, f"'{test.field}' is a table column; a condition tests a field (e.g. the table "
                              f"{table.path} with filled: true)")
        near = [p for p in model.fields if p.startswith(test.field.rpartition(".")[0] + ".")][:6]
        hint = f"; fields there: {', '.join(near)}" if near else ""
        raise fail(place, f"refers to unknown field '{test.field}'{hint}")
    if test.op == "filled":
        return
    if field.type not in _VALUE_TYPES:
        raise fail(place, f"'{test.op}' cannot test {field.path}, a {field.type} field; use filled: true or false")
    for value in test.values:
        problem = _unfit(field, value)
        if problem:
            raise fail(place, f"{value!r} {problem}")


def _unfit(field: Field, value: Any) -> str:
    """Why `value` can never be stored in `field` ('' when it can)."""
    if field.type in ("choice", "multichoice"):
        if not isinstance(value, str) or value.casefold() not in {c.casefold() for c in field.choices}:
            return f"is not one of the choices of {field.path}: {', '.join(field.choices)}"
    elif field.type == "yesno":
        if not isinstance(value, bool):
            return f"is not true or false, the values of the yes/no field {field.path}"
    elif field.type == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"is not a number; {field.path} holds numbers"
    elif not isinstance(value, str):
        return f"is not text; {field.path} is a {field.type} field"
    return ""


def _place(key: str, model: ContentModel) -> str:
    kind, _, name = key.partition(":")
    if name:
        return f"{kind} {name}"
    return f"field {key}" if key in model.fields else f"column {key}"
