"""The PDF's pages as they are output: every page held back until the last is laid out, so the footer
can say 'Page X of Y' and the table of contents can show the pages of headings laid out after it.
"""

from __future__ import annotations

from ast import literal_eval

from reportlab.lib import colors
from reportlab.lib.pagesizes import letter
from reportlab.lib.units import inch
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus.tableofcontents import TableOfContents, drawPageNumbers

from . import fonts

MARGIN = 1 * inch
HEADER_GREY = colors.HexColor("#555555")


class Contents(TableOfContents):
    """A table of contents laid out in one pass. reportlab's lays the document out again until the
    page numbers it shows settle (twice at least: the protocol's PDF took a quarter of a render).
    Seeded with its rows (pdf_writer._toc_guess), it has its final size from the first pass, and only its page
    numbers are unknown while the pages are laid out; so each row's number (dots, number and link,
    drawn exactly as reportlab draws them) is drawn when the pages are output (NumberedCanvas.save),
    by which time every heading's page is known."""

    def wrap(self, availWidth, availHeight):
        size = super().wrap(availWidth, availHeight)

        def number_later(canvas, kind, label):
            page, level, key = label.split(",")
            dot = " . " if 0 <= self.dotsMinLevel <= int(level) else ""
            canvas.contents_number(literal_eval(key), int(page), self.getLevelStyle(int(level)), availWidth,
                                   availHeight, dot)

        self.canv.setNamedCB("drawTOCEntryEnd", number_later)
        return size

    def rows(self) -> list[tuple[int, str, str]]:
        """The rows (level, text, key) the headings made in the last layout."""
        return [(level, text, key) for level, text, _, key in self._entries]


def numbered_canvas(header_font: str):
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
            self._numbers = []  # the contents' page numbers to draw on this page (see Contents)

        def bookmarkPage(self, key, **kwargs):
            self._bookmarks.append((key, kwargs))

        def contents_number(self, key: str | None, page: int, *args) -> None:
            """Draw the page of bookmark `key` (else `page`) where a contents row ends, once the pages are known."""
            self._numbers.append((key, page, self._currentMatrix, dict(self._curr_tx_info), args))

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._bookmarks = []
            self._numbers = []
            self._startPage()

        def _draw_numbers(self, numbers: list, page_of: dict[str, int]) -> None:
            for key, page, matrix, position, args in numbers:
                self.saveState()
                self.transform(*_relative(self._currentMatrix, matrix))
                self._curr_tx_info = position  # where the row's text ended, as drawPageNumbers reads it
                drawPageNumbers(self, args[0], [(page_of.get(key, page), key)], *args[1:])
                del self._curr_tx_info
                self.restoreState()

        def save(self):
            total = len(self._pages)
            page_of = {key: state["_pageNumber"] for state in self._pages for key, _ in state["_bookmarks"]}
            for state in self._pages:
                self.__dict__.update(state)
                for key, kwargs in state["_bookmarks"]:
                    super().bookmarkPage(key, **kwargs)
                self._draw_numbers(state["_numbers"], page_of)
                self.setFont(fonts.REGULAR, 8)
                self.setFillColor(HEADER_GREY)
                self.drawRightString(letter[0] - MARGIN, 0.55 * inch, f"Page {self._pageNumber} of {total}")
                super().showPage()
            self.showOutline()
            super().save()

    return NumberedCanvas


def _relative(current: tuple, wanted: tuple) -> tuple:
    """The transform that takes the `current` matrix (a, b, c, d, e, f as PDF writes them) to `wanted`."""
    a, b, c, d, e, f = current
    det = a * d - b * c
    ia, ib, ic, id_ = d / det, -b / det, -c / det, a / det
    ie, if_ = -(ia * e + ic * f), -(ib * e + id_ * f)
    wa, wb, wc, wd, we, wf = wanted
    return (ia * wa + ic * wb, ib * wa + id_ * wb, ia * wc + ic * wd, ib * wc + id_ * wd,
            ia * we + ic * wf + ie, ib * we + id_ * wf + if_)
