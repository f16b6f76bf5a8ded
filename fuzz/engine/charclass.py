"""Characters as a differential fuzzer must talk about them: name, category, class.

Two ports of one analyzer differ on *kinds* of characters, not on single
ones: a tokenizer that splits on ASCII whitespace only disagrees on every
character that Python's ``str.isspace`` calls whitespace and ASCII does not.
So the explanation stage groups character ingredients by a *class*, and the
class is pluggable (``CharClassifier``): the default here is derived from the
``unicodedata`` properties that text primitives of both languages disagree
on (whitespace, general category, ASCII or not, what lower-/upper-casing and
case folding do to it, digits); a table of Python-vs-Rust primitive rows can
replace it without touching the grouping.

``describe`` names one character the way a reproducer should: code point,
Unicode name (control characters have none in ``unicodedata``, so their
standard aliases are spelled out here) and general category.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable
from typing import Final

import attrs

#: The six whitespace characters every language agrees on (space, \\t, \\n, \\v, \\f, \\r).
CLASSIC_WHITESPACE: Final = frozenset(" \t\n\x0b\x0c\r")


@attrs.frozen
class CharClass:
    """A class of characters that primitives treat alike: a stable key and a label for people."""

    key: str
    label: str


#: Maps a character to its class; the grouping of root causes is parameterised by it.
CharClassifier = Callable[[str], CharClass]

_CATEGORY_NAMES: Final[dict[str, str]] = {
    "Lu": "uppercase letter",
    "Ll": "lowercase letter",
    "Lt": "titlecase letter",
    "Lm": "modifier letter",
    "Lo": "other letter",
    "Mn": "nonspacing mark",
    "Mc": "spacing mark",
    "Me": "enclosing mark",
    "Nd": "decimal digit",
    "Nl": "letter number",
    "No": "other number",
    "Pc": "connector punctuation",
    "Pd": "dash punctuation",
    "Ps": "open punctuation",
    "Pe": "close punctuation",
    "Pi": "initial quote",
    "Pf": "final quote",
    "Po": "other punctuation",
    "Sm": "math symbol",
    "Sc": "currency symbol",
    "Sk": "modifier symbol",
    "So": "other symbol",
    "Zs": "space separator",
    "Zl": "line separator",
    "Zp": "paragraph separator",
    "Cc": "control",
    "Cf": "format character",
    "Cs": "surrogate",
    "Co": "private use",
    "Cn": "unassigned",
}

#: Name aliases of the C0 and C1 control characters and DEL, which have no
#: Unicode ``Name`` property (``unicodedata.name`` raises for them).
_CONTROL_NAMES: Final[dict[int, str]] = {
    0x00: "NULL",
    0x01: "START OF HEADING",
    0x02: "START OF TEXT",
    0x03: "END OF TEXT",
    0x04: "END OF TRANSMISSION",
    0x05: "ENQUIRY",
    0x06: "ACKNOWLEDGE",
    0x07: "ALERT",
    0x08: "BACKSPACE",
    0x09: "CHARACTER TABULATION",
    0x0A: "LINE FEED",
    0x0B: "LINE TABULATION",
    0x0C: "FORM FEED",
    0x0D: "CARRIAGE RETURN",
    0x0E: "SHIFT OUT",
    0x0F: "SHIFT IN",
    0x10: "DATA LINK ESCAPE",
    0x11: "DEVICE CONTROL ONE",
    0x12: "DEVICE CONTROL TWO",
    0x13: "DEVICE CONTROL THREE",
    0x14: "DEVICE CONTROL FOUR",
    0x15: "NEGATIVE ACKNOWLEDGE",
    0x16: "SYNCHRONOUS IDLE",
    0x17: "END OF TRANSMISSION BLOCK",
    0x18: "CANCEL",
    0x19: "END OF MEDIUM",
    0x1A: "SUBSTITUTE",
    0x1B: "ESCAPE",
    0x1C: "INFORMATION SEPARATOR FOUR",
    0x1D: "INFORMATION SEPARATOR THREE",
    0x1E: "INFORMATION SEPARATOR TWO",
    0x1F: "INFORMATION SEPARATOR ONE",
    0x7F: "DELETE",
    0x80: "PADDING CHARACTER",
    0x81: "HIGH OCTET PRESET",
    0x82: "BREAK PERMITTED HERE",
    0x83: "NO BREAK HERE",
    0x84: "INDEX",
    0x85: "NEXT LINE",
    0x86: "START OF SELECTED AREA",
    0x87: "END OF SELECTED AREA",
    0x88: "CHARACTER TABULATION SET",
    0x89: "CHARACTER TABULATION WITH JUSTIFICATION",
    0x8A: "LINE TABULATION SET",
    0x8B: "PARTIAL LINE FORWARD",
    0x8C: "PARTIAL LINE BACKWARD",
    0x8D: "REVERSE LINE FEED",
    0x8E: "SINGLE SHIFT TWO",
    0x8F: "SINGLE SHIFT THREE",
    0x90: "DEVICE CONTROL STRING",
    0x91: "PRIVATE USE ONE",
    0x92: "PRIVATE USE TWO",
    0x93: "SET TRANSMIT STATE",
    0x94: "CANCEL CHARACTER",
    0x95: "MESSAGE WAITING",
    0x96: "START OF GUARDED AREA",
    0x97: "END OF GUARDED AREA",
    0x98: "START OF STRING",
    0x99: "SINGLE GRAPHIC CHARACTER INTRODUCER",
    0x9A: "SINGLE CHARACTER INTRODUCER",
    0x9B: "CONTROL SEQUENCE INTRODUCER",
    0x9C: "STRING TERMINATOR",
    0x9D: "OPERATING SYSTEM COMMAND",
    0x9E: "PRIVACY MESSAGE",
    0x9F: "APPLICATION PROGRAM COMMAND",
}


def char_name(char: str) -> str:
    """The Unicode name of one character, or its control alias, or a placeholder."""
    code = ord(char)
    if code in _CONTROL_NAMES:
        return _CONTROL_NAMES[code]
    name = unicodedata.name(char, "")
    if name:
        return name
    return "<surrogate>" if 0xD800 <= code <= 0xDFFF else "<unnamed>"


def describe(char: str) -> str:
    """``U+001C INFORMATION SEPARATOR FOUR (Cc)``: what a reproducer should say of a character."""
    return f"U+{ord(char):04X} {char_name(char)} ({unicodedata.category(char)})"


def unusual(char: str) -> bool:
    """Anything but an ASCII letter, digit or space: what the explanation stage edits one by one."""
    return not (char == " " or (char.isascii() and char.isalnum()))


def _case_traits(char: str) -> list[str]:
    """What case mapping does to a character: what lower()/casefold() ports disagree on."""
    traits = []
    lower, upper = char.lower(), char.upper()
    if lower != char:
        traits.append("lowercases")
    if upper != char:
        traits.append("uppercases")
    if len(lower) > 1 or len(upper) > 1:
        traits.append("expands")
    if char.casefold() != lower:
        traits.append("folds")
    return traits


def default_char_class(char: str) -> CharClass:
    """The class of a character by the ``unicodedata`` properties that text primitives read.

    Whitespace is one class beyond the classic six, whatever its category
    (U+001C, U+0085, U+00A0 and U+3000 split or not together); otherwise the
    class is the general category, ASCII or not, and the case traits, so
    Greek capitals and U+212A KELVIN SIGN share a class (both lower-case to
    something else) while U+0130 (whose lower case is two characters) does not.
    """
    if char.isspace():
        if char in CLASSIC_WHITESPACE:
            return CharClass("space/classic", "ASCII whitespace")
        return CharClass("space/other", "whitespace beyond ASCII's six")
    category = unicodedata.category(char)
    where = "ascii" if char.isascii() else "non-ascii"
    traits = _case_traits(char)
    if char.isdecimal():
        traits.append("decimal")
    elif char.isnumeric():
        traits.append("numeric")
    key = "/".join([category, where, *traits])
    label = (
        f"{'ASCII' if char.isascii() else 'non-ASCII'} {_CATEGORY_NAMES.get(category, category)}"
    )
    if traits:
        label += f" ({', '.join(traits)})"
    return CharClass(key, label)


#: Where same-class substitutes are looked for: the BMP up to the CJK symbols block.
_SCAN_LIMIT: Final = 0x3100


@functools.cache
def _index_of_default_classes() -> dict[str, tuple[str, ...]]:
    """Every character below ``_SCAN_LIMIT`` (surrogates excepted) by its default class key."""
    index: dict[str, list[str]] = {}
    for code in range(_SCAN_LIMIT):
        if 0xD800 <= code <= 0xDFFF:
            continue
        char = chr(code)
        if unusual(char):
            index.setdefault(default_char_class(char).key, []).append(char)
    return {key: tuple(chars) for key, chars in index.items()}


def same_class(char: str, *, limit: int = 8) -> tuple[str, ...]:
    """Up to ``limit`` other characters of ``char``'s default class, spread over the class.

    Used as substitutes when probing which characters still show a bug; the
    spread (every n-th member rather than the first few) reaches past one
    block, so a class of controls is probed beyond U+0001..U+0008.
    """
    members = [
        c for c in _index_of_default_classes().get(default_char_class(char).key, ()) if c != char
    ]
    if len(members) <= limit:
        return tuple(members)
    step = len(members) / limit
    return tuple(members[int(i * step)] for i in range(limit))


# --- the cross-language table's classes ---------------------------------------

#: (delta name, what the Python side does, what the Rust side does, derivation) of every
#: character row of ``strategies.crosslang``: a character on one side of a delta is a hazard
#: of that row, and characters on the same sides of the same deltas are one class.
_ROW_DELTAS: Final = (
    ("whitespace", "whitespace to Python only", "whitespace to Rust only", "whitespace_delta"),
    ("alphabetic", "a letter to Python only", "alphabetic to Rust only", "alphabetic_delta"),
    ("case", "cased to Python only", "case-mapped by Rust only", "case_mapping_delta"),
    (
        "word",
        "a word character to Python only",
        "a word character to Rust only",
        "regex_word_delta",
    ),
    ("digit", "a digit to Python only", "a digit to Rust only", "regex_digit_delta"),
    ("fold", "folds to ASCII for Python only", "folds to ASCII for Rust only", "ignore_case_delta"),
    ("version", "known to Python's Unicode only", "new since Python's Unicode", "version_delta"),
)


@functools.cache
def _row_sides() -> tuple[tuple[str, str, str, frozenset[str], frozenset[str]], ...]:
    from strategies import crosslang  # derived at run time, once (about a second)

    return tuple(
        (name, python, rust, delta.python_only, delta.rust_only)
        for name, python, rust, derive in _ROW_DELTAS
        for delta in (getattr(crosslang, derive)(),)
    )


def crosslang_char_class(char: str) -> CharClass:
    """The class of a character by the cross-language rows it is a hazard of, and on which side
    (``docs/cross-language.md``): U+001C..U+001F are one class, "whitespace to Python only",
    whichever of them a case happened to hold. Characters no row disputes fall back to
    ``default_char_class``."""
    keys, labels = [], []
    for name, python, rust, python_only, rust_only in _row_sides():
        if char in python_only:
            keys.append(f"{name}:python")
            labels.append(python)
        elif char in rust_only:
            keys.append(f"{name}:rust")
            labels.append(rust)
    if not keys:
        return default_char_class(char)
    return CharClass("crosslang:" + "+".join(keys), "; ".join(labels))
