"""From finding to fully shrunk, per planted bug: Hypothesis alone, then the batched pass.

For each planted variant of the example analyzer, and for the candidate as
``py:`` (in process) and as ``cmd:`` (the example replay program, one process
per batch), a campaign with a fixed seed runs until that bug is found and
fully shrunk (``stop_when``). Its ``ShrinkFinished`` event times both
stages of the same shrink, side by side:

* **Hypothesis**: the shrink run on the bug's own conversation, to
  Hypothesis's fixed point (one candidate per step, so one process start per
  step through ``cmd:``);
* **batched pass**: ``fuzz.search.minimise`` on Hypothesis's result
  (messages, words, characters; many candidates per process).

Printed per bug: when it was found, each stage's time, the size after each
stage (messages / characters), and the number of batches the pass sent.
Absolute times depend on the machine and its load; the ratios between the
two stages of one shrink do not.

    python benchmarks/bench_shrink.py [--quick] [--variants a,b] [--no-cmd]
"""

from __future__ import annotations

import shlex
import sys
import time
from dataclasses import dataclass

from _tables import per_variant_main  # beside this script

from fuzz.engine.case import size_key
from fuzz.engine.targets import parse_target
from fuzz.examples.variants import SHOWS_AS, VARIANTS
from fuzz.search.campaign import Campaign, CampaignSettings
from fuzz.search.events import DivergenceFound, Event, ShrinkFinished

REFERENCE = "py:fuzz.examples.analyzer:ExampleAnalyzer"
SEED = 1
VARIANTS_DEFAULT = (
    "missing_trigger",
    "narrow_timeout",
    "retry_off_by_one",
    "crash",
    "json_number_args",
    "window_off_by_one",
    "unicode_whitespace",
    "bucket_boundary",
)
QUICK = ("missing_trigger", "narrow_timeout", "window_off_by_one")


@dataclass
class Row:
    variant: str
    side: str
    found_size: tuple[int, int] | None = None
    shrink: ShrinkFinished | None = None
    wall: float = 0.0


def candidate_spec(variant: str, side: str) -> str:
    if side == "py":
        return f"py:fuzz.examples.variants:{VARIANTS[variant].__name__}"
    return f"cmd:{shlex.quote(sys.executable)} -m fuzz.examples.replay --variant {variant}"


def measure(variant: str, side: str, max_examples: int, budget: float) -> Row:
    row = Row(variant, side)
    wanted = SHOWS_AS[variant]

    def sink(event: Event) -> None:
        if isinstance(event, DivergenceFound) and event.case.signature.startswith(wanted):
            if row.found_size is None:
                messages, chars, _ = size_key(event.case.conversation)  # as ShrinkFinished's
                row.found_size = (messages, chars)
        elif isinstance(event, ShrinkFinished) and event.signature.startswith(wanted):
            row.shrink = event

    settings = CampaignSettings(
        seed=SEED, max_examples=max_examples, budget=budget, stop_when=(wanted,)
    )
    campaign = Campaign(
        parse_target(REFERENCE, timeout=10.0),
        parse_target(candidate_spec(variant, side), timeout=10.0),
        settings,
        sink,
    )
    started = time.perf_counter()
    campaign.run()
    row.wall = time.perf_counter() - started
    return row


def size(value: tuple[int, int] | None) -> str:
    return "-" if value is None else f"{value[0]} msg / {value[1]:,} ch"


def report(rows: list[Row]) -> None:
    header = (
        "| variant | target | found at | found as | Hypothesis | after Hypothesis "
        "| batched pass | batches | final | pass share of shrink time |"
    )
    print(header)
    print("|" + " --- |" * 10)
    for row in rows:
        s = row.shrink
        if s is None:
            print(f"| {row.variant} | {row.side} | not shrunk ({row.wall:.1f} s) |" + " - |" * 7)
            continue
        total = s.hypothesis_seconds + s.minimise_seconds
        share = s.minimise_seconds / total if total else 0.0
        print(
            f"| {row.variant} | {row.side} | {s.found_at:.1f} s | {size(row.found_size)} "
            f"| {s.hypothesis_seconds:.2f} s | {size(s.hypothesis_size)} "
            f"| {s.minimise_seconds:.2f} s | {s.minimise_batches} | {size(s.final_size)} "
            f"| {100 * share:.0f} % |"
        )


def main() -> None:
    per_variant_main(
        "bench_shrink", __doc__, measure, report, default=VARIANTS_DEFAULT, quick=QUICK, seed=SEED
    )


if __name__ == "__main__":
    main()
