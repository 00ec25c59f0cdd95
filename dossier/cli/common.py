"""What every `dossier` command shares: exit codes, the epilog, JSON output and the one way to declare a command."""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Callable, Iterable
from typing import Any

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 1  # what Python itself exits with on EPIPE, as its docs on SIGPIPE say
EPILOG = "Exit codes: 0 ok, 1 errors found (readiness/validation/value), 2 usage or input error."

Argument = tuple[tuple[str, ...], dict[str, Any]]
FILE_ARG: Argument = (("file",), {"help": "the dossier file (.dossier)"})
JSON_ARG: Argument = (("--json",), {"action": "store_true", "help": "print JSON"})


# Characters a terminal acts on instead of showing: C0 controls but tab and newline, DEL, C1 controls (CSI
# among them), and the bidirectional overrides and isolates that reorder what is shown.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """`text` with every character a terminal would act on written as an escape like \\u001b (valid in JSON too),
    so a value can neither move the cursor, recolour or retitle the terminal, nor hide what follows it."""
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def print_json(obj: Any) -> None:
    print(printable(json.dumps(obj, ensure_ascii=False, indent=2)))


def add_command(sub, name: str, func: Callable[[argparse.Namespace], int], help_text: str,
                *arguments: Argument, description: str | None = None,
                aliases: Iterable[str] = ()) -> argparse.ArgumentParser:
    """Declare one subcommand: its name, the function that runs it and its arguments as
    `(names, options)` pairs for `add_argument`.

    >>> add_command(sub, "get", cmd_get, "Print one field.", FILE_ARG, (("field",), {"help": "field path"}))
    """
    parser = sub.add_parser(name, help=help_text, description=description or help_text, epilog=EPILOG,
                            aliases=list(aliases))
    for names, options in arguments:
        parser.add_argument(*names, **options)
    parser.set_defaults(func=func)
    return parser
