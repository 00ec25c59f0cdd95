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
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
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


def _field(paragraph, instruction: str, placeholder: str = "") -> None:
    """Append a Word field (PAGE, NUMPAGES, TOC …) to a paragraph, marked dirty so Word updates it."""
    def fld(kind: str):
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        if kind == "begin":
            el.set(qn("w:dirty"), "true")
        paragraph.add_run()._r.append(el)

    fld("begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    paragraph.add_run()._r.append(instr)
    fld("separate")
    paragraph.add_run(placeholder)
    fld("end")


def _paragraph(document, style_id: str = "", text: str = ""):
    """A paragraph with a style set by its id: python-docx's lookup by name costs an XPath search
    of the whole styles part per call, which dominated rendering time."""
    paragraph = document.add_paragraph()
    if style_id:
        paragraph._p.style = style_id
    if text:
        _runs(paragraph, [Run(text)])
    return paragraph


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


def _runs(paragraph, runs: list[Run]) -> None:
    p = paragraph._p if hasattr(paragraph, "_p") else paragraph
    for item in runs:
        if not item.href:
            p.append(_run(item))
            continue
        # a real Word hyperlink: w:hyperlink pointing at an external relationship (a web address,
        # or a relative path to another file of the submission)
        link = _element("w:hyperlink")
        link.set(qn("r:id"), paragraph.part.relate_to(item.href, RELATIONSHIP_TYPE.HYPERLINK, is_external=True))
        link.append(_run(item, link=True))
        p.append(link)


class _CellParagraph:
    """The w:p of a table cell with the part it lives in (all `_runs` needs)."""

    def __init__(self, p, part):
        self._p, self.part = p, part


def _repeat_header(row) -> None:
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(header)


def _column_widths(table, weights: list[float]) -> None:
    """Fixed column widths from the relative weights (Word and LibreOffice both honour the grid
    of a fixed-layout table; setting every cell's width would cost a lot on long tables)."""
    table.autofit = False  # w:tblLayout type="fixed", in its schema place
    for col, weight in zip(table._tbl.tblGrid.iterchildren(qn("w:gridCol")), weights, strict=True):
        col.set(qn("w:w"), str(int(TEXT_WIDTH.twips * weight / sum(weights))))


def _table(document, block: Table) -> None:
    columns = max(len(block.header), max((len(r) for r in block.rows), default=0), 1)
    table = document.add_table(rows=0, cols=columns)
    table._tbl.tblPr.style = "TableGrid"
    _column_widths(table, block.widths if len(block.widths) == columns else [1.0] * columns)
    if block.header:
        row = table.add_row()
        _repeat_header(row)
        for cell, text in zip(row.cells, block.header, strict=True):
            cell.paragraphs[0].add_run(text).bold = True
            shading = OxmlElement("w:shd")
            shading.set(qn("w:val"), "clear")
            shading.set(qn("w:fill"), HEADER_FILL)
            cell._tc.get_or_add_tcPr().append(shading)
    if block.rows:
        # one empty row made by python-docx, copied for every row (add_row is slow on long tables)
        blank = table.add_row()._tr
        table._tbl.remove(blank)
        for values in block.rows:
            tr = deepcopy(blank)
            for tc, runs in zip(tr.iterchildren(qn("w:tc")), values, strict=False):
                _runs(_CellParagraph(tc.find(qn("w:p")), table.part), runs)
            table._tbl.append(tr)
    document.add_paragraph()


def _figure(document, block: Figure) -> None:
    for made in pictures(block):
        width = min(Inches(made.width / 72), TEXT_WIDTH)
        picture = document.add_picture(io.BytesIO(made.png), width=width)
        holder = document.paragraphs[-1]
        holder.alignment = WD_ALIGN_PARAGRAPH.CENTER
        holder.paragraph_format.keep_with_next = True  # the caption stays with its picture
        doc_pr = picture._inline.docPr
        doc_pr.set("descr", made.description or block.caption)
    if block.caption:
        caption = _paragraph(document, "Caption", block.caption)
        caption.alignment = WD_ALIGN_PARAGRAPH.CENTER


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
    _field(foot, "PAGE", "1")
    foot.add_run(" of ")
    _field(foot, "NUMPAGES", "1")


@lru_cache(maxsize=1)
def _base_document():
    """python-docx's default template (Letter, the built-in styles) without the parts a new
    document should not carry: the template's thumbnail picture, the Word 2010 duplicate of the
    styles and the custom XML. Each document starts as a copy of it, which is quicker than
    reading the template again and halves the time to save."""
    document = docx.Document()
    package = document.part.package
    for rel_id, rel in list(package.rels.items()):
        if rel.reltype == RELATIONSHIP_TYPE.THUMBNAIL:
            package.rels.pop(rel_id)
    for rel_id, rel in list(document.part.rels.items()):
        if rel.reltype.endswith(("/stylesWithEffects", "/customXml")):
            document.part.drop_rel(rel_id)
    _keep_styles(document.styles.element, STYLES_USED)
    return document


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
    document = deepcopy(_base_document())
    _properties(document, tree.title, author)
    _header_footer(document, header, draft)
    _paragraph(document, "Title", tree.title)
    _field(document.add_paragraph(), 'TOC \\o "1-3" \\h \\z \\u', TOC_HINT)
    for block in tree.blocks:
        if isinstance(block, Heading):
            _paragraph(document, f"Heading{min(block.level, 4)}", block.text)
        elif isinstance(block, Paragraph):
            runs = block.runs if block.style != "note" else [Run(r.text, r.style + "i", r.href) for r in block.runs]
            _runs(document.add_paragraph(), runs)
        elif isinstance(block, ListBlock):
            for item in block.items:
                _runs(_paragraph(document, "ListNumber" if block.ordered else "ListBullet"), item)
        elif isinstance(block, Table):
            _table(document, block)
        elif isinstance(block, Figure):
            _figure(document, block)
    document.save(str(path))
