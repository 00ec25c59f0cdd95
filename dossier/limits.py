"""What any value may hold, checked at the door (dossier.fieldtypes.coerce) so that every value the
dossier accepts also renders and builds: the characters that XML, Word and PDF can carry, the size
of each field type with the reason for it, how deep JSON may nest and how many digits a number has.

The limits live here, in one table, so that refusals, `dossier fields --json` and the tests read
the same figures.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from .errors import FieldError
from .genetics import HGVS_MAX_LENGTH


@dataclass(frozen=True)
class Limit:
    size: int      # the most characters of input (text as typed, or the JSON text of a structured value)
    reason: str    # why, in the user's words (shown in the refusal)

    def as_dict(self) -> dict:
        return {"max_characters": self.size, "reason": self.reason}


_ONE_LINE = Limit(2_000, "a one-line field holds a name, an identifier or a sentence; put longer prose in a "
                         "long-text field")
LIMITS: dict[str, Limit] = {
    "text": _ONE_LINE,
    "longtext": Limit(200_000, "about 60 pages of prose, more than any one section of an IND needs; submit longer "
                               "material as an attached PDF"),
    "choice": Limit(500, "a choice is one of the listed words"),
    "multichoice": Limit(10_000, "a few of the listed words"),
    "date": Limit(100, "a date is YYYY-MM-DD"),
    "number": Limit(100, "a number with its unit"),
    "yesno": Limit(100, "yes or no"),
    "person": Limit(20_000, "a name, organisation, role, email, phone and address"),
    "table": Limit(1_000_000, "a table's rows together, as JSON; a longer listing belongs in an attached PDF"),
    "hgvs": Limit(HGVS_MAX_LENGTH, "a real HGVS variant is far shorter, and the parser's time and memory grow "
                                   "with the length"),
    "hpo": Limit(50_000, "a list of HPO term ids"),
    "attachment": Limit(10_000, "a list of attachment names"),
}
MAX_ROWS = 1_000            # rows of one table: a longer listing belongs in an attached PDF
MAX_TERMS = 500             # HPO terms of one patient
MAX_DEPTH = 8               # nesting of a structured value (a table is 3 deep: rows → row → number)
MAX_DIGITS = 15             # significant digits of a number: what a double holds exactly

# Characters no document may carry: C0 controls other than tab and the line breaks (XML 1.0 and so
# Word refuse them; an ANSI escape from a terminal is one), DEL and the C1 controls (invisible; they
# come from text decoded with the wrong encoding), lone surrogates (not encodable) and the Unicode
# non-characters (XML refuses U+FFFE/U+FFFF; the others are reserved for a program's internal use).
_NONCHARACTERS = "".join(f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(1, 17))
_FORBIDDEN = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff{_NONCHARACTERS}]")
_NAMES = {"\x00": "NUL", "\x1b": "ESC, the start of a terminal colour code", "\x7f": "DEL"}


def check_size(kind: str, value: Any, where: str) -> None:
    """Refuse text input longer than its field type allows, before anything parses it."""
    limit = LIMITS[kind]
    if isinstance(value, str) and len(value) > limit.size:
        raise FieldError(where, f"{len(value):,} characters is too long: at most {limit.size:,} ({limit.reason})")


def check_characters(text: str, where: str) -> None:
    """Refuse a character that cannot go into a document, saying which and where it is."""
    bad = _FORBIDDEN.search(text)
    if bad is None:
        return
    char, at = bad.group(), bad.start()
    line = text.count("\n", 0, at) + 1
    column = at - (text.rfind("\n", 0, at) + 1) + 1
    place = f"line {line}, column {column}" if "\n" in text else f"position {at + 1}"
    if 0xDC80 <= ord(char) <= 0xDCFF:  # how Python keeps a byte that is not UTF-8 (read with surrogateescape)
        raise FieldError(where, f"the byte 0x{ord(char) - 0xDC00:02X} at {place} is not UTF-8 text; save the text "
                                "as UTF-8 and give it again")
    raise FieldError(where, f"the character {describe(char)} at {place} cannot go into a document; delete it "
                            f"(invisible characters like it come from copying out of terminals or mis-decoded files)")


def describe(char: str) -> str:
    """U+001B (ESC, …) — a character by its code point and, where it has one, its name."""
    name = _NAMES.get(char) or unicodedata.name(char, "")
    if not name:
        name = "a control character" if unicodedata.category(char) == "Cc" else \
            "a surrogate half" if unicodedata.category(char) == "Cs" else "a Unicode non-character"
    return f"U+{ord(char):04X} ({name})"


def parse_json(text: str) -> Any:
    """JSON text as Python values; FieldError('input', …) when it is not JSON or nests too deep."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FieldError("input", f"not valid JSON: {exc.msg} at character {exc.pos + 1}") from None
    except RecursionError:
        raise FieldError("input", f"JSON nested deeper than {MAX_DEPTH} levels; a value is at most a table of "
                                  "rows of cells") from None
    except ValueError as exc:  # e.g. an integer longer than Python converts
        raise FieldError("input", f"not usable JSON: {exc}") from None
    check_depth(value, "input")
    return value


def check_depth(value: Any, where: str) -> None:
    """Refuse a structured value nested deeper than MAX_DEPTH (walked without recursion)."""
    level = [value]
    for _ in range(MAX_DEPTH + 1):
        level = [child for item in level if isinstance(item, (list, dict))
                 for child in (item.values() if isinstance(item, dict) else item)]
        if not level:
            return
    raise FieldError(where, f"nested deeper than {MAX_DEPTH} levels; a value is at most a table of rows of cells")


def check_digits(mantissa: str, where: str) -> None:
    """Refuse a number written with more significant digits than a double holds exactly."""
    digits = mantissa.lstrip("+-").replace(".", "").lstrip("0")
    if len(digits) > MAX_DIGITS:
        raise FieldError(where, f"{len(digits):,} digits is more than a number here holds exactly; give at most "
                                f"{MAX_DIGITS} significant digits")


def check_integer(value: int, where: str) -> None:
    """The same for an integer given as a number (never converted to text: Python refuses huge ones)."""
    if abs(value) >= 10 ** MAX_DIGITS:
        raise FieldError(where, f"more than {MAX_DIGITS} digits; give at most {MAX_DIGITS} significant digits")


_ONE_LINE_ESCAPES = str.maketrans({"\n": "\\n", "\r": "\\r", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def shown(value: Any, width: int = 60) -> str:
    """A value as a refusal quotes it: short, whatever its size or depth."""
    if isinstance(value, str):
        text = value
    elif isinstance(value, (dict, list)):
        text = "an object" if isinstance(value, dict) else "a list"
    else:
        text = str(value) if not isinstance(value, int) or abs(value) < 10 ** 30 else "a very large number"
    text = _FORBIDDEN.sub("\N{REPLACEMENT CHARACTER}", text).translate(_ONE_LINE_ESCAPES)  # a message is one line
    return text if len(text) <= width else text[: width - 1] + "…"
