"""The embedded TrueType fonts: DejaVu Sans (in resources/fonts, with its license), so no base-14
font (never embedded) can reach a PDF and nothing depends on the fonts of the user's machine.

DejaVu covers Latin, Greek, Cyrillic, arrows and the usual scientific symbols (α-synuclein, 5'→3',
≤ 0.2 EU/kg). No font-only package on PyPI ships it with wheels, so the four files are carried as
data. Right-to-left scripts are treated as missing even where DejaVu has glyphs: reportlab lays
them out unshaped and in logical order, which would print Hebrew or Arabic reversed and broken.
A character shown neither way (those scripts, emoji) appears in the PDF as a visible marker
(MISSING, highlighted in running text); the Word file keeps the text intact, and so do the PDF's
bookmarks (outline titles need no font).
"""

from __future__ import annotations

import re
import threading
import zlib
from collections import OrderedDict
from functools import lru_cache

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFontFace

from ..paths import resources_dir, user_cache_root
from . import fontcache

REGULAR, BOLD, ITALIC, BOLD_ITALIC = "DejaVuSans", "DejaVuSans-Bold", "DejaVuSans-Oblique", "DejaVuSans-BoldOblique"
# Right-to-left scripts (Hebrew, Arabic, Syriac, Thaana, NKo, and their presentation forms).
_RIGHT_TO_LEFT = [(0x0590, 0x08FF), (0xFB1D, 0xFDFF), (0xFE70, 0xFEFF)]


class _CompressedOnce:
    """reportlab's FlateDecode filter, remembering the last streams it compressed. Every PDF embeds
    subsets of the same four faces, and most documents of a dossier use the same characters, so the
    same subset (36 KB before compression) was compressed again for each document: a fifth of the
    PDF writer's time. zlib gives the same bytes for the same input, so the files are unchanged."""

    pdfname = "FlateDecode"
    KEEP = 64  # streams remembered (about 3 MB)

    def __init__(self) -> None:
        self._done: OrderedDict[bytes, bytes] = OrderedDict()
        self._lock = threading.Lock()  # the desktop app renders on a worker thread

    def encode(self, content: bytes) -> bytes:
        with self._lock:
            compressed = self._done.pop(content, None)
        if compressed is None:
            compressed = zlib.compress(content)
        with self._lock:
            self._done[content] = compressed
            while len(self._done) > self.KEEP:
                self._done.popitem(last=False)
        return compressed

    def decode(self, encoded: bytes) -> bytes:
        return zlib.decompress(encoded)


_COMPRESSED_ONCE = _CompressedOnce()


class _Face(TTFontFace):
    """A face that makes each subset (a glyph list) once per process, and whose embedded subsets go
    through _CompressedOnce."""

    def makeSubset(self, subset):
        return _subset(self, tuple(subset))

    def addSubsetObjects(self, doc, fontname, subset):
        descriptor = super().addSubsetObjects(doc, fontname, subset)
        doc.idToObject[f"fontFile:{self.filename}({fontname})"].filters = [_COMPRESSED_ONCE]
        return descriptor


@lru_cache(maxsize=64)
def _subset(face: _Face, subset: tuple[int, ...]) -> bytes:
    return TTFontFace.makeSubset(face, list(subset))


def register() -> None:
    if REGULAR in pdfmetrics.getRegisteredFontNames():
        return
    folder, cache = resources_dir() / "fonts", user_cache_root() / "fonts"
    for name in (REGULAR, BOLD, ITALIC, BOLD_ITALIC):
        font = fontcache.load(name, folder / f"{name}.ttf", cache)  # parsed once, kept between runs
        font.face.__class__ = _Face  # TTFont makes its face itself; only these two methods differ
        pdfmetrics.registerFont(font)
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
    """A pattern matching any character the regular font cannot show (tab and newline are layout,
    not glyphs; right-to-left scripts count as missing). One regex keeps the check at C speed."""
    register()
    faces = [set(pdfmetrics.getFont(name).face.charToGlyph) for name in (REGULAR, BOLD, ITALIC, BOLD_ITALIC)]
    shown = set.intersection(*faces) | {9, 10}  # what every face has: headings are bold, notes oblique
    shown -= {p for low, high in _RIGHT_TO_LEFT for p in range(low, high + 1)}
    # Beyond the Basic Multilingual Plane (DejaVu's few emoji) reportlab writes a broken ToUnicode
    # map, so the text would not extract: those count as missing too.
    shown = {p for p in shown if p <= 0xFFFF}
    points = sorted(shown)
    ranges, start = [], points[0]
    for prev, point in zip(points, [*points[1:], None], strict=True):
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
    # Few glyphs are narrower than a fifth of the size (a space is a third): a line can show no more
    # characters than this, so a 1 MB value is cut before it is measured (and then ends with "…").
    limit = int(width / size * 5) + 2
    whole = str(text)
    text = shown(" ".join(whole[:limit].split()))
    if len(whole) <= limit and pdfmetrics.stringWidth(text, font, size) <= width:
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
