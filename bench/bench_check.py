"""What a full readiness check costs after one edit, as the readiness panel runs it: warm (in one
process, after a first check) and cold (a fresh process: imports, the content model, the first check),
for the largest built-in case (the most stored values; the demo's doses are fixed in mg: no conversion
needs pint) and for the demo with a weight-based maximum dose (0.1 mg/kg × body weight: derived.py
loads pint on the first check).

    python bench/bench_check.py [--runs 25] [--cold-runs 5]

Each warm run edits one field (the maximum dose, alternating between the case's own and fifty times
it), then runs Dossier.check(): the SQLite read of every value and every check of the model, the
number-reading ones and what they measure included. Prints medians and fastest, of wall time and of
the process's CPU time (on a machine shared with other work, wall time adds their share); target: warm
≤ 20 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MAXIMUM = "clinical.dosing.maximum_dose"
COLD = ("import sys, time; t = time.perf_counter(); from dossier.service import Dossier; "
        "d = Dossier.open(sys.argv[1]); r = d.check(); print(time.perf_counter() - t, len(r.findings), "
        "'pint' in sys.modules)")


def _warm(path: Path, runs: int, doses: tuple[str, str]) -> tuple[list[float], list[float], list[float],
                                                                   dict[str, int]]:
    """Per run: the check's wall time, its CPU time (what other processes on a loaded machine do not
    add), and the edit and the check together."""
    from dossier.service import Dossier

    checks, cpu, edits_and_checks, found = [], [], [], {}
    with Dossier.open(path) as dossier:
        dossier.check()  # the first check builds the model's indexes (and loads pint when a dose needs it)
        for i in range(runs):
            started = time.perf_counter()
            dossier.set(MAXIMUM, doses[i % 2])
            edited, edited_cpu = time.perf_counter(), time.process_time()
            report = dossier.check()
            done = time.perf_counter()
            cpu.append(time.process_time() - edited_cpu)
            checks.append(done - edited)
            edits_and_checks.append(done - started)
            found[doses[i % 2]] = len(report.findings)
    return checks, cpu, edits_and_checks, found


def _cold(path: Path, env: dict[str, str]) -> tuple[float, str]:
    out = subprocess.run([sys.executable, "-c", COLD, str(path)], env=env, check=True, capture_output=True,
                         text=True).stdout.split()
    return float(out[0]), out[2]


def _largest_case(work: Path) -> tuple[str, Path, tuple[str, str]]:
    """The built-in case with the most stored values, and its maximum dose as given and fifty-fold."""
    from dossier.cases import builtin_cases, make_case
    from dossier.service import Dossier

    made = []
    for case in builtin_cases():
        path = make_case(case.name, work / f"{case.name}.dossier")
        with Dossier.open(path) as dossier:
            size, dose = len(json.dumps(dossier.values())), dossier.get(MAXIMUM)
        made.append((size, case.name, path, dose))
    _, name, path, dose = max(made, key=lambda m: m[0])
    return name, path, (f"{dose['value']} {dose['unit']}", f"{dose['value'] * 50} {dose['unit']}")


def _ms(values: list[float]) -> str:
    return f"median {statistics.median(values) * 1000:7.1f} ms   fastest {min(values) * 1000:7.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=25)
    parser.add_argument("--cold-runs", type=int, default=5)
    args = parser.parse_args()
    from dossier.paths import demo_dir
    from dossier.service import Dossier
    from dossier.textform import import_dossier

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        os.environ.setdefault("DOSSIER_USER", "bench")
        env = {**os.environ, "DOSSIER_CACHE_DIR": str(work / "cache")}
        largest, shipped, doses = _largest_case(work)
        weight_based = work / "weight.dossier"
        import_dossier(demo_dir(), weight_based)
        with Dossier.open(weight_based) as dossier:
            dossier.set(MAXIMUM, "1.75 mg/kg")  # 42 mg at 24 kg
        cases = ((f"largest case: {largest}", shipped, doses),
                 ("demo, weight-based dose", weight_based, ("1.75 mg/kg", "87.5 mg/kg")))
        print(f"full check after one edit; {args.runs} warm runs, {args.cold_runs} cold processes; "
              f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
        for name, path, doses in cases:
            checks, cpu, edits, found = _warm(path, args.runs, doses)
            cold = [_cold(path, env) for _ in range(args.cold_runs)]
            counts = ", ".join(f"{dose}: {n}" for dose, n in found.items())
            print(f"{name:30s} warm check          {_ms(checks)}   (findings with max dose {counts})")
            print(f"{'':30s} warm check, CPU     {_ms(cpu)}")
            print(f"{'':30s} warm edit + check   {_ms(edits)}")
            print(f"{'':30s} cold process check  {_ms([c[0] for c in cold])}   pint loaded: {cold[0][1]}")


if __name__ == "__main__":
    main()
