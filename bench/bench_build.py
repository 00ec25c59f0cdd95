"""Build benchmarks: the demo dossier's full build and a rebuild after one field edit, and a generated
large dossier (many attachments, about 2 GB) with its throughput next to hashlib MD5 over the same
bytes and the build's peak memory.

    python bench/bench_build.py [--runs 3] [--attachments 200] [--total-mb 2048] [--skip-large]

Targets: full demo build ≤ 2 s; rebuild after one edit ≤ 0.3 s; large build ≥ 60 % of MD5's
throughput with peak memory < 300 MB. Needs the official standard files: installed ones are used,
else ../shared/ectd-dtd beside the project is installed into a temporary folder.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dossier import standards  # noqa: E402
from dossier.paths import demo_dir  # noqa: E402

SHARED = ROOT.parent / "shared" / "ectd-dtd"
EDIT_FIELD = "module1.submission.reason"


def ensure_standards(folder: Path) -> None:
    if all(state == "installed" for state in standards.status().values()):
        return
    if not SHARED.is_dir():
        sys.exit("the official eCTD standard files are not installed; run `dossier standards install PATH`")
    os.environ["DOSSIER_STANDARDS_DIR"] = str(folder / "standards")
    standards.install(SHARED)


def make_demo(path: Path) -> None:
    from dossier.textform import import_dossier

    if not demo_dir().is_dir():
        sys.exit(f"the demo dossier is not in {demo_dir()} yet")
    import_dossier(demo_dir(), path)


def bench_demo(folder: Path, runs: int) -> None:
    from dossier.build import build_sequence
    from dossier.service import Dossier

    full, full_seq, rebuild, rendered = [], [], [], []
    for run in range(runs):
        for workers, times in ((None, full), (1, full_seq)):
            case = folder / f"demo-{run}-{workers}.dossier"
            make_demo(case)
            with Dossier.open(case) as d:
                started = time.perf_counter()
                result = build_sequence(d, folder / f"app-{run}-{workers}", mark_submitted=True, workers=workers)
                times.append(time.perf_counter() - started)
                if workers is None:
                    bad = [f for f in result.findings if f.severity in ("high", "medium")]
                    d.set(EDIT_FIELD, f"Benchmark edit {run}: an amended reason for this submission.")
                    started = time.perf_counter()
                    second = build_sequence(d, folder / f"app-{run}-{workers}", mark_submitted=True)
                    rebuild.append(time.perf_counter() - started)
                    rendered.append((result.rendered, second.rendered, second.counts, len(bad)))
    print(f"demo: full build of sequence 0001 ({rendered[0][0]} documents rendered, cold cache), "
          f"{len(rendered[0]) and rendered[0][3]} high/medium findings")
    print(f"  parallel (default)  median {statistics.median(full):.3f} s   runs {', '.join(f'{t:.3f}' for t in full)}"
          "   (target ≤ 2 s)")
    print(f"  one process         median {statistics.median(full_seq):.3f} s   runs "
          f"{', '.join(f'{t:.3f}' for t in full_seq)}")
    print(f"demo: rebuild after editing {EDIT_FIELD} (sequence 0002: {rendered[0][1]} rendered, "
          f"{ {k: v for k, v in rendered[0][2].items() if v} })")
    print(f"  median {statistics.median(rebuild):.3f} s   runs {', '.join(f'{t:.3f}' for t in rebuild)}"
          "   (target ≤ 0.3 s)")


def big_pdfs(folder: Path, count: int, total_mb: int) -> list[Path]:
    """`count` valid PDFs (text in an embedded font, one large image stream) of about total_mb in all."""
    import pikepdf
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("TestVera", "Vera.ttf"))
    base = folder / "base.pdf"
    c = canvas.Canvas(str(base), pagesize=letter, initialFontName="TestVera", pdfVersion=(1, 4))
    c.setTitle("Study report")
    c.setFont("TestVera", 11)
    c.drawString(72, 700, "Generated study report for the build benchmark")
    c.save()
    size = max(1, total_mb * (1 << 20) // count)
    side = int(size ** 0.5)
    block = os.urandom(side * side)
    paths = []
    for i in range(count):
        with pikepdf.open(base) as pdf:
            data = i.to_bytes(8, "big") + block[8:]
            image = pdf.make_stream(data, Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image, Width=side,
                                    Height=side, ColorSpace=pikepdf.Name.DeviceGray, BitsPerComponent=8)
            pdf.pages[0].Resources.XObject = pikepdf.Dictionary(Im0=image)
            path = folder / "files" / f"study-{i:03d}-report.pdf"
            path.parent.mkdir(exist_ok=True)
            pdf.save(path, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.none)
        paths.append(path)
    return paths


# Peak memory is the child's VmHWM: ru_maxrss would carry over the benchmark's own size across exec.
CHILD = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
def hwm_mb():
    for line in open('/proc/self/status'):
        if line.startswith('VmHWM'):
            return int(line.split()[1]) / 1024
from dossier.build import build_sequence
from dossier.service import Dossier
started = time.perf_counter()
with Dossier.open({dossier!r}) as dossier:
    result = build_sequence(dossier, {app!r}, draft=True)
elapsed = time.perf_counter() - started
print(json.dumps({{"elapsed": elapsed, "timings": result.timings, "counts": result.counts,
                  "peak_mb": hwm_mb(), "rendered": result.rendered,
                  "high": sum(f.severity == "high" for f in result.findings)}}))
"""


def bench_large(folder: Path, count: int, total_mb: int) -> None:
    from dossier.service import Dossier

    started = time.perf_counter()
    files = big_pdfs(folder, count, total_mb)
    case = folder / "large.dossier"
    make_demo(case)
    with Dossier.open(case) as d:
        rows = list(d.get("nonclinical.pharmacology.studies") or [])
        first = len(rows)
        for i, path in enumerate(files):
            d.attach(f"nonclinical.pharmacology.studies[{first + i}].report", path)
        rows = d.get("nonclinical.pharmacology.studies")
        for i in range(len(files)):
            rows[first + i].update(study=f"BENCH-{i:03d}", system="Patient fibroblasts", purpose="Efficacy")
        d.set("nonclinical.pharmacology.studies", rows)
    total = sum(p.stat().st_size for p in files)
    print(f"large: {count} attachments, {total / 1e9:.2f} GB, prepared in {time.perf_counter() - started:.1f} s")
    md5_elapsed = _md5_files(files)
    # Twice: on a VM the first build's writes also pay for the guest's first touch of page-cache
    # memory; the second (after removing the first output) shows the steady state.
    # Last, with the documents taken from the render cache: what copying the attachments costs alone.
    app = folder / "large-app"
    for attempt in ("first build", "repeat build", "build with documents cached"):
        if attempt.endswith("cached"):
            for entry in app.iterdir():
                if entry.name != ".cache":
                    shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
        else:
            shutil.rmtree(app, ignore_errors=True)
        out = subprocess.run([sys.executable, "-c", CHILD.format(root=str(ROOT), dossier=str(case), app=str(app))],
                             capture_output=True, text=True, env=os.environ)
        if out.returncode:
            sys.exit(out.stderr)
        _report_large(attempt, json.loads(out.stdout.strip().splitlines()[-1]), total, md5_elapsed)


def _md5_files(files: list[Path]) -> float:
    started = time.perf_counter()
    for path in files:
        digest = hashlib.md5()
        with open(path, "rb", buffering=0) as fh:
            while chunk := fh.read(4 << 20):
                digest.update(chunk)
    return time.perf_counter() - started


def _report_large(attempt: str, result: dict, total: int, md5_elapsed: float) -> None:
    build_rate, md5_rate = total / result["elapsed"] / 1e6, total / md5_elapsed / 1e6
    print(f"  {attempt}: {result['elapsed']:.2f} s = {build_rate:.0f} MB/s ({result['rendered']} documents rendered "
          f"meanwhile); hashlib.md5 over the same bytes {md5_elapsed:.2f} s = {md5_rate:.0f} MB/s; "
          f"ratio {build_rate / md5_rate * 100:.0f} % (target ≥ 60 %)")
    print(f"    steps {result['timings']}; {result['counts']['new']} leaves, {result['high']} high findings; "
          f"peak memory {result['peak_mb']:.0f} MB (target < 300 MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--attachments", type=int, default=200)
    parser.add_argument("--total-mb", type=int, default=2048, help="total size of the generated attachments")
    parser.add_argument("--skip-large", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        folder = Path(tmp)
        ensure_standards(folder)
        print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
        bench_demo(folder, args.runs)
        if not args.skip_large:
            bench_large(folder, args.attachments, args.total_mb)


if __name__ == "__main__":
    main()
