"""One file of an exported folder merged three-way (`dossier merge-file BASE OURS THEIRS PATH`), as git
calls a merge driver (%O %A %B %P) for a file both branches changed. Each kind of file is merged as
`dossier merge` merges that part of the dossier, so a git merge of two branches of an exported folder
gives the folder `dossier merge` would write:

    sections/<area>.<section>.json   field by field, table rows by key, a repeated section's instances by
                                     name (when both sides changed a section whose instances are named
                                     in another file, that is a conflict: use `dossier merge`)
    attachments/attachments.json     by name and content hash (git merges the files beside it)
    history.jsonl                    both histories, each entry once, in time order
    dossier.json                     the title; the identity and format must agree

The result is written over OURS (aside, then renamed); on a conflict OURS is left as it was.
"""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath
from typing import Any

from .diffing import by_name
from .errors import DossierError, FieldError
from .fieldpath import section_of
from .fieldtypes import coerce
from .merging import BOTH_CHANGED, Conflict, Merger, combine_history, merge_attachments, merge_instances, pick
from .model import ContentModel, Section, default_model
from .repeats import instance_key, instances
from .snapshot import AttachmentCopy
from .tempdirs import replace_text
from .textform import _dump, _history_entry, history_line

_IDENTITY = ("format", "format_version", "model_version", "created_at", "created_by")


def merge_file(base: str | Path, ours: str | Path, theirs: str | Path, path: str,
               model: ContentModel | None = None) -> list[Conflict]:
    """Merge the three versions of the file at `path` (its place in the repository) into `ours`;
    returns the conflicts (then `ours` is unchanged)."""
    model = model or default_model()
    where = PurePosixPath(path.replace("\\", "/"))
    texts = [_read(Path(p)) for p in (base, ours, theirs)]
    conflicts: list[Conflict] = []
    if where.name == "history.jsonl":
        merged = _history(texts)
    elif where.name == "attachments.json" and where.parent.name == "attachments":
        merged, conflicts = _attachment_list(texts, path)
    elif where.name == "dossier.json":
        merged, conflicts = _meta(texts, path)
    elif where.parent.name == "sections" and where.suffix == ".json":
        merged, conflicts = _section(texts, where.stem, model, path)
    else:
        raise DossierError(f"{path} is not a file `dossier merge-file` merges (section files, attachments.json, "
                           "history.jsonl and dossier.json of an exported folder); route only those to the dossier "
                           "driver in .gitattributes (see docs/collaboration.md)")
    if not conflicts:
        replace_text(Path(ours), merged, "merging")
    return conflicts


def _read(path: Path) -> str:
    """A version's text; git gives an empty file for a side where the file did not exist."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""
    except (OSError, UnicodeDecodeError) as exc:
        raise DossierError(f"cannot read {path}: {exc}") from None


def _json(text: str, path: str, empty: Any) -> Any:
    if not text.strip():
        return empty
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise DossierError(f"{path}: one version is not valid JSON (a conflict marker left in it?); "
                           "export the folder again and merge again") from None


def _history(texts: list[str]) -> str:
    sides = [[_history_entry(line, n) for n, line in enumerate(text.split("\n"), 1) if line] for text in texts]
    combined = combine_history(*sides) or []
    return "".join(history_line(e) + "\n" for e in combined)


def _attachment_list(texts: list[str], path: str) -> tuple[str, list[Conflict]]:
    versions = []
    for text in texts:
        entries = _json(text, path, [])
        if not isinstance(entries, list) or not all(isinstance(e, dict) and isinstance(e.get("name"), str)
                                                     and isinstance(e.get("sha256"), str) for e in entries):
            raise DossierError(f"{path}: one version is not a list of attachments with name and sha256")
        versions.append({e["name"]: AttachmentCopy(e["name"], e.get("media_type", ""), e.get("size", 0),
                                                   e["sha256"], e.get("md5", ""), Path(path), True) for e in entries})
    merger = Merger(default_model())
    merged = merge_attachments(merger, *versions)
    manifest = [{"name": a.name, "media_type": a.media_type, "size": a.size, "sha256": a.sha256, "md5": a.md5}
                for a in sorted(merged.values(), key=lambda a: a.name)]
    return _dump(manifest), merger.conflicts


def _meta(texts: list[str], path: str) -> tuple[str, list[Conflict]]:
    versions = [_json(text, path, {}) for text in texts]
    if not all(isinstance(v, dict) for v in versions):
        raise DossierError(f"{path}: one version is not a JSON object")
    base, ours, theirs = versions
    conflicts = [Conflict(key, "differs between the two sides (not copies of one dossier exported by one version: "
                               "export both with this version, or merge copies of one dossier)",
                          base.get(key), ours.get(key), theirs.get(key))
                 for key in _IDENTITY if ours.get(key) != theirs.get(key)]
    title = pick(base.get("title"), ours.get("title"), theirs.get("title"))
    if title is BOTH_CHANGED:
        conflicts.append(Conflict("title", "changed differently on both sides", base.get("title"), ours.get("title"),
                                  theirs.get("title")))
    return _dump({**ours, "title": title}), conflicts


def _section(texts: list[str], section_path: str, model: ContentModel, path: str) -> tuple[str, list[Conflict]]:
    try:
        section = model.section(section_path)
    except DossierError:
        raise DossierError(f"{path}: {section_path} is not a section of the content model") from None
    repeat = model.repeat_of(section_path)
    versions = [_section_values(text, section, repeat is not None, path) for text in texts]
    merger = Merger(model)
    if repeat is None:
        merged = merger.values(*versions)
        body = {f.id: merged[f.path] for f in section.fields if f.path in merged}
        return _dump({"section": section_path, "fields": body}), merger.conflicts
    if repeat.name not in {f.path for f in section.fields}:
        # Which instance is which is told by the name, in another file: this file alone cannot pair them.
        return texts[1], [Conflict(section_path, f"both sides changed it, and its {repeat.label.lower()} instances "
                                                 f"are named in {section_of(repeat.name)}.json: merge the two copies "
                                                 "with `dossier merge` (see docs/collaboration.md)", None, None, None)]
    named = [by_name(model, v, role) for v, role in zip(versions, ("BASE", "OURS", "THEIRS"), strict=True)]
    merged = merge_instances(merger, *named)
    body_instances = [{f.id: merged[instance_key(f.path, i)] for f in section.fields
                       if instance_key(f.path, i) in merged} for i in range(len(instances(model, merged, repeat.id)))]
    return _dump({"section": section_path, "instances": body_instances}), merger.conflicts


def _section_values(text: str, section: Section, repeated: bool, path: str) -> dict[str, Any]:
    """One version of a section file as values by path (a repeated section's as instance paths)."""
    known = {f.id: f for f in section.fields}
    shape = "instances" if repeated else "fields"
    data = _json(text, path, {"section": section.path, shape: [] if repeated else {}})
    body = data.get(shape) if isinstance(data, dict) and data.get("section") == section.path else None
    listed = (body if isinstance(body, list) else None) if repeated else ([body] if isinstance(body, dict) else None)
    if listed is None or not all(isinstance(b, dict) and all(k in known for k in b) for b in listed):
        raise DossierError(f"{path}: one version is not the section file of {section.path} "
                           f'(expected "{shape}" with the fields of this section: {", ".join(known)})')
    try:
        return {(instance_key(known[k].path, i) if repeated else known[k].path): coerce(known[k], v)
                for i, fields in enumerate(listed) for k, v in fields.items()}
    except FieldError as exc:
        raise DossierError(f"{path}: {exc}") from None
