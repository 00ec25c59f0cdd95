"""`dossier instances FILE REPEAT [list | add NAME | rename I NAME | move I TO | remove I]`: the instances
of a repeatable group (a drug substance, a variant allele, an arm), each change one recorded transaction."""

from __future__ import annotations

import sys

from .common import EXIT_OK, FILE_ARG, JSON_ARG, add_command, print_json, printable

_EXAMPLE = "e.g. dossier instances case.dossier substances add 'Guide RNA'"


def cmd_instances(args) -> int:
    from ..service import Dossier

    read_only = args.action in (None, "list")
    with Dossier.open(args.file, read_only=read_only) as d:
        for note in d.notes:
            print(f"note: {note}", file=sys.stderr)
        repeat = _repeat(d, args.repeat)
        label = repeat.label.lower()
        if args.action == "add":
            i = d.add_instance(repeat.id, args.name)
            print(printable(f"added {label} [{i}] {args.name}"))
        elif args.action == "rename":
            old = d.rename_instance(repeat.id, args.index, args.name)
            print(printable(f"renamed {label} [{args.index}] {old} to {args.name}"))
        elif args.action == "move":
            d.move_instance(repeat.id, args.index, args.to)
            print(printable(f"moved {label} [{args.index}] to [{args.to}]"))
        elif args.action == "remove":
            name = d.instances(repeat.id)[args.index] if 0 <= args.index < len(d.instances(repeat.id)) else ""
            removed = d.remove_instance(repeat.id, args.index)
            print(printable(f"removed {label} [{args.index}] {name} and its {len(removed)} value(s); the history "
                            "keeps them"))
        names = d.instances(repeat.id)
    if args.json:
        print_json([{"index": i, "name": name} for i, name in enumerate(names)])
    elif read_only:
        for i, name in enumerate(names):
            print(printable(f"[{i}] {name or '(no name: this dossier has one ' + label + ')'}"))
        if not names:
            print(f"no {label} yet; add one: dossier instances FILE {repeat.id} add NAME", file=sys.stderr)
    return EXIT_OK


def _repeat(dossier, repeat_id: str):
    from ..instance_edits import repeat

    return repeat(dossier.model, repeat_id)


def register(sub) -> None:
    parser = add_command(
        sub, "instances", cmd_instances, "List, add, rename, move or remove the instances of a repeatable group.",
        FILE_ARG, (("repeat",), {"help": "the repeat's id (`dossier fields FILE --json` gives it, under repeat)"}),
        JSON_ARG,
        description="The instances of a repeatable group (each drug substance, each variant allele…), listed as "
                    "[i] NAME; their fields are set as area.section[i].field. Without an action, list them. "
                    f"{_EXAMPLE}")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.add_parser("list", help="list the instances (the default)")
    add = actions.add_parser("add", help="add an instance after the others")
    add.add_argument("name", help="its name, unique among the instances")
    rename = actions.add_parser("rename", help="rename an instance")
    rename.add_argument("index", type=int, help="the instance's number, from 0")
    rename.add_argument("name", help="its new name")
    move = actions.add_parser("move", help="move an instance to another place (those between shift by one)")
    move.add_argument("index", type=int, help="the instance's number, from 0")
    move.add_argument("to", type=int, help="the place to move it to, from 0")
    remove = actions.add_parser("remove", help="remove an instance and every value it holds")
    remove.add_argument("index", type=int, help="the instance's number, from 0")
