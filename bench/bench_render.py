"""Render the demo dossier as a user does (`dossier demo demo.dossier && dossier render demo.dossier
--out DIR`, each a fresh process) and, in the same run, convert the same DOCX files with LibreOffice
(`soffice --headless --convert-to pdf --outdir X *.docx`, one call), the route a team would otherwise take.

    python bench/bench_render.py [--runs N] [--lo-runs N] [--skip-long]

Prints, medians of N fresh processes each:
  cold    - nothing cached: an empty cache folder ($DOSSIER_CACHE_DIR), so the content model is
            parsed, the templates compiled and every document rendered;
  first   - a dossier never rendered before on a machine that has run the program (content model and
            compiled templates cached, `--no-cache` so every document is rendered);
  warm    - the second render of the same dossier (every document from the render cache);
then where a serial render's time goes (imports, model, templates, DOCX, PDF, in one fresh process),
LibreOffice's batch conversion of the cold run's DOCX files with the ratios (target: cold >= 10x
faster), and the time to render one document holding a 144 KB, 576 KB and 1 MB paragraph (linear).
The machine may be shared: the figures are medians, printed with the load average and with the
CPU time of each run (user and system, workers included), which a busy machine stretches far less
than wall time. Linux or macOS (CPU times come from `resource`).
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


class Run(NamedTuple):
    wall: float  # seconds
    cpu: float  # seconds of CPU, user and system, worker processes included: a shared machine
    #             stretches wall time, CPU time much less


def timed_run(command: list[str], **kwargs) -> Run:
    """One command in a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, **kwargs)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return Run(wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)


def dossier(*args: str, cache: Path) -> Run:
    env = {**os.environ, "DOSSIER_CACHE_DIR": str(cache)}
    return timed_run([sys.executable, "-m", "dossier", *args], env=env, cwd=ROOT)


def median(runs: list[Run], what: str = "wall") -> float:
    return statistics.median(getattr(run, what) for run in runs)


def summary(runs: list[Run]) -> str:
    walls = [run.wall for run in runs]
    return (f"median {median(runs):.2f} s (min {min(walls):.2f}, max {max(walls):.2f}, n={len(runs)}); "
            f"CPU {median(runs, 'cpu'):.2f} s")


def soffice_batch(soffice: str, profile: Path, files: list[Path], out: Path) -> Run:
    shutil.rmtree(out, ignore_errors=True)
    command = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
               "--outdir", str(out), *map(str, files)]
    run = timed_run(command, timeout=1800)
    missing = [f.name for f in files if not (out / f"{f.stem}.pdf").exists()]
    if missing:
        raise SystemExit(f"LibreOffice did not convert {missing}")
    return run


STAGES = """
import sys, time
t0 = last = time.perf_counter()
def lap(name):
    global last
    now = time.perf_counter(); print(f"    {name:<38} {now - last:5.2f} s"); last = now
from dossier.render import snapshot
from dossier.render.document import build_tree, header_text
from dossier.render.docx_writer import write_docx
from dossier.render.pdf_writer import write_pdf
from dossier.service import Dossier
lap("imports (python-docx, reportlab, fonts)")
with Dossier.open(sys.argv[1], read_only=True) as d:
    inp = snapshot(d)
model = d.model
lap("open the dossier, content model")
trees = {doc.id: build_tree(inp, doc.id, model) for doc in model.documents}
lap("templates and document trees")
header = header_text(inp)
for doc_id, tree in trees.items():
    write_docx(tree, f"{sys.argv[2]}/{doc_id}.docx", header, "x", False)
lap("DOCX writing (figures as pictures)")
for doc_id, tree in trees.items():
    write_pdf(tree, f"{sys.argv[2]}/{doc_id}.pdf", header, "x", False)
lap("PDF writing (layout, fonts, compression)")
print(f"    {'total, one process, serial':<38} {time.perf_counter() - t0:5.2f} s")
"""


def stages(tmp: Path, demo: Path, cache: Path) -> None:
    out = tmp / "stages"
    out.mkdir()
    env = {**os.environ, "DOSSIER_CACHE_DIR": str(cache)}
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh processes per figure (default 5)")
    parser.add_argument("--lo-runs", type=int, default=3, help="LibreOffice batch conversions (default 3)")
    parser.add_argument("--skip-long", action="store_true", help="skip the long-paragraph figures")
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs, load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        demo = tmp / "demo.dossier"
        dossier("demo", str(demo), cache=tmp / "cache")
        cold = [dossier("render", str(demo), "--out", str(tmp / f"cold{i}"), cache=tmp / f"empty{i}")
                for i in range(args.runs)]
        dossier("render", str(demo), "--out", str(tmp / "prime"), cache=tmp / "cache")
        first = [dossier("render", str(demo), "--out", str(tmp / f"first{i}"), "--no-cache", cache=tmp / "cache")
                 for i in range(args.runs)]
        warm = [dossier("render", str(demo), "--out", str(tmp / f"warm{i}"), cache=tmp / "cache")
                for i in range(args.runs)]
        files = sorted((tmp / "cold0").glob("*.docx"))
        print(f"`dossier render` of the demo ({len(files)} documents, DOCX and PDF), each a fresh process:")
        print(f"  cold (nothing cached):                 {summary(cold)}")
        print(f"  first render of a dossier (--no-cache): {summary(first)}")
        print(f"  warm (second run, render cache):       {summary(warm)}")
        print("where a serial render's time goes (one fresh process, content model and templates cached):")
        stages(tmp, demo, tmp / "cache")
        soffice = shutil.which("soffice") or shutil.which("libreoffice")
        if not soffice:
            print("LibreOffice (soffice) not installed: the comparison is skipped")
        else:
            profile = tmp / "lo-profile"
            soffice_batch(soffice, profile, files[:1], tmp / "lo-first")  # the first start creates the profile
            lo = [soffice_batch(soffice, profile, files, tmp / "lo") for _ in range(args.lo_runs)]
            print(f"LibreOffice, the same {len(files)} DOCX files to PDF in one soffice call: {summary(lo)}")
            for what in ("wall", "cpu"):
                ratio = {name: median(lo, what) / median(runs, what) for name, runs in
                         (("cold", cold), ("first render", first), ("warm", warm))}
                print(f"ratio of {what} time (LibreOffice / ours, medians): "
                      + ", ".join(f"{name} {r:.1f}x" for name, r in ratio.items()) + " (target: cold >= 10x)")
        print(f"load average now {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        if not args.skip_long:
            long_paragraphs(tmp)


if __name__ == "__main__":
    main()
