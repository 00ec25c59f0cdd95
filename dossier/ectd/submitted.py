"""Recording sequences as submitted: at build time with --mark-submitted, or later for a final build
once FDA has it (`dossier sequences FILE --record SEQDIR`). A record holds every file's MD5 (a
deleted leaf as path → "") and, in a setting, each leaf's heading, ID, title and fingerprint.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from .. import standards as std
from ..errors import DossierError
from . import lifecycle
from .leaf import Plan
from .readback import SEQUENCE_NAME, files_in
from .validate import blocking, validate_sequence
from .writer import remove_tree

if TYPE_CHECKING:
    from ..service import Dossier


def next_number(recorded: list[str]) -> str:
    return f"{max((int(n) for n in recorded), default=0) + 1:04d}"


def files_record(plan: Plan, md5s: dict[str, str]) -> dict[str, str]:
    files = dict(md5s)
    files.update({leaf.path: "" for leaf in plan.leaves if leaf.operation == "delete" and leaf.path not in files})
    return files


def record(dossier: Dossier, plan: Plan, md5s: dict[str, str], final: Path) -> None:
    """Record the sequence just moved to `final`; if that fails the folder goes too, so the two agree."""
    try:
        dossier.record_submission(plan.number, files_record(plan, md5s), lifecycle.details_of(plan.leaves, plan.keyed))
    except BaseException:
        remove_tree(final)
        raise


def _pending_path(app_dir: Path, number: str) -> Path:
    return app_dir / ".cache" / f"pending-{number}.json"


def keep_pending(dossier: Dossier, app_dir: Path, plan: Plan, md5s: dict[str, str]) -> None:
    """Keep what recording this final, unrecorded sequence later needs."""
    path = _pending_path(app_dir, plan.number)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"dossier": dossier.identity, "files": files_record(plan, md5s),
            "details": lifecycle.details_of(plan.leaves, plan.keyed)}
    path.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")


def record_submitted(dossier: Dossier, seq_dir: str | Path) -> str:
    """Record a sequence this program built (not a draft, not marked then) as submitted, once FDA has it.

    The folder must be unchanged since the build and hold the dossier's next number. Returns the
    sequence number.
    """
    seq_dir = Path(seq_dir)
    number = seq_dir.name
    recorded = [s.number for s in dossier.sequences()]
    if not SEQUENCE_NAME.match(number) or number != next_number(recorded):
        raise DossierError(f"{seq_dir} is not the next sequence of this dossier ({next_number(recorded)})")
    try:
        pending = json.loads(_pending_path(seq_dir.parent, number).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise DossierError(f"{seq_dir} was not built as a final sequence by this program here; "
                           "build it again") from None
    if pending.get("dossier") != dossier.identity:
        raise DossierError(f"{seq_dir} was built from another dossier")
    findings = validate_sequence(seq_dir, std.require(), used_numbers=recorded)
    blockers = blocking(findings)
    if blockers:
        raise DossierError(f"{seq_dir} has {len(blockers)} high finding(s) (was it changed after the build?), so it is "
                           f"not recorded: {blockers[0]}")
    written = {p: m for p, m in pending["files"].items() if m}
    # index.xml as built pins every leaf's MD5, and validation has just checked the files against it.
    if set(files_in(seq_dir)) != set(written) or std.md5_of(seq_dir / "index.xml") != written.get("index.xml"):
        raise DossierError(f"{seq_dir} is not exactly the folder that was built; build it again")
    dossier.record_submission(number, pending["files"], pending["details"])
    _pending_path(seq_dir.parent, number).unlink(missing_ok=True)
    return number
