"""What gets rendered: one file per document, and one per instance for a document that says
`per: <repeat>` (a 3.2.S section for each drug substance). Such a document is rendered once per
instance of its repeat, its template seeing that instance's values under the model's own paths
(dossier.repeats.instance_view), its title and file name carrying the instance's name.

A rendered unit is named by its document id, and for a per-instance one the instance's number after
an `@`: `ds-structure@1` is the structure section of drug substance [1]. Unit names live only as long
as one render or build (reordering instances renumbers them); files and eCTD leaves are named by the
instance's *name*, which is what stays put across sequences.
"""

from __future__ import annotations

import re
from typing import Any

from .conditions import Applicability
from .model import ContentModel, Document
from .repeats import instance_view, instances, single

_SEP = "@"


def unit_id(doc_id: str, instance: int | None) -> str:
    return doc_id if instance is None else f"{doc_id}{_SEP}{instance}"


def split_unit(unit: str) -> tuple[str, int | None]:
    """(document id, instance number or None) of a unit name."""
    doc_id, sep, number = unit.partition(_SEP)
    return (doc_id, int(number)) if sep and number.isdigit() else (doc_id, None)


def units(model: ContentModel, values: dict[str, Any]) -> list[str]:
    """The units to render, in model order: each document whose `when:` holds, a per-instance one for
    every instance of its repeat for which it holds (its condition may read the instance's fields)."""
    out: list[str] = []
    ap = Applicability(model, values)
    for document in model.documents:
        if document.per is None:
            if ap.document(document):
                out.append(document.id)
            continue
        for i in range(len(instances(model, values, document.per))):
            if Applicability(model, instance_view(model, values, document.per, i)).document(document):
                out.append(unit_id(document.id, i))
    return out


def unit_values(model: ContentModel, unit: str, values: dict[str, Any]) -> dict[str, Any]:
    """The values a unit is rendered from: for a per-instance unit its instance under the model's paths."""
    doc_id, i = split_unit(unit)
    per = model.document(doc_id).per
    return values if per is None or i is None else instance_view(model, values, per, i)


def instance_name(model: ContentModel, unit: str, values: dict[str, Any]) -> str | None:
    """The name of the instance a per-instance unit is rendered for (None for a plain document)."""
    doc_id, i = split_unit(unit)
    per = model.document(doc_id).per
    if per is None or i is None or single(model, values, per):
        return None  # the one instance of a repeat that does not apply: the document reads as without it
    names = instances(model, values, per)
    return names[i] if i < len(names) else None


def unit_title(model: ContentModel, unit: str, values: dict[str, Any]) -> str:
    """`Drug substance: structure — Guide RNA` for an instance's unit; the document's title otherwise."""
    document = model.document(split_unit(unit)[0])
    name = instance_name(model, unit, values)
    return document.title if name is None else f"{document.title} — {name}"


def unit_stem(model: ContentModel, unit: str, values: dict[str, Any]) -> str:
    """The file name (without extension) a unit is written as: the document's eCTD file name, and for
    an instance's unit the instance's name after it (`ds-structure-guide-rna`), so units rendered side
    by side never collide and a file says which instance it is."""
    document: Document = model.document(split_unit(unit)[0])
    stem = document.file.rsplit(".", 1)[0]
    name = instance_name(model, unit, values)
    return stem if name is None else f"{stem}-{slug(name)}"


def slug(text: str, limit: int = 40) -> str:
    """A file- and folder-safe form of `text` (lower case, digits, hyphens), cut at a word boundary within
    `limit` characters."""
    out = re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")
    if len(out) > limit:
        cut = out[:limit + 1].rfind("-")
        out = out[:cut if cut >= limit // 2 else limit]
    return out.strip("-") or "unnamed"
