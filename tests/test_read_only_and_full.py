"""Read-only disks and folders, full disks: every refusal is one line with its reason, reading still works,
and nothing is lost. Run as an ordinary user, a folder is made read-only with chmod; run as root (where
chmod does not stop writes), a small tmpfs is mounted and remounted read-only, or the test is skipped when
mounting is not permitted. A full disk is a size-limited tmpfs (skipped where mounting is not permitted)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pikepdf
import pytest

from dossier.errors import ReadOnlyFileError
from dossier.store import Store
from tests.helpers.pdfs import make_pdf

ROOT = os.geteuid() == 0 if hasattr(os, "geteuid") else False


def _mount(point: Path, options: str) -> None:
    point.mkdir(parents=True, exist_ok=True)
    try:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(point)], capture_output=True)
    except OSError:
        pytest.skip("no mount command here")
    if done.returncode:
        pytest.skip(f"mounting a tmpfs is not permitted here ({done.stderr.decode().strip()})")


@contextmanager
def _mounted(point: Path, options: str):
    _mount(point, options)
    try:
        yield point
    finally:
        subprocess.run(["umount", "-l", str(point)], check=False)


class Freezable:
    """A folder to fill, then freeze: read-only to this process from then on."""

    def __init__(self, path: Path):
        self.path = path

    def freeze(self) -> None:
        if ROOT:
            subprocess.run(["mount", "-o", "remount,ro", str(self.path)], check=True)
        else:
            for p in self.path.iterdir():
                p.chmod(0o444)
            self.path.chmod(0o555)
        assert not os.access(self.path, os.W_OK)


@pytest.fixture
def read_only_folder(tmp_path):
    folder = tmp_path / "ro"
    if ROOT:
        with _mounted(folder, "size=32m"):
            yield Freezable(folder)
        return
    folder.mkdir()
    yield Freezable(folder)
    folder.chmod(0o755)


def _pdf(path: Path, size: int) -> Path:
    """A clean PDF carrying `size` random bytes, to fill a disk with."""
    def fill(pdf):
        pdf.Root.Filler = pikepdf.Stream(pdf, os.urandom(size))

    return make_pdf(path, change=fill)


def _one_line(err: str) -> str:
    assert "Traceback" not in err and err.count("\n") == 1, err
    return err


def test_a_dossier_on_a_read_only_disk_is_read_and_writers_say_why_not(cli, read_only_folder, tmp_path):
    path = read_only_folder.path / "case.dossier"
    assert cli("demo", path).code == 0
    assert cli("set", path, "module1.letters.irb_name", "Central IRB").code == 0  # a WAL-mode file now
    read_only_folder.freeze()
    before = path.read_bytes()
    got = cli("get", path, "module1.letters.irb_name")
    assert got.code == 0 and got.out == "Central IRB\n", got.err
    assert cli("check", path).code == 0
    assert cli("history", path, "module1.letters.irb_name").code == 0
    assert cli("export", path, tmp_path / "text").code == 0
    assert (tmp_path / "text" / "dossier.json").is_file()
    assert cli("render", path, "--out", tmp_path / "docs", "--format", "docx", "--draft").code == 0
    for change in (("set", path, "module1.letters.irb_name", "Other"),
                   ("attach", path, "module1.letters.letters_of_authorization", _pdf(tmp_path / "l.pdf", 10))):
        result = cli(*change)
        assert result.code == 2 and "cannot be changed" in _one_line(result.err) and "read-only" in result.err
        assert "copy it to a folder you can write to" in result.err and "damaged" not in result.err
    assert path.read_bytes() == before and sorted(p.name for p in read_only_folder.path.iterdir()) == ["case.dossier"]
    with pytest.raises(ReadOnlyFileError, match="cannot be changed"):
        Store.open(path)


def test_unmerged_changes_beside_a_read_only_dossier_are_read_with_it(read_only_folder):
    path = read_only_folder.path / "w.dossier"
    Store.create(path, "T").close()
    writer = Store.open(path)
    writer.set("a.b.c", "in the log only")
    # A copy taken while a writer still held the file: the last change is in the -wal file beside it.
    snapshot = read_only_folder.path / "copy"
    snapshot.mkdir()
    for suffix in ("", "-wal", "-shm"):
        shutil.copyfile(f"{path}{suffix}", snapshot / f"w.dossier{suffix}")
    writer.close()
    (read_only_folder.path / "w.dossier").unlink()
    copy = snapshot / "w.dossier"
    assert Path(f"{copy}-wal").stat().st_size > 0
    read_only_folder.freeze()
    if not ROOT:
        snapshot.chmod(0o555)
    try:
        with Store.open(copy, read_only=True) as reader:
            assert reader.get("a.b.c") == "in the log only"
    except ReadOnlyFileError as exc:  # SQLite builds without read-only -shm support: said in one line
        assert "not yet folded into it" in str(exc)
    finally:
        if not ROOT:
            snapshot.chmod(0o755)


def test_output_into_a_read_only_folder_is_a_one_line_refusal(cli, read_only_folder, tmp_path, installed):
    path = tmp_path / "case.dossier"
    assert cli("demo", path).code == 0
    read_only_folder.freeze()
    out = read_only_folder.path
    for command in (("export", path, out / "text"),
                    ("render", path, "--out", out / "docs", "--format", "docx", "--draft"),
                    ("build", path, "--out", out / "app", "--draft")):
        result = cli(*command)
        assert result.code == 2 and "cannot write" in _one_line(result.err), (command, result.err)
        assert "choose a folder you can write to" in result.err
    assert list(out.iterdir()) == []


def test_a_full_disk_during_attach_says_so_and_loses_nothing(cli, tmp_path):
    big = _pdf(tmp_path / "big.pdf", 3 << 20)
    with _mounted(tmp_path / "small", "size=1m") as disk:
        path = disk / "case.dossier"
        assert cli("demo", path).code == 0
        before = cli("export", path, tmp_path / "before")
        assert before.code == 0
        result = cli("attach", path, "module1.letters.letters_of_authorization", big)
        assert result.code == 2 and "is full" in _one_line(result.err)
        assert "nothing in the dossier was lost" in result.err
        assert sorted(p.name for p in disk.iterdir()) == ["case.dossier"]
        assert cli("export", path, tmp_path / "after").code == 0
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    for name in ("dossier.json", "history.jsonl", "attachments/attachments.json"):
        assert (tmp_path / "before" / name).read_bytes() == (tmp_path / "after" / name).read_bytes()
