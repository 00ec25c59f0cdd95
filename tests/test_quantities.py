"""Units: the table of spellings agrees with pint, conversions give known values exactly, quantities
print as people write them, partial dates parse and compare, and the shipped model's fields take the
units a user would write."""

from __future__ import annotations

import subprocess
import sys

import pytest

from dossier import quantities as q
from dossier.errors import FieldError
from dossier.fieldtypes import coerce, display
from dossier.model import default_model

MODEL = default_model()
# Spellings the table reads otherwise than pint does, on purpose (see dossier/quantities.py).
OVERRIDDEN = {"nt": "pint's nt is a nanometric ton", "Da": "read as g/mol", "kDa": "read as kg/mol",
              "points": "pint's point is a typographic length; ours are a score's"}


def test_every_spelling_means_what_pint_says_it_means():
    units = q.registry()
    for dimension in q.dimensions():
        for spelling in q.dimension_units(dimension):
            known = q.unit_of(spelling)
            assert dict(units.Quantity(1, known.pint).dimensionality) == q.dimensionality(dimension), spelling
            if spelling in OVERRIDDEN:
                continue
            assert units.Quantity(1, spelling).to(known.pint).magnitude == pytest.approx(1, rel=1e-12), spelling


def test_every_alias_names_its_canonical_unit():
    units = q.registry()
    for name, known in q._EXACT.items():
        assert q.unit(name) is known
        try:
            meant = units.Quantity(1, name)
        except Exception:  # "mo", "wks": spellings pint does not know are ours alone
            continue
        if known.spelling not in OVERRIDDEN:
            assert meant.to(known.pint).magnitude == pytest.approx(1, rel=1e-12), name


@pytest.mark.parametrize("number, unit, to, expected", [
    (1, "months", "years", 1 / 12),        # a month is 1/12 of a (Julian) year of 365.25 days
    (12, "months", "years", 1),
    (1, "months", "days", 30.4375),
    (3, "years", "months", 36),
    (2, "weeks", "days", 14),
    (48, "hours", "days", 2),
    (1000, "mg", "g", 1),
    (1, "kg", "mg", 1_000_000),
    (250, "µg", "mg", 0.25),
    (1, "mL", "µL", 1000),
    (5, "mg/mL", "µg/mL", 5000),
    (1000, "µg/kg", "mg/kg", 1),
    (0.2, "EU/kg", "EU/kg", 0.2),
    (2.5, "EU/mL", "EU/mL", 2.5),
    (1, "Da", "g/mol", 1),
    (7.2, "kDa", "g/mol", 7200),
])
def test_conversions_give_known_values(number, unit, to, expected):
    assert q.convert(number, unit, to) == expected


@pytest.mark.parametrize("factors, to, expected", [
    ([(0.1, "mg/kg", 1), (20, "kg", 1)], "mg", 2),
    ([(50, "µg/kg", 1), (20, "kg", 1)], "mg", 1),
    ([(0.2, "EU/kg", 1), (20, "kg", 1)], "EU", 4),
    ([(2e13, "vg/kg", 1), (20, "kg", 1)], "vg", 4e14),
    ([(4e14, "vg", 1), (20, "kg", -1)], "vg/kg", 2e13),
    ([(10, "mg", 1), (2, "mL", -1)], "mg/mL", 5),
])
def test_products_and_quotients_give_known_values(factors, to, expected):
    assert q.product(factors, to) == pytest.approx(expected, rel=1e-15)


def test_units_of_other_dimensions_do_not_convert():
    with pytest.raises(ValueError, match="cannot convert mg"):
        q.convert(1, "mg", "mL")
    with pytest.raises(ValueError, match="cannot compare"):
        q.comparable({"value": 1, "unit": "EU/kg"}, {"value": 1, "unit": "EU/mg"})  # per body weight ≠ per mg


def test_quantities_print_as_people_write_them():
    assert q.format_quantity(0.32000000000000006, "mg") == "0.32 mg"
    assert q.format_quantity(0.1, "mg/kg") == "0.1 mg/kg"
    assert q.format_quantity(1, "months") == "1 month"
    assert q.format_quantity(1.0, "days") == "1 day"
    assert q.format_quantity(2, "months") == "2 months"
    assert q.format_quantity(0.5, "years") == "0.5 years"
    assert q.format_quantity(2e13, "vg/kg") == "2 × 10¹³ vg/kg"
    assert q.format_quantity(1e-7, "g") == "10⁻⁷ g"
    assert q.format_quantity(1234567.0, "vg") == "1234567 vg"


@pytest.mark.parametrize("typed, stored, shown", [
    ("1 month", {"value": 1, "unit": "months"}, "1 month"),
    ("2 days", {"value": 2, "unit": "days"}, "2 days"),
    ("1 day", {"value": 1, "unit": "days"}, "1 day"),
    ("3 Weeks", {"value": 3, "unit": "weeks"}, "3 weeks"),
    ("1 year", {"value": 1, "unit": "years"}, "1 year"),
    ("18 months", {"value": 18, "unit": "months"}, "18 months"),
])
def test_onset_age_takes_time_in_singular_and_plural(typed, stored, shown):
    onset = MODEL.field("genetic.patient.onset_age")
    assert coerce(onset, typed) == stored
    assert display(onset, stored) == shown


def test_doses_take_fixed_and_weight_based_units():
    dose = MODEL.field("clinical.dosing.starting_dose")
    assert coerce(dose, "0.1 mg/kg") == {"value": 0.1, "unit": "mg/kg"}
    assert coerce(dose, "10 mg") == {"value": 10, "unit": "mg"}
    assert coerce(dose, "50 ug/kg") == {"value": 50, "unit": "µg/kg"}
    assert coerce(dose, "2e13 vg/kg") == {"value": 2e13, "unit": "vg/kg"}
    assert display(dose, {"value": 0.1, "unit": "mg/kg"}) == "0.1 mg/kg"


def test_a_unit_that_does_not_fit_is_refused_saying_which_fit():
    weight_based = q.dimension_units("mass_per_body_weight")
    with pytest.raises(FieldError) as refused:
        q.accept_unit(weight_based, "mg", "clinical.dosing.starting_dose")
    assert str(refused.value) == ("clinical.dosing.starting_dose: unit 'mg' (mass) does not fit here; units that fit: "
                                  "mg/kg, µg/kg, ng/kg, g/kg (mass per body weight)")
    with pytest.raises(FieldError, match="'furlongs' is not a unit this program knows; units that fit: days, "
                                         "weeks, months, years"):
        coerce(MODEL.field("genetic.patient.onset_age"), "2 furlongs")
    with pytest.raises(FieldError, match=r"unit 'mL' \(volume\) does not fit here; units that fit: mg, µg \(mass\); "
                                         r"mg/kg, µg/kg \(mass per body weight\)"):
        coerce(MODEL.field("clinical.dosing.starting_dose"), "5 mL")


def test_partial_dates_where_the_model_allows_them():
    target = MODEL.field("confirmatory.evidence.milestones").column("target_date")
    assert target.partial
    assert coerce(target, "2027-03") == "2027-03"
    assert coerce(target, "2027") == "2027"
    assert coerce(target, "2027-03-15") == "2027-03-15"
    for bad in ("2027-13", "2027-3", "27-03", "2027-02-30"):
        with pytest.raises(FieldError, match="YYYY-MM-DD, YYYY-MM or YYYY"):
            coerce(target, bad)
    full_only = MODEL.field("module1.application.pre_ind_date")
    with pytest.raises(FieldError, match=r"date must be YYYY-MM-DD \(e.g. 2026-03-31\), got '2027-03'"):
        coerce(full_only, "2027-03")


@pytest.mark.parametrize("left, op, right, holds", [
    ("2027-03", ">=", "2027-03-15", True),   # the same month
    ("2027-03", ">", "2027-03-15", False),
    ("2027-03", "<", "2027-04-01", True),
    ("2027", "<=", "2027-12", True),
    ("2026-12-31", "<", "2027", True),
    ("2027-03-02", ">", "2027-03-01", True),
])
def test_partial_dates_compare_at_the_coarser_precision(left, op, right, holds):
    from dossier.readiness import _OPS

    assert _OPS[op](*q.compare_dates(left, right)) is holds


def test_pint_is_loaded_only_for_a_conversion(demo_file):
    """`dossier set` checks units from the table; pint comes in when a check needs a conversion
    (the weight-based dose times the body weight, for the derived dose in mg: 1.75 mg/kg × 24 kg is the
    demo's 42 mg, so the escalation still fits)."""
    code = ("import sys\nfrom dossier.cli import main\n"
            "main(['set', sys.argv[1], 'clinical.dosing.maximum_dose', '1.75 mg/kg'])\n"
            "main(['set', sys.argv[1], 'genetic.patient.onset_age', '2 days'])\n"
            "main(['get', sys.argv[1], 'genetic.patient.onset_age'])\n"
            "print('pint' in sys.modules)\n"
            "main(['check', sys.argv[1]])\n"
            "print('pint' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code, str(demo_file)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert '"unit": "days"' in result.stdout and "0 error(s), 0 warning(s)" in result.stdout
    assert (lines[lines.index("}") + 1], lines[-1]) == ("False", "True")


def test_the_format_document_lists_every_dimension_and_unit():
    from pathlib import Path

    doc = (Path(__file__).parents[1] / "docs" / "content-model-format.md").read_text(encoding="utf-8")
    lines = {line.split("|")[1].strip(" `"): line for line in doc.splitlines() if line.startswith("| `")}
    for dimension in q.dimensions():
        assert dimension in lines, dimension
        assert all(unit in lines[dimension] for unit in q.dimension_units(dimension)), dimension


def test_case_is_ignored_except_where_it_is_the_meaning():
    assert q.unit("Weeks").spelling == "weeks" and q.unit("ML").spelling == "mL" and q.unit("eu/KG").spelling == "EU/kg"
    assert q.unit("mM").spelling == "mM" and q.unit("mm") is None and q.unit("NM") is None


def test_the_fast_factors_agree_with_pint():
    """Checks convert doses and durations without pint; each factor is pint's own."""
    units = q.registry()
    for spelling, factor in q._FACTORS.items():
        dimension = q.unit_of(spelling).dimension
        (base,) = [u for u, f in q._FACTORS.items() if f == 1 and q.unit_of(u).dimension == dimension]
        pinted = units.Quantity(1, q.unit_of(spelling).pint).to(q.unit_of(base).pint).magnitude
        assert factor == pytest.approx(pinted, rel=1e-12), spelling
