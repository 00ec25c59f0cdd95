"""The text form of a dossier: a folder of plain JSON files (one per section), the attachments beside
them with their checksums, and the audit history. Export then import is lossless, and exporting
the result again gives byte-identical files, so a team can keep a dossier under version control.

Layout (format 2; format 1, written by release 1, had no model_version and no instances):
    dossier.json                            {"format", "format_version", "model_version", "title",
                                             "created_at", "created_by"}
    sections/<area>.<section>.json          {"section", "fields": {field id: value}}, or for a repeated
                                            section {"section", "instances": [{field id: value}, ...]}
    attachments/attachments.json            [{"name", "media_type", "size", "sha256", "md5"}]
    attachments/files/<name>
    history.jsonl                           one audit entry per line (absent in hand-made folders)

A folder whose values follow an older content model (every format 1 folder) is read through the
model's upgrades, as opening an older dossier file upgrades it (dossier.upgrade).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .checks_phi import all_phi, appears, leaks
from .errors import DossierError, ImportFormatError, output_error
from .fieldpath import FieldPath, section_of
from .instance_edits import check_batch
from .model import ContentModel, default_model
from .readiness import dangling_attachments
from .service import AuditEntry, Dossier
from .tempdirs import dossier_aside
from .textform_sections import read_section_files, section_bodies, typed_values
from .upgrade import Plan, plan, values_version

FORMAT = "dossier-builder-text"
FORMAT_VERSION = 2
READ_VERSIONS = (1, 2)
_NAME_OK = re.compile(r"^[a-z0-9][a-z0-9-]*(\.[a-z0-9]+)?$")
WITHHELD_TITLE = "Dossier (title withheld: it may name the patient)"
_JSON_MAX = 256 << 20  # far above any section file an export writes (a value is at most a few MB)


def _dump(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2) + "\n"


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


def export_dossier(dossier: Dossier, out_dir: str | Path, include_phi: bool = True, replace: bool = False) -> Path:
    """Write the text form of `dossier` to `out_dir` (written aside and moved into place when complete)."""
    out_dir = Path(out_dir)
    if out_dir.exists() and any(out_dir.iterdir()) and not replace:
        raise DossierError(f"{out_dir} exists and is not empty; choose a new folder or pass --replace")
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.exporting-", dir=out_dir.parent))
    except OSError as exc:
        raise output_error(exc, out_dir) from None
    try:
        _write_text_form(dossier, work, include_phi)
        _move_into_place(work, out_dir)
    except OSError as exc:
        shutil.rmtree(work, ignore_errors=True)
        raise output_error(exc, out_dir) from None
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return out_dir


def _write_text_form(dossier: Dossier, work: Path, include_phi: bool) -> None:
    model, values = dossier.model, dossier.values()
    history = dossier.history()
    if not include_phi:
        history = _refuse_phi_outside_its_fields(model, values, history)
    # The title is free text that often names the patient ("ASO for patient A"): it is PHI in a copy to share.
    phi = {p for p, f in model.fields.items() if f.phi} | {"title"}

    def keep(path: str) -> bool:
        where = FieldPath.match(path)
        return include_phi or (where.field_path if where else path) not in phi

    title = dossier.title if include_phi else WITHHELD_TITLE
    # When and by whom the dossier was made is its identity: an import keeps it, so copies of one dossier
    # kept in git or sent around are known as one dossier by `dossier merge` (older folders lack it).
    created_at, created_by = dossier.created
    _write(work / "dossier.json", _dump({"format": FORMAT, "format_version": FORMAT_VERSION,
                                         "model_version": values_version(model), "title": title,
                                         "created_at": created_at, "created_by": created_by}))
    for section_path, body in section_bodies(model, values, keep).items():
        _write(work / "sections" / f"{section_path}.json", _dump(body))
    manifest = []
    files = work / "attachments" / "files"
    files.mkdir(parents=True)
    for attachment in dossier.attachments():
        dossier.copy_attachment_to(attachment.name, files / attachment.name)
        manifest.append({"name": attachment.name, "media_type": attachment.media_type, "size": attachment.size,
                         "sha256": attachment.sha256, "md5": attachment.md5})
    _write(work / "attachments" / "attachments.json", _dump(manifest))
    lines = [history_line(e) for e in history if keep(e.field)]
    _write(work / "history.jsonl", "".join(line + "\n" for line in lines))


def history_line(e: AuditEntry) -> str:
    """One audit entry as its line of history.jsonl (without the newline)."""
    return json.dumps({"at": e.at, "who": e.who, "field": e.field, "old": e.old, "new": e.new},
                      ensure_ascii=False, separators=(",", ":"))


def _refuse_phi_outside_its_fields(model: ContentModel, values: dict, history: list) -> list:
    """A copy without PHI is refused while a PHI value (today's or an earlier one) is written in another
    field: cutting it out of free text would ship whatever spelling the search missed and change the
    text without its author, so the author removes it, which also keeps it out of the documents. Earlier
    values of other fields that held it stay out of the copy's history. Returns the history to write."""
    phi = all_phi(model, values, history)
    found = list(dict.fromkeys(path for path, _ in leaks(model, values, phi)))
    if found:
        raise DossierError(
            f"a copy without protected health information was not written: PHI appears outside its own fields, "
            f"in {', '.join(found[:5])}{f' and {len(found) - 5} more' if len(found) > 5 else ''}. Remove it from "
            "there (`dossier check` shows each place) and export again")
    return [e for e in history
            if not any(appears(p, json.dumps([e.old, e.new], ensure_ascii=False)) for p in phi)]


def _move_into_place(work: Path, out_dir: Path) -> None:
    if not out_dir.exists():
        os.replace(work, out_dir)
        return
    old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
    os.replace(out_dir, old)
    os.replace(work, out_dir)
    shutil.rmtree(old, ignore_errors=True)


# Import ------------------------------------------------------------------------------------

def _regular_inside(path: Path, src: Path) -> Path:
    """The real file behind `path`, which must lie inside the folder being imported and be a regular file:
    an import never follows a link out of its folder (to /etc) nor reads a device or pipe (/dev/zero)."""
    rel = path.relative_to(src)
    try:
        real = path.resolve(strict=True)
    except FileNotFoundError:
        raise ImportFormatError(f"{rel} is missing from {src}") from None
    except (OSError, RuntimeError) as exc:  # a link loop
        raise ImportFormatError(f"{rel} cannot be read ({exc})") from None
    if not real.is_relative_to(src.resolve()):
        raise ImportFormatError(f"{rel} is a link to {real}, outside {src}; an exported folder holds its own "
                                "files: copy the file into the folder instead of linking to it")
    if not stat.S_ISREG(real.stat().st_mode):
        raise ImportFormatError(f"{rel} is not a regular file (a device, pipe or folder); put the exported file there")
    return real


def _read_text(path: Path, src: Path) -> str:
    real = _regular_inside(path, src)
    with open(real, "rb") as fh:
        data = fh.read(_JSON_MAX + 1)
    if len(data) > _JSON_MAX:
        raise ImportFormatError(f"{path.relative_to(src)} is larger than {_JSON_MAX >> 20} MB, more than any "
                                "export writes; it is not part of an exported dossier")
    return data.decode("utf-8")


def _read_json(path: Path, src: Path) -> Any:
    try:
        return json.loads(_read_text(path, src))
    except FileNotFoundError:
        raise ImportFormatError(f"{path.relative_to(src)} is missing from {src}") from None
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, UnicodeDecodeError, a too-long integer
        raise ImportFormatError(f"{path.relative_to(src)} is not valid JSON (truncated or damaged?): "
                                f"{'nested too deeply' if isinstance(exc, RecursionError) else exc}") from None


def read_values(src: str | Path, model: ContentModel) -> dict[str, Any]:
    """The values of a text-form folder as a dossier imported from it holds them (upgraded, if need be)."""
    src = Path(src)
    values, moves = _stored_values(src, model, *_model_version(_read_meta(src), model))
    return moves.apply(values) if moves else values


def _stored_values(src: Path, model: ContentModel, format_version: int,
                   since: int) -> tuple[dict[str, Any], Plan | None]:
    """The values of every section file, validated against the model, keyed by the path each was written
    at, and the upgrade that moves them when they follow an older model version `since` (else None).
    Unknown sections and fields are refused."""
    # A folder of an older model may hold sections this one no longer has, whose values the upgrade moves.
    sections = {s.path for s in model.sections()} | {section_of(old) for step in model.upgrades
                                                     if step.version > since for old, _ in step.moves}
    raw = read_section_files(src, lambda path: _read_json(path, src), format_version >= 2, sections)
    moves = plan(model, raw, since) if since < values_version(model) else None
    renames = moves.renames if moves else {}
    aside = moves.set_aside if moves else {}  # typed as the value kept: the import logs them leaving (dossier.upgrade)
    typed = typed_values(model, {renames.get(p, p): v for p, v in raw.items() if p not in aside})
    typed_aside = {p: typed_values(model, {renames[kept]: raw[p]}).get(renames[kept]) for p, kept in aside.items()}
    if model.repeats:  # every instance named, names unique, numbered from 0 without gaps
        errors, _ = check_batch(model, {}, {**typed, **(moves.names if moves else {})})
        if errors:
            more = f"; and {len(errors) - 3} more" if len(errors) > 3 else ""
            raise ImportFormatError("; ".join(str(e) for e in errors[:3]) + more)
    return {**{p: typed[renames.get(p, p)] for p in raw if renames.get(p, p) in typed},
            **{p: v for p, v in typed_aside.items() if v is not None}}, moves


def _read_meta(src: Path) -> dict:
    meta = _read_json(src / "dossier.json", src)
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ImportFormatError(f"{src}/dossier.json does not describe a {FORMAT} folder")
    return meta


def _model_version(meta: dict, model: ContentModel) -> tuple[int, int]:
    """(format version, model version its values follow) of a folder's dossier.json."""
    version = meta.get("format_version")
    if version not in READ_VERSIONS:
        raise ImportFormatError(f"text form version {version!r} is not supported (this program reads "
                                f"{' and '.join(map(str, READ_VERSIONS))}); a newer Dossier Builder wrote it")
    since = meta.get("model_version", 1) if version >= 2 else 1  # format 1: release 1, model version 1
    if not isinstance(since, int) or isinstance(since, bool) or since < 1:
        raise ImportFormatError(f"dossier.json: model_version must be a whole number from 1, got {since!r}")
    if since > values_version(model):
        raise ImportFormatError(f"the folder's values follow content model version {since}, newer than this "
                                f"program's (version {values_version(model)}); update Dossier Builder to import it")
    return version, since


def _read_attachments(src: Path) -> list[dict]:
    manifest = _read_json(src / "attachments" / "attachments.json", src) \
        if (src / "attachments" / "attachments.json").exists() else []
    if not isinstance(manifest, list):
        raise ImportFormatError("attachments/attachments.json must be a list")
    from .pdfcheck import check_pdf  # pikepdf: only when importing, not when the app starts

    for entry in manifest:
        name = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not _NAME_OK.match(name) or Path(name).is_absolute():
            raise ImportFormatError(f"attachments.json: unsafe or invalid attachment name {name!r}; names are "
                                    "lower-case letters, digits and hyphens with one extension")
        path = src / "attachments" / "files" / name
        if not path.exists() and not path.is_symlink():
            raise ImportFormatError(f"attachment {name} is listed but attachments/files/{name} is missing")
        entry["path"] = _regular_inside(path, src)
        _verify(entry)
        problems = check_pdf(entry["path"]) if name.endswith(".pdf") else \
            [f"{name} is not named .pdf; every attachment is a PDF"]
        if problems:
            raise ImportFormatError(f"attachment {name}: {'; '.join(problems)}")
    return manifest


def _verify(entry: dict) -> None:
    """Size and checksums as attachments.json declares them; never reads more than the declared size."""
    declared = entry.get("size")
    if not isinstance(declared, int) or isinstance(declared, bool) or declared < 0 \
            or entry["path"].stat().st_size != declared:
        raise ImportFormatError(f"attachment {entry['name']}: its size does not match attachments.json (the file "
                                "was changed, truncated or damaged); restore the original file")
    sha, md5, size = hashlib.sha256(), hashlib.md5(), 0
    with open(entry["path"], "rb") as fh:
        while size <= declared and (chunk := fh.read(min(1 << 20, declared + 1 - size))):
            sha.update(chunk)
            md5.update(chunk)
            size += len(chunk)
    if size != entry.get("size") or sha.hexdigest() != entry.get("sha256") or md5.hexdigest() != entry.get("md5"):
        raise ImportFormatError(f"attachment {entry['name']}: size or checksum does not match attachments.json "
                                "(the file was changed, truncated or damaged); restore the original file")


def _history_entry(line: str, n: int) -> AuditEntry:
    try:
        data = json.loads(line)
        return AuditEntry(data["at"], data["who"], data["field"], data["old"], data["new"])
    except (ValueError, KeyError, TypeError, RecursionError):
        raise ImportFormatError(f"history.jsonl line {n} is not a valid history entry") from None


def _read_history(src: Path) -> list[AuditEntry] | None:
    path = src / "history.jsonl"
    if not path.exists():
        return None
    entries = []
    # Lines end at "\n" only (newline="\n"): JSON keeps U+2028 and U+0085 raw inside strings. Read line by line,
    # so memory follows the longest entry, not the whole log.
    with open(_regular_inside(path, src), encoding="utf-8", newline="\n") as fh:
        try:
            for n, line in enumerate(fh, 1):
                entries.append(_history_entry(line, n))
        except UnicodeDecodeError:
            raise ImportFormatError("history.jsonl is not UTF-8 text (damaged?)") from None
    return entries


@dataclass(frozen=True)
class Folder:
    """A text-form folder read and checked whole: what an import stores, what a diff or merge compares."""
    src: Path
    title: str
    created: tuple[str, str] | None  # None: written before exports kept the dossier's identity
    values: dict[str, Any]  # as this content model places them (upgraded, for a folder of an older one)
    attachments: list[dict]  # attachments.json entries, each with the checked file's "path"
    history: list[AuditEntry] | None
    stored: dict[str, Any] | None = None  # a folder of an older model: its values where it wrote them,
    upgrade: Plan | None = None           # and the upgrade that moves them (an import logs it)


def read_folder(src: str | Path, model: ContentModel | None = None) -> Folder:
    """Read a text-form folder: values validated, attachments checked against their checksums and FDA's
    PDF rules, references to attachments resolved; ImportFormatError names the first problem."""
    src = Path(src)
    model = model or default_model()
    meta = _read_meta(src)
    format_version, since = _model_version(meta, model)
    created = _created(meta, src)
    stored, moves = _stored_values(src, model, format_version, since)
    values = moves.apply(stored) if moves else stored
    attachments = _read_attachments(src)
    _check_refs(model, values, {a["name"] for a in attachments})
    title = meta["title"] if isinstance(meta.get("title"), str) and meta["title"].strip() else src.name
    return Folder(src, title, created, values, attachments, _read_history(src), stored if moves else None, moves)


def _created(meta: dict, src: Path) -> tuple[str, str] | None:
    """The dossier's identity (when and by whom it was made), None in a folder exported before it was kept."""
    at, who = meta.get("created_at"), meta.get("created_by")
    if at is None and who is None:
        return None
    if not (isinstance(at, str) and at and isinstance(who, str) and who):
        raise ImportFormatError(f"{src}/dossier.json: created_at and created_by must both be given as texts "
                                "(as the export wrote them), or both left out")
    return at, who


def import_dossier(src: str | Path, target: str | Path, who: str | None = None,
                   model: ContentModel | None = None, notes: list[str] | None = None) -> Path:
    """Make a new dossier file from a text-form folder; all of it or nothing. The new file is the same
    dossier as the one exported (its identity is kept), so it can be merged with its other copies. The
    values of a folder of an older content model move as opening an older file moves them, logged alike;
    what the user should know of that upgrade is added to `notes`."""
    target = Path(target)
    if target.exists():
        raise DossierError(f"{target} already exists; choose a new file name")
    folder = read_folder(src, model)
    with dossier_aside(target, "importing") as temp_name:
        # A folder exported before the identity was kept: its first recorded change stands in for the making,
        # so every import of it is the same dossier (without a history, the import is a dossier of its own).
        first = folder.history[0] if folder.history else None
        created = folder.created or ((first.at, first.who) if first else None)
        with Dossier.create(temp_name, folder.title, who=who, model=model, created=created) as dossier:
            dossier.restore([(entry["name"], entry["path"]) for entry in folder.attachments],
                            folder.values if folder.stored is None else folder.stored, folder.history, who=who,
                            upgrade=folder.upgrade)
            if notes is not None:
                notes += dossier.notes
    return target


def _check_refs(model: ContentModel, values: dict, names: set[str]) -> None:
    for finding in dangling_attachments(model, values, names):
        raise ImportFormatError(f"{finding.field}: {finding.message}")
