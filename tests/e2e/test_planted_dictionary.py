"""A bug only the analyzers' own source tells about: found with --dictionary.

``lost_alternative`` drops ``unauthenticated`` from the example analyzer's
gRPC auth regex, an ``observation`` detector. No lexicon of ours writes that
wording, so generated conversations never show the bug; the fixture tree
``tests/fixtures/regex_src`` holds the regex (the reference's Python
spelling and the port's Rust one), and a campaign given that tree generates
a match of each alternative. Seed 1 and fixed example budgets.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from fuzz.engine.targets import parse_target
from fuzz.search.campaign import Campaign, CampaignSettings
from fuzz.search.coverage import generate_conversations
from fuzz.search.harvest import harvest
from fuzz.search.inputs import campaign_conversations
from fuzz.search.patterns import PatternTracker
from strategies.dictionary import dictionary_conversations

pytestmark = pytest.mark.slow

REFERENCE = "py:fuzz.examples.analyzer:ExampleAnalyzer"
CANDIDATE = "py:fuzz.examples.variants:LostAlternative"
SIGNATURE = "counts: execution.failure.auth_misuse ref>cand"
REGEX_SRC = Path(__file__).parents[1] / "fixtures" / "regex_src"


def test_found_and_shrunk_with_the_dictionary() -> None:
    """The lost alternative is not found in 150 examples although the dictionary holds
    its regex, or its case does not shrink to the observation that shows it."""
    harvested = harvest([REGEX_SRC])
    tracker = PatternTracker(harvested)
    campaign = Campaign(
        parse_target(REFERENCE),
        parse_target(CANDIDATE),
        CampaignSettings(seed=1, max_examples=150),
        tracker,
        conversations=campaign_conversations(dictionary=harvested),
    )
    finished = campaign.run()
    assert SIGNATURE in finished.signatures
    case = campaign.best[SIGNATURE]
    assert case.shrunk
    roles = [m["from"] for m in case.conversation]
    assert roles[-1] == "observation" and len(case.conversation) <= 4, case.conversation
    assert "unauthenticated" in case.conversation[-1]["value"].lower()
    assert tracker.coverage().patterns_reached >= 1


def test_the_dictionary_puts_the_lost_wording_where_the_detector_looks() -> None:
    """What the dictionary adds: drawn with the harvested tree, conversations must carry every
    alternative of the gRPC auth regex, ``unauthenticated`` included, in an observation after
    a call (600 conversations, seed 1)."""
    harvested = harvest([REGEX_SRC])
    grpc = [p for p in harvested.patterns if "unauthenticated" in p.literal.lower()]
    assert grpc, "the fixture tree must hold the regex"
    drawn = generate_conversations(600, 1, dictionary_conversations(harvested))
    tracker = PatternTracker(harvested)
    placed = False
    for conversation in drawn:
        tracker.observe(conversation)
        for before, message in itertools.pairwise(conversation):
            placed = placed or (
                before.get("from") == "function_call"
                and message.get("from") == "observation"
                and "unauthenticated" in str(message.get("value")).lower()
            )
    coverage = tracker.coverage()
    reached = dict(zip(coverage.patterns, coverage.reached, strict=True))
    assert all(all(reached[p]) for p in grpc), reached
    assert placed
