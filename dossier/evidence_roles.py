"""The content model's `roles: evidence:` — which fields the shared-evidence commands read and write:
`import-natural-history` (the comparator's cohort rows and measures) and `export-phenopackets` (the
patient's phenotype, disease, variant and treatment), and the ontology term or phenopacket value each
choice stands for. Reading checks every entry against the model, and refuses a phenopacket role on a
field marked phi: a shared export never reads one (docs/shared-evidence.md)."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

NATURAL_HISTORY_PARTS = ("subject", "measure", "unit", "patients", "span")
PHENOPACKET_PARTS = ("phenotypes", "onset", "gene", "gene_id", "disease", "disease_id", "variant",
                     "second_allele", "zygosity", "classification", "product", "route", "dose")


@dataclass(frozen=True)
class EvidenceRoles:
    natural_history: dict[str, str] = dc_field(default_factory=dict)  # part → table.column, group, age_unit
    phenopacket: dict[str, str] = dc_field(default_factory=dict)      # part → field path
    terms: dict[str, dict[str, str]] = dc_field(default_factory=dict)  # choice field → choice → term

    def term(self, part: str, choice: Any) -> str | None:
        """The term the model gives `choice` of the phenopacket field playing `part`, if any."""
        return self.terms.get(self.phenopacket.get(part, ""), {}).get(choice)


def read_evidence(r, raw: Any, model, field_or_column, choice, known_keys) -> EvidenceRoles:
    """`roles: evidence:` (absent: no shared-evidence roles); the helpers are roles.py's checks."""
    if raw is None:
        return EvidenceRoles()
    raw = r.mapping(raw, "roles.evidence")
    known_keys(r, raw, {"natural_history", "phenopacket", "terms"}, "roles.evidence")
    nh = _natural_history(r, raw.get("natural_history"), model, field_or_column, choice, known_keys)
    pp = {}
    place = "roles.evidence.phenopacket"
    data = r.mapping(raw.get("phenopacket") or {}, place)
    known_keys(r, data, set(PHENOPACKET_PARTS), place)
    for part, path in data.items():
        _, spec = field_or_column(r, model, path, f"{place}.{part}", None)
        if spec.phi:
            raise r.fail(f"{place}.{part}", f"'{path}' holds protected health information; a shared export "
                                            "never reads it")
        pp[part] = path
    terms = {}
    for path, data in r.mapping(raw.get("terms") or {}, "roles.evidence.terms").items():
        tplace = f"roles.evidence.terms.{path}"
        _, spec = field_or_column(r, model, path, tplace, {"choice"})
        data = r.mapping(data, tplace)
        for key in data:
            choice(r, spec, key, f"{tplace}.{key}")
        terms[path] = {str(k): str(v) for k, v in data.items()}
    return EvidenceRoles(nh, pp, terms)


def _natural_history(r, raw: Any, model, field_or_column, choice, known_keys) -> dict[str, str]:
    from .quantities import unit

    place = "roles.evidence.natural_history"
    if raw is None:
        return {}
    data = r.mapping(raw, place)
    known_keys(r, data, {*NATURAL_HISTORY_PARTS, "group", "age_unit"}, place)
    found = {}
    for part in NATURAL_HISTORY_PARTS:
        table, _ = field_or_column(r, model, r.text(data, part, place), f"{place}.{part}", None)
        if table is None:
            raise r.fail(f"{place}.{part}", "expected a table's column (area.section.table.column)")
        found[part] = data[part]
    age_unit = unit(r.text(data, "age_unit", place))
    if age_unit is None or age_unit.dimension != "time":
        raise r.fail(f"{place}.age_unit", f"'{data['age_unit']}' is not a unit of time (years, months …)")
    found["age_unit"] = age_unit.spelling
    found["group"] = r.text(data, "group", place)
    return found
