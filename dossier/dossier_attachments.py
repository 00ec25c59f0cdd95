"""The Dossier's attachments (mixed into dossier.service.Dossier): files stored inside the dossier as PDFs
that pass FDA's rules, referenced from an attachment field or a table cell in the same transaction, and
removed together with every reference to them."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from .attachments_io import Spooled
from .errors import DossierError, FieldError
from .fieldpath import FieldPath, value_path
from .fieldtypes import coerce
from .model import ContentModel, Field
from .pdftext import PdfText, pdf_text
from .records import Attachment

if TYPE_CHECKING:
    from .store import Store

_NAME_MAX = 64


def attachment_name(filename: str) -> str:
    """A file name fit for the dossier and for eCTD: lower case, digits and hyphens, ending in .pdf —
    every attachment is a PDF (check_pdf sees to it), so no other extension (x.exe) is ever stored.

    >>> attachment_name("Study Report (final) v2.PDF")
    'study-report-final-v2.pdf'
    >>> attachment_name("x.exe")
    'x.pdf'
    """
    name = Path(filename).name
    stem = name[: -len(".pdf")] if name.lower().endswith(".pdf") else name.rpartition(".")[0] or name
    stem = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-") or "attachment"
    return f"{stem[: _NAME_MAX - len('.pdf')].rstrip('-')}.pdf"


class DossierAttachments:
    """Attachments of a Dossier; the store, the model and the instance checks are the Dossier's own."""

    store: Store
    model: ContentModel

    if TYPE_CHECKING:
        def _check_instance(self, path: str, adding: Iterable[int] = ()) -> None: ...
        def values(self) -> dict[str, Any]: ...

    def attach(self, target: str, source: str | Path | BinaryIO, name: str | None = None,
               who: str | None = None) -> Attachment:
        """Store a file inside the dossier and reference it from an attachment field or a table cell.

        Every attachment becomes a leaf of the submission, so it must pass FDA's PDF rules (checked
        here, with the reason when it does not).

        `target` is an attachment field (`area.section.field`) or a table cell (`area.section.table[0].column`).
        """
        holder, field, row, column = self._attach_target(target)
        given = source if isinstance(source, (str, Path)) else getattr(source, "name", "") or "attachment"
        wanted = attachment_name(name or Path(str(given)).name)
        final = self._free_name(wanted)
        if row is None:
            current = list(self.store.get(holder) or [])
            new_value = (current + [final]) if field.multiple else [final]
        else:
            table = [dict(r) for r in self.store.get(holder) or []]
            if row > len(table):
                raise FieldError(target, f"row {row} does not exist; the table has {len(table)} row(s)")
            if row == len(table):
                self._refuse_incomplete_row(field, column, target)
                table.append({})
            table[row][column] = final
            new_value = table
        with Spooled(source) as spooled:
            from .pdfcheck import check_pdf  # pikepdf: only when a PDF is attached

            problems = check_pdf(spooled.path)
            if problems:
                raise FieldError(target, "; ".join(problems))
            return self.store.attach(final, spooled.path, who=who, field=holder, field_value=new_value)

    def _attach_target(self, target: str) -> tuple[str, Field, int | None, str | None]:
        """(the path of the field holding the value, in its instance; the field; the row; the column)."""
        where = FieldPath.parse(target)
        holder = value_path(target)
        field = self.model.field(holder)
        self._check_instance(target)
        if where.row is not None:
            column = field.column(where.part) if field.type == "table" and where.part else None
            if column is None or column.type != "attachment":
                raise FieldError(target, "this cell does not hold attachments")
            return holder, field, where.row, column.id
        if field.type != "attachment" or where.part is not None:
            raise FieldError(target, f"{field.label} is a {field.type} field, not an attachment field")
        return holder, field, None, None

    def _free_name(self, wanted: str) -> str:
        taken = {a.name for a in self.store.attachments()}
        if wanted not in taken:
            return wanted
        stem, dot, ext = wanted.rpartition(".") if "." in wanted else (wanted, "", "")
        n = 2
        while f"{stem[: _NAME_MAX - 8]}-{n}{dot}{ext}" in taken:
            n += 1
        return f"{stem[: _NAME_MAX - 8]}-{n}{dot}{ext}"

    def attachments(self) -> list[Attachment]:
        return self.store.attachments()

    def attachment_texts(self, held: Iterable[Attachment] | None = None) -> Callable[[str], PdfText | None]:
        """A reader of the attachments' texts for the checks that read reports (dossier.pdftext): None for
        a name the dossier does not hold, no text and the reason for one whose bytes are damaged."""
        hashes = {a.name: a.sha256 for a in (self.attachments() if held is None else held)}

        def text(name: str) -> PdfText | None:
            if name not in hashes:
                return None
            try:
                return pdf_text(hashes[name], lambda: b"".join(self.read_attachment(name)))
            except DossierError as exc:  # damaged inside the dossier: the check says it cannot read it
                return PdfText((), str(exc))
        return text

    def read_attachment(self, name: str) -> Iterator[bytes]:
        """The attachment's bytes in chunks, checked against its SHA-256 as they are read."""
        return self.store.read_attachment(name)

    def copy_attachment_to(self, name: str, dest: str | Path) -> Path:
        return self.store.copy_attachment_to(name, dest)

    @staticmethod
    def _refuse_incomplete_row(field: Field, column: str | None, target: str) -> None:
        """A row holding only an attachment must not lack a required column: the dossier's text export would
        then not import again."""
        missing = [c for c in field.columns if c.required and c.id != column]
        if missing:
            needed = ", ".join(f"'{c.label}' ({c.id})" for c in missing)
            raise FieldError(target, f"this row does not exist yet, and a row of {field.label} needs {needed}; "
                                     "add the row with them first, then attach the file to it")

    def remove_attachment(self, name: str, who: str | None = None) -> None:
        """Delete an attachment and every reference to it, in one transaction."""
        self.store.attachment(name)  # raises when unknown
        changes = self._without_references(name)
        for path, value in changes.items():  # a required attachment cell: the row would no longer be valid
            try:
                coerce(self.model.field(path), value, path)
            except FieldError as exc:
                raise FieldError(path, f"removing {name} would leave {exc.problem} ({exc.field}); remove that row "
                                       "or attach another file in its place first") from None
        self.store.remove_attachment(name, who=who, changes=changes)

    def _without_references(self, name: str) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        for path, value in self.values().items():
            field = self.model.field(path)
            if field.type == "attachment" and name in value:
                changes[path] = [n for n in value if n != name] or None
            elif field.type == "table":
                cols = [c.id for c in field.columns if c.type == "attachment"]
                if any(row.get(c) == name for row in value for c in cols):
                    changes[path] = [{k: v for k, v in row.items() if not (k in cols and v == name)} for row in value]
        return changes
