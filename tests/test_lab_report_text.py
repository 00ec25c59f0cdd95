"""The laboratory report is read (lab_report, dossier.reporttext): the demo's report names its gene, both
alleles and the CLIA number; a report made here that names another variant, another transcript version,
another CLIA number or no gene says what it found; a scan (an image, no text) is a "cannot check" that
says what to confirm by eye; each arm's report is read against that arm's variant; the render gate reads
the report as `dossier check` does. Real PDFs written with reportlab, attached to real dossier files."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from reportlab.lib.pagesizes import letter
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from dossier.cases import make_case
from dossier.pdftext import extract
from dossier.readiness import check_dossier
from dossier.render import snapshot
from dossier.reporttext import clia_numbers, names_gene, names_variant
from dossier.service import Dossier
from tests.helpers.pdfs import FONT

FIRST, SECOND = "NM_001042432.2:c.1056+34C>A", "NM_001042432.2:c.462_677del"
REPORT = "genetic.variant[0].lab_report"


def report_pdf(path: Path, lines: list[str]) -> Path:
    """A one-page report in an embedded font (as FDA's rules want every attachment), one line each."""
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, "Vera.ttf"))
    c = canvas.Canvas(str(path), pagesize=letter, initialFontName=FONT, pdfVersion=(1, 4), invariant=1)
    c.setTitle("Genetic test report")
    c.setFont(FONT, 10)
    for i, line in enumerate(lines):
        c.drawString(72, 720 - 14 * i, line)
    c.showPage()
    c.save()
    return path


def scanned_pdf(path: Path) -> Path:
    """A report as a scanner makes it: one page that is a picture of text, with no text in it."""
    picture = Image.new("L", (850, 1100), 255)
    draw = ImageDraw.Draw(picture)
    for i, line in enumerate(["Springfield Genomics Laboratory", "CLN3 c.1056+34C>A", "CLIA 99D9999999"]):
        draw.text((80, 100 + 40 * i), line, fill=0)
    data = io.BytesIO()
    picture.save(data, format="PNG")
    c = canvas.Canvas(str(path), pagesize=letter, pdfVersion=(1, 4), invariant=1)
    c.setTitle("Scanned report")
    c.drawImage(ImageReader(io.BytesIO(data.getvalue())), 0, 0, *letter)
    c.showPage()
    c.save()
    return path


def lines(*variants: str, gene: str = "CLN3", clia: str = "99D9999999") -> list[str]:
    return ["Springfield Genomics Laboratory (fictional)", f"CLIA number {clia}   CAP accreditation number 1234567",
            f"Result: two pathogenic variants in {gene}, in trans", *variants, "Electronically signed."]


def checked(path: Path) -> tuple[list, list]:
    """(the lab-report findings, the lab-report measures) of `dossier check` on the file."""
    with Dossier.open(path, read_only=True) as d:
        report = d.check()
    return ([f for f in report.findings if f.check == "lab-report"],
            [m for m in report.measures if m.check == "lab-report"])


def attach(path: Path, pdf: Path, target: str = REPORT) -> None:
    """Put `pdf` in place of the report the field holds."""
    with Dossier.open(path) as d:
        for name in d.get(target) or []:
            d.remove_attachment(name)
        d.attach(target, pdf)


def test_the_demos_report_names_both_alleles_and_each_is_a_measure(demo_master):
    findings, measures = checked(demo_master)
    assert findings == []
    assert [(m.label, m.shown, m.ok, m.field) for m in measures] == [
        (f"Lab report names {FIRST}", "yes", True, "genetic.variant[0].hgvs"),
        (f"Lab report names {SECOND}", "yes", True, "genetic.variant[0].second_allele")]
    assert measures[0].brief == f"Lab report names {FIRST}: yes"
    assert measures[0].text == f"Lab report names {FIRST}: yes (genetic-test-report.pdf: {FIRST})"
    assert measures[0].fields == (REPORT,)


def test_a_report_naming_another_variant_says_what_it_names(demo_file, tmp_path, cli):
    attach(demo_file, report_pdf(tmp_path / "other.pdf", lines("NM_001042432.2:c.790+139G>A (mother)", SECOND)))
    findings, measures = checked(demo_file)
    (wrong,) = findings
    assert wrong.severity == "error" and wrong.field == "genetic.variant[0].hgvs" and wrong.fields == (REPORT,)
    assert f"other.pdf names NM_001042432.2:c.790+139G>A, {SECOND}, not {FIRST}" in wrong.message
    assert "check that it is this patient's report" in wrong.message
    assert [(m.shown, m.ok) for m in measures] == [("no", False), ("yes", True)]
    report = json.loads(cli("check", "--json", demo_file).out)
    (shown,) = [m for m in report["measures"] if m["check"] == "lab-report" and not m["ok"]]
    assert shown["brief"] == f"Lab report names {FIRST}: no" and shown["shown"] == "no"
    text = cli("check", demo_file)
    assert text.code == 1 and f"NOT OK Lab report names {FIRST}: no (other.pdf names" in text.out


def test_a_scanned_report_cannot_be_read_and_says_what_to_confirm_by_eye(demo_file, tmp_path):
    scan = scanned_pdf(tmp_path / "scan.pdf")
    assert not extract(scan.read_bytes()).readable
    attach(demo_file, scan)
    findings, measures = checked(demo_file)
    (cannot,) = findings
    assert cannot.severity == "warning" and cannot.field == REPORT and measures == []
    assert cannot.message.startswith("Cannot check what the laboratory report says: scan.pdf has no text a "
                                     "program can read")
    assert f"confirm by eye that it names CLN3, {FIRST}, {SECOND}, CLIA number 99D9999999, CAP number 1234567" \
        in cannot.message


def test_the_same_change_on_another_transcript_version_is_named_with_the_fix(demo_file, tmp_path):
    attach(demo_file, report_pdf(tmp_path / "v1.pdf", lines("NM_001042432.1:c.1056+34C>A", SECOND)))
    (wrong,), _ = checked(demo_file)
    assert "v1.pdf writes c.1056+34C>A on NM_001042432.1, not NM_001042432.2" in wrong.message
    assert "NM_001042432.1:c.1056+34C>A" in wrong.message


def test_the_variant_without_its_transcript_broken_over_two_lines_counts(demo_file, tmp_path):
    """As PDF text comes out of a table cell: the transcript on its own line, the variant split after 34."""
    attach(demo_file, report_pdf(tmp_path / "split.pdf", lines("Transcript: NM_001042432.2 (MANE Select)",
                                                               "c.1056+34", "C>A (father);  c.462_677del (mother)")))
    findings, measures = checked(demo_file)
    assert findings == [] and [m.ok for m in measures] == [True, True]
    assert measures[0].basis == "split.pdf: c.1056+34C>A"


def test_another_clia_number_and_a_missing_gene_are_findings(demo_file, tmp_path):
    attach(demo_file, report_pdf(tmp_path / "lab.pdf", lines(FIRST, SECOND, gene="MFSD8", clia="99D1111111")))
    findings, _ = checked(demo_file)
    by_field = {f.field: f.message for f in findings}
    assert set(by_field) == {"genetic.gene.symbol", "genetic.variant[0].clia"}
    assert "lab.pdf does not name the gene CLN3" in by_field["genetic.gene.symbol"]
    assert "lab.pdf prints the CLIA number 99D1111111, not 99D9999999" in by_field["genetic.variant[0].clia"]


def test_each_arm_reads_its_own_report(tmp_path):
    """Arm 2 given arm 1's report: arm 2's variant is not in it, and the finding names the arm."""
    path = make_case("aso-platform", tmp_path / "p.dossier")
    attach(path, Path(__file__).parent.parent / "resources/demo/attachments/files/genetic-test-report.pdf",
           "genetic.variant[1].lab_report")
    findings, measures = checked(path)
    (wrong,) = findings
    assert wrong.field == "genetic.variant[1].hgvs" and wrong.fields == ("genetic.variant[1].lab_report",)
    assert wrong.message.startswith("Arm 2: c.790+139G>A: ")
    assert f"names {FIRST}, {SECOND}, not NM_001042432.2:c.790+139G>A" in wrong.message
    assert [(m.instance, m.ok) for m in measures] == [("Arm 1: c.1056+34C>A", True), ("Arm 1: c.1056+34C>A", True),
                                                      ("Arm 2: c.790+139G>A", False), ("Arm 2: c.790+139G>A", True)]


def test_the_render_gate_reads_the_report_as_check_does(demo_file, tmp_path):
    attach(demo_file, report_pdf(tmp_path / "other.pdf", lines("NM_001042432.2:c.790+139G>A", SECOND)))
    with Dossier.open(demo_file, read_only=True) as d:
        inp, model = snapshot(d), d.model
    assert inp.texts is not None and list(inp.texts) == ["other.pdf"]
    names = [a["name"] for a in inp.attachments]
    gate = check_dossier(model, inp.values, names, inp.texts.get)
    assert "lab-report" in {f.check for f in gate.blocking}


def test_the_hgvs_grammar_decides_where_the_text_differs():
    """c.4_6delCTG is c.4_6del; a gene beside the transcript is the transcript; a change of another gene's
    transcript is not this one; a longer change (delins) does not contain the shorter."""
    assert names_variant(["NM_000391.4:c.4_6delCTG"], "NM_000391.4:c.4_6del").found is not None
    assert names_variant(["NM_000391.4(TPP1):c.1266+5G>A"], "NM_000391.4:c.1266+5G>A").found.accession == \
        "NM_000391.4"
    assert names_variant(["NM_000999.1:c.1266+5G>A"], "NM_000391.4:c.1266+5G>A").found is None
    assert names_variant(["NM_000391.4:c.4_6delinsA"], "NM_000391.4:c.4_6del").found is None
    assert names_variant(["c.1266+5G\u00a0>\u00a0A in TPP1"], "NM_000391.4:c.1266+5G>A").found is not None


def test_gene_and_clia_are_read_as_printed():
    assert names_gene(["variants in CLN3, in trans"], "CLN3") and names_gene(["CLN3-related disease"], "cln3")
    assert not names_gene(["CLN31 and ACLN3"], "CLN3")
    assert clia_numbers(["CLIA # 99D 999-9999", "CLIA 05D0987654"]) == ["99D9999999", "05D0987654"]


READING = """
import json, sys
from dossier.cli import main
demo = sys.argv[1]
for argv in (["get", demo, "genetic.variant[0].hgvs"], ["set", demo, "module1.sponsor.duns", "987654321"],
             ["fields", demo]):
    main(argv)
before = "pypdfium2" in sys.modules
main(["check", demo])
print(json.dumps([before, "pypdfium2" in sys.modules]))
"""


@pytest.mark.slow
def test_only_check_loads_pdfium_and_only_to_read_a_report(demo_file):
    """PDFium (~35 ms to import) stays out of get, set and fields; check loads it to read the report."""
    result = subprocess.run([sys.executable, "-c", READING, str(demo_file)], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == [False, True]
