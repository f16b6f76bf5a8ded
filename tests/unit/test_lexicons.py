"""The trigger lexicons are complete and every trigger fires its leaf on the faithful analyzer."""

from __future__ import annotations

import json
from typing import Any

import pytest

from fuzz.examples.analyzer import ExampleAnalyzer
from strategies.lexicons import (
    ARGUMENT_SHAPES,
    ASSISTANT_REPLIES,
    LEXICONS,
    STRUCTURAL_LEAVES,
    TOOL_NAMES,
    TRIGGER_ROLES,
    USER_FILLER_TURNS,
)
from strategies.signal_types import LEAF_TYPES

ANALYZER = ExampleAnalyzer()

PHRASE_LEAVES = [
    t
    for t in LEAF_TYPES
    if t.startswith("interaction.") and t.split(".")[-1] not in {"dragging", "repetition"}
]
OBSERVATION_LEAVES = [t for t in LEAF_TYPES if t.split(".")[1] in {"failure", "exhaustion"}]
WORDED_LEAVES = PHRASE_LEAVES + OBSERVATION_LEAVES

HUMAN_FILLER = ("Here is some context for the request.", "More words follow here.")
OBSERVATION_FILLER = ("tool log begins.", "tool log ends.")


def embedded(text: str, before: str, after: str) -> list[str]:
    """The text alone and at the start, in the middle and at the end of filler."""
    return [text, f"{text} {after}", f"{before} {text} {after}", f"{before} {text}"]


def conversation(signal_type: str, text: str) -> list[dict[str, Any]]:
    if TRIGGER_ROLES[signal_type] == "human":
        return [{"from": "human", "value": text}]
    return [
        {"from": "function_call", "value": json.dumps({"name": "tool", "arguments": {}})},
        {"from": "observation", "value": text},
    ]


def test_every_leaf_has_a_lexicon() -> None:
    """A leaf type has no lexicon entry, or an entry is filed under the wrong type."""
    assert set(LEXICONS) == set(LEAF_TYPES)
    for t, lexicon in LEXICONS.items():
        assert lexicon.signal_type == t


@pytest.mark.parametrize("signal_type", PHRASE_LEAVES)
def test_phrase_leaves_have_fifteen_triggers(signal_type: str) -> None:
    """A phrase-driven interaction leaf has fewer than 15 trigger phrasings."""
    assert len(set(LEXICONS[signal_type].triggers)) >= 15


@pytest.mark.parametrize("signal_type", OBSERVATION_LEAVES)
def test_observation_leaves_have_ten_wordings(signal_type: str) -> None:
    """A failure or exhaustion leaf has fewer than 10 error wordings."""
    assert len(set(LEXICONS[signal_type].triggers)) >= 10


def test_structural_leaves_are_documented() -> None:
    """A structural leaf lost its notes, or carries text triggers nothing would fire."""
    assert set(WORDED_LEAVES) | STRUCTURAL_LEAVES == set(LEAF_TYPES)
    assert not set(WORDED_LEAVES) & STRUCTURAL_LEAVES
    for t in STRUCTURAL_LEAVES:
        assert LEXICONS[t].triggers == ()
        assert LEXICONS[t].notes


@pytest.mark.parametrize("signal_type", WORDED_LEAVES)
def test_near_misses_are_distinct_from_triggers(signal_type: str) -> None:
    """A near miss repeats a trigger, or a leaf has too few near misses to probe its boundary."""
    lexicon = LEXICONS[signal_type]
    triggers = {t.casefold() for t in lexicon.triggers}
    assert len(lexicon.near_misses) >= 5
    assert len(set(lexicon.near_misses)) == len(lexicon.near_misses)
    assert not {m.casefold() for m in lexicon.near_misses} & triggers


@pytest.mark.parametrize("signal_type", WORDED_LEAVES)
def test_every_trigger_fires_its_leaf(signal_type: str) -> None:
    """A lexicon trigger no longer fires its leaf on the faithful analyzer (in some position)."""
    before, after = HUMAN_FILLER if TRIGGER_ROLES[signal_type] == "human" else OBSERVATION_FILLER
    missed = [
        text
        for trigger in LEXICONS[signal_type].triggers
        for text in embedded(trigger, before, after)
        if ANALYZER.analyze(conversation(signal_type, text)).count_of(signal_type) != 1
    ]
    assert missed == []


@pytest.mark.parametrize("signal_type", PHRASE_LEAVES)
def test_triggers_fire_in_any_case(signal_type: str) -> None:
    """Matching became case-sensitive for some trigger (ALL-CAPS triggers keep their case)."""
    for trigger in LEXICONS[signal_type].triggers:
        cased = trigger.isupper()
        texts = [trigger] if cased else [trigger.upper(), trigger.lower(), trigger.title()]
        for text in texts:
            report = ANALYZER.analyze(conversation(signal_type, text))
            assert report.count_of(signal_type) == 1, text


def test_filler_is_neutral() -> None:
    """The filler used around triggers fires something by itself."""
    for text in HUMAN_FILLER + USER_FILLER_TURNS:
        report = ANALYZER.analyze([{"from": "human", "value": text}])
        assert report.to_dict()["overall_quality"] == "neutral"
        assert not any(report.signals.values()), text
    for text in OBSERVATION_FILLER:
        report = ANALYZER.analyze(conversation(OBSERVATION_LEAVES[0], text))
        assert not any(report.signals.values()), text


def test_user_filler_turns_drag() -> None:
    """Padding with USER_FILLER_TURNS no longer produces exactly one dragging signal."""
    turns = [{"from": "human", "value": USER_FILLER_TURNS[i % 6]} for i in range(11)]
    assert ANALYZER.analyze(turns).count_of("interaction.stagnation.dragging") == 1


@pytest.mark.parametrize("reply", ASSISTANT_REPLIES)
def test_assistant_replies_repeat(reply: str) -> None:
    """A reply in ASSISTANT_REPLIES is too short to count as repetition when repeated."""
    report = ANALYZER.analyze([{"from": "gpt", "value": reply}] * 2)
    assert report.count_of("interaction.stagnation.repetition") == 1


@pytest.mark.parametrize("spellings", ARGUMENT_SHAPES)
def test_argument_spellings_are_equal_values(spellings: tuple[str, ...]) -> None:
    """Spellings grouped in ARGUMENT_SHAPES are not equal JSON values (so not a retry)."""
    for name in TOOL_NAMES:
        calls = [
            {"from": "function_call", "value": f"{name}({spellings[i % len(spellings)]})"}
            for i in range(3)
        ]
        assert ANALYZER.analyze(calls).count_of("execution.loops.retry") == 1, (name, spellings)
