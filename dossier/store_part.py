"""What a part of Store (its attachments, its history) may use of the Store it is mixed into: the file's
path and lock, and the connection, transaction, query and audit methods that store.py defines."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any


class StorePart:
    path: Path
    _lock: threading.RLock

    if TYPE_CHECKING:
        def _writable(self) -> sqlite3.Connection: ...
        def _live(self) -> sqlite3.Connection: ...
        def _transaction(self) -> AbstractContextManager[sqlite3.Connection]: ...
        def _query(self, sql: str, params: tuple = ()) -> list[tuple]: ...
        def _audit(self, conn: sqlite3.Connection, field: str, old: Any, new: Any, who: str | None) -> None: ...
