"""Hazard conversations for every row of the cross-language table (``strategies.crosslang``).

Each row's builder places that row's hazard where a detector looks, in the
smallest conversation that can show it:

- whitespace and ``\\s``: a Python-only space at the start of a call (ahead of
  the ``{`` check), between a tool name and its ``(``, between trigger words;
- ``\\w`` and ``\\b``: a character that is a word character to one side only
  after a tool name, and right after (or before) an observation's wording;
- alphabetic, case mapping, Unicode version: ALL-CAPS words made of letters
  one side does not know or does not count;
- case-insensitive matching: an observation wording with a letter replaced by
  a character that folds to it but does not lower-case to it (``ſ``);
- float thresholds: two replies whose token sets share exactly ``p`` of ``q``
  words, for every ``p/q`` where f32 and f64 compare differently;
- JSON: three calls of one tool (a retry or drift run) where one call's
  JSON parses on one side only, or where the arguments are one value in
  two spellings (``1``/``1.0``), or an object and a string holding its text;
- length and slicing: texts whose code point and byte lengths straddle the
  2,000 limit, and multi-byte characters across byte 120.

Every builder is one or two picks from prebuilt pools (cheap to generate),
and a found divergence shrinks within the shape to the plainest pick.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable
from typing import Final

import attrs
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

import strategies.crosslang as table
from strategies.hazards import spellings_of
from strategies.text import EXHAUSTION_TYPES, FAILURE_TYPES, VOCABULARY, lexicon_phrases
from strategies.tool_traces import TOOL_NAMES, Conversation, Message

#: Rows the strategies generate: every row of the table.
GENERATED_ROWS: Final[tuple[str, ...]] = tuple(row.slug for row in table.ROWS)


def crosslang_conversations(*, rows: Iterable[str] | None = None) -> SearchStrategy[Conversation]:
    """Small conversations that put one row's hazard where detectors look.

    ``rows`` picks rows of ``strategies.crosslang.ROWS`` by slug (default:
    all, each equally likely). Each conversation exercises its row
    (``strategies.crosslang.rows_in`` says so) and is a few messages long.
    """
    if rows is None:
        chosen = GENERATED_ROWS
    else:
        if isinstance(rows, str):
            raise InvalidArgument(
                f"crosslang_conversations(rows={rows!r}) must be a collection; use [{rows!r}]"
            )
        chosen = tuple(dict.fromkeys(rows))
        unknown = [r for r in chosen if r not in table.ROW_BY_SLUG]
        if not chosen or unknown:
            raise InvalidArgument(
                f"crosslang_conversations(rows={rows!r}): unknown or no rows; "
                f"use a subset of {', '.join(GENERATED_ROWS)}"
            )
    return _crosslang(chosen)


@functools.cache
def _crosslang(rows: tuple[str, ...]) -> SearchStrategy[Conversation]:
    return st.one_of([_BUILDERS[row]() for row in rows])


# --- shared pieces ------------------------------------------------------------


def _msg(role: str, value: str) -> Message:
    return {"from": role, "value": value}


def _call_json(name: str, arguments: str) -> str:
    """A call object in compact JSON (what is left after shrinking is mostly the hazard)."""
    return '{"name":' + json.dumps(name) + ',"arguments":' + arguments + "}"


def _args(i: int) -> str:
    """The ``i``-th of a run's changing argument objects, compact."""
    return '{"q":' + str(i) + "}"


def _runs(values: list[list[str]]) -> SearchStrategy[Conversation]:
    """A pick among prebuilt call runs (lists of ``function_call`` values)."""
    return st.sampled_from(values).map(lambda run: [_msg("function_call", v) for v in run])


def _conversations(pool: list[Conversation]) -> SearchStrategy[Conversation]:
    """One pick from a prebuilt pool; copies, so a caller may mutate what it draws."""
    return st.sampled_from(pool).map(lambda c: [dict(m) for m in c])


@functools.cache
def _tool_phrases() -> tuple[str, ...]:
    """Observation wordings of every failure and exhaustion leaf (plain ones)."""
    return lexicon_phrases(FAILURE_TYPES + EXHAUSTION_TYPES, near_misses=False)


@functools.cache
def _human_phrases() -> tuple[str, ...]:
    """Gratitude and quit phrases: single-message triggers of the human detectors."""
    return lexicon_phrases(
        ["interaction.satisfaction.gratitude", "interaction.disengagement.quit"],
        near_misses=False,
    )


def _short(phrases: Iterable[str], limit: int = 40) -> list[str]:
    return sorted((p for p in phrases if len(p) <= limit), key=lambda p: (len(p), p))


# --- character rows -------------------------------------------------------------


def _whitespace() -> SearchStrategy[Conversation]:
    """A Python-only space ahead of a call's ``{``, and between trigger words."""
    spaces = table.hazard_chars_of("whitespace")
    runs = [
        [space + _call_json(tool, _args(i)) for i in range(3)]
        for space in spaces
        for tool in TOOL_NAMES[:3]
    ]
    words = [
        [_msg("human", phrase.replace(" ", space, 1))]
        for space in spaces
        for phrase in _short(_human_phrases(), 20)
        if " " in phrase
    ]
    starts = [
        [_msg("human", space + phrase)]
        for space in spaces
        for phrase in _short(_human_phrases(), 12)
    ]
    return st.one_of(_runs(runs), _conversations(words + starts))


def _regex_space() -> SearchStrategy[Conversation]:
    """``name<space>({...})``: call syntax to ``re``'s ``\\s`` only."""
    spaces = table.hazard_chars_of("regex_s")
    runs = [
        [f"{tool}{space}({_args(i)})" for i in range(3)]
        for space in spaces
        for tool in TOOL_NAMES[:3]
    ]
    return _runs(runs)


def _regex_word() -> SearchStrategy[Conversation]:
    """``name<c>({...})`` with ``c`` a word character to one engine only."""
    chars = table.hazard_chars_of("regex_w")
    runs = [
        [f"{tool}{char}({_args(i)})" for i in range(3)] for char in chars for tool in TOOL_NAMES[:2]
    ]
    return _runs(runs)


def _regex_boundary() -> SearchStrategy[Conversation]:
    """An observation wording with a one-sided word character against its edge."""
    chars = table.hazard_chars_of("regex_b")  # newer letters included (word chars to Rust)
    phrases = _short(_tool_phrases(), 30)
    pool = [
        [_msg("function_call", TOOL_NAMES[0]), _msg("observation", text)]
        for phrase in phrases
        for char in chars
        for text in (phrase + char, char + phrase)
    ]
    return _conversations(pool)


def _ignore_case() -> SearchStrategy[Conversation]:
    """An observation wording with one letter replaced by a character that folds or
    lower-cases to it on one side only (``ſ`` for ``s``)."""
    swaps = {
        char: letter
        for char in table.hazard_chars_of("ignore_case")
        for letter in "abcdefghijklmnopqrstuvwxyz"
        if char.lower() == letter or char.casefold() == letter or char.upper() == letter.upper()
    }
    pool: list[Conversation] = []
    for phrase in _short(_tool_phrases(), 40):
        lowered = phrase.lower()
        for char, letter in swaps.items():
            spot = lowered.find(letter)
            if spot >= 0:
                text = phrase[:spot] + char + phrase[spot + 1 :]
                pool.append([_msg("function_call", TOOL_NAMES[0]), _msg("observation", text)])
    return _conversations(pool)


def _shouting(chars: tuple[str, ...], word: Callable[[str], str]) -> SearchStrategy[Conversation]:
    """Three ALL-CAPS words built around each hazard character."""
    pool = [[_msg("human", " ".join([word(char)] * 3))] for char in chars]
    return _conversations(pool)


def _alphabetic() -> SearchStrategy[Conversation]:
    """Words of letters ``Alphabetic`` counts and ``isalpha`` does not (``ⒶⒷ``)."""
    return _shouting(table.hazard_chars_of("alphabetic"), lambda c: c + c)


def _case_mapping() -> SearchStrategy[Conversation]:
    """Capitals with a lower-case letter only the newer tables can upper-case."""
    return _shouting(table.hazard_chars_of("case_mapping"), lambda c: "AB" + c)


def _case_checks() -> SearchStrategy[Conversation]:
    """Capitals beside letters whose case properties changed since Python's version."""
    chars = table.sample(table.case_check_delta().both, 2)
    return _shouting(chars, lambda c: "AB" + c)


def _unicode_version() -> SearchStrategy[Conversation]:
    """Characters newer than the running Python, in words, names and observations."""
    chars = table.hazard_chars_of("unicode_version")
    pool: list[Conversation] = [[_msg("human", f"AB{c} AB{c} AB{c}")] for c in chars]
    pool += [
        [_msg("function_call", TOOL_NAMES[0]), _msg("observation", "timed out" + c)] for c in chars
    ]
    runs = [[f"{TOOL_NAMES[0]}{c}({_args(i)})" for i in range(3)] for c in chars]
    return st.one_of(_conversations(pool), _runs(runs))


def _regex_digit() -> SearchStrategy[Conversation]:
    """Digits newer than the running Python where a rule reads ``\\d`` (``HTTP/<d>``)."""
    digits = table.hazard_chars_of("regex_d")
    forms = ("HTTP/{d} {code}", "HTTP/{d}.{d} {code}", "http/1.{d} {code} error", "{code}{d}")
    pool = [
        [_msg("function_call", TOOL_NAMES[0]), _msg("observation", form.format(d=d, code=code))]
        for d in digits
        for code in (401, 429, 503)
        for form in forms
    ]
    return _conversations(pool)


# --- floats ---------------------------------------------------------------------


def _float_threshold() -> SearchStrategy[Conversation]:
    """Two replies whose token sets share ``p`` of ``q`` words, for every hazard ``p/q``
    (scaled up until the later reply has the five tokens repetition needs)."""
    pool: list[Conversation] = []
    words = [w for w in dict.fromkeys(VOCABULARY) if w.isalpha()]
    for p, q in sorted(table.hazard_fractions(), key=lambda f: (f[1], f[0])):
        scale = -(-5 // q)  # the later reply (all q*scale words) needs 5 tokens
        if p == 0 or q * scale > len(words):
            continue
        shared = words[: p * scale]
        later = words[: q * scale]
        pool.append([_msg("gpt", " ".join(shared)), _msg("gpt", " ".join(later))])
    return _conversations(pool)


# --- JSON -------------------------------------------------------------------------


@functools.cache
def json_parse_hazards() -> tuple[str, ...]:
    """Argument texts Python's ``json`` and serde_json read differently (derived: each
    candidate is kept only if ``json_disagreement`` says the two part on it), then
    texts both refuse (nesting past 1,000), which must not diverge."""
    candidates = [
        "NaN", "Infinity", "-Infinity", '{"x": NaN}', '{"x": Infinity}', "1e400", "-1e400",
        '{"x": 1e400}', "1" * 400, '{"x": 18446744073709551616}', '{"x": 9007199254740993}',
        '"\\ud800"', '{"x": "\\udc00"}', '{"x": "\\ud83d\\ude00"}',
        "[" * 127 + "]" * 127, "[" * 128 + "]" * 128, "[" * 129 + "]" * 129,
        '{"a": ' * 129 + "1" + "}" * 129, "[" * 1001 + "]" * 1001,
        '{"x": 1, "x": 2}', '{"x": "\\u00e9"}', '{"x": "é"}', "1e-400",
    ]  # fmt: skip
    kept = [c for c in candidates if table.json_disagreement(c) is not None]
    both_refuse = [c for c in candidates if table.json_disagreement(c) is None and len(c) > 2000]
    return tuple(kept + both_refuse)


def _json_parse() -> SearchStrategy[Conversation]:
    """A run of three calls of one tool; one call's arguments parse on one side only."""
    runs = []
    for hazard in json_parse_hazards():
        for position in range(3):
            values = [_call_json(TOOL_NAMES[0], _args(i)) for i in range(3)]
            values[position] = _call_json(TOOL_NAMES[0], hazard)
            runs.append(values)
    return _runs(runs)


def _json_equality() -> SearchStrategy[Conversation]:
    """Three calls whose arguments are one value spelled two ways (``1`` and ``1.0``)."""
    runs = []
    for value in (1, 0, 10, 2**53, 2**64, 0.5):
        spellings = spellings_of(value)
        # ``-0`` is an integer to Python's json (0) and a float to serde_json (-0.0): the
        # parsers already part there (json_parse), before any equality is asked.
        for other in (s for s in spellings[1:] if s != "-0"):
            a, b = '{"n": ' + spellings[0] + "}", '{"n": ' + other + "}"
            if not _equal_to_python_only(a, b):
                continue  # e.g. 2**64 and 2**64.0: one f64 to serde_json as well
            runs.append([f"{TOOL_NAMES[0]}({a})", f"{TOOL_NAMES[0]}({b})", f"{TOOL_NAMES[0]}({a})"])
    return _runs(runs)


def _equal_to_python_only(a: str, b: str) -> bool:
    """Python's ``json`` reads ``a`` and ``b`` as equal values, serde_json as unequal ones."""
    from strategies.rust_semantics import SerdeError, serde_loads

    try:
        python_equal = bool(json.loads(a) == json.loads(b))
        return python_equal and table.serde_value_key(serde_loads(a)) != table.serde_value_key(
            serde_loads(b)
        )
    except (ValueError, SerdeError):
        return False


def _json_serialisation() -> SearchStrategy[Conversation]:
    """An object argument, a string argument holding its text (serde_json's or Python's),
    and the object again."""
    from strategies.rust_semantics import serde_to_string

    values = [{"q": "a"}, {"n": 1e16}, {"n": 1e-5}, {"q": "é"}, {"b": 1, "a": [1.5, None]}]
    runs = []
    for value in values:
        for text in (serde_to_string(value), json.dumps(value), json.dumps(value, sort_keys=True)):
            obj = _call_json(TOOL_NAMES[0], json.dumps(value))
            runs.append([obj, _call_json(TOOL_NAMES[0], json.dumps(text)), obj])
    return _runs(runs)


# --- strings ------------------------------------------------------------------------


def _string_length() -> SearchStrategy[Conversation]:
    """A trigger inside a text of at most 2,000 code points and more than 2,000 bytes."""
    pool = []
    for phrase in _short(_human_phrases(), 12)[:8]:
        for char in ("\u00e9", "\u4e2d", "\U0001f600"):
            width = len(char.encode("utf-8"))
            for n in (2001 // (2 * width) + 1, 600, 900, 990):
                text = char * n + f" {phrase} " + char * n
                if len(text) <= table.LONG_TEXT < len(text.encode("utf-8")):
                    pool.append([_msg("human", text)])
    return _conversations(pool)


def _string_slicing() -> SearchStrategy[Conversation]:
    """A trigger and multi-byte characters with one across byte 120 (and across the
    middle of a long text)."""
    pool = []
    for phrase in _short(_human_phrases(), 12)[:6]:
        for char in ("\u00e9", "\u4e2d", "\U0001f600"):
            for shift in range(3):
                head = phrase + " " + "x" * shift
                text = head + char * ((table.SNIPPET - len(head)) // len(char.encode()) + 2)
                data = text.encode("utf-8")
                if 0x80 <= data[table.SNIPPET] < 0xC0:
                    pool.append([_msg("human", text)])
    return _conversations(pool)


# --- mutations of other texts (harvested patterns) ------------------------------


@attrs.frozen
class EdgeChar:
    """Put a row's character against the text's start or end (where ``\\b``, ``\\s*`` and
    prefix checks look), or against its ``nth`` space-separated word's end."""

    char: str
    nth: int

    def __call__(self, text: str) -> str:
        if self.nth == 0:
            return text + self.char
        if self.nth == 1:
            return self.char + text
        spots = [i for i, c in enumerate(text) if c == " "]
        if not spots:
            return text + self.char
        i = spots[self.nth % len(spots)]
        return text[:i] + self.char + text[i:]


@attrs.frozen
class FoldSwap:
    """Replace the ``nth`` occurrence of ``letter`` (either case) by ``char``, which matches
    it case-insensitively on one side only (``ſ`` for ``s``)."""

    letter: str
    char: str
    nth: int

    def __call__(self, text: str) -> str:
        spots = [i for i, c in enumerate(text) if c.lower() == self.letter]
        if not spots:
            return text
        i = spots[self.nth % len(spots)]
        return text[:i] + self.char + text[i + 1 :]


def crosslang_mutations() -> SearchStrategy[Callable[[str], str]]:
    """Functions that put a cross-language hazard into any text: a character that is a
    word character or a space to one side only against its edges or words, or a letter
    swapped for one that folds to it on one side only. For harvested patterns, whose
    texts no builder of ours knows; shrinks to the first row's first character at the end."""
    return _crosslang_mutations()


@functools.cache
def _crosslang_mutations() -> SearchStrategy[Callable[[str], str]]:
    chars = (
        table.hazard_chars_of("regex_b")
        + table.hazard_chars_of("whitespace")
        + table.hazard_chars_of("unicode_version")[:12]
    )
    edges = [EdgeChar(char, nth) for char in chars for nth in (0, 1, 2)]
    swaps = [
        FoldSwap(letter, char, nth)
        for char in table.hazard_chars_of("ignore_case")
        for letter in "abcdefghijklmnopqrstuvwxyz"
        if letter in (char.lower(), char.casefold(), char.upper().lower())
        for nth in (0, 1, 2)
    ]
    return st.one_of(st.sampled_from(edges), st.sampled_from(swaps))


_BUILDERS: Final[dict[str, Callable[[], SearchStrategy[Conversation]]]] = {
    "whitespace": _whitespace,
    "alphabetic": _alphabetic,
    "case_checks": _case_checks,
    "case_mapping": _case_mapping,
    "regex_s": _regex_space,
    "regex_w": _regex_word,
    "regex_d": _regex_digit,
    "regex_b": _regex_boundary,
    "ignore_case": _ignore_case,
    "unicode_version": _unicode_version,
    "float_threshold": _float_threshold,
    "json_parse": _json_parse,
    "json_equality": _json_equality,
    "json_serialisation": _json_serialisation,
    "string_length": _string_length,
    "string_slicing": _string_slicing,
}
