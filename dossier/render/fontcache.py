"""Parsed TrueType fonts kept between runs, so a fresh process does not parse the four DejaVu faces
again: reportlab reads every glyph's metrics, position and character map when a TTFont is made,
about 45 ms of CPU in every `dossier render` (and in every worker a spawned pool starts), while
reading the same tables back with marshal takes a third of that.

An entry holds what reportlab's parse left on the font and its face (plain data only), keyed by the
SHA-256 of the font file's bytes, the font's name, reportlab's version and this format, so an edited
font or another reportlab is parsed afresh. Entries ship with the program (<fonts>/_parsed, written
by the wheel's and the bundle's builds through `ship`) and are kept in the user's cache folder;
marshal is the format Python keeps its own compiled modules in, in folders of the same trust. Any
trouble with an entry (none, damaged, unwritable folder, a font attribute that is not plain data)
falls back to parsing: the cache can only make loading faster.

This file imports nothing of the program (only reportlab), so a build can load it alone.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import tempfile
from pathlib import Path
from weakref import WeakKeyDictionary

import reportlab
from reportlab.pdfbase.ttfonts import TTEncoding, TTFNameBytes, TTFont, TTFontFace

FORMAT = b"1"  # change when the entry's layout changes
SHIPPED = "_parsed"  # inside the fonts folder
KEEP = 16  # entries kept in the user's cache: the four faces of a few versions side by side
REMADE = {"_ttf_data", "_pdfScale"}  # face attributes not kept: the file's bytes, and a function
FONT_REMADE = {"fontName", "face", "encoding", "state"}  # TTFont's: its name, face and two fresh objects


def load(name: str, path: Path, cache: Path | None) -> TTFont:
    """reportlab's TTFont for the file at `path`, from a shipped or cached parse when there is one
    (written to `cache` after a parse)."""
    data = path.read_bytes()
    entry = entry_name(name, data)
    for folder in (path.parent / SHIPPED, cache):
        font = _restored(folder / entry, name, path, data) if folder is not None else None
        if font is not None:
            return font
    font = TTFont(name, str(path))
    if cache is not None:
        _store(cache / entry, font)
    return font


def entry_name(name: str, data: bytes) -> str:
    tag = b"\0".join([FORMAT, reportlab.Version.encode(), str(marshal.version).encode(), name.encode("utf-8")])
    return hashlib.sha256(tag + b"\0" + data).hexdigest() + ".marshal"


def ship(fonts: Path, target: Path | None = None) -> list[Path]:
    """Parse every font (*.ttf, named after its file) of `fonts` into `target` (<fonts>/_parsed by
    default), replacing what was there; a build's step. Returns the entries written."""
    import shutil

    target = target or fonts / SHIPPED
    shutil.rmtree(target, ignore_errors=True)
    written = []
    for path in sorted(fonts.glob("*.ttf")):
        entry = target / entry_name(path.stem, path.read_bytes())
        if _store(entry, TTFont(path.stem, str(path)), prune=False):
            written.append(entry)
    return written


def _state(font: TTFont) -> dict | None:
    """The font's and its face's attributes as plain data, or None when one of them is not."""
    face = {k: v for k, v in vars(font.face).items() if k not in REMADE}
    names = sorted(k for k, v in face.items() if isinstance(v, TTFNameBytes))
    face.update({k: bytes(face[k]) for k in names})
    outer = {k: v for k, v in vars(font).items() if k not in FONT_REMADE}
    state = {"face": face, "names": names, "font": outer}
    return state if _plain(state) else None


def _plain(value) -> bool:
    if value is None or type(value) in (bool, int, float, str, bytes):
        return True
    if type(value) in (list, tuple):
        return all(_plain(v) for v in value)
    if type(value) is dict:
        return all(_plain(k) and _plain(v) for k, v in value.items())
    return False


def _restored(entry: Path, name: str, path: Path, data: bytes) -> TTFont | None:
    try:
        state = marshal.loads(entry.read_bytes())
        face = TTFontFace.__new__(TTFontFace)
        vars(face).update(state["face"])
        vars(face).update({k: TTFNameBytes(state["face"][k]) for k in state["names"]})
        face._ttf_data, face.filename = data, str(path)  # as reportlab's parse of this file sets them
        face._pdfScale = _scale(face.unitsPerEm)
        font = TTFont.__new__(TTFont)
        vars(font).update(state["font"])
        font.fontName, font.face, font.encoding, font.state = name, face, TTEncoding(), WeakKeyDictionary()
    except (OSError, ValueError, EOFError, TypeError, KeyError, AttributeError):
        return None
    return font


def _scale(units_per_em: int):
    """reportlab's conversion of font units to thousandths of an em, as its parse makes it."""
    if units_per_em == 1000:
        return lambda x: x
    factor = 1000 / units_per_em
    return lambda x: x * factor


def _store(entry: Path, font: TTFont, prune: bool = True) -> bool:
    state = _state(font)
    if state is None:
        return False
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=entry.parent, prefix=".writing-", suffix=".marshal")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(marshal.dumps(state))
            os.replace(temp, entry)  # readers see the whole entry or none
        finally:
            if os.path.exists(temp):
                os.unlink(temp)
        if prune:
            entries = sorted(entry.parent.glob("*.marshal"), key=lambda p: p.stat().st_mtime, reverse=True)
            for old in entries[KEEP:]:
                old.unlink(missing_ok=True)
    except OSError:
        return False  # a read-only or full disk costs speed, never a render
    return True
