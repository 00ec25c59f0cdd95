"""The section files of a dossier's text form (`sections/<area>.<section>.json`): writing them, and
reading those of format 1 and 2 into values by field path.

    {"section": "area.section", "fields": {"field": "…", …}}                 a section (formats 1 and 2)
    {"section": "area.section", "instances": [{"field": "…", …}, {…}]}      a repeated section (format 2):
                                                                            instance i holds a.s[i].*
Keys follow the model's field order and every value is indented JSON, so two exports of one dossier
differ by the lines that changed (`dossier diff` and `dossier merge` rely on it).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .errors import FieldError, ImportFormatError
from .fieldpath import FieldPath, field_path
from .fieldtypes import coerce
from .model import ContentModel, Section

_ID = re.compile(r"[a-z][a-z0-9_]*")


def section_bodies(model: ContentModel, values: dict[str, Any], keep: Callable[[str], bool]) -> dict[str, dict]:
    """Section path → the JSON body of its file, for the values (path → value) `keep` lets through."""
    bodies = {}
    for section in model.sections():
        repeat = model.repeat_of(section.path)
        if repeat is None:
            bodies[section.path] = {"section": section.path, "fields": _fields(section, values, keep, None)}
        else:
            count = _instance_count(values, set(repeat.sections))
            bodies[section.path] = {"section": section.path,
                                    "instances": [_fields(section, values, keep, i) for i in range(count)]}
    return bodies


def _fields(section: Section, values: dict[str, Any], keep: Callable[[str], bool], instance: int | None) -> dict:
    fields = {}
    for f in section.fields:
        path = _at(f.path, instance)
        if path in values and keep(path):
            fields[f.id] = values[path]
    return fields


def _instance_count(values: dict[str, Any], sections: set[str]) -> int:
    """How many instances the repeat of `sections` has: one past the highest instance holding a value
    (the dossier's values hold no gaps: an instance exists while its name is filled, counted from 0)."""
    found = [where.instance for where in map(FieldPath.match, values)
             if where is not None and where.instance is not None and where.section_path in sections]
    return max(found) + 1 if found else 0


def _at(path: str, instance: int | None) -> str:
    if instance is None:
        return path
    where = FieldPath.parse(path)
    return str(FieldPath(where.area, where.section, where.field, instance))


# Reading ---------------------------------------------------------------------------------------

def read_section_files(src: Path, read_json: Callable[[Path], Any], instances: bool,
                       sections: set[str]) -> dict[str, tuple[Any, str]]:
    """Every value of the files of `sections` as written, by the path it was written at: path → (raw
    value, the file it came from). Format 1 has no `instances`; what the paths mean is checked by
    `typed_values` (after an upgrade has moved them, for a folder of an older model)."""
    folder = src / "sections"
    if not folder.is_dir():
        raise ImportFormatError(f"{src} has no sections/ folder; is it a dossier text form?")
    found: dict[str, tuple[Any, str]] = {}
    for path in sorted(folder.iterdir()):
        rel = str(path.relative_to(src))
        where = FieldPath.match(f"{path.stem}.x")
        if path.suffix != ".json" or where is None or where.instance is not None or path.stem not in sections:
            raise ImportFormatError(f"{rel}: not a section of the content model (sections are named area.section.json)")
        data = read_json(path)
        body = data.get("instances" if instances and "instances" in data else "fields") \
            if isinstance(data, dict) and data.get("section") == path.stem else None
        keys = [k for b in (body if isinstance(body, list) else [body]) if isinstance(b, dict) for k in b]
        wrong = [k for k in keys if not isinstance(k, str) or not _ID.fullmatch(k)]
        if wrong:
            raise ImportFormatError(f"{rel}: '{wrong[0]}' is not a field id (lower-case letters, digits and _)")
        if isinstance(body, dict):
            found.update({field_path(path.stem, k): (v, rel) for k, v in body.items()})
        elif isinstance(body, list) and all(isinstance(b, dict) for b in body):
            found.update({str(FieldPath(where.area, where.section, k, i)): (v, rel)
                          for i, instance in enumerate(body) for k, v in instance.items()})
        else:
            shape = '"fields": {...} or "instances": [{...}, ...]' if instances else '"fields": {...}'
            raise ImportFormatError(f'{rel}: expected {{"section": "{path.stem}", {shape}}}')
    return found


def typed_values(model: ContentModel, raw: dict[str, tuple[Any, str]]) -> dict[str, Any]:
    """Path → typed value for the values read (path → (raw, file)), each checked against the model."""
    values: dict[str, Any] = {}
    sections = {s.path: s for s in model.sections()}
    for path, (value, rel) in raw.items():
        where = FieldPath.parse(path)
        section = sections.get(where.section_path)
        if section is None:
            raise ImportFormatError(f"{rel}: not a section of the content model (sections are named area.section.json)")
        known = {f.id: f for f in section.fields}
        if where.field not in known:
            raise ImportFormatError(f"{rel}: unknown field '{where.field}'; fields of this section: {', '.join(known)}")
        repeats = model.repeat_of(section.path) is not None
        if repeats != (where.instance is not None):
            shape = ('"instances": [{...}, ...]} (the section repeats: one mapping of fields per instance)'
                     if repeats else '"fields": {...}} (the section does not repeat)')
            raise ImportFormatError(f'{rel}: expected {{"section": "{section.path}", {shape}')
        try:
            typed = coerce(known[where.field], value)
        except FieldError as exc:
            raise ImportFormatError(f"{rel}: {exc}") from None
        if typed is not None:
            values[path] = typed
    return values
