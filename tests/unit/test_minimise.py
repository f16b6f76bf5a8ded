"""The batched minimisation pass: never loses the bug, never grows, few batches."""

from __future__ import annotations

import time
from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from fuzz.engine.case import size_key
from fuzz.engine.outcomes import Conversation
from fuzz.search.minimise import minimise


def human(text: str) -> dict[str, str]:
    return {"from": "human", "value": text}


def counting(predicate: object) -> tuple[list[int], object]:
    """A ``shows`` that records the size of every batch it was handed."""
    batches: list[int] = []

    def shows(candidates: Sequence[Conversation]) -> list[bool]:
        batches.append(len(candidates))
        return [predicate(c) for c in candidates]  # type: ignore[operator]

    return batches, shows


def test_a_window_edge_case_keeps_its_messages_and_loses_their_text() -> None:
    """A bug that needs 101 messages but one word must end as 101 messages around that word."""
    filler = human("show the sales table for the march report please")
    conversation = [human("many thanks for all of it")] + [filler] * 100

    def needs_101_and_thanks(c: Conversation) -> bool:
        return len(c) >= 101 and "thanks" in c[0]["value"]

    batches, shows = counting(needs_101_and_thanks)
    result = minimise(conversation, shows)  # type: ignore[arg-type]
    assert len(result.conversation) == 101
    assert result.conversation[0]["value"] == "thanks"
    assert all(m["value"] == "" for m in result.conversation[1:])
    assert result.batches == len(batches) and len(batches) < 60
    assert result.candidates == sum(batches) > len(batches), "candidates must travel in batches"


def test_messages_then_words_then_characters() -> None:
    """Unneeded messages, words and characters must all go, down to the trigger alone."""
    conversation = [
        human("hello there"),
        {"from": "gpt", "value": "Here it is."},
        human("ok so thanks!!! a lot"),
        human("bye"),
    ]
    _, shows = counting(lambda c: any("thanks" in m["value"] for m in c))
    result = minimise(conversation, shows)  # type: ignore[arg-type]
    assert result.conversation == [human("thanks")]


def test_equal_messages_shrink_together() -> None:
    """A bug that needs three identical calls must end with three identical, empty calls.

    Edited one message at a time, every deletion makes the calls differ and
    the bug disappears, so the calls kept their whole text.
    """
    call = {"from": "function_call", "value": '{"name": "search", "arguments": {"q": "paris"}}'}
    conversation = [human("find it"), call, call, call, {"from": "gpt", "value": "Done."}]

    def retried(c: Conversation) -> bool:
        calls = [m["value"] for m in c if m["from"] == "function_call"]
        return len(calls) >= 3 and len(set(calls)) == 1

    _, shows = counting(retried)
    result = minimise(conversation, shows)  # type: ignore[arg-type]
    assert result.conversation == [{"from": "function_call", "value": ""}] * 3


def test_equal_messages_still_shrink_apart() -> None:
    """Equal texts must also lose, each on its own, what only one of them needs."""
    conversation = [human("thanks a lot"), human("thanks a lot")]

    def bug(c: Conversation) -> bool:
        return len(c) == 2 and "thanks" in c[0]["value"] and "lot" in c[1]["value"]

    _, shows = counting(bug)
    result = minimise(conversation, shows)  # type: ignore[arg-type]
    assert result.conversation == [human("thanks"), human("lot")]


def test_messages_only_stops_after_deleting_messages() -> None:
    """With messages_only (a hang) the kept message must keep its text, and one
    candidate at a time must still reach the single culprit message."""
    conversation = [human("hello there"), human("ok so thanks a lot"), human("bye")]
    batches, shows = counting(lambda c: any("thanks" in m["value"] for m in c))
    result = minimise(conversation, shows, max_batch=1, messages_only=True)  # type: ignore[arg-type]
    assert result.conversation == [human("ok so thanks a lot")]
    assert set(batches) == {1}


def test_batches_are_capped() -> None:
    """No batch may exceed max_batch candidates (one replay process must stay bounded)."""
    conversation = [human("x" * 300 + " thanks " + "y" * 300)]
    batches, shows = counting(lambda c: any("thanks" in m["value"] for m in c))
    minimise(conversation, shows, max_batch=16)  # type: ignore[arg-type]
    assert batches and max(batches) <= 16


def test_an_expired_deadline_returns_the_input_untouched() -> None:
    """Past its deadline the pass must stop and keep what it has (here: the input)."""
    conversation = [human("a b c thanks")]
    batches, shows = counting(lambda c: any("thanks" in m["value"] for m in c))
    result = minimise(conversation, shows, deadline=time.monotonic() - 1)  # type: ignore[arg-type]
    assert result.conversation == conversation and batches == []


messages = st.lists(
    st.fixed_dictionaries(
        {"from": st.sampled_from(["human", "gpt", "observation"]), "value": st.text(max_size=12)}
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=60, deadline=None)
@given(messages, st.sampled_from(["a", "b", " ", "\u00a0"]), st.integers(1, 3))
def test_never_loses_the_bug_and_never_grows(
    conversation: Conversation, char: str, needed: int
) -> None:
    """Whatever the bug, the result must still show it and be no larger than the input."""

    def bug(c: Conversation) -> bool:
        return sum(str(m["value"]).count(char) for m in c) >= needed

    # The input always shows the bug: drawn text rarely holds ``char`` often enough.
    first = conversation[0]
    conversation = [{**first, "value": str(first["value"]) + char * needed}, *conversation[1:]]
    assert bug(conversation)
    _, shows = counting(bug)
    result = minimise(conversation, shows)  # type: ignore[arg-type]
    assert bug(result.conversation)
    assert size_key(result.conversation) <= size_key(conversation)
