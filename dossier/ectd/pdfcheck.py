"""FDA PDF rules an attachment must meet before it can become a leaf of a submission."""

from __future__ import annotations

from pathlib import Path

import pikepdf


def check_pdf(path: str | Path) -> list[str]:
    """Reasons `path` cannot go into a submission as it is (empty when it can).

    >>> check_pdf("study-report.pdf")
    []
    """
    path = Path(path)
    with open(path, "rb") as fh:
        head = fh.read(1024)
    if b"%PDF-" not in head:
        return [f"{path.name} is not a PDF; FDA accepts documents in eCTD sections only as PDF — export it to PDF first"]
    try:
        pdf = pikepdf.open(path)
    except pikepdf.PasswordError:
        return [f"{path.name} is password-protected; FDA refuses encrypted PDFs — save an unprotected copy"]
    except pikepdf.PdfError as exc:
        return [f"{path.name} is a damaged PDF ({exc}); re-export it from its source"]
    with pdf:
        problems = []
        if pdf.is_encrypted:
            problems.append(f"{path.name} is encrypted; FDA refuses encrypted PDFs — save an unprotected copy")
        version = pdf.pdf_version
        if version not in ("1.4", "1.5", "1.6", "1.7"):
            problems.append(f"{path.name} is PDF {version}; FDA accepts PDF 1.4 to 1.7 — re-save it as PDF 1.4–1.7")
        if _has_javascript(pdf):
            problems.append(f"{path.name} contains JavaScript; FDA refuses active content — remove it or print to a new PDF")
        if _has_embedded_files(pdf):
            problems.append(f"{path.name} has embedded files (attachments); FDA refuses them — submit each file on its own")
        return problems


def _has_javascript(pdf: pikepdf.Pdf) -> bool:
    root = pdf.Root
    names = root.get("/Names")
    if names is not None and "/JavaScript" in names:
        return True
    open_action = root.get("/OpenAction")
    if isinstance(open_action, pikepdf.Dictionary) and open_action.get("/S") == "/JavaScript":
        return True
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary) and (obj.get("/S") == "/JavaScript" or "/JS" in obj):
            return True
    return False


def _has_embedded_files(pdf: pikepdf.Pdf) -> bool:
    names = pdf.Root.get("/Names")
    if names is not None and "/EmbeddedFiles" in names:
        return True
    return any(isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/EmbeddedFile" for obj in pdf.objects)
