"""Make the built-in cases' genetic test reports (attachments/files/genetic-test-report.pdf of resources/demo
and of each case folder below), clearly fictional clinical reports of each case's variants, and record
them in the case's attachments.json.

Run once from a checkout when a report's text changes: `python packaging/demo_lab_report.py`. The PDFs
are written by the product's own PDF writer (embedded fonts, bookmarks, PDF 1.4), so they pass the FDA
PDF rules every attachment must meet; the script checks that before it records a file. Their CLIA and
CAP numbers are those of each case's genetic.variant section, and no real laboratory has them (state
code 99).
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

NAME = "genetic-test-report.pdf"

# The two CLN3 cases' laboratory, the deletion on the other allele and what their RNA study found.
SPRINGFIELD = {"lab": "Springfield Genomics Laboratory (fictional)", "clia": "99D9999999", "cap": "1234567"}
CLN3_DELETION = "NM_001042432.2:c.462_677del (the common 1-kb deletion)"


def _cln3(variant: str, finding: str) -> dict:
    """A CLN3 report's interpretation and confirmation: `variant` in trans with the common deletion."""
    return {
        "interpretation": f"The patient is compound heterozygous for {variant} and c.462_677del in CLN3 "
                          "(autosomal recessive CLN3 disease, juvenile neuronal ceroid lipofuscinosis). The "
                          "intronic variant creates a cryptic 5' splice site; RNA sequencing of the patient's "
                          f"fibroblasts showed {finding} of CLN3 transcripts.",
        "confirmation": f"Both variants were confirmed by Sanger sequencing of genomic DNA ({variant}) and "
                        "by a breakpoint PCR (c.462_677del).",
    }


# case folder (under resources/) → what its report says
REPORTS = {
    "demo": {
        **SPRINGFIELD,
        "referral": "progressive visual loss and seizures",
        "test": "Clinical whole-genome sequencing (trio: patient and both parents)", "date": "2026-01-20",
        "gene": "CLN3",
        "variants": [("NM_001042432.2:c.1056+34C&gt;A", "Likely pathogenic (PS3, PM2, PM3, PP4)", "Father"),
                     (CLN3_DELETION, "Pathogenic", "Mother")],
        **_cln3("c.1056+34C&gt;A", "exon 11 extended by 31 nt in 58%"),
    },
    "cases/base-editor": {
        "lab": "Harborview Genomics Laboratory (fictional)", "clia": "99D8888888", "cap": "7654321",
        "referral": "neonatal hyperammonaemic encephalopathy",
        "test": "Rapid clinical whole-genome sequencing (trio: patient and both parents)", "date": "2026-05-09",
        "gene": "CPS1",
        "variants": [("NM_001875.5:c.1003C&gt;T (p.Gln335Ter)", "Pathogenic (PVS1, PM2, PM3, PP4)", "Father"),
                     ("NM_001875.5:c.2407del", "Pathogenic", "Mother")],
        "interpretation": "The patient is compound heterozygous for c.1003C&gt;T and c.2407del in CPS1 "
                          "(autosomal recessive carbamoyl-phosphate synthetase 1 deficiency). Both variants are "
                          "predicted to cause loss of function; plasma citrulline below the limit of quantitation "
                          "supports the diagnosis.",
        "confirmation": "Both variants were confirmed by Sanger sequencing of genomic DNA from blood.",
    },
    # The platform case (a base case with values) attaches arm 2's report itself (cases.yaml `attach:`).
    "cases/aso-platform": {
        "file": "genetic-test-report-arm-2.pdf",
        **SPRINGFIELD,
        "referral": "progressive visual loss and a decline in school performance",
        "test": "Clinical genome sequencing (trio: patient and both parents) with fibroblast RNA sequencing",
        "date": "2026-02-10", "gene": "CLN3",
        "variants": [("NM_001042432.2:c.790+139G&gt;A", "Likely pathogenic (PS3, PM2, PM3, PP4)", "Mother"),
                     (CLN3_DELETION, "Pathogenic", "Father")],
        **_cln3("c.790+139G&gt;A", "a 137-nt pseudo-exon from intron 9 in 52%"),
    },
}


def markup(r: dict) -> str:
    rows = "".join(f"<tr><td>{v}</td><td>{c}</td><td>Heterozygous</td><td>{parent}</td></tr>"
                   for v, c, parent in r["variants"])
    return f"""<p class="note">FICTIONAL DEMONSTRATION DOCUMENT. Made for the Dossier Builder demo; no real laboratory,
patient or result. Patient identifiers are redacted, as for submission.</p>
<table widths="2 3"><tr><th>Item</th><th>Entry</th></tr>
<tr><td>Laboratory</td><td>{r["lab"]}</td></tr>
<tr><td>CLIA number</td><td>{r["clia"]}</td></tr>
<tr><td>CAP accreditation number</td><td>{r["cap"]}</td></tr>
<tr><td>Patient</td><td>[redacted]; referred for {r["referral"]}</td></tr>
<tr><td>Test</td><td>{r["test"]}</td></tr>
<tr><td>Date reported</td><td>{r["date"]}</td></tr></table>
<h2>Result: two pathogenic or likely pathogenic variants in {r["gene"]}, in trans</h2>
<table widths="2 2 1 2"><tr><th>Variant</th><th>Classification</th><th>Zygosity</th><th>Inherited from</th></tr>
{rows}</table>
<h2>Interpretation</h2>
<p>{r["interpretation"]} Parental testing places the variants in trans. The result agrees with the clinical
findings.</p>
<h2>Confirmation</h2>
<p>{r["confirmation"]} The variants segregate as stated in the parents.</p>
<h2>Sign-off</h2>
<p>Electronically signed by the laboratory director (fictional), {r["date"]}.</p>
"""


def write(root: Path, folder: str, report: dict) -> bool:
    from dossier.pdfcheck import check_pdf
    from dossier.render.pdf_writer import write_pdf
    from dossier.render.tree import parse

    attachments = root / "resources" / folder / "attachments"
    if "file" in report:  # a case made from another: the file beside its values, attached by cases.yaml
        target = root / "resources" / folder / report["file"]
        target.parent.mkdir(parents=True, exist_ok=True)
    else:
        target = attachments / "files" / NAME
    write_pdf(parse(markup(report), "Clinical genome sequencing report (fictional)"), target,
              header=report["lab"], author=report["lab"].removesuffix(" (fictional)"), draft=False)
    problems = check_pdf(target)
    if problems:
        print(f"{target}: " + "; ".join(problems), file=sys.stderr)
        return False
    data = target.read_bytes()
    if "file" in report:
        print(f"{target.relative_to(root)}: {len(data):,} bytes")
        return True
    entry = {"name": NAME, "media_type": "application/pdf", "size": len(data),
             "sha256": hashlib.sha256(data).hexdigest(), "md5": hashlib.md5(data).hexdigest()}
    manifest_path = attachments / "attachments.json"
    manifest = [e for e in json.loads(manifest_path.read_text(encoding="utf-8")) if e["name"] != NAME]
    manifest_path.write_text(json.dumps([*manifest, entry], indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{target.relative_to(root)}: {len(data):,} bytes, sha256 {entry['sha256'][:12]}…")
    return True


def main() -> int:
    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root))
    return 0 if all([write(root, folder, report) for folder, report in REPORTS.items()]) else 1


if __name__ == "__main__":
    sys.exit(main())
