import shutil

import pytest

from dossier import standards
from dossier.errors import DossierError
from tests.helpers.ectd import SHARED, needs_standards


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv("DOSSIER_STANDARDS_DIR", str(tmp_path / "std"))
    return tmp_path / "std"


def test_missing_files_named_with_source_and_command(folder):
    assert set(standards.status().values()) == {"missing"}
    with pytest.raises(standards.StandardsMissing) as err:
        standards.require()
    message = str(err.value)
    assert "ich-ectd-3-2.dtd" in message and "ich.org" in message and "dossier standards install" in message


@needs_standards
def test_install_from_folder_verifies_checksums(folder, tmp_path):
    renamed = tmp_path / "download"
    renamed.mkdir()
    for p in SHARED.iterdir():
        shutil.copy(p, renamed / ("copy-of-" + p.name))
    assert standards.install(renamed) == ["ectd-2-0.xsl", "ich-ectd-3-2.dtd", "us-regional-v3-3.dtd"]
    assert set(standards.status().values()) == {"installed"}
    assert standards.require() == folder


@needs_standards
def test_altered_file_refused(folder, tmp_path):
    bad = tmp_path / "ich-ectd-3-2.dtd"
    bad.write_bytes((SHARED / "ich-ectd-3-2.dtd").read_bytes().replace(b"\r\n", b"\n"))
    with pytest.raises(DossierError, match=r"checksum differs from the official ich-ectd-3-2.dtd"):
        standards.install(bad)
    assert standards.status()["ich-ectd-3-2.dtd"] == "missing"
