"""Every row of the cross-language table: its Rust-way variant is found and shrunk to the hazard.

For each row with a fixture, a campaign of the example analyzer against the
row's variant, drawing what ``signals-fuzz campaign`` draws (no strategy of
its own), with a fixed seed and example budget, must find the variant's bug
and shrink it to a case that still exercises the row (``rows_in``) and is as
small as the row's shape allows. A few rows also run through the replay
program (``cmd:``), and the strict replay against itself must stay clean on
the hazard conversations. Budgets come from ``benchmarks/bench_crosslang.py``
(first finds with seeds 1-3), with room to spare.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs
import pytest
from hypothesis import strategies as st

from fuzz.engine.case import Case
from fuzz.engine.targets import parse_target
from fuzz.examples.variants import SHOWS_AS, VARIANTS
from fuzz.search.campaign import Campaign, CampaignSettings
from strategies.crosslang import ROW_BY_SLUG, ROWS, rows_in
from strategies.crosslang_hazards import crosslang_conversations
from tests.conftest import example_replay_spec, strict_replay_spec

pytestmark = pytest.mark.slow

REFERENCE = "py:fuzz.examples.analyzer:ExampleAnalyzer"


def roles(case: Case) -> list[str]:
    return [str(m.get("from")) for m in case.conversation]


def text_of(case: Case) -> str:
    return "".join(str(m.get("value", "")) for m in case.conversation)


@attrs.frozen
class RowCase:
    row: str
    variant: str
    #: Is the shrunk case as small as the row's shape allows?
    minimal: Callable[[Case], bool]
    max_examples: int = 200
    seed: int = 1


def calls_only(most: int) -> Callable[[Case], bool]:
    return lambda c: set(roles(c)) == {"function_call"} and 3 <= len(c.conversation) <= most


def one_human(most_chars: int) -> Callable[[Case], bool]:
    return lambda c: roles(c) == ["human"] and len(text_of(c)) <= most_chars


def one_observation(c: Case) -> bool:
    return roles(c)[-1] == "observation" and len(c.conversation) <= 2 and len(text_of(c)) <= 40


ROW_CASES = [
    RowCase("whitespace", "rust_trim", calls_only(3)),
    RowCase("alphabetic", "rust_is_alphabetic", one_human(12)),
    RowCase("case_mapping", "rust_to_uppercase", one_human(12)),
    RowCase("unicode_version", "rust_to_uppercase", one_human(12)),
    RowCase("regex_s", "rust_regex_space", calls_only(3)),
    RowCase("regex_w", "rust_regex_word", calls_only(4)),
    RowCase("regex_b", "rust_regex_boundary", one_observation, seed=2),
    RowCase("ignore_case", "rust_ignore_case", one_observation, max_examples=300),
    RowCase(
        "float_threshold",
        "f32_threshold",
        lambda c: roles(c) == ["gpt", "gpt"] and len(text_of(c)) <= 110,
    ),
    RowCase("json_parse", "serde_json_parse", calls_only(9)),
    RowCase("json_equality", "serde_number_equality", calls_only(4)),
    RowCase("json_serialisation", "serde_text_args", calls_only(4), max_examples=300),
    RowCase("string_slicing", "rust_byte_slice", one_human(130)),
]


def run(candidate: str, case: RowCase) -> Campaign:
    prefix = SHOWS_AS[case.variant]
    campaign = Campaign(
        parse_target(REFERENCE, timeout=10.0),
        parse_target(candidate, timeout=30.0),
        CampaignSettings(seed=case.seed, max_examples=case.max_examples, stop_when=(prefix,)),
        lambda event: None,
    )
    campaign.run()
    return campaign


def shrunk_case(campaign: Campaign, variant: str) -> Case:
    found = {s: c for s, c in campaign.best.items() if s.startswith(SHOWS_AS[variant])}
    assert found, f"not found; signatures were {sorted(campaign.best)}"
    shrunk = [c for c in found.values() if c.shrunk]
    assert shrunk, "found but never shrunk"
    return min(shrunk, key=lambda c: (len(c.conversation), len(text_of(c))))


def test_every_row_has_a_fixture_or_a_reason_and_a_campaign_case() -> None:
    """A row of the table is neither shown by a variant nor explained, or has no test here."""
    tested = {c.row for c in ROW_CASES} | {"string_length"}  # test_planted: byte_truncation
    for row in ROWS:
        assert bool(row.fixtures) != bool(row.unreached), row.slug
        assert all(f in VARIANTS for f in row.fixtures), row.slug
        assert row.slug in tested or row.unreached, row.slug


@pytest.mark.parametrize("case", ROW_CASES, ids=lambda c: c.row)
def test_row_variant_is_found_and_shrunk_to_the_hazard(case: RowCase) -> None:
    """The campaign misses the row's Rust-way variant, or shrinks it to something that no
    longer holds the row's hazard, or not small."""
    assert case.variant in ROW_BY_SLUG[case.row].fixtures
    campaign = run(f"py:fuzz.examples.variants:{VARIANTS[case.variant].__name__}", case)
    best = shrunk_case(campaign, case.variant)
    assert case.row in rows_in(best.conversation), ascii(best.conversation)[:300]
    assert case.minimal(best), ascii(best.conversation)[:300]


@pytest.mark.parametrize(
    "case",
    [c for c in ROW_CASES if c.variant in ("rust_trim", "rust_byte_slice")],
    ids=lambda c: c.row,
)
def test_row_variant_is_found_through_the_replay_program(case: RowCase) -> None:
    """The cmd: form of a row's variant is missed or not shrunk; a Rust panic must show as
    exit status 101."""
    campaign = run(example_replay_spec(case.variant), case)
    best = shrunk_case(campaign, case.variant)
    assert case.row in rows_in(best.conversation)
    if case.variant == "rust_byte_slice":
        assert "crash exit 101 on candidate" in campaign.best


def test_strict_replay_against_itself_stays_clean_on_every_row() -> None:
    """The real-port-shaped reader (replay --strict) finds a Tier-A divergence with itself on
    the cross-language hazards: a false finding."""
    campaign = Campaign(
        parse_target(strict_replay_spec(), timeout=30.0),
        parse_target(strict_replay_spec(), timeout=30.0),
        CampaignSettings(seed=1, max_examples=25, batch_size=32),
        lambda event: None,
        strategy=st.lists(crosslang_conversations(), min_size=32, max_size=32),
    )
    finished = campaign.run()
    assert campaign.best == {}
    assert finished.tier_a == 0 and finished.conversations >= 25 * 32


def test_coverage_command_lists_the_rows_reached(capsys: pytest.CaptureFixture[str]) -> None:
    """signals-fuzz coverage leaves out the cross-language rows, in the table or in --json."""
    import json

    from fuzz.cli import main

    target = ["coverage", "--target", REFERENCE, "-n", "60", "--seed", "3"]
    assert main(target) == 0
    table_out = capsys.readouterr().out
    assert "cross-language rows reached" in table_out
    assert all(row.slug in table_out for row in ROWS)
    assert main([*target, "--json"]) == 0
    crosslang = json.loads(capsys.readouterr().out)["crosslang"]
    assert crosslang["total"] == len(ROWS) and crosslang["conversations"] == 60
    assert sum(r["count"] for r in crosslang["rows"].values()) > 0
