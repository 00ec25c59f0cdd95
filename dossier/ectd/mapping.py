"""What the eCTD standard itself fixes about a sequence's folders and forms: the folder level a keyed
heading adds, and the FDA form codes this product has verified.

What the dossier's own fields give — where an attachment goes, the fields behind keyed headings and the
Module 1 facts — is declared in the content model (`roles:`, dossier/roles.py), not here.
"""

from __future__ import annotations

# Keyed headings get their own folder level (ECTD.md): inserted after `base` when a folder lacks it.
KEYED_FOLDERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "m3-2-s-drug-substance": ("m3/32-body-data/32s-drug-sub", ("substance", "manufacturer")),
    "m3-2-p-drug-product": ("m3/32-body-data/32p-drug-prod", ("product-name",)),
    "m5-3-5-reports-of-efficacy-and-safety-studies": ("m5/53-clin-stud-rep/535-rep-effic-safety-stud",
                                                      ("indication",)),
}

# FDA form-type codes this product has verified (ECTD.md). A form document whose number is not
# here stays out of the sequence, with a note, rather than being declared as the wrong form.
FORM_TYPES: dict[str, str] = {"1571": "fdaft1"}
