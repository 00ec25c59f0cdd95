"""What the content-model upgrade costs: the version check every open pays, and a real upgrade.

    python bench/bench_upgrade.py [--runs 21]

Prints the median of: the version check on opening a dossier with nothing to upgrade (one settings
read and a comparison); upgrading release 1's demo dossier (tests/fixtures/release-1) with a model
whose drug substances and alleles repeat (backup copy, fsync, one transaction); and reading all values
of that file read-only through the moves, next to reading the upgraded file.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dossier.service import Dossier  # noqa: E402
from dossier.upgrade import bring_forward  # noqa: E402
from tests.helpers.release1 import copy_of_release1  # noqa: E402
from tests.test_upgrade import upgrading_model  # noqa: E402


def _median_ms(samples: list[float]) -> str:
    return f"median {statistics.median(samples) * 1000:.3f} ms   fastest {min(samples) * 1000:.3f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21, help="repetitions of each measurement (default 21)")
    runs = parser.parse_args().runs
    os.environ.setdefault("DOSSIER_USER", "bench")
    model = upgrading_model()
    check, upgrade, read_old, read_new = [], [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(runs):
            folder = Path(tmp) / f"run{run}"
            folder.mkdir()
            path = copy_of_release1(folder)
            with Dossier.open(path, model=model, read_only=True) as d:
                started = time.perf_counter()
                d.values()
                read_old.append(time.perf_counter() - started)
            with Dossier.open(path) as d:  # today's model: nothing to upgrade
                started = time.perf_counter()
                bring_forward(d.store, d.model)
                check.append(time.perf_counter() - started)
            started = time.perf_counter()
            Dossier.open(path, model=model).close()
            upgrade.append(time.perf_counter() - started)
            with Dossier.open(path, model=model, read_only=True) as d:
                started = time.perf_counter()
                d.values()
                read_new.append(time.perf_counter() - started)
    print(f"content model upgrade, {runs} runs each ({os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f})")
    print(f"  version check on open, nothing to upgrade   {_median_ms(check)}")
    print(f"  open + upgrade release 1's demo (backup too) {_median_ms(upgrade)}")
    print(f"  values(), read-only through the moves       {_median_ms(read_old)}")
    print(f"  values(), the upgraded file                 {_median_ms(read_new)}")


if __name__ == "__main__":
    main()
