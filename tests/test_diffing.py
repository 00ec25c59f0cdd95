"""`dossier diff A B`: field-level differences between real copies of the demo (files and folders)."""

from __future__ import annotations

import json
import shutil

import pytest

from dossier.errors import ModelError
from dossier.model_reader import parse_model
from dossier.service import Dossier
from tests.helpers.pdfs import pdf_bytes

ENDPOINTS = "clinical.endpoints.endpoints"
CONTACTS = "module1.sponsor.contacts"


@pytest.fixture
def pair(tmp_path, demo_master):
    a, b = tmp_path / "a.dossier", tmp_path / "b.dossier"
    shutil.copyfile(demo_master, a)
    shutil.copyfile(demo_master, b)
    return a, b


def test_equal_copies_exit_0_and_a_changed_value_exits_1(pair, cli):
    a, b = pair
    assert cli("diff", a, b) == (0, "No differences\n", "")
    with Dossier.open(b) as d:
        d.set("genetic.gene.symbol", "CLN3B")
        d.clear("clinical.design.objectives")

    result = cli("diff", a, b)

    assert result.code == 1
    assert "genetic.gene.symbol: 'CLN3' -> 'CLN3B'\n" in result.out
    assert "clinical.design.objectives: '" in result.out and "-> (empty)" in result.out
    assert result.out.endswith("2 difference(s)\n")


def test_rows_are_matched_by_key(pair, cli):
    a, b = pair
    with Dossier.open(b) as d:
        rows = d.get(ENDPOINTS)
        # the third row moves first and changes a cell, the second goes, a new one comes
        d.set(ENDPOINTS, [{**rows[2], "timing": "Weekly"}, {"endpoint": "Quality of life", "type": "Exploratory"},
                          rows[0]])

    lines = cli("diff", a, b).out.splitlines()

    third, second = rows[2]["endpoint"], rows[1]["endpoint"]
    assert f"{ENDPOINTS}: row endpoint='{third}' timing: '{rows[2]['timing']}' -> 'Weekly'" in lines
    assert f"{ENDPOINTS}: row endpoint='Quality of life' added: endpoint='Quality of life', type='Exploratory'" \
        in lines
    assert any(line.startswith(f"{ENDPOINTS}: row endpoint='{second}' removed: endpoint='{second}'") for line in lines)
    assert f"{ENDPOINTS}: rows in another order" in lines


def test_a_declared_key_tells_rows_apart(pair, cli):
    a, b = pair
    with Dossier.open(b) as d:
        rows = d.get(CONTACTS)
        d.set(CONTACTS, [{**rows[0], "phone": "+1 000"}] + rows[1:])

    lines = [line for line in cli("diff", a, b).out.splitlines() if line.startswith(CONTACTS)]

    assert lines == [f"{CONTACTS}: row role='{rows[0]['role']}', name='{rows[0]['name']}' phone: "
                     f"'{rows[0]['phone']}' -> '+1 000'"]


def test_attachments_are_compared_by_content_hash(pair, tmp_path, cli):
    a, b = pair
    (tmp_path / "letter.pdf").write_bytes(pdf_bytes("Letter"))
    with Dossier.open(b) as d:
        before = d.get("module1.letters.letters_of_authorization") or []  # the demo's own letter(s)
        d.attach("module1.letters.letters_of_authorization", tmp_path / "letter.pdf")
        sha = d.store.attachment("letter.pdf").sha256

    data = json.loads(cli("diff", a, b, "--json").out)

    assert data["equal"] is False
    assert {"kind": "attachment", "path": "attachment:letter.pdf", "change": "added", "old": None,
            "new": {"sha256": sha, "size": (tmp_path / "letter.pdf").stat().st_size}} in data["differences"]
    assert {"kind": "field", "path": "module1.letters.letters_of_authorization",
            "change": "changed" if before else "added", "old": before or None,
            "new": [*before, "letter.pdf"]} in data["differences"]


def test_a_dossier_and_its_exported_folder_are_equal(pair, tmp_path, cli):
    a, b = pair
    assert cli("export", a, tmp_path / "text").code == 0
    assert cli("diff", tmp_path / "text", b).code == 0
    with Dossier.open(b) as d:
        d.store.set_title("Renamed")
    assert cli("diff", tmp_path / "text", b).out.startswith("title: 'CLN3-ASO-01")


def test_a_missing_copy_is_a_usage_error(pair, tmp_path, cli):
    result = cli("diff", pair[0], tmp_path / "nowhere")
    assert result.code == 2 and "does not exist" in result.err


def test_a_key_that_is_no_column_is_refused_at_load():
    raw = {"version": 1, "areas": [{"id": "a", "title": "A", "sections": [{"id": "s", "title": "S", "fields": [
        {"id": "t", "label": "T", "type": "table", "key": ["nope"],
         "columns": [{"id": "c", "label": "C", "type": "text"}]}]}]}],
           "elements": [], "documents": [], "checks": []}
    with pytest.raises(ModelError, match="key column 'nope' is not a column of this table; columns: c"):
        parse_model(raw, "test")
