"""Write a DocumentTree as a PDF that meets FDA's PDF rules: Letter, margins, embedded fonts only,
bookmarks mirroring the headings, a linked table of contents for documents of 5 pages or more,
opening on the bookmarks panel, title in the metadata, no encryption.
"""

from __future__ import annotations

import html
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import (BaseDocTemplate, Frame, KeepTogether, ListFlowable, ListItem, PageTemplate,
                                Paragraph as RLParagraph, Spacer, Table as RLTable, TableStyle)
from reportlab.platypus.tableofcontents import TableOfContents

from . import fonts
from .figures import drawings_for
from .tree import DocumentTree, Figure, Heading, ListBlock, Paragraph, Run, Table

MARGIN = 1 * inch
TOC_MIN_PAGES = 5
TOC_ENTRY_MAX = 300  # characters of a heading shown in the table of contents
HEADER_GREY = colors.HexColor("#555555")


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=fonts.REGULAR, fontSize=10, leading=13.5, spaceAfter=6,
                          splitLongWords=1, wordWrap=None)
    return {
        "title": ParagraphStyle("title", parent=base, fontName=fonts.BOLD, fontSize=18, leading=22, spaceAfter=14),
        "h1": ParagraphStyle("h1", parent=base, keepWithNext=1, fontName=fonts.BOLD, fontSize=14, leading=18, spaceBefore=12, spaceAfter=6),
        "h2": ParagraphStyle("h2", parent=base, keepWithNext=1, fontName=fonts.BOLD, fontSize=12, leading=15, spaceBefore=10, spaceAfter=4),
        "h3": ParagraphStyle("h3", parent=base, keepWithNext=1, fontName=fonts.BOLD, fontSize=10.5, leading=13, spaceBefore=8, spaceAfter=3),
        "h4": ParagraphStyle("h4", parent=base, keepWithNext=1, fontName=fonts.ITALIC, fontSize=10, leading=13, spaceBefore=6),
        "body": base,
        "note": ParagraphStyle("note", parent=base, fontName=fonts.ITALIC, textColor=HEADER_GREY),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=10.5, spaceAfter=0),
        "th": ParagraphStyle("th", parent=base, fontName=fonts.BOLD, fontSize=8.5, leading=10.5, spaceAfter=0),
        "caption": ParagraphStyle("caption", parent=base, fontName=fonts.ITALIC, fontSize=9, alignment=TA_CENTER),
        "toc1": ParagraphStyle("toc1", parent=base, leftIndent=0, spaceAfter=2),
        "toc2": ParagraphStyle("toc2", parent=base, leftIndent=14, spaceAfter=1),
        "toc3": ParagraphStyle("toc3", parent=base, leftIndent=28, fontSize=9, spaceAfter=1),
    }


MARKER = f'<font backColor="#ffd0d0">{fonts.MISSING}</font>'


def _pdf_text(text: str, mark: bool = True) -> str:
    """Escape for reportlab's paragraph markup; a character the font lacks becomes a visible,
    highlighted marker (plain in headings, whose style already sets them apart)."""
    escaped = html.escape(text, quote=False).replace("\n", "<br/>")
    if fonts.covers(text):
        return escaped
    return fonts.lacking().sub(MARKER if mark else fonts.MISSING, escaped)


def _inline(runs: list[Run]) -> str:
    parts = []
    for run in runs:
        text = _pdf_text(run.text)
        if "b" in run.style:
            text = f"<b>{text}</b>"
        if "i" in run.style:
            text = f"<i>{text}</i>"
        if "p" in run.style:
            text = f'<font backColor="#fff2a8" color="#8a4b00"><i>{text}</i></font>'
        if run.href:
            text = f'<a href="{html.escape(run.href)}" color="blue">{text}</a>'
        parts.append(text)
    return "".join(parts)


class _Heading(RLParagraph):
    """A heading paragraph that carries its bookmark (text, level, key). A heading split across
    pages (a very long one) keeps the bookmark on its first part only."""

    def __init__(self, text, style, outline: tuple[str, int, str] | None = None, **kwargs):
        super().__init__(text, style, **kwargs)
        self.outline = outline

    def split(self, availWidth, availHeight):
        parts = super().split(availWidth, availHeight)
        for i, part in enumerate(parts):
            part.outline = self.outline if i == 0 else None
        return parts


class _Doc(BaseDocTemplate):
    def __init__(self, path: str, tree: DocumentTree, header: str, author: str, draft: bool):
        super().__init__(path, pagesize=letter, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                         bottomMargin=MARGIN, title=tree.title, author=author,
                         subject=tree.title, creator="Dossier Builder", invariant=1)
        frame = Frame(MARGIN, MARGIN, letter[0] - 2 * MARGIN, letter[1] - 2 * MARGIN, id="body")
        self.addPageTemplates([PageTemplate("page", [frame], onPage=self._decorate)])
        self.header, self.draft = header, draft
        self._last_level = -1

    def _decorate(self, canv, doc) -> None:
        canv.saveState()
        canv.setFont(fonts.REGULAR, 8)
        canv.setFillColor(HEADER_GREY)
        room = letter[0] - 2 * MARGIN - (60 if self.draft else 0)
        canv.drawString(MARGIN, letter[1] - 0.6 * inch, fonts.fit(self.header, fonts.REGULAR, 8, room))
        if self.draft:
            canv.setFont(fonts.BOLD, 8)
            canv.drawRightString(letter[0] - MARGIN, letter[1] - 0.6 * inch, "DRAFT")
            canv.setFont(fonts.BOLD, 90)
            canv.setFillColor(colors.Color(0.85, 0.85, 0.85, alpha=0.35))
            canv.translate(letter[0] / 2, letter[1] / 2)
            canv.rotate(45)
            canv.drawCentredString(0, -30, "DRAFT")
        canv.restoreState()

    def beforeDocument(self) -> None:
        self._last_level = -1  # each pass of a multi-pass build starts the outline afresh

    def afterFlowable(self, flowable) -> None:
        outline = getattr(flowable, "outline", None)
        if not isinstance(flowable, _Heading) or outline is None:
            return
        text, wanted, key = outline
        level = _outline_level(wanted, self._last_level)
        self._last_level = level
        self.canv.bookmarkPage(key)
        self.canv.addOutlineEntry(text, key, level=level, closed=level > 0)
        self.notify("TOCEntry", (level, _toc_text(text), self.page, key))


def _outline_level(wanted: int, last: int) -> int:
    """Outline levels may not skip (a level-3 entry needs a level-2 parent)."""
    return min(wanted, last + 1)


def _toc_text(heading: str) -> str:
    """A table-of-contents row cannot split across pages, so a very long heading is shortened there."""
    return _pdf_text(heading if len(heading) <= TOC_ENTRY_MAX else heading[:TOC_ENTRY_MAX].rstrip() + "…", mark=False)


def _toc_guess(tree: DocumentTree) -> list[tuple[int, str, int, str]]:
    """The contents rows the headings will make, all on page 1. Seeded with them, the first pass lays
    the contents out at their final size, so the page numbers settle one layout pass sooner."""
    entries, last = [], -1
    for n, block in enumerate(tree.blocks):
        if isinstance(block, Heading):
            last = _outline_level(block.level - 1, last)
            entries.append((last, _toc_text(block.text), 1, f"h{n}"))
    return entries


def _numbered_canvas(header_font: str):
    class NumberedCanvas(rl_canvas.Canvas):
        """Defers page output so the footer can say 'Page X of Y'; starts in an embedded font.

        A bookmark names the page being output, so bookmarks are deferred with their page too:
        made while the page is only held back, every bookmark (and so every outline entry and
        contents link) would point at page 1."""

        def __init__(self, *args, **kwargs):
            kwargs["initialFontName"] = header_font
            kwargs["initialFontSize"] = 10
            super().__init__(*args, **kwargs)
            self._pages = []
            self._bookmarks = []

        def bookmarkPage(self, key, **kwargs):
            self._bookmarks.append((key, kwargs))

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._bookmarks = []
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                for key, kwargs in state["_bookmarks"]:
                    super().bookmarkPage(key, **kwargs)
                self.setFont(fonts.REGULAR, 8)
                self.setFillColor(HEADER_GREY)
                self.drawRightString(letter[0] - MARGIN, 0.55 * inch, f"Page {self._pageNumber} of {total}")
                super().showPage()
            self.showOutline()
            super().save()

    return NumberedCanvas


def _flowables(tree: DocumentTree, styles: dict, with_toc: bool) -> list:
    story: list = [RLParagraph(_pdf_text(tree.title), styles["title"])]
    if with_toc:
        toc = TableOfContents(levelStyles=[styles["toc1"], styles["toc2"], styles["toc3"], styles["toc3"]],
                              tableStyle=TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                                     ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                                     ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                                                     ("FONTNAME", (0, 0), (-1, -1), fonts.REGULAR)]))
        story += [RLParagraph("Contents", styles["h1"]), toc, Spacer(1, 12)]
    width = letter[0] - 2 * MARGIN
    for n, block in enumerate(tree.blocks):
        if isinstance(block, Heading):
            text = _pdf_text(block.text, mark=False)
            story.append(_Heading(text, styles[f"h{block.level}"], (block.text, block.level - 1, f"h{n}")))
        elif isinstance(block, Paragraph):
            story.append(RLParagraph(_inline(block.runs), styles["note" if block.style == "note" else "body"]))
        elif isinstance(block, ListBlock):
            items = [ListItem(RLParagraph(_inline(item), styles["body"])) for item in block.items]
            story.append(ListFlowable(items, bulletType="1" if block.ordered else "bullet", start=None if block.ordered else "•",
                                      bulletFontName=fonts.REGULAR, bulletFontSize=9, leftIndent=14))
        elif isinstance(block, Table):
            story.append(_table(block, styles, width))
        elif isinstance(block, Figure):
            drawings = drawings_for(block)
            story += drawings[:-1]
            story.append(KeepTogether([drawings[-1], RLParagraph(_pdf_text(block.caption), styles["caption"])]))
    return story


def _table(block: Table, styles: dict, width: float) -> RLTable:
    columns = max(len(block.header), max((len(r) for r in block.rows), default=0), 1)
    weights = block.widths if len(block.widths) == columns else [1.0] * columns
    col_widths = [width * w / sum(weights) for w in weights]
    data = [[RLParagraph(_pdf_text(h), styles["th"]) for h in block.header]] if block.header else []
    data += [[RLParagraph(_inline(cell), styles["cell"]) for cell in row] + [""] * (columns - len(row)) for row in block.rows]
    # splitInRow: a cell taller than a page (a very long text) splits instead of failing the layout.
    table = RLTable(data, colWidths=col_widths, repeatRows=1 if block.header else 0, splitByRow=1,
                    splitInRow=1, spaceBefore=2, spaceAfter=10)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
        ("BACKGROUND", (0, 0), (-1, 0 if block.header else -1), colors.HexColor("#e8eef6") if block.header else colors.white),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTNAME", (0, 0), (-1, -1), fonts.REGULAR),  # reportlab's table default is an unembedded Helvetica
        ("LEFTPADDING", (0, 0), (-1, -1), 4), ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]))
    return table


def _surely_long(tree: DocumentTree, styles: dict) -> bool:
    """True when the document cannot fit in fewer than TOC_MIN_PAGES pages: every heading, paragraph,
    list item and table row takes at least one line of the smallest leading in use (wrapping, spacing
    and padding only add), and flowables never share vertical space, so their lines bound the pages.
    Long documents then skip the layout pass that would only count their pages."""
    lines = 0
    for block in tree.blocks:
        if isinstance(block, ListBlock):
            lines += len(block.items)
        elif isinstance(block, Table):
            lines += len(block.rows) + bool(block.header)
        elif isinstance(block, (Heading, Paragraph)):
            lines += 1
    smallest = min(style.leading for style in styles.values())
    return lines * smallest >= TOC_MIN_PAGES * (letter[1] - 2 * MARGIN)


def write_pdf(tree: DocumentTree, path: Path, header: str, author: str, draft: bool) -> int:
    """Write the PDF; returns its page count. A table of contents is added from 5 pages on."""
    styles = _styles()
    canvasmaker = _numbered_canvas(fonts.REGULAR)
    if _surely_long(tree, styles):
        pages = TOC_MIN_PAGES  # no need to lay the document out once more just to count its pages
    else:
        doc = _Doc(str(path), tree, header, author, draft)
        doc.build(_flowables(tree, styles, with_toc=False), canvasmaker=canvasmaker)
        pages = doc.page
    if pages >= TOC_MIN_PAGES:
        doc = _Doc(str(path), tree, header, author, draft)
        story = _flowables(tree, styles, with_toc=True)
        next(f for f in story if isinstance(f, TableOfContents)).addEntries(_toc_guess(tree))
        doc.multiBuild(story, canvasmaker=canvasmaker)
        pages = doc.page
    return pages
