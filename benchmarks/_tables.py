"""Helpers shared by the benchmark scripts (run as ``python benchmarks/X.py``):
plain-text tables, a sink recording what a campaign compared, conversations cut
into a campaign's batches, the load average."""

from __future__ import annotations

import argparse
import os
import platform
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from fuzz.engine.outcomes import Conversation
from fuzz.search.events import BatchCompared, ConversationCompared, Event

T = TypeVar("T")


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Print ``rows`` under ``header``: first column left-aligned, the rest right-aligned."""
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]
    for r in (header, *rows):
        cells = [r[0].ljust(widths[0])]
        cells += [c.rjust(w) for c, w in zip(r[1:], widths[1:], strict=True)]
        print("  ".join(cells).rstrip())


@dataclass
class Recorder:
    """A campaign sink keeping every conversation compared, in order, and the batch sizes."""

    conversations: list[Conversation] = field(default_factory=list)
    batch_sizes: list[int] = field(default_factory=list)

    def __call__(self, event: Event) -> None:
        if isinstance(event, ConversationCompared):
            self.conversations.append(event.conversation)
        elif isinstance(event, BatchCompared):
            self.batch_sizes.append(event.conversations - sum(self.batch_sizes))


def groups_of(items: Sequence[T], sizes: Sequence[int]) -> list[list[T]]:
    """``items`` cut into consecutive groups of ``sizes`` (a campaign's batch sizes)."""
    out: list[list[T]] = []
    first = 0
    for size in sizes:
        out.append(list(items[first : first + size]))
        first += size
    return out


def load() -> str:
    """The load average (1, 5, 15 min): absolute times on a loaded machine mislead."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def per_variant_main(
    name: str,
    doc: str,
    measure: Callable[[str, str, int, float], T],
    report: Callable[[list[T]], None],
    *,
    default: Sequence[str],
    quick: Sequence[str],
    seed: int,
) -> None:
    """The command line of a benchmark that runs one campaign per planted variant and side."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"only {', '.join(quick)}")
    parser.add_argument("--variants", default=None, help="comma-separated variant names")
    parser.add_argument("--no-cmd", action="store_true", help="skip the cmd: candidate")
    parser.add_argument("--max-examples", type=int, default=600)
    parser.add_argument("--budget", type=float, default=300.0, help="seconds per campaign")
    args = parser.parse_args()
    names = args.variants.split(",") if args.variants else quick if args.quick else default
    sides = ("py",) if args.no_cmd else ("py", "cmd")
    print(
        f"# {name}: seed {seed}, max_examples {args.max_examples}, "
        f"Python {platform.python_version()}, {platform.machine()}"
    )
    report(
        [
            measure(variant, side, args.max_examples, args.budget)
            for variant in names
            for side in sides
        ]
    )
