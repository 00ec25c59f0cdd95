"""The dossier as the user sees it: fields of the content model, validated on the way in, stored in
one SQLite file, checked for readiness. The CLI and the desktop app both go through this class.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from .cells import apply_cells, table_of
from .conditions import Applicability
from .dossier_attachments import DossierAttachments
from .errors import DossierError, FieldError, RefusedValuesError
from .fieldpath import cell_path
from .fieldtypes import check_stored, coerce, is_filled
from .instance_edits import InstanceEdits, check_batch
from .limits import shown
from .model import ContentModel, Field, default_model
from .readiness import Finding, Report, check_dossier
from .records import AuditEntry, SubmittedSequence, damaged_value
from .repeats import Instance, check_instance_path, in_single, instance_key, instance_view, instances, kept
from .store import Store
from .upgrade import VERSION_KEY, Plan, apply_upgrade, bring_forward, former_paths, values_version

_SEQUENCE_DETAILS = "ectd.sequence.{}"  # the setting that holds what was recorded about a sequence's leaves


class FieldState(NamedTuple):
    """A field as a dossier holds it (Dossier.fields): where, whether filled, whether it applies, and
    for a field of a repeated section, which instance."""
    path: str
    field: Field
    filled: bool
    applies: bool
    instance: Instance | None = None


class Dossier(InstanceEdits, DossierAttachments):
    """One open dossier file.

    >>> with Dossier.create("case.dossier", title="ASO for patient A") as d:
    ...     d.set("area.section.field", "CLN3")
    """

    def __init__(self, store: Store, model: ContentModel | None = None):
        self.store = store
        self.model = model or default_model()

    @classmethod
    def create(cls, path: str | Path, title: str, who: str | None = None, model: ContentModel | None = None,
               created: tuple[str, str] | None = None) -> Dossier:
        """A new dossier file; `created` (when, by whom) keeps the identity of the dossier it continues
        (an import of its text form, a merge of its copies)."""
        if not title.strip():
            raise DossierError("give the dossier a title, e.g. --title 'ASO for patient A'")
        dossier = cls(Store.create(path, title.strip(), who=who, created=created), model)
        dossier.store.set_setting(VERSION_KEY, values_version(dossier.model))  # the layout its values follow
        return dossier

    @classmethod
    def open(cls, path: str | Path, who: str | None = None, model: ContentModel | None = None,
             read_only: bool = False) -> Dossier:
        """Open for editing (one program at a time), or with `read_only` for reading, which works also
        while another program edits the file; every change then raises DossierFileError. A dossier whose
        values follow an older content model is upgraded first (a backup is kept beside it, and `notes`
        says so); read-only, it is read as upgraded and left as it is (dossier.upgrade)."""
        store = Store.open(path, who=who, read_only=read_only)
        try:
            dossier = cls(store, model)
            bring_forward(store, dossier.model)
        except BaseException:
            store.close()
            raise
        return dossier

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Dossier:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def path(self) -> Path:
        return self.store.path

    @property
    def title(self) -> str:
        return self.store.title

    def field(self, path: str) -> Field:
        return self.model.field(path)

    def get(self, path: str) -> Any:
        """The stored value of a field (in a repeated section: of one instance, `a.s[i].f`), or None when empty."""
        path = in_single(self.model, self.store.values, path)
        field = self.model.field(path)
        self._check_instance(path)
        return self._checked(field, self.store.get(path))

    def values(self) -> dict[str, Any]:
        """Every filled field of the model, path → value, in model order; a repeated section's fields once
        per instance (`a.s[i].f`), instance by instance, those kept hidden beyond the first too (repeats.kept)."""
        stored = self.store.values()
        counts = {r: kept(self.model, stored, r) for r in self.model.repeats}
        values = {}
        for section in self.model.sections():
            keys = [[(f.path, f) for f in section.fields]] if section.repeat is None else \
                [[(instance_key(f.path, i), f) for f in section.fields] for i in range(counts[section.repeat])]
            for key, f in (pair for group in keys for pair in group):
                if is_filled(stored.get(key)):
                    values[key] = self._checked(f, stored[key])
        return values

    def _check_instance(self, path: str, adding: Iterable[int] = ()) -> None:
        """Refuse a path into a repeated section that names no instance, or one that does not exist."""
        if self.model.repeat_of(path) is not None:
            check_instance_path(self.model, self.store.values(), path, adding)

    def _checked(self, field: Field, value: Any) -> Any:
        try:
            check_stored(field, value)
        except FieldError as exc:
            raise damaged_value(self.path, field.path, exc.problem) from None
        return value

    def validate(self, path: str, raw: Any) -> Any:
        """The typed value `raw` would be stored as; FieldError when it does not fit (an instance's name
        also when it is empty or names another instance)."""
        path = in_single(self.model, self.store.values, path)
        field = self.model.field(path)
        repeat = self.model.repeat_of(path)
        if repeat is not None and field.path == repeat.name:
            errors, _ = check_batch(self.model, self.store.values(), {path: raw})
            if errors:
                raise errors[0]
        return self._typed(field, path, raw)

    def _typed(self, field: Field, path: str, raw: Any) -> Any:
        value = coerce(field, raw, path)
        self._check_attachment_refs(path, field, value)
        return value

    def set(self, path: str, raw: Any, who: str | None = None) -> bool:
        """Validate and store one field in its own transaction; True when the value changed. In a repeated
        section the path names an instance (`a.s[i].f`); the name field of the next instance adds it. A
        repeat that does not apply has one instance, which a plain path (`a.s.f`) names (repeats.in_single)."""
        path = in_single(self.model, self.store.values, path)
        if self.model.repeat_of(path) is not None:
            try:
                return bool(self.set_many({path: raw}, who=who))
            except RefusedValuesError as exc:
                raise exc.errors[0] from None  # one value: its one refusal, as for any field
        return self.store.set(path, self.validate(path, raw), who=who)

    def set_many(self, raw_values: dict[str, Any], who: str | None = None) -> list[str]:
        """Validate every value, then store them all in one transaction, one history entry per field
        that changed; returns the paths of those fields. When any value is refused, nothing is stored
        and RefusedValuesError lists every refusal (see validate_many).

        >>> d.set_many({"area.section.field": "CLN3", "area.section.table[1].column": "4 mg"})
        """
        return self.store.set_many(self.validate_many(raw_values), who=who)

    def validate_many(self, raw_values: dict[str, Any]) -> dict[str, Any]:
        """Field path → typed value for many values at once; RefusedValuesError lists every one that
        does not fit. Keys are field paths, or table cells (`table[2].column`) of rows the table has or
        of the next ones, written into the stored rows; an empty value clears the field or the cell."""
        values: dict[str, Any] = {}
        errors: list[FieldError] = []
        cells: dict[str, dict[str, Any]] = {}
        if self.model.repeats:  # instances named, added in order, named uniquely (dossier.instance_edits)
            stored = self.store.values()
            raw_values = {in_single(self.model, lambda: stored, p): v for p, v in raw_values.items()}
            errors, not_taken = check_batch(self.model, stored, raw_values)
            raw_values = {p: v for p, v in raw_values.items() if p not in not_taken}
        for path, raw in raw_values.items():
            table = table_of(path)
            if table is not None:
                cells.setdefault(table, {})[path] = raw
                continue
            try:
                values[path] = self._typed(self.model.field(path), path, raw)
            except FieldError as exc:
                errors.append(exc)
        for table, given in cells.items():
            try:
                if table in raw_values:
                    raise FieldError(table, "given both as a whole table and cell by cell; use one or the other")
                rows, refused = apply_cells(self.model.field(table), self.store.get(table), given)
                errors += refused
                if not refused:
                    values[table] = self._typed(self.model.field(table), table, rows)
            except FieldError as exc:
                errors.append(exc)
        if errors:
            raise RefusedValuesError(errors)
        return values

    def clear(self, path: str, who: str | None = None, purge_history: bool = False) -> bool:
        """Empty a field. With `purge_history` (fields holding protected health information only) every
        earlier value leaves the history too, and the file keeps no trace of them; the history then says
        that, when and by whom entries were purged, not what they held."""
        path = in_single(self.model, self.store.values, path)
        field = self.model.field(path)
        self._check_instance(path)
        repeat = self.model.repeat_of(path)
        if repeat is not None and field.path == repeat.name:
            raise FieldError(path, "an instance exists while its name is filled: rename it, or remove the "
                                   "instance as a whole (`dossier instances remove`)")
        if not purge_history:
            return self.store.set(path, None, who=who)
        if not field.phi:
            raise FieldError(path, f"{field.label} does not hold protected health information, so its history stays "
                                   "(the audit trail of a dossier is kept); clear it without purging")
        return self.store.clear_and_purge(path, who=who, earlier=former_paths(self.store, path))

    def _check_references(self, values: Mapping[str, Any]) -> None:
        """Every attachment the values (path → stored value) name is stored in the dossier."""
        for path, value in values.items():
            self._check_attachment_refs(path, self.model.field(path), value)

    def _check_attachment_refs(self, path: str, field: Field, value: Any) -> None:
        refs: list[tuple[str, str]] = []  # (the field or cell that names it, attachment name)
        if field.type == "attachment" and value:
            refs = [(path, name) for name in value]
        elif field.type == "table" and value:
            refs = [(cell_path(path, i, c.id), row[c.id]) for i, row in enumerate(value) for c in field.columns
                    if c.type == "attachment" and c.id in row]
        known = {a.name for a in self.store.attachments()} if refs else set()
        for where, name in refs:
            if name not in known:
                raise FieldError(where, f"no attachment named '{shown(name)}' in this dossier; attach the file first")

    # Submitted sequences ------------------------------------------------------------------

    def sequences(self) -> list[SubmittedSequence]:
        """The sequences recorded as submitted, oldest first, each with every file's MD5."""
        return self.store.sequences()

    def sequence_details(self) -> dict[str, dict]:
        """What was recorded about each submitted sequence's leaves (number → details; {} if none)."""
        return {s.number: self.store.get_setting(_SEQUENCE_DETAILS.format(s.number), {}) for s in self.sequences()}

    def record_submission(self, number: str, files: dict[str, str], details: dict, who: str | None = None,
                          at: str | None = None) -> None:
        """Record sequence `number` as submitted: every file's MD5 (a deleted leaf as path → "") and
        the details of its leaves, in one transaction. A number is recorded once, never again."""
        self.store.record_sequence(number, files, who=who, settings={_SEQUENCE_DETAILS.format(number): details}, at=at)

    @property
    def created(self) -> tuple[str, str]:
        """When and by whom the dossier was made (kept by its text form, its imports and merges)."""
        meta = self.store.meta()
        return meta.get("created_at", ""), meta.get("created_by", "")

    @property
    def identity(self) -> str:
        """Tells this dossier from any other, whatever its file is called (when and by whom it was made)."""
        return "|".join(self.created)

    def restore(self, attachments: Iterable[tuple[str, Path]], values: dict[str, Any],
                history: list[AuditEntry] | None, who: str | None = None, upgrade: Plan | None = None) -> None:
        """Fill a new, empty dossier from its text form (dossier.textform): each attachment under its
        name, the values (already validated), the history as it was when given, and then, for a folder
        of an older content model, the `upgrade` that moves its values (logged as opening an older file logs it)."""
        if self.store.values() or self.attachments():
            raise DossierError(f"{self.path.name} is not empty; a text form is imported into a new dossier only")
        for name, path in attachments:
            self.store.attach(name, path, who=who)
        self.store.set_many(values, who=who)
        if history is not None:
            self.store.replace_history(history)
        if upgrade is not None:
            apply_upgrade(self.store, upgrade, None, self.model)

    # Readiness and history ----------------------------------------------------------------

    def check(self) -> Report:
        """Readiness, and first any stored value changed outside Dossier Builder (as an error on its field)."""
        held = self.store.attachments()
        report = check_dossier(self.model, self.values(), [a.name for a in held], self.attachment_texts(held))
        damaged = [Finding("error", "the stored value was changed outside Dossier Builder (it no longer matches its "
                                    f"checksum); `dossier restore {self.path.name} {path}` puts back its last recorded "
                                    "value", path, "", "stored-value-checksum")
                   for path in self.store.damaged_values()]
        return dataclasses.replace(report, findings=tuple(damaged) + report.findings) if damaged else report

    def damaged_values(self) -> list[str]:
        """Fields whose stored value no longer matches its checksum (see Store.damaged_values)."""
        return self.store.damaged_values()

    def restore_from_history(self, path: str, who: str | None = None) -> Any:
        """Put back the last value the history recorded for a damaged field; returns it."""
        self.model.field(path)  # a damaged value may lie in an instance that no longer reads as one: no _check_instance
        return self.store.restore_from_history(path, who=who)

    @property
    def notes(self) -> list[str]:
        """What the user should know about the file as it was opened (objects another program had added)."""
        return self.store.notes

    def applicability(self, values: dict[str, Any] | None = None) -> Applicability:
        """Which parts of the model apply under this dossier's values (see dossier.conditions)."""
        return Applicability(self.model, self.values() if values is None else values)

    def fields(self) -> Iterable[FieldState]:
        """Every field of the model, with its path, whether it is filled and whether it applies; a field of
        a repeated section once per instance (its path `a.s[i].f`, `instance` saying which). Completeness
        counts the fields that apply; one that does not keeps its value but is neither required nor counted."""
        values = self.values()
        ap = self.applicability(values)  # a field outside the repeats depends on no repeated field
        for section in self.model.sections():
            if section.repeat is None:
                yield from (FieldState(f.path, f, f.path in values, ap.field(f.path)) for f in section.fields)
                continue
            repeat = self.model.repeats[section.repeat]
            for i, name in enumerate(instances(self.model, values, repeat.id)):
                seen = self.applicability(instance_view(self.model, values, repeat.id, i))
                yield from (FieldState(path, f, path in values, seen.field(f.path), Instance(repeat, i, name))
                            for f, path in ((f, instance_key(f.path, i)) for f in section.fields))

    def history(self, path: str | None = None) -> list[AuditEntry]:
        """The audit log, or one field's entries (a plain path into a repeat that does not apply: its one
        instance's, as `get` and `set` read it)."""
        if path is not None and path != "title" and not path.startswith("attachment:"):
            path = in_single(self.model, self.store.values, path)
            self.model.field(path)
        return self.store.history(path)
