"""Cross-language hazards: text and JSON that Python and Rust read differently.

The reference analyzer is Python (``str.split``, ``str.lower``, ``re`` and
``json``); the port is Rust (``char::is_whitespace``, ``to_lowercase``, the
``regex`` crate and ``serde_json``). They agree on ASCII and disagree at the
edges collected here:

- whitespace: Python's ``str.split``/``\\s`` treat U+001C..U+001F as spaces,
  Unicode ``White_Space`` (Rust) does not; U+FEFF and U+200B are spaces to
  neither but are often stripped by one side;
- case mapping: ``İ`` lower-cases to two code points, ``ß`` upper-cases to
  ``SS``, ``Σ`` lower-cases by context, the Kelvin sign ``K`` (U+212A) and
  the long s ``ſ`` lower/case-fold to ASCII letters, Turkish ``ı`` does not;
- typographic quotes and dashes, which the contract maps to ASCII;
- combining marks and NFC/NFD forms, zero-width and bidi controls, emoji
  ZWJ sequences and astral characters (code point vs UTF-8 vs UTF-16
  lengths), control characters and lone surrogates;
- JSON: ``1`` vs ``1.0`` (Python ``==`` says equal, ``serde_json::Value``
  says not), integers beyond ``u64``/``f64``, ``NaN``/``Infinity`` (Python
  accepts them, serde_json does not), duplicate keys, nesting past
  serde_json's recursion limit of 128, and very long tokens.

Lone surrogates only survive ``json.dumps`` with ``ensure_ascii=True``; a
port that rejects them fails *every* such line, so each public strategy has
``surrogates=False`` to look past that known finding.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections.abc import Callable
from typing import Final, TypeAlias

import attrs
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from strategies.rust_semantics import all_code_points
from strategies.text import VOCABULARY, _weighted, check_bounds, trigger_texts

#: A text transformation drawn by ``hazard_mutations``.
Mutation: TypeAlias = Callable[[str], str]

#: JSON values as Python holds them (what ``json.loads`` returns).
JSONValue: TypeAlias = bool | int | float | str | list["JSONValue"] | dict[str, "JSONValue"] | None

# --- characters ---------------------------------------------------------------


def _derived_spaces() -> tuple[str, ...]:
    """Every code point Python's ``str.split()`` splits on but the ASCII space (a superset
    of Rust's ``White_Space``: U+001C..U+001F are space to Python only), NBSP first (the
    commonest, so a divergence shrinks to it), then in code point order; and U+FEFF, a
    space to neither side that BOM strippers and JavaScript's ``trim`` remove."""
    found = set(re.findall(r"\s", all_code_points())) - {" ", "\u00a0"}
    return ("\u00a0", *sorted(found), "\ufeff")


def _derived_case_chars(per_kind: int = 4) -> tuple[str, ...]:
    """Letters whose case operations do not map one letter to one letter the same way:
    lower-casing that expands (``İ``), mapping a non-ASCII letter to ASCII (``ı``, Kelvin
    ``K``), upper-casing that expands (``ß``, ``ŉ``), folding that expands (``ẞ``) or
    differs from lower-casing (``ſ``, ``ς``), title-case letters (``ǅ``), and letters
    whose lower case depends on context (``Σ``). The first ``per_kind`` of each kind, in
    code point order, derived from the running Python's own tables."""
    kinds: dict[str, list[str]] = {
        k: []
        for k in ("lower expands", "maps to ASCII", "upper expands", "fold expands",
                  "fold differs", "title case", "context")
    }  # fmt: skip
    for char in re.findall(r"[^\W\d_]", all_code_points()):
        lowered, uppered, folded = char.lower(), char.upper(), char.casefold()
        kind = (
            "lower expands" if len(lowered) > 1
            else "maps to ASCII" if not char.isascii() and (lowered.isascii() or uppered.isascii())
            else "upper expands" if len(uppered) > 1
            else "fold expands" if len(folded) > 1
            else "fold differs" if folded != lowered
            else "title case" if char.istitle() and not char.isupper()
            else "context" if ("a" + char).lower()[-1] != lowered
            else None
        )  # fmt: skip
        if kind is not None and len(kinds[kind]) < per_kind:
            kinds[kind].append(char)
    return tuple(c for chars in kinds.values() for c in chars)


#: Spaces that Python and Rust split differently (NBSP first: the commonest).
SPACES: Final[tuple[str, ...]] = _derived_spaces()
#: Characters whose case mappings differ between APIs or expand.
CASE_CHARS: Final[tuple[str, ...]] = _derived_case_chars()
#: Typographic quotes, apostrophes and dashes (the contract maps some to ASCII).
TYPOGRAPHIC: Final[tuple[str, ...]] = (
    "\u2019", "\u2018", "\u201c", "\u201d", "\u2013", "\u2014", "\u02bc", "\u201a",
    "\u201e", "\u2032", "\u00ab", "\u00bb", "\u2010", "\u2011", "\u2212", "\u00b4", "`",
)  # fmt: skip
#: Combining marks and precomposed/decomposed pairs.
COMBINING: Final[tuple[str, ...]] = (
    "\u0301", "\u0308", "\u0327", "\u0307", "e\u0301", "\u00e9", "\u212b", "\u00c5",
)  # fmt: skip
#: Invisible characters: zero-width, soft hyphen, bidi controls.
INVISIBLE: Final[tuple[str, ...]] = (
    "\u200b", "\u200c", "\u200d", "\u2060", "\u00ad", "\u202e", "\u200f", "\u2066",
)  # fmt: skip
#: Emoji (ZWJ sequences, modifiers, keycaps) and other astral characters.
ASTRAL: Final[tuple[str, ...]] = (
    "\U0001f44d", "\U0001f469\u200d\U0001f4bb", "\U0001f3f3\ufe0f\u200d\U0001f308",
    "\U0001f44d\U0001f3fd", "1\ufe0f\u20e3", "\U0001d42d", "\U0002070e", "\U0001d7cf",
    "\uff01", "\u203c",
)  # fmt: skip
#: C0/C1 control characters.
CONTROLS: Final[tuple[str, ...]] = ("\x00", "\x07", "\x08", "\x1b", "\x7f", "\x9b")
#: Lone surrogates: legal in a Python ``str``, not in UTF-8 nor in Rust.
SURROGATES: Final[tuple[str, ...]] = ("\ud800", "\udfff", "\udc00")

_ALL_CHARS: Final = SPACES + CASE_CHARS + TYPOGRAPHIC + COMBINING + INVISIBLE + ASTRAL + CONTROLS

#: (ASCII text, look-alike) pairs: case-mapping look-alikes first, then
#: homoglyphs from other scripts, which no normalisation folds.
LOOKALIKES: Final[tuple[tuple[str, str], ...]] = (
    ("k", "\u212a"), ("K", "\u212a"), ("i", "\u0130"), ("I", "\u0130"), ("i", "\u0131"),
    ("s", "\u017f"), ("ss", "\u00df"), ("SS", "\u1e9e"), ("fi", "\ufb01"), ("A", "\u212b"),
    ("a", "\u0430"), ("e", "\u0435"), ("o", "\u03bf"), ("c", "\u0441"), ("p", "\u0440"),
)  # fmt: skip
_VOWEL_ACCENTS: Final[dict[str, str]] = {
    "a": "\u00e1", "e": "\u00e9", "i": "\u00ed", "o": "\u00f3", "u": "\u00fa",
    "A": "\u00c1", "E": "\u00c9", "I": "\u00cd", "O": "\u00d3", "U": "\u00da",
}  # fmt: skip
_TYPOGRAPHIC_FOR: Final[dict[str, tuple[str, ...]]] = {
    "'": ("\u2019", "\u2018", "\u02bc", "\u00b4"),
    '"': ("\u201c", "\u201d", "\u201e"),
    "-": ("\u2013", "\u2014", "\u2011", "\u2212"),
}
_QUOTE_PAIRS: Final[tuple[tuple[str, str], ...]] = (
    ("\u201c", "\u201d"), ("\u2018", "\u2019"), ("\u00ab", "\u00bb"), ("\u201e", "\u201c"),
)  # fmt: skip


def hazard_chars(*, surrogates: bool = True) -> SearchStrategy[str]:
    """One hazard: a code point or a short cluster (ZWJ emoji, base + mark).

    NBSP comes first, so a divergence that needs *some* odd space shrinks
    to the commonest one.
    """
    _check_flag("hazard_chars", surrogates)
    return st.sampled_from(_chars(surrogates))


def hazard_texts(
    *, min_size: int = 0, max_size: int = 6, surrogates: bool = True
) -> SearchStrategy[str]:
    """Text of ``min_size``..``max_size`` pieces mixing hazard characters,
    filler words and triggers with hazards applied.

    Pieces are concatenated without separators, so a hazard character can
    sit inside a word or a phrase; the text shrinks to a single character.
    """
    check_bounds("hazard_texts", min_size, max_size)
    _check_flag("hazard_texts", surrogates)
    return _hazard_texts(min_size, max_size, surrogates)


def hazard_mutations(*, surrogates: bool = True) -> SearchStrategy[Mutation]:
    """Functions that inject a hazard into a (trigger) text where it matters.

    Each one targets a position inside the text (``nth`` space, letter, word
    ... counted modulo what is there, so every drawn mutation applies to any
    text): a Unicode space for an ASCII one, a case-mapping look-alike for a
    letter (``k`` -> Kelvin sign), upper-casing, accents in NFC or NFD,
    typographic quotes and dashes, an inserted invisible/control/emoji
    character, full-width letters, or a whole-text normal form. The reprs
    are readable in a falsifying example.
    """
    _check_flag("hazard_mutations", surrogates)
    return _mutations(surrogates)


def apply_mutations(text: str, mutations: list[Mutation]) -> str:
    """Apply ``mutations`` in order (a helper for ``st.builds``)."""
    for mutate in mutations:
        text = mutate(text)
    return text


def json_number_spellings(*, value: int | float | None = None) -> SearchStrategy[str]:
    """A JSON number text; with ``value``, only spellings equal to it.

    Spellings of one value (``1``, ``1.0``, ``1e0``, ``1E+0``, ``10e-1``...)
    decode to Python numbers that compare equal, but not to equal
    ``serde_json::Value``s; ``-0`` and ``2**64`` (past ``u64``) probe the
    edges. One exception, on purpose: the float spellings of ``2**53 + 1``
    round to ``2**53``, so they are *unequal* for Python's ``json`` and equal
    for a port that reads every number as ``f64``. The plain spelling comes
    first.
    """
    if value is None:
        return st.sampled_from(NUMBER_VALUES).flatmap(lambda v: st.sampled_from(spellings_of(v)))
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        raise InvalidArgument(f"json_number_spellings(value={value!r}) must be a finite number")
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        raise InvalidArgument(f"json_number_spellings(value={value!r}) must be a finite number")
    return st.sampled_from(spellings_of(value))


def json_spellings(value: JSONValue) -> SearchStrategy[str]:
    """JSON texts that Python's ``json.loads`` decodes to something ``== value``
    (unless ``value`` holds ``2**53 + 1``, see ``json_number_spellings``).

    Half the time the plain text (``json.dumps(value, ensure_ascii=False)``);
    otherwise object keys reversed or rotated, numbers re-spelled, separators
    and indentation varied, strings escaped or not. This is how a retry
    re-sends "the same" arguments. Shrinks to the plain text.
    """
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as err:
        raise InvalidArgument(f"json_spellings(value={value!r}) is not JSON: {err}") from None
    return RESPELLINGS.map(functools.partial(render_json, value))


def json_hazard_texts(*, surrogates: bool = True) -> SearchStrategy[str]:
    """JSON (or almost-JSON) fragments the two JSON libraries treat differently.

    ``NaN``/``Infinity``, overflowing and very long numbers, duplicate keys,
    nesting at serde_json's recursion limit (127/128/129 levels), long
    strings, escaped surrogates, a BOM, trailing commas, Python reprs,
    trailing data. Used as ``arguments`` and as observation bodies.
    """
    _check_flag("json_hazard_texts", surrogates)
    return st.sampled_from(
        JSON_HAZARDS if surrogates else tuple(h for h in JSON_HAZARDS if "\\ud" not in h)
    )


# --- mutations ----------------------------------------------------------------


def _positions(text: str, needle: str) -> list[int]:
    out: list[int] = []
    i = text.find(needle)
    while i >= 0:
        out.append(i)
        i = text.find(needle, i + len(needle))
    return out


def _word_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = None
    for i, ch in enumerate(text + " "):
        if ch == " " or i == len(text):
            if start is not None:
                spans.append((start, i))
                start = None
        elif start is None:
            start = i
    return spans


@attrs.frozen
class SwapSpace:
    """Replace the ``nth`` ASCII space with ``space`` (or insert it if none)."""

    nth: int
    space: str

    def __call__(self, text: str) -> str:
        spots = _positions(text, " ")
        if spots:
            i = spots[self.nth % len(spots)]
            return text[:i] + self.space + text[i + 1 :]
        i = self.nth % (len(text) + 1)
        return text[:i] + self.space + text[i:]


@attrs.frozen
class LookAlike:
    """Replace the ``nth`` letter that has a look-alike (``k`` -> U+212A ...)."""

    nth: int

    def __call__(self, text: str) -> str:
        spots = [(i, plain, other) for plain, other in LOOKALIKES for i in _positions(text, plain)]
        if not spots:
            return text
        i, plain, other = spots[self.nth % len(spots)]
        return text[:i] + other + text[i + len(plain) :]


@attrs.frozen
class Recase:
    """Change case: ``upper``/``title``/``swapcase``/``casefold`` of the whole
    text, or ``upper-word`` of the ``nth`` word (ALL CAPS feeds negative_stance;
    ``ß``, ``İ`` and ligatures expand)."""

    how: str
    nth: int = 0

    def __call__(self, text: str) -> str:
        if self.how == "upper-word":
            spans = _word_spans(text)
            if not spans:
                return text
            a, b = spans[self.nth % len(spans)]
            return text[:a] + text[a:b].upper() + text[b:]
        method: Callable[[str], str] = getattr(str, self.how)
        return method(text)


@attrs.frozen
class Accent:
    """Accent the ``nth`` vowel, precomposed (NFC) or as vowel + U+0301 (NFD)."""

    nth: int
    decomposed: bool

    def __call__(self, text: str) -> str:
        spots = [i for i, ch in enumerate(text) if ch in _VOWEL_ACCENTS]
        if not spots:
            return text
        i = spots[self.nth % len(spots)]
        accented = _VOWEL_ACCENTS[text[i]]
        if self.decomposed:
            accented = unicodedata.normalize("NFD", accented)
        return text[:i] + accented + text[i + 1 :]


@attrs.frozen
class Normalize:
    """Put the whole text in a Unicode normal form (NFKC folds ``K``, ``ſ``, full-width)."""

    form: str

    def __call__(self, text: str) -> str:
        return unicodedata.normalize(self.form, text)  # type: ignore[arg-type]


@attrs.frozen
class Typographic:
    """Replace the ``nth`` ASCII quote or dash by a typographic one; with none,
    wrap the text in typographic quotes (token-end punctuation stripping)."""

    nth: int

    def __call__(self, text: str) -> str:
        spots = [(i, alt) for i, ch in enumerate(text) for alt in _TYPOGRAPHIC_FOR.get(ch, ())]
        if spots:
            i, alt = spots[self.nth % len(spots)]
            return text[:i] + alt + text[i + 1 :]
        left, right = _QUOTE_PAIRS[self.nth % len(_QUOTE_PAIRS)]
        return left + text + right


@attrs.frozen
class Insert:
    """Insert ``char`` at code point ``nth`` (modulo the length + 1)."""

    nth: int
    char: str

    def __call__(self, text: str) -> str:
        i = self.nth % (len(text) + 1)
        return text[:i] + self.char + text[i:]


@attrs.frozen
class Fullwidth:
    """Write the ``nth`` word in full-width forms (``ｔｈａｎｋｓ``, NFKC-equal)."""

    nth: int

    def __call__(self, text: str) -> str:
        spans = _word_spans(text)
        if not spans:
            return text
        a, b = spans[self.nth % len(spans)]
        wide = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text[a:b])
        return text[:a] + wide + text[b:]


_RECASINGS: Final = ("upper-word", "upper", "title", "swapcase", "casefold")
_FORMS: Final = ("NFD", "NFKC", "NFKD", "NFC")
_NTHS: Final = (0, 1, 2, 3, 5, 8)


def _chars(surrogates: bool) -> tuple[str, ...]:
    return _ALL_CHARS + SURROGATES if surrogates else _ALL_CHARS


def _check_flag(where: str, surrogates: bool) -> None:
    if not isinstance(surrogates, bool):
        raise InvalidArgument(f"{where}(surrogates={surrogates!r}) must be a bool")


@functools.cache
def _mutation_kinds(surrogates: bool) -> tuple[tuple[Mutation, ...], ...]:
    """Every prebuilt mutation, by kind; ``SwapSpace(nth=0, space=NBSP)`` first."""
    inserted = INVISIBLE + COMBINING[:4] + ASTRAL + CONTROLS + (SURROGATES if surrogates else ())
    kinds: list[list[Mutation]] = [
        [SwapSpace(n, space) for space in SPACES for n in _NTHS[:3]],
        [LookAlike(n) for n in range(16)],
        [Recase(how, n) for how in _RECASINGS for n in (_NTHS if how == "upper-word" else (0,))],
        [Accent(n, decomposed) for decomposed in (False, True) for n in _NTHS],
        [Typographic(n) for n in range(8)],
        [Insert(n, char) for char in inserted for n in _NTHS[:4]],
        [Fullwidth(n) for n in _NTHS[:4]],
        [Normalize(form) for form in _FORMS],
    ]
    return tuple(tuple(kind) for kind in kinds)


@functools.cache
def _mutations(surrogates: bool) -> SearchStrategy[Mutation]:
    """A kind of mutation, then one prebuilt mutation of that kind: two choices,
    every kind equally likely, shrinking to ``SwapSpace(nth=0, space=NBSP)``."""
    return st.one_of([st.sampled_from(kind) for kind in _mutation_kinds(surrogates)])


@functools.cache
def _mutation_pool(surrogates: bool) -> tuple[Mutation, ...]:
    """Every mutation in one flat pool, kinds taken in turn (small kinds repeat).

    ``_hazard_pool`` draws its mutated phrases from it. Taking kinds in turn
    keeps them equally likely in every stretch of the pool; index 0 is
    ``SwapSpace(nth=0, space=NBSP)``.
    """
    kinds = _mutation_kinds(surrogates)
    longest = max(len(kind) for kind in kinds)
    return tuple(kind[i % len(kind)] for i in range(longest) for kind in kinds)


#: Texts in the prebuilt pool of ``pooled_hazard_texts`` besides single characters.
_POOLED: Final = 1500


@functools.cache
def _hazard_pool(surrogates: bool) -> tuple[str, ...]:
    """Hazard texts built once, shortest first: every hazard character alone,
    then ``_POOLED`` texts of 2-6 pieces like ``hazard_texts`` makes (characters,
    filler words, mutated trigger phrases). Seeded: replays see the same pool."""
    import random

    from strategies.text import lexicon_phrases

    rng = random.Random(20240603)
    chars = _chars(surrogates)
    phrases = lexicon_phrases()
    mutations = _mutation_pool(surrogates)

    def piece() -> str:
        roll = rng.random()
        if roll < 1 / 3:
            return rng.choice(chars)
        if roll < 2 / 3:
            return rng.choice(VOCABULARY) + " "
        return rng.choice(mutations)(rng.choice(phrases))

    texts = {"".join(piece() for _ in range(rng.randint(2, 6))) for _ in range(_POOLED)}
    return tuple(dict.fromkeys([*chars, *sorted(texts, key=lambda t: (len(t), t))]))


@functools.cache
def pooled_hazard_texts(surrogates: bool) -> SearchStrategy[str]:
    """What ``hazard_texts`` makes, from ``_hazard_pool`` in two choices (it
    takes two to four per piece): a single hazard character (a fifth of the
    time, first: shrinks to NBSP alone) or a text of several pieces. Two
    picks, not one: in one long pool Hypothesis's preference for low indices
    drew mostly the single characters, and mutated triggers went missing."""
    pool = _hazard_pool(surrogates)
    singles = len(_chars(surrogates))
    return _weighted((0.2, st.sampled_from(pool[:singles])), (0.8, st.sampled_from(pool[singles:])))


def mutated(texts: SearchStrategy[str], *, surrogates: bool = True) -> SearchStrategy[str]:
    """``texts`` with one or two hazard mutations applied, in order."""
    return st.builds(
        apply_mutations, texts, st.lists(_mutations(surrogates), min_size=1, max_size=2)
    )


def _hazard_texts(min_size: int, max_size: int, surrogates: bool) -> SearchStrategy[str]:
    piece = st.one_of(
        st.sampled_from(_chars(surrogates)),
        st.sampled_from(VOCABULARY).map(lambda w: w + " "),
        mutated(trigger_texts(), surrogates=surrogates),
    )
    return st.lists(piece, min_size=min_size, max_size=max_size).map("".join)


# --- JSON ---------------------------------------------------------------------

#: Numbers the argument generators use; each has several equal spellings.
NUMBER_VALUES: Final[tuple[int | float, ...]] = (
    1, 0, 2, 3, 10, 100, -1, 0.5, 0.1, 2**53, 2**53 + 1, 2**64, 1.5e300,
)  # fmt: skip

_EXTRA_SPELLINGS: Final[dict[int | float, tuple[str, ...]]] = {
    0: ("-0", "-0.0", "0e5", "0E-5", "-0e0"),
    1: ("0.1e1", "1e+0", "100E-2"),
    0.1: ("1e-1", "0.10", "1E-1", "0.1000000000000000055511151231257827"),
    0.5: ("5e-1", "0.50", "5E-1", "50e-2"),
    2**53: ("9.007199254740992e15", "9007199254740992e0"),
    2**53 + 1: ("9.007199254740993e15", "9007199254740993.0"),
    2**64: ("1.8446744073709552e19", "18446744073709551616.0", "1.8446744073709551616E19"),
}


def spellings_of(value: int | float) -> tuple[str, ...]:
    """Equal JSON spellings of ``value``, the canonical one first (the float
    spellings of integers past ``2**53`` may round: see ``json_number_spellings``)."""
    if isinstance(value, int):
        base = [str(value), f"{value}.0", f"{value}e0", f"{value}E+0", f"{value}.00"]
        if value and value % 10 == 0:
            base.append(f"{value // 10}e1")
        elif value:
            base.append(f"{value * 10}e-1")
    else:
        base = [repr(value), f"{value:e}", f"{value:E}"]
    return tuple(dict.fromkeys(base + list(_EXTRA_SPELLINGS.get(value, ()))))


_Style = tuple[str, str, bool]  # item separator, key separator, ensure_ascii
#: Layouts, ``json.dumps``' separators first; raw UTF-8 first, then ``\\uXXXX`` escapes.
_STYLES: Final[tuple[_Style, ...]] = tuple(
    (item, key, ascii_only)
    for ascii_only in (False, True)
    for item, key in ((", ", ": "), (",", ":"), (" , ", " : "), (",\n  ", ": "))
)
#: Distinct ``variant`` values ``render_json`` tells apart.
VARIANTS: Final = 128


@functools.cache
def _orders(n: int) -> tuple[tuple[int, ...], ...]:
    """Key orders for an ``n``-key object: as given, reversed, every rotation.

    Not every permutation: these already separate order-sensitive
    comparisons, and the set stays small enough to index with a few bits.
    """
    given = tuple(range(n))
    rotations = [given[k:] + given[:k] for k in range(1, n)]
    return tuple(dict.fromkeys([given, given[::-1], *rotations]))


def render_json(value: JSONValue, variant: int = 0) -> str:
    """``value`` as JSON text in spelling number ``variant`` (0 is
    ``json.dumps(value, ensure_ascii=False)``).

    ``variant`` selects the layout and escaping, the key order of every
    object and the spelling of every number. Every variant decodes (with
    Python's ``json``) to a value ``== value``, except where ``value`` holds
    ``2**53 + 1`` (see ``json_number_spellings``). Being a plain function of an
    integer, a re-spelling costs one Hypothesis choice and shrinks to 0,
    the canonical text.
    """
    # 8 layouts and (at most) 11 spellings are coprime, so the 128 variants
    # cover every layout/spelling pair; the key order changes every 8.
    variant %= VARIANTS
    style = _STYLES[variant % len(_STYLES)]
    return _render(value, style, variant // len(_STYLES), variant % 11)


def _render(value: JSONValue, style: _Style, order: int, spelling: int) -> str:
    item_sep, key_sep, ascii_only = style
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, int | float):
        choices = spellings_of(value)
        return choices[spelling % len(choices)]
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=ascii_only)
    if isinstance(value, list):
        return "[" + item_sep.join(_render(v, style, order, spelling) for v in value) + "]"
    keys = list(value)
    if len(keys) > 1:
        orders = _orders(len(keys))
        keys = [keys[i] for i in orders[order % len(orders)]]
    body = item_sep.join(
        json.dumps(k, ensure_ascii=ascii_only) + key_sep + _render(value[k], style, order, spelling)
        for k in keys
    )
    return "{" + body + "}"


def _variant(pick: int) -> int:
    return max(pick - VARIANTS, 0)


#: A spelling variant for ``render_json``: 0 (the plain text) half
#: the time, else any variant. One choice among 256 values (Hypothesis draws
#: up to 256 uniformly, larger ranges biased towards 0). Shrinks to 0.
RESPELLINGS: Final[SearchStrategy[int]] = st.sampled_from(range(2 * VARIANTS)).map(_variant)


def _nest(depth: int, open_: str, close: str, core: str = "1") -> str:
    return open_ * depth + core + close * depth


JSON_HAZARDS: Final[tuple[str, ...]] = (
    "NaN",
    '{"q": NaN}',
    '{"limit": Infinity}',
    '{"limit": -Infinity}',
    "1e400",
    '{"limit": 1e400}',
    '{"limit": -1e400}',
    '{"limit": 1e-400}',
    '{"limit": ' + "1" * 400 + "}",
    '{"limit": 0.' + "0" * 400 + "1}",
    '{"q": 1, "q": 2}',
    '{"q": "paris", "q": "paris"}',
    '{"a": {"b": 1, "a": 2}, "a": {"a": 2, "b": 1}}',
    _nest(127, "[", "]"),
    _nest(128, "[", "]"),
    _nest(129, "[", "]"),
    _nest(129, '{"a": ', "}"),
    '{"q": "' + "a" * 5000 + '"}',
    '{"q": "' + "\u00e9" * 1500 + '"}',
    '{"q": "\\u00e9"}',
    '{"q": "\\ud83d\\ude00"}',
    '{"q": "\\ud800"}',
    '{"q": "\\udc00\\ud800"}',
    '\ufeff{"q": 1}',
    '{"q": 1,}',
    "{'q': 1}",
    "{q: 1}",
    '{"q": 1} trailing',
    '{"q": 1}{"q": 2}',
    '{"q": "\x00"}',
    '{"q": 01}',
    '{"q": +1}',
    '{"q": .5}',
    '{"q": 1.}',
    '{"q": 0x10}',
    "",
    " ",
    "{",
    "null",
    "[]",
    '"q"',
    "true",
)
