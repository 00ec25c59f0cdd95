"""What unit conversions cost: pint's registry in a fresh process (its cache cold and warm), one
conversion once it is built, and `dossier check` on the demo with a fixed dose (no conversion, pint
not loaded) against a weight-based one (0.1 mg/kg × body weight: pint loaded).

    python bench/bench_units.py [--runs 7]

Prints medians (and fastest) of fresh processes run round-robin, so other load spreads over all.
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

FIRST = ("import time; t = time.perf_counter(); from dossier import quantities; "
         "quantities.product([(0.1, 'mg/kg', 1), (20, 'kg', 1)], 'mg'); print(time.perf_counter() - t)")
ENTRY = "import sys; from dossier.cli import main; sys.exit(main())"


def _seconds(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def _first_conversion(env: dict[str, str]) -> float:
    out = subprocess.run([sys.executable, "-c", FIRST], env=env, check=True, capture_output=True, text=True)
    return float(out.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    from dossier import quantities
    from dossier.paths import demo_dir
    from dossier.service import Dossier
    from dossier.textform import import_dossier

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env = {**os.environ, "DOSSIER_CACHE_DIR": str(work / "cache"), "DOSSIER_USER": "bench"}
        fixed, weight_based = work / "fixed.dossier", work / "weight.dossier"
        import_dossier(demo_dir(), fixed)
        import_dossier(demo_dir(), weight_based)
        with Dossier.open(weight_based) as dossier:
            dossier.set("clinical.dosing.starting_dose", "0.1 mg/kg")
        cold = []
        for i in range(runs):
            cold.append(_first_conversion({**env, "DOSSIER_CACHE_DIR": str(work / f"cold{i}")}))
        timings: dict[str, list[float]] = {"first conversion, pint cache warm": [], "check, fixed dose": [],
                                           "check, weight-based dose": []}
        _first_conversion(env)  # fills the cache
        for _ in range(runs):
            timings["first conversion, pint cache warm"].append(_first_conversion(env))
            timings["check, fixed dose"].append(_seconds([sys.executable, "-c", ENTRY, "check", str(fixed)], env))
            timings["check, weight-based dose"].append(
                _seconds([sys.executable, "-c", ENTRY, "check", str(weight_based)], env))
        timings = {"first conversion, pint cache cold": cold, **timings}
        quantities.registry()
        started = time.perf_counter()
        for _ in range(1000):
            quantities.product([(0.1, "mg/kg", 1), (20, "kg", 1)], "mg")
        each = (time.perf_counter() - started) / 1000
    print(f"{runs} fresh processes each, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    for name, values in timings.items():
        print(f"{name:36} median {statistics.median(values):.3f} s   fastest {min(values):.3f} s")
    print(f"{'one conversion, registry built':36} {each * 1e6:.0f} µs")


if __name__ == "__main__":
    main()
