"""Field types: turn user input (text from a form or the command line, or JSON) into the one typed
JSON value each field type stores, or refuse it with a message naming the field and the problem.

Everything downstream (store, readiness, documents) trusts the values that come out of `coerce`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from typing import Any

from . import genetics, limits, quantities
from .errors import FieldError
from .limits import shown
from .model import Column, Field

PERSON_KEYS = ("name", "organisation", "role", "email", "phone", "address")
_TRUE = {"yes", "y", "true", "1"}
_FALSE = {"no", "n", "false", "0"}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_NUMBER = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")
_ATTACHMENT_NAME = re.compile(r"^(?=.{1,64}$)[a-z0-9][a-z0-9-]*(\.[a-z0-9]+)?$")  # as attach names them

Spec = Field | Column


def is_filled(value: Any) -> bool:
    """Empty strings, lists, mappings and None mean "not filled"."""
    if value is None:
        return False
    if isinstance(value, (str, list, dict)):
        return bool(value.strip() if isinstance(value, str) else value)
    return True


def _text(spec: Spec, value: Any, where: str, multiline: bool, size: str | None = None) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        limits.check_integer(value, where)  # str() refuses huge integers
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise FieldError(where, f"expected text, got {_kind(value)}")
    limits.check_size(size or ("longtext" if multiline else "text"), value, where)
    if not multiline and ("\n" in value or "\r" in value):
        raise FieldError(where, "this field takes one line; remove the line breaks")
    max_length = getattr(spec, "max_length", None)
    if max_length and len(value) > max_length:
        raise FieldError(where, f"at most {max_length} characters, got {len(value)}")
    limits.check_characters(value, where)
    return value


def _choice(spec: Spec, value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise FieldError(where, f"expected one of the choices, got {_kind(value)}")
    for choice in spec.choices:
        if value.strip().casefold() == choice.casefold():
            return choice
    raise FieldError(where, f"'{shown(value)}' is not one of: {', '.join(spec.choices)}")


def _multichoice(spec: Spec, value: Any, where: str) -> list[str]:
    if isinstance(value, str):
        value = _json_or(value, lambda s: [part for part in s.split(",") if part.strip()])
    if not isinstance(value, list):
        raise FieldError(where, f"expected a list of choices, got {_kind(value)}")
    picked = {_choice(spec, item, where) for item in value}
    return [choice for choice in spec.choices if choice in picked]


def _date(spec: Spec, value: Any, where: str) -> str:
    if isinstance(value, (dt.date, dt.datetime)):
        value = value.isoformat()[:10]
    if not isinstance(value, str):
        raise FieldError(where, f"expected a date YYYY-MM-DD, got {_kind(value)}")
    return quantities.parse_date(value, getattr(spec, "partial", False), where)


def _number(spec: Spec, value: Any, where: str) -> dict:
    unit = None
    if isinstance(value, dict):
        unknown = set(value) - {"value", "unit"}
        if unknown:
            raise FieldError(where, f"a number has only 'value' and 'unit', not {_listed(unknown)}")
        unit, value = value.get("unit"), value.get("value")
    if isinstance(value, str):
        match = _NUMBER.match(value)
        if not match:
            raise FieldError(where, f"expected a number with its unit (e.g. '2.5 {_unit_hint(spec)}'), "
                                    f"got '{shown(value)}'")
        if re.match(r"[.,]\d", match.group(2)):  # '2,5 mg' or '1,000 mg': not a unit ',5 mg'
            raise FieldError(where, f"write the number with a decimal point and no thousands separator "
                                    f"(e.g. '2.5 {_unit_hint(spec)}', '1000 {_unit_hint(spec)}'), got '{shown(value)}'")
        value, unit = match.group(1), (match.group(2) or unit)
        limits.check_digits(re.split("[eE]", value)[0], where)
        value = float(value) if any(c in value for c in ".eE") else int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        limits.check_integer(value, where)  # before any float conversion, which overflows on huge integers
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise FieldError(where, f"expected a finite number, got {_kind(value)}")
    if getattr(spec, "integer", False):
        if value != int(value):
            raise FieldError(where, f"must be a whole number, got {value}")
        value = int(value)
    minimum, maximum = getattr(spec, "minimum", None), getattr(spec, "maximum", None)
    if minimum is not None and value < minimum:
        raise FieldError(where, f"must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise FieldError(where, f"must be at most {maximum}, got {value}")
    result: dict[str, Any] = {"value": value}
    if spec.units:
        result["unit"] = quantities.accept_unit(spec.units, unit, where)
    elif unit:
        raise FieldError(where, f"this number takes no unit, got '{unit}'")
    return result


def _unit_hint(spec: Spec) -> str:
    return spec.units[0] if spec.units else ""


def _yesno(spec: Spec, value: Any, where: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise FieldError(where, f"answer yes or no, got '{shown(value)}'")


def _person(spec: Spec, value: Any, where: str) -> dict:
    if isinstance(value, str):
        value = _json_or(value, lambda s: {"name": s})
    if not isinstance(value, dict):
        raise FieldError(where, f"expected a person or organisation (JSON object), got {_kind(value)}")
    unknown = set(value) - set(PERSON_KEYS)
    if unknown:
        raise FieldError(where, f"unknown part(s) {_listed(unknown)}; a person has {', '.join(PERSON_KEYS)}")
    person = {}
    for key in PERSON_KEYS:
        part = value.get(key)
        if is_filled(part):
            person[key] = _text(spec, part, f"{where}.{key}", multiline=(key == "address"), size="text")
    if person and not (person.get("name") or person.get("organisation")):
        raise FieldError(where, "give a name or an organisation")
    email = person.get("email")
    if email and not _EMAIL.match(email):
        raise FieldError(f"{where}.email", f"'{shown(email)}' is not an email address")
    return person


def _table(spec: Field, value: Any, where: str) -> list[dict]:
    if isinstance(value, str):
        value = _json_or(value, None)
    if not isinstance(value, list):
        raise FieldError(where, f"expected a list of rows (JSON objects), got {_kind(value)}")
    if len(value) > limits.MAX_ROWS:
        raise FieldError(where, f"{len(value):,} rows is too many: at most {limits.MAX_ROWS:,}; submit a longer "
                                "listing as an attached PDF")
    rows = []
    for i, row in enumerate(value):
        if not isinstance(row, dict):
            raise FieldError(f"{where}[{i}]", f"a row must be a JSON object, got {_kind(row)}")
        known = {c.id for c in spec.columns}
        unknown = set(row) - known
        if unknown:
            columns = ", ".join(c.id for c in spec.columns)
            raise FieldError(f"{where}[{i}]", f"unknown column(s) {_listed(unknown)}; columns are {columns}")
        clean = {}
        for column in spec.columns:
            cell = row.get(column.id)
            if is_filled(cell):
                clean[column.id] = coerce(column, cell, f"{where}[{i}].{column.id}")
        if not clean:
            continue
        for column in spec.columns:
            if column.required and column.id not in clean:
                raise FieldError(f"{where}[{i}].{column.id}", f"'{column.label}' is required in every row")
        rows.append(clean)
    text = sum(len(cell) for row in rows for cell in row.values() if isinstance(cell, str))
    if text > limits.LIMITS["table"].size:
        raise FieldError(where, f"{text:,} characters of text is too long: at most {limits.LIMITS['table'].size:,} "
                                f"({limits.LIMITS['table'].reason})")
    return rows


def _hgvs(spec: Spec, value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise FieldError(where, f"expected an HGVS variant, got {_kind(value)}")
    limits.check_characters(value, where)
    if "\n" in value.strip() or "\r" in value.strip():
        raise FieldError(where, "an HGVS variant is one line; give one variant per field")
    return genetics.parse_hgvs(value.strip(), where)


def _hpo(spec: Spec, value: Any, where: str) -> list[dict]:
    if isinstance(value, str):
        value = _json_or(value, lambda s: [part.strip() for part in re.split(r"[,;\n]", s) if part.strip()])
    if not isinstance(value, list):
        raise FieldError(where, f"expected a list of HPO terms, got {_kind(value)}")
    if len(value) > limits.MAX_TERMS:
        raise FieldError(where, f"{len(value):,} terms is too many: at most {limits.MAX_TERMS}")
    terms, seen = [], set()
    for item in value:
        term_id = item.get("id") if isinstance(item, dict) else item
        if not isinstance(term_id, str):
            raise FieldError(where, f"an HPO term is an id like HP:0001250, got {_kind(term_id)}")
        term = genetics.hpo_term((term_id.split() or [""])[0], where)
        if term["id"] not in seen:
            seen.add(term["id"])
            terms.append(term)
    return terms


def _attachment(spec: Spec, value: Any, where: str) -> list[str] | str:
    many = isinstance(spec, Field)
    if isinstance(value, str):
        value = _json_or(value, lambda s: [s]) if many else value
    names = value if isinstance(value, list) else [value]
    for name in names:
        if not isinstance(name, str) or not _ATTACHMENT_NAME.match(name):
            raise FieldError(where, f"'{shown(name)}' is not an attachment name; attach files with `dossier attach`")
    if not many:
        if len(names) != 1:
            raise FieldError(where, "a table cell holds one attachment")
        return names[0]
    if not getattr(spec, "multiple", True) and len(names) > 1:
        raise FieldError(where, "this field holds one attachment")
    return list(dict.fromkeys(names))


def _json_or(text: str, fallback: Callable[[str], Any] | None) -> Any:
    stripped = text.strip()
    if stripped[:1] in ("[", "{"):
        return limits.parse_json(stripped)
    if fallback is None:
        raise FieldError("input", "expected JSON (a list of row objects)")
    return fallback(text)


def _listed(keys) -> str:
    return shown(", ".join(sorted(map(str, keys))))


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", bool: "yes/no", str: "text", type(None): "nothing"}.get(
        type(value), "a number" if isinstance(value, (int, float)) else type(value).__name__)


_COERCERS: dict[str, Callable[[Any, Any, str], Any]] = {
    "text": lambda s, v, w: _text(s, v, w, multiline=False),
    "longtext": lambda s, v, w: _text(s, v, w, multiline=True),
    "choice": _choice, "multichoice": _multichoice, "date": _date, "number": _number,
    "yesno": _yesno, "person": _person, "table": _table, "hgvs": _hgvs, "hpo": _hpo,
    "attachment": _attachment,
}


def coerce(spec: Spec, value: Any, where: str | None = None) -> Any:
    """Validate and normalise one value for a field or table column; None when empty.

    >>> coerce(model.field(path), "2.5 mg")         # a number field in mg
    {'value': 2.5, 'unit': 'mg'}
    """
    where = where or (spec.path if isinstance(spec, Field) else spec.id)
    if not is_filled(value):
        return None
    limits.check_size(spec.type, value, where)
    limits.check_depth(value, where)
    try:
        result = _COERCERS[spec.type](spec, value, where)
    except FieldError as exc:
        if exc.field == "input":
            raise FieldError(where, exc.problem) from None
        raise
    return result if is_filled(result) else None


def check_stored(spec: Spec, value: Any) -> None:
    """Refuse a value read back from a file that `coerce` could not have produced (the file was edited
    by another program or damaged), so nothing downstream meets a wrong shape. Cheap: no parsing."""
    problem = _stored_problem(spec, value)
    if problem:
        raise FieldError(getattr(spec, "path", spec.id), f"the stored value is {problem}")


def _stored_problem(spec: Spec, value: Any) -> str | None:
    kind = spec.type
    if value is None:
        return None
    if kind in ("text", "longtext", "hgvs", "choice", "date") or (kind == "attachment" and isinstance(spec, Column)):
        return _stored_text(value, kind)
    if kind == "number":
        ok = isinstance(value, dict) and set(value) <= {"value", "unit"} \
            and isinstance(value.get("value"), (int, float)) and not isinstance(value["value"], bool) \
            and isinstance(value.get("unit", ""), str)
        return None if ok and math.isfinite(value["value"]) else f"{_kind(value)}, not a number"
    if kind == "yesno":
        return None if isinstance(value, bool) else f"{_kind(value)}, not yes/no"
    if kind == "person":
        if not isinstance(value, dict) or not set(value) <= set(PERSON_KEYS):
            return f"{_kind(value)}, not a person"
        return next(filter(None, (_stored_text(part, "text") for part in value.values())), None)
    if kind in ("multichoice", "attachment"):
        ok = isinstance(value, list) and all(isinstance(item, str) for item in value)
        return None if ok else f"{_kind(value)}, not a list of names"
    if kind == "hpo":
        ok = isinstance(value, list) and all(isinstance(t, dict) and isinstance(t.get("id"), str)
                                             and isinstance(t.get("label"), str) for t in value)
        return None if ok else f"{_kind(value)}, not a list of HPO terms"
    if not isinstance(value, list) or not all(isinstance(row, dict) for row in value):
        return f"{_kind(value)}, not a list of rows"
    assert isinstance(spec, Field), "only a field is a table; a column is not"
    columns = {c.id: c for c in spec.columns}
    for i, row in enumerate(value):
        for key, cell in row.items():
            problem = f"row {i + 1}: unknown column {shown(key)}" if key not in columns else \
                _stored_problem(columns[key], cell)
            if problem:
                return problem if problem.startswith("row ") else f"row {i + 1}, {key}: {problem}"
    return None


def _stored_text(value: Any, kind: str) -> str | None:
    if not isinstance(value, str):
        return f"{_kind(value)}, not text"
    try:
        limits.check_size("longtext" if kind == "longtext" else "text", value, "")
        limits.check_characters(value, "")
    except FieldError as exc:
        return exc.problem
    return None


def display(spec: Spec, value: Any) -> str:
    """One-line text of a value, as documents and the command line show it."""
    if not is_filled(value):
        return ""
    kind = spec.type
    if kind == "number":
        return quantities.format_quantity(value["value"], value.get("unit"))
    if kind == "yesno":
        return "Yes" if value else "No"
    if kind in ("multichoice", "attachment") and isinstance(value, list):
        return ", ".join(value)
    if kind == "hpo":
        return "; ".join(f"{t['label']} ({t['id']})" for t in value)
    if kind == "person":
        return ", ".join(value[k] for k in ("name", "role", "organisation") if value.get(k))
    if kind == "table":
        return f"{len(value)} row(s)"
    return str(value)
