"""A headless self-test of an installation (a wheel or the desktop bundle): make the demo dossier
in a temporary folder, check it, build its first sequence, validate it, and report each step.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from .errors import DossierError


def run(say: Callable[[str], None] = print, standards: str | Path | None = None) -> bool:
    """True only if every step holds. `standards`: a file or folder to install the official eCTD
    standard files from first (they are not part of the product)."""
    ok = _steps(say, standards)
    say("self-test passed" if ok else "self-test FAILED")
    return ok


def _steps(say: Callable[[str], None], standards: str | Path | None) -> bool:
    from . import standards as std
    from .build import build_sequence
    from .ectd.validate import blocking, validate_sequence
    from .paths import demo_dir, templates_dir
    from .service import Dossier
    from .textform import import_dossier

    ok = True

    def step(name: str, action: Callable[[], str]) -> None:
        nonlocal ok
        started = time.perf_counter()
        try:
            detail = action()
        except (DossierError, OSError) as exc:
            ok = False
            say(f"FAIL {name}: {exc}")
            return
        say(f"ok   {name} ({time.perf_counter() - started:.2f} s){': ' + detail if detail else ''}")

    with tempfile.TemporaryDirectory(prefix="dossier-selftest-") as tmp:
        work = Path(tmp)
        dossier_path = work / "demo.dossier"
        step("resources and templates found",
             lambda: f"{demo_dir()} and {sum(1 for _ in templates_dir().glob('*.j2'))} templates")
        if standards is not None:
            step("official standard files installed", lambda: ", ".join(std.install(standards)))
        step("demo dossier created", lambda: str(import_dossier(demo_dir(), dossier_path).name))
        step("units converted", _convert_units)

        def check() -> str:
            with Dossier.open(dossier_path) as dossier:
                report = dossier.check()
            report.require_ready("build of the demo")
            return ", ".join(f"{e.id} {e.state}" for e in report.elements)

        step("readiness check", check)
        if not ok:
            return False
        built = {}

        def build() -> str:
            with Dossier.open(dossier_path) as dossier:
                result = build_sequence(dossier, work / "application")
            built["path"] = result.path
            return f"sequence {result.number}, {result.rendered} document(s) rendered"

        step("sequence 0001 built", build)
        if not ok:
            return False

        def validate() -> str:
            findings = validate_sequence(built["path"])
            blockers = blocking(findings)
            if blockers:
                raise DossierError("; ".join(str(f) for f in blockers[:5]))
            return f"nothing blocks it ({len(findings)} finding(s) that do not)"

        step("sequence validated", validate)
    return ok


def _convert_units() -> str:
    """A weight-based dose through pint: a bundle that lost pint's unit files fails here."""
    from . import quantities

    try:
        dose = quantities.product([(0.1, "mg/kg", 1), (20, "kg", 1)], "mg")
    except Exception as exc:  # whatever pint raises, the self-test reports it
        raise DossierError(f"pint cannot convert units: {exc}") from None
    if dose != 2:
        raise DossierError(f"0.1 mg/kg × 20 kg gave {dose} mg, not 2 mg")
    return "0.1 mg/kg × 20 kg = 2 mg"

