"""Does ``--workers 2`` make a campaign faster: conversations/s with one worker and with two.

One script run measures both, side by side and alternating (1, 2, 1, 2, ...
for ``--repeat`` rounds), so that a change in the machine's load hits both
alike; read the ratio, not the absolute figures, and read it with the load
averages printed beside each run: on a shared machine other people's work
takes cores from both.

The campaign: the example analyzer ``py:fuzz.examples.analyzer:ExampleAnalyzer``
against its faithful replay program ``cmd:<python> -m fuzz.examples.replay``
(one process per batch; the two never diverge, so nothing is shrunk and the
whole budget is exploration), a fixed seed and ``--max-examples`` N batches
(default 160) of up to 8 conversations, no example database. One worker runs
in this process, exactly as ``--workers 1`` does; two workers run through
``fuzz.search.workers.run_workers`` as ``--workers 2`` does, each with half of
the batches and its own derived seed, so the two runs analyse different (and
slightly differently sized) conversations: that is why the rate, not the
time, is compared.

Two rates are printed per run:

* **wall**: conversations / wall-clock seconds from the call to its return,
  worker start-up (a fresh interpreter importing Hypothesis, the strategies
  and the analyzer) included: what a user sees;
* **busy**: conversations / the longest worker's own campaign time, start-up
  left out: what the workers do once running. (For one in-process worker the
  two are the same run.)

A control is measured beside each round: one, then two processes that only
spin for a few seconds, and the CPU time they got. Its ratio (two / one) is
the most any two-process program could gain at that moment; on a machine
others are loading it is far from 2.

Usage: python benchmarks/bench_workers.py [--examples N] [--seed S] [--repeat R]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import shlex
import statistics
import sys
import time
from dataclasses import dataclass

from _tables import load  # beside this script

from fuzz.engine.targets import parse_target
from fuzz.search.campaign import Campaign, CampaignSettings
from fuzz.search.events import Event
from fuzz.search.inputs import campaign_conversations
from fuzz.search.options import CampaignOptions, Preparation
from fuzz.search.sinks import ReportSink
from fuzz.search.workers import run_workers

REFERENCE = "py:fuzz.examples.analyzer:ExampleAnalyzer"
CANDIDATE = "cmd:" + shlex.join([sys.executable, "-m", "fuzz.examples.replay"])
BATCH_SIZE = 8
#: Seconds a cmd: batch may take before it counts as a hang; generous on a loaded machine.
TIMEOUT = 120.0


@dataclass
class Run:
    workers: int
    conversations: int
    batches: int
    wall: float
    busy: float
    load: str

    @property
    def wall_rate(self) -> float:
        return self.conversations / self.wall

    @property
    def busy_rate(self) -> float:
        return self.conversations / self.busy


def _spin(seconds: float) -> float:
    """Burn CPU for ``seconds`` of wall time; the CPU seconds this process got."""
    start, cpu = time.perf_counter(), time.process_time()
    while time.perf_counter() - start < seconds:
        pass
    return time.process_time() - cpu


def control(seconds: float = 3.0) -> tuple[float, float]:
    """Cores one spinning process got, and cores two got, side by side in time."""
    context = multiprocessing.get_context("spawn")
    cores = []
    for processes in (1, 2):
        with context.Pool(processes) as pool:
            cores.append(sum(pool.map(_spin, [seconds] * processes)) / seconds)
    return cores[0], cores[1]


def _ignore(event: Event) -> None:
    return None


def one_worker(seed: int, examples: int) -> Run:
    """``--workers 1``: the campaign in this process, with the report sink the CLI gives it
    (each worker of ``run_workers`` runs one too)."""
    campaign = Campaign(
        parse_target(REFERENCE),
        parse_target(CANDIDATE, timeout=TIMEOUT),
        CampaignSettings(seed=seed, max_examples=examples, batch_size=BATCH_SIZE),
        ReportSink(),
        conversations=campaign_conversations(),
    )
    start = time.perf_counter()
    finished = campaign.run()
    wall = time.perf_counter() - start
    return Run(1, finished.conversations, finished.batches, wall, finished.elapsed, load())


def many_workers(workers: int, seed: int, examples: int) -> Run:
    """``--workers N``: N spawned processes sharing claims, reporting to this one."""
    options = CampaignOptions(
        REFERENCE,
        CANDIDATE,
        seed=seed,
        timeout=TIMEOUT,
        max_examples=examples,
        batch_size=BATCH_SIZE,
        workers=workers,
    )
    start = time.perf_counter()
    result = run_workers(
        options,
        Preparation(),
        _ignore,
        reference=parse_target(REFERENCE).identity,
        candidate=parse_target(CANDIDATE, timeout=TIMEOUT).identity,
    )
    wall = time.perf_counter() - start
    busy = max(result.worker_elapsed.values()) if result.worker_elapsed else wall
    finished = result.finished
    return Run(workers, finished.conversations, finished.batches, wall, busy, load())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=160, help="batches per run (default 160)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=2, help="alternating rounds (default 2)")
    parser.add_argument("--workers", type=int, default=2, help="the many-worker count (default 2)")
    args = parser.parse_args()
    print(
        f"# bench_workers: {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} cores, load average {load()} (1/5/15 min)"
    )
    print(f"# {REFERENCE} vs {CANDIDATE}")
    print(f"# seed {args.seed}, --max-examples {args.examples}, batch size {BATCH_SIZE}")
    print(
        f"{'workers':>7} {'batches':>7} {'convs':>6} {'wall s':>7} {'wall c/s':>8} "
        f"{'busy s':>7} {'busy c/s':>8}  load 1/5/15"
    )
    runs: dict[int, list[Run]] = {1: [], args.workers: []}
    controls = []
    for _ in range(args.repeat):
        one_core, two_cores = control()
        controls.append(two_cores / one_core)
        print(
            f"control: 1 spinning process got {one_core:.2f} cores, 2 got {two_cores:.2f} "
            f"({two_cores / one_core:.2f}x)  load {load()}",
            flush=True,
        )
        for workers in (1, args.workers):
            run = (
                one_worker(args.seed, args.examples)
                if workers == 1
                else many_workers(workers, args.seed, args.examples)
            )
            runs[workers].append(run)
            print(
                f"{run.workers:>7} {run.batches:>7} {run.conversations:>6} {run.wall:>7.1f} "
                f"{run.wall_rate:>8.1f} {run.busy:>7.1f} {run.busy_rate:>8.1f}  {run.load}",
                flush=True,
            )
    one, many = runs[1], runs[args.workers]
    wall = statistics.median(r.wall_rate for r in many) / statistics.median(
        r.wall_rate for r in one
    )
    busy = statistics.median(r.busy_rate for r in many) / statistics.median(
        r.busy_rate for r in one
    )
    print(
        f"ratio (median of {args.repeat}) --workers {args.workers} / --workers 1: "
        f"wall {wall:.2f}x, busy {busy:.2f}x"
    )
    print(f"control ratio (median): 2 spinning processes / 1 = {statistics.median(controls):.2f}x")
    print(
        "# absolute times depend on this machine's load (shared with others): compare ratios only"
    )


if __name__ == "__main__":
    main()
