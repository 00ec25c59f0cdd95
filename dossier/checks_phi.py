"""Protected health information outside its own fields: the values of fields marked `phi: true` (a
name, a date of birth in any common written form, a record number) looked for in every other field.
The check kind `phi_in_text` reports where one appears, never the value itself; `dossier export
--without-phi` refuses to write a copy while one does (see dossier.textform).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .checkkinds import Context, Fail, check_kind
from .fieldpath import FieldPath, cell_path, model_path
from .fieldtypes import is_filled
from .findings import Finding, finding
from .model import Check, ContentModel
from .repeats import instances

_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")
_ORDINAL = r"(?:st|nd|rd|th)?"
_NUMERIC = re.compile(r"\b(\d{1,4})[-/.](\d{1,2})[-/.](\d{1,4})\b")
_COMPACT = re.compile(r"\b(\d{4})(\d{2})(\d{2})\b")
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}}){_ORDINAL}\s+(?:of\s+)?([A-Za-z]{{3,9}})\.?,?\s+(\d{{2,4}})\b")
_MONTH_DAY = re.compile(rf"\b([A-Za-z]{{3,9}})\.?\s+(\d{{1,2}}){_ORDINAL},?\s+(\d{{2,4}})\b")
_TEXT_TYPES = ("text", "longtext", "person")


@dataclass(frozen=True)
class Phi:
    """One PHI value to look for: the field holding it, its label and how it is matched."""
    path: str
    label: str
    how: str      # name | date | identifier
    value: str


def phi_values(model: ContentModel, values: dict, identifiers: Iterable[str] = ()) -> list[Phi]:
    """The filled values of the model's PHI fields, each with how it is looked for."""
    ids = set(identifiers)
    found = []
    for path, value in values.items():
        f = model.fields.get(model_path(path))
        if f is not None and f.phi and isinstance(value, str) and is_filled(value):
            how = "date" if f.type == "date" else "identifier" if f.path in ids else "name"
            found.append(Phi(path, f.label, how, value))
    return found


def texts_outside_phi(model: ContentModel, values: dict) -> Iterator[tuple[str, str]]:
    """(path, text) of every free-text value of a field that is not PHI: text, long text, a person's
    parts and the text cells of tables (cell paths)."""
    for path, value in values.items():
        f = model.fields.get(model_path(path))
        if f is None or f.phi or not is_filled(value):
            continue
        if f.type in _TEXT_TYPES:
            yield path, value if isinstance(value, str) else " ".join(str(v) for v in value.values())
        elif f.type == "table":
            for i, row in enumerate(value):
                for column in f.columns:
                    if column.type in ("text", "longtext") and isinstance(row.get(column.id), str):
                        yield cell_path(path, i, column.id), row[column.id]


def appears(phi: Phi, text: str) -> bool:
    """Whether the PHI value is written in `text`."""
    if phi.how == "date":
        return _has_date(text, phi.value)
    core = _core(phi.value)
    if phi.how == "identifier":
        return _has_identifier(text, core)
    return _has_name(text, core)


def _has_name(text: str, name: str) -> bool:
    surname = _surname(name)  # every pattern holds it: a text without it is passed over without a search
    return surname in _folded(text) and any(pattern.search(text) for pattern in _name_patterns(name))


@lru_cache(maxsize=64)
def _surname(name: str) -> str:
    words = re.findall(r"[^\W\d_]+(?:['-][^\W\d_]+)*", name)
    return words[-1].casefold() if words else ""


@lru_cache(maxsize=1024)
def _folded(text: str) -> str:
    return text.casefold()


@lru_cache(maxsize=64)
def _name_patterns(name: str) -> tuple[re.Pattern, ...]:
    """The name's words in order or surname first (Jane Zebediah, Zebediah, Jane), case aside, and the
    surname alone as written with its capital: a check runs them over every text, so they are built once."""
    words = re.findall(r"[^\W\d_]+(?:['-][^\W\d_]+)*", name)
    if not words:
        return ()
    forms = [words, words[-1:] + words[:-1]]
    found = [re.compile(r"\b" + r"\W{1,3}".join(map(re.escape, form)) + r"\b", re.IGNORECASE) for form in forms]
    if len(words) > 1 and len(words[-1]) >= 4:
        found.append(re.compile(rf"\b{re.escape(words[-1])}\b"))
    return tuple(found)


@lru_cache(maxsize=256)
def _core(value: str) -> str:
    """The value without "(fictional)" and such notes, which are not the value. Kept: on a master protocol
    the check runs once per arm over every shared text."""
    return re.sub(r"\([^)]*\)", " ", value).strip()


def _has_identifier(text: str, identifier: str) -> bool:
    squeezed = _squeezed(identifier)
    if len(squeezed) >= 4 and squeezed in _squeezed(text):
        return True
    return any(pattern.search(text) for pattern in _digit_runs(identifier))


@lru_cache(maxsize=256)
def _digit_runs(identifier: str) -> tuple[re.Pattern, ...]:
    """A pattern for each run of 5 or more digits of a record number, found alone in a text."""
    return tuple(re.compile(rf"(?<!\d){run}(?!\d)") for run in re.findall(r"\d+", identifier) if len(run) >= 5)


@lru_cache(maxsize=1024)
def _squeezed(text: str) -> str:
    return re.sub(r"[\W_]", "", text).casefold()


def _has_date(text: str, iso: str) -> bool:
    found = _dates_in(text)
    date = _ymd(iso) if found else None
    return date is not None and any(_is(*date, *written) for written in found)


@lru_cache(maxsize=64)
def _ymd(iso: str) -> tuple[int, int, int] | None:
    try:
        year, month, day = (int(part) for part in iso.split("-"))
    except ValueError:
        return None
    return year, month, day


@lru_cache(maxsize=1024)
def _dates_in(text: str) -> tuple[tuple[int, int, int], ...]:
    """Each text's readings, kept: the panel checks the same texts again after every edit."""
    return tuple(_written_dates(text))


def _written_dates(text: str) -> Iterator[tuple[int, int, int]]:
    """(year, month, day) readings of each date-like expression: every order a numeric date may mean."""
    for a, b, c in _NUMERIC.findall(text):
        if len(a) == 4:
            yield int(a), int(b), int(c)
        else:
            yield int(c), int(b), int(a)  # day/month/year
            yield int(c), int(a), int(b)  # month/day/year
    for y, m, d in _COMPACT.findall(text):
        yield int(y), int(m), int(d)
    for d, name, y in _DAY_MONTH.findall(text):
        yield int(y), _month(name), int(d)
    for name, d, y in _MONTH_DAY.findall(text):
        yield int(y), _month(name), int(d)


def _month(name: str) -> int:
    name = name.casefold()
    return next((i + 1 for i, month in enumerate(_MONTHS) if month.startswith(name) and len(name) >= 3), 0)


def _is(year: int, month: int, day: int, y: int, m: int, d: int) -> bool:
    return (m, d) == (month, day) and (y == year or (y < 100 and y == year % 100))


def leaks(model: ContentModel, values: dict, phi: list[Phi]) -> list[tuple[str, Phi]]:
    """(path where, the PHI value) for each PHI value written in a field that is not PHI."""
    return [(path, p) for path, text in texts_outside_phi(model, values) for p in phi if appears(p, text)]


def _validate(check: Check, model: ContentModel, fail: Fail) -> None:
    for path in check.spec.get("identifiers", []):
        field = model.fields.get(path)
        if field is None or not field.phi or field.type != "text":
            raise fail(f"identifier '{path}' must be a text field marked phi: true")


_SAY = {"date": "in a written form of the date", "identifier": "", "name": ""}


@check_kind("phi_in_text", needs=(), paths=("identifiers",), validate=_validate, whole=True)
def phi_in_text(check: Check, ctx: Context) -> list[Finding]:
    """One finding per field where a PHI value appears, naming the PHI field (its instance: which arm's
    patient), never echoing the value. It reads the whole dossier at once: one arm's patient's name in
    another arm's text, or in a shared one, is found as well."""
    values = ctx.values if ctx.dossier is None else ctx.dossier
    phi = phi_values(ctx.model, values, check.spec.get("identifiers", []))
    return [finding(check, path, f"{p.label} ({_whose(ctx.model, values, p.path)}) appears in this field "
                                 f"{_SAY[p.how]}".rstrip())
            for path, p in leaks(ctx.model, values, phi)]


def _whose(model: ContentModel, values: dict, path: str) -> str:
    """The PHI field by its model path, and the instance it lies in where there are several to tell apart
    (`area.section.field of arm 'Arm 2: …'`); with one (off the master protocol), no instance."""
    where = FieldPath.match(path)
    repeat = model.repeat_of(path) if where is not None and where.instance is not None else None
    if repeat is None or where is None or where.instance is None:
        return model_path(path)
    names = instances(model, values, repeat.id)
    if len(names) < 2 or where.instance >= len(names):
        return model_path(path)
    return f"{model_path(path)} of {repeat.label.lower()} '{names[where.instance]}'"


def identifier_fields(model: ContentModel) -> list[str]:
    """The PHI fields the model's phi_in_text check reads as identifiers (record numbers)."""
    return next((c.spec.get("identifiers", []) for c in model.checks if c.kind == "phi_in_text"), [])


def all_phi(model: ContentModel, values: dict, history: Iterable[Any]) -> list[Phi]:
    """Every PHI value to keep out of a shared copy: today's and the earlier ones the audit history
    holds (a name changed since may still be written elsewhere)."""
    ids = identifier_fields(model)
    phi = phi_values(model, values, ids)
    for entry in history:
        for value in (entry.old, entry.new):
            phi += phi_values(model, {entry.field: value}, ids)
    return list(dict.fromkeys(phi))
