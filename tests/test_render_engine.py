"""The rendering engine's processes and leftovers: workers end with their parent, and what a killed
build leaves behind is removed by the next one (but never what a live build is still writing)."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dossier.build import build_sequence
from dossier.render.engine import pays
from dossier.service import Dossier
from dossier.tempdirs import remove_stale, temp_dir, temp_name


def children(pid: int) -> list[int]:
    """Processes whose parent is `pid` (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="finds the worker processes through /proc")
def test_a_killed_build_leaves_no_worker_and_the_next_build_cleans_up(tmp_path, installed, demo_file):
    demo, app = demo_file, tmp_path / "app"
    # stdout is a pipe, as in `dossier build … | cat`: it must close when the build is killed.
    build = subprocess.Popen([sys.executable, "-m", "dossier", "build", str(demo), "--out", str(app), "--draft",
                              "--workers", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert wait_for(lambda: len(children(build.pid)) >= 2, 120), build.stderr.read1().decode()
        workers = children(build.pid)
        assert list(app.glob(".0001.building-*"))  # mid-build: the sequence is being written aside
    finally:
        build.kill()
    build.communicate(timeout=30)  # returns only once no worker holds the pipe open
    assert wait_for(lambda: not any(running(pid) for pid in workers), 10), "a render worker outlived its build"
    assert not (app / "0001").exists()
    left = list(app.glob(".0001.building-*")) + list((app / ".cache").glob(".rendering-*"))
    assert left

    with Dossier.open(demo) as dossier:
        result = build_sequence(dossier, app, draft=True)
    assert result.number == "0001" and (app / "0001").is_dir()
    assert not any(path.exists() for path in left)
    assert any("half-written" in note for note in result.notes)


def test_leftovers_of_live_processes_stay(tmp_path):
    mine = temp_dir(tmp_path, "0002", "building")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    theirs = tmp_path / f".0002.building-{dead.stdout.strip()}-0123abcd"
    theirs.mkdir()
    (theirs / "index.xml").write_text("half")
    other = tmp_path / ".0002.something-else-1-0123abcd"
    other.mkdir()
    assert remove_stale(tmp_path, "building") == [theirs]
    assert mine.is_dir() and other.is_dir() and not theirs.exists()
    assert temp_name("0003", "building").startswith(f".0003.building-{os.getpid()}-")


def test_a_pool_is_used_only_where_it_pays():
    assert not pays([0.5], 8, "fork")                    # one document: in-process
    assert not pays([0.05] * 4, 1, "fork")               # one worker
    assert pays([0.5] * 10, 2, "fork")                   # 5 s of work in two processes
    assert not pays([0.05] * 10, 2, "spawn")             # half a second: spawning costs more


def test_a_first_render_starts_with_the_document_given_most_fields(demo_input, tmp_path):
    """With no render times known yet, the longest document is guessed from the fields it is given,
    so it starts first instead of holding up the end of the render."""
    import threading

    from dossier.errors import Cancelled
    from dossier.model import default_model
    from dossier.render import render_all
    from dossier.render.templating import allowed_fields

    model, cancel, seen = default_model(), threading.Event(), []

    def progress(done, total, doc_id):
        seen.append(doc_id)
        cancel.set()  # stop before the second document

    with pytest.raises(Cancelled):
        render_all(demo_input, tmp_path / "out", formats=("pdf",), draft=True, progress=progress, cancel=cancel,
                   cache=tmp_path / "cache")
    assert seen == [max(model.documents, key=lambda d: len(allowed_fields(model, d))).id]
