"""The Rust side's standard primitives, emulated in Python from Unicode data.

The port is Rust: ``char::is_whitespace``, ``char::is_alphabetic``,
``str::to_uppercase``, the ``regex`` crate's ``\\s`` ``\\w`` ``\\b`` and
``(?i)``, ``f32`` arithmetic, ``serde_json``, byte-indexed ``&str`` slicing.
This module says what each of those answers, so that the example analyzer's
cross-language variants (``fuzz.examples.variants``) can behave the Rust way
and the hazard strategies know where the two languages part.

Nothing here is typed by hand from a list: character classes come from the
Unicode properties (through the ``regex`` package, which ships a current
Unicode character database and exposes ``\\p{White_Space}``,
``\\p{Alphabetic}``...), case mappings from Python's own tables where Python
knows the character and from the newer database where it does not. Tests
compare every answer with the real thing (a compiled Rust probe, the real
``regex`` crate through ``regex-rs``, and a real ``serde_json``).

Kept light on purpose: the replay program imports this module at start-up
through the variants, so ``regex`` is imported on first use, answers are
cached per character, and the full-range scans (``all_code_points``, the
``class_ranges`` of a property) run only when a variant that needs them
builds its tables.
"""

from __future__ import annotations

import functools
import json
import math
import struct
import unicodedata
from collections.abc import Hashable
from typing import Any, Final

#: The characters ``serde_json`` (and ``str::trim`` of JSON input) skip between tokens.
JSON_WHITESPACE: Final = " \t\n\r"

#: serde_json's default recursion limit: the 128th nested ``[``/``{`` is an error.
SERDE_DEPTH_LIMIT: Final = 128

_U64_MAX: Final = 2**64 - 1
_I64_MIN: Final = -(2**63)


class RustPanic(Exception):
    """What a Rust ``panic!`` is in the emulation (e.g. slicing inside a character)."""


class SerdeError(ValueError):
    """``serde_json::from_str`` would return an error for this text."""


# --- Unicode data -----------------------------------------------------------


@functools.cache
def unicode_regex() -> Any:
    """The ``regex`` package, whose ``\\p{...}`` classes follow a current Unicode version
    (imported on first use: it costs start-up time)."""
    import regex

    return regex


@functools.cache
def _property(name: str) -> Any:
    """A compiled one-character matcher of a Unicode property, e.g. ``White_Space``."""
    return unicode_regex().compile(rf"\p{{{name}}}")


def has_property(char: str, name: str) -> bool:
    """Whether ``char`` has the Unicode property ``name`` (at the ``regex`` package's version)."""
    return _has(name, char)


@functools.lru_cache(maxsize=65536)
def _has(name: str, char: str) -> bool:
    return _property(name).match(char) is not None


def python_knows(char: str) -> bool:
    """Whether the running Python's Unicode database has ``char`` assigned."""
    return unicodedata.category(char) != "Cn"


def all_code_points() -> str:
    """Every code point but the surrogates, in order, as one string (for C-speed scans)."""
    return _all_code_points()


@functools.cache
def _all_code_points() -> str:
    return "".join(map(chr, range(0xD800))) + "".join(map(chr, range(0xE000, 0x110000)))


def class_ranges(pattern: str) -> str:
    """The characters a ``regex`` class pattern matches, as the body of an ``re`` class.

    ``class_ranges(r"\\p{White_Space}")`` gives ``\\t-\\r\\x20\\x85...``: one scan of
    every code point by the C engine, then runs collapsed into ranges.
    """
    return _class_ranges(pattern)


@functools.cache
def _class_ranges(pattern: str) -> str:
    chars = sorted(
        {ord(c) for c in "".join(unicode_regex().findall(pattern + "+", _all_code_points()))}
    )
    parts: list[str] = []
    start = prev = -2
    for code in [*chars, -1]:
        if code == prev + 1:
            prev = code
            continue
        if start >= 0:
            parts.append(
                _class_char(start) if start == prev else f"{_class_char(start)}-{_class_char(prev)}"
            )
        start = prev = code
    return "".join(parts)


def _class_char(code: int) -> str:
    return f"\\U{code:08x}"


# --- char predicates and case mapping -----------------------------------------


def is_whitespace(char: str) -> bool:
    """Rust ``char::is_whitespace``: the Unicode ``White_Space`` property.

    Python's ``str.isspace`` (and ``str.split()``/``strip()``, ``re``'s ``\\s``)
    also counts U+001C..U+001F (bidirectional class B/S) as space.
    """
    return _has("White_Space", char)


def is_alphabetic(char: str) -> bool:
    """Rust ``char::is_alphabetic``: the derived ``Alphabetic`` property.

    Python's ``str.isalpha`` is the general categories L*, which leaves out
    letter numbers (Nl, ``Ⅻ``), and ``Other_Alphabetic`` marks and symbols
    (combining vowel signs, circled letters ``Ⓐ``).
    """
    return _has("Alphabetic", char)


def is_uppercase(char: str) -> bool:
    """Rust ``char::is_uppercase``: the ``Uppercase`` property (as Python's ``isupper``)."""
    return _has("Uppercase", char)


def is_lowercase(char: str) -> bool:
    """Rust ``char::is_lowercase``: the ``Lowercase`` property (as Python's ``islower``)."""
    return _has("Lowercase", char)


def is_numeric(char: str) -> bool:
    """Rust ``char::is_numeric``: general categories Nd, Nl and No."""
    return _has("N", char)


def to_uppercase(text: str) -> str:
    """Rust ``str::to_uppercase``: full upper-case mapping at the Rust side's Unicode version.

    Python's ``str.upper`` uses the same mapping (SpecialCasing included:
    ``ß`` -> ``SS``) as of its own Unicode version: a letter added since has no
    upper case there, and neither has an old letter that got a new capital
    (``ɤ`` U+0264 and ``ƛ`` U+019B gained ``Ɤ`` and ``Ƛ`` in Unicode 16).
    """
    if text.isascii():
        return text.upper()
    return "".join(map(_upper_char, text))


@functools.lru_cache(maxsize=65536)
def _upper_char(char: str) -> str:
    upper = char.upper()
    if upper == char and is_lowercase(char):
        return _case_partner(char, "Uppercase")
    return upper


def to_lowercase(text: str) -> str:
    """Rust ``str::to_lowercase``: Python's ``str.lower`` (the same full mapping, final
    sigma included) plus the pairs added after the running Python's Unicode version."""
    lowered = text.lower()
    if text.isascii() or (all(map(python_knows, text)) and not any(map(_has_new_lower, text))):
        return lowered
    return "".join(
        c.lower() if python_knows(c) and not _has_new_lower(c) else _lower_char(c) for c in text
    )


@functools.lru_cache(maxsize=65536)
def _has_new_lower(char: str) -> bool:
    """An upper-case letter Python knows with no lower case there and one in the newer tables."""
    return char.lower() == char and is_uppercase(char) and _case_partner(char, "Lowercase") != char


@functools.lru_cache(maxsize=65536)
def _lower_char(char: str) -> str:
    lower = char.lower()
    if lower == char and is_uppercase(char):
        return _case_partner(char, "Lowercase")
    return lower


def _case_partner(char: str, wanted: str) -> str:
    """The other member of ``char``'s simple case-folding class that has property ``wanted``
    (``char`` itself when there is none).

    Used where Python's tables have no mapping for ``char``; every such pair
    added to Unicode since Python 3.11's version 14 is a plain one-to-one pair,
    which the Rust probe test checks.
    """
    regex = unicode_regex()
    partners = regex.findall(r"(?i)" + regex.escape(char), _cased_letters())
    for other in partners:
        if other != char and _has(wanted, other):
            return str(other)
    return char


@functools.cache
def _cased_letters() -> str:
    """Every code point with the Uppercase or Lowercase property (where partners are searched)."""
    return "".join(unicode_regex().findall(r"[\p{Uppercase}\p{Lowercase}]", _all_code_points()))


def new_cased_letters() -> str:
    """Cased code points the running Python does not know, in order."""
    return "".join(c for c in _cased_letters() if not python_knows(c))


# --- regex crate classes ----------------------------------------------------

#: The ``regex`` crate's Unicode ``\\w`` (UTS #18 Annex C, as its docs define it).
RUST_WORD_CLASS: Final = r"[\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}]"
#: The ``regex`` crate's Unicode ``\\s``.
RUST_SPACE_CLASS: Final = r"\p{White_Space}"
#: The ``regex`` crate's Unicode ``\\d``.
RUST_DIGIT_CLASS: Final = r"\p{Nd}"


def is_rust_word(char: str) -> bool:
    """Whether the ``regex`` crate's ``\\w`` matches ``char``."""
    return _rust_word(char)


@functools.lru_cache(maxsize=65536)
def _rust_word(char: str) -> bool:
    return _property_class(RUST_WORD_CLASS).match(char) is not None


@functools.cache
def _property_class(pattern: str) -> Any:
    return unicode_regex().compile(pattern)


def simple_fold(char: str) -> str:
    """A character's simple case folding (CaseFolding.txt statuses C and S), as the
    ``regex`` crate's ``(?i)`` compares characters; the folding of a character with
    only a full (multi-character) folding is itself."""
    folded = char.casefold()
    return folded if len(folded) == 1 else _simple_only(char)


def _simple_only(char: str) -> str:
    """The S-status folding of a character whose full folding has several characters
    (``ẞ`` folds to ``ß``): its lower-case form when that is one character."""
    lowered = char.lower()
    return lowered if len(lowered) == 1 else char


# --- float width ------------------------------------------------------------


def f32(value: float) -> float:
    """``value`` rounded to the nearest ``f32`` (ties to even), as a Python float."""
    try:
        result: float = struct.unpack("f", struct.pack("f", value))[0]
    except OverflowError:
        return math.copysign(math.inf, value)
    return result


def f32_div(p: float, q: float) -> float:
    """``p as f32 / q as f32`` in ``f32``: the ``f64`` quotient of the two ``f32`` values,
    rounded once more (exact: double rounding is harmless for one division)."""
    return f32(f32(p) / f32(q))


# --- serde_json -------------------------------------------------------------


def serde_loads(text: str) -> Any:
    """Parse ``text`` as ``serde_json::from_str::<serde_json::Value>`` would, or raise
    ``SerdeError``.

    Python's ``json.loads`` is the base; serde_json also refuses ``NaN`` and
    ``Infinity``, numbers that overflow ``f64`` (``1e400``), escaped lone
    surrogates, and nesting of 128 or more. It reads integers beyond
    ``u64``/``i64`` as ``f64`` (without its ``arbitrary_precision`` feature),
    and, like Python, keeps the last of duplicate keys in a ``Value``.
    """
    if text.count("[") + text.count("{") >= SERDE_DEPTH_LIMIT and (
        _max_depth(text) >= SERDE_DEPTH_LIMIT
    ):
        raise SerdeError("recursion limit exceeded")
    try:
        value = json.loads(
            text,
            parse_constant=_refuse_constant,
            parse_int=_serde_int,
            parse_float=_serde_float,
        )
    except RecursionError:
        raise SerdeError("recursion limit exceeded") from None
    except SerdeError:
        raise
    except ValueError as exc:
        raise SerdeError(str(exc)) from None
    if ("\\u" in text or not _encodable(text)) and _has_surrogate(value):
        raise SerdeError("lone leading surrogate in hex escape")
    return value


def _refuse_constant(name: str) -> Any:
    raise SerdeError(f"expected value (found {name})")


def _serde_int(text: str) -> int | float:
    value = int(text)
    if value == 0 and text.startswith("-"):
        return -0.0  # serde_json reads ``-0`` as the float -0.0
    if _I64_MIN <= value <= _U64_MAX:
        return value
    return _serde_float(text)


def _serde_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise SerdeError("number out of range")
    return value


def _max_depth(text: str) -> int:
    """The deepest ``[``/``{`` nesting outside strings (what serde_json's limit counts)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _encodable(text: str) -> bool:
    """Whether ``text`` is valid UTF-8 material (no lone surrogate code point)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _has_surrogate(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if any("\ud800" <= c <= "\udfff" for c in item):
                return True
        elif isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def serde_number_key(value: int | float) -> Hashable:
    """How ``serde_json::Value`` equality sees a number Python parsed.

    A ``Number`` is a ``u64``, an ``i64`` or an ``f64``, and numbers of two
    kinds are never equal: ``1`` and ``1.0`` differ (Python: ``1 == 1.0``).
    Integers past ``u64``/``i64`` were read as ``f64``.
    """
    if isinstance(value, int) and _I64_MIN <= value <= _U64_MAX:
        return ("int", value)
    try:
        return ("float", float(value))
    except OverflowError:  # past f64: serde_json refuses to read it at all
        return ("out of range", value)


def serde_to_string(value: Any) -> str:
    """``serde_json::to_string`` of a parsed value: compact, keys sorted (``Map`` is a
    ``BTreeMap`` by default), non-ASCII written raw, floats in ``ryu``'s shortest form
    (``1e16`` is ``10000000000000000.0``, ``1e-7`` is ``1e-7``; Python writes
    ``1e+16`` and ``1e-07``)."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return ryu_format(value)
    if isinstance(value, str):
        return _serde_string(value)
    if isinstance(value, list):
        return "[" + ",".join(serde_to_string(v) for v in value) + "]"
    if isinstance(value, dict):
        items = sorted(value.items())
        return "{" + ",".join(_serde_string(k) + ":" + serde_to_string(v) for k, v in items) + "}"
    raise TypeError(f"not a JSON value: {value!r}")


_SHORT_ESCAPES: Final = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n",
                         "\r": "\\r", "\t": "\\t"}  # fmt: skip


def _serde_string(text: str) -> str:
    out = ['"']
    for char in text:
        escaped = _SHORT_ESCAPES.get(char)
        if escaped is not None:
            out.append(escaped)
        elif char < " ":
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def ryu_format(value: float) -> str:
    """A finite ``f64`` as serde_json writes it (``ryu::Buffer::format_finite``);
    ``null`` for NaN and infinities, as serde_json does."""
    if not math.isfinite(value):
        return "null"
    if value == 0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    sign = "-" if value < 0 else ""
    digits, exponent = _shortest_digits(abs(value))
    length = len(digits)
    kk = length + exponent  # the decimal point sits after kk digits
    if exponent >= 0 and kk <= 16:
        return f"{sign}{digits}{'0' * exponent}.0"
    if 0 < kk <= 16:
        return f"{sign}{digits[:kk]}.{digits[kk:]}"
    if -5 < kk <= 0:
        return f"{sign}0.{'0' * -kk}{digits}"
    mantissa = digits if length == 1 else f"{digits[0]}.{digits[1:]}"
    return f"{sign}{mantissa}e{kk - 1}"


def _shortest_digits(value: float) -> tuple[str, int]:
    """The shortest round-tripping digits of ``value`` and their decimal exponent
    (``value == int(digits) * 10**exponent``), from Python's own shortest ``repr``."""
    mantissa, _, exp = repr(value).partition("e")
    whole, _, frac = mantissa.partition(".")
    frac = "" if frac == "0" else frac
    digits = (whole + frac).lstrip("0")
    exponent = (int(exp) if exp else 0) - len(frac)
    stripped = digits.rstrip("0")
    return stripped or "0", exponent + len(digits) - len(stripped)


# --- strings ----------------------------------------------------------------


def utf8_len(text: str) -> int:
    """Rust ``str::len``: the length in UTF-8 bytes (a lone surrogate counts 3)."""
    return len(text.encode("utf-8", "surrogatepass"))


def utf16_len(text: str) -> int:
    """The length in UTF-16 code units (JavaScript's ``length``, Java's ``String``)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def byte_slice_prefix(text: str, end: int) -> str:
    """Rust ``&text[..end]`` with ``end`` a byte index: the prefix, or ``RustPanic``
    when ``end`` falls inside a character (``byte index N is not a char boundary``)."""
    data = text.encode("utf-8", "surrogatepass")
    if end >= len(data):
        return text
    if 0x80 <= data[end] < 0xC0:
        raise RustPanic(f"byte index {end} is not a char boundary")
    return data[:end].decode("utf-8", "surrogatepass")
