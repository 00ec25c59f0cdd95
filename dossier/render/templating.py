"""Jinja2, sandboxed and autoescaping, turns a document's template and the dossier's values into the
small markup `tree.parse` reads. Templates see only the fields that feed their document (plus the
fields playing the header's roles, which every document carries), so a document's content key covers
exactly its inputs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from ..conditions import Applicability
from ..derived import derived_values
from ..errors import DossierError
from ..fieldpath import FieldPath, model_path
from ..fieldtypes import display, is_filled
from ..model import ContentModel, Document
from ..model_repeats import instance_rows, repeat_of_path, sees
from ..paths import templates_dir
from ..repeats import instance_key, instance_view, instances
from .templateenv import environment


def allowed_fields(model: ContentModel, document: Document) -> set[str]:
    """The fields a document's template is given: those listing the document, plus the fields of the
    header's roles every document carries, plus the derived values listing it; never a field holding
    protected health information (no derived value is computed from one)."""
    declared = {p for p, f in model.fields.items() if document.id in f.documents}
    derived = {p for p, d in model.derived.items() if document.id in d.field.documents}
    header = set(model.roles.header.values()) | center_inputs(model)
    return {p for p in declared | header if p in model.fields and not model.fields[p].phi} | derived


def center_inputs(model: ContentModel) -> set[str]:
    """The fields that decide the review centre (`f.center`): every document may name the centre."""
    return set().union(*(model.conditions.inputs[f"center:{c.id}"] for c in model.centers))


def given_values(model: ContentModel, document: Document, values: dict[str, Any]) -> dict[str, Any]:
    """The values a document's template is given, derived values computed (None where empty); a field
    that does not apply (dossier.conditions) is given as empty, and a derived value reads only fields
    that apply. A field of a repeat the document is not rendered per instance of is given once per
    instance, at its instance path (`area.section[i].field`), with the instance's name: the template
    reads it through `f.each`."""
    allowed = sorted(allowed_fields(model, document))
    listed = listed_repeats(model, document)
    values_now = Applicability(model, values).values_that_apply()
    derived = derived_values(model, values_now, allowed)
    per_instance = {p for paths in listed.values() for p in paths}
    given = {p: derived.get(p) if p in model.derived else values_now.get(p) for p in allowed if p not in per_instance}
    if document.per is not None:  # an instance's document: of a table whose rows name instances, its own and shared
        name = values_now.get(model.repeats[document.per].name)
        given = {p: instance_rows(model, p, v, document.per, name) for p, v in given.items()}
    for repeat_id, paths in listed.items():
        for i, name in enumerate(instances(model, values, repeat_id)):
            seen = Applicability(model, instance_view(model, values, repeat_id, i)).values_that_apply()
            seen = {**seen, **derived_values(model, seen, paths)}  # a dose for this instance's patient
            given[instance_key(model.repeats[repeat_id].name, i)] = name
            given.update({instance_key(p, i): seen.get(p) for p in paths})
    return given


def listed_repeats(model: ContentModel, document: Document) -> dict[str, list[str]]:
    """The repeats whose fields a document is given once per instance (it is not rendered per instance
    of them), each with those fields."""
    listed: dict[str, list[str]] = {}
    for path in sorted(allowed_fields(model, document)):
        repeat = repeat_of_path(model, path)  # a derived value: the repeat its formula reads
        if repeat is not None and not sees(model, document.per, repeat):
            listed.setdefault(repeat, []).append(path)
    return listed


def _shown(spec, value: Any) -> str:
    """A value's one-line text; a value of an unexpected shape (an old file, a model change) is
    shown as it is rather than failing the whole document."""
    try:
        return display(spec, value)
    except (TypeError, KeyError, ValueError, AttributeError):
        return str(value)


def _rows(value: Any) -> list[dict]:
    return [row for row in value if isinstance(row, dict)] if isinstance(value, list) else []


def not_applying(model: ContentModel, document: Document, values: dict[str, Any]) -> list[str]:
    """The document's fields and table columns that do not apply under `values` (dossier.conditions):
    they are left out of the document, so they are part of its content key. A field read per instance
    (`f.each`) is listed at its instance path for each instance it does not apply to."""
    listed = listed_repeats(model, document)
    once = [p for p in sorted(allowed_fields(model, document)) if not any(p in ps for ps in listed.values())]
    hidden = _hidden(model, values, once)
    for repeat_id, paths in listed.items():
        for i in range(len(instances(model, values, repeat_id))):
            hidden += [instance_key(p, i) for p in _hidden(model, instance_view(model, values, repeat_id, i), paths)]
    return hidden


def _hidden(model: ContentModel, values: dict[str, Any], paths: list[str]) -> list[str]:
    ap = Applicability(model, values)
    tables = [model.fields[p] for p in paths if p in model.fields and ap.field(p)]  # derived values have none
    return [p for p in paths if not ap.field(p)] + [
        f"{t.path}.{c.id}" for t in tables for c in t.columns if not ap.field(f"{t.path}.{c.id}")]


class Instance:
    """One instance as a template reads it in a document rendered once (`f.each`): its `name`, its
    number (`index`, from 0) and `p(path)`, the instance path of one of its fields for any of `f`'s
    questions: `f.v(arm.p("area.section.field"))`, `m.facts([arm.p(...), ...])`."""

    def __init__(self, index: int, name: str):
        self.index, self.name = index, name

    def p(self, path: str) -> str:
        return instance_key(path, self.index)

    def ps(self, paths: list[str]) -> list[str]:
        return [self.p(path) for path in paths]


class Fields:
    """What a template can ask about fields: `v`, `inline`, `has`, `applies`, `shows`, `text`, `items`,
    `rows`, `table`, `person`, `label`, `figure`, `center`. A field the template was not given (it does not list
    the document, or it holds protected health information) reads as empty and shows its placeholder; a
    field that does not apply (its `when:` is false) shows nothing at all; a path the model does not
    know is a template error.

    In a final document (`final`) an empty field's paragraph, table or labelled line is left out rather
    than shown as a placeholder: a required field is flagged by readiness before a final render, and an
    optional one simply has no line. A placeholder a template still asks for inside a sentence is
    recorded in `placeholders`, and render_markup refuses the final document."""

    def __init__(self, model: ContentModel, document: Document, values: dict[str, Any], final: bool = False):
        self.model, self.document, self.final = model, document, final
        self.placeholders: list[str] = []  # fields shown as a placeholder (a final document refuses them)
        self.allowed = allowed_fields(model, document)
        self.hidden = set(not_applying(model, document, values))
        self.values = given_values(model, document, values)
        self.not_given: set[str] = set()  # paths asked for but not given (a template slip)
        self.figure_data: dict[str, dict] = {}  # figure kind → what tree.Figure holds

    def applies(self, path: str) -> bool:
        """Whether a field applies; the shared macros leave out the heading of one that does not."""
        self._field(path)
        return path not in self.hidden

    def _columns(self, path: str, field, columns: list[str] | None = None) -> list:
        chosen = [field.column(c) for c in columns] if columns else list(field.columns)
        return [c for c in chosen if f"{path}.{c.id}" not in self.hidden]

    def each(self, repeat_id: str) -> list[Instance]:
        """The instances of a repeat whose fields this document lists once per instance, in order."""
        if repeat_id not in self.model.repeats:
            raise DossierError(f"f.each('{repeat_id}'): the content model declares no such repeat "
                               f"(repeats: {', '.join(self.model.repeats)})")
        name, found = self.model.repeats[repeat_id].name, list[Instance]()
        while instance_key(name, len(found)) in self.values:
            found.append(Instance(len(found), self.values[instance_key(name, len(found))]))
        return found

    def across(self, repeat_id: str, path: str) -> list[str]:
        """The instance paths of one field in every instance (`m.facts(f.across("arms", path))`)."""
        return [instance.p(path) for instance in self.each(repeat_id)]

    def _field(self, path: str):
        plain = model_path(path)
        field = self.model.quantity(plain)  # an unknown path raises: a typo in the template
        repeat_id = repeat_of_path(self.model, plain)
        repeat = self.model.repeats[repeat_id] if repeat_id is not None else None
        if repeat is not None and (plain == path) != sees(self.model, self.document.per, repeat.id):
            raise DossierError(f"{path}: {self.document.id} reads this field once per {repeat.label.lower()}: "
                               f"write {{% for x in f.each('{repeat.id}') %}} … f.v(x.p('{plain}'))"
                               if plain == path else f"{path}: {self.document.id} is rendered per instance; "
                               f"read {plain}")
        if plain not in self.allowed:
            self.not_given.add(plain)
        return field

    def _value(self, path: str) -> Any:
        self._field(path)
        return self.values.get(path)

    def placeholder(self, path: str) -> Markup:
        field = self._field(path)
        if path in self.hidden:
            return Markup("")
        self.placeholders.append(path)
        reason = ' reason="phi"' if field.phi else ""
        return Markup('<placeholder field="{}" label="{}"{}/>').format(path, field.label, Markup(reason))

    def has(self, path: str) -> bool:
        return is_filled(self._value(path))

    def shows(self, path: str) -> bool:
        """Whether a field has a line in this document: it applies, and it is filled or (in a draft)
        shown as its placeholder. The shared macros leave out the lines of fields that do not show."""
        return self.applies(path) and (not self.final or self.has(path))

    def raw(self, path: str) -> Any:
        return self._value(path)

    def label(self, path: str) -> str:
        """A field's label; an instance's field, where the document lists several, with the instance's name."""
        plain = model_path(path)
        label = self.model.quantity(plain).label if plain == path else self._field(path).label
        if plain == path or (repeat := self.model.repeat_of(plain)) is None or len(self.each(repeat.id)) < 2:
            return label
        return f"{label} ({self.each(repeat.id)[FieldPath.parse(path).instance or 0].name})"

    def _empty(self, path: str) -> Markup:
        """What an empty field shows as a paragraph: its placeholder in a draft, nothing in a final
        document or if it does not apply."""
        if path in self.hidden or self.final:
            self._field(path)
            return Markup("")
        return Markup("<p>{}</p>").format(self.placeholder(path))

    def v(self, path: str) -> Markup:
        """One-line text of a field, or its placeholder."""
        field, value = self._field(path), self._value(path)
        if not is_filled(value):
            return self.placeholder(path)
        if field.type == "person" and isinstance(value, dict):
            return escape(", ".join(str(value[k]) for k in ("name", "role", "organisation") if value.get(k)))
        return escape(_shown(field, value))

    def inline(self, path: str, article: bool = False) -> Markup:
        """A choice as it reads inside a sentence: "Intrathecal bolus" → "intrathecal bolus" (an
        acronym such as "siRNA" is kept), with "a" or "an" before it when `article` is set."""
        field, value = self._field(path), self._value(path)
        if not is_filled(value) or field.type not in ("choice", "multichoice"):
            return self.v(path)
        text = _shown(field, value)
        if text[:1].isupper() and text[1:2].islower():
            text = text[0].lower() + text[1:]
        if article:
            text = ("an " if text[:1].lower() in "aeiou" else "a ") + text
        return escape(text)

    def text(self, path: str) -> Markup:
        """A long text as paragraphs (one per line), or a placeholder paragraph."""
        value = self._value(path)
        if not is_filled(value):
            return self._empty(path)
        lines = [line for line in str(value).split("\n") if line.strip()]
        return Markup("").join(Markup("<p>{}</p>").format(line) for line in lines)

    def items(self, path: str) -> Markup:
        """A list field (multiple choice, HPO terms) as a bulleted list, or a placeholder."""
        value = self._value(path)
        if not is_filled(value):
            return self._empty(path)
        values = value if isinstance(value, list) else [value]
        entries = [f"{t.get('label', '')} ({t.get('id', '')})" if isinstance(t, dict) else str(t) for t in values]
        return Markup("<ul>{}</ul>").format(Markup("").join(Markup("<li>{}</li>").format(e) for e in entries))

    def rows(self, path: str) -> list[dict[str, str]]:
        """Table rows with each cell as display text (empty string when empty)."""
        field = self._field(path)
        columns = self._columns(path, field)
        return [{c.id: _shown(c, row.get(c.id)) for c in columns} for row in _rows(self._value(path))]

    def table(self, path: str, columns: list[str] | None = None) -> Markup:
        """A table field as a table, or a placeholder paragraph."""
        field, rows = self._field(path), self._value(path) or []
        if not rows:
            return self._empty(path)
        cols = self._columns(path, field, columns)
        head = Markup("").join(Markup("<th>{}</th>").format(c.label) for c in cols)
        body = Markup("").join(
            Markup("<tr>{}</tr>").format(Markup("").join(
                Markup("<td>{}</td>").format(_shown(c, row.get(c.id))) for c in cols)) for row in _rows(rows))
        return Markup("<table><tr>{}</tr>{}</table>").format(head, body)

    def person(self, path: str) -> Markup:
        """A person or organisation as lines: name, role, organisation, address, phone, email."""
        value = self._value(path)
        if not is_filled(value):
            return self._empty(path)
        if not isinstance(value, dict):
            return Markup("<p>{}</p>").format(str(value))
        lines = [str(value[k]) for k in ("name", "role", "organisation") if value.get(k)]
        lines += str(value.get("address") or "").split("\n")
        lines += [f"{k.title()}: {value[k]}" for k in ("phone", "email") if value.get(k)]
        return Markup("<p>{}</p>").format(Markup("<br/>").join(line for line in lines if line.strip()))


    def center(self, part: str = "name") -> Markup:
        """The FDA review centre the drug class decides (`centers:` in the content model): its `name`,
        `abbreviation`, `office` or `address` (lines). Until the drug class decides one, the
        placeholder of the first field that decides it."""
        center = Applicability(self.model, self.values).center()
        if center is None:
            deciding = sorted(center_inputs(self.model))
            return self.placeholder(deciding[0]) if deciding else Markup("")
        if part == "address":
            return Markup("<br/>").join(escape(line) for line in center.address)
        if part not in ("name", "abbreviation", "office"):
            raise DossierError(f"f.center('{part}'): a centre has a name, abbreviation, office and address")
        return escape(getattr(center, part))

    def figure(self, kind: str, caption: str) -> Markup:
        """A figure drawn from the table its role names (`roles: figures:` in the content model); the
        rows reach `figures.py` by part (x, y, series …), so the drawing code knows no column or choice."""
        role = self.model.roles.figures.get(kind)
        if role is None:
            raise DossierError(f"the content model declares no '{kind}' figure (roles: figures:); declared: "
                               f"{', '.join(self.model.roles.figures) or 'none'}")
        rows = _rows(self._value(role.table))
        if not rows:
            return self._empty(role.table)
        table = self._field(role.table)
        self.figure_data[kind] = {
            "rows": [{part: row.get(column) for part, column in role.columns.items()} for row in rows],
            "series": role.series, "highlight": role.highlight,
            "labels": {part: table.column(column).label for part, column in role.columns.items()}}
        return Markup('<figure kind="{}" caption="{}"/>').format(kind, caption)


def render_markup(model: ContentModel, document: Document, values: dict[str, Any],
                  final: bool = False) -> tuple[str, Fields]:
    """Run a document's template; any error in it names the template and the line. A final document
    that would still show a placeholder is refused, naming the fields (readiness reports them first)."""
    fields = Fields(model, document, values, final)
    try:
        template = environment().get_template(document.template)
        markup = template.render(f=fields, doc=document)
    except jinja2.TemplateSyntaxError as exc:
        name = Path(exc.filename).name if exc.filename else exc.name
        raise DossierError(f"template {name} line {exc.lineno}: {exc.message}") from None
    except jinja2.TemplateNotFound as exc:
        raise DossierError(f"template {exc.name} not found in {templates_dir()}") from None
    except Exception as exc:  # a mistake in template code: say where it is
        where = _template_place(exc) or document.template
        raise DossierError(f"template {where}: {exc}") from None
    if final and fields.placeholders:
        missing = ", ".join(f"{model.quantity(model_path(p)).label} ({p})" for p in dict.fromkeys(fields.placeholders))
        raise DossierError(f"the final {document.title} would show 'not yet provided' for {missing}; fill it in, "
                           "or render a draft")
    return markup, fields


def _template_place(exc: BaseException) -> str:
    """'name.j2 line N' of the innermost template frame of a traceback (Jinja maps template code
    frames to template lines)."""
    place, tb = "", exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            place = f"{Path(filename).name} line {tb.tb_lineno}"
        tb = tb.tb_next
    return place
