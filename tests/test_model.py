import copy
from pathlib import Path

import pytest

from dossier.conditions import Condition
from dossier.errors import ModelError, UnknownFieldError
from dossier.model import load_model
from dossier.model_reader import parse_model


def test_mini_model_loads_typed_objects(mini_model):
    field = mini_model.field("product.design.dose")
    assert field.type == "number" and field.units == ("mg", "mL") and field.minimum == 0
    assert mini_model.field("genetic.variant.patient_name").phi is True
    table = mini_model.field("product.design.studies")
    assert [c.id for c in table.columns] == ["name", "system", "patient_derived", "dose", "report"]
    assert mini_model.checks[0].when == Condition("equals", "genetic.variant.acmg_class", ("VUS",))
    assert [s.path for s in mini_model.sections()] == ["genetic.variant", "product.design", "product.cmc"]


def test_unknown_field_names_the_section_fields(mini_model):
    with pytest.raises(UnknownFieldError) as err:
        mini_model.field("genetic.variant.hgsv")
    assert "genetic.variant.hgvs" in str(err.value)


@pytest.mark.parametrize("mutate, expected", [
    (lambda m: m["areas"][0]["sections"][0]["fields"][0].update(type="colour"), "field type 'colour'"),
    (lambda m: m["areas"][0]["sections"][0]["fields"][3].pop("choices"), "needs 'choices'"),
    (lambda m: m["checks"][1].update(fields=["product.design.nope", "product.cmc.sequence"]),
     "unknown field 'product.design.nope'"),
    (lambda m: m["checks"][0].update(severity="fatal"), "severity 'fatal'"),
    (lambda m: m["checks"][0].update(kind="magic"), "check kind 'magic'"),
    (lambda m: m["areas"][0]["sections"][0]["fields"][1].update(documents=["nowhere"]), "unknown document 'nowhere'"),
    (lambda m: m["areas"][0]["sections"][0]["fields"].append({"id": "gene", "label": "x", "type": "text"}),
     "defined twice"),
    (lambda m: m["checks"][4].update(has=["nope"]), "'nope' is not a column"),
    (lambda m: m.update(version=7), "unsupported content model version 7"),
    (lambda m: m["areas"][0].update(id="Bad Id"), "id 'Bad Id' must match"),
    # `{label: Rare disease (fewer than 200,000 in the US), …}`: YAML splits the label at its comma
    (lambda m: m["areas"][0]["sections"][0]["fields"][0].update({"label": "Gene (HGNC", "symbol)": None}),
     "(gene): unknown key(s) symbol); a field of its type has"),
    (lambda m: m["documents"].append(dict(m["documents"][0], id="other")),
     "file name already used by document 'summary'"),
    (lambda m: m.update(sources_for=[{"source": "Old guidance", "instead": [{"source": "New guidance"}]}]),
     "sources_for[0].instead[0]: a replacing source is {when: condition, source: text}"),
])
def test_malformed_model_fails_with_place_and_reason(mini_raw, mutate, expected):
    raw = copy.deepcopy(mini_raw)
    mutate(raw)
    with pytest.raises(ModelError) as err:
        parse_model(raw, Path("broken.yaml"))
    assert str(err.value).startswith("broken.yaml: ")
    assert expected in str(err.value)


def test_yaml_syntax_error_names_line(tmp_path):
    bad = tmp_path / "model.yaml"
    bad.write_text("version: 1\nareas: [\n  - id: x\n")
    with pytest.raises(ModelError) as err:
        load_model(bad)
    assert str(bad) in str(err.value) and "line" in str(err.value)


def test_missing_model_file_is_reported(tmp_path):
    with pytest.raises(ModelError, match="cannot read the content model"):
        load_model(tmp_path / "none.yaml")
