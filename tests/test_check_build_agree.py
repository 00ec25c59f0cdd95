"""`dossier check` and a final build agree: on every incomplete dossier made from the demo by clearing
one field (or one table column in every row), generated from the content model, either check reports
a blocking finding (so the build's readiness gate refuses, naming it) or the build's own steps accept
it — Module 1 facts, the sequence plan, and every final document without a placeholder. Real final
builds of demos with optional facts cleared are read back (DOCX, PDF, us-regional.xml)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from lxml import etree

from dossier.build import build_sequence
from dossier.cases import builtin_cases, make_case
from dossier.conditions import Applicability
from dossier.docunits import split_unit, unit_values, units
from dossier.ectd import admin
from dossier.ectd.headings import ich_tree, regional_tree
from dossier.ectd.plan import Inputs, Trees, plan_sequence
from dossier.errors import DossierError
from dossier.fieldpath import base_path
from dossier.model import default_model
from dossier.packet import is_packet_path
from dossier.readiness import check_dossier
from dossier.render.templating import allowed_fields, render_markup
from dossier.render.tree import PLACEHOLDER
from dossier.service import Dossier
from tests.helpers.demo import demo_render_input
from tests.helpers.documents import docx_text, pdf_text
from tests.helpers.ectd import install_standards

MODEL = default_model()
PLACEHOLDER_TEXT = PLACEHOLDER.split("{")[0].strip("[ ")  # "Not yet provided:"


def incomplete_dossiers(values: dict) -> Iterator[tuple[str, dict]]:
    """(what was cleared, the values) for every value the dossier holds (a field, or a field of one
    instance of a repeated section), and every optional column of a table it fills, cleared in every
    row (a required column cannot be stored empty)."""
    for path, value in values.items():
        field = MODEL.fields.get(base_path(path))
        if field is None:
            continue
        yield path, {p: v for p, v in values.items() if p != path}
        if field.type != "table":
            continue
        for column in field.columns:
            if column.required or not any(column.id in row for row in value):
                continue
            rows = [{k: v for k, v in row.items() if k != column.id} for row in value]
            yield f"{path}.{column.id}", {**values, path: rows}


def _final_documents(values: dict, cleared: str) -> None:
    """Render the markup of every applying final document the cleared field could change; a final
    document that would show a placeholder raises DossierError."""
    header = set(MODEL.roles.header.values())
    field = base_path(cleared)
    for unit in units(MODEL, values):  # a document rendered per instance: once per instance, as a build does
        document = MODEL.document(split_unit(unit)[0])
        if field in header or field in allowed_fields(MODEL, document) or document.when is not None:
            render_markup(MODEL, document, unit_values(MODEL, unit, values), final=True)


def _planned(values: dict, attachments: dict[str, str], trees: Trees) -> None:
    """The build's steps before rendering: Module 1 facts and the plan of sequence 0001 (keyed headings,
    attachment homes, paths), on a path that builds an eCTD sequence."""
    if is_packet_path(MODEL, values):
        return  # the build writes an expanded-access packet (no Module 1 facts, no plan); its refusals follow
    notes: list[str] = []
    facts = admin.module1(MODEL.roles, values, "0001", False, notes)
    ap = Applicability(MODEL, values)
    keys = {d.id: "key" for d in MODEL.documents if ap.document(d)}
    plan_sequence(Inputs(MODEL, values, attachments, keys, {}), trees, "0001", {}, facts)


@pytest.fixture(scope="module")
def trees(tmp_path_factory) -> Trees:
    with pytest.MonkeyPatch.context() as mp:
        folder = install_standards(mp, tmp_path_factory.mktemp("standards"))
        return Trees(ich_tree(folder), regional_tree(folder))


@pytest.fixture(scope="module", params=[case.name for case in builtin_cases()])
def case(request, tmp_path_factory) -> tuple[dict, dict[str, str]]:
    """A built-in case (`dossier demo --case NAME`) as its values and its attachments' MD5s."""
    path = make_case(request.param, tmp_path_factory.mktemp("case") / "case.dossier")
    with Dossier.open(path, read_only=True) as d:
        return d.values(), {a.name: a.md5 for a in d.attachments()}


def test_every_build_refusal_was_a_check_finding_first(case, trees):
    values, attachments = case
    names = list(attachments)
    assert not check_dossier(MODEL, values, names).blocking, "the case itself checks clean"
    cases = list(incomplete_dossiers(values))
    assert len(cases) > 150, "the set covers the model's fields, not a hand-picked few"
    refused_unannounced, blocked = [], 0
    for cleared, incomplete in cases:
        report = check_dossier(MODEL, incomplete, names)
        if report.blocking:
            blocked += 1  # a final render or build stops at the readiness gate, naming the findings
            continue
        try:
            _planned(incomplete, attachments, trees)
            _final_documents(incomplete, cleared)
        except DossierError as exc:
            refused_unannounced.append(f"{cleared}: {exc}")
    assert refused_unannounced == []
    assert blocked > 40, "required fields and checks do block"


def test_ind_number_and_contact_telephone_are_check_findings():
    """The two refusals of issue 10: both now stop check before they could stop build."""
    demo = demo_render_input()
    names = [a["name"] for a in demo.attachments]
    without_ind = {p: v for p, v in demo.values.items() if p != "module1.application.ind_number"}
    assert "module1.application.ind_number" in {f.field for f in check_dossier(MODEL, without_ind, names).blocking}
    contacts = [dict(row) for row in demo.values["module1.sponsor.contacts"]]
    del contacts[1]["phone"]
    no_phone = {**demo.values, "module1.sponsor.contacts": contacts}
    assert "module1.sponsor.contacts[1].phone" in {f.field for f in check_dossier(MODEL, no_phone, names).blocking}


OPTIONAL_FACTS = ["module1.sponsor.duns", "module1.forms.cro", "module1.forms.nct_number",
                  "module1.application.review_division", "module1.application.pre_ind_date",
                  "genetic.patient.onset_age", "clinical.dosing.premedication"]


@pytest.mark.slow
def test_a_final_build_of_a_clean_dossier_has_no_placeholder(demo_file, tmp_path, monkeypatch):
    install_standards(monkeypatch, tmp_path / "standards")
    with Dossier.open(demo_file) as d:
        d.set("module1.forms.clinicaltrials_status", "Requirements not applicable")
        for path in OPTIONAL_FACTS:
            d.clear(path)
        assert not d.check().blocking
        result = build_sequence(d, tmp_path / "app", workers=1)
    assert result.ok and not result.draft
    texts = [docx_text(p) for p in sorted(result.word_dir.glob("*.docx"))]
    texts += [pdf_text(p) for p in sorted(result.path.rglob("*.pdf")) if "attachments" not in p.parts]
    assert len(texts) > 40
    offending = [t[:80] for t in texts if PLACEHOLDER_TEXT in t]
    assert offending == []
    regional = etree.parse(str(result.path / "m1" / "us" / "us-regional.xml"))
    assert regional.findtext("admin/applicant-info/id") == "999999999"  # no DUNS: FDA's stand-in


def test_a_final_render_refuses_a_placeholder_in_a_sentence():
    """The safety net behind the templates: a final document never carries a placeholder."""
    demo = demo_render_input()
    values = {p: v for p, v in demo.values.items() if p != "module1.product.indication"}
    with pytest.raises(DossierError, match=r"would show 'not yet provided' for Indication"):
        render_markup(MODEL, MODEL.document("cover-letter"), values, final=True)
    markup, fields = render_markup(MODEL, MODEL.document("cover-letter"), values)
    assert "<placeholder" in markup and fields.placeholders  # a draft shows it
