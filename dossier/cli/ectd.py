"""The eCTD commands: `dossier build`, `dossier validate`, `dossier sequences` (alias `lifecycle`) and
`dossier standards install|status`. Thin faces over dossier.build, dossier.ectd and dossier.standards.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .common import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, FILE_ARG, add_command, print_json


def _tty_progress(fraction: float, message: str) -> None:
    sys.stderr.write(f"\r[{fraction * 100:5.1f}%] {message[:70]:<70}")
    if fraction >= 1.0:
        sys.stderr.write("\n")
    sys.stderr.flush()


def _print_findings(findings) -> None:
    for f in findings:
        print(f"  {f}")
    counts = {s: sum(1 for f in findings if f.severity == s) for s in ("high", "medium", "low")}
    print(f"{counts['high']} high, {counts['medium']} medium, {counts['low']} low finding(s)")


def cmd_build(args) -> int:
    from ..build import build_sequence
    from ..service import Dossier

    progress = _tty_progress if sys.stderr.isatty() and not args.json else None
    with Dossier.open(args.file) as dossier:
        result = build_sequence(dossier, args.out, draft=args.draft, mark_submitted=args.mark_submitted,
                                progress=progress, workers=args.workers)
    if args.json:
        print_json(result.as_dict())
    elif result.kind == "packet":
        print(f"Expanded-access packet written to {result.path}: {result.counts['documents']} document(s), "
              f"{result.counts['attachments']} attachment(s), a combined PDF and SHA-256 checksums "
              f"({result.timings.get('total', 0):.2f} s).")
        for note in result.notes:
            print(f"Note: {note}")
    else:
        ops = ", ".join(f"{n} {op}" for op, n in result.counts.items() if n) or "no leaves"
        print(f"Sequence {result.number} written to {result.path}: {ops}; {result.unchanged} unchanged leaf(s) not "
              f"sent again. Documents: {result.rendered} rendered, {result.reused} reused "
              f"({result.timings.get('total', 0):.2f} s).")
        if result.word_dir:
            print(f"Word copies for editing: {result.word_dir}")
        for note in result.notes:
            print(f"Note: {note}")
        print("Recorded as submitted." if result.recorded else "Not recorded as submitted.")
        _print_findings(result.findings)
    return EXIT_OK if result.ok else EXIT_FINDINGS


def cmd_validate(args) -> int:
    from ..ectd.validate import blocking, validate_sequence

    folder = Path(args.seqdir)
    if not folder.is_dir():
        print(f"error: {folder} is not a folder", file=sys.stderr)
        return EXIT_USAGE
    findings = validate_sequence(folder)
    if args.json:
        print_json([f.as_dict() for f in findings])
    else:
        _print_findings(findings)
    return EXIT_FINDINGS if blocking(findings) else EXIT_OK


def cmd_sequences(args) -> int:
    from ..ectd.lifecycle import leaf_history
    from ..service import Dossier

    with Dossier.open(args.file, read_only=not args.record) as d:
        if args.record:
            from ..build import record_submitted

            number = record_submitted(d, args.record)
            print(f"Recorded sequence {number} as submitted")
            return EXIT_OK
        sequences, details = d.sequences(), d.sequence_details()
    rows = leaf_history(sequences, details)
    if args.json:
        print_json({"sequences": [{"number": s.number, "submitted_at": s.submitted_at, "who": s.who}
                                   for s in sequences], "leaves": rows})
        return EXIT_OK
    if not sequences:
        print("No sequence has been recorded as submitted yet.")
        return EXIT_OK
    for s in sequences:
        print(f"{s.number}  submitted {s.submitted_at[:19]} by {s.who}")
    numbers = [s.number for s in sequences]
    print("\n" + "  ".join(f"{n:>7}" for n in numbers) + "  state      leaf")
    for row in rows:
        cells = "  ".join(f"{row['states'].get(n, ''):>7}" for n in numbers)
        state = f"live {row['live']}" if row["live"] else "deleted"
        print(f"{cells}  {state:<10} {row['title']}  ({row['path']})")
    return EXIT_OK


def cmd_standards(args) -> int:
    from .. import standards

    if args.action == "install":
        if not args.path:
            print("error: give the file or folder holding the downloaded standard files", file=sys.stderr)
            return EXIT_USAGE
        installed = standards.install(args.path)
        print(f"Installed {', '.join(installed)} into {standards.standards_dir()}")
    states = standards.status()
    for std in standards.STANDARD_FILES:
        print(f"{states[std.name]:>9}  {std.name}  (MD5 {std.md5}; from {std.source})")
    missing = [name for name, state in states.items() if state != "installed"]
    if missing:
        print(f"\n{len(missing)} file(s) not installed. Download them, then run `dossier standards install PATH`.")
        return EXIT_FINDINGS
    print(f"\nAll standard files installed in {standards.standards_dir()}")
    return EXIT_OK


def register(sub) -> None:
    json_arg = (("--json",), {"action": "store_true", "help": "print the result as JSON"})
    add_command(sub, "build", cmd_build, "Build the next eCTD sequence of a dossier into APPDIR/NNNN and validate it.",
                FILE_ARG,
                (("--out",), {"required": True, "help": "the application folder that holds the sequences (APPDIR)"}),
                (("--draft",), {"action": "store_true",
                                "help": "a preview: DRAFT-marked, never recorded as submitted"}),
                (("--mark-submitted",), {"action": "store_true", "help": "record the sequence and every file's "
                                         "checksum in the dossier (the next build amends it)"}),
                (("--workers",), {"type": int, "help": "worker processes for rendering (default: one per core)"}),
                json_arg)
    add_command(sub, "validate", cmd_validate,
                "Check a sequence folder (ours or anyone's) against the eCTD and FDA rules.",
                (("seqdir",), {"help": "the sequence folder, e.g. IND123456/0002"}), json_arg)
    add_command(sub, "sequences", cmd_sequences, "Show the submitted sequences and each leaf's state across them.",
                FILE_ARG, (("--record",), {"metavar": "SEQDIR",
                                          "help": "record an already built sequence folder as submitted"}),
                json_arg, aliases=("lifecycle",))
    add_command(sub, "standards", cmd_standards, "Install or show the official eCTD standard files (ICH DTD and "
                                                 "stylesheet, FDA regional DTD).",
                (("action",), {"choices": ("install", "status")}),
                (("path",), {"nargs": "?", "help": "for install: the downloaded file, or a folder holding them"}))
