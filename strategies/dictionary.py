"""Dictionaries harvested from the analyzers' own source, and texts built from them.

A ``Dictionary`` holds what ``fuzz.search.harvest`` read from the user's
checkouts of the reference and the port (``--dictionary``): phrases, regex
patterns split into alternatives, and the literals that were skipped with
their reasons. This module turns one into conversations.

Placement (``dictionary_conversations``): the analyzers read ``human``,
``gpt``, ``observation`` and ``function_call`` rows, so a harvested text
(a phrase, or a text drawn from one alternative: every phrase and every
alternative has the same weight) goes into any of them: a user or
assistant turn, an observation after a plain call (as text or in a JSON
error body), a tool name, call argument text, or a bare call. It sits alone
or in filler with a casing/ending variant (kept only if the alternative
still matches the framed text, raw or lower-cased, so anchors and ``\\b``
survive), and about one time in five gets a hazard mutation (Unicode
spaces, look-alikes, case, accents, typographic marks): a near miss.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Final

import attrs
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from strategies.hazards import apply_mutations, hazard_mutations
from strategies.regexes import alternative_texts, compile_regex
from strategies.text import _FRAMES, _embedded, _framed, _maybe


@attrs.frozen
class HarvestedPattern:
    """A regex literal of a source tree, as Python regex and alternatives.

    ``literal`` is the text as written (Rust syntax for ``.rs`` files),
    ``origin`` the file it was first found in.
    """

    literal: str
    origin: str
    python: str
    alternatives: tuple[str, ...]


@attrs.frozen
class SkippedLiteral:
    """A literal with regex syntax that generates nothing, and why."""

    literal: str
    origin: str
    reason: str


@attrs.frozen
class Dictionary:
    """Everything harvested: phrases, regex patterns, and what was skipped."""

    phrases: tuple[str, ...] = ()
    patterns: tuple[HarvestedPattern, ...] = ()
    skipped: tuple[SkippedLiteral, ...] = ()

    def __bool__(self) -> bool:
        """True when there is something to generate from."""
        return bool(self.phrases or self.patterns)

    @property
    def alternative_count(self) -> int:
        """Alternatives over all patterns."""
        return sum(len(p.alternatives) for p in self.patterns)

    @classmethod
    def of(cls, dictionary: Dictionary | Sequence[str]) -> Dictionary:
        """A ``Dictionary`` as is, or a sequence of phrases as a phrases-only one."""
        if isinstance(dictionary, Dictionary):
            return dictionary
        return cls(phrases=tuple(dictionary))


def dictionary_conversations(
    dictionary: Dictionary, *, max_units: int = 4
) -> SearchStrategy[list[dict[str, str]]]:
    """Short conversations carrying harvested phrases and regex matches in every role.

    One to ``max_units`` units, each one message (a ``human``/``gpt`` turn,
    a ``function_call`` naming the text or carrying it as argument text, or
    the text as a bare call) or a call followed by an ``observation`` holding
    it. Every phrase and every pattern alternative is drawn with the same
    weight. Shrinks to one unit holding one bare text.
    """
    if not isinstance(dictionary, Dictionary):
        raise InvalidArgument(
            f"dictionary_conversations(dictionary={dictionary!r:.60}) must be a Dictionary, "
            "e.g. harvest([...])"
        )
    if not dictionary:
        raise InvalidArgument(
            "dictionary_conversations(dictionary=...) needs at least one phrase or pattern"
        )
    if isinstance(max_units, bool) or not isinstance(max_units, int) or max_units < 1:
        raise InvalidArgument(f"dictionary_conversations(max_units={max_units!r}) must be >= 1")
    return _dictionary_conversations(dictionary, max_units)


def dictionary_texts(phrases: Sequence[str]) -> SearchStrategy[str]:
    """Texts holding one to three harvested ``phrases``, embedded in neutral filler.

    Each phrase lands at the start, middle or end of a run of filler, with
    casing and trailing-punctuation variants; phrases are drawn with
    ``sampled_from`` (in the given order, so failures shrink to the first
    phrase), and the text shrinks to a single unvaried phrase.
    """
    if isinstance(phrases, str) or not isinstance(phrases, Sequence):
        raise InvalidArgument(
            f"dictionary_texts(phrases={phrases!r:.60}) must be a sequence of strings, "
            "e.g. harvest_phrases([...])"
        )
    chosen = tuple(dict.fromkeys(phrases))
    if not chosen or not all(isinstance(p, str) and p for p in chosen):
        raise InvalidArgument(
            "dictionary_texts(phrases=...) needs at least one phrase, all non-empty strings"
        )
    return st.lists(_embedded(chosen), min_size=1, max_size=3).map(" ".join)


# --- placing harvested texts -------------------------------------------------

#: Plain calls an observation follows, so its failure is attributed.
_CALLS: Final[tuple[str, ...]] = (
    '{"name": "search", "arguments": {}}',
    '{"name": "run_command", "arguments": {"cmd": "deploy"}}',
    '{"name": "http_get", "arguments": {"url": "https://example.com"}}',
)
#: Share of harvested texts that get a hazard mutation (a near miss).
NEAR_MISS_SHARE: Final = 0.2


def _keeps_match(alternative: str, core: str, framed: str) -> str:
    """``framed`` if the alternative still matches in it (raw or lower-cased), else ``core``."""
    pattern = compile_regex(alternative)
    if pattern.search(framed) or pattern.search(framed.lower()):
        return framed
    return core


def _cores(dictionary: Dictionary) -> SearchStrategy[tuple[str | None, str]]:
    """(alternative or None for a phrase, bare text): every entry one equal share."""
    entries: list[tuple[str | None, str]] = [(None, p) for p in dictionary.phrases]
    entries += [(alt, alt) for p in dictionary.patterns for alt in p.alternatives]
    picks = st.sampled_from(entries)

    @st.composite
    def core(draw: st.DrawFn) -> tuple[str | None, str]:
        alternative, text = draw(picks)
        if alternative is None:
            return None, text
        return alternative, draw(alternative_texts(alternative))

    return core()


def _harvested_texts(dictionary: Dictionary) -> SearchStrategy[str]:
    """One harvested text, maybe framed in filler, maybe mutated into a near miss."""
    cores = _cores(dictionary)
    frames = st.sampled_from(_FRAMES)
    # Near misses: our Unicode mutations, and (a third of the time) a cross-language
    # hazard against the pattern's edges or words, where \\b, \\w and (?i) part.
    from strategies.crosslang_hazards import crosslang_mutations

    mutation = _weighted_mutations(hazard_mutations(surrogates=False), crosslang_mutations())
    near_miss = _maybe(st.lists(mutation, min_size=1, max_size=2), NEAR_MISS_SHARE)

    @st.composite
    def text(draw: st.DrawFn) -> str:
        alternative, core = draw(cores)
        framed = _framed(core, draw(frames))
        if alternative is not None:
            framed = _keeps_match(alternative, core, framed)
        mutations = draw(near_miss)
        return framed if mutations is None else apply_mutations(framed, mutations)

    return text()


def _weighted_mutations(
    ours: SearchStrategy[Callable[[str], str]], crosslang: SearchStrategy[Callable[[str], str]]
) -> SearchStrategy[Callable[[str], str]]:
    from strategies.text import _weighted

    return _weighted((2 / 3, ours), (1 / 3, crosslang))


def _unit_builders() -> tuple[Callable[[str, int], list[dict[str, str]]], ...]:
    """Ways to place a text, plainest first (the shrink target)."""

    def human(t: str, k: int) -> list[dict[str, str]]:
        return [{"from": "human", "value": t}]

    def gpt(t: str, k: int) -> list[dict[str, str]]:
        return [{"from": "gpt", "value": t}]

    def observation(t: str, k: int) -> list[dict[str, str]]:
        return [
            {"from": "function_call", "value": _CALLS[k % len(_CALLS)]},
            {"from": "observation", "value": t},
        ]

    def json_observation(t: str, k: int) -> list[dict[str, str]]:
        body = json.dumps({("error", "message", "detail")[k % 3]: t}, ensure_ascii=False)
        return [
            {"from": "function_call", "value": _CALLS[k % len(_CALLS)]},
            {"from": "observation", "value": body},
        ]

    def tool_name(t: str, k: int) -> list[dict[str, str]]:
        return [
            {
                "from": "function_call",
                "value": json.dumps({"name": t, "arguments": {}}, ensure_ascii=False),
            }
        ]

    def argument(t: str, k: int) -> list[dict[str, str]]:
        call = {"name": "search", "arguments": {"query": t}}
        return [{"from": "function_call", "value": json.dumps(call, ensure_ascii=False)}]

    def bare_call(t: str, k: int) -> list[dict[str, str]]:
        return [{"from": "function_call", "value": t}]

    return (human, observation, gpt, json_observation, tool_name, argument, bare_call)


_UNIT_BUILDERS: Final = _unit_builders()


def _dictionary_conversations(
    dictionary: Dictionary, max_units: int
) -> SearchStrategy[list[dict[str, str]]]:
    texts = _harvested_texts(dictionary)
    unit = st.builds(
        lambda build, t, k: build(t, k),
        st.sampled_from(_UNIT_BUILDERS),
        texts,
        st.integers(0, 5),
    )
    return st.lists(unit, min_size=1, max_size=max_units).map(
        lambda units: [m for u in units for m in u]
    )
