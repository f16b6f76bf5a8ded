"""The release gate: replay items, judge them against the baseline, report, exit.

``signals-fuzz replay`` and ``signals-fuzz parity`` are both this: every item
(saved case or plain conversation) goes through both targets in as few
processes as possible, gets a status (``fuzz.gate.replay``), is accepted or not by
the baseline (``fuzz.gate.baseline``), and lands in the reports
(``fuzz.gate.report_files``). The run fails (exit 1) iff some Tier-A divergence is not
accepted.
"""

from __future__ import annotations

import datetime
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

import attrs

from fuzz import defaults
from fuzz.engine.explain import Explanation, explain_case
from fuzz.engine.outcomes import Target
from fuzz.engine.targets import TargetOptions
from fuzz.errors import EXIT_DIVERGED, EXIT_OK, UsageError
from fuzz.files import ensure_writable_dir
from fuzz.gate.baseline import Baseline, load_optional
from fuzz.gate.metrics import DEFAULT_DRIFT_THRESHOLD, Metrics, run_metadata
from fuzz.gate.replay import (
    ReplayItem,
    ReplayResult,
    Status,
    current_case,
    item_id,
    prune_fixed,
    replay_items,
    with_detail,
)
from fuzz.gate.report_files import JunitCase, ParityReport, diff_record, write_junit, write_reports
from fuzz.gate.reproducers import render_reproducer
from fuzz.gate.root_causes import (
    FiledCause,
    accepted_by,
    accepted_signatures,
    all_accepted,
    causes_of_results,
)

#: Seconds ``--explain`` may spend on one divergent item.
EXPLAIN_LIMIT = 30.0


@attrs.frozen
class GateOptions:
    """What ``replay`` and ``parity`` share, validated by ``check``."""

    reference: str
    candidate: str
    mode: str = "replay"
    timeout: float = defaults.TIMEOUT
    baseline: Path | None = None
    baseline_update: bool = False
    out: Path | None = None
    junit: Path | None = None
    prune_fixed: bool = False
    archive: Path | None = None
    shrunk: Path | None = None
    drift_threshold: float = DEFAULT_DRIFT_THRESHOLD
    command: str = ""
    seed: int | None = None
    seed_file: str | None = None
    dataset_revision: str | None = None
    today: datetime.date | None = None
    #: Print a line for every item, agreeing ones (OK) included.
    verbose: bool = False
    #: Explain divergent items that carry no explanation (plain conversations, changed cases).
    explain: bool = False
    #: Run a ``py:`` target in a child process (``--isolate``); cap target memory in bytes.
    isolate: bool = False
    max_memory: int | None = None

    @property
    def targets(self) -> TargetOptions:
        """How this run starts its targets."""
        return TargetOptions(self.timeout, self.isolate, self.max_memory)


def check(options: GateOptions) -> Baseline:
    """Refuse bad options before any analyzer runs; return the baseline."""
    if options.baseline_update and options.baseline is None:
        raise UsageError("--baseline-update needs --baseline FILE (the file to write)")
    if options.archive is not None and not options.prune_fixed:
        raise UsageError(f"--archive={str(options.archive)!r} only makes sense with --prune-fixed")
    baseline = load_optional(options.baseline, missing_ok=options.baseline_update)
    if options.out is not None:
        ensure_writable_dir(options.out, "--out")
    if options.junit is not None and not options.junit.parent.is_dir():
        raise UsageError(
            f"--junit={str(options.junit)!r}: folder {str(options.junit.parent)!r} does not exist"
        )
    return baseline


def _junit_case(
    result: ReplayResult,
    accepted: bool,
    mode: str,
    reference: Target,
    candidate: Target,
    command: str,
    baseline: Baseline,
) -> JunitCase:
    classname = f"signals-fuzz.{mode}.{result.path.stem}"
    name = item_id(result.item)
    status = result.status
    if not status.diverges:
        return JunitCase(classname, name, system_out=status.value)
    label = result.label or ""
    if accepted:
        entry = baseline.entries.get(result.signatures[0])
        reason = entry.reason if entry is not None else "its root cause is accepted"
        return JunitCase(
            classname,
            name,
            system_out=f"{status.value} (accepted by the baseline: {reason}): {label}",
        )
    # A reproducer shows every tier, so this one gets its Tier-C diff computed.
    case = current_case(
        with_detail(result), reference.identity, candidate.identity, command=command
    )
    assert case is not None
    corpus_file = str(result.path) if result.item.case is not None else ""
    return JunitCase(
        classname,
        name,
        failure_message=f"{status.value}: {label}",
        failure_type=status.value,
        failure_text=render_reproducer(case, corpus_file),
    )


def _print_results(
    results: Sequence[tuple[ReplayResult, bool]], stream: TextIO, *, verbose: bool
) -> None:
    """One line per item that needs a look (every item with ``verbose``), then the totals.

    Agreeing plain conversations (OK) are only counted by default: a 10,000-line
    seed file must not print 10,000 lines to say that nothing happened.
    """
    counts = {status: 0 for status in Status}
    rejected = 0
    for result, accepted in results:
        rejected += result.comparison.rejected is not None
        status = result.status
        counts[status] += 1
        if status is Status.OK and not verbose:
            continue
        detail = "" if result.label is None else f"  [{result.label}]"
        mark = " (accepted)" if accepted else ""
        print(f"{status.value:8} {result.item.source}{detail}{mark}", file=stream)
    shown = [
        f"{n} {status.value}"
        for status, n in counts.items()
        if n or status.value in ("FIXED", "STILL", "CHANGED")
    ]
    both = f"; {rejected} rejected by both sides alike (not a divergence)" if rejected else ""
    print(", ".join(shown) + f" of {len(results)} item(s)" + both, file=stream)


@attrs.define
class _Judged:
    """What the gate made of the replayed items: metrics, diff records, JUnit cases."""

    metrics: Metrics = attrs.field(factory=Metrics)
    records: list[dict[str, Any]] = attrs.field(factory=list)
    junit: list[JunitCase] = attrs.field(factory=list)
    verdicts: list[tuple[ReplayResult, bool]] = attrs.field(factory=list)
    root_causes: tuple[FiledCause, ...] = ()


def run_gate(options: GateOptions, items: Sequence[ReplayItem], *, baseline: Baseline) -> int:
    """Replay ``items``, judge, report; the exit code (0 pass, 1 unaccepted Tier A).

    ``baseline`` is what ``check(options)`` returned (the CLI checks before it reads items).
    """
    out = sys.stdout
    today = options.today or datetime.date.today()
    started_at = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    reference = options.targets.parse(options.reference)
    candidate = options.targets.parse(options.candidate)
    clock = time.monotonic()
    results = replay_items(reference, candidate, items)
    elapsed = time.monotonic() - clock
    explainer = _explainer(reference, candidate) if options.explain else None
    causes = causes_of_results(results, baseline=baseline, today=today, explain=explainer)
    if options.baseline_update:
        baseline = _update_baseline(options, baseline, results, causes, out)
    judged = _judge(options, results, baseline, today, (reference, candidate), causes)
    _print_results(judged.verdicts, out, verbose=options.verbose)
    _print_root_causes(causes, out)
    if options.out is not None:
        run = run_metadata(
            mode=options.mode,
            reference=reference.identity,
            candidate=candidate.identity,
            seed=options.seed,
            dataset_revision=options.dataset_revision,
            seed_file=options.seed_file,
            command=options.command,
            started_at=started_at,
        )
        _write_report_files(options, judged, run, baseline, today, out)
    if options.junit is not None:
        write_junit(options.junit, f"signals-fuzz {options.mode}", judged.junit, elapsed=elapsed)
        print(f"junit: {options.junit}", file=out)
    if options.prune_fixed:
        for source, target in prune_fixed(results, archive=options.archive, shrunk=options.shrunk):
            print(f"archived {source} -> {target}", file=out)
    return _verdict(judged.metrics, out)


def _update_baseline(
    options: GateOptions,
    baseline: Baseline,
    results: Sequence[ReplayResult],
    causes: Sequence[FiledCause],
    out: TextIO,
) -> Baseline:
    """``--baseline-update``: write exactly the signatures seen now, keeping known reasons;
    signatures an accepted root cause covers need no entry of their own."""
    assert options.baseline is not None
    covered = accepted_signatures(causes)
    seen = {signature for r in results for signature in r.signatures} - covered
    updated = baseline.updated(seen)
    updated.save(options.baseline)
    added = sorted(set(updated.entries) - set(baseline.entries))
    dropped = sorted(set(baseline.entries) - set(updated.entries))
    print(
        f"baseline: wrote {len(updated.entries)} entry(ies) to {options.baseline} "
        f"({len(added)} new, {len(dropped)} dropped)",
        file=out,
    )
    return updated


def _judge(
    options: GateOptions,
    results: Sequence[ReplayResult],
    baseline: Baseline,
    today: datetime.date,
    targets: tuple[Target, Target],
    causes: tuple[FiledCause, ...],
) -> _Judged:
    """Each result accepted or not (by its signatures, or by their root causes), counted,
    recorded, and (with ``--junit``) written up."""
    judged = _Judged(root_causes=causes)
    accepts = accepted_by(baseline, causes, today)
    for result in results:
        accepted = all_accepted(result.signatures, accepts)
        judged.verdicts.append((result, accepted))
        status = result.status
        judged.metrics.add(
            result.reference,
            result.candidate,
            result.comparison,
            status=status.value,
            accepted=accepts,
        )
        record = diff_record(
            item_id(result.item),
            result.comparison,
            source=result.item.source,
            status=status.value,
            accepted=accepted,
            saved_signature=None if result.item.case is None else result.item.case.signature,
            messages=result.item.conversation,
        )
        if record is not None:
            judged.records.append(record)
        if options.junit is not None:
            judged.junit.append(
                _junit_case(result, accepted, options.mode, *targets, options.command, baseline)
            )
    return judged


def _write_report_files(
    options: GateOptions,
    judged: _Judged,
    run: dict[str, Any],
    baseline: Baseline,
    today: datetime.date,
    out: TextIO,
) -> None:
    assert options.out is not None
    report = ParityReport(
        mode=options.mode,
        metrics=judged.metrics,
        run=run,
        records=judged.records,
        baseline={sig: entry.to_json() for sig, entry in baseline.entries.items()},
        expired=baseline.expired(today),
        root_causes=judged.root_causes,
    )
    written = write_reports(options.out, report, threshold=options.drift_threshold)
    print(f"reports: {', '.join(str(p) for p in written.values())}", file=out)


def _explainer(reference: Target, candidate: Target) -> Callable[[ReplayResult], Explanation]:
    """``--explain``: explain a divergent item by its first signature (30 s at most each)."""

    def explain_result(result: ReplayResult) -> Explanation:
        deadline = time.monotonic() + EXPLAIN_LIMIT
        return explain_case(
            result.item.conversation,
            result.signatures[0],
            reference,
            candidate,
            deadline=deadline,
        )

    return explain_result


def _print_root_causes(causes: Sequence[FiledCause], out: TextIO) -> None:
    """The divergent items grouped by root cause, after the item lines."""
    if not causes:
        return
    print(f"{len(causes)} root cause(s):", file=out)
    for cause in causes:
        mark = " (accepted)" if cause.accepted else ""
        print(f"  {cause.id}{mark}: {cause.cause.explanation}", file=out)
        print(
            f"    e.g. {cause.representative}; signatures: {', '.join(cause.signatures)}", file=out
        )


def _verdict(metrics: Metrics, out: TextIO) -> int:
    """Print the gate's verdict; its exit code."""
    if metrics.unaccepted:
        print(
            f"gate: FAIL: {metrics.unaccepted_divergences} Tier-A divergence(s) outside the "
            f"baseline, {len(metrics.unaccepted)} signature(s)",
            file=out,
        )
        return EXIT_DIVERGED
    print(
        f"gate: PASS: no Tier-A divergence outside the baseline ({metrics.tier_a} accepted)",
        file=out,
    )
    return EXIT_OK
