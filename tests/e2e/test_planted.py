"""Does it find this bug? Each planted variant, a fixed seed and budget, and the shrunk size.

Every variant of ``fuzz.examples.variants`` differs from the example analyzer
in one planted way. A campaign with seed 1 and a fixed example budget must
find it and shrink it to a conversation no bigger than the bug needs. The
bounds are the bug's own minimum (one message holding the trigger, three calls
for a retry), plus a little room where the shrinker's unit structure keeps a
neighbour (a call kept beside the observation that needs it).
"""

from __future__ import annotations

from collections.abc import Callable

import attrs
import pytest

from fuzz.engine.case import Case
from fuzz.engine.targets import parse_target
from fuzz.examples.variants import SHOWS_AS, VARIANTS
from fuzz.search.campaign import Campaign, CampaignSettings

pytestmark = pytest.mark.slow

REFERENCE = "py:fuzz.examples.analyzer:ExampleAnalyzer"


def text_of(case: Case) -> str:
    return "".join(str(m.get("value", "")) for m in case.conversation)


def roles(case: Case) -> list[str]:
    return [str(m.get("from")) for m in case.conversation]


def non_ascii_space(case: Case) -> bool:
    return any((c.isspace() and not c.isascii()) or "\x1c" <= c <= "\x1f" for c in text_of(case))


@attrs.frozen
class Planted:
    variant: str
    #: Is this signature the planted bug? (it may also show under more than one)
    matches: Callable[[str], bool]
    #: Is the shrunk case as small as the bug allows?
    minimal: Callable[[Case], bool]
    max_examples: int = 150
    #: Generous: a loaded CI machine must not turn a slow call into a "hang".
    timeout: float = 10.0


PLANTED = [
    Planted(
        "missing_trigger",
        lambda s: s == "counts: interaction.satisfaction.gratitude ref>cand",
        lambda c: roles(c) == ["human"] and len(text_of(c)) <= 20,
    ),
    Planted(
        "unicode_whitespace",
        lambda s: s.startswith("counts: interaction.") and s.endswith("ref>cand"),
        lambda c: roles(c) == ["human"] and len(text_of(c)) <= 40 and non_ascii_space(c),
    ),
    Planted(
        "ascii_lowercase",
        lambda s: s.startswith("counts: interaction."),
        lambda c: roles(c) == ["human"] and len(text_of(c)) <= 40 and not text_of(c).isascii(),
    ),
    Planted(
        "retry_off_by_one",
        lambda s: s == "counts: execution.loops.retry ref>cand",
        lambda c: roles(c).count("function_call") == 3 and len(c.conversation) <= 4,
    ),
    Planted(
        "narrow_timeout",
        lambda s: s == "counts: environment.exhaustion.timeout ref>cand",
        # One observation after the call(s) it is attributed to; a call run
        # (a unit the shrinker deletes whole) may keep up to three calls.
        lambda c: (
            roles(c)[-1] == "observation"
            and roles(c).count("observation") == 1
            and len(c.conversation) <= 4
        ),
    ),
    Planted(
        # Needs a conversation whose score lands exactly on 75: rarer than the
        # others (found after ~60 batches with seed 1, ~500 before quality ladders).
        "bucket_boundary",
        lambda s: s == "quality: excellent -> good",
        lambda c: len(c.conversation) <= 6,
        max_examples=250,
    ),
    Planted(
        "json_number_args",
        lambda s: s.startswith("counts: execution.loops."),
        lambda c: set(roles(c)) == {"function_call"} and len(c.conversation) <= 4,
    ),
    Planted(
        # The bug needs a text over 2,000 UTF-8 bytes but at most 2,000 code points
        # (so at least 501 characters); the batched pass gets close to that.
        "byte_truncation",
        lambda s: s.startswith("counts: interaction."),
        lambda c: (
            len(c.conversation) <= 3
            and len(text_of(c)) <= 2000 < len(text_of(c).encode("utf-8", "surrogatepass"))
        ),
    ),
    Planted(
        # Needs 101 messages (a trigger just outside the faithful window) but
        # no text besides the trigger: the batched pass must empty the other
        # hundred. Bound: 101 messages, at most 20 characters in all.
        "window_off_by_one",
        lambda s: s.startswith("counts: interaction."),
        lambda c: len(c.conversation) == 101 and len(text_of(c)) <= 20,
        max_examples=300,
    ),
    Planted(
        "crash",
        lambda s: s == "crash IndexError on candidate",
        lambda c: roles(c) == ["observation"],
    ),
    Planted(
        "hang",
        lambda s: s == "timeout on candidate",
        lambda c: len(c.conversation) <= 3 and "function_call" in roles(c),
        max_examples=60,
        timeout=0.1,
    ),
]


def run_campaign(variant: str, max_examples: int, timeout: float) -> Campaign:
    """Seed 1, a fixed example budget; it stops once the planted bug is shrunk (or never
    found): a window-edge candidate shows a dozen leaf types, each its own bug to shrink."""
    candidate = f"py:fuzz.examples.variants:{VARIANTS[variant].__name__}"
    stop = (SHOWS_AS[variant],) if variant in SHOWS_AS else ()
    campaign = Campaign(
        parse_target(REFERENCE, timeout=timeout),
        parse_target(candidate, timeout=timeout),
        CampaignSettings(seed=1, max_examples=max_examples, stop_when=stop),
        lambda event: None,
    )
    campaign.run()
    return campaign


@pytest.mark.parametrize("planted", PLANTED, ids=lambda p: p.variant)
def test_planted_bug_is_found_and_shrunk(planted: Planted) -> None:
    """The fuzzer must find the planted bug and shrink it to (about) its minimal shape."""
    campaign = run_campaign(planted.variant, planted.max_examples, planted.timeout)
    found = {s: c for s, c in campaign.best.items() if planted.matches(s)}
    assert found, f"not found; signatures were {sorted(campaign.best)}"
    shrunk = [c for c in found.values() if c.shrunk]
    assert shrunk, "found but never shrunk"
    best = min(shrunk, key=lambda c: (len(c.conversation), len(text_of(c))))
    assert planted.minimal(best), ascii(best.conversation)[:500]


def test_tier_b_only_variant_never_fails_a_campaign() -> None:
    """A message_index-only difference must be counted as Tier B and never reported as Tier A."""
    campaign = run_campaign("index_shift", 150, 10.0)
    assert campaign.best == {}
    assert campaign.tally.tier_b > 0 and campaign.tally.tier_a == 0


def test_a_bug_seen_beside_another_is_shrunk_in_the_same_campaign() -> None:
    """Two bugs in one conversation of the only example explored must both end shrunk."""
    from hypothesis import strategies as st

    both = [
        {"from": "human", "value": "Cheers! that is all, see you"},
        {"from": "function_call", "value": '{"name": "search", "arguments": {"q": "paris"}}'},
        {"from": "observation", "value": "upstream error: 504 Gateway Timeout after 30s"},
        {"from": "gpt", "value": "The search timed out, sorry."},
    ]
    candidate = "py:tests.fixtures.py_analyzers:missing_trigger_and_narrow_timeout"
    campaign = Campaign(
        parse_target(REFERENCE),
        parse_target(candidate),
        CampaignSettings(seed=1, max_examples=1),
        lambda event: None,
        strategy=st.just([both]),
    )
    campaign.run()
    gratitude = campaign.best["counts: interaction.satisfaction.gratitude ref>cand"]
    timeout = campaign.best["counts: environment.exhaustion.timeout ref>cand"]
    assert gratitude.shrunk and timeout.shrunk
    assert roles(gratitude) == ["human"] and len(text_of(gratitude)) <= len("cheers")
    assert roles(timeout)[-1] == "observation" and len(timeout.conversation) <= 2
    assert len(timeout.conversation[-1]["value"]) < len("504 Gateway Timeout")


def test_two_variants_give_two_signatures_each_shrunk() -> None:
    """A candidate with two different bugs must yield one shrunk case per bug."""
    candidate = "py:tests.fixtures.py_analyzers:missing_trigger_and_narrow_timeout"
    campaign = Campaign(
        parse_target(REFERENCE),
        parse_target(candidate),
        CampaignSettings(seed=1, max_examples=150),
        lambda event: None,
    )
    campaign.run()
    gratitude = campaign.best["counts: interaction.satisfaction.gratitude ref>cand"]
    timeout = campaign.best["counts: environment.exhaustion.timeout ref>cand"]
    assert gratitude.shrunk and timeout.shrunk
    assert roles(gratitude) == ["human"]
    assert roles(timeout)[-1] == "observation" and len(timeout.conversation) <= 4
