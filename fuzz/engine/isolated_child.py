"""The child side of an isolated ``py:`` target: ``python -m fuzz.engine.isolated_child SPEC``.

It builds the analyzer as an in-process ``PyTarget`` would, says it is
ready, then answers one JSON line per request line (the protocol is in
``fuzz.engine.isolated``, the parent side). Its own fd 1 is pointed at
stderr, so whatever the analyzer prints never corrupts an answer; it exits
when orphaned, so a fuzzer killed with ``kill -9`` leaves no analyzer behind.
"""

from __future__ import annotations

import faulthandler
import json
import os
import sys
import threading
import time
from collections.abc import Sequence
from typing import Any

import attrs

from fuzz.engine.isolated import ORPHAN_CHECK
from fuzz.engine.outcomes import outcome_to_json
from fuzz.engine.targets import PyTarget
from fuzz.errors import UsageError


def _watch_parent(parent: int) -> None:
    """Exit once orphaned: a child whose fuzzer was killed must not run on alone."""
    while True:
        time.sleep(ORPHAN_CHECK)
        if os.getppid() != parent:
            os._exit(0)


def _serve(target: PyTarget, requests: Any, answers: Any) -> None:
    """Answer each request line; after a ``MemoryError`` ask to be replaced."""
    for raw in requests:
        if not raw.strip():
            continue
        messages = json.loads(raw)["messages"]
        try:
            outcome = target.analyze_one(messages)
            answer = outcome_to_json(outcome)
            if outcome.failure is not None and outcome.failure.discriminator == "MemoryError":
                answer["restart"] = True
            data = json.dumps(answer).encode("utf-8") + b"\n"
        except MemoryError:
            data = (
                b'{"failure": {"kind": "crash", "discriminator": "MemoryError", '
                b'"detail": "MemoryError while answering", "stderr": ""}, "restart": true}\n'
            )
        answers.write(data)
        answers.flush()


def main(argv: Sequence[str] | None = None) -> int:
    """The child: build the analyzer, say so, then answer one line per request line.

    Arguments: SPEC TIMEOUT [--restart].
    """
    spec, timeout, *restart = list(sys.argv[1:] if argv is None else argv)
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # the analyzer's prints go to stderr, never into an answer
    faulthandler.enable()  # a segfault leaves the Python stack in the stderr tail of its case
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()
    try:
        # A restart's identity is not read: the first child's stands.
        target = PyTarget(spec, timeout=float(timeout), versioned=not restart)
    except UsageError as exc:
        answers.write(json.dumps({"usage_error": str(exc)}).encode("utf-8") + b"\n")
        answers.flush()
        return 2
    answers.write(json.dumps({"ready": attrs.asdict(target.identity)}).encode("utf-8") + b"\n")
    answers.flush()
    _serve(target, sys.stdin.buffer, answers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
