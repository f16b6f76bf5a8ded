"""Signal coverage: how often a strategy's conversations make one analyzer fire each signal.

A strategy that never makes the analyzer report ``execution.loops.oscillation``
can never find a divergence in it. ``measure_coverage`` runs one target over
conversations drawn reproducibly from a strategy (``generate_conversations``)
and counts, for each of the 25 leaf types, the conversations in which it
fired at least once, and for each quality bucket the conversations that
landed in it. ``signals-fuzz coverage`` prints the table, or the JSON.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import attrs
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis.strategies import SearchStrategy

from fuzz.engine.canonical import lenient_counts
from fuzz.engine.outcomes import Conversation, Outcome, Target, TargetIdentity
from fuzz.search.determinism import without_local_constants
from strategies.signal_types import LEAF_TYPES, QUALITY_BUCKETS

#: Conversations per ``analyze_batch`` call (one replay process each, for cmd: targets).
DEFAULT_BATCH = 64


@attrs.frozen
class Coverage:
    """Counts over ``n`` conversations: leaf types fired, quality buckets, failures.

    ``leaf_types`` has all 25 leaf types and ``quality`` all 5 buckets, zeros
    included. Signal types or buckets outside the contract are counted in
    ``unknown_types`` / ``unknown_quality`` rather than dropped silently.
    """

    n: int
    leaf_types: dict[str, int]
    quality: dict[str, int]
    failures: int = 0
    #: Failures by label (``error-line``, ``crash exit 1``...): what the target rejected.
    rejected: dict[str, int] = attrs.field(factory=dict)
    unknown_types: dict[str, int] = attrs.field(factory=dict)
    unknown_quality: dict[str, int] = attrs.field(factory=dict)
    seconds: float = 0.0

    @classmethod
    def from_outcomes(cls, outcomes: Iterable[Outcome], *, seconds: float = 0.0) -> Coverage:
        """Count what a list of outcomes reports (a failure counts as no signal)."""
        n = failures = 0
        fired: Counter[str] = Counter()
        buckets: Counter[str] = Counter()
        rejected: Counter[str] = Counter()
        for outcome in outcomes:
            n += 1
            if outcome.report is None:
                failures += 1
                if outcome.failure is not None:
                    rejected[outcome.failure.label] += 1
                continue
            fired.update(signal_types_in(outcome.report))
            buckets[str(outcome.report.get("overall_quality"))] += 1
        return cls(
            n=n,
            leaf_types={t: fired[t] for t in LEAF_TYPES},
            quality={b: buckets[b] for b in QUALITY_BUCKETS},
            failures=failures,
            rejected=dict(sorted(rejected.items())),
            unknown_types={t: c for t, c in sorted(fired.items()) if t not in LEAF_TYPES},
            unknown_quality={b: c for b, c in sorted(buckets.items()) if b not in QUALITY_BUCKETS},
            seconds=seconds,
        )

    def to_json(self, seed: int, target_identity: TargetIdentity) -> dict[str, Any]:
        """``{"n", "seed", "target", "leaf_types", "quality"}``; each count with its rate."""
        return {
            "n": self.n,
            "seed": seed,
            "target": attrs.asdict(target_identity),
            "leaf_types": {t: self._entry(c) for t, c in self.leaf_types.items()},
            "quality": {b: self._entry(c) for b, c in self.quality.items()},
            "failures": self._entry(self.failures),
            "rejected": {label: self._entry(c) for label, c in self.rejected.items()},
        }

    def table(self) -> str:
        """An aligned text table: every leaf type and bucket, count and percentage."""
        rows: list[tuple[str, str, str]] = [("signal type", "count", "rate")]
        rows += [(t, str(c), self._percent(c)) for t, c in self.leaf_types.items()]
        rows.append(("", "", ""))
        rows += [(f"quality {b}", str(c), self._percent(c)) for b, c in self.quality.items()]
        rows.append(("", "", ""))
        rows.append(("failures", str(self.failures), self._percent(self.failures)))
        rows += [
            (f"  rejected: {label}", str(c), self._percent(c)) for label, c in self.rejected.items()
        ]
        rows += [(f"unknown {t}", str(c), self._percent(c)) for t, c in self.unknown_types.items()]
        rows += [
            (f"unknown quality {b!r}", str(c), self._percent(c))
            for b, c in self.unknown_quality.items()
        ]
        width = [max(len(row[i]) for row in rows) for i in range(3)]
        lines = [f"{a:<{width[0]}}  {b:>{width[1]}}  {c:>{width[2]}}".rstrip() for a, b, c in rows]
        never = sum(1 for c in self.leaf_types.values() if c == 0)
        lines.append(
            f"{self.n} conversations, {len(LEAF_TYPES) - never}/{len(LEAF_TYPES)} leaf types "
            f"reached, {self.seconds:.1f}s"
        )
        return "\n".join(lines)

    def _entry(self, count: int) -> dict[str, float | int]:
        return {"count": count, "rate": count / self.n if self.n else 0.0}

    def _percent(self, count: int) -> str:
        return f"{100 * count / self.n:.1f}%" if self.n else "-"


def signal_types_in(report: dict[str, Any]) -> set[str]:
    """The ``signal_type`` of every instance in a report, once each."""
    return set(lenient_counts(report))


def measure_coverage(
    target: Target,
    conversations: Sequence[Conversation],
    *,
    batch_size: int = DEFAULT_BATCH,
    progress: Callable[[int, int], None] | None = None,
) -> Coverage:
    """Run ``target`` over ``conversations`` in batches and count what it reports."""
    started = time.perf_counter()
    outcomes: list[Outcome] = []
    for start in range(0, len(conversations), batch_size):
        outcomes += target.analyze_batch(conversations[start : start + batch_size])
        if progress is not None:
            progress(len(outcomes), len(conversations))
    return Coverage.from_outcomes(outcomes, seconds=time.perf_counter() - started)


def generate_conversations(
    n: int,
    seed: int,
    strategy: SearchStrategy[Conversation],
    *,
    observe: Callable[[], None] | None = None,
) -> list[Conversation]:
    """Draw ``n`` values from ``strategy``, the same ones for the same ``seed``.

    A ``@given`` run with ``@seed(seed)``, no example database, the generate
    phase only and ``max_examples=n``, collecting each value: the examples a
    campaign with that seed would start from. Hypothesis may stop early when
    a small strategy has fewer than ``n`` distinct values; the list is then
    shorter.
    """
    drawn: list[Conversation] = []

    @hypothesis_seed(seed)
    @settings(
        max_examples=n,
        database=None,
        phases=[Phase.generate],
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=False,
        report_multiple_bugs=False,
    )
    @given(strategy)
    def collect(conversation: Conversation) -> None:
        drawn.append(conversation)
        if observe is not None:
            observe()  # inside the example: e.g. reads Hypothesis's build context

    with without_local_constants():
        collect()
    return drawn[:n]
