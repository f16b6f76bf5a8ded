"""The cross-language table: every primitive the analyzers rely on, and where Python's
and Rust's standard behaviour part.

One ``Row`` per primitive (``ROWS``): what the Python reference calls, what the
Rust port calls, how they differ, the sources, and the example-analyzer
variant that implements the primitive the Rust way (``fuzz.examples.variants``).
Every character set is derived at run time (``Derived``): from the running
``unicodedata`` and ``re``, from the Unicode properties the ``regex`` package
exposes at a current Unicode version, and from ``unicodedata2`` (the current
Unicode database) for what was assigned after the running Python's version.
``rows_in`` tells which rows a conversation exercises; the hazard strategies
(``strategies.crosslang_hazards``) generate them, and
``fuzz.search.crosslang_coverage`` counts them.

No Hypothesis here: the table and its derivations are plain data.
"""

from __future__ import annotations

import functools
import itertools
import json
import operator
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any, Final

import attrs

import strategies.rust_semantics as rust

#: Similarity, ratio and efficiency thresholds a detector may compare against.
THRESHOLDS: Final[tuple[float, ...]] = (*(round(0.05 * k, 2) for k in range(1, 20)), 1 / 3, 2 / 3)
#: Largest denominator of the ratios tried against ``THRESHOLDS`` (token and turn counts).
MAX_DENOMINATOR: Final = 20
#: How long a ``human``/``gpt`` text may be before it is shortened (code points).
LONG_TEXT: Final = 2000
#: Snippet length a port may cut by bytes.
SNIPPET: Final = 120


@attrs.frozen
class Row:
    """One primitive of the table and where Python and Rust disagree on it."""

    slug: str
    title: str
    python: str
    rust: str
    differs: str
    sources: tuple[str, ...]
    #: Example-analyzer variants that implement this primitive the Rust way.
    fixtures: tuple[str, ...] = ()
    #: Why no fixture can show this row in the example analyzer (empty when one does).
    unreached: str = ""


_PY_STDTYPES: Final = "https://docs.python.org/3/library/stdtypes.html"
_PY_RE: Final = "https://docs.python.org/3/library/re.html"
_PY_JSON: Final = "https://docs.python.org/3/library/json.html"
_RUST_CHAR: Final = "https://doc.rust-lang.org/std/primitive.char.html"
_RUST_STR: Final = "https://doc.rust-lang.org/std/primitive.str.html"
_RUST_REGEX: Final = "https://docs.rs/regex/latest/regex/#syntax"
_RUST_REGEX_UNICODE: Final = "https://github.com/rust-lang/regex/blob/master/UNICODE.md"
_SERDE: Final = "https://docs.rs/serde_json/latest/serde_json/"
_UCD_PROPS: Final = "https://www.unicode.org/reports/tr44/#Property_Index"
_UTS18: Final = "https://www.unicode.org/reports/tr18/#Compatibility_Properties"
_CASEFOLD: Final = "https://www.unicode.org/Public/UCD/latest/ucd/CaseFolding.txt"

ROWS: Final[tuple[Row, ...]] = (
    Row(
        "whitespace",
        "splitting and stripping on whitespace",
        "str.split(), str.strip(), str.isspace()",
        "str::split_whitespace, str::trim, char::is_whitespace",
        "Rust uses the White_Space property; Python also counts U+001C..U+001F "
        "(information separators, bidi class B/S) as space.",
        (f"{_PY_STDTYPES}#str.isspace", f"{_RUST_CHAR}#method.is_whitespace", _UCD_PROPS),
        fixtures=("rust_trim",),
    ),
    Row(
        "alphabetic",
        "alphabetic check",
        "str.isalpha()",
        "char::is_alphabetic",
        "Python: general categories L*. Rust: the Alphabetic property, which adds letter "
        "numbers (Nl) and Other_Alphabetic marks and symbols (vowel signs, circled letters).",
        (f"{_PY_STDTYPES}#str.isalpha", f"{_RUST_CHAR}#method.is_alphabetic", _UCD_PROPS),
        fixtures=("rust_is_alphabetic",),
    ),
    Row(
        "case_checks",
        "upper-case and lower-case checks",
        "str.isupper(), str.islower()",
        "char::is_uppercase, char::is_lowercase",
        "The same properties (Uppercase, Lowercase) on both sides; they differ only where the "
        "Unicode versions differ (letters added since, Other_Lowercase additions).",
        (f"{_PY_STDTYPES}#str.isupper", f"{_RUST_CHAR}#method.is_uppercase", _UCD_PROPS),
        unreached="the example analyzer reads these checks only through a count of upper-case "
        "characters that gates shouting, and every text that shouts already has three "
        "upper-case characters Python knows; the version delta reaches through case_mapping.",
    ),
    Row(
        "case_mapping",
        "lower-casing and upper-casing",
        "str.lower(), str.upper()",
        "str::to_lowercase, str::to_uppercase",
        "Both use the full mappings with SpecialCasing and the final-sigma rule; they differ "
        "on letters added after the running Python's Unicode version, which Python leaves "
        "unchanged.",
        (f"{_PY_STDTYPES}#str.lower", f"{_RUST_STR}#method.to_uppercase", _UCD_PROPS),
        fixtures=("rust_to_uppercase",),
    ),
    Row(
        "regex_s",
        r"regex \s",
        r"re: \s (str.isspace)",
        r"regex crate: \s (White_Space)",
        "As the whitespace row: re's \\s also matches U+001C..U+001F.",
        (_PY_RE, _RUST_REGEX, _RUST_REGEX_UNICODE),
        fixtures=("rust_regex_space",),
    ),
    Row(
        "regex_w",
        r"regex \w",
        r"re: \w (str.isalnum() or '_')",
        r"regex crate: \w (Alphabetic, M, Nd, Pc, Join_Control)",
        "re's \\w has the No digits (², ½, ①) and no combining marks; the crate's has "
        "every mark, letter numbers, connector punctuation and ZWJ/ZWNJ.",
        (_PY_RE, _RUST_REGEX, _UTS18),
        fixtures=("rust_regex_word",),
    ),
    Row(
        "regex_d",
        r"regex \d",
        r"re: \d (Nd)",
        r"regex crate: \d (Nd)",
        "The same category on both sides; only digits added after the running Python's "
        "Unicode version differ.",
        (_PY_RE, _RUST_REGEX),
        unreached="the example analyzer's rules use \\d only inside an optional group that "
        "a permissive class after it makes redundant, so no digit changes a match.",
    ),
    Row(
        "regex_b",
        r"regex \b",
        r"re: \b (between \w and not \w, re's \w)",
        r"regex crate: \b (Unicode word boundary by the crate's \w)",
        "A boundary next to a mark, an No digit or a newer letter exists on one side only.",
        (_PY_RE, _RUST_REGEX, _UTS18),
        fixtures=("rust_regex_boundary",),
    ),
    Row(
        "ignore_case",
        "case-insensitive matching",
        "str.lower() then match (and re.IGNORECASE)",
        "regex crate (?i): simple case folding",
        "ſ folds to s but is already lower case; İ lower-cases to i + U+0307 and has no "
        "simple folding; re.IGNORECASE also lets ı and İ match i.",
        (f"{_PY_RE}#re.IGNORECASE", _RUST_REGEX, _CASEFOLD),
        fixtures=("rust_ignore_case",),
    ),
    Row(
        "unicode_version",
        "Unicode version of the character tables",
        "unicodedata (the running Python's version)",
        "the Rust toolchain's and the regex crate's tables (newer)",
        "Characters assigned or changed since the running Python's Unicode version are "
        "unassigned (Cn) to Python: no letter, no case, no digit.",
        ("https://docs.python.org/3/library/unicodedata.html", _RUST_CHAR, _RUST_REGEX_UNICODE),
        fixtures=("rust_to_uppercase",),
    ),
    Row(
        "float_threshold",
        "float arithmetic and threshold comparisons",
        "float (IEEE binary64)",
        "f32 where a port stores ratios or thresholds in 32 bits",
        "A ratio that lands exactly on a threshold compares differently once either side "
        "of the comparison is rounded to f32 (0.8f32 is 0.800000011920929).",
        ("https://docs.python.org/3/library/stdtypes.html#numeric-types-int-float-complex",
         "https://doc.rust-lang.org/std/primitive.f32.html"),
        fixtures=("f32_threshold",),
    ),
    Row(
        "json_parse",
        "JSON parsing of tool calls and observations",
        "json.loads",
        "serde_json::from_str::<Value>",
        "Python accepts NaN/Infinity, numbers past f64 (as inf), escaped lone surrogates and "
        "nesting to ~1000; serde_json refuses them and stops at 128 levels. Both keep the "
        "last duplicate key in a Value; integers past u64 become f64 in serde_json.",
        (_PY_JSON, _SERDE, "https://docs.rs/serde_json/latest/serde_json/struct.Deserializer.html#method.disable_recursion_limit"),
        fixtures=("serde_json_parse",),
    ),
    Row(
        "json_equality",
        "equality of tool arguments",
        "== on parsed values (1 == 1.0)",
        "serde_json::Value equality (u64, i64 and f64 numbers never equal)",
        "1, 1.0 and 1e0 are one value to Python and two to serde_json; integers past u64 "
        "are f64 there and may round together.",
        (f"{_PY_STDTYPES}#comparisons", "https://docs.rs/serde_json/latest/serde_json/struct.Number.html"),
        fixtures=("serde_number_equality",),
    ),
    Row(
        "json_serialisation",
        "canonical serialisation of tool arguments",
        "json.dumps (', ' and ': ', ASCII escapes by default, repr floats: 1e+16)",
        "serde_json::to_string (compact, raw UTF-8, sorted BTreeMap keys, ryu floats: 1e16)",
        "The texts of one value differ, so an object and a string argument holding its "
        "text compare equal on one side only.",
        (f"{_PY_JSON}#json.dumps", "https://docs.rs/serde_json/latest/serde_json/fn.to_string.html",
         "https://docs.rs/ryu/latest/ryu/"),
        fixtures=("serde_text_args",),
    ),
    Row(
        "string_length",
        "string length",
        "len(str): code points",
        "str::len: UTF-8 bytes (UTF-16 units in JSON escapes and JavaScript)",
        "A text of 2,000 code points or fewer can be longer than 2,000 bytes.",
        (f"{_PY_STDTYPES}#len", f"{_RUST_STR}#method.len"),
        fixtures=("byte_truncation",),
    ),
    Row(
        "string_slicing",
        "string slicing",
        "text[:n]: code points, never fails",
        "&text[..n]: bytes, panics inside a character",
        "A byte index that falls inside a multi-byte character panics (a crash).",
        ("https://docs.python.org/3/library/stdtypes.html#common-sequence-operations",
         f"{_RUST_STR}#method.is_char_boundary"),
        fixtures=("rust_byte_slice",),
    ),
)  # fmt: skip

#: Rows by slug.
ROW_BY_SLUG: Final[dict[str, Row]] = {row.slug: row for row in ROWS}


# --- derived character sets -----------------------------------------------------


def scan_code_points(pattern: str, *, engine: Any = re) -> frozenset[str]:
    """Every code point a one-character pattern matches, by one C-level scan of all code
    points (``engine``: ``re`` for Python's classes, ``rust_semantics.unicode_regex()`` for
    Unicode properties)."""
    return frozenset("".join(engine.findall(f"(?:{pattern})+", rust.all_code_points())))


@attrs.frozen
class Delta:
    """Characters on which the two sides of one row answer differently."""

    python_only: frozenset[str]
    rust_only: frozenset[str]

    @property
    def both(self) -> frozenset[str]:
        return self.python_only | self.rust_only

    def known(self) -> Delta:
        """Restricted to characters the running Python's Unicode database has."""
        return Delta(
            frozenset(filter(rust.python_knows, self.python_only)),
            frozenset(filter(rust.python_knows, self.rust_only)),
        )


@functools.cache
def whitespace_delta() -> Delta:
    """``str.isspace`` (= ``re``'s ``\\s``) against ``White_Space``."""
    python = scan_code_points(r"\s")
    rust_side = scan_code_points(r"\p{White_Space}", engine=rust.unicode_regex())
    return Delta(python - rust_side, rust_side - python)


@functools.cache
def alphabetic_delta() -> Delta:
    """``str.isalpha`` against ``Alphabetic``."""
    python = frozenset(c for c in scan_code_points(r"\w") if c.isalpha())  # every letter is in \w
    rust_side = scan_code_points(r"\p{Alphabetic}", engine=rust.unicode_regex())
    return Delta(python - rust_side, rust_side - python)


@functools.cache
def case_check_delta() -> Delta:
    """``str.isupper``/``islower`` against ``Uppercase``/``Lowercase`` (either property)."""
    engine = rust.unicode_regex()
    cased = scan_code_points(r"[\p{Uppercase}\p{Lowercase}]", engine=engine) | frozenset(
        c for c in scan_code_points(r"\w") if c.isupper() or c.islower()
    )
    differ = frozenset(
        c
        for c in cased
        if c.isupper() != rust.is_uppercase(c) or c.islower() != rust.is_lowercase(c)
    )
    return Delta(
        frozenset(c for c in differ if c.isupper() or c.islower()),
        frozenset(c for c in differ if not (c.isupper() or c.islower())),
    )


@functools.cache
def case_mapping_delta() -> Delta:
    """Letters whose ``to_uppercase``/``to_lowercase`` differ from ``upper``/``lower``
    (the Rust side's mapping; searched among the cased letters Python does not know)."""
    cased = rust.new_cased_letters() + "".join(
        c for c in rust._cased_letters() if rust.python_knows(c) and c.upper() == c.lower()
    )
    differ = frozenset(
        c for c in cased if rust.to_uppercase(c) != c.upper() or rust.to_lowercase(c) != c.lower()
    )
    return Delta(frozenset(), differ)


@functools.cache
def regex_word_delta() -> Delta:
    """``re``'s ``\\w`` against the crate's ``\\w``."""
    python = scan_code_points(r"\w")
    rust_side = scan_code_points(rust.RUST_WORD_CLASS, engine=rust.unicode_regex())
    return Delta(python - rust_side, rust_side - python)


@functools.cache
def regex_digit_delta() -> Delta:
    """``re``'s ``\\d`` against the crate's ``\\d`` (Nd)."""
    python = scan_code_points(r"\d")
    rust_side = scan_code_points(rust.RUST_DIGIT_CLASS, engine=rust.unicode_regex())
    return Delta(python - rust_side, rust_side - python)


@functools.cache
def ignore_case_delta() -> Delta:
    """Non-ASCII characters that match an ASCII letter one way and not the other:
    ``lower()`` (and ``re.IGNORECASE``) on the Python side, simple folding on the Rust side."""
    python: set[str] = set()
    rust_side: set[str] = set()
    for letter in "abcdefghijklmnopqrstuvwxyz":
        by_re = set(re.findall(letter, rust.all_code_points(), re.IGNORECASE))
        for char in by_re | _folds_to(letter) | _lowers_to(letter):
            if char.isascii():
                continue
            lowered = char.lower() == letter
            folded = rust.simple_fold(char) == letter
            if (lowered or char in by_re) and not folded:
                python.add(char)
            elif folded and not lowered:
                rust_side.add(char)
    return Delta(frozenset(python), frozenset(rust_side))


def _folds_to(letter: str) -> set[str]:
    return set(_ascii_index("casefold").get(letter, ()))


def _lowers_to(letter: str) -> set[str]:
    return set(_ascii_index("lower").get(letter, ()))


@functools.cache
def _ascii_index(mapping: str) -> dict[str, tuple[str, ...]]:
    """ASCII letter -> non-ASCII word characters that ``str.<mapping>()`` (``casefold`` or
    ``lower``) turns into that letter."""
    out: dict[str, list[str]] = {}
    for char in scan_code_points(r"\w"):
        if not char.isascii():
            mapped = getattr(char, mapping)()
            if len(mapped) == 1 and mapped.isascii():
                out.setdefault(mapped, []).append(char)
    return {k: tuple(sorted(v)) for k, v in out.items()}


@functools.cache
def version_delta() -> Delta:
    """Characters assigned after the running Python's Unicode version (by ``unicodedata2``),
    or whose general category changed since."""
    import unicodedata2

    everything = rust.all_code_points()
    differs = map(
        operator.ne, map(unicodedata.category, everything), map(unicodedata2.category, everything)
    )
    return Delta(frozenset(), frozenset(itertools.compress(everything, differs)))


def unicode_versions() -> dict[str, str]:
    """The Unicode versions at play: the running Python's, ``unicodedata2``'s."""
    import unicodedata2

    return {"python": unicodedata.unidata_version, "unicodedata2": unicodedata2.unidata_version}


# --- picks for the strategies -----------------------------------------------------


def sample(chars: Iterable[str], per_category: int = 6) -> tuple[str, ...]:
    """A few characters of each general category, in code point order: a small pool
    that still holds every kind of difference (the categories say why they differ)."""
    by_category: dict[str, list[str]] = {}
    for char in sorted(chars):
        category = _category(char)
        kept = by_category.setdefault(category, [])
        if len(kept) < per_category:
            kept.append(char)
    return tuple(c for cat in sorted(by_category) for c in by_category[cat])


def _category(char: str) -> str:
    category = unicodedata.category(char)
    if category == "Cn":
        import unicodedata2

        return "new " + unicodedata2.category(char)
    return category


@functools.cache
def hazard_chars_of(slug: str) -> tuple[str, ...]:
    """The characters the strategies place for one character row (derived, small)."""
    if slug in ("whitespace", "regex_s"):
        return tuple(sorted(whitespace_delta().both))
    if slug == "alphabetic":
        # Letters to one side only that also shout: upper case with a lower-case form.
        shouting = [c for c in alphabetic_delta().both if c.isupper() and c.lower() != c]
        return sample(shouting, 8) + sample(alphabetic_delta().known().both, 2)
    if slug == "case_mapping":
        return sample(c for c in case_mapping_delta().both if rust.is_lowercase(c))
    if slug in ("regex_w", "regex_b"):
        return sample(regex_word_delta().known().both, 4) + sample(
            regex_word_delta().both - regex_word_delta().known().both, 2
        )
    if slug == "ignore_case":
        return tuple(sorted(ignore_case_delta().both))
    if slug == "unicode_version":
        return sample(version_delta().both, 3)
    if slug == "regex_d":
        return sample(regex_digit_delta().both, 4)
    raise ValueError(f"{slug!r} is not a character row")


# --- floats -------------------------------------------------------------------


@attrs.frozen
class FloatHazard:
    """A ratio ``p/q`` on a threshold where f64 and an f32 form compare differently."""

    p: int
    q: int
    threshold: float
    #: ``p/q >= threshold`` in f64, with the threshold held as f32, and all in f32.
    f64: bool
    f32_threshold: bool
    f32_all: bool


@functools.cache
def float_hazards(
    thresholds: tuple[float, ...] = THRESHOLDS, max_q: int = MAX_DENOMINATOR
) -> tuple[FloatHazard, ...]:
    """Every ``p/q`` (``q <= max_q``) at one of ``thresholds`` where ``>=`` answers
    differently in f64 and in one of the f32 forms (derived, not listed)."""
    out = []
    for q in range(1, max_q + 1):
        for p in range(q + 1):
            for t in thresholds:
                f64 = p / q >= t
                with_t = p / q >= rust.f32(t)
                all32 = rust.f32_div(p, q) >= rust.f32(t)
                if not f64 == with_t == all32:
                    out.append(FloatHazard(p, q, t, f64, with_t, all32))
    return tuple(out)


@functools.cache
def hazard_fractions() -> frozenset[tuple[int, int]]:
    """``(p, q)`` of every float hazard, reduced: the ratios that land on a threshold."""
    return frozenset((h.p, h.q) for h in float_hazards())


# --- JSON ---------------------------------------------------------------------


#: What ``_disagreement_and_value`` returns for a text Python's ``json`` refuses.
_UNPARSED: Final = object()


def json_disagreement(text: str) -> str | None:
    """How Python's ``json`` and serde_json part on ``text``: ``None`` when both refuse it
    or both read equal values, else ``"python-only"`` (serde refuses), ``"rust-only"``,
    or ``"values"`` (both read it, differently)."""
    return _disagreement_and_value(text)[0]


def _disagreement_and_value(text: str) -> tuple[str | None, Any]:
    """``json_disagreement`` and what Python's ``json`` read (``_UNPARSED`` if it refused)."""
    try:
        python: Any = json.loads(text)
        python_ok = True
    except (ValueError, RecursionError):
        python, python_ok = _UNPARSED, False
    try:
        rust_value: Any = rust.serde_loads(text)
        rust_ok = True
    except (rust.SerdeError, RecursionError):
        rust_value, rust_ok = None, False
    if python_ok and not rust_ok:
        return "python-only", python
    if rust_ok and not python_ok:
        return "rust-only", python
    if python_ok and rust_ok and _read_apart(text, python, rust_value):
        return "values", python
    return None, python


#: Integer literals long enough to leave ``u64``/``i64`` (serde_json reads them as f64).
_LONG_INTEGER: Final = re.compile(r"\d{19,}")


def _read_apart(text: str, python: Any, rust_value: Any) -> bool:
    """Whether the two parsers read different values. serde_loads departs from
    ``json.loads`` in its values only on ``-0`` and on integers past 64 bits, so other
    texts are decided without comparing."""
    if "-0" not in text and _LONG_INTEGER.search(text) is None:
        return False
    try:  # as JSON text: an int and a float of one value print apart, -0 and -0.0 too
        return json.dumps(python, sort_keys=True) != json.dumps(rust_value, sort_keys=True)
    except (ValueError, RecursionError):
        return False


# --- what a conversation exercises ------------------------------------------------


@functools.cache
def _char_rows() -> dict[str, tuple[str, ...]]:
    """Character -> the character rows it is a hazard of (built once, from the deltas)."""
    index: dict[str, list[str]] = {}
    sets = {
        "whitespace": whitespace_delta().both,
        "regex_s": whitespace_delta().both,
        "alphabetic": alphabetic_delta().both,
        "case_checks": case_check_delta().both,
        "case_mapping": case_mapping_delta().both,
        "regex_w": regex_word_delta().both,
        "regex_b": regex_word_delta().both,
        "regex_d": regex_digit_delta().both,
        "ignore_case": ignore_case_delta().both,
        "unicode_version": version_delta().both,
    }
    for slug, chars in sets.items():
        for char in chars:
            index.setdefault(char, []).append(slug)
    return {k: tuple(v) for k, v in index.items()}


def rows_in(conversation: Sequence[Any]) -> frozenset[str]:
    """The rows a conversation exercises: a row's character in a message, a call whose
    JSON the two parsers read differently, arguments equal on one side only, a reply
    pair whose similarity lands on a float hazard, a text whose length or a cut
    point differs in bytes."""
    found: set[str] = set()
    char_rows = _char_rows()
    calls: list[tuple[str, Any]] = []
    previous_gpt: frozenset[str] | None = None
    for message in conversation:
        if not isinstance(message, dict):
            continue
        value = message.get("value")
        if not isinstance(value, str) or not value:
            continue
        role = message.get("from")
        if not value.isascii():
            for char in set(value):
                found.update(char_rows.get(char, ()))
            _string_rows(value, role, found)
        else:
            for char in _ASCII_HAZARDS.intersection(value):
                found.update(char_rows.get(char, ()))
        if role == "function_call":
            calls.append(_call_rows(value, found))
        elif role == "gpt":
            words = frozenset(value.lower().split())
            if previous_gpt is not None and len(words) >= 5:
                union = len(words | previous_gpt)
                if union and _on_hazard(len(words & previous_gpt), union):
                    found.add("float_threshold")
            previous_gpt = words
    _argument_rows(calls, found)
    return frozenset(found)


#: The ASCII characters that are hazards (U+001C..U+001F: space to Python only).
_ASCII_HAZARDS: Final = frozenset("\x1c\x1d\x1e\x1f")


def _string_rows(value: str, role: Any, found: set[str]) -> None:
    if role in ("human", "gpt") and len(value) <= LONG_TEXT < rust.utf8_len(value):
        found.add("string_length")
    cuts = (SNIPPET, LONG_TEXT // 2)
    data = value.encode("utf-8", "surrogatepass")
    if any(cut < len(data) and 0x80 <= data[cut] < 0xC0 for cut in cuts):
        found.add("string_slicing")


def _on_hazard(shared: int, union: int) -> bool:
    from math import gcd

    g = gcd(shared, union)
    return (shared // g, union // g) in _reduced_fractions()


@functools.cache
def _reduced_fractions() -> frozenset[tuple[int, int]]:
    from math import gcd

    return frozenset((p // gcd(p, q), q // gcd(p, q)) for p, q in hazard_fractions())


def _call_rows(value: str, found: set[str]) -> tuple[str, Any]:
    """(name, arguments) of a call as Python reads it; JSON rows it exercises into ``found``."""
    name, arguments, parsers_part = _read_call(value)
    if parsers_part:
        found.add("json_parse")
    return name, arguments


@functools.lru_cache(maxsize=4096)
def _read_call(value: str) -> tuple[str, Any, bool]:
    """(name, arguments as Python reads them, whether the two parsers part on its JSON).

    Cached by text: campaigns draw most tool units from seeded pools, so the same call
    text comes back again and again, and reading it both ways (two JSON parsers) was
    most of what row coverage cost per conversation. Callers only read the arguments.
    """
    text = value.strip()
    body = text
    head = re.match(r"([A-Za-z_][\w.\-]*)\s*\((.*)\)$", text, re.S)
    if head is not None:
        body = head.group(2)
    elif not text.startswith("{"):
        return text, None, False
    disagreement, parsed = _disagreement_and_value(body)
    parts = disagreement is not None
    if parsed is _UNPARSED:
        return text, None, parts
    if head is not None:
        return head.group(1), parsed, parts
    if isinstance(parsed, dict):
        name = parsed.get("name", parsed.get("function"))
        return str(name), parsed.get("arguments", parsed.get("args")), parts
    return text, None, parts


def _argument_rows(calls: list[tuple[str, Any]], found: set[str]) -> None:
    """Equality and serialisation rows: two calls of one tool whose arguments are equal
    to Python and not to serde_json (or have two serde_json texts), or an object and a
    string holding JSON text."""
    by_name: dict[str, list[Any]] = {}
    for name, args in calls:
        by_name.setdefault(name, []).append(args)
    for args_list in by_name.values():
        if len(args_list) < 2:
            continue
        objects = [a for a in args_list if a is not None and not isinstance(a, str)]
        if any(isinstance(a, str) and _json_text(a) for a in args_list) and objects:
            found.add("json_serialisation")
        keys: dict[int, Any] = {}
        texts: dict[int, str] = {}
        for i, a in enumerate(objects):
            for j in range(i + 1, len(objects)):
                if a is objects[j] or not _python_equal(a, objects[j]):
                    continue  # one call text read once (``_read_call``), or unequal: in C
                try:
                    for k in (i, j):
                        if k not in keys:
                            keys[k] = serde_value_key(objects[k])
                            texts[k] = _serde_text(objects[k])
                except RecursionError:  # nested past what a key can be built for
                    continue
                if keys[i] != keys[j]:
                    found.add("json_equality")
                if texts[i] != texts[j]:
                    found.add("json_serialisation")


def _serde_text(value: Any) -> str:
    try:
        return rust.serde_to_string(value)
    except (TypeError, RecursionError):
        return ""


def _json_text(text: str) -> bool:
    return text[:1] in "{[" and json_disagreement(text) is None and _loads_ok(text)


def _loads_ok(text: str) -> bool:
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return False
    return True


def _python_equal(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except RecursionError:
        return False


def serde_value_key(value: Any) -> Any:
    """A hashable key under which two parsed JSON values are equal iff serde_json's
    ``Value`` equality says so (numbers through ``serde_number_key``)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return ("v", value)
    if isinstance(value, int | float):
        return rust.serde_number_key(value)
    if isinstance(value, list):
        return ("a", tuple(serde_value_key(v) for v in value))
    if isinstance(value, dict):
        return ("o", tuple(sorted((k, serde_value_key(v)) for k, v in value.items())))
    return ("?", repr(value))


def summary() -> dict[str, Any]:
    """Derived counts per row, for the docs and ``coverage --json``."""
    deltas = {
        "whitespace": whitespace_delta(),
        "alphabetic": alphabetic_delta(),
        "case_checks": case_check_delta(),
        "case_mapping": case_mapping_delta(),
        "regex_s": whitespace_delta(),
        "regex_w": regex_word_delta(),
        "regex_d": regex_digit_delta(),
        "regex_b": regex_word_delta(),
        "ignore_case": ignore_case_delta(),
        "unicode_version": version_delta(),
    }
    out: dict[str, Any] = {"unicode": unicode_versions()}
    for slug, delta in deltas.items():
        known = delta.known()
        out[slug] = {
            "python_only": len(delta.python_only),
            "rust_only": len(delta.rust_only),
            "python_only_known": len(known.python_only),
            "rust_only_known": len(known.rust_only),
            "categories": dict(Counter(map(_category, delta.both)).most_common(6)),
            "examples": [f"U+{ord(c):04X}" for c in sample(delta.both, 1)[:8]],
        }
    out["float_threshold"] = {"hazards": len(float_hazards())}
    return out
