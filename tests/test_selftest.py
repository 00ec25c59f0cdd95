import pytest

from dossier import selftest
from tests.helpers.ectd import SHARED, needs_standards


@pytest.mark.slow
@needs_standards
def test_self_test_passes_with_the_standard_files(tmp_path, monkeypatch):
    monkeypatch.setenv("DOSSIER_STANDARDS_DIR", str(tmp_path / "std"))
    lines = []
    assert selftest.run(lines.append, standards=SHARED) is True
    assert lines[-1] == "self-test passed"
    assert any(line.startswith("ok   sequence validated") for line in lines)
    assert any(line.startswith("ok   units converted") and "= 2 mg" in line for line in lines)


def test_self_test_fails_clearly_without_them(tmp_path, monkeypatch):
    monkeypatch.setenv("DOSSIER_STANDARDS_DIR", str(tmp_path / "none"))
    lines = []
    assert selftest.run(lines.append) is False
    assert any(line.startswith("FAIL sequence 0001 built") and "dossier standards install" in line for line in lines)
    assert lines[-1] == "self-test FAILED"
