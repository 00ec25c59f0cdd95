"""Write a DocumentTree as a Word document a user can keep editing: real styles (Title, Heading 1–3,
List Bullet/Number, a grid table whose header row repeats), a table-of-contents field, a header
with sponsor, product and IND number, a "Page X of Y" footer, Letter size.
"""

from __future__ import annotations

import io
from pathlib import Path

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches, Pt, RGBColor

from .figures import drawing_for, png
from .tree import DocumentTree, Figure, Heading, ListBlock, Paragraph, Run, Table, xml_safe


def _field(paragraph, instruction: str, placeholder: str = "") -> None:
    """Append a Word field (PAGE, NUMPAGES, TOC …) to a paragraph."""
    def fld(kind: str):
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        if kind == "begin":
            el.set(qn("w:dirty"), "true")
        run = paragraph.add_run()
        run._r.append(el)

    fld("begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run = paragraph.add_run()
    run._r.append(instr)
    fld("separate")
    paragraph.add_run(placeholder)
    fld("end")


def _paragraph(document, style_id: str = "", text: str = ""):
    """A paragraph with a style set by its id: python-docx's lookup by name costs an XPath search
    of the whole styles part per call, which dominated rendering time."""
    paragraph = document.add_paragraph(text)
    if style_id:
        paragraph._p.style = style_id
    return paragraph


def _runs(paragraph, runs: list[Run]) -> None:
    for item in runs:
        run = paragraph.add_run(xml_safe(item.text))
        if item.style == "b":
            run.bold = True
        elif item.style == "i":
            run.italic = True
        elif item.style == "placeholder":
            run.italic = True
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW
            run.font.color.rgb = RGBColor(0x8A, 0x4B, 0x00)


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def _table(document, block: Table) -> None:
    columns = max(len(block.header), max((len(r) for r in block.rows), default=0), 1)
    table = document.add_table(rows=0, cols=columns)
    table._tbl.tblPr.style = "TableGrid"
    if block.header:
        row = table.add_row()
        _repeat_header(row)
        for cell, text in zip(row.cells, block.header):
            cell.paragraphs[0].add_run(xml_safe(text)).bold = True
    for values in block.rows:
        row = table.add_row()
        for cell, runs in zip(row.cells, values):
            _runs(cell.paragraphs[0], runs)
    document.add_paragraph()


def _header_footer(document, header: str, draft: bool) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Inches(8.5), Inches(11)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Inches(1))
    top = section.header.paragraphs[0]
    top.text = xml_safe(header) + ("    DRAFT" if draft else "")
    for run in top.runs:
        run.font.size = Pt(8)
    foot = section.footer.paragraphs[0]
    foot.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    foot.add_run("Page ")
    _field(foot, "PAGE", "1")
    foot.add_run(" of ")
    _field(foot, "NUMPAGES", "1")


def write_docx(tree: DocumentTree, values: dict, path: Path, header: str, draft: bool) -> None:
    document = docx.Document()
    document.core_properties.title = xml_safe(tree.title)
    document.core_properties.author = xml_safe(header.split(" · ")[0])
    _header_footer(document, header, draft)
    _paragraph(document, "Title", xml_safe(tree.title))
    toc = document.add_paragraph()
    _field(toc, 'TOC \\o "1-3" \\h \\z \\u', "Right-click and choose Update Field to build the table of contents.")
    for block in tree.blocks:
        if isinstance(block, Heading):
            _paragraph(document, f"Heading{min(block.level, 3)}", xml_safe(block.text))
        elif isinstance(block, Paragraph):
            paragraph = document.add_paragraph()
            _runs(paragraph, block.runs)
            if block.style == "note":
                for run in paragraph.runs:
                    run.italic = True
        elif isinstance(block, ListBlock):
            for item in block.items:
                _runs(_paragraph(document, "ListNumber" if block.ordered else "ListBullet"), item)
        elif isinstance(block, Table):
            _table(document, block)
        elif isinstance(block, Figure):
            document.add_picture(io.BytesIO(png(drawing_for(block.kind, values))), width=Inches(6))
            caption = _paragraph(document, "Caption", xml_safe(block.caption))
            caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.save(str(path))
