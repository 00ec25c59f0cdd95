"""The dossier file itself: real SQLite files, real processes, real crashes (no mocks)."""

import hashlib
import io
import os
import sqlite3

import pytest

from dossier.dbfile import SCHEMA_VERSION, make_file
from dossier.errors import (
    DamagedFileError,
    DossierError,
    DossierFileError,
    NewerVersionError,
    NotADossierError,
)
from dossier.records import AuditEntry
from dossier.store import Store
from tests.helpers.storefiles import PDF, PNG, sql

# Values and history --------------------------------------------------------------------------

def test_set_get_values_delete_and_audit(store):
    dose = {"value": 1.5, "unit": "mg"}
    assert store.set("a.b.c", dose) is True
    assert store.set("a.b.c", dict(dose)) is False  # unchanged: no write, no audit
    assert store.set("a.b.t", "Ünïcode ✓") is True
    assert store.get("a.b.c") == dose and store.get("nope") is None
    assert store.values() == {"a.b.c": dose, "a.b.t": "Ünïcode ✓"}
    for empty in (None, "", [], {}):  # every empty value deletes the row
        store.set("a.b.x", ["x"])
        assert store.set("a.b.x", empty) is True and "a.b.x" not in store.values()
    assert store.set("a.b.x", None) is False  # deleting what is absent changes nothing
    store.set("a.b.c", None)
    assert store.values() == {"a.b.t": "Ünïcode ✓"}
    entries = store.history("a.b.c")
    assert [(e.field, e.old, e.new) for e in entries] == [("a.b.c", None, dose), ("a.b.c", dose, None)]
    assert entries[0].who == "tester" and entries[0].at.endswith("Z") and len(entries[0].at) == 27
    assert len(store.history("a.b.x")) == 8
    store.set("a.b.t", "x", who="someone else")
    assert store.history("a.b.t")[-1] == AuditEntry(store.history("a.b.t")[-1].at, "someone else", "a.b.t",
                                                    "Ünïcode ✓", "x")


def test_set_many_is_one_transaction_with_the_same_audit_rules(store):
    store.set("x.y.a", 1)
    assert store.set_many({"x.y.a": 1, "x.y.b": [1, 2], "x.y.c": None}) == ["x.y.b"]
    assert [e.field for e in store.history()] == ["x.y.a", "x.y.b"]
    with pytest.raises(TypeError):  # a value JSON cannot hold: nothing of the batch is kept
        store.set_many({"x.y.d": "kept?", "x.y.e": object()})
    assert store.get("x.y.d") is None and len(store.history()) == 2


def test_title_meta_and_settings(store):
    assert store.title == "Case"
    store.set_title("Case 2")
    assert store.title == "Case 2" and store.history("title")[-1].old == "Case"
    meta = store.meta()
    assert meta["schema_version"] == SCHEMA_VERSION and meta["title"] == "Case 2"
    assert meta["app_version"] and meta["created_at"].endswith("Z")
    assert store.get_setting("cache", {}) == {}
    store.set_setting("cache", {"k": [1, "é"]})
    assert store.get_setting("cache") == {"k": [1, "é"]} and not store.history("cache")


def test_replace_history_is_verbatim(store):
    store.set("a.b.c", "v")
    entries = [AuditEntry("2026-01-01T00:00:00.000000Z", "x", "f", None, {"ü": [1, None]}),
               AuditEntry("2025-01-01T00:00:00.000000Z", "y", "attachment:a.pdf", {"size": 1}, None)]
    store.replace_history(entries)
    assert store.history() == entries  # order kept as given, not re-sorted by time
    assert store.history("f") == entries[:1]


# Attachments ---------------------------------------------------------------------------------

class ReadOnly:
    """A file-like object with read() only (no readinto), like some network streams."""

    def __init__(self, data: bytes):
        self._data = io.BytesIO(data)

    def read(self, n=-1):
        return self._data.read(n)


def test_attachment_roundtrip_checksums_and_media_types(store, tmp_path):
    data = os.urandom(9 << 20) + b"tail"  # more than two parts
    (tmp_path / "big.bin").write_bytes(data)
    a = store.attach("big.bin", tmp_path / "big.bin")
    assert (a.size, a.sha256, a.md5) == (len(data), hashlib.sha256(data).hexdigest(), hashlib.md5(data).hexdigest())
    assert b"".join(store.read_attachment("big.bin")) == data
    assert store.copy_attachment_to("big.bin", tmp_path / "out.bin").read_bytes() == data
    store.attach("pixel.png", io.BytesIO(PNG))
    store.attach("form.pdf", ReadOnly(PDF))
    store.attach("note.txt", io.BytesIO("héllo wörld".encode()))
    store.attach("empty", io.BytesIO(b""))
    assert {x.name: x.media_type for x in store.attachments()} == {
        "big.bin": "application/octet-stream", "pixel.png": "image/png", "form.pdf": "application/pdf",
        "note.txt": "text/plain", "empty": "text/plain"}
    assert [x.name for x in store.attachments()] == sorted(["big.bin", "pixel.png", "form.pdf", "note.txt", "empty"])
    png = store.attachment("pixel.png")
    assert (png.size, png.md5, png.added_by) == (len(PNG), hashlib.md5(PNG).hexdigest(), "tester")
    assert store.history("attachment:pixel.png")[-1].new == {"sha256": hashlib.sha256(PNG).hexdigest(),
                                                             "size": len(PNG)}
    with pytest.raises(DossierError, match="already exists"):
        store.attach("pixel.png", io.BytesIO(b"other"))
    with pytest.raises(DossierError, match="no attachment named 'nope'"):
        store.attachment("nope")
    assert sql(store, "PRAGMA journal_mode") == [("wal",)]  # back to WAL after the bulk append


def test_attach_sets_the_field_and_remove_undoes_it_in_one_transaction(store):
    store.attach("r.pdf", io.BytesIO(PDF), field="p.d.report", field_value=["r.pdf"])
    assert store.get("p.d.report") == ["r.pdf"]
    store.remove_attachment("r.pdf", changes={"p.d.report": None, "p.d.other": "kept"})
    assert store.attachments() == [] and store.get("p.d.report") is None and store.get("p.d.other") == "kept"
    assert sql(store, "SELECT count(*) FROM attachment_chunks") == [(0,)]
    assert store.history("attachment:r.pdf")[-1].old == {"sha256": hashlib.sha256(PDF).hexdigest(), "size": len(PDF)}
    with pytest.raises(DossierError, match="no attachment"):
        store.remove_attachment("r.pdf", changes={"p.d.other": None})
    assert store.get("p.d.other") == "kept"


class FailsAfter(io.RawIOBase):
    """A file object whose read fails after a few chunks, as when a USB stick is pulled out."""

    def __init__(self, chunks: int):
        self.left = chunks

    def readable(self):
        return True

    def readinto(self, buffer):
        if self.left == 0:
            raise OSError(5, "Input/output error")
        self.left -= 1
        buffer[:] = os.urandom(len(buffer))
        return len(buffer)


def test_failed_attach_leaves_neither_attachment_nor_field_change(store):
    store.set("p.d.report", ["old.pdf"])
    audit = store.history()
    with pytest.raises(OSError, match="Input/output"):
        store.attach("new.pdf", FailsAfter(3), field="p.d.report", field_value=["old.pdf", "new.pdf"])
    assert store.attachments() == [] and store.get("p.d.report") == ["old.pdf"] and store.history() == audit
    assert sql(store, "SELECT count(*) FROM attachment_chunks") == [(0,)]
    assert sql(store, "PRAGMA journal_mode") == [("wal",)]
    store.attach("new.pdf", io.BytesIO(PDF))  # the name is free again


# The file ------------------------------------------------------------------------------------

def test_create_refuses_existing_file_and_close_leaves_one_file(tmp_path):
    (tmp_path / "x.dossier").write_bytes(b"keep me")
    with pytest.raises(DossierFileError, match="already exists"):
        Store.create(tmp_path / "x.dossier", "T")
    assert (tmp_path / "x.dossier").read_bytes() == b"keep me"
    with Store.create(tmp_path / "y.dossier", "T") as s:
        s.set("a.b.c", 1)
        s.attach("f.txt", io.BytesIO(b"hello"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.dossier", "y.dossier"]
    conn = sqlite3.connect(tmp_path / "y.dossier")
    assert conn.execute("PRAGMA application_id").fetchone()[0] == 0x44534252
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()


def test_not_a_dossier(tmp_path):
    (tmp_path / "random.dossier").write_bytes(os.urandom(8192))
    with pytest.raises(NotADossierError, match="not a Dossier Builder file"):
        Store.open(tmp_path / "random.dossier")
    (tmp_path / "empty.dossier").write_bytes(b"")
    with pytest.raises(NotADossierError, match="empty"):
        Store.open(tmp_path / "empty.dossier")
    other = sqlite3.connect(tmp_path / "other.db")
    other.execute("CREATE TABLE t(x)")
    other.commit()
    other.close()
    with pytest.raises(NotADossierError, match="another program"):
        Store.open(tmp_path / "other.db")
    with pytest.raises(DossierFileError, match="does not exist"):
        Store.open(tmp_path / "missing.dossier")


def test_newer_version_refused_and_file_untouched(tmp_path):
    path = tmp_path / "n.dossier"
    Store.create(path, "T").close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(NewerVersionError, match=f"schema {SCHEMA_VERSION + 5}.*reads up to {SCHEMA_VERSION}.*update"):
        Store.open(path)
    assert path.read_bytes() == before


def test_damaged_file_detected(tmp_path):
    path = tmp_path / "d.dossier"
    with Store.create(path, "T") as s:
        s.set_many({f"f.{i}": "x" * 3000 for i in range(200)})
    data = bytearray(path.read_bytes())
    page = 4096
    assert len(data) > 40 * page
    for p in range(10, 20):  # scribble over pages in the middle of the file, away from the schema
        data[p * page + 8: p * page + 400] = os.urandom(392)
    path.write_bytes(bytes(data))
    conn = sqlite3.connect(path)  # the damage is real: SQLite's own check sees it
    assert conn.execute("PRAGMA quick_check").fetchall() != [("ok",)]
    conn.close()
    with pytest.raises(DamagedFileError, match="restore it from a backup"):
        Store.open(path)


def test_v1_file_migrates_to_the_current_schema_and_sequences_are_never_reused(tmp_path):
    path = tmp_path / "v1.dossier"
    make_file(path, "Old", upto=1)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'submitted_sequences'").fetchall()
    conn.close()
    with Store.open(path) as s:
        assert s.meta()["schema_version"] == SCHEMA_VERSION == 3 and s.title == "Old"
        s.record_sequence("0001", {"0001/index.xml": "abc"})
        with pytest.raises(DossierError, match="already recorded"):
            s.record_sequence("0001", {})
        s.record_sequence("0002", {})
        assert [(q.number, q.files) for q in s.sequences()] == [("0001", {"0001/index.xml": "abc"}), ("0002", {})]


def test_reading_an_older_file_brings_it_forward_once(tmp_path):
    path = tmp_path / "old.dossier"
    make_file(path, "Old", upto=1)
    with Store.open(path, read_only=True) as reader:
        assert reader.meta()["schema_version"] == SCHEMA_VERSION and reader.sequences() == []
