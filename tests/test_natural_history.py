"""`dossier import-natural-history`: patient-level CSV rows into the comparator's data table, every bad line
listed and nothing stored, the printed spread computed from the rows."""

from __future__ import annotations

import statistics

from dossier.service import Dossier

pytest_plugins = ["tests.helpers.cli", "tests.helpers.demo"]

DATA, MEASURES = "clinical.natural_history.data", "clinical.natural_history.measures"
SCORE = "Hamburg motor-language score"
GOOD = [  # id, age, age unit, value, unit: four patients, ages in years and months, a decimal comma
    ("R01", "4", "years", "6", "points"), ("R01", "60", "months", "5,5", "points"),
    ("R02", "4.5", "years", "5", "score"), ("R03", "6", "y", "3", "points"), ("R04", "7", "years", "2,5", "points"),
]


def write_csv(path, header: str, lines: list[str], bom: bool = False, sep: str = ","):
    text = "\n".join([header.replace(",", sep), *lines]) + "\n"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def test_good_csv_replaces_the_cohort_rows_and_prints_the_spread(tmp_path, cli, demo_file):
    with Dossier.open(demo_file, read_only=True) as d:
        patient_rows = [r for r in d.get(DATA) if r["group"] == "Patient"]
    csv_file = write_csv(tmp_path / "nh.csv", "ID,Age,Age_Unit,Measure,Value,Unit",
                         [";".join((i, a, au, SCORE, v, u)) for i, a, au, v, u in GOOD], bom=True, sep=";")
    result = cli("import-natural-history", demo_file, csv_file)
    assert result.code == 0, result.err
    with Dossier.open(demo_file, read_only=True) as d:
        rows, measures = d.get(DATA), d.get(MEASURES)
    cohort = [r for r in rows if r["group"] == "External control"]
    assert sorted((r["subject"], r["age"]["value"], r["value"]["value"]) for r in cohort) == \
        [("R01", 4, 6), ("R01", 5, 5.5), ("R02", 4.5, 5), ("R03", 6, 3), ("R04", 7, 2.5)]
    assert [r for r in rows if r["group"] == "Patient"] == patient_rows  # the patient's own course stays
    values = [6, 5.5, 5, 3, 2.5]
    mean, sd, median = statistics.fmean(values), statistics.stdev(values), statistics.median(values)
    assert "Imported 5 row(s): 4 patient(s), 1 measure(s), ages 4–7 years" in result.out
    spread = f"n = 5 rows of 4 patient(s); mean {round(mean, 3):g} ± {round(sd, 3):g} points, median {median:g}, "
    assert spread + "range 2.5–6" in result.out
    assert measures[0]["sample_size"] == {"value": 4} and measures[0]["time_span"] == "Ages 4–7 years"


def test_append_adds_to_the_cohort_and_a_repeated_measurement_is_a_bad_line(tmp_path, cli, demo_file):
    first = write_csv(tmp_path / "a.csv", "id,age,age_unit,measure,value,unit", [f"R01,4,years,{SCORE},6,points"])
    assert cli("import-natural-history", demo_file, first).code == 0
    second = write_csv(tmp_path / "b.csv", "id,age,age_unit,measure,value,unit",
                       [f"R02,4,years,{SCORE},5,points", f"R01,48,months,{SCORE},6,points"])
    result = cli("import-natural-history", demo_file, second, "--append")
    assert result.code == 2 and "line 3: id R01 has" in result.err and "(the table)" in result.err
    ok = write_csv(tmp_path / "c.csv", "id,age,age_unit,measure,value,unit", [f"R02,4,years,{SCORE},5,points"])
    assert cli("import-natural-history", demo_file, ok, "--append").code == 0
    with Dossier.open(demo_file, read_only=True) as d:
        assert sorted(r["subject"] for r in d.get(DATA) if r["group"] == "External control") == ["R01", "R02"]


def test_every_bad_line_is_listed_and_nothing_is_imported(tmp_path, cli, demo_file):
    with Dossier.open(demo_file, read_only=True) as d:
        before = d.values()
    lines = [
        f"R01,4,years,{SCORE},6,points",        # good
        f"R02,4,years,{SCORE},6,mg",            # a unit of the wrong dimension
        f"R03,4,years,{SCORE},6",               # a missing column
        f"R04,4,years,{SCORE},six,points",      # a value that is no number
        f"R05,4,years,{SCORE},6,furlongs",      # a unit dossier does not know
        f"R06,4,kg,{SCORE},6,points",           # an age in no time unit
        "R07,4,years,Six-minute walk,300,m",    # a measure the comparator does not have
    ]
    bad = write_csv(tmp_path / "bad.csv", "id,age,age_unit,measure,value,unit", lines)
    result = cli("import-natural-history", demo_file, bad)
    assert result.code == 2
    assert "6 bad line(s), so nothing was imported" in result.err
    for number, reason in [(3, "unit 'mg' is a mass unit"), (4, "missing unit"), (5, "value 'six' is not a number"),
                           (6, "unit 'furlongs' is not one dossier knows"), (7, "unit 'kg' is a mass unit; age takes"),
                           (8, "measure 'Six-minute walk' is not in the comparator's measures")]:
        assert f"line {number}: {reason}" in result.err
    assert "line 2:" not in result.err
    with Dossier.open(demo_file, read_only=True) as d:
        assert d.values() == before


def test_a_header_without_the_columns_is_refused_naming_them(tmp_path, cli, demo_file):
    header = write_csv(tmp_path / "h.csv", "id,age,measure,value", ["R1,4,x,1"])
    result = cli("import-natural-history", demo_file, header)
    assert result.code == 2 and "line 1: the header row lacks column(s) age_unit, unit" in result.err


def test_a_measure_without_a_known_unit_is_a_bad_line(tmp_path, cli, demo_file):
    with Dossier.open(demo_file) as d:
        d.set(MEASURES, [{**d.get(MEASURES)[0], "unit": "smiles"}])
    result = cli("import-natural-history", demo_file,
                 write_csv(tmp_path / "u.csv", "id,age,age_unit,measure,value,unit", [f"R1,4,years,{SCORE},6,points"]))
    assert result.code == 2 and "line 2: measure 'Hamburg motor-language score' has no unit dossier knows" in result.err


def test_a_file_that_is_not_utf8_is_refused_naming_its_line(tmp_path, cli, demo_file):
    latin = tmp_path / "latin.csv"
    latin.write_bytes("id,age,age_unit,measure,value,unit\nRé1,4,years,x,1,points\n".encode("latin-1"))
    result = cli("import-natural-history", demo_file, latin)
    assert result.code == 2 and "line 2: not UTF-8 text" in result.err
