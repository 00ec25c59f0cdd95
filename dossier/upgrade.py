"""Bringing a dossier's values forward to the layout of a newer content model, as the model's
`upgrades:` declare it (docs/content-model-format.md, "Upgrades").

A dossier records the model version its values follow (the setting `content_model.version`; a file
without it was made by release 1 and follows version 1). Opening one that follows an older version
for editing writes a backup beside it, then moves every value in one transaction, audit-logged, and
records the new version; opening it read-only reads through the moves without writing. The store
knows nothing of the model: this module tells it which paths move where.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import DossierError, NewerVersionError
from .fieldpath import FieldPath

if TYPE_CHECKING:
    from .model import ContentModel, Repeat
    from .store import Store

VERSION_KEY = "content_model.version"
UPGRADE_ENTRY = "upgrade"  # the audit log's entry for an upgrade (what it did; never a value)
# Test hook: when set (to a file path), an upgrade creates that file inside its transaction and waits, so a
# test can kill the process there. The real upgrade runs all the same.
PAUSE_HOOK = "DOSSIER_TEST_PAUSE_IN_UPGRADE"


class UpgradeError(DossierError):
    """The values of a dossier cannot be brought to the content model's version (nothing was changed)."""


@dataclass(frozen=True)
class Upgrade:
    """One step of `upgrades:`: the values of a dossier older than `version` move as `moves` say
    (old path → new path); `names` gives an instance a move made its name (repeat id → "… {n}").
    A path in `joined` is the end of one move from several fields (a value the model asked for twice):
    the first of them (in `moves` order) that holds a value moves there, the others are set aside."""
    version: int
    moves: tuple[tuple[str, str], ...]
    names: dict[str, str] = field(default_factory=dict)
    joined: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Plan:
    """What an upgrade does to one dossier's values: `renames` (stored path → new path, chains of moves
    followed to their end), `names` (name field path of an instance a move made → its name) and
    `set_aside` (stored path → the stored path whose value a joined move kept in its place)."""
    since: int
    to: int
    renames: dict[str, str]
    names: dict[str, str]
    set_aside: dict[str, str] = field(default_factory=dict)

    def apply(self, values: dict[str, Any]) -> dict[str, Any]:
        """`values` (path → anything) as they read after the upgrade."""
        moved = {self.renames.get(path, path): value for path, value in values.items() if path not in self.set_aside}
        return {**moved, **self.names}

    def conflicts(self, value: Callable[[str], Any]) -> list[tuple[str, str, str]]:
        """(set-aside path, kept path, where the kept value now is) for each set-aside value that differs
        from the one kept (`value`: a stored path's value); an equal one was only a copy."""
        return [(old, kept, self.renames.get(kept, kept)) for old, kept in self.set_aside.items()
                if value(old) != value(kept)]


def read_upgrades(r: Any, raw: Any, model: ContentModel) -> tuple[Upgrade, ...]:
    """The model's `upgrades:` (absent: none), each move checked against the model: a value moves to a
    field of this model (or to one a later step moves on), into a given instance of a section that repeats."""
    if raw is None:
        return ()
    steps: list[Upgrade] = []
    for place, data in r.entries(r.items(raw, "upgrades"), "upgrades", ("version", "moves", "names"), "an upgrade"):
        version, last = data.get("version"), steps[-1].version if steps else 1
        if not isinstance(version, int) or isinstance(version, bool) or version <= last:
            raise r.fail(place, f"'version' must be a whole number above {last}: versions only go up, and version 1 "
                                "is the layout of files made before any upgrade")
        written = [_move(r, m, f"{place}.moves[{j}]") for j, m in enumerate(data.get("moves") or [])]
        moves = tuple((old, new) for olds, new in written for old in olds)
        for what, ends in (("from", [m[0] for m in moves]), ("to", [new for _, new in written])):
            twice = sorted({end for end in ends if ends.count(end) > 1})
            if twice:
                raise r.fail(f"{place}.moves", f"'{what}' {twice[0]} appears in two moves of one upgrade")
        steps.append(Upgrade(version, moves, _names(r, model, data.get("names"), f"{place}.names"),
                             frozenset(new for olds, new in written if len(olds) > 1)))
    for i, step in enumerate(steps):
        later = {source for s in steps[i + 1:] for source, _ in s.moves}
        for j, (_, target) in enumerate(step.moves):
            if target not in later:
                _check_target(r, model, target, f"upgrades[{i}].moves[{j}]")
    return tuple(steps)


def _move(r: Any, data: Any, place: str) -> tuple[list[str], str]:
    """A move's sources (`from`: a path, or a list of paths the first filled of which moves) and target."""
    data = r.mapping(data, place)
    sources = data.get("from")
    olds = [_path(r, old, "from", place) for old in (sources if isinstance(sources, list) and sources else [sources])]
    new = _path(r, data.get("to"), "to", place)
    if new in olds:
        raise r.fail(place, f"moves {new} onto itself")
    if len(set(olds)) < len(olds):
        raise r.fail(place, f"'from' names {max(olds, key=olds.count)} twice")
    return olds, new


def _path(r: Any, text: Any, key: str, place: str) -> str:
    where = FieldPath.match(text)
    if where is None or where.row is not None or where.part is not None:
        raise r.fail(place, f"'{key}' must be a field path, area.section.field (area.section[0].field in a "
                            f"section that repeats), or for 'from' a list of them, got {text!r}")
    return str(where)


def _check_target(r: Any, model: ContentModel, target: str, place: str) -> None:
    where = FieldPath.parse(target)
    if where.field_path not in model.fields:
        raise r.fail(place, f"'to' refers to unknown field '{target}'")
    repeats = model.repeat_of(where.section_path) is not None
    if repeats and where.instance is None:
        first = FieldPath(where.area, where.section, where.field, 0)
        raise r.fail(place, f"{where.section_path} repeats: say which instance the value moves to, e.g. {first}")
    if not repeats and where.instance is not None:
        raise r.fail(place, f"{where.section_path} does not repeat, so '{target}' names no instance; "
                            f"write {where.field_path}")


def _names(r: Any, model: ContentModel, raw: Any, place: str) -> dict[str, str]:
    if raw is None:
        return {}
    names = r.mapping(raw, place)
    for repeat_id, template in names.items():
        if repeat_id not in model.repeats:
            raise r.fail(place, f"'{repeat_id}' is not a repeat of the model (repeats: "
                                f"{', '.join(model.repeats) or 'none'})")
        try:
            ok = isinstance(template, str) and bool(template.format(n=1).strip())
        except (KeyError, IndexError, ValueError):
            ok = False
        if not ok:
            raise r.fail(f"{place}.{repeat_id}", f"must be a name, with {{n}} for the instance's number "
                                                 f"(\"Drug substance {{n}}\"), got {template!r}")
    return dict(names)


def values_version(model: ContentModel) -> int:
    """The model version whose layout the model's values follow: its last upgrade's, else 1."""
    return model.upgrades[-1].version if model.upgrades else 1


def plan(model: ContentModel, paths: Iterable[str], since: int) -> Plan:
    """How values stored at `paths` by model version `since` move to the model's version.
    UpgradeError when two values would land on one path."""
    where = {path: path for path in paths}
    names: dict[str, str] = {}
    set_aside: dict[str, str] = {}
    for step in model.upgrades:
        if step.version > since:
            moves = dict(step.moves)
            set_aside.update(_joined(step, where))
            where = {old: moves.get(now, now) for old, now in where.items() if old not in set_aside}
            names.update(step.names)
    # A value of a section that now repeats, stored without an instance, belongs to its first instance.
    where = {old: _first_instance(model, now) for old, now in where.items()}
    _refuse_collisions(where, since, values_version(model))
    renames = {old: now for old, now in where.items() if old != now}
    return Plan(since, values_version(model), renames,
                _instance_names(model, set(renames.values()), set(where.values()), names), set_aside)


def _joined(step: Upgrade, where: dict[str, str]) -> dict[str, str]:
    """The values a joined move of `step` sets aside (stored path → the stored path kept): of the values
    moving onto one joined target, all but the first in the step's order of sources."""
    order = {old: i for i, (old, _) in enumerate(step.moves)}
    aside: dict[str, str] = {}
    for target in step.joined:
        coming = sorted((order[now], old) for old, now in where.items() if dict(step.moves).get(now) == target)
        aside.update({old: coming[0][1] for _, old in coming[1:]})
    return aside


def _first_instance(model: ContentModel, path: str) -> str:
    where = FieldPath.match(path)
    if where is None or where.instance is not None or model.repeat_of(where.section_path) is None:
        return path
    return str(FieldPath(where.area, where.section, where.field, 0, where.row, where.part))


def _refuse_collisions(where: dict[str, str], since: int, to: int) -> None:
    landed: dict[str, str] = {}
    for old, now in where.items():
        if now in landed:
            first, second = sorted((landed[now], old))
            raise UpgradeError(f"the values of {first} and {second} would both move to {now} in the upgrade from "
                               f"content model version {since} to {to}; nothing was changed. Clear one of them with "
                               "the release that made the file, or correct the model's upgrades:")
        landed[now] = old


def _instance_names(model: ContentModel, arrived: set[str], present: set[str], names: dict[str, str]) -> dict[str, str]:
    """A name for every instance a move made whose name field holds nothing (and for any instance before
    it, since instances have no gaps): the model's `names:` template with {n} its number from 1, else the
    repeat's label and the number."""
    last: dict[str, tuple[Repeat, int]] = {}  # repeat id → (repeat, highest instance a move made)
    for path in arrived:
        where = FieldPath.parse(path)
        repeat = model.repeat_of(where.section_path)
        if repeat is not None and where.instance is not None:
            last[repeat.id] = (repeat, max(last.get(repeat.id, (repeat, 0))[1], where.instance))
    made: dict[str, str] = {}
    for repeat_id, (repeat, highest) in sorted(last.items()):
        name = FieldPath.parse(repeat.name)
        template = names.get(repeat_id, f"{repeat.label} {{n}}")
        for i in range(highest + 1):
            name_path = str(FieldPath(name.area, name.section, name.field, i))
            if name_path not in present:
                made[name_path] = template.format(n=i + 1)
    return made


def stored_version(store: Store) -> int:
    version = store.get_setting(VERSION_KEY)
    return version if isinstance(version, int) and not isinstance(version, bool) else 1


def bring_forward(store: Store, model: ContentModel) -> None:
    """Called on opening; when the values follow the model's version, one settings read is all it costs.
    A dossier of an older version is upgraded in place when open for editing, and read through the moves
    when read-only; one of a newer version is refused."""
    target, since = values_version(model), stored_version(store)
    if since == target:
        return
    if since > target:
        raise NewerVersionError(f"{store.path} holds values of content model version {since}, newer than this "
                                f"program's (version {target}); update Dossier Builder to open it. The file was not "
                                "changed.")
    moves = plan(model, store.stored_paths(), since)
    if store.read_only:
        # Nothing is written: every read applies the moves to what is stored then (cheap, and right also if
        # another program upgrades the file meanwhile, since moving upgraded values again moves nothing).
        store.read_through = lambda values: plan(model, values, since).apply(values)
        store.notes.append(f"{store.path.name} follows content model version {since}: it is read as version {target} "
                           "places its values, and upgraded when it is next opened for editing")
        return
    _check_types(model, moves, store)
    backup = store.backup(f"{target}")
    apply_upgrade(store, moves, backup.name, model)
    store.notes.append(f"{store.path.name} was upgraded from content model version {since} to {target} "
                       f"({len(moves.renames)} value(s) moved); the file as it was is kept as {backup.name}")


def apply_upgrade(store: Store, moves: Plan, backup: str | None, model: ContentModel | None = None) -> None:
    """Move the values and record the new version in one transaction, logged as an `upgrade` entry that
    names the backup (None: the dossier was imported from a text form, which stays as it was). A value a
    joined move set aside leaves its path as a cleared value does (the audit log keeps it, and the backup);
    one that differed from the value kept is named in the store's notes, with both values."""
    differ = moves.conflicts(store.get)
    store.notes += [_conflict_note(store, model, old, kept, now, backup) for old, kept, now in differ]
    store.move_values(moves.renames, moves.names, {VERSION_KEY: moves.to},
                      (UPGRADE_ENTRY, {"content_model": {"from": moves.since, "to": moves.to},
                                       "moved": len(moves.renames), "named": len(moves.names), "backup": backup,
                                       "moves": moves.renames, "set_aside": moves.set_aside,
                                       "differed": [old for old, _, _ in differ]}),
                      before_commit=_pause_hook, removed=list(moves.set_aside))


def _conflict_note(store: Store, model: ContentModel | None, old: str, kept: str, now: str,
                   backup: str | None) -> str:
    """What a user needs to settle a joined move: both values (never one of a PHI field), where each was."""
    target = model.fields.get(FieldPath.parse(now).field_path) if model is not None else None
    shown = {path: "" for path in (old, kept)}
    if target is not None and not target.phi:
        from .fieldtypes import display
        shown = {path: f" ({display(target, store.get(path))})" for path in (old, kept)}
    where = f"the backup {backup} and " if backup else ""
    return (f"{now} now holds the value of {kept}{shown[kept]}; {old} held a different one{shown[old]}, which "
            f"is kept only in {where}the audit log (dossier history): check which is right and correct {now} "
            "if need be")


def former_paths(store: Store, path: str) -> list[tuple[str, int]]:
    """The paths upgrades moved the value at `path` from, each with the id of the upgrade's entry in the
    audit log: entries of that path before it are the value's history there (a purge removes them too)."""
    back: list[tuple[int, str, str]] = []  # (upgrade entry id, new path, old path)
    for entry_id, new in store.logged(UPGRADE_ENTRY):
        moves = new.get("moves") if isinstance(new, dict) else None
        if isinstance(moves, dict):
            back += [(entry_id, to, old) for old, to in moves.items() if isinstance(old, str) and isinstance(to, str)]
    found: list[tuple[str, int]] = []
    current, before = path, None
    for entry_id, to, old in sorted(back, reverse=True):  # latest upgrade first: follow the value backwards
        if to == current and (before is None or entry_id < before):
            found.append((old, entry_id))
            current, before = old, entry_id
    return found


def _check_types(model: ContentModel, moves: Plan, store: Store) -> None:
    """Every moved value must fit the field it moves to, or nothing is changed."""
    from .errors import FieldError
    from .fieldtypes import check_stored

    for old, new in moves.renames.items():
        where = FieldPath.match(new)
        target = model.fields.get(where.field_path) if where else None
        if target is None:
            continue  # kept as it is, as any value of a field the model no longer has
        try:
            check_stored(target, store.get(old))
        except FieldError as exc:
            raise UpgradeError(f"{store.path.name}: the value of {old} cannot move to {new} ({exc.problem}); nothing "
                               "was changed. Correct the model's upgrades: so that the move fits") from None


def _pause_hook() -> None:
    marker = os.environ.get(PAUSE_HOOK)
    if marker:
        with open(marker, "w", encoding="utf-8") as fh:
            fh.write(str(os.getpid()))
        time.sleep(120)
