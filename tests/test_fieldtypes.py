import pytest

from dossier.errors import FieldError
from dossier.fieldtypes import coerce, display, is_filled


def f(model, path):
    return model.field(path)


def test_text_and_longtext(mini_model):
    assert coerce(f(mini_model, "genetic.variant.gene"), "CLN3") == "CLN3"
    assert coerce(f(mini_model, "genetic.variant.notes"), "a\nb\tש😀") == "a\nb\tש😀"
    with pytest.raises(FieldError, match="one line"):
        coerce(f(mini_model, "genetic.variant.gene"), "CLN\n3")
    with pytest.raises(FieldError, match="U\\+D800 \\(a surrogate half\\) at position 5"):
        coerce(f(mini_model, "genetic.variant.notes"), "bad \ud800")
    assert coerce(f(mini_model, "genetic.variant.gene"), "   ") is None


def test_choice_and_multichoice(mini_model):
    assert coerce(f(mini_model, "genetic.variant.acmg_class"), "likely pathogenic") == "Likely pathogenic"
    with pytest.raises(FieldError, match="is not one of: Pathogenic"):
        coerce(f(mini_model, "genetic.variant.acmg_class"), "benign-ish")
    assert coerce(f(mini_model, "genetic.variant.codes"), "PM2, PVS1") == ["PVS1", "PM2"]
    assert coerce(f(mini_model, "genetic.variant.codes"), ["PS3"]) == ["PS3"]
    with pytest.raises(FieldError, match="'PP9' is not one of"):
        coerce(f(mini_model, "genetic.variant.codes"), "PP9")


def test_date(mini_model):
    assert coerce(f(mini_model, "genetic.variant.detected"), "2026-02-28") == "2026-02-28"
    for bad in ("2026-02-30", "31/02/2026", "2026-2-3"):
        with pytest.raises(FieldError, match="YYYY-MM-DD"):
            coerce(f(mini_model, "genetic.variant.detected"), bad)


def test_number_with_unit(mini_model):
    dose = f(mini_model, "product.design.dose")
    assert coerce(dose, "2.5 mg") == {"value": 2.5, "unit": "mg"}
    assert coerce(dose, {"value": 3, "unit": "ML"}) == {"value": 3, "unit": "mL"}
    assert display(dose, coerce(dose, "42 mg")) == "42 mg"
    with pytest.raises(FieldError, match="give the unit"):
        coerce(dose, "2.5")
    with pytest.raises(FieldError, match=r"unit 'g' \(mass\) does not fit here; "
                                         r"units that fit: mg \(mass\); mL \(volume\)"):
        coerce(dose, "2.5 g")
    with pytest.raises(FieldError, match="at least 0"):
        coerce(dose, "-1 mg")
    with pytest.raises(FieldError, match="finite number"):
        coerce(dose, {"value": float("nan"), "unit": "mg"})
    with pytest.raises(FieldError, match="whole number"):
        coerce(f(mini_model, "product.design.length"), "21.5 nt")
    with pytest.raises(FieldError, match="number with its unit"):
        coerce(dose, "lots")


@pytest.mark.parametrize("typed", ["2,5 mg", "2,5", "1,000 mg", "1.000,5 mg"])
def test_a_decimal_comma_is_told_to_use_a_point_not_called_an_unknown_unit(mini_model, typed):
    """'2,5 mg' was refused as "unit ',5 mg' is not a unit this program knows", though mg was right."""
    with pytest.raises(FieldError, match=r"decimal point and no thousands separator \(e\.g\. '2\.5 mg'"):
        coerce(f(mini_model, "product.design.dose"), typed)


def test_yesno(mini_model):
    field = f(mini_model, "product.design.parenteral")
    assert coerce(field, "Yes") is True and coerce(field, "no") is False and coerce(field, False) is False
    with pytest.raises(FieldError, match="yes or no"):
        coerce(field, "maybe")


def test_person(mini_model):
    field = f(mini_model, "product.design.sponsor")
    value = coerce(field, '{"name": "Dr A", "email": "a@example.org", "organisation": "Hospital"}')
    assert value == {"name": "Dr A", "organisation": "Hospital", "email": "a@example.org"}
    with pytest.raises(FieldError, match="not an email"):
        coerce(field, {"name": "Dr A", "email": "nope"})
    with pytest.raises(FieldError, match="unknown part"):
        coerce(field, {"name": "Dr A", "shoe": "42"})
    with pytest.raises(FieldError, match="name or an organisation"):
        coerce(field, {"phone": "555"})


def test_table_validates_each_cell(mini_model):
    field = f(mini_model, "product.design.studies")
    rows = coerce(field, [{"name": "S1", "patient_derived": "yes", "dose": "10 nM"}, {}])
    assert rows == [{"name": "S1", "patient_derived": True, "dose": {"value": 10, "unit": "nM"}}]
    with pytest.raises(FieldError) as err:
        coerce(field, [{"name": "S1", "dose": "10 mg"}])
    assert err.value.field == "product.design.studies[0].dose"
    with pytest.raises(FieldError, match="unknown column"):
        coerce(field, [{"name": "S1", "colour": "red"}])
    with pytest.raises(FieldError, match="required in every row"):
        coerce(field, [{"system": "animal"}])
    with pytest.raises(FieldError, match="not valid JSON"):
        coerce(field, '[{"name": "S1"')


def test_hgvs_uses_the_real_parser(mini_model):
    field = f(mini_model, "genetic.variant.hgvs")
    assert coerce(field, " NM_000391.4:c.1266+5G>A ") == "NM_000391.4:c.1266+5G>A"
    assert coerce(field, "NC_000016.10:g.28482000_28482010del") == "NC_000016.10:g.28482000_28482010del"
    with pytest.raises(FieldError, match="not a valid HGVS variant"):
        coerce(field, "NM_000391.4:c.12x66G>A")
    with pytest.raises(FieldError, match="not a valid HGVS variant"):
        coerce(field, "CLN3 big deletion")


def test_hpo_terms_checked_against_the_ontology(mini_model):
    field = f(mini_model, "genetic.variant.phenotype")
    assert coerce(field, "HP:0001250, hp:0001250") == [{"id": "HP:0001250", "label": "Seizure"}]
    with pytest.raises(FieldError, match="not a term of the shipped HPO"):
        coerce(field, "HP:9999999")
    with pytest.raises(FieldError, match="not an HPO id"):
        coerce(field, "seizures")


def test_attachment_names(mini_model):
    field = f(mini_model, "product.design.report")
    assert coerce(field, ["a.pdf", "a.pdf", "b.pdf"]) == ["a.pdf", "b.pdf"]
    with pytest.raises(FieldError, match="not an attachment name"):
        coerce(field, ["../etc/passwd"])


def test_is_filled():
    assert not any(is_filled(v) for v in (None, "", "  ", [], {}))
    assert all(is_filled(v) for v in (False, 0, "x", [1], {"a": 1}))
