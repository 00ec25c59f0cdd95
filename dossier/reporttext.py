"""What a laboratory report's text names — an HGVS variant, a gene, a CLIA or CAP number — read as PDF
text extraction gives it: lines broken inside a variant (`NM_001042432.2:c.1056+34` / `C>A`), no-break
and full-width characters, the variant with or without its transcript, or with the gene beside it
(`NM_000391.4(TPP1):c.…`). Pure functions of the text of each page (dossier.pdftext).

A variant counts as named when the report writes the same change on the same transcript version: as
written first, and where that fails, as the HGVS grammar reads both (dossier.genetics.same_variant:
`c.4_6delCTG` is `c.4_6del`), so the grammar loads only for a report that writes it another way.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from .genetics import same_variant

_ACCESSION = r"N[CGMRP]_\d+(?:\.\d+)?"
# a transcript right before a description, perhaps with the gene beside it: NM_000391.4(TPP1):
_PREFIX = re.compile(rf"({_ACCESSION})(?:\([A-Za-z0-9-]+\))?:$")
_TRANSCRIPTS = re.compile(rf"(?<![A-Za-z0-9])({_ACCESSION})")
_POSITION = r"[-*]?\d+(?:[-+]\d+)?"
# an HGVS description as reports print them: coordinates, position or range, then the change
_DESCRIPTION = re.compile(rf"(?<![A-Za-z0-9_])[cgnmr]\.\(?{_POSITION}(?:_{_POSITION})?\)?"
                          r"(?:delins[ACGTN]+|del[ACGTN]*|dup[ACGTN]*|ins[ACGTN]+|inv|[ACGTUN]>[ACGTUN]|=)")
# a line broken inside a variant: the break follows a character a variant continues after, and comes
# before one it continues with (never after a letter, so "C>A and c.462…" stays apart)
_BROKEN = re.compile(r"(?<=[0-9_+\-.>:(])\s+(?=[0-9A-Za-z_+\-.>(])")
_CLIA = re.compile(r"[0-9]{2}D[0-9]{7}")


@dataclass(frozen=True)
class Mention:
    """A variant as the report writes it: its transcript (None when written without one) and change."""
    accession: str | None
    change: str
    page: int

    @property
    def text(self) -> str:
        return f"{self.accession}:{self.change}" if self.accession else self.change


@dataclass(frozen=True)
class Naming:
    """Whether the report names a variant: `found` (how and where), or the transcript version it writes
    the change on instead (`version`), or neither; `others` are the variants it does name."""
    found: Mention | None
    version: str | None
    others: tuple[Mention, ...]


def readable(text: str) -> str:
    """The text with its characters as a variant is typed: NFKC (no-break space, full-width '＞'), no soft
    hyphens or zero-width spaces, and lines broken inside a variant joined."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub("[\u00ad\u200b\u200c\u200d\u2060\ufeff]", "", text).replace("\u2010", "-").replace("\u2011", "-")
    return _BROKEN.sub("", re.sub(r"\s*>\s*", ">", text))


def mentions(pages: Sequence[str]) -> list[Mention]:
    """Every variant the report writes, in order, each with the transcript written right before it."""
    found = []
    for number, page in enumerate(pages, start=1):
        text = readable(page)
        for m in _DESCRIPTION.finditer(text):
            before = _PREFIX.search(text[max(0, m.start() - 60):m.start()])
            found.append(Mention(before.group(1) if before else None, m.group(0), number))
    return found


def names_variant(pages: Sequence[str], variant: str) -> Naming:
    """Whether the report names `variant` (`NM_…:c.…`, the dossier's HGVS): on its transcript version, or
    without a transcript where the report gives no other version of that transcript."""
    accession, _, change = variant.partition(":")
    accession = re.sub(r"\(.*\)$", "", accession)  # the gene beside the transcript makes no difference
    base = accession.partition(".")[0]
    written = mentions(pages)
    same = [m for m in written if m.change == change] or \
        [m for m in written if same_variant(f"{accession}:{m.change}", f"{accession}:{change}")]
    # the same numbers on another gene's transcript are another variant
    same = [m for m in same if m.accession is None or m.accession.partition(".")[0] == base]
    bare = [m for m in same if m.accession is None]
    exact = [m for m in same if m.accession == accession]
    mentioned = {t for page in pages for t in _TRANSCRIPTS.findall(readable(page))}
    versions = [m.accession for m in same if m.accession and m.accession != accession] + \
        sorted(t for t in mentioned if t.partition(".")[0] == base and t != accession)
    if exact or (bare and (accession in mentioned or not versions)):
        return Naming((exact or bare)[0], None, tuple(written))
    return Naming(None, versions[0] if same and versions else None, tuple(written))


def names_gene(pages: Sequence[str], symbol: str) -> bool:
    """Whether the report names the gene symbol as a word (CLN3, or CLN3-related; not CLN31)."""
    pattern = re.compile(rf"(?<![A-Za-z0-9-]){re.escape(symbol.strip())}(?![A-Za-z0-9])", re.IGNORECASE)
    return any(pattern.search(unicodedata.normalize("NFKC", page)) for page in pages)


def clia_numbers(pages: Sequence[str]) -> list[str]:
    """The CLIA numbers the report prints (spaces or hyphens inside one ignored)."""
    compact = re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", "\n".join(pages)).upper())
    return list(dict.fromkeys(_CLIA.findall(compact)))


def prints_number(pages: Sequence[str], number: str) -> bool:
    """Whether the report prints `number` (a CAP number: digits not part of a longer number)."""
    pattern = re.compile(rf"(?<![0-9]){re.escape(number.strip())}(?![0-9])")
    return any(pattern.search(unicodedata.normalize("NFKC", page)) for page in pages)
