"""Rerun saved cases against two targets and say what became of each.

All cases go to each target in as few processes as possible (chunks of
``chunk_size`` conversations), since a replay binary's start-up costs about
as much as two conversations.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from pathlib import Path

import attrs

from fuzz.compare import Comparison, compare
from fuzz.corpus import Case
from fuzz.targets import Outcome, Target, analyze_pair

DEFAULT_CHUNK_SIZE = 256


class Status(enum.Enum):
    """What became of a saved Tier-A case."""

    FIXED = "FIXED"  # the sides now agree at Tier A
    STILL = "STILL"  # same signature as when saved
    CHANGED = "CHANGED"  # diverges, with another signature


@attrs.frozen
class ReplayResult:
    path: Path
    case: Case
    reference: Outcome
    candidate: Outcome
    comparison: Comparison

    @property
    def status(self) -> Status:
        divergence = self.comparison.tier_a
        if divergence is None:
            return Status.FIXED
        return Status.STILL if divergence.signature == self.case.signature else Status.CHANGED


def replay_cases(
    reference: Target,
    candidate: Target,
    cases: Sequence[tuple[Path, Case]],
    *,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> list[ReplayResult]:
    results: list[ReplayResult] = []
    for start in range(0, len(cases), chunk_size):
        chunk = cases[start : start + chunk_size]
        references, candidates = analyze_pair(
            reference, candidate, [case.conversation for _, case in chunk]
        )
        for (path, case), ref, cand in zip(chunk, references, candidates, strict=True):
            results.append(ReplayResult(path, case, ref, cand, compare(ref, cand, detail=True)))
    return results
