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


# The base-editor case (editor mRNA and guide RNA in lipid nanoparticles, weight-based IV dosing, CBER) is
# clean; one wrong edit makes the checks that read the science say so, with their numbers.
EDITOR = "base-editor"


def _editor_case(tmp_path, edits: dict) -> list:
    make_case(EDITOR, tmp_path / "editor.dossier")
    with Dossier.open(tmp_path / "editor.dossier") as d:
        assert list(d.check().findings) == []
        d.set_many(edits)
        return list(d.check().findings)


def test_the_editor_case_made_an_aso_is_told_what_no_longer_fits(tmp_path):
    found = _editor_case(tmp_path, {"module1.product.drug_class": "Antisense oligonucleotide"})
    misfits = [f for f in found if f.check == "substance-fits-modality"]
    assert [f.field for f in misfits] == [f"cmc.substance[{i}].kind" for i in range(3)]
    assert all(f.severity == "error" for f in misfits) and misfits[2].message.startswith("ML-315 ionizable lipid: ")
    assert {"required:nonclinical.design.sequence", "required:nonclinical.design.chemistry", "off-target"} <= \
        {f.check for f in found if f.severity == "error"}


def test_a_weight_based_dose_raised_fifty_fold_breaks_the_margin_and_the_endotoxin_limit_with_numbers(tmp_path):
    with Dossier.open(make_case(EDITOR, tmp_path / "source.dossier"), read_only=True) as d:
        steps = d.get("clinical.dosing.escalation")
    steps[-1]["dose"] = {"value": 15, "unit": "mg/kg"}  # 0.3 mg/kg × 50
    found = _editor_case(tmp_path, {"clinical.dosing.maximum_dose": {"value": 15, "unit": "mg/kg"},
                                    "clinical.dosing.escalation": steps})
    margin = [f for f in found if f.check == "dose-margin"]
    assert len(margin) == 1 and margin[0].severity == "error" and margin[0].field == "clinical.dosing.maximum_dose"
    assert "3 mg/kg × Km 12 (Monkey) ÷ Km 37 (human) = 0.973 mg/kg, × 7.2 kg = 7.01 mg" in margin[0].message
    assert "maximum dose for this patient 108 mg" in margin[0].message and "below the declared safety factor of 3" \
        in margin[0].message
    # each substance's limit, for the mg of it the dose carries: 2/3 of the RNA is mRNA, the guide's third
    # stays just below K, and each mg of RNA comes with 14 mg of ionizable lipid
    endotoxin = {f.field: f.message for f in found if f.check == "endotoxin-dose"}
    assert sorted(endotoxin) == ["cmc.substance[0].endotoxin_limit", "cmc.substance[2].endotoxin_limit"]
    mrna, lipid = endotoxin["cmc.substance[0].endotoxin_limit"], endotoxin["cmc.substance[2].endotoxin_limit"]
    assert mrna.startswith("ABE8e editor mRNA: ") and lipid.startswith("ML-315 ionizable lipid: ")
    assert "1 EU/mg × 72.4 mg (maximum dose 108 mg × 0.67 mg per mg) = 72.4 EU ÷ 7.2 kg = 10 EU/kg, above K = 5" in mrna
    assert "0.5 EU/mg × 1510 mg (maximum dose 108 mg × 14 mg per mg) = 756 EU ÷ 7.2 kg = 105 EU/kg" in lipid
    (product,) = [f for f in found if f.check == "endotoxin-dose-product"]  # the product's limit, once
    assert product.field == "cmc.product.endotoxin_limit" and product.message.startswith("The endotoxin limit")
    assert "5 EU/mL × 108 mL (maximum dose 108 mg at 1 mg/mL) = 540 EU ÷ 7.2 kg = 75 EU/kg" in product.message


def test_a_follow_up_shorter_than_fda_recommends_for_genome_editing_is_flagged(tmp_path):
    found = _editor_case(tmp_path, {"confirmatory.followup.ltfu_duration": {"value": 10, "unit": "years"}})
    assert [(f.check, f.severity, f.field) for f in found] == [
        ("ltfu-as-recommended", "warning", "confirmatory.followup.ltfu_duration")]
    assert "up to 15 years for genome editing" in found[0].message and "(January 2020)" in found[0].source


def test_the_editor_case_keeps_its_guide_on_its_target(tmp_path):
    """The guide's site is checked for real (editor_site): with the variant placed one base off (on the
    silent bystander), the variant's own A in the window is an edit nobody listed, and the check says where."""
    found = _editor_case(tmp_path, {"nonclinical.design[0].variant_position": {"value": 27}})
    assert [(f.check, f.severity) for f in found] == [("base-editor-site", "error")]
    assert "protospacer positions 4–8 (target 14–33 on the antisense (−) strand)" in found[0].message
    assert "editable A at position(s) 6 (target 28) not listed as bystanders" in found[0].message


def test_a_lipid_is_judged_for_the_mg_of_it_the_rna_dose_carries(tmp_path):
    """The dose is measured in mg of RNA; the endotoxin a lipid brings follows its own mass in the dose."""
    found = _editor_case(tmp_path, {"cmc.substance[2].dose_share": {"value": 40}})
    assert [(f.check, f.field) for f in found] == [("endotoxin-dose", "cmc.substance[2].endotoxin_limit")]
    assert "0.5 EU/mg × 86.4 mg (maximum dose 2.16 mg × 40 mg per mg) = 43.2 EU ÷ 7.2 kg = 6 EU/kg" in found[0].message
    with Dossier.open(tmp_path / "editor.dossier") as d:
        d.clear("cmc.substance[2].dose_share")
        missing = [f for f in d.check().findings if f.severity == "error"]
    assert [(f.check, f.field) for f in missing] == [("lipid-dose-share", "cmc.substance[2].dose_share")]


@pytest.mark.parametrize("name", [case.name for case in builtin_cases()])
def test_no_document_of_a_case_has_a_table_of_headers_alone(tmp_path, name):
    """A table whose facts are all empty for this case (a lipid's titre, an ASO's LTFU duration) is left
    out, not printed as a header row over nothing, which a reviewer reads as a gap in the dossier."""
    import re

    from dossier.docunits import split_unit, unit_values, units
    from dossier.model import default_model
    from dossier.render.templating import render_markup

    model = default_model()
    with Dossier.open(make_case(name, tmp_path / "case.dossier"), read_only=True) as d:
        values = d.values()
    empty = []
    for unit in units(model, values):
        markup = str(render_markup(model, model.document(split_unit(unit)[0]), unit_values(model, unit, values),
                                   final=True))
        empty += [unit for table in re.findall(r"<table[^>]*>(.*?)</table>", markup, re.S) if "<td" not in table]
    assert empty == []


def test_a_master_protocol_arm_without_a_drug_product_is_an_error(tmp_path):
    """Arm 2's ASO was a drug substance no drug product contained (the composition, label and batches named
    arm 1's alone): a patient with nothing to receive. The composition must list each arm's substance."""
    make_case("aso-platform", tmp_path / "platform.dossier")
    with Dossier.open(tmp_path / "platform.dossier") as d:
        assert list(d.check().findings) == []
        composition = d.get("cmc.product.composition")
        d.set("cmc.product.composition", [row for row in composition if "ASO-02" not in row["component"]])
        found = [f for f in d.check().findings if f.check == "dp-lists-substance"]
    assert [(f.field, f.severity) for f in found] == [("cmc.substance[1].name", "error")]
    assert found[0].message.startswith("CLN3-ASO-02 sodium: ") and "not covered: CLN3-ASO-02 sodium" in found[0].message
