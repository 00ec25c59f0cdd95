"""The `dossier` command end to end, in a subprocess as a user runs it, on the real content model."""

import json
import subprocess
import sys

import pytest

from dossier.cli import build_parser


def run(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "dossier", *map(str, args)], capture_output=True, text=True,
                          input=stdin, env={**__import__("os").environ, "DOSSIER_USER": "cli-test"})


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "demo.dossier"
    result = run("demo", path)
    assert result.returncode == 0, result.stderr
    return path


def test_every_command_has_help():
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices
    assert {"new", "demo", "get", "set", "attach", "check", "fields", "export", "import", "history"} <= set(commands)
    for name in commands:
        result = run(name, "--help")
        assert result.returncode == 0 and "usage: dossier " in result.stdout and "Exit codes" in result.stdout, name


def test_demo_passes_its_check(demo):
    result = run("check", demo, "--json")
    report = json.loads(result.stdout)
    assert report["summary"]["error"] == 0, [f for f in report["findings"] if f["severity"] == "error"]
    assert result.returncode == 0
    assert {e["state"] for e in report["elements"]} == {"supported"}


def test_new_set_get_history_and_exit_codes(tmp_path):
    path = tmp_path / "n.dossier"
    assert run("new", path, "--title", "Test case").returncode == 0
    assert run("new", path, "--title", "Again").returncode == 2
    assert run("set", path, "genetic.variant.hgvs", "NM_001042432.2:c.1056+34C>A").returncode == 0
    got = run("get", path, "genetic.variant.hgvs")
    assert got.stdout.strip() == "NM_001042432.2:c.1056+34C>A"
    bad = run("set", path, "genetic.variant.hgvs", "not a variant")
    assert bad.returncode == 1 and "not a valid HGVS variant" in bad.stderr
    unknown = run("set", path, "genetic.variant.nope", "x")
    assert unknown.returncode == 2 and "no such field" in unknown.stderr
    history = run("history", path, "genetic.variant.hgvs", "--json")
    entries = json.loads(history.stdout)
    assert len(entries) == 1 and entries[0]["who"] == "cli-test"
    check = run("check", path)
    assert check.returncode == 1 and "ERROR" in check.stdout
    assert run("get", tmp_path / "missing.dossier", "genetic.variant.hgvs").returncode == 2


def test_set_reads_stdin_and_fields_lists_state(tmp_path):
    path = tmp_path / "n.dossier"
    run("new", path, "--title", "T")
    text = "Line one\nLine two — ✓"
    field = next(r["path"] for r in json.loads(run("fields", path, "--json").stdout) if r["type"] == "longtext")
    assert run("set", path, field, "-", stdin=text).returncode == 0
    rows = json.loads(run("fields", path, "--json").stdout)
    assert next(r for r in rows if r["path"] == field)["filled"] is True
    assert all({"path", "type", "label", "filled", "required"} <= r.keys() for r in rows)


def test_attach_and_export_import_roundtrip(demo, tmp_path):
    out = tmp_path / "text"
    assert run("export", demo, out).returncode == 0
    assert run("import", out, tmp_path / "copy.dossier").returncode == 0
    assert run("export", tmp_path / "copy.dossier", tmp_path / "text2").returncode == 0
    first = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    second = {p.relative_to(tmp_path / "text2"): p.read_bytes() for p in (tmp_path / "text2").rglob("*") if p.is_file()}
    assert first == second
    bad = run("import", tmp_path / "nowhere", tmp_path / "x.dossier")
    assert bad.returncode == 2 and not (tmp_path / "x.dossier").exists()
