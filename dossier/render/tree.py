"""The one small document structure both writers render: headings, paragraphs, lists, tables,
figures and links. Templates produce it as a little XML markup; `parse` turns that into objects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from ..errors import DossierError

# Characters XML 1.0 (and so Word) cannot hold; shown as U+FFFD so nothing vanishes silently.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SPACE = re.compile(r"[ \t\r\n]+")


def xml_safe(text: str) -> str:
    return _XML_INVALID.sub("\ufffd", text)


@dataclass(frozen=True)
class Run:
    text: str
    style: str = ""  # "", "b", "i", "placeholder"
    href: str = ""


@dataclass
class Heading:
    level: int
    text: str


@dataclass
class Paragraph:
    runs: list[Run]
    style: str = ""  # "", "note"


@dataclass
class ListBlock:
    ordered: bool
    items: list[list[Run]]


@dataclass
class Table:
    header: list[str]
    rows: list[list[list[Run]]]
    widths: list[float] = field(default_factory=list)  # relative column widths


@dataclass
class Figure:
    kind: str
    caption: str


@dataclass
class DocumentTree:
    title: str
    blocks: list = field(default_factory=list)

    def headings(self) -> list[Heading]:
        return [b for b in self.blocks if isinstance(b, Heading)]


def _runs(element) -> list[Run]:
    """Inline content of an element as runs, whitespace collapsed as in HTML."""
    runs: list[Run] = []

    def add(text: str | None, style: str = "", href: str = "", literal: bool = False) -> None:
        if text:
            runs.append(Run(text if literal else _SPACE.sub(" ", text), style, href))

    add(element.text)
    for child in element:
        tag = child.tag
        if tag in ("b", "i"):
            add("".join(child.itertext()), tag)
        elif tag == "a":
            add("".join(child.itertext()), "", child.get("href", ""))
        elif tag == "placeholder":
            add(f"[Not yet provided: {child.get('label')}]", "placeholder")
        elif tag == "br":
            add("\n", literal=True)
        else:
            raise DossierError(f"unexpected <{tag}> inside <{element.tag}>")
        add(child.tail)
    if runs:  # trim the template's indentation at both ends
        runs[0] = Run(runs[0].text.lstrip(), runs[0].style, runs[0].href)
        runs[-1] = Run(runs[-1].text.rstrip(), runs[-1].style, runs[-1].href)
    return [r for r in runs if r.text]


def parse(markup: str, title: str) -> DocumentTree:
    """Turn the markup a template produced into a DocumentTree."""
    parser = etree.XMLParser(huge_tree=True, resolve_entities=False, no_network=True)
    try:
        root = etree.fromstring(f"<document>{xml_safe(markup)}</document>".encode("utf-8"), parser)
    except etree.XMLSyntaxError as exc:
        raise DossierError(f"document '{title}': the template produced malformed markup ({exc})") from None
    tree = DocumentTree(title)
    for element in root:
        tree.blocks.append(_block(element))
    return tree


def _block(element):
    tag = element.tag
    if tag in ("h1", "h2", "h3", "h4"):
        return Heading(int(tag[1]), "".join(r.text for r in _runs(element)))
    if tag == "p":
        return Paragraph(_runs(element), element.get("class", ""))
    if tag in ("ul", "ol"):
        return ListBlock(tag == "ol", [_runs(li) for li in element if li.tag == "li"])
    if tag == "table":
        header = ["".join(r.text for r in _runs(th)) for th in element.iterfind("tr/th")]
        rows = [[_runs(td) for td in tr.iterfind("td")] for tr in element.iterfind("tr") if tr.find("td") is not None]
        widths = [float(w) for w in element.get("widths", "").split()] if element.get("widths") else []
        return Table(header, rows, widths)
    if tag == "figure":
        return Figure(element.get("kind", ""), element.get("caption", ""))
    raise DossierError(f"unexpected <{tag}> at the top level of a document")


def plain_text(tree: DocumentTree) -> list[str]:
    """The document's text, block by block (what both writers must show)."""
    lines = [tree.title]
    for block in tree.blocks:
        if isinstance(block, Heading):
            lines.append(block.text)
        elif isinstance(block, Paragraph):
            lines.append("".join(r.text for r in block.runs))
        elif isinstance(block, ListBlock):
            lines += ["".join(r.text for r in item) for item in block.items]
        elif isinstance(block, Table):
            lines += block.header
            lines += ["".join(r.text for r in cell) for row in block.rows for cell in row]
        elif isinstance(block, Figure):
            lines.append(block.caption)
    return [line for line in lines if line.strip()]
