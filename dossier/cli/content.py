"""The commands over one dossier's content: new, demo, get, set, attach, check, fields, history,
export, import and self-test."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from .common import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, FILE_ARG, JSON_ARG, add_command, print_json, printable


def _open(args, read_only: bool = False):
    """Commands that only read open the dossier read-only, so they work while the app has it open."""
    from ..service import Dossier

    dossier = Dossier.open(args.file, read_only=read_only)
    for note in dossier.notes:
        print(f"note: {note}", file=sys.stderr)
    return dossier


def cmd_new(args) -> int:
    from ..service import Dossier

    with Dossier.create(args.file, args.title):
        pass
    print(f"Created {args.file}")
    return EXIT_OK


def cmd_demo(args) -> int:
    from ..cases import builtin_cases, find_case, make_case

    cases = builtin_cases()
    if args.list:
        for case in cases:
            print(f"{case.name}\t{case.summary}" + ("  (the default)" if case is cases[0] else ""))
        return EXIT_OK
    if args.file is None:
        print("error: give the file to create: dossier demo FILE [--case NAME] (or --list the cases)", file=sys.stderr)
        return EXIT_USAGE
    case = find_case(args.case, cases)
    make_case(case.name, args.file, cases=cases)
    print(f"Created the demo dossier {args.file} (case {case.name}: {case.summary})")
    return EXIT_OK


def cmd_get(args) -> int:
    from ..cells import cell_value, table_of
    from ..fieldtypes import display

    table = table_of(args.field)
    with _open(args, read_only=True) as d:
        spec: Any = d.field(table or args.field)
        value = d.get(table or args.field)
    if table is not None:  # one cell (or a row) of a table, as `set` and `attach` take them
        value = cell_value(spec, value, args.field)
        spec = next((c for c in spec.columns if args.field.endswith(f"].{c.id}")), None)  # None: a whole row
    if value is None:
        print(f"{spec.label if spec else 'The row'} is not filled", file=sys.stderr)
        return EXIT_OK
    a_cell_number = table is not None and spec is not None and spec.type == "number"  # '21 mg', as the table shows it
    if args.json or spec is None or isinstance(value, list) or (isinstance(value, dict) and not a_cell_number):
        print_json(value)
    else:
        print(printable(display(spec, value)))
    return EXIT_OK


_SET_USAGE = "usage: dossier set FILE FIELD VALUE   or   dossier set FILE --from VALUES.yaml"
_SET_MIXED = "give one field and its value, or --from a file of values, not both"


def cmd_set(args) -> int:
    if args.values_from is not None:
        if args.field is not None or args.value is not None:
            print(f"error: {_SET_MIXED}\n{_SET_USAGE}", file=sys.stderr)
            return EXIT_USAGE
        from .setfrom import set_from

        return set_from(args.file, args.values_from)
    if args.value is None:
        print(f"error: give the field and its value ('' clears it), or --from a file of values\n{_SET_USAGE}",
              file=sys.stderr)
        return EXIT_USAGE
    from ..cells import table_of
    from ..errors import RefusedValuesError

    value = sys.stdin.read() if args.value == "-" else args.value
    with _open(args) as d:
        if table_of(args.field) is not None:  # one cell, written into the rows as `set --from` writes it
            try:
                changed = bool(d.set_many({args.field: value}))
            except RefusedValuesError as exc:
                raise exc.errors[0] from None  # one value: its own error and exit code, as for a field
        else:
            changed = d.set(args.field, value) if value != "" else d.clear(args.field)
    print(f"{args.field}: {'saved' if changed else 'unchanged'}")
    return EXIT_OK


def cmd_clear(args) -> int:
    with _open(args) as d:
        changed = d.clear(args.field, purge_history=args.purge_history)
    purged = " and its earlier values removed from the history" if args.purge_history else ""
    print(f"{args.field}: {'cleared' + purged if changed else 'already empty'}")
    return EXIT_OK


def cmd_restore(args) -> int:
    with _open(args) as d:
        damaged = d.damaged_values()
        for path in args.field or damaged:
            if path not in damaged:  # an intact value stays as it is (and the history says nothing)
                d.field(path)
                print(f"{path}: matches its checksum; left as it is")
                continue
            d.restore_from_history(path)
            print(f"{path}: restored to its last recorded value from the history")
    if not damaged:
        print("Every stored value matches its checksum; nothing to restore")
    return EXIT_OK


def cmd_attach(args) -> int:
    from ..errors import DossierError

    source = Path(args.path)
    if not source.is_file():
        raise DossierError(f"{source} is not a file")
    with _open(args) as d:
        attachment = d.attach(args.field, source, name=args.name)
    print(f"Attached {attachment.name} ({attachment.media_type}, {attachment.size} bytes, sha256 {attachment.sha256})")
    return EXIT_OK


def cmd_check(args) -> int:
    with _open(args, read_only=True) as d:
        report = d.check()
    if args.json:
        print_json(report.as_dict())
    else:
        groups = {g.id: g for g in report.measure_groups}
        for element in report.elements:
            print(f"[{element.state:>9}] {element.title}")
            _print_measures(groups.pop(element.id, None))
        for group in groups.values():  # measures of checks that support no element, by dossier part
            print(f"\n{printable(group.title)}")
            _print_measures(group)
        print()
        for f in report.findings:
            print(f"{f.severity.upper():7} {f.field}: {f.message}" + (f"  [{f.source}]" if f.source else ""))
        print(f"\n{report.count('error')} error(s), {report.count('warning')} warning(s), "
              f"{report.count('info')} note(s)")
    return EXIT_FINDINGS if report.has_errors else EXIT_OK


def _print_measures(group) -> None:
    """A group's measures, indented under its element: what was computed, against what, and whether it holds."""
    for m in group.measures if group else ():
        print(printable(f"{'':12}{'ok    ' if m.ok else 'NOT OK'} {m.text}") + (f"  [{m.source}]" if m.source else ""))


def cmd_fields(args) -> int:
    from ..fieldinfo import describe_fields

    with _open(args, read_only=True) as d:
        rows = describe_fields(d)
    if args.json:
        print_json(rows)
        return EXIT_OK
    width = max(len(r["path"]) for r in rows)
    for r in rows:
        mark = "-" if not r["applies"] else "x" if r["filled"] else ("!" if r["required"] else " ")
        print(printable(f"[{mark}] {r['path']:<{width}}  {r['type']:<11} {r['label']}{_instance_note(r['repeat'])}"))
    print("\n[x] filled   [!] required and empty   [-] does not apply (its condition is false; a value is kept)")
    return EXIT_OK


def _instance_note(repeat: dict | None) -> str:
    if repeat is None:
        return ""
    if repeat["instance_name"] is None:
        return f"  (no {repeat['label'].lower()} yet: set {repeat['add']} to add one)"
    return f"  ({repeat['label'].lower()} [{repeat['instance']}] {repeat['instance_name']})"


def cmd_export(args) -> int:
    from ..textform import export_dossier

    with _open(args, read_only=True) as d:
        out = export_dossier(d, args.dir, include_phi=not args.without_phi, replace=args.replace)
    if args.without_phi:
        note = (" (protected health information left out; the title, which may name the patient, replaced by a "
                "neutral one)")
    else:
        note = " (includes protected health information; use --without-phi for a copy to share)"
    print(f"Exported to {out}{note}")
    return EXIT_OK


def cmd_import(args) -> int:
    from ..textform import import_dossier

    notes: list[str] = []
    import_dossier(args.dir, args.file, notes=notes)
    print(f"Imported {args.dir} into {args.file}")
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    return EXIT_OK


def cmd_history(args) -> int:
    from ..changes import describe_entry
    from ..fieldpath import model_path

    with _open(args, read_only=True) as d:
        entries, fields = d.history(args.field), d.model.fields
    if args.json:
        print_json([e.__dict__ for e in entries])
        return EXIT_OK
    for e in entries:
        lines = describe_entry(e.field, e.old, e.new, fields.get(model_path(e.field)))
        head = f"{e.at}  {e.who:<12} {e.field}:"
        print(printable(f"{head} {lines[0]}" if len(lines) == 1 else "\n    ".join([head, *lines])))
    return EXIT_OK


def cmd_self_test(args) -> int:
    from ..selftest import run

    return EXIT_OK if run(standards=args.standards) else EXIT_FINDINGS


def register(sub) -> None:
    add_command(sub, "new", cmd_new, "Create an empty dossier file.", FILE_ARG,
                (("--title",), {"required": True, "help": "the dossier's title"}))
    add_command(sub, "demo", cmd_demo, "Create a built-in demo dossier (a complete fictional case).",
                (("file",), {"nargs": "?", "help": "the dossier file to create (.dossier)"}),
                (("--case",), {"metavar": "NAME", "help": "which built-in case (default: the first `--list` shows)"}),
                (("--list",), {"action": "store_true", "help": "list the built-in cases, one a line, name first"}))
    add_command(sub, "get", cmd_get, "Print the value of one field.", FILE_ARG,
                (("field",), {"help": "field path, area.section.field (`dossier fields FILE` lists them)"}), JSON_ARG)
    add_command(sub, "set", cmd_set, "Set one field, or many from a YAML or JSON file (validated, saved at once, "
                                     "recorded in the history).", FILE_ARG,
                (("field",), {"nargs": "?", "help": "field path"}),
                (("value",), {"nargs": "?",
                              "help": "the value; '-' reads it from standard input; '' clears the field"}),
                (("--from",), {"dest": "values_from", "metavar": "VALUES",
                               "help": "a YAML or JSON file mapping field paths (or table cells like "
                                       "area.section.table[0].column) to values, set in one transaction; "
                                       "if any value is refused, each is listed with its line and nothing is written"}),
                description="Set one field: dossier set FILE FIELD VALUE. Or set many fields at once: dossier set FILE "
                            "--from VALUES.yaml, where the file maps field paths to values (nested mappings work too: "
                            "area: {section: {field: ...}}); a table is a list of row mappings, an empty value "
                            "clears a field. All values are saved in one transaction, or none: when any is "
                            "refused, every problem is listed as VALUES.yaml:LINE: field: reason, and the exit "
                            "code is 2.").set_defaults(extras_hint=f"; {_SET_MIXED} ({_SET_USAGE})")
    add_command(sub, "clear", cmd_clear, "Empty one field (recorded in the history).", FILE_ARG,
                (("field",), {"help": "field path"}),
                (("--purge-history",), {"action": "store_true",
                                        "help": "for a field holding protected health information: also remove its "
                                                "earlier values from the history and the file"}))
    add_command(sub, "restore", cmd_restore, "Put back values changed outside Dossier Builder (`check` names them) "
                                             "from the history.", FILE_ARG,
                (("field",), {"nargs": "*", "help": "field paths (default: every damaged value)"}))
    add_command(sub, "attach", cmd_attach, "Store a file inside the dossier and reference it from an attachment field.",
                FILE_ARG,
                (("field",), {"help": "attachment field, or a table cell like "
                                       "area.section.table[0].column"}),
                (("path",), {"help": "the file to attach"}), (("--name",), {"help": "name to store it under"}))
    add_command(sub, "check", cmd_check, "Check readiness against the Plausible Mechanism Framework.",
                FILE_ARG, JSON_ARG)
    add_command(sub, "fields", cmd_fields, "List every field with its type, label and whether it is filled.",
                FILE_ARG, JSON_ARG,
                description="List every field with its type, label and whether it is filled. With --json, all a "
                            "program needs to fill each one: path, type, label, help, required, whether it applies, "
                            "PHI, the value it accepts, choices, units, limits, table columns (with their own "
                            "types and choices) and repeat information.")
    add_command(sub, "export", cmd_export, "Export the dossier to a folder of plain text files.", FILE_ARG,
                (("dir",), {"help": "the folder to write"}),
                (("--without-phi",), {"action": "store_true",
                  "help": "leave out protected health information (refused while PHI is written in another field)"}),
                (("--replace",), {"action": "store_true", "help": "replace the folder if it exists"}))
    add_command(sub, "import", cmd_import, "Make a new dossier file from an exported folder.",
                (("dir",), {"help": "the exported folder"}), (("file",), {"help": "the new dossier file"}))
    add_command(sub, "self-test", cmd_self_test, "Check this installation: make, check, build and validate the demo.",
                (("--standards",), {"help": "a file or folder to install the official eCTD standard files from first"}))
    add_command(sub, "history", cmd_history, "Show the change history of the dossier or of one field.", FILE_ARG,
                (("field",), {"nargs": "?", "help": "field path (all fields when left out)"}), JSON_ARG)
