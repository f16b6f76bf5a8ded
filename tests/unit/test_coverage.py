"""Signal coverage: counting, the JSON shape, reproducible generation, the CLI subcommand."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import attrs
import pytest
from hypothesis import strategies as st

from fuzz.cli import main
from fuzz.engine.outcomes import Conversation, Failure, FailureKind, Outcome, TargetIdentity
from fuzz.engine.targets import parse_target
from fuzz.search.coverage import Coverage, generate_conversations, measure_coverage
from strategies.signal_types import LEAF_TYPES, QUALITY_BUCKETS
from tests.fixtures.minimal_report import empty_report

THANKS = "py:tests.fixtures.py_analyzers:Thanks"
GRATITUDE = "interaction.satisfaction.gratitude"
IDENTITY = TargetIdentity(spec="py:x:Y", kind="py", path="/x.py", sha256="ab", version="1")


def _report(*signal_types: str, quality: str = "neutral") -> dict[str, Any]:
    report = empty_report(quality)
    for signal_type in signal_types:
        layer, category, _ = signal_type.split(".")
        group = report[f"{layer}_signals"].setdefault(
            category, {"category": category, "count": 0, "severity": 0, "signals": []}
        )
        group["signals"].append({"signal_type": signal_type, "message_index": 0})
        group["count"] += 1
    return report


def test_counts_conversations_not_instances() -> None:
    """A leaf that fires twice in one conversation counts twice, or failures count as signals."""
    coverage = Coverage.from_outcomes(
        [
            Outcome.of_report(_report(GRATITUDE, GRATITUDE, quality="good")),
            Outcome.of_report(_report(GRATITUDE, "execution.loops.retry", quality="poor")),
            Outcome.of_report(_report("interaction.made_up.type", quality="weird")),
            Outcome.of_failure(Failure(FailureKind.CRASH, "IndexError")),
        ]
    )
    assert coverage.n == 4
    assert coverage.leaf_types[GRATITUDE] == 2
    assert coverage.leaf_types["execution.loops.retry"] == 1
    assert sum(coverage.leaf_types.values()) == 3
    assert coverage.quality == {"excellent": 0, "good": 1, "neutral": 0, "poor": 1, "severe": 0}
    assert coverage.failures == 1
    assert coverage.rejected == {"crash IndexError": 1}
    assert coverage.unknown_types == {"interaction.made_up.type": 1}
    assert coverage.unknown_quality == {"weird": 1}


def test_json_shape_has_every_leaf_and_bucket_with_rates() -> None:
    """The coverage JSON misses a leaf type or bucket, has other keys, or wrong rates."""
    coverage = Coverage.from_outcomes(
        [Outcome.of_report(_report(GRATITUDE, quality="good")), Outcome.of_report(_report())]
    )
    data = coverage.to_json(7, IDENTITY)
    assert set(data) == {"n", "seed", "target", "leaf_types", "quality", "failures", "rejected"}
    assert data["n"] == 2 and data["seed"] == 7
    assert data["target"] == attrs.asdict(IDENTITY)
    assert list(data["leaf_types"]) == list(LEAF_TYPES) and len(LEAF_TYPES) == 25
    assert list(data["quality"]) == list(QUALITY_BUCKETS)
    assert data["leaf_types"][GRATITUDE] == {"count": 1, "rate": 0.5}
    assert data["leaf_types"]["execution.loops.retry"] == {"count": 0, "rate": 0.0}
    assert data["quality"]["good"] == {"count": 1, "rate": 0.5}
    assert json.loads(json.dumps(data)) == data


def test_table_lists_every_leaf_aligned() -> None:
    """The table drops a leaf type or bucket, or its columns do not line up."""
    table = Coverage.from_outcomes([Outcome.of_report(_report(GRATITUDE))]).table()
    lines = table.splitlines()
    for name in [*LEAF_TYPES, *(f"quality {b}" for b in QUALITY_BUCKETS), "failures"]:
        assert any(line.startswith(name + " ") for line in lines), name
    rows = [
        line for line in lines if line.startswith(("interaction.", "execution.", "environment."))
    ]
    assert len({len(row) for row in rows}) == 1  # right-aligned count and rate columns


def test_empty_input_has_zero_rates() -> None:
    """Measuring no conversations divides by zero."""
    data = Coverage.from_outcomes([]).to_json(0, IDENTITY)
    assert data["n"] == 0 and data["leaf_types"][GRATITUDE] == {"count": 0, "rate": 0.0}


@attrs.define
class _SpyTarget:
    """Records the batch sizes it is given; reports gratitude on every conversation."""

    batches: list[int] = attrs.field(factory=list)

    @property
    def identity(self) -> TargetIdentity:
        return IDENTITY

    def analyze_batch(self, conversations: Sequence[Conversation]) -> list[Outcome]:
        self.batches.append(len(conversations))
        return [Outcome.of_report(_report(GRATITUDE)) for _ in conversations]


def test_measure_runs_every_conversation_in_batches() -> None:
    """Conversations are skipped, sent one by one, or in batches larger than asked."""
    spy = _SpyTarget()
    coverage = measure_coverage(spy, [[]] * 10, batch_size=4)
    assert spy.batches == [4, 4, 2]
    assert coverage.n == 10 and coverage.leaf_types[GRATITUDE] == 10


def test_measure_with_a_real_target() -> None:
    """Coverage disagrees with what the py: target actually reports."""
    target = parse_target(THANKS)
    conversations = [
        [{"from": "human", "value": "thanks!"}],
        [{"from": "human", "value": "hello"}],
        [{"from": "gpt", "value": "thanks"}],
    ]
    coverage = measure_coverage(target, conversations)
    assert coverage.leaf_types[GRATITUDE] == 1
    assert coverage.quality["good"] == 1 and coverage.quality["neutral"] == 2


def test_generation_honours_the_seed() -> None:
    """Generated conversations differ between runs with one seed, or ignore the seed."""
    strategy = st.lists(
        st.fixed_dictionaries({"from": st.sampled_from(["human", "gpt"]), "value": st.text()}),
        max_size=5,
    )
    first = generate_conversations(40, 5, strategy)
    assert len(first) == 40
    assert first == generate_conversations(40, 5, strategy)
    assert first != generate_conversations(40, 6, strategy)


def test_cli_coverage_json(capsys: pytest.CaptureFixture[str]) -> None:
    """`signals-fuzz coverage --json` prints no JSON, the wrong n/seed/target, or counts
    that disagree with the toy analyzer (gratitude fires exactly when quality is good)."""
    # 100, not 50: whether a "thanks" turns up among the first few dozen
    # examples of one seeded run is luck, and changes with any strategy change.
    code = main(["coverage", "--target", THANKS, "-n", "100", "--seed", "1", "--json"])
    captured = capsys.readouterr()
    assert code == 0
    data = json.loads(captured.out)
    assert data["n"] == 100 and data["seed"] == 1
    assert data["target"]["spec"] == THANKS and data["target"]["kind"] == "py"
    assert len(data["leaf_types"]) == 25 and len(data["quality"]) == 5
    gratitude = data["leaf_types"][GRATITUDE]["count"]
    assert gratitude == data["quality"]["good"]["count"] > 0
    assert sum(v["count"] for v in data["quality"].values()) == 100
    assert "--seed 1" in captured.err  # the rerun command


def test_cli_coverage_is_reproducible(capsys: pytest.CaptureFixture[str]) -> None:
    """Two coverage runs with one seed give different numbers."""
    argv = ["coverage", "--target", THANKS, "-n", "30", "--seed", "4", "--json"]
    main(argv)
    first = capsys.readouterr().out
    main(argv)
    assert capsys.readouterr().out == first


def test_cli_coverage_table_and_bad_target(capsys: pytest.CaptureFixture[str]) -> None:
    """The table is not printed by default, or a bad target is a traceback."""
    assert main(["coverage", "--target", THANKS, "-n", "5", "--seed", "2"]) == 0
    assert GRATITUDE in capsys.readouterr().out
    assert main(["coverage", "--target", "py:no_such_module_zz:X", "-n", "5"]) == 2
    assert "no_such_module_zz" in capsys.readouterr().err
