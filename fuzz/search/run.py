"""A whole campaign, composed: targets, corpus, example database, sinks, workers, reports.

This is the composition root of ``signals-fuzz campaign`` (and of the demo):
everything is built and checked from one ``CampaignOptions`` before the
first example, then the campaign runs in this process (one worker) or as
worker processes (``fuzz.search.workers``), and what it found is written.
The CLI only parses, builds the options, and prints the ``CampaignOutcome``.

Who consumes what (``fuzz.search.sinks``): the corpus recorder saves every
case as it is found and shrunk; the local sinks (report sink, pattern
tracker, cross-language tracker) see every comparison, in each campaign process, and are merged
here; the caller's ``progress`` sink sees every event the parent sees.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import attrs

from fuzz.engine.case import Case
from fuzz.engine.outcomes import Target
from fuzz.errors import EXIT_DIVERGED, EXIT_OK, EXIT_USAGE, EXIT_WORKER_CRASHED
from fuzz.gate.baseline import Baseline, load_optional
from fuzz.gate.corpus import Corpus
from fuzz.gate.root_causes import FiledCause, accepted_signatures, file_causes
from fuzz.search.crosslang_coverage import CrossLangCoverage
from fuzz.search.events import CampaignFinished, CorpusFileSkipped, CorpusResumed, Sink
from fuzz.search.options import CampaignOptions, Preparation, campaign_for, prepare, targets_for
from fuzz.search.patterns import PatternCoverage
from fuzz.search.sinks import CorpusRecorder, LocalSinks, fan_out, write_campaign_reports


@attrs.frozen
class SavedCase:
    """Where a bug the campaign found is kept: its corpus file and its reproducer."""

    signature: str
    case: Path
    reproducer: Path
    accepted: bool = False


@attrs.frozen
class CampaignOutcome:
    """What a finished campaign leaves for its caller to print, and its exit code."""

    finished: CampaignFinished
    saved: tuple[SavedCase, ...]
    #: Which cross-language rows the conversations exercised, and how often.
    crosslang: CrossLangCoverage
    #: The root causes of what was found, most signatures first.
    root_causes: tuple[FiledCause, ...] = ()
    #: Workers that crashed, each described with its traceback (exit code 3).
    crashes: tuple[str, ...] = ()
    #: Bugs ``--resume`` set aside (a resumed campaign with any exits 1).
    resumed: frozenset[str] = frozenset()
    patterns: PatternCoverage | None = None
    #: Why the corpus or the reports could not be written (a full disk): the campaign stopped.
    storage_failure: str | None = None

    @property
    def exit_code(self) -> int:
        if self.crashes:
            return EXIT_WORKER_CRASHED
        if self.storage_failure is not None:
            return EXIT_USAGE
        unaccepted = any(not saved.accepted for saved in self.saved)
        return EXIT_DIVERGED if unaccepted or self.resumed else EXIT_OK


def run_campaign(options: CampaignOptions, progress: Sink) -> CampaignOutcome:
    """Check everything, run the campaign, write its reports; ``UsageError`` before any example.

    ``progress`` sees every event of the campaign (all workers', aggregated).
    """
    from fuzz.files import ensure_writable_dir
    from fuzz.gate.reproducers import render_reproducer

    if options.out is not None:
        ensure_writable_dir(options.out, "--out")
    reference, candidate = targets_for(options)
    corpus = Corpus.open(options.corpus, options.shrunk, render_reproducer)
    for checked in corpus.skipped:
        progress(CorpusFileSkipped(str(checked.path), checked.problem or ""))
    resumed = _resume(corpus, options, progress) if options.resume else frozenset()
    baseline = load_optional(options.baseline)
    preparation = prepare(options, baseline, resumed=resumed)
    local = LocalSinks.of(preparation)
    recorder = CorpusRecorder(corpus)
    sink = fan_out(recorder, local, progress)
    finished, crashes = _run(options, preparation, sink, local, (reference, candidate))
    causes = _root_causes(corpus, finished.signatures, baseline)
    accepted = accepted_signatures(causes)
    local.report.metrics.accept(accepted)
    rows = local.crosslang.coverage()
    failure = recorder.failure
    if failure is None:  # after a failed write, nothing more is written
        try:
            _rewrite_reproducers(corpus, causes)
            if options.out is not None:
                write_campaign_reports(
                    options.out,
                    local.report,
                    finished,
                    (reference, candidate),
                    baseline,
                    options.drift_threshold,
                    causes,
                    rows,
                )
        except OSError as exc:
            failure = f"cannot write {exc.filename or options.out}: {exc.strerror or exc}"
    return CampaignOutcome(
        finished=finished,
        saved=_saved(corpus, finished.signatures, accepted),
        root_causes=causes,
        crashes=crashes,
        resumed=resumed,
        patterns=None if local.patterns is None else local.patterns.coverage(),
        crosslang=rows,
        storage_failure=failure,
    )


def _run(
    options: CampaignOptions,
    preparation: Preparation,
    sink: Sink,
    local: LocalSinks,
    targets: tuple[Target, Target],
) -> tuple[CampaignFinished, tuple[str, ...]]:
    """The campaign in this process, or as workers whose local sinks are merged into ``local``."""
    from fuzz.search.workers import run_workers, worker_count

    if worker_count(options) == 1:
        from fuzz.search.stopping import check_stop, stopping_on_ctrl_c

        campaign = campaign_for(options, preparation, fan_out(sink, check_stop), targets=targets)
        with stopping_on_ctrl_c():
            return campaign.run(), ()
    reference, candidate = targets
    result = run_workers(
        options,
        preparation,
        sink,
        reference=reference.identity,
        candidate=candidate.identity,
    )
    for done in result.done:
        local.merge(done.local)
    crashes = tuple(crash.describe() + "\n" + crash.error for crash in result.crashed)
    return result.finished, crashes


def _resume(corpus: Corpus, options: CampaignOptions, progress: Sink) -> frozenset[str]:
    """``--resume``: the bugs whose case in the corpus is shrunk, set aside from the start."""
    cases = corpus.cases()
    done = frozenset(case.signature for case in cases if case.shrunk)
    progress(CorpusResumed(str(options.corpus), len(done), len(cases) - len(done)))
    return done


def _saved(
    corpus: Corpus, signatures: Sequence[str], accepted: frozenset[str]
) -> tuple[SavedCase, ...]:
    return tuple(
        SavedCase(signature, path, corpus.reproducer_path(case), signature in accepted)
        for signature, path, case in _kept(corpus, signatures)
    )


def _kept(corpus: Corpus, signatures: Sequence[str]) -> Iterator[tuple[str, Path, Case]]:
    """The signatures the corpus keeps a case for, with its file and case."""
    for signature in signatures:
        kept = corpus.entry(signature)
        if kept is not None:
            yield signature, *kept


def _root_causes(
    corpus: Corpus, signatures: Sequence[str], baseline: Baseline
) -> tuple[FiledCause, ...]:
    """The root causes of the campaign's finds, each placed at its representative's file."""
    from fuzz.engine.explain import Explanation

    explained = [
        (case.explanation or Explanation.untried(signature, case.conversation), str(path))
        for signature, path, case in _kept(corpus, signatures)
    ]
    return file_causes(explained, baseline=baseline)


def _rewrite_reproducers(corpus: Corpus, causes: Sequence[FiledCause]) -> None:
    """Each find's reproducer, rewritten to name its root cause (known only once every case
    is in)."""
    from fuzz.files import write_atomic
    from fuzz.gate.reproducers import render_reproducer

    for cause in causes:
        for _, path, case in _kept(corpus, cause.signatures):
            write_atomic(corpus.reproducer_path(case), render_reproducer(case, str(path), cause))
