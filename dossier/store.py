"""The dossier file: one SQLite file holding field values (JSON by field path), attachments (blobs
with SHA-256 and MD5), an audit log of every change, submitted sequences and a schema version.

The store knows nothing of the content model. Every edit is its own transaction. One process at a
time may open the file for writing (a second writer is told the file is in use); readers may open
it read-only at any time, also while it is being written (see writer_lock.py).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .attachments_io import FlushHandle
from .backup import write_backup
from .dbfile import (
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
from .errors import DossierError, DossierFileError, NotADossierError, ReadOnlyFileError
from .records import (
    SubmittedSequence,
    _dumps,
    _dumps_or_none,
    _empty,
    _loads,
    _loads_value,
)
from .store_attachments import StoredAttachments
from .store_history import AUDIT, StoredHistory
from .writer_lock import WriterLock

_SET_SETTING = "INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value"


def _foreign_note(path: Path, objects: list[tuple[str, str]], done: str) -> list[str]:
    if not objects:
        return []
    listed = ", ".join(f"{kind} {name}" for kind, name in objects)
    return [f"{path.name} held objects Dossier Builder does not make ({listed}), added by another program; "
            f"Dossier Builder {done}"]


class Store(StoredAttachments, StoredHistory):
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
        conn.execute(AUDIT, (stamp, who or self.who, path, old_text, new_text))
        return True

    def _put(self, conn: sqlite3.Connection, path: str, text: str, stamp: str, who: str | None) -> None:
        conn.execute("INSERT INTO field_values(path, value, updated_at, updated_by, checksum) VALUES (?, ?, ?, ?, ?) "
                     "ON CONFLICT(path) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, "
                     "updated_by = excluded.updated_by, checksum = excluded.checksum",
                     (path, text, stamp, who or self.who, value_checksum(path, text)))

    def move_values(self, moves: dict[str, str], added: dict[str, Any], settings: dict[str, Any],
                    event: tuple[str, Any], before_commit: Callable[[], None] | None = None,
                    removed: Iterable[str] = ()) -> None:
        """Move values to other paths (old → new), add values, clear the `removed` paths and set settings,
        all in one transaction. A moved value keeps its JSON text byte for byte (its checksum follows it to
        its new path); the audit log gains, per move, the text leaving the old path and arriving at the new,
        per removed value its text leaving, and `event` (entry, what was done) after them. `before_commit`
        runs inside the transaction, last."""
        with self._transaction() as conn:
            stamp = now()
            for path in removed:
                row = conn.execute("SELECT value FROM field_values WHERE path = ?", (path,)).fetchone()
                if row is not None:
                    conn.execute("DELETE FROM field_values WHERE path = ?", (path,))
                    conn.execute(AUDIT, (stamp, self.who, path, row[0], None))
            rows = {old: conn.execute("SELECT value, updated_at, updated_by FROM field_values WHERE path = ?",
                                      (old,)).fetchone() for old in moves}
            conn.executemany("DELETE FROM field_values WHERE path = ?", [(old,) for old in moves])  # swaps too
            for old, new in moves.items():
                text, updated_at, updated_by = rows[old]
                conn.execute("INSERT INTO field_values(path, value, updated_at, updated_by, checksum) "
                             "VALUES (?, ?, ?, ?, ?)", (new, text, updated_at, updated_by, value_checksum(new, text)))
                conn.executemany(AUDIT, [(stamp, self.who, old, text, None), (stamp, self.who, new, None, text)])
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

    def _audit(self, conn: sqlite3.Connection, field: str, old: Any, new: Any, who: str | None) -> None:
        conn.execute(AUDIT, (now(), who or self.who, field, _dumps_or_none(old), _dumps_or_none(new)))

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
