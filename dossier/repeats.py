"""Instances of repeatable groups, read from a dossier's values: which exist, what one instance looks
like to code written for a single one, and where its findings point.

A section that says `repeat: substances` keeps its values once per instance, under
`area.section[0].name`, `area.section[1].name`, … (instances count from 0, with no gaps). Instance i
exists while the repeat's name field holds a value at `[i]`. Every section sharing the repeat shares
its instances. `instance_view` shows one instance under the model's own paths, so checks, conditions,
derived values and templates written for one value per field run per instance unchanged:

    for i, name in enumerate(instances(model, values, "substances")):
        view = instance_view(model, values, "substances", i)   # view["area.section.field"]: instance i's
        ...                                                    # in_instance(path, i) to point back at it
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .conditions import Applicability
from .errors import UnknownFieldError
from .fieldpath import FieldPath, instance_path
from .fieldtypes import is_filled
from .model import ContentModel, Repeat


@dataclass(frozen=True)
class Instance:
    """One instance of a repeat: its number (from 0) and its name."""
    repeat: Repeat
    index: int
    name: str


def instance_key(path: str, i: int) -> str:
    """A model path of a repeated section's field (or its table cell) in instance i: `a.s.f` → `a.s[i].f`
    (a derived value reading the repeat: `derived.id[i]`, dossier.fieldpath.instance_path)."""
    return instance_path(path, i)


def single(model: ContentModel, values: Mapping[str, Any], repeat_id: str) -> bool:
    """Whether the repeat's `when:` does not hold (arms off the master-protocol path): the dossier then has
    exactly one instance, [0], which needs no name and is named nowhere; values kept at [1] and beyond are
    hidden, not lost, until the condition holds again."""
    when = model.repeats[repeat_id].when
    return when is not None and not Applicability(model, values).holds(when)


def only_where(model: ContentModel, repeat: Repeat) -> str:
    """Where a repeat takes more than one instance, in the user's words: `when <field label> is
    '<choice>' (area.section.field)`, from the repeat's `when:`."""
    when = repeat.when
    if when is None:
        return "always"
    if when.op in ("equals", "in"):
        wanted = " or ".join(f"'{v}'" for v in when.values)
        return f"when {model.field(when.field).label} is {wanted} ({when.field})"
    return "when its condition in the content model holds (" + ", ".join(sorted(when.fields())) + ")"


def instances(model: ContentModel, values: Mapping[str, Any], repeat_id: str) -> list[str]:
    """The names of the repeat's instances, in order: instance i exists while its name is filled; a
    repeat whose condition does not hold has its one instance, named or not (`single`)."""
    if single(model, values, repeat_id):
        first = values.get(instance_key(model.repeats[repeat_id].name, 0))
        return [str(first) if is_filled(first) else ""]
    return _named(model, values, repeat_id)


def kept(model: ContentModel, values: Mapping[str, Any], repeat_id: str) -> int:
    """How many instances the stored values hold: those `instances` shows, and those kept beyond the first
    while the repeat does not apply (hidden, not lost: an export keeps them)."""
    return max(len(instances(model, values, repeat_id)), len(_named(model, values, repeat_id)))


def _named(model: ContentModel, values: Mapping[str, Any], repeat_id: str) -> list[str]:
    name = model.repeats[repeat_id].name
    names: list[str] = []
    while is_filled(values.get(instance_key(name, len(names)))):
        names.append(values[instance_key(name, len(names))])
    return names


def outside_repeats(model: ContentModel, values: Mapping[str, Any]) -> dict[str, Any]:
    """The values that lie in no repeat: the dossier as it reads when every repeat is left out."""
    if not model.repeats:
        return dict(values)
    return {p: v for p, v in values.items() if not _in_any(model, p)}


def owner(model: ContentModel, values: Mapping[str, Any], repeat_id: str, i: int) -> int | None:
    """The instance of the enclosing repeat (`within:`) that instance i belongs to: the one its `by` field
    names (case aside); with that field empty while there is one, that one; else None (it belongs to
    none: a lipid every arm shares, or a name that matches no arm)."""
    repeat = model.repeats[repeat_id]
    if repeat.within is None or repeat.by is None:
        return None
    if single(model, values, repeat.within):
        return 0
    names = instances(model, values, repeat.within)
    named = values.get(instance_key(repeat.by, i))
    if not is_filled(named):
        return 0 if len(names) == 1 else None
    return next((j for j, name in enumerate(names) if names_instance(named, name)), None)


def names_instance(text: Any, name: Any) -> bool:
    """Whether a text that names an instance (a `by` field, a table's arm column) names this one: case and
    surrounding spaces aside."""
    return is_filled(text) and str(text).strip().casefold() == str(name).strip().casefold()


def instance_view(model: ContentModel, values: Mapping[str, Any], repeat_id: str, i: int) -> dict[str, Any]:
    """`values` with instance i of the repeat under the model's paths (`area.section.field`), the
    repeat's other instances left out, everything else as it is. An instance that lies within another
    repeat's (a drug substance in its arm) sees that one's values too, under the model's paths."""
    repeat = model.repeats[repeat_id]
    view = _one(values, repeat.sections, i)
    if repeat.within is not None:
        view = _one(view, model.repeats[repeat.within].sections, owner(model, values, repeat_id, i))
    return view


def _one(values: Mapping[str, Any], sections: tuple[str, ...], i: int | None) -> dict[str, Any]:
    view = {}
    for path, value in values.items():
        where = FieldPath.match(path)
        if where is None or where.section_path not in sections:
            view[path] = value
        elif where.instance == i and i is not None:
            view[str(where.in_instance(None))] = value
    return view


def in_instance(model: ContentModel, path: str, repeat_id: str, i: int, outer: int | None = None) -> str:
    """A path seen in instance i's view, as the dossier knows it: `area.section.field` →
    `area.section[i].field` when the section shares the repeat (`[outer]` when it is the enclosing
    repeat's, instance i lying within instance `outer` of it); any other path as it is."""
    where = FieldPath.match(path)
    if where is None or where.instance is not None:
        return path
    repeat = model.repeats[repeat_id]
    if where.section_path in repeat.sections:
        return str(where.in_instance(i))
    if outer is not None and repeat.within is not None and where.section_path in model.repeats[repeat.within].sections:
        return str(where.in_instance(outer))
    return path


def listed(repeat: Repeat, names: list[str]) -> str:
    """The instances as an error message lists them: `[0] Editor mRNA, [1] Guide RNA`."""
    label = repeat.label.lower()
    return ", ".join(f"[{i}] {name or '(no name)'}" for i, name in enumerate(names)) or \
        f"none yet (add {'an' if label[:1] in 'aeiou' else 'a'} {label})"


def check_instance_path(model: ContentModel, values: Mapping[str, Any], path: str, adding: Iterable[int] = ()) -> None:
    """Refuse a path that does not say which instance it means, names one that does not exist (other than
    `adding`, instances being added together with it), or gives an instance to a section that does not
    repeat. Other paths are left to model.field, which knows the fields."""
    where = FieldPath.match(path)
    if where is None:
        return
    repeat = model.repeat_of(where.section_path)
    if repeat is None:
        return
    names = instances(model, values, repeat.id)
    label = repeat.label.lower()
    if where.instance is None:
        example = str(where.in_instance(0))
        raise UnknownFieldError(path, f"{where.section_path} is repeated: say which {label}, e.g. {example}; "
                                      f"instances: {listed(repeat, names)}")
    if where.instance >= 1 and single(model, values, repeat.id):
        raise UnknownFieldError(path, f"this dossier has one {label}, [0]: more than one {label} applies only "
                                      f"{only_where(model, repeat)}; choose that first")
    if where.instance >= len(names) and where.instance not in set(adding):
        raise UnknownFieldError(path, f"there is no {label} [{where.instance}]: instances are "
                                      f"{listed(repeat, names)}; add one with its name "
                                      f"({instance_key(repeat.name, len(names))})")


def in_single(model: ContentModel, values: Callable[[], Mapping[str, Any]], path: str) -> str:
    """A plain path into a repeat that does not apply (`area.section.field` while the repeat's `when:` is
    false) as its one instance's (`area.section[0].field`): there is no other it could mean. Any other path as it is,
    without reading `values()` (a damaged value elsewhere can still be cleared)."""
    where = FieldPath.match(path)
    repeat = model.repeat_of(where.section_path) if where is not None and where.instance is None else None
    if where is None or repeat is None or not single(model, values(), repeat.id):
        return path
    return str(where.in_instance(0))


def _in_any(model: ContentModel, path: str) -> bool:
    where = FieldPath.match(path)
    return where is not None and model.repeat_of(where.section_path) is not None
