"""The official eCTD standard files (ICH DTD and stylesheet, FDA regional DTD).

The product carries no copies: it knows each file's checksum, installs the user's copy once into a
per-user folder after verifying it, and copies it into a sequence's `util/` at build time.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from .errors import DossierError

FDA_REGIONAL_URL = "https://www.accessdata.fda.gov/static/eCTD/us-regional-v3-3.dtd"


@dataclass(frozen=True)
class StandardFile:
    name: str
    md5: str
    util_path: str  # where it goes inside a sequence ("" = not copied into util/)
    source: str


STANDARD_FILES = (
    StandardFile("ich-ectd-3-2.dtd", "1d6f631cc6b6357f0f4fe378e5f79a27", "util/dtd/ich-ectd-3-2.dtd",
                 "the ICH eCTD v3.2 DTD package (ich.org, 'ich-ectd-3-2_dtd' zip, util/dtd)"),
    StandardFile("ectd-2-0.xsl", "3a07a202455e954a2eb203c5bb443f77", "util/style/ectd-2-0.xsl",
                 "the same ICH package, util/style"),
    StandardFile("us-regional-v3-3.dtd", "bea39be6d3a1716262a30a87657bce2d", "",
                 f"FDA, {FDA_REGIONAL_URL}"),
)


class StandardsMissing(DossierError):
    """One or more official standard files are not installed."""


def standards_dir() -> Path:
    """Where installed standard files live: $DOSSIER_STANDARDS_DIR, else the user's data folder."""
    override = os.environ.get("DOSSIER_STANDARDS_DIR")
    if override:
        return Path(override)
    from platformdirs import user_data_dir

    return Path(user_data_dir("Dossier Builder", "Dossier Builder")) / "standards"


def md5_of(path: Path) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def status(folder: Path | None = None) -> dict[str, str]:
    """Each standard file's state: 'installed', 'missing' or 'altered'."""
    folder = folder or standards_dir()
    states = {}
    for std in STANDARD_FILES:
        path = folder / std.name
        states[std.name] = "missing" if not path.is_file() else ("installed" if md5_of(path) == std.md5 else "altered")
    return states


def install(source: str | Path, folder: Path | None = None) -> list[str]:
    """Install the standard files found at `source` (a file or a folder searched recursively).

    Every candidate is identified by checksum, so renamed copies are found too; a file with a known
    name but a different checksum is refused with the reason. Returns the names installed.
    """
    source, folder = Path(source), folder or standards_dir()
    if not source.exists():
        raise DossierError(f"{source} does not exist; give the file or folder holding the eCTD standard files")
    candidates = [source] if source.is_file() else [p for p in source.rglob("*") if p.is_file()]
    by_md5 = {std.md5: std for std in STANDARD_FILES}
    names = {std.name: std for std in STANDARD_FILES}
    installed, refused = [], []
    for path in candidates:
        if path.stat().st_size > 1 << 20:
            continue
        std = by_md5.get(md5_of(path))
        if std is None:
            if path.name in names:
                refused.append(f"{path}: checksum differs from the official {path.name} "
                               f"(expected MD5 {names[path.name].md5})")
            continue
        folder.mkdir(parents=True, exist_ok=True)
        temp = folder / f".{std.name}.tmp"
        shutil.copyfile(path, temp)
        os.replace(temp, folder / std.name)
        installed.append(std.name)
    if not installed:
        detail = "; ".join(refused) if refused else "no file there matches an official checksum"
        raise DossierError(f"nothing installed from {source}: {detail}")
    return sorted(set(installed))


def require(folder: Path | None = None, names: tuple[str, ...] | None = None) -> Path:
    """The folder of installed standard files; StandardsMissing naming each missing file and its source."""
    folder = folder or standards_dir()
    states = status(folder)
    wanted = names or tuple(states)
    lacking = [std for std in STANDARD_FILES if std.name in wanted and states[std.name] != "installed"]
    if lacking:
        lines = "; ".join(f"{std.name} ({states[std.name]}) from {std.source}" for std in lacking)
        raise StandardsMissing(
            f"official eCTD standard files are not installed: {lines}. Download them, then run "
            f"`dossier standards install PATH` (a file or a folder)")
    return folder


# Offline XML: the backbones name the DTDs by relative path (ICH) and by FDA URL (regional); both
# are mapped to the installed copies, and nothing is ever fetched from anywhere else.

def _known_dtd(system_url: str | None) -> str | None:
    if not system_url:
        return None
    if system_url == FDA_REGIONAL_URL or system_url.endswith("/us-regional-v3-3.dtd"):
        return "us-regional-v3-3.dtd"
    if system_url.replace("\\", "/").endswith("util/dtd/ich-ectd-3-2.dtd"):
        return "ich-ectd-3-2.dtd"
    return None


class OfflineResolver:
    """An lxml resolver that answers the official DTD URLs from the installed copies and every other
    URL (external entities, unknown DTDs) with nothing, so parsing never reaches the network or
    reads arbitrary local files."""

    def __new__(cls, folder: Path):
        from lxml import etree

        class _Resolver(etree.Resolver):
            def resolve(self, system_url, public_id, context):
                name = _known_dtd(system_url)
                if name and (folder / name).is_file():
                    return self.resolve_filename(str(folder / name), context)
                return self.resolve_string("", context)

        return _Resolver()


def xml_parser(folder: Path | None = None):
    """An lxml parser for eCTD backbones that resolves the DTDs offline to the installed copies."""
    from lxml import etree

    parser = etree.XMLParser(load_dtd=True, no_network=True, resolve_entities=False, huge_tree=False)
    parser.resolvers.add(OfflineResolver(folder or standards_dir()))
    return parser


def dtd(name: str, folder: Path | None = None):
    """The installed official DTD `name` as an lxml DTD object (StandardsMissing when absent)."""
    from lxml import etree

    folder = require(folder, (name,))
    return etree.DTD(str(folder / name))
