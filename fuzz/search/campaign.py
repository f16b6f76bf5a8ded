"""Drive Hypothesis to find, shrink and keep Tier-A divergences.

One example is a *batch* of conversations, so a replay program is started
once per batch while exploring; when a batch diverges, Hypothesis shrinks the
list down to the one conversation that matters and that conversation down to
its fewest messages and shortest text.

Several bugs per campaign: each bug (a signature component, see
``fuzz.engine.compare``) gets its own exception type, so Hypothesis tracks and
shrinks each as a separate bug (``report_multiple_bugs``). But Hypothesis
stops exploring soon after its first bug (ten seconds of wall-clock time), so
a campaign runs in *rounds*: each round is one Hypothesis run with a seed
derived from the campaign seed; bugs shrunk in earlier rounds are set aside
(still counted, never failing) and the next round searches for new ones,
until the example budget or the time budget is spent. That ten-second limit
is the one place where a seeded campaign depends on the machine's speed.
(One bug per round was tried: a conversation showing two bugs then switches
exception type as it shrinks, and its cases kept stray tokens.)

Nothing is lost on interruption: every Tier-A divergence is kept the moment
it is seen, as the smallest conversation seen so far for its signature, and
replaced each time shrinking finds a smaller one. Hypothesis's own end-of-run
report is not needed for that; the events carry everything.
"""

from __future__ import annotations

import hashlib
import json
import platform
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, NoReturn, Protocol

import attrs
import hypothesis
import hypothesis.statistics
from hypothesis import HealthCheck, Phase, Verbosity
from hypothesis import strategies as st
from hypothesis.database import ExampleDatabase
from hypothesis.errors import HypothesisException

import fuzz
from fuzz.engine.canonical import lenient_counts
from fuzz.engine.compare import Comparison, Divergence, Tier, compare
from fuzz.engine.targets import Conversation, Outcome, Target, analyze_pair
from fuzz.gate.corpus import Case, Provenance, size_key
from fuzz.search.determinism import without_local_constants
from fuzz.search.events import (
    BatchCompared,
    CampaignFinished,
    CampaignStarted,
    CaseImproved,
    ConversationCompared,
    DivergenceFound,
    RoundFinished,
    Sink,
)
from fuzz.search.inputs import DEFAULT_BATCH_SIZE


@attrs.frozen
class CampaignSettings:
    """How long and how to search. ``max_examples`` counts explored batches, not shrink steps."""

    seed: int
    max_examples: int | None = None
    budget: float | None = None
    batch_size: int = DEFAULT_BATCH_SIZE
    set_aside: frozenset[str] = frozenset()
    command: str = ""
    #: Where Hypothesis keeps failing examples (``fuzz.search.database``); None keeps nothing.
    database: ExampleDatabase | None = attrs.field(default=None, eq=False)


class Coordinator(Protocol):
    """Decides which of several campaigns running side by side shrinks a bug."""

    def claim(self, signature: str) -> bool:
        """True for the first caller with ``signature``, False for every later one."""
        ...


class _DivergenceError(Exception):
    """Base of the per-signature exception types Hypothesis tells apart."""


class _BudgetSpent(BaseException):
    """Time is up. A BaseException, so Hypothesis lets it through instead of shrinking it."""


def round_seed(seed: int, round_no: int) -> int:
    """A seed per round, stable for a campaign seed."""
    digest = hashlib.sha256(f"signals-fuzz:{seed}:{round_no}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def _leaves(exc: BaseException) -> Iterator[BaseException]:
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            yield from _leaves(inner)
    else:
        yield exc


@attrs.define
class _Tally:
    conversations: int = 0
    batches: int = 0
    tier_a: int = 0
    tier_b: int = 0
    tier_c: int = 0

    def add(self, comparison: Comparison) -> None:
        self.conversations += 1
        self.tier_a += comparison.tier_a is not None
        self.tier_b += comparison.tier_b is not None
        self.tier_c += comparison.tier_c is not None


class Campaign:
    """One differential campaign between two targets; emits events to ``sink``."""

    def __init__(
        self,
        reference: Target,
        candidate: Target,
        settings: CampaignSettings,
        sink: Sink,
        *,
        strategy: st.SearchStrategy[list[Conversation]] | None = None,
        coordinator: Coordinator | None = None,
    ) -> None:
        self.reference = reference
        self.candidate = candidate
        self.settings = settings
        self.sink = sink
        self.strategy = strategy if strategy is not None else _default_strategy(settings.batch_size)
        self.tally = _Tally()
        self.best: dict[str, Case] = {}
        self._closed: set[str] = set()
        self.coordinator = coordinator
        # Bugs another campaign claimed first: reported once, then left to it (like set-aside).
        self._elsewhere: set[str] = set()
        self._explored = 0
        self._exhausted = False
        self._started = 0.0
        self._deadline: float | None = None
        self._error_types: dict[str, type[_DivergenceError]] = {}

    # ------------------------------------------------------------ running --

    def run(self) -> CampaignFinished:
        """Search until a budget is spent, the search is exhausted, or Ctrl-C."""
        self._started = time.monotonic()
        if self.settings.budget is not None:
            self._deadline = self._started + self.settings.budget
        self.sink(
            CampaignStarted(
                self.settings.seed,
                self.settings.command,
                self.reference.identity,
                self.candidate.identity,
            )
        )
        reason = "max-examples"
        round_no = 0
        try:
            while not self._exhausted and self._examples_left() > 0:
                new = self._run_round(round_no)
                self.sink(RoundFinished(round_no, new))
                round_no += 1
        except _BudgetSpent:
            reason = "budget"
        except KeyboardInterrupt:
            reason = "interrupted"
        finished = CampaignFinished(
            reason=reason,
            conversations=self.tally.conversations,
            batches=self.tally.batches,
            tier_a=self.tally.tier_a,
            tier_b=self.tally.tier_b,
            signatures=tuple(sorted(self.best)),
            elapsed=time.monotonic() - self._started,
        )
        self.sink(finished)
        return finished

    def _examples_left(self) -> int:
        if self.settings.max_examples is None:
            return 1 << 30
        return max(0, self.settings.max_examples - self._explored)

    def _run_round(self, round_no: int) -> tuple[str, ...]:
        """One Hypothesis run; returns the signatures it shrank (and so closes)."""
        statistics: dict[str, Any] = {}
        shrunk: tuple[str, ...] = ()
        test = self._round_test(round_no, statistics)
        calls_before = self.tally.batches
        try:
            # Hypothesis hands its run statistics to this callback; the
            # generate-phase count is the number of batches explored.
            collector: Any = hypothesis.statistics.collector
            with collector.with_value(statistics.update), without_local_constants():
                test()
        except (_BudgetSpent, KeyboardInterrupt):
            raise
        except BaseException as exc:
            shrunk = self._reported_signatures(exc)
        generated = statistics.get("generate-phase", {}).get("test-cases")
        self._explored += (
            len(generated) if generated is not None else self.tally.batches - calls_before
        )
        # Only the bugs Hypothesis reported were shrunk as bugs of their own; one
        # merely seen beside another stays open, for a later round to shrink.
        for signature in shrunk:
            self._closed.add(signature)
            final = attrs.evolve(self.best[signature], shrunk=True)
            self.best[signature] = final
            self.sink(CaseImproved(final, final=True))
        # A round that reported nothing ran to its end: its examples are spent,
        # or Hypothesis ran out of distinct inputs first.
        self._exhausted = not shrunk
        return shrunk

    def _round_test(self, round_no: int, statistics: dict[str, Any]) -> Any:
        left = self._examples_left()

        @hypothesis.seed(round_seed(self.settings.seed, round_no))
        @hypothesis.settings(
            database=None,
            max_examples=min(left, 1 << 30),
            deadline=None,
            derandomize=False,
            report_multiple_bugs=True,
            suppress_health_check=list(HealthCheck),
            # No Phase.target: its hill-climbing runs between finding a bug
            # and shrinking it, and with batches it postponed the first shrink
            # by minutes (measured: found at 1.2 s, not shrunk after 200 s).
            phases=(Phase.explicit, Phase.generate, Phase.shrink),
            verbosity=Verbosity.quiet,
            print_blob=False,
        )
        @hypothesis.given(self.strategy)
        def search(batch: list[Conversation]) -> None:
            self._examine(batch)

        return search

    def _reported_signatures(self, exc: BaseException) -> tuple[str, ...]:
        """The bugs a round ended with; anything but our own errors is a fuzzer bug and surfaces."""
        reported = set()
        for leaf in _leaves(exc):
            if isinstance(leaf, _DivergenceError):
                reported.add(str(leaf))
            elif not (isinstance(leaf, HypothesisException) and "Flaky" in type(leaf).__name__):
                raise leaf from exc
        return tuple(sorted(signature for signature in reported if signature in self.best))

    # ------------------------------------------------------- one example --

    def _examine(self, batch: Sequence[Conversation]) -> None:
        """The property: no conversation of the batch diverges at Tier A with a new signature."""
        if self._deadline is not None and time.monotonic() >= self._deadline:
            raise _BudgetSpent
        references, candidates = analyze_pair(self.reference, self.candidate, batch)
        self.tally.batches += 1
        fresh: str | None = None
        for conversation, reference, candidate in zip(batch, references, candidates, strict=True):
            comparison = compare(reference, candidate, diffs=False)
            self.tally.add(comparison)
            self.sink(ConversationCompared(conversation, reference, candidate, comparison))
            divergence = comparison.tier_a
            if divergence is None:
                continue
            for component in divergence.components:
                if component in self.settings.set_aside or component in self._elsewhere:
                    continue
                first = component not in self.best
                self._keep(component, conversation, reference, candidate, divergence)
                if first and self.coordinator is not None and not self.coordinator.claim(component):
                    self._elsewhere.add(component)
                    continue
                if fresh is None and component not in self._closed:
                    fresh = component
        _steer(references, candidates)
        self._progress()
        if fresh is not None:
            self._fail(fresh)

    def _fail(self, signature: str) -> NoReturn:
        error_type = self._error_types.get(signature)
        if error_type is None:
            name = f"TierADivergence{len(self._error_types) + 1}"
            error_type = type(name, (_DivergenceError,), {})
            self._error_types[signature] = error_type
        raise error_type(signature)

    def _keep(
        self,
        component: str,
        conversation: Conversation,
        reference: Outcome,
        candidate: Outcome,
        divergence: Divergence,
    ) -> None:
        """Remember the conversation if it is the smallest yet showing this bug."""
        known = self.best.get(component)
        if known is not None and size_key(conversation) >= size_key(known.conversation):
            return
        case = self._make_case(component, conversation, reference, candidate, divergence)
        if known is not None and known.shrunk:
            # Smaller than a case Hypothesis already finished shrinking: at least as minimal.
            case = attrs.evolve(case, shrunk=True)
        self.best[component] = case
        self.sink(DivergenceFound(case) if known is None else CaseImproved(case))

    def _make_case(
        self,
        component: str,
        conversation: Conversation,
        reference: Outcome,
        candidate: Outcome,
        divergence: Divergence,
    ) -> Case:
        """A case filed under one bug (a signature component); its diff shows all of it."""
        detailed = compare(reference, candidate, detail=True)
        diff: dict[str, Any] = {"tier_a": dict(divergence.diff)}
        if detailed.tier_b is not None:
            diff["tier_b"] = dict(detailed.tier_b.diff)
        if detailed.tier_c is not None:
            diff["tier_c"] = dict(detailed.tier_c.diff)
        return Case(
            conversation=json.loads(json.dumps(conversation)),
            tier=Tier.A,
            kind=divergence.kind,
            signature=component,
            reference=reference,
            candidate=candidate,
            diff=diff,
            shrunk=False,
            provenance=self._provenance(),
        )

    def _provenance(self) -> Provenance:
        return Provenance(
            seed=self.settings.seed,
            fuzzer_version=fuzz.__version__,
            hypothesis_version=hypothesis.__version__,
            python_version=platform.python_version(),
            reference=self.reference.identity,
            candidate=self.candidate.identity,
            found_at=datetime.now(UTC).isoformat(timespec="seconds"),
            command=self.settings.command,
        )

    def _progress(self) -> None:
        now = time.monotonic()
        self.sink(
            BatchCompared(
                conversations=self.tally.conversations,
                batches=self.tally.batches,
                tier_a=self.tally.tier_a,
                tier_b=self.tally.tier_b,
                tier_c=self.tally.tier_c,
                signatures=len(self.best),
                elapsed=now - self._started,
                remaining=None if self._deadline is None else max(0.0, self._deadline - now),
            )
        )


def _steer(references: Sequence[Outcome], candidates: Sequence[Outcome]) -> None:
    """Label each example with the signal space it reached.

    ``event`` records which leaf types fired (either side) and which buckets
    were reached, and ``target`` the number of distinct types; they show in
    Hypothesis's statistics (``--hypothesis-show-statistics`` style reports)
    and would drive its target phase, which campaigns leave off (see
    ``_round_test``). Generation reaches rare signals by construction instead:
    the strategies aim at every leaf type and edge.
    """
    fired: set[str] = set()
    for outcome in (*references, *candidates):
        fired |= lenient_counts(outcome.report).keys()
        if outcome.report is not None:
            hypothesis.event("quality", str(outcome.report.get("overall_quality")))
    hypothesis.target(float(len(fired)), label="distinct leaf types fired")
    for signal_type in sorted(fired):
        hypothesis.event("fired", signal_type)


def _default_strategy(batch_size: int) -> st.SearchStrategy[list[Conversation]]:
    from fuzz.search.inputs import campaign_batches

    return campaign_batches(batch_size=batch_size)
