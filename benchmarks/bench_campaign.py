"""What does a campaign cost: throughput, where the time goes, and what shrinking costs.

Everything is measured in one run, side by side, so read the ratios rather
than the absolute figures (they depend on the machine and its load, printed
first).

Throughput. A campaign (fixed seed, ``max_examples`` N batches, default 150;
``DEFAULT_BATCH_SIZE`` per batch) of the example analyzer
``py:fuzz.examples.analyzer:ExampleAnalyzer`` against

* itself, in process (py vs py), and
* the faithful replay program ``cmd:<python> -m fuzz.examples.replay``
  (py vs cmd: one process per batch),

neither of which diverges, so nothing is shrunk. The conversations each
campaign analysed are collected from its ``ConversationCompared`` events (and
its batch boundaries from ``BatchCompared``), and on exactly those
conversations the benchmark then times:

* raw reference: one ``analyze_batch`` call of a fresh ``py:`` target;
* raw candidate: for ``py:`` the same; for ``cmd:`` the replay program fed the
  same JSONL split into the campaign's own batches (so
  the same number of processes and start-up charged the same way), then in
  fixed chunks of 8, then in one single process; output not parsed;
* generation: the campaign's batches drawn again (full batches of
  ``campaign_conversations()``, as the campaign batches them, seeded like its
  only round: the very same conversations, which the script checks), and
  ``generate_conversations(n, seed,
  conversations(max_size=101))`` for the same number of conversations.

It prints conversations/s for each, and campaign time / (raw reference + raw
candidate + generation): the fuzzer's own overhead. A ``cmd:`` side runs in a
worker thread while the ``py:`` side works, so that ratio can be below 1.

Hypothesis 6.13x+ feeds string and number constants of every *local* module
loaded (this script included) into generation, so the conversations a seed
gives here differ from what the CLI draws with the same seed.

Shrinking. For the planted variants missing_trigger, narrow_timeout,
retry_off_by_one and crash (``py:fuzz.examples.variants:<Class>``), a
campaign (seed 1, max_examples 150, py vs py) with a sink timing
``DivergenceFound`` and the ``CaseImproved(final=True)`` of each signature:
time to find, time to shrink (final - found), batches run before finding and
while shrinking, size found -> size shrunk (messages, characters of text).
Then missing_trigger again with the candidate as a replay program
(``cmd:<python> -m fuzz.examples.replay --variant missing_trigger``), where
every shrink step is a process.

``--quick`` (about a minute): 20 batches for throughput; shrinking only
missing_trigger, in process and via cmd, each campaign stopped once that bug
is found and shrunk (``stop_when``; a full campaign goes on exploring the rest
of its 150 examples).

Usage: python benchmarks/bench_campaign.py [--quick] [--examples N] [--seed S]
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import hypothesis
from _tables import Recorder, groups_of, load, table  # beside this script
from hypothesis.strategies import SearchStrategy

from fuzz.engine.case import size_key
from fuzz.engine.outcomes import Conversation, encode_line
from fuzz.engine.targets import parse_target
from fuzz.examples.variants import SHOWS_AS, VARIANTS
from fuzz.search.campaign import (
    DEFAULT_BATCH_SIZE,
    Campaign,
    CampaignSettings,
    round_seed,
)
from fuzz.search.coverage import generate_conversations
from fuzz.search.events import (
    BatchCompared,
    CampaignFinished,
    CaseImproved,
    DivergenceFound,
    Event,
)
from fuzz.search.inputs import campaign_batches
from strategies.conversations import WINDOW, conversations

REFERENCE = "py:fuzz.examples.analyzer:ExampleAnalyzer"
REPLAY_ARGV = [sys.executable, "-m", "fuzz.examples.replay"]
CMD_FAITHFUL = "cmd:" + shlex.join(REPLAY_ARGV)
SHRINK_VARIANTS = ("missing_trigger", "narrow_timeout", "retry_off_by_one", "crash")
QUICK_SHRINK_VARIANTS = ("missing_trigger",)
CMD_SHRINK_VARIANT = "missing_trigger"
SHRINK_SEED = 1
SHRINK_EXAMPLES = 150
#: Seconds a cmd: batch may take before it counts as a hang; generous, this
#: benchmark runs on loaded machines too.
CMD_TIMEOUT = 120.0


def py_variant(name: str) -> str:
    return f"py:fuzz.examples.variants:{VARIANTS[name].__name__}"


def cmd_variant(name: str) -> str:
    return "cmd:" + shlex.join([*REPLAY_ARGV, "--variant", name])


# ----------------------------------------------------------- throughput ---


@dataclass
class Throughput:
    label: str
    wall: float
    finished: CampaignFinished
    conversations: list[Conversation]
    batch_sizes: list[int]


def run_campaign(candidate: str, seed: int, examples: int, label: str) -> Throughput:
    recorder = Recorder()
    campaign = Campaign(
        parse_target(REFERENCE),
        parse_target(candidate, timeout=CMD_TIMEOUT),
        CampaignSettings(seed=seed, max_examples=examples),
        recorder,
    )
    start = time.perf_counter()
    finished = campaign.run()
    wall = time.perf_counter() - start
    return Throughput(label, wall, finished, recorder.conversations, recorder.batch_sizes)


def time_py(conversations: Sequence[Conversation]) -> float:
    """One ``analyze_batch`` call of a fresh ``py:`` target (after a small warm-up)."""
    target = parse_target(REFERENCE)
    target.analyze_batch(conversations[:4])
    start = time.perf_counter()
    target.analyze_batch(conversations)
    return time.perf_counter() - start


def time_cmd(groups: Sequence[Sequence[Conversation]]) -> float:
    """The faithful replay program, one process per group, output not parsed."""
    payloads = [
        "".join(encode_line({"id": i, "messages": c}) + "\n" for i, c in enumerate(group)).encode()
        for group in groups
    ]
    start = time.perf_counter()
    for payload in payloads:
        subprocess.run(REPLAY_ARGV, input=payload, capture_output=True, check=True)
    return time.perf_counter() - start


def time_generation(
    seed: int, batch_count: int, conversation_count: int
) -> tuple[float, list[Conversation], float]:
    """Seconds to draw the campaign's batches again, and ``conversation_count`` conversations.

    A campaign that finds nothing runs one round, a Hypothesis run seeded
    with ``round_seed(seed, 0)`` over full batches of ``campaign_conversations()``;
    drawn the same way, in the same process, the batches come out the same (checked by the
    caller), so that is the generation cost of exactly what the campaign
    analysed. Each strategy is warmed up on a few draws of another seed first.
    """
    # The campaign's own batching (fuzz.search.campaign) of the conversations it draws;
    # generate_conversations is typed for conversations, it draws any value.
    grouped: SearchStrategy[Any] = campaign_batches()
    single = conversations(max_size=WINDOW + 1)
    generate_conversations(5, seed + 1, grouped)
    generate_conversations(5, seed + 1, single)
    start = time.perf_counter()
    drawn_batches: list[Any] = generate_conversations(batch_count, round_seed(seed, 0), grouped)
    batch_seconds = time.perf_counter() - start
    start = time.perf_counter()
    drawn = generate_conversations(conversation_count, seed, single)
    single_seconds = time.perf_counter() - start
    assert len(drawn) == conversation_count, (len(drawn), conversation_count)
    return batch_seconds, [c for batch in drawn_batches for c in batch], single_seconds


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.1f}/s" if seconds > 0 else "-"


def timed(count: int, seconds: float) -> str:
    return f"{seconds:6.2f} s {rate(count, seconds):>9}"


def throughput(seed: int, examples: int) -> None:
    print(
        f"\n== throughput: campaign seed {seed}, max_examples {examples}, "
        f"batch size {DEFAULT_BATCH_SIZE}; reference {REFERENCE} =="
    )
    print(f"cmd candidate: {CMD_FAITHFUL}")
    runs = [
        run_campaign(REFERENCE, seed, examples, "py vs py"),
        run_campaign(CMD_FAITHFUL, seed, examples, "py vs cmd"),
    ]
    py_run, cmd_run = runs
    n = cmd_run.finished.conversations
    ref_seconds = [time_py(run.conversations) for run in runs]
    cand_seconds = [time_py(py_run.conversations)]
    own_batches = groups_of(cmd_run.conversations, cmd_run.batch_sizes)
    cand_seconds.append(time_cmd(own_batches))
    eights = [cmd_run.conversations[i : i + 8] for i in range(0, n, 8)]
    eight_seconds = time_cmd(eights)
    one_seconds = time_cmd([cmd_run.conversations])
    batch_gen, regenerated, single_gen = time_generation(seed, cmd_run.finished.batches, n)

    same = py_run.conversations == cmd_run.conversations
    print(f"both campaigns analysed the same conversations in the same batches: {same}")
    again = regenerated == cmd_run.conversations
    print(f"regenerating the campaign's batches gives the same conversations: {again}")
    if not same:
        print("(generation below is timed on the py vs cmd draws; compare columns with care)")

    counts = [run.finished.conversations for run in runs]
    rows: list[list[str]] = [
        ["conversations / batches / messages"]
        + [
            f"{run.finished.conversations:,} / {run.finished.batches} / "
            f"{sum(len(c) for c in run.conversations):,}"
            for run in runs
        ],
        ["  (from events / finish reason)"]
        + [f"{len(run.conversations):,} / {run.finished.reason}" for run in runs],
        ["campaign wall time"] + [timed(c, run.wall) for c, run in zip(counts, runs, strict=True)],
        ["raw reference (py, 1 analyze_batch)"]
        + [timed(c, t) for c, t in zip(counts, ref_seconds, strict=True)],
        [f"raw candidate (py 1 call | cmd {len(own_batches)} proc.*)"]
        + [timed(c, t) for c, t in zip(counts, cand_seconds, strict=True)],
        [f"raw candidate cmd, chunks of 8 ({len(eights)} proc.)", "", timed(n, eight_seconds)],
        ["raw candidate cmd, 1 process", "", timed(n, one_seconds)],
        ["generation: the campaign's batches again"]
        + [f"{batch_gen:6.2f} s {1000 * batch_gen / n:6.2f} ms/conv"] * 2,
        [f"generation: {n:,} x conversations(max_size=101)"]
        + [f"{single_gen:6.2f} s {1000 * single_gen / n:6.2f} ms/conv"] * 2,
    ]
    raw = [r + c for r, c in zip(ref_seconds, cand_seconds, strict=True)]
    for label, generation in (
        ("campaign / (ref + cand + gen batches)", batch_gen),
        ("campaign / (ref + cand + gen conversations)", single_gen),
        ("campaign / (ref + cand), no generation", 0.0),
    ):
        rows.append(
            [label]
            + [
                f"{run.wall / (r + generation):.2f}x ({run.wall - r - generation:+.2f} s)"
                for run, r in zip(runs, raw, strict=True)
            ]
        )
    table(["", "py vs py", "py vs cmd"], rows)
    print(
        f"* cmd: the campaign's own batches, one process each ({len(own_batches)} processes, "
        f"{n / len(own_batches):.1f} conversations per batch on average)."
    )
    print(
        f"  Per process: campaign's batches {1000 * cand_seconds[1] / len(own_batches):.0f} ms, "
        f"chunks of 8 {1000 * eight_seconds / len(eights):.0f} ms; "
        f"campaign's batches / 1 process = {cand_seconds[1] / one_seconds:.1f}x."
    )
    print(
        "  In the campaign the cmd side runs in a worker thread while the py side works,"
        " so its ratio can be below 1."
    )


# --------------------------------------------------------------- shrink ---


@dataclass
class Found:
    found_at: float
    found_size: tuple[int, int]
    found_batches: int
    final_at: float | None = None
    final_size: tuple[int, int] | None = None
    final_batches: int | None = None


@dataclass
class ShrinkTimer:
    """Times, per signature, the first sight and the end of shrinking."""

    start: float
    batches: int = 0
    signatures: dict[str, Found] = field(default_factory=dict)

    def __call__(self, event: Event) -> None:
        now = time.perf_counter() - self.start
        if isinstance(event, BatchCompared):
            self.batches = event.batches
        elif isinstance(event, DivergenceFound):
            self.signatures[event.case.signature] = Found(
                now, size_of(event.case.conversation), self.batches
            )
        elif isinstance(event, CaseImproved) and event.final:
            found = self.signatures[event.case.signature]
            found.final_at = now
            found.final_size = size_of(event.case.conversation)
            found.final_batches = self.batches


def size_of(conversation: Conversation) -> tuple[int, int]:
    messages, chars, _ = size_key(conversation)
    return messages, chars


@dataclass
class ShrinkRun:
    label: str
    wall: float
    finished: CampaignFinished
    timer: ShrinkTimer


def shrink_campaign(label: str, candidate: str, variant: str, quick: bool) -> ShrinkRun:
    reference = parse_target(REFERENCE)
    target = parse_target(candidate, timeout=CMD_TIMEOUT)
    stop = (SHOWS_AS[variant],) if quick else ()
    settings = CampaignSettings(seed=SHRINK_SEED, max_examples=SHRINK_EXAMPLES, stop_when=stop)
    timer = ShrinkTimer(time.perf_counter())
    campaign = Campaign(reference, target, settings, timer)
    timer.start = time.perf_counter()
    finished = campaign.run()
    return ShrinkRun(label, time.perf_counter() - timer.start, finished, timer)


def show_size(size: tuple[int, int] | None) -> str:
    return "-" if size is None else f"{size[0]} msg / {size[1]:,} ch"


def shrinking(quick: bool) -> None:
    names = QUICK_SHRINK_VARIANTS if quick else SHRINK_VARIANTS
    stop = ", each stopped once its bug is shrunk" if quick else ""
    print(
        f"\n== shrinking: seed {SHRINK_SEED}, max_examples {SHRINK_EXAMPLES}{stop}; "
        f"reference {REFERENCE} =="
    )
    runs = [shrink_campaign(f"py {name}", py_variant(name), name, quick) for name in names]
    runs.append(
        shrink_campaign(
            f"cmd {CMD_SHRINK_VARIANT}", cmd_variant(CMD_SHRINK_VARIANT), CMD_SHRINK_VARIANT, quick
        )
    )
    rows: list[list[str]] = []
    for run in runs:
        for signature, found in sorted(run.timer.signatures.items(), key=lambda s: s[1].found_at):
            shrink = "not shrunk"
            steps = "-"
            if found.final_at is not None and found.final_batches is not None:
                shrink = f"{found.final_at - found.found_at:.2f} s"
                steps = str(found.final_batches - found.found_batches)
            rows.append(
                [
                    run.label,
                    signature,
                    f"{found.found_at:.2f} s",
                    str(found.found_batches),
                    shrink,
                    steps,
                    show_size(found.found_size),
                    show_size(found.final_size),
                ]
            )
        if not run.timer.signatures:
            rows.append([run.label, "(nothing found)", "", "", "", "", "", ""])
    header = [
        "candidate",
        "signature",
        "found",
        "batches",
        "shrink",
        "batches",
        "size found",
        "size shrunk",
    ]
    table(header, rows)
    print("(found: time and batches run before it; shrink: time and batches from found to final)")
    for run in runs:
        f = run.finished
        print(
            f"  {run.label:<22} whole campaign {run.wall:6.2f} s, {f.conversations:,} conversations"
            f" in {f.batches} batches ({rate(f.conversations, run.wall)}), reason {f.reason}"
        )
    by_label = {run.label: run for run in runs}
    py_run = by_label.get(f"py {CMD_SHRINK_VARIANT}")
    cmd_run = by_label[f"cmd {CMD_SHRINK_VARIANT}"]
    if py_run is None:
        return
    for signature, cmd_found in cmd_run.timer.signatures.items():
        py_found = py_run.timer.signatures.get(signature)
        if py_found is None or py_found.final_at is None or cmd_found.final_at is None:
            continue
        py_shrink = py_found.final_at - py_found.found_at
        cmd_shrink = cmd_found.final_at - cmd_found.found_at
        py_steps = max(1, (py_found.final_batches or 0) - py_found.found_batches)
        cmd_steps = max(1, (cmd_found.final_batches or 0) - cmd_found.found_batches)
        find_ratio = cmd_found.found_at / py_found.found_at
        print(
            f"{CMD_SHRINK_VARIANT}, cmd / py: time to find {find_ratio:.1f}x, time to shrink"
            f" {cmd_shrink / py_shrink:.1f}x ({cmd_shrink:.2f} s vs {py_shrink:.2f} s);"
            f" per shrink batch {1000 * cmd_shrink / cmd_steps:.0f} ms vs"
            f" {1000 * py_shrink / py_steps:.1f} ms"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller run, under a minute")
    parser.add_argument(
        "--examples", type=int, default=None, help="throughput batches (150; 20 with --quick)"
    )
    parser.add_argument("--seed", type=int, default=0, help="throughput campaign seed")
    args = parser.parse_args(argv)
    examples = args.examples if args.examples is not None else (20 if args.quick else 150)
    started = time.perf_counter()
    print(
        f"load average {load()} on {os.cpu_count()} CPUs; Python {platform.python_version()}, "
        f"Hypothesis {hypothesis.__version__}; {'--quick' if args.quick else 'default'} mode"
    )
    throughput(args.seed, examples)
    shrinking(args.quick)
    print(f"\ntotal {time.perf_counter() - started:.1f} s; load average at end {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
