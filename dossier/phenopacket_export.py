"""One GA4GH Phenopacket v2 per patient, de-identified: the patient's HPO phenotype, the disease, the
variant(s) as a genomic interpretation and the planned treatment, built with the `phenopackets`
library's own classes, written as protobuf JSON and checked by parsing it back.

Only the fields the model's `roles: evidence: phenopacket` names are read (the model refuses a field
marked phi there), so no protected health information can reach an export. The subject's id is a
pseudonym: a hash of the dossier's identity (when and by whom it was created), the same on every
export of one dossier. One phenopacket is written per arm of a master protocol (one for a dossier on any
other path), each with its own arm's patient (phenotype, onset) and variant (docs/shared-evidence.md).
The library (with protobuf) is imported here only, so `dossier get` never loads it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from . import __version__
from .errors import DossierError
from .repeats import instance_key
from .tempdirs import replace_text

# The ontologies a phenopacket may cite, by CURIE prefix (MetaData.resources must list each one used).
RESOURCES = {
    "HP": ("hp", "Human Phenotype Ontology", "http://purl.obolibrary.org/obo/hp.owl",
           "http://purl.obolibrary.org/obo/HP_"),
    "GENO": ("geno", "Genotype Ontology", "http://purl.obolibrary.org/obo/geno.owl",
             "http://purl.obolibrary.org/obo/GENO_"),
    "NCIT": ("ncit", "NCI Thesaurus", "http://purl.obolibrary.org/obo/ncit.owl",
             "http://purl.obolibrary.org/obo/NCIT_"),
    "OMIM": ("omim", "Online Mendelian Inheritance in Man", "https://www.omim.org", "https://omim.org/entry/"),
    "MONDO": ("mondo", "Mondo Disease Ontology", "http://purl.obolibrary.org/obo/mondo.owl",
              "http://purl.obolibrary.org/obo/MONDO_"),
    "HGNC": ("hgnc", "HUGO Gene Nomenclature Committee", "https://www.genenames.org",
             "https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/"),
    "UCUM": ("ucum", "Unified Code for Units of Measure", "https://ucum.org", "https://ucum.org/"),
}
_ISO_AGE = {"years": "Y", "months": "M", "weeks": "W", "days": "D"}
_CAUSATIVE = {"PATHOGENIC", "LIKELY_PATHOGENIC"}


class NoPhenotypeError(DossierError):
    """A phenopacket without a phenotype shares nothing; the export is refused before anything is written."""


def pseudonym(dossier, arm: int = 0) -> str:
    """The subject's stable pseudonymous id: not the patient's name or any phi value, only the dossier's identity
    (and for an arm after the first, its number)."""
    meta = dossier.store.meta()
    identity = f"{meta.get('created_at')}\0{meta.get('created_by')}{f'{chr(0)}arm {arm}' if arm else ''}".encode()
    return "subject-" + hashlib.sha256(b"dossier phenopacket subject\0" + identity).hexdigest()[:16]


def export_phenopackets(dossier, out_dir: str | Path) -> list[Path]:
    """Write one phenopacket per arm (the patient's, when the dossier has one) into `out_dir` (made when
    missing) as `<subject id>.json`, each atomically; returns the files written."""
    from google.protobuf.json_format import MessageToJson, Parse
    from phenopackets import Phenopacket

    packets = [build_phenopacket(dossier, arm) for arm in range(_arms(dossier))]
    texts = [MessageToJson(packet, indent=2) + "\n" for packet in packets]
    if any(Parse(text, Phenopacket()) != packet for text, packet in zip(texts, packets, strict=True)):
        raise DossierError("a phenopacket did not read back as written; nothing was exported")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for packet, text in zip(packets, texts, strict=True):
        target = out / f"{packet.subject.id}.json"
        replace_text(target, text, "exporting")
        written.append(target)
    return written


def _arms(dossier) -> int:
    """How many arms the variant's role lies in (1 when it does not repeat)."""
    path = dossier.model.roles.evidence.phenopacket.get("variant")
    repeat = dossier.model.repeat_of(path) if path else None
    return 1 if repeat is None else max(1, len(dossier.instances(repeat.id)))


def build_phenopacket(dossier, arm: int = 0):
    """The phenopacket of one arm (a `phenopackets.Phenopacket`): that arm's patient's phenotype and
    variant; NoPhenotypeError when the arm records no phenotype."""
    import phenopackets as pp
    from google.protobuf.timestamp_pb2 import Timestamp

    roles = dossier.model.roles.evidence
    if "phenotypes" not in roles.phenopacket:
        raise DossierError("this content model declares no phenopacket export (roles: evidence: phenopacket)")
    read = _reader(dossier, roles.phenopacket, arm)
    terms = read("phenotypes") or []
    if not terms:
        label = dossier.model.field(roles.phenopacket["phenotypes"]).label
        whose = _arm_named(dossier, roles.phenopacket["phenotypes"], arm)
        raise NoPhenotypeError(f"{dossier.path.name}{whose} has no phenotype, and a phenopacket without one shares "
                               f"nothing; fill in '{label}' (e.g. HP:0001250 Seizure) and export again")
    subject = pseudonym(dossier, arm)
    packet = pp.Phenopacket(id=f"{subject}-phenopacket", subject=pp.Individual(id=subject))
    packet.phenotypic_features.extend(pp.PhenotypicFeature(type=pp.OntologyClass(id=t["id"], label=t.get("label", "")))
                                      for t in terms)
    disease = _disease(pp, read)
    if disease is not None:
        packet.diseases.append(disease)
        interpretation = _interpretation(pp, read, roles, subject, disease.term)
        if interpretation is not None:
            packet.interpretations.append(interpretation)
    treatment = _treatment(pp, read, roles)
    if treatment is not None:
        packet.medical_actions.append(treatment)
    created = Timestamp()
    created.GetCurrentTime()
    packet.meta_data.CopyFrom(pp.MetaData(created=created, created_by=f"Dossier Builder {__version__}",
                                          phenopacket_schema_version="2.0",
                                          resources=_resources(pp, packet)))
    return packet


def _arm_named(dossier, path: str, arm: int) -> str:
    """", arm 'Arm 2: …'" when the field lies in a repeat of several instances; else nothing."""
    repeat = dossier.model.repeat_of(path)
    names = dossier.instances(repeat.id) if repeat is not None else []
    return f", {repeat.label.lower()} '{names[arm]}'," if repeat is not None and len(names) > 1 else ""


def _reader(dossier, parts: dict[str, str], arm: int):
    """Read the field playing a part (in a repeated section, the arm's), and no other field: the export
    never opens a value it does not share."""
    def read(part: str) -> Any:
        if part not in parts:
            return None
        repeat = dossier.model.repeat_of(parts[part])
        return dossier.get(parts[part] if repeat is None else instance_key(parts[part], arm))
    return read


def _term(pp, text: str | None):
    """'GENO:0000135 heterozygous' as an OntologyClass (id, label)."""
    if not text:
        return None
    curie, _, label = text.partition(" ")
    return pp.OntologyClass(id=curie, label=label)


def _disease(pp, read):
    name, curie = read("disease"), read("disease_id")
    if not name and not curie:
        return None
    disease = pp.Disease(term=pp.OntologyClass(id=(curie or "").split()[0] if curie else "", label=name or ""))
    onset = read("onset")
    if isinstance(onset, dict) and onset.get("unit") in _ISO_AGE:
        number = f"{onset['value']:g}" if isinstance(onset["value"], float) else str(onset["value"])
        disease.onset.CopyFrom(pp.TimeElement(age=pp.Age(iso8601duration=f"P{number}{_ISO_AGE[onset['unit']]}")))
    return disease


def _interpretation(pp, read, roles, subject: str, disease_term):
    variants = [v for v in (read("variant"), read("second_allele")) if v]
    if not variants:
        return None
    acmg = roles.term("classification", read("classification")) or "NOT_PROVIDED"
    state = _term(pp, roles.term("zygosity", read("zygosity")))
    gene = pp.GeneDescriptor(value_id=read("gene_id") or "", symbol=read("gene") or "")
    diagnosis = pp.Diagnosis(disease=disease_term)
    for i, hgvs in enumerate(variants):
        descriptor = pp.VariationDescriptor(id=f"{subject}-variant-{i + 1}", gene_context=gene,
                                            expressions=[pp.Expression(syntax=_syntax(hgvs), value=hgvs)])
        if ":c." in hgvs or ":n." in hgvs:
            descriptor.molecule_context = pp.transcript
        if state is not None:
            descriptor.allelic_state.CopyFrom(state)
        variant = pp.VariantInterpretation(variation_descriptor=descriptor,
                                           acmg_pathogenicity_classification=pp.AcmgPathogenicityClassification.Value(acmg))
        status = pp.GenomicInterpretation.CAUSATIVE if acmg in _CAUSATIVE else pp.GenomicInterpretation.CANDIDATE
        diagnosis.genomic_interpretations.append(pp.GenomicInterpretation(
            subject_or_biosample_id=subject, interpretation_status=status, variant_interpretation=variant))
    return pp.Interpretation(id=f"{subject}-interpretation", progress_status=pp.Interpretation.SOLVED,
                             diagnosis=diagnosis)


def _syntax(hgvs: str) -> str:
    """The phenopacket expression syntax of an HGVS string by its reference type (c., g., n., p.)."""
    for kind in ("c", "g", "n", "p", "m", "r"):
        if f":{kind}." in hgvs:
            return f"hgvs.{kind}"
    return "hgvs"


def _treatment(pp, read, roles):
    product = read("product")
    if not product:
        return None
    treatment = pp.Treatment(agent=pp.OntologyClass(id=f"dossier:{'_'.join(product.split())}", label=product))
    route = _term(pp, roles.term("route", read("route")))
    if route is not None:
        treatment.route_of_administration.CopyFrom(route)
    dose = read("dose")
    if isinstance(dose, dict) and "value" in dose:
        unit = dose.get("unit") or ""
        treatment.dose_intervals.append(pp.DoseInterval(quantity=pp.Quantity(
            unit=pp.OntologyClass(id=f"UCUM:{unit.replace('µ', 'u')}", label=unit), value=float(dose["value"]))))
    return pp.MedicalAction(treatment=treatment)


def _resources(pp, packet) -> list:
    """A MetaData resource for every ontology prefix the packet cites (the schema asks for each)."""
    text = str(packet)
    return [pp.Resource(id=rid, name=name, url=url, version="", namespace_prefix=prefix, iri_prefix=iri)
            for prefix, (rid, name, url, iri) in RESOURCES.items() if f'"{prefix}:' in text]
