"""Where the dossier's own facts land in a sequence: attachment fields → eCTD headings and folders,
the fields that give keyed headings their values, Module 1 administrative fields, and FDA form codes.

The content model says where each *document* goes; it does not (yet) say where an *attachment* goes,
so this table does, keyed by field path (`table.column` for a table's attachment column). An
unlisted attachment field falls back to the heading and folder of the first document the field
feeds; failing that it stays out of the sequence and the build says so.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AttachmentHome:
    """Where the attachments of one field (or table column) go."""

    heading: str                 # section number (m3-2-p-5-4) or element name
    folder: str                  # keyed segments (<substance>-<manufacturer> …) are inserted by the planner
    title: str                   # leaf title; {column} fills in from the table row, {file} = attachment name
    study: str | None = None     # table column naming the study: each row is a study with a tagging file
    # (column, ((text found in the cell, heading, folder), …)): the first match places the row instead.
    heading_by: tuple[str, tuple[tuple[str, str, str], ...]] | None = None
    categories: tuple[tuple[str, str], ...] = ()  # (STF category name, column) for the study tagging file


PHARMACOL = "m4/42-stud-rep/421-pharmacol"
TOX = "m4/42-stud-rep/423-tox"

HOMES: dict[str, AttachmentHome] = {
    # Nonclinical study reports, one study per row, each with a study tagging file.
    "nonclinical.pharmacology.studies.report": AttachmentHome(
        "m4-2-1-1", f"{PHARMACOL}/4211-prim-pd", "Study report, {study}", study="study",
        heading_by=("purpose", (("safety", "m4-2-1-3", f"{PHARMACOL}/4213-safety-pharmacol"),)),
        categories=(("species", "system"),)),
    "nonclinical.toxicology.studies.report": AttachmentHome(
        "m4-2-3-2", f"{TOX}/4232-repeat-dose-tox", "Study report, {study}", study="study",
        heading_by=("design", (("single", "m4-2-3-1", f"{TOX}/4231-single-dose-tox"),
                               ("genotox", "m4-2-3-7-7", f"{TOX}/4237-other-tox-stud/42377-other"),
                               ("local", "m4-2-3-6", f"{TOX}/4236-loc-tol"))),
        categories=(("species", "species"),)),
    # CMC: the clinical batch's certificate of analysis is a batch analysis of the drug product.
    "cmc.batches.batches.coa": AttachmentHome(
        "m3-2-p-5-4", "m3/32-body-data/32p-drug-prod/32p5-contr-drug-prod/32p54-batch-analys",
        "Certificate of analysis, batch {batch}"),
    # Literature cited for the genetic rationale goes with the clinical references.
    "genetic.literature.references.file": AttachmentHome("m5-4", "m5/54-lit-ref", "{citation}"),
    # Module 1.
    "module1.letters.letters_of_authorization": AttachmentHome(
        "m1-4-1", "m1/us/141-let-auth", "Letter of authorization, {file}"),
}

# Keyed heading attributes and the fields that give them (first filled wins), by heading number;
# "*" applies where a heading has no entry of its own.
KEYED_FIELDS: dict[str, dict[str, tuple[str, ...]]] = {
    "*": {
        "substance": ("cmc.substance.name", "module1.product.product_name"),
        "manufacturer": ("cmc.substance.manufacturer", "cmc.product.manufacturer"),
        "product-name": ("cmc.product.name", "module1.product.product_name"),
        "dosageform": ("cmc.product.dosage_form",),
        "indication": ("module1.product.indication",),
    },
    "m2-3-p": {"manufacturer": ("cmc.product.manufacturer", "cmc.substance.manufacturer")},
    "m3-2-p": {"manufacturer": ("cmc.product.manufacturer", "cmc.substance.manufacturer")},
}

# Keyed headings get their own folder level (ECTD.md): inserted after `base` when a folder lacks it.
KEYED_FOLDERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "m3-2-s-drug-substance": ("m3/32-body-data/32s-drug-sub", ("substance", "manufacturer")),
    "m3-2-p-drug-product": ("m3/32-body-data/32p-drug-prod", ("product-name",)),
    "m5-3-5-reports-of-efficacy-and-safety-studies": ("m5/53-clin-stud-rep/535-rep-effic-safety-stud",
                                                      ("indication",)),
}

# Module 1 administrative facts (first filled wins).
M1_FIELDS: dict[str, tuple[str, ...]] = {
    "sponsor": ("module1.sponsor.sponsor", "module1.sponsor.sponsor_investigator"),
    "duns": ("module1.sponsor.duns",),
    "contacts": ("module1.sponsor.contacts",),
    "investigator": ("module1.sponsor.sponsor_investigator", "module1.sponsor.sponsor"),
    "ind_number": ("module1.application.ind_number",),
    "submission_sub_type": ("module1.submission.submission_subtype",),
    "reason": ("module1.submission.reason",),
    "expanded_access": ("module1.application.expanded_access",),
}

# FDA form-type codes this product has verified (ECTD.md). A form document whose number is not
# here stays out of the sequence, with a note, rather than being declared as the wrong form.
FORM_TYPES: dict[str, str] = {"1571": "fdaft1"}
