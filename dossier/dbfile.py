"""The dossier file itself: its schema and forward migrations, opening it safely (for writing or
reading, identity, version and damage checks, in the user's words) and making a new one atomically."""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .errors import (
    DamagedFileError,
    DiskFullError,
    DossierFileError,
    FileInUseError,
    NewerVersionError,
    NotADossierError,
    ReadOnlyFileError,
)

if TYPE_CHECKING:
    import sqlite_utils

APPLICATION_ID = 0x44534252  # 'DSBR'
SCHEMA_VERSION = 3
# How long one statement waits for another connection to finish (a reader mid-query, a writer mid-commit).
BUSY_SECONDS = 5.0


def now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def default_user() -> str:
    try:
        return os.environ.get("DOSSIER_USER") or getpass.getuser() or "unknown"
    except Exception:  # getpass fails without a login name (some services, containers)
        return "unknown"


def _v1(db: sqlite_utils.Database) -> None:
    db.table("meta").create({"key": str, "value": str}, pk="key")
    db.table("field_values").create({"path": str, "value": str, "updated_at": str, "updated_by": str}, pk="path")
    db.table("attachments").create({"name": str, "media_type": str, "size": int, "sha256": str, "md5": str,
                              "added_at": str, "added_by": str}, pk="name")
    db.table("attachment_chunks").create({"name": str, "n": int, "data": bytes}, pk=("name", "n"))
    db.table("audit").create({"id": int, "at": str, "who": str, "field": str, "old": str, "new": str}, pk="id")
    db.table("audit").create_index(["field"])
    db.table("settings").create({"key": str, "value": str}, pk="key")


def _v2(db: sqlite_utils.Database) -> None:
    db.table("submitted_sequences").create({"number": str, "submitted_at": str, "who": str, "files": str}, pk="number")


def value_checksum(path: str, text: str) -> str:
    """The checksum stored beside a field value: SHA-256 of its path and JSON text, so a changed byte, or a
    value moved to another field, is noticed."""
    return hashlib.sha256(f"{path}\0{text}".encode("utf-8", "surrogatepass")).hexdigest()


def _v3(db: sqlite_utils.Database) -> None:
    db.execute("ALTER TABLE field_values ADD COLUMN checksum TEXT")
    rows = db.execute("SELECT path, value FROM field_values").fetchall()
    db.conn.executemany("UPDATE field_values SET checksum = ? WHERE path = ?",
                        [(value_checksum(path, value), path) for path, value in rows])


MIGRATIONS = [(1, _v1), (2, _v2), (3, _v3)]
# What each table holds, as the migrations up to SCHEMA_VERSION make it (the version adding a column, if later).
TABLES = {"meta": {"key": 1, "value": 1},
          "field_values": {"path": 1, "value": 1, "updated_at": 1, "updated_by": 1, "checksum": 3},
          "attachments": {c: 1 for c in ("name", "media_type", "size", "sha256", "md5", "added_at", "added_by")},
          "attachment_chunks": {"name": 1, "n": 1, "data": 1},
          "audit": {c: 1 for c in ("id", "at", "who", "field", "old", "new")},
          "settings": {"key": 1, "value": 1},
          "submitted_sequences": {"number": 2, "submitted_at": 2, "who": 2, "files": 2}}
INDEXES = {"idx_audit_field"}


def migrate(conn: sqlite3.Connection, upto: int = SCHEMA_VERSION) -> None:
    """Bring a file forward to schema `upto` in one transaction: all steps or none."""
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    if current >= upto:
        return
    import sqlite_utils  # only to make or upgrade a file: importing it takes a tenth of a second

    db = sqlite_utils.Database(conn)
    with immediate(conn):
        for version, step in MIGRATIONS:
            if current < version <= upto:
                step(db)
        conn.execute(f"PRAGMA user_version = {upto}")


@contextmanager
def immediate(conn: sqlite3.Connection) -> Iterator[None]:
    """One write transaction, taken at once; rolled back on any error (a kill or full disk mid-way
    leaves the file as it was)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def foreign_objects(path: Path, conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """(type, name) of every object in the file that Dossier Builder does not make: triggers, views, other
    tables and indexes, added by another program. DamagedFileError when one of ours is missing or is not
    what it should be (a view in place of a table, a column gone)."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    found = conn.execute("SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'").fetchall()
    kinds = dict((name, kind) for kind, name in found)
    for table, columns in TABLES.items():
        wanted = {c for c, since in columns.items() if since <= version}
        if not wanted:
            continue
        if kinds.get(table) != "table":
            raise DamagedFileError(f"{path} is damaged: its table {table} is "
                                   f"{'a ' + kinds[table] if table in kinds else 'missing'}; restore it from a "
                                   "backup or from its text export (`dossier import`)")
        have = {row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')}
        if not wanted <= have:
            raise DamagedFileError(f"{path} is damaged: table {table} lacks {', '.join(sorted(wanted - have))}; "
                                   "restore it from a backup or from its text export (`dossier import`)")
    return [(kind, name) for kind, name in found
            if not (kind == "table" and name in TABLES) and not (kind == "index" and name in INDEXES)]


def drop_foreign(conn: sqlite3.Connection, objects: list[tuple[str, str]]) -> None:
    """Remove what another program added, in one transaction: a trigger would run on every edit (and could
    delete the audit log's new rows), a view or an extra table is nothing the dossier needs."""
    order = {"trigger": 0, "view": 1, "index": 2, "table": 3}
    with immediate(conn):
        for kind, name in sorted(objects, key=lambda o: order.get(o[0], 4)):
            escaped = name.replace('"', '""')
            conn.execute(f'DROP {kind.upper()} IF EXISTS "{escaped}"')


def writable(path: Path) -> bool:
    """Whether this program may change the file and make its companions (-wal, -shm, lock) beside it.
    os.access also sees a read-only disk, even for an administrator."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def read_only_reason(path: Path) -> str:
    try:
        if os.statvfs(path).f_flag & os.ST_RDONLY:
            return "it is on a read-only disk or share"
    except (AttributeError, OSError):  # no statvfs on Windows
        pass
    if not os.access(path, os.W_OK):
        return "the file is read-only"
    return f"the folder {path.parent} cannot be written"


def refuse_read_only(path: Path) -> ReadOnlyFileError:
    return ReadOnlyFileError(f"{path} cannot be changed: {read_only_reason(path)}. Reading it works (`dossier get`, "
                             "`check`, `render`, `export`); to edit it, copy it to a folder you can write to")


def write_error(path: Path, exc: sqlite3.Error) -> DossierFileError | None:
    """The user's words for a change SQLite could not write (the change itself has been rolled back)."""
    text = str(exc).lower()
    if "full" in text:
        return DiskFullError(f"the disk holding {path} is full: the change was not saved and nothing in the dossier "
                             "was lost; free some space and try again")
    if "readonly" in text or "read-only" in text:
        return refuse_read_only(path)
    if "disk i/o error" in text:
        return DossierFileError(f"{path} could not be written (disk I/O error): the change was not saved; check the "
                                "disk, or copy the dossier to another one")
    return None


def _uri_read_only(path: Path) -> sqlite3.Connection:
    """Open a file this program cannot write (read-only disk, folder or file): SQLite can then neither make the
    -shm file that WAL readers share nor a journal. With no -wal content waiting to be folded in, the file alone
    is the whole dossier and nobody can be writing it here, so it is opened immutable (no locks, no companions);
    otherwise read-only, which works when the -wal and -shm files are there to read."""
    wal = Path(f"{path}-wal")
    pending = wal.exists() and wal.stat().st_size > 0
    uri = path.resolve().as_uri() + ("?mode=ro" if pending else "?immutable=1")
    try:
        return sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False, timeout=BUSY_SECONDS)
    except sqlite3.OperationalError:
        if not pending:
            raise
        raise ReadOnlyFileError(f"{path} cannot be read where it is: {read_only_reason(path)} and it has changes in "
                                f"{wal.name} not yet folded into it. Copy both files to a folder you can write to "
                                "and open it there") from None


def connect(path: Path, read_only: bool = False) -> sqlite3.Connection:
    """Connect and read the schema, in the user's words on failure.

    Writers and readers share the file through SQLite's WAL (the -shm file coordinates them); only one
    writer may open it, which WriterLock sees to before the writer connects. A reader's connection is
    query_only rather than a read-only open, so that when it is the last to close SQLite still folds the
    WAL back and removes it: the dossier stays one self-contained file."""
    conn = None
    try:
        if read_only and not writable(path):
            conn = _uri_read_only(path)
        else:
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=BUSY_SECONDS)
        # The file is data, not code: functions with side effects never run from its schema (a trigger, a view).
        conn.execute("PRAGMA trusted_schema = OFF")
        if read_only:
            conn.execute("PRAGMA query_only = ON")
        else:
            # secure_delete FAST: a replaced or cleared value (perhaps PHI) is zeroed where that costs no extra I/O.
            for pragma in ("journal_mode = WAL", "synchronous = FULL", "secure_delete = FAST"):
                conn.execute(f"PRAGMA {pragma}").fetchall()
        conn.execute("BEGIN")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchall()
        conn.execute("COMMIT")
        return conn
    except sqlite3.DatabaseError as exc:
        if conn is not None:
            conn.close()
        if "locked" in str(exc) or "busy" in str(exc):
            raise FileInUseError(f"{path} is held by another program (an older Dossier Builder, or one writing "
                                 "to it right now); close it there or try again in a moment") from None
        if "not a database" in str(exc):
            raise NotADossierError(f"{path} is not a Dossier Builder file (it is not an SQLite database)") from None
        raise DamagedFileError(f"{path} is damaged ({exc}); restore it from a backup or its text export") from None


def check_file(path: Path, conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """Identity, version and integrity of the file; returns the objects in it that Dossier Builder does not make."""
    if conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
        raise NotADossierError(f"{path} is an SQLite file of another program, not a Dossier Builder file")
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise NewerVersionError(
            f"{path} was written by a newer Dossier Builder (file schema {version}, this version reads up to "
            f"{SCHEMA_VERSION}); update Dossier Builder to open it. The file was not changed.")
    try:
        result = [row[0] for row in conn.execute("PRAGMA quick_check")]
    except sqlite3.DatabaseError as exc:
        result = [str(exc)]
    if result != ["ok"]:
        raise DamagedFileError(f"{path} is damaged ({'; '.join(result[:3])}); restore it from a backup or from "
                               "its text export (`dossier import`)")
    return foreign_objects(path, conn)


def make_file(path: Path, title: str, who: str | None = None, upto: int = SCHEMA_VERSION,
              created: tuple[str, str] | None = None) -> None:
    """Write a new, empty dossier file at schema `upto` (tests make old files with it). `created` (when, by
    whom) is the identity of the dossier the file continues (an import, a merge); a new dossier gets its own."""
    if path.exists():
        raise DossierFileError(f"{path} already exists; choose another name or open it instead")
    if not path.parent.is_dir():
        raise DossierFileError(f"folder {path.parent} does not exist")
    temp = path.with_name(f".{path.name}.creating-{os.getpid()}")
    try:
        conn = sqlite3.connect(temp, isolation_level=None)
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute("PRAGMA journal_mode = WAL")
        migrate(conn, upto)
        created_at, created_by = created or (now(), who or default_user())
        meta = {"title": title, "created_at": created_at, "created_by": created_by, "app_version": __version__}
        conn.executemany("INSERT INTO meta(key, value) VALUES (?, ?)", list(meta.items()))
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.close()
        os.replace(temp, path)
    finally:
        for leftover in (temp, Path(f"{temp}-wal"), Path(f"{temp}-shm")):
            leftover.unlink(missing_ok=True)
