"""Render the demo dossier as a user does (`dossier render demo.dossier --out DIR`, each a fresh
process) and, in the same run, convert the same DOCX files with LibreOffice (`soffice --headless
--convert-to pdf --outdir X *.docx`, one call), the route a team would otherwise take.

    python bench/bench_render.py [--runs N] [--lo-runs N] [--skip-long]

Prints, side by side, medians of N fresh processes each (wall time, and CPU time with workers):
  cold        - an empty cache folder ($DOSSIER_CACHE_DIR): the content model is parsed, the
                templates compiled and every document rendered, nothing taken from anywhere;
  first       - a dossier never rendered before on a machine that has run the program once
                (content model and compiled templates cached; `--no-cache`, so every document is
                rendered);
  one-field   - the render after a one-field edit (`dossier set`, not timed): the render cache
                holds the rest, so only the documents the field feeds are rendered;
  unchanged   - a second render with no edit (every document from the render cache);
then LibreOffice's batch conversion of the cold run's DOCX files and the ratios (target: cold >= 10x
faster); the floor any fresh `dossier render` pays (interpreter start, imports of the render
libraries); where a serial render's CPU time goes (one process); and the time to render one
document holding a 144 KB, 576 KB and 1 MB paragraph (linear).

The machine may be shared: figures are medians, printed with the load average and each run's CPU
time (user and system, workers included), which a busy machine stretches far less than wall time.
Python modules run from compiled bytecode, as in an installed wheel (pip compiles on install): when
PYTHONDONTWRITEBYTECODE is set, the runs use a bytecode folder of their own, filled by a first
untimed run. The templates are compiled into templates/_compiled, the content model parsed into
resources/_parsed and the fonts into resources/fonts/_parsed first, as the wheel's build does
(setup.py); `--no-shipped` removes them instead, to measure a checkout without them. Linux or macOS
(CPU times come from `resource`).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
WORDS = ["alpha", "vector", "dose", "patient", "α-synuclein", "5'→3'", "therapy", "x", "intrathecal"]
RENDER_STACK = "import jinja2, lxml.etree, docx, reportlab.platypus, reportlab.graphics.renderPDF, pypdfium2"


class Run(NamedTuple):
    wall: float  # seconds
    cpu: float  # seconds of CPU, user and system, worker processes included


def environment(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    if env.pop("PYTHONDONTWRITEBYTECODE", None):
        env["PYTHONPYCACHEPREFIX"] = str(tmp / "bytecode")
    return env


def timed_run(command: list[str], env: dict[str, str], **kwargs) -> tuple[Run, str]:
    """One command in a fresh process; its run and its output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, check=True, capture_output=True, text=True, env=env, **kwargs)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return Run(wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime), done.stdout


def dossier(env: dict[str, str], cache: Path, *args: str) -> tuple[Run, str]:
    return timed_run([sys.executable, "-m", "dossier", *args], {**env, "DOSSIER_CACHE_DIR": str(cache)}, cwd=ROOT)


def median(runs: list[Run], what: str = "wall") -> float:
    return statistics.median(getattr(run, what) for run in runs)


def summary(runs: list[Run]) -> str:
    walls = [run.wall for run in runs]
    return (f"wall {median(runs):5.2f} s (min {min(walls):.2f}, max {max(walls):.2f}), "
            f"CPU {median(runs, 'cpu'):5.2f} s, n={len(runs)}")


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def one_document_field() -> tuple[str, str]:
    """A filled long-text field of the demo that feeds exactly one document and decides nothing else
    (no condition reads it, no role uses it): the field of a one-field edit. Read from the model."""
    from dossier.model import default_model
    from dossier.paths import demo_dir
    from dossier.textform import read_values

    model = default_model()
    values = read_values(demo_dir(), model)
    used = set(model.roles.header.values()) | {r.table for r in model.roles.figures.values()}
    for path, field in model.fields.items():
        if (field.type == "longtext" and len(field.documents) == 1 and path not in used
                and isinstance(values.get(path), str) and values[path] and not model.conditions.affected(path)):
            return path, field.documents[0]
    raise SystemExit("the demo has no filled text field feeding exactly one document")


def render_runs(env: dict[str, str], tmp: Path, demo: Path, runs: int) -> dict[str, list[Run]]:
    """The cold, first, one-field and unchanged renders (see the module docstring)."""
    cold = [dossier(env, tmp / f"empty{i}", "render", str(demo), "--out", str(tmp / f"cold{i}"))[0]
            for i in range(runs)]
    cache = tmp / "cache"
    dossier(env, cache, "render", str(demo), "--out", str(tmp / "prime"))
    first = [dossier(env, cache, "render", str(demo), "--out", str(tmp / f"first{i}"), "--no-cache")[0]
             for i in range(runs)]
    path, doc_id = one_document_field()
    edits = []
    for i in range(runs):
        dossier(env, cache, "set", str(demo), path, f"Edited for run {i} of the benchmark.")
        run, out = dossier(env, cache, "render", str(demo), "--out", str(tmp / f"edit{i}"))
        edits.append(run)
    print(f"one-field edit: {path} (feeds {doc_id}); the render says: {out.strip().splitlines()[-1]}")
    unchanged = [dossier(env, cache, "render", str(demo), "--out", str(tmp / f"same{i}"))[0] for i in range(runs)]
    return {"cold": cold, "first": first, "one-field": edits, "unchanged": unchanged}


def soffice_batch(soffice: str, env: dict[str, str], profile: Path, files: list[Path], out: Path) -> Run:
    shutil.rmtree(out, ignore_errors=True)
    command = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
               "--outdir", str(out), *map(str, files)]
    run, _ = timed_run(command, env, timeout=1800)
    missing = [f.name for f in files if not (out / f"{f.stem}.pdf").exists()]
    if missing:
        raise SystemExit(f"LibreOffice did not convert {missing}")
    return run


def libreoffice(env: dict[str, str], tmp: Path, files: list[Path], runs: int) -> list[Run] | None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        print("LibreOffice (soffice) is not installed: the comparison is skipped "
              "(Debian/Ubuntu: apt-get install -y libreoffice-writer-nogui)")
        return None
    profile = tmp / "lo-profile"
    soffice_batch(soffice, env, profile, files[:1], tmp / "lo-first")  # the first start creates the profile
    return [soffice_batch(soffice, env, profile, files, tmp / "lo") for _ in range(runs)]


def floor(env: dict[str, str], runs: int) -> list[Run]:
    """What every fresh `dossier render` pays before its first document; returns the runs of the
    last (interpreter, the program's and the render libraries' imports, fonts)."""
    for label, code in (("interpreter start (python -c pass)", "pass"),
                        ("imports of the render libraries", RENDER_STACK),
                        ("imports of dossier render, its libraries and fonts",
                         "import dossier.cli.app, dossier.service, dossier.render.docx_writer, "
                         "dossier.render.pdf_writer")):
        timings = [timed_run([sys.executable, "-c", code], env, cwd=ROOT)[0] for _ in range(runs)]
        print(f"  {label:<52} {summary(timings)}")
    return timings


def budget(lo: list[Run], start: list[Run]) -> None:
    """What the 10x target leaves for rendering once a fresh process has started."""
    target, started = median(lo) / 10, median(start)
    left = (f"leaving {target - started:.2f} s for the documents" if target > started
            else f"{started - target:.2f} s more than all of it, before any document")
    print(f"  10x LibreOffice's wall time leaves {target:.2f} s for a cold render; starting the process "
          f"(above, last line) takes {started:.2f} s, {left} (their serial CPU time is below)")


STAGES = """
import sys, time
t0 = last = time.process_time()
def lap(name):
    global last
    now = time.process_time(); print(f"  {name:<52} {now - last:5.2f} s"); last = now
from dossier.service import Dossier
from dossier.render import snapshot
from dossier.render.document import build_tree, header_text
lap("imports: dossier, jinja2, lxml")
from dossier.render.docx_writer import write_docx
from dossier.render.pdf_writer import write_pdf
lap("imports: python-docx, reportlab, fonts")
with Dossier.open(sys.argv[1], read_only=True) as d:
    inp = snapshot(d)
model = d.model
lap("open the dossier, content model (cached)")
trees = {doc.id: build_tree(inp, doc.id, model) for doc in model.documents}
lap("templates (compiled, cached) and document trees")
header = header_text(inp)
for doc_id, tree in trees.items():
    write_docx(tree, f"{sys.argv[2]}/{doc_id}.docx", header, "x", False)
lap("DOCX writing (figures as pictures)")
for doc_id, tree in trees.items():
    write_pdf(tree, f"{sys.argv[2]}/{doc_id}.pdf", header, "x", False)
lap("PDF writing (layout, fonts, compression)")
print(f"  {'total CPU, one process, serial':<52} {time.process_time() - t0:5.2f} s")
"""


def stages(env: dict[str, str], tmp: Path, demo: Path) -> None:
    out = tmp / "stages"
    out.mkdir()
    env = {**env, "DOSSIER_CACHE_DIR": str(tmp / "cache")}
    result = subprocess.run([sys.executable, "-c", STAGES, str(demo), str(out)], check=True, capture_output=True,
                            text=True, env=env, cwd=ROOT)
    print(result.stdout, end="")


def long_paragraphs(tmp: Path) -> None:
    from dossier.paths import demo_dir
    from dossier.render import RenderInput, render_document, snapshot
    from dossier.service import Dossier
    from dossier.textform import import_dossier

    import_dossier(demo_dir(), tmp / "long.dossier")
    with Dossier.open(tmp / "long.dossier") as d:
        inp = snapshot(d)
    render_document(inp, "clinical-protocol", tmp / "long-warmup", draft=True)
    pick = random.Random(1).choice
    print("one document (clinical protocol) with one long paragraph, DOCX and PDF, in-process:")
    for size in (144_000, 576_000, 1_000_000):
        text = " ".join(pick(WORDS) for _ in range(size // 6))[:size]
        values = {**inp.values, "clinical.design.objectives": text}
        started = time.perf_counter()
        render_document(RenderInput(inp.title, values), "clinical-protocol", tmp / f"long{size}", draft=True)
        elapsed = time.perf_counter() - started
        print(f"  {size // 1000:>5} KB paragraph: {elapsed:6.2f} s ({elapsed / size * 1e6:.1f} s per MB)")


def ratios(lo: list[Run], ours: dict[str, list[Run]]) -> None:
    for what in ("wall", "cpu"):
        print(f"  LibreOffice / ours, {what + ' time':<9}: " + ", ".join(
            f"{name} {median(lo, what) / median(runs, what):4.1f}x" for name, runs in ours.items()))
    print("  (target: cold >= 10x)")


def shipped(wanted: bool) -> None:
    """The checkout's templates compiled and content model parsed as a wheel ships them (or neither)."""
    from dossier.model_cache import SHIPPED, ship_model
    from dossier.paths import resources_dir, templates_dir
    from dossier.render import fontcache, precompiled

    fonts = resources_dir() / "fonts"
    if wanted:
        precompiled.write(templates_dir())
        ship_model(resources_dir())
        fontcache.ship(fonts)
        print(f"templates compiled (templates/{precompiled.FOLDER}), the content model (resources/{SHIPPED}) "
              f"and the fonts (resources/fonts/{fontcache.SHIPPED}) parsed as the wheel ships them")
    else:
        shutil.rmtree(templates_dir() / precompiled.FOLDER, ignore_errors=True)
        shutil.rmtree(resources_dir() / SHIPPED, ignore_errors=True)
        shutil.rmtree(fonts / fontcache.SHIPPED, ignore_errors=True)
        print("no compiled templates, parsed model or parsed fonts shipped: a cold render compiles and parses them")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh processes per figure (default 5)")
    parser.add_argument("--lo-runs", type=int, default=5, help="LibreOffice batch conversions (default 5)")
    parser.add_argument("--skip-long", action="store_true", help="skip the long-paragraph figures")
    parser.add_argument("--no-shipped", action="store_true",
                        help="run without the compiled templates and parsed model a wheel ships (removed)")
    args = parser.parse_args()
    shipped(not args.no_shipped)
    print(f"{os.cpu_count()} CPUs, load average {load()} (1, 5, 15 min)")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        env = environment(tmp)
        demo = tmp / "demo.dossier"
        dossier(env, tmp / "warmup", "demo", str(demo))
        dossier(env, tmp / "warmup", "render", str(demo), "--out", str(tmp / "warmup-out"))  # bytecode written
        ours = render_runs(env, tmp, demo, args.runs)
        files = sorted((tmp / "cold0").glob("*.docx"))
        lo = libreoffice(env, tmp, files, args.lo_runs)
        print(f"\n`dossier render` of the demo ({len(files)} documents, DOCX and PDF), each a fresh process:")
        for name, runs in ours.items():
            print(f"  {name:<10} {summary(runs)}")
        if lo is not None:
            print(f"  {'LibreOffice':<10} {summary(lo)}  (the same {len(files)} DOCX files to PDF, one soffice call)")
            ratios(lo, ours)
        print(f"load average after the runs: {load()}")
        print("\nthe floor of a fresh process (medians):")
        start = floor(env, args.runs)
        if lo is not None:
            budget(lo, start)
        print("where a serial render's CPU time goes (one fresh process, program caches warm):")
        stages(env, tmp, demo)
        if not args.skip_long:
            long_paragraphs(tmp)


if __name__ == "__main__":
    main()
