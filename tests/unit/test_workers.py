"""The pieces of --workers that need no process: seeds, shares, claims, merging, aggregation."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from fuzz.engine.compare import compare
from fuzz.engine.outcomes import Failure, FailureKind, Outcome
from fuzz.gate.metrics import Metrics
from fuzz.search.events import BatchCompared, CaseImproved, DivergenceFound, Event
from fuzz.search.workers import (
    FileClaims,
    WorkerEvent,
    _Aggregate,
    examples_share,
    read_claims,
    worker_seed,
)
from tests.fixtures.minimal_report import thanks_report
from tests.unit.test_corpus import make_case


def test_worker_seeds_are_stable_distinct_and_keep_the_campaign_seed() -> None:
    """Worker 0 must rerun the campaign seed; the others distinct seeds that never change."""
    seeds = [worker_seed(42, i) for i in range(8)]
    assert seeds[0] == 42 and len(set(seeds)) == 8
    assert seeds == [worker_seed(42, i) for i in range(8)]
    assert worker_seed(43, 1) != seeds[1]


def test_examples_are_split_to_the_exact_total() -> None:
    """--max-examples counts the whole campaign: the shares must add up to it, evenly."""
    shares = [examples_share(10, 3, i) for i in range(3)]
    assert shares == [4, 3, 3]
    assert examples_share(None, 3, 0) is None


def test_first_claim_wins_and_is_remembered(tmp_path: Path) -> None:
    """One worker, the first, may shrink a bug; asking again must not change the owner."""
    first, second = FileClaims(tmp_path, 0), FileClaims(tmp_path, 1)
    assert second.claim("bug") and not first.claim("bug") and second.claim("bug")
    assert first.claim("other") and read_claims(tmp_path) == {"bug": 1, "other": 0}
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_racing_claims_have_exactly_one_winner(tmp_path: Path) -> None:
    """Many threads claiming the same bugs at once: each bug must have exactly one owner."""
    signatures = [f"bug {n}" for n in range(20)]
    wins: dict[int, list[str]] = {}

    def claim_all(worker: int) -> None:
        claims = FileClaims(tmp_path, worker)
        wins[worker] = [s for s in signatures if claims.claim(s)]

    threads = [threading.Thread(target=claim_all, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    owners = read_claims(tmp_path)
    assert sorted(owners) == sorted(signatures)
    assert sorted(s for won in wins.values() for s in won) == sorted(signatures)
    assert all(owners[s] == w for w, won in wins.items() for s in won)


def outcome(thanks: int) -> Outcome:
    return Outcome.of_report(thanks_report([{"from": "human", "value": "thanks"}] * thanks))


def test_merged_metrics_equal_metrics_of_everything() -> None:
    """Workers' metrics merged must equal one Metrics that saw every conversation."""
    crash = Outcome.of_failure(Failure(FailureKind.CRASH, "IndexError"))
    pairs = [
        (outcome(1), outcome(1)),
        (outcome(2), outcome(0)),
        (outcome(1), crash),
        (outcome(3), outcome(3)),
        (crash, crash),  # rejected by both, counted by ``right``
    ]
    whole, left, right = Metrics(), Metrics(), Metrics()
    for n, (ref, cand) in enumerate(pairs):
        whole.add(ref, cand, compare(ref, cand))
        (left if n % 2 else right).add(ref, cand, compare(ref, cand))
    assert left.merge(right).to_json() == whole.to_json()


def test_aggregate_sums_totals_and_reports_each_bug_found_once() -> None:
    """A bug found by two workers must reach the corpus as one find and one smaller case."""
    events: list[Event] = []
    aggregate = _Aggregate(events.append, started=0.0, deadline=None)
    case = make_case(["thanks"])
    for worker in (0, 1):
        totals = BatchCompared(10, 2, 1, 0, 0, 1, 1.0, None, rejected=3)
        aggregate.handle(WorkerEvent(worker, totals))
        aggregate.handle(WorkerEvent(worker, DivergenceFound(case)))
    finds = [e for e in events if isinstance(e, DivergenceFound)]
    seconds = [e for e in events if isinstance(e, CaseImproved)]
    assert len(finds) == 1 and len(seconds) == 1 and not seconds[0].final
    progress: Any = [e for e in events if isinstance(e, BatchCompared)][-1]
    assert (progress.conversations, progress.batches, progress.signatures) == (20, 4, 1)
    assert progress.rejected == 6
    assert aggregate.found_by == {case.signature: [0, 1]}
