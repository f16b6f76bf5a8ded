"""Seed-mutating strategies: valid output, reach, shrinking, determinism."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from fuzz.search.coverage import generate_conversations
from strategies.lexicons import LEXICONS
from strategies.seeds import load_seed_chats, seeded_conversations

CHATS = load_seed_chats()
#: A few short chats keep the shrinking tests fast.
SMALL = [
    [{"from": "human", "value": "hi"}, {"from": "gpt", "value": "Hello! How can I help?"}],
    [{"from": "human", "value": "second chat"}, {"from": "gpt", "value": "reply two"}],
    [{"from": "human", "value": "third chat"}, {"from": "gpt", "value": "reply three"}],
]
#: No explain phase: it doubles the time of a shrink and says nothing these tests check.
SHRINK = settings(
    database=None,
    max_examples=300,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    phases=(Phase.generate, Phase.shrink),
)
TRIGGERS = {p.lower() for lexicon in LEXICONS.values() for p in lexicon.triggers}


def _is_message(message: Any) -> bool:
    return (
        isinstance(message, dict)
        and set(message) == {"from", "value"}
        and isinstance(message["from"], str)
        and isinstance(message["value"], str)
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seeded_conversations(CHATS, max_size=110))
def test_mutated_seeds_are_valid_conversations(conversation: list[dict[str, str]]) -> None:
    """A mutation produces something that is not a ShareGPT conversation, or too long."""
    assert len(conversation) <= 110
    assert all(_is_message(m) for m in conversation)


@settings(max_examples=20, deadline=None)
@given(seeded_conversations(SMALL, max_size=3, long_weight=1.0))
def test_max_size_cuts_long_runs(conversation: list[dict[str, str]]) -> None:
    """max_size is not honoured when the strategy extends a chat past the window."""
    assert len(conversation) <= 3


def test_reaches_long_tool_trigger_and_hazard_variants() -> None:
    """The mutations never extend past 100 messages, splice tool traces, inject a
    trigger or change a seed text by other means (hazards, cuts)."""
    # 300 draws: padding comes one time in ten at best, and runs of one seed
    # are not independent draws (150 of seed 3 held none after a strategy change).
    drawn = generate_conversations(300, 3, seeded_conversations(CHATS, max_size=130))
    seed_texts = {m["value"] for chat in CHATS for m in chat}
    assert any(len(c) > 100 for c in drawn)
    assert any(m["from"] == "function_call" for c in drawn for m in c)
    assert any(m["from"] == "observation" for c in drawn for m in c)
    changed = [m["value"] for c in drawn for m in c if m["from"] in ("human", "gpt")]
    changed = [v for v in changed if v not in seed_texts]
    assert any(any(t in v.lower() for t in TRIGGERS) for v in changed)
    assert any(any(not ch.isascii() for ch in v) for v in changed)


def test_same_seed_same_conversations() -> None:
    """Generation is not reproducible from the seed, or ignores it."""
    strategy = seeded_conversations(CHATS)
    first = generate_conversations(25, 8, strategy)
    assert first == generate_conversations(25, 8, strategy)
    assert first != generate_conversations(25, 9, strategy)


def test_editing_a_drawn_message_does_not_change_the_seeds() -> None:
    """Drawn messages alias the seed chats, so a consumer editing one in place
    changes every later draw."""
    strategy = seeded_conversations(SMALL, long_weight=0.5)
    first = generate_conversations(30, 4, strategy)
    snapshot = copy.deepcopy(first)
    for conversation in first:
        for message in conversation:
            message["value"] = "EDITED"
    assert generate_conversations(30, 4, strategy) == snapshot


def test_shrinks_to_the_one_message_that_matters() -> None:
    """Seed messages that a failure does not need survive shrinking."""
    found = find(
        seeded_conversations(SMALL),
        lambda c: any(m["from"] == "function_call" for m in c),
        settings=SHRINK,
    )
    assert len(found) == 1 and found[0]["from"] == "function_call"


def test_shrinks_to_few_copies_of_a_short_seed_message() -> None:
    """Shrinking keeps extra messages, or prefers a later, longer seed chat."""
    found = find(
        seeded_conversations(SMALL),
        lambda c: sum(m["from"] == "human" for m in c) >= 2,
        settings=SHRINK,
    )
    # Measured over 40 runs: two copies of "hi" (30), "hi" and a trigger
    # phrase spliced in (4), or three messages of padding: hi, Hello, second chat (6).
    assert len(found) <= 3
    assert sum(len(m["value"]) for m in found) <= 60


def test_shrinks_to_the_earliest_seed_chat_that_fails() -> None:
    """The seed chat is not drawn with a flat sampled_from, so it does not shrink
    to the earliest chat that still fails (here the second, not the third)."""
    wanted = {"second chat", "third chat"}
    found = find(
        seeded_conversations(SMALL, long_weight=0.0),
        lambda c: any(m["value"] in wanted for m in c),
        settings=SHRINK,
    )
    assert found == [{"from": "human", "value": "second chat"}]


def test_flat_sampled_from_shrinks_to_the_earliest_match() -> None:
    """Hypothesis no longer shrinks sampled_from to its earliest passing element,
    which the seed-chat choice relies on (see strategies/seeds.py)."""
    elements = st.sampled_from(["a1", "a2", "a3", "b1", "b2"])
    assert find(elements, lambda x: x in ("b2", "a3"), settings=SHRINK) == "a3"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"seed_chats": []},
        {"seed_chats": "hi"},
        {"seed_chats": [[]]},
        {"seed_chats": [[{"from": "human"}]]},
        {"seed_chats": SMALL, "max_size": 0},
        {"seed_chats": SMALL, "long_weight": 2},
        {"seed_chats": SMALL, "surrogates": "no"},
    ],
)
def test_arguments_are_validated(kwargs: dict[str, Any]) -> None:
    """seeded_conversations accepts arguments it cannot honour."""
    with pytest.raises(InvalidArgument):
        seeded_conversations(**kwargs)
