"""The audit log of a dossier file (part of Store): every change as it was made, values found damaged
and put back from it, and purging a value that held protected health information from the file."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .dbfile import BUSY_SECONDS, now, value_checksum
from .errors import DamagedFileError, DossierError
from .records import AuditEntry, _dumps_or_none, _loads, _loads_logged
from .store_part import StorePart

AUDIT = "INSERT INTO audit(at, who, field, old, new) VALUES (?, ?, ?, ?, ?)"


class StoredHistory(StorePart):
    """Store's audit-log methods; the connection, transactions and value writing are Store's own."""

    _version: int

    if TYPE_CHECKING:
        def _put(self, conn: sqlite3.Connection, path: str, text: str, stamp: str, who: str | None) -> None: ...

    def damaged_values(self) -> list[str]:
        """Paths whose stored value no longer matches its checksum: changed outside Dossier Builder (a flipped
        bit on the disk, an edit with another program). A file read where it cannot be upgraded to schema 3
        carries no checksums, so nothing can be compared."""
        if self._version < 3:
            return []
        rows = self._query("SELECT path, value, checksum FROM field_values ORDER BY path")
        return [path for path, text, checksum in rows
                if not isinstance(text, str) or checksum != value_checksum(path, text)]

    def restore_from_history(self, path: str, who: str | None = None) -> Any:
        """Put back the last value the audit log recorded for `path` (after damage found by damaged_values),
        logging the damaged text it replaces; returns the value restored (None: the field was empty)."""
        with self._transaction() as conn:
            row = conn.execute("SELECT new FROM audit WHERE field = ? ORDER BY id DESC LIMIT 1", (path,)).fetchone()
            if row is None:
                raise DossierError(f"the history of {self.path.name} holds no value of {path} to restore; "
                                   "enter it again")
            text = row[0]
            try:
                value = _loads(text)
            except ValueError:
                raise DamagedFileError(f"the last recorded value of {path} in the history is damaged too; enter it "
                                       "again") from None
            current = conn.execute("SELECT value FROM field_values WHERE path = ?", (path,)).fetchone()
            if text is None:
                conn.execute("DELETE FROM field_values WHERE path = ?", (path,))
            else:
                self._put(conn, path, text, now(), who)
            damaged = None if current is None else current[0] if isinstance(current[0], str) else repr(current[0])
            self._audit(conn, path, None if damaged is None else {"damaged": damaged}, value, who)
        return value

    def clear_and_purge(self, path: str, who: str | None = None, earlier: Iterable[tuple[str, int]] = ()) -> bool:
        """Delete the value at `path` and every audit entry that held it, in one transaction, with SQLite's
        secure_delete so the freed pages are zeroed, then fold the WAL back so no old page image keeps them.
        `earlier` names the paths the value was moved from (by an upgrade), each with the audit entry up to
        which the log held it there. The purge itself is logged (as `purged:PATH`, with the number of
        entries), never what they held."""
        with self._lock:
            self._writable().execute("PRAGMA secure_delete = ON")  # also zero freed overflow pages (long values)
            try:
                return self._purge(path, who, list(earlier))
            finally:
                self._live().execute("PRAGMA secure_delete = FAST")

    def _purge(self, path: str, who: str | None, earlier: list[tuple[str, int]]) -> bool:
        with self._transaction() as conn:
            held = conn.execute("SELECT 1 FROM field_values WHERE path = ?", (path,)).fetchone() is not None
            conn.execute("DELETE FROM field_values WHERE path = ?", (path,))
            purged = conn.execute("DELETE FROM audit WHERE field = ?", (path,)).rowcount
            purged += sum(conn.execute("DELETE FROM audit WHERE field = ? AND id < ?", pair).rowcount
                          for pair in earlier)
            self._audit(conn, f"purged:{path}", None, {"entries": purged}, who)
        with self._lock:
            conn = self._live()
            conn.execute("PRAGMA busy_timeout = 0")
            try:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
            except sqlite3.OperationalError:  # a reader mid-query: the next checkpoint (at the latest, close) folds it
                pass
            finally:
                conn.execute(f"PRAGMA busy_timeout = {int(BUSY_SECONDS * 1000)}")
        return held or purged > 0

    def logged(self, field: str) -> list[tuple[int, Any]]:
        """(entry id, what it recorded as new) of the audit entries of `field`, oldest first."""
        return [(n, _loads_logged(new)) for n, new in self._query("SELECT id, new FROM audit WHERE field = ? "
                                                                  "ORDER BY id", (field,))]

    def history(self, path: str | None = None) -> list[AuditEntry]:
        sql = "SELECT at, who, field, old, new FROM audit"
        rows = self._query(sql + " ORDER BY id") if path is None else \
            self._query(sql + " WHERE field = ? ORDER BY id", (path,))
        return [AuditEntry(at, who, field, _loads_logged(old), _loads_logged(new)) for at, who, field, old, new in rows]

    def replace_history(self, entries: list[AuditEntry]) -> None:
        """Replace the whole audit log with `entries`, verbatim (used by import)."""
        with self._transaction() as conn:
            conn.execute("DELETE FROM audit")
            conn.executemany(AUDIT, [(e.at, e.who, e.field, _dumps_or_none(e.old), _dumps_or_none(e.new))
                                      for e in entries])
