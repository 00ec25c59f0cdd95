"""The content model (areas → sections → fields, elements, documents, checks) as typed objects.

The model file is the product's source of truth; dossier.model_reader reads it, and a malformed one
fails at load with the file, the place in it and the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ModelError, UnknownFieldError
from .fieldpath import FieldPath, section_of
from .roles import Roles

if TYPE_CHECKING:
    from .conditions import Condition, ConditionIndex
    from .upgrade import Upgrade

FIELD_TYPES = {
    "text", "longtext", "choice", "multichoice", "date", "number", "yesno",
    "person", "table", "hgvs", "hpo", "attachment",
}
COLUMN_TYPES = FIELD_TYPES - {"person", "table", "hpo"}
SEVERITIES = ("error", "warning", "info")
CHECK_KINDS = {
    "required": ("fields",),
    "any_filled": ("fields",),
    "equal": ("fields",),
    "contains": ("field", "in"),
    "rows": ("field",),
    "each_row": ("field", "has"),
    "compare": ("left", "op", "right"),
    "overlap": ("left", "right"),
    "covers": ("field", "by"),
    "flag": ("fields",),  # finds whenever its `when` holds: a combination the rules forbid, or a note on a choice
}
ELEMENT_STATES = {  # an element's state, weakest first, and how it reads
    "missing": "missing", "partial": "partial", "planned": "planned",
    "nonclinical": "supported by nonclinical evidence", "patients": "demonstrated in patients",
}


@dataclass(frozen=True)
class Column:
    id: str
    label: str
    type: str
    required: bool = False
    choices: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    help: str = ""
    partial: bool = False  # a date field that takes YYYY-MM and YYYY besides YYYY-MM-DD
    when: Condition | None = None


@dataclass(frozen=True)
class HelpVariant:
    """Help written for one case (a modality, a path): shown instead of the field's own help while
    `when` holds; the first variant that holds wins. An empty help or source keeps the field's own."""
    when: Condition
    help: str
    source: str


@dataclass(frozen=True)
class Field:
    path: str
    id: str
    label: str
    type: str
    help: str = ""
    source: str = ""
    required: bool = False
    phi: bool = False
    documents: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    integer: bool = False
    max_length: int | None = None
    multiple: bool = True
    min_rows: int = 0
    columns: tuple[Column, ...] = ()
    key: tuple[str, ...] = ()  # a table's columns that tell its rows apart (diff and merge); see row_key
    rows_for: tuple[str, str] | None = None  # (repeat, column): each row names the instance it is for, or none
    partial: bool = False
    when: Condition | None = None
    help_variants: tuple[HelpVariant, ...] = ()

    def column(self, column_id: str) -> Column:
        for column in self.columns:
            if column.id == column_id:
                return column
        raise UnknownFieldError(self.path, f"table has no column '{column_id}'")

    @property
    def row_key(self) -> tuple[str, ...]:
        """The columns whose values identify a row of this table when two copies are compared or merged:
        the model's `key:`, else the first required column (else the first column)."""
        if self.key:
            return self.key
        first = next((c for c in self.columns if c.required), self.columns[0] if self.columns else None)
        return (first.id,) if first is not None else ()


@dataclass(frozen=True)
class Section:
    path: str
    id: str
    title: str
    help: str
    fields: tuple[Field, ...]
    when: Condition | None = None
    repeat: str | None = None  # the id of the repeat whose instances this section has, if it repeats


@dataclass(frozen=True)
class Repeat:
    """A repeatable group (`repeats:` in the model): sections that say `repeat: <id>` hold their values
    once per instance (`area.section[i].field`); every section sharing a repeat shares its instances,
    each named by the text field at `name` (see dossier.repeats)."""
    id: str
    label: str                      # singular, in the user's words: "Drug substance"
    name: str                       # the model path of the text field that names each instance
    min: int = 0                    # fewer instances is a readiness error
    max: int | None = None          # no more instances can be added
    sections: tuple[str, ...] = ()  # the paths of the sections that repeat with it, in model order
    within: str | None = None       # the repeat an instance belongs to (a drug substance to its arm) …
    by: str | None = None           # … named by this text field of the instance (see dossier.repeats.owner)
    when: Condition | None = None   # while it does not hold: exactly one instance, unnamed (dossier.repeats.single)


@dataclass(frozen=True)
class Area:
    id: str
    title: str
    sections: tuple[Section, ...]
    when: Condition | None = None


@dataclass(frozen=True)
class Evidence:
    """What shows an element beyond a plan: every field filled and no finding of the checks."""
    fields: tuple[str, ...] = ()
    checks: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.fields or self.checks)


@dataclass(frozen=True)
class Element:
    id: str
    title: str
    fields: tuple[str, ...]                   # the plan: what the dossier must say about the element
    nonclinical: Evidence = Evidence()        # evidence outside patients (patient-derived cells, animals)
    patients: Evidence = Evidence()           # evidence from the treated patient(s)


@dataclass(frozen=True)
class Center:
    """An FDA review centre and where its mail goes; the first centre whose `when` holds reviews the
    dossier (the drug class decides). Declared in the content model, never written into a template."""
    id: str
    name: str
    abbreviation: str
    office: str
    address: tuple[str, ...]
    source: str
    when: Condition | None


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    template: str
    heading: str
    folder: str
    file: str
    when: Condition | None = None
    per: str | None = None  # a repeat's id: rendered once per instance (dossier.docunits)


@dataclass(frozen=True)
class Check:
    id: str
    kind: str
    severity: str
    message: str
    source: str
    element: str | None
    when: Condition | None
    spec: dict  # the kind's own keys, as written

    @property
    def field(self) -> str:
        """The field path a finding of this check points at."""
        for key in ("fields", "field", "left"):
            if key in self.spec:
                value = self.spec[key]
                return value[0] if isinstance(value, list) else value
        return ""


@dataclass(frozen=True)
class Lookup:
    """A derived value looked up from a choice: `values` maps the choices of `source` to the value they
    decide; any other choice (or none) reads the field `otherwise`, when there is one."""
    source: str
    values: dict[str, Any]
    otherwise: str | None = None


@dataclass(frozen=True)
class Derived:
    """A value computed from other fields (dossier.derived): a quantity, e.g. a dose in mg from a dose in
    mg/kg times the body weight (`formulas` are products of (field path, power), the first that gives
    `unit`'s dimension is used), or a value a choice decides (`lookup`), e.g. whether the drug class is
    human gene transfer. Checks, conditions and templates read it at `path` like a field."""
    field: Field  # path derived.<id>; a number with units (unit,), or a yes/no or choice looked up
    formulas: tuple[tuple[tuple[str, int], ...], ...] = ()
    lookup: Lookup | None = None

    @property
    def path(self) -> str:
        return self.field.path

    @property
    def reads(self) -> tuple[str, ...]:
        """Every field the value is computed from."""
        if self.lookup is not None:
            return (self.lookup.source,) + ((self.lookup.otherwise,) if self.lookup.otherwise else ())
        return tuple(dict.fromkeys(path for formula in self.formulas for path, _ in formula))


@dataclass(frozen=True)
class ContentModel:
    version: int
    areas: tuple[Area, ...]
    elements: tuple[Element, ...]
    documents: tuple[Document, ...]
    checks: tuple[Check, ...]
    fields: dict[str, Field] = dc_field(repr=False)
    roles: Roles = dc_field(default_factory=Roles, repr=False)  # what code needs of particular fields
    derived: dict[str, Derived] = dc_field(default_factory=dict, repr=False)  # by path, derived.<id>
    repeats: dict[str, Repeat] = dc_field(default_factory=dict, repr=False)  # by id
    upgrades: tuple[Upgrade, ...] = dc_field(default=(), repr=False)  # how older values move (dossier.upgrade)
    centers: tuple[Center, ...] = ()  # FDA review centres, chosen by conditions (dossier.conditions)
    # a guidance written for one modality, and what a dossier of another cites instead (Applicability.source)
    sources_for: dict[str, tuple[HelpVariant, ...]] = dc_field(default_factory=dict, repr=False)

    def field(self, path: str) -> Field:
        """The field at a model path (`a.s.f`) or at an instance's path (`a.s[1].f`, in a repeated section)."""
        found = self.fields.get(path)
        if found is not None:
            return found
        where = FieldPath.parse(path)  # a text that is no path at all is told what is wrong with its shape
        if where.instance is not None and where.row is None and where.part is None:
            found = self.fields.get(where.field_path)
            if found is not None and self.repeat_of(found.path) is None:
                raise UnknownFieldError(path, f"{where.section_path} is not repeated: write {found.path} without "
                                              f"[{where.instance}]")
            if found is not None:
                return found
        raise UnknownFieldError(path, unknown_field_message(self, path))

    def repeat_of(self, path: str) -> Repeat | None:
        """The repeat of the section a field or section path (model or instance path) lies in, if any."""
        section = self._section_repeats.get(section_of(path) or path)
        return self.repeats[section] if section else None

    @cached_property
    def _section_repeats(self) -> dict[str, str]:
        return {s.path: s.repeat for s in self.sections() if s.repeat}

    def quantity(self, path: str) -> Field:
        """A field, or a derived value as the number field it reads like."""
        if path in self.derived:
            return self.derived[path].field
        return self.field(path)

    @cached_property
    def conditions(self) -> ConditionIndex:
        """The model's conditions indexed once (dossier.conditions): what applies is asked of it."""
        from .conditions import ConditionIndex

        return ConditionIndex(self)

    def sections(self) -> list[Section]:
        return [section for area in self.areas for section in area.sections]

    def section(self, path: str) -> Section:
        for section in self.sections():
            if section.path == path:
                return section
        raise UnknownFieldError(path, "no such section in the content model")

    def document(self, doc_id: str) -> Document:
        """The document of an id, or of a rendered unit's name (`ds-structure@1`: see dossier.docunits)."""
        doc_id = doc_id.partition("@")[0]
        for document in self.documents:
            if document.id == doc_id:
                return document
        raise ModelError(f"no document '{doc_id}' in the content model")


def unknown_field_message(model: ContentModel, path: str) -> str:
    import difflib  # only when a path is mistyped

    where = FieldPath.match(path)
    prefix = where.section_path if where else ""
    near = [p for p in model.fields if prefix and section_of(p) == prefix][:8]
    hint = f"; fields in {prefix}: {', '.join(near)}" if near else "; `dossier fields FILE` lists them all"
    typed = where.field_path if where else path  # without the instance a plain path was read as
    close = difflib.get_close_matches(typed, list(model.fields), n=1, cutoff=0.8)
    guess = f" (did you mean {close[0]}?)" if close and close[0] != typed else ""
    return f"no such field in the content model{guess}{hint}"


def load_model(path: str | Path | None = None) -> ContentModel:
    """Load and validate a content model file: `load_model()` reads the bundled one."""
    from .model_reader import read_model  # the reader builds the types above, so it is imported late

    return read_model(path)


@lru_cache(maxsize=1)
def default_model() -> ContentModel:
    """The bundled content model, loaded once per process."""
    return load_model()
