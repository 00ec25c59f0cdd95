"""The dossier file itself: real SQLite files, real processes, real crashes."""

import hashlib
import io
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from dossier.errors import (DamagedFileError, DossierError, DossierFileError, FileInUseError, NewerVersionError,
                            NotADossierError)
from dossier.store import SCHEMA_VERSION, AuditEntry, Store, make_file

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d4944415478da63f8cfc0f01f0005000201a5d0a9650000000049454e44ae426082")


@pytest.fixture
def store(tmp_path):
    with Store.create(tmp_path / "s.dossier", "Case") as s:
        yield s


def test_values_and_audit(store):
    assert store.set("a.b.c", {"value": 1, "unit": "mg"}) is True
    assert store.set("a.b.c", {"value": 1, "unit": "mg"}) is False
    store.set("a.b.c", None)
    assert store.get("a.b.c") is None and store.values() == {}
    entries = store.history("a.b.c")
    assert [(e.old, e.new) for e in entries] == [(None, {"value": 1, "unit": "mg"}), ({"value": 1, "unit": "mg"}, None)]
    assert entries[0].who == "tester" and entries[0].at.endswith("Z")
    store.replace_history([AuditEntry("2026-01-01T00:00:00.000000Z", "x", "f", None, "v")])
    assert store.history() == [AuditEntry("2026-01-01T00:00:00.000000Z", "x", "f", None, "v")]


def test_attachment_roundtrip_with_checksums(store, tmp_path):
    data = os.urandom(9 << 20) + b"tail"
    (tmp_path / "big.bin").write_bytes(data)
    a = store.attach("big.bin", tmp_path / "big.bin")
    assert (a.size, a.sha256, a.md5) == (len(data), hashlib.sha256(data).hexdigest(), hashlib.md5(data).hexdigest())
    assert b"".join(store.read_attachment("big.bin")) == data
    store.attach("pixel.png", io.BytesIO(PNG))
    store.attach("note.txt", io.BytesIO("héllo".encode()))
    assert {x.name: x.media_type for x in store.attachments()} == {
        "big.bin": "application/octet-stream", "pixel.png": "image/png", "note.txt": "text/plain"}
    with pytest.raises(DossierError, match="already exists"):
        store.attach("pixel.png", io.BytesIO(PNG))


class FailingReader(io.RawIOBase):
    def __init__(self):
        self.calls = 0

    def readinto(self, buffer):
        self.calls += 1
        if self.calls > 3:
            raise OSError(28, "No space left on device")
        buffer[:] = b"x" * len(buffer)
        return len(buffer)


def test_failed_attach_leaves_nothing(store, tmp_path):
    source = tmp_path / "file.bin"
    source.write_bytes(os.urandom(20 << 20))
    real_open = open

    def failing_open(path, *args, **kwargs):
        if str(path) == str(source):
            return io.BufferedReader(FailingReader())
        return real_open(path, *args, **kwargs)

    import builtins
    builtins.open = failing_open
    try:
        with pytest.raises(OSError):
            store.attach("file.bin", source, field="a.b.c", field_value=["file.bin"])
    finally:
        builtins.open = real_open
    assert store.attachments() == [] and store.get("a.b.c") is None
    assert list(store.read_attachment.__self__._query("SELECT count(*) FROM attachment_chunks")) == [(0,)]


def test_create_refuses_existing_file(tmp_path):
    (tmp_path / "x.dossier").write_bytes(b"keep me")
    with pytest.raises(DossierFileError, match="already exists"):
        Store.create(tmp_path / "x.dossier", "T")
    assert (tmp_path / "x.dossier").read_bytes() == b"keep me"


def test_not_a_dossier(tmp_path):
    (tmp_path / "random.dossier").write_bytes(os.urandom(4096))
    with pytest.raises(NotADossierError, match="not an SQLite database"):
        Store.open(tmp_path / "random.dossier")
    (tmp_path / "empty.dossier").write_bytes(b"")
    with pytest.raises(NotADossierError, match="empty"):
        Store.open(tmp_path / "empty.dossier")
    other = sqlite3.connect(tmp_path / "other.db")
    other.execute("CREATE TABLE t(x)")
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
    with pytest.raises(NewerVersionError, match=f"schema {SCHEMA_VERSION + 5}.*update Dossier Builder"):
        Store.open(path)
    assert path.read_bytes() == before


def test_damaged_file_detected(tmp_path):
    path = tmp_path / "d.dossier"
    with Store.create(path, "T") as s:
        s.set_many({f"f.{i}": "x" * 3000 for i in range(200)})
    data = bytearray(path.read_bytes())
    page = 4096
    assert len(data) > 20 * page
    for p in range(5, 15):  # scribble over interior pages
        data[p * page + 20: p * page + 400] = os.urandom(380)
    path.write_bytes(bytes(data))
    with pytest.raises(DamagedFileError, match="restore it from a backup"):
        Store.open(path)


def test_old_schema_migrates_forward(tmp_path):
    path = tmp_path / "v1.dossier"
    make_file(path, "Old", upto=1)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    conn.close()
    with Store.open(path) as s:
        assert s.meta()["schema_version"] == SCHEMA_VERSION
        s.record_sequence("0001", {"index.xml": "abc"})
        with pytest.raises(DossierError, match="never reused"):
            s.record_sequence("0001", {})
        assert s.sequences()[0].files == {"index.xml": "abc"}


def test_second_writer_is_told_the_file_is_in_use(tmp_path):
    path = tmp_path / "w.dossier"
    with Store.create(path, "T"):
        with pytest.raises(FileInUseError, match="open in another Dossier Builder window"):
            Store.open(path)
        child = subprocess.run([sys.executable, "-c", textwrap.dedent(f"""
            from dossier.store import Store
            from dossier.errors import FileInUseError
            try:
                Store.open({str(path)!r})
            except FileInUseError as e:
                print("IN USE", e)
            """)], capture_output=True, text=True, timeout=30)
        assert child.stdout.startswith("IN USE"), child.stderr
    Store.open(path).close()  # free again once closed


def test_sigkill_during_edits_loses_no_committed_edit(tmp_path):
    path = tmp_path / "k.dossier"
    Store.create(path, "T").close()
    child = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys
        from dossier.store import Store
        s = Store.open({str(path)!r})
        for i in range(100000):
            s.set(f"edit.{{i}}", {{"n": i, "text": "é" * 200}})
            print(i, flush=True)
        """)], stdout=subprocess.PIPE, text=True)
    acknowledged = []
    for line in child.stdout:
        acknowledged.append(int(line))
        if len(acknowledged) >= 300:
            break
    child.send_signal(signal.SIGKILL)
    child.wait()
    with Store.open(path) as s:
        values = s.values()
        assert all(values[f"edit.{i}"] == {"n": i, "text": "é" * 200} for i in acknowledged)
        assert s._query("PRAGMA integrity_check") == [("ok",)]
