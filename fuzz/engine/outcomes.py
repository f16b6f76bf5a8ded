"""What a target says about a conversation: a report or a failure, and which build said it.

The data model every stage shares: the engine's targets produce ``Outcome``s,
``compare`` judges them, cases store them. A ``Failure`` is how every
misbehaviour of an analyzer (a crash, a hang, garbage, lost lines) becomes
data instead of an exception. Kept apart from the targets themselves so the
ways of running an analyzer (``targets``, ``isolated``) can all build on it.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import attrs

from fuzz import defaults

#: A ShareGPT conversation: ``[{"from": role, "value": text}, ...]``.
Conversation = list[dict[str, Any]]

#: Default seconds one batch may take on a ``cmd:`` target, or one conversation
#: on a ``py:`` target, before it counts as a hang.
DEFAULT_TIMEOUT = defaults.TIMEOUT

#: How much of an analyzer's stderr a failure keeps (the end, where errors are).
STDERR_TAIL = 4000


class FailureKind(enum.Enum):
    """How an analyzer failed to produce a report. Every kind is Tier A."""

    CRASH = "crash"
    TIMEOUT = "timeout"
    ERROR_LINE = "error-line"
    MISSING_LINE = "missing-line"
    EXTRA_LINE = "extra-line"
    ID_MISMATCH = "id-mismatch"
    UNPARSEABLE = "unparseable"
    #: An output line over the size cap (``max_line``); the process is killed.
    OUTPUT_TOO_LARGE = "output-too-large"
    #: An allocation failed under ``--max-memory`` (a runaway analyzer).
    OUT_OF_MEMORY = "out-of-memory"


@attrs.frozen
class Failure:
    """One analyzer failure on one conversation.

    ``discriminator`` is the stable part that tells one bug of this kind from
    another (an exception type, an exit status); ``detail`` is for humans and
    may mention the input, so it never enters a signature.
    """

    kind: FailureKind
    discriminator: str = ""
    detail: str = ""
    stderr: str = ""

    @property
    def label(self) -> str:
        """Kind plus discriminator, e.g. ``crash IndexError`` or ``timeout``."""
        return f"{self.kind.value} {self.discriminator}".strip()


@attrs.frozen
class Outcome:
    """What one target said about one conversation: a report or a failure."""

    report: dict[str, Any] | None = None
    failure: Failure | None = None

    @classmethod
    def of_report(cls, report: dict[str, Any]) -> Outcome:
        return cls(report=report)

    @classmethod
    def of_failure(cls, failure: Failure) -> Outcome:
        return cls(failure=failure)


@attrs.frozen
class TargetIdentity:
    """Enough to tell later exactly which build produced a result."""

    spec: str
    kind: str
    path: str
    sha256: str | None
    version: str | None = None


class Target(Protocol):
    """An analyzer that turns a batch of conversations into outcomes, in order."""

    @property
    def identity(self) -> TargetIdentity: ...

    def analyze_batch(self, conversations: Sequence[Conversation]) -> list[Outcome]: ...


def encode_line(record: dict[str, Any]) -> str:
    """One replay input line: readable UTF-8 where possible.

    Lone surrogates cannot be written as UTF-8, so a record holding one is
    written with ASCII escapes, the only valid JSON spelling of it.
    """
    line = json.dumps(record, ensure_ascii=False)
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        line = json.dumps(record, ensure_ascii=True)
    return line


def outcome_to_json(outcome: Outcome) -> dict[str, Any]:
    """An outcome as JSON: how corpus files keep it and an isolated child sends it."""
    if outcome.failure is not None:
        failure = attrs.asdict(outcome.failure)
        failure["kind"] = outcome.failure.kind.value
        return {"failure": failure}
    return {"report": outcome.report}


def outcome_from_json(data: Mapping[str, Any]) -> Outcome:
    """The outcome ``outcome_to_json`` wrote; ``KeyError``/``TypeError``/``ValueError`` if bad."""
    if "failure" in data:
        failure = dict(data["failure"])
        failure["kind"] = FailureKind(failure["kind"])
        return Outcome.of_failure(Failure(**failure))
    return Outcome.of_report(dict(data["report"]))
