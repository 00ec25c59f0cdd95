"""The backbone headings, read from the official DTDs themselves: which element nests in which, in
what order, which ones are lowest, and which carry keyed attributes (substance, indication …).

The product carries no copy of the DTDs; it reads the user's installed copy, so the heading tree is
always exactly the standard's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from lxml import etree

from ..errors import DossierError

ICH_ROOT = "ectd:ectd"
FDA_ROOT = "fda-regional:fda-regional"
_NON_HEADINGS = {"leaf", "title", "link-text", "xref", "node-extension"}
_PLAIN_ATTRS = {"ID", "lang"}
_NUMBER = re.compile(r"^m\d+(?:-(?:\d+|[a-z])(?=-|$))*")


@dataclass(frozen=True)
class EctdHeading:
    """One eCTD heading: a backbone element that can hold leaves (or other headings). Not to be
    confused with a heading inside a document (dossier.render.tree.Heading)."""

    name: str
    parent: str | None
    children: tuple[str, ...]     # heading children in DTD order
    required_keys: tuple[str, ...]
    optional_keys: tuple[str, ...]
    holds_leaves: bool

    @property
    def number(self) -> str:
        """The section number part of the name: `m3-2-s-4-4` for `m3-2-s-4-4-batch-analyses`."""
        match = _NUMBER.match(self.name)
        return match.group(0) if match else self.name

    @property
    def lowest(self) -> bool:
        return not self.children


class HeadingTree:
    """The headings of one backbone DTD (ICH index.xml or FDA us-regional.xml)."""

    def __init__(self, headings: dict[str, EctdHeading], root: str):
        self.headings = headings
        self.root = root
        self._by_number: dict[str, list[str]] = {}
        for h in headings.values():
            self._by_number.setdefault(h.number, []).append(h.name)
        self._order = {name: i for i, name in enumerate(headings)}

    def __contains__(self, name: str) -> bool:
        return name in self.headings

    def __getitem__(self, name: str) -> EctdHeading:
        return self.headings[name]

    def resolve(self, wanted: str) -> str:
        """The element name for a heading given by name (`m2-5-clinical-overview`) or number (`m2-5`)."""
        if wanted in self.headings:
            return wanted
        names = self._by_number.get(wanted, [])
        # `m2-3` names both 2.3 and its unnumbered introduction: the parent is the one meant.
        names = [n for n in names if self.headings[n].parent not in names]
        if len(names) == 1:
            return names[0]
        if not names:
            raise DossierError(f"'{wanted}' is not a heading of {self.root}; give an element name or a section "
                               f"number such as m2-5 or m3-2-s-4-4")
        raise DossierError(f"'{wanted}' is ambiguous in {self.root}: {', '.join(names)}")

    def chain(self, name: str) -> list[str]:
        """The headings from the top of the backbone down to `name` (inclusive)."""
        chain = []
        current: str | None = name
        while current is not None and current in self.headings:
            chain.append(current)
            current = self.headings[current].parent
        return chain[::-1]

    def position(self, name: str) -> int:
        """Document order of a heading, so siblings are written in the order the DTD demands."""
        return self._order[name]


def _content_names(content) -> list[str]:
    if content is None:
        return []
    out = [content.name] if content.type == "element" else []
    return out + _content_names(content.left) + _content_names(content.right)


def _qualified(decl) -> str:
    return f"{decl.prefix}:{decl.name}" if decl.prefix else decl.name


def _tree_from_dtd(dtd: etree.DTD, root: str) -> HeadingTree:
    decls = {_qualified(d): d for d in dtd.iterelements()}
    if root not in decls:
        raise DossierError(f"the DTD does not declare {root}; is it the right standard file?")
    headings: dict[str, EctdHeading] = {}

    def visit(name: str, parent: str | None) -> None:
        decl = decls[name]
        names = _content_names(decl.content)
        children = tuple(n for n in names if n not in _NON_HEADINGS and n in decls and n != "admin")
        keys = [a for a in decl.iterattributes() if a.name not in _PLAIN_ATTRS and a.prefix is None]
        headings[name] = EctdHeading(
            name=name, parent=parent, children=children,
            required_keys=tuple(sorted(a.name for a in keys if a.default == "required")),
            optional_keys=tuple(sorted(a.name for a in keys if a.default != "required")),
            holds_leaves="leaf" in names or name == "form",
        )
        for child in children:
            if child not in headings:
                visit(child, name)

    visit(root, None)
    return HeadingTree(headings, root)


@lru_cache(maxsize=8)
def _load(path: str, mtime: float, root: str) -> HeadingTree:
    try:
        dtd = etree.DTD(path)
    except etree.DTDParseError as exc:
        raise DossierError(f"{path} cannot be read as a DTD ({exc})") from None
    return _tree_from_dtd(dtd, root)


def ich_tree(standards: Path) -> HeadingTree:
    path = standards / "ich-ectd-3-2.dtd"
    return _load(str(path), path.stat().st_mtime, ICH_ROOT)


def regional_tree(standards: Path) -> HeadingTree:
    path = standards / "us-regional-v3-3.dtd"
    return _load(str(path), path.stat().st_mtime, FDA_ROOT)
