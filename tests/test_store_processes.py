"""The dossier file between processes and threads: one writer at a time, readers alongside it, and
SIGKILL at the worst moment losing no committed edit and leaving no half-made attachment (real processes,
no mocks)."""

import io
import signal
import subprocess
import threading

import pytest

from dossier.errors import DossierFileError, FileInUseError
from dossier.store import Store
from tests.helpers.storefiles import PDF, run_child, sql


def test_second_writer_is_told_the_file_is_in_use(tmp_path):
    path = tmp_path / "w.dossier"
    with Store.create(path, "T") as first:
        with pytest.raises(FileInUseError, match="open in another Dossier Builder window or program; close it"):
            Store.open(path)
        child = run_child(f"""
            from dossier.store import Store
            from dossier.errors import FileInUseError
            try:
                Store.open({str(path)!r})
            except FileInUseError as e:
                print("IN USE", e)
            """, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        out, err = child.communicate(timeout=60)
        assert out.startswith("IN USE"), err
        first.set("a.b.c", "still mine")  # the refused openers took nothing from us
    with Store.open(path) as again:  # free once closed
        assert again.get("a.b.c") == "still mine"


def test_a_worker_thread_can_read_while_edits_go_on(store):
    errors, done = [], threading.Event()

    def reader():
        try:
            while not done.is_set():
                store.values()
                store.history("a.b.0")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    thread = threading.Thread(target=reader)
    thread.start()
    for i in range(200):
        store.set(f"a.b.{i % 5}", i)
    done.set()
    thread.join()
    assert errors == [] and store.get("a.b.4") == 199


def test_sigkill_during_edits_loses_no_committed_edit(tmp_path):
    path = tmp_path / "k.dossier"
    Store.create(path, "T").close()
    child = run_child(f"""
        from dossier.store import Store
        s = Store.open({str(path)!r})
        for i in range(100000):
            s.set(f"edit.{{i}}", {{"n": i, "text": "é" * 200}})
            print(i, flush=True)
        """, stdout=subprocess.PIPE, text=True)
    acknowledged = []
    for line in child.stdout:
        acknowledged.append(int(line))
        if len(acknowledged) >= 300:
            break
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert child.returncode == -signal.SIGKILL
    with Store.open(path) as s:
        values = s.values()
        assert all(values[f"edit.{i}"] == {"n": i, "text": "é" * 200} for i in acknowledged)
        assert sql(s, "PRAGMA integrity_check") == [("ok",)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["k.dossier"]  # one self-contained file again


def test_sigkill_during_attach_leaves_neither_attachment_nor_field(tmp_path):
    path = tmp_path / "a.dossier"
    with Store.create(path, "T") as s:
        s.set("p.d.report", ["old.pdf"])
    child = run_child(f"""
        import io, os, sys
        from dossier.store import Store

        class Endless(io.RawIOBase):
            chunks = 0
            def readable(self):
                return True
            def readinto(self, buffer):
                self.chunks += 1
                if self.chunks == 20:
                    print("streaming", flush=True)
                buffer[:] = os.urandom(len(buffer))
                return len(buffer)

        s = Store.open({str(path)!r})
        s.attach("huge.bin", Endless(), field="p.d.report", field_value=["huge.bin"])
        """, stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline() == "streaming\n"
    child.send_signal(signal.SIGKILL)
    child.wait()
    with Store.open(path) as s:
        assert s.attachments() == [] and s.get("p.d.report") == ["old.pdf"]
        assert sql(s, "SELECT count(*) FROM attachment_chunks") == [(0,)]
        assert sql(s, "PRAGMA integrity_check") == [("ok",)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.dossier"]


# Readers beside the one writer -----------------------------------------------------------------

def test_a_reader_reads_what_the_writer_committed_while_it_still_holds_the_file(tmp_path):
    path = tmp_path / "r.dossier"
    with Store.create(path, "T") as writer:
        writer.set("a.b.c", "first")
        with Store.open(path, read_only=True) as reader:
            assert reader.get("a.b.c") == "first" and reader.read_only and not writer.read_only
            writer.set("a.b.c", "second")  # the reader does not stop the writer
            assert reader.get("a.b.c") == "second"
            writer.attach("coa.pdf", io.BytesIO(PDF))  # nor a large append, which then goes through the WAL
            assert [a.name for a in reader.attachments()] == ["coa.pdf"]
        child = run_child(f"""
            from dossier.store import Store
            with Store.open({str(path)!r}, read_only=True) as s:
                print(s.get("a.b.c"))
            """, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        out, err = child.communicate(timeout=60)
        assert out == "second\n", err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.dossier"]


def test_a_read_only_dossier_refuses_every_change_and_the_file_is_untouched(tmp_path):
    path = tmp_path / "ro.dossier"
    with Store.create(path, "T") as s:
        s.set("a.b.c", "kept")
    before = path.read_bytes()
    with Store.open(path, read_only=True) as reader:
        for change in (lambda: reader.set("a.b.c", "x"), lambda: reader.set_title("New"),
                       lambda: reader.attach("x.pdf", io.BytesIO(PDF)), lambda: reader.set_setting("k", 1),
                       lambda: reader.record_sequence("0001", {})):
            with pytest.raises(DossierFileError, match="opened read-only because"):
                change()
        assert reader.get("a.b.c") == "kept"
        with Store.open(path) as writer:  # a reader does not hold the writer's place
            writer.set("a.b.c", "changed")
    assert path.read_bytes() != before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ro.dossier"]


def test_a_killed_writer_leaves_the_file_open_to_readers_and_the_next_writer(tmp_path):
    path = tmp_path / "kr.dossier"
    Store.create(path, "T").close()
    child = run_child(f"""
        from dossier.store import Store
        s = Store.open({str(path)!r})
        s.set("a.b.c", "committed")
        print("ready", flush=True)
        import time
        time.sleep(600)
        """, stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline() == "ready\n"
    with pytest.raises(FileInUseError, match="open in another Dossier Builder window"):
        Store.open(path)
    with Store.open(path, read_only=True) as reader:
        assert reader.get("a.b.c") == "committed"
    child.send_signal(signal.SIGKILL)
    child.wait()
    with Store.open(path) as writer:  # the operating system released the lock with the process
        assert writer.get("a.b.c") == "committed"
        assert sql(writer, "PRAGMA integrity_check") == [("ok",)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kr.dossier"]
