"""Throughput: conversations a campaign compares per second, against the analyzers' own cost.

Issue 9: a pre-release campaign is judged by conversations compared per
minute. The floor is what the two analyzers themselves cost on the same
conversations; everything the fuzzer adds (generation, process starts,
comparison, shrinking bookkeeping) is overhead. This script measures, in one
process and one run, on the same conversations:

(c) a campaign: ``Campaign(reference, candidate, CampaignSettings(seed,
    max_examples, batch_size), sink, conversations=campaign_conversations())``,
    as the CLI runs it (full batches of ``batch_size``),
    whose sink records every conversation it compared (``ConversationCompared``)
    and the batch boundaries (``BatchCompared``);
(a) each target alone on exactly those conversations, output not parsed:
    (i)  all of them in one process: pure analysis, the analyzers' own cost;
    (ii) one process per batch of the campaign (as the campaign pays, starts
         included), and also in full chunks of ``--batch-size``;
    plus the start cost of one process answering one short conversation;
(b) generation alone: the campaign's first round drawn again
    (``fuzz.search.coverage.generate_conversations``), as many full batches of
    ``campaign_conversations()`` as the campaign ran, seeded ``round_seed(seed, 0)``:
    the very conversations it compared while it runs one round (no divergence,
    at most ``ROUND_EXAMPLES`` batches).

It prints conversations/s for each and the ratio campaign / limit for both
limits, where limit = reference alone + candidate alone, run one after the
other: what one core would need. **The issue's target (a campaign between two
fast cmd: targets reaches at least 0.5 x the limit per core) refers to limit
(i)**, the analyzers' own cost. "Per core" is read with CPU time (this
process plus its children, ``resource.getrusage``): a campaign runs a cmd:
candidate on a worker thread beside the reference, so with two cores its wall
time can beat a serial limit while using the same CPU. Both wall and CPU
ratios are printed. Absolute figures depend on the machine and its load
(printed at start and end): read the ratios, measured side by side. The
throughput measurements are repeated (``--repeat``, default 2: the same seed
gives the same conversations) and each figure is the fastest repetition, the
one least disturbed by other work on the machine.

Memory: a second campaign, whose sink keeps nothing, prints peak RSS
(``ru_maxrss``) and current RSS after ``--rss-small`` (1,000) and
``--rss-large`` (20,000) conversations; it runs first, so the recording above
cannot raise the peak.

Targets: both sides default to the example analyzer's replay program
(``cmd:<python> -m fuzz.examples.replay``). ``--fast`` puts on both sides
``fast_replay.c`` (beside this script), compiled with ``cc -O2`` into a temp
directory, twice, as two builds; it answers every line with one fixed valid
report, so what remains is the fuzzer's own overhead. Without a C compiler it
falls back to ``python -S fast_replay.py``. ``--port-like`` runs the same
two builds with arguments that make each burn the CPU time the real Rust
port was measured to spend (issue 9, on this kind of machine: about 1,150
conversations/s in one batch process, 2-3 ms to start and answer one):
``PORT_START_US`` before reading and ``PORT_CONVERSATION_US`` per
conversation. The real port cannot be installed here; this stand-in has its
cost profile, so the ratio campaign / limit (i) it gives is the one a
campaign of the port against a build of itself would show, measured rather
than estimated. ``SIGNALS_FUZZ_BENCH_REFERENCE`` and
``SIGNALS_FUZZ_BENCH_CANDIDATE``, when set, name either side (any py:/cmd: spec)
and win over both.

Usage: python benchmarks/bench_throughput.py [--fast | --port-like] [--quick] [--examples N]
       [--batch-size B] [--seed S] [--repeat R] [--rss-small N] [--rss-large N]
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import hypothesis
from _tables import Recorder, groups_of, load, table  # beside this script
from hypothesis.strategies import SearchStrategy

from fuzz.engine.canonical import schema_violation
from fuzz.engine.outcomes import Conversation, Target, encode_line
from fuzz.engine.targets import CmdTarget, parse_target
from fuzz.search.campaign import Campaign, CampaignSettings, round_seed
from fuzz.search.coverage import generate_conversations
from fuzz.search.events import BatchCompared, CampaignFinished, Event
from fuzz.search.inputs import campaign_batches, campaign_conversations
from fuzz.search.options import DEFAULT_BATCH_SIZE

HERE = Path(__file__).resolve().parent
REFERENCE_ENV = "SIGNALS_FUZZ_BENCH_REFERENCE"
CANDIDATE_ENV = "SIGNALS_FUZZ_BENCH_CANDIDATE"
EXAMPLE_CMD = "cmd:" + shlex.join([sys.executable, "-m", "fuzz.examples.replay"])
#: Seconds a cmd: batch may take before it counts as a hang; generous, for loaded machines.
TIMEOUT = 120.0
#: The real port's measured costs (issue 9): CPU microseconds burnt by
#: ``fast_replay`` before reading, and per conversation, under ``--port-like``.
PORT_START_US = 500
PORT_CONVERSATION_US = 870
#: A short conversation for the start cost of one process.
SHORT: Conversation = [{"from": "human", "value": "Thanks, that works!"}]
START_REPEATS = 15
T = TypeVar("T")


# ------------------------------------------------------------- measuring ---


@dataclass(frozen=True)
class Cost:
    """Wall and CPU seconds of one measured step; CPU counts this process and its children."""

    wall: float
    cpu: float


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@contextmanager
def measured(into: list[Cost]) -> Iterator[None]:
    """Append the wall and CPU time of the block to ``into``."""
    wall, cpu = time.perf_counter(), cpu_seconds()
    yield
    into.append(Cost(time.perf_counter() - wall, cpu_seconds() - cpu))


def cost_of(action: Callable[[], T]) -> tuple[T, Cost]:
    costs: list[Cost] = []
    with measured(costs):
        result = action()
    return result, costs[0]


def peak_rss_mib() -> float:
    """Peak resident set of this process so far (``ru_maxrss``: KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1 << 20) if sys.platform == "darwin" else peak / 1024


def current_rss_mib() -> float | None:
    """Resident set now, where ``/proc`` says it; None elsewhere."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE") / (1 << 20)


# --------------------------------------------------------------- targets ---


@dataclass(frozen=True)
class Sides:
    reference: str
    candidate: str
    note: str


def build_fast(workdir: Path, costs: Sequence[str] = ()) -> tuple[list[str], str]:
    """Two builds of the fast replay program: compiled if ``cc`` works, else ``python -S``.

    ``costs`` (start and per-conversation microseconds) are passed to the
    compiled program; without a compiler they cannot be honoured and the
    run stops.
    """
    compiler = shutil.which("cc")
    source = HERE / "fast_replay.c"
    if compiler is not None:
        builds = [workdir / "fast_replay_reference", workdir / "fast_replay_candidate"]
        try:
            for binary in builds:
                subprocess.run(
                    [compiler, "-O2", "-o", str(binary), str(source)],
                    check=True,
                    capture_output=True,
                    timeout=120,
                )
        except (OSError, subprocess.SubprocessError) as exc:
            print(f"note: cc -O2 {source.name} failed ({exc}); using python -S instead")
        else:
            specs = [f"cmd:{shlex.join([str(b), *costs])}" for b in builds]
            return specs, f"{compiler} -O2, two builds"
    if costs:
        sys.exit("bench_throughput: --port-like needs a C compiler (cc) for fast_replay.c")
    script = HERE / "fast_replay.py"
    copies = [workdir / "fast_replay_reference.py", workdir / "fast_replay_candidate.py"]
    for copy in copies:
        shutil.copyfile(script, copy)
    specs = [f"cmd:{shlex.join([sys.executable, '-S', str(c)])}" for c in copies]
    return specs, "no C compiler: python -S fast_replay.py (start-up dominated by the interpreter)"


def choose_sides(fast: bool, port_like: bool, workdir: Path) -> Sides:
    default = [EXAMPLE_CMD, EXAMPLE_CMD]
    note = "the example analyzer's replay program on both sides"
    if fast:
        default, how = build_fast(workdir)
        note = f"fast_replay on both sides ({how})"
    elif port_like:
        costs = [str(PORT_START_US), str(PORT_CONVERSATION_US)]
        default, how = build_fast(workdir, costs)
        note = (
            f"fast_replay burning the real port's measured CPU cost on both sides ({how};"
            f" {PORT_START_US} us to start, {PORT_CONVERSATION_US} us per conversation)"
        )
    reference = os.environ.get(REFERENCE_ENV) or default[0]
    candidate = os.environ.get(CANDIDATE_ENV) or default[1]
    if os.environ.get(REFERENCE_ENV) or os.environ.get(CANDIDATE_ENV):
        note = f"from {REFERENCE_ENV} / {CANDIDATE_ENV} where set; else {note}"
    return Sides(reference, candidate, note)


def check_targets(sides: Sides, sample: Sequence[Conversation]) -> None:
    """Both sides answer a few conversations with schema-valid reports, or the run stops."""
    for side, spec in (("reference", sides.reference), ("candidate", sides.candidate)):
        outcomes = parse_target(spec, timeout=TIMEOUT).analyze_batch(sample)
        for outcome in outcomes:
            if outcome.report is None:
                sys.exit(f"bench_throughput: {side} {spec!r} failed: {outcome.failure}")
            if (where := schema_violation(outcome.report)) is not None:
                sys.exit(f"bench_throughput: {side} {spec!r} breaks the report schema at {where}")


# ------------------------------------------------------------- campaigns ---


@dataclass
class RssProbe:
    """Keeps nothing; notes peak and current RSS when the count first reaches each mark."""

    marks: list[int]
    seen: list[tuple[int, float, float | None]] = field(default_factory=list)

    def __call__(self, event: Event) -> None:
        if not isinstance(event, BatchCompared):
            return
        while (
            len(self.seen) < len(self.marks) and event.conversations >= self.marks[len(self.seen)]
        ):
            self.seen.append((event.conversations, peak_rss_mib(), current_rss_mib()))
        if len(self.seen) == len(self.marks):
            raise KeyboardInterrupt  # Campaign.run stops cleanly ("interrupted")


def run_campaign(
    sides: Sides, seed: int, examples: int, batch_size: int, sink: Callable[[Event], None]
) -> tuple[CampaignFinished, Cost]:
    campaign = Campaign(
        parse_target(sides.reference, timeout=TIMEOUT),
        parse_target(sides.candidate, timeout=TIMEOUT),
        CampaignSettings(seed=seed, max_examples=examples, batch_size=batch_size),
        sink,
        conversations=campaign_conversations(),
    )
    return cost_of(campaign.run)


# ------------------------------------------------------- targets alone ---


def alone(spec: str, groups: Sequence[Sequence[Conversation]]) -> Cost:
    """One target on ``groups``: a cmd: target one process per group, a py: one in process."""
    target: Target = parse_target(spec, timeout=TIMEOUT)
    if not isinstance(target, CmdTarget):
        target.analyze_batch([SHORT])  # imports and first-use compilation are not analysis
        _, cost = cost_of(lambda: [target.analyze_batch(group) for group in groups])
        return cost
    payloads = [
        "".join(encode_line({"id": i, "messages": c}) + "\n" for i, c in enumerate(group)).encode()
        for group in groups
    ]
    argv = list(target.argv)

    def run_all() -> list[bytes]:
        return [
            subprocess.run(argv, input=p, capture_output=True, check=True, timeout=TIMEOUT).stdout
            for p in payloads
        ]

    outputs, cost = cost_of(run_all)
    answered = sum(out.count(b"\n") for out in outputs)
    expected = sum(len(group) for group in groups)
    if answered != expected:
        sys.exit(f"bench_throughput: {spec!r} answered {answered} lines for {expected}")
    return cost


def start_cost(spec: str) -> str:
    """Median and fastest wall time, and median CPU, of one process answering one conversation."""
    target = parse_target(spec, timeout=TIMEOUT)
    if not isinstance(target, CmdTarget):
        return "in process, no start"
    payload = (encode_line({"id": 0, "messages": SHORT}) + "\n").encode()
    argv = list(target.argv)
    costs = [
        cost_of(lambda: subprocess.run(argv, input=payload, capture_output=True, check=True))[1]
        for _ in range(START_REPEATS)
    ]
    walls = [cost.wall for cost in costs]
    return (
        f"wall median {1000 * statistics.median(walls):.1f} ms, fastest {1000 * min(walls):.1f} ms;"
        f" CPU median {1000 * statistics.median(c.cpu for c in costs):.1f} ms"
        f" ({START_REPEATS} runs)"
    )


def generation(seed: int, examples: int, batch_size: int) -> tuple[list[Conversation], Cost]:
    """The conversations in ``examples`` draws of the campaign's first round, and their cost."""
    # The campaign's own batching (fuzz.search.campaign) of the conversations it draws;
    # generate_conversations is typed for conversations, it draws any value.
    strategy: SearchStrategy[Any] = campaign_batches(batch_size=batch_size)
    generate_conversations(5, seed + 1, strategy)  # warm-up: strategy construction, caches
    drawn, cost = cost_of(lambda: generate_conversations(examples, round_seed(seed, 0), strategy))
    return [conversation for batch in drawn for conversation in batch], cost


# ---------------------------------------------------------------- output ---


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.1f}" if seconds > 0 else "-"


def row(label: str, count: int, cost: Cost, processes: str = "") -> list[str]:
    return [
        label,
        f"{count:,}",
        processes,
        f"{cost.wall:.3f}",
        rate(count, cost.wall),
        f"{cost.cpu:.3f}",
        rate(count, cost.cpu),
    ]


def plus(a: Cost, b: Cost) -> Cost:
    return Cost(a.wall + b.wall, a.cpu + b.cpu)


# ------------------------------------------------------------------ runs ---


def memory(sides: Sides, seed: int, small: int, large: int, batch_size: int) -> None:
    print(f"\n== memory: one campaign until {large:,} conversations, its sink keeps nothing ==")
    probe = RssProbe([small, large])
    # Enough examples to reach `large` even if batches average a third of their maximum.
    examples = math.ceil(3 * large / batch_size) + 10
    start_peak, start_now = peak_rss_mib(), current_rss_mib()
    finished, cost = run_campaign(sides, seed, examples, batch_size, probe)
    print(f"before the campaign: peak RSS {start_peak:.1f} MiB, current {show_mib(start_now)}")
    for mark, peak, now in probe.seen:
        print(f"after {mark:>7,} conversations: peak RSS {peak:.1f} MiB, current {show_mib(now)}")
    if len(probe.seen) < 2:
        print(
            f"(the campaign stopped at {finished.conversations:,} conversations: {finished.reason})"
        )
    elif probe.seen[0][1] > 0:
        print(f"peak RSS large / small: {probe.seen[1][1] / probe.seen[0][1]:.2f}x")
    total = finished.conversations
    print(
        f"that campaign: {total:,} conversations in {finished.batches:,} batches,"
        f" wall {rate(total, cost.wall)}/s, CPU {rate(total, cost.cpu)}/s"
    )


def show_mib(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} MiB"


@dataclass(frozen=True)
class Trial:
    """One repetition of every throughput measurement, on one campaign's conversations."""

    finished: CampaignFinished
    recorder: Recorder
    costs: dict[str, Cost]
    drawn: int


def trial(sides: Sides, seed: int, examples: int, batch_size: int) -> Trial:
    """The campaign, then each target alone on what it compared, then generation."""
    recorder = Recorder()
    finished, campaign_cost = run_campaign(sides, seed, examples, batch_size, recorder)
    conversations = recorder.conversations
    if not conversations:
        sys.exit("bench_throughput: the campaign compared no conversations")
    groups = {
        "one": [conversations],
        "own": groups_of(conversations, recorder.batch_sizes),
        "chunk": [
            conversations[i : i + batch_size] for i in range(0, len(conversations), batch_size)
        ],
    }
    costs = {"campaign": campaign_cost}
    for name, group in groups.items():
        costs[f"ref_{name}"] = alone(sides.reference, group)
        costs[f"cand_{name}"] = alone(sides.candidate, group)
    regenerated, costs["generation"] = generation(seed, finished.batches, batch_size)
    if regenerated != conversations:
        print("note: generation (b) drew other conversations than the campaign compared")
    return Trial(finished, recorder, costs, len(regenerated))


def fastest(trials: Sequence[Trial], name: str) -> Cost:
    """The least disturbed repetition: the minimum wall and the minimum CPU, each on its own."""
    return Cost(min(t.costs[name].wall for t in trials), min(t.costs[name].cpu for t in trials))


def throughput(sides: Sides, seed: int, examples: int, batch_size: int, repeat: int) -> None:
    print(
        f"\n== throughput: campaign seed {seed}, max_examples {examples},"
        f" batch size {batch_size}; every figure the fastest of {repeat} =="
    )
    trials = [trial(sides, seed, examples, batch_size) for _ in range(repeat)]
    first = trials[0]
    finished, recorder, drawn = first.finished, first.recorder, first.drawn
    # Every figure below is over the first trial's conversations and batches: a repetition
    # that compared others is left out, or its fastest times would be set against them.
    trials = [t for t in trials if t.recorder == recorder]
    if len(trials) < repeat:
        print(
            f"note: {repeat - len(trials)} of {repeat} repeated campaigns compared other"
            " conversations or batches than the first; left out"
        )
    n = len(recorder.conversations)
    batches = len(recorder.batch_sizes)
    chunks = math.ceil(n / batch_size)
    campaign_cost, gen_cost = fastest(trials, "campaign"), fastest(trials, "generation")
    ref_one, cand_one = fastest(trials, "ref_one"), fastest(trials, "cand_one")
    ref_own, cand_own = fastest(trials, "ref_own"), fastest(trials, "cand_own")
    ref_chunk, cand_chunk = fastest(trials, "ref_chunk"), fastest(trials, "cand_chunk")
    limit_one, limit_own = plus(ref_one, cand_one), plus(ref_own, cand_own)
    if len(trials) > 1:
        walls = [t.costs["campaign"].wall for t in trials]
        cpus = [t.costs["campaign"].cpu for t in trials]
        print(
            f"campaign repetitions: wall {', '.join(f'{w:.2f}' for w in walls)} s;"
            f" CPU {', '.join(f'{c:.2f}' for c in cpus)} s (the machine's load shows here)"
        )

    messages = sum(len(c) for c in recorder.conversations)
    print(
        f"campaign: {finished.conversations:,} conversations ({n:,} recorded,"
        f" {messages:,} messages)"
        f" in {finished.batches:,} batches, {n / max(1, batches):.2f} per batch; reason"
        f" {finished.reason}; Tier A {finished.tier_a}"
    )
    if finished.tier_a:
        print("  (the sides diverged: shrinking ran, and its conversations are counted above)")
    ref_cmd, cand_cmd = (spec.startswith("cmd:") for spec in (sides.reference, sides.candidate))

    def procs(count: int, reference: bool = True, candidate: bool = True) -> str:
        """Processes started for ``count`` batches (a py: side starts none)."""
        return str(count * ((reference and ref_cmd) + (candidate and cand_cmd)))

    table(
        ["", "conversations", "processes", "wall s", "conv/s wall", "CPU s", "conv/s CPU"],
        [
            row("(c) campaign", n, campaign_cost, procs(batches)),
            row("(a-i) reference alone, 1 process", n, ref_one, procs(1, candidate=False)),
            row("(a-i) candidate alone, 1 process", n, cand_one, procs(1, reference=False)),
            row("  limit (i): reference + candidate", n, limit_one, procs(1)),
            row(
                "(a-ii) reference alone, campaign's batches",
                n,
                ref_own,
                procs(batches, candidate=False),
            ),
            row(
                "(a-ii) candidate alone, campaign's batches",
                n,
                cand_own,
                procs(batches, reference=False),
            ),
            row("  limit (ii): reference + candidate", n, limit_own, procs(batches)),
            row(
                f"  same in full chunks of {batch_size}",
                n,
                plus(ref_chunk, cand_chunk),
                procs(chunks),
            ),
            row(f"(b) generation alone ({finished.batches:,} draws)", drawn, gen_cost),
        ],
    )
    print("start cost, one process answering one short conversation:")
    print(f"  reference {start_cost(sides.reference)}")
    print(f"  candidate {start_cost(sides.candidate)}")
    for name, limit in (("(i) own cost", limit_one), ("(ii) as the campaign pays", limit_own)):
        print(
            f"campaign / limit {name}: CPU {limit.cpu / campaign_cost.cpu:.2f}x,"
            f" wall {limit.wall / campaign_cost.wall:.2f}x"
        )
    ratio = limit_one.cpu / campaign_cost.cpu
    verdict = "met" if ratio >= 0.5 else "NOT met"
    print(f"issue 9 target, campaign >= 0.5 x limit (i) per core (CPU): {ratio:.2f}x, {verdict}")
    per = 1000 / n
    generated = gen_cost.cpu * n / max(1, drawn)  # generation scaled to the campaign's count
    rest = campaign_cost.cpu - limit_own.cpu - generated
    print(
        f"CPU per conversation: campaign {per * campaign_cost.cpu:.2f} ms = generation"
        f" {per * generated:.2f} + targets as the campaign pays them {per * limit_own.cpu:.2f}"
        f" + the rest (comparison, events, bookkeeping) {per * rest:.2f}"
    )
    # campaign = own cost + starts + overhead, so campaign/own >= 0.5 when own >= starts + overhead.
    starts = limit_own.cpu - limit_one.cpu
    overhead = campaign_cost.cpu - limit_own.cpu
    print(
        f"break-even: with this overhead ({per * overhead:.2f} ms) and these starts"
        f" ({per * starts:.2f} ms) per conversation, a campaign reaches 0.5x limit (i) for"
        f" any two targets whose own analysis costs at least {per * (starts + overhead):.2f} ms"
        f" per conversation together (these cost {per * limit_one.cpu:.2f} ms)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    sides_group = parser.add_mutually_exclusive_group()
    sides_group.add_argument("--fast", action="store_true", help="fast_replay on both sides")
    sides_group.add_argument(
        "--port-like",
        action="store_true",
        help="fast_replay burning the real port's measured cost, on both sides",
    )
    parser.add_argument("--quick", action="store_true", help="smaller sizes, a minute or two")
    parser.add_argument("--examples", type=int, help="throughput campaign batches (250; 40 quick)")
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE, help="per process")
    parser.add_argument("--seed", type=int, default=0, help="campaign and generation seed")
    parser.add_argument(
        "--repeat", type=int, help="throughput repetitions, fastest kept (2; 1 with --quick)"
    )
    parser.add_argument("--rss-small", type=int, help="first RSS mark (1,000; 200 quick)")
    parser.add_argument(
        "--rss-large", type=int, help="second RSS mark (20,000; 2,000 quick); 0: skip"
    )
    args = parser.parse_args(argv)
    examples = args.examples if args.examples is not None else (40 if args.quick else 250)
    small = args.rss_small if args.rss_small is not None else (200 if args.quick else 1000)
    large = args.rss_large if args.rss_large is not None else (2000 if args.quick else 20000)
    if examples < 1:
        parser.error(f"--examples={examples} must be at least 1")
    repeat = args.repeat if args.repeat is not None else (1 if args.quick else 2)
    if repeat < 1:
        parser.error(f"--repeat={repeat} must be at least 1")
    if args.batch_size < 1:
        parser.error(f"--batch-size={args.batch_size} must be at least 1")
    if large and not 0 < small < large:
        parser.error(f"--rss-small={small} must be above 0 and below --rss-large={large}")

    started = time.perf_counter()
    print(f"command: {shlex.join([sys.executable, *sys.argv])}")
    print(
        f"load average {load()} on {os.cpu_count()} CPUs; Python {platform.python_version()},"
        f" Hypothesis {hypothesis.__version__}. Absolute times on a loaded machine are"
        " unreliable: read the ratios."
    )
    with tempfile.TemporaryDirectory(prefix="bench-throughput-") as tmp:
        sides = choose_sides(args.fast, args.port_like, Path(tmp))
        print(
            f"targets: {sides.note}\n  reference {sides.reference}\n  candidate {sides.candidate}"
        )
        check_targets(sides, [SHORT, [], [{"from": "gpt", "value": "no thanks"}, *SHORT]])
        if large:
            memory(sides, args.seed, small, large, args.batch_size)
        throughput(sides, args.seed, examples, args.batch_size, repeat)
    print(f"\ntotal {time.perf_counter() - started:.1f} s; load average at end {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
