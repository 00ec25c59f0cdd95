"""`dossier set FILE --from VALUES.yaml` with 150 values: the whole command in a fresh process, as a
user runs it, and the work itself inside one process (reading the file, validating every value,
one transaction).

    python bench/bench_set_from.py [--runs 11]

The values are the demo dossier's (less its attachment references), 150 of them: whole fields, and
one table cell by cell. Every run writes them into a fresh empty dossier, so every value is stored.
Target: ≤ 0.5 s for the command.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from bench_cli_start import _load, _time  # a fresh process timed as there; the machine's load

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
ENTRY = "import sys; from dossier.cli import main; sys.exit(main())"  # what the `dossier` script runs
CELLS_OF = "clinical.natural_history.data"


def values_150(demo: Path) -> dict:
    """150 values from the demo: one table given cell by cell, the other fields whole."""
    from dossier.service import Dossier

    with Dossier.open(demo, read_only=True) as d:
        demo_values = d.values()
        model = d.model
    values = {}
    for path, value in demo_values.items():
        field = model.fields[path]
        if field.type == "table":  # a fresh dossier holds no attached files to name
            drop = {c.id for c in field.columns if c.type == "attachment"}
            value = [{k: v for k, v in row.items() if k not in drop} for row in value]
        values[path] = value
    cells = {f"{CELLS_OF}[{i}].{column}": cell
             for i, row in enumerate(values.pop(CELLS_OF)) for column, cell in row.items()}
    chosen = {**dict(list(values.items())[: 150 - len(cells)]), **cells}
    assert len(chosen) == 150, len(chosen)
    return chosen


def in_process(empty: Path, values_file: Path, work: Path, runs: int) -> list[float]:
    from dossier.model import default_model
    from dossier.service import Dossier
    from dossier.valuesfile import read_values

    model = default_model()
    tables = [p for p, f in model.fields.items() if f.type == "table"]
    fields = {path.split("[")[0] for path in yaml.safe_load(values_file.read_text(encoding="utf-8"))}
    times = []
    for run in range(runs + 1):
        target = work / f"in-process-{run}.dossier"
        shutil.copyfile(empty, target)
        started = time.perf_counter()
        values = read_values(values_file, model.fields, tables)
        with Dossier.open(target) as d:
            changed = d.set_many(values.values)
        elapsed = time.perf_counter() - started
        assert not values.problems and len(changed) == len(fields), (values.problems, len(changed))
        if run:  # the first run also imports the HGVS parser and the HPO terms
            times.append(elapsed)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11, help="fresh processes (default 11)")
    runs = parser.parse_args().runs
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DOSSIER_USER": "bench"}
    dossier = [sys.executable, "-c", ENTRY]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        demo, empty = work / "demo.dossier", work / "empty.dossier"
        subprocess.run([*dossier, "demo", str(demo)], env=env, check=True, stdout=subprocess.DEVNULL)
        subprocess.run([*dossier, "new", str(empty), "--title", "Bench"], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        values_file = work / "values.yaml"
        values_file.write_text(yaml.safe_dump(values_150(demo), allow_unicode=True, sort_keys=False), encoding="utf-8")
        command, python = [], []
        for run in range(runs):
            target = work / f"run-{run}.dossier"
            shutil.copyfile(empty, target)
            command.append(_time([*dossier, "set", str(target), "--from", str(values_file)], env))
            python.append(_time([sys.executable, "-c", "pass"], env))
        inside = in_process(empty, values_file, work, runs)
    print(f"dossier set --from, 150 values into a fresh dossier ({os.cpu_count()} CPUs, load {_load()})")
    print(f"  whole command, fresh process  median {statistics.median(command):.3f} s   fastest {min(command):.3f} s"
          f"   ({runs} runs)")
    print(f"  python -c pass                median {statistics.median(python):.3f} s")
    print(f"  in one process (read, validate, one transaction)  median {statistics.median(inside):.3f} s   "
          f"fastest {min(inside):.3f} s")
    print("  target: the command ≤ 0.5 s")


if __name__ == "__main__":
    main()
