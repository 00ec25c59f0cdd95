"""The one small document structure both writers render: headings, paragraphs, lists, tables,
figures and links. Templates produce it as a little XML markup; `parse` turns that into objects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from ..errors import DossierError

# Characters XML 1.0 (and so Word) cannot hold: C0 controls other than tab and newlines, lone
# surrogates (they cannot even be encoded) and the two non-characters. Everything else is kept.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SPACE = re.compile(r"[ \t\r\n]+")
PLACEHOLDER = "[Not yet provided: {}]"
WITHHELD = "[Withheld: {} is protected health information]"


def xml_safe(text: str) -> str:
    """Drop the characters python-docx (and XML) refuse; both writers see the same text."""
    return _XML_INVALID.sub("", text)


@dataclass(frozen=True)
class Run:
    text: str
    style: str = ""  # flags: "b" bold, "i" italic, "p" placeholder (e.g. "bp")
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
    rows: list = field(default_factory=list)  # the table's rows, each cell by its part (x, y, series, date …)
    series: tuple = ()                        # the series in the model's order (the choices of their column)
    highlight: str | None = None              # the series drawn in front, in the strong colour
    labels: dict = field(default_factory=dict)  # part → the label of its column (an axis title)


@dataclass
class DocumentTree:
    title: str
    blocks: list = field(default_factory=list)

    def headings(self) -> list[Heading]:
        return [b for b in self.blocks if isinstance(b, Heading)]


_SAFE_SCHEMES = ("http://", "https://", "mailto:")


def safe_href(href: str | None) -> str:
    """Web, mail and relative links only (FDA's PDF rules allow no JavaScript or launch actions)."""
    href = (href or "").strip()
    if href.lower().startswith(_SAFE_SCHEMES):
        return href
    return href if href and ":" not in href.split("/")[0] else ""


def _runs(element) -> list[Run]:
    """Inline content of an element as runs, whitespace collapsed as in HTML; <b>, <i> and <a>
    nest, and whatever they hold (a placeholder too) keeps its place."""
    runs: list[Run] = []

    def add(text: str | None, style: str, href: str, literal: bool = False) -> None:
        if text:
            runs.append(Run(text if literal else _SPACE.sub(" ", text), style, href))

    def walk(parent, style: str, href: str) -> None:
        add(parent.text, style, href)
        for child in parent:
            tag = child.tag
            if tag in ("b", "i"):
                walk(child, style + tag if tag not in style else style, href)
            elif tag == "a":
                walk(child, style, safe_href(child.get("href")))
            elif tag == "placeholder":
                text = WITHHELD if child.get("reason") == "phi" else PLACEHOLDER
                add(text.format(child.get("label") or child.get("field")), style + "p", href)
            elif tag == "br":
                add("\n", style, href, literal=True)
            else:
                raise DossierError(f"unexpected <{tag}> inside <{parent.tag}>")
            add(child.tail, style, href)

    walk(element, "", "")
    if runs:  # trim the template's indentation at both ends
        runs[0] = Run(runs[0].text.lstrip(), runs[0].style, runs[0].href)
        runs[-1] = Run(runs[-1].text.rstrip(), runs[-1].style, runs[-1].href)
    return [r for r in runs if r.text]


def parse(markup: str, title: str, figure_data: dict | None = None) -> DocumentTree:
    """Turn the markup a template produced into a DocumentTree. `figure_data` maps a figure's `kind`
    to what its Figure holds (rows by part, series, highlight, labels; only fields the template was given)."""
    parser = etree.XMLParser(huge_tree=True, resolve_entities=False, no_network=True)
    try:
        root = etree.fromstring(f"<document>{xml_safe(markup)}</document>".encode(), parser)
    except etree.XMLSyntaxError as exc:
        raise DossierError(f"document '{title}': the template produced malformed markup ({exc})") from None
    tree = DocumentTree(title)
    for element in root:
        tree.blocks.append(_block(element, figure_data or {}))
    return tree


def _block(element, figure_data: dict):
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
        data = figure_data.get(element.get("kind", "")) or {}
        return Figure(element.get("kind", ""), element.get("caption", ""), list(data.get("rows") or []),
                      tuple(data.get("series") or ()), data.get("highlight"), dict(data.get("labels") or {}))
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
