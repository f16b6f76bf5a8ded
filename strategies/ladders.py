"""Quality ladders: clean conversations whose score climbs or falls one signal at a time.

A quality bucket (excellent / good / neutral / poor) comes from a score that
starts somewhere, gains for satisfaction and loses for everything negative.
Random conversations almost never stay clean long enough to reach the top
buckets (measured on the real port: ``excellent`` 0.0 %, ``good`` 1.2 % of
2,000 conversations), so a port that buckets ``75`` differently from the
reference was never seen.

A ladder is a list of *units*, each of one *ingredient*, and each fires
exactly one signal on a faithful analyzer and nothing else:

- ``satisfaction``: a user turn with one gratitude/confirmation/success phrase;
- ``failure`` / ``exhaustion``: a call to a tool of its own, with an
  observation worded for one failure (or exhaustion) leaf;
- ``loop``: three equal calls to a tool of its own (one retry);
- ``disengagement``: a user turn with one negative-stance phrase (escalation
  and quit are left out: they make the bucket ``severe`` whatever the score);
- ``misalignment``: a user turn with one correction/rephrase/clarification;
- ``stagnation``: an assistant reply of 5+ tokens said twice (one repetition);
- ``neutral``: a user turn that fires nothing (it dilutes a misalignment *rate*).

The score weights of the port under test are unknown, so ladders do not aim
at one set of numbers: they sweep 0-8 satisfaction units against 0-4 units of
one negative ingredient (rising with no penalty, falling with no
satisfaction), so that for any plausible weighting some ladders land on each
side of every boundary, and many on it. Each unit shrinks to absent on its
own. User turns stay at 10 or fewer, below the dragging threshold.
"""

from __future__ import annotations

import functools
import json
from typing import Final

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from strategies.lexicons import ASSISTANT_REPLIES, LEXICONS, TOOL_NAMES, USER_FILLER_TURNS
from strategies.signal_types import LAYOUT
from strategies.text import round_robin
from strategies.tool_traces import Conversation, Message

#: The negative ingredients a recipe may hold (one kind per recipe).
PENALTIES: Final[tuple[str, ...]] = (
    "failure",
    "exhaustion",
    "loop",
    "disengagement",
    "misalignment",
    "stagnation",
)
#: Category -> its layer, from the contract's layout.
_LAYER_OF: Final[dict[str, str]] = {
    category: layer for layer, categories in LAYOUT.items() for category in categories
}
#: Each phrase ingredient's ``layer.category`` prefix.
_CATEGORY: Final[dict[str, str]] = {
    ingredient: f"{_LAYER_OF[ingredient]}.{ingredient}"
    for ingredient in ("satisfaction", "disengagement", "misalignment", "failure", "exhaustion")
}
#: Leaves each ingredient's phrases come from: every leaf of its category, but only
#: negative stance for disengagement (escalation and quit make a conversation severe).
_LEAVES: Final[dict[str, tuple[str, ...]]] = {
    ingredient: ("negative_stance",)
    if ingredient == "disengagement"
    else LAYOUT[_LAYER_OF[ingredient]][ingredient]
    for ingredient in _CATEGORY
}
#: Lexicon triggers that also fire a second leaf on the example analyzer
#: (a "thanks" inside a success phrase, a "correct" inside a correction ...):
#: a ladder unit must fire exactly one signal.
_NOT_CLEAN: Final[frozenset[str]] = frozenset(
    {
        "Let me correct you: the port is 8080.",
        "As I said before, use UTC.",
        "Got it working, thanks to you.",
    }
)
#: Phrases per leaf a ladder rotates through (the shortest: plainest shrinks).
_PER_LEAF: Final = 4
#: Largest unit counts: satisfaction, and units of the one penalty kind.
MAX_SATISFACTION: Final = 8
MAX_PENALTIES: Final = 4
#: Dragging fires above 10 user turns; ladders stay at or below.
_MAX_USER_TURNS: Final = 10


def quality_ladders(
    *, max_satisfaction: int = MAX_SATISFACTION, max_penalties: int = MAX_PENALTIES
) -> SearchStrategy[Conversation]:
    """Clean conversations: 0..``max_satisfaction`` satisfaction units, then
    0..``max_penalties`` units of one negative ingredient (see the module doc).

    Each unit fires exactly one signal on a faithful analyzer, so ladders walk
    the quality score across every bucket boundary in single steps. Both
    counts are uniform; every unit shrinks to absent on its own and holds its
    own wording.
    """
    for label, value, top in (
        ("max_satisfaction", max_satisfaction, MAX_SATISFACTION),
        ("max_penalties", max_penalties, MAX_PENALTIES),
    ):
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= top:
            raise InvalidArgument(f"quality_ladders({label}={value!r}) must be an int in 0..{top}")
    if max_satisfaction + max_penalties == 0:
        raise InvalidArgument("quality_ladders(max_satisfaction=0, max_penalties=0) is empty")
    return _ladders(max_satisfaction, max_penalties)


# --- private builders -------------------------------------------------------


def _phrases(ingredient: str) -> tuple[str, ...]:
    """Clean triggers of the ingredient's leaves, interleaved by leaf, shortest first."""
    per_leaf = []
    for leaf in _LEAVES[ingredient]:
        lexicon = LEXICONS[f"{_CATEGORY[ingredient]}.{leaf}"]
        clean = sorted((p for p in lexicon.triggers if p not in _NOT_CLEAN), key=len)
        per_leaf.append(clean[:_PER_LEAF])
    return tuple(round_robin(per_leaf))


#: A unit before it is placed: its ingredient and its wording (a phrase, or
#: ``""`` where the position decides: tool names, repeated replies).
Unit = tuple[str, str]

_WORDED: Final[dict[str, tuple[str, ...]]] = {
    "satisfaction": _phrases("satisfaction"),
    "disengagement": _phrases("disengagement"),
    "misalignment": _phrases("misalignment"),
    "failure": _phrases("failure"),
    "exhaustion": _phrases("exhaustion"),
    "neutral": USER_FILLER_TURNS,
}
#: Distinct tool names, one per tool-using unit, so no two units form a loop.
_TOOLS: Final = tuple(dict.fromkeys(TOOL_NAMES)) + tuple(f"{n}_v2" for n in TOOL_NAMES)


def _units_of(kind: str) -> tuple[Unit, ...]:
    if kind in ("loop", "stagnation"):
        return ((kind, ""),)
    units = tuple((kind, p) for p in _WORDED[kind])
    if kind == "misalignment":
        # Neutral turns change the misalignment *rate* the score may use.
        units += tuple(("neutral", p) for p in USER_FILLER_TURNS[:3])
    return units


@functools.cache
def _wordings(kind: str) -> SearchStrategy[Unit | None]:
    """One unit of ``kind`` in one of its wordings, or ``None`` (the shrink target:
    the shrinker deletes a unit by lowering its pick to 0)."""
    return st.sampled_from((None, *_units_of(kind)))


def _human(text: str) -> Message:
    return {"from": "human", "value": text}


def _call(tool: str, i: int) -> Message:
    return {"from": "function_call", "value": json.dumps({"name": tool, "arguments": {"id": i}})}


def build_ladder(units: list[Unit]) -> Conversation:
    """The messages of ``units`` in order; the n-th tool-using unit calls the
    n-th tool name, the n-th repetition repeats the n-th canned reply."""
    out: Conversation = []
    tools = replies = 0
    for kind, text in units:
        if kind in ("failure", "exhaustion"):
            out += [_call(_TOOLS[tools], tools), {"from": "observation", "value": text}]
            tools += 1
        elif kind == "loop":
            out += [_call(_TOOLS[tools], tools) for _ in range(3)]
            tools += 1
        elif kind == "stagnation":
            reply = ASSISTANT_REPLIES[replies % len(ASSISTANT_REPLIES)]
            out += [{"from": "gpt", "value": reply}, {"from": "gpt", "value": reply}]
            replies += 1
        else:
            out.append(_human(text))
    return out


def expected_counts(units: list[Unit]) -> dict[str, int]:
    """Signals per category a faithful analyzer reports for ``units``."""
    out: dict[str, int] = {}
    for kind, _ in units:
        if kind != "neutral":
            out[_REPORTED[kind]] = out.get(_REPORTED[kind], 0) + 1
    return out


_REPORTED: Final[dict[str, str]] = {
    **_CATEGORY,
    "loop": "execution.loops",
    "stagnation": "interaction.stagnation",
}


@functools.cache
def _ladders(max_satisfaction: int, max_penalties: int) -> SearchStrategy[Conversation]:
    # Choices: the penalty kind, the two counts (uniform: the rungs are what
    # the sweep is about; a list's geometric length left middle rungs thin),
    # then one wording per unit. Human penalties count as user turns, so their
    # count is capped to keep the ladder below dragging.
    satisfied = st.sampled_from(range(max_satisfaction + 1))
    #: ``penalty_counts[top]``: 0..top units, built once rather than per draw.
    penalty_counts = tuple(st.sampled_from(range(top + 1)) for top in range(max_penalties + 1))

    @st.composite
    def ladder(draw: st.DrawFn) -> Conversation:
        kind = draw(_KINDS)
        # Each count right before its units: lowering a count to 0 then drops
        # exactly the choices that follow it, a repair the shrinker tries. A
        # ladder sits on a bucket boundary, so deleting its satisfaction units
        # one by one often flips the bucket on the way (a second divergence);
        # all at once does not. Measured on the planted retry_off_by_one.
        s = draw(satisfied)
        sat = _wordings("satisfaction")
        units = [draw(sat) for _ in range(s)]
        top = max_penalties
        if kind in _HUMAN_PENALTIES:
            top = min(top, _MAX_USER_TURNS - s)
        n = draw(penalty_counts[top])
        pen = _wordings(kind)
        units += [draw(pen) for _ in range(n)]
        return build_ladder([u for u in units if u is not None])

    return ladder()


_KINDS: Final = st.sampled_from(PENALTIES)
_HUMAN_PENALTIES: Final = frozenset({"disengagement", "misalignment"})


@functools.cache
def sized_ladders(min_size: int, max_size: int | None) -> SearchStrategy[Conversation] | None:
    """Ladders whose messages fit ``min_size``..``max_size`` (``None`` if none can),
    for ``boundary_conversations``: units have 1-3 messages and may shrink
    away, so ladders serve only bounds that any number of units fits."""
    if min_size > 0:
        return None
    top = MAX_SATISFACTION + 3 * MAX_PENALTIES
    if max_size is not None and max_size < top:
        return None
    return _ladders(MAX_SATISFACTION, MAX_PENALTIES)
