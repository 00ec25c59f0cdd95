"""The door: every value is refused with a message (what, where, how to fix) or accepted in a form
that renders and builds — characters documents cannot carry, sizes, nesting, digits."""

import json

import pytest

from dossier import limits
from dossier.errors import FieldError
from dossier.fieldtypes import coerce
from dossier.limits import LIMITS, MAX_DEPTH, MAX_DIGITS, MAX_ROWS, MAX_TERMS


def f(model, path):
    return model.fields[path]


def refusal(model, path, raw) -> str:
    with pytest.raises(FieldError) as caught:
        coerce(f(model, path), raw)
    message = str(caught.value)
    assert message.startswith(path) and len(message) < 400, message
    return message


@pytest.mark.parametrize("char, name", [
    ("\x00", "U+0000 (NUL)"), ("\x01", "U+0001 (a control character)"), ("\x1b", "U+001B (ESC"),
    ("\x0c", "U+000C"), ("\x7f", "U+007F (DEL)"), ("\x85", "U+0085"), ("\ufffe", "U+FFFE (a Unicode non-character)"),
    ("\uffff", "U+FFFF"), ("\ufdd0", "U+FDD0"), ("\U0010ffff", "U+10FFFF"), ("\ud83d", "U+D83D (a surrogate half)"),
])
def test_characters_documents_cannot_carry_are_refused_with_their_place(mini_model, char, name):
    one_line = refusal(mini_model, "genetic.variant.gene", f"CLN{char}3")
    assert name in one_line and "at position 4" in one_line and "delete it" in one_line
    long_text = refusal(mini_model, "genetic.variant.notes", f"first line\nsec{char}ond")
    assert "at line 2, column 4" in long_text


def test_ansi_colour_codes_from_a_terminal_are_refused(mini_model):
    assert "ESC, the start of a terminal colour code" in refusal(mini_model, "genetic.variant.notes",
                                                                 "\x1b[31mred\x1b[0m")


def test_standard_input_with_nul_or_bytes_that_are_not_utf8_is_refused_in_one_line(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "n.dossier"
    run = lambda stdin, *args: subprocess.run([sys.executable, "-m", "dossier", *map(str, args)],  # noqa: E731
                                              input=stdin, capture_output=True)
    assert run(b"", "new", path, "--title", "T").returncode == 0
    for stdin, problem in ((b"abc\x00def", "U+0000 (NUL) at position 4"),
                           (b"abc\xff\xfedef", "the byte 0xFF at position 4 is not UTF-8 text")):
        result = run(stdin, "set", path, "genetic.patient.current_status", "-")
        message = result.stderr.decode()
        assert result.returncode == 1 and problem in message and message.count("\n") == 1, message


def test_bad_characters_are_refused_inside_people_tables_and_variants(mini_model):
    assert refusal(mini_model, "product.design.sponsor", {"name": "A", "email": "a\x00@b.org"}).startswith(
        "product.design.sponsor.email: the character U+0000")
    assert "address: the character U+0007" in refusal(mini_model, "product.design.sponsor",
                                                      {"name": "A", "address": "1 Road\nTown\x07"})
    assert "studies[0].name: the character U+001B" in refusal(mini_model, "product.design.studies",
                                                              [{"name": "S\x1b1"}])
    assert "U+0000" in refusal(mini_model, "genetic.variant.hgvs", "NM_000391.4:c.1266+5G>A\x00")


def test_tabs_line_breaks_and_all_scripts_are_kept(mini_model):
    text = "Zeile\tzwei\r\nשלום 😀 naïve – “quoted” \u200b\u2028"
    assert coerce(f(mini_model, "genetic.variant.notes"), text) == text


@pytest.mark.parametrize("path, kind", [("genetic.variant.gene", "text"), ("genetic.variant.notes", "longtext")])
def test_text_is_accepted_at_its_limit_and_refused_over_it(mini_model, path, kind):
    size = LIMITS[kind].size
    at_limit = ("word " * size)[:size].strip() + "x"
    assert coerce(f(mini_model, path), at_limit) == at_limit
    message = refusal(mini_model, path, at_limit + "y")
    assert f"{size + 1:,} characters is too long: at most {size:,}" in message and LIMITS[kind].reason[:30] in message


def test_every_field_type_has_a_limit_with_a_reason(mini_model):
    types = {field.type for field in mini_model.fields.values()}
    assert types <= set(LIMITS) and all(limit.reason and limit.size > 0 for limit in LIMITS.values())
    for path in ("genetic.variant.acmg_class", "genetic.variant.detected", "product.design.dose",
                 "product.design.parenteral", "product.design.sponsor", "genetic.variant.codes",
                 "genetic.variant.phenotype", "product.design.report"):
        kind = f(mini_model, path).type
        assert f"at most {LIMITS[kind].size:,}" in refusal(mini_model, path, "x" * (LIMITS[kind].size + 1))


def test_a_person_part_is_one_line_long_at_most(mini_model):
    size = LIMITS["text"].size
    address = ("1 Road\n" * size)[:size]
    assert coerce(f(mini_model, "product.design.sponsor"), {"name": "A", "address": address})["address"] == address
    assert "sponsor.address: 2,001 characters" in refusal(mini_model, "product.design.sponsor",
                                                          {"name": "A", "address": address + "x"})


def test_tables_rows_and_terms_have_limits(mini_model):
    rows = [{"name": f"S{i}"} for i in range(MAX_ROWS)]
    assert len(coerce(f(mini_model, "product.design.studies"), rows)) == MAX_ROWS
    assert f"at most {MAX_ROWS:,}" in refusal(mini_model, "product.design.studies", rows + [{"name": "one more"}])
    wide = [{"name": "n" * LIMITS["text"].size} for _ in range(LIMITS["table"].size // LIMITS["text"].size + 1)]
    assert "characters of text is too long" in refusal(mini_model, "product.design.studies", wide)
    terms = [f"HP:{i:07d}" for i in range(MAX_TERMS + 1)]
    assert f"at most {MAX_TERMS}" in refusal(mini_model, "genetic.variant.phenotype", terms)


def test_an_hgvs_variant_over_its_limit_is_refused_before_the_parser_sees_it(mini_model):
    long_variant = "NM_000391.4:c.1266_1267ins" + "A" * LIMITS["hgvs"].size
    assert "at most 1,000" in refusal(mini_model, "genetic.variant.hgvs", long_variant)


@pytest.mark.parametrize("raw", ["[" * 100_000, "[" * 100_000 + "]" * 100_000,
                                 json.dumps([[[[[[[[[["x"]]]]]]]]]])])
def test_deeply_nested_json_is_refused(mini_model, raw):
    assert f"nested deeper than {MAX_DEPTH} levels" in refusal(mini_model, "product.design.studies", raw) or \
        "not valid JSON" in refusal(mini_model, "product.design.studies", raw)


def test_deep_structures_from_the_api_are_refused(mini_model):
    deep: list = []
    for _ in range(5_000):
        deep = [deep]
    assert "nested deeper" in refusal(mini_model, "product.design.studies", deep)
    assert "nested deeper" in refusal(mini_model, "product.design.parenteral", deep)


def test_numbers_have_at_most_fifteen_digits(mini_model):
    dose = f(mini_model, "product.design.dose")
    assert coerce(dose, "123456789012345 mg") == {"value": 123456789012345, "unit": "mg"}
    assert coerce(dose, "0.00012345678901234 mg")["value"] == pytest.approx(0.00012345678901234)
    assert f"give at most {MAX_DIGITS} significant digits" in refusal(mini_model, "product.design.dose",
                                                                         "1234567890123456 mg")
    assert "50 digits" in refusal(mini_model, "product.design.dose", "9" * 50 + " mg")
    assert "too long" in refusal(mini_model, "product.design.dose", "9" * 4_500 + " mg")
    assert "digits" in refusal(mini_model, "product.design.dose", {"value": 10 ** 5_000, "unit": "mg"})
    assert "digits" in refusal(mini_model, "genetic.variant.notes", 10 ** 5_000)  # found by the fuzz test
    assert "the unit is a word" in refusal(mini_model, "product.design.dose", {"value": 1, "unit": 10 ** 5_000})
    assert "not usable JSON" in refusal(mini_model, "product.design.studies",
                                        '[{"name": "a", "dose": ' + "9" * 5_000 + "}]")


def test_refusals_quote_huge_values_briefly(mini_model):
    assert "one line" in refusal(mini_model, "genetic.variant.hgvs", "NM_000391.4:c.1266+5G>A\nNM_000391.4:c.1A>G")
    assert "got '00\\r\\n'" in refusal(mini_model, "product.design.parenteral", "00\r\n")  # fuzz: one line
    assert "is not an attachment name" in refusal(mini_model, "product.design.report", "x" * 2_000)  # fuzz finding
    assert "…" in refusal(mini_model, "genetic.variant.acmg_class", "x" * 400)
    assert "…" in refusal(mini_model, "product.design.dose", "x" * 90)


def test_described_characters():
    assert limits.describe("\x1b").startswith("U+001B (ESC")
    assert limits.describe("\U0001fffe") == "U+1FFFE (a Unicode non-character)"


def test_fields_json_shows_each_fields_limit_and_reason(tmp_path, capsys):
    from dossier.cli import main

    assert main(["new", str(tmp_path / "n.dossier"), "--title", "T"]) == 0
    capsys.readouterr()
    assert main(["fields", str(tmp_path / "n.dossier"), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    longtext = next(r for r in rows if r["type"] == "longtext")
    assert longtext["limit"] == {"max_characters": LIMITS["longtext"].size, "reason": LIMITS["longtext"].reason}
    assert all(r["limit"]["max_characters"] > 0 for r in rows)
