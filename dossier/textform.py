"""The text form of a dossier: a folder of plain JSON files (one per section), the attachments beside
them with their checksums, and the audit history. Export then import is lossless, and exporting
the result again gives byte-identical files, so a team can keep a dossier under version control.

Layout:
    dossier.json                            {"format", "format_version", "title", "created_at", "created_by"}
    sections/<area>.<section>.json          {"section", "fields": {field id: value}}
                                            a repeated section: {"section", "instances": [{field id: value}]}
    attachments/attachments.json            [{"name", "media_type", "size", "sha256", "md5"}]
    attachments/files/<name>
    history.jsonl                           one audit entry per line (absent in hand-made folders)
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
from .errors import DossierError, FieldError, ImportFormatError, output_error
from .fieldtypes import coerce
from .instance_edits import check_batch
from .model import ContentModel, Section, default_model
from .readiness import dangling_attachments
from .repeats import instance_key
from .service import AuditEntry, Dossier

FORMAT = "dossier-builder-text"
FORMAT_VERSION = 1
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
    title = dossier.title if include_phi else WITHHELD_TITLE
    # When and by whom the dossier was made is its identity: an import keeps it, so copies of one dossier
    # kept in git or sent around are known as one dossier by `dossier merge` (older folders lack it).
    created_at, created_by = dossier.created
    _write(work / "dossier.json", _dump({"format": FORMAT, "format_version": FORMAT_VERSION, "title": title,
                                         "created_at": created_at, "created_by": created_by}))
    withheld = set() if include_phi else phi
    for section in model.sections():
        kept = [f for f in section.fields if f.path not in withheld]
        if section.repeat is None:
            body: dict[str, Any] = {"fields": {f.id: values[f.path] for f in kept if f.path in values}}
        else:
            count = len(dossier.instances(section.repeat))
            keys = [[(f.id, instance_key(f.path, i)) for f in kept] for i in range(count)]
            body = {"instances": [{fid: values[k] for fid, k in instance if k in values} for instance in keys]}
        _write(work / "sections" / f"{section.path}.json", _dump({"section": section.path, **body}))
    manifest = []
    files = work / "attachments" / "files"
    files.mkdir(parents=True)
    for attachment in dossier.attachments():
        dossier.copy_attachment_to(attachment.name, files / attachment.name)
        manifest.append({"name": attachment.name, "media_type": attachment.media_type, "size": attachment.size,
                         "sha256": attachment.sha256, "md5": attachment.md5})
    _write(work / "attachments" / "attachments.json", _dump(manifest))
    lines = [history_line(e) for e in history if include_phi or e.field not in phi]
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


def read_values(src: Path, model: ContentModel) -> dict[str, Any]:
    """Validated values of every section file; refuses unknown sections and fields."""
    sections = {s.path: s for s in model.sections()}
    values: dict[str, Any] = {}
    folder = src / "sections"
    if not folder.is_dir():
        raise ImportFormatError(f"{src} has no sections/ folder; is it a dossier text form?")
    for path in sorted(folder.iterdir()):
        rel = path.relative_to(src)
        if path.suffix != ".json" or path.stem not in sections:
            raise ImportFormatError(f"{rel}: not a section of the content model "
                                    "(sections are named area.section.json)")
        section = sections[path.stem]
        for i, fields in _section_values(_read_json(path, src), section, rel):
            known = {f.id: f for f in section.fields}
            for field_id, raw in fields.items():
                if field_id not in known:
                    raise ImportFormatError(f"{rel}: unknown field '{field_id}'; "
                                            f"fields of this section: {', '.join(known)}")
                key = known[field_id].path if i is None else instance_key(known[field_id].path, i)
                try:
                    value = coerce(known[field_id], raw, key)
                except FieldError as exc:
                    raise ImportFormatError(f"{rel}: {exc}") from None
                if value is not None:
                    values[key] = value
    if model.repeats:  # every instance named, names unique, numbered from 0 without gaps
        errors, _ = check_batch(model, {}, values)
        if errors:
            more = f"; and {len(errors) - 3} more" if len(errors) > 3 else ""
            raise ImportFormatError("; ".join(str(e) for e in errors[:3]) + more)
    return values


def _section_values(data: Any, section: Section, rel: Path) -> list[tuple[int | None, dict]]:
    """A section file's fields ((None, fields)), or a repeated section's instances ((i, fields) each)."""
    key, shape = ("fields", "{...}") if section.repeat is None else ("instances", "[{...}, ...]")
    given = data.get(key) if isinstance(data, dict) else None
    if not isinstance(data, dict) or data.get("section") != section.path or \
            not isinstance(given, dict if section.repeat is None else list):
        raise ImportFormatError(f"{rel}: expected {{\"section\": \"{section.path}\", \"{key}\": {shape}}}"
                                + (" (the section repeats: one mapping of fields per instance)" if section.repeat
                                   else ""))
    if isinstance(given, dict):
        return [(None, given)]
    if not all(isinstance(fields, dict) for fields in given):
        raise ImportFormatError(f"{rel}: each instance is a mapping of field id to value")
    return list(enumerate(given))


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
    values: dict[str, Any]
    attachments: list[dict]  # attachments.json entries, each with the checked file's "path"
    history: list[AuditEntry] | None


def read_folder(src: str | Path, model: ContentModel | None = None) -> Folder:
    """Read a text-form folder: values validated, attachments checked against their checksums and FDA's
    PDF rules, references to attachments resolved; ImportFormatError names the first problem."""
    src = Path(src)
    model = model or default_model()
    meta = _read_json(src / "dossier.json", src)
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ImportFormatError(f"{src}/dossier.json does not describe a {FORMAT} folder")
    if meta.get("format_version") != FORMAT_VERSION:
        raise ImportFormatError(f"text form version {meta.get('format_version')!r} is not supported "
                                f"(this program reads {FORMAT_VERSION})")
    created = _created(meta, src)
    values = read_values(src, model)
    attachments = _read_attachments(src)
    _check_refs(model, values, {a["name"] for a in attachments})
    title = meta["title"] if isinstance(meta.get("title"), str) and meta["title"].strip() else src.name
    return Folder(src, title, created, values, attachments, _read_history(src))


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
                   model: ContentModel | None = None) -> Path:
    """Make a new dossier file from a text-form folder; all of it or nothing. The new file is the same
    dossier as the one exported (its identity is kept), so it can be merged with its other copies."""
    target = Path(target)
    if target.exists():
        raise DossierError(f"{target} already exists; choose a new file name")
    folder = read_folder(src, model)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.importing-", dir=target.parent)
    os.close(fd)
    os.unlink(temp_name)
    try:
        # A folder exported before the identity was kept: its first recorded change stands in for the making,
        # so every import of it is the same dossier (without a history, the import is a dossier of its own).
        first = folder.history[0] if folder.history else None
        created = folder.created or ((first.at, first.who) if first else None)
        with Dossier.create(temp_name, folder.title, who=who, model=model, created=created) as dossier:
            dossier.restore([(entry["name"], entry["path"]) for entry in folder.attachments], folder.values,
                            folder.history, who=who)
        os.replace(temp_name, target)
    except BaseException:
        for leftover in (temp_name, temp_name + "-wal", temp_name + "-shm"):
            Path(leftover).unlink(missing_ok=True)
        raise
    return target


def _check_refs(model: ContentModel, values: dict, names: set[str]) -> None:
    for finding in dangling_attachments(model, values, names):
        raise ImportFormatError(f"{finding.field}: {finding.message}")
