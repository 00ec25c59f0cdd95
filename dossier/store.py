"""The dossier file: one SQLite file holding field values (JSON by field path), attachments (blobs
with SHA-256 and MD5), an audit log of every change, submitted sequences and a schema version.

The store knows nothing of the content model. Every edit is its own transaction. One process at a
time may open the file for writing (a second writer is told the file is in use); readers may open
it read-only at any time, also while it is being written (see writer_lock.py).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

from .attachments_io import FlushHandle, bulk_append, insert_parts, part_rows, readable, stream_into
from .backup import write_backup
from .dbfile import (
    BUSY_SECONDS,
    SCHEMA_VERSION,
    check_file,
    connect,
    default_user,
    drop_foreign,
    make_file,
    migrate,
    now,
    refuse_read_only,
    value_checksum,
    writable,
    write_error,
)
from .errors import DamagedFileError, DossierError, DossierFileError, NotADossierError, ReadOnlyFileError
from .records import (
    Attachment,
    AuditEntry,
    SubmittedSequence,
    _dumps,
    _dumps_or_none,
    _empty,
    _loads,
    _loads_logged,
    _loads_value,
)
from .writer_lock import WriterLock

_ATTACHMENT_COLUMNS = "name, media_type, size, sha256, md5, added_at, added_by"
_AUDIT = "INSERT INTO audit(at, who, field, old, new) VALUES (?, ?, ?, ?, ?)"
_SET_SETTING = "INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value"


def _foreign_note(path: Path, objects: list[tuple[str, str]], done: str) -> list[str]:
    if not objects:
        return []
    listed = ", ".join(f"{kind} {name}" for kind, name in objects)
    return [f"{path.name} held objects Dossier Builder does not make ({listed}), added by another program; "
            f"Dossier Builder {done}"]


class Store:
    """One open dossier file.

    >>> with Store.create("case.dossier", "ASO for patient A") as store:
    ...     store.set("area.section.field", "NM_000391.4:c.1266+5G>A")
    True
    """

    def __init__(self, path: Path, conn: sqlite3.Connection, who: str | None, lock: WriterLock | None = None,
                 notes: list[str] | None = None):
        self.path = path
        self.notes = notes or []  # what the user should know about the file (objects another program added)
        self._version = conn.execute("PRAGMA user_version").fetchone()[0]
        self.who = who or default_user()
        self._conn: sqlite3.Connection | None = conn
        self._writer = lock  # None: opened read-only
        self._flush = FlushHandle(path)
        self._lock = threading.RLock()
        # How values read when they are not stored as they read (a read-only file of an older content model,
        # read through its upgrade: dossier.upgrade); None reads them as stored.
        self.read_through: Callable[[dict[str, Any]], dict[str, Any]] | None = None

    # Opening and closing -------------------------------------------------------------------

    @classmethod
    def create(cls, path: str | Path, title: str, who: str | None = None,
               created: tuple[str, str] | None = None) -> Store:
        """Make a new dossier file (built aside, renamed into place when complete) and open it; `created`
        (when, by whom) carries over the identity of the dossier it continues (see make_file)."""
        make_file(Path(path), title, who, created=created)
        return cls.open(path, who)

    @classmethod
    def open(cls, path: str | Path, who: str | None = None, read_only: bool = False) -> Store:
        """Open for writing (one writer at a time: FileInUseError otherwise) or, with `read_only`, for
        reading, which works whether or not someone is writing."""
        path = Path(path)
        if not path.is_file():
            raise DossierFileError(f"{path} does not exist or is not a file")
        if path.stat().st_size == 0:
            raise NotADossierError(f"{path} is empty, not a Dossier Builder file")
        if read_only:
            return cls._open_reader(path, who)
        if not writable(path):
            raise refuse_read_only(path)
        lock = WriterLock.acquire(path)
        try:
            # Checked on a connection of its own: after PRAGMA quick_check, SQLite 3.40 refuses a later
            # checkpoint on the same connection ("table is locked") once the journal mode has switched.
            probe = connect(path, read_only=True)
            try:
                foreign = check_file(path, probe)
                if probe.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
                    # The file as the older release left it, before anything here changes it (even the
                    # writer's switch to WAL).
                    write_backup(path, probe, f"schema-{SCHEMA_VERSION}")
            finally:
                probe.close()
            conn = connect(path)
            try:
                if foreign:  # before migrating: a trigger would run on the migration's own changes
                    drop_foreign(conn, foreign)
                migrate(conn)
            except BaseException:
                conn.close()
                raise
        except BaseException:
            lock.release()
            raise
        return cls(path, conn, who, lock, _foreign_note(path, foreign, "removed them on opening it"))

    @classmethod
    def _open_reader(cls, path: Path, who: str | None) -> Store:
        conn = connect(path, read_only=True)
        try:
            foreign = check_file(path, conn)
            behind = conn.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION
        except BaseException:
            conn.close()
            raise
        if not behind or not writable(path):
            if behind and conn.execute("PRAGMA user_version").fetchone()[0] < 2:
                conn.close()
                raise ReadOnlyFileError(f"{path} was written by an older Dossier Builder and must be upgraded before "
                                        "it can be read, which needs to write it; copy it to a folder you can write to")
            return cls(path, conn, who, notes=_foreign_note(path, foreign, "ignores them (nothing in them runs) and "
                                                                      "removes them when the file is next edited"))
        # An older file is brought forward once, as any writer would (a writer holding it has already).
        conn.close()
        cls.open(path, who).close()
        return cls._open_reader(path, who)

    @property
    def read_only(self) -> bool:
        return self._writer is None

    def close(self) -> None:
        with self._lock:
            if self._conn is None:
                return
            try:
                if self._writer is not None:
                    # Folds the WAL back into the file; a reader still open only delays that, so do not wait.
                    self._conn.execute("PRAGMA busy_timeout = 0")
                    self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                self._conn.close()
                self._conn = None
                self._flush.close()  # only after the connection (see FlushHandle)
                if self._writer is not None:
                    self._writer.release()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _live(self) -> sqlite3.Connection:
        if self._conn is None:
            raise DossierError(f"{self.path} is closed; open it again")
        return self._conn

    def _writable(self) -> sqlite3.Connection:
        if self._writer is None:
            raise DossierFileError(f"{self.path} was opened read-only because the program only meant to read it "
                                   "(another may be editing it); open it for editing to change it")
        return self._live()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            conn = self._writable()
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                except BaseException:
                    if conn.in_transaction:  # SQLite has already rolled back after some errors (a full disk)
                        conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                error = write_error(self.path, exc)
                if error is None:
                    raise
                raise error from None

    def _query(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self._lock:
            return self._live().execute(sql, params).fetchall()

    # Meta and values -----------------------------------------------------------------------

    def meta(self) -> dict[str, Any]:
        meta = dict(self._query("SELECT key, value FROM meta"))
        meta["schema_version"] = self._query("PRAGMA user_version")[0][0]
        return meta

    @property
    def title(self) -> str:
        return self._query("SELECT value FROM meta WHERE key = 'title'")[0][0]

    def set_title(self, title: str, who: str | None = None) -> None:
        with self._transaction() as conn:
            old = self.title
            conn.execute("UPDATE meta SET value = ? WHERE key = 'title'", (title,))
            self._audit(conn, "title", old, title, who)

    def get(self, path: str) -> Any:
        if self.read_through is not None:
            return self.values().get(path)
        rows = self._query("SELECT value FROM field_values WHERE path = ?", (path,))
        return _loads_value(rows[0][0], path, self.path) if rows else None

    def values(self) -> dict[str, Any]:
        values = {path: _loads_value(value, path, self.path)
                  for path, value in self._query("SELECT path, value FROM field_values ORDER BY path")}
        return values if self.read_through is None else self.read_through(values)

    def stored_paths(self) -> list[str]:
        """The paths values are stored at, as they are stored (whatever `read_through` makes of them)."""
        return [row[0] for row in self._query("SELECT path FROM field_values ORDER BY path")]

    def set(self, path: str, value: Any, who: str | None = None) -> bool:
        """Store one value in its own transaction, with an audit entry; False when unchanged."""
        with self._transaction() as conn:
            return self._set_in(conn, path, value, who)

    def set_many(self, values: dict[str, Any], who: str | None = None,
                 event: tuple[str, Any, Any] | None = None) -> list[str]:
        """Store many values in one transaction (all or none), one audit entry per changed value, and
        `event` (entry, old, new) after them when given (what the changes did as a whole); returns the
        paths whose value changed."""
        with self._transaction() as conn:
            changed = [path for path, value in values.items() if self._set_in(conn, path, value, who)]
            if event is not None:
                self._audit(conn, *event, who)
            return changed

    def _set_in(self, conn: sqlite3.Connection, path: str, value: Any, who: str | None) -> bool:
        row = conn.execute("SELECT value FROM field_values WHERE path = ?", (path,)).fetchone()
        old_text = row[0] if row else None
        new_text = None if _empty(value) else _dumps(value)
        if old_text == new_text:
            return False
        stamp = now()
        if new_text is None:
            conn.execute("DELETE FROM field_values WHERE path = ?", (path,))
        else:
            self._put(conn, path, new_text, stamp, who)
        conn.execute(_AUDIT, (stamp, who or self.who, path, old_text, new_text))
        return True

    def _put(self, conn: sqlite3.Connection, path: str, text: str, stamp: str, who: str | None) -> None:
        conn.execute("INSERT INTO field_values(path, value, updated_at, updated_by, checksum) VALUES (?, ?, ?, ?, ?) "
                     "ON CONFLICT(path) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, "
                     "updated_by = excluded.updated_by, checksum = excluded.checksum",
                     (path, text, stamp, who or self.who, value_checksum(path, text)))

    def move_values(self, moves: dict[str, str], added: dict[str, Any], settings: dict[str, Any],
                    event: tuple[str, Any], before_commit: Callable[[], None] | None = None) -> None:
        """Move values to other paths (old → new), add values and set settings, all in one transaction.
        A moved value keeps its JSON text byte for byte (its checksum follows it to its new path); the audit
        log gains, per move, the text leaving the old path and arriving at the new, and `event`
        (entry, what was done) after them. `before_commit` runs inside the transaction, last."""
        with self._transaction() as conn:
            stamp = now()
            rows = {old: conn.execute("SELECT value, updated_at, updated_by FROM field_values WHERE path = ?",
                                      (old,)).fetchone() for old in moves}
            conn.executemany("DELETE FROM field_values WHERE path = ?", [(old,) for old in moves])  # swaps too
            for old, new in moves.items():
                text, updated_at, updated_by = rows[old]
                conn.execute("INSERT INTO field_values(path, value, updated_at, updated_by, checksum) "
                             "VALUES (?, ?, ?, ?, ?)", (new, text, updated_at, updated_by, value_checksum(new, text)))
                conn.executemany(_AUDIT, [(stamp, self.who, old, text, None), (stamp, self.who, new, None, text)])
            for path, value in added.items():
                self._set_in(conn, path, value, None)
            for key, value in settings.items():
                conn.execute(_SET_SETTING, (key, _dumps(value)))
            self._audit(conn, event[0], None, event[1], None)
            if before_commit is not None:
                before_commit()

    def backup(self, label: str) -> Path:
        """Write the file as it is now beside it, as `NAME.before-upgrade-<label>.dossier` (dossier.backup)."""
        with self._lock:
            return write_backup(self.path, self._writable(), label)

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

    def _audit(self, conn: sqlite3.Connection, field: str, old: Any, new: Any, who: str | None) -> None:
        conn.execute(_AUDIT, (now(), who or self.who, field, _dumps_or_none(old), _dumps_or_none(new)))

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
            conn.executemany(_AUDIT, [(e.at, e.who, e.field, _dumps_or_none(e.old), _dumps_or_none(e.new))
                                      for e in entries])

    # Attachments ---------------------------------------------------------------------------

    def attach(self, name: str, source: str | Path | BinaryIO, who: str | None = None,
               field: str | None = None, field_value: Any = None) -> Attachment:
        """Stream a file (path or binary file object) in, with its SHA-256 and MD5, and optionally set
        `field` to `field_value`, in one transaction: a failure or a kill part way leaves neither.

        >>> store.attach("coa.pdf", "/tmp/coa.pdf", field="cmc.batches.coa", field_value=["coa.pdf"])
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
        return [Attachment(*row) for row in self._query(f"SELECT {_ATTACHMENT_COLUMNS} FROM attachments ORDER BY name")]

    def attachment(self, name: str) -> Attachment:
        rows = self._query(f"SELECT {_ATTACHMENT_COLUMNS} FROM attachments WHERE name = ?", (name,))
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

    # Submitted sequences and settings ------------------------------------------------------

    def record_sequence(self, number: str, files: dict[str, str], who: str | None = None,
                        settings: dict[str, Any] | None = None, at: str | None = None) -> None:
        """Record a submitted sequence, and `settings` with it in the same transaction; `at` keeps the time
        it was first recorded when a merge carries it over."""
        with self._transaction() as conn:
            if conn.execute("SELECT 1 FROM submitted_sequences WHERE number = ?", (number,)).fetchone():
                raise DossierError(f"sequence {number} is already recorded as submitted; a number is never reused")
            conn.execute("INSERT INTO submitted_sequences(number, submitted_at, who, files) VALUES (?, ?, ?, ?)",
                         (number, at or now(), who or self.who, _dumps(files)))
            for key, value in (settings or {}).items():
                conn.execute(_SET_SETTING, (key, _dumps(value)))
            self._audit(conn, "sequence", None, {"number": number, "files": len(files)}, who)

    def sequences(self) -> list[SubmittedSequence]:
        rows = self._query("SELECT number, submitted_at, who, files FROM submitted_sequences ORDER BY number")
        return [SubmittedSequence(number, at, who, _loads(files)) for number, at, who, files in rows]

    def get_setting(self, key: str, default: Any = None) -> Any:
        rows = self._query("SELECT value FROM settings WHERE key = ?", (key,))
        return _loads(rows[0][0]) if rows else default

    def set_setting(self, key: str, value: Any) -> None:
        with self._transaction() as conn:
            conn.execute(_SET_SETTING, (key, _dumps(value)))
