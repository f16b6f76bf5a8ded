"""Conversations grown from real-looking seed chats by mutation.

A seed chat is a short human/gpt conversation (our own, bundled in
``strategies/data/seed_chats.jsonl``, or a sample of lmsys made by
``signals-fuzz seeds lmsys``). ``seeded_conversations`` draws one with
``st.sampled_from`` and rewrites it.

Shape, and why it shrinks well. The result is one or two *passes* over the
seed chat (``st.lists``, so the shrinker deletes a whole pass). A pass
holds one *slot* per seed message, in the seed's order, and each slot is
drawn with a weighted pick whose first (zero, simplest) option is **drop**:
the shrinker lowers picks to zero, so every message a divergence does not
need is dropped, and a dropped slot draws nothing more, which the shrinker
counts as simpler still. The other options keep the message as it is, keep
it with one to three edits, or repeat it (2-4 copies in a row). After every
slot an optional unit is spliced in (a tool-trace unit from
``strategies.tool_traces``, or a human trigger turn); it shrinks to absent.

With ``long_weight`` the mutated messages get *padding*: mostly 90-130
consecutive messages of the whole seed corpus, before them (the window
cuts into the padding; every ``message_index`` shifts) or after them (the
mutated messages move towards and across the window's start). Padding is
drawn last, so the shrinker drops it in one step, and its length can
shrink to the few messages a failure needs (see ``_PADDING_LENGTHS``).

Edits, each drawn from a flat choice with the plainest value first:

- inject a trigger or near-miss phrase of ``strategies.lexicons.LEXICONS``
  (human text gets interaction wordings, observations failure/exhaustion
  wordings) at a word position that shrinks to the start;
- apply a hazard mutation (``strategies.hazards``: odd spaces, case-mapping
  characters, typographic quotes, normal forms...);
- cut the text to a prefix (shrinks to the empty text);
- change the role.

Edits, insertions, passes and padding all shrink to nothing, so a divergence
shrinks to the fewest seed messages, unedited, plus the one edit that
matters (``tests/property/test_seed_strategies.py`` checks the shapes).

Two measurements behind the weights: Hypothesis favours small integers, so
a ``_weighted`` pick's first option comes up about twice as often as its
weight says (10% nominal -> ~23% in lists of 100 picks); dropping is
therefore weighted 5%. And ``Phase.explain`` more than doubled the time of
every shrink measured here (it reruns the minimal example many times); the
shrinking tests run without it.

Measured on Hypothesis 6.170 (``tests/property/test_seed_strategies.py``
keeps the first point honest): a flat ``st.sampled_from`` shrinks to the
earliest element that still fails, but ``st.one_of`` over several
``sampled_from`` branches does *not* shrink like generated data: once a
later branch satisfies the test the shrinker stays in it (``one_of(
sampled_from([a1, a2, a3]), sampled_from([b1, b2]))`` with a test true for
``a3`` and ``b*`` shrank to ``b1`` in 20 runs of 20, the same with
``integers().map`` branches reached ``a3`` in 8 of 20). So the seed chat is
one flat ``sampled_from`` over all chats (the bundled file starts with its
shortest chat), a slot's fate is one ``_weighted`` pick with dropping
first, and within each kind of edit the plainest value comes first.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any, Final, TypeAlias

import attrs
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from strategies.hazards import Mutation, hazard_mutations
from strategies.signal_types import ROLES
from strategies.text import (
    EXHAUSTION_TYPES,
    FAILURE_TYPES,
    INTERACTION_TYPES,
    _embedded,
    _maybe,
    _weighted,
    lexicon_phrases,
)
from strategies.tool_traces import Conversation, Message, tool_units

#: The bundled seed file, inside the ``strategies`` package.
BUNDLED_SEEDS: Final = "data/seed_chats.jsonl"

#: Messages past which a conversation leaves the analysed window.
_WINDOW: Final = 100

#: Roles an edit may switch a message to: the read roles, then one that is not.
_ROLE_CHOICES: Final[tuple[str, ...]] = (*ROLES, "system")


def seeded_conversations(
    seed_chats: Sequence[Sequence[Message]],
    *,
    max_size: int = 120,
    long_weight: float = 0.1,
    surrogates: bool = True,
) -> SearchStrategy[Conversation]:
    """Mutated copies of ``seed_chats``, at most ``max_size`` messages each.

    A seed chat is picked with ``st.sampled_from`` (so failures shrink to
    the earliest chat that still fails), then its messages are dropped,
    kept, edited (trigger phrases, hazard characters, cuts, role changes)
    or repeated, with tool-trace units and trigger turns spliced between
    them. ``long_weight`` is the chance of padding with (mostly) 90-130 more
    seed-corpus messages, which takes the conversation across the
    100-message window; ``max_size`` cuts the end off longer results.
    ``surrogates=False`` keeps lone surrogates out of the hazards.
    """
    chats = _check_chats(seed_chats)
    if isinstance(max_size, bool) or not isinstance(max_size, int) or max_size < 1:
        raise InvalidArgument(f"seeded_conversations(max_size={max_size!r}) must be an int >= 1")
    if (
        isinstance(long_weight, bool)
        or not isinstance(long_weight, int | float)
        or not 0 <= long_weight <= 1
    ):
        raise InvalidArgument(
            f"seeded_conversations(long_weight={long_weight!r}) must be a number in [0, 1]"
        )
    if not isinstance(surrogates, bool):
        raise InvalidArgument(f"seeded_conversations(surrogates={surrogates!r}) must be a bool")
    return _seeded(chats, max_size, float(long_weight), surrogates)


def load_seed_chats(path: str | Path | None = None) -> list[Conversation]:
    """The chats of a JSONL seed file of input lines; the bundled one when ``path`` is None.

    Raises ``ValueError`` naming the file and line of the first bad line
    (``fuzz.gate.seed_files.read_seed_file`` turns that into a usage error).
    """
    if path is None:
        resource = resources.files("strategies").joinpath(BUNDLED_SEEDS)
        return parse_seed_text(resource.read_text(encoding="utf-8"), BUNDLED_SEEDS)
    path = Path(path)
    return parse_seed_text(path.read_text(encoding="utf-8"), str(path))


def parse_seed_text(text: str, source: str) -> list[Conversation]:
    """Parse JSONL of input lines (``{"id": ..., "messages": [...]}`` per line).

    Blank lines are skipped. Every message needs a string ``from`` and a
    string ``value``. Raises ``ValueError("SOURCE:LINE: why")`` on the first
    bad line.
    """
    chats: list[Conversation] = []
    # Split on "\n" only: str.splitlines() also splits inside U+2028, U+0085...,
    # which json.dumps(ensure_ascii=False) leaves raw in a line.
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            chats.append(_parse_seed_line(line))
        except ValueError as exc:
            raise ValueError(f"{source}:{number}: {exc}") from None
    return chats


# --- private builders -------------------------------------------------------


def _parse_seed_line(line: str) -> Conversation:
    try:
        record: Any = json.loads(line)
    except ValueError as exc:
        raise ValueError(f"not JSON ({exc})") from None
    except RecursionError:
        raise ValueError("nested too deep to read") from None
    if not isinstance(record, dict) or not isinstance(record.get("messages"), list):
        raise ValueError('expected an object {"id": ..., "messages": [...]}')
    messages: Conversation = []
    for position, message in enumerate(record["messages"]):
        if not isinstance(message, dict):
            raise ValueError(f"messages[{position}] is not an object")
        role, value = message.get("from"), message.get("value")
        if not isinstance(role, str) or not isinstance(value, str):
            raise ValueError(f'messages[{position}] needs a string "from" and a string "value"')
        messages.append({"from": role, "value": value})
    return messages


def _check_chats(seed_chats: Sequence[Sequence[Message]]) -> tuple[Conversation, ...]:
    if isinstance(seed_chats, str | bytes) or not isinstance(seed_chats, Sequence):
        raise InvalidArgument(
            f"seeded_conversations(seed_chats={seed_chats!r:.60}) must be a sequence of chats; "
            "use e.g. load_seed_chats()"
        )
    chats: list[Conversation] = []
    for number, chat in enumerate(seed_chats):
        ok = isinstance(chat, Sequence) and all(
            isinstance(m, dict)
            and isinstance(m.get("from"), str)
            and isinstance(m.get("value"), str)
            for m in chat
        )
        if not ok or not chat:
            raise InvalidArgument(
                f"seeded_conversations: seed_chats[{number}] must be a non-empty list of "
                '{"from": str, "value": str} messages'
            )
        chats.append([{"from": m["from"], "value": m["value"]} for m in chat])
    if not chats:
        raise InvalidArgument("seeded_conversations(seed_chats=[]) needs at least one chat")
    return tuple(chats)


def _phrases_for(role: str) -> tuple[str, ...]:
    if role == "observation":
        return lexicon_phrases(FAILURE_TYPES + EXHAUSTION_TYPES)
    return lexicon_phrases(INTERACTION_TYPES)


@attrs.frozen
class _Phrase:
    """Insert a lexicon phrase before word ``at`` (clamped to the end)."""

    phrase: str
    at: int

    def __call__(self, message: Message) -> Message:
        words = message["value"].split(" ")
        at = min(self.at, len(words))
        value = " ".join([*words[:at], self.phrase, *words[at:]]).strip(" ")
        return {"from": message["from"], "value": value}


@attrs.frozen
class _Hazard:
    """Apply one ``strategies.hazards`` mutation to the text."""

    mutation: Mutation

    def __call__(self, message: Message) -> Message:
        return {"from": message["from"], "value": self.mutation(message["value"])}


@attrs.frozen
class _Cut:
    """Keep the first ``keep`` code points of the text."""

    keep: int

    def __call__(self, message: Message) -> Message:
        return {"from": message["from"], "value": message["value"][: self.keep]}


@attrs.frozen
class _Recast:
    """Give the message another role."""

    role: str

    def __call__(self, message: Message) -> Message:
        return {"from": self.role, "value": message["value"]}


_Edit: TypeAlias = _Phrase | _Hazard | _Cut | _Recast


def _edits(observation: bool, surrogates: bool) -> SearchStrategy[_Edit]:
    """One edit; a trigger phrase first (the plainest edit that matters)."""
    phrases = _phrases_for("observation" if observation else "human")
    return st.one_of(
        st.builds(_Phrase, st.sampled_from(phrases), st.integers(0, 40)),
        st.builds(_Hazard, hazard_mutations(surrogates=surrogates)),
        st.builds(_Cut, st.integers(0, 400)),
        st.builds(_Recast, st.sampled_from(_ROLE_CHOICES)),
    )


@attrs.frozen
class _Plan:
    """What one seed message becomes: ``copies`` copies (0 drops it), edited in turn."""

    copies: int = 1
    edits: tuple[_Edit, ...] = ()

    def apply(self, message: Message) -> list[Message]:
        for edit in self.edits:
            message = edit(message)
        return [message] * self.copies


def _plans(observation: bool, surrogates: bool) -> SearchStrategy[_Plan]:
    """A plan for one slot; dropping first, so that shrinking drops messages."""
    edits = st.lists(_edits(observation, surrogates), min_size=1, max_size=3).map(tuple)
    return _weighted(
        (0.05, st.just(_Plan(copies=0))),
        (0.6, st.just(_Plan())),
        (0.25, st.builds(_Plan, edits=edits)),
        (0.1, st.builds(_Plan, copies=st.integers(2, 4))),
    )


def _insertions() -> SearchStrategy[list[Message] | None]:
    """An optional unit spliced in after a slot: a tool trace or a trigger turn."""
    # The two-choice framing (phrase, frame): with ``trigger_texts``' one
    # choice over a long range, padded chats came up a third as often
    # (measured: 16 vs 38 of 600 over 100 messages), for reasons not pinned down.
    phrases = lexicon_phrases(INTERACTION_TYPES)
    human = _embedded(phrases).map(lambda t: [{"from": "human", "value": t}])
    return _maybe(_weighted((0.6, tool_units()), (0.4, human)), 0.12)


_Step: TypeAlias = tuple[_Plan, "list[Message] | None"]


def _passes(chat: Conversation, surrogates: bool) -> SearchStrategy[list[Message]]:
    """One pass over the chat, in its order: a plan per message, insertions between."""

    def apply(steps: tuple[_Step, ...]) -> list[Message]:
        out: list[Message] = []
        for message, (plan, extra) in zip(chat, steps, strict=True):
            out += plan.apply(message)
            out += extra or []
        return out

    steps = [
        st.tuples(_PLANS[message["from"] == "observation", surrogates], _INSERTIONS)
        for message in chat
    ]
    return st.tuples(*steps).map(apply)


@attrs.frozen
class _Padding:
    """``length`` consecutive messages of the whole seed corpus, from ``offset``, cyclically.

    Placed ``after`` the mutated messages it pushes them towards and across
    the start of the 100-message window; ``before`` them it makes the
    window cut into the padding and shifts every ``message_index``.
    """

    place: str
    offset: int
    length: int

    def around(self, mutated: list[Message], corpus: Conversation) -> list[Message]:
        run = [corpus[(self.offset + i) % len(corpus)] for i in range(self.length)]
        return mutated + run if self.place == "after" else run + mutated


def _seeded(
    chats: tuple[Conversation, ...], max_size: int, long_weight: float, surrogates: bool
) -> SearchStrategy[Conversation]:
    corpus = [m for chat in chats for m in chat]
    padding = _maybe(
        st.builds(
            _Padding,
            st.sampled_from(("after", "before")),
            st.integers(0, len(corpus) - 1),
            _PADDING_LENGTHS,
        ),
        long_weight,
    )
    per_chat = [
        st.tuples(st.lists(_passes(chat, surrogates), min_size=1, max_size=2), padding)
        for chat in chats
    ]

    @st.composite
    def build(draw: st.DrawFn) -> Conversation:
        # Padding is drawn last: the shrinker removes it in one step (its pick
        # goes to "none" and the choices after it are simply unused).
        passes, pad = draw(per_chat[draw(st.sampled_from(range(len(chats))))])
        mutated = [m for one in passes for m in one]
        whole = mutated if pad is None else pad.around(mutated, corpus)
        # Fresh dicts: repeats and padding share message objects with the seeds,
        # and a consumer that edits one in place must not change later draws.
        return [dict(m) for m in whole[:max_size]]

    return build()


_INSERTIONS: Final = _insertions()
#: Padding lengths: mostly enough to reach the window edge, yet able to shrink
#: to zero. Lowering the pick keeps the drawn length (a choice of 95 fits both
#: ranges), after which it shrinks freely; a base-plus-extra sum instead got
#: stuck at the base once the extra had shrunk first (8 runs in 40).
_PADDING_LENGTHS: Final = _weighted(
    (0.15, st.integers(0, _WINDOW + 30)), (0.85, st.integers(_WINDOW - 10, _WINDOW + 30))
)
_PLANS: Final = {
    (observation, flag): _plans(observation, flag)
    for observation in (True, False)
    for flag in (True, False)
}
