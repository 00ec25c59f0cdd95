"""Reading a sequence folder back — ours or anyone's: its backbones parsed offline, and every leaf
with the heading it sits under and the file it points at.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from .. import standards
from .backbone import XLINK_NS
from .leaf import REGIONAL_PATH

KEYED_ATTRS = ("substance", "manufacturer", "product-name", "dosageform", "indication", "excipient")
SEQUENCE_NAME = re.compile(r"^\d{4}$")


@dataclass
class ReadLeaf:
    backbone: str          # index.xml or m1/us/us-regional.xml
    id: str
    operation: str
    heading: str           # the element the leaf sits in
    href: str              # as written
    target: str | None     # the file inside the sequence ('' when the href leaves the sequence)
    checksum: str
    checksum_type: str
    modified_file: str
    title: str
    line: int
    in_node_extension: bool


@dataclass
class Backbone:
    path: str
    tree: etree._ElementTree | None = None
    error: str = ""
    leaves: list[ReadLeaf] = field(default_factory=list)
    keyed: dict[str, set[tuple]] = field(default_factory=dict)   # heading → {attribute tuples}
    # (heading, attribute tuple) → the operations of the leaves under that keyed heading element
    keyed_operations: dict[tuple[str, tuple], set[str]] = field(default_factory=dict)


def parse_backbone(seq_dir: Path, relpath: str, folder: Path | None) -> Backbone:
    """Parse one backbone offline (the DTD resolved to the installed copy); collect its leaves."""
    backbone = Backbone(relpath)
    path = seq_dir / relpath
    if not path.is_file():
        backbone.error = "missing"
        return backbone
    try:
        # Parsed from bytes, so the resolver sees only the DTD and entity URLs, never the file itself.
        root = etree.fromstring(path.read_bytes(), standards.xml_parser(folder), base_url=str(path))
        backbone.tree = root.getroottree()
    except etree.XMLSyntaxError as exc:
        backbone.error = f"malformed XML ({exc})"
        return backbone
    base = posixpath.dirname(relpath)
    for el in backbone.tree.getroot().iter("leaf"):
        parent = el.getparent()
        in_ext = False
        while parent is not None and parent.tag == "node-extension":
            in_ext, parent = True, parent.getparent()
        href = el.get(f"{{{XLINK_NS}}}href") or ""
        backbone.leaves.append(ReadLeaf(
            backbone=relpath, id=el.get("ID", ""), operation=el.get("operation", ""),
            heading=parent.tag if parent is not None else "", href=href, target=resolve_href(base, href),
            checksum=(el.get("checksum") or "").strip().lower(), checksum_type=el.get("checksum-type", ""),
            modified_file=el.get("modified-file", ""), title=(el.findtext("title") or "").strip(),
            line=el.sourceline or 0, in_node_extension=in_ext))
    for el in backbone.tree.getroot().iter():
        if isinstance(el.tag, str) and any(a in el.attrib for a in KEYED_ATTRS):
            attrs = tuple((a, el.get(a, "")) for a in KEYED_ATTRS if el.get(a))
            backbone.keyed.setdefault(el.tag, set()).add(attrs)
            backbone.keyed_operations.setdefault((el.tag, attrs), set()).update(
                leaf.get("operation", "") for leaf in el.iter("leaf"))
    return backbone


def resolve_href(base: str, href: str) -> str | None:
    """The path inside the sequence an href points at; '' when it leaves the sequence; None when empty."""
    if not href:
        return None
    if "://" in href or href.startswith("/") or "\\" in href or re.match(r"^[A-Za-z]:", href):
        return ""
    joined = posixpath.normpath(posixpath.join(base, href.split("#")[0]))
    return "" if joined.startswith("..") or joined == "." else joined


def regional_path(index: Backbone) -> str:
    """Where index.xml says the regional backbone is (its Module 1 leaf), else the usual place."""
    for leaf in index.leaves:
        if leaf.heading == "m1-administrative-information-and-prescribing-information" and leaf.target:
            return leaf.target
    return REGIONAL_PATH


def earlier_sequences(seq_dir: Path, number: str) -> list[Path]:
    """The sequence folders beside `seq_dir` numbered below `number`, oldest first."""
    app = seq_dir.parent
    if not app.is_dir():
        return []
    return sorted(p for p in app.iterdir() if p.is_dir() and SEQUENCE_NAME.match(p.name) and p.name < number)


def files_in(seq_dir: Path) -> list[str]:
    """Every file in the sequence folder, as paths relative to it with '/' separators."""
    out = []
    for path in seq_dir.rglob("*"):
        if path.is_file() or path.is_symlink():
            out.append(path.relative_to(seq_dir).as_posix())
    return sorted(out)
