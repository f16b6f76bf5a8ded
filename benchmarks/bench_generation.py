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

``--quick`` draws 400 conversations per strategy instead of 3,000.

Usage: python benchmarks/bench_generation.py [--quick] [-n N] [--seed S]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import hypothesis
from hypothesis.strategies import SearchStrategy

from fuzz.engine.targets import Conversation, parse_target
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


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


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
    drawn = generate_conversations(draws, seed, strategy)
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
    )


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]
    for r in (header, *rows):
        cells = [r[0].ljust(widths[0])]
        cells += [c.rjust(w) for c, w in zip(r[1:], widths[1:], strict=True)]
        print("  ".join(cells).rstrip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="400 conversations per strategy")
    parser.add_argument("-n", type=int, default=None, help="conversations per strategy (3000)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    n = args.n if args.n is not None else (400 if args.quick else 3000)
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


if __name__ == "__main__":
    sys.exit(main())
