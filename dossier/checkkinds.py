"""The registry of check kinds that live outside dossier.readiness: each kind says which keys its
spec needs, which of them name field paths (resolved when the model loads), how to validate the
rest of its spec at load, and how to run it. A module of kinds registers them on import:

    @check_kind("complementary", needs=("sequence", "target"), paths=("sequence", "target"))
    def complementary(check: Check, ctx: Context) -> list[Finding]: ...

and is listed once in `kinds()` below. docs/content-model-format.md documents every kind.

A runner returns its findings and, among them, the measures it computed (dossier.measures.measure):
the number it judged and its limit, whether or not it finds anything, for the readiness panel and
`dossier check` to show (a finding and a measure of one judgement come from the same `ok`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .conditions import Applicability
    from .errors import ModelError
    from .findings import Finding
    from .measures import Measure
    from .model import Check, ContentModel
    from .pdftext import PdfText

# fail(reason) -> the ModelError to raise, already naming the file and the check
Fail = Callable[[str], "ModelError"]


# text(attachment name) -> the attached PDF's text (dossier.pdftext), None when the dossier does not hold it
Texts = Callable[[str], "PdfText | None"]


@dataclass(frozen=True)
class Context:
    """What a check runs over: the model, the values that apply (with derived values) and applicability;
    `text` reads an attachment's text, None when the caller gave readiness the attachments' names only;
    `dossier`, for a kind that reads the whole dossier at once (`whole`), every stored value at its path."""
    model: ContentModel
    values: dict[str, Any]
    ap: Applicability
    text: Texts | None = None
    dossier: dict[str, Any] | None = None


# run(check, ctx) -> its findings, and the measures it computed
Run = Callable[["Check", Context], "Sequence[Finding | Measure]"]


@dataclass(frozen=True)
class CheckKind:
    name: str
    needs: tuple[str, ...]
    paths: tuple[str, ...]
    run: Run
    validate: Callable[[Check, ContentModel, Fail], None] | None = None
    reads: tuple[str, ...] = ()  # the keys of `paths` naming attachment fields whose files' text it reads
    whole: bool = False  # runs once over every instance of every repeat (Context.dossier), never per instance


_KINDS: dict[str, CheckKind] = {}


def check_kind(name: str, needs: tuple[str, ...], paths: tuple[str, ...] = (),
               validate: Callable[[Check, ContentModel, Fail], None] | None = None, reads: tuple[str, ...] = (),
               whole: bool = False):
    """Register the decorated function as the runner of check kind `name`."""
    def register(run: Run):
        _KINDS[name] = CheckKind(name, needs, paths, run, validate, reads, whole)
        return run
    return register


def kinds() -> dict[str, CheckKind]:
    """Every registered kind by name (the modules register themselves when first imported)."""
    from . import (  # noqa: F401
        checks_clinical,
        checks_cmc,
        checks_editor,
        checks_genetics,
        checks_phi,
        checks_sequence,
        dosemargin,
        dosesteps,
        endotoxin,
        toxfit,
    )

    return _KINDS


def spec_paths(check: Check, keys: tuple[str, ...] | None = None) -> list[str]:
    """The field paths a registered kind's spec names (a key may hold one path or a list), under `keys`
    (by default every key of the kind's `paths`)."""
    kind = kinds().get(check.kind)
    found: list[str] = []
    for key in (kind.paths if keys is None else keys) if kind else ():
        value = check.spec.get(key)
        found += value if isinstance(value, list) else [value] if isinstance(value, str) else []
    return found


def text_read(model: ContentModel) -> set[str]:
    """The attachment fields whose files' text some check of the model reads (a laboratory report)."""
    return {p for c in model.checks if (kind := kinds().get(c.kind)) for p in spec_paths(c, kind.reads)}
