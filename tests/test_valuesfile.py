"""Reading a values file (dossier.valuesfile): field paths flat or nested, the line of every value,
and problems with the file itself named with their line."""

import json

import pytest

from dossier.errors import DossierError
from dossier.valuesfile import read_values

FIELDS = ["genetic.variant.hgvs", "genetic.variant.notes", "genetic.gene.symbol", "product.design.dose",
          "product.design.parenteral", "product.design.sponsor", "product.design.studies"]
TABLES = ["product.design.studies"]


def read(tmp_path, text: str, name: str = "values.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return read_values(path, FIELDS, TABLES)


def test_flat_and_nested_paths_with_the_line_of_each(tmp_path):
    values = read(tmp_path, """\
genetic.variant.hgvs: NM_000391.4:c.1266+5G>A
genetic:
  gene:
    symbol: CLN3
  variant.notes: |
    two
    lines
product.design.dose: 5 mg
""")
    assert values.problems == []
    assert values.values == {"genetic.variant.hgvs": "NM_000391.4:c.1266+5G>A", "genetic.gene.symbol": "CLN3",
                             "genetic.variant.notes": "two\nlines\n", "product.design.dose": "5 mg"}
    assert [values.line_of(p) for p in values.values] == [1, 4, 5, 8]
    assert values.place(4) == "values.yaml:4"


def test_scalars_stay_as_written_and_an_empty_value_is_nothing(tmp_path):
    values = read(tmp_path, "genetic.gene.symbol: 1.10\nproduct.design.parenteral: yes\n"
                            "genetic.variant.notes:\nproduct.design.dose: 'null'\n")
    assert values.values == {"genetic.gene.symbol": "1.10", "product.design.parenteral": "yes",
                             "genetic.variant.notes": None, "product.design.dose": "null"}


def test_a_table_and_a_row_given_cell_by_cell_keep_the_line_of_every_cell(tmp_path):
    values = read(tmp_path, """\
product.design.studies:
  - name: NC-01
    dose: 10 nM
  - {name: NC-02, dose: 5 kg}
product:
  design:
    studies[4]:
      name: NC-05
      system: animal
""")
    assert values.values["product.design.studies"] == [{"name": "NC-01", "dose": "10 nM"},
                                                       {"name": "NC-02", "dose": "5 kg"}]
    assert values.values["product.design.studies[4].name"] == "NC-05"
    assert values.line_of("product.design.studies[1].dose") == 4
    assert values.line_of("product.design.studies[0].dose") == 3
    assert values.line_of("product.design.studies[4].system") == 9
    assert values.line_of("product.design.studies[4]") == 7
    assert values.line_of("product.design.studies[9].name") == 1  # no such row in the file: the table's line


def test_a_path_given_twice_names_both_lines(tmp_path):
    values = read(tmp_path, "genetic.gene.symbol: CLN3\ngenetic:\n  gene:\n    symbol: CLN5\n")
    assert [(p.line, p.path) for p in values.problems] == [(4, "genetic.gene.symbol")]
    assert "also on line 1" in values.problems[0].message
    assert values.values == {"genetic.gene.symbol": "CLN3"}


@pytest.mark.parametrize("text, line, words", [
    ("genetic.gene.symbol: CLN3\ngenetic.variant.hgvs: [a,\nproduct.design.dose: 5 mg\n", 4,
     "not valid YAML: while parsing a flow sequence (from line 2): did not find expected ',' or ']'"),
    ("genetic.gene.symbol: CLN3\n  genetic.variant.hgvs: x\n", 2, "not valid YAML"),
    ("- genetic.gene.symbol: CLN3\n", 1, "must be a mapping of field paths"),
    ("", None, "holds no values"),
    ("genetic.gene.symbol: CLN3\n---\nx: 1\n", 2, "not valid YAML"),
    ("genetic.gene.symbol: CLN3\n[a, b]: 1\n", 2, "a key must be"),
    ("genetic.gene.symbol: CLN3\ngenetic:\n  variant: NM_000391.4:c.1266+5G>A\n", 3,
     "not a field: give its fields, e.g. genetic.variant.hgvs: …"),
])
def test_problems_with_the_file_itself(tmp_path, text, line, words):
    problems = read(tmp_path, text).problems
    assert len(problems) == 1 and problems[0].line == line and words in problems[0].message, problems


def test_aliases_that_multiply_a_part_are_refused_without_expanding_it(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, "
              f"*a{i - 1}, *a{i - 1}]" for i in range(1, 9)]
    values = read(tmp_path, "\n".join(lines) + "\ngenetic.variant.notes: *a8\n")
    assert any("too large" in p.message for p in values.problems)


def test_json_keeps_its_types_and_lines_and_reads_escapes_as_json_does(tmp_path):
    data = {"genetic.gene.symbol": "CLN3 \N{DNA DOUBLE HELIX}", "product.design.parenteral": True,
            "product.design.studies": [{"name": "NC-01", "dose": {"value": 10, "unit": "nM"}}]}
    values = read(tmp_path, json.dumps(data, indent="\t"), "values.json")  # the helix as \\ud83e\\udde6
    assert values.problems == [] and values.values == data
    assert values.line_of("product.design.studies[0].dose") == 7


def test_json_the_yaml_parser_cannot_read_is_read_without_lines(tmp_path):
    long_key = "x" * 1100  # YAML allows implicit keys of up to 1024 characters
    values = read(tmp_path, json.dumps({"genetic.gene.symbol": "CLN3", long_key: 1}), "values.json")
    assert values.values == {"genetic.gene.symbol": "CLN3", long_key: 1} and values.lines == {}


def test_malformed_json_names_its_line(tmp_path):
    problems = read(tmp_path, '{\n "genetic.gene.symbol": "CLN3",\n}\n', "values.json").problems
    assert len(problems) == 1 and problems[0].line == 3 and "not valid JSON" in problems[0].message


def test_a_file_that_is_not_utf8_or_missing_is_refused(tmp_path):
    path = tmp_path / "values.yaml"
    path.write_bytes(b"genetic.gene.symbol: CLN3\ngenetic.variant.notes: caf\xe9\n")
    with pytest.raises(DossierError, match=r"values.yaml:2: the file is not UTF-8"):
        read_values(path, FIELDS)
    with pytest.raises(DossierError, match="does not exist"):
        read_values(tmp_path / "missing.yaml", FIELDS)
