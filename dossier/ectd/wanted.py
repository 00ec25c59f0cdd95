"""The leaves a dossier wants in its submission tree now, before any lifecycle: its documents, its
attachments, their keyed headings, folders and file names. Pure: nothing is read or written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..conditions import Applicability
from ..docunits import slug, split_unit, unit_stem, unit_title, unit_values
from ..errors import DossierError
from ..fieldpath import FieldPath, base_path, model_path
from ..model import ContentModel
from ..repeats import instances, single
from ..roles import AttachmentHome
from .headings import HeadingTree
from .leaf import Leaf
from .mapping import FORM_TYPES, KEYED_FOLDERS
from .naming import file_name, fit_path, valid_segment
from .stf import file_tag, needs_stf


@dataclass(frozen=True)
class Trees:
    """The two backbones' heading trees (ICH index.xml and FDA us-regional.xml)."""

    ich: HeadingTree
    regional: HeadingTree

    def resolve(self, heading: str) -> str:
        if heading == "form" or heading.startswith("m1-"):
            return self.regional.resolve(heading)
        return self.ich.resolve(heading)

    def tree_of(self, name: str) -> HeadingTree:
        return self.regional if name in self.regional else self.ich


@dataclass
class Inputs:
    """What the planner needs from a dossier, gathered by the build."""

    model: ContentModel
    values: dict[str, Any]
    attachment_md5: dict[str, str]        # attachment name → MD5
    render_keys: dict[str, str]           # document id → render key
    keyed: dict[str, dict[str, str]]      # keyed values pinned by an earlier submission (heading → attrs)
    homes: dict[str, AttachmentHome] | None = None  # None: the content model's (roles: attachments:)
    draft: bool = False                   # a draft names a key not filled yet 'not given' instead of refusing


def first_filled(values: dict[str, Any], paths: Iterable[str]) -> Any:
    for path in paths:
        if values.get(path) not in (None, "", [], {}):
            return values[path]
    return None


def as_text(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("organisation") or value.get("name") or value.get("value") or "")
    if isinstance(value, list):
        return ", ".join(as_text(v) for v in value)
    return "" if value is None else str(value)


# Keyed headings ---------------------------------------------------------------------------

_UNDECLARED = "(no field: the content model declares none under roles: keyed_headings:)"


def keyed_values(inputs: Inputs, trees: Trees, headings: Iterable[str],
                 notes: list[str] | None = None) -> dict[str, dict[str, str]]:
    """Attribute values for every keyed heading above `headings`: pinned ones first (they must stay
    identical in every later sequence), the dossier's fields for headings not yet submitted (a draft
    lacking one says so in `notes`)."""
    keyed: dict[str, dict[str, str]] = {}
    for heading in headings:
        tree = trees.tree_of(heading)
        for name in tree.chain(heading):
            h = tree[name]
            attrs = h.required_keys + h.optional_keys
            if not attrs or name in keyed or name == "form":
                continue
            if inputs.keyed.get(name):
                keyed[name] = dict(inputs.keyed[name])
                continue
            roles = inputs.model.roles
            found = {a: as_text(first_filled(inputs.values, roles.keyed_fields(h.number, a))) for a in attrs}
            missing = [a for a in h.required_keys if not found.get(a)]
            fields = "; ".join(f"{a} from {' or '.join(roles.keyed_fields(h.number, a)) or _UNDECLARED}"
                               for a in missing)
            if missing and not inputs.draft:
                raise DossierError(f"the eCTD heading {name} needs {fields}; fill it in")
            if missing:  # a draft is never recorded, so no later sequence must keep this key
                found.update({a: "not given" for a in missing})
                if notes is not None:
                    notes.append(f"the eCTD heading {name} needs {fields}: the draft says 'not given'")
            keyed[name] = {a: v for a, v in found.items() if v}
    return keyed


def keyed_folder(folder: str, chain: list[str], keyed: dict[str, dict[str, str]]) -> str:
    """Insert the keyed heading's own folder level (e.g. <substance>-<manufacturer> after
    m3/32-body-data/32s-drug-sub) when the folder does not have it yet."""
    for name in chain:
        if name not in KEYED_FOLDERS or name not in keyed:
            continue
        base, attrs = KEYED_FOLDERS[name]
        segment = slug("-".join(keyed[name].get(a, "") for a in attrs if keyed[name].get(a)))
        if folder == base or folder.startswith(base + "/"):
            rest = folder[len(base):].lstrip("/")
            if rest.split("/", 1)[0] != segment:
                folder = "/".join(p for p in (base, segment, rest) if p)
    return folder


# Wanted leaves ----------------------------------------------------------------------------

FORM_HEADINGS = ("m1-1", "m1-1-forms", "form")  # where a document is an FDA form


def _form_heading(doc) -> str | None:
    """The form-type code of a form document (by the form number in its id or title), if verified."""
    for number in re.findall(r"\d{3,4}[a-z]?", f"{doc.id} {doc.title}"):
        if number in FORM_TYPES:
            return number
    return None


def unverified_forms(model, values: dict[str, Any]) -> list:
    """The FDA forms that apply to the dossier when none of them has a form-type code this product has
    verified (Form 3926 on the expanded-access path): us-regional.xml could not declare the application's
    form, so the build writes a submission packet instead of an eCTD sequence (dossier.packet). Empty on
    every path whose form is declared."""
    ap = Applicability(model, values)
    forms = [doc for doc in model.documents if doc.heading in FORM_HEADINGS and ap.document(doc)]
    return forms if forms and not any(_form_heading(doc) for doc in forms) else []


def document_leaves(inputs: Inputs, trees: Trees, notes: list[str]) -> list[Leaf]:
    leaves = []
    ap = Applicability(inputs.model, inputs.values)
    forms = unverified_forms(inputs.model, inputs.values)
    if forms:
        # us-regional.xml would declare a form the dossier does not have (Form 1571 on the expanded-access path)
        deciding = ", ".join(sorted(inputs.model.conditions.inputs.get(f"document:{forms[0].id}", ()))) or "-"
        raise DossierError(f"{forms[0].title}: the FDA form-type code of this form is not one this product has "
                           "verified, so us-regional.xml cannot declare it and no sequence is planned; `dossier "
                           f"build` writes the expanded-access packet instead (the form follows {deciding})")
    rendered: dict[str, list[str]] = {}
    for unit in inputs.render_keys:
        rendered.setdefault(split_unit(unit)[0], []).append(unit)
    for doc in inputs.model.documents:
        if doc.per is None and not ap.document(doc):
            notes.append(f"{doc.title} is not in the sequence: it does not apply to this dossier "
                         "(its condition is false)")
            continue
        for unit in rendered.get(doc.id, []):
            leaf = _document_leaf(inputs, trees, notes, doc, unit)
            if leaf is not None:
                leaves.append(leaf)
    return leaves


def _document_leaf(inputs: Inputs, trees: Trees, notes: list[str], doc, unit: str) -> Leaf | None:
    """The leaf of one rendered unit: a document, or one instance's rendering of a per-instance document,
    which gets its own keyed headings from its instance (a drug substance's 3.2.S under its own name)."""
    if doc.heading in FORM_HEADINGS:
        if _form_heading(doc) is None:  # (the codes confirmed are in ectd/mapping.py; a user is not told a file)
            notes.append(f"{doc.title} is not in the sequence: FDA's Module 1 form list has no form-type code "
                         "for it that this product could confirm; send the signed "
                         "form with the submission as FDA asks (the sheet is in the Word copies)")
            return None
        heading = "form"
    else:
        heading = trees.resolve(doc.heading)
    study = slug(doc.id) if needs_stf(heading) else None  # e.g. the protocol in 5.3.5: its own study
    tag = None
    if study:
        tag = "protocol-or-amendment" if "protocol" in f"{doc.id} {doc.title}".lower() else file_tag(heading)
    own, name = None, doc.file
    index = split_unit(unit)[1]
    if index is not None:  # its instance's values give its keyed headings; nothing is pinned
        instance = replace(inputs, values=unit_values(inputs.model, unit, inputs.values), keyed={})
        own = keyed_values(instance, trees, [heading])
        if index > 0 and not any(h in KEYED_FOLDERS for h in trees.tree_of(heading).chain(heading)):
            # No keyed folder of its own (an arm's genetic rationale in 2.5): the file carries the instance's
            # name. The first instance keeps the document's name, so a dossier's first arm stays the leaf
            # it was before there were arms, and adding an arm adds only its own leaves.
            name = unit_stem(inputs.model, unit, inputs.values) + "." + doc.file.rpartition(".")[2]
    return Leaf(path=f"{doc.folder}/{file_name(name)}", heading=heading,
                title=unit_title(inputs.model, unit, inputs.values), kind="document", ref=unit,
                fingerprint=inputs.render_keys[unit], study=study, study_title=doc.title if study else None,
                file_tag=tag, keyed=own)


def attachment_refs(inputs: Inputs) -> Iterable[tuple[str, str, dict, str]]:
    """(home key, attachment name, table row or {}, instance name or "") for every attachment a field
    references; a field of a repeated section is placed instance by instance (`a.s[1].f`) where its home
    says, as outside a repeat, and carries its instance's name."""
    for path, value in inputs.values.items():
        key = model_path(path)
        field = inputs.model.fields.get(key)
        if field is None:
            continue
        owner = _instance_name(inputs, path, key)
        if field.type == "attachment":
            for name in value or []:
                yield key, name, {}, owner
        elif field.type == "table":
            for row in value or []:
                for column in field.columns:
                    if column.type == "attachment" and row.get(column.id):
                        yield str(FieldPath.parse(key).column(column.id)), row[column.id], row, owner


def _instance_name(inputs: Inputs, path: str, key: str) -> str:
    """The name of the instance a repeated section's value belongs to ("" outside a repeat, and for the
    one unnamed instance of a repeat that does not apply): two arms' reports under one heading are told
    apart by it, as their documents are."""
    repeat = inputs.model.repeat_of(key)
    where = FieldPath.match(path)
    if repeat is None or where is None or where.instance is None or single(inputs.model, inputs.values, repeat.id):
        return ""
    names = instances(inputs.model, inputs.values, repeat.id)
    return names[where.instance] if where.instance < len(names) else ""


def _fallback_home(inputs: Inputs, key: str) -> AttachmentHome | None:
    field = inputs.model.fields.get(base_path(key))
    for doc_id in (field.documents if field else ()):
        doc = inputs.model.document(doc_id)
        if doc.heading not in FORM_HEADINGS:
            return AttachmentHome(doc.heading, doc.folder, "{file}")
    return None


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def _row_title(pattern: str, name: str, row: dict) -> str:
    """The leaf title: `pattern` filled from the table row; {file} is the attachment's name."""
    texts = _Blank({k: as_text(v) for k, v in row.items()})
    texts["file"] = Path(name).stem.replace("-", " ")
    try:
        title = pattern.format_map(texts)
    except (ValueError, IndexError):
        title = texts["file"]
    title = re.sub(r"\s+", " ", title).strip(" ,;:-")
    return title if re.search(r"[A-Za-z0-9]", title) else texts["file"]


def _leaf_title(pattern: str, name: str, row: dict, owner: str) -> str:
    """The row's title, with the instance's name after it as a per-instance document carries its own."""
    title = _row_title(pattern, name, row)
    return (f"{title} — {owner}" if owner else title)[:512]


def _place(home: AttachmentHome, row: dict) -> tuple[str, str]:
    if home.heading_by and row:
        column, rules = home.heading_by
        cell = as_text(row.get(column)).lower()
        for needle, heading, folder in rules:
            if needle.lower() in cell:
                return heading, folder
    return home.heading, home.folder


def attachment_leaves(inputs: Inputs, trees: Trees, notes: list[str]) -> list[Leaf]:
    homes = inputs.model.roles.attachments if inputs.homes is None else inputs.homes
    leaves, seen = [], set()
    by_study_file: dict[tuple[str, str], Leaf] = {}
    for key, name, row, owner in attachment_refs(inputs):
        home = homes.get(key) or _fallback_home(inputs, key)
        if home is None:
            notes.append(f"attachment {name} ({key}) has no place in the eCTD tree, so it is not in the sequence")
            continue
        if name not in inputs.attachment_md5:
            raise DossierError(f"{key} refers to attachment {name}, which is not in the dossier; attach it again")
        heading, folder = _place(home, row)
        heading = trees.resolve(heading)
        study_name = as_text(row.get(home.study)) if home.study and needs_stf(heading) else ""
        study = slug(study_name) if study_name else None
        shared = by_study_file.get((name, heading))
        if study and shared is not None:
            # One report for several studies: sent once, listed by each study's tagging file.
            if study != shared.study:
                shared.extra_studies[study] = study_name
            continue
        if study:
            folder = f"{folder}/{study}"
        if (name, folder) in seen:
            continue
        seen.add((name, folder))
        leaves.append(Leaf(path=f"{folder}/{file_name(name)}", heading=heading,
                           title=_leaf_title(home.title, name, row, owner), kind="attachment", ref=name,
                           fingerprint=inputs.attachment_md5[name], md5=inputs.attachment_md5[name],
                           study=study, study_title=study_name or None,
                           file_tag=file_tag(heading) if study else None,
                           categories={c: as_text(row.get(col)) for c, col in home.categories if row.get(col)}))
        if study:
            by_study_file[(name, heading)] = leaves[-1]
    return leaves


def finish_paths(leaves: list[Leaf], trees: Trees, keyed: dict[str, dict[str, str]]) -> None:
    """Give keyed headings their folder level, make every segment valid and every path ≤ 150
    characters, never two leaves on one path."""
    taken: set[str] = set()
    for leaf in leaves:
        folder, _, name = leaf.path.rpartition("/")
        folder = keyed_folder(folder, trees.tree_of(leaf.heading).chain(leaf.heading),
                              keyed if leaf.keyed is None else leaf.keyed)
        folder = "/".join(s if valid_segment(s) else slug(s) for s in folder.split("/") if s)
        path = fit_path(folder, file_name(name))
        n = 2
        while path in taken:
            stem, dot, ext = name.rpartition(".")
            path = fit_path(folder, file_name(f"{stem}-{n}.{ext}" if dot else f"{name}-{n}"))
            n += 1
        taken.add(path)
        leaf.path = path
