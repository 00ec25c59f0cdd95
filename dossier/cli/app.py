"""The `dossier` parser and entry point: collects the commands of every command module and turns
the core's typed errors into messages and exit codes."""

from __future__ import annotations

import argparse
import os
import sys

from .. import __version__
from ..errors import DossierError, FieldError, UnknownFieldError, output_error
from . import collab, content, ectd, evidence, instances, render
from .common import EPILOG, EXIT_BROKEN_PIPE, EXIT_FINDINGS, EXIT_INTERRUPTED, EXIT_USAGE, printable

COMMAND_MODULES = (content, instances, render, ectd, collab, evidence)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dossier", epilog=EPILOG,
                                     description="Dossier Builder: individualized-therapy IND dossiers.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    if not (sys.argv[1:] if argv is None else argv):  # a newcomer's first try: the commands, not a usage error
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    args, extras = parser.parse_known_args(argv)
    if extras:  # as parse_args does, with the command's own hint on how it is called (set: one form or the other)
        parser.error(f"unrecognized arguments: {' '.join(extras)}" + getattr(args, "extras_hint", ""))
    try:
        code = args.func(args)
        sys.stdout.flush()  # inside the try: a reader that went away is noticed here, not at exit
        return code
    except UnknownFieldError as exc:
        return _error(exc, EXIT_USAGE)
    except FieldError as exc:
        return _error(exc, EXIT_FINDINGS)
    except DossierError as exc:
        return _error(exc, EXIT_USAGE)
    except BrokenPipeError:  # an OSError, so before the handler below
        return _reader_went_away()
    except OSError as exc:  # a render, build or export folder on a read-only or full disk
        return _error(output_error(exc), EXIT_USAGE)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _error(exc: DossierError, code: int) -> int:
    print(printable(f"error: {exc}"), file=sys.stderr)
    return code


def _reader_went_away() -> int:
    """The reader of our output closed it (`dossier fields X | head`): stop quietly.

    As Python's docs on SIGPIPE advise, point stdout at devnull so that the flush at interpreter exit
    does not raise a second BrokenPipeError, and exit 1 as Python does on EPIPE."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return EXIT_BROKEN_PIPE
