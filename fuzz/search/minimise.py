"""The batched minimisation pass: delta debugging with many candidates per process.

Hypothesis shrinks one candidate at a time, and through a ``cmd:`` target
every step pays a process start. It also stops where its strategy's shape
stops it: a conversation built whole (the 101-message window edge) keeps
text the bug never needed. This pass polishes a case after Hypothesis has
finished with it, working on the conversation itself rather than on
Hypothesis's choices:

1. **messages**: delete runs of messages;
2. **words**: delete runs of words (a word with the whitespace before it),
   across all messages at once, so emptying a hundred filler messages is a
   handful of steps rather than a hundred;
3. **characters**: delete runs of characters, across all messages.

Words and characters are first deleted from equal messages (same role, same
text) together, so a run of identical calls stays identical while it
shrinks; where equal messages remain, both levels run again on each message
alone.

Each level is delta debugging (``ddmin``'s complement tests): at
granularity *n* the atoms are cut into *n* runs and every "all but run *i*"
candidate is tried; the smallest that still shows the bug is kept and the
granularity drops by one, otherwise it doubles, until single atoms have been
tried. All candidates of one step go to the targets as **one batch** (in
slices of ``max_batch``, stopping at the first slice with a success), so a
``cmd:`` target pays one process start per step, not per candidate.

A candidate is only ever a strict deletion, and it is kept only when
``shows`` says it still shows the bug, so the pass never loses the bug and
never grows the case. Results are cached by content: the same text reached
twice is not sent twice.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from typing import Final, TypeVar

import attrs

from fuzz.engine.case import size_key
from fuzz.engine.oracle import Oracle, Shows, content_key
from fuzz.engine.outcomes import Conversation

#: Candidates sent in one batch (one process per side for a ``cmd:`` target).
DEFAULT_MAX_BATCH: Final = 128

A = TypeVar("A")
T = TypeVar("T")

#: A word and the whitespace before it, or trailing whitespace alone.
_WORDS: Final = re.compile(r"\s*\S+|\s+")


@attrs.frozen
class MinimiseResult:
    """What the pass did: the final conversation and what it cost."""

    conversation: Conversation
    batches: int
    candidates: int
    seconds: float


def _first_passing(
    oracle: Oracle, candidates: Iterator[tuple[Conversation, T]]
) -> list[tuple[Conversation, T]]:
    """The candidates that show the bug, from the first batch of ``max_batch`` holding any.

    Candidates are built lazily: at fine granularity there are thousands,
    and most steps stop at their first batch.
    """
    while not oracle.past_deadline():
        chunk: dict[str, tuple[Conversation, T]] = {}  # by content: each sent once
        for candidate, tag in candidates:
            key = content_key(candidate)
            verdict = oracle.known(key)
            if verdict:
                return [(candidate, tag)]
            if verdict is None:
                chunk.setdefault(key, (candidate, tag))
            if len(chunk) >= oracle.max_batch:
                break
        if not chunk:
            return []
        verdicts = oracle.ask([(key, candidate) for key, (candidate, _) in chunk.items()])
        passing = [pair for pair, v in zip(chunk.values(), verdicts, strict=True) if v]
        if passing:
            return passing
    return []


def minimise(
    conversation: Conversation,
    shows: Shows,
    *,
    max_batch: int = DEFAULT_MAX_BATCH,
    deadline: float | None = None,
    messages_only: bool = False,
) -> MinimiseResult:
    """The smallest conversation this pass reaches from ``conversation`` that still shows the bug.

    ``shows`` judges a batch of candidates; ``deadline`` (a ``time.monotonic``
    value) stops the pass early, keeping what it has. ``messages_only`` stops
    after the first level (for bugs where each candidate that still shows
    them is expensive, such as a hang). The input itself is assumed to show
    the bug (it is returned unchanged if nothing smaller does).
    """
    if max_batch < 1:
        raise ValueError(f"max_batch={max_batch!r} must be at least 1")
    started = time.monotonic()
    oracle = Oracle(shows, max_batch, deadline)
    current = [dict(message) for message in conversation]
    current = _ddmin(current, _message_atoms, _rebuild_messages, oracle)
    if messages_only:
        return MinimiseResult(
            current, oracle.batches, oracle.candidates, time.monotonic() - started
        )
    current = _ddmin(current, *_GROUPED_WORDS, oracle)
    current = _ddmin(current, *_GROUPED_CHARS, oracle)
    if _has_equal_texts(current):  # equal texts may also shrink apart
        current = _ddmin(current, *_WORDS_EACH, oracle)
        current = _ddmin(current, *_CHARS_EACH, oracle)
    return _result(current, oracle, started)


def _result(conversation: Conversation, oracle: Oracle, started: float) -> MinimiseResult:
    seconds = time.monotonic() - started
    return MinimiseResult(conversation, oracle.batches, oracle.candidates, seconds)


def _ddmin(
    conversation: Conversation,
    atoms_of: Callable[[Conversation], list[A]],
    rebuild: Callable[[Conversation, list[A]], Conversation],
    oracle: Oracle,
) -> Conversation:
    """Delta debugging over one kind of atom; returns the smallest passing conversation."""
    origin = conversation  # atoms always index the level's starting point
    atoms = atoms_of(origin)
    n = 2
    while atoms and not oracle.past_deadline():
        n = min(n, len(atoms))
        size = -(-len(atoms) // n)  # ceiling division
        shown = _first_passing(oracle, _complements(origin, atoms, size, rebuild))
        if shown:
            conversation, atoms = min(shown, key=lambda pair: size_key(pair[0]))
            n = max(n - 1, 2)
            continue
        if n >= len(atoms):
            break
        n = min(2 * n, len(atoms))
    return conversation


def _complements(
    origin: Conversation,
    atoms: list[A],
    size: int,
    rebuild: Callable[[Conversation, list[A]], Conversation],
) -> Iterator[tuple[Conversation, list[A]]]:
    """Each "all atoms but run *i*" candidate (runs of ``size``).

    Every atom is non-empty (a message, a word, a character) and the current
    conversation is ``rebuild(origin, atoms)``, so each candidate is strictly
    smaller than it: no size check is needed.
    """
    for i in range(0, len(atoms), size):
        kept = atoms[:i] + atoms[i + size :]
        yield rebuild(origin, kept), kept


# --- atoms of each level ----------------------------------------------------


def _message_atoms(conversation: Conversation) -> list[int]:
    return list(range(len(conversation)))


def _rebuild_messages(conversation: Conversation, kept: list[int]) -> Conversation:
    return [conversation[i] for i in kept]


def _value(message: dict[str, object]) -> str | None:
    value = message.get("value")
    return value if isinstance(value, str) else None


def _texts(conversation: Conversation, grouped: bool) -> list[list[int]]:
    """Indices of the messages with text, as groups edited together.

    ``grouped``: equal messages (same role, same text) form one group, so
    three identical retry calls lose a word all at once and stay identical;
    edited one by one, each deletion broke the equality the bug needed.
    Otherwise every message is its own group.
    """
    groups: dict[object, list[int]] = {}
    for m, message in enumerate(conversation):
        if _value(message):
            key = (message.get("from"), message["value"]) if grouped else m
            groups.setdefault(key, []).append(m)
    return list(groups.values())


def _has_equal_texts(conversation: Conversation) -> bool:
    return any(len(group) > 1 for group in _texts(conversation, grouped=True))


def _splitter(
    split: Callable[[str], list[str]], grouped: bool
) -> tuple[
    Callable[[Conversation], list[tuple[int, int]]],
    Callable[[Conversation, list[tuple[int, int]]], Conversation],
]:
    """Atoms (group, piece) of the texts cut by ``split``, and the rebuild from kept atoms."""

    def atoms(conversation: Conversation) -> list[tuple[int, int]]:
        return [
            (g, i)
            for g, group in enumerate(_texts(conversation, grouped))
            for i in range(len(split(conversation[group[0]]["value"])))
        ]

    def rebuild(conversation: Conversation, kept: list[tuple[int, int]]) -> Conversation:
        keep = set(kept)
        out = list(conversation)
        for g, group in enumerate(_texts(conversation, grouped)):
            pieces = split(conversation[group[0]]["value"])
            value = "".join(p for i, p in enumerate(pieces) if (g, i) in keep)
            for m in group:
                out[m] = {**conversation[m], "value": value}
        return out

    return atoms, rebuild


_GROUPED_WORDS: Final = _splitter(_WORDS.findall, grouped=True)
_GROUPED_CHARS: Final = _splitter(list, grouped=True)
_WORDS_EACH: Final = _splitter(_WORDS.findall, grouped=False)
_CHARS_EACH: Final = _splitter(list, grouped=False)
