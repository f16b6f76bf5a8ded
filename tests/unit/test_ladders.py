"""Quality ladders (``strategies.ladders``): clean units, a fine sweep, every boundary."""

from __future__ import annotations

import itertools
from collections import Counter

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis.errors import InvalidArgument

from fuzz.engine.canonical import lenient_counts
from fuzz.examples.analyzer import ExampleAnalyzer
from strategies.ladders import (
    PENALTIES,
    Unit,
    _units_of,
    _wordings,
    build_ladder,
    expected_counts,
    quality_ladders,
)
from strategies.tool_traces import Conversation

ANALYZER = ExampleAnalyzer()
SHRINK = settings(
    database=None,
    derandomize=True,
    max_examples=500,
    phases=[Phase.generate, Phase.shrink],
    suppress_health_check=[HealthCheck.too_slow],
)


def _category_counts(conversation: Conversation) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for signal_type, n in lenient_counts(ANALYZER.analyze(conversation).to_dict()).items():
        counts[signal_type.rsplit(".", 1)[0]] += n
    return dict(counts)


def _grid() -> list[list[Unit]]:
    """s satisfaction units then n units of one penalty kind, every wording in turn."""
    sat = _units_of("satisfaction")
    out: list[list[Unit]] = []
    for kind in PENALTIES:
        pen = _units_of(kind)
        for s, n in itertools.product(range(7), range(4)):
            if s + n <= 10:
                start = s * 7 + n
                out.append(
                    [sat[(start + i) % len(sat)] for i in range(s)]
                    + [pen[(start + i) % len(pen)] for i in range(n)]
                )
    return out


GRID = _grid()


def test_every_unit_fires_exactly_its_one_signal_on_the_example_analyzer() -> None:
    """Broken if a ladder unit fires a second signal (or none): the score would not
    move one step per unit, and the sweep would skip the boundaries."""
    every = {u for kind in (*PENALTIES, "satisfaction") for u in _units_of(kind)}
    wrong = [u for u in every if _category_counts(build_ladder([u])) != expected_counts([u])]
    assert wrong == []


def test_composed_ladders_fire_what_their_units_say() -> None:
    """Broken if units interfere once composed (tool calls forming a loop, replies
    repeating across units, user turns dragging)."""
    wrong = [
        units for units in GRID if _category_counts(build_ladder(units)) != expected_counts(units)
    ]
    assert wrong == []


def test_ladders_reach_every_bucket_and_sit_on_each_boundary() -> None:
    """Broken if ladders miss a non-severe bucket, or never score exactly 40, 60 or 75
    on the example analyzer (where a port's >= vs > goes wrong)."""
    buckets: Counter[str] = Counter()
    scores: Counter[int] = Counter()
    for units in GRID:
        report = ANALYZER.analyze(build_ladder(units))
        buckets[report.overall_quality] += 1
        scores[report.quality_score] += 1
    assert {"excellent", "good", "neutral", "poor"} <= set(buckets)
    assert all(scores[s] >= 3 for s in (40, 60, 75)), scores


def test_every_unit_can_shrink_to_absent() -> None:
    """Broken if a unit's pick cannot shrink to ``None`` (index 0): the shrinker
    could then not delete units one by one."""
    for kind in (*PENALTIES, "satisfaction"):
        assert find(_wordings(kind), lambda u: True, settings=SHRINK) is None


@settings(max_examples=50, database=None, deadline=None)
@given(quality_ladders())
def test_ladders_stay_clean_and_below_dragging(conversation: Conversation) -> None:
    """Broken if a drawn ladder fires escalation/quit (severe) or dragging, or has
    more than 10 user turns."""
    fired = lenient_counts(ANALYZER.analyze(conversation).to_dict())
    assert not any(".escalation" in t or ".quit" in t or ".dragging" in t for t in fired)
    assert sum(m["from"] == "human" for m in conversation) <= 10


def test_a_boundary_ladder_shrinks_to_its_few_units() -> None:
    """Broken if a ladder scoring exactly 75 cannot shrink to a handful of messages."""
    found = find(
        quality_ladders(),
        lambda c: ANALYZER.analyze(c).quality_score == 75,
        settings=SHRINK,
    )
    assert len(found) <= 6


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_satisfaction": -1},
        {"max_satisfaction": 9},
        {"max_penalties": 1.5},
        {"max_penalties": True},
        {"max_satisfaction": 0, "max_penalties": 0},
    ],
)
def test_bad_bounds_raise_invalid_argument(kwargs: dict[str, object]) -> None:
    """Broken if quality_ladders() accepts bounds it cannot honour."""
    with pytest.raises(InvalidArgument):
        quality_ladders(**kwargs)  # type: ignore[arg-type]  # the point
