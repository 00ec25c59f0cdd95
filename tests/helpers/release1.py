"""The files release 1 made (tests/fixtures/release-1, never rewritten) and what they hold, read straight
from SQLite so that a test compares against what release 1 stored, not against what this release reads."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import yaml

from dossier.fieldpath import FieldPath
from dossier.model import ContentModel, default_model
from dossier.model_reader import parse_model
from dossier.paths import content_model_path

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "release-1"
DOSSIER = FIXTURE / "demo.dossier"
TEXT_FORM = FIXTURE / "text-form"


@dataclass(frozen=True)
class Contents:
    """Everything a dossier file holds, as stored (JSON texts as SQLite returns them)."""
    values: dict[str, str]
    audit: list[tuple]
    attachments: dict[str, str]  # name → SHA-256 recorded
    blobs: dict[str, str]        # name → SHA-256 of the stored bytes
    sequences: list[tuple]
    settings: dict[str, str]
    meta: dict[str, str]


def contents(path: Path) -> Contents:
    """Read a dossier file as SQLite sees it (with what its WAL holds), writing nothing into it; the
    fixture itself is read immutable, so not even a -shm file appears beside it."""
    pristine = path.resolve().is_relative_to(FIXTURE)
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro{'&immutable=1' if pristine else ''}", uri=True)
    try:
        blobs: dict[str, hashlib._Hash] = {}
        for name, data in conn.execute("SELECT name, data FROM attachment_chunks ORDER BY name, n"):
            blobs.setdefault(name, hashlib.sha256()).update(data)
        return Contents(
            values=dict(conn.execute("SELECT path, value FROM field_values")),
            audit=conn.execute("SELECT id, at, who, field, old, new FROM audit ORDER BY id").fetchall(),
            attachments=dict(conn.execute("SELECT name, sha256 FROM attachments")),
            blobs={name: h.hexdigest() for name, h in blobs.items()},
            sequences=conn.execute("SELECT * FROM submitted_sequences ORDER BY number").fetchall(),
            settings=dict(conn.execute("SELECT key, value FROM settings")),
            meta=dict(conn.execute("SELECT key, value FROM meta")))
    finally:
        conn.close()


def copy_of_release1(tmp_path: Path, name: str = "demo.dossier") -> Path:
    """A copy to open: opening may upgrade in place, and the fixture stays as release 1 wrote it."""
    target = tmp_path / name
    shutil.copyfile(DOSSIER, target)
    return target


def shipped_model_with(change, name: str = "upgrading.yaml") -> ContentModel:
    """The shipped content model with `change(raw)` applied to its parsed YAML."""
    raw = yaml.safe_load(content_model_path().read_text(encoding="utf-8"))
    change(raw)
    return parse_model(raw, Path(name))


def section(raw: dict, path: str) -> dict:
    area_id, _, section_id = path.partition(".")
    area = next(a for a in raw["areas"] if a["id"] == area_id)
    return next(s for s in area["sections"] if s["id"] == section_id)


# Version 2 of the shipped model as the upgrade tests use it ------------------------------------------

RELEASE1 = contents(DOSSIER)
SHIPPED_MODEL = default_model()


def without_arms(raw: dict) -> None:
    """The shipped model as it was before arms (version 4): their sections hold one value each, the
    genetic rationale is one document, a drug substance lies within no arm, and no step makes arms."""
    _fields_where_they_were(raw)
    for area in raw["areas"]:
        for sec in area["sections"]:
            if sec.get("repeat") == "arms":
                del sec["repeat"]
            for f in sec["fields"]:  # nor does a table say which arm each row is for
                if (f.get("rows_for") or {}).get("repeat") == "arms":
                    del f["rows_for"]
    for check in raw["checks"]:  # nor does a check count rows per arm
        check.pop("per", None)
    for document in raw["documents"]:
        if document.get("per") == "arms":
            del document["per"]
    raw["repeats"] = [{k: v for k, v in r.items() if k not in ("within", "by")} for r in raw["repeats"]
                      if r["id"] != "arms"]
    raw["upgrades"] = [{**step, "moves": [{**m, "to": m["to"].replace("[0]", "")} for m in step.get("moves", [])]}
                       for step in raw["upgrades"] if "arms" not in step.get("names", {})]


def _fields_where_they_were(raw: dict) -> None:
    """Undo the steps after version 4 (patients per arm): each field a step moves a value from is back in
    its section (as the field it moves to, renamed), and the steps are gone."""
    later = [step for step in raw["upgrades"] if step["version"] > 4]
    for move in (m for step in later for m in step.get("moves", [])):
        target = FieldPath.parse(move["to"])
        spec = next(f for f in section(raw, target.section_path)["fields"] if f["id"] == target.field)
        for old in move["from"] if isinstance(move["from"], list) else [move["from"]]:
            where = FieldPath.parse(old)
            section(raw, where.section_path)["fields"].append({**spec, "id": where.field})
    raw["upgrades"] = [step for step in raw["upgrades"] if step["version"] <= 4]


def upgrading(raw: dict) -> None:
    """Version 2 of the shipped model, as the coming one will be: drug substances repeat, and each allele
    of the variant is an instance of a repeated section, release 1's variant and second allele moving there."""
    without_arms(raw)
    raw["repeats"] = [{"id": "substances", "label": "Drug substance", "name": "cmc.substance.name"},
                      {"id": "alleles", "label": "Allele", "name": "genetic.allele.label"}]
    substance = section(raw, "cmc.substance")
    substance["repeat"] = "substances"
    per_substance = {doc for f in substance["fields"] for doc in f.get("documents", [])}
    for document in raw["documents"]:  # one rendering per drug substance
        if document["id"] in per_substance:
            document["per"] = "substances"
    area = next(a for a in raw["areas"] if a["id"] == "genetic")
    area["sections"].insert(area["sections"].index(section(raw, "genetic.variant")) + 1, {
        "id": "allele", "title": "Alleles", "repeat": "alleles",
        "fields": [{"id": "label", "label": "Allele", "type": "text"},
                   {"id": "hgvs", "label": "Allele (HGVS)", "type": "hgvs"}]})
    raw["upgrades"] = [{"version": 2,
                        "moves": [{"from": "genetic.variant.hgvs", "to": "genetic.allele[0].hgvs"},
                                  {"from": "genetic.variant.second_allele", "to": "genetic.allele[1].hgvs"}],
                        "names": {"alleles": "Allele {n}"}}]


def upgrading_model():
    return shipped_model_with(upgrading)


# Where release 1's values are after the upgrade, and what the upgrade adds: every drug substance value
# goes to the first (and only) substance, implicitly; each allele gets its name from `names:`.
MOVED = {"genetic.variant.hgvs": "genetic.allele[0].hgvs", "genetic.variant.second_allele": "genetic.allele[1].hgvs",
         **{p: p.replace("cmc.substance.", "cmc.substance[0].") for p in RELEASE1.values
            if p.startswith("cmc.substance.")}}
ADDED = {"genetic.allele[0].label": '"Allele 1"', "genetic.allele[1].label": '"Allele 2"'}
UPGRADED = {MOVED.get(p, p): text for p, text in RELEASE1.values.items()} | ADDED
# Where release 1's values are in the shipped model: its one drug substance is the first instance, and
# its variant, classification, mechanism and product design the first arm's, named by `names:`.
ARM_SECTIONS = ("genetic.variant.", "genetic.classification.", "genetic.mechanism.", "nonclinical.design.",
                "genetic.patient.")


def _shipped_path(path: str) -> str:
    moved = dict(m for step in SHIPPED_MODEL.upgrades for m in step.moves)
    if path in moved:
        return moved[path]
    for section_path in ("cmc.substance.", *ARM_SECTIONS):
        if path.startswith(section_path):
            return path.replace(section_path, section_path[:-1] + "[0].", 1)
    return path


SHIPPED = {_shipped_path(p): text for p, text in RELEASE1.values.items()} | {"genetic.variant[0].arm": '"Arm 1"'}
SECOND = "NM_001042432.2:c.462_677del"


def backups(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("*before-upgrade*"))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_release1_kept(now, values: dict[str, str]) -> None:
    """Attachments (bytes and recorded checksums), the submitted sequence, the meta data and the audit
    log as release 1 wrote them; `values` (path → stored JSON text) byte for byte."""
    assert now.values == values
    assert now.attachments == RELEASE1.attachments
    assert now.blobs == RELEASE1.blobs == RELEASE1.attachments
    assert now.sequences == RELEASE1.sequences
    assert now.meta == RELEASE1.meta
    assert now.audit[:len(RELEASE1.audit)] == RELEASE1.audit
