"""A product with two drug substances in the shipped model, built with the real renderer and templates:
each substance has its own keyed 3.2.S heading, folder and documents, titled after it and written from
its own values (read back from the PDFs, the DOCX and index.xml); the checks that compare a drug
substance with the nonclinical design apply to the oligonucleotide only."""

import shutil

import docx
import pytest

from dossier.build import build_sequence
from dossier.ectd.readback import parse_backbone
from dossier.model import default_model
from dossier.readiness import check_dossier
from dossier.render import render_all, snapshot
from dossier.service import Dossier
from tests.helpers.documents import docx_text, pdf_text
from tests.helpers.ectd import install_standards

pytestmark = pytest.mark.slow
ASO = "CLN3-ASO-01 sodium"
LIPID = "DLin-MC3-DMA"
NORTHSTAR = "Northstar Oligo Manufacturing (fictional)"  # the oligonucleotide's manufacturer
# A second substance of another kind: a lipid has no sequence, and nothing of the oligonucleotide's.
SECOND = {"name": LIPID, "kind": "Lipid", "lipid_role": "Ionizable lipid", "novel_excipient": False,
          "manufacturer": "Lipid Works Inc (fictional)",
          "synthesis": "Multi-step organic synthesis from linoleyl precursors; purified by flash chromatography.",
          "specifications": [{"test": "Identity", "method": "1H NMR and LC-MS",
                              "acceptance": "Conforms to the reference", "result": "Conforms"}],
          "reference_standard": "In-house primary standard, lot RS-MC3-01", "container": "Amber glass vial at -20 °C"}


@pytest.fixture(scope="module")
def two(tmp_path_factory, demo_master):
    """The demo with the lipid added as drug substance [1], its sequence 0001 built and its documents
    rendered (Word and PDF). An antisense product has no lipid (readiness says so: substance-fits-modality),
    so the sequence is a draft: what is tested here is the per-substance placement and content."""
    tmp = tmp_path_factory.mktemp("two")
    shutil.copyfile(demo_master, tmp / "two.dossier")
    with pytest.MonkeyPatch.context() as mp:
        install_standards(mp, tmp / "standards")
        with Dossier.open(tmp / "two.dossier") as d:
            d.set_many({f"cmc.substance[1].{key}": value for key, value in SECOND.items()})
            assert d.instances("substances") == [ASO, LIPID]
            assert [f.check for f in d.check().findings if f.severity == "error"] == ["substance-fits-modality"]
            built = build_sequence(d, tmp / "app", workers=1, draft=True)
            rendered = render_all(snapshot(d), tmp / "documents", model=d.model, draft=True)
    return {"built": built, "rendered": rendered, "standards": tmp / "standards"}


def test_each_substance_has_its_own_keyed_3_2_s_heading(two):
    built = two["built"]
    assert [str(f) for f in built.findings if f.severity in ("high", "medium")] == []
    index = (built.path / "index.xml").read_text(encoding="utf-8")
    assert index.count("<m3-2-s-drug-substance ") == 2
    assert f'<m3-2-s-drug-substance manufacturer="{NORTHSTAR}" substance="{ASO}">' in index
    assert f'<m3-2-s-drug-substance manufacturer="Lipid Works Inc (fictional)" substance="{LIPID}">' in index
    leaves = parse_backbone(built.path, "index.xml", two["standards"]).leaves
    nomenclature = sorted((leaf.title, leaf.href) for leaf in leaves if leaf.heading == "m3-2-s-1-1-nomenclature")
    assert nomenclature == [
        (f"Drug substance: nomenclature — {ASO}",
         "m3/32-body-data/32s-drug-sub/cln3-aso-01-sodium-northstar-oligo/32s1-gen-info/ds-nomenclature.pdf"),
        (f"Drug substance: nomenclature — {LIPID}",
         "m3/32-body-data/32s-drug-sub/dlin-mc3-dma-lipid-works-inc-fictional/32s1-gen-info/ds-nomenclature.pdf")]
    lipid_pdf = pdf_text(built.path / nomenclature[1][1])
    assert LIPID in lipid_pdf and "Lipid" in lipid_pdf and ASO not in lipid_pdf
    assert ASO in pdf_text(built.path / nomenclature[0][1]) and LIPID not in pdf_text(built.path / nomenclature[0][1])


def test_each_substance_is_rendered_with_its_own_values_and_title(two):
    rendered = two["rendered"]
    structure = {unit: files for unit, files in rendered.items() if unit.startswith("ds-structure@")}
    assert sorted(structure) == ["ds-structure@0", "ds-structure@1"]
    aso_docx, lipid_docx = structure["ds-structure@0"]["docx"], structure["ds-structure@1"]["docx"]
    assert docx.Document(str(lipid_docx)).core_properties.title == f"Drug substance: structure — {LIPID}"
    assert docx.Document(str(aso_docx)).core_properties.title == f"Drug substance: structure — {ASO}"
    assert "TCCCAGGAACTTACCTGGTGAG" in docx_text(aso_docx)
    assert "TCCCAGGAACTTACCTGGTGAG" not in docx_text(lipid_docx)  # a lipid has no sequence of its own
    summary = pdf_text(rendered["qos-drug-substance@1"]["pdf"])
    assert LIPID in summary and "Lipid Works Inc" in summary and NORTHSTAR not in summary
    chemistry = default_model().field("nonclinical.design.chemistry").label
    assert chemistry in pdf_text(rendered["qos-drug-substance@0"]["pdf"]) and chemistry not in summary


def test_checks_against_the_design_apply_to_the_oligonucleotide_only(two, demo_input):
    model = default_model()
    guide = {"cmc.substance[1].name": "Guide RNA 1", "cmc.substance[1].kind": "Guide RNA",
             "cmc.substance[1].sequence": "GACCAUGGAGAAGCUGGUCA"}
    values = {**demo_input.values, **{k: v for k, v in guide.items()}}
    names = [a["name"] for a in demo_input.attachments]
    found = check_dossier(model, values, names).findings
    assert [f for f in found if f.check in ("same-sequence", "ds-formula-and-weight")] == []
    values["cmc.substance[0].sequence"] = "TCCCAGGAACTTACCTGGTGAA"
    wrong = [f for f in check_dossier(model, values, names).findings if f.check == "same-sequence"]
    assert [f.field for f in wrong] == ["cmc.substance[0].sequence"] and wrong[0].message.startswith(f"{ASO}: ")
