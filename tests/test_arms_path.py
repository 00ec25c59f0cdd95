"""Arms exist for the user only on the master-protocol path (the `arms` repeat's `when:`): on any other
path the dossier has exactly one arm, which nobody names and no finding, measure or document mentions;
another arm cannot be added there; and a two-arm dossier switched to another path keeps every value while
check (and the build with it) refuses until the path or the arms are settled."""

from __future__ import annotations

import pytest
from docx import Document as Docx

from dossier.service import Dossier
from tests.helpers.ectd import install_standards

pytest_plugins = ["tests.helpers.cli"]

HGVS = "NM_001042432.2:c.1056+34C>A"


def test_a_new_dossier_takes_its_variant_without_naming_an_arm(tmp_path, cli):
    assert cli("new", tmp_path / "n.dossier", "--title", "One patient").code == 0
    assert cli("set", tmp_path / "n.dossier", "genetic.variant[0].hgvs", HGVS).code == 0
    with Dossier.open(tmp_path / "n.dossier", read_only=True) as d:
        assert d.instances("arms") == [""] and d.get("genetic.variant[0].hgvs") == HGVS
        findings = d.check().findings
    assert findings and not [f for f in findings if f.field.endswith(".arm") or "arm" in f.message.lower().split()]
    assert not [f for f in findings if "Arm" in f.message]
    assert cli("instances", tmp_path / "n.dossier", "arms").out == "[0] (no name: this dossier has one arm)\n"


@pytest.mark.slow
def test_the_aso_demo_mentions_no_arm_in_findings_measures_or_documents(tmp_path, cli, monkeypatch):
    install_standards(monkeypatch, tmp_path / "standards")
    cli("demo", tmp_path / "d.dossier")
    with Dossier.open(tmp_path / "d.dossier", read_only=True) as d:
        report = d.check()
    assert report.findings == ()
    assert report.measures and not [m for m in report.measures if "Arm" in m.instance or "Arm" in m.label]
    result = cli("build", tmp_path / "d.dossier", "--out", tmp_path / "out")
    assert result.code == 0, result.err
    documents = sorted((tmp_path / "out").glob("*-word/*.docx"))
    assert any(p.name == "genetic-rationale.docx" for p in documents)  # as before arms: no arm in its name
    for path in documents:
        doc = Docx(str(path))
        cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
        text = "\n".join([p.text for p in doc.paragraphs] + cells)
        assert "Arm 1" not in text, path.name


def test_another_arm_is_refused_off_the_master_protocol_path(tmp_path, cli):
    cli("demo", tmp_path / "d.dossier")
    result = cli("instances", tmp_path / "d.dossier", "arms", "add", "Arm 2: c.790+139G>A")
    assert result.code != 0 and "Regulatory path is 'Master protocol' (module1.application.path)" in result.err
    result = cli("set", tmp_path / "d.dossier", "genetic.variant[1].arm", "Arm 2")
    assert result.code != 0 and "'Master protocol'" in result.err
    with Dossier.open(tmp_path / "d.dossier", read_only=True) as d:
        assert len(d.instances("arms")) == 1


@pytest.mark.slow
def test_a_two_arm_dossier_switched_off_the_master_protocol_keeps_its_arms_and_cannot_be_built(tmp_path, cli,
                                                                                                 monkeypatch):
    install_standards(monkeypatch, tmp_path / "standards")
    cli("demo", tmp_path / "p.dossier", "--case", "aso-platform")
    with Dossier.open(tmp_path / "p.dossier") as d:
        stored = d.store.values()
        d.set("module1.application.path", "Individualized IND")
        d.set("clinical.design.design", "Single-patient externally controlled study")
        after = d.store.values()
        kept = {p: v for p, v in stored.items() if p not in ("module1.application.path", "clinical.design.design")}
        assert "genetic.variant[1].hgvs" in kept and {p: after.get(p) for p in kept} == kept
        assert d.instances("arms") == ["Arm 1: c.1056+34C>A"]
        errors = [f for f in d.check().findings if f.severity == "error"]
    [arms] = [f for f in errors if f.check == "instances:arms"]
    assert "arms beyond the first apply only when Regulatory path is 'Master protocol'" in arms.message
    assert arms.field == "module1.application.path"
    check = cli("check", tmp_path / "p.dossier")
    assert check.code != 0 and "arms beyond the first" in check.out
    build = cli("build", tmp_path / "p.dossier", "--out", tmp_path / "out")
    assert build.code != 0 and not (tmp_path / "out" / "0001").exists(), build.out
    assert "arms beyond the first" in build.out + build.err
    with Dossier.open(tmp_path / "p.dossier") as d:  # back on the master protocol, both arms are there again
        d.set("module1.application.path", "Master protocol")
        d.set("clinical.design.design", "Master protocol arm")
        assert d.instances("arms") == ["Arm 1: c.1056+34C>A", "Arm 2: c.790+139G>A"]
        assert d.check().findings == ()


def test_a_plain_path_names_the_one_arm_and_stays_its_own_when_the_arm_is_named(tmp_path, cli):
    assert cli("new", tmp_path / "n.dossier", "--title", "One patient").code == 0
    assert cli("set", tmp_path / "n.dossier", "genetic.variant.hgvs", HGVS).code == 0  # no [0] needed
    assert cli("get", tmp_path / "n.dossier", "genetic.variant.hgvs").out.strip() == HGVS
    with Dossier.open(tmp_path / "n.dossier") as d:
        assert d.get("genetic.variant[0].hgvs") == HGVS
        d.set("module1.application.path", "Master protocol")  # arms now apply: the first must be named
        assert d.instances("arms") == []
        assert d.add_instance("arms", "Arm 1: c.1056+34C>A") == 0
        assert d.get("genetic.variant[0].hgvs") == HGVS  # the variant entered before is the named arm's


def test_measures_repeated_per_arm_name_their_arm_in_check_and_its_json(tmp_path, cli):
    import json

    from dossier.cases import make_case

    make_case("aso-platform", tmp_path / "p.dossier")
    printed = cli("check", tmp_path / "p.dossier").out.splitlines()
    binding = [line for line in printed if "Binding site to the variant" in line]
    assert len(binding) == 2 and "Arm 1: c.1056+34C>A: Binding" in binding[0] and "Arm 2: c.790+139G>A" in binding[1]
    measured = [line.strip() for line in printed if line.strip().startswith("ok ")]
    assert measured and len(measured) == len(set(measured))
    shown = json.loads(cli("check", tmp_path / "p.dossier", "--json").out)["measures"]
    assert len({m["text"] for m in shown}) == len(shown)
    assert {m["instance"] for m in shown if m["check"] == "aso-pairs-with-target"} == \
        {"Arm 1: c.1056+34C>A", "Arm 2: c.790+139G>A"}
