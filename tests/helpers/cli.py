"""The `dossier` command run in the test's own process, as a user would type it."""

from __future__ import annotations

import io
from typing import NamedTuple

import pytest


class CliResult(NamedTuple):
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys, monkeypatch):
    """Run `dossier ARGS` in this process as a user would type it: returns exit code, stdout, stderr."""
    from dossier.cli import main

    def run(*args, stdin: str | None = None) -> CliResult:
        capsys.readouterr()
        if stdin is not None:
            monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:  # --help, --version and usage errors exit from argparse
            code = exc.code
        out = capsys.readouterr()
        return CliResult(code, out.out, out.err)

    return run


@pytest.fixture
def fresh(tmp_path, cli):
    """A new, empty dossier file made by `dossier new`."""
    path = tmp_path / "case.dossier"
    assert cli("new", path, "--title", "Case").code == 0
    return path
