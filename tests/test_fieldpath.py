import pytest

from dossier.errors import UnknownFieldError
from dossier.fieldpath import FieldPath, FieldPathError, base_path, cell_path, field_path, section_of


@pytest.mark.parametrize("text, parts", [
    ("genetic.variant.hgvs", ("genetic", "variant", "hgvs", None, None, None)),
    ("module1.sponsor.sponsor.email", ("module1", "sponsor", "sponsor", None, None, "email")),
    ("cmc.batches.batches[0]", ("cmc", "batches", "batches", None, 0, None)),
    ("cmc.batches.batches[0].coa", ("cmc", "batches", "batches", None, 0, "coa")),
    ("clinical.natural_history.data[12].group", ("clinical", "natural_history", "data", None, 12, "group")),
    ("clinical.sites[1].name", ("clinical", "sites", "name", 1, None, None)),
    ("clinical.sites[0].staff[3].role", ("clinical", "sites", "staff", 0, 3, "role")),
    ("a1.b_2.c3", ("a1", "b_2", "c3", None, None, None)),
])
def test_parse_then_format_is_the_identity(text, parts):
    path = FieldPath.parse(text)
    assert (path.area, path.section, path.field, path.instance, path.row, path.part) == parts
    assert str(path) == text
    assert FieldPath.parse(str(path)) == path


@pytest.mark.parametrize("text, reason", [
    ("", "a field path is area.section.field"),
    ("genetic.variant", "at least three parts"),
    ("genetic", "at least three parts"),
    ("a.b.c.d.e", "too many parts"),
    ("Genetic.variant.hgvs", "'Genetic' is not a name"),
    ("genetic..hgvs", "'(empty)' is not a name"),
    ("genetic.variant.hgvs.", "'(empty)' is not a name"),
    ("genetic.variant.2x", "'2x' is not a name"),
    ("genetic.variant.hg-vs", "'hg-vs' is not a name"),
    ("cmc.batches.batches[-1].coa", "'[-1]' must be a whole number from 0"),
    ("cmc.batches.batches[01].coa", "without leading zeros"),
    ("cmc.batches.batches[x].coa", "'[x]' must be a whole number"),
    ("cmc.batches.batches[].coa", "'[]' must be a whole number"),
    ("cmc.batches.batches[١].coa", "must be a whole number"),  # an Arabic-Indic digit is no row number
    ("cmc.batches.batches[1234567890].coa", "too large"),
    ("cmc.batches.batches[1.coa", "is not a name"),
    ("cmc.batches.batches]1[.coa", "is not a name"),
    ("genetic[0].variant.hgvs", "only a section (its instance) or a table field (its row)"),
    ("cmc.batches.batches[0].coa[1]", "only a section (its instance) or a table field (its row)"),
])
def test_a_bad_path_is_refused_with_what_is_wrong(text, reason):
    with pytest.raises(FieldPathError) as err:
        FieldPath.parse(text)
    assert reason in str(err.value)
    assert str(err.value).startswith(f"{text}: " if text else "'': ")
    assert FieldPath.match(text) is None


def test_a_bad_path_is_a_usage_error_like_an_unknown_field():
    assert issubclass(FieldPathError, UnknownFieldError)
    with pytest.raises(FieldPathError, match=r"a field path is area\.section\.field"):
        FieldPath.parse(None)


def test_the_parts_a_caller_needs():
    cell = FieldPath.parse("cmc.batches.batches[2].coa")
    assert cell.field_path == "cmc.batches.batches" and cell.section_path == "cmc.batches"
    assert str(FieldPath.parse("cmc.batches.batches").cell(2, "coa")) == "cmc.batches.batches[2].coa"
    assert str(FieldPath.parse("cmc.batches.batches").column("coa")) == "cmc.batches.batches.coa"
    assert cell_path("cmc.batches.batches", 0, "coa") == "cmc.batches.batches[0].coa"
    assert field_path("genetic.variant", "hgvs") == "genetic.variant.hgvs"
    assert base_path("cmc.batches.batches[2].coa") == "cmc.batches.batches"
    assert base_path("input") == "input"  # a place that is no path (an error about the whole input)
    assert section_of("clinical.sites[1].name") == "clinical.sites" and section_of("") == ""


def test_the_model_says_what_is_wrong_with_a_malformed_path(mini_model):
    with pytest.raises(FieldPathError, match="at least three parts"):
        mini_model.field("genetic.variant")
    with pytest.raises(UnknownFieldError, match="no such field"):
        mini_model.field("genetic.variant.nope")
