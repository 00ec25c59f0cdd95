"""Protected health information that should not stay behind: a purged PHI field leaves no trace in the
history, an export or the file's bytes; a copy without PHI withholds the title; and values printed to a
terminal cannot drive it (control characters are shown escaped)."""

from __future__ import annotations

import json
from pathlib import Path

from dossier.store import Store
from dossier.textform import WITHHELD_TITLE

NAME = "genetic.patient.patient_name"
ONE = "genetic.patient[0].patient_name"  # where NAME is kept off the master protocol: the one arm's patient


def _everything(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def test_clearing_a_phi_field_can_purge_its_history(cli, tmp_path):
    path = tmp_path / "case.dossier"
    assert cli("demo", path).code == 0
    for name in ("Jane Zebediah", "Jane Zebediah-Smith"):
        assert cli("set", path, NAME, name).code == 0
    kept = cli("clear", path, "genetic.variant[0].hgvs", "--purge-history")
    assert kept.code == 1 and "does not hold protected health information" in kept.err
    done = cli("clear", path, NAME, "--purge-history")
    assert done.code == 0 and "removed from the history" in done.out
    assert "is not filled" in cli("get", path, NAME).err
    assert cli("history", path, NAME).out == ""
    log = cli("history", path, "--json")
    purges = [e for e in json.loads(log.out) if e["field"] == f"purged:{ONE}"]
    # the demo's name as imported, its move to the one arm by the upgrade (leaving, arriving), the two set here
    assert len(purges) == 1 and purges[0]["new"] == {"entries": 5} and purges[0]["who"] == "tester"
    assert cli("export", path, tmp_path / "text").code == 0
    assert b"Zebediah" not in _everything(tmp_path / "text")
    assert b"Zebediah" not in b"".join(p.read_bytes() for p in tmp_path.glob("case.dossier*"))


def test_clearing_without_purging_keeps_the_history(cli, tmp_path):
    path = tmp_path / "case.dossier"
    assert cli("demo", path).code == 0
    assert cli("set", path, NAME, "Jane Zebediah").code == 0
    assert cli("clear", path, NAME).code == 0
    assert "Zebediah" in cli("history", path, NAME).out


def test_a_copy_without_phi_withholds_the_title(cli, tmp_path):
    path = tmp_path / "case.dossier"
    assert cli("new", path, "--title", "ASO for patient Zebediah").code == 0
    with Store.open(path) as store:
        store.set_title("ASO for Jane Zebediah")  # a title change is in the history too
    shared = cli("export", path, tmp_path / "shared", "--without-phi")
    assert shared.code == 0 and "title, which may name the patient, replaced" in shared.out
    assert json.loads((tmp_path / "shared" / "dossier.json").read_text())["title"] == WITHHELD_TITLE
    assert b"Zebediah" not in _everything(tmp_path / "shared")
    assert cli("import", tmp_path / "shared", tmp_path / "copy.dossier").code == 0
    assert cli("export", path, tmp_path / "full").code == 0  # the full export keeps it
    assert json.loads((tmp_path / "full" / "dossier.json").read_text())["title"] == "ASO for Jane Zebediah"


HOSTILE = "IRB\x1b]0;owned\x07\x1b[2J\x9b31m\u202eevil\rhidden"
RAW = ("\x1b", "\x07", "\x9b", "\u202e", "\r")


def test_values_printed_to_a_terminal_show_control_characters_escaped(cli, tmp_path):
    path = tmp_path / "case.dossier"
    assert cli("demo", path).code == 0
    field = "module1.letters.irb_name"
    with Store.open(path) as store:  # as a file written elsewhere could hold it (the door refuses it)
        store.set(field, HOSTILE)
    for command in (("get", path, field), ("get", path, field, "--json"), ("history", path, field),
                    ("history", path, field, "--json")):
        result = cli(*command)
        assert not any(c in result.out + result.err for c in RAW), (command, result)
        if result.code == 0:  # shown escaped (\u001b, or \x1b where the history quotes a value)
            assert "\\u001b]0;owned" in result.out or "\\x1b]0;owned" in result.out, command
        if result.code == 0 and "--json" in command:
            shown = json.loads(result.out)
            assert (shown if command[0] == "get" else shown[-1]["new"]) == HOSTILE
