"""`dossier merge` of two copies of the largest built-in case with 100 edits each (target ≤ 1 s).

    python bench/bench_merge.py [--runs 7] [--case NAME]

BASE is the built-in case holding the most values (`dossier demo --list`), or the one named; OURS
and THEIRS are copies of it, each with 100 edits of its own (one `set` each, so 100 history entries
each): text fields and text cells of table rows, disjoint between the two sides, and new table rows,
so the merge has no conflict and combines all 200. Timed: the merge as the command does it (read the
three copies, merge, write the result and rename it into place), into a dossier file and into an
exported folder, median of --runs; and the whole command in a fresh process once per run.
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

from bench_cli_start import _load  # the machine's load, as every bench reports it

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
ENTRY = "import sys; from dossier.cli import main; sys.exit(main())"  # what the `dossier` script runs
EDITS = 100


def edits(case: Path, side: str, n: int) -> list[dict]:
    """`EDITS` edits, chosen by type only: every other text field of the model and text cell of the
    case's table rows (side n of 2 takes its own half), then new rows in its half of the tables whose
    required columns are all text."""
    from dossier.fieldpath import cell_path
    from dossier.service import Dossier

    with Dossier.open(case, read_only=True) as d:
        values, model = d.values(), d.model
    places = [p for p, f in model.fields.items()
              if f.type in ("text", "longtext") and f.max_length is None and model.repeat_of(p) is None]
    for path, rows in values.items():
        field = model.field(path)
        if field.type == "table":
            places += [cell_path(path, i, c.id) for i in range(len(rows)) for c in field.columns
                       if c.type in ("text", "longtext") and c.id not in set(field.row_key)]
    tables = [f for f in model.fields.values() if f.type == "table" and model.repeat_of(f.path) is None]
    chosen = [{place: f"{side} edit of {place}"} for place in places[n::2]][:EDITS]
    open_tables = [f for f in tables if all(c.type == "text" for c in f.columns if c.required)][n::2]
    k = 0
    while len(chosen) < EDITS:
        field = open_tables[k % len(open_tables)]
        row = len(values.get(field.path, [])) + k // len(open_tables)
        chosen.append({cell_path(field.path, row, c.id): f"{side} row {k}" for c in field.columns if c.required})
        k += 1
    return chosen


def largest_case(work: Path, name: str | None) -> tuple[Path, str]:
    """The built-in case `name`, else the one holding the most values (the largest dossier to merge)."""
    from dossier.cases import builtin_cases, make_case
    from dossier.service import Dossier

    sizes = {}
    for case in builtin_cases():
        if name in (None, case.name):
            path = make_case(case.name, work / f"case-{case.name}.dossier")
            with Dossier.open(path, read_only=True) as d:
                sizes[(path, case.name)] = len(d.values())
    if not sizes:
        sys.exit(f"no built-in case named {name!r}; `dossier demo --list` lists them")
    return max(sizes, key=lambda p: sizes[p])


def make_copies(work: Path, case: str | None) -> tuple[Path, Path, Path, str]:
    from dossier.service import Dossier

    base = work / "base.dossier"
    source, name = largest_case(work, case)
    shutil.copyfile(source, base)
    sides = []
    for n, side in enumerate(("ours", "theirs")):
        path = work / f"{side}.dossier"
        shutil.copyfile(base, path)
        with Dossier.open(path) as d:
            for edit in edits(base, side, n):
                d.set_many(edit)
        sides.append(path)
    return base, sides[0], sides[1], name


def check(work: Path, base: Path) -> int:
    """The merge is right: it equals the base with both sides' edits applied. Returns its history's length."""
    from dossier.diffing import diff
    from dossier.model import default_model
    from dossier.service import Dossier
    from dossier.snapshot import read_snapshot

    both = work / "both.dossier"
    shutil.copyfile(base, both)
    with Dossier.open(both) as d:
        for n, name in enumerate(("ours", "theirs")):
            for edit in edits(base, name, n):
                d.set_many(edit)
    found = diff(read_snapshot(both), read_snapshot(work / "m0.dossier"), default_model())
    if found:
        sys.exit(f"the merge differs from both sides' edits applied: {found[0].text()}")
    with Dossier.open(work / "m0.dossier", read_only=True) as d:
        return len(d.history())


def merge_once(base: Path, ours: Path, theirs: Path, out: Path) -> float:
    from dossier.merging import merge
    from dossier.model import default_model
    from dossier.snapshot import read_snapshot, write_snapshot

    model = default_model()
    start = time.perf_counter()
    result = merge(*(read_snapshot(p, model) for p in (base, ours, theirs)), model)
    assert result.merged is not None, result.conflicts
    write_snapshot(result.merged, out, model)
    return time.perf_counter() - start


def command_once(base: Path, ours: Path, theirs: Path, out: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", ENTRY, "merge", str(base), str(ours), str(theirs), "--out", str(out)],
                   check=True, capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--case", help="the built-in case to merge (default: the one holding the most values)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        base, ours, theirs, case = make_copies(work, args.case)
        merge_once(base, ours, theirs, work / "warm.dossier")  # the model loaded, modules imported
        files, folders, commands = [], [], []
        for run in range(args.runs):
            files.append(merge_once(base, ours, theirs, work / f"m{run}.dossier"))
            folders.append(merge_once(base, ours, theirs, work / f"m{run}"))
            commands.append(command_once(base, ours, theirs, work / f"c{run}.dossier"))
        entries = check(work, base)
    print(f"merge of the case '{case}', {EDITS} edits on each side ({entries} history entries in the result), "
          f"median of {args.runs} runs, load {_load()}:")
    print(f"  into a dossier file:      {statistics.median(files) * 1000:7.0f} ms  (target ≤ 1000 ms)")
    print(f"  into an exported folder:  {statistics.median(folders) * 1000:7.0f} ms")
    print(f"  `dossier merge` command:  {statistics.median(commands) * 1000:7.0f} ms  (a fresh process)")


if __name__ == "__main__":
    main()
