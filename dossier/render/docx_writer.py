"""Write a DocumentTree as a Word document a user can keep editing: real styles (Title, Heading 1–4,
List Bullet/Number, Table Grid with a header row that repeats on every page), a table-of-contents
field, a header with sponsor, product and IND number (and DRAFT for drafts), a "Page X of Y"
footer, Letter size, web links as real hyperlinks and figures as pictures with alt text.
"""

from __future__ import annotations

import datetime as dt
import io
from copy import deepcopy
from functools import lru_cache
from pathlib import Path

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.opc.part import Part, XmlPart
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.table import CT_Tbl
from docx.shared import Emu, Inches, Pt, RGBColor

from .figures import pictures
from .tree import DocumentTree, Figure, Heading, ListBlock, Paragraph, Run, Table

PAGE_WIDTH, PAGE_HEIGHT, MARGIN = Inches(8.5), Inches(11), Inches(1)
TEXT_WIDTH = Emu(PAGE_WIDTH - 2 * MARGIN)
PLACEHOLDER_COLOUR = RGBColor(0x8A, 0x4B, 0x00)
LINK_COLOUR = RGBColor(0x05, 0x63, 0xC1)
HEADER_FILL = "E8EEF6"  # the table header row, as in the PDF
STYLES_USED = {"Normal", "Title", "Heading1", "Heading2", "Heading3", "Heading4", "ListBullet", "ListNumber",
               "Caption", "TableGrid", "Header", "Footer", "DefaultParagraphFont", "TableNormal", "NoList"}
TOC_HINT = "Right-click and choose Update Field to build the table of contents."
CORE_PROPERTY_MAX = 255  # characters of a core property (title, author): python-docx refuses more
TEXT_NODE_MAX = 1_000_000  # characters of one w:t; lxml (and so python-docx) refuses a text node over 10 MB


def _field(p, instruction: str, placeholder: str = "") -> None:
    """Append a Word field (PAGE, NUMPAGES, TOC …) to a w:p, marked dirty so Word updates it."""
    def run(child) -> None:
        r = OxmlElement("w:r")
        r.append(child)
        p.append(r)

    run(_element("w:fldChar", fldCharType="begin", dirty="true"))
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run(instr)
    run(_element("w:fldChar", fldCharType="separate"))
    p.append(_run(Run(placeholder)) if placeholder else OxmlElement("w:r"))
    run(_element("w:fldChar", fldCharType="end"))


class _Body:
    """Where a document's blocks go: built as lxml elements and put in place before the section
    properties. python-docx's add_paragraph, add_run and add_row search the children for where an
    element belongs and cost several XPath lookups each, which dominated writing a document."""

    def __init__(self, document):
        self.document, self.part = document, document.part
        self._end = document.element.body.sectPr

    def add(self, element):
        self._end.addprevious(element)
        return element

    def paragraph(self, style_id: str = "", runs: list[Run] | tuple[Run, ...] = (), centred: bool = False):
        """A w:p with its style set by id (python-docx looks a name up in the whole styles part)."""
        p = OxmlElement("w:p")
        if style_id or centred:
            props = p.get_or_add_pPr()
            if style_id:
                props.append(_element("w:pStyle", val=style_id))
            if centred:
                props.append(_element("w:jc", val="center"))
        _runs(p, self.part, list(runs))
        return self.add(p)


def _element(tag: str, **attrs: str):
    el = OxmlElement(tag)
    for name, value in attrs.items():
        el.set(qn(f"w:{name}"), value)
    return el


def _run(item: Run, link: bool = False):
    """A w:r element for one run, built directly (python-docx's add_run and its property setters
    cost several XPath searches per run, which dominated long tables). Newlines become breaks."""
    run = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    # children in the schema's order: b, i, color, highlight, u
    if "b" in item.style:
        props.append(_element("w:b"))
    if "i" in item.style or "p" in item.style:
        props.append(_element("w:i"))
    if link or "p" in item.style:
        props.append(_element("w:color", val=str(LINK_COLOUR if link else PLACEHOLDER_COLOUR)))
    if "p" in item.style:
        props.append(_element("w:highlight", val="yellow"))
    if link:
        props.append(_element("w:u", val="single"))
    if len(props):
        run.append(props)
    for i, line in enumerate(item.text.split("\n")):
        if i:
            run.append(_element("w:br"))
        for start in range(0, len(line), TEXT_NODE_MAX):  # Word joins the w:t of a run
            text = OxmlElement("w:t")
            text.set(qn("xml:space"), "preserve")
            text.text = line[start:start + TEXT_NODE_MAX]
            run.append(text)
    return run


def _runs(p, part, runs: list[Run]) -> None:
    """Append the runs to a w:p; a link becomes a real Word hyperlink: w:hyperlink pointing at an
    external relationship of `part` (a web address, or a relative path to another file of the
    submission). A run without text (an empty title or header cell) is left out."""
    for item in runs:
        if not item.text:
            continue
        if not item.href:
            p.append(_run(item))
            continue
        link = _element("w:hyperlink")
        link.set(qn("r:id"), part.relate_to(item.href, RELATIONSHIP_TYPE.HYPERLINK, is_external=True))
        link.append(_run(item, link=True))
        p.append(link)


def _row(widths: list[int], header: bool = False):
    """A w:tr of empty cells of these widths (twips), as python-docx's add_row makes it; the table's
    header row repeats on every page and is shaded."""
    tr = OxmlElement("w:tr")
    if header:
        props = OxmlElement("w:trPr")
        props.append(_element("w:tblHeader", val="true"))
        tr.append(props)
    for width in widths:
        tc = OxmlElement("w:tc")
        props = OxmlElement("w:tcPr")
        props.append(_element("w:tcW", type="dxa", w=str(width)))
        if header:
            props.append(_element("w:shd", val="clear", fill=HEADER_FILL))
        tc.append(props)
        tc.append(OxmlElement("w:p"))
        tr.append(tc)
    return tr


def _column_widths(weights: list[float]) -> list[int]:
    """Fixed column widths (twips) from the relative weights: Word and LibreOffice both honour the
    grid of a fixed-layout table."""
    return [int(TEXT_WIDTH.twips * weight / sum(weights)) for weight in weights]


def _fill(tr, part, cells) -> None:
    for tc, runs in zip(tr.iterchildren(qn("w:tc")), cells, strict=False):
        _runs(tc.find(qn("w:p")), part, runs)


def _table(body: _Body, block: Table) -> None:
    columns = max(len(block.header), max((len(r) for r in block.rows), default=0), 1)
    tbl = body.add(CT_Tbl.new_tbl(0, columns, TEXT_WIDTH))
    tbl.tblPr.style = "TableGrid"
    tbl.tblPr.autofit = False  # w:tblLayout type="fixed", in its schema place
    widths = _column_widths(block.widths if len(block.widths) == columns else [1.0] * columns)
    for col, width in zip(tbl.tblGrid.iterchildren(qn("w:gridCol")), widths, strict=True):
        col.set(qn("w:w"), str(width))
    if block.header:
        header = _row(widths, header=True)
        _fill(header, body.part, [[Run(text, "b")] for text in block.header])
        tbl.append(header)
    blank = _row(widths)
    for values in block.rows:
        tr = deepcopy(blank)
        _fill(tr, body.part, values)
        tbl.append(tr)
    body.paragraph()


def _figure(body: _Body, block: Figure) -> None:
    for made in pictures(block):
        holder = body.paragraph(centred=True)
        holder.pPr.insert(0, _element("w:keepNext"))  # the caption stays with its picture
        width = min(Inches(made.width / 72), TEXT_WIDTH)
        inline = body.part.new_pic_inline(io.BytesIO(made.png), width, None)
        inline.docPr.set("descr", made.description or block.caption)
        drawing = OxmlElement("w:drawing")
        drawing.append(inline)
        run = OxmlElement("w:r")
        run.append(drawing)
        holder.append(run)
    if block.caption:
        body.paragraph("Caption", [Run(block.caption)], centred=True)


def _header_footer(document, header: str, draft: bool) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, MARGIN)
    top = section.header.paragraphs[0]
    top.add_run(header).font.size = Pt(8)
    if draft:
        mark = top.add_run("\tDRAFT — not for submission")
        mark.bold, mark.font.size, mark.font.color.rgb = True, Pt(9), RGBColor(0xC0, 0x39, 0x2B)
        top.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT)
    foot = section.footer.paragraphs[0]
    foot.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    foot.add_run("Page ")
    _field(foot._p, "PAGE", "1")
    foot.add_run(" of ")
    _field(foot._p, "NUMPAGES", "1")


@lru_cache(maxsize=4)
def _base_document(header: str, draft: bool):
    """What every document of a dossier starts as (each is a copy): python-docx's default template
    (Letter, the built-in styles) without the parts a new document should not carry (the template's
    thumbnail picture, the Word 2010 duplicate of the styles, the custom XML), with the page set up
    and the header and footer written. The parts no document changes are frozen into their bytes,
    so they are neither copied as XML nor serialised again for each document."""
    document = docx.Document()
    package = document.part.package
    for rel_id, rel in list(package.rels.items()):
        if rel.reltype == RELATIONSHIP_TYPE.THUMBNAIL:
            package.rels.pop(rel_id)
    for rel_id, rel in list(document.part.rels.items()):
        if rel.reltype.endswith(("/stylesWithEffects", "/customXml")):
            document.part.drop_rel(rel_id)
    _keep_styles(document.styles.element, STYLES_USED)
    _header_footer(document, header, draft)
    _freeze(package, keep={document.part, package._core_properties_part})
    return document


def _freeze(package, keep: set) -> None:
    """Replace every XML part but those in `keep` (and those with relationships of their own) by a
    plain part holding its serialised bytes."""
    frozen: dict = {}
    for source in [package, *package.iter_parts()]:
        for rel in source.rels.values():
            part = None if rel.is_external else rel.target_part
            if isinstance(part, XmlPart) and part not in keep and not len(part.rels):
                # python-docx has no call to swap a relationship's target; its relationships also
                # index their targets by id, and a stale index kept the XML parts reachable, so each
                # document's copy deep-copied them (the styles' element tree among them) for nothing
                if part not in frozen:
                    frozen[part] = Part(part.partname, part.content_type, part.blob, package)
                rel._target = source.rels._target_parts_by_rId[rel.rId] = frozen[part]


def _keep_styles(styles, wanted: set[str]) -> None:
    """Drop the template's style definitions nothing here uses (140 of its 164, mostly table
    styles): every document is copied and saved with them, and Word still offers all its
    built-in styles through the latent-style list, which stays."""
    by_id = {s.get(qn("w:styleId")): s for s in styles.iterchildren(qn("w:style"))}
    keep, queue = set(), [i for i in wanted if i in by_id]
    while queue:  # the styles these are based on, followed by or linked to
        style_id = queue.pop()
        if style_id in keep or style_id not in by_id:
            continue
        keep.add(style_id)
        for tag in ("w:basedOn", "w:next", "w:link"):
            ref = by_id[style_id].find(qn(tag))
            if ref is not None:
                queue.append(ref.get(qn("w:val")))
    for style_id, style in by_id.items():
        if style_id not in keep:
            styles.remove(style)


def _property(text: str) -> str:
    """A core property holds 255 characters; a longer name is shortened there only (the
    document's own text keeps it whole)."""
    return text if len(text) <= CORE_PROPERTY_MAX else text[:CORE_PROPERTY_MAX - 1] + "…"


def _properties(document, title: str, author: str) -> None:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
    props = document.core_properties
    props.title, props.author, props.last_modified_by = _property(title), _property(author), _property(author)
    props.comments, props.created, props.modified, props.revision = "Written by Dossier Builder", now, now, 1


def write_docx(tree: DocumentTree, path: Path, header: str, author: str, draft: bool) -> None:
    document = deepcopy(_base_document(header, draft))
    _properties(document, tree.title, author)
    body = _Body(document)
    body.paragraph("Title", [Run(tree.title)])
    _field(body.paragraph(), 'TOC \\o "1-3" \\h \\z \\u', TOC_HINT)
    for block in tree.blocks:
        if isinstance(block, Heading):
            body.paragraph(f"Heading{min(block.level, 4)}", [Run(block.text)])
        elif isinstance(block, Paragraph):
            runs = block.runs if block.style != "note" else [Run(r.text, r.style + "i", r.href) for r in block.runs]
            body.paragraph("", runs)
        elif isinstance(block, ListBlock):
            for item in block.items:
                body.paragraph("ListNumber" if block.ordered else "ListBullet", item)
        elif isinstance(block, Table):
            _table(body, block)
        elif isinstance(block, Figure):
            _figure(body, block)
    document.save(str(path))
