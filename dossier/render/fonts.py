"""The embedded TrueType fonts: reportlab's own Bitstream Vera family, which ships with the
dependency, so no base-14 font (never embedded) can reach a PDF and nothing depends on the OS.

Vera covers Latin, Latin-1 and common punctuation but not Greek, arrows, Hebrew, Arabic or emoji.
No font-only package on PyPI ships DejaVu (matplotlib does, at the cost of numpy and ~40 MB), and
reportlab would lay right-to-left text out unshaped in logical order anyway. So a character the
font lacks is shown in the PDF as a visible marker (MISSING, highlighted in running text) and the
Word file keeps the text intact; the PDF's bookmarks keep it too (outline titles need no font).
"""

from __future__ import annotations

import re
from functools import lru_cache
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


MISSING = "?"


@lru_cache(maxsize=1)
def lacking() -> re.Pattern:
    """A pattern matching any character the regular font has no glyph for (tab and newline are
    layout, not glyphs). One regex keeps the check at C speed on long texts."""
    register()
    points = sorted(set(pdfmetrics.getFont(REGULAR).face.charToGlyph) | {9, 10})
    ranges, start = [], points[0]
    for prev, point in zip(points, points[1:] + [None]):
        if point != prev + 1:
            ranges.append(re.escape(chr(start)) + ("-" + re.escape(chr(prev)) if prev > start else ""))
            start = point
    return re.compile(f"[^{''.join(ranges)}]")


def covers(text: str) -> bool:
    """Whether the regular font has a glyph for every character of `text`."""
    return lacking().search(text) is None


def shown(text: str) -> str:
    """The text as the PDF can show it: each character the font lacks becomes MISSING."""
    return lacking().sub(MISSING, text)


def fit(text: str, font: str, size: float, width: float) -> str:
    """One line of text as the font can show it, shortened with an ellipsis to fit `width` points."""
    text = shown(" ".join(str(text).split()))
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    low, high = 0, len(text)  # the longest prefix that fits, by bisection (texts may be very long)
    while low < high:
        mid = (low + high + 1) // 2
        if pdfmetrics.stringWidth(text[:mid] + "…", font, size) <= width:
            low = mid
        else:
            high = mid - 1
    return text[:low].rstrip() + "…"


register()
