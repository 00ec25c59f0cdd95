"""One editor per field type, found by the type's name: the form asks `editor_for(field)` and never
knows a field by name. A new field type is a new editor class and one entry in EDITORS."""

from __future__ import annotations

from dossier.model import Field

from .attachment import AttachmentEditor
from .base import FieldEditor
from .basic import (
    ChoiceEditor,
    DateEditor,
    LongTextEditor,
    MultiChoiceEditor,
    NumberEditor,
    PersonEditor,
    TextEditor,
    YesNoEditor,
)
from .genetics import HgvsEditor, HpoEditor, ontology
from .table import TableEditor

EDITORS: dict[str, type[FieldEditor]] = {
    "text": TextEditor,
    "longtext": LongTextEditor,
    "choice": ChoiceEditor,
    "multichoice": MultiChoiceEditor,
    "date": DateEditor,
    "number": NumberEditor,
    "yesno": YesNoEditor,
    "person": PersonEditor,
    "table": TableEditor,
    "hgvs": HgvsEditor,
    "hpo": HpoEditor,
    "attachment": AttachmentEditor,
}


def editor_for(field: Field) -> FieldEditor:
    return EDITORS[field.type](field)


__all__ = [
    "EDITORS",
    "AttachmentEditor",
    "ChoiceEditor",
    "DateEditor",
    "FieldEditor",
    "HgvsEditor",
    "HpoEditor",
    "LongTextEditor",
    "MultiChoiceEditor",
    "NumberEditor",
    "PersonEditor",
    "TableEditor",
    "TextEditor",
    "YesNoEditor",
    "editor_for",
    "ontology",
]
