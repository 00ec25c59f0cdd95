"""Check kinds that read sequences (docs/content-model-format.md, "Checks that read the science"):

- `complementary`: an antisense strand (an ASO, an siRNA guide) pairs with the declared target
  sequence, and binds on or near the variant as the mechanism needs;
- `molecular_weight`: the declared molecular formula and weight are those of the sequence and chemistry;
- `rna_molecular_weight`: the same for an RNA strand (a guide RNA, an siRNA strand) whose chemistry is
  written in its sequence, nucleotide by nucleotide, in a notation the model declares.
"""

from __future__ import annotations

import re
from typing import Any

from . import oligo
from .checkkinds import Context, Fail, check_kind
from .fieldtypes import is_filled
from .findings import Finding, cannot_check, finding, label
from .measures import Measure, measure
from .model import Check, ContentModel

_SUBSTITUTION = re.compile(r"([ACGTU])>([ACGTU])$")


def _text_field(check: Check, model: ContentModel, fail: Fail, key: str, types: tuple[str, ...]) -> None:
    path = check.spec.get(key)
    if path is None:
        return
    field = model.fields.get(path)
    if field is None or field.type not in types:
        raise fail(f"'{key}' must be a field of type {' or '.join(types)}, got '{path}'")


def _validate_complementary(check: Check, model: ContentModel, fail: Fail) -> None:
    for key in ("sequence", "target"):
        _text_field(check, model, fail, key, ("text", "longtext"))
    _text_field(check, model, fail, "variant_position", ("number",))
    _text_field(check, model, fail, "variant", ("hgvs",))
    for key in ("max_distance", "unpaired_3prime"):
        value = check.spec.get(key, 0)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise fail(f"'{key}' must be a whole number of nucleotides (0 or more), got {value!r}")
    if "max_distance" in check.spec and "variant_position" not in check.spec:
        raise fail("'max_distance' needs 'variant_position', the field giving the variant's place in the target")


@check_kind("complementary", needs=("sequence", "target"),
            paths=("sequence", "target", "variant_position", "variant"), validate=_validate_complementary)
def complementary(check: Check, ctx: Context) -> list[Finding | Measure]:
    """The strand's reverse complement (less an unpaired 3' overhang) lies in the target; the variant
    base is the patient's allele and lies within `max_distance` nt of the binding site."""
    spec, values = check.spec, ctx.values
    missing = [spec[k] for k in ("sequence", "target") if not is_filled(values.get(spec[k]))]
    if missing:
        return [cannot_check(check, ctx.model, missing)]
    strand = oligo.bases(values[spec["sequence"]])
    target = oligo.bases(values[spec["target"]])
    if len(strand) - spec.get("unpaired_3prime", 0) > len(target):
        return [finding(check, spec["target"], f"the {len(strand)}-nt strand is longer than the {len(target)}-nt "
                                               "target sequence; give the whole target region")]
    # a 3' overhang (siRNA guides often end in 2 unpaired nt) may be left out, up to unpaired_3prime
    for overhang in range(spec.get("unpaired_3prime", 0) + 1):
        paired = strand[:len(strand) - overhang]
        sites = oligo.pairing_sites(paired, target)
        if sites:
            break
    else:
        paired = strand[:len(strand) - spec.get("unpaired_3prime", 0)]
        start, wrong = oligo.best_site(paired, target)
        where = f"target {start + 1}–{start + len(paired)} ({target[start:start + len(paired)]})"
        return [_paired(check, len(paired) - len(wrong), paired, f"best match {where}"),
                finding(check, spec["sequence"],
                        f"its reverse complement {oligo.reverse_complement(paired)} is not in the target; the best "
                        f"match, {where}, mismatches at strand position(s) {', '.join(map(str, wrong))}")]
    sites_at = [(s + 1, s + len(paired)) for s in sites]
    unpaired = f", {len(strand) - len(paired)} nt 3' overhang unpaired" if len(paired) < len(strand) else ""
    pairs = _paired(check, len(paired), paired, f"binds target {', '.join(f'{a}–{b}' for a, b in sites_at)}{unpaired}")
    if "variant_position" not in spec:
        return [pairs]
    return [pairs, *_variant_findings(check, ctx, target, sites_at)]


def _paired(check: Check, matched: int, paired: str, basis: str) -> Measure:
    """The strand's bases that pair with the target where it binds best, of those that must pair."""
    return measure(check, "Bases paired with the target", matched, "nt", ">=", len(paired), basis,
                   check.spec["sequence"], [check.spec["target"]])


def _variant_findings(check: Check, ctx: Context, target: str,
                      sites: list[tuple[int, int]]) -> list[Finding | Measure]:
    spec, values = check.spec, ctx.values
    position = values.get(spec["variant_position"])
    if position is None or not is_filled(position):
        return [cannot_check(check, ctx.model, [spec["variant_position"]])]
    where = int(position["value"])
    if not 1 <= where <= len(target):
        return [finding(check, spec["variant_position"],
                        f"the variant position {where} is outside the {len(target)}-nt target sequence")]
    found: list[Finding | Measure] = []
    wrong_allele = allele_problem(target, where, values.get(spec["variant"]) if "variant" in spec else None)
    if wrong_allele:
        found.append(finding(check, spec["target"], wrong_allele))
    reach = spec.get("max_distance", 0)
    distance = min(0 if a <= where <= b else min(abs(where - a), abs(where - b)) for a, b in sites)
    bound = ", ".join(f"{a}–{b}" for a, b in sites)
    near = measure(check, "Binding site to the variant", distance, "nt", "<=", reach, f"binds target {bound}, "
                   f"variant at {where}", spec["variant_position"], [spec["sequence"], spec["target"]])
    found.append(near)
    if not near.ok:
        allowed = "cover it" if reach == 0 else f"lie within {reach} nt of it"
        found.append(finding(check, spec["variant_position"],
                             f"the strand binds target position(s) {bound}, {distance} nt from the variant at "
                             f"position {where}; the mechanism needs it to {allowed}"))
    return found


def allele_problem(target: str, where: int, variant: str | None) -> str | None:
    """Why the target's base at `where` (1-based) is not the patient's allele of a substitution variant,
    or None when it is (or the variant is no substitution, or not given)."""
    change = _SUBSTITUTION.search(variant or "")
    if change and target[where - 1] != change.group(2).replace("U", "T"):
        return (f"position {where} of the target is {target[where - 1]}, but {variant} puts {change.group(2)} "
                "there: the target must be the patient's allele")
    return None


# --- molecular weight and formula -------------------------------------------------------------

def _validate_weight(check: Check, model: ContentModel, fail: Fail) -> None:
    spec = check.spec
    _text_field(check, model, fail, "sequence", ("text", "longtext"))
    _text_field(check, model, fail, "chemistry", ("multichoice",))
    _text_field(check, model, fail, "form", ("choice",))
    _text_field(check, model, fail, "formula", ("text",))
    _text_field(check, model, fail, "weight", ("number",))
    _text_field(check, model, fail, "pattern", ("text",))
    chemistry = model.fields[spec["chemistry"]]
    mods = spec.get("modifications")
    if not isinstance(mods, dict) or not mods:
        raise fail("'modifications' must map chemistry choices to what they change (sugar, linkage, methyl_c)")
    for choice, change in mods.items():
        if choice not in chemistry.choices:
            raise fail(f"modification '{choice}' is not a choice of {chemistry.path}")
        if not isinstance(change, dict) or not set(change) <= {"sugar", "linkage", "methyl_c"} or \
                change.get("sugar", "moe") not in oligo.SUGARS or change.get("linkage", "po") not in oligo.LINKAGES:
            raise fail(f"modification '{choice}' must say sugar ({', '.join(oligo.SUGARS)}), linkage "
                       f"({', '.join(oligo.LINKAGES)}) and/or methyl_c: true")
    _validate_forms(check, model, fail)


def _validate_forms(check: Check, model: ContentModel, fail: Fail) -> None:
    spec, form = check.spec, model.fields[check.spec["form"]]
    forms = spec.get("forms")
    if not isinstance(forms, dict) or set(forms) != set(form.choices) or \
            not all(ion is None or ion in oligo.ATOMIC_WEIGHTS for ion in forms.values()):
        raise fail(f"'forms' must give each choice of {form.path} its counter-ion (an element such as Na) "
                   "or null for the free acid")
    if not isinstance(spec.get("tolerance"), (int, float)) or spec["tolerance"] < 0:
        raise fail("'tolerance' must be the allowed difference in g/mol (a number)")


@check_kind("molecular_weight", needs=("sequence", "chemistry", "form", "forms", "modifications", "tolerance"),
            paths=("sequence", "chemistry", "form", "formula", "weight", "pattern"), validate=_validate_weight)
def molecular_weight(check: Check, ctx: Context) -> list[Finding | Measure]:
    spec, values, model = check.spec, ctx.values, ctx.model
    declared = [k for k in ("formula", "weight") if k in spec and is_filled(values.get(spec[k]))]
    if not declared:
        return []  # nothing declared, nothing to disagree with (the fields' own requirements ask for them)
    missing = [spec[k] for k in ("sequence", "chemistry", "form") if not is_filled(values.get(spec[k]))]
    if missing:
        return [cannot_check(check, model, missing)]
    computed = _computed(check, values)
    if isinstance(computed[0], str):
        return [cannot_check(check, model, [computed[0]], f"{label(model, computed[0])} {computed[1]}")]
    return _compare(check, ctx, *computed)


def _compare(check: Check, ctx: Context, counts: Any, free_acid: Any) -> list[Finding | Measure]:
    """The declared formula and weight against those computed for the declared form."""
    spec, values = check.spec, ctx.values
    declared = [k for k in ("formula", "weight") if k in spec and is_filled(values.get(spec[k]))]
    form = values[spec["form"]]
    found: list[Finding | Measure] = []
    if "formula" in declared:
        written = oligo.parse_formula(values[spec["formula"]])
        if +written != +counts:
            found.append(finding(check, spec["formula"],
                                 f"declared {oligo.formula_text(written)}; {_computed_text(form, counts, free_acid)}"))
    if "weight" in declared:
        number, weight = values[spec["weight"]]["value"], oligo.weight(counts)
        inputs = [spec[k] for k in ("sequence", "chemistry", "form") if k in spec]
        agrees = measure(check, "Molecular weight difference", abs(number - weight), "g/mol", "<=",
                         spec["tolerance"], f"declared {number:,.1f} vs computed {weight:,.1f} g/mol for the "
                         f"{form.lower()}", spec["weight"], inputs)
        found.append(agrees)
        if not agrees.ok:
            found.append(finding(check, spec["weight"],
                                 f"declared {number:,.1f} g/mol, {abs(number - oligo.weight(counts)):,.1f} from "
                                 f"the computed value (tolerance {spec['tolerance']} g/mol); "
                                 f"{_computed_text(form, counts, free_acid)}"))
    return found


def _computed_text(form: str, counts: Any, free_acid: Any) -> str:
    text = f"computed for the {form.lower()}: {oligo.formula_text(counts)}, {oligo.weight(counts):,.1f} g/mol"
    if counts != free_acid:
        text += f" (free acid {oligo.formula_text(free_acid)}, {oligo.weight(free_acid):,.1f} g/mol)"
    return text + " [nucleoside sum + internucleotide linkages, IUPAC 2021 atomic weights]"


def _computed(check: Check, values: dict) -> tuple[Any, Any]:
    """(formula of the declared form, formula of the free acid), or (the field, why it cannot be computed)."""
    spec = check.spec
    chosen = values[spec["chemistry"]]
    unknown = [c for c in chosen if c not in spec["modifications"]]
    if unknown:
        return spec["chemistry"], f"includes {', '.join(unknown)}, whose formula this check cannot compute"
    changes = [spec["modifications"][c] for c in chosen]
    sugars = {c["sugar"] for c in changes if "sugar" in c}
    linkages = {c["linkage"] for c in changes if "linkage" in c}
    if len(sugars) > 1 or len(linkages) > 1:
        return spec["chemistry"], ("names more than one sugar or backbone, and which nucleotide carries which "
                                   "is not recorded")
    seq = oligo.bases(values[spec["sequence"]])
    pattern = values.get(spec["pattern"]) if "pattern" in spec else None
    try:
        sugar_of = oligo.sugar_pattern(len(seq), next(iter(sugars), "dna"), pattern)
    except ValueError as exc:
        return spec["pattern"], str(exc)
    methyl_c = any(c.get("methyl_c") for c in changes)
    linkage = next(iter(linkages), "po")
    ion = spec["forms"][values[spec["form"]]]
    return (oligo.composition(seq, sugar_of, linkage, methyl_c, ion),
            oligo.composition(seq, sugar_of, linkage, methyl_c, None))


def _validate_rna_weight(check: Check, model: ContentModel, fail: Fail) -> None:
    spec = check.spec
    for key, types in (("sequence", ("text", "longtext")), ("form", ("choice",)), ("formula", ("text",)),
                       ("weight", ("number",))):
        _text_field(check, model, fail, key, types)
    _validate_forms(check, model, fail)
    notation = spec["notation"]
    if not isinstance(notation, dict) or not set(notation) <= {"prefixes", "marks", "phosphate"} or \
            not all(s in oligo.SUGARS for s in (notation.get("prefixes") or {}).values()) or \
            not all(k in oligo.LINKAGES for k in (notation.get("marks") or {}).values()) or \
            not isinstance(notation.get("phosphate", ""), str):
        raise fail(f"'notation' must give prefixes (each → a sugar: {', '.join(oligo.SUGARS)}), marks (each → a "
                   f"linkage: {', '.join(oligo.LINKAGES)}) and optionally the phosphate mark of a 5'-phosphate")


@check_kind("rna_molecular_weight", needs=("sequence", "form", "forms", "notation", "tolerance"),
            paths=("sequence", "form", "formula", "weight"), validate=_validate_rna_weight)
def rna_molecular_weight(check: Check, ctx: Context) -> list[Finding | Measure]:
    spec, values, model = check.spec, ctx.values, ctx.model
    if not any(k in spec and is_filled(values.get(spec[k])) for k in ("formula", "weight")):
        return []  # nothing declared, nothing to disagree with
    missing = [spec[k] for k in ("sequence", "form") if not is_filled(values.get(spec[k]))]
    if missing:
        return [cannot_check(check, model, missing)]
    notation = spec["notation"]
    try:
        strand = oligo.read_strand(values[spec["sequence"]], notation.get("prefixes") or {},
                                   notation.get("marks") or {}, notation.get("phosphate", ""))
    except ValueError as exc:
        return [cannot_check(check, model, [spec["sequence"]], f"{label(model, spec['sequence'])} {exc}")]
    ion = spec["forms"][values[spec["form"]]]
    return _compare(check, ctx, strand.composition(ion), strand.composition(None))
