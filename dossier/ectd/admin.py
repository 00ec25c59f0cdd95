"""The Module 1 administrative facts of a sequence, read from the fields playing the Module 1 roles
(`roles: module1:` in the content model) and coded for FDA by the codes the model gives their choices
(`roles: codes:`). A contact row or person is read by the person type's keys (name, role, phone, email)."""

from __future__ import annotations

import re
from typing import Any

from ..errors import DossierError
from ..roles import Roles
from .leaf import Module1
from .regional import IND, NO_DUNS, ORIGINAL_APPLICATION, SUB_AMENDMENT, SUB_ORIGINAL, fit_description
from .wanted import as_text, first_filled

REGULATORY_CONTACT = "fdaact1"  # a contact whose kind the dossier does not code


def _get(roles: Roles, values: dict[str, Any], role: str) -> Any:
    return first_filled(values, roles.fields(role))


def _filled_path(roles: Roles, values: dict[str, Any], role: str) -> str | None:
    """The first filled field playing `role`."""
    return next((p for p in roles.fields(role) if first_filled(values, [p]) is not None), None)


def _where(roles: Roles, role: str) -> str:
    """Where the user fills a role in, for a message."""
    return " or ".join(roles.fields(role)) or f"the field the content model names for it (roles: module1: {role}:)"


def _written_code(value: Any) -> str | None:
    """A value the user wrote as an FDA code itself (fdaact2)."""
    text = value.strip().lower() if isinstance(value, str) else ""
    return text if re.fullmatch(r"fda[a-z]+\d+", text) else None


def _contact(row: dict, kind: str) -> dict | None:
    name = as_text(row.get("name"))
    if not name:
        return None
    phones = [(as_text(row[key]), code) for key, code in (("phone", "fdatnt1"), ("telephone", "fdatnt1"),
                                                           ("fax", "fdatnt2"), ("mobile", "fdatnt3")) if row.get(key)]
    emails = [as_text(row["email"])] if row.get("email") else []
    return {"name": name, "type": kind, "phones": phones, "emails": emails}


def _kind(roles: Roles, path: str, row: dict) -> str:
    """A contact's FDA type: the code the model gives one of its cells, or its role written as a code."""
    codes = (roles.code(f"{path}.{column}", cell) for column, cell in row.items())
    return next((c for c in codes if c), None) or _written_code(row.get("role")) or REGULATORY_CONTACT


def contacts(roles: Roles, values: dict[str, Any]) -> list[dict]:
    path = _filled_path(roles, values, "contacts")
    rows = values.get(path) if path else []
    if isinstance(rows, dict):
        rows = [rows]
    found = [c for c in (_contact(r, _kind(roles, path or "", r)) for r in rows or [] if isinstance(r, dict)) if c]
    if not found:
        person = _get(roles, values, "investigator") or _get(roles, values, "sponsor")
        if isinstance(person, dict):
            found = [c for c in [_contact(person, _kind(roles, "", person))] if c]
    return found


def module1(roles: Roles, values: dict[str, Any], number: str, draft: bool, notes: list[str]) -> Module1:
    """Module 1 facts for sequence `number`; a missing IND number refuses a final build."""
    company = as_text(_get(roles, values, "sponsor"))
    duns = re.sub(r"\D", "", as_text(_get(roles, values, "duns")))
    ind = re.sub(r"\D", "", as_text(_get(roles, values, "ind_number")))
    if not ind:
        if not draft:
            raise DossierError("an eCTD sequence needs the IND number: FDA pre-assigns it on request before the first "
                               f"electronic submission. Fill {_where(roles, 'ind_number')}, or build with "
                               "--draft meanwhile")
        notes.append("no IND number yet: the draft uses 000000")
    found_contacts = contacts(roles, values)
    if not found_contacts:
        if not draft:
            raise DossierError(f"us-regional.xml needs at least one contact; fill {_where(roles, 'contacts')}")
        # A draft of a dossier just begun still builds (as it still renders): the DTD wants a contact.
        notes.append(f"no contact yet: the draft names 'not given'; fill {_where(roles, 'contacts')}")
        found_contacts = [{"name": "not given", "type": REGULATORY_CONTACT, "phones": [("not given", "fdatnt1")],
                           "emails": ["not given"]}]
    for contact in found_contacts:
        if contact["phones"] and contact["emails"]:
            continue
        if not draft:
            raise DossierError(f"contact {contact['name']} needs a telephone number and an email for us-regional.xml; "
                               f"fill them in {_where(roles, 'contacts')}")
        notes.append(f"contact {contact['name']} lacks a telephone or email: the draft shows 'not given'")
        contact["phones"] = contact["phones"] or [("not given", "fdatnt1")]
        contact["emails"] = contact["emails"] or ["not given"]
    default_sub = SUB_ORIGINAL if number == "0001" else SUB_AMENDMENT
    chosen_in = _filled_path(roles, values, "submission_sub_type")
    chosen = as_text(values.get(chosen_in)) if chosen_in else ""
    sub_type = (roles.code(chosen_in, chosen) or _written_code(chosen) or "") if chosen_in else default_sub
    if sub_type != default_sub:
        notes.append(f"sequence {number} is sent as "
                     f"{'the original application' if default_sub == SUB_ORIGINAL else 'an amendment'}"
                     + (f" (the dossier says '{chosen}')" if chosen else ""))
        sub_type = default_sub
    reason = as_text(_get(roles, values, "reason"))
    description = ("DRAFT - not for submission. " if draft else "") + (reason or "Investigational New Drug application")
    return Module1(duns=duns if len(duns) == 9 else NO_DUNS, company=company or "Sponsor not given",
                   description=fit_description(description), contacts=found_contacts,
                   application_number=(ind or "0").zfill(6)[-6:], application_type=IND,
                   submission_type=ORIGINAL_APPLICATION, submission_sub_type=sub_type, submission_id="0001")
