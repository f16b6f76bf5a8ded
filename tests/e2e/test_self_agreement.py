"""An analyzer compared with itself must never diverge: no false alarms from the fuzzer."""

from __future__ import annotations

import pytest

from fuzz.engine.compare import compare
from fuzz.engine.outcomes import Conversation
from fuzz.engine.targets import analyze_pair, parse_target
from fuzz.search.coverage import generate_conversations
from strategies.conversations import conversations
from tests.conftest import example_replay_spec

pytestmark = pytest.mark.slow

EXAMPLE = "py:fuzz.examples.analyzer:ExampleAnalyzer"
N = 2000


@pytest.fixture(scope="module")
def generated() -> list[Conversation]:
    """A few thousand conversations from the campaign's own strategy (window edge included)."""
    return generate_conversations(N, 7, conversations(max_size=101))


@pytest.mark.parametrize(
    ("reference", "candidate", "tiers_b_c_allowed"),
    [
        (EXAMPLE, EXAMPLE, False),
        # The replay build omits the Python-only keys and prints f32 confidences:
        # Tier C by design, never A or B.
        (EXAMPLE, example_replay_spec(), True),
        (example_replay_spec(), example_replay_spec(), False),
    ],
    ids=["py-vs-py", "py-vs-own-cmd", "cmd-vs-cmd"],
)
def test_analyzer_agrees_with_itself(
    generated: list[Conversation], reference: str, candidate: str, tiers_b_c_allowed: bool
) -> None:
    """Identical analyzers must agree at Tier A and B on every generated conversation."""
    assert len(generated) == N
    ref, cand = parse_target(reference), parse_target(candidate)
    refs, cands = [], []
    for start in range(0, N, 500):
        batch = generated[start : start + 500]
        r, c = analyze_pair(ref, cand, batch)
        refs += r
        cands += c
    verdicts = [compare(r, c, diffs=False) for r, c in zip(refs, cands, strict=True)]
    tier_a = [v.tier_a.label for v in verdicts if v.tier_a is not None]
    assert tier_a == []
    assert [v for v in verdicts if v.tier_b is not None] == []
    if not tiers_b_c_allowed:
        assert [v for v in verdicts if v.tier_c is not None] == []
