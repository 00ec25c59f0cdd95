"""Reading documents back as their readers do: the text of a .docx (python-docx) and a .pdf (pypdf),
words compared across formats, and what in a PDF breaks FDA's PDF rules (pikepdf, qpdf)."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import docx
import pikepdf
from pypdf import PdfReader

from dossier.render.fonts import covers


def docx_text(path: Path) -> str:
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs if "Update Field" not in p.text]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)


def tokens(text: str) -> Counter:
    shown = "".join(ch if covers(ch) else "?" for ch in text)
    return Counter(re.findall(r"[^\W_]+", shown.casefold()))


def joined(text: str) -> str:
    shown = "".join(ch if covers(ch) else "?" for ch in text)
    return re.sub(r"[\W_]+", "", shown.casefold())


def _fonts(resources, seen):
    for font in (resources.get("/Font") or {}).values():
        descriptor = font.get("/FontDescriptor")
        for sub in font.get("/DescendantFonts") or []:
            descriptor = sub.get("/FontDescriptor")
        seen.append((str(font.get("/BaseFont")), descriptor is not None and
                     any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))))
    for xobject in (resources.get("/XObject") or {}).values():
        if xobject.get("/Resources") is not None:
            _fonts(xobject.Resources, seen)


def pdf_problems(path: Path) -> list[str]:
    """What breaks FDA's PDF rules in one file (empty when none): version, encryption, fonts not
    embedded (page resources and form XObjects walked), page size, annotations other than links,
    JavaScript or attachments, no bookmarks or not opening on them, no title, a document of 5 pages
    or more without a linked table of contents, and whatever `qpdf --check` finds (where installed)."""
    problems = []
    with pikepdf.open(path) as pdf:
        if not "1.4" <= pdf.pdf_version <= "1.7":
            problems.append(f"PDF version {pdf.pdf_version}")
        if pdf.is_encrypted or "/Encrypt" in pdf.trailer:
            problems.append("encrypted")
        fonts = []
        for number, page in enumerate(pdf.pages, 1):
            if [round(float(v)) for v in page.MediaBox] != [0, 0, 612, 792]:
                problems.append(f"page {number} is not Letter: {list(page.MediaBox)}")
            _fonts(page.Resources, fonts)
            problems += [f"page {number}: {a.get('/Subtype')} annotation" for a in page.get("/Annots") or []
                         if a.get("/Subtype") != "/Link"]
        problems += [f"font {name} not embedded" for name, embedded in fonts if not embedded]
        if not fonts:
            problems.append("no fonts: text not searchable")
        names = pdf.Root.get("/Names") or {}
        problems += [f"has {k}" for k in ("/JavaScript", "/EmbeddedFiles") if k in names]
        problems += ["has /OpenAction"] if "/OpenAction" in pdf.Root else []
        if pdf.Root.get("/PageMode") != "/UseOutlines":
            problems.append("does not open on the bookmarks panel")
        with pdf.open_outline() as outline:
            if not len(outline.root):
                problems.append("no bookmarks")
        if not str(pdf.docinfo.get("/Title", "")):
            problems.append("no title in the metadata")
        if len(pdf.pages) >= 5:
            links = [a for p in pdf.pages[:3] for a in (p.get("/Annots") or []) if "/Dest" in a or "/A" in a]
            if not links:
                problems.append(f"{len(pdf.pages)} pages but no linked table of contents")
    if shutil.which("qpdf"):
        result = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
        if result.returncode != 0 or "No syntax or stream encoding errors" not in result.stdout:
            problems.append(f"qpdf --check: {result.stdout.strip()} {result.stderr.strip()}")
    return problems


def outline_pages(reader: PdfReader, items=None):
    """Each bookmark's title and the page (from 1) it opens."""
    for item in reader.outline if items is None else items:
        if isinstance(item, list):
            yield from outline_pages(reader, item)
        else:
            yield item.title, reader.get_destination_page_number(item) + 1


def contents_pages(path: Path) -> tuple[dict[str, int | None], dict[str, int]]:
    """A PDF's bookmarks with the page its table of contents shows for each (None when it shows
    none), and the page each bookmark points at."""
    reader = PdfReader(str(path))
    contents = "\n".join(page.extract_text(extraction_mode="layout") for page in reader.pages[:2])
    shown = {m.group(1): int(m.group(2)) for m in re.finditer(r"^\s*(\S.*?)[ .]*\s(\d+)\s*$", contents, re.M)}
    bookmarks = dict(outline_pages(reader))
    return {title: shown.get(title) for title in bookmarks}, bookmarks
