"""Parity metrics from outcomes, and drift between two metrics files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fuzz.engine.compare import compare
from fuzz.engine.outcomes import Failure, FailureKind, Outcome
from fuzz.gate.metrics import Metrics, drift, git_sha
from tests.fixtures.minimal_report import empty_report, thanks_report


def report(quality: str, thanks: int = 0) -> Outcome:
    data = thanks_report([{"from": "human", "value": "thanks"}] * thanks)
    data["overall_quality"] = quality
    return Outcome.of_report(data)


def add(metrics: Metrics, ref: Outcome, cand: Outcome, **kwargs: Any) -> None:
    metrics.add(ref, cand, compare(ref, cand), **kwargs)


def test_counts_confusion_and_per_type_disagreement() -> None:
    """Agreement, the confusion cell of each pair and per-type totals must be exact."""
    metrics = Metrics()
    add(metrics, report("good", 1), report("good", 1))
    add(metrics, report("good", 2), report("poor", 1))
    add(metrics, report("severe"), report("excellent"), accepted={"quality: severe -> excellent"})
    crash = Outcome.of_failure(Failure(FailureKind.CRASH, "IndexError"))
    add(metrics, report("good", 3), crash)
    data = metrics.to_json()
    assert data["conversations_compared"] == 4
    assert data["agreement_pct"] == 25.0 and data["full_match_pct"] == 25.0
    assert data["tier_a"] == 3 and data["failed"] == 1
    assert data["gate"]["unaccepted_divergences"] == 2
    assert data["tier_a_signatures"]["quality: severe -> excellent"] == 1
    assert "quality: severe -> excellent" not in data["gate"]["unaccepted_signatures"]
    matrix = data["quality_confusion"]["matrix"]
    assert matrix[1][1] == 1 and matrix[1][3] == 1 and matrix[4][0] == 1
    assert sum(map(sum, matrix)) == 3
    gratitude = data["signal_types"]["interaction.satisfaction.gratitude"]
    assert gratitude == {"reference": 3, "candidate": 2, "disagreements": 1}


def test_schema_violations_count_as_failed() -> None:
    """A report breaking the schema must be counted failed, not put in the matrix."""
    broken = empty_report()
    broken["overall_quality"] = "splendid"
    metrics = Metrics()
    add(metrics, report("good"), Outcome.of_report(broken))
    data = metrics.to_json()
    assert data["failed"] == 1 and sum(map(sum, data["quality_confusion"]["matrix"])) == 0


def test_empty_run_has_no_rates() -> None:
    """With nothing compared the rates must be null rather than a division error."""
    data = Metrics().to_json()
    assert data["agreement_pct"] is None and data["gate"]["passed"] is True


def test_drift_flags_rates_beyond_the_threshold() -> None:
    """Rate changes beyond the threshold, and growth from zero, must be flagged; others not."""
    before = {
        "tier_a_signatures": {"a": 1},
        "agreement_pct": 90.0,
        "tier_b_pct": 10.0,
        "tier_c_pct": 0.0,
    }
    small = {**before, "tier_b_pct": 11.0}
    assert drift(before, small, threshold=0.2)["drifted"] is False
    after = {
        "tier_a_signatures": {"b": 1},
        "agreement_pct": 80.0,
        "tier_b_pct": 13.0,
        "tier_c_pct": 5.0,
    }
    result = drift(before, after, threshold=0.2)
    assert result["signatures_appeared"] == ["b"] and result["signatures_disappeared"] == ["a"]
    assert result["agreement_pct"]["change"] == -10.0
    assert result["rates"]["tier_b_pct"]["beyond_threshold"] is True
    assert result["rates"]["tier_c_pct"]["relative_change"] is None
    assert result["rates"]["tier_c_pct"]["beyond_threshold"] is True
    assert drift(before, after, threshold=0.5)["rates"]["tier_b_pct"]["beyond_threshold"] is False


def test_git_sha_outside_a_repository_is_none(tmp_path: Path) -> None:
    """Outside a git checkout the sha must be None, never an error."""
    assert git_sha(tmp_path) is None


def test_rejected_by_both_counts_as_agreement_never_as_a_failure() -> None:
    """Two identical rejections must not fail the gate nor count as Tier A or 'failed'."""
    metrics = Metrics()
    error = "lone leading surrogate at line 1 column {}"
    ref = Outcome.of_failure(Failure(FailureKind.ERROR_LINE, "", error.format(3)))
    cand = Outcome.of_failure(Failure(FailureKind.ERROR_LINE, "", error.format(9)))
    add(metrics, ref, cand)
    add(metrics, report("good", 1), cand)
    data = metrics.to_json()
    assert data["rejected_by_both"] == 1
    assert data["rejected_by_both_failures"] == {"error-line": 1}
    assert data["tier_a"] == 1 and data["failed"] == 1
    assert data["agreement_pct"] == 50.0 and data["full_match_pct"] == 0.0
    assert data["gate"]["unaccepted_signatures"] == ["error-line on candidate"]


def test_a_conversation_with_two_bugs_counts_each_signature() -> None:
    """Two bugs in one conversation are two signatures; accepting one leaves the other failing."""
    crash = Outcome.of_failure(Failure(FailureKind.CRASH, "IndexError"))
    hang = Outcome.of_failure(Failure(FailureKind.TIMEOUT))
    metrics = Metrics()
    add(metrics, crash, hang, accepted={"crash IndexError on reference"})
    data = metrics.to_json()
    assert data["tier_a_signatures"] == {
        "crash IndexError on reference": 1,
        "timeout on candidate": 1,
    }
    assert data["gate"]["unaccepted_signatures"] == ["timeout on candidate"]
    assert data["gate"]["unaccepted_divergences"] == 1
