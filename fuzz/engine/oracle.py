"""Asking the two analyzers about many candidate conversations, in few processes.

The batched minimisation pass (``fuzz.search.minimise``) and explanation
(``fuzz.engine.explain``) both judge candidates through a ``Shows``
function: for each candidate, whether it still shows the bug. Each call is
one process per side for a ``cmd:`` target, so ``Oracle`` sends candidates
in batches of ``max_batch``, each distinct content once (verdicts are cached
by content), counts what it sent, and stops sending once ``deadline`` (a
``time.monotonic`` value) has passed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence

import attrs

from fuzz.engine.outcomes import Conversation

#: Judges candidates: for each, whether it still shows the bug.
Shows = Callable[[Sequence[Conversation]], list[bool]]


def content_key(conversation: Conversation) -> str:
    """What makes two candidates the same question."""
    return json.dumps(conversation, sort_keys=True, ensure_ascii=True)


@attrs.define
class Oracle:
    """``shows`` behind a cache by content, batching, counters and a deadline."""

    shows: Shows
    max_batch: int
    deadline: float | None = None
    batches: int = 0
    candidates: int = 0
    #: Some candidates went unjudged: the deadline passed.
    expired: bool = False
    _seen: dict[str, bool] = attrs.field(factory=dict)

    def past_deadline(self) -> bool:
        return self.deadline is not None and time.monotonic() >= self.deadline

    def known(self, key: str) -> bool | None:
        """The cached verdict of a content key, or None when it was never asked."""
        return self._seen.get(key)

    def ask(self, chunk: Sequence[tuple[str, Conversation]]) -> list[bool]:
        """One batch: the verdicts of ``(content key, candidate)`` pairs, cached."""
        answers = self.shows([candidate for _, candidate in chunk])
        if len(answers) != len(chunk):
            raise ValueError(
                f"shows() answered {len(answers)} verdicts for {len(chunk)} candidates"
            )
        self.batches += 1
        self.candidates += len(chunk)
        verdicts = [bool(answer) for answer in answers]
        self._seen.update(zip((key for key, _ in chunk), verdicts, strict=True))
        return verdicts

    def verdicts(self, conversations: Sequence[Conversation]) -> list[bool | None]:
        """Whether each candidate shows the bug; ``None`` for those left unjudged at the
        deadline (the first batch always goes). An unjudged candidate is no evidence either
        way."""
        keys = [content_key(c) for c in conversations]
        fresh: dict[str, Conversation] = {}
        for key, conversation in zip(keys, conversations, strict=True):
            if key not in self._seen:
                fresh.setdefault(key, conversation)
        pending = list(fresh.items())
        for start in range(0, len(pending), self.max_batch):
            if self.batches and self.past_deadline():
                self.expired = True
                break
            self.ask(pending[start : start + self.max_batch])
        return [self._seen.get(key) for key in keys]
