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
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    KeepTogether,
    ListFlowable,
    ListItem,
    PageTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Paragraph as ReportlabParagraph
from reportlab.platypus import Table as RLTable

from . import fonts
from .figures import drawings_for
from .pdf_pages import HEADER_GREY, MARGIN, Contents, numbered_canvas
from .tree import DocumentTree, Figure, Heading, ListBlock, Paragraph, Run, Table

TOC_MIN_PAGES = 5
TOC_ENTRY_MAX = 300  # characters of a heading shown in the table of contents
FRAME_PADDING = 6  # reportlab's default on each side of a Frame
CELL_PADDING = 4  # each side of a table cell (the table style below)
LONG_TEXT = 4000  # characters from which a paragraph is laid out in pieces (see _paragraphs)
SEGMENT = 16000  # characters wrapped at once
PIECE_LINES = 24  # lines of a piece: half a page of body text
TABLE_LINES = 600  # lines (a row one at least, a piece of a long cell PIECE_LINES) of one reportlab table


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=fonts.REGULAR, fontSize=10, leading=13.5, spaceAfter=6,
                          splitLongWords=1, wordWrap=None)
    return {
        "title": ParagraphStyle("title", parent=base, fontName=fonts.BOLD, fontSize=18, leading=22, spaceAfter=14),
        "h1": ParagraphStyle("h1", parent=base, keepWithNext=1, fontName=fonts.BOLD, fontSize=14, leading=18,
                             spaceBefore=12, spaceAfter=6),
        "h2": ParagraphStyle("h2", parent=base, keepWithNext=1, fontName=fonts.BOLD, fontSize=12, leading=15,
                             spaceBefore=10, spaceAfter=4),
        "h3": ParagraphStyle("h3", parent=base, keepWithNext=1, fontName=fonts.BOLD, fontSize=10.5, leading=13,
                             spaceBefore=8, spaceAfter=3),
        "h4": ParagraphStyle("h4", parent=base, keepWithNext=1, fontName=fonts.ITALIC, fontSize=10, leading=13,
                             spaceBefore=6),
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


def _inline(runs: list[Run], mark: bool = True) -> str:
    parts = []
    for run in runs:
        text = _pdf_text(run.text, mark)
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


class RLParagraph(ReportlabParagraph):
    """A paragraph that keeps its lines for the width it was last wrapped at. reportlab wraps a
    paragraph again at each try to place it (a table measures all its remaining rows at each page
    end, and a document with contents is laid out twice or more), always at the same width."""

    def wrap(self, availWidth, availHeight):
        if getattr(self, "_wrapped_at", None) == availWidth and hasattr(self, "blPara"):
            return self.width, self.height
        self._wrapped_at = availWidth
        return super().wrap(availWidth, availHeight)


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


def _piece_styles(style: ParagraphStyle) -> tuple[ParagraphStyle, ParagraphStyle, ParagraphStyle]:
    """The first, middle and last piece of a long paragraph: the paragraph's spacing before the
    first and after the last only, and kept with what follows only by the last piece."""
    first = ParagraphStyle(f"{style.name}-first", parent=style, spaceAfter=0, keepWithNext=0)
    middle = ParagraphStyle(f"{style.name}-middle", parent=first, spaceBefore=0)
    last = ParagraphStyle(f"{style.name}-last", parent=style, spaceBefore=0)
    return first, middle, last


def _segments(runs: list[Run], size: int = SEGMENT) -> list[list[Run]]:
    """Runs cut into groups of about `size` characters, at a space where there is one."""
    groups: list[list[Run]] = []
    group: list[Run] = []
    length = 0
    for run in runs:
        text = run.text
        while length + len(text) > size:
            room = size - length
            cut = text.rfind(" ", 0, room + 1) + 1 or (room if not group else 0)
            if cut:
                group.append(Run(text[:cut], run.style, run.href))
            groups.append(group)
            group, length, text = [], 0, text[cut:]
        if text:
            group.append(Run(text, run.style, run.href))
            length += len(text)
    return groups + [group] if group or not groups else groups


def _paragraphs(runs: list[Run], style: ParagraphStyle, width: float, first=RLParagraph, mark=True, **kwargs) -> list:
    """A paragraph as flowables for a frame `width` points wide (`first` makes the first).

    reportlab wraps the rest of a paragraph anew each time it splits at a page end, so a paragraph
    over many pages costs time in the square of its length (a 576 KB one took minutes; a word of
    100 000 letters is split letter by letter each time), and even one wrap is quadratic in the
    number of words. So a long paragraph is cut into segments of SEGMENT characters (a segment
    ends its line: one short line every few pages of a huge paragraph), each wrapped once and cut
    into pieces of whole lines the way reportlab's own split cuts it: the same lines on the page,
    each piece cheap to lay out again, the time linear in the text."""
    if sum(len(run.text) for run in runs) < LONG_TEXT:
        return [first(_inline(runs, mark), style, **kwargs)]
    pieces = []
    for segment in _segments(runs):
        paragraph = RLParagraph(_inline(segment, mark), style)
        paragraph.wrap(width, letter[1])
        lines, cut = paragraph.blPara.lines, paragraph._get_split_blParaFunc()  # what Paragraph.split uses
        pieces += [cut(paragraph.blPara, start, min(start + PIECE_LINES, len(lines)))
                   for start in range(0, len(lines), PIECE_LINES)]
    first_style, middle_style, last_style = _piece_styles(style)
    flowables = [first(None, first_style, frags=pieces[0], **kwargs)]
    flowables += [RLParagraph(None, middle_style, frags=frags) for frags in pieces[1:-1]]
    return flowables + [RLParagraph(None, last_style, frags=pieces[-1])] if len(pieces) > 1 else flowables


class _Doc(BaseDocTemplate):
    def __init__(self, path: str, tree: DocumentTree, header: str, author: str, draft: bool):
        super().__init__(path, pagesize=letter, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                         bottomMargin=MARGIN, title=tree.title, author=author,
                         subject=tree.title, creator="Dossier Builder", invariant=1)
        frame = Frame(MARGIN, MARGIN, letter[0] - 2 * MARGIN, letter[1] - 2 * MARGIN, id="body")
        self.addPageTemplates([PageTemplate("page", [frame], onPage=self._decorate)])
        self.header, self.draft = header, draft
        self._shown_header: str | None = None
        self._last_level = -1

    def _decorate(self, canv, doc) -> None:
        canv.saveState()
        canv.setFont(fonts.REGULAR, 8)
        canv.setFillColor(HEADER_GREY)
        room = letter[0] - 2 * MARGIN - (60 if self.draft else 0)
        if self._shown_header is None:  # fitted once: the same on every page
            self._shown_header = fonts.fit(self.header, fonts.REGULAR, 8, room)
        canv.drawString(MARGIN, letter[1] - 0.6 * inch, self._shown_header)
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


def _flowables(tree: DocumentTree, styles: dict, with_toc: bool) -> list:
    story: list = [RLParagraph(_pdf_text(tree.title), styles["title"])]
    if with_toc:
        toc = Contents(levelStyles=[styles["toc1"], styles["toc2"], styles["toc3"], styles["toc3"]],
                       tableStyle=TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                              ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                              ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                                              ("FONTNAME", (0, 0), (-1, -1), fonts.REGULAR)]))
        story += [RLParagraph("Contents", styles["h1"]), toc, Spacer(1, 12)]
    width = letter[0] - 2 * MARGIN
    for n, block in enumerate(tree.blocks):
        if isinstance(block, Heading):
            story += _paragraphs([Run(block.text)], styles[f"h{block.level}"], width - 2 * FRAME_PADDING, _Heading,
                                 mark=False, outline=(block.text, block.level - 1, f"h{n}"))
        elif isinstance(block, Paragraph):
            story += _paragraphs(block.runs, styles["note" if block.style == "note" else "body"],
                                 width - 2 * FRAME_PADDING)
        elif isinstance(block, ListBlock):
            items = [ListItem(RLParagraph(_inline(item), styles["body"])) for item in block.items]
            story.append(ListFlowable(items, bulletType="1" if block.ordered else "bullet",
                                      start=None if block.ordered else "•", bulletFontName=fonts.REGULAR,
                                      bulletFontSize=9, leftIndent=14))
        elif isinstance(block, Table):
            story += _table(block, styles, width)
        elif isinstance(block, Figure):
            drawings = drawings_for(block)
            story += drawings[:-1]
            story.append(KeepTogether([drawings[-1], RLParagraph(_pdf_text(block.caption), styles["caption"])]))
    return story


def _table(block: Table, styles: dict, width: float) -> list[RLTable]:
    """A table as one reportlab table, or as several in a row (the header repeated) when it is very
    long: reportlab measures all the remaining rows again at each page end, so one table over
    hundreds of pages would take time in the square of its length. A cell of long text goes on
    over continuation rows, one piece of its paragraph (see _paragraphs) in each."""
    columns = max(len(block.header), max((len(r) for r in block.rows), default=0), 1)
    weights = block.widths if len(block.widths) == columns else [1.0] * columns
    col_widths = [width * w / sum(weights) for w in weights]
    header = [[RLParagraph(_pdf_text(h), styles["th"]) for h in block.header]] if block.header else []
    groups: list[list[list]] = []  # the rows of each reportlab table
    group: list[list] = []
    lines = 0  # the lines of the group, at least
    for row in block.rows:
        cells = [_paragraphs(cell, styles["cell"], w - 2 * CELL_PADDING)
                 for cell, w in zip(row, col_widths, strict=False)]
        cells += [[""]] * (columns - len(cells))
        height = max(len(c) for c in cells)
        for i in range(height):
            if lines >= TABLE_LINES:
                groups.append(group)
                group, lines = [], 0
            group.append([c[i] if i < len(c) else "" for c in cells])
            lines += PIECE_LINES if height > 1 else 1
    groups.append(group)
    return [_rl_table(header + rows, col_widths, bool(header), 2 if i == 0 else 0, 10 if i == len(groups) - 1 else 0)
            for i, rows in enumerate(groups)]


def _rl_table(data: list, col_widths: list[float], header: bool, before: float, after: float) -> RLTable:
    # splitInRow: a cell taller than a page (a very long word) splits instead of failing the layout.
    table = RLTable(data, colWidths=col_widths, repeatRows=1 if header else 0, splitByRow=1,
                    splitInRow=1, spaceBefore=before, spaceAfter=after)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
        ("BACKGROUND", (0, 0), (-1, 0 if header else -1), colors.HexColor("#e8eef6") if header else colors.white),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTNAME", (0, 0), (-1, -1), fonts.REGULAR),  # reportlab's table default is an unembedded Helvetica
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING), ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
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
    canvasmaker = numbered_canvas(fonts.REGULAR)
    if _surely_long(tree, styles):
        pages = TOC_MIN_PAGES  # no need to lay the document out once more just to count its pages
    else:
        doc = _Doc(str(path), tree, header, author, draft)
        doc._doSave = 0  # its pages are output (canvas.save) only if it needs no contents
        doc.build(_flowables(tree, styles, with_toc=False), canvasmaker=canvasmaker)
        pages = doc.page
        if pages < TOC_MIN_PAGES:
            doc.canv.save()
            return pages
    return _with_contents(tree, path, header, author, draft, styles, canvasmaker)


def _with_contents(tree: DocumentTree, path: Path, header: str, author: str, draft: bool, styles: dict,
                   canvasmaker) -> int:
    """Lay the document out once with its contents (see pdf_pages.Contents); should the rows the
    headings made differ from those guessed, reportlab's passes until the numbers settle."""
    guess = _toc_guess(tree)
    doc = _Doc(str(path), tree, header, author, draft)
    story = _flowables(tree, styles, with_toc=True)
    contents = next(f for f in story if isinstance(f, Contents))
    contents.addEntries(guess)
    # What multiBuild does around each pass: the rows shown are the guessed ones, and the headings'
    # notifications reach the contents.
    contents.beforeBuild()
    doc._indexingFlowables = [contents]
    doc._doSave = 0
    doc.build(story, canvasmaker=canvasmaker)
    if contents.rows() == [(level, text, key) for level, text, _, key in guess]:
        doc.canv.save()
        return doc.page
    doc = _Doc(str(path), tree, header, author, draft)
    doc.multiBuild(_flowables(tree, styles, with_toc=True), canvasmaker=canvasmaker)
    return doc.page
