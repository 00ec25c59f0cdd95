"""The embedded TrueType fonts: reportlab's own Bitstream Vera family, which ships with the
dependency, so no base-14 font (never embedded) can reach a PDF and nothing depends on the OS."""

from __future__ import annotations

from pathlib import Path

import reportlab
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

REGULAR, BOLD, ITALIC, BOLD_ITALIC = "Vera", "VeraBd", "VeraIt", "VeraBI"
_FOLDER = Path(reportlab.__file__).parent / "fonts"


def register() -> None:
    if REGULAR in pdfmetrics.getRegisteredFontNames():
        return
    for name in (REGULAR, BOLD, ITALIC, BOLD_ITALIC):
        pdfmetrics.registerFont(TTFont(name, str(_FOLDER / f"{name}.ttf")))
    addMapping(REGULAR, 0, 0, REGULAR)
    addMapping(REGULAR, 1, 0, BOLD)
    addMapping(REGULAR, 0, 1, ITALIC)
    addMapping(REGULAR, 1, 1, BOLD_ITALIC)
    # reportlab.graphics starts every Drawing in Helvetica, which is never embedded.
    from reportlab.graphics.shapes import STATE_DEFAULTS

    STATE_DEFAULTS["fontName"] = REGULAR


def covers(text: str) -> bool:
    """Whether the regular font has a glyph for every character of `text`."""
    register()
    face = pdfmetrics.getFont(REGULAR).face
    return all(ord(ch) in face.charToGlyph or ch in "\n\t" for ch in text)


register()
