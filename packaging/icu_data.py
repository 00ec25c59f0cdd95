"""A smaller ICU data library for the Linux bundle: the PySide6 wheels carry ICU's full data (32 MB,
libicudata.so.NN), of which Qt uses only what its ICU calls read.

QtCore calls ICU for collation (QCollator: ucol_*), time zones (QTimeZone: ucal_*), legacy text
encodings (QStringConverter: ucnv_*) and locale case mapping (u_strTo*). `trim_icu_data` rebuilds the
library without the data trees none of those reads: word-break dictionaries, transliteration,
spelled-out numbers, currency, unit, language and region display names, character names, StringPrep
and spoof-check tables. Everything Qt reads stays, for every locale.

The library is one symbol, icudtNN_dat, holding an ICU "common data" package (a table of contents
of named items). This module copies that package without the dropped items and links it into a new
libicudata.so.NN with GNU ld and objcopy (binutils, which PyInstaller itself needs on Linux).
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from pathlib import Path

# Trees and files no ICU function that Qt calls reads (see the module docstring).
DROPPED_TREES = ("brkitr", "translit", "rbnf", "curr", "unit", "lang", "region")
DROPPED_FILES = re.compile(r"^unames\.icu$|\.spp$|\.cfu$")
_ALIGN = 16  # ICU needs each item 16-byte aligned


def trim_icu_data(library: Path, workdir: Path) -> Path:
    """A copy of `library` (libicudata.so.NN) without the unused data, built in `workdir`."""
    symbol, blob = _read_data_symbol(library)
    workdir.mkdir(parents=True, exist_ok=True)
    package = workdir / "icudata.dat"
    package.write_bytes(trimmed_package(blob))
    obj, out = workdir / "icudata.o", workdir / library.name
    subprocess.run(["ld", "-r", "-b", "binary", "-o", obj.name, package.name], cwd=workdir, check=True)
    subprocess.run(["objcopy", "--rename-section", ".data=.rodata,alloc,load,readonly,data,contents",
                    "--set-section-alignment", f".rodata={_ALIGN}",
                    "--redefine-sym", f"_binary_icudata_dat_start={symbol}", obj.name], cwd=workdir, check=True)
    subprocess.run(["ld", "-shared", "-z", "noexecstack", "-soname", library.name, "-o", out.name, obj.name],
                   cwd=workdir, check=True)
    return out


def can_trim() -> bool:
    return all(shutil.which(tool) for tool in ("ld", "objcopy", "readelf"))


def trimmed_package(blob: bytes) -> bytes:
    """The ICU common data package `blob` without the dropped items (same header, same order)."""
    header_size = struct.unpack_from("<H", blob, 0)[0]
    if blob[2:4] != b"\xda\x27" or blob[12:16] != b"CmnD":
        raise ValueError("not an ICU common data package")
    items = _items(blob[header_size:])
    kept = [(name, data) for name, data in items if not _dropped(name)]
    count = len(kept)
    names = b"".join(name.encode() + b"\0" for name, _ in kept)
    offset = _aligned(4 + 8 * count + len(names))
    entries, body, name_at = [], bytearray(), 4 + 8 * count
    for name, data in kept:
        entries.append(struct.pack("<II", name_at, offset + len(body)))
        name_at += len(name.encode()) + 1
        body += data + b"\0" * (_aligned(len(data)) - len(data))
    toc = struct.pack("<I", count) + b"".join(entries) + names
    toc += b"\0" * (offset - len(toc))
    return blob[:header_size] + toc + bytes(body)


def _items(toc: bytes) -> list[tuple[str, bytes]]:
    count = struct.unpack_from("<I", toc, 0)[0]
    entries = [struct.unpack_from("<II", toc, 4 + 8 * i) for i in range(count)]
    starts = sorted(offset for _, offset in entries) + [len(toc)]
    end_of = {start: starts[i + 1] for i, start in enumerate(starts[:-1])}
    return [(toc[name:toc.index(b"\0", name)].decode("ascii"), toc[offset:end_of[offset]])
            for name, offset in entries]


def _dropped(name: str) -> bool:
    path = name.split("/", 1)[1]  # "icudt73l/coll/root.res" -> "coll/root.res"
    return path.split("/", 1)[0] in DROPPED_TREES or bool(DROPPED_FILES.search(path))


def _aligned(size: int) -> int:
    return (size + _ALIGN - 1) // _ALIGN * _ALIGN


def _read_data_symbol(library: Path) -> tuple[str, bytes]:
    """The name of the icudtNN_dat symbol and its bytes, located with readelf."""
    symbols = subprocess.run(["readelf", "-sW", str(library)], capture_output=True, text=True, check=True).stdout
    found = re.search(r"\s([0-9a-f]+)\s+(0x[0-9a-f]+|\d+)\s+OBJECT\s+GLOBAL\s+\S+\s+(\d+)\s+(icudt\d+_dat)$",
                      symbols, re.MULTILINE)
    if not found:
        raise ValueError(f"{library} has no icudtNN_dat symbol")
    address, size, index, name = int(found[1], 16), int(found[2], 0), int(found[3]), found[4]
    sections = subprocess.run(["readelf", "-SW", str(library)], capture_output=True, text=True, check=True).stdout
    section = re.search(rf"^\s*\[\s*{index}\]\s+\S+\s+\S+\s+([0-9a-f]+)\s+([0-9a-f]+)", sections, re.MULTILINE)
    file_offset = address - int(section[1], 16) + int(section[2], 16)
    with library.open("rb") as f:
        f.seek(file_offset)
        return name, f.read(size)
