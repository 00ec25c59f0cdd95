"""The eCTD commands: build, validate, sequences/lifecycle, standards."""

import json

import pytest

from dossier import service
from dossier.cli import main
from tests.helpers.ectd import SHARED, new_dossier


@pytest.fixture
def case(tmp_path, installed, fake_renderer, ectd_model, monkeypatch):
    monkeypatch.setattr(service, "default_model", lambda: ectd_model)
    new_dossier(tmp_path / "case.dossier", tmp_path).close()
    return tmp_path / "case.dossier"


def test_build_validate_and_lifecycle(case, tmp_path, capsys):
    app = tmp_path / "app"
    assert main(["build", str(case), "--out", str(app), "--mark-submitted"]) == 0
    out = capsys.readouterr().out
    assert "Sequence 0001 written" in out and "Recorded as submitted." in out and "0 high" in out
    assert main(["validate", str(app / "0001")]) == 0
    assert "0 high, 0 medium" in capsys.readouterr().out
    assert main(["build", str(case), "--out", str(app), "--draft", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["number"] == "0002" and result["draft"] and not result["recorded"]
    assert main(["lifecycle", str(case)]) == 0
    out = capsys.readouterr().out
    assert "0001  submitted" in out and "live 0001" in out and "Cover letter" in out
    assert main(["sequences", str(case), "--json"]) == 0
    assert [s["number"] for s in json.loads(capsys.readouterr().out)["sequences"]] == ["0001"]


def test_validate_reports_tampering_with_exit_1(case, tmp_path, capsys):
    app = tmp_path / "app"
    main(["build", str(case), "--out", str(app)])
    capsys.readouterr()
    (app / "0001" / "index-md5.txt").write_text("0" * 32)
    assert main(["validate", str(app / "0001"), "--json"]) == 1
    findings = json.loads(capsys.readouterr().out)
    assert findings[0]["severity"] == "high" and findings[0]["file"] == "index-md5.txt"
    assert main(["validate", str(tmp_path / "nowhere")]) == 2


def test_record_a_built_sequence(case, tmp_path, capsys):
    app = tmp_path / "app"
    main(["build", str(case), "--out", str(app)])
    assert "sequences FILE --record" in capsys.readouterr().out
    assert main(["sequences", str(case), "--record", str(app / "0001")]) == 0
    assert "Recorded sequence 0001" in capsys.readouterr().out


def test_build_refuses_an_existing_folder(case, tmp_path, capsys):
    (tmp_path / "app" / "0001").mkdir(parents=True)
    assert main(["build", str(case), "--out", str(tmp_path / "app")]) == 2
    assert "already exists" in capsys.readouterr().err


def test_standards_status_and_install(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DOSSIER_STANDARDS_DIR", str(tmp_path / "std"))
    assert main(["standards", "status"]) == 1
    out = capsys.readouterr().out
    assert "missing  ich-ectd-3-2.dtd" in out and "accessdata.fda.gov" in out and "dossier standards install" in out
    if not SHARED.is_dir():
        pytest.skip("official DTDs not beside the project")
    assert main(["standards", "install", str(SHARED)]) == 0
    assert "All standard files installed" in capsys.readouterr().out
    (tmp_path / "empty").mkdir()
    assert main(["standards", "install", str(tmp_path / "empty")]) == 2
    assert "nothing installed" in capsys.readouterr().err
