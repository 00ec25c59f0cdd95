"""Everything a program needs to fill a field, as plain data (`dossier fields --json`): read from the
content model's Field and Column, with the shape of value each type accepts, so that a script can
write a values file for `dossier set --from` from this alone."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .fieldpath import section_of
from .fieldtypes import PERSON_KEYS
from .limits import LIMITS
from .model import Column, Field, Repeat
from .repeats import Instance, instance_key, single

if TYPE_CHECKING:
    from .service import Dossier

# What each field type accepts, in the words a values file is written in (the type's `coerce` decides).
ACCEPTS = {
    "text": "one line of text",
    "longtext": "text; may span lines",
    "choice": "one of `choices` (case does not matter)",
    "multichoice": "a list of `choices`, or one text with the choices separated by commas",
    "date": "a date YYYY-MM-DD, e.g. 2026-03-31",
    "number": "a number followed by one of `units` when units are listed, e.g. '2.5 mg' (or a mapping "
              "{value: 2.5, unit: mg}); within `minimum`/`maximum`, whole when `integer`",
    "yesno": "yes or no (true/false)",
    "person": f"a mapping with a name or an organisation and any of {', '.join(PERSON_KEYS)} "
              "(a bare text is taken as the name)",
    "table": "a list of rows, each a mapping of column id to a value its column accepts; or one cell, "
             "PATH[ROW].COLUMN, of a row the table has or the next new one",
    "hgvs": "an HGVS variant on a named reference sequence, e.g. NM_000391.4:c.1266+5G>A",
    "hpo": "a list of HPO term ids, e.g. [HP:0001250, HP:0000726]",
    "attachment": "names of files already stored in the dossier (`dossier attach FILE FIELD PDF` stores one); "
                  "a values file cannot carry a file",
}


_EXAMPLES = {
    "longtext": "Example text.\nA second line.",
    "date": "2026-03-31",
    "yesno": "yes",
    "person": {"name": "A. Example", "role": "Sponsor-investigator", "email": "a.example@example.org"},
    "hgvs": "NM_001042432.2:c.1056+34C>A",
    "hpo": ["HP:0001250"],
}


def example(spec: Field | Column) -> Any:
    """A value this field or column accepts, as a values file would give it (None for attachments,
    which must be stored with `dossier attach` first)."""
    kind = spec.type
    if kind == "text":
        return "Example"[: getattr(spec, "max_length", None) or None]
    if kind in ("choice", "multichoice"):
        return spec.choices[0] if kind == "choice" else [spec.choices[0]]
    if kind == "number":
        return _number_example(spec)
    if kind == "table":
        assert isinstance(spec, Field), "only a field is a table; a column is not"
        row = {c.id: example(c) for c in spec.columns if c.type != "attachment"}
        return [row] * max(1, spec.min_rows)
    return _EXAMPLES.get(kind)


def _number_example(spec: Field | Column) -> str:
    minimum, maximum = getattr(spec, "minimum", None), getattr(spec, "maximum", None)
    number = minimum if minimum is not None else (min(1, maximum) if maximum is not None else 1)
    text = f"{int(number)}" if getattr(spec, "integer", False) or number == int(number) else f"{number}"
    return f"{text} {spec.units[0]}" if spec.units else text


def describe_column(column: Column) -> dict[str, Any]:
    return {"id": column.id, "label": column.label, "type": column.type, "help": column.help,
            "required": column.required, "choices": list(column.choices), "units": list(column.units),
            "accepts": ACCEPTS[column.type], "example": example(column)}


def describe_field(field: Field, filled: bool, applies: bool = True, path: str | None = None,
                   instance: Instance | None = None, count: int = 0,
                   help_shown: tuple[str, str] | None = None) -> dict[str, Any]:
    """One field as plain data: what it is, where it goes, and the values it accepts.

    `applies` says whether the field applies under the dossier's current values (its `when:`
    condition, see dossier.conditions); one that does not is neither required nor rendered. A field of
    a repeated section is described once per instance: `path` is the instance's (`a.s[i].f`), and
    `repeat` says which instance of which repeat (`count` instances exist) and how to add the next.
    `help_shown` is the help and source written for the dossier's modality or path (Applicability.help).
    """
    help_text, source = help_shown or (field.help, field.source)
    return {
        "path": path or field.path,
        "section": section_of(field.path),
        "type": field.type,
        "label": field.label,
        "help": help_text,
        "source": source,
        "required": field.required,
        "applies": applies,
        "filled": filled,
        "phi": field.phi,
        "accepts": ACCEPTS[field.type],
        "example": example(field),
        "choices": list(field.choices),
        "units": list(field.units),
        "minimum": field.minimum,
        "maximum": field.maximum,
        "integer": field.integer,
        "max_length": field.max_length,
        "limit": LIMITS[field.type].as_dict(),
        "multiple": field.multiple if field.type == "attachment" else None,
        "min_rows": field.min_rows if field.type == "table" else None,
        "columns": [describe_column(c) for c in field.columns],
        "repeat": describe_repeat(instance.repeat, count, instance) if instance else None,
        "documents": list(field.documents),
    }


def describe_repeat(repeat: Repeat, count: int, instance: Instance | None = None) -> dict[str, Any]:
    """A repeat as plain data: the instance a field belongs to, and where the next one is added (setting
    its name adds it; None once `max` instances exist)."""
    full = repeat.max is not None and count >= repeat.max
    return {"id": repeat.id, "label": repeat.label, "name_field": repeat.name, "min": repeat.min, "max": repeat.max,
            "sections": list(repeat.sections), "count": count,
            "instance": instance.index if instance else None, "instance_name": instance.name if instance else None,
            "add": None if full else instance_key(repeat.name, count)}


def describe_fields(dossier: Dossier) -> list[dict[str, Any]]:
    """Every field of an open dossier, each instance's fields under their paths, followed by one entry per
    repeat that has no instance yet (its `repeat` says how to add the first)."""
    counts = {r: len(dossier.instances(r)) for r in dossier.model.repeats}
    ap = dossier.applicability()
    rows = [describe_field(s.field, s.filled, s.applies, s.path, s.instance,
                           counts[s.instance.repeat.id] if s.instance else 0, ap.help(s.field))
            for s in dossier.fields()]
    shut = {r for r in dossier.model.repeats if single(dossier.model, dossier.store.values(), r)}
    for row in rows:  # the one instance of a repeat that does not apply: no other can be added
        if row["repeat"] and row["repeat"]["id"] in shut:
            row["repeat"]["add"] = None
    for repeat in dossier.model.repeats.values():
        if not counts[repeat.id]:
            name = dossier.model.field(repeat.name)
            rows.append({**describe_field(name, False, True, instance_key(name.path, 0)),
                         "repeat": describe_repeat(repeat, 0)})
    return rows
