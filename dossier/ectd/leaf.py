"""What a sequence holds: leaves (one file each, or a deletion), and the plan that lists them."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

OPERATIONS = ("new", "append", "replace", "delete")
REGIONAL_PATH = "m1/us/us-regional.xml"
STRUCTURE_FILES = ("index.xml", "index-md5.txt", REGIONAL_PATH)  # rewritten in every sequence, never a lifecycle leaf
# Every sequence carries its own cover letter and forms: always `new`, never replaced or deleted.
PER_SEQUENCE_HEADINGS = ("m1-2-cover-letters", "form")


@dataclass
class Leaf:
    """One leaf of a backbone.

    `path` is the file's place inside the sequence folder and the leaf's identity across sequences: a
    later sequence that plans the same path with other content replaces it; one that no longer plans
    it deletes it. `fingerprint` says whether content changed (a document's render key, an
    attachment's MD5) without rendering or copying anything.
    """

    path: str
    heading: str                 # backbone element name, e.g. m2-5-clinical-overview
    title: str
    kind: str                    # document | attachment | stf
    ref: str                     # document id, attachment name, or study id
    fingerprint: str
    operation: str = "new"
    modified_seq: str | None = None   # sequence holding the live leaf this one replaces or deletes
    modified_id: str | None = None
    md5: str = ""                # of the written file ("" for a delete)
    study: str | None = None     # study key (folder-safe), for leaves a study tagging file lists
    study_title: str | None = None   # the study's identifier as the user wrote it
    extra_studies: dict[str, str] = field(default_factory=dict)  # other studies listing this file (key → title)
    file_tag: str | None = None  # the STF file tag of this leaf within its study
    categories: dict[str, str] = field(default_factory=dict)  # STF categories (species …) from the study row
    # A document rendered per instance (a drug substance's 3.2.S) sits under keyed headings of its own,
    # valued from its instance: heading → attribute values. None: the sequence's shared keyed headings.
    keyed: dict[str, dict[str, str]] | None = None

    def in_study(self, study: str) -> bool:
        return self.study == study or study in self.extra_studies

    @property
    def module1(self) -> bool:
        return self.path.startswith("m1/")

    @property
    def id(self) -> str:
        return leaf_id(self.heading, self.path, self.operation == "delete")

    def modified_file(self) -> str | None:
        """The `modified-file` reference to the live leaf, relative to this leaf's backbone."""
        if self.modified_seq is None:
            return None
        target = self.modified_id or leaf_id(self.heading, self.path)
        if self.module1:
            return f"../../../{self.modified_seq}/{REGIONAL_PATH}#{target}"
        return f"../{self.modified_seq}/index.xml#{target}"


def leaf_id(heading: str, path: str, deletion: bool = False) -> str:
    """A stable XML ID for the leaf at `path`: readable, unique, never starting with a digit."""
    stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    slug = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")[:40] or "leaf"
    digest = hashlib.sha1(f"{heading}|{path}".encode()).hexdigest()[:8]
    return f"{'del' if deletion else 'lf'}-{slug}-{digest}"


@dataclass
class Module1:
    """The administrative facts us-regional.xml states (already coded for FDA)."""

    duns: str
    company: str
    description: str
    contacts: list[dict]          # {"name", "type", "phones": [(number, type)], "emails": [..]}
    application_number: str
    application_type: str
    submission_type: str
    submission_sub_type: str
    submission_id: str
    form_type: str = "fdaft1"


@dataclass
class Plan:
    """Everything a sequence will hold, decided before any file is written."""

    number: str
    leaves: list[Leaf]
    module1: Module1
    keyed: dict[str, dict[str, str]] = field(default_factory=dict)   # heading → attribute values
    notes: list[str] = field(default_factory=list)
    generated: dict[str, bytes] = field(default_factory=dict)       # path → bytes made by the planner (STFs)
    unchanged: list[Leaf] = field(default_factory=list)             # live leaves not sent again

    def sent(self) -> list[Leaf]:
        """Leaves that carry a file in this sequence."""
        return [leaf for leaf in self.leaves if leaf.operation != "delete"]

    def counts(self) -> dict[str, int]:
        out = {op: 0 for op in OPERATIONS}
        for leaf in self.leaves:
            out[leaf.operation] += 1
        return out
