"""The `dossier` command: thin verbs over the core, one subcommand per job.

Exit codes: 0 ok; 1 readiness or validation errors (errors, not warnings) or a value that does
not fit its field; 2 usage or input errors (unknown field, unreadable file, bad folder).

To add a command: write `cmd_NAME(args) -> int` in the module of its kind (content, render, ectd),
declare it in that module's `register(sub)` with `common.add_command`, and that is all; a new
kind of command is a new module listed in `app.COMMAND_MODULES`. Command modules import only the
standard library and `common` at the top; each command imports the core parts it needs inside its
function, so `dossier get` never loads the Word, PDF or eCTD code (see bench/bench_cli_start.py).
"""

from .app import build_parser, main

__all__ = ["build_parser", "main"]
