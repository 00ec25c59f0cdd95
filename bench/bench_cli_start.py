"""Cold start of the short `dossier` commands: each run is a fresh Python process, as a user's.

    python bench/bench_cli_start.py [--runs 11]

Prints the median (and fastest) wall time of `dossier get`, `set`, `fields` and `check` on the demo
dossier, next to Python's own start (`python -c pass`) for comparison. Commands run round-robin so
that load from other programs spreads over all of them. "model cache cold" is one `get` with an
empty content-model cache (the first run after an install or a model change). Target: ≤ 0.25 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENTRY = "import sys; from dossier.cli import main; sys.exit(main())"  # what the `dossier` script runs
NEW_VALUE = "new value"  # stands for a value that differs each run, so that every `set` writes


def _time(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11, help="fresh processes per command (default 11)")
    runs = parser.parse_args().runs
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DOSSIER_USER": "bench"}
    with tempfile.TemporaryDirectory() as tmp:
        demo = Path(tmp) / "demo.dossier"
        dossier = [sys.executable, "-c", ENTRY]
        subprocess.run([*dossier, "demo", str(demo)], env=env, check=True, stdout=subprocess.DEVNULL)
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "dossier get": [*dossier, "get", str(demo), "genetic.variant.hgvs"],
            "dossier set": [*dossier, "set", str(demo), "module1.sponsor.duns", NEW_VALUE],
            "dossier fields": [*dossier, "fields", str(demo)],
            "dossier check": [*dossier, "check", str(demo)],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        for run in range(runs):
            for name, argv in commands.items():
                times[name].append(_time([f"{run:09d}" if a is NEW_VALUE else a for a in argv], env))
        cold = [_time(commands["dossier get"], {**env, "DOSSIER_CACHE_DIR": str(Path(tmp) / f"cache{n}")})
                for n in range(3)]
    print(f"cold start, {runs} fresh processes each, round-robin ({os.cpu_count()} CPUs, load {_load()})")
    for name, values in times.items():
        print(f"  {name:<16} median {statistics.median(values):.3f} s   fastest {min(values):.3f} s")
    print(f"  {'model cache cold':<16} median {statistics.median(cold):.3f} s   "
          "(dossier get, empty model cache, 3 runs)")
    print("  target: dossier get/set/fields/check ≤ 0.25 s")


def _load() -> str:
    try:
        return " ".join(f"{v:.1f}" for v in os.getloadavg())
    except OSError:
        return "n/a"


if __name__ == "__main__":
    main()
