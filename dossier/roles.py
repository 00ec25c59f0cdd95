"""Roles: what the program needs to know about particular fields, declared in the content model's
`roles:` section instead of spelled in code — the page header, the Module 1 facts of us-regional.xml
and the FDA code each of their choices stands for, the fields that give eCTD keyed headings their
values, where attachments go in the eCTD tree, and which columns and choices each figure draws.
Code asks for a role; the model says which field plays it.

Reading checks every role against the model: a role that points at a missing field, column or choice
refuses the model with the file, the place and the reason (docs/content-model-format.md, "Roles").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from .evidence_roles import EvidenceRoles, read_evidence
from .fieldpath import FieldPath

# The roles code asks for, with the field types that can play them (None: any type).
MODULE1_ROLES: dict[str, set[str] | None] = {
    "sponsor": {"person", "text"}, "investigator": {"person", "text"}, "duns": {"text"},
    "contacts": {"table", "person"}, "ind_number": {"text", "number"}, "submission_sub_type": {"choice", "text"},
    "reason": {"text", "longtext"},
}
HEADER_ROLES: dict[str, set[str] | None] = {"sponsor": {"person", "text"}, "product": {"text"},
                                           "ind_number": {"text", "number"}}
_FDA_CODE = re.compile(r"fda[a-z]+\d+")  # the form of every code of FDA's Module 1 DTD (fdaact1, fdasst4 …)
KEYED_ATTRIBUTES = ("substance", "manufacturer", "product-name", "dosageform", "indication")
# Figure kinds and their column roles: (role, column types it accepts, whether it must be given).
FIGURE_COLUMNS: dict[str, tuple[tuple[str, set[str], bool], ...]] = {
    "natural-history": (("x", {"number"}, True), ("y", {"number"}, True), ("chart", {"text", "choice"}, False),
                        ("series", {"choice"}, True)),
    "timeline": (("date", {"date"}, True), ("label", {"text", "longtext"}, True)),
}


@dataclass(frozen=True)
class AttachmentHome:
    """Where the attachments of one field (or table column) go."""

    heading: str                 # section number (m3-2-p-5-4) or element name
    folder: str                  # keyed segments (<substance>-<manufacturer> …) are inserted by the planner
    title: str                   # leaf title; {column} fills in from the table row, {file} = attachment name
    study: str | None = None     # table column naming the study: each row is a study with a tagging file
    # (column, ((text found in the cell, heading, folder), …)): the first match places the row instead.
    heading_by: tuple[str, tuple[tuple[str, str, str], ...]] | None = None
    categories: tuple[tuple[str, str], ...] = ()  # (STF category name, column) for the study tagging file


@dataclass(frozen=True)
class FigureRole:
    """The table a figure is drawn from and the column playing each of the kind's parts."""

    kind: str
    table: str
    columns: dict[str, str]              # part (x, y, series, date …) → column id
    series: tuple[str, ...] = ()         # the series column's choices, in the model's order
    highlight: str | None = None         # the series drawn in front, in the strong colour (the patient)


@dataclass(frozen=True)
class Roles:
    module1: dict[str, tuple[str, ...]] = dc_field(default_factory=dict)
    header: dict[str, str] = dc_field(default_factory=dict)
    keyed: dict[str, dict[str, tuple[str, ...]]] = dc_field(default_factory=dict)  # heading prefix or "*"
    attachments: dict[str, AttachmentHome] = dc_field(default_factory=dict)
    figures: dict[str, FigureRole] = dc_field(default_factory=dict)
    codes: dict[str, dict[str, str]] = dc_field(default_factory=dict)  # choice field or column → choice → code
    evidence: EvidenceRoles = dc_field(default_factory=EvidenceRoles)  # import-natural-history, export-phenopackets

    def fields(self, role: str) -> tuple[str, ...]:
        """The fields playing a Module 1 role, first choice first (none when the model declares none)."""
        return self.module1.get(role, ())

    def keyed_fields(self, number: str, attribute: str) -> tuple[str, ...]:
        """The fields giving keyed attribute `attribute` of heading `number` (first filled wins)."""
        for prefix, table in self.keyed.items():
            if prefix != "*" and number.startswith(prefix) and attribute in table:
                return table[attribute]
        return self.keyed.get("*", {}).get(attribute, ())

    def code(self, path: str, choice: Any) -> str | None:
        """The FDA code the model gives `choice` of the field or table column at `path`, if any."""
        return self.codes.get(path, {}).get(choice) if isinstance(choice, str) else None


def read_roles(r, raw: Any, model) -> Roles:
    """The model's `roles:` section (absent: no roles), each checked against `model`'s fields."""
    if raw is None:
        return Roles()
    raw = r.mapping(raw, "roles")
    _known_keys(r, raw, {"module1", "header", "keyed_headings", "attachments", "figures", "codes", "evidence"},
                "roles")
    module1 = _paths_by_role(r, model, raw.get("module1"), MODULE1_ROLES, "roles.module1")
    header = _paths_by_role(r, model, raw.get("header"), HEADER_ROLES, "roles.header", single=True)
    figures = _figures(r, model, raw.get("figures"))
    evidence = read_evidence(r, raw.get("evidence"), model, _field_or_column, _choice, _known_keys)
    _check_import_target(r, evidence, figures)
    return Roles(module1=module1, header={k: v[0] for k, v in header.items()},
                 keyed=_keyed(r, model, raw.get("keyed_headings")),
                 attachments=_attachments(r, model, raw.get("attachments")),
                 figures=figures, codes=_codes(r, model, raw.get("codes")), evidence=evidence)


def _check_import_target(r, evidence: EvidenceRoles, figures: dict[str, FigureRole]) -> None:
    """The natural-history import writes the natural-history figure's table: its subject column must be one of
    that table's, and its group one of the figure's series other than the highlighted (the patient)."""
    roles = evidence.natural_history
    if not roles:
        return
    place = "roles.evidence.natural_history"
    figure = figures.get("natural-history")
    if figure is None:
        raise r.fail(place, "needs the natural-history figure (roles.figures.natural-history) whose table it fills")
    if FieldPath.parse(roles["subject"]).field_path != figure.table:
        raise r.fail(f"{place}.subject", f"must be a column of the figure's table {figure.table}")
    if roles["group"] not in figure.series or roles["group"] == figure.highlight:
        others = [s for s in figure.series if s != figure.highlight]
        raise r.fail(f"{place}.group", f"'{roles['group']}' is not one of the figure's other series "
                                       f"({', '.join(others)})")


def _known_keys(r, data: dict, known, place: str) -> None:
    unknown = [str(k) for k in data if k not in known]
    if unknown:
        raise r.fail(place, f"unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")


def _field(r, model, path: Any, place: str, types: set[str] | None = None):
    """The model's field at `path`, or the model is refused."""
    if not isinstance(path, str) or path not in model.fields:
        raise r.fail(place, f"refers to unknown field '{path}'")
    found = model.fields[path]
    if types and found.type not in types:
        raise r.fail(place, f"'{path}' is a {found.type} field; this role needs {' or '.join(sorted(types))}")
    return found


def _field_or_column(r, model, key: Any, place: str, types: set[str]):
    """(None, the field) for `area.section.field`, (the table, the column) for `area.section.table.column`."""
    where = FieldPath.match(key) if isinstance(key, str) else None
    if where is not None and str(where) == where.field_path:
        return None, _field(r, model, key, place, types)
    if where is not None and where.part and where.row is None and where.instance is None:
        table = _field(r, model, where.field_path, place, {"table"})
        return table, _column(r, table, where.part, place, types)
    raise r.fail(place, f"'{key}' names neither a field nor a table's column (area.section.field or "
                        "area.section.table.column)")


def _column(r, table, column_id: Any, place: str, types: set[str] | None = None):
    column = next((c for c in table.columns if c.id == column_id), None)
    if column is None:
        raise r.fail(place, f"'{column_id}' is not a column of table {table.path}")
    if types and column.type not in types:
        raise r.fail(place, f"column '{column_id}' of {table.path} is a {column.type} column; this role needs "
                            f"{' or '.join(sorted(types))}")
    return column


def _choice(r, spec, value: Any, place: str) -> str:
    if value not in spec.choices:
        raise r.fail(place, f"'{value}' is not a choice of {getattr(spec, 'path', spec.id)} "
                            f"(choices: {', '.join(spec.choices)})")
    return value


def _paths_by_role(r, model, raw: Any, roles: dict, place: str, single: bool = False) -> dict[str, tuple[str, ...]]:
    """{role: path} or {role: [paths, first filled wins]}, each role one code knows."""
    if raw is None:
        return {}
    raw = r.mapping(raw, place)
    _known_keys(r, raw, roles, place)
    found = {}
    for role, value in raw.items():
        paths = [value] if isinstance(value, str) else value
        if not isinstance(paths, list) or not paths or (single and len(paths) > 1):
            raise r.fail(f"{place}.{role}", "expected one field path" if single else
                         "expected a field path or a list of them (the first filled wins)")
        for path in paths:
            _field(r, model, path, f"{place}.{role}", roles[role])
        found[role] = tuple(paths)
    return found


def _keyed(r, model, raw: Any) -> dict[str, dict[str, tuple[str, ...]]]:
    if raw is None:
        return {}
    keyed = {}
    for prefix, attributes in r.mapping(raw, "roles.keyed_headings").items():
        place = f"roles.keyed_headings.{prefix}"
        keyed[str(prefix)] = _paths_by_role(r, model, attributes, dict.fromkeys(KEYED_ATTRIBUTES), place)
    return keyed


def _attachments(r, model, raw: Any) -> dict[str, AttachmentHome]:
    homes = {}
    for key, data in (r.mapping(raw, "roles.attachments") if raw is not None else {}).items():
        place = f"roles.attachments.{key}"
        table, _ = _field_or_column(r, model, key, place, {"attachment"})
        data = r.mapping(data, place)
        _known_keys(r, data, {"heading", "folder", "title", "study", "heading_by", "categories"}, place)
        homes[key] = _home(r, data, table, place)
    return homes


def _home(r, data: dict, table, place: str) -> AttachmentHome:
    row_keys = [k for k in ("study", "heading_by", "categories") if k in data]
    if row_keys and table is None:
        raise r.fail(place, f"{', '.join(row_keys)} need a table's attachment column (they read the row)")
    study = data.get("study")
    if study is not None:
        _column(r, table, study, f"{place}.study")
    heading_by = None
    if "heading_by" in data:
        by = r.mapping(data["heading_by"], f"{place}.heading_by")
        column = _column(r, table, r.text(by, "column", f"{place}.heading_by"), f"{place}.heading_by")
        rules = []
        for i, rule in enumerate(r.items(by.get("rules"), f"{place}.heading_by.rules")):
            rplace = f"{place}.heading_by.rules[{i}]"
            rule = r.mapping(rule, rplace)
            text = r.text(rule, "when", rplace)
            if column.type in ("choice", "multichoice"):
                _choice(r, column, text, rplace)
            rules.append((text, r.text(rule, "heading", rplace), r.text(rule, "folder", rplace).strip("/")))
        heading_by = (column.id, tuple(rules))
    categories = []
    for name, column_id in r.mapping(data.get("categories") or {}, f"{place}.categories").items():
        categories.append((str(name), _column(r, table, column_id, f"{place}.categories.{name}").id))
    return AttachmentHome(r.text(data, "heading", place), r.text(data, "folder", place).strip("/"),
                          r.text(data, "title", place), study, heading_by, tuple(categories))


def _figures(r, model, raw: Any) -> dict[str, FigureRole]:
    figures = {}
    for kind, data in (r.mapping(raw, "roles.figures") if raw is not None else {}).items():
        place = f"roles.figures.{kind}"
        if kind not in FIGURE_COLUMNS:
            raise r.fail(place, f"unknown figure kind; known: {', '.join(FIGURE_COLUMNS)}")
        data = r.mapping(data, place)
        parts = FIGURE_COLUMNS[kind]
        _known_keys(r, data, {"table", "highlight"} | {p for p, _, _ in parts}, place)
        table = _field(r, model, data.get("table"), f"{place}.table", {"table"})
        columns = {}
        for part, types, needed in parts:
            if part in data or needed:
                columns[part] = _column(r, table, data.get(part), f"{place}.{part}", types).id
        series = table.column(columns["series"]).choices if "series" in columns else ()
        highlight = data.get("highlight")
        if highlight is not None:
            if "series" not in columns:
                raise r.fail(f"{place}.highlight", "a figure without series has nothing to highlight")
            _choice(r, table.column(columns["series"]), highlight, f"{place}.highlight")
        figures[kind] = FigureRole(kind, table.path, columns, series, highlight)
    return figures


def _codes(r, model, raw: Any) -> dict[str, dict[str, str]]:
    """{choice field or table.column: {choice: FDA code}}, every choice one the model offers."""
    codes = {}
    for key, data in (r.mapping(raw, "roles.codes") if raw is not None else {}).items():
        place = f"roles.codes.{key}"
        _, spec = _field_or_column(r, model, key, place, {"choice", "multichoice"})
        data = r.mapping(data, place)
        for choice, code in data.items():
            _choice(r, spec, choice, f"{place}.{choice}")
            if not isinstance(code, str) or not _FDA_CODE.fullmatch(code):
                raise r.fail(f"{place}.{choice}", f"'{code}' is not an FDA code (like fdaact1 or fdasst4)")
        codes[key] = dict(data)
    return codes
