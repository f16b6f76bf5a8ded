"""Pattern coverage: which harvested regexes and alternatives the sent messages matched."""

from __future__ import annotations

import re
from pathlib import Path

from fuzz.search.events import ConversationCompared
from fuzz.search.harvest import harvest
from fuzz.search.patterns import PatternTracker, required_runs
from strategies.dictionary import Dictionary, HarvestedPattern, SkippedLiteral
from strategies.regexes import translate

REGEX_SRC = Path(__file__).parents[1] / "fixtures" / "regex_src"


def dictionary_of(*literals: str) -> Dictionary:
    patterns = []
    for literal in literals:
        done = translate(literal, rust=True)
        patterns.append(HarvestedPattern(literal, "lib.rs", done.python, done.alternatives))
    skipped = (SkippedLiteral(r"\p{Greek}", "lib.rs", "a script"),)
    return Dictionary(patterns=tuple(patterns), skipped=skipped)


def test_alternatives_are_marked_by_the_messages_that_match_them() -> None:
    """An alternative is reached by a message it does not match, or missed by one it does."""
    tracker = PatternTracker(dictionary_of(r"(status|code)\s*:?\s*401", r"quota \d+ exceeded"))
    tracker.observe([{"from": "observation", "value": "Code: 401"}])  # lower-cased match
    tracker.observe([{"from": "human", "value": "status 402"}, {"from": "gpt", "value": None}])
    coverage = tracker.coverage()
    assert coverage.reached == ((False, True), (False,))
    assert (coverage.patterns_reached, coverage.alternatives_reached) == (1, 1)
    assert coverage.summary() == (
        "patterns reached 1/2, alternatives 1/3, 1 untranslatable or skipped"
    )
    assert coverage.conversations == 2


def test_table_and_json_list_what_was_never_reached_and_skipped() -> None:
    """The report hides a never-reached alternative or a skipped literal and its reason."""
    tracker = PatternTracker(dictionary_of(r"(status|code)\s*:?\s*401"))
    tracker.observe([{"from": "observation", "value": "status: 401"}])
    coverage = tracker.coverage()
    table = coverage.table()
    assert "alternative '(?:code)\\\\s*:?\\\\s*401'" in table
    assert "a script" in table
    data = coverage.to_json()
    assert data["patterns_reached"] == 1 and data["alternatives_total"] == 2
    assert [a["reached"] for a in data["patterns"][0]["alternatives"]] == [True, False]
    assert data["skipped"] == [{"literal": r"\p{Greek}", "origin": "lib.rs", "reason": "a script"}]


def test_tracker_is_a_campaign_sink() -> None:
    """ConversationCompared events do not reach the tracker, or other events are counted."""
    tracker = PatternTracker(dictionary_of(r"quota \d+ exceeded"))
    event = ConversationCompared(
        [{"from": "observation", "value": "quota 10 exceeded"}],
        None,  # type: ignore[arg-type]
        None,  # type: ignore[arg-type]
        None,  # type: ignore[arg-type]
    )
    tracker(event)
    tracker("not an event")  # type: ignore[arg-type]
    assert tracker.coverage().reached == ((True,),) and tracker.conversations == 1


def test_required_runs_are_on_every_match() -> None:
    """The search gate uses text an optional or alternative part holds, so it hides matches."""
    assert required_runs(re.compile(r"abc(?:xyz)?defg")) == ("defg", "abc")
    assert required_runs(re.compile(r"(?:too many|excessive) calls")) == (" calls",)
    assert required_runs(re.compile(r"(?i)QUOTA \d+")) == ("quota ",)
    assert required_runs(re.compile(r"x(?:abcdef)+")) == ("abcdef",)
    assert required_runs(re.compile(r"ab|cd")) == ()
    assert required_runs(re.compile(r"(?:abcdef)?x")) == ()


def test_fixture_tree_counts() -> None:
    """The fixture trees no longer give the patterns, alternatives and skips the report states."""
    port, reference = harvest([REGEX_SRC / "port"]), harvest([REGEX_SRC / "reference"])
    assert (len(port.patterns), port.alternative_count, len(port.skipped)) == (10, 35, 5)
    assert (len(reference.patterns), reference.alternative_count) == (4, 16)
    assert len(reference.skipped) == 1
