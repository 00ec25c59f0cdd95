"""The check kind `editor_site` (docs/content-model-format.md): a genome editor's guide lies in the
declared target sequence, on either strand, right before a PAM its Cas protein accepts; and the edit
reaches the variant. For a base editor the variant base is in the editing window and is the base the
deaminase edits, and every other editable base in the window is listed; for a nuclease (or a prime
editor's nick) the cut lies within the declared distance of the variant.

What each Cas protein and deaminase does (PAM, cut offset, edited base, window, with their papers) is
data of the check in the model, keyed by the choices of the dossier's Cas-protein and deaminase fields.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from . import checkinputs as ci
from . import guides, oligo
from .checkinputs import Inputs
from .checks_sequence import allele_problem
from .fieldpath import FieldPath
from .findings import Finding
from .measures import Measure, answer

if TYPE_CHECKING:
    from .model import Check, ContentModel

REQUIRED = ("spacer", "target", "variant_position", "cas", "cas_variants")
OPTIONAL = ("variant", "pam", "deaminase", "deaminases", "window_start", "window_end", "bystanders", "cut")
WHAT = "where the guide sits and whether its edit reaches the variant"


# ---- load-time validation of the spec ------------------------------------------------------------

def _validate(r: Any, model: ContentModel, spec: dict, place: str) -> None:
    ci.validate_keys(r, spec, REQUIRED, OPTIONAL, place)
    for key in ("spacer", "target", "pam"):
        ci.need_field(r, model, spec, key, place, {"text", "longtext"})
    for key in ("variant_position", "window_start", "window_end"):
        ci.need_field(r, model, spec, key, place, {"number"}, set())
    ci.need_field(r, model, spec, "variant", place, {"hgvs"})
    ci.need_column(r, model, spec, "bystanders", place, {"number"}, set())
    cas = ci.need_field(r, model, spec, "cas", place, {"choice"})
    for name, entry in _entries(r, spec, "cas_variants", cas, place).items():
        where = f"cas_variants.{name}"
        pams = entry.get("pam")
        pams = pams if isinstance(pams, list) else [pams]
        if not pams or not all(isinstance(p, str) and guides.is_motif(p) for p in pams):
            raise r.fail(where, "'pam' must be an IUPAC motif (NGG) or a list of them")
        _whole(r, entry, "cut", where, 0)
        ci.validate_keys(r, entry, ("pam", "cut", "source"), (), where)
    if ("deaminase" in spec) != ("deaminases" in spec):
        raise r.fail(place, "'deaminase' (the field) and 'deaminases' (what each choice edits) go together")
    if any(k in spec for k in ("window_start", "window_end", "bystanders")) and "deaminase" not in spec:
        raise r.fail(place, "'window_start', 'window_end' and 'bystanders' need 'deaminase'")
    if ("window_start" in spec) != ("window_end" in spec):
        raise r.fail(place, "'window_start' and 'window_end' go together")
    if "deaminase" in spec:
        field = ci.need_field(r, model, spec, "deaminase", place, {"choice"})
        for name, entry in _entries(r, spec, "deaminases", field, place).items():
            _deaminase(r, entry, f"deaminases.{name}")
    if "cut" in spec:
        cut = r.mapping(spec["cut"], "cut")
        ci.validate_keys(r, cut, ("max_distance", "source"), ("name", "downstream"), "cut")
        _whole(r, cut, "max_distance", "cut", 0)
        r.text(cut, "source", "cut")


def _entries(r: Any, spec: dict, key: str, field: Any, place: str) -> dict:
    """spec[key]: each entry a mapping with a source, keyed by a choice of `field`."""
    entries = r.mapping(spec.get(key), key)
    for name, entry in entries.items():
        if name not in field.choices:
            raise r.fail(key, f"'{name}' is not a choice of {field.path} ({', '.join(field.choices)})")
        r.text(r.mapping(entry, f"{key}.{name}"), "source", f"{key}.{name}")
    return entries


def _deaminase(r: Any, entry: dict, where: str) -> None:
    ci.validate_keys(r, entry, ("edits", "window", "source"), (), where)
    if entry.get("edits") not in ("A", "C", "G", "T"):
        raise r.fail(where, "'edits' must be the base the deaminase edits on the protospacer strand (A or C)")
    window = entry.get("window")
    if not (isinstance(window, list) and len(window) == 2 and all(type(n) is int and n >= 1 for n in window)
            and window[0] <= window[1]):
        raise r.fail(where, "'window' must be [first, last] protospacer positions, 1 ≤ first ≤ last")


def _whole(r: Any, data: dict, key: str, place: str, least: int) -> None:
    value = data.get(key, least)
    if type(value) is not int or value < least:
        raise r.fail(place, f"'{key}' must be a whole number of nucleotides ({least} or more), got {value!r}")


# ---- the check -----------------------------------------------------------------------------------

def run(check: Check, model: ContentModel, values: dict[str, Any]) -> list[Finding | Measure]:
    c = Inputs(check, model, values)
    spacer_text, target_text, cas = c.text("spacer"), c.text("target"), c.text("cas")
    position = c.value("variant_position")
    deaminase = c.text("deaminase") if "deaminase" in c.spec else None
    if c.missing:
        return [c.cannot_check(WHAT)]
    assert spacer_text is not None and target_text is not None and cas is not None and position is not None
    if cas not in c.spec["cas_variants"]:
        return [c.cannot_check(WHAT, [c.spec["cas"]], f"the model declares no PAM for {cas}")]
    if deaminase is not None and deaminase not in c.spec["deaminases"]:
        return [c.cannot_check(WHAT, [c.spec["deaminase"]], f"the model declares no editing window for {deaminase}")]
    spacer, target = oligo.bases(spacer_text), oligo.bases(target_text)
    where = int(position["value"])
    if not 1 <= where <= len(target):
        return [c.finding(f"the variant position {where} is outside the {len(target)}-nt target sequence.",
                          c.spec["variant_position"], [c.spec["target"]])]
    site, found = _site(c, spacer, target, c.spec["cas_variants"][cas], cas)
    if site is None:
        return found
    found += _declared_pam(c, site)
    wrong_allele = allele_problem(target, where, c.value("variant", record=False))
    if wrong_allele:
        found.append(c.finding(wrong_allele + ".", c.spec["target"], [c.spec["variant_position"], c.spec["variant"]]))
    if deaminase is not None:
        found += _base_edit(c, site, target, where, deaminase)
    if "cut" in c.spec:
        found += _cut(c, site, where, c.spec["cas_variants"][cas], cas)
    return found


def _pams(entry: dict) -> list[str]:
    return entry["pam"] if isinstance(entry["pam"], list) else [entry["pam"]]


def _site(c: Inputs, spacer: str, target: str, entry: dict, cas: str) -> tuple[guides.Site | None,
                                                                               list[Finding | Measure]]:
    """The place of the spacer before an accepted PAM (None when there is none), with what was measured on
    the way (the spacer's match, the PAM seen) and the finding that says why there is no place."""
    spec, pams = c.spec, _pams(entry)
    if len(spacer) > len(target):
        return None, [c.finding(f"the {len(spacer)}-nt spacer is longer than the {len(target)}-nt target sequence; "
                                "give the patient's sequence around the variant.", spec["target"], [spec["spacer"]])]
    longest = max(len(p) for p in pams)
    found = guides.sites(spacer, target, longest)
    if not found:
        best, wrong = guides.best_match(spacer, target)
        matched = c.measure("Spacer bases matching the target", len(spacer) - len(wrong), "nt", ">=", len(spacer),
                            f"best match {best.describe()}", spec["spacer"], [spec["target"]])
        return None, [matched, c.finding(f"the spacer {spacer} lies on neither strand of the target; the best match, "
                                         f"{best.describe()}, mismatches at spacer position(s) "
                                         f"{', '.join(map(str, wrong))}.", spec["spacer"], [spec["target"]])]
    accepted = [s for s in found if any(guides.fits(p, s.after[:len(p)]) for p in pams)]
    site = (accepted or found)[0]
    matched = c.measure("Spacer bases matching the target", len(spacer), "nt", ">=", len(spacer),
                        site.describe(), spec["spacer"], [spec["target"]])
    if not accepted and len(site.after) < longest:
        return None, [matched, c.cannot_check(
            WHAT, [spec["target"]], f"the target ends {len(site.after)} nt after the protospacer ({site.describe()}), "
                                    f"so the PAM cannot be seen: give at least {longest} nt beyond it")]
    seen = next((site.after[:len(p)] for p in pams if guides.fits(p, site.after[:len(p)])), site.after[:longest])
    pam = answer(c.check, f"{cas} PAM after the spacer", bool(accepted), f"{seen} after {site.describe()}; {cas} "
                 f"takes {' or '.join(pams)}", spec["spacer"], [spec["target"], spec["cas"]])
    if accepted:
        return site, [matched, pam]
    return None, [matched, pam, c.finding(f"the spacer matches {site.describe()}, followed by {seen}; {cas} needs the "
                                          f"PAM {' or '.join(pams)} there [{entry['source']}].", spec["spacer"],
                                          [spec["target"], spec["cas"]])]


def _declared_pam(c: Inputs, site: guides.Site) -> list[Finding]:
    """A PAM the dossier states (TGG, or the motif NGG) must fit the bases after the protospacer."""
    declared = c.value("pam", record=False) if "pam" in c.spec else None
    if not isinstance(declared, str):
        return []
    motif = re.sub(r"[^A-Z]", "", declared.upper()).replace("U", "T")
    if guides.is_motif(motif) and guides.fits(motif, site.after[:len(motif)]):
        return []
    return [c.finding(f"the PAM declared, {declared}, is not the one at the target: the spacer matches "
                      f"{site.describe()}, followed by {site.after}.", c.spec["pam"], [c.spec["target"]])]


def _window(c: Inputs, entry: dict, deaminase: str, length: int) -> tuple[int, int, str] | Finding:
    """The window the variant must lie in: the dossier's, else the deaminase's published one."""
    start = c.value("window_start", record=False) if "window_start" in c.spec else None
    end = c.value("window_end", record=False) if "window_end" in c.spec else None
    if start is None or end is None:
        first, last = entry["window"]
        return first, last, f"{deaminase}'s published window {first}–{last} [{entry['source']}]"
    first, last = int(start["value"]), int(end["value"])
    if not 1 <= first <= last <= length:
        return c.finding(f"the editing window declared, protospacer positions {first}–{last}, is not a stretch of "
                         f"the {length}-nt protospacer.", c.spec["window_start"], [c.spec["window_end"]])
    return first, last, f"the editing window declared, {first}–{last}"


def _base_edit(c: Inputs, site: guides.Site, target: str, where: int, deaminase: str) -> list[Finding | Measure]:
    spec, entry = c.spec, c.spec["deaminases"][deaminase]
    window = _window(c, entry, deaminase, site.length)
    if isinstance(window, Finding):
        return [window]
    first, last, named = window
    position = site.position(where)

    def base(p: int) -> str:  # the base at protospacer position p, on the protospacer's strand
        return site.base(target, p)

    placed = f"the variant at target position {where} is protospacer position {position} ({site.describe()})"
    inside = c.measure("Variant's protospacer position", position, "", "in", first, f"target position {where}, "
                       f"{site.describe()}", spec["variant_position"], [spec["spacer"], spec["deaminase"]],
                       note=named, upper=last)
    found: list[Finding | Measure] = [inside]
    if not inside.ok:
        found.append(c.finding(f"{placed}, outside {named}.", spec["variant_position"],
                               [spec["spacer"], spec.get("window_start", ""), spec["deaminase"]]))
    elif base(position) != entry["edits"]:
        found.append(c.finding(f"{deaminase} edits {entry['edits']} on the protospacer strand, but {placed} holds "
                               f"{base(position)} there (target base {target[where - 1]} on the sense strand).",
                               spec["deaminase"], [spec["target"], spec["variant_position"]]))
    if "bystanders" in spec and found == [inside]:  # a design that misses the variant has its own finding first
        found += _bystanders(c, site, base, position, entry, (first, last))
    return found


def _bystanders(c: Inputs, site: guides.Site, base: Any, position: int, entry: dict,
                declared: tuple[int, int]) -> list[Finding | Measure]:
    """Every editable base in the window (the declared one widened to the published one) but the variant's
    must be a row of the bystander table."""
    first = max(1, min(declared[0], entry["window"][0]))
    last = min(site.length, max(declared[1], entry["window"][1]))
    editable = [p for p in range(first, last + 1) if p != position and base(p) == entry["edits"]]
    column = c.column("bystanders")
    table = FieldPath.parse(c.spec["bystanders"]).field_path
    listed = {int(row[column]["value"]) for row in c.values.get(table) or [] if isinstance(row.get(column), dict)}
    unlisted = [p for p in editable if p not in listed]
    at = ", ".join(map(str, editable)) or "none"
    counted = c.measure("Bystanders in the window not listed", len(unlisted), "", "=", 0,
                        f"editable {entry['edits']} besides the variant's in protospacer positions {first}–{last}: "
                        f"{at}; {len(editable) - len(unlisted)} listed", table, [c.spec["spacer"]], ok=not unlisted)
    if not unlisted:
        return [counted]
    where = ", ".join(f"{p} (target {site.target_position(p)})" for p in unlisted)
    return [counted, c.finding(f"the window, protospacer positions {first}–{last} ({site.describe()}), has editable "
                               f"{entry['edits']} at position(s) {where} not listed as bystanders.",
                               table, [c.spec["spacer"], c.spec["deaminase"]])]


def _cut(c: Inputs, site: guides.Site, where: int, entry: dict, cas: str) -> list[Finding | Measure]:
    """The cut (or nick) between protospacer positions k and k+1, k = length − cut offset, lies within
    max_distance nt of the variant (the base next to the cut is 1 nt from it)."""
    cut, spec = c.spec["cut"], c.spec
    name, k = cut.get("name", "cut"), site.length - entry.get("cut", 3)
    position = site.position(where)
    distance = k - position + 1 if position <= k else position - k
    between = sorted((site.target_position(k), site.target_position(k + 1)))
    before = bool(cut.get("downstream")) and position <= k
    reach = c.measure(f"{name.capitalize()} to the variant", distance, "nt", "<=", cut["max_distance"],
                      f"{name} between target positions {between[0]} and {between[1]}, variant at {where}"
                      f"{', before the ' + name if before else ''}", spec["variant_position"], [spec["spacer"]],
                      note=f"after the {name}" if cut.get("downstream") else "",
                      ok=distance <= cut["max_distance"] and not before)
    placed = (f"the {name} falls between target positions {between[0]} and {between[1]} (protospacer positions "
              f"{k} and {k + 1}, {entry.get('cut', 3)} nt before {cas}'s PAM [{entry['source']}]); the variant at "
              f"target position {where} is protospacer position {position}")
    if before:
        return [reach, c.finding(f"{placed}, {distance} nt before the {name}: the edit must lie after it (3′, on the "
                                 f"protospacer strand) [{cut['source']}].", spec["variant_position"], [spec["spacer"]])]
    if not reach.ok:
        return [reach, c.finding(f"{placed}, {distance} nt from the {name}; it must lie within {cut['max_distance']} "
                                 f"nt [{cut['source']}].", spec["variant_position"], [spec["spacer"], spec["cas"]])]
    return [reach]


ci.register("editor_site", needs=REQUIRED,
            paths=("spacer", "target", "variant_position", "variant", "pam", "cas", "deaminase", "window_start",
                   "window_end", "bystanders"),
            validate=_validate, run=run)
