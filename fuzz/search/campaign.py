"""Drive Hypothesis to find Tier-A divergences, then shrink every one of them.

A campaign alternates three kinds of Hypothesis runs over one strategy (one
example is a *batch* of conversations, so a replay program starts once per
batch):

* **explore**: the generate phase only, seeded per round from the campaign
  seed. The property fails on nothing; each Tier-A bug (a signature,
  see ``fuzz.engine.compare``) seen for the first time becomes a
  *lead*, remembered with the Hypothesis choice sequence of the example that
  showed it, and the run stops at once so the lead can be shrunk while the
  budget is young;
* **shrink**: one run per lead, with the reuse and shrink phases only. The
  lead's choices are planted in a private example database, Hypothesis
  replays them and shrinks them to its fixed point under a property that
  fails only on that one bug, whatever else the examples show. Bugs seen
  *beside* it (in the same batch, the same conversation, or any shrink
  step) become leads of their own with their own choices, and are shrunk
  next, before exploring resumes. So every bug found is shrunk in the same
  campaign, not left for a later round to re-find;
* **rerun**: the entries of the shared example database
  (``CampaignSettings.database``, e.g. a folder or Redis) that this
  campaign has not seen are rerun before each exploration round; a bug
  another campaign found there becomes a lead here at once.

After Hypothesis, the batched minimisation pass (``fuzz.search.minimise``)
polishes the case: messages, then words, then characters, many candidates
per process. For a timeout only messages are deleted, one candidate at a
time, within ``shrink_limit`` seconds: every candidate that still hangs
costs the whole timeout.

Nothing is lost on interruption: every divergence is kept the moment it is
seen, as the smallest conversation seen so far for its bug, and replaced each
time shrinking finds a smaller one. With a seed and ``max_examples`` (no time
budget) a campaign is reproducible: explore runs are seeded, stop at
deterministic points, and the rest follows from what they found.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import platform
import time
import warnings
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

import attrs
import hypothesis
from hypothesis import HealthCheck, Phase, Verbosity
from hypothesis import strategies as st
from hypothesis.database import ExampleDatabase, InMemoryExampleDatabase
from hypothesis.errors import HypothesisException, HypothesisWarning

import fuzz
from fuzz.defaults import BATCH_SIZE as DEFAULT_BATCH_SIZE
from fuzz.defaults import DATABASE_KEY
from fuzz.engine.case import Case, Provenance, size_key
from fuzz.engine.compare import Comparison, Divergence, Tier, compare, is_hang
from fuzz.engine.explain import explain
from fuzz.engine.outcomes import Conversation, Outcome, Target
from fuzz.engine.targets import CmdTarget, analyze_pair
from fuzz.search.determinism import without_local_constants
from fuzz.search.events import (
    BatchCompared,
    CampaignFinished,
    CampaignStarted,
    CaseExplained,
    CaseImproved,
    ConversationCompared,
    DivergenceFound,
    RoundFinished,
    ShrinkFinished,
    Sink,
    StopCampaign,
)
from fuzz.search.inputs import full_batches
from fuzz.search.minimise import DEFAULT_MAX_BATCH, minimise

#: Batches one exploration round may run. Hypothesis keeps every test case of a run
#: (its cache holds thousands), so memory grew by ~28 KB per conversation in one long
#: run; rounds of this size start afresh, and memory stays flat.
ROUND_EXAMPLES = 300

#: Choice sequences as Hypothesis records them (ints, floats, strings, bytes, bools).
Choices = tuple[Any, ...]


@attrs.frozen
class CampaignSettings:
    """How long and how to search. ``max_examples`` counts explored batches, not shrink steps.

    ``database`` is a shared example store (``hypothesis.database``): found
    bugs' choice sequences are saved there under ``database_key``, and what
    other campaigns saved is rerun. ``minimise`` runs the batched pass
    after Hypothesis. ``stop_when`` ends the campaign once, for each of its
    signature prefixes, a shrunk bug starts with it (the demo knows what it
    planted).
    """

    seed: int
    max_examples: int | None = None
    budget: float | None = None
    batch_size: int = DEFAULT_BATCH_SIZE
    set_aside: frozenset[str] = frozenset()
    command: str = ""
    database: ExampleDatabase | None = attrs.field(default=None, eq=False)
    database_key: bytes = DATABASE_KEY
    minimise: bool = True
    stop_when: tuple[str, ...] = ()
    #: Seconds Hypothesis may shrink one bug, and may go without making its case smaller,
    #: before the batched pass takes over (see ``Campaign._hypothesis_shrink``).
    shrink_limit: float = 30.0
    shrink_stall: float = 10.0
    #: Explain every shrunk case (``fuzz.engine.explain``), within ``explain_limit`` seconds.
    explain: bool = True
    explain_limit: float = 30.0


class Coordinator(Protocol):
    """Shares bugs between campaigns running side by side (workers)."""

    def claim(self, signature: str) -> bool:
        """Whether this campaign may shrink ``signature``; the first to ask wins."""
        ...


class _BudgetSpent(BaseException):
    """Time is up. A BaseException, so Hypothesis lets it through instead of shrinking it."""


class _NewLead(BaseException):
    """Ends an exploration run at once: a new bug waits to be shrunk."""


class _ShrinkLimit(BaseException):
    """Ends a Hypothesis shrink run that is too slow to be worth waiting for."""


class _Done(BaseException):
    """Every bug ``stop_when`` names is shrunk."""


class _EngineError(BaseException):
    """A bug in the fuzzer itself (or a sink), carried out of Hypothesis untouched.

    Raised as a plain exception inside a property, it would be taken for a
    failing example, replayed and shrunk; a BaseException passes straight
    through, and ``Campaign.run`` re-raises the original.
    """

    def __init__(self, original: Exception) -> None:
        super().__init__(original)
        self.original = original


class _Shows(Exception):
    """The shrink property's failure: the example still shows the bug being shrunk."""


def round_seed(seed: int, round_no: int) -> int:
    """A seed per round, stable for a campaign seed."""
    digest = hashlib.sha256(f"signals-fuzz:{seed}:{round_no}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


@attrs.define
class _Tally:
    conversations: int = 0
    batches: int = 0
    tier_a: int = 0
    tier_b: int = 0
    tier_c: int = 0
    rejected: int = 0

    def add(self, comparison: Comparison) -> None:
        self.conversations += 1
        self.tier_a += comparison.tier_a is not None
        self.tier_b += comparison.tier_b is not None
        self.tier_c += comparison.tier_c is not None
        self.rejected += comparison.rejected is not None


@attrs.define
class _Evidence:
    """One conversation showing new bugs, and what their cases are made of.

    The detailed diff (deepdiff: about 15 ms) and the copy of the
    conversation depend only on the conversation, so a conversation showing
    several signatures makes them once, and one that is no one's smallest
    case not at all.
    """

    conversation: Conversation
    reference: Outcome
    candidate: Outcome
    divergence: Divergence
    _made: tuple[Conversation, dict[str, Any]] | None = None

    def copy_and_diff(self) -> tuple[Conversation, dict[str, Any]]:
        if self._made is None:
            detailed = compare(self.reference, self.candidate, detail=True)
            diff: dict[str, Any] = {}
            for tier, found in (
                ("tier_a", detailed.tier_a or self.divergence),
                ("tier_b", detailed.tier_b),
                ("tier_c", detailed.tier_c),
            ):
                if found is not None:
                    diff[tier] = dict(found.diff)
            self._made = (json.loads(json.dumps(self.conversation)), diff)
        return self._made


@attrs.define
class _Lead:
    """A bug waiting to be shrunk: the choices of the smallest example seen showing it."""

    signature: str
    choices: Choices | None
    size: tuple[int, int, int]
    found_at: float


@attrs.define
class _Patience:
    """How long a Hypothesis shrink may run, and go without making its case smaller."""

    limit: float
    stall: float
    best: tuple[int, int, int]
    started: float = attrs.field(factory=time.monotonic)
    improved: float = attrs.field(factory=time.monotonic)

    def check(self, size: tuple[int, int, int]) -> None:
        """Raise ``_ShrinkLimit`` once either limit is passed."""
        now = time.monotonic()
        if size < self.best:
            self.best, self.improved = size, now
        if now - self.started > self.limit or now - self.improved > self.stall:
            raise _ShrinkLimit


def _current_choices() -> Choices | None:
    """The choice sequence of the example being run, or None outside a Hypothesis test."""
    if not hypothesis.control.currently_in_test_context():
        return None
    data = hypothesis.control.current_build_context().data
    return tuple(data.choices)


def _encode(choices: Choices) -> bytes:
    from hypothesis.database import choices_to_bytes

    return choices_to_bytes(choices)


def _decodable(buffer: bytes) -> bool:
    from hypothesis.database import choices_from_bytes

    return choices_from_bytes(buffer) is not None


_QUIET = {
    "deadline": None,
    "derandomize": False,
    "suppress_health_check": list(HealthCheck),
    "verbosity": Verbosity.quiet,
    "print_blob": False,
}


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
        conversations: st.SearchStrategy[Conversation] | None = None,
        coordinator: Coordinator | None = None,
    ) -> None:
        """``conversations`` draws single conversations; the campaign batches them itself and
        shrinks each bug on the one conversation that showed it. ``strategy`` (a batch
        strategy) is the alternative for callers with batches of their own: their bugs
        shrink on whole batches, which is slower. Default: ``campaign_conversations()``.
        """
        if strategy is not None and conversations is not None:
            raise ValueError("give Campaign a batch strategy or a conversation strategy, not both")
        self.reference = reference
        self.candidate = candidate
        self.settings = settings
        self.sink = sink
        #: Where each conversation of the example being drawn sits in its choices.
        self._spans: dict[int, tuple[Conversation, int, int]] = {}
        self._unit: st.SearchStrategy[Any]
        if strategy is not None:
            self.strategy, self._unit, self._single = strategy, strategy, False
        else:
            elements = conversations if conversations is not None else _default_conversations()
            self.strategy = full_batches(settings.batch_size, self._marked(elements))
            self._unit, self._single = elements, True
        self.coordinator = coordinator
        self.tally = _Tally()
        self.best: dict[str, Case] = {}
        #: ``size_key`` of each case in ``best`` (a JSON dump; read on every shrink step).
        self._best_size: dict[str, tuple[int, int, int]] = {}
        self._leads: dict[str, _Lead] = {}
        self._closed: set[str] = set()
        #: Shrunk bugs whose current case is not explained yet (it shrank again after).
        self._unexplained: set[str] = set()
        self._aside: set[str] = set(settings.set_aside)
        self._seen_shared: set[bytes] = set()
        self._explored = 0
        self._started = 0.0
        self._deadline: float | None = None

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
        try:
            with warnings.catch_warnings():
                # Hypothesis warns when it builds the repr of a large example;
                # campaigns never show Hypothesis's reports, so it is noise.
                warnings.simplefilter("ignore", HypothesisWarning)
                reason = self._search()
        except _BudgetSpent:
            reason = "budget"
        except _Done:
            reason = "all expected bugs shrunk"
            self._explain_pending()
        except StopCampaign as stop:
            reason = stop.reason
        except KeyboardInterrupt:
            reason = "interrupted"
        except _EngineError as error:
            raise error.original from None
        finished = CampaignFinished(
            reason=reason,
            conversations=self.tally.conversations,
            batches=self.tally.batches,
            tier_a=self.tally.tier_a,
            tier_b=self.tally.tier_b,
            signatures=tuple(sorted(self.best)),
            elapsed=time.monotonic() - self._started,
            rejected=self.tally.rejected,
            unshrunk=tuple(sorted(s for s, case in self.best.items() if not case.shrunk)),
        )
        self.sink(finished)
        return finished

    def _search(self) -> str:
        """Shrink every lead, explore for more, until examples run out."""
        round_no = 0
        exhausted = False
        while True:
            if self._leads:
                self._shrink(next(iter(self._leads.values())))
                continue
            if self._unexplained:
                self._explain(min(self._unexplained))
                continue
            if exhausted:
                return "exhausted"  # Hypothesis ran out of distinct examples
            self._rerun_shared()
            if self._leads:
                continue
            if self._examples_left() <= 0:
                return "max-examples"
            explored_before = self._explored
            found = self._explore(round_no)
            self.sink(RoundFinished(round_no, found))
            round_no += 1
            ran = self._explored - explored_before
            exhausted = not found and ran < ROUND_EXAMPLES and self._examples_left() > 0

    def _examples_left(self) -> int:
        if self.settings.max_examples is None:
            return 1 << 30
        return max(0, self.settings.max_examples - self._explored)

    def _deadline_within(self, seconds: float) -> float:
        """The campaign's deadline, brought forward to ``seconds`` from now."""
        limit = time.monotonic() + seconds
        return limit if self._deadline is None else min(self._deadline, limit)

    def _check_deadline(self) -> None:
        if self._deadline is not None and time.monotonic() >= self._deadline:
            raise _BudgetSpent

    # ------------------------------------------------------------ explore --

    def _explore(self, round_no: int) -> tuple[str, ...]:
        """One seeded generate-only run; the new leads it stopped for (none: it ran out)."""
        before = set(self._leads)

        @hypothesis.seed(round_seed(self.settings.seed, round_no))
        @hypothesis.settings(
            database=None,
            max_examples=min(self._examples_left(), ROUND_EXAMPLES),
            phases=(Phase.generate,),
            report_multiple_bugs=False,
            **_QUIET,  # type: ignore[arg-type]
        )
        @hypothesis.given(self.strategy)
        def explore(batch: list[Conversation]) -> None:
            self._check_deadline()
            self._explored += 1
            self._examine(batch)
            if set(self._leads) - before:
                raise _NewLead

        try:
            with without_local_constants():
                explore()
        except _NewLead:
            pass
        return tuple(lead for lead in self._leads if lead not in before)

    # ------------------------------------------------------------- shrink --

    def _shrink(self, lead: _Lead) -> None:
        """Hypothesis's fixed point for one bug, then the batched pass; the case is final."""
        signature = lead.signature
        started = time.monotonic()
        fixed_point = False
        if lead.choices is not None:
            fixed_point = self._hypothesis_shrink(lead)
        hypothesis_done = time.monotonic()
        hypothesis_case = self.best[signature]
        batches = 0
        if self.settings.minimise:
            batches = self._minimise(signature)
        del self._leads[signature]
        self._closed.add(signature)
        final = attrs.evolve(self.best[signature], shrunk=True)
        self.best[signature] = final
        self.sink(CaseImproved(final, final=True))
        self.sink(
            ShrinkFinished(
                signature=signature,
                found_at=lead.found_at,
                started_at=started - self._started,
                hypothesis_seconds=hypothesis_done - started,
                minimise_seconds=time.monotonic() - hypothesis_done,
                hypothesis_size=size_key(hypothesis_case.conversation)[:2],
                final_size=size_key(final.conversation)[:2],
                minimise_batches=batches,
                hypothesis_fixed_point=fixed_point,
            )
        )
        self._save_choices(lead.choices)  # its smallest example's, once Hypothesis is done
        self._explain(signature)
        self._check_done()

    def _shows(self, signature: str) -> Callable[[Sequence[Conversation]], list[bool]]:
        """The oracle of the batched pass and of explanation: which candidates still show
        ``signature`` (analysed as any example is: other bugs they show are kept too)."""

        def shows(candidates: Sequence[Conversation]) -> list[bool]:
            self._check_deadline()
            found = self._evaluate_guarded(candidates, [None] * len(candidates))
            return [signature in shown for shown in found]

        return shows

    def _explain_pending(self) -> None:
        """Explain the shrunk cases still waiting, when the search stops early on purpose."""
        with contextlib.suppress(_BudgetSpent, KeyboardInterrupt, StopCampaign):
            try:
                while self._unexplained:
                    self._explain(min(self._unexplained))
            except _EngineError as error:  # raised here, in ``run``'s handler of ``_Done``
                raise error.original from None

    def _explain(self, signature: str) -> None:
        """Explain a shrunk case by its essential ingredients; the case is kept with them.

        The edits go through ``_evaluate`` like any other candidates, so a bug
        an edit happens to show is kept and shrunk too. A hang is not
        explained: every edit that still hangs would cost a whole timeout.
        """
        self._unexplained.discard(signature)
        if not self.settings.explain or is_hang(signature):
            return
        case = self.best[signature]

        deadline = self._deadline_within(self.settings.explain_limit)
        whole = self._fails_whole_batches(signature)
        explanation = explain(
            case.conversation,
            self._shows(signature),
            signature=signature,
            max_batch=1 if whole else DEFAULT_MAX_BATCH,
            deadline=deadline,
        )
        if self.best[signature] is not case:
            return  # an edit showed the bug smaller: ``_keep`` queued that case to be explained
        explained = attrs.evolve(case, explanation=explanation)
        self.best[signature] = explained
        self.sink(CaseExplained(explained))

    def _hypothesis_shrink(self, lead: _Lead) -> bool:
        """Replay the lead's choices and let Hypothesis shrink them for this bug alone.

        True when Hypothesis reached its fixed point. It is stopped after
        ``shrink_limit`` seconds, or ``shrink_stall`` seconds without making
        the case smaller: Hypothesis tries one candidate at a time and re-draws
        the whole conversation for each, so on a long conversation that only
        shows the bug whole (the 101-message window edge) it can grind for
        minutes over text the batched pass deletes in a second.
        """
        assert lead.choices is not None
        signature = lead.signature
        patience = _Patience(
            self.settings.shrink_limit,
            self.settings.shrink_stall,
            self._best_size[signature],
        )

        def shrink(unit: Any) -> None:
            self._check_deadline()
            patience.check(self._best_size[signature])
            if signature in self._examine(self._as_batch(unit)):
                raise _Shows(signature)

        try:
            self._run_private(
                b"shrink", [_encode(lead.choices)], -1, shrink, shrinking=True, max_examples=1
            )
        except _Shows:
            return True
        except _ShrinkLimit:
            return False
        except HypothesisException:
            pass  # e.g. Flaky: the bug did not reproduce; the case keeps its best size
        return False

    def _minimise(self, signature: str) -> int:
        """The batched pass on the bug's best case; the number of batches it sent."""

        hangs = is_hang(signature)
        deadline = self._deadline
        if hangs:  # each candidate that still hangs costs a timeout: a budget of its own
            deadline = self._deadline_within(self.settings.shrink_limit)
        result = minimise(
            self.best[signature].conversation,
            self._shows(signature),
            deadline=deadline,
            max_batch=1 if hangs or self._fails_whole_batches(signature) else DEFAULT_MAX_BATCH,
            messages_only=hangs,
        )
        return result.batches

    def _fails_whole_batches(self, signature: str) -> bool:
        """Whether this bug takes down a replay process as a whole (a crash, lost lines).

        Such a batch is rerun one candidate per process to pin the failure on
        its culprit, so batching candidates costs more than it saves: the pass
        then tries them one at a time and stops at the first that still shows
        the bug (for a crash, usually the first).
        """
        kind, _, side = signature.rpartition(" on ")
        target = self.reference if side == "reference" else self.candidate
        whole = kind.startswith(
            (
                "crash exit",
                "crash signal",
                "missing-line",
                "extra-line",
                "output-too-large",
                "out-of-memory",
            )
        )
        return whole and isinstance(target, CmdTarget)

    # -------------------------------------------------------------- rerun --

    def _rerun_shared(self) -> None:
        """Rerun what other campaigns saved in the shared database and this one has not seen."""
        database = self.settings.database
        if database is None:
            return
        fresh = [
            entry
            for entry in database.fetch(self.settings.database_key)
            if entry not in self._seen_shared and _decodable(entry)
        ]
        if not fresh:
            return
        self._seen_shared.update(fresh)

        def rerun(unit: Any) -> None:
            self._check_deadline()
            self._examine(self._as_batch(unit))

        self._run_private(b"shared", fresh, -2, rerun, shrinking=False, max_examples=len(fresh) + 2)

    def _run_private(
        self,
        name: bytes,
        entries: Sequence[bytes],
        seed_no: int,
        body: Callable[[Any], None],
        *,
        shrinking: bool,
        max_examples: int,
    ) -> None:
        """Run ``body`` as a Hypothesis test of ``self._unit`` that replays ``entries``
        (choice sequences) from a private database, then shrinks if ``shrinking``.

        The entries go in the secondary corpus: replayed and then shrunk. (A
        primary entry that still fails counts as already shrunk and would end
        the run at once.)
        """
        key = b"signals-fuzz." + name
        store = InMemoryExampleDatabase()
        for entry in entries:
            store.save(key + b".secondary", entry)
        test = hypothesis.settings(
            database=store,
            max_examples=max_examples,
            phases=(Phase.reuse, Phase.shrink) if shrinking else (Phase.reuse,),
            report_multiple_bugs=not shrinking,
            **_QUIET,  # type: ignore[arg-type]
        )(hypothesis.given(self._unit)(body))
        _use_private_database(test, key, round_seed(self.settings.seed, seed_no))
        with without_local_constants():
            test()

    def _save_choices(self, choices: Choices | None) -> None:
        """Share an example's choices through the database (and never rerun our own)."""
        database = self.settings.database
        if database is None or choices is None:
            return
        entry = _encode(choices)
        self._seen_shared.add(entry)
        database.save(self.settings.database_key, entry)

    # ------------------------------------------------------- one example --

    def _as_batch(self, unit: Any) -> list[Conversation]:
        """A shrink or rerun example as a batch: one conversation, or the batch itself."""
        return [unit] if self._single else list(unit)

    def _marked(self, elements: st.SearchStrategy[Conversation]) -> st.SearchStrategy[Conversation]:
        """``elements``, recording where each drawn conversation's choices start and end.

        A bug seen in a batch of eight is then shrunk on its own conversation's
        choices: each shrink step replays one conversation, not eight, and
        Hypothesis does not first spend hundreds of steps on the other seven.
        """
        spans = self._spans

        @st.composite
        def marked(draw: st.DrawFn) -> Conversation:
            data = hypothesis.control.current_build_context().data
            # ``len(data.nodes)``, not ``len(data.choices)``: ``choices`` builds a
            # new tuple of every value so far, quadratic in the batch (5 % of a
            # campaign's time under a profiler).
            start = len(data.nodes)
            conversation = draw(elements)
            spans[id(conversation)] = (conversation, start, len(data.nodes))
            return conversation

        return marked()

    def _choices_per_conversation(self, batch: Sequence[Conversation]) -> list[Choices | None]:
        """The choices that replay each conversation of the current example through ``_unit``."""
        choices = _current_choices()
        spans = dict(self._spans)
        self._spans.clear()
        if choices is None:
            return [None] * len(batch)
        if not self._single:
            return [choices] * len(batch)
        if len(batch) == 1 and id(batch[0]) not in spans:
            return [choices]  # a shrink or rerun example: the conversation is the example
        out: list[Choices | None] = []
        for conversation in batch:
            span = spans.get(id(conversation))
            out.append(
                None if span is None or span[0] is not conversation else choices[span[1] : span[2]]
            )
        return out

    def _examine(self, batch: Sequence[Conversation]) -> set[str]:
        """Analyse one Hypothesis example; the bugs it shows (set-aside ones included)."""
        found = self._evaluate_guarded(batch, self._choices_per_conversation(batch))
        return set().union(*found) if found else set()

    def _evaluate_guarded(
        self, batch: Sequence[Conversation], choices: Sequence[Choices | None]
    ) -> list[set[str]]:
        """``_evaluate`` called from inside Hypothesis or the batched pass: an error of the
        fuzzer's own (a sink, a bug) is wrapped so neither takes it for the example's."""
        try:
            return self._evaluate(batch, choices)
        except Exception as exc:
            raise _EngineError(exc) from exc

    def _evaluate(
        self,
        batch: Sequence[Conversation],
        choices: Sequence[Choices | None],
    ) -> list[set[str]]:
        """Run both sides on ``batch``; per conversation, the Tier-A bugs it shows.

        Every bug not set aside is kept (smallest case) and, when new, becomes
        a lead carrying its conversation's ``choices``; an open lead keeps the
        choices of its smallest conversation, so the shrunk example can be
        shared.
        """
        references, candidates = analyze_pair(self.reference, self.candidate, batch)
        self.tally.batches += 1
        shown: list[set[str]] = []
        rows = zip(batch, choices, references, candidates, strict=True)
        for conversation, its_choices, reference, candidate in rows:
            comparison = compare(reference, candidate, diffs=False)
            self.tally.add(comparison)
            self.sink(ConversationCompared(conversation, reference, candidate, comparison))
            divergence = comparison.tier_a
            signatures = set() if divergence is None else set(divergence.signatures)
            shown.append(signatures)
            fresh = sorted(signatures - self._aside)
            if not fresh:
                continue
            assert divergence is not None
            size = size_key(conversation)  # a JSON dump: once per conversation
            evidence = _Evidence(conversation, reference, candidate, divergence)
            for signature in fresh:
                self._keep(signature, size, evidence)
                self._note_lead(signature, size, its_choices)
        self._progress()
        return shown

    def _note_lead(
        self, signature: str, size: tuple[int, int, int], choices: Choices | None
    ) -> None:
        """Open a lead for a bug seen for the first time; keep the smallest choices of open ones."""
        if signature in self._closed:
            return
        lead = self._leads.get(signature)
        if lead is None:
            if self.coordinator is not None and not self.coordinator.claim(signature):
                self._aside.add(signature)  # another campaign shrinks it
                return
            self._leads[signature] = _Lead(
                signature, choices, size, time.monotonic() - self._started
            )
            self._save_choices(choices)
        elif choices is not None and (lead.choices is None or size < lead.size):
            lead.choices, lead.size = choices, size

    def _keep(self, signature: str, size: tuple[int, int, int], evidence: _Evidence) -> None:
        """Remember the conversation (of ``size``) if it is the smallest yet showing this bug."""
        known = self.best.get(signature)
        if known is not None and size >= self._best_size[signature]:
            return
        case = self._make_case(signature, evidence)
        if known is not None and known.shrunk:
            # Smaller than a case Hypothesis already finished shrinking: at least as minimal,
            # and to be explained in its turn (the old case's explanation is about the old one).
            case = attrs.evolve(case, shrunk=True)
            self._unexplained.add(signature)
        self.best[signature] = case
        self._best_size[signature] = size
        self.sink(DivergenceFound(case) if known is None else CaseImproved(case))

    def _make_case(self, signature: str, evidence: _Evidence) -> Case:
        """A case filed under one bug (one signature); its diff shows all of it."""
        conversation, diff = evidence.copy_and_diff()
        return Case(
            conversation=conversation,
            tier=Tier.A,
            kind=evidence.divergence.kind,
            signature=signature,
            reference=evidence.reference,
            candidate=evidence.candidate,
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

    def _check_done(self) -> None:
        wanted = self.settings.stop_when
        if wanted and all(any(s.startswith(prefix) for s in self._closed) for prefix in wanted):
            raise _Done

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
                rejected=self.tally.rejected,
            )
        )


def _use_private_database(test: Any, key: bytes, seed: int) -> None:
    """Point a ``@given`` test at a fixed key of its database, with a fixed random seed.

    Shrink and replay runs plant choice sequences in a private in-memory
    database under a key of our choosing (Hypothesis derives one from the
    function otherwise; ``find()`` sets the same attribute). ``@seed`` cannot
    be used for determinism here: it also switches the database off.
    """
    test._hypothesis_internal_database_key = key
    test._hypothesis_internal_use_seed = seed


def _default_conversations() -> st.SearchStrategy[Conversation]:
    from fuzz.search.inputs import campaign_conversations

    return campaign_conversations()
