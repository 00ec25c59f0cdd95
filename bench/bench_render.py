"""Render every document of the demo dossier to DOCX and PDF (wall time, peak memory), then time
the route a team would otherwise take: LibreOffice converting the same DOCX files to PDF.

    python bench/bench_render.py
"""

from __future__ import annotations

import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dossier.paths import demo_dir  # noqa: E402
from dossier.render import render_all, snapshot  # noqa: E402
from dossier.service import Dossier  # noqa: E402
from dossier.textform import import_dossier  # noqa: E402


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        import_dossier(demo_dir(), tmp / "demo.dossier")
        with Dossier.open(tmp / "demo.dossier") as dossier:
            inp = snapshot(dossier)
        render_all(inp, tmp / "warm", draft=True)  # imports, fonts, template compilation
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        started = time.perf_counter()
        results = render_all(inp, tmp / "out")
        ours = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        docs = len(results)
        print(f"render: {docs} documents x 2 formats in {ours:.2f} s ({ours / docs * 1000:.0f} ms a document); "
              f"peak RSS {peak:.0f} MB (was {before:.0f} MB before rendering)")
        soffice = shutil.which("soffice")
        if not soffice:
            print("LibreOffice (soffice) not installed: comparison skipped")
            return
        files = [str(f["docx"]) for f in results.values()]
        subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp / "lo-warm"), files[0]],
                       capture_output=True, check=True)
        started = time.perf_counter()
        subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp / "lo"), *files],
                       capture_output=True, check=True)
        theirs = time.perf_counter() - started
        started = time.perf_counter()
        for f in files:  # as a user converting file by file: one soffice start per document
            subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp / "lo1"), f],
                           capture_output=True, check=True)
        one_by_one = time.perf_counter() - started
        print(f"LibreOffice DOCX -> PDF of the same {docs} files: {theirs:.2f} s in one soffice call, "
              f"{one_by_one:.2f} s one file per call")
        print(f"ratio: our whole render (both formats) is {theirs / ours:.1f}x faster than LibreOffice's batch "
              f"conversion alone, {one_by_one / ours:.1f}x faster than converting file by file (target >= 10x)")


if __name__ == "__main__":
    main()
