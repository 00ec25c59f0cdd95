"""Fuzzing the door: generated values of every field type, hostile ones included, go through `set` →
build (render in Word and PDF, eCTD XML) → validate on the demo dossier. Each must either be refused
cleanly (a DossierError with a one-line message, the stored value untouched) or build cleanly.

A bounded number of examples runs in the suite; run more on demand with
    DOSSIER_FUZZ_EXAMPLES=500 python -m pytest tests/test_fuzz_door.py
"""

import json
import os
import shutil

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dossier.build import build_sequence
from dossier.docunits import split_unit, unit_stem, units
from dossier.errors import DossierError
from dossier.fieldpath import FieldPath
from dossier.limits import LIMITS, MAX_DIGITS
from dossier.model import Column, Field
from tests.helpers.ectd import install_standards

pytestmark = pytest.mark.slow  # real builds of the demo
EXAMPLES = int(os.environ.get("DOSSIER_FUZZ_EXAMPLES", "10"))
# Long text at its limit takes a while to lay out in PDF, so the suite's short run tries long text
# up to 5,000 characters; a run of more examples tries every limit exactly.
# An integer of 5,000 digits, which Python will not turn into text: made by a function, so that neither the
# strategy's repr nor Hypothesis replaying a saved example from its database tries to print it.
HUGE = st.builds(pow, st.just(10), st.just(5000))
EDGE = {kind: limit.size for kind, limit in LIMITS.items()} | ({} if EXAMPLES > 10 else {"longtext": 5_000})

# Characters that break documents, next to ones that must pass: controls, an ANSI escape, NUL,
# non-characters, surrogates; right-to-left, emoji, markup and template syntax.
HOSTILE = ["\x00", "\x01", "\x07", "\x0b", "\x1b[31m", "\x7f", "\x85", "\ud800", "\ufffe", "\uffff", "\ufdd0",
           "\U0001ffff", "\u202e", "\u2028", "😀", "שלום", "<b>&amp;</b>", "{{ 7*7 }}", "{% if %}", "\t", "\r\n", "é"]
CHARACTERS = st.one_of(st.characters(), st.sampled_from(HOSTILE))


def texts(kind: str):
    size = EDGE[kind]
    edge = "w " * size
    return st.one_of(st.lists(CHARACTERS, max_size=30).map("".join),
                     st.sampled_from([edge[:size], edge[: size + 1], "x" * size, "x" * (size + 1)]))


def _encodable(value) -> bool:
    """Whether the json module can write the value (an integer of 5,000 digits it cannot)."""
    try:
        json.dumps(value)
    except ValueError:
        return False
    return True


def json_of(strategy):
    # a value the json module cannot write has no JSON text to give; the value itself is still given
    return st.one_of(strategy, strategy.filter(_encodable).map(lambda v: json.dumps(v, ensure_ascii=False)))


def numbers(spec):
    unit = st.sampled_from(list(spec.units) + ["", "furlongs"])
    plain = st.one_of(st.integers(), st.floats(), st.integers(min_value=10 ** (MAX_DIGITS - 1), max_value=10 ** 40),
                      st.sampled_from(["1e400", "9" * 4500, "NaN", "-0", ".5"]))
    huge = HUGE  # a value Python will not even turn into text
    return st.one_of(st.builds(lambda n, u: f"{n} {u}".strip(), plain, unit),
                     st.builds(lambda n, u: {"value": n, "unit": u}, plain | huge, unit))


def cell_values(column: Column):
    return VALUES[column.type](column)


def tables(spec: Field):
    row = st.fixed_dictionaries({}, optional={c.id: cell_values(c) for c in spec.columns})
    return json_of(st.lists(row, max_size=3))


def deep(depth: int):
    value: list = []
    for _ in range(depth):
        value = [value]
    return value


VALUES = {
    "text": lambda spec: texts("text"),
    "longtext": lambda spec: texts("longtext"),
    "choice": lambda spec: st.one_of(st.sampled_from(spec.choices), texts("text")),
    "multichoice": lambda spec: json_of(st.lists(st.one_of(st.sampled_from(spec.choices), texts("text")), max_size=3)),
    "date": lambda spec: st.one_of(st.dates().map(str), st.sampled_from(["2026-02-30", "31/12/2026", "０２０２６"])),
    "number": numbers,
    "yesno": lambda spec: st.one_of(st.booleans(), st.sampled_from(["yes", "No", "maybe"]), texts("text")),
    "person": lambda spec: json_of(st.fixed_dictionaries(
        {"name": texts("text")}, optional={"email": st.one_of(st.emails(), texts("text")), "address": texts("text"),
                                           "organisation": texts("text")})),
    "table": tables,
    "hgvs": lambda spec: st.one_of(st.sampled_from(["NM_001042432.2:c.1056+34C>A", "NM_001042432.2:c.462_677del",
                                                    "NM_001042432.2:c.1056+34C>A\x00"]), texts("hgvs")),
    "hpo": lambda spec: json_of(st.lists(st.sampled_from(["HP:0001250", "HP:0000505", "HP:9999999", "seizure"]),
                                         max_size=3)),
    "attachment": lambda spec: st.one_of(st.sampled_from(["coa-batch-aso-001.pdf", "x.exe"]), texts("text")),
}
ANY_FIELD = st.sampled_from([deep(5_000), json.dumps(deep(500)), "[" * 100_000, {"value": None}, [None]]) | HUGE


@pytest.fixture(scope="module")
def demo(tmp_path_factory, demo_master):
    from dossier.service import Dossier

    tmp = tmp_path_factory.mktemp("fuzz")
    shutil.copyfile(demo_master, tmp / "demo.dossier")
    with pytest.MonkeyPatch.context() as mp:
        install_standards(mp, tmp / "standards")
        with Dossier.open(tmp / "demo.dossier") as d:
            build_sequence(d, tmp / "app", draft=True, workers=1)  # renders every document once, into the cache
            yield d, tmp / "app"


def serious(findings):
    """Findings that mean the build itself went wrong (not that a value breaks a business rule)."""
    return [str(f) for f in findings if f.severity == "high" and ("DTD" in f.message or "well-formed" in f.message
                                                                 or "not a PDF" in f.message or "damaged" in f.message)]


def in_demo(model, path: str) -> str:
    """Where the demo holds a field: a field of a repeated section (the drug substance) in its first instance."""
    where = FieldPath.match(path)
    return str(where.in_instance(0)) if where is not None and model.repeat_of(where.section_path) else path


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), print_blob=True)
@given(data=st.data())
def test_every_value_is_refused_cleanly_or_builds(demo, data):
    dossier, app = demo
    field = data.draw(st.sampled_from(sorted(dossier.model.fields.values(), key=lambda f: f.path)), label="field")
    path = in_demo(dossier.model, field.path)
    raw = data.draw(st.one_of(VALUES[field.type](field), ANY_FIELD), label="value")
    before = dossier.get(path)
    try:
        dossier.set(path, raw)
    except DossierError as exc:
        message = str(exc)
        assert message.startswith(path) and "\n" not in message and len(message) < 600, message
        assert dossier.get(path) == before
        return
    shutil.rmtree(app / "0001-word", ignore_errors=True)  # else kept aside, by the second: two in one would clash
    try:
        try:
            result = build_sequence(dossier, app, draft=True, workers=1)
        except DossierError as exc:  # even a draft needs some facts (a keyed heading's indication)
            message = str(exc)
            assert path in message and "\n" not in message, message
            # ... and check said so first: a build refusal is never news to the user (a warning where the
            # documents are still final, as on a path whose form has no verified eCTD code)
            assert path in {f.field for f in dossier.check().findings if f.severity in ("error", "warning")}, message
            return
        assert serious(result.findings) == [] and result.word_dir is not None
        values = dossier.values()
        for unit in units(dossier.model, values):  # a document whose condition this value made false is not built
            if split_unit(unit)[0] in field.documents:
                docx.Document(str(result.word_dir / f"{unit_stem(dossier.model, unit, values)}.docx"))  # reads back
    finally:
        dossier.store.set(path, before)


def test_values_at_their_limits_build(demo):
    """Every one-line text field and a table cell at the one-line limit, a long text at its limit: the
    sequence builds, validates and its Word files read back."""
    dossier, app = demo
    model = dossier.model
    one_line = ("Limit " * LIMITS["text"].size)[: LIMITS["text"].size]
    paragraph = "A paragraph of the longest text a field takes.\n"
    long_text = (paragraph * LIMITS["longtext"].size)[: LIMITS["longtext"].size]
    edits = {in_demo(model, path): one_line for path, f in model.fields.items()
             if f.type == "text" and not f.max_length}
    edits["genetic.variant[0].confirmation"] = long_text
    table = next(f for f in model.fields.values() if f.type == "table" and dossier.get(in_demo(model, f.path))
                 and any(c.type == "text" for c in f.columns))
    column = next(c.id for c in table.columns if c.type == "text")
    edits[in_demo(model, table.path)] = [{**row, column: one_line} for row in dossier.get(in_demo(model, table.path))]
    before = dossier.values()
    shutil.rmtree(app / "0001-word", ignore_errors=True)
    try:
        dossier.set_many(edits)
        result = build_sequence(dossier, app, draft=True, workers=1)
        assert serious(result.findings) == []
        for path in sorted(result.word_dir.glob("*.docx")):
            docx.Document(str(path))
    finally:
        for path in edits:
            dossier.store.set(path, before.get(path))


def test_a_cleared_fact_a_keyed_heading_needs_is_reported_by_check_first(demo):
    """Found by the fuzz test: an empty indication (its keyed eCTD heading needs it) is an error check
    reports first; a draft still builds and names the field in a note, a final build refuses in one
    line naming the field."""
    dossier, app = demo
    path = "module1.product.indication"
    before = dossier.get(path)
    try:
        dossier.clear(path)
        assert path in {f.field for f in dossier.check().findings if f.severity == "error"}
        draft = build_sequence(dossier, app, draft=True, workers=1)
        assert any(path in note and "'not given'" in note for note in draft.notes)
        with pytest.raises(DossierError, match=path.replace(".", r"\.")) as refused:
            build_sequence(dossier, app, workers=1)
        assert "\n" not in str(refused.value)
    finally:
        dossier.store.set(path, before)
