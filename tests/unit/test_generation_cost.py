"""What makes generation cheap: one-choice pools and picks, and what they must keep.

Every Hypothesis choice costs a campaign tens of microseconds, so these
builders fold several decisions into one pick. Each test pins one fold and the
property that must survive it (a shrink target, a share, a reach).
"""

from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.control import current_build_context

from strategies.conversations import WINDOW, conversations
from strategies.hazards import _mutation_kinds, _mutation_pool
from strategies.text import INTERACTION_TYPES, _framed_phrases, _picked, lexicon_phrases
from strategies.tool_traces import (
    TOOL_NAMES,
    _rich_observations,
    _slot_pool,
    _tool_set_pool,
    _unit_pool,
    tool_units,
)

SHRINK = settings(
    database=None,
    derandomize=True,
    max_examples=300,
    phases=[Phase.generate, Phase.shrink],
    suppress_health_check=[HealthCheck.too_slow],
)


def test_a_framed_phrase_shrinks_to_the_bare_phrase() -> None:
    """Broken if the one-choice (frame, phrase) index no longer shrinks to frame 0:
    a divergence caused by a phrase would keep its filler."""
    phrases = lexicon_phrases(INTERACTION_TYPES)
    target = [p for p in phrases if "thank" in p.lower()]
    found = find(
        _framed_phrases(phrases),
        lambda t: any(p.lower() in t.lower() for p in target),
        settings=SHRINK,
    )
    assert found in target


def test_picked_spreads_a_value_pool_over_its_slots_in_order() -> None:
    """Broken if a pooled option costs a second choice, loses values, or no longer
    shrinks to the first value of the first option."""
    pool = ("a", "b", "c")
    strategy = _picked((0.5, (None,)), (0.5, pool))
    assert find(strategy, lambda v: True, settings=SHRINK) is None
    assert find(strategy, lambda v: v is not None, settings=SHRINK) == "a"
    seen: Counter[object] = Counter()
    choices: list[int] = []

    @hypothesis_seed(0)
    @settings(max_examples=300, database=None, phases=[Phase.generate], deadline=None)
    @given(strategy)
    def draw(value: object) -> None:
        seen[value] += 1
        choices.append(len(current_build_context().data.nodes))

    draw()
    assert set(seen) == {None, "a", "b", "c"}
    assert set(choices) == {1}


def test_call_slots_start_bare_and_keep_every_observation() -> None:
    """Broken if the lone-call slot pool's first entry is not a bare call with the
    plain spelling (the shrink target), if "no observation" drifts far from
    15 %, or if an observation is lost when folding it with the re-spelling."""
    observations = _rich_observations()
    pool = _slot_pool(observations, 6)
    assert pool[0] == (0, None)
    share = sum(o is None for _, o in pool) / len(pool)
    assert 0.1 < share < 0.2
    assert {o for _, o in pool if o is not None} == set(observations)
    assert any(v for v, _ in pool)  # re-spellings are there


def test_the_flat_mutation_pool_keeps_every_mutation_and_kind_balance() -> None:
    """Broken if flattening drops a mutation, moves the NBSP swap off index 0, or
    lets one kind crowd out the others in any stretch of the pool."""
    pool = _mutation_pool(True)
    kinds = _mutation_kinds(True)
    assert {repr(m) for kind in kinds for m in kind} == {repr(m) for m in pool}
    assert repr(pool[0]) == "SwapSpace(nth=0, space='\\xa0')"
    first = Counter(type(m).__name__ for m in pool[: 8 * len(kinds)])
    assert len(first) == len({type(kind[0]).__name__ for kind in kinds})


def test_oscillation_tool_sets_are_distinct_tools_plainest_first() -> None:
    """Broken if a tool set repeats a tool (no oscillation), or the shrink target is
    not two plain tools without arguments."""
    pool = _tool_set_pool()
    assert pool[0] == (("search", {}), ("get_weather", {}))
    assert all(2 <= len(s) <= 5 and len({n for n, _ in s}) == len(s) for s in pool)
    assert {n for s in pool for n, _ in s} <= set(TOOL_NAMES)
    assert {len(s) for s in pool} == {2, 3, 4, 5}


def test_unit_pools_are_seeded_shortest_first_and_well_formed() -> None:
    """Broken if a pool changes between builds (saved examples would replay to
    other units), is not sorted shortest first (the shrink target), repeats a
    unit, strands an observation, or a kind loses its shape."""
    calls: dict[str, set[int]] = {}
    for kind in ("pair", "retry", "drift", "oscillation"):
        pool = _unit_pool(kind, 300, 9)
        assert pool == _unit_pool(kind, 300, 9)
        assert len({repr(u) for u in pool}) == 300
        sizes = [(len(u), sum(len(m["value"]) for m in u)) for u in pool]
        assert sizes == sorted(sizes)
        for unit in pool:
            assert unit[0]["from"] == "function_call"
            assert all(
                m["from"] == "function_call" or unit[i - 1]["from"] == "function_call"
                for i, m in enumerate(unit)
            )
        calls[kind] = {sum(m["from"] == "function_call" for m in u) for u in pool}
    assert calls["pair"] == {1}
    assert calls["retry"] == calls["drift"] == {2, 3, 4}
    assert min(calls["oscillation"]) == 3 and max(calls["oscillation"]) == 20


def test_pooled_units_cost_two_choices_and_shrink_to_the_shortest_pair() -> None:
    """Broken if a pooled unit costs more than two choices, if units drawn piece
    by piece are no longer drawn at all, or if the shrink target is not the
    shortest pooled pair."""
    counts: Counter[int] = Counter()

    @hypothesis_seed(0)
    @settings(max_examples=400, database=None, phases=[Phase.generate], deadline=None)
    @given(tool_units())
    def draw(unit: list[dict[str, str]]) -> None:
        counts[len(current_build_context().data.nodes)] += 1

    draw()
    pooled = counts[2]  # the pick of a kind and bucket (or of drawing), the unit
    assert pooled / sum(counts.values()) > 0.5
    assert sum(n for c, n in counts.items() if c > 2) > 0.1 * sum(counts.values())
    shortest = _unit_pool("pair", 1024, 9)[0]
    assert find(tool_units(), lambda u: True, settings=SHRINK) == shortest


def test_campaign_conversations_stay_cheap_in_choices() -> None:
    """Broken if a change brings back per-message choice costs: the conversations a
    campaign draws cost 4.3 choices per message before this work and 2.7 after
    (seed 0, 300 draws; choice counts do not depend on the machine)."""
    counts: list[int] = []
    sizes: list[int] = []

    @hypothesis_seed(0)
    @settings(
        max_examples=300,
        database=None,
        phases=[Phase.generate],
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(conversations(max_size=WINDOW + 1))
    def draw(conversation: list[dict[str, str]]) -> None:
        counts.append(len(current_build_context().data.nodes))
        sizes.append(len(conversation))

    draw()
    assert sum(counts) / sum(sizes) < 3.5
    assert sum(sizes) / len(sizes) > 10  # not cheap by being short


def test_exchange_runs_honour_size_bounds() -> None:
    """Broken if the exchange loop overruns max_size or stops short of min_size."""

    @settings(max_examples=40, database=None, deadline=None)
    @given(st.data())
    def check(data: st.DataObject) -> None:
        low = data.draw(st.integers(0, 12))
        high = data.draw(st.integers(low, 30))
        drawn = data.draw(conversations(min_size=low, max_size=high))
        assert low <= len(drawn) <= high

    check()
