"""Store benchmarks: latency of committed single-field edits, and attaching a large file
(throughput next to plain hashlib.md5 over the same file, peak memory above start).

    python bench/bench_store.py [--edits 10000] [--size-mib 1024] [--rounds 3]

On a shared or noisy machine, each attach round runs in a fresh process and is followed by a plain
MD5 pass and a durable copy of the same file; the best of each over the rounds is reported.
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dossier.store import Store  # noqa: E402


def bench_edits(folder: Path, count: int) -> None:
    with Store.create(folder / "edits.dossier", "bench") as store:
        latencies = []
        for i in range(count):
            started = time.perf_counter()
            store.set(f"clinical.dosing.field_{i % 50}", {"value": i, "unit": "mg"})
            latencies.append((time.perf_counter() - started) * 1000)
    latencies.sort()
    print(f"edits: {count} single-field edits through Store.set, each committed (WAL, synchronous=FULL)")
    print(f"  median {statistics.median(latencies):.3f} ms   p99 {latencies[int(count * 0.99) - 1]:.3f} ms"
          f"   max {latencies[-1]:.3f} ms   (targets: median < 1 ms, p99 < 5 ms)")


CHILD = """
import resource, sys, time
sys.path.insert(0, {root!r})
from dossier.store import Store
def peak_mb():
    try:
        for line in open('/proc/self/status'):
            if line.startswith('VmHWM'):
                return int(line.split()[1]) / 1024
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
store = Store.create({dossier!r}, 'bench')
start = peak_mb()  # the high-water mark so far (imports, open); attaching must not raise it much
cpu0, t = time.process_time(), time.perf_counter()
store.attach('big.bin', {source!r})
elapsed, cpu = time.perf_counter() - t, time.process_time() - cpu0
peak = peak_mb()
store.close()
print(elapsed, cpu, start, peak)
"""


def _attach_once(folder: Path, source: Path) -> tuple[float, float, float, float]:
    dossier = folder / "big.dossier"
    code = CHILD.format(root=str(ROOT), dossier=str(dossier), source=str(source))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    dossier.unlink()
    elapsed, cpu, start_mb, peak_mb = map(float, out.split())
    return elapsed, cpu, start_mb, peak_mb


def _md5_once(source: Path) -> float:
    started = time.perf_counter()
    digest = hashlib.md5()
    with open(source, "rb") as fh:
        while chunk := fh.read(4 << 20):
            digest.update(chunk)
    return time.perf_counter() - started


def _durable_copy_once(folder: Path, source: Path) -> float:
    copy = folder / "copy.bin"
    started = time.perf_counter()
    with open(source, "rb") as src, open(copy, "wb") as dst:
        while chunk := src.read(4 << 20):
            dst.write(chunk)
        dst.flush()
        os.fsync(dst.fileno())
    elapsed = time.perf_counter() - started
    copy.unlink()
    return elapsed


def bench_attach(folder: Path, size_mib: int, rounds: int) -> None:
    source = folder / "big.bin"
    with open(source, "wb") as fh:
        for _ in range(size_mib):
            fh.write(os.urandom(1 << 20))
        fh.flush()
        os.fsync(fh.fileno())  # so its write-back does not run during the timings
    mb = source.stat().st_size / 1e6
    attaches, md5s, copies = [], [], []
    for _ in range(rounds):
        attaches.append(_attach_once(folder, source))
        md5s.append(_md5_once(source))
        copies.append(_durable_copy_once(folder, source))
    source.unlink()
    elapsed, cpu, start_mb, peak_mb = min(attaches)
    md5_elapsed, copy_elapsed = min(md5s), min(copies)
    print(f"attach: {size_mib} MiB file via Store.attach (SHA-256 + MD5 + blob write in one pass, committed), "
          f"best of {rounds}")
    print(f"  attach {mb / elapsed:.0f} MB/s (rounds: {', '.join(f'{mb / a[0]:.0f}' for a in attaches)})"
          f"   hashlib.md5 alone {mb / md5_elapsed:.0f} MB/s (rounds: {', '.join(f'{mb / m:.0f}' for m in md5s)})")
    print(f"  ratio attach / md5 {100 * md5_elapsed / elapsed:.0f} % (target >= 70 %)   "
          f"CPU time of the attach {cpu:.2f} s for {elapsed:.2f} s wall")
    print(f"  durable copy of the same file (read, write, fsync: the disk's bound) {mb / copy_elapsed:.0f} MB/s"
          f"   attach reaches {100 * copy_elapsed / elapsed:.0f} % of it")
    worst = max(a[3] - a[2] for a in attaches)
    print(f"  memory: start {start_mb:.0f} MB, peak {peak_mb:.0f} MB, +{peak_mb - start_mb:.0f} MB above start"
          f" (worst round +{worst:.0f} MB; target < 100 MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--edits", type=int, default=10_000)
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
        bench_edits(Path(tmp), args.edits)
        bench_attach(Path(tmp), args.size_mib, args.rounds)


if __name__ == "__main__":
    main()
