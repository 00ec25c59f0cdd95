"""Store benchmarks: latency of committed single-field edits, and attaching a large file
(throughput next to plain hashlib.md5 over the same file, peak memory above start).

    python bench/bench_store.py [--edits 10000] [--size-mib 1024]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dossier.store import Store  # noqa: E402


def bench_edits(folder: Path, count: int) -> None:
    with Store.create(folder / "edits.dossier", "bench") as store:
        latencies = []
        for i in range(count):
            started = time.perf_counter()
            store.set(f"clinical.dosing.field_{i % 50}", {"value": i, "unit": "mg"})
            latencies.append((time.perf_counter() - started) * 1000)
    latencies.sort()
    print(f"edits: {count} single-field edits, each committed (WAL, synchronous=FULL)")
    print(f"  median {statistics.median(latencies):.3f} ms   p99 {latencies[int(count * 0.99) - 1]:.3f} ms"
          f"   max {latencies[-1]:.3f} ms   (targets: median < 1 ms, p99 < 5 ms)")


CHILD = """
import resource, sys, time
sys.path.insert(0, {root!r})
from dossier.store import Store
def rss_mb():
    for line in open('/proc/self/status'):
        if line.startswith('VmRSS'):
            return int(line.split()[1]) / 1024
start = rss_mb()
with Store.create({dossier!r}, 'bench') as store:
    t = time.perf_counter()
    store.attach('big.bin', {source!r})
    elapsed = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(elapsed, start, peak)
"""


def bench_attach(folder: Path, size_mib: int) -> None:
    source = folder / "big.bin"
    with open(source, "wb") as fh:
        for _ in range(size_mib):
            fh.write(os.urandom(1 << 20))
    size = source.stat().st_size
    root = str(Path(__file__).resolve().parents[1])
    out = subprocess.run([sys.executable, "-c", CHILD.format(root=root, dossier=str(folder / "big.dossier"),
                                                            source=str(source))],
                         capture_output=True, text=True, check=True).stdout.split()
    elapsed, start_mb, peak_mb = map(float, out)
    started = time.perf_counter()
    digest = hashlib.md5()
    with open(source, "rb") as fh:
        while chunk := fh.read(4 << 20):
            digest.update(chunk)
    md5_elapsed = time.perf_counter() - started
    started = time.perf_counter()
    copy = folder / "copy.bin"
    with open(source, "rb") as src, open(copy, "wb") as dst:
        while chunk := src.read(4 << 20):
            dst.write(chunk)
        dst.flush()
        os.fsync(dst.fileno())
    copy_elapsed = time.perf_counter() - started
    copy.unlink()
    mb = size / 1e6
    print(f"attach: {size_mib} MiB file (SHA-256 + MD5 + blob write, one pass, committed)")
    print(f"  attach {mb / elapsed:.0f} MB/s   hashlib.md5 alone {mb / md5_elapsed:.0f} MB/s"
          f"   ratio {100 * md5_elapsed / elapsed:.0f} % (target >= 70 %)")
    print(f"  durable copy of the same file (read, write, fsync; the disk's bound) {mb / copy_elapsed:.0f} MB/s"
          f"   attach reaches {100 * copy_elapsed / elapsed:.0f} % of it")
    print(f"  memory: start {start_mb:.0f} MB, peak {peak_mb:.0f} MB, "
          f"+{peak_mb - start_mb:.0f} MB above start (target < 100 MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--edits", type=int, default=10_000)
    parser.add_argument("--size-mib", type=int, default=1024)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
        bench_edits(Path(tmp), args.edits)
        bench_attach(Path(tmp), args.size_mib)


if __name__ == "__main__":
    main()
