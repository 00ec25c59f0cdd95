import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dossier.errors import DossierError, ImportFormatError
from dossier.limits import LIMITS
from dossier.service import Dossier
from dossier.textform import export_dossier, import_dossier
from tests.helpers.pdfs import pdf_bytes

PDF = pdf_bytes()
# Everything a document can carry (control characters are refused at the door: test_limits.py).
SPECIAL = ["שלום עולם", "مرحبا بالعالم", "😀👩🏽‍🔬🧬", "\u202eRTL override\u202c",
           "tab\tand\u00a0nbsp", "line\u2028sep\u2029para", "<b>&amp;</b> {{ 7*7 }} {% if %}"]
PRINTABLE = st.characters(exclude_categories=("Cc", "Cs", "Cn"), include_characters="\t")


def tree(path: Path) -> dict[str, bytes]:
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def make(tmp_path, mini_model, values, name="a.dossier"):
    d = Dossier.create(tmp_path / name, "Case A ✓", model=mini_model)
    (tmp_path / "r.pdf").write_bytes(PDF)
    d.attach("product.design.report", tmp_path / "r.pdf")
    d.set_many(values)
    return d


def roundtrip(tmp_path, mini_model, values):
    with make(tmp_path, mini_model, values) as d:
        export_dossier(d, tmp_path / "one")
        before = d.values()
    import_dossier(tmp_path / "one", tmp_path / "b.dossier", model=mini_model)
    with Dossier.open(tmp_path / "b.dossier", model=mini_model) as d2:
        after = d2.values()
        export_dossier(d2, tmp_path / "two")
    return before, after


line = st.one_of(st.text(PRINTABLE, max_size=40).filter(str.strip), st.sampled_from(SPECIAL))
block = st.one_of(st.text(PRINTABLE | st.just("\n"), min_size=1, max_size=200).filter(str.strip),
                  st.sampled_from(SPECIAL), st.just("long " + "é" * (LIMITS["longtext"].size - 5)))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(gene=line, notes=block, study=line, target=line)
def test_export_import_roundtrip_is_lossless_and_stable(tmp_path_factory, mini_model, gene, notes, study, target):
    tmp_path = tmp_path_factory.mktemp("rt")
    values = {"genetic.variant.gene": gene, "genetic.variant.notes": notes, "product.design.target": target,
              "product.design.studies": [{"name": study, "dose": "10 nM", "patient_derived": True}],
              "product.design.sponsor": {"name": gene, "address": notes[:100]},
              "genetic.variant.codes": "PVS1,PM2", "product.design.dose": "0.5 mL"}
    before, after = roundtrip(tmp_path, mini_model, values)
    assert after == before
    assert tree(tmp_path / "one") == tree(tmp_path / "two")


def test_phi_left_out_on_request(tmp_path, mini_model):
    with make(tmp_path, mini_model, {"genetic.variant.patient_name": "Patient A", "genetic.variant.gene": "CLN3"}) as d:
        export_dossier(d, tmp_path / "shared", include_phi=False)
    text = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "shared").rglob("*.json*"))
    assert "Patient A" not in text and "CLN3" in text


@pytest.fixture
def exported(tmp_path, mini_model):
    with make(tmp_path, mini_model, {"genetic.variant.gene": "CLN3"}) as d:
        export_dossier(d, tmp_path / "x")
    return tmp_path / "x"


def refused(src, tmp_path, mini_model, match):
    target = tmp_path / "new.dossier"
    with pytest.raises(ImportFormatError, match=match):
        import_dossier(src, target, model=mini_model)
    assert not target.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".new.dossier")]


def test_unknown_field_refused(exported, tmp_path, mini_model):
    path = exported / "sections" / "genetic.variant.json"
    data = json.loads(path.read_text())
    data["fields"]["colour"] = "red"
    path.write_text(json.dumps(data))
    refused(exported, tmp_path, mini_model, "unknown field 'colour'")


def test_wrong_type_refused(exported, tmp_path, mini_model):
    path = exported / "sections" / "genetic.variant.json"
    data = json.loads(path.read_text())
    data["fields"]["detected"] = "yesterday"
    path.write_text(json.dumps(data))
    refused(exported, tmp_path, mini_model, "genetic.variant.json: genetic.variant.detected: date must be")


def test_tampered_attachment_refused(exported, tmp_path, mini_model):
    (exported / "attachments" / "files" / "r.pdf").write_bytes(PDF.replace(b"1.4", b"1.5"))
    refused(exported, tmp_path, mini_model, "checksum does not match")


def test_missing_attachment_refused(exported, tmp_path, mini_model):
    (exported / "attachments" / "files" / "r.pdf").unlink()
    refused(exported, tmp_path, mini_model, "is missing")


@pytest.mark.parametrize("name", ["../../evil.pdf", "/etc/passwd", "sub/dir.pdf", "..", "a\\b.pdf"])
def test_path_traversal_in_attachment_names_refused(exported, tmp_path, mini_model, name):
    manifest = exported / "attachments" / "attachments.json"
    data = json.loads(manifest.read_text())
    data[0]["name"] = name
    manifest.write_text(json.dumps(data))
    refused(exported, tmp_path, mini_model, "unsafe or invalid attachment name")


def test_truncated_import_refused(exported, tmp_path, mini_model):
    path = exported / "sections" / "genetic.variant.json"
    path.write_bytes(path.read_bytes()[:25])
    refused(exported, tmp_path, mini_model, "not valid JSON")


def test_unknown_section_file_refused(exported, tmp_path, mini_model):
    shutil.copy(exported / "sections" / "genetic.variant.json", exported / "sections" / "genetic.extra.json")
    refused(exported, tmp_path, mini_model, "not a section of the content model")


def test_existing_target_and_export_folder_protected(exported, tmp_path, mini_model):
    (tmp_path / "taken.dossier").write_bytes(b"precious")
    with pytest.raises(DossierError, match="already exists"):
        import_dossier(exported, tmp_path / "taken.dossier", model=mini_model)
    assert (tmp_path / "taken.dossier").read_bytes() == b"precious"
    with Dossier.open(tmp_path / "a.dossier", model=mini_model) as d:
        with pytest.raises(DossierError, match="not empty"):
            export_dossier(d, exported)
        export_dossier(d, exported, replace=True)
