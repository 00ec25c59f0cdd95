"""Adding, renaming, moving, removing and restoring instances of a repeatable group (dossier.repeats).

Each operation is worked out here as the set of stored values it changes (path → new value, None
deletes), from the values as stored; the Dossier writes that set in one transaction with one audit
entry `repeat:<id>` recording the instances' names before and after. Each returns what undoes it:

    i = d.add_instance("substances", "Guide RNA")        # undo: d.remove_instance("substances", i)
    old = d.rename_instance("substances", i, "gRNA")     # undo: d.rename_instance("substances", i, old)
    d.move_instance("substances", i, 0)                  # undo: d.move_instance("substances", 0, i)
    removed = d.remove_instance("substances", 0)         # undo: d.restore_instance("substances", 0, removed)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from .errors import DossierError, FieldError
from .fieldpath import FieldPath, model_path
from .fieldtypes import check_stored, coerce
from .model import ContentModel, Repeat
from .repeats import check_instance_path, instance_key, instances, listed, only_where, single

if TYPE_CHECKING:
    from .store import Store

Values = Mapping[str, Any]


def repeat(model: ContentModel, repeat_id: str) -> Repeat:
    found = model.repeats.get(repeat_id)
    if found is None:
        known = ", ".join(model.repeats) or "this content model has none"
        raise DossierError(f"no repeat '{repeat_id}' in the content model (repeats: {known})")
    return found


def checked_name(model: ContentModel, rep: Repeat, names: list[str], raw: Any, where: str,
                 replacing: int | None = None) -> str:
    """An instance's name as it is stored: one line of text, not empty, unlike the others' (case aside)."""
    label = rep.label.lower()
    name = coerce(model.field(rep.name), raw, where)
    if name is None:
        raise FieldError(where, f"a {label} needs a name; an instance exists while its name is filled (to remove "
                                "the instance, remove it as a whole)")
    if not isinstance(name, str) or not name.strip():  # a text field stores text; the name is shown everywhere
        raise FieldError(where, f"a {label}'s name must be text")
    taken = [i for i, other in enumerate(names) if i != replacing and other.casefold() == name.strip().casefold()]
    if taken:
        raise FieldError(where, f"'{name}' already names {label} [{taken[0]}]; give each {label} its own name")
    return name


def by_instance(rep: Repeat, stored: Values) -> dict[int, dict[str, Any]]:
    """The stored values of the repeat's sections by instance number, each under its model path."""
    found: dict[int, dict[str, Any]] = {}
    for path, value in stored.items():
        where = FieldPath.match(path)
        if where is not None and where.instance is not None and where.section_path in rep.sections:
            found.setdefault(where.instance, {})[str(where.in_instance(None))] = value
    return found


def rewrite(rep: Repeat, stored: Values, new: list[dict[str, Any]]) -> dict[str, Any]:
    """The changes that make the repeat's stored instances `new` (each under model paths): every value
    that differs, and every value of a number beyond them (left over by no operation, but never kept)."""
    old = by_instance(rep, stored)
    changes: dict[str, Any] = {}
    for i in sorted(set(old) | set(range(len(new)))):
        before, after = old.get(i, {}), new[i] if i < len(new) else {}
        for path in sorted(before.keys() | after.keys()):
            if before.get(path) != after.get(path):
                changes[instance_key(path, i)] = after.get(path)
    return changes


def _current(model: ContentModel, rep: Repeat, stored: Values) -> tuple[list[str], list[dict[str, Any]]]:
    names = instances(model, stored, rep.id)
    groups = by_instance(rep, stored)
    return names, [groups.get(i, {}) for i in range(len(names))]


def _existing(rep: Repeat, names: list[str], i: Any, what: str = "instance") -> int:
    if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < len(names):
        raise DossierError(f"there is no {rep.label.lower()} [{i}] ({what}); instances: "
                           f"{listed(rep, names)}")
    return i


def plan_add(model: ContentModel, stored: Values, repeat_id: str, name: Any) -> tuple[int, dict[str, Any]]:
    rep = repeat(model, repeat_id)
    if single(model, stored, rep.id):
        label = rep.label.lower()
        raise DossierError(f"this dossier has one {label}: another {label} can be added only "
                           f"{only_where(model, rep)}; choose that first")
    names, groups = _current(model, rep, stored)
    i = len(names)
    if rep.max is not None and i >= rep.max:
        raise DossierError(f"there are already {i} {rep.label.lower()} instance(s), the most this dossier takes "
                           f"({rep.max}); remove one first")
    name = checked_name(model, rep, names, name, instance_key(rep.name, i))
    # values already at [i] are the unnamed single instance's, kept while the repeat did not apply (a variant
    # entered before the master-protocol path was chosen): naming it makes it this instance, losing nothing
    return i, rewrite(rep, stored, [*groups, {**by_instance(rep, stored).get(i, {}), rep.name: name}])


def plan_rename(model: ContentModel, stored: Values, repeat_id: str, i: int, name: Any) -> tuple[str, dict[str, Any]]:
    rep = repeat(model, repeat_id)
    names, groups = _current(model, rep, stored)
    i = _existing(rep, names, i)
    new = checked_name(model, rep, names, name, instance_key(rep.name, i), replacing=i)
    groups[i] = {**groups[i], rep.name: new}
    return names[i], rewrite(rep, stored, groups)


def plan_move(model: ContentModel, stored: Values, repeat_id: str, i: int, to: int) -> dict[str, Any]:
    rep = repeat(model, repeat_id)
    names, groups = _current(model, rep, stored)
    i, to = _existing(rep, names, i), _existing(rep, names, to, "the place to move to")
    groups.insert(to, groups.pop(i))
    return rewrite(rep, stored, groups)


def plan_remove(model: ContentModel, stored: Values, repeat_id: str, i: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The removed instance's values (under `[i]` paths) and the changes that shift later ones down."""
    rep = repeat(model, repeat_id)
    names, groups = _current(model, rep, stored)
    i = _existing(rep, names, i)
    removed = {instance_key(path, i): value for path, value in sorted(groups.pop(i).items())}
    return removed, rewrite(rep, stored, groups)


def plan_restore(model: ContentModel, stored: Values, repeat_id: str, i: int,
                 removed: Values) -> tuple[dict[str, Any], dict[str, Any]]:
    """The values of a removed instance put back at `[i]` (as remove_instance gave them), and the changes
    that shift later instances up to make room."""
    rep = repeat(model, repeat_id)
    names, groups = _current(model, rep, stored)
    if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i <= len(names):
        raise DossierError(f"an instance can be restored at [0] to [{len(names)}], not [{i}]")
    values: dict[str, Any] = {}
    for path, value in removed.items():
        where = FieldPath.match(path)
        if where is None or where.instance is None or where.section_path not in rep.sections:
            raise DossierError(f"{path} is not a value of a {rep.label.lower()} ({', '.join(rep.sections)}), so it "
                               "cannot be restored into one")
        try:  # the values remove_instance returned, as stored: checked for their shape, never retyped
            check_stored(model.field(path), value)
        except FieldError as exc:
            raise FieldError(path, exc.problem) from None
        values[str(where.in_instance(None))] = value
    values[rep.name] = checked_name(model, rep, names, values.get(rep.name), instance_key(rep.name, i))
    if rep.max is not None and len(names) >= rep.max:
        raise DossierError(f"there are already {len(names)} {rep.label.lower()} instance(s), the most this "
                           f"dossier takes ({rep.max}); remove one first")
    groups.insert(i, values)
    return {instance_key(path, i): value for path, value in values.items()}, rewrite(rep, stored, groups)


def check_batch(model: ContentModel, stored: Values,
                raw_values: Mapping[str, Any]) -> tuple[list[FieldError], set[str]]:
    """The refusals among many values set at once (Dossier.validate_many) that concern instances, and the
    paths refused: a path that names no instance or one that does not exist, a name emptied or taken
    twice, an instance added out of order. Setting the name of instance `len(instances)` adds it (and
    the next, and so on, in the same batch)."""
    errors: list[FieldError] = []
    for rep in model.repeats.values():
        paths = [p for p in raw_values if model.repeat_of(p) is rep]
        if not paths:
            continue
        names = instances(model, stored, rep.id)
        named = {FieldPath.parse(p).instance: p for p in paths if model_path(p) == rep.name}
        adding = _added(rep, names, named, errors)
        final = list(names) + [""] * len(adding)
        renamed = [i for i in named if i is not None and (i < len(names) or i in adding)]
        for i in renamed:
            try:
                final[i] = checked_name(model, rep, [], raw_values[named[i]], named[i])
            except FieldError as exc:
                errors.append(exc)
        for i in renamed:  # unique once every name given is in: two instances may swap names in one batch
            taken = [j for j, other in enumerate(final) if j != i and other.casefold() == final[i].casefold()]
            if final[i] and taken:
                errors.append(FieldError(named[i], f"'{final[i]}' also names {rep.label.lower()} [{taken[0]}]; give "
                                                   f"each {rep.label.lower()} its own name"))
        refused = {e.field for e in errors}
        for path in paths:
            try:
                if path not in refused:
                    check_instance_path(model, stored, path, adding)
            except FieldError as exc:
                errors.append(exc)
    return errors, {e.field for e in errors}


def _added(rep: Repeat, names: list[str], named: dict[int | None, str], errors: list[FieldError]) -> list[int]:
    """The instances a batch adds: names given at `[n]`, `[n+1]`, … after the `n` there are."""
    label = rep.label.lower()
    wanted = sorted(i for i in named if i is not None and i >= len(names))
    adding: list[int] = []
    for i in wanted:
        if i != len(names) + len(adding):
            errors.append(FieldError(named[i], f"there are {len(names) + len(adding)} {label} instance(s); add the "
                                               f"next as [{len(names) + len(adding)}]"))
            break
        if rep.max is not None and i >= rep.max:
            errors.append(FieldError(named[i], f"at most {rep.max} {label} instance(s) can be added"))
            break
        adding.append(i)
    return adding


class InstanceEdits:
    """The Dossier's operations on instances (mixed into dossier.service.Dossier): each one transaction,
    recorded in the history, undone by the call its return value allows (see the module's docstring)."""

    store: Store
    model: ContentModel
    _check_references: Callable[[Mapping[str, Any]], None]  # the attachments values name are stored (Dossier)

    def instances(self, repeat_id: str) -> list[str]:
        """The names of the repeat's instances, in order (`[i]` is the position in this list)."""
        return instances(self.model, self.store.values(), repeat(self.model, repeat_id).id)

    def single_instance(self, repeat_id: str) -> bool:
        """Whether the repeat does not apply now (its `when:`): its one instance is shown without tabs or
        a name, and no other can be added (dossier.repeats.single)."""
        return single(self.model, self.store.values(), repeat(self.model, repeat_id).id)

    def add_instance(self, repeat_id: str, name: str, who: str | None = None) -> int:
        """Add an instance named `name` after the others; returns its number."""
        stored = self.store.values()
        i, changes = plan_add(self.model, stored, repeat_id, name)
        self._write(repeat_id, stored, changes, who)
        return i

    def rename_instance(self, repeat_id: str, i: int, name: str, who: str | None = None) -> str:
        """Rename instance i; returns its old name."""
        stored = self.store.values()
        old, changes = plan_rename(self.model, stored, repeat_id, i, name)
        self._write(repeat_id, stored, changes, who)
        return old

    def move_instance(self, repeat_id: str, i: int, to: int, who: str | None = None) -> None:
        """Move instance i to position `to` (those between shift by one), in every section sharing the repeat."""
        stored = self.store.values()
        self._write(repeat_id, stored, plan_move(self.model, stored, repeat_id, i, to), who)

    def remove_instance(self, repeat_id: str, i: int, who: str | None = None) -> dict[str, Any]:
        """Remove instance i and every value it holds (later instances shift down); returns its values,
        under `[i]` paths, for restore_instance. Attachments its values name stay in the dossier."""
        stored = self.store.values()
        removed, changes = plan_remove(self.model, stored, repeat_id, i)
        self._write(repeat_id, stored, changes, who)
        return removed

    def restore_instance(self, repeat_id: str, i: int, values: Mapping[str, Any], who: str | None = None) -> None:
        """Put back an instance remove_instance removed, at `[i]`, with its values byte for byte."""
        stored = self.store.values()
        restored, changes = plan_restore(self.model, stored, repeat_id, i, values)
        self._check_references(restored)
        self._write(repeat_id, stored, changes, who)

    def _write(self, repeat_id: str, stored: Values, changes: dict[str, Any], who: str | None) -> None:
        before = instances(self.model, stored, repeat_id)
        after = instances(self.model, {**stored, **changes}, repeat_id)
        self.store.set_many(changes, who=who, event=(f"repeat:{repeat_id}", before, after))
