"""The `dossier` command end to end on the real content model: in-process through `main(argv)`, and
once in a fresh process as a user runs it."""

import json
import os
import subprocess
import sys
from importlib.metadata import entry_points

import pytest

from dossier.cli import build_parser, main
from dossier.service import Dossier


@pytest.fixture(autouse=True)
def cli_user(monkeypatch):
    monkeypatch.setenv("DOSSIER_USER", "cli-test")


def run_process(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "dossier", *map(str, args)], capture_output=True, text=True,
                          env={**os.environ, "DOSSIER_USER": "cli-test"}, timeout=120, **kwargs)


def test_python_m_dossier_and_the_installed_command_run_main(demo_master):
    result = run_process("get", demo_master, "genetic.variant[0].hgvs")
    assert result.returncode == 0 and result.stdout.strip() == "NM_001042432.2:c.1056+34C>A", result.stderr
    (script,) = [e for e in entry_points(group="console_scripts") if e.name == "dossier"]
    assert script.load() is main


HEAVY = ("reportlab", "docx", "lxml", "jinja2", "pikepdf", "sqlite_utils", "mutalyzer_hgvs_parser", "lark", "pyhpo",
         "pint", "dossier.render", "dossier.ectd", "phenopackets", "google.protobuf")
SHORT_COMMANDS = """
import json, sys
from dossier.cli import main
demo = sys.argv[1]
for argv in (["get", demo, "genetic.variant[0].hgvs"], ["set", demo, "module1.sponsor.duns", "987654321"],
             ["fields", demo], ["check", demo]):
    main(argv)
print(json.dumps(sorted(m for m in sys.modules if any(m == h or m.startswith(h + ".") for h in sys.argv[2:]))))
"""


def test_short_commands_load_no_renderer_or_heavy_library(demo_file):
    result = subprocess.run([sys.executable, "-c", SHORT_COMMANDS, str(demo_file), *HEAVY], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "module1.sponsor.duns: saved" in result.stdout and "0 error(s)" in result.stdout
    assert json.loads(result.stdout.splitlines()[-1]) == []


def test_a_reader_that_stops_early_ends_the_command_quietly(demo_master):
    """`dossier fields X | head`: no BrokenPipeError traceback, and exit 1 as Python does on EPIPE."""
    for args in (["get", demo_master, "genetic.variant[0].hgvs"], ["fields", demo_master], ["history", demo_master]):
        child = subprocess.Popen([sys.executable, "-m", "dossier", *map(str, args)], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
        child.stdout.close()  # the reader has gone before the first write (the output fits a pipe's buffer)
        err = child.stderr.read()
        assert (child.wait(timeout=120), err) == (1, ""), args


def test_every_command_has_help(cli):
    commands = build_parser()._subparsers._group_actions[0].choices
    assert {"new", "demo", "get", "set", "attach", "check", "fields", "export", "import", "history",
            "render", "build", "validate", "sequences", "lifecycle", "standards", "self-test"} <= set(commands)
    for name in commands:
        result = cli(name, "--help")
        assert result.code == 0 and "usage: dossier " in result.out and "Exit codes" in result.out, name


def test_the_demo_command_makes_a_demo_that_passes_its_check(tmp_path, cli):
    demo = tmp_path / "demo.dossier"
    made = cli("demo", demo)
    assert made.code == 0 and "Created the demo dossier" in made.out
    result = cli("check", demo, "--json")
    report = json.loads(result.out)
    assert report["summary"]["error"] == 0, [f for f in report["findings"] if f["severity"] == "error"]
    assert result.code == 0
    # the demo is an IND before dosing: nothing is claimed "in patients" but what patients' data show
    assert {e["id"]: e["state"] for e in report["elements"]} == {
        "abnormality": "patients", "targets_cause": "nonclinical", "natural_history": "patients",
        "target_engagement": "nonclinical", "clinical_course": "planned"}


def test_new_set_get_history_and_exit_codes(tmp_path, cli):
    path = tmp_path / "n.dossier"
    assert cli("new", path, "--title", "Test case").code == 0
    assert cli("new", path, "--title", "Again").code == 2
    assert cli("set", path, "genetic.variant[0].arm", "Arm 1").code == 0  # the variant is its arm's
    assert cli("set", path, "genetic.variant[0].hgvs", "NM_001042432.2:c.1056+34C>A").code == 0
    got = cli("get", path, "genetic.variant[0].hgvs")
    assert got.out.strip() == "NM_001042432.2:c.1056+34C>A"
    bad = cli("set", path, "genetic.variant[0].hgvs", "not a variant")
    assert bad.code == 1 and "not a valid HGVS variant" in bad.err
    unknown = cli("set", path, "genetic.variant[0].nope", "x")
    assert unknown.code == 2 and "no such field" in unknown.err
    entries = json.loads(cli("history", path, "genetic.variant[0].hgvs", "--json").out)
    assert len(entries) == 1 and entries[0]["who"] == "cli-test"
    check = cli("check", path)
    assert check.code == 1 and "ERROR" in check.out
    assert cli("get", tmp_path / "missing.dossier", "genetic.variant[0].hgvs").code == 2
    assert cli("get", path).code == 2  # argparse: a missing argument is a usage error


def test_reading_commands_work_while_the_app_edits_the_file(tmp_path, cli):
    path = tmp_path / "n.dossier"
    cli("new", path, "--title", "T")
    with Dossier.open(path) as app:  # the desktop app holds the file for writing
        app.set("module1.sponsor.duns", "987654321")
        assert cli("get", path, "module1.sponsor.duns").out == "987654321\n"
        assert cli("check", path).code == 1 and cli("fields", path).code == 0
        assert "module1.sponsor.duns" in cli("history", path).out
        assert cli("export", path, tmp_path / "text").code == 0
        busy = cli("set", path, "module1.sponsor.duns", "123456789")
        assert busy.code == 2 and "close it there first" in busy.err
        assert app.get("module1.sponsor.duns") == "987654321"


def test_history_shows_table_edits_as_row_changes(tmp_path, cli):
    path, field = tmp_path / "n.dossier", "clinical.endpoints.endpoints"
    cli("new", path, "--title", "T")
    first = [{"endpoint": "walk test", "type": "Primary"}]
    second = [{"endpoint": "6-minute walk", "type": "Primary"}, {"endpoint": "CSF NfL", "type": "Biomarker"}]
    for value in (first, second, second[1:]):
        assert cli("set", path, field, json.dumps(value)).code == 0
    lines = cli("history", path, field).out.splitlines()
    assert [line.split("cli-test", 1)[1].strip() for line in lines if "cli-test" in line] == [
        f"{field}: row 1 added: endpoint='walk test', type='Primary'", f"{field}:",
        f"{field}: row 1 removed: endpoint='6-minute walk', type='Primary'"]
    assert lines[2:4] == ["    row 1 endpoint: 'walk test' -> '6-minute walk'",
                          "    row 2 added: endpoint='CSF NfL', type='Biomarker'"]


def test_set_reads_stdin_and_fields_lists_state(tmp_path, cli):
    path = tmp_path / "n.dossier"
    cli("new", path, "--title", "T")
    text = "Line one\nLine two — ✓"
    field = next(r["path"] for r in json.loads(cli("fields", path, "--json").out) if r["type"] == "longtext")
    assert cli("set", path, field, "-", stdin=text).code == 0
    assert cli("get", path, field).out == text + "\n"
    rows = json.loads(cli("fields", path, "--json").out)
    assert next(r for r in rows if r["path"] == field)["filled"] is True
    assert all({"path", "type", "label", "filled", "required"} <= r.keys() for r in rows)


def test_export_import_roundtrip(demo_master, tmp_path, cli):
    out = tmp_path / "text"
    assert cli("export", demo_master, out).code == 0
    assert cli("import", out, tmp_path / "copy.dossier").code == 0
    assert cli("export", tmp_path / "copy.dossier", tmp_path / "text2").code == 0
    first = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    second = {p.relative_to(tmp_path / "text2"): p.read_bytes() for p in (tmp_path / "text2").rglob("*") if p.is_file()}
    assert first == second
    bad = cli("import", tmp_path / "nowhere", tmp_path / "x.dossier")
    assert bad.code == 2 and not (tmp_path / "x.dossier").exists()


def test_a_mistyped_field_is_offered_the_field_meant(tmp_path, cli):
    path = tmp_path / "n.dossier"
    cli("new", path, "--title", "T")
    typo = cli("get", path, "genetic.varient.hgvs")
    assert typo.code == 2 and "(did you mean genetic.variant.hgvs?)" in typo.err
    assert "did you mean" not in cli("get", path, "genetic.nothing.like.it").err


def test_one_table_cell_is_read_and_written_as_set_from_takes_it(demo_file, cli):
    """`get`/`set` refused `table[1].column` as "no such field", though `set --from` and `attach` take it."""
    cell = "clinical.dosing.escalation[1].dose"
    assert cli("get", demo_file, cell).out == "21 mg\n"
    assert json.loads(cli("get", demo_file, cell, "--json").out) == {"value": 21, "unit": "mg"}
    assert cli("set", demo_file, cell, "20 mg").code == 0
    assert cli("get", demo_file, cell).out == "20 mg\n"
    assert json.loads(cli("get", demo_file, "clinical.dosing.escalation[1]").out)["step"] == "2"
    refused = cli("set", demo_file, cell, "20 kg")
    assert refused.code == 1 and "unit 'kg' (mass) does not fit here" in refused.err
    for wrong, says in (("clinical.dosing.escalation[7].dose", "there is no row 7: Dose escalation has 3 row(s)"),
                        ("clinical.dosing.escalation[1].dos", "has no column 'dos'; its columns are step, dose"),
                        ("clinical.dosing.starting_dose[1].dose", "is a number field, not a table")):
        got = cli("get", demo_file, wrong)
        assert got.code == 2 and says in got.err, got.err


def test_dossier_alone_lists_the_commands(cli):
    """It said only 'the following arguments are required: COMMAND'."""
    bare = cli()
    assert bare.code == 2 and "Create an empty dossier file" in bare.err and "build" in bare.err
