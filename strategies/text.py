"""Filler text, and lexicon phrases embedded in filler.

Both shrink towards the shortest text that still matters. Filler is one pick
from a fixed pool of neutral sentences sorted shortest first (so it shrinks
to ``""``); a phrase is ``sampled_from`` its lexicon and placed in a *frame*
(filler before and after, casing, trailing punctuation) picked from a pool
sorted by how much it adds, so a divergence caused by a phrase shrinks to
the bare phrase. Pools rather than word-by-word lists because every
Hypothesis choice costs tens of microseconds, and a campaign draws these for
nearly every message it generates.

The lexicons are filled by hand in ``strategies/lexicons.py``. A leaf whose
lexicon has no triggers falls back to the one wording the analyzer contract
itself quotes for it (``_FALLBACK_TRIGGERS``), and a request that finds no
phrase at all falls back to plain filler, so these strategies never become
empty.

This module also holds the argument checks and two tiny private
combinators (``_weighted`` and ``_maybe``) that the other strategy modules
share.
"""

from __future__ import annotations

import functools
import math
import random
import weakref
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Final, TypeVar

from hypothesis import strategies as st
from hypothesis.control import current_build_context
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from strategies.lexicons import LEXICONS
from strategies.signal_types import LEAF_TYPES

T = TypeVar("T")
U = TypeVar("U")

#: Words with no signal meaning, so filler around a phrase does not fire
#: anything by itself. Plain ASCII first (shrinking prefers the front), a few
#: everyday non-ASCII words last.
VOCABULARY: Final[tuple[str, ...]] = (
    "the", "a", "file", "report", "table", "data", "for", "with", "in", "on",
    "of", "and", "to", "from", "list", "show", "open", "check", "update",
    "value", "number", "date", "query", "page", "item", "order", "next",
    "first", "new", "name", "city", "weather", "today", "column", "row",
    "sort", "by", "price", "invoice", "customer", "monday", "paris", "london",
    "units", "metric", "total", "summary", "draft", "email", "folder",
    "café", "Zürich", "naïve", "東京",
)  # fmt: skip

#: Used only while a leaf's lexicon has no triggers: the wording the analyzer
#: contract (``shared/spec/targets.md``) uses for the leaf. Structural leaves
#: (dragging, repetition, the loops) have no wording.
_FALLBACK_TRIGGERS: Final[dict[str, tuple[str, ...]]] = {
    "interaction.misalignment.correction": ("no, I meant",),
    "interaction.misalignment.rephrase": ("let me rephrase",),
    "interaction.misalignment.clarification": ("I don't understand",),
    "interaction.disengagement.escalation": ("let me talk to a human",),
    "interaction.disengagement.quit": ("I give up",),
    "interaction.disengagement.negative_stance": ("this is useless",),
    "interaction.satisfaction.gratitude": ("thank you",),
    "interaction.satisfaction.confirmation": ("that works",),
    "interaction.satisfaction.success": ("it worked",),
    "execution.failure.invalid_args": ("invalid argument",),
    "execution.failure.bad_query": ("no results found",),
    "execution.failure.tool_not_found": ("unknown tool",),
    "execution.failure.auth_misuse": ("401 unauthorized",),
    "execution.failure.state_error": ("invalid state",),
    "environment.exhaustion.api_error": ("500 internal server error",),
    "environment.exhaustion.timeout": ("timed out",),
    "environment.exhaustion.rate_limit": ("429 too many requests",),
    "environment.exhaustion.network": ("connection refused",),
    "environment.exhaustion.malformed_response": ("invalid JSON",),
    "environment.exhaustion.context_overflow": ("context length exceeded",),
}

#: Leaf groups the other modules aim at.
INTERACTION_TYPES: Final[tuple[str, ...]] = tuple(
    t for t in LEAF_TYPES if t.startswith("interaction.")
)
FAILURE_TYPES: Final[tuple[str, ...]] = tuple(
    t for t in LEAF_TYPES if t.startswith("execution.failure.")
)
EXHAUSTION_TYPES: Final[tuple[str, ...]] = tuple(
    t for t in LEAF_TYPES if t.startswith("environment.exhaustion.")
)


def _as_is(text: str) -> str:
    return text


# Casing and trailing punctuation, the unvaried form first. Normalisation
# lower-cases and strips token-end punctuation, so each of these should be
# invisible to a faithful analyzer; ALL CAPS and "!!!" also feed
# negative_stance, which is the point.
_CASINGS: Final[tuple[Callable[[str], str], ...]] = (
    _as_is, str.lower, str.capitalize, str.upper, str.title, str.swapcase,
)  # fmt: skip
_ENDINGS: Final[tuple[str, ...]] = ("", ".", "!", "?", ",", "!!!", "...", "?!", " :)")

_FILLER_MAX: Final = 8  # words on each side of a phrase


def filler_texts(*, min_size: int = 0, max_size: int = 12) -> SearchStrategy[str]:
    """Neutral text of ``min_size``..``max_size`` words; shrinks to ``""``.

    Filler is what surrounds a trigger: it moves the phrase to the start,
    middle or end of a message and makes texts long enough for the token
    and n-gram matchers to have something to compare.
    """
    check_bounds("filler_texts", min_size, max_size)
    return _filler(min_size, max_size)


def trigger_texts(
    signal_types: Iterable[str] | None = None, *, near_misses: bool = True
) -> SearchStrategy[str]:
    """A lexicon phrase for one of ``signal_types``, embedded in filler.

    The phrase lands at the start, middle or end (filler before and after
    both shrink to nothing), with casing and trailing-punctuation variants.
    With ``near_misses`` the lexicon's near misses are drawn too: they sit on
    the fuzzy-match threshold, where two implementations disagree most.
    ``signal_types`` defaults to every leaf; leaves without any wording (the
    loops, dragging, repetition) contribute nothing and, if nothing else is
    left, the strategy draws plain filler.
    """
    types = check_signal_types("trigger_texts", signal_types)
    if not isinstance(near_misses, bool):
        raise InvalidArgument(f"trigger_texts(near_misses={near_misses!r}) must be a bool")
    return _framed_phrases(_interleaved(types, near_misses))


def _interleaved(types: tuple[str, ...], near_misses: bool) -> tuple[str, ...]:
    """``lexicon_phrases`` taken one leaf at a time (the shortest trigger of every
    leaf, then the second shortest ...; near misses after), so that the mild
    preference of a long one-choice pick for low indices favours no leaf, and
    lowering the pick moves towards short phrases."""
    per_leaf = [sorted(lexicon_phrases([t], near_misses=False), key=len) for t in types]
    everything = lexicon_phrases(types, near_misses=near_misses)
    return tuple(dict.fromkeys([*round_robin(per_leaf), *everything]))


def round_robin(groups: Iterable[Sequence[T]]) -> list[T]:
    """The first item of every group, then the second of every group, and so on."""
    groups = list(groups)
    return [g[i] for i in range(max(map(len, groups), default=0)) for g in groups if i < len(g)]


def lexicon_phrases(
    signal_types: Iterable[str] | None = None, *, near_misses: bool = True
) -> tuple[str, ...]:
    """The phrases ``trigger_texts`` draws from, triggers before near misses.

    Not a strategy: the boundary builders embed raw phrases in long texts,
    and tests derive shrink bounds from it.
    """
    types = check_signal_types("lexicon_phrases", signal_types)
    triggers: list[str] = []
    misses: list[str] = []
    for t in types:
        lexicon = LEXICONS.get(t)
        found = lexicon.triggers if lexicon is not None else ()
        triggers.extend(found or _FALLBACK_TRIGGERS.get(t, ()))
        if near_misses and lexicon is not None:
            misses.extend(lexicon.near_misses)
    # dict.fromkeys: de-duplicate but keep order, so shrinking stays stable.
    return tuple(dict.fromkeys(p for p in triggers + misses if p))


# --- validation -------------------------------------------------------------


def check_bounds(where: str, min_size: int, max_size: int | None) -> None:
    """Raise ``InvalidArgument`` unless ``0 <= min_size <= max_size``."""
    for label, value in (("min_size", min_size), ("max_size", max_size)):
        if value is None and label == "max_size":
            continue
        if not isinstance(value, int) or isinstance(value, bool):
            raise InvalidArgument(f"{where}({label}={value!r}) must be an int")
        if value < 0:
            raise InvalidArgument(f"{where}({label}={value!r}) must be >= 0")
    if max_size is not None and min_size > max_size:
        raise InvalidArgument(
            f"{where}(min_size={min_size!r}, max_size={max_size!r}): "
            "min_size must not exceed max_size"
        )


def check_weight(where: str, label: str, value: float) -> None:
    """Raise ``InvalidArgument`` unless ``value`` is a probability."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidArgument(f"{where}({label}={value!r}) must be a number in [0, 1]")
    if math.isnan(value) or not 0 <= value <= 1:
        raise InvalidArgument(f"{where}({label}={value!r}) must be in [0, 1]")


def check_signal_types(where: str, signal_types: Iterable[str] | None) -> tuple[str, ...]:
    """Return ``signal_types`` as a tuple of known leaves, or raise ``InvalidArgument``."""
    if signal_types is None:
        return LEAF_TYPES
    if isinstance(signal_types, str):
        raise InvalidArgument(
            f"{where}(signal_types={signal_types!r}) must be a collection of leaf types, "
            f"not one string; use [{signal_types!r}]"
        )
    types = tuple(signal_types)
    if not types:
        raise InvalidArgument(f"{where}(signal_types=()) must name at least one leaf type")
    unknown = [t for t in types if t not in LEAF_TYPES]
    if unknown:
        raise InvalidArgument(
            f"{where}(signal_types=...) has unknown leaf types {unknown!r}; "
            f"use e.g. {LEAF_TYPES[0]!r}"
        )
    return types


# --- private builders -------------------------------------------------------


def _sentence_pool() -> tuple[str, ...]:
    """Filler sentences of 0.._POOL_WORDS words, shortest first.

    A fixed seed makes the pool the same in every process, so a database
    entry or a ``@reproduce_failure`` blob replays the same text.
    """
    rng = random.Random(20240601)
    pool = {""}
    for n in range(1, _POOL_WORDS + 1):
        for _ in range(_PER_LENGTH):
            pool.add(" ".join(rng.choice(VOCABULARY) for _ in range(n)))
    return tuple(sorted(pool, key=lambda s: (len(s.split()), len(s), s)))


_POOL_WORDS: Final = 16
_PER_LENGTH: Final = 5
_SENTENCES: Final[tuple[str, ...]] = _sentence_pool()


def _filler(min_size: int, max_size: int) -> SearchStrategy[str]:
    # Every choice Hypothesis makes costs tens of microseconds, and filler is
    # drawn for most messages of every conversation: one pick from a pool of
    # sentences (shortest first, so it shrinks to the shortest) instead of one
    # pick per word keeps a conversation at a few milliseconds. Word lists
    # only serve bounds the pool does not cover.
    if max_size <= _POOL_WORDS:
        return st.sampled_from(_filler_pool(min_size, max_size))
    return st.lists(st.sampled_from(VOCABULARY), min_size=min_size, max_size=max_size).map(" ".join)


def _filler_pool(min_size: int, max_size: int) -> tuple[str, ...]:
    """The pooled sentences of ``min_size``..``max_size`` words, shortest first."""
    return tuple(s for s in _SENTENCES if min_size <= len(s.split()) <= max_size)


_Frame = tuple[str, str, Callable[[str], str], str]  # before, after, casing, ending


def _frame_pool() -> tuple[_Frame, ...]:
    """Ways to embed a phrase: filler before and after, casing and ending.

    Drawn as *one* choice (see ``_filler``). The pool mixes plain frames at
    the start, middle and end of filler with every casing/ending variant,
    and is sorted by how much the frame adds, so that a frame shrinks to
    the bare phrase. Seeded, so replays see the same frames.
    """
    rng = random.Random(20240602)
    short = [t for t in _SENTENCES if len(t.split()) <= _FILLER_MAX]
    variants = [(c, e) for c in _CASINGS for e in _ENDINGS]
    frames: dict[tuple[str, str, str, str], _Frame] = {}

    def add(before: str, after: str, casing: Callable[[str], str], end: str) -> None:
        frames.setdefault((before, after, casing.__name__, end), (before, after, casing, end))

    add("", "", _as_is, "")
    for _ in range(30):  # plain phrase at the start, the end, in the middle
        add("", rng.choice(short), _as_is, "")
        add(rng.choice(short), "", _as_is, "")
        add(rng.choice(short), rng.choice(short), _as_is, "")
    for casing, end in variants:  # every variant, alone and in filler
        add("", "", casing, end)
        add(rng.choice(short), rng.choice(short), casing, end)
    return tuple(
        sorted(
            frames.values(),
            key=lambda f: (len(f[0]) + len(f[1]), f[2] is not _as_is, len(f[3]), f[0], f[1]),
        )
    )


_FRAMES: Final[tuple[_Frame, ...]] = _frame_pool()


def _framed(phrase: str, frame: _Frame) -> str:
    before, after, casing, end = frame
    return " ".join(part for part in (before, casing(phrase) + end, after) if part)


def _embedded(phrases: tuple[str, ...]) -> SearchStrategy[str]:
    if not phrases:
        return _filler(1, _FILLER_MAX)
    return st.builds(_framed, st.sampled_from(phrases), st.sampled_from(_FRAMES))


@functools.cache
def _framed_phrases(phrases: tuple[str, ...]) -> SearchStrategy[str]:
    """A phrase in a frame, drawn as *one* choice (``_embedded`` takes two).

    The choice is ``frame * width + phrase``, with the phrases padded (by
    repeating them) to ``width``, a power of two. Hypothesis favours low
    values of a range this long, so the plain frames at the front of
    ``_FRAMES`` come up more often than they would drawn apart (about 60 %
    of draws have no filler), while phrases stay about equally likely. And
    because its integer shrinker tries masking off high bits, a value
    shrinks to ``phrase`` alone: the bare phrase in frame 0.
    """
    if not phrases:
        return _filler(1, _FILLER_MAX)
    width = 1 << (len(phrases) - 1).bit_length()
    padded = tuple(phrases[i % len(phrases)] for i in range(width))

    def framed(i: int) -> str:
        frame, phrase = divmod(i, width)
        return _framed(padded[phrase], _FRAMES[frame])

    size = width * len(_FRAMES)
    return _inlinable(lambda _: framed(index(size)), st.sampled_from(range(size)).map(framed))


def index(n: int) -> int:
    """A uniform index below ``n`` (at most 256 for uniformity), for use inside a composite draw.

    The same single integer choice ``st.sampled_from(range(n))`` makes, so
    examples replay and shrink alike, but without the span Hypothesis opens
    around every strategy drawn: a campaign draws tens of picks per
    conversation, and the span bookkeeping cost more than the choice itself
    (measured: 26 microseconds per pick through ``draw``, 12 this way).
    Spans of the strategies around the pick remain, and with them the
    structure Hypothesis's shrinker works on.
    """
    return int(current_build_context().data.draw_integer(0, n - 1))


#: The bodies of our composite strategies, by strategy: ``draw_inline`` runs
#: a body inside the composite that draws it, without a span of its own.
#: Weak keys: a strategy built inside a draw must not live for the campaign.
_BODIES: Final[weakref.WeakKeyDictionary[SearchStrategy[Any], Callable[[st.DrawFn], Any]]] = (
    weakref.WeakKeyDictionary()
)


def _inlinable(
    body: Callable[[st.DrawFn], T], strategy: SearchStrategy[T] | None = None
) -> SearchStrategy[T]:
    """``strategy`` (default ``st.composite(body)()``), whose ``body``
    ``draw_inline`` may run directly; the two must make the same choices."""
    if strategy is None:
        strategy = st.composite(body)()
    _BODIES[strategy] = body
    return strategy


def draw_inline(draw: st.DrawFn, strategy: SearchStrategy[T]) -> T:
    """``draw(strategy)``; for our own composites (picks, exchanges, units), their
    body, run in the caller's span.

    Every span Hypothesis opens costs a campaign about 15 microseconds, more
    than the choice inside it, and a pick nested in a pick nested in an
    exchange opened one each. The outermost composite keeps its span, so the
    shrinker still sees (and deletes) messages and exchanges whole; only the
    wrappers between them and their choices go.
    """
    body = _BODIES.get(strategy)
    return body(draw) if body is not None else draw(strategy)


#: Slots a ``_weighted`` pick divides among its options. Hypothesis draws
#: indices below 256 uniformly but biases larger ranges towards small values,
#: which would skew every weight towards the first option.
_RESOLUTION: Final = 200


def _weighted(*options: tuple[float, SearchStrategy[T]]) -> SearchStrategy[T]:
    """Pick one strategy with the given relative weights.

    ``st.one_of`` has no weights (and merges repeated branches, so they
    cannot be emulated by repetition). The pick is one uniform index into
    ``_RESOLUTION`` slots, at least one slot per option, and it shrinks
    towards the *first* option: list the plainest one first. Zero-weight
    options are dropped, and a single option costs no draw.
    """
    kept = [(w, s) for w, s in options if w > 0]
    if not kept:
        raise InvalidArgument("_weighted() needs at least one option with a weight > 0")
    if len(kept) == 1:
        return kept[0][1]
    return _picked(*kept)


def _slots(weights: list[float]) -> list[int]:
    """Slots per option out of ``_RESOLUTION`` (at least one each), as ``_weighted``."""
    total = sum(weights)
    return [max(1, round(w / total * _RESOLUTION)) for w in weights]


def _picked(
    *options: tuple[float, SearchStrategy[T] | tuple[T, ...]],
    then: Callable[[T], U] | None = None,
) -> SearchStrategy[U]:
    """``_weighted``, where an option may also be a tuple of *values*.

    A tuple given at least one slot per value is spread over its slots, so
    drawing one of its values takes the single pick (``_weighted`` would draw
    the option, then the value: two choices). Values keep their order across
    the slots, so a pick still shrinks towards the first value of the first
    option. Tuples with more values than slots are drawn as ``sampled_from``.
    """
    kept = [(w, o) for w, o in options if w > 0]
    if not kept:
        raise InvalidArgument("_picked() needs at least one option with a weight > 0")
    table: list[tuple[str, object]] = []  # ("value", v), ("pool", values) or ("strategy", s)
    for (_, option), n in zip(kept, _slots([w for w, _ in kept]), strict=True):
        if isinstance(option, tuple) and len(option) <= n:
            table += [("value", option[j * len(option) // n]) for j in range(n)]
        elif isinstance(option, tuple):
            table += [("pool", option)] * n
        else:
            table += [("strategy", option)] * n
    slots = len(table)

    def pick(draw: st.DrawFn) -> U:
        how, item = table[index(slots)]
        if how == "value":
            value = item
        elif how == "pool":
            value = item[index(len(item))]  # type: ignore[index,arg-type]
        else:
            value = draw_inline(draw, item)  # type: ignore[arg-type]
        return value if then is None else then(value)  # type: ignore[return-value,arg-type]

    return _inlinable(pick)


def _maybe(strategy: SearchStrategy[T], p: float) -> SearchStrategy[T | None]:
    """``strategy`` with probability ``p``, else ``None``; shrinks to ``None``."""
    return _weighted((1 - p, st.none()), (p, strategy))
