"""What the content model says to guide the user beyond its fields: help written for one modality or
path (`help_for:`), the plausible-mechanism elements with the evidence that shows each, and the FDA
review centres with their addresses (`centers:`). Read by dossier.model_reader."""

from __future__ import annotations

from typing import Any

from .conditions import Condition, parse_condition
from .model import Center, Element, Evidence, HelpVariant


def read_sources_for(r: Any, raw: dict) -> dict[str, tuple[HelpVariant, ...]]:
    """`sources_for: [{source: s, instead: [{when: …, source: …}]}]`: a guidance written for one modality
    (the individualized-ASO guidances) and what a dossier of another modality cites in its place."""
    table: dict[str, tuple[HelpVariant, ...]] = {}
    for i, data in enumerate(raw.get("sources_for") or []):
        place = f"sources_for[{i}]"
        data = r.mapping(data, place)
        instead = []
        for j, other in enumerate(data.get("instead") or []):
            oplace = f"{place}.instead[{j}]"
            other = r.mapping(other, oplace)
            when = parse_condition(other.get("when"), f"{oplace}.when", r.fail)
            if when is None or set(other) != {"when", "source"}:
                raise r.fail(oplace, "a replacing source is {when: condition, source: text}")
            instead.append(HelpVariant(when, "", r.text(other, "source", oplace)))
        table[r.text(data, "source", place)] = tuple(instead)
    return table


def help_variants(r: Any, data: dict, place: str, sources_for: dict[str, tuple[HelpVariant, ...]] | None = None
                  ) -> tuple[HelpVariant, ...]:
    """`help_for: [{when: …, help: …, source: …}]`: help (or only the guidance source) written for one
    modality or path. Where a variant's source, or the field's own, is one `sources_for` replaces, the
    replacements come first (a variant's help with each replacing source, while both conditions hold)."""
    sources_for = sources_for or {}
    own = str(data.get("source") or "")
    written = _written_variants(r, data, place)
    variants: list[HelpVariant] = []
    for v in written:
        variants += [HelpVariant(Condition("all", parts=(v.when, s.when)), v.help, s.source)
                     for s in sources_for.get(v.source or own, ())]
        variants.append(v)
    return tuple(variants) + sources_for.get(own, ())


def _written_variants(r: Any, data: dict, place: str) -> list[HelpVariant]:
    variants = []
    for i, raw in enumerate(data.get("help_for") or []):
        vplace = f"{place}.help_for[{i}]"
        raw = r.mapping(raw, vplace)
        unknown = set(raw) - {"when", "help", "source"}
        if unknown or "when" not in raw:
            raise r.fail(vplace, "a help variant is {when: condition, help: text, source: text (optional)}")
        when = parse_condition(raw["when"], f"{vplace}.when", r.fail)
        assert when is not None
        text, source = r.text(raw, "help", vplace, ""), r.text(raw, "source", vplace, "")
        if not text and not source:
            raise r.fail(vplace, "a help variant gives the help, the source, or both")
        variants.append(HelpVariant(when, text, source))
    return variants


def read_elements(r: Any, raw: dict) -> tuple[Element, ...]:
    elements = []
    for i, data in enumerate(r.items(raw.get("elements"), "elements")):
        place = f"elements[{i}]"
        data = r.mapping(data, place)
        evidence = {}
        for key in ("nonclinical", "patients"):
            part = r.mapping(data.get(key) or {}, f"{place}.{key}")
            if set(part) - {"fields", "checks"}:
                raise r.fail(f"{place}.{key}", "evidence is {fields: [..], checks: [..]}")
            evidence[key] = Evidence(r.strings(part, "fields", f"{place}.{key}"),
                                     r.strings(part, "checks", f"{place}.{key}"))
        elements.append(Element(r.ident(data, place), r.text(data, "title", place), r.strings(data, "fields", place),
                                **evidence))
    return tuple(elements)


def read_centers(r: Any, raw: dict) -> tuple[Center, ...]:
    centers = []
    for i, data in enumerate(raw.get("centers") or []):
        place = f"centers[{i}]"
        data = r.mapping(data, place)
        address = r.strings(data, "address", place)
        if not address:
            raise r.fail(place, "a review centre needs its mailing 'address' (lines, from an FDA source)")
        centers.append(Center(
            id=r.ident(data, place), name=r.text(data, "name", place), abbreviation=r.text(data, "abbreviation", place),
            office=r.text(data, "office", place, ""), address=address, source=r.text(data, "source", place),
            when=parse_condition(data.get("when"), f"{place}.when", r.fail)))
    return tuple(centers)
