"""Parity metrics: accumulate per-conversation verdicts into the numbers a release gate reads.

Definitions (every rate is over *conversations compared*, ``n``):

* **agreement %**: conversations with no Tier-A divergence, the gate's
  number (``100 * (n - tier_a) / n``); **full-match %**: conversations with
  no divergence at any tier (A, B or C);
* **Tier-B % / Tier-C %**: conversations with a Tier-B / Tier-C divergence.
  Tiers B and C are only judged when both sides returned schema-valid
  reports, so a failed conversation counts for Tier A only;
* **failed**: conversations where at least one side gave no usable report
  (a crash, timeout, error line, unreadable output or a schema violation)
  and the two sides did not fail alike. They are Tier-A divergences, and are
  left out of the per-type totals and the quality confusion matrix, which
  need both reports;
* **rejected by both**: conversations both sides failed on the same way
  (``fuzz.engine.compare.same_failure``). Not a divergence: they count as
  agreement, never fail a gate, and are listed by failure in
  ``rejected_by_both_failures``; they are not full matches;
* **per-type totals**: for each of the 25 leaf types, the sum of that type's
  count on each side; **disagreements**: conversations where the two counts
  of that type differ;
* **quality confusion**: a 5×5 matrix, rows the reference's bucket, columns
  the candidate's, bucket order excellent, good, neutral, poor, severe.

In a campaign the conversations are those the search ran, shrinking
included, so its rates describe the search, not a population; a replay or
parity run describes exactly the conversations given.
"""

from __future__ import annotations

import contextlib
import datetime
import importlib.metadata
import math
import platform
import subprocess
from collections import Counter
from collections.abc import Container, Mapping
from pathlib import Path
from typing import Any

import attrs

from fuzz import defaults
from fuzz.engine.canonical import tier_a_view
from fuzz.engine.compare import Comparison, Divergence
from fuzz.engine.outcomes import FailureKind, Outcome, TargetIdentity
from strategies.signal_types import LEAF_TYPES, QUALITY_BUCKETS

METRICS_SCHEMA_VERSION = 1

#: Default relative change of the Tier-B or Tier-C rate that counts as drift.
DEFAULT_DRIFT_THRESHOLD = defaults.DRIFT_THRESHOLD

_FAILED_KINDS = frozenset(kind.value for kind in FailureKind) | {"schema"}


def _pct(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(100.0 * part / whole, 4)


def usable(comparison: Comparison, reference: Outcome, candidate: Outcome) -> bool:
    """Whether both sides gave a schema-valid report (known from the comparison, no re-check)."""
    if reference.failure is not None or candidate.failure is not None:
        return False
    tier_a = comparison.tier_a
    return tier_a is None or tier_a.kind not in _FAILED_KINDS


@attrs.define
class Metrics:
    """Running totals over conversations; ``to_json`` gives the ``metrics.json`` body."""

    compared: int = 0
    full_matches: int = 0
    tier_a: int = 0
    tier_b: int = 0
    tier_c: int = 0
    failed: int = 0
    rejected_by_both: int = 0
    rejections: Counter[str] = attrs.field(factory=Counter)
    signatures: Counter[str] = attrs.field(factory=Counter)
    #: The unaccepted signatures of each Tier-A conversation -> how many showed exactly those.
    #: Kept as sets, so that accepting more later (a root cause) recounts exactly.
    unaccepted_sets: Counter[tuple[str, ...]] = attrs.field(factory=Counter)
    tier_b_signatures: Counter[str] = attrs.field(factory=Counter)
    statuses: Counter[str] = attrs.field(factory=Counter)
    reference_totals: Counter[str] = attrs.field(factory=Counter)
    candidate_totals: Counter[str] = attrs.field(factory=Counter)
    disagreements: Counter[str] = attrs.field(factory=Counter)
    confusion: list[list[int]] = attrs.field(
        factory=lambda: [[0] * len(QUALITY_BUCKETS) for _ in QUALITY_BUCKETS]
    )
    off_bucket: int = 0

    def add(
        self,
        reference: Outcome,
        candidate: Outcome,
        comparison: Comparison,
        *,
        status: str | None = None,
        accepted: Container[str] = frozenset(),
    ) -> None:
        """Count one conversation. ``accepted``: the signatures the baseline accepts."""
        self.compared += 1
        self.full_matches += comparison.agrees
        if status is not None:
            self.statuses[status] += 1
        if comparison.tier_a is not None:
            self.tier_a += 1
            shown = comparison.tier_a.signatures
            self.signatures.update(shown)
            outside = tuple(sorted(signature for signature in shown if signature not in accepted))
            if outside:
                self.unaccepted_sets[outside] += 1
        if comparison.tier_b is not None:
            self.tier_b += 1
            self.tier_b_signatures.update(comparison.tier_b.signatures)
        self.tier_c += comparison.tier_c is not None
        if comparison.rejected is not None:
            self.rejected_by_both += 1
            self.rejections[comparison.rejected] += 1
            return
        if not usable(comparison, reference, candidate):
            self.failed += 1
            return
        assert reference.report is not None and candidate.report is not None
        ref = tier_a_view(reference.report)
        # No Tier-A divergence means equal Tier-A views (compare() tested exactly that).
        agree = comparison.tier_a is None
        cand = ref if agree else tier_a_view(candidate.report)
        self.reference_totals.update(ref.counts)
        self.candidate_totals.update(cand.counts)
        for signal_type in () if agree else ref.counts.keys() | cand.counts.keys():
            if ref.counts.get(signal_type, 0) != cand.counts.get(signal_type, 0):
                self.disagreements[signal_type] += 1
        if ref.quality in QUALITY_BUCKETS and cand.quality in QUALITY_BUCKETS:
            row, col = QUALITY_BUCKETS.index(ref.quality), QUALITY_BUCKETS.index(cand.quality)
            self.confusion[row][col] += 1
        else:  # schema-valid reports carry a bucket; kept for safety, never expected
            self.off_bucket += 1

    def merge(self, other: Metrics) -> Metrics:
        """Add ``other``'s totals into these (workers of one campaign each count their own).

        Every field, by its type, so that a field added later cannot be left out
        (``rejected_by_both`` once was).
        """
        for field in attrs.fields(Metrics):
            mine, theirs = getattr(self, field.name), getattr(other, field.name)
            if isinstance(mine, Counter):
                mine.update(theirs)
            elif isinstance(mine, int):
                setattr(self, field.name, mine + theirs)
            else:  # the confusion matrix
                for row, more_row in zip(mine, theirs, strict=True):
                    for col, count in enumerate(more_row):
                        row[col] += count
        return self

    @property
    def unaccepted(self) -> Counter[str]:
        """Signature -> conversations showing it where the baseline does not accept it."""
        counts: Counter[str] = Counter()
        for signatures, conversations in self.unaccepted_sets.items():
            for signature in signatures:
                counts[signature] += conversations
        return counts

    @property
    def unaccepted_divergences(self) -> int:
        """Conversations showing at least one signature the baseline does not accept."""
        return sum(self.unaccepted_sets.values())

    def accept(self, signatures: Container[str]) -> None:
        """Accept more signatures after the fact (those of a root cause the baseline accepts)."""
        kept: Counter[tuple[str, ...]] = Counter()
        for shown, conversations in self.unaccepted_sets.items():
            outside = tuple(signature for signature in shown if signature not in signatures)
            if outside:
                kept[outside] += conversations
        self.unaccepted_sets = kept

    @property
    def gate_passed(self) -> bool:
        return not self.unaccepted_sets

    def signal_types(self) -> dict[str, dict[str, int]]:
        """All 25 leaf types, plus any unknown type a side emitted, in contract order."""
        extra = sorted(
            (self.reference_totals.keys() | self.candidate_totals.keys()) - set(LEAF_TYPES)
        )
        return {
            t: {
                "reference": self.reference_totals.get(t, 0),
                "candidate": self.candidate_totals.get(t, 0),
                "disagreements": self.disagreements.get(t, 0),
            }
            for t in (*LEAF_TYPES, *extra)
        }

    def to_json(self) -> dict[str, Any]:
        n = self.compared
        return {
            "conversations_compared": n,
            "full_matches": self.full_matches,
            "agreement_pct": _pct(n - self.tier_a, n),
            "full_match_pct": _pct(self.full_matches, n),
            "tier_a": self.tier_a,
            "tier_b": self.tier_b,
            "tier_c": self.tier_c,
            "tier_b_pct": _pct(self.tier_b, n),
            "tier_c_pct": _pct(self.tier_c, n),
            "failed": self.failed,
            "rejected_by_both": self.rejected_by_both,
            "rejected_by_both_failures": dict(sorted(self.rejections.items())),
            "gate": {
                "passed": self.gate_passed,
                "unaccepted_divergences": self.unaccepted_divergences,
                "unaccepted_signatures": sorted(self.unaccepted),
            },
            "statuses": dict(sorted(self.statuses.items())),
            "tier_a_signatures": dict(sorted(self.signatures.items())),
            "tier_b_signatures": dict(sorted(self.tier_b_signatures.items())),
            "signal_types": self.signal_types(),
            "quality_confusion": {
                "buckets": list(QUALITY_BUCKETS),
                "rows": "reference",
                "columns": "candidate",
                "matrix": [list(row) for row in self.confusion],
                "failed": self.failed,
                "rejected_by_both": self.rejected_by_both,
            },
        }


# ---------------------------------------------------------------- metadata ---


def _version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def git_sha(cwd: Path | None = None) -> str | None:
    """``git rev-parse HEAD`` of the working tree, or None (no git, no repo, anything else)."""
    with contextlib.suppress(Exception):
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        sha = done.stdout.strip()
        if done.returncode == 0 and sha:
            return sha
    return None


def run_metadata(
    *,
    mode: str,
    reference: TargetIdentity,
    candidate: TargetIdentity,
    seed: int | None = None,
    dataset_revision: str | None = None,
    seed_file: str | None = None,
    command: str = "",
    started_at: str | None = None,
) -> dict[str, Any]:
    """Everything needed to tell later exactly what produced a report."""
    import fuzz

    return {
        "mode": mode,
        "seed": seed,
        "seed_file": seed_file,
        "dataset_revision": dataset_revision,
        "command": command,
        "started_at": started_at,
        "finished_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "git_sha": git_sha(),
        "versions": {
            "signals-fuzz": fuzz.__version__,
            "hypothesis": _version("hypothesis"),
            "datasets": _version("datasets"),
            "python": platform.python_version(),
        },
        "reference": attrs.asdict(reference),
        "candidate": attrs.asdict(candidate),
    }


# ------------------------------------------------------------------- drift ---


def _relative(previous: float | None, current: float | None) -> float | None:
    """Relative change; None when undefined (a missing rate, or growth from zero)."""
    if previous is None or current is None:
        return None
    if previous == 0:
        return 0.0 if current == 0 else None
    return round((current - previous) / previous, 6)


def drift(
    previous: Mapping[str, Any],
    current: Mapping[str, Any],
    *,
    threshold: float = DEFAULT_DRIFT_THRESHOLD,
) -> dict[str, Any]:
    """What changed between two ``metrics.json`` bodies.

    Signatures that appeared or disappeared (Tier A), the agreement change in
    percentage points, and the Tier-B and Tier-C rates, flagged when their
    relative change is beyond ``threshold`` (growth from a rate of zero always
    is).
    """
    before = set(previous.get("tier_a_signatures") or {})
    after = set(current.get("tier_a_signatures") or {})
    agreement_before, agreement_after = previous.get("agreement_pct"), current.get("agreement_pct")
    rates: dict[str, Any] = {}
    for key in ("tier_b_pct", "tier_c_pct"):
        old, new = previous.get(key), current.get(key)
        relative = _relative(old, new)
        beyond = (relative is None and old is not None and new is not None and new != old) or (
            relative is not None and abs(relative) > threshold
        )
        rates[key] = {
            "previous": old,
            "current": new,
            "relative_change": relative,
            "beyond_threshold": bool(beyond),
        }
    change = (
        None
        if agreement_before is None or agreement_after is None
        else round(agreement_after - agreement_before, 4)
    )
    appeared, disappeared = sorted(after - before), sorted(before - after)
    previous_run = previous.get("run") or {}
    return {
        "threshold": threshold,
        "previous_run": {
            "finished_at": previous_run.get("finished_at"),
            "git_sha": previous_run.get("git_sha"),
        },
        "signatures_appeared": appeared,
        "signatures_disappeared": disappeared,
        "agreement_pct": {
            "previous": agreement_before,
            "current": agreement_after,
            "change": change,
        },
        "rates": rates,
        "drifted": bool(
            appeared
            or disappeared
            or (change is not None and not math.isclose(change, 0.0, abs_tol=1e-9))
            or any(rate["beyond_threshold"] for rate in rates.values())
        ),
    }


def divergence_json(divergence: Divergence) -> dict[str, Any]:
    return {
        "tier": divergence.tier.value,
        "kind": divergence.kind,
        "label": divergence.label,
        "signatures": list(divergence.signatures),
        "diff": dict(divergence.diff),
    }
