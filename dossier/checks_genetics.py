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
from typing import TYPE_CHECKING

from . import reporttext
from .checkkinds import Context, Fail, check_kind
from .fieldtypes import is_filled
from .findings import Finding, cannot_check, finding, label
from .genetics import same_variant
from .measures import Measure, answer, measure
from .model import Check, ContentModel

if TYPE_CHECKING:
    from .pdftext import PdfText

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

@check_kind("lab_report", needs=("report", "clia"), paths=("report", "clia", "cap", "lab", "gene", "variants"),
            reads=("report",), validate=lambda check, model, fail: _fields(check, model, fail, {
                "report": ("attachment",), "clia": ("text",), "cap": ("text",), "lab": ("text",),
                "gene": ("text",), "variants": ("hgvs",)}))
def lab_report(check: Check, ctx: Context) -> list[Finding | Measure]:
    """Its inputs are what it asks for, so an empty one is its finding (not a "cannot check"); the report's
    text, where readiness is given it, must name the gene, each variant and the laboratory's numbers."""
    spec, values, model = check.spec, ctx.values, ctx.model
    lab = values.get(spec["lab"]) if "lab" in spec and is_filled(values.get(spec["lab"])) else "the laboratory"
    found: list[Finding | Measure] = []
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
    well_formed = {k: v.strip() for k, v, form in (("clia", clia, _CLIA), ("cap", cap, _CAP))
                   if v.strip() and form.fullmatch(v.strip())}
    if clia.strip() and "clia" not in well_formed:
        found.append(finding(check, spec["clia"], _not_a_number(
            clia, label(model, spec["clia"]), "a CLIA number", _CLIA,
            "10 characters: two digits, the letter D, seven digits (e.g. 05D0987654)")))
    if cap.strip() and "cap" not in well_formed:
        found.append(finding(check, spec["cap"], _not_a_number(
            cap, label(model, spec["cap"]), "a CAP accreditation number", _CAP,
            "the 6 to 8 digits printed on the report (e.g. 7654321), without 'CAP' or '#'")))
    if ctx.text is not None and is_filled(values.get(spec["report"])):
        read = [(name, text) for name in values[spec["report"]] if (text := ctx.text(name)) is not None]
        found += _read_report(check, ctx, read, well_formed) if read else []  # one not held: dangling already
    return found


def _read_report(check: Check, ctx: Context, read: list[tuple[str, PdfText]],
                 numbers: dict[str, str]) -> list[Finding | Measure]:
    """The report's text against the dossier: it names the gene, each variant (dossier.reporttext) and
    the laboratory's CLIA and CAP numbers given; a scan is a "cannot check" saying what to confirm by eye."""
    spec, values, model = check.spec, ctx.values, ctx.model
    files = ", ".join(name for name, _ in read)
    pages = [page for _, text in read for page in text.pages]
    gene = values[spec["gene"]] if "gene" in spec and is_filled(values.get(spec["gene"])) else None
    variants: dict[str, str] = {}  # variant → its field (a homozygous one named once)
    for path in spec.get("variants", []):
        if is_filled(values.get(path)):
            variants.setdefault(values[path], path)
    if not any(text.readable for _, text in read):
        why = "; ".join(text.problem for _, text in read if text.problem) or "a scanned image?"
        wanted = [gene, *variants] + [f"{k.upper()} number {v}" for k, v in numbers.items()]
        return [cannot_check(check, model, [spec["report"]], what="what the laboratory report says",
                             why=f"{files} has no text a program can read ({why}); confirm by eye that it names "
                                 f"{', '.join(w for w in wanted if w)}, or attach the laboratory's own PDF of it")]
    found: list[Finding | Measure] = []
    for variant, path in variants.items():
        found += _names_variant(check, ctx, read, variant, path)
    if gene and not reporttext.names_gene(pages, gene):
        found.append(replace(finding(check, spec["gene"], f"{files} does not name the gene {gene}; check that it is "
                                                          f"this patient's report and that {label(model, spec['gene'])}"
                                                          " is the gene it reports"), fields=(spec["report"],)))
    found += _names_numbers(check, model, pages, files, numbers)
    return found


def _names_variant(check: Check, ctx: Context, read: list[tuple[str, PdfText]], variant: str,
                   path: str) -> list[Finding | Measure]:
    """A yes/no measure of the reports naming `variant`, and the finding that says what they name instead."""
    report, where = check.spec["report"], label(ctx.model, path)
    namings = [(name, reporttext.names_variant(text.pages, variant), len(text.pages)) for name, text in read
               if text.readable]
    for name, naming, pages in namings:
        if naming.found:
            page = f", page {naming.found.page}" if pages > 1 else ""
            return [answer(check, f"Lab report names {variant}", True, f"{name}{page}: {naming.found.text}", path,
                           [report])]
    files = ", ".join(name for name, _, _ in namings)
    accession, _, change = variant.partition(":")
    version = next((naming.version for _, naming, _ in namings if naming.version), None)
    others: dict[str, str] = {}  # each change the reports name once, with its transcript where they give one
    for m in sorted((m for _, naming, _ in namings for m in naming.others), key=lambda m: m.accession is None):
        others.setdefault(m.change, m.text)
    if version:
        detail = (f"{files} writes {change} on {version}, not {accession}, and each version of a transcript may "
                  f"number its positions differently; write {where} on the version the report uses "
                  f"({version}:{change}), or ask the laboratory for the report on yours")
    elif others:
        detail = (f"{files} names {', '.join(others.values())}, not {variant}; check that it is this patient's "
                  f"report and that {where} is copied from it")
    else:
        detail = f"{files} names no HGVS variant; attach the laboratory's report that names {variant}"
    return [answer(check, f"Lab report names {variant}", False, detail, path, [report]),
            replace(finding(check, path, detail), fields=(report,))]


def _names_numbers(check: Check, model: ContentModel, pages: list[str], files: str,
                   numbers: dict[str, str]) -> list[Finding]:
    """The CLIA and CAP numbers the dossier gives are the ones the report prints."""
    found = []
    if "clia" in numbers and numbers["clia"] not in (printed := reporttext.clia_numbers(pages)):
        shown = f"prints the CLIA number {', '.join(printed)}, not {numbers['clia']}" if printed else \
            f"does not print the CLIA number {numbers['clia']}"
        found.append(finding(check, check.spec["clia"], f"{files} {shown}; copy {label(model, check.spec['clia'])} "
                                                        "from the report, or attach that laboratory's report"))
    if "cap" in numbers and not reporttext.prints_number(pages, numbers["cap"]):
        found.append(finding(check, check.spec["cap"], f"{files} does not print the CAP number {numbers['cap']}; "
                                                       f"copy {label(model, check.spec['cap'])} from the report"))
    return [replace(f, fields=(check.spec["report"],)) for f in found]


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
def carriers(check: Check, ctx: Context) -> list[Finding | Measure]:
    spec, values, model = check.spec, ctx.values, ctx.model
    missing = [spec[k] for k in ("count", "basis") if k in spec and not is_filled(values.get(spec[k]))]
    if missing:
        return [cannot_check(check, model, missing)]
    count, threshold = values[spec["count"]]["value"], spec["more_than"]
    known = measure(check, "Other known carriers", count, "", "<=", threshold,
                    str(values[spec["basis"]]) if "basis" in spec else "as counted in the dossier", spec["count"],
                    [spec.get("basis")], note="an individualized product serves one or very few patients")
    if known.ok:
        return [known]
    basis = f" ({values[spec['basis']]})" if "basis" in spec else ""
    people = "person" if count == 1 else "people"
    return [known, finding(check, spec["count"], f"{count:g} other {people} known to carry the variant{basis}, "
                                                 f"more than {threshold}")]
