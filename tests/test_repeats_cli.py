"""Repeatable groups from the command line, with a content model that has one (tests/helpers/models.py):
`dossier instances`, instance paths in set/get/clear/attach/check/history, `set --from` with instance
paths and lists of instances, and `fields --json` telling a script how to fill each instance."""

from __future__ import annotations

import hashlib
import json

import pytest
import yaml

from tests.helpers.pdfs import make_pdf


@pytest.fixture
def case(tmp_path, cli, repeats_model, monkeypatch):
    """A dossier of the repeats model, made by `dossier new`."""
    monkeypatch.setattr("dossier.service.default_model", lambda: repeats_model)
    monkeypatch.setattr("dossier.model.default_model", lambda: repeats_model)
    path = tmp_path / "case.dossier"
    assert cli("new", path, "--title", "Editor case").code == 0
    return path


def write(tmp_path, text: str, name: str = "values.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_instances_are_added_listed_renamed_moved_and_removed(cli, case):
    assert cli("instances", case, "substances").err.startswith("no drug substance yet; add one")
    assert cli("instances", case, "substances", "add", "Editor mRNA").out == "added drug substance [0] Editor mRNA\n"
    assert cli("instances", case, "substances", "add", "Guide RNA").code == 0
    assert cli("instances", case, "substances").out == "[0] Editor mRNA\n[1] Guide RNA\n"
    assert cli("instances", case, "substances", "move", 1, 0).out == "moved drug substance [1] to [0]\n"
    assert cli("instances", case, "substances", "rename", 0, "sgRNA").out == \
        "renamed drug substance [0] Guide RNA to sgRNA\n"
    assert json.loads(cli("instances", case, "substances", "--json").out) == [
        {"index": 0, "name": "sgRNA"}, {"index": 1, "name": "Editor mRNA"}]
    removed = cli("instances", case, "substances", "remove", 0)
    assert removed.out.startswith("removed drug substance [0] sgRNA and its 1 value(s)")
    history = cli("history", case).out
    assert "repeat:substances: moved 'Guide RNA' from [1] to [0]" in history or \
           "repeat:substances: moved 'Editor mRNA' from [0] to [1]" in history
    assert "repeat:substances: removed 'sgRNA' (was [0])" in history


def test_refusals_exit_2_and_name_the_instances(cli, case):
    cli("instances", case, "substances", "add", "Editor mRNA")
    taken = cli("instances", case, "substances", "add", "editor mrna")
    assert taken.code == 1 and "already names drug substance [0]" in taken.err
    assert cli("instances", case, "arms").err == \
        "error: no repeat 'arms' in the content model (repeats: substances)\n"
    missing = cli("get", case, "cmc.substance.kind")
    assert missing.code == 2
    assert ("cmc.substance is repeated: say which drug substance, e.g. cmc.substance[0].kind; instances: "
            "[0] Editor mRNA") in missing.err
    assert "there is no drug substance [3]" in cli("instances", case, "substances", "move", 3, 0).err


def test_set_get_clear_attach_and_check_take_instance_paths(tmp_path, cli, case):
    cli("instances", case, "substances", "add", "Guide RNA")
    assert cli("set", case, "cmc.substance[0].kind", "Guide RNA").out == "cmc.substance[0].kind: saved\n"
    assert cli("get", case, "cmc.substance[0].kind").out == "Guide RNA\n"
    assert cli("set", case, "cmc.substance[1].name", "Lipid").code == 0  # the next name adds an instance
    gap = cli("set", case, "cmc.substance[3].name", "x")
    assert gap.code == 1 and "there are 2 drug substance instance(s); add the next as [2]" in gap.err
    assert cli("attach", case, "cmc.substance[1].report", make_pdf(tmp_path / "lipid.pdf")).code == 0
    assert cli("get", case, "cmc.substance[1].report").out.strip() == '[\n  "lipid.pdf"\n]'
    assert cli("clear", case, "cmc.substance[1].report").out == "cmc.substance[1].report: cleared\n"
    check = cli("check", case, "--json")
    findings = {(f["field"], f["message"]) for f in json.loads(check.out)["findings"]}
    assert ("cmc.substance[0].sequence", "Guide RNA: Sequence is required; fill it in.") in findings


def test_set_from_takes_instance_paths_and_lists_of_instances(tmp_path, cli, case):
    values = write(tmp_path, "product.overview.product_name: editor-1\n"
                             "cmc:\n"
                             "  substance:\n"
                             "    - {name: Editor mRNA, kind: mRNA, sequence: AUGGCC}\n"
                             "    - name: Guide RNA\n"
                             "      kind: Guide RNA\n"
                             "      batches: [{lot: G-1}]\n"
                             "nonclinical.potency[1].summary: Cuts at the target\n"
                             "nonclinical.potency[0]: {ec50: 3 nM}\n")
    result = cli("set", case, "--from", values)
    assert result.code == 0, result.err
    assert cli("instances", case, "substances").out == "[0] Editor mRNA\n[1] Guide RNA\n"
    assert cli("get", case, "cmc.substance[1].batches[0].lot").out == "G-1\n"  # one cell of an instance's table
    assert json.loads(cli("get", case, "cmc.substance[1].batches", "--json").out) == [{"lot": "G-1"}]
    assert json.loads(cli("get", case, "nonclinical.potency[0].ec50").out) == {"value": 3, "unit": "nM"}


def test_set_from_refuses_a_gap_with_its_line_and_writes_nothing(tmp_path, cli, case):
    cli("instances", case, "substances", "add", "Editor mRNA")
    before = hashlib.sha256(case.read_bytes()).hexdigest()
    values = write(tmp_path, "cmc.substance[0].kind: mRNA\n"
                             "cmc.substance[2].name: Lipid\n"
                             "cmc.substance.sequence: AUG\n"
                             "cmc:\n"
                             "  substance: [Editor]\n")
    result = cli("set", case, "--from", values)
    assert result.code == 2
    lines = result.err.splitlines()
    assert lines[0] == ("values.yaml:2: cmc.substance[2].name: there are 1 drug substance instance(s); add the next "
                        "as [1]")
    assert lines[1].startswith("values.yaml:3: cmc.substance.sequence: cmc.substance is repeated: say which drug "
                               "substance, e.g. cmc.substance[0].sequence; instances: [0] Editor mRNA")
    assert lines[2].startswith("values.yaml:5: cmc.substance[0]: an instance is a mapping of its fields")
    assert hashlib.sha256(case.read_bytes()).hexdigest() == before


def test_fields_json_describes_each_instance_and_how_to_add_the_next(tmp_path, cli, case):
    rows = json.loads(cli("fields", case, "--json").out)
    first = [r for r in rows if r["repeat"]]
    assert [r["path"] for r in first] == ["cmc.substance[0].name"]
    assert first[0]["repeat"] == {"id": "substances", "label": "Drug substance", "name_field": "cmc.substance.name",
                                  "min": 1, "max": 4, "sections": ["cmc.substance", "nonclinical.potency"],
                                  "count": 0, "instance": None, "instance_name": None,
                                  "add": "cmc.substance[0].name"}
    cli("instances", case, "substances", "add", "Editor mRNA")
    cli("instances", case, "substances", "add", "Guide RNA")
    cli("set", case, "cmc.substance[1].kind", "Guide RNA")
    rows = json.loads(cli("fields", case, "--json").out)
    ours = [r for r in rows if r["repeat"]]
    assert [r["path"] for r in ours][:7] == ["cmc.substance[0].name", "cmc.substance[0].kind",
                                             "cmc.substance[0].sequence", "cmc.substance[0].guide_design",
                                             "cmc.substance[0].report", "cmc.substance[0].batches",
                                             "cmc.substance[1].name"]
    assert len(ours) == 2 * (6 + 3)
    sequence = {r["path"]: r for r in ours}
    assert sequence["cmc.substance[1].sequence"]["applies"] and not sequence["cmc.substance[0].sequence"]["applies"]
    assert sequence["nonclinical.potency[1].ec50"]["repeat"]["instance_name"] == "Guide RNA"
    assert sequence["nonclinical.potency[1].ec50"]["repeat"]["add"] == "cmc.substance[2].name"
    # a script fills the dossier from this alone: each instance's example values, by their paths
    values = {r["path"]: r["example"] for r in ours if r["example"] is not None and r["applies"]
              and r["type"] != "choice" and not r["path"].endswith(".name")}
    result = cli("set", case, "--from", write(tmp_path, yaml.safe_dump(values), "examples.yaml"))
    assert result.code == 0, result.err
    listing = cli("fields", case).out
    assert "[x] cmc.substance[1].sequence" in listing and "(drug substance [1] Guide RNA)" in listing
