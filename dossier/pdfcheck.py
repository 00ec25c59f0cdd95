"""FDA PDF rules an attachment must meet before it can become a leaf of a submission.

In the core rather than in dossier.ectd: attaching a file (Dossier.attach) and importing a text form
check them at the door, and the eCTD package (build, validate) uses them downstream, so data keeps
flowing one way."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import pikepdf


def check_pdf(path: str | Path) -> list[str]:
    """Reasons `path` cannot go into a submission as it is (empty when it can).

    >>> check_pdf("study-report.pdf")
    []
    """
    return [message for _, message in _refusals(Path(path))]


def _refusals(path: Path) -> list[tuple[str, str]]:
    """(severity, reason) for what makes a file unusable as a leaf: not a PDF, protected, active content."""
    with open(path, "rb") as fh:
        head = fh.read(1024)
    if b"%PDF-" not in head:
        return [("high", f"{path.name} is not a PDF; FDA accepts documents in eCTD sections only as PDF — "
                         "export it to PDF first")]
    try:
        pdf = pikepdf.open(path)
    except pikepdf.PasswordError:
        return [("high", f"{path.name} is password-protected; FDA refuses encrypted PDFs — save an unprotected copy")]
    except pikepdf.PdfError as exc:
        return [("high", f"{path.name} is a damaged PDF ({exc}); re-export it from its source")]
    with pdf:
        problems = []
        if pdf.is_encrypted:
            problems.append(("high", f"{path.name} is encrypted; FDA refuses encrypted PDFs — "
                                     "save an unprotected copy"))
        version = pdf.pdf_version
        if version not in ("1.4", "1.5", "1.6", "1.7"):
            problems.append(("medium", f"{path.name} is PDF {version}; FDA accepts PDF 1.4 to 1.7 — "
                                       "re-save it as PDF 1.4–1.7"))
        problems += [("high", f"{path.name} {what}; FDA's PDF specifications forbid active content — {fix}")
                     for what, fix in active_content(pdf)]
        if _has_embedded_files(pdf):
            problems.append(("high", f"{path.name} has embedded files (attachments); FDA refuses them — submit each "
                                     "file on its own"))
        return problems


# What an action does, for the actions FDA's PDF specifications rule out wherever they sit: they run
# code, start programs, send or load data, or play media ("must not contain JavaScript; dynamic
# content … audio, video … attachments or 3D content"; a file must not need more than a reader).
_ACTIVE = {
    "/JavaScript": "contains JavaScript", "/Launch": "has a Launch action, which starts a program",
    "/SubmitForm": "has a SubmitForm action, which sends data to a server",
    "/ImportData": "has an ImportData action, which loads data from another file",
    "/Rendition": "has a Rendition action, which plays media", "/Movie": "has a Movie action",
    "/Sound": "has a Sound action", "/RichMediaExecute": "has a RichMedia action", "/GoTo3DView": "has a 3D action",
}
# Actions that are ordinary as links a reader clicks (web addresses, other documents of the
# submission) but not when the file runs them by itself on opening or on a page event.
_ON_ITS_OWN = {"/URI": "opens a web address", "/GoToR": "opens another file", "/GoToE": "opens an embedded file"}
_FIX = "print it to a new PDF"


def active_content(pdf: pikepdf.Pdf) -> list[tuple[str, str]]:
    """(what is wrong, how to fix it) for each kind of active content in `pdf`."""
    found: dict[str, str] = {}
    names = pdf.Root.get("/Names")
    if names is not None and "/JavaScript" in names:
        found[_ACTIVE["/JavaScript"]] = _FIX
    for action in _action_dictionaries(pdf):
        kind = "/JavaScript" if "/JS" in action else str(action.get("/S"))
        if kind in _ACTIVE:
            found[_ACTIVE[kind]] = _FIX
    for trigger, action in _automatic_actions(pdf):
        kind = str(action.get("/S"))
        if kind in _ON_ITS_OWN:
            found[f"{_ON_ITS_OWN[kind]} by itself {trigger}"] = "remove that action (links the reader clicks are fine)"
    acroform = pdf.Root.get("/AcroForm")
    if (isinstance(acroform, pikepdf.Dictionary) and "/XFA" in acroform) or "/NeedsRendering" in pdf.Root:
        found["is an XFA form, whose pages a form engine builds when it is opened"] = \
            "print it to a new PDF (a plain PDF of the filled form)"
    return list(found.items())


# Where a reader looks for actions (PDF 32000-1 §12.6): an annotation's or outline item's /A, the
# additional actions /AA, the document's /OpenAction, an action's /Next, a page's /Annots.
_HOLDS_ACTIONS = ("/A", "/OpenAction", "/Next", "/Annots", "/PA")


def _action_dictionaries(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Dictionary]:
    """Every dictionary with an action type (/S) or a script (/JS): each object of the file, and the
    actions written directly inside one (an annotation's /A is usually not an object of its own)."""
    stack: list = [obj for obj in pdf.objects if isinstance(obj, (pikepdf.Dictionary, pikepdf.Array))]
    while stack:
        obj = stack.pop()
        if isinstance(obj, pikepdf.Array):
            stack += [item for item in obj if _direct(item)]
            continue
        if "/S" in obj or "/JS" in obj:
            yield obj
        stack += [obj[key] for key in _HOLDS_ACTIONS if key in obj and _direct(obj[key])]
        additional = obj.get("/AA")
        if isinstance(additional, pikepdf.Dictionary):
            stack += [action for _, action in additional.items() if _direct(action)]


def _direct(obj) -> bool:
    return isinstance(obj, (pikepdf.Dictionary, pikepdf.Array)) and not obj.is_indirect


def _automatic_actions(pdf: pikepdf.Pdf) -> Iterator[tuple[str, pikepdf.Dictionary]]:
    """(when, action) for the actions a reader runs without a click: the document's open action and
    the additional actions (/AA) of the document, its pages and its annotations, with their /Next."""
    triggers = [("when it is opened", pdf.Root.get("/OpenAction"))]
    triggers += [("on a document event", a) for _, a in _items(pdf.Root.get("/AA"))]
    for page in pdf.pages:
        triggers += [("when a page opens or closes", a) for _, a in _items(page.obj.get("/AA"))]
        for annot in page.obj.get("/Annots", None) or []:
            if isinstance(annot, pikepdf.Dictionary):
                reached = "when the pointer or focus reaches an annotation"
                triggers += [(reached, a) for _, a in _items(annot.get("/AA"))]
    seen: set = set()
    while triggers:
        when, action = triggers.pop()
        if isinstance(action, pikepdf.Array):
            triggers += [(when, a) for a in action]
            continue
        if not isinstance(action, pikepdf.Dictionary) or (action.is_indirect and action.objgen in seen):
            continue
        if action.is_indirect:
            seen.add(action.objgen)
        yield when, action
        if action.get("/Next") is not None:
            triggers.append((when, action.get("/Next")))


def _items(dictionary) -> list:
    return list(dictionary.items()) if isinstance(dictionary, pikepdf.Dictionary) else []


def _has_embedded_files(pdf: pikepdf.Pdf) -> bool:
    names = pdf.Root.get("/Names")
    if names is not None and "/EmbeddedFiles" in names:
        return True
    return any(isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/EmbeddedFile" for obj in pdf.objects)


# The full FDA PDF rules, for validating a sequence ------------------------------------------

def not_pdf_leaves(targets: Iterable[str]) -> list[tuple[str, str, str]]:
    """(severity, path, message) for leaf files that are neither a PDF document nor an XML file (a
    backbone or a study tagging file): FDA takes documents in eCTD sections only as PDF."""
    found = []
    for target in sorted(set(targets)):
        name = target.rsplit("/", 1)[-1]
        extension = name.rpartition(".")[2].lower() if "." in name else ""
        if extension not in ("pdf", "xml"):
            found.append(("high", target, f"is a {'.' + extension if extension else 'file without extension'}, not a "
                                          "PDF; FDA accepts documents in eCTD sections only as PDF — submit a PDF"))
    return found


LETTER = (612, 792)
_MULTIMEDIA = {"/Movie", "/Sound", "/Screen", "/RichMedia", "/3D"}
_FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")


def pdf_findings(path: str | Path) -> list[tuple[str, str]]:
    """(severity, message) for every FDA PDF rule `path` breaks; [] when it meets them all."""
    refusals = _refusals(Path(path))
    if any(severity == "high" for severity, _ in refusals):
        return refusals
    found: list[tuple[str, str]] = list(refusals)
    with pikepdf.open(path) as pdf:
        pages = list(pdf.pages)
        unembedded, fonts_seen = _fonts(pdf, pages)
        if unembedded:
            found.append(("medium", f"fonts not embedded: {', '.join(sorted(unembedded)[:6])}; embed every font"))
        if not fonts_seen and pages:
            found.append(("medium", "no text layer (a scanned image?); FDA needs searchable text — run OCR"))
        found += _annotations(pages)
        odd = [i + 1 for i, page in enumerate(pages) if not _letter(page)]
        if odd:
            found.append(("low", f"page(s) {_pages(odd)} are not US Letter (8.5 × 11 in)"))
        found += _navigation(pdf, len(pages))
        if not _title(pdf):
            found.append(("low", "no document title in the PDF metadata"))
    return found


def _pages(numbers: list[int]) -> str:
    text = ", ".join(str(n) for n in numbers[:8])
    return text + ("…" if len(numbers) > 8 else "")


def _font_embedded(font: pikepdf.Object) -> bool:
    if font.get("/Subtype") == "/Type3":
        return True
    if font.get("/Subtype") == "/Type0":
        descendants = font.get("/DescendantFonts")
        return isinstance(descendants, pikepdf.Array) and len(descendants) > 0 and \
            all(_font_embedded(d) for d in descendants)
    descriptor = font.get("/FontDescriptor")
    return descriptor is not None and any(key in descriptor for key in _FONT_FILES)


def _fonts(pdf: pikepdf.Pdf, pages: list) -> tuple[set[str], bool]:
    unembedded: set[str] = set()
    seen, visited = False, set[object]()

    def visit(resources) -> None:
        nonlocal seen
        if not isinstance(resources, pikepdf.Dictionary):
            return
        fonts = resources.get("/Font")
        if isinstance(fonts, pikepdf.Dictionary):
            for _, font in fonts.items():
                seen = True
                key = font.objgen if font.is_indirect else id(font)
                if key in visited:
                    continue
                visited.add(key)
                if not _font_embedded(font):
                    unembedded.add(str(font.get("/BaseFont", "unnamed")).lstrip("/"))
        xobjects = resources.get("/XObject")
        if isinstance(xobjects, pikepdf.Dictionary):
            for _, xobj in xobjects.items():
                key = xobj.objgen if xobj.is_indirect else id(xobj)
                if xobj.get("/Subtype") == "/Form" and ("x", key) not in visited:
                    visited.add(("x", key))
                    visit(xobj.get("/Resources"))

    for page in pages:
        visit(page.obj.get("/Resources"))
    return unembedded, seen


def _annotations(pages: list) -> list[tuple[str, str]]:
    kinds, absolute = set(), set()
    for page in pages:
        for annot in page.obj.get("/Annots", []) or []:
            subtype = str(annot.get("/Subtype", ""))
            if subtype in ("/Link", "/Popup"):
                action = annot.get("/A")
                if isinstance(action, pikepdf.Dictionary):
                    if action.get("/S") in ("/Launch", "/GoToR") and _absolute(action.get("/F")):
                        absolute.add(str(action.get("/F")))
                    if action.get("/S") == "/URI" and str(action.get("/URI", "")).lower().startswith("file:"):
                        absolute.add(str(action.get("/URI")))
                continue
            kinds.add(subtype.lstrip("/") or "unknown")
    found = []
    if kinds & {k.lstrip("/") for k in _MULTIMEDIA}:
        found.append(("medium", f"multimedia content ({', '.join(sorted(kinds))}); FDA refuses it"))
    elif kinds:
        found.append(("medium", f"annotations other than links ({', '.join(sorted(kinds))}); flatten or remove them"))
    if absolute:
        shown = ", ".join(sorted(absolute)[:3])
        found.append(("medium", f"links with absolute file paths ({shown}); make them relative"))
    return found


def _absolute(spec) -> bool:
    if spec is None:
        return False
    text = str(spec.get("/F", "")) if isinstance(spec, pikepdf.Dictionary) else str(spec)
    return text.startswith("/") or text.startswith("\\") or (len(text) > 1 and text[1] == ":")


def _letter(page) -> bool:
    box = [float(v) for v in page.obj.get("/CropBox", page.mediabox)]
    width, height = sorted((abs(box[2] - box[0]), abs(box[3] - box[1])))
    return abs(width - LETTER[0]) <= 2 and abs(height - LETTER[1]) <= 2


def _navigation(pdf: pikepdf.Pdf, n_pages: int) -> list[tuple[str, str]]:
    found = []
    outlines = pdf.Root.get("/Outlines")
    has_outline = isinstance(outlines, pikepdf.Dictionary) and outlines.get("/First") is not None
    if n_pages >= 5 and not has_outline:
        found.append(("low", f"{n_pages} pages and no bookmarks; documents of 5 pages or more need bookmarks"))
    if has_outline and pdf.Root.get("/PageMode") != "/UseOutlines":
        found.append(("low", "has bookmarks but does not open with the bookmarks panel (/PageMode /UseOutlines)"))
    return found


def _title(pdf: pikepdf.Pdf) -> str:
    title = str(pdf.docinfo.get("/Title", "")) if pdf.trailer.get("/Info") is not None else ""
    if title.strip():
        return title
    try:
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            return str(meta.get("dc:title", "") or "")
    except Exception:  # broken XMP is not a title
        return ""
