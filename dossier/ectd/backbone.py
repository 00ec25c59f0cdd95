"""Writing the ICH backbone `index.xml` (eCTD v3.2.2) with lxml, and the heading nesting both
backbones share.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from lxml import etree

from ..errors import DossierError
from .headings import HeadingTree
from .leaf import REGIONAL_PATH, Leaf, Plan

ICH_NS = "http://www.ich.org/ectd"
XLINK_NS = "http://www.w3c.org/1999/xlink"  # fixed by the DTDs ("w3c.org", not the W3C XLink URI)
ICH_DOCTYPE = '<!DOCTYPE ectd:ectd SYSTEM "util/dtd/ich-ectd-3-2.dtd">'
ICH_STYLESHEET = 'type="text/xsl" href="util/style/ectd-2-0.xsl"'
MAX_TITLE = 512


def xlink(name: str) -> str:
    return f"{{{XLINK_NS}}}{name}"


def leaf_element(leaf: Leaf, href: str | None) -> etree._Element:
    """A `<leaf>`: new/replace carry the file and its MD5; a delete carries neither (empty checksum)."""
    el = etree.Element("leaf")
    el.set("ID", leaf.id)
    el.set("operation", leaf.operation)
    modified = leaf.modified_file()
    if modified:
        el.set("modified-file", modified)
    el.set("checksum-type", "md5")
    el.set("checksum", "" if leaf.operation == "delete" else leaf.md5)
    if leaf.operation != "delete":
        el.set(xlink("type"), "simple")
        el.set(xlink("href"), href or leaf.path)
    title = etree.SubElement(el, "title")
    title.text = leaf.title[:MAX_TITLE]
    return el


Keyed = dict[str, dict[str, str]]
Group = tuple | None  # which keyed headings of its own a leaf sits under (None: the shared ones)


def _group(own: Keyed | None) -> Group:
    return None if own is None else tuple(sorted((h, tuple(sorted(a.items()))) for h, a in own.items()))


def nest(parent: etree._Element, tree: HeadingTree, placed: Iterable[tuple], keyed: Keyed, below: str) -> None:
    """Put each (heading, element[, its own keyed headings]) under its chain of headings, creating only
    headings that hold something, siblings in the order the DTD demands. A leaf with keyed headings of its
    own (one drug substance's 3.2.S) gets its own copy of every heading from the keyed one down."""
    nodes: dict[tuple[str, Group], etree._Element] = {(below, None): parent}
    wanted: dict[tuple[str, Group], list[etree._Element]] = {}
    groups: dict[Group, Keyed] = {None: keyed}
    for heading, element, *own in placed:
        if heading not in tree:
            raise DossierError(f"'{heading}' is not a heading of {tree.root}")
        group = _group(own[0] if own else None)
        groups.setdefault(group, own[0] if own else keyed)
        wanted.setdefault((heading, group), []).append(element)

    def owner(name: str, group: Group) -> Group:
        """The group a heading of a leaf's chain belongs to: its own below its own keyed heading."""
        own = groups[group] if group is not None else {}
        return group if any(own.get(h) for h in tree.chain(name) if h not in (below, tree.root)) else None

    order = {g: i for i, g in enumerate(groups)}
    needed = {(h, owner(h, group)) for heading, group in wanted for h in tree.chain(heading)
              if h not in (below, tree.root)}
    for name, group in sorted(needed, key=lambda n: (tree.position(n[0]), order[n[1]])):
        parent = tree[name].parent
        assert parent is not None, f"{name} is below the root, so it has a parent"
        holder = nodes[(parent, owner(parent, group))]  # DTD order puts every parent before its children
        node = etree.SubElement(holder, name.split(":")[-1])
        for attr in tree[name].required_keys + tree[name].optional_keys:
            value = groups[group].get(name, {}).get(attr)
            if value:
                node.set(attr, value)
            elif attr in tree[name].required_keys:
                raise DossierError(f"heading {name} needs its '{attr}' value; fill the field it comes from")
        nodes[(name, group)] = node
    for (heading, group), elements in wanted.items():
        node = nodes[(heading, owner(heading, group))]
        for element in elements:
            # The DTDs put a heading's own leaves before its subheadings: (leaf*, m3-2-p-1?, …).
            node.insert(sum(1 for child in node if child.tag == "leaf"), element)


def serialize(root: etree._Element, doctype: str, stylesheet: str | None = None) -> bytes:
    tree = etree.ElementTree(root)
    if stylesheet:
        root.addprevious(etree.ProcessingInstruction("xml-stylesheet", stylesheet))
    body = etree.tostring(tree, encoding="UTF-8", xml_declaration=False, doctype=doctype, pretty_print=True)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body


def index_xml(plan: Plan, tree: HeadingTree, regional_md5: str) -> bytes:
    """The bytes of index.xml for `plan`; Module 1 appears as one leaf pointing at us-regional.xml."""
    root = etree.Element(f"{{{ICH_NS}}}ectd", nsmap={"ectd": ICH_NS, "xlink": XLINK_NS})
    root.set("dtd-version", "3.2")
    regional = Leaf(path=REGIONAL_PATH, heading="m1-administrative-information-and-prescribing-information",
                    title="FDA Module 1 regional information", kind="regional", ref="", fingerprint="",
                    md5=regional_md5)
    placed = [(leaf.heading, leaf_element(leaf, leaf.path), leaf.keyed) for leaf in [regional, *plan.leaves]
              if leaf is regional or not leaf.module1]
    nest(root, tree, placed, plan.keyed, tree.root)
    return serialize(root, ICH_DOCTYPE, ICH_STYLESHEET)


def md5_hex(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()
