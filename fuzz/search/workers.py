"""Run one campaign as N worker processes that share a corpus, a database and their claims.

Why processes: a ``py:`` analyzer runs in the campaign's own interpreter, so
threads would share one GIL; N processes use N cores. Each worker is started
with the ``spawn`` method and rebuilds its targets and strategy from their
specs (nothing unpicklable crosses the process boundary), with a seed derived
from the campaign seed (worker 0 keeps the campaign seed itself).

Who writes what:

* the **parent** is the only writer of the corpus: workers send it their
  ``DivergenceFound``, ``CaseImproved``, ``CaseExplained`` and
  ``ShrinkFinished`` events over a queue, and
  ``fuzz.gate.corpus.Corpus`` keeps the smallest case per signature, so a bug
  two workers find is saved once, as the smaller case;
* a bug is **shrunk by one worker only**: the first to claim its signature
  (``FileClaims``: a file per signature in a folder of the run, created
  with a hard link, which fails if it exists); the others report it once and
  leave it alone, as they do with set-aside bugs. (A ``multiprocessing``
  manager dict did the same, but its server process cost a second or more of
  start-up before the first worker could start, and has to be kept alive
  through Ctrl-C; a folder needs neither.)
* the **example database** is opened by each worker from its spec: a folder
  or a Redis server, both safe to share;
* **progress** is aggregated: workers send their running totals (at most a
  few times a second, never one message per conversation) and, at the end,
  their local sinks whole (``fuzz.search.sinks.LocalSinks``: metrics, Tier-B
  examples, cross-language rows, pattern hits), which the parent merges.

Ctrl-C reaches every worker (the terminal signals the whole process group;
the parent forwards it as well for a parent signalled alone). Each worker
stops its campaign cleanly and sends its final totals; the parent waits for
them, so nothing found is lost. A second Ctrl-C terminates the workers. A
worker that dies is reported with its exit code or traceback and the others
carry on.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import multiprocessing
import os
import queue as queue_module
import shutil
import signal
import tempfile
import threading
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any

import attrs

from fuzz.engine.outcomes import TargetIdentity
from fuzz.gate.metrics import Metrics
from fuzz.search.events import (
    BatchCompared,
    CampaignFinished,
    CampaignStarted,
    CaseExplained,
    CaseImproved,
    DivergenceFound,
    Event,
    ShrinkFinished,
    Sink,
    StopCampaign,
    WorkersStarted,
)
from fuzz.search.options import CampaignOptions, Preparation, campaign_for
from fuzz.search.sinks import LocalSinks, fan_out
from fuzz.search.stopping import STOP_SIGNALS, check_stop, handle_ctrl_c

#: Seconds between two progress messages from one worker.
PROGRESS_INTERVAL = 0.5
#: Seconds the parent keeps draining the queue for a worker whose process has ended.
EXIT_GRACE = 2.0
_POLL = 0.2


def worker_seed(seed: int, index: int) -> int:
    """Worker ``index``'s seed: the campaign seed for worker 0, a stable derivation otherwise."""
    if index == 0:
        return seed
    digest = hashlib.sha256(f"signals-fuzz-worker:{seed}:{index}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


def examples_share(max_examples: int | None, workers: int, index: int) -> int | None:
    """Worker ``index``'s part of ``max_examples``: the total is split as evenly as possible."""
    if max_examples is None:
        return None
    return max_examples // workers + (index < max_examples % workers)


# ----------------------------------------------------------------- claims ---


def worker_count(options: CampaignOptions) -> int:
    """How many processes the campaign runs: ``--workers``, but never more than examples."""
    if options.max_examples is not None:
        return max(1, min(options.workers, options.max_examples))
    return max(1, options.workers)


@attrs.frozen
class FileClaims:
    """A ``Coordinator`` over a folder: the first worker to link a signature's file owns it.

    The claim file is written whole under a private name, then hard-linked to
    the signature's name; ``link`` fails when that name exists, atomically, so
    exactly one worker wins, and a reader never sees a half-written file.
    """

    directory: Path
    worker: int

    def claim(self, signature: str) -> bool:
        path = self.directory / hashlib.sha256(signature.encode()).hexdigest()
        draft = self.directory / f".{path.name}.{self.worker}.{os.getpid()}"
        draft.write_text(json.dumps({"signature": signature, "worker": self.worker}), "utf-8")
        try:
            os.link(draft, path)
        except FileExistsError:
            return _claim_file(path)[1] == self.worker
        finally:
            draft.unlink(missing_ok=True)
        return True


def _claim_file(path: Path) -> tuple[str, int]:
    data = json.loads(path.read_text("utf-8"))
    return str(data["signature"]), int(data["worker"])


def read_claims(directory: Path) -> dict[str, int]:
    """Every claim made in ``directory``: signature -> the worker that won it."""
    return dict(
        _claim_file(path) for path in sorted(directory.iterdir()) if not path.name.startswith(".")
    )


# ---------------------------------------------------------------- messages ---


@attrs.frozen
class WorkerEvent:
    """One campaign event a worker passes on (a find, a smaller case, its running totals)."""

    worker: int
    event: Event


@attrs.frozen
class WorkerDone:
    """A worker's campaign ended (``finished`` is None if Ctrl-C came before it started).

    ``local`` holds its local sinks (``fuzz.search.sinks.LocalSinks``), whole.
    """

    worker: int
    finished: CampaignFinished | None
    local: LocalSinks


@attrs.frozen
class WorkerFailed:
    """A worker's campaign raised: a fuzzer bug, reported with its traceback."""

    worker: int
    error: str


Message = WorkerEvent | WorkerDone | WorkerFailed


@attrs.frozen
class WorkerCrash:
    """A worker that ended without its final totals: a traceback or a bare exit code."""

    worker: int
    exitcode: int | None
    error: str

    def describe(self) -> str:
        last = self.error.strip().splitlines()[-1] if self.error.strip() else ""
        how = f"exit code {self.exitcode}" if self.exitcode is not None else "no exit code"
        return f"worker {self.worker} crashed ({how})" + (f": {last}" if last else "")


@attrs.frozen
class WorkersFinished:
    """The whole campaign: aggregated totals, what each worker did, and who crashed."""

    finished: CampaignFinished
    #: Each worker's own metrics, Tier-B examples and pattern hits, by worker.
    done: tuple[WorkerDone, ...]
    claims: dict[str, int]  # signature -> the worker that claimed (and so shrank) it
    found_by: dict[str, tuple[int, ...]]  # signature -> workers that reported finding it
    shrunk_by: dict[str, tuple[int, ...]]  # signature -> workers that finished shrinking it
    crashed: tuple[WorkerCrash, ...]
    worker_elapsed: dict[int, float]  # worker -> seconds its own campaign ran (start-up excluded)

    @property
    def metrics(self) -> Metrics:
        """All workers' metrics added up."""
        total = Metrics()
        for done in self.done:
            total.merge(done.local.report.metrics)
        return total


# ------------------------------------------------------------ worker side ---


@attrs.define
class _Forward:
    """A worker's sink: finds and smaller cases go to the parent at once, totals now and then."""

    queue: Any
    worker: int
    interval: float = PROGRESS_INTERVAL
    _last: float = -1e9

    def __call__(self, event: Event) -> None:
        if isinstance(event, DivergenceFound | CaseImproved | CaseExplained | ShrinkFinished):
            self.queue.put(WorkerEvent(self.worker, event))
        elif isinstance(event, BatchCompared):
            now = time.monotonic()
            if now - self._last >= self.interval:
                self._last = now
                self.queue.put(WorkerEvent(self.worker, event))


def _ignore_stop_signals() -> None:
    """The worker's last words (its totals) must reach the parent, whatever signal follows."""
    for stop in STOP_SIGNALS:
        signal.signal(stop, signal.SIG_IGN)


def _worker_main(
    options: CampaignOptions,
    preparation: Preparation,
    index: int,
    workers: int,
    queue: Any,
    claims: Path,
) -> None:
    """A worker process: one campaign with its own seed and share, reporting to ``queue``."""
    handle_ctrl_c(once=True)
    local = LocalSinks.of(preparation, cases=False)
    finished: CampaignFinished | None = None
    try:
        # Ctrl-C before the campaign started: nothing to lose, nothing to report.
        with contextlib.suppress(KeyboardInterrupt):
            mine = attrs.evolve(
                options,
                seed=worker_seed(options.seed, index),
                max_examples=examples_share(options.max_examples, workers, index),
                workers=1,
            )
            sink = fan_out(local, _Forward(queue, index), check_stop)
            finished = campaign_for(mine, preparation, sink, FileClaims(claims, index)).run()
        _ignore_stop_signals()
        queue.put(WorkerDone(index, finished, local))
    except BaseException:
        _ignore_stop_signals()
        queue.put(WorkerFailed(index, traceback.format_exc()))
        raise SystemExit(1) from None
    finally:
        queue.close()
        queue.join_thread()


# ------------------------------------------------------------ parent side ---


@attrs.define
class _Interrupts:
    """The parent's Ctrl-C handler: counts presses instead of raising mid-write."""

    count: int = 0

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        self.count += 1


@contextlib.contextmanager
def _counting_interrupts() -> Iterator[_Interrupts]:
    interrupts = _Interrupts()
    if threading.current_thread() is not threading.main_thread():
        yield interrupts
        return
    previous = {stop: signal.signal(stop, interrupts) for stop in STOP_SIGNALS}
    try:
        yield interrupts
    finally:
        for stop, handler in previous.items():
            signal.signal(stop, handler)


@attrs.define
class _Aggregate:
    """The parent's view of all workers: running totals, finds, and who has ended."""

    sink: Sink
    started: float
    deadline: float | None
    totals: dict[int, BatchCompared] = attrs.field(factory=dict)
    known: set[str] = attrs.field(factory=set)
    found_by: dict[str, list[int]] = attrs.field(factory=dict)
    shrunk_by: dict[str, list[int]] = attrs.field(factory=dict)
    done: dict[int, WorkerDone] = attrs.field(factory=dict)
    failed: dict[int, str] = attrs.field(factory=dict)
    #: Why the parent stopped every worker itself (a sink raised ``StopCampaign``).
    stopped: str | None = None

    def handle(self, message: Message) -> None:
        if isinstance(message, WorkerDone):
            self.done[message.worker] = message
        elif isinstance(message, WorkerFailed):
            self.failed[message.worker] = message.error
        elif isinstance(message.event, BatchCompared):
            self.totals[message.worker] = message.event
            self.sink(self.progress())
        else:
            self._case(message.worker, message.event)

    def _case(self, worker: int, event: Event) -> None:
        if isinstance(event, DivergenceFound):
            signature = event.case.signature
            self.found_by.setdefault(signature, []).append(worker)
            if signature in self.known:
                # Found again by another worker: for the corpus just a (maybe smaller) case.
                event = CaseImproved(event.case)
            self.known.add(signature)
        elif isinstance(event, CaseImproved) and event.final:
            self.shrunk_by.setdefault(event.case.signature, []).append(worker)
        cases = DivergenceFound | CaseImproved | CaseExplained
        shrunk_by = self.shrunk_by.get(event.case.signature) if isinstance(event, cases) else None
        if shrunk_by and worker not in shrunk_by:
            # Shrunk and explained by the worker that owns it: another worker's first sight
            # of it (set aside from then on) is not a better case, however small.
            return
        self.sink(event)

    def progress(self) -> BatchCompared:
        now = time.monotonic()
        parts = list(self.totals.values())
        return BatchCompared(
            conversations=sum(p.conversations for p in parts),
            batches=sum(p.batches for p in parts),
            tier_a=sum(p.tier_a for p in parts),
            tier_b=sum(p.tier_b for p in parts),
            tier_c=sum(p.tier_c for p in parts),
            signatures=len(self.known),
            elapsed=now - self.started,
            remaining=None if self.deadline is None else max(0.0, self.deadline - now),
            rejected=sum(p.rejected for p in parts),
        )

    def finished(self, interrupted: bool) -> CampaignFinished:
        parts = [d.finished for d in self.done.values() if d.finished is not None]
        reasons = {p.reason for p in parts}
        if self.stopped is not None:
            reason = self.stopped
        elif interrupted or "interrupted" in reasons:
            reason = "interrupted"
        elif "budget" in reasons:
            reason = "budget"
        else:
            reason = "max-examples"
        signatures = set(self.known)
        for part in parts:
            signatures.update(part.signatures)
        return CampaignFinished(
            reason=reason,
            conversations=sum(p.conversations for p in parts),
            batches=sum(p.batches for p in parts),
            tier_a=sum(p.tier_a for p in parts),
            tier_b=sum(p.tier_b for p in parts),
            signatures=tuple(sorted(signatures)),
            elapsed=time.monotonic() - self.started,
            rejected=sum(p.rejected for p in parts),
            # A worker that lost a bug's claim reports it unshrunk; another shrank it.
            unshrunk=tuple(sorted({s for p in parts for s in p.unshrunk} - self.shrunk_by.keys())),
        )


def run_workers(
    options: CampaignOptions,
    preparation: Preparation,
    sink: Sink,
    *,
    reference: TargetIdentity,
    candidate: TargetIdentity,
) -> WorkersFinished:
    """Run the campaign as ``options.workers`` processes; every event the parent sees goes
    to ``sink``.

    ``reference`` and ``candidate`` are the identities the parent validated
    (for ``CampaignStarted``); each worker builds its own targets from the specs.
    """
    workers = worker_count(options)
    context = multiprocessing.get_context("spawn")
    claims = Path(tempfile.mkdtemp(prefix="signals-fuzz-claims-"))
    try:
        queue = context.Queue()
        started = time.monotonic()
        deadline = None if options.budget is None else started + options.budget
        aggregate = _Aggregate(sink, started, deadline)
        sink(WorkersStarted(tuple(worker_seed(options.seed, i) for i in range(workers))))
        sink(CampaignStarted(options.seed, options.command, reference, candidate))
        processes = [
            context.Process(
                target=_worker_main,
                args=(options, preparation, index, workers, queue, claims),
                name=f"signals-fuzz-worker-{index}",
            )
            for index in range(workers)
        ]
        with _counting_interrupts() as interrupts:
            for process in processes:
                process.start()
            _wait(processes, queue, aggregate, interrupts)
            interrupted = interrupts.count > 0
        for process in processes:
            process.join(timeout=EXIT_GRACE)
        # A worker that died silently after Ctrl-C was stopped before its campaign began
        # (Python's own handler was still in place): not a crash.
        crashed = tuple(
            WorkerCrash(index, processes[index].exitcode, error)
            for index, error in sorted(aggregate.failed.items())
            if error or not interrupted
        )
        finished = aggregate.finished(interrupted)
        sink(finished)
        return WorkersFinished(
            finished=finished,
            done=tuple(done for _, done in sorted(aggregate.done.items())),
            claims=read_claims(claims),
            found_by={s: tuple(w) for s, w in aggregate.found_by.items()},
            shrunk_by={s: tuple(w) for s, w in aggregate.shrunk_by.items()},
            crashed=crashed,
            worker_elapsed={
                index: done.finished.elapsed
                for index, done in sorted(aggregate.done.items())
                if done.finished is not None
            },
        )

    finally:
        shutil.rmtree(claims, ignore_errors=True)


def _wait(processes: list[Any], queue: Any, aggregate: _Aggregate, interrupts: _Interrupts) -> None:
    """Pass messages on until every worker has sent its last one or died without it."""
    pending = set(range(len(processes)))
    dead_since: dict[int, float] = {}
    forwarded = terminated = False
    while pending:
        if interrupts.count and not forwarded:
            forwarded = True
            for index in pending:
                _signal(processes[index], signal.SIGINT)
        if interrupts.count > 1 and not terminated:
            terminated = True
            for index in pending:
                processes[index].terminate()
        try:
            message = queue.get(timeout=_POLL)
        except queue_module.Empty:
            message = None
        if message is not None:
            try:
                aggregate.handle(message)
            except StopCampaign as stop:  # the corpus cannot be written: stop every worker
                aggregate.stopped = stop.reason
                interrupts.count += 1
            if isinstance(message, WorkerDone | WorkerFailed):
                pending.discard(message.worker)
            continue
        now = time.monotonic()
        for index in sorted(pending):
            if processes[index].exitcode is None:
                continue
            # Ended without its last message: give the queue a moment, then call it a crash.
            if now - dead_since.setdefault(index, now) >= EXIT_GRACE:
                pending.discard(index)
                aggregate.failed.setdefault(index, "")


def _signal(process: Any, signum: int) -> None:
    if process.pid is not None and process.exitcode is None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, signum)
