"""Helpers shared by the benchmark scripts (run as ``python benchmarks/X.py``):
plain-text tables, a sink recording what a campaign compared, conversations cut
into a campaign's batches, the load average."""

from __future__ import annotations

import os
from collections.abc import Sequence
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
