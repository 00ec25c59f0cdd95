"""Guide-RNA arithmetic the genome-editor check needs: where a spacer lies in a target written as its
sense strand (on that strand or the other), the bases that follow it on its strand (where the PAM must
be), IUPAC motifs (NGG, NNGRRT), and which protospacer position a target position is.

Protospacer positions count from the spacer's 5' end, the end far from the PAM (1 = PAM-distal; 20 =
next to the PAM for a 20-nt SpCas9 spacer), as base-editing papers count their editing windows. Target
positions count from 1 at the target's first base, on the sense strand as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .oligo import best_site, reverse_complement

# IUPAC nucleotide codes (NC-IUB 1984): the bases each letter stands for
IUPAC = {"A": "A", "C": "C", "G": "G", "T": "T", "U": "T", "R": "AG", "Y": "CT", "S": "CG", "W": "AT",
         "K": "GT", "M": "AC", "B": "CGT", "D": "AGT", "H": "ACT", "V": "ACG", "N": "ACGT"}
SENSE, ANTISENSE = "+", "−"


def is_motif(text: str) -> bool:
    return bool(text) and all(letter in IUPAC for letter in text)


def fits(motif: str, bases: str) -> bool:
    """Whether `bases` (as many as the motif has) are what the IUPAC `motif` allows: fits('NGG', 'TGG')."""
    return len(bases) == len(motif) and all(b in IUPAC[m] for m, b in zip(motif.upper(), bases, strict=True))


@dataclass(frozen=True)
class Site:
    """Where a spacer lies: its strand, the target positions it covers (first ≤ last, sense numbering)
    and the bases after its 3' end on its strand (fewer at the target's end)."""
    strand: str
    first: int
    last: int
    after: str

    @property
    def length(self) -> int:
        return self.last - self.first + 1

    def position(self, where: int) -> int:
        """The protospacer position of target position `where` (beyond 1…length outside the protospacer)."""
        return where - self.first + 1 if self.strand == SENSE else self.last - where + 1

    def target_position(self, position: int) -> int:
        """The target position of protospacer position `position` (the inverse of `position`)."""
        return self.first + position - 1 if self.strand == SENSE else self.last - position + 1

    def base(self, target: str, position: int) -> str:
        """The base at protospacer position `position` (within the target) on the protospacer's strand."""
        at = target[self.target_position(position) - 1]
        return at if self.strand == SENSE else reverse_complement(at)

    def describe(self) -> str:
        strand = "sense (+)" if self.strand == SENSE else "antisense (−)"
        return f"target {self.first}–{self.last} on the {strand} strand"


def sites(spacer: str, target: str, following: int) -> list[Site]:
    """Every place the spacer lies in the target, sense strand first, each with up to `following`
    bases after it on its strand."""
    found, n, size = [], len(spacer), len(target)
    if not spacer:
        return []
    for m in re.finditer(f"(?={spacer})", target):
        found.append(Site(SENSE, m.start() + 1, m.start() + n, target[m.start() + n:m.start() + n + following]))
    other = reverse_complement(target)
    for m in re.finditer(f"(?={spacer})", other):
        last = size - m.start()
        found.append(Site(ANTISENSE, last - n + 1, last, other[m.start() + n:m.start() + n + following]))
    return found


def best_match(spacer: str, target: str) -> tuple[Site, list[int]]:
    """The place on either strand where the spacer matches with the fewest mismatches, and the spacer
    positions (1-based from its 5' end) that mismatch there."""
    n = len(spacer)
    # on the sense strand the spacer is the target itself: it is where its reverse complement would pair
    start, wrong = best_site(reverse_complement(spacer), target)
    sense = Site(SENSE, start + 1, start + n, ""), sorted(n + 1 - p for p in wrong)
    start, wrong = best_site(spacer, target)  # on the antisense strand it pairs with the sense strand
    antisense = Site(ANTISENSE, start + 1, start + n, ""), wrong
    return min((sense, antisense), key=lambda found: len(found[1]))
