"""The `dossier` command: thin verbs over the core, one subcommand per job.

Exit codes: 0 ok; 1 readiness or validation errors (errors, not warnings) or a value that does
not fit its field; 2 usage or input errors (unknown field, unreadable file, bad folder).
Other modules add their own subcommands by exposing `register(subparsers)` and being listed in
COMMAND_MODULES.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path
from typing import Any, Callable

from . import __version__
from .errors import DossierError, FieldError, UnknownFieldError
from .fieldtypes import display

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
COMMAND_MODULES = ["dossier.cli", "dossier.render.cli", "dossier.ectd.cli"]
EPILOG = "Exit codes: 0 ok, 1 errors found (readiness/validation/value), 2 usage or input error."


def _print_json(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=2))


def _open(args):
    from .service import Dossier

    return Dossier.open(args.file)


def cmd_new(args) -> int:
    from .service import Dossier

    with Dossier.create(args.file, args.title):
        pass
    print(f"Created {args.file}")
    return EXIT_OK


def cmd_demo(args) -> int:
    from .paths import demo_dir
    from .textform import import_dossier

    import_dossier(demo_dir(), args.file)
    print(f"Created the demo dossier {args.file}")
    return EXIT_OK


def cmd_get(args) -> int:
    with _open(args) as d:
        field, value = d.field(args.field), d.get(args.field)
    if value is None:
        print(f"{field.label} is not filled", file=sys.stderr)
        return EXIT_OK
    if args.json or isinstance(value, (dict, list)):
        _print_json(value)
    else:
        print(display(field, value))
    return EXIT_OK


def cmd_set(args) -> int:
    value = sys.stdin.read() if args.value == "-" else args.value
    with _open(args) as d:
        changed = d.set(args.field, value) if value != "" else d.clear(args.field)
    print(f"{args.field}: {'saved' if changed else 'unchanged'}")
    return EXIT_OK


def cmd_attach(args) -> int:
    source = Path(args.path)
    if not source.is_file():
        raise DossierError(f"{source} is not a file")
    with _open(args) as d:
        attachment = d.attach(args.field, source, name=args.name)
    print(f"Attached {attachment.name} ({attachment.media_type}, {attachment.size} bytes, sha256 {attachment.sha256})")
    return EXIT_OK


def cmd_check(args) -> int:
    with _open(args) as d:
        report = d.check()
    if args.json:
        _print_json(report.as_dict())
    else:
        for element in report.elements:
            print(f"[{element.state:>9}] {element.title}")
        print()
        for f in report.findings:
            print(f"{f.severity.upper():7} {f.field}: {f.message}" + (f"  [{f.source}]" if f.source else ""))
        print(f"\n{report.count('error')} error(s), {report.count('warning')} warning(s), {report.count('info')} note(s)")
    return EXIT_FINDINGS if report.has_errors else EXIT_OK


def cmd_fields(args) -> int:
    with _open(args) as d:
        rows = [{"path": f.path, "type": f.type, "label": f.label, "required": f.required,
                 "phi": f.phi, "filled": filled} for f, filled in d.fields()]
    if args.json:
        _print_json(rows)
        return EXIT_OK
    width = max(len(r["path"]) for r in rows)
    for r in rows:
        mark = "x" if r["filled"] else ("!" if r["required"] else " ")
        print(f"[{mark}] {r['path']:<{width}}  {r['type']:<11} {r['label']}")
    print("\n[x] filled   [!] required and empty")
    return EXIT_OK


def cmd_export(args) -> int:
    from .textform import export_dossier

    with _open(args) as d:
        out = export_dossier(d, args.dir, include_phi=not args.without_phi, replace=args.replace)
    note = " (protected health information left out)" if args.without_phi else \
        " (includes protected health information; use --without-phi for a copy to share)"
    print(f"Exported to {out}{note}")
    return EXIT_OK


def cmd_import(args) -> int:
    from .textform import import_dossier

    import_dossier(args.dir, args.file)
    print(f"Imported {args.dir} into {args.file}")
    return EXIT_OK


def cmd_history(args) -> int:
    with _open(args) as d:
        entries = d.history(args.field)
    if args.json:
        _print_json([e.__dict__ for e in entries])
        return EXIT_OK
    for e in entries:
        print(f"{e.at}  {e.who:<12} {e.field}: {_short(e.old)} -> {_short(e.new)}")
    return EXIT_OK


def cmd_self_test(args) -> int:
    from .selftest import run

    return EXIT_OK if run(standards=args.standards) else EXIT_FINDINGS


def _short(value: Any) -> str:
    text = "(empty)" if value is None else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def register(sub) -> None:
    def add(name: str, func: Callable, help_text: str, *arguments: tuple) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text, epilog=EPILOG)
        for names, options in arguments:
            p.add_argument(*names, **options)
        p.set_defaults(func=func)
        return p

    file_arg = (("file",), {"help": "the dossier file (.dossier)"})
    json_arg = (("--json",), {"action": "store_true", "help": "print JSON"})
    add("new", cmd_new, "Create an empty dossier file.", file_arg,
        (("--title",), {"required": True, "help": "the dossier's title"}))
    add("demo", cmd_demo, "Create the built-in demo dossier (a complete fictional case).", file_arg)
    add("get", cmd_get, "Print the value of one field.", file_arg, (("field",), {"help": "field path, e.g. genetic.variant.hgvs"}), json_arg)
    add("set", cmd_set, "Set one field (validated, saved at once, recorded in the history).", file_arg,
        (("field",), {"help": "field path"}),
        (("value",), {"help": "the value; '-' reads it from standard input; '' clears the field"}))
    add("attach", cmd_attach, "Store a file inside the dossier and reference it from an attachment field.", file_arg,
        (("field",), {"help": "attachment field, or a table cell like nonclinical.pharmacology.studies[0].report"}),
        (("path",), {"help": "the file to attach"}), (("--name",), {"help": "name to store it under"}))
    add("check", cmd_check, "Check readiness against the Plausible Mechanism Framework.", file_arg, json_arg)
    add("fields", cmd_fields, "List every field with its type, label and whether it is filled.", file_arg, json_arg)
    add("export", cmd_export, "Export the dossier to a folder of plain text files.", file_arg,
        (("dir",), {"help": "the folder to write"}),
        (("--without-phi",), {"action": "store_true", "help": "leave out protected health information"}),
        (("--replace",), {"action": "store_true", "help": "replace the folder if it exists"}))
    add("import", cmd_import, "Make a new dossier file from an exported folder.",
        (("dir",), {"help": "the exported folder"}), (("file",), {"help": "the new dossier file"}))
    add("self-test", cmd_self_test, "Check this installation: make, check, build and validate the demo.",
        (("--standards",), {"help": "a file or folder to install the official eCTD standard files from first"}))
    add("history", cmd_history, "Show the change history of the dossier or of one field.", file_arg,
        (("field",), {"nargs": "?", "help": "field path (all fields when left out)"}), json_arg)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dossier", description="Dossier Builder: individualized-therapy IND dossiers.",
                                     epilog=EPILOG)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        module = sys.modules[__name__] if name == __name__ or name == "dossier.cli" else importlib.import_module(name)
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UnknownFieldError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except FieldError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FINDINGS
    except DossierError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
