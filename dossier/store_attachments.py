"""The attachments of a dossier file (part of Store): files streamed in as blobs with their SHA-256 and
MD5, read back part by part and checked against them, copied out, removed with the field changes that
referred to them, each in one transaction."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from .attachments_io import FlushHandle, bulk_append, insert_parts, part_rows, readable, stream_into
from .dbfile import now
from .errors import DamagedFileError, DossierError
from .records import Attachment
from .store_part import StorePart

ATTACHMENT_COLUMNS = "name, media_type, size, sha256, md5, added_at, added_by"


class StoredAttachments(StorePart):
    """Store's attachment methods; the connection, transactions and audit log are Store's own."""

    who: str
    _flush: FlushHandle

    if TYPE_CHECKING:
        def _set_in(self, conn: sqlite3.Connection, path: str, value: Any, who: str | None) -> bool: ...

    def attach(self, name: str, source: str | Path | BinaryIO, who: str | None = None,
               field: str | None = None, field_value: Any = None) -> Attachment:
        """Stream a file (path or binary file object) in, with its SHA-256 and MD5, and optionally set
        `field` to `field_value`, in one transaction: a failure or a kill part way leaves neither.

        >>> store.attach("coa.pdf", "/tmp/coa.pdf", field="area.section.field", field_value=["coa.pdf"])
        """
        if not isinstance(name, str) or not name.strip():
            raise DossierError("an attachment needs a name, e.g. 'batch-analysis.pdf'")
        self._writable()
        self._refuse_taken(name)
        with readable(source) as fh, self._lock, bulk_append(self._live(), self._flush), self._transaction() as conn:
            self._refuse_taken(name)
            digest = stream_into(fh, insert_parts(conn, name))
            attachment = Attachment(name, digest.media_type, digest.size, digest.sha256, digest.md5, now(),
                                    who or self.who)
            conn.execute("INSERT INTO attachments(name, media_type, size, sha256, md5, added_at, added_by) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?)", dataclasses.astuple(attachment))
            self._audit(conn, f"attachment:{name}", None, {"sha256": digest.sha256, "size": digest.size}, who)
            if field is not None:
                self._set_in(conn, field, field_value, who)
        return attachment

    def _refuse_taken(self, name: str) -> None:
        if self._query("SELECT 1 FROM attachments WHERE name = ?", (name,)):
            raise DossierError(f"an attachment named '{name}' already exists in {self.path.name}; "
                               "remove it first or choose another name")

    def attachments(self) -> list[Attachment]:
        return [Attachment(*row) for row in self._query(f"SELECT {ATTACHMENT_COLUMNS} FROM attachments ORDER BY name")]

    def attachment(self, name: str) -> Attachment:
        rows = self._query(f"SELECT {ATTACHMENT_COLUMNS} FROM attachments WHERE name = ?", (name,))
        if not rows:
            raise DossierError(f"no attachment named '{name}' in {self.path.name}; `dossier attachments` lists them")
        return Attachment(*rows[0])

    def read_attachment(self, name: str) -> Iterator[bytes]:
        """The attachment's bytes, part by part (memory stays flat for any size), checked against the size,
        SHA-256 and MD5 recorded when it was attached: a damaged one raises DamagedFileError after its last
        part, so an export or a build never passes on bytes that the import or the agency would refuse."""
        expected = self.attachment(name)
        sha, md5, size = hashlib.sha256(), hashlib.md5(), 0
        for part in part_rows(self._query, name):
            sha.update(part)
            md5.update(part)
            size += len(part)
            yield part
        if (size, sha.hexdigest(), md5.hexdigest()) != (expected.size, expected.sha256, expected.md5):
            raise DamagedFileError(f"attachment {name} is damaged inside the dossier {self.path.name}: its bytes no "
                                   "longer match the size and checksums recorded when it was attached; remove it and "
                                   "attach the original file again")

    def copy_attachment_to(self, name: str, dest: str | Path) -> Path:
        """Write the attachment to `dest` (through a temporary file renamed into place)."""
        dest = Path(dest)
        temp = dest.with_name(f".{dest.name}.part")
        try:
            with open(temp, "wb") as out:
                for chunk in self.read_attachment(name):
                    out.write(chunk)
            os.replace(temp, dest)
        finally:
            temp.unlink(missing_ok=True)
        return dest

    def remove_attachment(self, name: str, who: str | None = None, changes: dict[str, Any] | None = None) -> None:
        """Delete an attachment and apply `changes` (field path → value, None clears) in one transaction."""
        with self._transaction() as conn:
            old = self.attachment(name)
            conn.execute("DELETE FROM attachment_chunks WHERE name = ?", (name,))
            conn.execute("DELETE FROM attachments WHERE name = ?", (name,))
            self._audit(conn, f"attachment:{name}", {"sha256": old.sha256, "size": old.size}, None, who)
            for path, value in (changes or {}).items():
                self._set_in(conn, path, value, who)
