"""Oligonucleotide arithmetic the sequence checks need: reading a sequence as written (5'/3' marks,
spaces, lower case, U or T, chemistry notation such as mC, +A, * or [5MeC]), its reverse complement,
where it pairs in a target, and its molecular formula and average molecular weight from its
nucleotides and chemistry. An RNA strand (a guide RNA, an siRNA strand) is read residue by residue
from a declared notation (read_strand): each nucleotide its 2' sugar, each linkage its kind, an optional
5'-phosphate.

The formula is the sum of the nucleosides' compositions plus one internucleotide linkage between
each pair (a phosphodiester adds PO2 and removes one H; a phosphorothioate adds POS and removes one
H), with 5'- and 3'-hydroxyl termini: the free acid. A 5'-phosphate adds HPO3 (two acidic H). A salt
replaces each acidic H (one per linkage, two per 5'-phosphate) with its counter-ion. Weights are IUPAC
standard atomic weights (abridged, 2021). The method
reproduces nusinersen's published formula, C234H340N61O128P17S17 (free acid, 7127.2 g/mol).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

# IUPAC Commission on Isotopic Abundances and Atomic Weights, abridged standard atomic weights (2021)
ATOMIC_WEIGHTS = {"H": 1.008, "C": 12.011, "N": 14.007, "O": 15.999, "P": 30.974, "S": 32.06,
                  "Na": 22.990, "K": 39.098, "Li": 6.94, "F": 18.998}
_PAIR = str.maketrans("ACGT", "TGCA")
# 2'-deoxynucleosides (T is thymidine, 5-methyl-2'-deoxyuridine); "c" is 5-methyl-2'-deoxycytidine
_DEOXY = {"A": "C10H13N5O3", "G": "C10H13N5O4", "C": "C9H13N3O4", "c": "C10H15N3O4",
          "T": "C10H14N2O5", "U": "C9H12N2O5"}
# what each 2' sugar adds to the 2'-deoxynucleoside: ribose +O; 2'-O-methyl +CH2O; 2'-O-methoxyethyl
# +C3H6O2; LNA (2'-O,4'-C-methylene bridge) +CO; cEt (2'-O,4'-C-ethylidene bridge) +C2H2O; 2'-fluoro
# (2'-deoxy-2'-fluoro) F in place of the 2'-H. Ribose (+O) turns deoxyuridine C9H12N2O5 into uridine.
SUGARS = {"dna": "", "rna": "O", "ome": "CH2O", "moe": "C3H6O2", "lna": "CO", "cet": "C2H2O", "fluoro": "F-H"}
LINKAGES = {"po": "PO2", "ps": "POS"}
# what the 5' end adds to the 5'-hydroxyl, and how many acidic H it brings
FIVE_PRIME = {"oh": ("", 0), "phosphate": ("HPO3", 2)}
# words that mark a transcript, not a synthetic strand: its weight cannot come from the letters
_TRANSCRIPT = re.compile(r"\bcap\b|cap-?[01]|poly\s*\(?A|m7G|UTR", re.IGNORECASE)
_FORMULA_PART = re.compile(r"([A-Z][a-z]?)(\d*)")


def bases(text: str) -> str:
    """The bases of a sequence as written, upper case, U read as T: "5'-mC*mU*A-3'" → 'CTA'.

    Notation is not sequence: 5'/3' marks, digits, spaces, dashes, linkage marks (*, s, p), modification
    prefixes (m, d, f, +, Me, moe, OMe), a bracketed residue ([5MeC], (m5C), {moeT}: its last base letter)
    and a GalNAc conjugate are dropped; a lower-case base letter is a base (lower case marks DNA in many
    gapmer notations)."""
    text = re.sub(r"5['′]|3['′]|GalNAc\d*", "", text)
    text = re.sub(r"[\[({]([^\])}]*)[\])}]", lambda m: _last_base(m.group(1)), text)
    text = re.sub(r"(?:moe|MOE|OMe|Me|m)(?=[ACGTUacgtu])", "", text)
    return "".join(ch for ch in text.upper() if ch in "ACGTU").replace("U", "T")


def _last_base(group: str) -> str:
    found = re.findall(r"[ACGTUacgtu]", re.sub(r"moe|MOE|OMe|Me", "", group))
    return found[-1] if found else ""


def reverse_complement(seq: str) -> str:
    return seq.translate(_PAIR)[::-1]


def pairing_sites(oligo: str, target: str) -> list[int]:
    """0-based starts in `target` (sense, 5'→3') where the oligo's reverse complement lies."""
    site = reverse_complement(oligo)
    return [m.start() for m in re.finditer(f"(?={site})", target)] if site else []


def best_site(oligo: str, target: str) -> tuple[int, list[int]]:
    """The target start where the oligo pairs with the fewest mismatches, and the oligo positions
    (1-based, 5'→3') that mismatch there."""
    site = reverse_complement(oligo)
    best: tuple[int, list[int]] = (0, list(range(1, len(oligo) + 1)))
    for start in range(len(target) - len(site) + 1):
        window = target[start:start + len(site)]
        wrong = [len(site) - i for i, (a, b) in enumerate(zip(site, window, strict=True)) if a != b]
        if len(wrong) < len(best[1]):
            best = (start, sorted(wrong))
    return best


def parse_formula(text: str) -> Counter:
    """Element counts of a written formula ('C230H318N72O120P21S21Na21'); notes in brackets are ignored."""
    counts: Counter = Counter()
    for element, number in _FORMULA_PART.findall(re.sub(r"\([^)]*\)|\s", "", text)):
        counts[element] += int(number or 1)
    return counts


def formula_text(counts: Counter) -> str:
    """Hill order: C, H, then the other elements alphabetically."""
    order = [e for e in ("C", "H") if counts.get(e)] + sorted(e for e in counts if e not in ("C", "H") and counts[e])
    return "".join(f"{e}{counts[e] if counts[e] != 1 else ''}" for e in order)


def weight(counts: Counter) -> float:
    return sum(ATOMIC_WEIGHTS[e] * n for e, n in counts.items())


def _change(text: str) -> Counter:
    """A formula change written 'F-H': what is added, less what is removed."""
    added, *removed = text.split("-")
    counts = parse_formula(added)
    for part in removed:
        counts.subtract(parse_formula(part))
    return counts


def composition(seq: str, sugars: list[str], linkage: str | list[str], methyl_c: bool, counter_ion: str | None,
                five_prime: str = "oh") -> Counter:
    """The formula of an oligonucleotide: `seq` its bases 5'→3' (A C G T U), `sugars` the 2' sugar of each
    residue (SUGARS keys), `linkage` po or ps throughout or one per linkage 5'→3', `methyl_c` every C a
    5-methylcytosine, `counter_ion` None for the free acid or the element replacing each acidic H,
    `five_prime` a FIVE_PRIME key."""
    counts: Counter = Counter()
    for base, sugar in zip(seq, sugars, strict=True):
        counts.update(parse_formula(_DEOXY["c" if base == "C" and methyl_c else base]))
        counts.update(_change(SUGARS[sugar]))
    links = [linkage] * (len(seq) - 1) if isinstance(linkage, str) else linkage
    if len(links) != len(seq) - 1:
        raise ValueError(f"has {len(links)} linkages for {len(seq)} nucleotides")
    for link in links:
        counts.update(parse_formula(LINKAGES[link]))
    counts["H"] -= len(links)  # each linkage joins a 3'-OH and a 5'-OH, losing water, gaining PO3H (or PSO2H)
    end, end_acids = FIVE_PRIME[five_prime]
    counts.update(parse_formula(end))
    if counter_ion:
        counts["H"] -= len(links) + end_acids
        counts[counter_ion] += len(links) + end_acids
    return counts


@dataclass(frozen=True)
class Strand:
    """An RNA strand read from its notation: its bases, each nucleotide's sugar, each linkage, its 5' end."""
    bases: str
    sugars: list[str]
    linkages: list[str]
    five_prime: str = "oh"

    def composition(self, counter_ion: str | None) -> Counter:
        return composition(self.bases, self.sugars, self.linkages, False, counter_ion, self.five_prime)


def read_strand(text: str, prefixes: dict[str, str], marks: dict[str, str], phosphate: str = "",
                sugar: str = "rna") -> Strand:
    """A strand written one nucleotide after another: a capital base (A C G U, T) after an optional
    prefix naming its sugar (`prefixes`, e.g. m → ome for 2'-O-methyl; without one, `sugar`), then an
    optional mark naming the linkage that follows (`marks`, e.g. * → ps; without one, phosphodiester);
    `phosphate` at the very start marks a 5'-phosphate. 5'/3' marks, spaces and dashes are ignored.
    "mU*mU*mC*CUA" → UUCCUA, ome ×3 then rna, ps ps ps po po. ValueError (a reason to show) otherwise."""
    if _TRANSCRIPT.search(text):
        raise ValueError("describes a transcript (cap, UTR or poly(A) tail), whose weight cannot be computed "
                         "from its letters; the declared value is not checked")
    body = re.sub(r"5['′]|3['′]|[\s\-]", "", text)
    five_prime = "phosphate" if phosphate and body.startswith(phosphate) else "oh"
    body = body[len(phosphate):] if five_prime == "phosphate" else body
    pre = "|".join(re.escape(p) for p in sorted(prefixes, key=len, reverse=True)) or "(?!)"
    mark = "|".join(re.escape(m) for m in sorted(marks, key=len, reverse=True)) or "(?!)"
    token = re.compile(f"({pre})?([ACGTU])({mark})?")
    bases, sugars, links, at = [], [], [], 0
    while at < len(body):
        found = token.match(body, at)
        if not found:
            raise ValueError(f"has '{body[at:at + 12]}' at character {at + 1}, which is not a nucleotide in the "
                             f"notation this check reads (capital A C G U, sugar prefixes {', '.join(prefixes)}, "
                             f"linkage marks {', '.join(marks)})")
        bases.append(found.group(2))
        sugars.append(prefixes[found.group(1)] if found.group(1) else sugar)
        links.append(marks[found.group(3)] if found.group(3) else "po")
        at = found.end()
    if not bases:
        raise ValueError("holds no nucleotide")
    if links[-1] != "po":
        raise ValueError("ends in a linkage mark after its 3' nucleotide")
    return Strand("".join(bases), sugars, links[:-1], five_prime)


def sugar_pattern(length: int, sugar: str, pattern: str | None) -> list[str]:
    """Each residue's sugar: all `sugar`, or a gapmer's 'wing-gap-wing' lengths (5-10-5: modified wings
    around a DNA gap). ValueError when the pattern does not add up to the length."""
    if not pattern:
        return [sugar] * length
    parts = [int(p) for p in re.findall(r"\d+", pattern)]
    if len(parts) != 3 or sum(parts) != length:
        raise ValueError(f"is not wing–gap–wing lengths adding up to the {length}-nt sequence")
    return [sugar] * parts[0] + ["dna"] * parts[1] + [sugar] * parts[2]
