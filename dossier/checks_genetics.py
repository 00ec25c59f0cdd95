"""Check kinds that read the genetics (docs/content-model-format.md, "Checks that read the science"):

- `alleles`: the patient's zygosity agrees with the alleles given — one variant on both alleles when
  homozygous, two different ones when compound heterozygous (shown to be in trans), both alleles for a
  recessive disease, both written on one transcript. What each zygosity, inheritance and phase choice
  means is declared with the check in the model, so no choice label is spelled here.
"""

from __future__ import annotations

from .checkkinds import Context, Fail, check_kind
from .fieldtypes import is_filled
from .findings import Finding, cannot_check, finding, label
from .model import Check, ContentModel

# meaning key → the field (spec key) whose choices it lists
_MEANINGS = {"one_allele": "zygosity", "same_on_both": "zygosity", "different_on_each": "zygosity",
             "recessive": "inheritance", "phased": "phase"}


def _validate(check: Check, model: ContentModel, fail: Fail) -> None:
    for key, types in (("zygosity", ("choice",)), ("first", ("hgvs",)), ("second", ("hgvs",)),
                       ("inheritance", ("choice",)), ("phase", ("choice",))):
        field = model.fields.get(check.spec.get(key, ""))
        if key in check.spec and (field is None or field.type not in types):
            raise fail(f"'{key}' must be a field of type {' or '.join(types)}, got '{check.spec.get(key)}'")
    meaning = check.spec.get("meaning")
    if not isinstance(meaning, dict) or set(meaning) - set(_MEANINGS):
        raise fail(f"'meaning' must map some of {', '.join(_MEANINGS)} to lists of choices")
    for key, choices in meaning.items():
        source = check.spec.get(_MEANINGS[key])
        if source is None:
            raise fail(f"meaning.{key} lists choices of '{_MEANINGS[key]}', which the check does not name")
        known = model.fields[source].choices
        wrong = [c for c in choices or [] if c not in known]
        if not isinstance(choices, list) or wrong:
            raise fail(f"meaning.{key}: {', '.join(map(str, wrong)) or choices!r} not among the choices of {source} "
                       f"({', '.join(known)})")


def _transcript(hgvs: str) -> str:
    """The reference sequence accession without its version (NM_001042432.2:c.… → NM_001042432)."""
    return hgvs.partition(":")[0].partition(".")[0]


@check_kind("alleles", needs=("zygosity", "first", "meaning"), paths=("zygosity", "first", "second", "inheritance",
                                                                      "phase"), validate=_validate)
def alleles(check: Check, ctx: Context) -> list[Finding]:
    spec, values = check.spec, ctx.values
    means = {key: set(choices or []) for key, choices in spec["meaning"].items()}
    missing = [spec[k] for k in ("zygosity", "first") if not is_filled(values.get(spec[k]))]
    if missing:
        return [cannot_check(check, ctx.model, missing)]
    zygosity, first = values[spec["zygosity"]], values[spec["first"]]
    second: str | None = values.get(spec["second"]) if "second" in spec else None
    found: list[Finding] = []

    def report(path: str, detail: str) -> None:
        found.append(finding(check, path, detail))

    if zygosity in means.get("same_on_both", ()) and is_filled(second) and second != first:
        report(spec["second"], f"{zygosity.lower()} means one variant on both alleles, but the second allele is "
                               f"{second}, not {first}")
    if zygosity in means.get("different_on_each", ()):
        if not is_filled(second):
            report(spec.get("second", spec["zygosity"]), f"{zygosity.lower()} needs the variant on the other allele")
        elif second == first:
            report(spec["second"], f"both alleles are {first}: that is one variant on both alleles, not two")
        phase = values.get(spec["phase"]) if "phase" in spec else None
        if "phased" in means and phase not in means["phased"]:
            shown = phase or "not given"
            report(spec.get("phase", spec["zygosity"]),
                   f"two variants count only when shown to lie on different alleles (in trans: "
                   f"{' or '.join(sorted(means['phased']))}); {label(ctx.model, spec['phase'])}: {shown}")
    inheritance: str = values.get(spec["inheritance"]) or "" if "inheritance" in spec else ""
    if inheritance in means.get("recessive", ()) and zygosity in means.get("one_allele", ()):
        report(spec["zygosity"], f"{inheritance.lower()} disease with one variant allele ({zygosity.lower()}): the "
                                 "second disease allele must be found, or the diagnosis explained")
    if second is not None and is_filled(second) and _transcript(second) != _transcript(first):
        report(spec["second"], f"the alleles are written on different transcripts ({_transcript(first)}, "
                               f"{_transcript(second)}); write both on the gene's one reference transcript")
    return found
