"""What explaining a shrunk case costs, beside what shrinking it cost, per planted bug.

For each planted variant of the example analyzer, and for the candidate as
``py:`` (in process) and as ``cmd:`` (the example replay program, one process
per batch), a campaign with a fixed seed runs until that bug is found and
fully shrunk (``stop_when``). Then every case it kept (``campaign.best``) is
explained (``fuzz.engine.explain.explain_case``) against the same two
targets, and all explanations are grouped into root causes.

Printed per case, side by side in one run:

* **shrink**: the campaign's own time on that bug (Hypothesis plus the
  batched pass, from its ``ShrinkFinished`` event) and the pass's batches;
* **explain**: oracle calls (one process per side per call through
  ``cmd:``), candidates judged, seconds, and the ratio explain / shrink;
* the root-cause key found.

Per target kind, the total explanation time as a share of the campaigns'
wall time (the issue's bar: explanation and grouping add at most 10 % to a
campaign). Absolute times depend on the machine and its load; ratios
measured in one run do not, much.

    python benchmarks/bench_explain.py [--quick] [--variants a,b] [--no-cmd]
"""

from __future__ import annotations

import shlex
import sys
import time
from dataclasses import dataclass, field

from _tables import per_variant_main  # beside this script

from fuzz.engine.causes import group
from fuzz.engine.explain import Explanation, explain_case
from fuzz.engine.targets import parse_target
from fuzz.examples.variants import SHOWS_AS, VARIANTS
from fuzz.search.campaign import Campaign, CampaignSettings
from fuzz.search.events import Event, ShrinkFinished

REFERENCE = "py:fuzz.examples.analyzer:ExampleAnalyzer"
SEED = 1
VARIANTS_DEFAULT = (
    "missing_trigger",
    "unicode_whitespace",
    "ascii_lowercase",
    "retry_off_by_one",
    "narrow_timeout",
    "json_number_args",
    "byte_truncation",
    "crash",
    "window_off_by_one",
    "extra_separator",
)
QUICK = ("missing_trigger", "unicode_whitespace", "window_off_by_one")


@dataclass
class Run:
    variant: str
    side: str
    wall: float = 0.0
    shrinks: dict[str, ShrinkFinished] = field(default_factory=dict)
    explanations: list[Explanation] = field(default_factory=list)
    shrunk: dict[str, bool] = field(default_factory=dict)
    explain_wall: float = 0.0


def candidate_spec(variant: str, side: str) -> str:
    if side == "py":
        return f"py:fuzz.examples.variants:{VARIANTS[variant].__name__}"
    return f"cmd:{shlex.quote(sys.executable)} -m fuzz.examples.replay --variant {variant}"


def measure(variant: str, side: str, max_examples: int, budget: float) -> Run:
    run = Run(variant, side)

    def sink(event: Event) -> None:
        if isinstance(event, ShrinkFinished):
            run.shrinks[event.signature] = event

    reference = parse_target(REFERENCE, timeout=10.0)
    candidate = parse_target(candidate_spec(variant, side), timeout=10.0)
    settings = CampaignSettings(
        seed=SEED, max_examples=max_examples, budget=budget, stop_when=(SHOWS_AS[variant],)
    )
    campaign = Campaign(reference, candidate, settings, sink)
    started = time.perf_counter()
    campaign.run()
    run.wall = time.perf_counter() - started
    started = time.perf_counter()
    for signature, case in sorted(campaign.best.items()):
        run.shrunk[signature] = case.shrunk
        run.explanations.append(explain_case(case.conversation, signature, reference, candidate))
    run.explain_wall = time.perf_counter() - started
    return run


def report(runs: list[Run]) -> None:
    print(
        "| variant | target | signature | shrunk | shrink | pass batches | explain calls "
        "| candidates | explain | explain / shrink | root-cause key |"
    )
    print("|" + " --- |" * 11)
    for run in runs:
        for e in run.explanations:
            s = run.shrinks.get(e.signature)
            shrink = s.hypothesis_seconds + s.minimise_seconds if s is not None else None
            ratio = f"{e.cost.seconds / shrink:.2f}" if shrink else "-"
            print(
                f"| {run.variant} | {run.side} | {e.signature[:48]} "
                f"| {'yes' if run.shrunk[e.signature] else 'no'} "
                f"| {f'{shrink:.2f} s' if shrink is not None else '-'} "
                f"| {s.minimise_batches if s is not None else '-'} | {e.cost.oracle_calls} "
                f"| {e.cost.candidates} | {e.cost.seconds:.3f} s | {ratio} | {e.key[:40]} |"
            )
    print()
    for side in sorted({r.side for r in runs}):
        mine = [r for r in runs if r.side == side]
        wall = sum(r.wall for r in mine)
        explain = sum(r.explain_wall for r in mine)
        cases = sum(len(r.explanations) for r in mine)
        calls = sum(e.cost.oracle_calls for r in mine for e in r.explanations)
        started = time.perf_counter()
        causes = group(e for r in mine for e in r.explanations)
        grouping = time.perf_counter() - started
        share = 100 * (explain + grouping) / wall
        print(
            f"{side}: {cases} cases explained in {explain:.2f} s ({calls} oracle calls), "
            f"grouped into {len(causes)} root causes in {grouping * 1000:.1f} ms; "
            f"campaigns took {wall:.1f} s: explanation adds {share:.1f} %"
        )


def main() -> None:
    per_variant_main(
        "bench_explain", __doc__, measure, report, default=VARIANTS_DEFAULT, quick=QUICK, seed=SEED
    )


if __name__ == "__main__":
    main()
