"""Root causes as a run reports them: grouped, located, and judged against the baseline.

``fuzz.engine.causes`` groups explained cases into root causes. A run (a
campaign, a replay, a parity run) needs three things more for its reports:
where each root cause's representative lives (a corpus file, or a replayed
item), whether the baseline accepts it (by its id or its explanation line),
and which signatures that acceptance covers. ``FiledCause`` carries all three
and is what ``metrics.json``, ``summary.md`` and the reproducers show.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from typing import Any

import attrs

from fuzz.engine.causes import RootCause, group
from fuzz.engine.charclass import crosslang_char_class
from fuzz.engine.explain import Explanation
from fuzz.gate.baseline import Baseline
from fuzz.gate.replay import ReplayResult


@attrs.frozen
class FiledCause:
    """One root cause of a run: the cause, where its representative is, and the baseline's say."""

    cause: RootCause
    #: The representative's corpus file (campaign, replay) or replayed item.
    representative: str
    accepted: bool = False

    @property
    def id(self) -> str:
        return self.cause.id

    @property
    def signatures(self) -> tuple[str, ...]:
        return self.cause.signatures

    def to_json(self) -> dict[str, Any]:
        """A ``metrics.json`` ``root_causes`` entry."""
        return {
            "id": self.cause.id,
            "explanation": self.cause.explanation,
            "signatures": list(self.cause.signatures),
            "representative": self.representative,
            "accepted": self.accepted,
        }


def file_causes(
    explained: Sequence[tuple[Explanation, str]],
    *,
    baseline: Baseline | None = None,
    today: datetime.date | None = None,
) -> tuple[FiledCause, ...]:
    """Group ``(explanation, where its case is)`` pairs into root causes, most signatures first.

    Characters are classed by the cross-language table (``crosslang_char_class``).

    A cause is accepted when the baseline has an active entry for its id or
    its explanation line.
    """
    where = {id(explanation): place for explanation, place in explained}
    causes = group([explanation for explanation, _ in explained], classify=crosslang_char_class)
    when = today or datetime.date.today()
    return tuple(
        FiledCause(
            cause,
            where[id(cause.representative)],
            baseline is not None and baseline.accepts_cause(cause.id, cause.explanation, when),
        )
        for cause in causes
    )


def accepted_signatures(causes: Sequence[FiledCause]) -> frozenset[str]:
    """Every signature of the causes the baseline accepts."""
    return frozenset(
        signature for cause in causes if cause.accepted for signature in cause.signatures
    )


def accepted_by(
    baseline: Baseline, causes: Sequence[FiledCause], today: datetime.date
) -> frozenset[str]:
    """Every signature accepted today: by an entry of its own or by its root cause's."""
    return baseline.accepted(today) | accepted_signatures(causes)


def all_accepted(signatures: Sequence[str], accepted: frozenset[str]) -> bool:
    """Whether a divergence is accepted: it has signatures, and every one is."""
    return bool(signatures) and all(s in accepted for s in signatures)


def result_explanation(result: ReplayResult) -> Explanation:
    """A replayed item's explanation: its saved case's while that still applies, else untried."""
    case = result.item.case
    why = None if case is None else case.explanation
    if why is not None and why.signature in result.signatures:
        return why
    return Explanation.untried(result.label or "", result.item.conversation)


def causes_of_results(
    results: Sequence[ReplayResult],
    *,
    baseline: Baseline | None = None,
    today: datetime.date | None = None,
    explain: Callable[[ReplayResult], Explanation] | None = None,
) -> tuple[FiledCause, ...]:
    """The root causes of the results that diverge at Tier A, each placed at its item.

    Items without an explanation of their own stand alone under their
    signatures (two plain conversations with the same signatures group);
    ``explain``, when given, explains them instead.
    """
    explained = []
    for result in results:
        if not result.signatures:
            continue
        why = result_explanation(result)
        if explain is not None and not why.complete:
            why = explain(result)
        explained.append((why, result.item.source))
    return file_causes(explained, baseline=baseline, today=today)
