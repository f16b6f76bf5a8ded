"""What does a large ``--dictionary`` cost? Generation with 0, 100 and 1,000 harvested patterns.

A synthetic source tree is written to a temp dir for each size: one Rust
file of ``Regex::new(r"...")`` lines, each pattern an inline-flagged
alternation of 3-6 words, an optional separator, and a status code or a
word, like the port's observation rules (about 6 alternatives each). Then,
in one run, on the same machine, for each size:

* harvest: reading and translating the tree (``fuzz.search.harvest.harvest``);
* campaign draws: ``campaign_conversations(dictionary=...)``, what a
  campaign draws (generated conversations mixed with dictionary ones), drawn
  with ``fuzz.search.coverage.generate_conversations`` (one seeded
  Hypothesis run, generate phase only) -- conversations per second;
* dictionary draws: ``dictionary_conversations`` alone, conversations/s;
* tracking: ``PatternTracker.observe`` on the campaign draws (what
  ``campaign --dictionary`` adds per conversation), conversations/s;
* patterns and alternatives reached by the campaign draws.

Size 0 is the baseline (no dictionary: ``conversations()`` only). Ratios are
against it. Hypothesis builds each alternative's ``from_regex`` strategy the
first time it is drawn, so that one-time cost falls inside the timing, as it
does in a campaign's first minutes.

Absolute times on a shared, loaded machine are unreliable: compare the
ratios printed in one run, and mind the load average printed with them.

Usage: python benchmarks/bench_dictionary.py [--quick] [-n N] [--seed S]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import hypothesis
from _tables import load  # beside this script

from fuzz.search import harvest as harvesting
from fuzz.search.coverage import generate_conversations
from fuzz.search.inputs import campaign_conversations
from fuzz.search.patterns import PatternTracker
from strategies.dictionary import Dictionary, dictionary_conversations

SIZES = (0, 100, 1000)
WORDS = (
    "upstream", "backend", "gateway", "proxy", "origin", "shard", "replica", "broker",
    "queue", "worker", "lease", "token", "session", "grant", "scope", "tenant", "bucket",
    "object", "stream", "cursor", "index", "schema", "table", "column", "vault", "secret",
)  # fmt: skip
ENDINGS = ("failed", "rejected", "expired", "unavailable", "exhausted", "denied")


@dataclass
class Row:
    size: int
    patterns: int
    alternatives: int
    harvest: float
    campaign_rate: float
    dictionary_rate: float
    tracking_rate: float
    reached: str


def synthetic_tree(root: Path, size: int, seed: int) -> Path:
    """A Rust file of ``size`` alternation regexes (and nothing else)."""
    rng = random.Random(seed)
    lines = ["use regex::Regex;", "fn rules() -> Vec<Regex> {", "    vec!["]
    for k in range(size):
        subjects = "|".join(rng.sample(WORDS, rng.randint(3, 6)))
        ending = rng.choice(ENDINGS)
        code = rng.choice(("4\\d\\d", "5\\d\\d", "\\d{3}", f"e{k}"))
        lines.append(
            f'        Regex::new(r"(?i)\\b(?:{subjects})[ _-]?{k}\\s*:?\\s*(?:{ending}|{code})\\b")'
            ".unwrap(),"
        )
    lines += ["    ]", "}"]
    tree = root / f"tree{size}"
    tree.mkdir()
    (tree / "rules.rs").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tree


def measure(size: int, n: int, seed: int, root: Path) -> Row:
    started = time.perf_counter()
    harvested = harvesting.harvest([synthetic_tree(root, size, seed)]) if size else Dictionary()
    harvest_seconds = time.perf_counter() - started

    strategy = campaign_conversations(dictionary=harvested)
    started = time.perf_counter()
    drawn = generate_conversations(n, seed, strategy)
    campaign_rate = len(drawn) / (time.perf_counter() - started)

    dictionary_rate = float("nan")
    if harvested:
        started = time.perf_counter()
        alone = generate_conversations(n, seed + 1, dictionary_conversations(harvested))
        dictionary_rate = len(alone) / (time.perf_counter() - started)

    tracker = PatternTracker(harvested)
    started = time.perf_counter()
    for conversation in drawn:
        tracker.observe(conversation)
    elapsed = time.perf_counter() - started
    tracking_rate = len(drawn) / elapsed if elapsed > 0 else float("inf")
    coverage = tracker.coverage()
    return Row(
        size=size,
        patterns=len(harvested.patterns),
        alternatives=harvested.alternative_count,
        harvest=harvest_seconds,
        campaign_rate=campaign_rate,
        dictionary_rate=dictionary_rate,
        tracking_rate=tracking_rate,
        reached=f"{coverage.patterns_reached}/{len(coverage.patterns)} "
        f"({coverage.alternatives_reached}/{coverage.alternatives_total})",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="150 conversations per size")
    parser.add_argument("-n", type=int, default=None, help="conversations per size (400)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    n = args.n or (150 if args.quick else 400)
    print(
        f"bench_dictionary: n={n} seed={args.seed} python {platform.python_version()} "
        f"hypothesis {hypothesis.__version__} cpus {os.cpu_count()} load {load()}"
    )
    with tempfile.TemporaryDirectory() as temp:
        # warm-up: imports, the strategy caches, on a different seed
        measure(10, 20, args.seed + 100, Path(temp))
        rows = [measure(size, n, args.seed, Path(temp)) for size in SIZES]
    base = rows[0].campaign_rate
    print(
        f"{'patterns':>8} {'alts':>6} {'harvest s':>9} {'campaign conv/s':>15} {'ratio':>6} "
        f"{'dict-only conv/s':>16} {'tracking conv/s':>15}  reached (by the campaign draws)"
    )
    for row in rows:
        print(
            f"{row.patterns:>8} {row.alternatives:>6} {row.harvest:>9.2f} "
            f"{row.campaign_rate:>15.1f} {row.campaign_rate / base:>6.2f} "
            f"{row.dictionary_rate:>16.1f} {row.tracking_rate:>15.0f}  {row.reached}"
        )
    print(
        f"load after: {load()} (absolute rates on a loaded machine are unreliable; ratios less so)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
