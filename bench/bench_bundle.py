"""Where the desktop bundle's size goes: prints dist/dossier-builder by component.

    python bench/bench_bundle.py                 # read the existing dist/dossier-builder
    python bench/bench_bundle.py --build         # build it first (pyinstaller build_app.spec, minutes)
    python bench/bench_bundle.py --top 5         # and the five largest files of each component
    python bench/bench_bundle.py --limit 150     # exit 1 if the bundle is over 150 MB (CI's size gate)

Every file is counted once (symbolic links and hard links to a file already counted are skipped),
at its size in bytes; MB are 2^20 bytes, as `du -sh` counts them (du adds ~1 MB of block rounding).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MB = 2**20

# First match wins; patterns are tried on the path relative to the bundle folder, with "/".
COMPONENTS = [
    ("Qt plugins", re.compile(r"PySide6/Qt/plugins/")),
    ("Qt libraries: ICU", re.compile(r"(^|/)libicu[a-z0-9]*\.so|icu[a-z]*\d*\.dll$")),
    ("Qt libraries", re.compile(r"(^|/)(lib)?(Qt6|pyside6|shiboken6)[^/]*\.(so|dll|dylib)|/Qt[^/]*\.framework/")),
    ("fonts", re.compile(r"\.(ttf|otf|pfb|afm)$", re.IGNORECASE)),
    ("resources", re.compile(r"^(_internal/)?(resources|templates)/")),
    ("Python extension modules", re.compile(r"\.(cpython-[^/]*\.so|abi3\.so|pyd)$")),
    ("Python code", re.compile(r"(^|/)(base_library\.zip|[^/]*\.pyc?)$")),
    ("other shared libraries", re.compile(r"\.(so(\.[0-9.]+)?|dll|dylib)$|/[^/.]+\.so\.[^/]+$")),
]


def component(relative: str, path: Path) -> str:
    for name, pattern in COMPONENTS:
        if pattern.search(relative):
            return name
    if "/" not in relative and os.access(path, os.X_OK):
        return "Python code"  # the two launchers carry the Python code in an archive appended to them
    return "other"


def measure(bundle: Path) -> dict[str, list[tuple[int, str]]]:
    seen: set[tuple[int, int]] = set()
    parts: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for path in sorted(bundle.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        stat = path.stat()
        if (stat.st_dev, stat.st_ino) in seen:
            continue
        seen.add((stat.st_dev, stat.st_ino))
        relative = path.relative_to(bundle).as_posix()
        parts[component(relative, path)].append((stat.st_size, relative))
    return parts


def report(bundle: Path, top: int) -> float:
    """Prints the bundle's size by component and returns its total in MB."""
    parts = measure(bundle)
    total = sum(size for files in parts.values() for size, _ in files)
    print(f"bundle: {bundle}  total {total / MB:.1f} MB in {sum(map(len, parts.values()))} files")
    for name in sorted(parts, key=lambda n: -sum(s for s, _ in parts[n])):
        files = sorted(parts[name], reverse=True)
        size = sum(s for s, _ in files)
        print(f"  {name:<26} {size / MB:7.1f} MB  {100 * size / total:5.1f} %  {len(files):5d} files")
        for each, relative in files[:top]:
            print(f"      {each / MB:7.2f} MB  {relative}")
    return total / MB


def build() -> None:
    command = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN", "build_app.spec"]
    print("building:", " ".join(command), flush=True)
    subprocess.run(command, cwd=ROOT, check=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle", nargs="?", type=Path, default=ROOT / "dist" / "dossier-builder",
                        help="the bundle folder (default: dist/dossier-builder)")
    parser.add_argument("--build", action="store_true", help="build the bundle first with build_app.spec")
    parser.add_argument("--top", type=int, default=0, metavar="N", help="list the N largest files of each component")
    parser.add_argument("--limit", type=float, metavar="MB",
                        help="exit with status 1 if the bundle's total is over MB (the size target; CI uses 150)")
    args = parser.parse_args()
    if args.build:
        build()
    if not args.bundle.is_dir():
        print(f"no bundle at {args.bundle}; build it with --build (or pyinstaller build_app.spec)", file=sys.stderr)
        return 2
    total = report(args.bundle, args.top)
    if args.limit is not None and total > args.limit:
        print(f"bundle too large: {total:.1f} MB is over the {args.limit:g} MB target. Run with --top 10 to see "
              "the largest files, and leave out what the app never loads in build_app.spec "
              "(excludes, UNUSED), proving it unused with the bundle's self-test.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
