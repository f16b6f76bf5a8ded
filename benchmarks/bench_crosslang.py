"""Examples to first find, per cross-language row, for seeds 1-3; and the shrunk size.

For each row of ``strategies.crosslang.ROWS`` with a fixture, a campaign of the
example analyzer (``py:``) against the row's variant, with the campaign's own
default strategy (what ``signals-fuzz campaign`` draws), a fixed seed and an
example budget; it stops once the variant's bug is shrunk. Printed per row and
seed: the batch (example) at which the bug was first seen, and the shrunk case's
size (messages, characters). Rows without a fixture are listed with the reason.

    python benchmarks/bench_crosslang.py [--seeds 1 2 3] [--max-examples 600] [--rows a,b]
    python benchmarks/bench_crosslang.py --reach 300   # rows reached by a 5-minute campaign

``--reach SECONDS`` instead runs one campaign of the example analyzer against
itself for that long (nothing to find, so it never stops early) and prints how
often each row was reached (``CrossLangTracker``) and the conversations compared.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fuzz.engine.targets import parse_target
from fuzz.examples.variants import SHOWS_AS, VARIANTS
from fuzz.search.campaign import Campaign, CampaignSettings
from fuzz.search.events import BatchCompared, DivergenceFound, Event
from strategies.crosslang import ROWS

REFERENCE = "py:fuzz.examples.analyzer:ExampleAnalyzer"


def first_find(variant: str, seed: int, max_examples: int) -> tuple[int | None, str]:
    """(batch of the first find, shrunk size) of one variant's bug for one seed."""
    batches = [0]
    found: list[int] = []
    prefix = SHOWS_AS[variant]

    def sink(event: Event) -> None:
        if isinstance(event, BatchCompared):
            batches[0] = event.batches
        elif isinstance(event, DivergenceFound) and event.case.signature.startswith(prefix):
            found.append(batches[0] + 1)

    campaign = Campaign(
        parse_target(REFERENCE, timeout=10.0),
        parse_target(f"py:fuzz.examples.variants:{VARIANTS[variant].__name__}", timeout=10.0),
        CampaignSettings(seed=seed, max_examples=max_examples, stop_when=(prefix,)),
        sink,
    )
    campaign.run()
    cases = [c for s, c in campaign.best.items() if s.startswith(prefix) and c.shrunk]
    if not cases:
        return (found[0] if found else None), "not shrunk"
    best = min(cases, key=lambda c: (len(c.conversation), len(_text(c.conversation))))
    return found[
        0
    ] if found else None, f"{len(best.conversation)} msg, {len(_text(best.conversation))} ch"


def _text(conversation: list[dict[str, object]]) -> str:
    return "".join(str(m.get("value", "")) for m in conversation)


def reach(seconds: float, seed: int) -> None:
    """How often a campaign of ``seconds`` reaches each row."""
    from fuzz.search.crosslang_coverage import CrossLangTracker

    tracker = CrossLangTracker()
    campaign = Campaign(
        parse_target(REFERENCE, timeout=10.0),
        parse_target(REFERENCE, timeout=10.0),
        CampaignSettings(seed=seed, budget=seconds),
        tracker,
    )
    finished = campaign.run()
    print(tracker.coverage().table())
    print(f"{finished.conversations} conversations in {finished.elapsed:.0f}s (seed {seed})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--max-examples", type=int, default=600)
    parser.add_argument("--rows", default="", help="comma-separated row slugs (default: all)")
    parser.add_argument("--reach", type=float, default=None, metavar="SECONDS")
    args = parser.parse_args()
    if args.reach is not None:
        reach(args.reach, args.seeds[0])
        return 0
    wanted = {r for r in args.rows.split(",") if r}
    print(f"| row | variant | first find (seeds {', '.join(map(str, args.seeds))}) | shrunk size |")
    print("| --- | --- | --- | --- |")
    for row in ROWS:
        if wanted and row.slug not in wanted:
            continue
        if not row.fixtures:
            print(f"| {row.slug} | - | not reachable: {row.unreached} | - |")
            continue
        for variant in row.fixtures:
            finds, sizes = [], []
            for seed in args.seeds:
                at, size = first_find(variant, seed, args.max_examples)
                finds.append(str(at) if at is not None else f">{args.max_examples}")
                sizes.append(size)
            print(
                f"| {row.slug} | {variant} | {' / '.join(finds)} | {' / '.join(sizes)} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
