"""Cross-language row coverage: which rows of the table a run reached, and how often.

The answer to "did this campaign ever try the inputs on which Python and Rust
primitives disagree?". ``CrossLangTracker`` watches the conversations sent to
the analyzers (as a campaign sink it reads ``ConversationCompared``;
``signals-fuzz coverage`` feeds it drawn conversations) and counts, per row of
``strategies.crosslang.ROWS``, the conversations that exercise it
(``strategies.crosslang.rows_in``). Rows with no fixture are listed too, with
the reason the example analyzer cannot show them.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import attrs

from fuzz.engine.outcomes import Conversation
from fuzz.search.events import ConversationCompared, Event
from strategies.crosslang import ROWS, rows_in


@attrs.frozen
class CrossLangCoverage:
    """Per row: conversations that exercised it, out of ``conversations``."""

    counts: dict[str, int]
    conversations: int

    @property
    def reached(self) -> int:
        return sum(1 for row in ROWS if self.counts.get(row.slug, 0))

    def summary(self) -> str:
        """``cross-language rows reached N/M``."""
        return f"cross-language rows reached {self.reached}/{len(ROWS)}"

    def table(self) -> str:
        """An aligned table: every row, how often it was reached, its rate."""
        rows: list[tuple[str, str, str]] = [("cross-language row", "count", "rate")]
        for row in ROWS:
            count = self.counts.get(row.slug, 0)
            rate = f"{100 * count / self.conversations:.1f}%" if self.conversations else "-"
            rows.append((row.slug, str(count), rate))
        width = [max(len(r[i]) for r in rows) for i in range(3)]
        lines = [f"{a:<{width[0]}}  {b:>{width[1]}}  {c:>{width[2]}}".rstrip() for a, b, c in rows]
        lines.append(f"{self.summary()} ({self.conversations} conversations)")
        never = [row.slug for row in ROWS if not self.counts.get(row.slug, 0)]
        if never:
            lines.append("never reached: " + ", ".join(never))
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        """``{"conversations", "reached", "total", "rows": {slug: {count, rate, ...}}}``."""
        n = self.conversations
        return {
            "conversations": n,
            "reached": self.reached,
            "total": len(ROWS),
            "rows": {
                row.slug: {
                    "count": self.counts.get(row.slug, 0),
                    "rate": self.counts.get(row.slug, 0) / n if n else 0.0,
                    "title": row.title,
                    "fixtures": list(row.fixtures),
                    "unreached": row.unreached,
                }
                for row in ROWS
            },
        }


@attrs.define
class CrossLangTracker:
    """Counts the cross-language rows of the conversations it is shown.

    Use it as a campaign sink (``ConversationCompared`` events) or call
    ``observe``; ``coverage()`` gives the counts so far; ``merge`` adds a
    worker's counts.
    """

    conversations: int = 0
    _counts: Counter[str] = attrs.field(init=False, factory=Counter)

    def __call__(self, event: Event) -> None:
        if isinstance(event, ConversationCompared):
            self.observe(event.conversation)

    def observe(self, conversation: Conversation) -> None:
        """Count the rows one conversation exercises."""
        self.conversations += 1
        self._counts.update(rows_in(conversation))

    @property
    def counts(self) -> dict[str, int]:
        """Per row slug, conversations so far (a copy)."""
        return dict(self._counts)

    def merge(self, other: CrossLangTracker) -> None:
        """Add another tracker's counts (a worker's)."""
        self.conversations += other.conversations
        self._counts.update(other.counts)

    def coverage(self) -> CrossLangCoverage:
        return CrossLangCoverage(counts=dict(self._counts), conversations=self.conversations)
