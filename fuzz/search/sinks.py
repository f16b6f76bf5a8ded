"""Consumers of campaign events: the live progress line and the corpus recorder."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

import attrs

from fuzz.gate.corpus import Corpus
from fuzz.search.events import (
    BatchCompared,
    CampaignFinished,
    CampaignStarted,
    CaseImproved,
    DivergenceFound,
    Event,
    ShrinkFinished,
    Sink,
)


def fan_out(*sinks: Sink) -> Sink:
    """One sink that hands every event to each of ``sinks`` in order."""

    def emit(event: Event) -> None:
        for sink in sinks:
            sink(event)

    return emit


@attrs.define
class CorpusRecorder:
    """Saves each case the moment it is found, and again each time it shrinks.

    This is what makes an interrupted campaign lose nothing: the corpus always
    holds the smallest conversation seen so far for every signature.
    """

    corpus: Corpus
    saved: dict[str, Path] = attrs.field(factory=dict)

    def __call__(self, event: Event) -> None:
        if isinstance(event, DivergenceFound | CaseImproved):
            path = self.corpus.save(event.case)
            if path is not None:
                self.saved[event.case.signature] = path


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    if seconds >= 60:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds}s"


@attrs.define
class ProgressLine:
    """Live progress on stderr: redrawn in place on a terminal, else a line every few seconds."""

    stream: TextIO = attrs.field(factory=lambda: sys.stderr)
    interval: float = 1.0
    clock: Callable[[], float] = time.monotonic
    _last: float = attrs.field(default=-1e9, init=False)
    _drawn: bool = attrs.field(default=False, init=False)

    def __attrs_post_init__(self) -> None:
        if not self._tty:
            self.interval = max(self.interval, 5.0)

    @property
    def _tty(self) -> bool:
        return bool(getattr(self.stream, "isatty", lambda: False)())

    def _say(self, text: str) -> None:
        if self._drawn and self._tty:
            self.stream.write("\r\x1b[K")
        self.stream.write(text + "\n")
        self.stream.flush()
        self._drawn = False

    def __call__(self, event: Event) -> None:
        if isinstance(event, CampaignStarted):
            self._say(f"signals-fuzz: seed {event.seed}")
            self._say(f"  reference: {event.reference.spec}")
            self._say(f"  candidate: {event.candidate.spec}")
            self._say(f"  rerun with: {event.command}")
        elif isinstance(event, BatchCompared):
            self._progress(event)
        elif isinstance(event, DivergenceFound):
            case = event.case
            self._say(
                f"  found: {case.signature} ({len(case.conversation)} messages, shrinking...)"
            )
        elif isinstance(event, ShrinkFinished):
            (hyp_messages, hyp_chars), (messages, chars) = event.hypothesis_size, event.final_size
            self._say(
                f"  shrunk: {event.signature} -> {messages} messages, {chars} chars "
                f"(Hypothesis {hyp_messages} msg/{hyp_chars} ch in "
                f"{event.hypothesis_seconds:.1f}s"
                f"{'' if event.hypothesis_fixed_point else ', stopped early'}, "
                f"batched pass {event.minimise_batches} "
                f"batch(es) in {event.minimise_seconds:.1f}s)"
            )
        elif isinstance(event, CampaignFinished):
            rate = event.conversations / event.elapsed if event.elapsed > 0 else 0.0
            self._say(
                f"signals-fuzz: stopped ({event.reason}) after {_duration(event.elapsed)}: "
                f"{event.conversations:,} conversations ({rate:,.0f}/s), "
                f"Tier A {event.tier_a:,}, Tier B {event.tier_b:,}, "
                f"rejected by both {event.rejected:,}, "
                f"{len(event.signatures)} distinct Tier-A signature(s)"
            )
            if event.unshrunk:
                self._say(
                    f"  not fully shrunk when it stopped ({len(event.unshrunk)}): "
                    + ", ".join(event.unshrunk)
                )

    def _progress(self, event: BatchCompared) -> None:
        now = self.clock()
        if now - self._last < self.interval:
            return
        self._last = now
        rate = event.conversations / event.elapsed if event.elapsed > 0 else 0.0
        left = "" if event.remaining is None else f" | {_duration(event.remaining)} left"
        line = (
            f"  [{_duration(event.elapsed)}] {event.batches:,} examples, "
            f"{event.conversations:,} conversations ({rate:,.0f}/s) | "
            f"Tier A {event.tier_a:,} | Tier B {event.tier_b:,} | "
            f"rejected by both {event.rejected:,} | {event.signatures} signature(s){left}"
        )
        if self._tty:
            self.stream.write("\r\x1b[K" + line)
            self.stream.flush()
            self._drawn = True
        else:
            self._say(line)
