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
# Sources: FDA's Module 1 specification (v2.3, DTD 3.3) puts Form 1571 in the admin section's <form>
# with form-type fdaft1 (its IND example). FDA's Comprehensive Table of Contents Headings and Hierarchy
# (v1.2.2, 2018) lists the forms of 1.1 as 1571, 356h, 3397, 2252, 2253 and 2567: Forms 1572 and 3674
# are not among them, and FDA's valid-values list of form-type codes was not at hand to confirm one
# (code tables outside FDA give fdaft7 for 3674 and none for 1572). Both stay out until a code is
# confirmed in FDA's own list (checked for issue 10, November 2026).
FORM_TYPES: dict[str, str] = {"1571": "fdaft1"}
