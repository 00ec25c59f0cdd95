"""A condition flip in the desktop app (offscreen): the user sets the demo's "Parenteral product" to No
and back, which hides and shows Sterility assurance and Endotoxin limit in the open CMC section.

Printed, as medians over the flips (GUI thread, milliseconds):
- re-lay: the re-evaluation of the parts that depend on the changed field plus the section's new
  layout and paint (target ≤ 16 ms);
- whole flip: from the choice to the section painted, including validating, saving and auditing the
  value in the SQLite file.

    QT_QPA_PLATFORM=offscreen python bench/bench_condition_flip.py [FLIPS]
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def settle(seconds: float) -> None:
    from PySide6.QtWidgets import QApplication

    end = time.perf_counter() + seconds
    while time.perf_counter() < end:  # the debounced readiness refresh runs here, outside the timings
        QApplication.processEvents()


def flips(demo: Path, count: int) -> None:
    from PySide6.QtWidgets import QApplication

    from ui.app import open_main_window

    window = open_main_window(demo)
    window.resize(1280, 800)
    form = window.select_section("cmc.product")
    combo = form.editors["cmc.product.parenteral"].combo
    sterility = form.editors["cmc.product.sterility"]
    evaluate: list[float] = []
    refresh = form.refresh_conditions

    def timed(changed, get):
        started = time.perf_counter()
        try:
            return refresh(changed, get)
        finally:
            evaluate.append(time.perf_counter() - started)

    form.refresh_conditions = timed
    relay, whole = [], []
    settle(0.3)
    for i in range(count):
        hide = i % 2 == 0
        evaluate_before = len(evaluate)
        started = time.perf_counter()
        combo.setCurrentText("No" if hide else "Yes")  # the user's choice: validated and saved at once
        saved = time.perf_counter()
        QApplication.sendPostedEvents()   # the layout request the shown/hidden rows posted
        QApplication.processEvents()      # and the paint
        painted = time.perf_counter()
        assert sterility.isHidden() == hide and len(evaluate) == evaluate_before + 1
        relay.append((evaluate[-1] + painted - saved) * 1000)
        whole.append((painted - started) * 1000)
        settle(0.2)
    window.close_dossier()
    print(f"condition flip, the demo's CMC drug product section ({len(form.editors)} fields), {count} flips:")
    print(f"  re-lay (re-evaluate the dependent parts, lay out and paint the section): median "
          f"{statistics.median(relay):.2f} ms, worst {max(relay):.2f} ms (target ≤ 16 ms)")
    print(f"    of which re-evaluation: median {statistics.median(evaluate) * 1000:.3f} ms")
    print(f"  whole flip (choice → validated, saved, audited → section painted): median "
          f"{statistics.median(whole):.2f} ms, worst {max(whole):.2f} ms")


def main() -> None:
    from dossier.paths import demo_dir
    from dossier.textform import import_dossier

    count = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    with tempfile.TemporaryDirectory() as tmp:
        demo = Path(tmp) / "demo.dossier"
        import_dossier(demo_dir(), demo)
        flips(demo, count)


if __name__ == "__main__":
    main()
