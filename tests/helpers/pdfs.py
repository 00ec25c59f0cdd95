"""The one way tests make a PDF: FDA-clean unless asked otherwise, so each test states only the
defect it is about."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import pikepdf
from reportlab.lib.pagesizes import letter
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

# A font name of our own, so it can never stand in for a font the renderer registers.
FONT = "TestVera"


def make_pdf(path: Path, text: str = "Test document", pages: int = 1, title: str = "Test document", *,
             embed_font: bool = True, pagesize: tuple[float, float] = letter,
             change: Callable[[pikepdf.Pdf], None] | None = None, password: str | None = None) -> Path:
    """Write a PDF FDA's rules accept (version 1.4, US Letter, embedded TrueType font, a title) to
    `path` and return it. To make one they do not: `embed_font=False` draws in Helvetica without
    embedding it, `pagesize` sets another size, `change(pdf)` edits it with pikepdf before it is
    saved (actions, annotations, attached files), `password` encrypts it."""
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, "Vera.ttf"))
    path.parent.mkdir(parents=True, exist_ok=True)
    font = FONT if embed_font else "Helvetica"
    c = canvas.Canvas(str(path), pagesize=pagesize, initialFontName=font, pdfVersion=(1, 4), invariant=1)
    c.setTitle(title)
    for n in range(pages):
        c.setFont(font, 11)
        c.drawString(72, 700, f"{text} (page {n + 1})")
        c.showPage()
    c.save()
    if change or password:
        with pikepdf.open(path, allow_overwriting_input=True) as pdf:
            if change:
                change(pdf)
            encryption = pikepdf.Encryption(owner=password, user=password) if password else False
            pdf.save(path, encryption=encryption)
    return path


def pdf_bytes(text: str = "Test document", **options) -> bytes:
    """The bytes of the PDF make_pdf writes, for tests that hand a PDF over as a file object."""
    with tempfile.TemporaryDirectory() as folder:
        return make_pdf(Path(folder) / "made.pdf", text, **options).read_bytes()


def javascript_on_open(pdf: pikepdf.Pdf) -> None:
    """A `change` for make_pdf: JavaScript that runs when the file is opened."""
    pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
