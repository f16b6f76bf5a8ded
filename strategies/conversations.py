"""Whole conversations, and batches of them, for differential fuzzing.

An ordinary conversation is a list of *exchanges* — an optional ``human``
message, optional tool-trace units, an optional ``gpt`` reply — flattened.
Every part of an exchange shrinks to absent and every exchange can be
deleted, so a divergence shrinks to the fewest messages in realistic order,
while tool units keep each observation right after its call. With low
weight an exchange is replaced by an *odd* unit (an observation with no
call, a role the analyzers do not read, an empty value...), texts carry
cross-language hazards, and the whole conversation is one of the contract's
edge cases (``boundary_conversations``) or a quality ladder
(``strategies.ladders``), so that one ``batches()`` strategy reaches
everything.

Generation cost is counted in Hypothesis choices (each costs a campaign tens
of microseconds): a step of the exchange loop is one pick, a message's
presence, kind and (for pooled texts) value are one pick, a framed trigger is
one more. ``benchmarks/bench_generation.py --before REV`` shows the effect.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from typing import Final

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from strategies.hazards import mutated, pooled_hazard_texts
from strategies.ladders import sized_ladders
from strategies.signal_types import ROLES
from strategies.text import (
    EXHAUSTION_TYPES,
    FAILURE_TYPES,
    INTERACTION_TYPES,
    VOCABULARY,
    _embedded,
    _filler_pool,
    _inlinable,
    _maybe,
    _picked,
    _slots,
    _weighted,
    check_bounds,
    check_weight,
    draw_inline,
    filler_texts,
    index,
    lexicon_phrases,
    trigger_texts,
)
from strategies.tool_traces import (
    TOOL_NAMES,
    Conversation,
    Message,
    observations,
    tool_calls,
    tool_units,
)

#: Only the last ``WINDOW`` messages are analysed.
WINDOW: Final = 100
#: Longer ``human``/``gpt`` texts are shortened before matching.
LONG_TEXT: Final = 2000
#: Dragging compares user turns to a baseline of 5 and fires below efficiency 1/2.
#: User-turn counts for dragging runs: the baseline (5), and both sides of the
#: point where efficiency (baseline / turns) falls below one half (10 | 11).
_DRAG_TURNS: Final = (5, 9, 10, 11, 12, 13, 14)
#: Severity buckets: 0, 1-2, 3-4, 5+ instances.
_SEVERITY_COUNTS: Final = (1, 2, 3, 4, 5, 6)

#: Roles the analyzers do not read (but count); near-misses of real roles first.
ODD_ROLES: Final[tuple[str, ...]] = (
    "system", "user", "Human", "tool", "assistant", "GPT", "function", "human ", "",
)  # fmt: skip
_BLANKS: Final[tuple[str, ...]] = ("", " ", "\n", "\u00a0", "\u200b")

#: Distinct, neutral user requests (no two alike, so rephrase stays quiet).
_HUMAN_LINES: Final[tuple[str, ...]] = (
    "show the sales table", "open the march report", "list the open orders",
    "what is the date today", "check the weather in paris", "sort the rows by price",
    "add a column for the total", "use metric units", "find invoice 42",
    "count the rows in the table", "send the draft to the team",
    "move the file to the archive folder", "rename the folder to reports",
    "export the summary as csv",
)  # fmt: skip
#: Short assistant replies: under 5 tokens, so repetition never compares them.
_GPT_SHORT: Final[tuple[str, ...]] = (
    "Here it is.", "One moment.", "See below.", "Updated.", "Here you go.", "Sure.",
    "Opening it now.", "Sorted.", "Added.", "Found it.", "Sent.", "Moved.", "Renamed.",
    "Exported.",
)  # fmt: skip
#: Longer canned replies: drawn repeatedly, so ordinary conversations repeat.
_GPT_CANNED: Final[tuple[str, ...]] = (
    "I have updated the table for you.",
    "Here is the summary of the march report.",
    "I could not find that file in the folder.",
    "Let me check the weather for that city.",
    "The invoice was sent to the customer yesterday.",
    "Sorting the rows by price in ascending order.",
)
#: Words outside the base vocabulary, to change a word in a repeated reply.
_SWAP_WORDS: Final[tuple[str, ...]] = ("blue", "seven", "quickly", "green", "twelve")


def messages(*, roles: Iterable[str] | None = None) -> SearchStrategy[Message]:
    """One message whose role is drawn from ``roles``; the value suits the role.

    By default the four roles the analyzers read (85%, ``human`` first, the
    shrink target) or one of ``ODD_ROLES`` (15%), which they must skip.
    """
    if roles is None:
        read = st.one_of([_message_of(role, 0.15, True) for role in ROLES])
        odd = st.one_of([_message_of(role, 0.15, True) for role in ODD_ROLES])
        return _weighted((0.85, read), (0.15, odd))
    if isinstance(roles, str):
        raise InvalidArgument(f"messages(roles={roles!r}) must be a collection; use [{roles!r}]")
    chosen = tuple(roles)
    if not chosen or not all(isinstance(r, str) for r in chosen):
        raise InvalidArgument(f"messages(roles={roles!r}) must be a non-empty collection of str")
    return st.one_of([_message_of(role, 0.15, True) for role in dict.fromkeys(chosen)])


def conversations(
    *,
    min_size: int = 0,
    max_size: int = 30,
    tool_weight: float = 0.4,
    hazard_weight: float = 0.15,
    odd_weight: float = 0.05,
    boundary_weight: float = 0.1,
    ladder_weight: float = 0.15,
    crosslang_weight: float = 0.08,
    surrogates: bool = True,
) -> SearchStrategy[Conversation]:
    """Conversations of ``min_size``..``max_size`` messages.

    ``tool_weight`` is the chance that an exchange holds tool-trace units,
    ``hazard_weight`` the chance that a text carries hazards,
    ``odd_weight`` the chance that an exchange is replaced by an odd unit,
    ``boundary_weight`` the chance that the whole conversation is a
    ``boundary_conversations()`` case (those that fit the size bounds: the
    100-message window edge needs ``max_size >= 101``), ``ladder_weight``
    the chance that it is a ``quality_ladders()`` case (they need
    ``max_size >= 20``; without them ``excellent`` and ``good`` are rare), and
    ``crosslang_weight`` the chance that it is a ``crosslang_conversations()``
    case (one row of the cross-language table, 1-3 messages; with ~16 rows, a
    5-minute campaign tries each row hundreds of times). The three together
    must not exceed 1. ``surrogates=False`` keeps lone
    surrogates out (see ``strategies.hazards``).
    """
    check_bounds("conversations", min_size, max_size)
    for label, value in (
        ("tool_weight", tool_weight),
        ("hazard_weight", hazard_weight),
        ("odd_weight", odd_weight),
        ("boundary_weight", boundary_weight),
        ("ladder_weight", ladder_weight),
        ("crosslang_weight", crosslang_weight),
    ):
        check_weight("conversations", label, value)
    if boundary_weight + ladder_weight + crosslang_weight > 1:
        raise InvalidArgument(
            f"conversations(boundary_weight={boundary_weight!r}, ladder_weight="
            f"{ladder_weight!r}, crosslang_weight={crosslang_weight!r}): the three must "
            "not add up to more than 1"
        )
    if not isinstance(surrogates, bool):
        raise InvalidArgument(f"conversations(surrogates={surrogates!r}) must be a bool")
    ordinary = _ordinary(min_size, max_size, tool_weight, hazard_weight, odd_weight, surrogates)
    edges = _boundaries(min_size, max_size)
    ladders = sized_ladders(min_size, max_size)
    crosslang = _crosslang_fitting(min_size, max_size, surrogates)
    # Ordinary first: the shrink target; it takes the weight the others that
    # fit the size bounds leave. Ladders shrink by themselves (each unit drops
    # to absent); edge shapes through ``_thinnable``.
    others = [
        (w, s)
        for w, s in (
            (boundary_weight, edges),
            (ladder_weight, ladders),
            (crosslang_weight, crosslang),
        )
        if s is not None and w > 0
    ]
    rest = 1.0
    for weight, _ in others:
        rest -= weight
    return _weighted((rest, ordinary), *others)


def batches(
    *,
    min_size: int = 1,
    max_size: int = 8,
    elements: SearchStrategy[Conversation] | None = None,
) -> SearchStrategy[list[Conversation]]:
    """Lists of ``min_size``..``max_size`` conversations, for batched replay.

    ``elements`` defaults to ``conversations(max_size=WINDOW + 1)``, which
    reaches the window edge; the shrinker deletes every conversation that
    does not diverge, then shrinks the one that does.
    """
    check_bounds("batches", min_size, max_size)
    if elements is None:
        elements = conversations(max_size=WINDOW + 1)
    elif not isinstance(elements, SearchStrategy):
        raise InvalidArgument(f"batches(elements={elements!r}) must be a strategy")
    # Unique by content: Hypothesis's mutator copies spans within a test case,
    # and without this most batches repeat one conversation several times
    # (measured: 82 distinct conversations among 567 analysed).
    return st.lists(elements, min_size=min_size, max_size=max_size, unique_by=_content_key)


def _content_key(conversation: Conversation) -> object:
    """A hashable key equal for equal conversations.

    Tuples of the messages' items where every key and value is hashable (all
    generated messages: a JSON dump cost a campaign 1-2 % of its time), else
    the JSON text.
    """
    try:
        return tuple(tuple(sorted(m.items())) for m in conversation)
    except (AttributeError, TypeError):
        return json.dumps(conversation, sort_keys=True)


def boundary_conversations(
    *, min_size: int = 0, max_size: int | None = None
) -> SearchStrategy[Conversation]:
    """The contract's edges, as conversations of ``min_size``..``max_size`` messages.

    - texts around 2,000 code points made of 1- to 4-byte characters, with a
      trigger at the ends, the middle or near a code-point/byte/UTF-16 cut;
      also two replies that differ only inside the part a shortening drops;
    - assistant repetition at the similarity cut-offs: identical, one or two
      words changed, a word added or dropped (4 vs 5 tokens), 1-3 replies apart;
    - 5 and 9-14 user turns around the dragging boundary;
    - 1-6 instances of one leaf (the severity buckets);
    - exactly 99, 100 and 101 messages with a trigger, a split call/observation
      pair or a retry run at positions 0, len-101 and len-100.
    """
    check_bounds("boundary_conversations", min_size, max_size)
    edges = _boundaries(min_size, max_size)
    if edges is None:
        raise InvalidArgument(
            f"boundary_conversations(min_size={min_size!r}, max_size={max_size!r}): "
            f"no edge case has that many messages; edge cases have 1-24 or {WINDOW - 1}-"
            f"{WINDOW + 1} messages"
        )
    return edges


# --- messages ---------------------------------------------------------------


def _msg(role: str, value: str) -> Message:
    return {"from": role, "value": value}


_Options = list[tuple[float, SearchStrategy[str]]]


def _hazarded(
    options: _Options, framed: SearchStrategy[str], weight: float, surrogates: bool
) -> _Options:
    """Add hazard variants to weighted text ``options`` (plain ones first).

    Hazard texts come from a prebuilt pool (two choices, not two to four per
    piece), since a message costs a campaign about 25 microseconds per choice
    (``bench_generation.py``). Mutations stay ``mutated`` (a list of one or
    two, kind then mutation): folded into one pick from a flat pool they
    were as frequent per conversation, but a campaign found the planted
    ``ascii_lowercase`` bug after 120-260 batches instead of 50-60.

    Mutations apply to ``options`` with the trigger drawn by ``framed``
    (phrase and frame apart, ``_embedded``): with the one-choice trigger, whose
    frames are mostly bare, mutated texts rarely held the filler words
    (``café``, ``Zürich``) that casing mutations turn into non-ASCII capitals,
    and the planted ``ascii_lowercase`` bug went unseen (0 of 3,000
    conversations, 12 before).
    """
    plain = [(w, framed if s in _TRIGGERS else s) for w, s in options]
    return [(w * (1 - weight), s) for w, s in options] + [
        (weight * 0.7, mutated(_weighted(*plain), surrogates=surrogates)),
        (weight * 0.3, pooled_hazard_texts(surrogates)),
    ]


_FILLER: Final = filler_texts()
_CANNED: Final = st.sampled_from(_GPT_CANNED)
#: Options of ``_text_options`` that are plain pools: ``_maybe_message`` draws
#: their values with the same pick that decides presence and kind.
_POOLS: Final[dict[SearchStrategy[str], tuple[str, ...]]] = {
    _FILLER: _filler_pool(0, 12),
    _CANNED: _GPT_CANNED,
}


@functools.cache
def _text_options(role: str, hazard_weight: float, surrogates: bool) -> _Options:
    if role == "function_call":
        return [(1.0, tool_calls())]
    if role == "observation":
        return [(1.0, observations())]
    if role == "gpt":
        options: _Options = [(0.5, _FILLER), (0.35, _CANNED), (0.15, _ANY_TRIGGER)]
        framed = _embedded(lexicon_phrases())
    else:
        options = [(0.45, _FILLER), (0.55, _HUMAN_TRIGGER)]
        framed = _embedded(lexicon_phrases(INTERACTION_TYPES))
    return _hazarded(options, framed, hazard_weight, surrogates)


_ANY_TRIGGER: Final = trigger_texts()
_HUMAN_TRIGGER: Final = trigger_texts(INTERACTION_TYPES)
_TRIGGERS: Final = (_ANY_TRIGGER, _HUMAN_TRIGGER)


def _texts(role: str, hazard_weight: float, surrogates: bool) -> SearchStrategy[str]:
    return _weighted(*_text_options(role, hazard_weight, surrogates))


@functools.cache
def _message_of(role: str, hazard_weight: float, surrogates: bool) -> SearchStrategy[Message]:
    return _texts(role, hazard_weight, surrogates).map(lambda v: _msg(role, v))


@functools.cache
def _maybe_message(
    role: str, present: float, hazard_weight: float, surrogates: bool
) -> SearchStrategy[Message | None]:
    """A message with probability ``present``, else ``None`` (the shrink
    target): one pick decides presence and the kind of text together."""
    options = _text_options(role, hazard_weight, surrogates)

    def message(text: str | None) -> Message | None:
        return None if text is None else _msg(role, text)

    return _picked(
        (1 - present, (None,)),
        *[(present * w, _POOLS.get(s, s)) for w, s in options],
        then=message,
    )


# --- ordinary conversations -------------------------------------------------


def _flatten(parts: Iterable[Iterable[Message]]) -> list[Message]:
    return [m for part in parts for m in part]


def _exchange(human: Message | None, tools: list[Message], gpt: Message | None) -> list[Message]:
    return ([] if human is None else [human]) + tools + ([] if gpt is None else [gpt])


def _two(first: Message | None, second: Message) -> list[Message]:
    return [second] if first is None else [first, second]


def _human(text: str) -> Message:
    return _msg("human", text)


def _gpt(text: str) -> Message:
    return _msg("gpt", text)


@functools.cache
def _odd_units(hazard_weight: float, surrogates: bool) -> SearchStrategy[list[Message]]:
    """Orders and roles a port may mishandle; the shortest first."""
    human = _texts("human", hazard_weight, surrogates)
    gpt = _texts("gpt", hazard_weight, surrogates)
    return st.one_of(
        observations().map(lambda o: [_msg("observation", o)]),
        st.builds(lambda r, v: [_msg(r, v)], st.sampled_from(ODD_ROLES), human),
        st.builds(lambda r, v: [_msg(r, v)], st.sampled_from(ROLES), st.sampled_from(_BLANKS)),
        st.builds(
            lambda c, g, o: [_msg("function_call", c), _msg("gpt", g), _msg("observation", o)],
            tool_calls(),
            gpt,
            observations(),
        ),
        st.builds(
            lambda o, c: [_msg("observation", o), _msg("function_call", c)],
            observations(),
            tool_calls(),
        ),
        # The first of two same-role turns may shrink away (index 0 of its
        # pick), so a bug in the second does not keep a stray empty turn.
        st.builds(
            _two, _maybe_message("human", 0.97, hazard_weight, surrogates), human.map(_human)
        ),
        st.builds(_two, _maybe_message("gpt", 0.97, hazard_weight, surrogates), gpt.map(_gpt)),
    )


#: Average number of exchanges in an ordinary conversation: what ``st.lists``
#: gives its elements at these bounds (Hypothesis aims at 5), kept when the
#: list became a loop (``_exchange_runs``).
_MEAN_EXCHANGES: Final = 5


@functools.cache
def _exchange_runs(
    min_count: int,
    max_count: int,
    tool_weight: float,
    hazard_weight: float,
    odd_weight: float,
    surrogates: bool,
) -> SearchStrategy[list[Message]]:
    """``min_count``..``max_count`` exchanges, flattened.

    A loop rather than ``st.lists``: each step is *one* pick that says both
    whether to go on and what comes next (a list spends one choice on "more"
    and one on the kind). Stop is index 0 of the pick, so the shrinker ends
    the conversation early by lowering a pick, and it deletes whole steps as
    it deletes list elements.
    """
    more = _MEAN_EXCHANGES / (_MEAN_EXCHANGES + 1)
    table = _table(tool_weight, hazard_weight, odd_weight, surrogates, more)
    must = _table(tool_weight, hazard_weight, odd_weight, surrogates, 1.0)

    @st.composite
    def run(draw: st.DrawFn) -> list[Message]:
        out: list[Message] = []
        for count in range(max_count):
            step = must[index(len(must))] if count < min_count else table[index(len(table))]
            if step is None:
                break
            out += draw(step)
        return out

    return run()


# Exchanges are composites that draw their messages directly: ``st.builds``
# and ``st.lists(...).map`` opened spans of their own (and ``st.just([])``
# one more), and each span costs a campaign more than a choice does.


def _plain_exchanges(
    human: SearchStrategy[Message | None], gpt: SearchStrategy[Message | None]
) -> SearchStrategy[list[Message]]:
    def plain_exchange(draw: st.DrawFn) -> list[Message]:
        return _exchange(draw_inline(draw, human), [], draw_inline(draw, gpt))

    return _inlinable(plain_exchange)


#: Tool units in an exchange: one, or two (the shrink target is one).
_SECOND_UNIT: Final = (False,) * 3 + (True,) * 2


def _tool_exchanges(
    human: SearchStrategy[Message | None], gpt: SearchStrategy[Message | None]
) -> SearchStrategy[list[Message]]:
    units = tool_units()

    def tool_exchange(draw: st.DrawFn) -> list[Message]:
        # The tools are drawn last, though they sit between the turns: lowering
        # the exchange's step to a plain exchange then keeps both turns, and
        # what is left over is the tools' choices, at the end, which the
        # shrinker deletes.
        said, reply = draw_inline(draw, human), draw_inline(draw, gpt)
        tools = draw(units)
        if _SECOND_UNIT[index(len(_SECOND_UNIT))]:
            tools = tools + draw(units)
        return _exchange(said, tools, reply)

    return _inlinable(tool_exchange)


@functools.cache
def _table(
    tool_weight: float, hazard_weight: float, odd_weight: float, surrogates: bool, more: float
) -> tuple[SearchStrategy[list[Message]] | None, ...]:
    """A slot table: ``None`` (stop) with weight ``1 - more``, else a plain
    exchange, one with tool units, or an odd unit (the plainest first)."""
    human = _maybe_message("human", 0.9, hazard_weight, surrogates)
    gpt = _maybe_message("gpt", 0.85, hazard_weight, surrogates)
    options: list[tuple[float, SearchStrategy[list[Message]] | None]] = [
        (1 - more, None),
        (more * (1 - odd_weight) * (1 - tool_weight), _plain_exchanges(human, gpt)),
        (more * (1 - odd_weight) * tool_weight, _tool_exchanges(human, gpt)),
        (more * odd_weight, _odd_units(hazard_weight, surrogates)),
    ]
    kept = [(w, o) for w, o in options if w > 0]
    slots = _slots([w for w, _ in kept])
    return tuple(o for (_, o), n in zip(kept, slots, strict=True) for _ in range(n))


def _ordinary(
    min_size: int,
    max_size: int,
    tool_weight: float,
    hazard_weight: float,
    odd_weight: float,
    surrogates: bool,
) -> SearchStrategy[Conversation]:
    # An exchange usually has two or more messages; padding makes up the rest.
    runs = _exchange_runs(
        min_size // 2, max_size, tool_weight, hazard_weight, odd_weight, surrogates
    )
    flat = runs.map(lambda msgs: msgs[:max_size])
    if min_size == 0:
        return flat
    pad_message = st.one_of(
        _message_of("human", hazard_weight, surrogates),
        _message_of("gpt", hazard_weight, surrogates),
    )

    @st.composite
    def padded(draw: st.DrawFn) -> Conversation:
        msgs = draw(flat)
        deficit = min_size - len(msgs)
        if deficit > 0:
            msgs += draw(st.lists(pad_message, min_size=deficit, max_size=deficit))
        return msgs

    return padded()


# --- boundary conversations -------------------------------------------------


def _fits(size: int, min_size: int, max_size: int | None) -> bool:
    return size >= min_size and (max_size is None or size <= max_size)


_EDGE_TRIGGERS: Final = trigger_texts(INTERACTION_TYPES, near_misses=False)
_EDGE_PHRASES: Final = lexicon_phrases(INTERACTION_TYPES, near_misses=False) or ("thank you",)
_FAILURE_OBSERVATIONS: Final = observations(FAILURE_TYPES + EXHAUSTION_TYPES)
_RETRY_CALL: Final = json.dumps({"name": "search", "arguments": {"q": "paris", "limit": 3}})


def _filler_run(n: int, style: str) -> list[Message]:
    """``n`` neutral messages: human/gpt alternation, unread ``system`` rows, or gpt only."""
    if style == "system":
        return [_msg("system", "context") for _ in range(n)]
    if style == "gpt":
        return [_msg("gpt", _GPT_SHORT[i % len(_GPT_SHORT)]) for i in range(n)]
    return [
        _msg("human", _HUMAN_LINES[(i // 2) % len(_HUMAN_LINES)])
        if i % 2 == 0
        else _msg("gpt", _GPT_SHORT[(i // 2) % len(_GPT_SHORT)])
        for i in range(n)
    ]


def _window_edges(sizes: tuple[int, ...]) -> SearchStrategy[Conversation]:
    @st.composite
    def build(draw: st.DrawFn) -> Conversation:
        n = draw(st.sampled_from(sizes))
        msgs = _filler_run(n, draw(st.sampled_from(("chat", "system", "gpt"))))
        edges = sorted({p for p in (0, n - WINDOW - 1, n - WINDOW) if p >= 0})
        variant = draw(st.sampled_from(("trigger", "split-pair", "straddling-retry")))
        if variant == "trigger":
            msgs[draw(st.sampled_from(edges))] = _msg("human", draw(_EDGE_TRIGGERS))
        elif variant == "split-pair":
            # The call just outside the window, its observation just inside.
            p = min(draw(st.sampled_from(edges)), n - 2)
            msgs[p] = _msg("function_call", _RETRY_CALL)
            msgs[p + 1] = _msg("observation", draw(_FAILURE_OBSERVATIONS))
        else:
            # 3 equal calls, 2 or 3 of them inside the window at 101 messages.
            starts = sorted({max(0, min(n - 3, n - WINDOW - k)) for k in (2, 1, 0)})
            s = draw(st.sampled_from(starts))
            msgs[s : s + 3] = [_msg("function_call", _RETRY_CALL)] * 3
        return msgs

    return build()


_WIDE_CHARS: Final = ("a", "\u00e9", "\u20ac", "\U0001f600")  # 1, 2, 3, 4 UTF-8 bytes


def _base_text(c: str, n: int) -> str:
    unit = c * 4 + " "
    return (unit * (n // len(unit) + 1))[:n]


@functools.cache
def _cut_points(c: str, n: int) -> tuple[int, int, int, int]:
    """Code-point offsets where the UTF-8 and UTF-16 lengths of the prefix reach
    half the limit and the limit (``n`` code points of filler)."""
    text = _base_text(c, n)
    points = []
    for measure in (
        lambda s: len(s.encode("utf-8", "surrogatepass")),
        lambda s: len(s.encode("utf-16-le", "surrogatepass")) // 2,
    ):
        for target in (LONG_TEXT // 2, LONG_TEXT):
            lo, hi = 0, n
            while lo < hi:  # the first prefix length whose measure exceeds target
                mid = (lo + hi) // 2
                if measure(text[:mid]) > target:
                    hi = mid
                else:
                    lo = mid + 1
            points.append(lo)
    return points[0], points[1], points[2], points[3]


@functools.cache
def _long_lengths(c: str) -> tuple[int, ...]:
    """Code-point lengths around 2,000 code points, bytes and UTF-16 units."""
    _, by_bytes, _, by_units = _cut_points(c, 2 * LONG_TEXT + 1)
    around = {LONG_TEXT - 1, LONG_TEXT, LONG_TEXT + 1, 2 * LONG_TEXT + 1}
    around |= {by_bytes - 1, by_bytes, by_units - 1, by_units}
    return tuple(sorted(t for t in around if t > 40))


def _long_texts(roles: tuple[str, ...]) -> SearchStrategy[Conversation]:
    @st.composite
    def build(draw: st.DrawFn) -> Conversation:
        c = draw(st.sampled_from(_WIDE_CHARS))
        n = draw(st.sampled_from(_long_lengths(c)))
        seg = " " + draw(st.sampled_from(_EDGE_PHRASES)) + " "
        hi = max(n - len(seg), 0)
        cuts = (0, hi, n // 2, LONG_TEXT // 2, LONG_TEXT, *_cut_points(c, n))
        spots = sorted({min(max(p + d, 0), hi) for p in cuts for d in (-len(seg), -1, 0, 1)})
        p = draw(st.one_of(st.sampled_from(spots), st.integers(0, hi)))
        base = _base_text(c, n)
        text = base[:p] + seg + base[p + len(seg) :]
        if draw(st.sampled_from(roles)) == "human":
            return [_msg("human", text)]
        # Two replies that differ only around p: equal once the middle is cut.
        return [_msg("gpt", text), _msg("human", "next"), _msg("gpt", base)]

    return build()


def _repetitions(params: tuple[tuple[int, str, int], ...]) -> SearchStrategy[Conversation]:
    @st.composite
    def build(draw: st.DrawFn) -> Conversation:
        n, change, gap = draw(st.sampled_from(params))
        words = draw(
            st.lists(st.sampled_from(VOCABULARY[:50]), min_size=n, max_size=n, unique=True)
        )
        swap = draw(st.sampled_from(_SWAP_WORDS))
        variant = list(words)
        if change == "one-word":
            variant[-1] = swap
        elif change == "two-words":
            variant[0], variant[-1] = swap, _SWAP_WORDS[(_SWAP_WORDS.index(swap) + 1) % 5]
        elif change == "extra-word":
            variant.append(swap)
        elif change == "dropped-word":
            variant.pop()
        text = " ".join(variant)
        if change == "punctuation":
            text = text.capitalize() + "!"
        replies = [" ".join(words), *_GPT_CANNED[: gap - 1], text]
        return _flatten(
            [_msg("human", _HUMAN_LINES[i]), _msg("gpt", reply)] for i, reply in enumerate(replies)
        )

    return build()


def _dragging(params: tuple[tuple[int, bool], ...]) -> SearchStrategy[Conversation]:
    closing = _maybe(
        trigger_texts(
            [t for t in INTERACTION_TYPES if ".satisfaction." in t or ".disengagement." in t],
            near_misses=False,
        ),
        0.5,
    )

    @st.composite
    def build(draw: st.DrawFn) -> Conversation:
        turns, replies = draw(st.sampled_from(params))
        msgs: list[Message] = []
        for i in range(turns):
            msgs.append(_msg("human", _HUMAN_LINES[i % len(_HUMAN_LINES)]))
            if replies:
                msgs.append(_msg("gpt", _GPT_SHORT[i % len(_GPT_SHORT)]))
        last = draw(closing)
        if last is not None:
            msgs[-2 if replies else -1] = _msg("human", last)
        return msgs

    return build()


def _severities(params: tuple[tuple[int, str], ...]) -> SearchStrategy[Conversation]:
    human_types = tuple(t for t in INTERACTION_TYPES if lexicon_phrases([t], near_misses=False))
    tool_types = tuple(
        t for t in FAILURE_TYPES + EXHAUSTION_TYPES if lexicon_phrases([t], near_misses=False)
    )

    @st.composite
    def build(draw: st.DrawFn) -> Conversation:
        count, channel = draw(st.sampled_from(params))
        leaf = draw(st.sampled_from(human_types if channel == "human" else tool_types))
        phrases = st.sampled_from(lexicon_phrases([leaf], near_misses=False))
        said = draw(st.lists(phrases, min_size=count, max_size=count))
        msgs: list[Message] = []
        for i, phrase in enumerate(said):
            if channel == "human":
                msgs += [_msg("human", phrase), _msg("gpt", _GPT_SHORT[i])]
            else:
                call = {"name": TOOL_NAMES[i % 6], "arguments": {"id": i}}
                msgs += [_msg("function_call", json.dumps(call)), _msg("observation", phrase)]
        return msgs

    return build()


@functools.cache
def _crosslang_fitting(
    min_size: int, max_size: int | None, surrogates: bool
) -> SearchStrategy[Conversation] | None:
    """Cross-language hazard conversations whose size fits (they have 1-3 messages);
    ``surrogates=False`` leaves out the JSON row, whose hazards include escaped surrogates."""
    from strategies.crosslang_hazards import GENERATED_ROWS, crosslang_conversations

    rows = [r for r in GENERATED_ROWS if surrogates or r != "json_parse"]
    base = crosslang_conversations(rows=rows)
    if max_size is not None and max_size < 3:
        return None
    return (
        base
        if min_size <= 1
        else base.filter(lambda c: len(c) >= min_size)
        if min_size <= 3
        else None
    )


@functools.cache
def _boundaries(min_size: int, max_size: int | None) -> SearchStrategy[Conversation] | None:
    """The edge-case kinds whose sizes fit, smallest kinds first; ``None`` if none fit."""
    kinds: list[SearchStrategy[Conversation]] = []
    long_roles = tuple(r for r, k in (("human", 1), ("gpt", 3)) if _fits(k, min_size, max_size))
    if long_roles:
        kinds.append(_long_texts(long_roles))
    repetition = tuple(
        (n, change, gap)
        for n in (5, 4, 6)
        for change in ("same", "one-word", "two-words", "extra-word", "dropped-word", "punctuation")
        for gap in (1, 2, 3)
        if _fits(2 * (gap + 1), min_size, max_size)
    )
    if repetition:
        kinds.append(_repetitions(repetition))
    dragging = tuple(
        (u, r) for u in _DRAG_TURNS for r in (True, False) if _fits(u * (1 + r), min_size, max_size)
    )
    if dragging:
        kinds.append(_dragging(dragging))
    severity = tuple(
        (k, ch)
        for k in _SEVERITY_COUNTS
        for ch in ("human", "tool")
        if _fits(2 * k, min_size, max_size)
    )
    if severity:
        kinds.append(_severities(severity))
    window = tuple(n for n in (WINDOW - 1, WINDOW, WINDOW + 1) if _fits(n, min_size, max_size))
    if window:
        kinds.append(_window_edges(window))
    return _thinnable(st.one_of(kinds), min_size) if kinds else None


#: Generation keeps a boundary conversation whole 15 times in 16; shrinking
#: goes to index 0, "thin", where each unit can be dropped.
_THIN_MODES: Final = ("thin",) + ("whole",) * 15


def _units_of(conversation: Conversation) -> list[list[Message]]:
    """Messages grouped so an observation stays with the call before it."""
    units: list[list[Message]] = []
    for message in conversation:
        if (
            message.get("from") == "observation"
            and units
            and units[-1][-1].get("from") == "function_call"
        ):
            units[-1].append(message)
        else:
            units.append([message])
    return units


def _thinnable(base: SearchStrategy[Conversation], min_size: int) -> SearchStrategy[Conversation]:
    """Let the shrinker delete parts of a fixed-shape conversation.

    Boundary conversations are built whole (exactly 100 messages, a dragging
    run ending in a trigger), so Hypothesis cannot delete their messages one
    by one and a divergence found there would stay as large as the edge. Each
    conversation draws a mode that is "whole" in generation almost always (the
    edge shape survives) and shrinks to "thin", where each unit (a message, or
    a call with its observation) has a keep flag that shrinks to dropping it;
    a conversation thinned below ``min_size`` messages stays whole.
    """

    @st.composite
    def thinned(draw: st.DrawFn) -> Conversation:
        conversation = draw(base)
        if draw(st.sampled_from(_THIN_MODES)) == "whole":
            return conversation
        units = _units_of(conversation)
        keep = draw(st.lists(st.booleans(), min_size=len(units), max_size=len(units)))
        thinned = [m for unit, k in zip(units, keep, strict=True) if k for m in unit]
        # Thinned below ``min_size`` (every unit dropped, say): the edge stays whole.
        return thinned if len(thinned) >= min_size else conversation

    return thinned()
