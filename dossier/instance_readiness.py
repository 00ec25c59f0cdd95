"""How readiness runs over a dossier with repeatable groups: once over everything outside the repeats,
and once per instance over that instance's view (dossier.repeats.instance_view), whose findings then
point at the instance (`area.section[1].field`) and name it in their message.

A check, or a required field, belongs to the repeat whose fields it reads (the loader allows at most
one); the rest is checked once, as in a dossier without repeats.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from .conditions import Applicability
from .fieldpath import cell_path
from .fieldtypes import is_filled
from .measures import Measure
from .repeats import (
    in_instance,
    instance_key,
    instance_view,
    instances,
    listed,
    names_instance,
    only_where,
    outside_repeats,
    owner,
    single,
)

if TYPE_CHECKING:
    from .model import ContentModel
    from .readiness import Finding

@dataclass(frozen=True)
class Scope:
    """One pass of readiness: the values it sees under the model's paths, what it checks, and how its
    findings point back into the dossier. `fields` and `repeat` None: everything (a model without repeats)."""
    values: dict[str, Any]
    fields: frozenset[str] | None = None
    repeat: str | None = None
    instance: int = 0
    name: str = ""
    outer: int | None = None  # the instance of the enclosing repeat this one lies within (dossier.repeats.owner)
    named: bool = True  # False for the one instance of a repeat that does not apply: its findings read as without it

    def checks_field(self, path: str) -> bool:
        return self.fields is None or path in self.fields

    def runs(self, repeat: str | None) -> bool:
        """Whether this pass runs a check that reads the fields of `repeat` (model_repeats.check_repeat)."""
        return self.fields is None or repeat == self.repeat

    def place(self, model: ContentModel, found: Iterable[Finding | Measure]) -> list[Finding | Measure]:
        """The findings (and measures) of this pass as the dossier knows them: instance paths, the
        instance named in a finding's message or with a measure."""
        repeat = self.repeat
        if repeat is None:
            return list(found)

        def at(path: str) -> str:
            return in_instance(model, path, repeat, self.instance, self.outer)
        placed: list[Finding | Measure] = []
        for f in found:
            read = tuple(at(p) for p in f.fields)  # the other fields it read: in this instance too
            if isinstance(f, Measure):
                placed.append(replace(f, field=at(f.field), instance=self.name if self.named else "", fields=read))
            else:
                message = f"{self.name}: {f.message}" if self.named else f.message
                placed.append(replace(f, field=at(f.field), fields=read, message=message))
        return placed


def scopes(model: ContentModel, values: dict[str, Any]) -> Iterator[Scope]:
    """The passes readiness makes over `values` (field paths, instance paths in repeated sections)."""
    if not model.repeats:
        yield Scope(values)
        return
    repeated = {f.path for f in model.fields.values() if model.repeat_of(f.path) is not None}
    yield Scope(outside_repeats(model, values), frozenset(p for p in model.fields if p not in repeated))
    for repeat in model.repeats.values():
        ours = frozenset(f.path for section in repeat.sections for f in model.section(section).fields)
        named = not single(model, values, repeat.id)
        for i, name in enumerate(instances(model, values, repeat.id)):
            yield Scope(instance_view(model, values, repeat.id, i), ours, repeat.id, i, name,
                        owner(model, values, repeat.id, i), named)


def count_findings(model: ContentModel, values: dict[str, Any]) -> list[Finding]:
    """Too few instances of a repeat (its `min`), or more than its `max`."""
    from .readiness import Finding

    found = []
    for repeat in model.repeats.values():
        n, label = len(instances(model, values, repeat.id)), repeat.label.lower()
        found += _beyond_first(model, values, repeat)
        if n < repeat.min:
            found.append(Finding("error", f"At least {repeat.min} {label} instance(s) are needed; there "
                                          f"{'is' if n == 1 else 'are'} {n}. Add one.",
                                 instance_key(repeat.name, n), "", f"instances:{repeat.id}"))
        if repeat.max is not None and n > repeat.max:
            found.append(Finding("error", f"At most {repeat.max} {label} instance(s) are allowed; there are {n}. "
                                          "Remove one.", instance_key(repeat.name, n - 1), "",
                                 f"instances:{repeat.id}"))
        found += _unowned(model, values, repeat)
    return found + _rows_for_none(model, values)


def _rows_for_none(model: ContentModel, values: dict[str, Any]) -> list[Finding]:
    """A row of a table whose rows say which instance they are for (`rows_for`: a study for one arm) naming
    one the dossier does not have: no instance counts it, and its document would list it nowhere."""
    from .readiness import Finding

    found = []
    for table in model.fields.values():
        if table.rows_for is None:
            continue
        repeat, column = model.repeats[table.rows_for[0]], table.column(table.rows_for[1])
        if single(model, values, repeat.id):
            continue  # one unnamed instance: the column does not show
        names = instances(model, values, repeat.id)
        for i, row in enumerate(values.get(table.path) or []):
            named = row.get(column.id)
            if is_filled(named) and not any(names_instance(named, name) for name in names):
                found.append(Finding("error", f"{table.label}, row {i + 1}: there is no {repeat.label.lower()} "
                                              f"'{named}'; name one of {listed(repeat, names)}, or none if every "
                                              f"{repeat.label.lower()} shares it",
                                     cell_path(table.path, i, column.id), table.source, f"instances:{repeat.id}"))
    return found


def _unowned(model: ContentModel, values: dict[str, Any], repeat) -> list[Finding]:
    """An instance whose `by` field names no instance of the repeat it lies within (a drug substance made
    for an arm the dossier does not have)."""
    from .readiness import Finding

    if repeat.within is None:
        return []
    outer = model.repeats[repeat.within]
    found = []
    names = instances(model, values, outer.id)
    for i, name in enumerate(instances(model, values, repeat.id)):
        named = values.get(instance_key(repeat.by, i))
        if owner(model, values, repeat.id, i) is not None:
            continue
        if named:
            message = f"there is no {outer.label.lower()} '{named}'; name one of {listed(outer, names)}"
        elif len(names) > 1 and Applicability(model, instance_view(model, values, repeat.id, i)).field(repeat.by):
            message = f"say which {outer.label.lower()} it is made for: {listed(outer, names)}"
        else:
            continue  # shared by every arm (a lipid), or no arm yet (the arms' own count says so)
        found.append(Finding("error", f"{name}: {message}", instance_key(repeat.by, i), "", f"instances:{repeat.id}"))
    return found


def _beyond_first(model: ContentModel, values: dict[str, Any], repeat) -> list[Finding]:
    """Instances kept beyond the first while the repeat does not apply (a two-arm dossier switched off the
    master-protocol path): they are hidden, not lost, and nothing is submitted until that is settled."""
    from .readiness import Finding

    if not single(model, values, repeat.id) or not is_filled(values.get(instance_key(repeat.name, 1))):
        return []
    label = repeat.label.lower()
    return [Finding("error", f"This dossier keeps more than one {label}, but {label}s beyond the first apply only "
                             f"{only_where(model, repeat)}. Choose that again, or remove the other {label}s "
                             "there; until then only the first is checked and built.",
                    min(repeat.when.fields()), "",
                    f"instances:{repeat.id}")]
