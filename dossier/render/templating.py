"""Jinja2, sandboxed and autoescaping, turns a document's template and the dossier's values into the
small markup `tree.parse` reads. Templates see only the fields that feed their document (plus the
header fields every document carries), so a document's content key covers exactly its inputs.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup, escape

from ..errors import DossierError
from ..fieldtypes import display, is_filled
from ..model import ContentModel, Document
from ..paths import templates_dir

HEADER_FIELDS = ("module1.sponsor.sponsor", "module1.product.product_name", "module1.application.ind_number")
MACROS = "_macros.j2"


class TemplateFieldError(DossierError):
    """A template asked for a field that does not declare its document."""


@lru_cache(maxsize=1)
def environment() -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )
    return env


def allowed_fields(model: ContentModel, document: Document) -> set[str]:
    return {p for p, f in model.fields.items() if document.id in f.documents and not f.phi} | set(HEADER_FIELDS)


def template_sources(document: Document) -> list[str]:
    """The text of every template file a document uses (its own and the shared macros)."""
    folder = templates_dir()
    return [(folder / name).read_text(encoding="utf-8") for name in (document.template, MACROS)]


class Fields:
    """What a template can ask about fields: `v`, `has`, `text`, `items`, `rows`, `table`, `label`."""

    def __init__(self, model: ContentModel, document: Document, values: dict[str, Any]):
        self.model, self.document = model, document
        self.allowed = allowed_fields(model, document)
        self.values = {p: v for p, v in values.items() if p in self.allowed}

    def _field(self, path: str):
        if path not in self.allowed:
            raise TemplateFieldError(
                f"template {self.document.template} uses {path}, which does not list document "
                f"'{self.document.id}' in the content model (or holds protected health information)")
        return self.model.field(path)

    def placeholder(self, path: str) -> Markup:
        return Markup('<placeholder label="{}"/>').format(self._field(path).label)

    def has(self, path: str) -> bool:
        self._field(path)
        return is_filled(self.values.get(path))

    def raw(self, path: str) -> Any:
        self._field(path)
        return self.values.get(path)

    def label(self, path: str) -> str:
        return self._field(path).label

    def v(self, path: str) -> Markup:
        """One-line text of a field, or its placeholder."""
        field = self._field(path)
        value = self.values.get(path)
        if not is_filled(value):
            return self.placeholder(path)
        if field.type == "person":
            parts = [value.get(k) for k in ("name", "role", "organisation") if value.get(k)]
            return escape(", ".join(parts))
        return escape(display(field, value))

    def text(self, path: str) -> Markup:
        """A long text as paragraphs (one per line), or a placeholder paragraph."""
        value = self.values.get(path) if self._field(path) else None
        if not is_filled(value):
            return Markup("<p>{}</p>").format(self.placeholder(path))
        lines = [line for line in str(value).split("\n") if line.strip()]
        return Markup("").join(Markup("<p>{}</p>").format(line) for line in lines)

    def items(self, path: str) -> Markup:
        """A list field (multiple choice, HPO terms) as a bulleted list, or a placeholder."""
        field = self._field(path)
        value = self.values.get(path)
        if not is_filled(value):
            return Markup("<p>{}</p>").format(self.placeholder(path))
        entries = [f"{t['label']} ({t['id']})" for t in value] if field.type == "hpo" else list(value)
        return Markup("<ul>{}</ul>").format(Markup("").join(Markup("<li>{}</li>").format(e) for e in entries))

    def rows(self, path: str) -> list[dict[str, str]]:
        """Table rows with each cell as display text (empty string when empty)."""
        field = self._field(path)
        return [{c.id: display(c, row.get(c.id)) for c in field.columns} for row in self.values.get(path) or []]

    def table(self, path: str, columns: list[str] | None = None) -> Markup:
        """A table field as a table, or a placeholder paragraph."""
        field = self._field(path)
        rows = self.values.get(path) or []
        if not rows:
            return Markup("<p>{}</p>").format(self.placeholder(path))
        cols = [field.column(c) for c in columns] if columns else list(field.columns)
        head = Markup("").join(Markup("<th>{}</th>").format(c.label) for c in cols)
        body = Markup("").join(
            Markup("<tr>{}</tr>").format(Markup("").join(
                Markup("<td>{}</td>").format(display(c, row.get(c.id))) for c in cols)) for row in rows)
        return Markup("<table><tr>{}</tr>{}</table>").format(head, body)

    def person(self, path: str) -> Markup:
        """A person or organisation as lines: name, role, organisation, address, phone, email."""
        value = self.values.get(path) if self._field(path) else None
        if not is_filled(value):
            return Markup("<p>{}</p>").format(self.placeholder(path))
        lines = [value[k] for k in ("name", "role", "organisation") if value.get(k)]
        lines += (value.get("address") or "").split("\n")
        lines += [f"{k.title()}: {value[k]}" for k in ("phone", "email") if value.get(k)]
        return Markup("<p>{}</p>").format(Markup("<br/>").join(line for line in lines if line.strip()))


def render_markup(model: ContentModel, document: Document, values: dict[str, Any], title: str) -> str:
    """Run a document's template; a template error names the template and the line."""
    fields = Fields(model, document, values)
    try:
        template = environment().get_template(document.template)
        return template.render(f=fields, doc=document, dossier_title=title)
    except TemplateFieldError:
        raise
    except jinja2.TemplateSyntaxError as exc:
        raise DossierError(f"template {exc.filename or exc.name} line {exc.lineno}: {exc.message}") from None
    except jinja2.TemplateNotFound as exc:
        raise DossierError(f"template {exc.name} not found in {templates_dir()}") from None
    except (jinja2.UndefinedError, jinja2.exceptions.SecurityError, TypeError, KeyError, AttributeError) as exc:
        line = _template_line(exc, document.template)
        raise DossierError(f"template {document.template}{line}: {exc}") from None


def _template_line(exc: BaseException, name: str) -> str:
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(name):
            line = tb.tb_lineno
        tb = tb.tb_next
    return f" line {line}" if line else ""
