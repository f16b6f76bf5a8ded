"""What a campaign tells the world while it runs.

The engine emits these; the CLI's progress line, the corpus writer and the
report writers consume them. Nothing in the engine prints or writes files
itself.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

from fuzz.engine.case import Case
from fuzz.engine.compare import Comparison
from fuzz.engine.outcomes import Conversation, Outcome, TargetIdentity


@attrs.frozen
class CampaignStarted:
    seed: int
    command: str
    reference: TargetIdentity
    candidate: TargetIdentity


@attrs.frozen
class CorpusResumed:
    """``--resume``: bugs whose case in the corpus is shrunk are set aside from the start."""

    corpus: str
    set_aside: int
    #: Cases saved before shrinking ended: shrunk when their bug is met again.
    unfinished: int


@attrs.frozen
class CorpusFileSkipped:
    """A file of the corpus folder is not a valid case: named, skipped, left as it is."""

    path: str
    problem: str

    @property
    def line(self) -> str:
        """What the user is told (by every command that opens a corpus)."""
        return f"signals-fuzz: skipped {self.path}: it {self.problem}"


@attrs.frozen
class WorkersStarted:
    """The campaign runs as worker processes, each with its own seed."""

    seeds: tuple[int, ...]


@attrs.frozen
class ConversationCompared:
    """One conversation judged; report writers accumulate metrics from these."""

    conversation: Conversation
    reference: Outcome
    candidate: Outcome
    comparison: Comparison


@attrs.frozen
class BatchCompared:
    """One batch analysed by both sides; the running totals after it."""

    conversations: int
    batches: int
    tier_a: int
    tier_b: int
    tier_c: int
    signatures: int
    elapsed: float
    remaining: float | None
    rejected: int = 0


@attrs.frozen
class DivergenceFound:
    """A signature seen for the first time in this campaign (not yet shrunk)."""

    case: Case


@attrs.frozen
class CaseImproved:
    """A smaller conversation showing a known signature; ``final`` once shrinking ended."""

    case: Case
    final: bool = False


@attrs.frozen
class CaseExplained:
    """A shrunk case, now with its explanation: the ingredients it cannot lose."""

    case: Case


@attrs.frozen
class ShrinkFinished:
    """One bug fully shrunk: how long each stage took and what it achieved.

    Times are seconds since the campaign started (``found_at``, ``started_at``)
    or durations; sizes are (messages, characters of text).
    """

    signature: str
    found_at: float
    started_at: float
    hypothesis_seconds: float
    minimise_seconds: float
    hypothesis_size: tuple[int, int]
    final_size: tuple[int, int]
    minimise_batches: int
    #: Hypothesis ran to its fixed point (not stopped by the shrink limit or stall).
    hypothesis_fixed_point: bool = True


@attrs.frozen
class RoundFinished:
    """Hypothesis finished one search-and-shrink round."""

    round: int
    new_signatures: tuple[str, ...]


@attrs.frozen
class CampaignFinished:
    reason: str
    conversations: int
    batches: int
    tier_a: int
    tier_b: int
    signatures: tuple[str, ...]
    elapsed: float
    rejected: int = 0
    #: Bugs found but not fully shrunk when the campaign stopped.
    unshrunk: tuple[str, ...] = ()


Event = (
    CampaignStarted
    | CorpusResumed
    | CorpusFileSkipped
    | WorkersStarted
    | ConversationCompared
    | BatchCompared
    | DivergenceFound
    | CaseImproved
    | CaseExplained
    | ShrinkFinished
    | RoundFinished
    | CampaignFinished
)


class StopCampaign(BaseException):
    """Raised by a sink that cannot go on (the corpus can no longer be written): the campaign
    stops at once, cleanly, with ``reason``. A BaseException, so Hypothesis lets it through."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


Sink = Callable[[Event], None]
