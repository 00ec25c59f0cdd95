"""Check kinds that read the genetics (docs/content-model-format.md, "Checks that read the science"):

- `alleles`: the patient's zygosity agrees with the alleles given — one variant on both alleles when
  homozygous, two different ones when compound heterozygous (shown to be in trans), both alleles for a
  recessive disease, both written on one transcript. What each zygosity, inheritance and phase choice
  means is declared with the check in the model, so no choice label is spelled here.
- `lab_report`: the variant rests on an attached report of a laboratory whose CLIA number (or CAP
  accreditation number) is given and well formed;
- `targets_variant`: the variant the product is designed against is one of the rationale's alleles;
- `carriers`: more known carriers of the variant than the model's threshold (the product may not be
  individualized).
"""

from __future__ import annotations

import re
from dataclasses import replace

from .checkkinds import Context, Fail, check_kind
from .fieldtypes import is_filled
from .findings import Finding, cannot_check, finding, label
from .genetics import same_variant
from .model import Check, ContentModel

# CMS's CLIA certificate number: two digits (the state), the letter D, seven digits (42 CFR 493).
_CLIA = re.compile(r"[0-9]{2}D[0-9]{7}")
# The College of American Pathologists' accreditation number, as printed on a report: digits only.
_CAP = re.compile(r"[0-9]{6,8}")


def _fields(check: Check, model: ContentModel, fail: Fail, types: dict[str, tuple[str, ...]]) -> None:
    """Each spec key present names a field of one of its types (a list under the key: each of them)."""
    for key, allowed in types.items():
        for path in (v if isinstance(v := check.spec.get(key), list) else [] if v is None else [v]):
            field = model.fields.get(path) if isinstance(path, str) else None
            if field is None or field.type not in allowed:
                raise fail(f"'{key}' must name a field of type {' or '.join(allowed)}, got '{path}'")

# meaning key → the field (spec key) whose choices it lists
_MEANINGS = {"one_allele": "zygosity", "same_on_both": "zygosity", "different_on_each": "zygosity",
             "recessive": "inheritance", "phased": "phase"}


def _validate(check: Check, model: ContentModel, fail: Fail) -> None:
    _fields(check, model, fail, {"zygosity": ("choice",), "first": ("hgvs",), "second": ("hgvs",),
                                 "inheritance": ("choice",), "phase": ("choice",)})
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


# --- the laboratory report ----------------------------------------------------------------------

@check_kind("lab_report", needs=("report", "clia"), paths=("report", "clia", "cap", "lab"),
            validate=lambda check, model, fail: _fields(check, model, fail, {
                "report": ("attachment",), "clia": ("text",), "cap": ("text",), "lab": ("text",)}))
def lab_report(check: Check, ctx: Context) -> list[Finding]:
    """Its inputs are what it asks for, so an empty one is its finding (not a "cannot check")."""
    spec, values, model = check.spec, ctx.values, ctx.model
    lab = values.get(spec["lab"]) if "lab" in spec and is_filled(values.get(spec["lab"])) else "the laboratory"
    found = []
    if not is_filled(values.get(spec["report"])):
        found.append(finding(check, spec["report"], f"no report is attached to {label(model, spec['report'])}; "
                                                    f"attach {lab}'s signed report of the variant (PDF), the "
                                                    "patient's name, birth date and record numbers redacted"))
    clia, cap = (str(values.get(spec[k]) or "") if k in spec else "" for k in ("clia", "cap"))
    if not clia.strip() and not cap.strip():
        named = " or ".join(label(model, spec[k]) for k in ("clia", "cap") if k in spec)
        found.append(finding(check, spec["clia"], f"{named} of {lab} is not given; copy it from the report "
                                                  "(a clinical laboratory reporting a patient's result holds a "
                                                  "CLIA certificate)"))
    if clia.strip() and not _CLIA.fullmatch(clia):
        found.append(finding(check, spec["clia"], _not_a_number(
            clia, label(model, spec["clia"]), "a CLIA number", _CLIA,
            "10 characters: two digits, the letter D, seven digits (e.g. 05D0987654)")))
    if cap.strip() and not _CAP.fullmatch(cap):
        found.append(finding(check, spec["cap"], _not_a_number(
            cap, label(model, spec["cap"]), "a CAP accreditation number", _CAP,
            "the 6 to 8 digits printed on the report (e.g. 7654321), without 'CAP' or '#'")))
    return found


def _not_a_number(value: str, where: str, what: str, pattern: re.Pattern, form: str) -> str:
    """Why `value` is not `what`, and the fix: the well-formed number inside it when there is one."""
    inside = [m.group(0) for m in re.finditer(rf"(?<![0-9A-Za-z]){pattern.pattern}(?![0-9A-Za-z])", value.upper())]
    fix = f"write {inside[0]} alone in {where}" if len(inside) == 1 else "copy the number from the laboratory's report"
    return f"{where} '{value}' is not {what}, which is {form}; {fix}"


# --- the variant the product targets ------------------------------------------------------------

@check_kind("targets_variant", needs=("targeted", "variants"), paths=("targeted", "variants"),
            validate=lambda check, model, fail: _fields(check, model, fail, {"targeted": ("hgvs",),
                                                                             "variants": ("hgvs",)}))
def targets_variant(check: Check, ctx: Context) -> list[Finding]:
    """The targeted variant is one of the rationale's (the first `variants` path is its variant, the
    rest its other alleles), compared as the HGVS grammar reads them (dossier.genetics.same_variant)."""
    spec, values, model = check.spec, ctx.values, ctx.model
    rationale = [(p, values[p]) for p in spec["variants"] if is_filled(values.get(p))]
    missing = [spec["targeted"]] if not is_filled(values.get(spec["targeted"])) else []
    missing += [] if rationale else spec["variants"][:1]
    if missing:
        return [cannot_check(check, model, missing)]
    targeted = values[spec["targeted"]]
    if any(same_variant(targeted, variant) for _, variant in rationale):
        return []
    theirs = "; ".join(f"{label(model, p)}: {v}" for p, v in rationale)
    found = finding(check, spec["targeted"], f"{label(model, spec['targeted'])}: {targeted}; the genetic "
                                             f"rationale has {theirs}{_transcript_hint(targeted, rationale)}")
    return [replace(found, fields=tuple(p for p, _ in rationale))]


def _transcript_hint(targeted: str, rationale: list[tuple[str, str]]) -> str:
    """A word on the likeliest slip: the same change written on another version of the transcript."""
    accession, _, change = targeted.partition(":")
    for _, variant in rationale:
        theirs, _, their_change = variant.partition(":")
        if change == their_change and _transcript(accession) == _transcript(theirs) and accession != theirs:
            return f" (the same change on {accession}, not {theirs}: write both on the same transcript version)"
    return ""


# --- other known carriers -----------------------------------------------------------------------

def _validate_carriers(check: Check, model: ContentModel, fail: Fail) -> None:
    _fields(check, model, fail, {"count": ("number",), "basis": ("text", "longtext")})
    field = model.fields[check.spec["count"]]
    if field.units:
        raise fail(f"'count' must be a plain number field (a count of people), but {field.path} takes units")
    threshold = check.spec["more_than"]
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 0:
        raise fail(f"'more_than' must be a whole number of people (0 or more), got {threshold!r}")


@check_kind("carriers", needs=("count", "more_than"), paths=("count", "basis"), validate=_validate_carriers)
def carriers(check: Check, ctx: Context) -> list[Finding]:
    spec, values, model = check.spec, ctx.values, ctx.model
    missing = [spec[k] for k in ("count", "basis") if k in spec and not is_filled(values.get(spec[k]))]
    if missing:
        return [cannot_check(check, model, missing)]
    count, threshold = values[spec["count"]]["value"], spec["more_than"]
    if count <= threshold:
        return []
    basis = f" ({values[spec['basis']]})" if "basis" in spec else ""
    people = "person" if count == 1 else "people"
    return [finding(check, spec["count"], f"{count:g} other {people} known to carry the variant{basis}, more "
                                          f"than {threshold}")]
