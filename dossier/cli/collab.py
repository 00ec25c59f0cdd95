"""The commands for working on copies of one dossier: diff, merge, and merge-file (git's merge driver
for exported folders; docs/collaboration.md shows how to set it up)."""

from __future__ import annotations

import sys

from .common import EXIT_FINDINGS, EXIT_OK, JSON_ARG, add_command, print_json, printable

_COPY = "a dossier file or an exported folder"


def cmd_diff(args) -> int:
    from ..diffing import diff
    from ..model import default_model
    from ..snapshot import read_snapshot

    model = default_model()
    found = diff(read_snapshot(args.a, model), read_snapshot(args.b, model), model)
    if args.json:
        print_json({"equal": not found, "differences": [d.as_dict() for d in found]})
    else:
        for difference in found:
            print(printable(difference.text()))
        print(f"{len(found)} difference(s)" if found else "No differences")
    return EXIT_FINDINGS if found else EXIT_OK


def cmd_merge(args) -> int:
    from ..merging import merge
    from ..model import default_model
    from ..snapshot import read_snapshot, write_snapshot

    model = default_model()
    base, ours, theirs = (read_snapshot(p, model) for p in (args.base, args.ours, args.theirs))
    result = merge(base, ours, theirs, model)
    if result.merged is None:
        report_conflicts(result.conflicts, args.json, f"nothing was written to {args.out}")
        return EXIT_FINDINGS
    out = write_snapshot(result.merged, args.out, model)
    if args.json:
        print_json({"merged": str(out), "conflicts": []})
    else:
        print(f"Merged into {out}")
    return EXIT_OK


def report_conflicts(conflicts: list, as_json: bool, outcome: str) -> None:
    """Every conflict with the three values; stdout for --json, else stderr (git shows it)."""
    from ..changes import value_text

    if as_json:
        print_json({"merged": None, "conflicts": [c.as_dict() for c in conflicts]})
        return
    for c in conflicts:
        print(printable(f"CONFLICT {c.path}: {c.what}"), file=sys.stderr)
        for side, value in (("base", c.base), ("ours", c.ours), ("theirs", c.theirs)):
            print(printable(f"    {side + ':':8}{value_text(c.spec, value)}"), file=sys.stderr)
    print(f"{len(conflicts)} conflict(s); {outcome}. Make the two copies agree on each (change one of them) and "
          "merge again.", file=sys.stderr)


def cmd_merge_file(args) -> int:
    from ..mergefile import merge_file

    conflicts = merge_file(args.base, args.ours, args.theirs, args.path)
    if conflicts:
        report_conflicts(conflicts, False, f"{args.path} keeps our version")
        return EXIT_FINDINGS
    return EXIT_OK


def register(sub) -> None:
    add_command(sub, "diff", cmd_diff, "Show what differs between two copies of a dossier, field by field.",
                (("a",), {"help": _COPY}), (("b",), {"help": _COPY}), JSON_ARG,
                description="Show what differs from A to B, each a dossier file or an exported folder: values as "
                            "old -> new, tables row by row (rows matched by their key columns: the model's key:, "
                            "else the first required column), attachments by content hash. Exit 0 when equal, "
                            "1 when different.")
    add_command(sub, "merge", cmd_merge, "Merge two copies of a dossier that started from a common one.",
                (("base",), {"help": f"the copy both started from ({_COPY})"}),
                (("ours",), {"help": _COPY}), (("theirs",), {"help": _COPY}),
                (("--out",), {"required": True, "metavar": "MERGED",
                              "help": "the result: a new .dossier file, or else a new folder (text form)"}),
                JSON_ARG,
                description="Three-way merge: each field, table row (by key), repeated instance (by name) and "
                            "attachment (by content hash) takes the side that changed it; the histories are "
                            "combined. A part changed differently on both sides is a conflict: all are listed "
                            "with the three values, nothing is written, and the exit code is 1.")
    add_command(sub, "merge-file", cmd_merge_file, "Git's merge driver for one file of an exported folder.",
                (("base",), {"help": "git's %%O"}), (("ours",), {"help": "git's %%A (the result is written here)"}),
                (("theirs",), {"help": "git's %%B"}),
                (("path",), {"help": "git's %%P: the file's path in the repository (tells what kind of file it is)"}),
                description="Merge one file of an exported dossier folder three-way, as `dossier merge` merges "
                            "that part, writing the result over OURS; on a conflict OURS is left as it was, the "
                            "conflicts are listed and the exit code is 1. Set up in git with: git config "
                            "merge.dossier.driver 'dossier merge-file %%O %%A %%B %%P' (see docs/collaboration.md).")
