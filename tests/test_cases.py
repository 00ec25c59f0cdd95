"""Built-in cases (resources/cases.yaml): `dossier demo FILE --case NAME` and `dossier demo --list`."""

from __future__ import annotations

import pytest

from dossier.cases import builtin_cases, find_case, make_case
from dossier.errors import DossierError, RefusedValuesError
from dossier.paths import demo_dir
from dossier.service import Dossier
from dossier.textform import read_values


def _cases_file(tmp_path, body: str):
    path = tmp_path / "cases.yaml"
    path.write_text(body, encoding="utf-8")
    return builtin_cases(path)


def test_list_shows_one_case_a_line_name_first_default_first(cli):
    result = cli("demo", "--list")
    lines = result.out.splitlines()
    names = [c.name for c in builtin_cases()]
    assert result.code == 0 and [line.split("\t")[0] for line in lines] == names
    assert lines[0].endswith("(the default)") and all(len(line.split("\t")[1]) > 20 for line in lines)


def test_the_default_case_is_the_demo_folder_unchanged(tmp_path, cli):
    assert cli("demo", tmp_path / "a.dossier").code == 0
    assert cli("demo", tmp_path / "b.dossier", "--case", builtin_cases()[0].name).code == 0
    from dossier.model import default_model

    expected = read_values(demo_dir(), default_model())
    for name in ("a", "b"):
        with Dossier.open(tmp_path / f"{name}.dossier", read_only=True) as d:
            assert d.values() == expected


def test_unknown_case_and_missing_file_are_refused_with_what_to_do(tmp_path, cli):
    result = cli("demo", tmp_path / "x.dossier", "--case", "no-such-case")
    assert result.code == 2 and "no built-in case 'no-such-case'" in result.err and "--list" in result.err
    assert not (tmp_path / "x.dossier").exists()
    result = cli("demo")
    assert result.code == 2 and "dossier demo FILE" in result.err


def test_a_case_made_from_another_changes_only_its_values(tmp_path):
    (tmp_path / "other.yaml").write_text("module1.product.product_name: OTHER-01\n"
                                         "module1.forms.cro: ''\n", encoding="utf-8")
    cases = _cases_file(tmp_path, f"cases:\n  - {{name: base, summary: the demo, folder: '{demo_dir()}'}}\n"
                                  "  - {name: other, summary: the demo renamed, base: base, values: other.yaml,"
                                  " title: Other case}\n")
    make_case("other", tmp_path / "o.dossier", cases=cases)
    make_case(None, tmp_path / "b.dossier", cases=cases)
    with Dossier.open(tmp_path / "b.dossier", read_only=True) as base, \
            Dossier.open(tmp_path / "o.dossier", read_only=True) as other:
        changed = {p for p in base.values().keys() | other.values().keys() if base.get(p) != other.get(p)}
        assert other.get("module1.product.product_name") == "OTHER-01" and other.title == "Other case"
        assert changed <= {"module1.product.product_name", "module1.forms.cro"}
        assert "module1.product.product_name" in changed


def test_a_case_whose_values_do_not_fit_leaves_no_file(tmp_path):
    (tmp_path / "bad.yaml").write_text("module1.product.drug_class: Not a class\n", encoding="utf-8")
    cases = _cases_file(tmp_path, f"cases:\n  - {{name: base, summary: the demo, folder: '{demo_dir()}'}}\n"
                                  "  - {name: bad, summary: broken, base: base, values: bad.yaml}\n")
    with pytest.raises(RefusedValuesError, match="drug_class"):
        make_case("bad", tmp_path / "bad.dossier", cases=cases)
    assert list(tmp_path.glob("*.dossier*")) == []


@pytest.mark.parametrize("body, reason", [
    ("cases: []\n", "at least one case"),
    ("cases:\n  - {name: a, summary: x}\n", "either folder: or base:"),
    ("cases:\n  - {name: a, summary: x, folder: demo}\n  - {name: a, summary: y, folder: demo}\n", "used twice"),
    ("cases:\n  - {name: b, summary: x, base: a, values: v.yaml}\n  - {name: a, summary: y, folder: demo}\n",
     "listed before it"),
    ("cases:\n  - {name: a, summary: x, folder: demo, colour: red}\n", "unknown keys colour"),
])
def test_a_malformed_cases_file_is_refused_with_the_reason(tmp_path, body, reason):
    with pytest.raises(DossierError, match=reason):
        _cases_file(tmp_path, body)


def test_every_builtin_case_is_made_and_named(tmp_path):
    for case in builtin_cases():
        assert find_case(case.name) == case
        make_case(case.name, tmp_path / f"{case.name}.dossier")
        with Dossier.open(tmp_path / f"{case.name}.dossier", read_only=True) as d:
            assert d.values()
