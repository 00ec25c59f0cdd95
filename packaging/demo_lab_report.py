"""Make the demo's genetic test report (resources/demo/attachments/files/genetic-test-report.pdf), a clearly
fictional clinical report of the demo patient's CLN3 variants, and record it in the demo's attachments.json.

Run once from a checkout when the report's text changes: `python packaging/demo_lab_report.py`. The PDF
is written by the product's own PDF writer (embedded fonts, bookmarks, PDF 1.4), so it passes the FDA PDF
rules every attachment must meet; the script checks that before it records the file. Its CLIA and CAP
numbers are those of the demo's genetic.variant section, and no real laboratory has them (state code 99).
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

NAME = "genetic-test-report.pdf"

MARKUP = """<p class="note">FICTIONAL DEMONSTRATION DOCUMENT. Made for the Dossier Builder demo; no real laboratory,
patient or result. Patient identifiers are redacted, as for submission.</p>
<table widths="2 3"><tr><th>Item</th><th>Entry</th></tr>
<tr><td>Laboratory</td><td>Springfield Genomics Laboratory (fictional)</td></tr>
<tr><td>CLIA number</td><td>99D9999999</td></tr>
<tr><td>CAP accreditation number</td><td>1234567</td></tr>
<tr><td>Patient</td><td>[redacted]; referred for progressive visual loss and seizures</td></tr>
<tr><td>Test</td><td>Clinical whole-genome sequencing (trio: patient and both parents)</td></tr>
<tr><td>Date reported</td><td>2026-01-20</td></tr></table>
<h2>Result: two pathogenic or likely pathogenic variants in CLN3, in trans</h2>
<table widths="2 2 1 2"><tr><th>Variant</th><th>Classification</th><th>Zygosity</th><th>Inherited from</th></tr>
<tr><td>NM_001042432.2:c.1056+34C&gt;A</td><td>Likely pathogenic (PS3, PM2, PM3, PP4)</td>
<td>Heterozygous</td><td>Father</td></tr>
<tr><td>NM_001042432.2:c.462_677del (the common 1-kb deletion)</td><td>Pathogenic</td>
<td>Heterozygous</td><td>Mother</td></tr></table>
<h2>Interpretation</h2>
<p>The patient is compound heterozygous for c.1056+34C&gt;A and c.462_677del in CLN3 (autosomal recessive CLN3
disease, juvenile neuronal ceroid lipofuscinosis). Parental testing places the variants in trans. The intronic
variant creates a cryptic 5' splice site; RNA sequencing of the patient's fibroblasts showed exon 11 extended by
31 nt in 58% of CLN3 transcripts. The result agrees with the clinical findings.</p>
<h2>Confirmation</h2>
<p>Both variants were confirmed by Sanger sequencing of genomic DNA (c.1056+34C&gt;A) and by a breakpoint PCR
(c.462_677del), and segregate as stated in the parents.</p>
<h2>Sign-off</h2>
<p>Electronically signed by the laboratory director (fictional), 2026-01-20.</p>
"""


def main() -> int:
    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root))
    from dossier.pdfcheck import check_pdf
    from dossier.render.pdf_writer import write_pdf
    from dossier.render.tree import parse

    attachments = root / "resources" / "demo" / "attachments"
    target = attachments / "files" / NAME
    write_pdf(parse(MARKUP, "Clinical genome sequencing report (fictional)"), target,
              header="Springfield Genomics Laboratory (fictional)", author="Springfield Genomics Laboratory",
              draft=False)
    problems = check_pdf(target)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    data = target.read_bytes()
    entry = {"name": NAME, "media_type": "application/pdf", "size": len(data),
             "sha256": hashlib.sha256(data).hexdigest(), "md5": hashlib.md5(data).hexdigest()}
    manifest_path = attachments / "attachments.json"
    manifest = [e for e in json.loads(manifest_path.read_text(encoding="utf-8")) if e["name"] != NAME]
    manifest_path.write_text(json.dumps([*manifest, entry], indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{target.relative_to(root)}: {len(data):,} bytes, sha256 {entry['sha256'][:12]}…")
    return 0


if __name__ == "__main__":
    sys.exit(main())
