"""Parsed fonts kept between runs: the same font as reportlab's own parse, never a stale or failed load."""

import shutil

import pytest
from reportlab.pdfbase.ttfonts import TTFNameBytes, TTFont, TTFontFile

from dossier.paths import resources_dir
from dossier.render import fontcache

NAME = "DejaVuSans-Bold"


@pytest.fixture
def font(tmp_path):
    """A copy of a shipped font in a folder of its own (nothing shipped parsed beside it)."""
    folder = tmp_path / "fonts"
    folder.mkdir()
    return shutil.copy(resources_dir() / "fonts" / f"{NAME}.ttf", folder / f"{NAME}.ttf")


def forbid_parsing(monkeypatch):
    def parse(self, charInfo=1):
        raise AssertionError("parsed the font although the cache holds it")

    monkeypatch.setattr(TTFontFile, "extractInfo", parse)


def assert_same_font(kept: TTFont, parsed: TTFont):
    assert vars(kept).keys() == vars(parsed).keys()
    for name, value in vars(parsed).items():
        if name not in ("face", "encoding", "state"):
            assert getattr(kept, name) == value, name
    assert type(kept.encoding) is type(parsed.encoding) and kept.encoding.name == parsed.encoding.name
    assert type(kept.state) is type(parsed.state) and not kept.state
    face, expected = vars(kept.face), vars(parsed.face)
    assert face.keys() == expected.keys()
    for name, value in expected.items():
        if name == "_pdfScale":
            assert [face[name](x) for x in (0, 1, 1000, 2048)] == [value(x) for x in (0, 1, 1000, 2048)]
        else:
            assert type(face[name]) is type(value) and face[name] == value, name
            if isinstance(value, TTFNameBytes):
                assert face[name].ustr == value.ustr


def test_a_second_load_reads_the_cache_and_gives_the_parsed_font(font, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    parsed = fontcache.load(NAME, font, cache)
    assert len(list(cache.glob("*.marshal"))) == 1 and not list(cache.glob(".writing-*"))
    forbid_parsing(monkeypatch)
    kept = fontcache.load(NAME, font, cache)
    assert_same_font(kept, parsed)
    text = "α-synuclein 5'→3' ≤ 0.2 EU/kg"
    assert kept.stringWidth(text, 10) == parsed.stringWidth(text, 10)
    assert kept.face.makeSubset([0, 65, 0x3B1]) == parsed.face.makeSubset([0, 65, 0x3B1])


def test_an_edited_or_renamed_font_is_parsed_again(font, tmp_path):
    cache = tmp_path / "cache"
    fontcache.load(NAME, font, cache)
    fontcache.load("Another", font, cache)  # reportlab decides some things by the name
    font.write_bytes(font.read_bytes() + b"\0\0\0\0")  # tables are found by offset: trailing bytes are harmless
    fontcache.load(NAME, font, cache)
    assert len(list(cache.glob("*.marshal"))) == 3


def test_a_damaged_entry_is_parsed_again_and_replaced(font, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    parsed = fontcache.load(NAME, font, cache)
    (entry,) = cache.glob("*.marshal")
    entry.write_bytes(entry.read_bytes()[:1000])
    assert_same_font(fontcache.load(NAME, font, cache), parsed)
    forbid_parsing(monkeypatch)
    assert_same_font(fontcache.load(NAME, font, cache), parsed)


def test_an_unwritable_cache_folder_costs_nothing_but_time(font, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    assert fontcache.load(NAME, font, blocker / "fonts").face.unitsPerEm == 2048
    assert blocker.read_text() == "a file where the cache folder should be"


def test_old_entries_are_pruned(font, tmp_path):
    cache = tmp_path / "cache"
    for n in range(fontcache.KEEP + 2):
        fontcache.load(f"Face{n}", font, cache)
    assert len(list(cache.glob("*.marshal"))) == fontcache.KEEP


def test_a_first_load_takes_the_font_parsed_when_the_program_was_built(font, tmp_path, monkeypatch):
    parsed = TTFont(NAME, str(font))
    assert [e.name for e in fontcache.ship(font.parent)] == [fontcache.entry_name(NAME, font.read_bytes())]
    forbid_parsing(monkeypatch)
    cache = tmp_path / "cache"
    assert_same_font(fontcache.load(NAME, font, cache), parsed)
    assert not cache.exists()  # nothing to keep: the shipped entry serves every run


def test_a_shipped_parse_of_other_bytes_is_not_used(font, tmp_path):
    fontcache.ship(font.parent)
    font.write_bytes(font.read_bytes() + b"\0\0\0\0")
    fontcache.load(NAME, font, tmp_path / "cache")
    assert len(list((tmp_path / "cache").glob("*.marshal"))) == 1  # parsed, and kept for next time


def test_a_font_with_attributes_that_are_not_plain_data_is_never_kept(font, tmp_path, monkeypatch):
    init = TTFont.__init__

    def with_an_object(self, *args, **kwargs):
        init(self, *args, **kwargs)
        self.face.extra = object()

    monkeypatch.setattr(TTFont, "__init__", with_an_object)
    assert fontcache.load(NAME, font, tmp_path / "cache").face.extra is not None
    assert not (tmp_path / "cache").exists()
