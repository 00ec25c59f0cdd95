"""The single-patient expanded-access submission packet: what `dossier build` writes instead of an eCTD
sequence when the dossier's FDA form has no form-type code this product has verified (Form FDA 3926).

A physician's individual-patient IND is a non-commercial IND, which FDA does not require in eCTD form;
FDA asks for Form FDA 3926 with its attachments (the manufacturer's letter of authorization, or enough
information on the product's quality), sent to the review division by mail, fax or e-mail. The packet is
APPDIR/expanded-access-YYYY-MM-DD/: the form's information sheet first, every other document that
applies and every attachment the dossier's applying fields reference, each as PDF, one combined PDF
with a bookmark per part, a README saying where and how to send it, and SHA256SUMS.txt. It is written
into a temporary folder renamed into place only when complete.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from .conditions import Applicability
from .docunits import slug, split_unit, unit_stem, unit_title
from .ectd.wanted import Inputs, attachment_refs, unverified_forms
from .ectd.writer import remove_tree
from .errors import DossierError
from .fieldpath import base_path
from .pdfcheck import check_pdf
from .tempdirs import remove_stale, temp_name

COMBINED = "expanded-access-packet.pdf"
CHECKSUMS = "SHA256SUMS.txt"
README = "README.txt"
# What the packet rests on (cited in its README; the model's check cites the same).
SOURCES = (
    "21 CFR 312.310 (individual patients, including for emergency use)",
    "FDA guidance, Individual Patient Expanded Access Applications: Form FDA 3926 (June 2016, updated "
    "October 2017)",
    "FDA, Physician's guide: non-emergency single patient expanded access submissions "
    "(fda.gov/drugs/investigational-new-drug-ind-application)",
    "FDA, Expanded access: how to submit a request (forms) (fda.gov/news-events/expanded-access)",
)


@dataclass
class Part:
    """One PDF of the packet, in order: a rendered document or an attachment."""
    title: str
    source: Path
    stem: str                        # the name it is known by: the document's eCTD file stem, the attachment's
    file: str = ""                   # NN-stem.pdf in the packet


def is_packet_path(model, values: dict) -> bool:
    """Whether a build of these values writes a packet rather than an eCTD sequence."""
    return bool(unverified_forms(model, values))


def refuse_mark_submitted() -> None:
    raise DossierError(
        "an expanded-access packet is not an eCTD sequence, so it cannot be recorded as a submitted sequence "
        "(there is no sequence number or lifecycle to record). Build without --mark-submitted, send the packet "
        "as its README says, and keep FDA's acknowledgement with the IND number FDA assigns")


def packet_name(app_dir: Path, today: date | None = None) -> str:
    """expanded-access-YYYY-MM-DD, or -2, -3… when a packet of that day is already there (never overwritten)."""
    base = f"expanded-access-{(today or datetime.now().astimezone().date()).isoformat()}"
    name, n = base, 1
    while (app_dir / name).exists():
        n += 1
        name = f"{base}-{n}"
    return name


def document_parts(model, values: dict, files: dict[str, Path]) -> list[Part]:
    """The rendered documents, the form first (FDA reads Form 3926 first), the others in the model's order."""
    forms = {doc.id for doc in unverified_forms(model, values)}
    units = sorted(files, key=lambda u: split_unit(u)[0] not in forms)  # stable: keeps the model's order
    return [Part(unit_title(model, unit, values), files[unit], unit_stem(model, unit, values)) for unit in units]


def attachment_parts(dossier, values: dict, folder: Path) -> list[Part]:
    """Every attachment an applying field references (the letter of authorization, a CV…), once each,
    copied out of the dossier into `folder`."""
    model = dossier.model
    ap = Applicability(model, values)
    md5 = {a.name: a.md5 for a in dossier.attachments()}
    parts, seen = [], set()
    for key, name, _row, _owner in attachment_refs(Inputs(model, values, md5, {}, {})):
        if name in seen or not ap.field(base_path(key)):
            continue
        if name not in md5:
            raise DossierError(f"{key} refers to attachment {name}, which is not in the dossier; attach it again")
        seen.add(name)
        field = model.fields.get(base_path(key))  # a table's field for a cell's attachment
        label = field.label if field is not None else "Attachment"
        parts.append(Part(f"{label}: {name}", dossier.copy_attachment_to(name, folder / name), Path(name).stem))
    return parts


def write_parts(parts: list[Part], temp: Path) -> None:
    """Copy each part into the packet as NN-name.pdf (the number is its place in the combined PDF),
    refusing any that FDA's PDF rules would refuse."""
    bad = []
    for i, part in enumerate(parts, 1):
        part.file = f"{i:02d}-{slug(part.stem) or 'document'}.pdf"
        problems = check_pdf(part.source)
        if problems:
            bad.append(f"{part.title}: {'; '.join(problems)}")
            continue
        (temp / part.file).write_bytes(part.source.read_bytes())
    if bad:
        raise DossierError(f"{len(bad)} part(s) cannot go to FDA, so no packet was written: {' | '.join(bad)}. "
                           "Replace them and build again")


def combine(parts: list[Part], target: Path, title: str) -> int:
    """One PDF of every part in order, with one bookmark per part; returns its page count."""
    import pikepdf

    with pikepdf.new() as combined:
        starts = []
        for part in parts:
            starts.append(len(combined.pages))
            with pikepdf.open(target.parent / part.file) as pdf:
                combined.pages.extend(pdf.pages)
        with combined.open_outline() as outline:
            outline.root.extend(pikepdf.OutlineItem(p.title, start) for p, start in zip(parts, starts, strict=True))
        with combined.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta["dc:title"] = title
        combined.Root.PageMode = pikepdf.Name.UseOutlines
        combined.save(target, min_version="1.4")
        pages = len(combined.pages)
    problems = check_pdf(target)
    if problems:
        raise DossierError(f"the combined PDF would be refused ({'; '.join(problems)}), so no packet was written")
    return pages


# Why no eCTD, and what FDA asks to go with the form (the guidance and the physician's guide in SOURCES).
HOW_TO_SEND = """\
This is not an eCTD sequence. A physician's individual-patient expanded-access IND is a non-commercial
IND, which FDA does not require in eCTD form, and the eCTD form-type code of Form FDA 3926 is not one
this product has verified. FDA asks for the form with its attachments instead.

Before sending:
1. Transfer the entries of part 01 (the Form FDA 3926 information sheet) onto the official Form FDA 3926
   and sign it; the signed form goes first.
2. Attach the letter of authorization of the manufacturer or supplier (right of reference to its IND or
   master file); without one, FDA needs enough information on the product's quality.
3. IRB review (21 CFR part 56) and the patient's informed consent (21 CFR part 50) are obtained before
   treatment; on Form FDA 3926 the physician may ask to have the IRB chairperson's concurrence instead
   of review at a convened meeting.
4. Send the form with these parts to the review division by mail, fax or e-mail, as FDA's
   expanded-access pages describe; in an emergency, call FDA first for authorization.
"""


def readme(parts: list[Part], center, draft: bool, pages: int) -> str:
    made = f"Made {time.strftime('%Y-%m-%d %H:%M')} by Dossier Builder."
    lines = ["SINGLE-PATIENT EXPANDED ACCESS SUBMISSION PACKET (21 CFR 312.310, Form FDA 3926)",
             made + (" DRAFT: not for sending." if draft else ""), "", HOW_TO_SEND]
    if center is not None:
        lines += [f"Review centre: {center.name} ({center.abbreviation}). Its mailing address:"]
        lines += [f"   {line}" for line in center.address] + [f"   (source: {center.source})", ""]
    lines += [f"Parts, in order ({COMBINED} holds all of them, {pages} pages, one bookmark each):"]
    lines += [f"   {p.file}  {p.title}" for p in parts]
    lines += ["", f"{CHECKSUMS} lists the SHA-256 of every file (check with `sha256sum -c {CHECKSUMS}`).", "",
              "Sources:"] + [f" - {s}" for s in SOURCES]
    return "\n".join(lines) + "\n"


def write_checksums(folder: Path) -> None:
    lines = []
    for path in sorted(folder.iterdir()):
        if path.is_file() and path.name != CHECKSUMS:
            lines.append(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.name}")
    (folder / CHECKSUMS).write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")


def write_packet(dossier, values: dict, files: dict[str, Path], app_dir: Path, draft: bool,
                 check_cancel) -> tuple[Path, list[Part]]:
    """Write the packet of `files` (the rendered PDFs by unit) and the dossier's attachments into
    APPDIR/expanded-access-DATE, all of it or nothing."""
    if app_dir.exists() and not app_dir.is_dir():
        raise DossierError(f"{app_dir} is a file; give a folder for the packet")
    app_dir.mkdir(parents=True, exist_ok=True)
    remove_stale(app_dir, "building")
    final = app_dir / packet_name(app_dir)
    temp = app_dir / temp_name(final.name, "building")
    temp.mkdir()
    try:
        scratch = temp / ".attachments"
        scratch.mkdir()
        parts = document_parts(dossier.model, values, files) + attachment_parts(dossier, values, scratch)
        write_parts(parts, temp)
        remove_tree(scratch)
        check_cancel()
        pages = combine(parts, temp / COMBINED, "Single-patient expanded access submission (Form FDA 3926)")
        center = Applicability(dossier.model, values).center()
        (temp / README).write_text(readme(parts, center, draft, pages), encoding="utf-8", newline="\n")
        write_checksums(temp)
        check_cancel()
        if final.exists():
            raise DossierError(f"{final} appeared while building; it was not overwritten")
        os.rename(temp, final)
    except BaseException:
        remove_tree(temp)
        raise
    return final, parts
