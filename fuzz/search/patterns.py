"""Pattern coverage: which harvested regexes, and which of their alternatives, were tried.

The fuzzer's answer to "which of my patterns did this campaign never try?".
``PatternTracker`` watches the conversations sent to the analyzers (as a
campaign sink it reads ``ConversationCompared.conversation``; ``coverage``
feeds it drawn conversations directly) and marks an alternative *reached*
when its translated regex ``search``es some message ``value``: the raw text
or its lower-cased form, because the analyzers lower-case before matching
(so a pattern compiled with ``re.I`` in the reference, whose flag the
literal does not carry, still counts). A pattern is reached when any of its
alternatives is. Values that are not strings are checked as their JSON.

Cost: every message would be searched by every alternative not yet
reached. Instead, the literal runs (2+ characters) every match of an
alternative must contain, found on its mandatory path with ``re``'s own
parser, gate the search: the regex runs only when the lower-cased text
contains all of them. Each alternative is indexed under its least shared
run, and a message is scanned for the distinct indexed runs (one substring
test each, in C), so only alternatives whose run occurs get their regex
run; runs whose alternatives were all reached leave the index. Alternatives
with no run are always searched. Once reached, an alternative is never
searched again.
"""

from __future__ import annotations

import importlib
import json
import re
from typing import Any, Final

import attrs

from fuzz.engine.outcomes import Conversation
from fuzz.search.events import ConversationCompared, Event
from strategies.dictionary import Dictionary, HarvestedPattern, SkippedLiteral
from strategies.regexes import compile_regex

#: ``re``'s parser (no stubs; used read-only to find literal runs).
_SRE: Any = importlib.import_module("re._parser")
_CONST: Any = importlib.import_module("re._constants")

#: Shortest literal run worth gating a search on.
_MIN_RUN: Final = 2


@attrs.frozen
class PatternCoverage:
    """Per harvested pattern, per alternative: reached or not; and what was skipped."""

    patterns: tuple[HarvestedPattern, ...]
    reached: tuple[tuple[bool, ...], ...]
    skipped: tuple[SkippedLiteral, ...]
    conversations: int

    @property
    def patterns_reached(self) -> int:
        """Patterns with at least one alternative reached."""
        return sum(1 for flags in self.reached if any(flags))

    @property
    def alternatives_total(self) -> int:
        return sum(len(flags) for flags in self.reached)

    @property
    def alternatives_reached(self) -> int:
        return sum(sum(flags) for flags in self.reached)

    def summary(self) -> str:
        """``patterns reached N/M, alternatives K/L, S untranslatable or skipped``."""
        return (
            f"patterns reached {self.patterns_reached}/{len(self.patterns)}, "
            f"alternatives {self.alternatives_reached}/{self.alternatives_total}, "
            f"{len(self.skipped)} untranslatable or skipped"
        )

    def never_reached(self) -> list[tuple[HarvestedPattern, tuple[str, ...]]]:
        """Patterns with an alternative never reached, and those alternatives."""
        out = []
        for pattern, flags in zip(self.patterns, self.reached, strict=True):
            missed = tuple(a for a, hit in zip(pattern.alternatives, flags, strict=True) if not hit)
            if missed:
                out.append((pattern, missed))
        return out

    def table(self) -> str:
        """Text for people: the summary, alternatives never reached, skipped literals."""
        lines = [f"{self.summary()} ({self.conversations} conversations)"]
        never = self.never_reached()
        if never:
            lines.append("never reached:")
            for pattern, missed in never:
                lines.append(f"  {pattern.literal!r}  ({pattern.origin})")
                if len(missed) < len(pattern.alternatives):
                    lines += [f"    alternative {alt!r}" for alt in missed]
        if self.skipped:
            lines.append("untranslatable or skipped:")
            lines += [f"  {s.literal!r}  ({s.origin}): {s.reason}" for s in self.skipped]
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        """Counts, then every pattern with its alternatives and flags, then skipped literals."""
        return {
            "conversations": self.conversations,
            "patterns_total": len(self.patterns),
            "patterns_reached": self.patterns_reached,
            "alternatives_total": self.alternatives_total,
            "alternatives_reached": self.alternatives_reached,
            "patterns": [
                {
                    "literal": p.literal,
                    "origin": p.origin,
                    "python": p.python,
                    "reached": any(flags),
                    "alternatives": [
                        {"regex": a, "reached": hit}
                        for a, hit in zip(p.alternatives, flags, strict=True)
                    ],
                }
                for p, flags in zip(self.patterns, self.reached, strict=True)
            ],
            "skipped": [
                {"literal": s.literal, "origin": s.origin, "reason": s.reason} for s in self.skipped
            ],
        }


@attrs.define
class PatternTracker:
    """Marks harvested alternatives reached by the messages it is shown.

    Use it as a campaign sink (``ConversationCompared`` events) or call
    ``observe`` with conversations; ``coverage()`` gives the result so far.
    """

    dictionary: Dictionary
    conversations: int = 0
    #: Per alternative: (pattern index, alternative index, regex, required runs).
    _entries: list[tuple[int, int, re.Pattern[str], tuple[str, ...]]] = attrs.field(
        init=False, factory=list
    )
    #: Gate run -> entries gated by it (each entry by its least shared run).
    _index: dict[str, list[int]] = attrs.field(init=False, factory=dict)
    _ungated: list[int] = attrs.field(init=False, factory=list)
    _open: set[int] = attrs.field(init=False, factory=set)
    _hits: list[list[bool]] = attrs.field(init=False, factory=list)

    def __attrs_post_init__(self) -> None:
        shared: dict[str, int] = {}
        for i, pattern in enumerate(self.dictionary.patterns):
            self._hits.append([False] * len(pattern.alternatives))
            for j, alternative in enumerate(pattern.alternatives):
                compiled = compile_regex(alternative)
                runs = required_runs(compiled)
                self._entries.append((i, j, compiled, runs))
                for run in runs:
                    shared[run] = shared.get(run, 0) + 1
        for key, (_i, _j, _compiled, runs) in enumerate(self._entries):
            self._open.add(key)
            if not runs:
                self._ungated.append(key)
            else:
                gate = min(runs, key=lambda run: (shared[run], -len(run), run))
                self._index.setdefault(gate, []).append(key)

    def __call__(self, event: Event) -> None:
        if isinstance(event, ConversationCompared):
            self.observe(event.conversation)

    @property
    def hits(self) -> list[list[bool]]:
        """Per pattern, per alternative: reached so far (a copy)."""
        return [list(row) for row in self._hits]

    def merge(self, other: PatternTracker) -> None:
        """Count as reached what another tracker of the same dictionary reached (a worker's)."""
        self.conversations += other.conversations
        hits = other.hits
        for key, (i, j, _compiled, _runs) in enumerate(self._entries):
            if i < len(hits) and j < len(hits[i]) and hits[i][j]:
                self._hits[i][j] = True
                self._open.discard(key)

    def observe(self, conversation: Conversation) -> None:
        """Check every message value of one conversation against the alternatives not reached."""
        self.conversations += 1
        if not self._open:
            return
        for message in conversation:
            value = message.get("value") if isinstance(message, dict) else None
            text = value if isinstance(value, str) else _as_text(value)
            if text:
                self._check(text)

    def _check(self, text: str) -> None:
        """Search ``text`` with the open alternatives whose run it holds (and the ungated ones).

        Candidates are the entries of the gate runs the text holds (a
        substring scan per distinct open run, in C); runs whose entries are all
        reached leave the index.
        """
        lowered = text.lower()
        present = list(filter(lowered.__contains__, self._index))
        candidates = [key for run in present for key in self._index[run]]
        for key in (*candidates, *self._ungated):
            if key not in self._open:
                continue
            i, j, compiled, runs = self._entries[key]
            if not all(run in lowered for run in runs):
                continue
            if compiled.search(text) or compiled.search(lowered):
                self._hits[i][j] = True
                self._open.discard(key)
        for run in present:
            if not any(key in self._open for key in self._index[run]):
                del self._index[run]

    def coverage(self) -> PatternCoverage:
        return PatternCoverage(
            patterns=self.dictionary.patterns,
            reached=tuple(tuple(flags) for flags in self._hits),
            skipped=self.dictionary.skipped,
            conversations=self.conversations,
        )


def required_runs(compiled: re.Pattern[str]) -> tuple[str, ...]:
    """Lower-cased literal runs (2+ characters) every match of ``compiled`` contains,
    longest first; empty when there is none."""
    try:
        parsed = _SRE.parse(compiled.pattern, compiled.flags)
    except Exception:  # re compiled it, so this is not expected; never gate then
        return ()
    runs: list[str] = []
    _collect_runs(list(parsed), runs)
    kept = {run.lower() for run in runs if len(run) >= _MIN_RUN}
    return tuple(sorted(kept, key=lambda run: (-len(run), run)))


def _collect_runs(items: list[Any], runs: list[str]) -> None:
    """Literal runs on the mandatory path of a parsed sequence (into ``runs``)."""
    current: list[str] = []

    def close() -> None:
        if current:
            runs.append("".join(current))
            current.clear()

    for op, av in items:
        if op is _CONST.LITERAL:
            current.append(chr(av))
            continue
        close()
        if op is _CONST.SUBPATTERN:
            _collect_runs(list(av[-1]), runs)
        elif op in (_CONST.MAX_REPEAT, _CONST.MIN_REPEAT) and av[0] >= 1:
            _collect_runs(list(av[2]), runs)
        elif op is _CONST.ATOMIC_GROUP:
            _collect_runs(list(av), runs)
    close()


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        return ""
