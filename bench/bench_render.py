"""Render every document of the demo dossier to DOCX and PDF (wall time, peak memory), then time
the route a team would otherwise take: LibreOffice converting the same DOCX files to PDF.

    python bench/bench_render.py [--runs N]

Prints: the first render in a fresh process (imports, font loading and template compilation
included), the median of N warm renders, per-format split, peak memory (RSS of the process and
Python's own allocations during one render), and, where `soffice` is installed, LibreOffice's
DOCX -> PDF conversion of the same files (one batch call, and one call per file) with the ratio.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

started_process = time.perf_counter()
from dossier.paths import demo_dir  # noqa: E402
from dossier.render import default_workers, render_all, snapshot  # noqa: E402
from dossier.service import Dossier  # noqa: E402
from dossier.textform import import_dossier  # noqa: E402

imports_seconds = time.perf_counter() - started_process


def peak_rss_mb() -> float:
    try:
        import resource
    except ImportError:  # Windows
        return float("nan")
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def soffice_convert(soffice: str, profile: Path, files: list[str], out: Path) -> float:
    command = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
               "--outdir", str(out), *files]
    started = time.perf_counter()
    subprocess.run(command, capture_output=True, check=True, timeout=1800)
    elapsed = time.perf_counter() - started
    missing = [f for f in files if not (out / f"{Path(f).stem}.pdf").exists()]
    if missing:
        raise SystemExit(f"LibreOffice did not convert {missing}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="warm renders to take the median of (default 5)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        import_dossier(demo_dir(), tmp / "demo.dossier")
        with Dossier.open(tmp / "demo.dossier") as dossier:
            inp = snapshot(dossier)
        rss_before = peak_rss_mb()
        cold = timed(lambda: render_all(inp, tmp / "cold"))
        warm = [timed(lambda: render_all(inp, tmp / f"warm{i}")) for i in range(args.runs)]
        docx_only = statistics.median(timed(lambda: render_all(inp, tmp / "d", formats=("docx",))) for _ in range(3))
        pdf_only = statistics.median(timed(lambda: render_all(inp, tmp / "p", formats=("pdf",))) for _ in range(3))
        workers = default_workers()
        parallel = statistics.median(timed(lambda: render_all(inp, tmp / "par", workers=workers))
                                     for _ in range(args.runs)) if workers > 1 else None
        tracemalloc.start()
        results = render_all(inp, tmp / "out")
        python_peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        ours = statistics.median(warm)
        docs = len(results)
        pages = sum(_pages(f["pdf"]) for f in results.values())
        print(f"render: {docs} documents ({pages} PDF pages) x 2 formats")
        print(f"  first render in a fresh process: {cold:.2f} s (after {imports_seconds:.2f} s of imports)")
        print(f"  warm: median {ours:.2f} s of {args.runs} (min {min(warm):.2f}, max {max(warm):.2f}); "
              f"{ours / docs * 1000:.0f} ms a document; DOCX alone {docx_only:.2f} s, PDF alone {pdf_only:.2f} s")
        if parallel:
            print(f"  in {workers} processes (render_all(workers={workers}), as `dossier render` does here): "
                  f"median {parallel:.2f} s")
        cli = {jobs: statistics.median(timed(lambda: _cli_render(tmp, jobs)) for _ in range(3)) for jobs in (1, workers)}
        print(f"  `dossier render` end to end (new process, imports, reading the file): "
              + ", ".join(f"{t:.2f} s with --jobs {j}" for j, t in cli.items()))
        print(f"  memory: peak RSS {peak_rss_mb():.0f} MB ({rss_before:.0f} MB before rendering); "
              f"Python allocations peak {python_peak:.1f} MB during one render")
        soffice = shutil.which("soffice") or shutil.which("libreoffice")
        if not soffice:
            print("LibreOffice (soffice) not installed: the comparison is skipped")
            return
        files = [str(f["docx"]) for f in results.values()]
        profile = tmp / "lo-profile"
        soffice_convert(soffice, profile, files[:1], tmp / "lo-warm")  # first start creates the profile
        batch = soffice_convert(soffice, profile, files, tmp / "lo")
        one_by_one = sum(soffice_convert(soffice, profile, [f], tmp / "lo1") for f in files)
        print(f"LibreOffice DOCX -> PDF of the same {docs} files: {batch:.2f} s in one soffice call, "
              f"{one_by_one:.2f} s with one call per file")
        print(f"ratio, one process: our whole render (DOCX and PDF) is {batch / ours:.1f}x faster than LibreOffice's "
              f"batch conversion alone, {one_by_one / ours:.1f}x faster than converting file by file (target >= 10x)")
        if parallel:
            print(f"ratio, {workers} processes: {batch / parallel:.1f}x the batch conversion, "
                  f"{one_by_one / parallel:.1f}x file by file")


def _cli_render(tmp: Path, jobs: int) -> None:
    subprocess.run([sys.executable, "-m", "dossier", "render", str(tmp / "demo.dossier"), "--out", str(tmp / "cli"),
                    "--jobs", str(jobs)], check=True, capture_output=True, cwd=Path(__file__).resolve().parents[1])


def _pages(path: Path) -> int:
    import pikepdf

    with pikepdf.open(path) as pdf:
        return len(pdf.pages)


if __name__ == "__main__":
    main()
