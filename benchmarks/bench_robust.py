"""What robustness costs, and what it catches, measured side by side in one run.

Three tables:

* **--isolate**: the example analyzer in process (``PyTarget``) and in a child
  process of its own (``IsolatedTarget``) on the same conversations,
  alternated, fastest of ``--repeat``; microseconds per conversation and the
  ratio. Then what a child costs to start, and to restart after a death.
* **campaign**: a whole campaign against the example replay program with the
  reference in process and isolated (the isolated side overlaps the replay
  program on a worker thread), same seed and draws; conversations/s.
* **bisection**: a batch of 16 sent to the fault-injecting replay fixture
  with 0, 1, 2, 4 or 16 conversations that crash it; process starts and wall
  time to pin every culprit, by bisection (``CmdTarget``) and by rerunning
  each conversation alone (what ``CmdTarget`` did before).
* **faults** (``--faults``): the three fault campaigns of
  ``tests/e2e/test_fault_campaign.py``; per fault, how many conversations
  carried it and the finding filed for it (faults injected, findings recorded).

Usage: python benchmarks/bench_robust.py [--conversations 2000] [--repeat 3] [--faults]
Absolute times depend on the machine and its load (printed): read the ratios.
"""

from __future__ import annotations

import argparse
import random
import shlex
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from _tables import load, table  # noqa: E402 - after the path set-up
from bench_replay import conversation  # noqa: E402

from fuzz.engine.isolated import IsolatedTarget  # noqa: E402
from fuzz.engine.outcomes import Conversation, Outcome  # noqa: E402
from fuzz.engine.targets import CmdTarget, PyTarget, parse_target  # noqa: E402

EXAMPLE = "py:fuzz.examples.analyzer:ExampleAnalyzer"
FAULTY = "cmd:" + shlex.join([sys.executable, str(REPO / "tests/fixtures/faulty_replay.py")])


def timed(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def isolate_table(conversations: list[Conversation], repeat: int) -> None:
    """In-process against isolated, same conversations, alternated, fastest of ``repeat``."""
    in_process = PyTarget(EXAMPLE)
    started = time.perf_counter()
    isolated = IsolatedTarget(EXAMPLE)
    first_start = time.perf_counter() - started
    try:
        same = in_process.analyze_batch(conversations) == isolated.analyze_batch(conversations)
        best_in = best_iso = float("inf")
        for _ in range(repeat):
            best_in = min(best_in, timed(lambda: in_process.analyze_batch(conversations)))
            best_iso = min(best_iso, timed(lambda: isolated.analyze_batch(conversations)))
        restarts = []
        for _ in range(repeat):
            isolated.close()  # as a death does: the next conversation starts a fresh child
            restarts.append(timed(lambda: isolated.analyze_one(conversations[0])))
    finally:
        isolated.close()
    n = len(conversations)
    print(f"\n--isolate: {n} conversations of the example analyzer, fastest of {repeat}")
    table(
        ["", "per conversation", "conversations/s", "ratio"],
        [
            ["in process", f"{best_in / n * 1e6:.0f} us", f"{n / best_in:.0f}", "1.00"],
            [
                "--isolate",
                f"{best_iso / n * 1e6:.0f} us",
                f"{n / best_iso:.0f}",
                f"{best_iso / best_in:.2f}",
            ],
        ],
    )
    print(f"reports identical: {same}")
    print(
        f"first start (import, identity): {first_start * 1e3:.0f} ms; "
        f"restart after a death: {min(restarts) * 1e3:.0f} ms (fastest of {repeat})"
    )


def campaign_table(examples: int, seed: int) -> None:
    """A whole campaign (generation, both sides, comparison) with the reference in process
    and isolated, against the example replay program; alternated, same seed, same draws."""
    from fuzz.search.campaign import Campaign, CampaignSettings

    replay = "cmd:" + shlex.join([sys.executable, "-m", "fuzz.examples.replay"])
    rows = []
    for isolate in (False, True, False, True):
        reference = parse_target(EXAMPLE, isolate=isolate)
        settings = CampaignSettings(seed=seed, max_examples=examples, minimise=False)
        started = time.perf_counter()
        finished = Campaign(reference, parse_target(replay), settings, lambda event: None).run()
        elapsed = time.perf_counter() - started
        if isolate:
            reference.close()  # type: ignore[attr-defined]
        rows.append((isolate, finished.conversations, elapsed))
    best = {iso: min(e for i, _, e in rows if i is iso) for iso in (False, True)}
    count = rows[0][1]
    print(
        f"\ncampaign: {examples} batches ({count} conversations), reference in process or "
        f"isolated, candidate the example replay program; fastest of 2"
    )
    table(
        ["reference", "wall", "conversations/s", "ratio"],
        [
            ["in process", f"{best[False]:.1f} s", f"{count / best[False]:.0f}", "1.00"],
            [
                "--isolate",
                f"{best[True]:.1f} s",
                f"{count / best[True]:.0f}",
                f"{best[True] / best[False]:.2f}",
            ],
        ],
    )
    print(f"same conversations compared: {len({c for _, c, _ in rows}) == 1}")


def _each_alone(target: CmdTarget, batch: Sequence[Conversation]) -> list[Outcome]:
    """The former strategy: after a whole-batch failure, rerun every conversation alone."""
    run = target._run(batch)
    if not run.process_failed or len(batch) <= 1:
        return run.outcomes
    alone = [target._run([c]).outcomes[0] for c in batch]
    return run.outcomes if all(o.failure is None for o in alone) else alone


def bisection_table(repeat: int) -> None:
    """Process starts and wall time to pin k crashing conversations among 16."""
    rows = []
    for culprits in ((), (5,), (2, 11), (1, 6, 9, 14), tuple(range(16))):
        batch: list[Conversation] = [
            [{"from": "human", "value": "EXIT" if i in culprits else f"thanks {i}"}]
            for i in range(16)
        ]
        figures = []
        for pin in (CmdTarget.analyze_batch, _each_alone):
            target = CmdTarget(FAULTY, timeout=10.0)
            best = float("inf")
            for _ in range(repeat):
                target.process_starts = 0
                started = time.perf_counter()
                outcomes = pin(target, batch)
                best = min(best, time.perf_counter() - started)
            pinned = [i for i, o in enumerate(outcomes) if o.failure is not None]
            assert pinned == list(culprits), (pin, pinned)
            figures.append((target.process_starts, best))
        (b_starts, b_time), (a_starts, a_time) = figures
        rows.append(
            [
                f"{len(culprits)} of 16",
                str(b_starts),
                str(a_starts),
                f"{b_time * 1e3:.0f} ms",
                f"{a_time * 1e3:.0f} ms",
                f"{b_time / a_time:.2f}",
            ]
        )
    print(f"\nbisection: a batch of 16 with k crashing conversations, fastest of {repeat}")
    table(["culprits", "starts bisect", "starts alone", "bisect", "alone", "time ratio"], rows)


def faults_table() -> None:
    """The e2e fault campaigns: conversations carrying each fault, the finding filed."""
    from tests.e2e import test_fault_campaign as e2e

    rows = []
    runs = [
        (
            "cmd:",
            e2e.CMD_FAULTS,
            lambda: CmdTarget(FAULTY, timeout=5.0, max_memory=e2e.CAP, max_line=1 << 20),
            1,
        ),
        (
            "isolated py:",
            e2e.PY_FAULTS,
            lambda: IsolatedTarget(
                "py:tests.fixtures.faulty_analyzers:Faulty", timeout=0.5, max_memory=e2e.CAP
            ),
            1,
        ),
        (
            "cmd: hangs",
            {
                "HANG": "timeout on candidate",
                "FORK": "timeout on candidate",
                "EXIT": "crash exit 3 on candidate",
            },
            lambda: CmdTarget(FAULTY, timeout=1.0),
            2,
        ),
    ]
    injected_total = filed_total = 0
    for form, faults, make, seed in runs:
        with tempfile.TemporaryDirectory() as folder:
            started = time.perf_counter()
            finished, _, injected = e2e.campaign(
                Path(folder), make(), faults, seed=seed, examples=3
            )
            elapsed = time.perf_counter() - started
        for marker, expected in faults.items():
            filed = expected is None or expected in finished.signatures
            injected_total += bool(injected[marker]) and expected is not None
            filed_total += bool(injected[marker]) and expected is not None and filed
            rows.append(
                [
                    f"{form} {marker}",
                    str(injected[marker]),
                    expected or "(no finding)",
                    "yes" if filed else "NO",
                ]
            )
        rows.append(
            [
                f"{form} (campaign)",
                "",
                f"{len(finished.signatures)} signatures, "
                f"{finished.conversations} conversations, {elapsed:.1f} s",
                "",
            ]
        )
    print("\nfaults: the e2e fault campaigns")
    table(["fault", "conversations", "finding", "filed"], rows)
    print(f"faults injected: {injected_total}; findings recorded for them: {filed_total}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--examples", type=int, default=60, help="campaign batches")
    parser.add_argument("--faults", action="store_true", help="also run the fault campaigns")
    args = parser.parse_args(argv)
    print(f"load average: {load()}")
    rng = random.Random(args.seed)
    isolate_table([conversation(rng) for _ in range(args.conversations)], args.repeat)
    campaign_table(args.examples, args.seed)
    bisection_table(args.repeat)
    if args.faults:
        faults_table()
    return 0


if __name__ == "__main__":
    sys.exit(main())
