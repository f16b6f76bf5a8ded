"""Every consumer of campaign events, in one place.

The campaign only emits events (``fuzz.search.events``); what a user sees
and keeps is made here, by sinks the composition root (``fuzz.search.run``)
chains with ``fan_out``:

* ``ProgressLine``: the live progress on stderr, and the found / shrunk /
  finished lines;
* ``CorpusRecorder``: saves each case the moment it is found, again each
  time it shrinks, and once more when it is explained (``fuzz.gate.corpus``);
* ``ReportSink``: gathers metrics and diff records for the report files
  (``fuzz.gate.report_files``), written by ``write_campaign_reports``.

``LocalSinks`` groups the sinks every campaign process keeps for itself:
the report sink, ``fuzz.search.crosslang_coverage.CrossLangTracker`` and
``fuzz.search.patterns.PatternTracker`` (each kept beside the coverage it
measures).
"""

from __future__ import annotations

import datetime
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import attrs

from fuzz.engine.case import Case, conversation_hash, size_key
from fuzz.engine.outcomes import Target
from fuzz.gate.baseline import Baseline
from fuzz.gate.corpus import Corpus
from fuzz.gate.metrics import DEFAULT_DRIFT_THRESHOLD, Metrics
from fuzz.gate.report_files import ParityReport, case_record, diff_record, write_reports
from fuzz.gate.root_causes import FiledCause
from fuzz.search.crosslang_coverage import CrossLangCoverage, CrossLangTracker
from fuzz.search.events import (
    BatchCompared,
    CampaignFinished,
    CampaignStarted,
    CaseExplained,
    CaseImproved,
    ConversationCompared,
    CorpusFileSkipped,
    CorpusResumed,
    DivergenceFound,
    Event,
    ShrinkFinished,
    Sink,
    StopCampaign,
    WorkersStarted,
)
from fuzz.search.patterns import PatternTracker

if TYPE_CHECKING:
    from fuzz.search.options import Preparation

#: The reason a campaign stops when its corpus can no longer be written.
STORAGE_FAILED = "the corpus could not be written"


def fan_out(*sinks: Sink) -> Sink:
    """One sink that hands every event to each of ``sinks`` in order."""

    def emit(event: Event) -> None:
        for sink in sinks:
            sink(event)

    return emit


@attrs.define
class CorpusRecorder:
    """Saves each case the moment it is found, and again each time it shrinks.

    This is what makes an interrupted campaign lose nothing: the corpus always
    holds the smallest conversation seen so far for every signature.
    """

    corpus: Corpus
    #: Why the corpus can no longer be written (a full disk), once that happened.
    failure: str | None = None

    def __call__(self, event: Event) -> None:
        if self.failure is not None:
            return  # said once; the campaign is stopping, and nothing more is written
        if isinstance(event, DivergenceFound | CaseImproved | CaseExplained):
            final = isinstance(event, CaseImproved) and event.final
            try:
                self.corpus.save(event.case, final=final)
            except OSError as exc:
                where = exc.filename or self.corpus.root
                self.failure = f"cannot write {where}: {exc.strerror or exc}"
                raise StopCampaign(STORAGE_FAILED) from None


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    if seconds >= 60:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds}s"


@attrs.define
class ProgressLine:
    """Live progress on stderr: redrawn in place on a terminal, else a line every few seconds."""

    stream: TextIO = attrs.field(factory=lambda: sys.stderr)
    interval: float = 1.0
    clock: Callable[[], float] = time.monotonic
    _last: float = attrs.field(default=-1e9, init=False)
    _drawn: bool = attrs.field(default=False, init=False)

    def __attrs_post_init__(self) -> None:
        if not self._tty:
            self.interval = max(self.interval, 5.0)

    @property
    def _tty(self) -> bool:
        return bool(getattr(self.stream, "isatty", lambda: False)())

    def _say(self, text: str) -> None:
        if self._drawn and self._tty:
            self.stream.write("\r\x1b[K")
        self.stream.write(text + "\n")
        self.stream.flush()
        self._drawn = False

    def __call__(self, event: Event) -> None:
        if isinstance(event, CorpusResumed):
            later = (
                f"; {event.unfinished} unshrunk case(s) will be shrunk when found again"
                if event.unfinished
                else ""
            )
            self._say(
                f"signals-fuzz: resume: {event.set_aside} known bug(s) set aside "
                f"(shrunk in {event.corpus}){later}"
            )
        elif isinstance(event, CorpusFileSkipped):
            self._say(event.line)
        elif isinstance(event, WorkersStarted):
            seeds = ", ".join(str(seed) for seed in event.seeds)
            self._say(f"signals-fuzz: {len(event.seeds)} worker processes, seeds {seeds}")
        elif isinstance(event, CampaignStarted):
            self._say(f"signals-fuzz: seed {event.seed}")
            self._say(f"  reference: {event.reference.spec}")
            self._say(f"  candidate: {event.candidate.spec}")
            self._say(f"  rerun with: {event.command}")
        elif isinstance(event, BatchCompared):
            self._progress(event)
        elif isinstance(event, DivergenceFound):
            case = event.case
            self._say(
                f"  found: {case.signature} ({len(case.conversation)} messages, shrinking...)"
            )
        elif isinstance(event, CaseExplained) and event.case.explanation is not None:
            self._say(f"  why: {event.case.signature}: {event.case.explanation.sentence}")
        elif isinstance(event, ShrinkFinished):
            (hyp_messages, hyp_chars), (messages, chars) = event.hypothesis_size, event.final_size
            self._say(
                f"  shrunk: {event.signature} -> {messages} messages, {chars} chars "
                f"(Hypothesis {hyp_messages} msg/{hyp_chars} ch in "
                f"{event.hypothesis_seconds:.1f}s"
                f"{'' if event.hypothesis_fixed_point else ', stopped early'}, "
                f"batched pass {event.minimise_batches} "
                f"batch(es) in {event.minimise_seconds:.1f}s)"
            )
        elif isinstance(event, CampaignFinished):
            rate = event.conversations / event.elapsed if event.elapsed > 0 else 0.0
            self._say(
                f"signals-fuzz: stopped ({event.reason}) after {_duration(event.elapsed)}: "
                f"{event.conversations:,} conversations ({rate:,.0f}/s), "
                f"Tier A {event.tier_a:,}, Tier B {event.tier_b:,}, "
                f"rejected by both {event.rejected:,}, "
                f"{len(event.signatures)} distinct Tier-A signature(s)"
            )
            if event.unshrunk:
                self._say(
                    f"  not fully shrunk when it stopped ({len(event.unshrunk)}): "
                    + ", ".join(event.unshrunk)
                )

    def _progress(self, event: BatchCompared) -> None:
        now = self.clock()
        if now - self._last < self.interval:
            return
        self._last = now
        rate = event.conversations / event.elapsed if event.elapsed > 0 else 0.0
        left = "" if event.remaining is None else f" | {_duration(event.remaining)} left"
        line = (
            f"  [{_duration(event.elapsed)}] {event.batches:,} examples, "
            f"{event.conversations:,} conversations ({rate:,.0f}/s) | "
            f"Tier A {event.tier_a:,} | Tier B {event.tier_b:,} | "
            f"rejected by both {event.rejected:,} | {event.signatures} signature(s){left}"
        )
        if self._tty:
            self.stream.write("\r\x1b[K" + line)
            self.stream.flush()
            self._drawn = True
        else:
            self._say(line)


# ------------------------------------------------------------ report files ---


@attrs.define
class ReportSink:
    """Accumulates a campaign's events into metrics and diff records for ``write_reports``."""

    metrics: Metrics = attrs.field(factory=Metrics)
    cases: dict[str, Case] = attrs.field(factory=dict)
    tier_b_examples: dict[str, tuple[tuple[int, int, int], dict[str, Any]]] = attrs.field(
        factory=dict
    )
    accepted: frozenset[str] = frozenset()  # the baseline's signatures, set aside by the search
    #: Whether to keep the cases (a worker's sink does not: the parent keeps them).
    keep_cases: bool = True
    started: CampaignStarted | None = None
    started_at: str | None = None

    def merge(self, other: ReportSink) -> None:
        """Add what a worker's sink counted: its metrics and its smallest Tier-B examples.

        Its cases are not taken: the parent's own sink sees every case a worker
        finds, as the events it forwards.
        """
        self.metrics.merge(other.metrics)
        for signature, example in other.tier_b_examples.items():
            if self._smaller_tier_b(signature, example[0]):
                self.tier_b_examples[signature] = example

    def _smaller_tier_b(self, signature: str, size: tuple[int, int, int]) -> bool:
        """Whether an example of ``size`` would be the smallest yet for this Tier-B signature."""
        known = self.tier_b_examples.get(signature)
        return known is None or size < known[0]

    def __call__(self, event: Event) -> None:
        if isinstance(event, ConversationCompared):
            comparison = event.comparison
            self.metrics.add(event.reference, event.candidate, comparison, accepted=self.accepted)
            tier_b = comparison.tier_b
            if tier_b is not None and comparison.tier_a is None:
                size = size_key(event.conversation)
                if self._smaller_tier_b(tier_b.label, size):
                    record = diff_record(
                        conversation_hash(event.conversation)[:12],
                        comparison,
                        messages=event.conversation,
                    )
                    assert record is not None
                    self.tier_b_examples[tier_b.label] = (size, record)
        elif self.keep_cases and isinstance(event, DivergenceFound | CaseImproved | CaseExplained):
            known = self.cases.get(event.case.signature)
            final = isinstance(event, CaseImproved) and event.final
            if known is None or final or event.case.smaller_than(known):  # in any order
                self.cases[event.case.signature] = event.case
        elif isinstance(event, CampaignStarted):
            self.started = event
            self.started_at = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")

    def records(self) -> list[dict[str, Any]]:
        found = [case_record(case) for _, case in sorted(self.cases.items())]
        examples = [record for _, (_, record) in sorted(self.tier_b_examples.items())]
        return found + examples


def write_campaign_reports(
    out_dir: Path,
    sink: ReportSink,
    finished: CampaignFinished,
    targets: tuple[Target, Target],
    baseline: Baseline,
    threshold: float = DEFAULT_DRIFT_THRESHOLD,
    root_causes: Sequence[FiledCause] = (),
    crosslang: CrossLangCoverage | None = None,
) -> dict[str, Path]:
    """The report files of a finished campaign, from what its ``ReportSink`` gathered."""
    from fuzz.gate.metrics import run_metadata

    today = datetime.date.today()
    started = sink.started
    reference, candidate = targets
    report = ParityReport(
        mode="campaign",
        metrics=sink.metrics,
        run=run_metadata(
            mode="campaign",
            reference=reference.identity,
            candidate=candidate.identity,
            seed=None if started is None else started.seed,
            command="" if started is None else started.command,
            started_at=sink.started_at,
        ),
        records=sink.records(),
        baseline={sig: entry.to_json() for sig, entry in baseline.entries.items()},
        expired=baseline.expired(today),
        found=finished.signatures,
        root_causes=root_causes,
        crosslang=None if crosslang is None else crosslang.to_json(),
    )
    return write_reports(out_dir, report, threshold=threshold)


# ------------------------------------------------------------- local sinks ---


@attrs.define
class LocalSinks:
    """The sinks every campaign process keeps for itself, over every conversation it compares.

    Workers do not send each comparison home (thousands a second): each keeps
    its own local sinks and sends them whole when it ends, and the parent
    merges them into its own. A worker's report sink keeps no cases: the
    parent's sees every case as the events the worker forwards.
    """

    report: ReportSink
    crosslang: CrossLangTracker = attrs.field(factory=CrossLangTracker)
    #: With a dictionary only.
    patterns: PatternTracker | None = None

    @classmethod
    def of(cls, preparation: Preparation, *, cases: bool = True) -> LocalSinks:
        """One campaign process's local sinks (``cases``: whether its report keeps cases)."""
        patterns = None
        if preparation.dictionary is not None:
            patterns = PatternTracker(preparation.dictionary)
        return cls(ReportSink(accepted=preparation.accepted, keep_cases=cases), patterns=patterns)

    def __call__(self, event: Event) -> None:
        self.report(event)
        self.crosslang(event)
        if self.patterns is not None:
            self.patterns(event)

    def merge(self, other: LocalSinks) -> None:
        """Fold a worker's local sinks into these."""
        self.report.merge(other.report)
        self.crosslang.merge(other.crosslang)
        if self.patterns is not None and other.patterns is not None:
            self.patterns.merge(other.patterns)
