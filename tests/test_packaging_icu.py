"""The bundle's smaller ICU data library (packaging/icu_data.py): Qt gives the same answers with it as
with the full one (sorting, case mapping, time-zone names in several languages, legacy encodings)."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("icu_data", ROOT / "packaging" / "icu_data.py")
icu_data = importlib.util.module_from_spec(spec)
spec.loader.exec_module(icu_data)

PySide6 = pytest.importorskip("PySide6")
WHEEL_ICU = sorted((Path(PySide6.__file__).parent / "Qt" / "lib").glob("libicudata.so.*"))
pytestmark = pytest.mark.skipif(not (sys.platform.startswith("linux") and WHEEL_ICU and icu_data.can_trim()),
                                reason="Linux PySide6 wheel with its own ICU, and binutils, needed")

# What QtCore asks ICU for, in languages whose rules differ (ICU answers from its data, not its code).
QT_USES_ICU = """
from PySide6.QtCore import QCollator, QDateTime, QLocale, QStringConverter, QStringDecoder, QTimeZone
words = ["zebra", "Äpfel", "apple", "öl", "Zürich", "ångström", "Ærø", "İstanbul", "東京", "北京", "Čapek", "chata"]
for name in ("en_US", "de_DE", "sv_SE", "cs_CZ", "tr_TR", "ja_JP", "zh_CN"):
    locale = QLocale(name)
    print(name, sorted(words, key=QCollator(locale).sortKey), locale.toUpper("istanbul straße"))
    for zone in (b"Europe/Berlin", b"America/New_York", b"Asia/Kolkata"):
        print(QTimeZone(zone).displayName(QTimeZone.StandardTime, QTimeZone.LongName, locale))
print([(c, QStringDecoder(c).isValid()) for c in ("Shift_JIS", "windows-1252", "GBK", "Big5", "KOI8-R", "EUC-KR")])
print(len(QStringConverter.availableCodecs()), len(QTimeZone.availableTimeZoneIds()))
"""


def qt_answers(preload: Path | None = None) -> str:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    if preload:
        env["LD_PRELOAD"] = str(preload)  # takes the place of the wheel's libicudata.so.NN
    done = subprocess.run([sys.executable, "-c", QT_USES_ICU], env=env, capture_output=True, text=True, check=True)
    return done.stdout + done.stderr


def test_qt_answers_the_same_with_the_smaller_icu_data(tmp_path):
    smaller = icu_data.trim_icu_data(WHEEL_ICU[0], tmp_path)
    assert smaller.name == WHEEL_ICU[0].name
    assert smaller.stat().st_size < WHEEL_ICU[0].stat().st_size * 0.6
    full = qt_answers()
    assert "Mitteleuropäische Normalzeit" in full and "İSTANBUL" in full
    assert qt_answers(smaller) == full


def test_the_comparison_notices_missing_icu_data(tmp_path, monkeypatch):
    # Dropping the collation and time-zone trees must change Qt's answers, or the test above proves nothing.
    monkeypatch.setattr(icu_data, "DROPPED_TREES", icu_data.DROPPED_TREES + ("coll", "zone"))
    assert qt_answers(icu_data.trim_icu_data(WHEEL_ICU[0], tmp_path)) != qt_answers()


def test_package_keeps_its_table_of_contents_readable(tmp_path):
    _, blob = icu_data._read_data_symbol(WHEEL_ICU[0])
    smaller = icu_data.trimmed_package(blob)
    header = int.from_bytes(blob[:2], "little")
    kept = dict(icu_data._items(smaller[header:]))
    original = dict(icu_data._items(blob[header:]))
    assert kept and all(original[name].startswith(data.rstrip(b"\0")[:64]) for name, data in kept.items())
    assert not any("/brkitr/" in name or "/curr/" in name for name in kept)
    assert any(name.endswith("/coll/root.res") for name in kept) and any("/zone/" in name for name in kept)
    assert list(kept) == sorted(kept)  # ICU finds items by binary search on the name
