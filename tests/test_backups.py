"""Every export of a dossier can be imported again, and an import reads only its own folder: damaged
attachments are refused at export by name, links out of the folder and devices are refused, nothing is
read past the size the manifest declares, and a table row never lacks its required columns."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from dossier.errors import DamagedFileError, FieldError, ImportFormatError
from dossier.paths import demo_dir
from dossier.service import Dossier
from dossier.textform import export_dossier, import_dossier
from tests.test_service import PDF
from tests.test_textform import tree

ROOT = str(Path(__file__).resolve().parents[1])


def mini_dossier(tmp_path: Path, mini_model, name: str = "mini.dossier") -> Path:
    """A mini-model dossier with every field type filled and attachments in a field and in table rows."""
    path = tmp_path / name
    source = tmp_path / "report.pdf"
    source.write_bytes(PDF)
    with Dossier.create(path, "ASO for patient A", model=mini_model) as d:
        d.set_many({"genetic.variant.gene": "CLN3", "genetic.variant.hgvs": "NM_000086.2:c.461-280_677+382del",
                    "genetic.variant.notes": "two\nlines", "genetic.variant.acmg_class": "Pathogenic",
                    "genetic.variant.codes": "PVS1,PM2", "genetic.variant.detected": "2026-01-02",
                    "genetic.variant.patient_name": "Patient A", "product.design.dose": "0.5 mL",
                    "product.design.length": "20 nt", "product.design.parenteral": True,
                    "product.design.sterility": "sterile", "product.design.sponsor": {"name": "Dr. A"},
                    "product.design.studies": [{"name": "S1", "patient_derived": True}, {"name": "S2"}]})
        d.attach("product.design.report", source)
        d.attach("product.design.studies[0].report", source, name="s1.pdf")
        d.attach("product.design.studies[1].report", source, name="s2.pdf")
        d.set("genetic.variant.patient_name", "Patient B")
    return path


def _round_trip(path: Path, tmp_path: Path, model=None, **export_options) -> None:
    with Dossier.open(path, read_only=True, model=model) as d:
        export_dossier(d, tmp_path / "one", **export_options)
        before = d.values() if export_options.get("include_phi", True) else None
    import_dossier(tmp_path / "one", tmp_path / "again.dossier", model=model)
    with Dossier.open(tmp_path / "again.dossier", read_only=True, model=model) as again:
        if before is not None:
            assert again.values() == before
        export_dossier(again, tmp_path / "two", **export_options)
    assert tree(tmp_path / "one") == tree(tmp_path / "two")


@pytest.mark.parametrize("include_phi", [True, False])
def test_every_fixture_dossier_exports_and_imports_again(tmp_path, mini_model, include_phi):
    demo = tmp_path / "demo" / "demo.dossier"
    demo.parent.mkdir()
    import_dossier(demo_dir(), demo)
    _round_trip(demo, demo.parent, include_phi=include_phi)
    (tmp_path / "mini").mkdir()
    mini = mini_dossier(tmp_path / "mini", mini_model)
    _round_trip(mini, mini.parent, model=mini_model, include_phi=include_phi)


def test_attaching_into_a_new_row_asks_for_its_required_columns_first(tmp_path, mini_model):
    source = tmp_path / "r.pdf"
    source.write_bytes(PDF)
    with Dossier.create(tmp_path / "t.dossier", "T", model=mini_model) as d:
        with pytest.raises(FieldError, match=r"needs 'Study' \(name\); add the row with them first"):
            d.attach("product.design.studies[0].report", source)
        assert d.attachments() == [] and d.get("product.design.studies") is None
        d.set("product.design.studies", [{"name": "S1"}])
        d.attach("product.design.studies[0].report", source)  # an existing row takes the file
        assert d.get("product.design.studies") == [{"name": "S1", "report": "r.pdf"}]
    _round_trip(tmp_path / "t.dossier", tmp_path, model=mini_model)


def _damage_attachment(path: Path, name: str) -> None:
    with sqlite3.connect(path) as conn:
        data = bytearray(conn.execute("SELECT data FROM attachment_chunks WHERE name = ?", (name,)).fetchone()[0])
        data[len(data) // 2] ^= 0x01
        conn.execute("UPDATE attachment_chunks SET data = ? WHERE name = ?", (bytes(data), name))
    conn.close()


def test_export_refuses_a_damaged_attachment_by_name(tmp_path, mini_model, cli):
    path = mini_dossier(tmp_path, mini_model)
    _damage_attachment(path, "s1.pdf")
    with Dossier.open(path, read_only=True, model=mini_model) as d:
        with pytest.raises(DamagedFileError, match=r"attachment s1\.pdf is damaged inside the dossier mini\.dossier"):
            export_dossier(d, tmp_path / "out")
        assert list(d.read_attachment("s2.pdf"))  # the others still read
    assert not (tmp_path / "out").exists() and [p for p in tmp_path.iterdir() if p.name.startswith(".out")] == []


@pytest.fixture
def exported(tmp_path, mini_model) -> Path:
    with Dossier.open(mini_dossier(tmp_path, mini_model), read_only=True, model=mini_model) as d:
        return export_dossier(d, tmp_path / "export")


def _import_refused(src: Path, tmp_path: Path, mini_model, match: str) -> None:
    with pytest.raises(ImportFormatError, match=match):
        import_dossier(src, tmp_path / "imported.dossier", model=mini_model)
    assert not (tmp_path / "imported.dossier").exists()


def test_import_never_follows_a_link_out_of_its_folder(exported, tmp_path, mini_model):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.pdf").write_bytes(PDF + b"% someone else's file\n")
    secret = (outside / "secret.pdf").read_bytes()
    manifest_path = exported / "attachments" / "attachments.json"
    manifest = json.loads(manifest_path.read_text())
    manifest.append({"name": "secret.pdf", "media_type": "application/pdf", "size": len(secret),
                     "sha256": hashlib.sha256(secret).hexdigest(), "md5": hashlib.md5(secret).hexdigest()})
    manifest_path.write_text(json.dumps(manifest))
    (exported / "attachments" / "files" / "secret.pdf").symlink_to(outside / "secret.pdf")
    _import_refused(exported, tmp_path, mini_model, r"attachments/files/secret.pdf is a link to .*outside")
    # The whole files folder as a link elsewhere (attachments/files -> /etc in the wild).
    (exported / "attachments" / "files" / "secret.pdf").unlink()
    real_files = tmp_path / "moved-files"
    (exported / "attachments" / "files").rename(real_files)
    (real_files / "secret.pdf").symlink_to(outside / "secret.pdf")
    (exported / "attachments" / "files").symlink_to(real_files)
    _import_refused(exported, tmp_path, mini_model, r"attachments/files/\S+ is a link to .*outside")


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
@pytest.mark.parametrize("victim", ["sections/genetic.variant.json", "history.jsonl", "dossier.json",
                                    "attachments/attachments.json", "attachments/files/s1.pdf"])
def test_import_reads_no_device_even_inside_its_folder(exported, tmp_path, victim):
    (exported / victim).unlink()
    (exported / victim).symlink_to("/dev/zero")
    # In a child with a memory cap and a time limit: before the fix this read until memory ran out.
    code = textwrap.dedent(f"""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
        sys.path.insert(0, {ROOT!r})
        from tests.helpers.models import MINI_MODEL
        import yaml
        from pathlib import Path
        from dossier.model_reader import parse_model
        from dossier.errors import ImportFormatError
        from dossier.textform import import_dossier
        model = parse_model(yaml.safe_load(MINI_MODEL), Path("mini.yaml"))
        try:
            import_dossier({str(exported)!r}, {str(tmp_path / "x.dossier")!r}, model=model)
        except ImportFormatError as exc:
            print(exc)
        """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": ROOT})
    assert f"{victim} is a link to /dev/zero, outside" in done.stdout, done.stderr[-2000:]


def test_import_reads_no_more_than_the_manifest_declares(exported, tmp_path, mini_model):
    with open(exported / "attachments" / "files" / "s1.pdf", "ab") as fh:
        fh.write(b"\0" * 100)
    _import_refused(exported, tmp_path, mini_model, "attachment s1.pdf: its size does not match attachments.json")
    manifest_path = exported / "attachments" / "attachments.json"
    manifest = json.loads(manifest_path.read_text())
    manifest[0]["size"] = "all of it"
    manifest_path.write_text(json.dumps(manifest))
    _import_refused(exported, tmp_path, mini_model, "its size does not match attachments.json")
