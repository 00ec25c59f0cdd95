"""A dossier made by release 1 (tests/fixtures/release-1) opens in this release: with today's model as it
is, and with a model that moves values (into a repeated section) upgraded in place, a backup first,
every value byte for byte, every attachment, the whole audit log and the submitted sequence kept, in one
transaction that a kill leaves undone."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dossier.dbfile import make_file
from dossier.errors import ModelError, NewerVersionError
from dossier.model import default_model
from dossier.service import Dossier
from dossier.upgrade import PAUSE_HOOK, VERSION_KEY, UpgradeError, values_version
from tests.helpers.release1 import (
    DOSSIER,
    MOVED,
    RELEASE1,
    SECOND,
    SHIPPED,
    UPGRADED,
    assert_release1_kept,
    backups,
    contents,
    copy_of_release1,
    section,
    sha256,
    shipped_model_with,
    upgrading,
    upgrading_model,
)

ROOT = Path(__file__).resolve().parents[1]


def test_release1_file_upgrades_to_the_shipped_model(tmp_path):
    """The shipped model (version 2 on) repeats drug substances: release 1's one substance becomes the first
    instance, every value byte for byte, every attachment's SHA-256 as it was, the rest where it was."""
    path, now = copy_of_release1(tmp_path), values_version(default_model())
    with Dossier.open(path) as d:
        assert d.values()["clinical.patient[0].body_weight"] == {"value": 24, "unit": "kg"}
        assert d.instances("substances") == ["CLN3-ASO-01 sodium"]
        assert d.get("cmc.substance[0].sequence") == "5'-TCAGGCTGACCATGGAGAAGCT-3'"
        assert d.get("genetic.variant[0].second_allele") == SECOND
        assert d.instances("arms") == ["Arm 1"]
        assert [note for note in d.notes if f"demo.before-upgrade-{now}.dossier" in note]
    after = contents(path)
    assert_release1_kept(after, SHIPPED)
    assert {p for p in SHIPPED if p.startswith("cmc.substance")} == {
        p.replace("cmc.substance.", "cmc.substance[0].") for p in RELEASE1.values if p.startswith("cmc.substance.")}
    assert after.settings == RELEASE1.settings | {VERSION_KEY: str(now)}
    assert (tmp_path / f"demo.before-upgrade-{now}.dossier").read_bytes() == DOSSIER.read_bytes()


def test_release1_file_upgrades_in_place_with_a_backup_first(tmp_path):
    path = copy_of_release1(tmp_path)
    model = upgrading_model()
    with Dossier.open(path, model=model) as d:
        assert d.get("genetic.allele[1].hgvs") == SECOND
        assert d.get("genetic.variant.second_allele") is None
        assert d.instances("alleles") == ["Allele 1", "Allele 2"]
        assert d.instances("substances") == ["CLN3-ASO-01 sodium"]
        assert d.get("cmc.substance[0].sequence") == "5'-TCAGGCTGACCATGGAGAAGCT-3'"
        assert any("demo.before-upgrade-2.dossier" in note for note in d.notes)
    backup = tmp_path / "demo.before-upgrade-2.dossier"
    assert backup.read_bytes() == DOSSIER.read_bytes()  # the file as release 1 left it, exactly
    after = contents(path)
    assert_release1_kept(after, UPGRADED)
    assert after.settings == RELEASE1.settings | {VERSION_KEY: "2"}
    added = after.audit[len(RELEASE1.audit):]
    moves = [(field, old, new) for _, _, _, field, old, new in added[:-1]]
    for old, new in MOVED.items():
        assert (old, RELEASE1.values[old], None) in moves and (new, None, RELEASE1.values[old]) in moves
    assert added[-1][3] == "upgrade" and '"from":1,"to":2' in added[-1][5]
    with Dossier.open(path, model=model) as d:  # upgraded once: opening again changes nothing
        assert not d.notes
    assert contents(path) == after
    assert backups(tmp_path) == ["demo.before-upgrade-2.dossier"]


def test_read_only_open_reads_through_the_upgrade_and_writes_nothing(tmp_path):
    path = copy_of_release1(tmp_path)
    with Dossier.open(path, model=upgrading_model(), read_only=True) as d:
        assert d.get("genetic.allele[1].hgvs") == SECOND
        assert d.instances("alleles") == ["Allele 1", "Allele 2"]
        assert {p: d.store.values()[p] for p in d.values()} == {p: json.loads(t) for p, t in UPGRADED.items()
                                                                 if p in d.values()}
        assert "genetic.variant.second_allele" not in d.values() and "cmc.substance[0].name" in d.values()
        assert any("upgraded when it is next opened for editing" in note for note in d.notes)
    assert sha256(path) == sha256(DOSSIER)
    assert backups(tmp_path) == []


def test_an_earlier_backup_is_never_overwritten(tmp_path):
    path = copy_of_release1(tmp_path)
    (tmp_path / "demo.before-upgrade-2.dossier").write_bytes(b"an earlier backup")
    with Dossier.open(path, model=upgrading_model()):
        pass
    assert (tmp_path / "demo.before-upgrade-2.dossier").read_bytes() == b"an earlier backup"
    assert (tmp_path / "demo.before-upgrade-2.2.dossier").read_bytes() == DOSSIER.read_bytes()


def test_values_of_a_newer_model_are_refused_unchanged(tmp_path):
    path = copy_of_release1(tmp_path)
    newest = values_version(default_model()) + 1

    def newer(raw):
        upgrading(raw)
        raw["upgrades"].append({"version": newest})

    with Dossier.open(path, model=shipped_model_with(newer)):
        pass
    before = sha256(path)
    with pytest.raises(NewerVersionError, match=f"content model version {newest}, newer than this program's"):
        Dossier.open(path)
    assert sha256(path) == before


def test_two_values_moving_onto_one_path_refuse_the_upgrade(tmp_path):
    def colliding(raw):
        upgrading(raw)
        raw["upgrades"][0]["moves"].append({"from": "genetic.variant.build", "to": "genetic.allele[0].label"})
        raw["upgrades"][0]["moves"].append({"from": "genetic.variant.zygosity", "to": "genetic.allele[0].label"})

    path = copy_of_release1(tmp_path)
    with pytest.raises(Exception, match="appears in two moves"):
        shipped_model_with(colliding)

    def onto_a_value(raw):
        upgrading(raw)
        raw["upgrades"][0]["moves"].append({"from": "genetic.variant.build", "to": "genetic.variant.clia"})

    with pytest.raises(UpgradeError, match=r"variant\.build and genetic\.variant\.clia would both move to "
                                           r"genetic\.variant\.clia"):
        Dossier.open(path, model=shipped_model_with(onto_a_value))
    assert sha256(path) == sha256(DOSSIER)
    assert backups(tmp_path) == []


# A kill at any moment ---------------------------------------------------------------------------

OPEN = ("import sys; from tests.test_upgrade import upgrading_model; from dossier.service import Dossier; "
        "Dossier.open(sys.argv[1], model=upgrading_model()).close()")


def _opener(path: Path, **env: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", OPEN, str(path)], cwd=ROOT, env={**os.environ, **env},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def assert_old_or_upgraded(path: Path) -> None:
    """The file opens, and holds release 1's values or the upgraded ones, nothing in between."""
    stored = contents(path).values
    assert stored in (RELEASE1.values, UPGRADED)
    if stored == RELEASE1.values:
        with Dossier.open(path, read_only=True) as d:  # today's model reads it through its upgrade
            assert d.get("genetic.variant[0].second_allele") == SECOND
    with Dossier.open(path, model=upgrading_model(), read_only=True) as d:
        assert d.get("genetic.allele[1].hgvs") == SECOND


def test_a_kill_inside_the_upgrade_transaction_leaves_the_old_file(tmp_path):
    path = copy_of_release1(tmp_path)
    marker = tmp_path / "in-transaction"
    opener = _opener(path, **{PAUSE_HOOK: str(marker)})
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert opener.poll() is None, opener.stderr.read().decode()
        assert time.monotonic() < deadline
        time.sleep(0.02)
    opener.send_signal(signal.SIGKILL)
    opener.wait()
    assert sha256(path) == sha256(DOSSIER)  # the moves were only in the WAL, uncommitted
    assert (tmp_path / "demo.before-upgrade-2.dossier").read_bytes() == DOSSIER.read_bytes()
    with Dossier.open(path, read_only=True) as d:  # openable, with today's model: release 1's values as they were
        assert d.get("genetic.variant[0].second_allele") == SECOND
    assert_release1_kept(contents(path), RELEASE1.values)
    with Dossier.open(path, model=upgrading_model()) as d:  # and the upgrade runs again, whole
        assert d.get("genetic.allele[1].hgvs") == SECOND
    assert contents(path).values == UPGRADED


@pytest.mark.parametrize("delay", [0.15, 0.3, 0.45, 0.6, 0.8])
def test_a_kill_at_any_moment_leaves_an_openable_file(tmp_path, delay):
    path = copy_of_release1(tmp_path)
    opener = _opener(path)
    time.sleep(delay)
    opener.send_signal(signal.SIGKILL)
    opener.wait()
    for backup in tmp_path.glob("demo.before-upgrade-*"):  # a backup under its name is always whole
        assert backup.read_bytes() == DOSSIER.read_bytes()
    assert_old_or_upgraded(path)


def test_a_schema_migration_writes_the_backup_first(tmp_path):
    path = tmp_path / "old.dossier"
    make_file(path, "Made by an early release", upto=2)
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO field_values(path, value, updated_at, updated_by) VALUES (?, ?, ?, ?)",
                 ("genetic.gene.symbol", '"CLN3"', "2026-01-01T00:00:00Z", "early"))
    conn.commit()
    conn.close()
    original = path.read_bytes()
    with Dossier.open(path) as d:
        assert d.get("genetic.gene.symbol") == "CLN3"
        assert d.store.meta()["schema_version"] == 3
    backup = tmp_path / "old.before-upgrade-schema-3.dossier"
    assert backup.read_bytes() == original
    check = sqlite3.connect(f"{backup.as_uri()}?mode=ro", uri=True)
    assert check.execute("PRAGMA user_version").fetchone()[0] == 2
    check.close()


# The model's upgrades: refused at load with the place and the reason ------------------------------

@pytest.mark.parametrize("upgrades, reason", [
    ([{"version": 1, "moves": []}], r"upgrades\[0\]: 'version' must be a whole number above 1"),
    ([{"version": 3}, {"version": 2}], r"upgrades\[1\]: 'version' must be a whole number above 3"),
    ([{"version": 2, "moves": [{"from": "genetic.variant.second_allele", "to": "genetic.allele[1].hgvz"}]}],
     r"upgrades\[0\]\.moves\[0\]: 'to' refers to unknown field 'genetic\.allele\[1\]\.hgvz'"),
    ([{"version": 2, "moves": [{"from": "genetic.variant", "to": "genetic.allele[1].hgvs"}]}],
     r"'from' must be a field path"),
    ([{"version": 2, "moves": [{"from": "genetic.variant.second_allele", "to": "genetic.allele.hgvs"}]}],
     r"genetic\.allele repeats: say which instance the value moves to, e\.g\. genetic\.allele\[0\]\.hgvs"),
    ([{"version": 2, "moves": [{"from": "genetic.variant.build", "to": "genetic.gene[1].symbol"}]}],
     r"genetic\.gene does not repeat, so 'genetic\.gene\[1\]\.symbol' names no instance"),
    ([{"version": 2, "moves": [{"from": "genetic.variant.build", "to": "genetic.variant.build"}]}],
     r"moves genetic\.variant\.build onto itself"),
    ([{"version": 2, "shift": []}], r"unknown key\(s\) shift"),
    ([{"version": 2, "names": {"variants": "Variant {n}"}}], r"'variants' is not a repeat of the model"),
    ([{"version": 2, "names": {"alleles": "Allele {m}"}}],
     r"upgrades\[0\]\.names\.alleles: must be a name, with \{n\}"),
])
def test_a_malformed_upgrade_is_refused_at_load(upgrades, reason):
    def change(raw):
        upgrading(raw)
        raw["upgrades"] = upgrades

    with pytest.raises(ModelError, match=r"upgrading\.yaml: (.*: )?" + reason):
        shipped_model_with(change)


def test_a_move_on_through_a_later_step_may_name_a_path_the_model_no_longer_has(tmp_path):
    def chained(raw):
        upgrading(raw)
        step = raw["upgrades"][0]
        step["moves"][1]["to"] = "genetic.variant.other"
        raw["upgrades"].append({"version": 3, "moves": [{"from": "genetic.variant.other",
                                                         "to": "genetic.allele[1].hgvs"}]})

    path = copy_of_release1(tmp_path)
    with Dossier.open(path, model=shipped_model_with(chained)) as d:
        assert d.get("genetic.allele[1].hgvs") == SECOND
    assert contents(path).values == UPGRADED
    assert backups(tmp_path) == ["demo.before-upgrade-3.dossier"]


def test_purging_a_moved_phi_value_purges_its_history_under_the_old_path_too(tmp_path):
    def moving_phi(raw):
        upgrading(raw)
        patient = section(raw, "genetic.patient")
        patient["fields"].append({"id": "name_as_given", "label": "Name as given", "type": "text", "phi": True})
        raw["upgrades"][0]["moves"].append({"from": "genetic.patient.patient_name",
                                            "to": "genetic.patient.name_as_given"})

    path = copy_of_release1(tmp_path)
    name = json.loads(RELEASE1.values["genetic.patient.patient_name"]).encode()
    assert any(row[3] == "genetic.patient.patient_name" for row in RELEASE1.audit)
    with Dossier.open(path, model=shipped_model_with(moving_phi)) as d:
        assert d.get("genetic.patient.name_as_given") == name.decode()
        assert d.clear("genetic.patient.name_as_given", purge_history=True)
        kept = [e.field for e in d.history()]
    assert "genetic.patient.patient_name" not in kept and "genetic.patient.name_as_given" not in kept
    holding = {row[3] for row in contents(path).audit if name.decode() in f"{row[4]} {row[5]}"}
    assert holding == {"clinical.design.patient_initials"}  # the demo's initials field holds the same text
    assert name in (tmp_path / "demo.before-upgrade-2.dossier").read_bytes()  # the file as it was, until deleted
