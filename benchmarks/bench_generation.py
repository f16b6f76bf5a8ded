"""Is a campaign bound by generating conversations or by analysing them?

For each public conversation strategy, in one run, on the same machine:

* ``conversations()`` (default arguments: up to 30 messages);
* ``batches()`` (default arguments: 1-8 conversations of up to 101 messages,
  the campaign's strategy), counted per conversation;
* ``boundary_conversations()``;
* ``seeded_conversations(load_seed_chats())`` (the bundled seed chats);

it draws conversations with ``fuzz.search.coverage.generate_conversations`` (one
seeded Hypothesis run, generate phase only, as a campaign explores) and
times that, then times the example analyzer on exactly those conversations,
in process:

* ``analyze()``: ``ExampleAnalyzer().analyze`` alone, on copies made beforehand;
* ``analyze_batch``: the ``py:`` target a campaign uses (a private copy of
  each conversation, a SIGALRM timeout, the JSON round trip of the report).

It prints the cost per conversation of each and the ratio generation /
analysis. Each strategy and the analyzer are warmed up on a few draws of
another seed before timing.

It also counts Hypothesis *choices* per conversation (the integers and
booleans a strategy draws): each costs a campaign tens of microseconds of
engine work, whatever the machine, so choices/conv is the stable measure of
generation cost and ms/conv the loaded-machine one.

``--before REV`` compares generation only, before and after: the
``strategies/`` package of git revision ``REV`` (exported to a temporary
folder) against the working tree's, each drawn in a fresh subprocess, the two
alternated ``--rounds`` times so that machine load hits both alike. It prints
ms/conv and choices/conv per strategy, side by side, with their ratios;
``campaign_batches()`` is what a campaign draws (from the working tree's
``fuzz``, so both sides batch alike).

``--quick`` draws 400 conversations per strategy instead of 3,000.

Usage: python benchmarks/bench_generation.py [--quick] [-n N] [--seed S]
       python benchmarks/bench_generation.py --before REV [--rounds R] [-n N]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import hypothesis
from _tables import load, table  # beside this script
from hypothesis.control import current_build_context
from hypothesis.strategies import SearchStrategy

from fuzz.defaults import BATCH_SIZE
from fuzz.engine.outcomes import Conversation
from fuzz.engine.targets import parse_target
from fuzz.examples.analyzer import ExampleAnalyzer
from fuzz.search.coverage import generate_conversations
from strategies.conversations import batches, boundary_conversations, conversations
from strategies.seeds import load_seed_chats, seeded_conversations

REFERENCE = "py:fuzz.examples.analyzer:ExampleAnalyzer"
#: Conversations per batch of ``batches()`` on average (1-8, measured ~4.2).
BATCH_MEAN = 4


@dataclass
class Row:
    name: str
    draws: int
    conversations: int
    messages: int
    chars: int
    generation: float
    analyze: float
    analyze_batch: float
    failures: int
    choices: int = 0


def flatten_batches(drawn: Sequence[Any]) -> list[Conversation]:
    return [conversation for batch in drawn for conversation in batch]


def as_conversations(drawn: Sequence[Any]) -> list[Conversation]:
    return list(drawn)


def time_analyze(conversations_: Sequence[Conversation]) -> tuple[float, int]:
    """``ExampleAnalyzer().analyze`` on copies made beforehand; seconds and exceptions."""
    analyzer = ExampleAnalyzer()
    copies = [[dict(m) for m in c] for c in conversations_]
    failures = 0
    start = time.perf_counter()
    for messages in copies:
        try:
            analyzer.analyze(messages)
        except Exception:
            failures += 1
    return time.perf_counter() - start, failures


def time_analyze_batch(conversations_: Sequence[Conversation]) -> float:
    """One ``analyze_batch`` call of a fresh ``py:`` target."""
    target = parse_target(REFERENCE)
    start = time.perf_counter()
    target.analyze_batch(conversations_)
    return time.perf_counter() - start


def draw_counting(n: int, seed: int, strategy: SearchStrategy[Any]) -> tuple[list[Any], int]:
    """``generate_conversations`` (same settings), also counting Hypothesis choices."""
    choices = [0]

    def count() -> None:
        choices[0] += len(current_build_context().data.nodes)

    drawn = generate_conversations(n, seed, strategy, observe=count)
    return drawn, choices[0]


def measure(
    name: str,
    strategy: SearchStrategy[Any],
    draws: int,
    seed: int,
    unpack: Callable[[Sequence[Any]], list[Conversation]],
) -> Row:
    warm = unpack(generate_conversations(5, seed + 1, strategy))
    time_analyze(warm)
    time_analyze_batch(warm)
    start = time.perf_counter()
    drawn, choices = draw_counting(draws, seed, strategy)
    generation = time.perf_counter() - start
    convs = unpack(drawn)
    analyze, failures = time_analyze(convs)
    analyze_batch = time_analyze_batch(convs)
    return Row(
        name=name,
        draws=len(drawn),
        conversations=len(convs),
        messages=sum(len(c) for c in convs),
        chars=sum(len(str(m.get("value", ""))) for c in convs for m in c),
        generation=generation,
        analyze=analyze,
        analyze_batch=analyze_batch,
        failures=failures,
        choices=choices,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="400 conversations per strategy")
    parser.add_argument("-n", type=int, default=None, help="conversations per strategy (3000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--before", metavar="REV", help="compare with strategies/ at git REV")
    parser.add_argument("--rounds", type=int, default=2, help="alternations with --before (2)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    n = args.n if args.n is not None else (400 if args.quick else 3000)
    if args.worker:
        print(json.dumps(generation_only(n, args.seed)))
        return 0
    if args.before:
        return compare(args.before, n, args.seed, args.rounds)
    started = time.perf_counter()
    print(
        f"load average {load()} on {os.cpu_count()} CPUs; Python {platform.python_version()}, "
        f"Hypothesis {hypothesis.__version__}; {'--quick' if args.quick else 'default'} mode"
    )
    print(
        f"~{n:,} conversations per strategy, seed {args.seed}; analyzer {REFERENCE}, in process\n"
    )
    chats = load_seed_chats()
    plans: list[tuple[str, SearchStrategy[Any], int, Callable[[Sequence[Any]], list[Any]]]] = [
        ("conversations()", conversations(), n, as_conversations),
        (
            f"batches() [{max(1, n // BATCH_MEAN):,} batches]",
            batches(),
            max(1, n // BATCH_MEAN),
            flatten_batches,
        ),
        ("boundary_conversations()", boundary_conversations(), n, as_conversations),
        (
            f"seeded_conversations({len(chats)} seed chats)",
            seeded_conversations(chats),
            n,
            as_conversations,
        ),
    ]
    rows = [
        measure(name, strategy, draws, args.seed, unpack) for name, strategy, draws, unpack in plans
    ]

    def ms(seconds: float, count: int) -> str:
        return f"{1000 * seconds / count:.2f}" if count else "-"

    lines = [
        [
            row.name,
            f"{row.conversations:,}",
            f"{row.messages / max(row.conversations, 1):.1f}",
            f"{row.chars / max(row.conversations, 1):,.0f}",
            ms(row.generation, row.conversations),
            f"{row.choices / max(row.conversations, 1):.1f}",
            ms(row.analyze, row.conversations),
            ms(row.analyze_batch, row.conversations),
            f"{row.generation / row.analyze:.1f}x" if row.analyze else "-",
            f"{row.generation / row.analyze_batch:.1f}x" if row.analyze_batch else "-",
        ]
        for row in rows
    ]
    table(
        [
            "strategy",
            "convs",
            "msgs/conv",
            "chars/conv",
            "gen ms/conv",
            "choices/conv",
            "analyze() ms/conv",
            "analyze_batch ms/conv",
            "gen/analyze()",
            "gen/analyze_batch",
        ],
        lines,
    )
    failures = sum(row.failures for row in rows)
    print(f"\nanalyze() raised on {failures} conversation(s).")
    print(
        "Generation is one Hypothesis run per strategy (generate_conversations), so it includes\n"
        "Hypothesis's per-example engine work, which a campaign pays too (per batch)."
    )
    print(f"total {time.perf_counter() - started:.1f} s; load average at end {load()}")
    return 0


# ------------------------------------------------------------ before/after --


def plans(n: int) -> list[tuple[str, Callable[[], SearchStrategy[Any]], int, bool]]:
    """(name, strategy factory, draws, draws are batches) for ``--before``; a factory
    that fails to import (a strategy the other revision lacks) is skipped."""

    def campaign() -> SearchStrategy[Any]:
        from fuzz.search.inputs import campaign_batches  # it imports strategies of REV

        return campaign_batches()

    def ladders() -> SearchStrategy[Any]:
        import importlib

        import strategies

        module = importlib.import_module("strategies.ladders")
        # An editable install resolves a submodule the exported revision
        # lacks from the working tree: that is not the revision's strategy.
        if os.path.dirname(str(module.__file__)) not in list(strategies.__path__):
            raise ImportError("strategies.ladders is not in this revision")
        made: SearchStrategy[Any] = module.quality_ladders()
        return made

    def traces() -> SearchStrategy[Any]:
        from strategies import tool_traces

        return tool_traces()

    def seeded() -> SearchStrategy[Any]:
        return seeded_conversations(load_seed_chats())

    return [
        ("campaign_batches()", campaign, max(1, n // BATCH_SIZE), True),
        ("conversations(max_size=101)", lambda: conversations(max_size=101), n, False),
        ("conversations()", conversations, n, False),
        ("boundary_conversations()", boundary_conversations, n, False),
        ("quality_ladders()", ladders, n, False),
        ("tool_traces()", traces, n, False),
        ("seeded_conversations(bundled)", seeded, n, False),
    ]


def generation_only(n: int, seed: int) -> dict[str, dict[str, float]]:
    """Per strategy: seconds, conversations, messages and choices of one draw."""
    out: dict[str, dict[str, float]] = {}
    for name, factory, draws, batched in plans(n):
        try:
            strategy = factory()
        except ImportError:
            continue
        draw_counting(5, seed + 1, strategy)  # warm up caches and imports
        start = time.perf_counter()
        drawn, choices = draw_counting(draws, seed, strategy)
        seconds = time.perf_counter() - start
        convs = flatten_batches(drawn) if batched else list(drawn)
        out[name] = {
            "seconds": seconds,
            "conversations": len(convs),
            "messages": sum(len(c) for c in convs),
            "choices": choices,
        }
    return out


def export_strategies(rev: str, into: str) -> None:
    """Write ``strategies/`` as of git revision ``rev`` under ``into``."""
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    archive = os.path.join(into, "strategies.tar")
    with open(archive, "wb") as out:
        subprocess.run(["git", "-C", repo, "archive", rev, "strategies"], stdout=out, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")


def run_worker(n: int, seed: int, pythonpath: str | None) -> dict[str, dict[str, float]]:
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = pythonpath + os.pathsep + env.get("PYTHONPATH", "")
    command = [sys.executable, os.path.abspath(__file__), "--worker", "-n", str(n)]
    result = subprocess.run(
        [*command, "--seed", str(seed)], env=env, capture_output=True, text=True, check=True
    )
    parsed: dict[str, dict[str, float]] = json.loads(result.stdout)
    return parsed


def compare(rev: str, n: int, seed: int, rounds: int) -> int:
    print(
        f"load average {load()} on {os.cpu_count()} CPUs; Python {platform.python_version()}, "
        f"Hypothesis {hypothesis.__version__}"
    )
    print(
        f"before = strategies/ at {rev}, after = working tree; ~{n:,} conversations per strategy, "
        f"seed {seed}; {rounds} alternated rounds, each side in a fresh process\n"
    )
    totals: dict[str, dict[str, dict[str, float]]] = {"before": {}, "after": {}}
    with tempfile.TemporaryDirectory() as tmp:
        export_strategies(rev, tmp)
        for _ in range(rounds):
            for side, path in (("before", tmp), ("after", None)):
                for name, row in run_worker(n, seed, path).items():
                    acc = totals[side].setdefault(name, dict.fromkeys(row, 0.0))
                    for key, value in row.items():
                        acc[key] += value

    def per_conv(row: dict[str, float] | None, key: str, scale: float = 1.0) -> float | None:
        if row is None or not row["conversations"]:
            return None
        return scale * row[key] / row["conversations"]

    def cell(value: float | None, digits: int = 2) -> str:
        return "-" if value is None else f"{value:.{digits}f}"

    lines = []
    for name, *_ in plans(n):
        before, after = totals["before"].get(name), totals["after"].get(name)
        ms_b, ms_a = per_conv(before, "seconds", 1000), per_conv(after, "seconds", 1000)
        ch_b, ch_a = per_conv(before, "choices"), per_conv(after, "choices")
        lines.append(
            [
                name,
                cell(ms_b),
                cell(ms_a),
                f"{ms_a / ms_b:.2f}x" if ms_a and ms_b else "-",
                cell(ch_b, 1),
                cell(ch_a, 1),
                f"{ch_a / ch_b:.2f}x" if ch_a and ch_b else "-",
                cell(per_conv(before, "messages"), 1),
                cell(per_conv(after, "messages"), 1),
            ]
        )
    table(
        [
            "strategy",
            "ms/conv before",
            "after",
            "ratio",
            "choices/conv before",
            "after",
            "ratio",
            "msgs/conv before",
            "after",
        ],
        lines,
    )
    print(
        "\nms/conv is wall time on a shared machine: compare the ratio of one run, not\n"
        "absolute values across runs. choices/conv does not depend on the machine."
    )
    print(f"load average at end {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
