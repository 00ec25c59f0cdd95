"""FDA Module 1 (us-regional.xml, DTD 3.3): the codes an IND uses, writing the regional backbone, and
checking the administrative facts in anyone's us-regional.xml.

The DTD types every code as plain text, so the product checks the codes itself.
"""

from __future__ import annotations

import re

from lxml import etree

from .backbone import XLINK_NS, leaf_element, nest, serialize
from .headings import HeadingTree
from .leaf import Plan

FDA_NS = "http://www.ich.org/fda"
FDA_DTD_URL = "https://www.accessdata.fda.gov/static/eCTD/us-regional-v3-3.dtd"
FDA_DOCTYPE = f'<!DOCTYPE fda-regional:fda-regional SYSTEM "{FDA_DTD_URL}">'
FDA_STYLESHEET = 'type="text/xsl" href="https://www.accessdata.fda.gov/static/eCTD/us-regional.xsl"'

CONTACT_TYPES = {"fdaact1": "regulatory", "fdaact2": "technical", "fdaact3": "US agent"}
PHONE_TYPES = {"fdatnt1": "business", "fdatnt2": "fax", "fdatnt3": "mobile"}
IND = "fdaat4"
FORM_1571 = "fdaft1"
ORIGINAL_APPLICATION = "fdast1"
SUB_ORIGINAL, SUB_AMENDMENT = "fdasst1", "fdasst4"
# The type / sub-type pairs this product knows an IND uses (others may be valid; they are not checked).
IND_PAIRS = {(ORIGINAL_APPLICATION, SUB_ORIGINAL): "original application",
             (ORIGINAL_APPLICATION, SUB_AMENDMENT): "amendment to the original application"}
NO_DUNS = "999999999"
MAX_CONTACT = 64
MAX_DESCRIPTION = 128


def fit_description(text: str) -> str:
    """A submission description within FDA's 128 characters, shortened at a word boundary with "..."
    (FDA shows only the first 128 characters; a word cut in half reads as a typo)."""
    text = " ".join(text.split())
    if len(text) <= MAX_DESCRIPTION:
        return text
    cut = text[:MAX_DESCRIPTION - 3]
    if " " in cut and not text[MAX_DESCRIPTION - 3].isspace():
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-") + "..."


def _text(parent: etree._Element, tag: str, text: str, **attrs: str) -> etree._Element:
    el = etree.SubElement(parent, tag, **attrs)
    el.text = text
    return el


def regional_xml(plan: Plan, tree: HeadingTree) -> bytes:
    """The bytes of m1/us/us-regional.xml for `plan` (Module 1 leaves hrefs relative to m1/us/)."""
    m1 = plan.module1
    root = etree.Element(f"{{{FDA_NS}}}fda-regional", nsmap={"fda-regional": FDA_NS, "xlink": XLINK_NS})
    root.set("dtd-version", "3.3")
    root.set("{http://www.w3.org/XML/1998/namespace}lang", "en")
    admin = etree.SubElement(root, "admin")
    info = etree.SubElement(admin, "applicant-info")
    _text(info, "id", m1.duns or NO_DUNS)
    _text(info, "company-name", m1.company)
    if m1.description:
        _text(info, "submission-description", fit_description(m1.description))
    contacts = etree.SubElement(info, "applicant-contacts")
    for contact in m1.contacts:
        el = etree.SubElement(contacts, "applicant-contact")
        _text(el, "applicant-contact-name", contact["name"][:MAX_CONTACT],
              **{"applicant-contact-type": contact["type"]})
        phones = etree.SubElement(el, "telephones")
        for number, kind in contact["phones"]:
            _text(phones, "telephone", number[:MAX_CONTACT], **{"telephone-number-type": kind})
        emails = etree.SubElement(el, "emails")
        for email in contact["emails"]:
            _text(emails, "email", email[:MAX_CONTACT])
    application = etree.SubElement(etree.SubElement(admin, "application-set"), "application",
                                   **{"application-containing-files": "true"})
    app_info = etree.SubElement(application, "application-information")
    _text(app_info, "application-number", m1.application_number, **{"application-type": m1.application_type})
    sub = etree.SubElement(application, "submission-information")
    _text(sub, "submission-id", m1.submission_id, **{"submission-type": m1.submission_type})
    _text(sub, "sequence-number", plan.number, **{"submission-sub-type": m1.submission_sub_type})
    form = etree.SubElement(sub, "form", **{"form-type": m1.form_type})
    leaves = [leaf for leaf in plan.leaves if leaf.module1]
    for leaf in leaves:
        if leaf.heading == "form":  # the form itself sits in the admin section, as in FDA's examples
            form.append(leaf_element(leaf, leaf.path[len("m1/us/"):]))
    others = [leaf for leaf in leaves if leaf.heading != "form"]
    if others:
        regional = etree.SubElement(root, "m1-regional")
        placed = [(leaf.heading, leaf_element(leaf, leaf.path[len("m1/us/"):])) for leaf in others]
        nest(regional, tree, placed, plan.keyed, "m1-regional")
    return serialize(root, FDA_DOCTYPE, FDA_STYLESHEET)


# Checking anyone's us-regional.xml ----------------------------------------------------------

def check_admin(root: etree._Element, folder_number: str) -> list[tuple[str, str]]:
    """(severity, message) for the administrative facts of a parsed us-regional.xml."""
    found: list[tuple[str, str]] = []
    admin = root.find("admin")
    if admin is None:
        return [("high", "us-regional.xml has no <admin> section")]
    duns = (admin.findtext("applicant-info/id") or "").strip()
    if not re.fullmatch(r"\d{9}", duns):
        found.append(("medium", f"applicant id '{duns}' is not a 9-digit DUNS number "
                                f"(use {NO_DUNS} when there is none)"))
    description = admin.findtext("applicant-info/submission-description") or ""
    if len(description) > MAX_DESCRIPTION:
        found.append(("low", f"submission description is {len(description)} characters; FDA allows {MAX_DESCRIPTION}"))
    found += _check_contacts(admin)
    found += _check_applications(admin, folder_number)
    return found


def _check_contacts(admin: etree._Element) -> list[tuple[str, str]]:
    found = []
    contacts = admin.findall("applicant-info/applicant-contacts/applicant-contact")
    if not contacts:
        found.append(("medium", "no applicant contact is given"))
    for contact in contacts:
        name_el = contact.find("applicant-contact-name")
        name = (name_el.text or "") if name_el is not None else ""
        kind = name_el.get("applicant-contact-type", "") if name_el is not None else ""
        if kind not in CONTACT_TYPES:
            found.append(("medium", f"contact '{name}' has type '{kind}'; use one of "
                                    + ", ".join(f"{k} ({v})" for k, v in CONTACT_TYPES.items())))
        for phone in contact.findall("telephones/telephone"):
            if phone.get("telephone-number-type") not in PHONE_TYPES:
                found.append(("medium", f"telephone {phone.text} of '{name}' has type "
                                        f"'{phone.get('telephone-number-type')}'; use fdatnt1, fdatnt2 or fdatnt3"))
        parts = contact.findall("telephones/telephone") + contact.findall("emails/email")
        texts = [name] + [e.text or "" for e in parts]
        for text in texts:
            if len(text) > MAX_CONTACT:
                found.append(("low", f"contact entry '{text[:40]}…' is longer than {MAX_CONTACT} characters"))
    return found


def _check_applications(admin: etree._Element, folder_number: str) -> list[tuple[str, str]]:
    found = []
    for app in admin.findall("application-set/application"):
        number_el = app.find("application-information/application-number")
        number = (number_el.text or "").strip() if number_el is not None else ""
        kind = number_el.get("application-type", "") if number_el is not None else ""
        if not re.fullmatch(r"\d{6}", number):
            found.append(("high", f"application number '{number}' is not 6 digits (with leading zeros)"))
        if kind != IND:
            found.append(("medium", f"application type '{kind}' is not {IND} (IND); this product checks IND rules"))
            continue
        sub = app.find("submission-information")
        if sub is None:
            found.append(("high", "no <submission-information> for the application"))
            continue
        seq = (sub.findtext("sequence-number") or "").strip()
        if folder_number and seq != folder_number:
            found.append(("high", f"us-regional.xml states sequence {seq} but the folder is {folder_number}"))
        sub_id, seq_number = sub.find("submission-id"), sub.find("sequence-number")
        stype = sub_id.get("submission-type", "") if sub_id is not None else ""
        subtype = seq_number.get("submission-sub-type", "") if seq_number is not None else ""
        if (stype, subtype) not in IND_PAIRS:
            found.append(("medium", f"submission type/sub-type ({stype}, {subtype}) is not a pair this product knows "
                                    "for an IND: " + "; ".join(f"{a}/{b} = {v}" for (a, b), v in IND_PAIRS.items())))
        elif seq == "0001" and subtype != SUB_ORIGINAL:
            found.append(("medium", "sequence 0001 of an IND should be the original application (fdasst1)"))
        elif seq != "0001" and subtype == SUB_ORIGINAL and stype == ORIGINAL_APPLICATION:
            found.append(("medium", f"sequence {seq} is marked as the original application; later sequences are "
                                    "amendments (fdasst4)"))
        root = app.getroottree().getroot()
        forms = sub.findall("form") + root.findall("m1-regional/m1-1-forms/form")
        if not any(f.get("form-type") == FORM_1571 and f.find("leaf") is not None for f in forms):
            found.append(("high", "no Form FDA 1571 (form-type fdaft1 with its file) is in this sequence; every IND "
                                  "submission needs one"))
    return found
