"""A product with several drug substances in the shipped model, built final with the real renderer and
templates: the base-editor case (editor mRNA, guide RNA and ionizable lipid in lipid nanoparticles) checks
with no finding, builds a final sequence that validates, gives each substance its own keyed 3.2.S heading,
folder and documents written from its own values (read back from the PDFs, the DOCX and index.xml), names
CBER and carries nothing of the oligonucleotide modality's wording; the checks that compare a drug
substance with the nonclinical design apply to the oligonucleotide only."""

import re

import docx
import pytest

from dossier.build import build_sequence
from dossier.cases import make_case
from dossier.ectd.readback import parse_backbone
from dossier.model import default_model
from dossier.readiness import check_dossier
from dossier.render.tree import PLACEHOLDER
from dossier.service import Dossier
from tests.helpers.documents import docx_text, pdf_text
from tests.helpers.ectd import install_standards

pytestmark = pytest.mark.slow
ASO = "CLN3-ASO-01 sodium"
MRNA, GUIDE, LIPID = "ABE8e editor mRNA", "CPS1 gRNA-1 guide RNA", "ML-315 ionizable lipid"
MERIDIAN = "Meridian Lipid Sciences (fictional)"  # makes the mRNA and the lipid
SPACER_SCAFFOLD = "mU*mU*mC*CUAAGCGUUCAGGUCCAGUUUUAGAGCUAGAAAUAGCAAGUUAAAAUAAGGC"  # as written, end-modified
# words only an oligonucleotide dossier uses; none may reach an editor's documents
ASO_WORDS = re.compile(r"oligonucleotide|gapmer|2['′]-MOE|splice[- ]switching|antisense|RNase H|"
                       r"phosphorothioate backbone", re.IGNORECASE)


@pytest.fixture(scope="module")
def editor(tmp_path_factory):
    """The built-in base-editor case, checked, its sequence 0001 built final and read back."""
    tmp = tmp_path_factory.mktemp("editor")
    with pytest.MonkeyPatch.context() as mp:
        standards = install_standards(mp, tmp / "standards")
        make_case("base-editor", tmp / "editor.dossier")
        with Dossier.open(tmp / "editor.dossier") as d:
            report, substances = d.check(), d.instances("substances")
            built = build_sequence(d, tmp / "app", workers=1)
    texts = {p.name: docx_text(p) for p in sorted(built.word_dir.glob("*.docx"))}
    texts |= {str(p.relative_to(built.path)): pdf_text(p) for p in sorted(built.path.rglob("*.pdf"))
              if "attachments" not in p.parts and not p.name.startswith(("cv-", "loa-", "coa-", "editing-"))}
    return {"report": report, "substances": substances, "built": built, "standards": standards, "texts": texts}


def test_the_editor_case_checks_with_no_finding_at_all(editor):
    assert [f"{f.severity} {f.check}: {f.message}" for f in editor["report"].findings] == []
    assert editor["substances"] == [MRNA, GUIDE, LIPID]


def test_it_builds_a_final_sequence_that_validates_with_no_placeholder(editor):
    built = editor["built"]
    assert built.ok and not built.draft
    assert [str(f) for f in built.findings if f.severity in ("high", "medium")] == []
    placeholder = PLACEHOLDER.split("{")[0].strip("[ ")
    assert len(editor["texts"]) > 80
    assert [name for name, text in editor["texts"].items() if placeholder in text] == []


def test_each_substance_has_its_own_keyed_3_2_s_heading(editor):
    built = editor["built"]
    index = (built.path / "index.xml").read_text(encoding="utf-8")
    assert index.count("<m3-2-s-drug-substance ") == 3
    for name, maker in ((MRNA, MERIDIAN), (GUIDE, "Coastline RNA Synthesis (fictional)"), (LIPID, MERIDIAN)):
        assert f'<m3-2-s-drug-substance manufacturer="{maker}" substance="{name}">' in index
    leaves = parse_backbone(built.path, "index.xml", editor["standards"]).leaves
    nomenclature = sorted((leaf.title, leaf.href) for leaf in leaves if leaf.heading == "m3-2-s-1-1-nomenclature")
    assert [title for title, _ in nomenclature] == [f"Drug substance: nomenclature — {n}" for n in (MRNA, GUIDE, LIPID)]
    assert len({href.split("/")[3] for _, href in nomenclature}) == 3  # a folder each
    lipid_pdf = pdf_text(built.path / nomenclature[2][1])
    assert LIPID in lipid_pdf and MRNA not in lipid_pdf and GUIDE not in lipid_pdf


def test_each_substance_is_rendered_with_its_own_values_and_title(editor):
    word = editor["built"].word_dir
    structure = {p.name: p for p in word.glob("ds-structure-*.docx")}
    assert sorted(structure) == ["ds-structure-abe8e-editor-mrna.docx", "ds-structure-cps1-grna-1-guide-rna.docx",
                                 "ds-structure-ml-315-ionizable-lipid.docx"]
    guide = structure["ds-structure-cps1-grna-1-guide-rna.docx"]
    lipid = structure["ds-structure-ml-315-ionizable-lipid.docx"]
    assert docx.Document(str(lipid)).core_properties.title == f"Drug substance: structure — {LIPID}"
    assert SPACER_SCAFFOLD in docx_text(guide) and "C48H95NO5" not in docx_text(guide)
    assert "C48H95NO5" in docx_text(lipid) and "UUCCUAAG" not in docx_text(lipid)  # a lipid has no sequence
    assert "N1-methylpseudouridine" in docx_text(structure["ds-structure-abe8e-editor-mrna.docx"])


def test_the_documents_name_cber_and_carry_no_oligonucleotide_wording(editor):
    texts = editor["texts"]
    letter = " ".join(texts["m1/us/12-cover-letters/cover-letter.pdf"].split())
    assert "Center for Biologics Evaluation and Research" in letter and "10903 New Hampshire Avenue" in letter
    assert "CBER" in " ".join(texts["form-1571-information.docx"].split())
    assert [name for name, text in texts.items() if "CDER" in text or "Center for Drug Evaluation" in text] == []
    leaks = {name: ASO_WORDS.findall(text) for name, text in texts.items() if ASO_WORDS.search(text)}
    assert leaks == {}


def test_checks_against_the_design_apply_to_the_oligonucleotide_only(demo_input):
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
