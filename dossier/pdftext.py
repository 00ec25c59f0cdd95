"""The text of an attached PDF, as a check reads it (a laboratory report naming the patient's variant):
extracted by PDFium (pypdfium2), page by page.

pypdfium2 is imported on the first extraction only (~35 ms), so commands that read no attachment never
load it. Texts are kept in this process by the file's SHA-256, so the readiness panel, which checks after
every edit, extracts a report once; they are never written to disk, since a report's text may hold what
the dossier file protects.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

MAX_PAGES = 200  # a laboratory report is a few pages; a longer file is read this far
_KEEP = 32  # texts kept: a dossier's reports with room to spare
_kept: OrderedDict[str, PdfText] = OrderedDict()  # by SHA-256, the last used last
_lock = threading.Lock()


@dataclass(frozen=True)
class PdfText:
    """A PDF's text by page; no page with text is a scan (or a damaged file: `problem` says why)."""
    pages: tuple[str, ...] = ()
    problem: str = ""

    @property
    def readable(self) -> bool:
        return any(p.strip() for p in self.pages)


def pdf_text(sha256: str, read: Callable[[], bytes]) -> PdfText:
    """The text of the PDF whose content hash is `sha256`; `read()` gives its bytes when it is not yet known."""
    with _lock:  # one extraction at a time, too: PDFium is not safe to call from two threads at once
        if sha256 in _kept:
            _kept.move_to_end(sha256)
            return _kept[sha256]
        text = extract(read())
        _kept[sha256] = text
        while len(_kept) > _KEEP:
            _kept.popitem(last=False)
    return text


def extract(data: bytes) -> PdfText:
    """The text of every page of a PDF (up to MAX_PAGES), or an empty text with the reason it cannot be read."""
    import pypdfium2 as pdfium  # only when a PDF's text is needed

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        return _unreadable(f"PDFium cannot open it ({exc})")
    try:
        pages = []
        for i in range(min(len(pdf), MAX_PAGES)):
            page = pdf[i]
            textpage = page.get_textpage()
            pages.append(textpage.get_text_range())
            textpage.close()
            page.close()
    except pdfium.PdfiumError as exc:
        return _unreadable(f"PDFium cannot read its text ({exc})")
    finally:
        pdf.close()
    return PdfText(tuple(pages))


def _unreadable(problem: str) -> PdfText:
    return PdfText((), problem)
