"""Field paths — `area.section.field`, a table cell `…field[row].column` — parsed and written in one place.

    area.section.field              product.dose.amount              a field
    area.section.field.part         product.sponsor.contact.email    a person's key, or a table's column in
                                                                      every row (the model's checks name these)
    area.section.field[row]         product.batches.lots[0]          one row of a table
    area.section.field[row].column  product.batches.lots[0].coa      one cell of a table
    area.section[instance].field    product.sites[1].name            one instance of a repeatable section

    area.section[instance].table[row].column                      one cell of a table in one instance
    derived.id[instance]            derived.total_dose[1]            a derived value reading a repeated
                                                                      section, as computed for one instance

Rows and instances count from 0, as the `[i]` of every finding and error message does. Names are lower
case letters, digits and `_`, starting with a letter (the content model's ids). A section takes an
instance number when, and only when, the model declares it repeated (`repeat:`, see dossier.repeats):
its values are stored once per instance under these paths, and `model_path` gives the path the model
itself knows the field by (`area.section.field`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .errors import UnknownFieldError

_NAME = re.compile(r"[a-z][a-z0-9_]*")
_SEGMENT = re.compile(r"(?P<name>[^\[\]]*)(?:\[(?P<index>[^\]]*)\])?")
_DERIVED = re.compile(r"[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*")  # derived.id: a derived value (two names)
_DERIVED_IN_INSTANCE = re.compile(r"([a-z][a-z0-9_]*\.[a-z][a-z0-9_]*)\[(\d{1,9})\]")
_MAX_DIGITS = 9  # a billion rows is no table; the cap keeps int() away from absurd inputs
EXAMPLE = "area.section.field (a table cell: area.section.table[0].column; `dossier fields FILE` lists them)"


class FieldPathError(UnknownFieldError):
    """A text that is not a field path at all (a usage error, like an unknown field)."""


@dataclass(frozen=True)
class FieldPath:
    area: str
    section: str
    field: str
    instance: int | None = None  # which instance of a repeatable section
    row: int | None = None       # which row of a table
    part: str | None = None      # a table's column, or a key of a person value

    @classmethod
    def parse(cls, text: str) -> FieldPath:
        """The path `text` spells, or FieldPathError saying what is wrong with it."""
        found = _matched(text) if isinstance(text, str) else None
        return found if found is not None else cls._parse(text)

    @classmethod
    def _parse(cls, text: str) -> FieldPath:
        if not isinstance(text, str) or not text:
            raise FieldPathError(repr(text), f"a field path is area.section.field, e.g. {EXAMPLE}")
        segments = [_segment(text, s) for s in text.split(".")]
        if len(segments) < 3:
            raise FieldPathError(text, f"a field path has at least three parts, area.section.field, e.g. {EXAMPLE}")
        if len(segments) > 4:
            raise FieldPathError(text, f"too many parts: a field path is area.section.field, with at most a column "
                                       f"or a key after it, e.g. {EXAMPLE}")
        (area, a_index), (section, instance), (field, row) = segments[:3]
        part, p_index = segments[3] if len(segments) == 4 else (None, None)
        for name, index in ((area, a_index), (part, p_index)):
            if index is not None:
                raise FieldPathError(text, f"'{name}[{index}]': only a section (its instance) or a table field "
                                           "(its row) takes a number in brackets")
        return cls(area, section, field, instance, row, part)

    @classmethod
    def match(cls, text: str) -> FieldPath | None:
        """The path `text` spells, or None when it is not shaped like one."""
        return _matched(text) if isinstance(text, str) else None

    def __str__(self) -> str:
        section = self.section if self.instance is None else f"{self.section}[{self.instance}]"
        field = self.field if self.row is None else f"{self.field}[{self.row}]"
        return ".".join(p for p in (self.area, section, field, self.part) if p is not None)

    @property
    def field_path(self) -> str:
        """The model's path of the field this points into (`area.section.field`)."""
        return f"{self.area}.{self.section}.{self.field}"

    @property
    def section_path(self) -> str:
        """The model's path of the section (`area.section`)."""
        return f"{self.area}.{self.section}"

    def in_instance(self, instance: int | None) -> FieldPath:
        """This path in one instance of its (repeated) section; None gives the model's path."""
        return FieldPath(self.area, self.section, self.field, instance, self.row, self.part)

    def cell(self, row: int, column: str) -> FieldPath:
        """The cell of this table field at `row`, `column`."""
        return FieldPath(self.area, self.section, self.field, self.instance, row, column)

    def column(self, column: str) -> FieldPath:
        """This table field's `column` in every row (as the model's checks name it)."""
        return FieldPath(self.area, self.section, self.field, self.instance, None, column)


@lru_cache(maxsize=16384)
def _matched(text: str) -> FieldPath | None:
    """Paths parsed once: readiness reads the same few thousand paths on every check (FieldPath is frozen)."""
    try:
        return FieldPath._parse(text)
    except FieldPathError:
        return None


def field_path(section_path: str, field_id: str) -> str:
    """The path of field `field_id` of the section at `section_path`."""
    area, _, section = section_path.partition(".")
    return str(FieldPath(area, section, field_id))


def cell_path(path: str, row: int, column: str) -> str:
    """The path of one cell of the table field at `path`: `path[row].column`."""
    return str(FieldPath.parse(path).cell(row, column))


def base_path(text: str) -> str:
    """The field a path points into (`a.s.f[2].c` → `a.s.f`); a text that is no path is returned as is."""
    path = FieldPath.match(text)
    return path.field_path if path else text


def value_path(text: str) -> str:
    """The path of the stored value a path points into: the field in its instance, without row or part
    (`a.s[1].t[2].c` → `a.s[1].t`); a text that is no path is returned as is."""
    path = FieldPath.match(text)
    return str(FieldPath(path.area, path.section, path.field, path.instance)) if path else text


def model_path(text: str) -> str:
    """The path the content model knows a concrete path by: the instance left out (`a.s[1].t[2].c` →
    `a.s.t[2].c`, a derived value's `derived.id[1]` → `derived.id`); a text that is no path is returned as is."""
    path = FieldPath.match(text)
    if path is None:
        derived = _DERIVED_IN_INSTANCE.fullmatch(text) if isinstance(text, str) else None
        return derived[1] if derived else text
    return str(path.in_instance(None)) if path.instance is not None else text


def instance_path(text: str, instance: int) -> str:
    """A path in one instance of its repeat: a field's `a.s[i].f`, and a derived value's `derived.id[i]`
    (as computed from instance i, where a document rendered once lists the instances)."""
    if _DERIVED.fullmatch(text):
        return f"{text}[{instance}]"
    return str(FieldPath.parse(text).in_instance(instance))


def section_instance(text: str) -> tuple[str, int] | None:
    """The section and instance number `area.section[i]` spells (one instance of a repeated section as a
    whole, as a values file may give it); None for any other text."""
    parts = text.split(".")
    if len(parts) != 2:
        return None
    try:
        (area, a_index), (section, instance) = (_segment(text, part) for part in parts)
    except FieldPathError:
        return None
    return (f"{area}.{section}", instance) if a_index is None and instance is not None else None


def section_of(text: str) -> str:
    """The section path a field path lies in (`a.s.f[2].c` → `a.s`); "" for a text that is no path."""
    path = FieldPath.match(text)
    return path.section_path if path else ""


def _segment(text: str, segment: str) -> tuple[str, int | None]:
    match = _SEGMENT.fullmatch(segment)
    if not match or not _NAME.fullmatch(match["name"]):
        shown = segment or "(empty)"
        raise FieldPathError(text, f"'{shown}' is not a name: names are lower-case letters, digits and _, starting "
                                   f"with a letter, e.g. {EXAMPLE}")
    index = match["index"]
    if index is None:
        return match["name"], None
    if not index.isascii() or not index.isdigit() or (index != "0" and index.startswith("0")):
        raise FieldPathError(text, f"'[{index}]' must be a whole number from 0, written without leading zeros "
                                   "(rows and instances count from 0)")
    if len(index) > _MAX_DIGITS:
        raise FieldPathError(text, f"'[{index}]' is too large for a row or an instance")
    return match["name"], int(index)
