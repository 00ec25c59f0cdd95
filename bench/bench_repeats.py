"""Repeatable groups: adding, moving and removing an instance of a repeated section of 20 fields (every
field filled, in every instance), and a readiness check of a dossier of 10 instances.

    python bench/bench_repeats.py [--runs 11]

The content model is made here: a product section, a repeated section of 20 fields (text, numbers
with units, a choice, a table, a condition and a required field) whose repeat allows 30 instances, and a
second section sharing the repeat, with a check comparing two of its numbers per instance. Moving
instance 0 to the end of 10 rewrites every value of all 10 (220 values); removing instance 0 shifts
the other 9 down. Each operation is one transaction on a real file.
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
from bench_cli_start import _load  # noqa: E402  (the machine's load, shown with the figures)

INSTANCES = 10


def model():
    from dossier.model_reader import parse_model

    fields = [{"id": "name", "label": "Name", "type": "text", "required": True},
              {"id": "kind", "label": "Kind", "type": "choice", "choices": ["mRNA", "Guide RNA", "Lipid"]},
              {"id": "sequence", "label": "Sequence", "type": "text", "required": True,
               "when": {"field": "cmc.substance.kind", "in": ["mRNA", "Guide RNA"]}},
              {"id": "batches", "label": "Batches", "type": "table",
               "columns": [{"id": "lot", "label": "Lot", "type": "text"},
                           {"id": "assay", "label": "Assay", "type": "number", "units": ["mg/mL"]}]}]
    fields += [{"id": f"note_{i}", "label": f"Note {i}", "type": "longtext"} for i in range(8)]
    fields += [{"id": f"amount_{i}", "label": f"Amount {i}", "type": "number", "units": ["mg", "g"]} for i in range(8)]
    raw = {"version": 1,
           "repeats": [{"id": "substances", "label": "Drug substance", "name": "cmc.substance.name", "max": 30}],
           "areas": [{"id": "product", "title": "Product", "sections": [
                          {"id": "overview", "title": "Overview", "fields": [
                              {"id": "name", "label": "Product", "type": "text", "required": True}]}]},
                     {"id": "cmc", "title": "CMC", "sections": [
                          {"id": "substance", "title": "Drug substance", "repeat": "substances", "fields": fields},
                          {"id": "potency", "title": "Potency", "repeat": "substances", "fields": [
                              {"id": "ec50", "label": "EC50", "type": "number", "units": ["nM"]},
                              {"id": "limit", "label": "Limit", "type": "number", "units": ["nM"]}]}]}],
           "elements": [{"id": "made", "title": "Substances made", "fields": ["cmc.substance.sequence"]}],
           "documents": [{"id": "x", "title": "X", "template": "x.j2",
                          "ectd": {"heading": "m2-5", "folder": "m2/25-clin-over", "file": "x.pdf"}}],
           "checks": [{"id": "limit", "kind": "compare", "severity": "error", "left": "cmc.potency.ec50",
                       "op": "<=", "right": "cmc.potency.limit", "message": "EC50 above its limit"}]}
    assert len(fields) == 20
    return parse_model(raw, Path("bench-repeats.yaml"))


def instance_values(i: int) -> dict:
    values = {f"cmc.substance[{i}].name": f"Substance {i}", f"cmc.substance[{i}].kind": "mRNA",
              f"cmc.substance[{i}].sequence": "AUGGCCUAA" * 20,
              f"cmc.substance[{i}].batches": [{"lot": f"L-{i}-{r}", "assay": f"{98 + r / 10} mg/mL"} for r in range(5)],
              f"cmc.potency[{i}].ec50": f"{i + 1} nM", f"cmc.potency[{i}].limit": "5 nM"}
    values.update({f"cmc.substance[{i}].note_{n}": f"Note {n} of substance {i}. " * 10 for n in range(8)})
    values.update({f"cmc.substance[{i}].amount_{n}": f"{n + 1}.5 mg" for n in range(8)})
    return values


def timed(times: list[float], work, *args):
    """Run `work(*args)`, adding its time to `times`; returns its result."""
    started = time.perf_counter()
    result = work(*args)
    times.append(time.perf_counter() - started)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11, help="runs of each operation (default 11)")
    runs = parser.parse_args().runs
    from dossier.service import Dossier

    content_model = model()
    figures: dict[str, list[float]] = {"add": [], "move": [], "remove": [], "restore": [], "check": []}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.dossier"
        with Dossier.create(path, "Bench", model=content_model) as d:
            d.set("product.overview.name", "Bench product")
            for i in range(INSTANCES):
                d.set_many(instance_values(i))
            assert len(d.check().findings) == 5  # instances 5…9: EC50 above the limit
            for run in range(runs):
                timed(figures["add"], d.add_instance, "substances", f"Extra {run}")
                d.remove_instance("substances", INSTANCES)
                timed(figures["move"], d.move_instance, "substances", 0, INSTANCES - 1)
                removed = timed(figures["remove"], d.remove_instance, "substances", 0)
                timed(figures["restore"], d.restore_instance, "substances", 0, removed)
                timed(figures["check"], d.check)
            assert d.instances("substances")[0] == f"Substance {runs % INSTANCES}"
    print(f"Repeatable groups: {INSTANCES} instances of a section of 20 fields plus one of 2 sharing the repeat "
          f"({os.cpu_count()} CPUs, load {_load()}, {runs} runs each)")
    said = {"add": "add an instance (its name)", "move": f"move [0] to [{INSTANCES - 1}] (rewrites all)",
            "remove": "remove [0] (shifts 9 down)", "restore": "restore it at [0] (undo)",
            "check": f"readiness check, {INSTANCES} instances"}
    for key, times in figures.items():
        print(f"  {said[key]:<38} median {statistics.median(times) * 1000:7.1f} ms   "
              f"fastest {min(times) * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
