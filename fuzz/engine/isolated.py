"""A ``py:`` analyzer run in a child process of its own (``--isolate``).

In process, a reference that segfaults, calls ``os._exit``, eats all memory
or sits in C code deaf to signals takes the whole campaign down with it.
Isolated, it runs in a persistent child (``python -m
fuzz.engine.isolated_child SPEC TIMEOUT``), and each of those is one finding:
the parent enforces the timeout by killing the child's process group, caps its memory
(``max_memory``), reads why it died (exit status, signal, ``MemoryError`` on
stderr) and starts a fresh child for the next conversation.

The protocol is JSON lines over pipes, nothing pickled:

* child -> parent, once: ``{"ready": IDENTITY}`` or ``{"usage_error": TEXT}``;
* parent -> child, per conversation: ``{"messages": [...]}``;
* child -> parent, per conversation: ``{"report": {...}}`` or
  ``{"failure": {"kind", "discriminator", "detail", "stderr"}}``, plus
  ``"restart": true`` when the child should not be trusted further (it ran
  out of memory).

The child writes the protocol on a private copy of its stdout; its fd 1 is
pointed at stderr, so whatever the analyzer prints is kept as stderr and
never corrupts an answer. The child runs the analyzer as ``PyTarget`` does
(same spec resolution, identity, SIGALRM timeout for code that can be
interrupted); the parent's kill, ``timeout`` plus a grace, is for code that
cannot.
"""

from __future__ import annotations

import json
import os
import sys
import time
import weakref
from collections.abc import Sequence
from typing import Any, ClassVar

import attrs

from fuzz.engine.outcomes import (
    DEFAULT_TIMEOUT,
    Conversation,
    Failure,
    FailureKind,
    Outcome,
    TargetIdentity,
    encode_line,
    outcome_from_json,
)
from fuzz.engine.processes import (
    DEFAULT_MAX_LINE,
    Child,
    Pumped,
    check_memory,
    exit_status,
    process_failure,
    stderr_tail,
)
from fuzz.errors import UsageError

#: Seconds a child may take to import and build the analyzer.
START_TIMEOUT = 60.0

#: Extra seconds the parent gives the child's own (SIGALRM) timeout before it kills.
KILL_GRACE = 0.5

#: Seconds between the child's checks that its parent is still there.
ORPHAN_CHECK = 1.0


def _has_line(child: Child) -> bool:
    return b"\n" in child.stdout


@attrs.define(eq=False)
class IsolatedTarget:
    """``py:MODULE:ATTR`` in a persistent child process, restarted after each death."""

    spec: str
    timeout: float = DEFAULT_TIMEOUT
    max_memory: int | None = None
    max_line: int = DEFAULT_MAX_LINE
    _identity: TargetIdentity = attrs.field(init=False)
    _child: Child | None = attrs.field(init=False, default=None)
    _finalizer: Any = attrs.field(init=False, default=None, repr=False)
    #: Children started (the first one included): one more per death.
    starts: int = attrs.field(init=False, default=0)
    waits_on_process: ClassVar[bool] = True

    def __attrs_post_init__(self) -> None:
        check_memory(self.max_memory)
        child, answer = self._start()
        if "usage_error" in answer:
            raise UsageError(str(answer["usage_error"]))
        if "ready" not in answer or child is None:
            raise UsageError(
                f"target {self.spec!r}: the isolated analyzer process did not start: "
                f"{answer.get('why', 'no answer')}"
            )
        self._identity = TargetIdentity(**answer["ready"])
        self._adopt(child)

    @property
    def identity(self) -> TargetIdentity:
        return self._identity

    def close(self) -> None:
        """Stop the child (it is also stopped when the target is collected, or at exit)."""
        if self._finalizer is not None:
            self._finalizer()
        self._child = None

    def analyze_batch(self, conversations: Sequence[Conversation]) -> list[Outcome]:
        """Every conversation in the child, pipelined; any way the child fails is the
        failure of the conversation it was answering.

        All requests are written at once and the answers read in order, each
        with its own deadline from the moment the one before it came in (the
        child works one at a time): a round trip per conversation would cost a
        context switch each way. When the child dies, the conversations it had
        not answered go to a fresh child.
        """
        outcomes: list[Outcome] = []
        while len(outcomes) < len(conversations):
            child = self._child if self._child is not None else self._restart()
            if isinstance(child, Outcome):  # no child would start: say so for each
                return outcomes + [child] * (len(conversations) - len(outcomes))
            for conversation in conversations[len(outcomes) :]:
                child.send((encode_line({"messages": conversation}) + "\n").encode("utf-8"))
            while len(outcomes) < len(conversations):
                outcome, alive = self._next_answer(child)
                outcomes.append(outcome)
                if not alive:
                    break
        return outcomes

    def analyze_one(self, conversation: Conversation) -> Outcome:
        """One conversation in the child (see ``analyze_batch``)."""
        return self.analyze_batch([conversation])[0]

    def _restart(self) -> Child | Outcome:
        """A fresh child, or the failure to give every conversation if none will start."""
        started, answer = self._start()
        if started is None or "ready" not in answer:
            return Outcome.of_failure(
                Failure(
                    FailureKind.CRASH,
                    "start",
                    f"the isolated analyzer did not restart: {answer.get('why', answer)}",
                    str(answer.get("stderr", "")),
                )
            )
        return self._adopt(started)

    def _next_answer(self, child: Child) -> tuple[Outcome, bool]:
        """The child's next answer, or what it died of; and whether the child lives on."""
        mark = child.stderr_read
        pumped = child.pump(time.monotonic() + self.timeout + KILL_GRACE, _has_line)
        if pumped is Pumped.DONE:
            line = child.take_line()
            assert line is not None
            outcome = self._answer(child, line, mark)
            return outcome, self._child is child
        self._drop()
        returncode = child.finish()
        # The whole kept tail: what the child said last, whenever it said it.
        return Outcome.of_failure(self._death(pumped, returncode, bytes(child.stderr))), False

    # ---------------------------------------------------------- internals --

    def _argv(self) -> list[str]:
        argv = [sys.executable, "-m", "fuzz.engine.isolated_child", self.spec, repr(self.timeout)]
        return argv if self.starts == 1 else [*argv, "--restart"]

    def _env(self) -> dict[str, str]:
        """The parent's import path, so the child imports what ``py:`` would import here."""
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(path or os.getcwd() for path in sys.path)
        return env

    def _start(self) -> tuple[Child | None, dict[str, Any]]:
        """A new child and its first word (``ready``/``usage_error``), or None and why not."""
        self.starts += 1
        child = Child.start(
            self._argv(), max_line=self.max_line, max_memory=self.max_memory, env=self._env()
        )
        pumped = child.pump(time.monotonic() + max(START_TIMEOUT, self.timeout), _has_line)
        line = child.take_line() if pumped is Pumped.DONE else None
        answer: Any = None
        if line is not None:
            try:
                answer = json.loads(line)
            except ValueError:
                answer = None
        if isinstance(answer, dict) and "ready" in answer:
            return child, answer
        returncode = child.finish()
        if isinstance(answer, dict) and "usage_error" in answer:
            return None, answer
        stderr = stderr_tail(bytes(child.stderr))
        last = stderr.strip().splitlines()[-1:] or [pumped.value]
        return None, {"why": f"{exit_status(returncode)}: {last[0]}", "stderr": stderr}

    def _adopt(self, child: Child) -> Child:
        self._child = child
        if self._finalizer is not None:
            self._finalizer.detach()
        self._finalizer = weakref.finalize(self, Child.finish, child)
        return child

    def _drop(self) -> None:
        """Forget the current child (it is being finished, or is already gone)."""
        if self._finalizer is not None:
            self._finalizer.detach()
            self._finalizer = None
        self._child = None

    def _answer(self, child: Child, line: bytes, mark: int) -> Outcome:
        """Read the child's answer; a child that ran out of memory is replaced."""
        restart = True
        try:
            answer = json.loads(line)
            restart = bool(answer.get("restart"))
            outcome = outcome_from_json(answer)
            if outcome.failure is not None:
                outcome = Outcome.of_failure(self._failure(outcome.failure, child, mark))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            outcome = Outcome.of_failure(
                Failure(FailureKind.UNPARSEABLE, "protocol", f"{exc}: {line[:200]!r}")
            )
        if restart:
            self._drop()
            child.finish()
        return outcome

    def _failure(self, failure: Failure, child: Child, mark: int) -> Failure:
        """A failure the child reported, with what it said on stderr meanwhile if it kept none;
        a ``MemoryError`` under a cap is ``out-of-memory``."""
        if not failure.stderr:
            failure = attrs.evolve(failure, stderr=stderr_tail(child.stderr_since(mark)))
        if self.max_memory is not None and failure.discriminator == "MemoryError":
            failure = attrs.evolve(
                failure,
                kind=FailureKind.OUT_OF_MEMORY,
                discriminator="",
                detail=f"MemoryError under --max-memory={self.max_memory}",
            )
        return failure

    def _death(self, pumped: Pumped, returncode: int, stderr: bytes) -> Failure:
        """What a child that gave no answer died of."""
        return process_failure(
            pumped,
            returncode,
            stderr,
            program="the analyzer process",
            timeout=self.timeout,
            max_line=self.max_line,
            max_memory=self.max_memory,
        )
