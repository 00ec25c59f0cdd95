"""Reading a content model file (YAML) into the typed objects of dossier.model, checking every part:
a malformed model fails here with the file, the place in it and the reason."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from . import quantities
from .conditions import check_conditions, parse_condition
from .derived import read_derived
from .errors import ModelError
from .fieldpath import field_path
from .model import (
    COLUMN_TYPES,
    FIELD_TYPES,
    Area,
    Column,
    ContentModel,
    Document,
    Field,
    Section,
)
from .model_cache import cached_parse
from .model_cache import parse_yaml as _parse_yaml  # a name of its own here: tests replace it
from .model_checks import check_references, read_checks
from .model_guidance import help_variants, read_centers, read_elements, read_sources_for
from .model_repeats import attach_sections, check_repeat_uses, check_roles, read_repeats, section_repeat
from .paths import content_model_path
from .roles import read_roles
from .upgrade import read_upgrades

_ID = re.compile(r"^[a-z][a-z0-9_]*$")


class _Reader:
    """Reads one mapping of the YAML with errors that name the file and the place."""

    ID = _ID  # a field's, section's or repeat's id
    DOC_ID = re.compile(r"^[a-z][a-z0-9-]*$")  # a document's or check's id (may hold hyphens)

    def __init__(self, source: Path):
        self.source = source
        self.sources_for: dict = {}  # the model's `sources_for:`, read before the fields that cite them

    def fail(self, place: str, reason: str) -> ModelError:
        return ModelError(f"{self.source}: {place}: {reason}")

    def mapping(self, value: Any, place: str) -> dict:
        if not isinstance(value, dict):
            raise self.fail(place, f"expected a mapping, got {type(value).__name__}")
        return value

    def items(self, value: Any, place: str) -> list:
        if not isinstance(value, list) or not value:
            raise self.fail(place, "expected a non-empty list")
        return value

    def entries(self, value: Any, where: str, keys: Iterable[str], what: str) -> Iterator[tuple[str, dict]]:
        """(place, mapping) for each entry of a list of mappings (`where[i] (id)`), refusing a key that is
        not one of `keys` with what `what` (e.g. "a repeat") has."""
        if not isinstance(value, list):
            raise self.fail(where, "expected a list")
        for i, data in enumerate(value):
            data = self.mapping(data, f"{where}[{i}]")
            place = f"{where}[{i}]" + (f" ({data['id']})" if "id" in data else "")
            self.known_keys(data, keys, place, what)
            yield place, data

    def known_keys(self, data: dict, keys: Iterable[str], place: str, what: str) -> None:
        """Refuse a key that is not one of `keys` (a typo, or an unquoted comma in a flow mapping's label,
        would otherwise be ignored without a word)."""
        unknown = sorted(str(k) for k in data if k not in keys)
        if unknown:
            raise self.fail(place, f"unknown key(s) {', '.join(unknown)}; {what} has {', '.join(sorted(keys))}")

    def text(self, data: dict, key: str, place: str, default: str | None = None) -> str:
        value = data.get(key, default)
        if not isinstance(value, str) or (default is None and not value.strip()):
            raise self.fail(place, f"'{key}' must be a non-empty string")
        return value

    def ident(self, data: dict, place: str, pattern: re.Pattern = _ID) -> str:
        value = self.text(data, "id", place)
        if not pattern.match(value):
            raise self.fail(place, f"id '{value}' must match {pattern.pattern}")
        return value

    def strings(self, data: dict, key: str, place: str) -> tuple[str, ...]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(place, f"'{key}' must be a list of strings")
        return tuple(value)

    def flag(self, data: dict, key: str, place: str, default: bool = False) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(place, f"'{key}' must be true or false")
        return value

    def number(self, data: dict, key: str, place: str) -> float | None:
        value = data.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise self.fail(place, f"'{key}' must be a number")
        return value


def _typed_extras(r: _Reader, data: dict, kind: str, place: str) -> dict:
    extras: dict[str, Any] = {}
    if kind in ("choice", "multichoice"):
        extras["choices"] = r.strings(data, "choices", place)
        if not extras["choices"]:
            raise r.fail(place, f"a {kind} field needs 'choices'")
    if kind == "number":
        extras["units"] = _units(r, data, place)
    if kind == "date":
        extras["partial"] = r.flag(data, "partial", place)
    return extras


def _units(r: _Reader, data: dict, place: str) -> tuple[str, ...]:
    """A number's units, by their stored spellings: those listed in `units:` (each known to the units
    table, all of one dimension unless `dimension:` names several), or every unit of `dimension:`."""
    dimensions = data.get("dimension", [])
    dimensions = [dimensions] if isinstance(dimensions, str) else dimensions
    if not isinstance(dimensions, list) or not all(isinstance(d, str) for d in dimensions):
        raise r.fail(place, "'dimension' must be a dimension's name or a list of them")
    for dimension in dimensions:
        if dimension not in quantities.dimensions():
            raise r.fail(place, f"unknown dimension '{dimension}'; known: {', '.join(quantities.dimensions())}")
    units = []
    for name in r.strings(data, "units", place):
        found = quantities.unit(name)
        if found is None:
            raise r.fail(place, f"unit '{name}' is not a unit this program knows; known units: "
                                f"{', '.join(quantities.known_units())}")
        if dimensions and found.dimension not in dimensions:
            raise r.fail(place, f"unit '{name}' is {found.dimension}, not {' or '.join(dimensions)}")
        units.append(found.spelling)
    spans = dimensions or list(dict.fromkeys(quantities.unit_of(u).dimension for u in units))
    if len(spans) > 1 and not dimensions:
        raise r.fail(place, f"units {', '.join(units)} are of different dimensions ({', '.join(spans)}); "
                            "name them with 'dimension: [..]' if the field really takes both")
    if not units:
        units = [u for dimension in dimensions for u in quantities.dimension_units(dimension)]
    return tuple(dict.fromkeys(units))


# the keys of a field: those every field may have, and those _typed_extras reads for its type
_FIELD_KEYS = {"id", "label", "type", "required", "help", "when", "source", "phi", "documents", "min", "max",
               "integer", "multiple", "max_length", "help_for"}
_TYPED_KEYS = {"choice": {"choices"}, "multichoice": {"choices"}, "number": {"units", "dimension"}, "date": {"partial"},
               "table": {"columns", "min_rows", "key", "rows_for"}}


def _column(r: _Reader, data: Any, place: str) -> Column:
    data = r.mapping(data, place)
    place = f"{place} ({data.get('id', '?')})"
    kind = r.text(data, "type", place)
    if kind not in COLUMN_TYPES:
        raise r.fail(place, f"column type '{kind}' is not one of {', '.join(sorted(COLUMN_TYPES))}")
    return Column(
        id=r.ident(data, place), label=r.text(data, "label", place), type=kind,
        required=r.flag(data, "required", place), help=r.text(data, "help", place, ""),
        when=parse_condition(data.get("when"), f"{place}.when", r.fail), **_typed_extras(r, data, kind, place),
    )


def _field(r: _Reader, data: Any, section_path: str, place: str) -> Field:
    data = r.mapping(data, place)
    place = f"{place} ({data.get('id', '?')})"
    r.known_keys(data, _FIELD_KEYS | _TYPED_KEYS.get(data.get("type", ""), set()), place, "a field of its type")
    field_id = r.ident(data, place)
    kind = r.text(data, "type", place)
    if kind not in FIELD_TYPES:
        raise r.fail(place, f"field type '{kind}' is not one of {', '.join(sorted(FIELD_TYPES))}")
    extras = _typed_extras(r, data, kind, place)
    if kind == "table":
        columns = tuple(_column(r, c, f"{place}.columns[{i}]")
                        for i, c in enumerate(r.items(data.get("columns"), f"{place}.columns")))
        ids = [c.id for c in columns]
        if len(set(ids)) != len(ids):
            raise r.fail(place, "column ids must be unique")
        extras["columns"] = columns
        extras["min_rows"] = int(data.get("min_rows", 0))
        extras["key"] = r.strings(data, "key", place)
        if "rows_for" in data:  # checked against the repeats once the model is read (model_repeats)
            rows_for = r.mapping(data["rows_for"], f"{place}.rows_for")
            extras["rows_for"] = (r.text(rows_for, "repeat", place), r.text(rows_for, "by", place))
        for column_id in extras["key"]:
            if column_id not in ids:
                raise r.fail(place, f"key column '{column_id}' is not a column of this table; "
                                    f"columns: {', '.join(ids)}")
    max_length = data.get("max_length")
    return Field(
        path=field_path(section_path, field_id), id=field_id, label=r.text(data, "label", place), type=kind,
        help=r.text(data, "help", place, ""), source=r.text(data, "source", place, ""),
        required=r.flag(data, "required", place), phi=r.flag(data, "phi", place),
        documents=r.strings(data, "documents", place),
        minimum=r.number(data, "min", place), maximum=r.number(data, "max", place),
        integer=r.flag(data, "integer", place), multiple=r.flag(data, "multiple", place, True),
        max_length=int(max_length) if max_length is not None else None,
        when=parse_condition(data.get("when"), f"{place}.when", r.fail),
        help_variants=help_variants(r, data, place, r.sources_for), **extras,
    )


def _areas(r: _Reader, raw: dict, repeats: dict) -> tuple[Area, ...]:
    areas = []
    for a, area_data in enumerate(r.items(raw.get("areas"), "areas")):
        place = f"areas[{a}]"
        area_data = r.mapping(area_data, place)
        area_id = r.ident(area_data, place)
        sections = []
        for s, section_data in enumerate(r.items(area_data.get("sections"), f"{place}.sections")):
            splace = f"{place}.sections[{s}]"
            section_data = r.mapping(section_data, splace)
            section_path = f"{area_id}.{r.ident(section_data, splace)}"
            fields = tuple(_field(r, f, section_path, f"{splace}.fields[{i}]")
                           for i, f in enumerate(r.items(section_data.get("fields"), f"{splace}.fields")))
            sections.append(Section(section_path, section_data["id"], r.text(section_data, "title", splace),
                                    r.text(section_data, "help", splace, ""), fields,
                                    parse_condition(section_data.get("when"), f"{splace}.when", r.fail),
                                    section_repeat(r, section_data, splace, repeats)))
        areas.append(Area(area_id, r.text(area_data, "title", place), tuple(sections),
                          parse_condition(area_data.get("when"), f"{place}.when", r.fail)))
    return tuple(areas)


def _documents(r: _Reader, raw: dict) -> tuple[Document, ...]:
    documents = []
    for i, data in enumerate(r.items(raw.get("documents"), "documents")):
        place = f"documents[{i}]"
        data = r.mapping(data, place)
        place = f"{place} ({data.get('id', '?')})"
        ectd = r.mapping(data.get("ectd"), f"{place}.ectd")
        documents.append(Document(
            id=r.ident(data, place, r.DOC_ID), title=r.text(data, "title", place),
            template=r.text(data, "template", place), heading=r.text(ectd, "heading", f"{place}.ectd"),
            folder=r.text(ectd, "folder", f"{place}.ectd").strip("/"), file=r.text(ectd, "file", f"{place}.ectd"),
            when=parse_condition(data.get("when"), f"{place}.when", r.fail),
            per=r.text(data, "per", place) if data.get("per") is not None else None,
        ))
        earlier = [d for d in documents[:-1] if d.id == documents[-1].id or d.file == documents[-1].file]
        if earlier:  # documents are rendered side by side into one folder, named by their file
            raise r.fail(place, f"id or file name already used by document '{earlier[0].id}'")
    return tuple(documents)


def parse_model(raw: Any, source: Path) -> ContentModel:
    r = _Reader(source)
    raw = r.mapping(raw, "top level")
    version = raw.get("version")
    if version != 1:
        raise r.fail("version", f"unsupported content model version {version!r} (this program reads 1)")
    r.sources_for = read_sources_for(r, raw)
    repeats = read_repeats(r, raw.get("repeats"))
    areas = _areas(r, raw, repeats)
    fields: dict[str, Field] = {}
    for area in areas:
        for section in area.sections:
            for f in section.fields:
                if f.path in fields:
                    raise r.fail(f"field {f.path}", "defined twice")
                fields[f.path] = f
    model = ContentModel(version, areas, read_elements(r, raw), _documents(r, raw), read_checks(r, raw), fields,
                         derived=read_derived(r, raw.get("derived") or [], fields),
                         repeats=attach_sections(r, repeats, areas), centers=read_centers(r, raw),
                         sources_for=r.sources_for)
    check_references(r, model)
    check_conditions(model, r.fail)
    check_repeat_uses(r, model)
    model = replace(model, roles=read_roles(r, raw.get("roles"), model))
    check_roles(r, model)
    return replace(model, upgrades=read_upgrades(r, raw.get("upgrades"), model))


def read_model(path: str | Path | None = None) -> ContentModel:
    """Read and validate a content model file (the bundled one when `path` is None)."""
    source = Path(path) if path is not None else content_model_path()
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise ModelError(f"{source}: cannot read the content model: {exc.strerror}") from None
    return parse_model(cached_parse(data, lambda d: _parse_yaml(d, source)), source)
