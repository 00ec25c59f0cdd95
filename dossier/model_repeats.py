"""The content model's repeatable groups (`repeats:`), read and checked at load: every repeat is used
by a section and named by a text field of one of them, and nothing in the model reads repeated fields
in a way that cannot say which instance it means (see dossier.repeats for the instances themselves)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from .checkkinds import kinds, spec_paths
from .conditions import parse_condition
from .fieldpath import FieldPath
from .fieldtypes import is_filled
from .model import Repeat
from .repeats import names_instance

if TYPE_CHECKING:
    from .model import Area, Check, ContentModel

_KEYS = {"id", "label", "name", "min", "max", "within", "by", "when"}


def read_repeats(r, raw: Any) -> dict[str, Repeat]:
    """The `repeats:` list as written (sections are filled in by `attach_sections`)."""
    if raw is None:
        return {}
    repeats: dict[str, Repeat] = {}
    for place, data in r.entries(raw, "repeats", _KEYS, "a repeat"):
        repeat_id = r.ident(data, place)
        if repeat_id in repeats:
            raise r.fail(place, f"repeat id '{repeat_id}' is declared twice")
        if "name" not in data:
            raise r.fail(place, "a repeat needs 'name': the path of the text field that names each instance "
                                "(name: area.section.field)")
        minimum, maximum = _count(r, data, "min", place), _count(r, data, "max", place)
        if maximum is not None and maximum < max(minimum or 0, 1):
            raise r.fail(place, f"'max' ({maximum}) must be at least 1 and at least 'min' ({minimum or 0})")
        if ("within" in data) != ("by" in data):
            raise r.fail(place, "'within' (the repeat an instance belongs to) and 'by' (the text field naming that "
                                "instance) go together")
        repeats[repeat_id] = Repeat(repeat_id, r.text(data, "label", place), r.text(data, "name", place),
                                    minimum or 0, maximum, within=data.get("within"), by=data.get("by"),
                                    when=parse_condition(data.get("when"), f"{place}.when", r.fail))
    for place, repeat in ((f"repeats ({rid})", rep) for rid, rep in repeats.items() if rep.within is not None):
        parent = repeats.get(str(repeat.within))
        if parent is None or parent.id == repeat.id or parent.within is not None:
            raise r.fail(place, f"'within: {repeat.within}' must name another declared repeat that lies within "
                                f"none (declared: {', '.join(repeats)})")
    return repeats


def _count(r, data: dict, key: str, place: str) -> int | None:
    value = data.get(key)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise r.fail(place, f"'{key}' must be a whole number from 0")
    return value


def section_repeat(r, data: dict, place: str, repeats: dict[str, Repeat]) -> str | None:
    """A section's `repeat:`, which must name a declared repeat."""
    repeat_id = data.get("repeat")
    if repeat_id is None:
        return None
    if not isinstance(repeat_id, str) or repeat_id not in repeats:
        known = ", ".join(repeats) or "none are declared"
        raise r.fail(place, f"repeat '{repeat_id}' is not declared under `repeats:` (declared: {known})")
    return repeat_id


def attach_sections(r, repeats: dict[str, Repeat], areas: tuple[Area, ...]) -> dict[str, Repeat]:
    """Each repeat with the sections that use it; refuses an unused repeat and a bad name field."""
    out = {}
    for repeat in repeats.values():
        sections = [s for a in areas for s in a.sections if s.repeat == repeat.id]
        place = f"repeats ({repeat.id})"
        if not sections:
            raise r.fail(place, "no section uses this repeat; add `repeat: " + repeat.id + "` to the sections that "
                                "repeat, or remove it")
        name = next((f for s in sections for f in s.fields if f.path == repeat.name), None)
        if name is None:
            paths = ", ".join(s.path for s in sections)
            raise r.fail(place, f"'name: {repeat.name}' is not a field of its sections ({paths}); name a text "
                                "field of one of them")
        if name.type != "text":
            raise r.fail(place, f"'name: {repeat.name}' is a {name.type} field; an instance is named by a "
                                "one-line text field")
        if repeat.by is not None:
            by = next((f for s in sections for f in s.fields if f.path == repeat.by), None)
            if by is None or by.type != "text":
                raise r.fail(place, f"'by: {repeat.by}' must be a text field of its sections: it names the "
                                    f"{repeat.within} instance each instance belongs to")
        out[repeat.id] = replace(repeat, sections=tuple(s.path for s in sections))
    return out


def check_repeat_uses(r, model: ContentModel) -> None:
    """Refuse what mixes instances ambiguously: a condition outside a repeat on a field inside it, and a
    check, element or derived value that reads fields of two repeats (which instance of each?)."""
    if not model.repeats:
        return
    for repeat in model.repeats.values():
        _outside_only(r, model, repeat.when, None, f"repeats ({repeat.id}).when")
    for area in model.areas:
        _outside_only(r, model, area.when, None, f"area {area.id}.when")
        for section in area.sections:
            _outside_only(r, model, section.when, section.repeat, f"section {section.path}.when")
            for f in section.fields:
                _outside_only(r, model, f.when, section.repeat, f"field {f.path}.when")
                for column in f.columns:
                    _outside_only(r, model, column.when, section.repeat, f"column {f.path}.{column.id}.when")
    check_documents(r, model)
    _rows_for(r, model)
    for check in model.checks:
        _one_repeat(r, model, check_reads(check), f"check {check.id}")
    for element in model.elements:
        _one_repeat(r, model, element.fields, f"element {element.id}")
    for derived in model.derived.values():
        _one_repeat(r, model, list(derived.reads), f"derived {derived.field.id}")


def _rows_for(r, model: ContentModel) -> None:
    """A table outside the repeats whose rows each name the instance they are for (`rows_for: {repeat, by}`):
    a document rendered per instance is given that instance's rows and the shared ones (naming none)."""
    for f in model.fields.values():
        if f.rows_for is None:
            continue
        repeat_id, by = f.rows_for
        if repeat_id not in model.repeats or model.repeat_of(f.path) is not None:
            raise r.fail(f"field {f.path}.rows_for", f"'repeat: {repeat_id}' must name a declared repeat "
                                                     f"({', '.join(model.repeats)}) and the table lie outside it")
        if by not in {c.id for c in f.columns if c.type == "text"}:
            raise r.fail(f"field {f.path}.rows_for", f"'by: {by}' must be a text column of the table: it names "
                                                     "the instance each row is for")


def instance_rows(model: ContentModel, path: str, rows: Any, repeat_id: str | None, name: Any) -> Any:
    """The rows of table `path` that instance `name` of `repeat_id` is given: those naming it and those naming
    none; every row when the table does not say (no `rows_for` on that repeat) or the instance has no name."""
    f = model.fields.get(path)
    if f is None or f.rows_for is None or f.rows_for[0] != repeat_id or not isinstance(rows, list) \
            or not is_filled(name):
        return rows
    by = f.rows_for[1]
    return [row for row in rows if not is_filled(row.get(by)) or names_instance(row.get(by), name)]


def check_documents(r, model: ContentModel) -> None:
    """A document rendered per instance (`per:`) names a repeat and is given that repeat's fields (and those
    of the repeat its instances lie within), one value each; a document rendered once may be given any
    repeat's fields, which its template reads instance by instance (`f.each`). A document's condition
    reads only its own repeat's fields or fields outside any repeat."""
    for document in model.documents:
        place = f"document {document.id}"
        if document.per is not None and document.per not in model.repeats:
            known = ", ".join(model.repeats) or "this content model declares none"
            raise r.fail(f"{place}.per", f"names no repeat '{document.per}' (repeats: {known})")
        _outside_only(r, model, document.when, document.per, f"{place}.when")
        if document.per is None:
            continue
        for f in model.fields.values():
            repeat = model.repeat_of(f.path)
            if repeat is not None and document.id in f.documents and not sees(model, document.per, repeat.id):
                raise r.fail(f"field {f.path}", f"feeds document {document.id}, rendered per instance of "
                                                f"'{document.per}', but has one value per {repeat.label.lower()}: "
                                                "take the document out of the field's `documents:`, or render "
                                                "it once (without `per:`) and read the field per instance")


def sees(model: ContentModel, own: str | None, theirs: str) -> bool:
    """Whether a part of repeat `own` sees one value of repeat `theirs`: its own, or the one of the
    repeat its instances lie within (a drug substance sees its arm's design)."""
    return own is not None and (theirs == own or model.repeats[own].within == theirs)


def check_roles(r, model: ContentModel) -> None:
    """A role that names one value (a header line, a Module 1 entry) cannot point into a repeat."""
    single = {**{f"roles.header.{k}": [v] for k, v in model.roles.header.items()},
              **{f"roles.module1.{k}": list(v) for k, v in model.roles.module1.items()}}
    for place, paths in single.items():
        for path in paths:
            repeat = model.repeat_of(path)
            if repeat is not None:
                raise r.fail(place, f"{path} is repeated ({repeat.label}: one value per instance), but this role "
                                    "takes one value; point it at a field outside the repeat")
    # A keyed heading may take its value from a repeated field: a document rendered per instance gets
    # its own keyed heading from its instance, and each instance's attachments go where their field's home
    # says (dossier.ectd.wanted). A figure drawn per instance is not built yet: refused here rather than
    # leaving an instance's rows out of a figure.
    for key, figure in model.roles.figures.items():
        if model.repeat_of(figure.table) is not None:
            raise r.fail(f"roles.figures.{key}", f"{figure.table} is repeated: drawing a figure per instance is "
                                                 "not supported yet; point the role at a table outside the repeat")


def repeat_of_path(model: ContentModel, path: str) -> str | None:
    """The repeat a model path (a field, a table column, or a derived value) reads from, if any."""
    if path in model.derived:
        found = {repeat_of_path(model, p) for p in model.derived[path].reads}
        found.discard(None)
        return next(iter(found)) if len(found) == 1 else None
    repeat = model.repeat_of(path if FieldPath.match(path) else "")
    return repeat.id if repeat else None


def _outside_only(r, model: ContentModel, when, own: str | None, place: str) -> None:
    for path in sorted(when.fields() if when else ()):
        theirs = repeat_of_path(model, path)
        if theirs is not None and not sees(model, own, theirs):
            label = model.repeats[theirs].label
            where = f"outside the repeat '{theirs}'" if own is None else f"in the repeat '{own}', not '{theirs}'"
            raise r.fail(place, f"tests {path}, which has one value per {label.lower()}, from a part {where}: "
                                "which instance would decide? Test a field outside the repeat, or move this part "
                                f"into a section with `repeat: {theirs}`")


def _one_repeat(r, model: ContentModel, paths: Iterable[str], place: str) -> None:
    found: dict[str, str] = {}
    for path in paths:
        repeat = repeat_of_path(model, path)
        if repeat is not None:
            found.setdefault(repeat, path)
    if len(found) == 2 and any(model.repeats[rid].within in found for rid in found):
        return  # an instance lies within one of the other's: it is checked with its own (dossier.repeats.owner)
    if len(found) > 1:
        named = " and ".join(f"{p} (repeat '{rid}')" for rid, p in found.items())
        raise r.fail(place, f"reads {named}: fields of two repeats cannot be paired instance by instance; "
                            "split it in two, one per repeat")


def check_reads(check: Check) -> list[str]:
    """Every path a check reads: the fields (or columns, or derived values) it names, and its condition's."""
    paths = []
    for key in ("fields", "field", "in", "left", "right", "by"):
        value = check.spec.get(key)
        paths += [value] if isinstance(value, str) else [v for v in value if isinstance(v, str)] \
            if isinstance(value, list) else []
    per = check.spec.get("per")  # `rows` per instance: {column: the field naming the instance}
    paths += [v for v in per.values() if isinstance(v, str)] if isinstance(per, dict) else []
    return paths + spec_paths(check) + sorted(check.when.fields() if check.when else ())


def check_repeat(model: ContentModel, check: Check) -> str | None:
    """The repeat whose fields a check reads (the loader allows one at most), if any; none for a kind that
    reads the whole dossier at once (checkkinds `whole`: the protected health information of every arm)."""
    kind = kinds().get(check.kind)
    return None if kind is not None and kind.whole else fields_repeat(model, check_reads(check))


def fields_repeat(model: ContentModel, paths: Iterable[str]) -> str | None:
    """The repeat the first repeated one of `paths` lies in (an element's, a check's), if any; of a repeat
    and the one its instances lie within, the inner one (each drug substance, seeing its arm)."""
    found = [rid for rid in dict.fromkeys(repeat_of_path(model, p) for p in paths) if rid is not None]
    inner = [rid for rid in found if model.repeats[rid].within in found]
    return (inner or found)[0] if found else None
