"""The `dossier` parser and entry point: collects the commands of every command module and turns
the core's typed errors into messages and exit codes."""

from __future__ import annotations

import argparse
import sys

from .. import __version__
from ..errors import DossierError, FieldError, UnknownFieldError
from . import content, ectd, render
from .common import EPILOG, EXIT_FINDINGS, EXIT_INTERRUPTED, EXIT_USAGE

COMMAND_MODULES = (content, render, ectd)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dossier", description="Dossier Builder: individualized-therapy IND dossiers.",
                                     epilog=EPILOG)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except UnknownFieldError as exc:
        return _error(exc, EXIT_USAGE)
    except FieldError as exc:
        return _error(exc, EXIT_FINDINGS)
    except DossierError as exc:
        return _error(exc, EXIT_USAGE)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _error(exc: DossierError, code: int) -> int:
    print(f"error: {exc}", file=sys.stderr)
    return code

