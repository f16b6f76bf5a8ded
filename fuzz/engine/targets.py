"""The analyzers under test: one Protocol, one class per kind of target.

A target spec names an analyzer:

* ``py:MODULE:ATTR``  an in-process Python analyzer (the reference's form);
* ``cmd:PROGRAM [ARGS...]``  a batch replay program speaking the port's JSONL
  protocol (the Rust ``signals_replay`` binary's form).

Either kind may stand on either side of a comparison. Whatever an analyzer
does wrong (raises, hangs, exits non-zero, prints garbage, drops or reorders
lines) comes back as a ``Failure`` inside an ``Outcome``: it is a finding,
never an exception out of this module. Only user mistakes (a spec that names
nothing runnable) raise ``UsageError``, at construction time.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import importlib
import importlib.metadata
import inspect
import json
import os
import re
import shlex
import shutil
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import FrameType
from typing import Any, ClassVar

import attrs

from fuzz.engine.outcomes import (
    DEFAULT_TIMEOUT,
    STDERR_TAIL,
    Conversation,
    Failure,
    FailureKind,
    Outcome,
    Target,
    TargetIdentity,
    encode_line,
)
from fuzz.engine.processes import (
    DEFAULT_MAX_LINE,
    Child,
    Pumped,
    check_memory,
    process_failure,
    stderr_tail,
)
from fuzz.errors import UsageError

#: Seconds between repeated interrupts of a hung in-process analyzer.
ALARM_REPEAT = 0.05


def parse_target(
    spec: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    isolate: bool = False,
    max_memory: int | None = None,
) -> Target:
    """Build the target a spec names, or raise ``UsageError`` saying what is wrong.

    ``isolate`` runs a ``py:`` target in a child process of its own
    (``fuzz.engine.isolated``): a segfault, ``os._exit``, runaway memory or
    code deaf to signals is then a finding instead of the fuzzer's end.
    ``max_memory`` (bytes) caps the data size of every process a target runs
    in: a ``cmd:`` program, an isolated ``py:`` analyzer. An in-process
    ``py:`` target shares the fuzzer's memory and is not capped. ``cmd:``
    targets are always isolated.
    """
    if timeout <= 0:
        raise UsageError(f"--timeout={timeout!r} must be a positive number of seconds")
    check_memory(max_memory)
    kind, sep, _ = spec.partition(":")
    if not sep or kind not in ("py", "cmd"):
        raise UsageError(
            f"target {spec!r} has an unknown form; use py:MODULE:ATTR "
            f"(e.g. py:signals.analyzer:SignalAnalyzer) or cmd:PROGRAM [ARGS...] "
            f"(e.g. cmd:./target/release/signals_replay)"
        )
    if kind == "py" and isolate:
        from fuzz.engine.isolated import IsolatedTarget

        return IsolatedTarget(spec, timeout=timeout, max_memory=max_memory)
    if kind == "py":
        return PyTarget(spec, timeout=timeout)
    return CmdTarget(spec, timeout=timeout, max_memory=max_memory)


@attrs.frozen
class TargetOptions:
    """How every target of a run is started: what ``--timeout``, ``--isolate`` and
    ``--max-memory`` say. A run's options object (``CampaignOptions``, ``GateOptions``) keeps
    the three flags as fields, one per flag, and gives one of these as its ``targets``."""

    timeout: float = DEFAULT_TIMEOUT
    isolate: bool = False
    max_memory: int | None = None

    def parse(self, spec: str) -> Target:
        """``parse_target`` with these options."""
        return parse_target(
            spec, timeout=self.timeout, isolate=self.isolate, max_memory=self.max_memory
        )


def sha256_of(path: Path) -> str:
    """Hash a file in chunks: replay binaries can be tens of megabytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --------------------------------------------------------------------- py: ---


class _AnalyzerTimeout(BaseException):
    """Raised by SIGALRM inside a hung analyzer.

    A BaseException so that an analyzer's own ``except Exception`` cannot
    swallow it.
    """


@contextlib.contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    """Interrupt pure-Python code after ``seconds``, where signals allow it.

    Signals are only delivered to the main thread; elsewhere the call runs
    without a time limit rather than not at all.
    """
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def on_alarm(signum: int, frame: FrameType | None) -> None:
        raise _AnalyzerTimeout

    previous = signal.signal(signal.SIGALRM, on_alarm)
    # The cyclic collector runs callbacks (Hypothesis registers one) in which
    # Python swallows exceptions: an interrupt landing there was lost and
    # reported as "unraisable". No collection while the analyzer runs, then.
    collecting = gc.isenabled()
    gc.disable()
    # Repeat until cancelled: an interrupt that lands where the analyzer
    # itself swallows it (a bare ``except:``) gets another.
    signal.setitimer(signal.ITIMER_REAL, seconds, ALARM_REPEAT)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if collecting:
            gc.enable()


def _distribution_version(module_name: str) -> str | None:
    top = module_name.split(".")[0]
    for dist in importlib.metadata.packages_distributions().get(top, []):
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            return importlib.metadata.version(dist)
    return None


def _resolve_analyze(spec: str, obj: Any) -> Callable[[Conversation], Any]:
    """Turn ATTR into the ``analyze(messages)`` callable.

    A class is instantiated with no arguments; an object with ``.analyze`` is
    used as is; a function of no required parameters is a factory; a function
    of one parameter is ``analyze`` itself.
    """
    if inspect.isclass(obj):
        try:
            obj = obj()
        except Exception as exc:
            raise UsageError(f"target {spec!r}: {obj.__name__}() failed: {exc!r}") from None
    if hasattr(obj, "analyze") and callable(obj.analyze):
        return obj.analyze
    if callable(obj):
        required: list[object]
        try:
            required = [
                p
                for p in inspect.signature(obj).parameters.values()
                if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
            ]
        except (TypeError, ValueError):
            required = [None]
        if not required:
            return _resolve_analyze(spec, obj())
        return obj
    raise UsageError(
        f"target {spec!r}: {type(obj).__name__} object is neither a class, "
        f"a function nor an object with .analyze(messages)"
    )


def _as_report(result: Any) -> Outcome:
    """Convert what ``analyze`` (and ``to_dict``) returned into a plain JSON report, or a
    failure."""
    if not isinstance(result, dict):
        return Outcome.of_failure(
            Failure(
                FailureKind.UNPARSEABLE, "not-a-dict", f"analyze returned {type(result).__name__}"
            )
        )
    try:
        return Outcome.of_report(json.loads(json.dumps(result)))
    except (TypeError, ValueError, RecursionError) as exc:
        return Outcome.of_failure(
            Failure(FailureKind.UNPARSEABLE, "not-json", f"report is not JSON-serialisable: {exc}")
        )


#: A high surrogate followed by a low one: two code points in Python, one character in JSON.
_SPLIT_PAIR = re.compile("[\ud800-\udbff][\udc00-\udfff]")


def _as_read_from_json(message: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``message`` as a JSON reader (a ``cmd:`` target, a saved case) reads it.

    Generated text can put a high and a low surrogate side by side. A ``cmd:``
    target reads them from its JSON input as one character, and so does every
    replay of a saved case; an in-process analyzer given the two code points
    would differ from the port for a reason no real input has.
    """
    copy = dict(message)
    for key, value in message.items():
        if isinstance(value, str) and not value.isascii() and _SPLIT_PAIR.search(value):
            copy[key] = json.loads(json.dumps(value))
    return copy


@attrs.define(eq=False)
class PyTarget:
    """An in-process analyzer: ``py:MODULE:ATTR``."""

    spec: str
    timeout: float = DEFAULT_TIMEOUT
    #: Look up the distribution version for the identity (a scan of every installed
    #: distribution, 0.15 s): an isolated analyzer's restarts skip it.
    versioned: bool = attrs.field(default=True, kw_only=True)
    _analyze: Callable[[Conversation], Any] = attrs.field(init=False, repr=False)
    _identity: TargetIdentity = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        module_name, sep, attr = self.spec.removeprefix("py:").partition(":")
        if not sep or not module_name or not attr:
            raise UsageError(
                f"target {self.spec!r} must be py:MODULE:ATTR, "
                f"e.g. py:signals.analyzer:SignalAnalyzer"
            )
        try:
            module = importlib.import_module(module_name)
        except Exception as exc:
            raise UsageError(
                f"target {self.spec!r}: cannot import module {module_name!r}: {exc!r}"
            ) from None
        obj: Any = module
        for part in attr.split("."):
            if not hasattr(obj, part):
                raise UsageError(
                    f"target {self.spec!r}: module {module_name!r} has no attribute {attr!r}"
                )
            obj = getattr(obj, part)
        self._analyze = _resolve_analyze(self.spec, obj)
        file = getattr(module, "__file__", None)
        self._identity = TargetIdentity(
            spec=self.spec,
            kind="py",
            path=str(file or module_name),
            sha256=sha256_of(Path(file)) if file else None,
            version=_distribution_version(module_name) if self.versioned else None,
        )

    @property
    def identity(self) -> TargetIdentity:
        return self._identity

    def analyze_batch(self, conversations: Sequence[Conversation]) -> list[Outcome]:
        return [self.analyze_one(conversation) for conversation in conversations]

    def analyze_one(self, conversation: Conversation) -> Outcome:
        """Run the analyzer on a private copy: it must not see the other side's input."""
        messages = [_as_read_from_json(message) for message in conversation]
        try:
            with _alarm(self.timeout):
                result = self._analyze(messages)
                # The report's own conversion is the analyzer's code too: timed, and a crash.
                if hasattr(result, "to_dict") and callable(result.to_dict):
                    result = result.to_dict()
        except _AnalyzerTimeout:
            return Outcome.of_failure(
                Failure(FailureKind.TIMEOUT, "", f"no result after {self.timeout:g}s")
            )
        except Exception as exc:
            return Outcome.of_failure(
                Failure(
                    FailureKind.CRASH,
                    type(exc).__qualname__,
                    f"{type(exc).__qualname__}: {exc}",
                    traceback.format_exc()[-STDERR_TAIL:],
                )
            )
        return _as_report(result)


# -------------------------------------------------------------------- cmd: ---


def _resolve_program(spec: str, program: str) -> Path:
    if os.sep in program or (os.altsep and os.altsep in program):
        path = Path(program)
        if not path.exists():
            raise UsageError(f"target {spec!r}: program {program!r} does not exist")
    else:
        found = shutil.which(program)
        if found is None:
            raise UsageError(f"target {spec!r}: program {program!r} is not on PATH")
        path = Path(found)
    if path.is_dir() or not os.access(path, os.X_OK):
        raise UsageError(f"target {spec!r}: {str(path)!r} is not an executable file")
    # Absolute but not resolved: a venv's python is a symlink whose location is
    # what selects the venv. The hash reads through the link all the same.
    return Path(os.path.abspath(path))


@attrs.frozen
class _BatchRun:
    """What one process run of a replay program gave back.

    ``process_failed``: the run failed as a whole (hang, crash, runaway
    output, lost or extra lines), so its failure says nothing about which
    conversation caused it.
    """

    outcomes: list[Outcome]
    process_failed: bool


def _parse_line(raw: bytes, expected_id: int, batch_ids: frozenset[int]) -> Outcome:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Outcome.of_failure(
            Failure(FailureKind.UNPARSEABLE, "not-utf8", f"{exc}: {raw[:200]!r}")
        )
    try:
        line = json.loads(text)
    except ValueError as exc:
        return Outcome.of_failure(
            Failure(FailureKind.UNPARSEABLE, "not-json", f"{exc}: {raw[:200]!r}")
        )
    if not isinstance(line, dict):
        return Outcome.of_failure(
            Failure(FailureKind.UNPARSEABLE, "not-an-object", f"line is {raw[:200]!r}")
        )
    if "error" in line:
        return Outcome.of_failure(Failure(FailureKind.ERROR_LINE, "", str(line["error"])[:500]))
    found = line.get("id")
    if found != expected_id:
        # Another line's id: the lines came back out of order. Any other id: made up.
        moved = isinstance(found, int) and not isinstance(found, bool) and found in batch_ids
        return Outcome.of_failure(
            Failure(
                FailureKind.ID_MISMATCH,
                "reordered" if moved else "changed",
                f"line {expected_id} carries id {found!r}",
            )
        )
    report = line.get("report")
    if not isinstance(report, dict):
        return Outcome.of_failure(
            Failure(FailureKind.UNPARSEABLE, "no-report", f"no report object in {raw[:200]!r}")
        )
    return Outcome.of_report(report)


@attrs.define(eq=False)
class CmdTarget:
    """A replay program: ``cmd:PROGRAM [ARGS...]``, one process per batch.

    The port flushes only at end of input, so each batch is written whole,
    stdin closed, then stdout read. The process runs in a group of its own
    (``fuzz.engine.processes.Child``): a batch that outlives ``timeout`` has
    the whole group killed, and so does one whose output line passes
    ``max_line`` bytes; with ``max_memory`` its data size is capped, and an
    allocation failure under the cap is an ``out-of-memory`` finding.
    """

    spec: str
    timeout: float = DEFAULT_TIMEOUT
    max_memory: int | None = None
    max_line: int = DEFAULT_MAX_LINE
    argv: tuple[str, ...] = attrs.field(init=False)
    _identity: TargetIdentity = attrs.field(init=False)
    #: Processes this target started (bisection's cost; benchmarks read it).
    process_starts: int = attrs.field(init=False, default=0)
    #: It waits on a subprocess: ``analyze_pair`` may run it on a worker thread.
    waits_on_process: ClassVar[bool] = True

    def __attrs_post_init__(self) -> None:
        try:
            words = shlex.split(self.spec.removeprefix("cmd:"))
        except ValueError as exc:
            raise UsageError(
                f"target {self.spec!r}: cannot split the command line: {exc}"
            ) from None
        if not words:
            raise UsageError(f"target {self.spec!r} names no program; use cmd:PROGRAM [ARGS...]")
        check_memory(self.max_memory)
        program = _resolve_program(self.spec, words[0])
        self.argv = (str(program), *words[1:])
        self._identity = TargetIdentity(
            spec=self.spec, kind="cmd", path=str(program), sha256=sha256_of(program)
        )

    @property
    def identity(self) -> TargetIdentity:
        return self._identity

    def analyze_batch(self, conversations: Sequence[Conversation]) -> list[Outcome]:
        """Analyse a batch in one process; pin a whole-process failure on its culprits.

        When the process as a whole fails nothing says which conversation
        caused it, so ``_pinned`` looks for the culprits (see there). A
        failure no smaller batch shows needs the batch, and every conversation
        keeps the batch's failure.
        """
        if not conversations:
            return []
        return self._pinned(conversations, self._run(conversations))

    def _pinned(self, conversations: Sequence[Conversation], run: _BatchRun) -> list[Outcome]:
        """The outcomes of a run, whole-process failures pinned on the conversations to blame.

        Bisection while culprits look rare: each half is run on its own; when
        one half runs cleanly (its outcomes are final) only the other is split
        again, down to one conversation. When both halves fail, culprits are
        dense (a build that fails on every input, say) and halving further
        would cost up to twice the conversations, so each conversation of
        both halves is run alone. Process starts for a batch of 16: one
        culprit 9 (each-alone: 17); every conversation failing 19.

        A *hang* is never bisected: each sub-batch holding the culprit would
        cost a whole timeout again (4 more for 16), against one for running
        each conversation alone. And when no part fails at all, the failure
        needs the parts together: it stays on all of them.
        """
        if not run.process_failed or len(conversations) <= 1:
            return run.outcomes
        first = run.outcomes[0].failure
        if first is not None and first.kind is FailureKind.TIMEOUT:
            return self._each_alone(conversations, run)
        middle = len(conversations) // 2
        parts = [conversations[:middle], conversations[middle:]]
        runs = [self._run(part) for part in parts]
        if not any(_has_failure(part_run) for part_run in runs):
            return run.outcomes
        dense = all(part_run.process_failed for part_run in runs)
        outcomes: list[Outcome] = []
        for part, part_run in zip(parts, runs, strict=True):
            if dense:
                outcomes.extend(self._each_alone(part, part_run))
            else:
                outcomes.extend(self._pinned(part, part_run))
        return outcomes

    def _each_alone(self, conversations: Sequence[Conversation], run: _BatchRun) -> list[Outcome]:
        """Run each conversation of a failed run alone; keep the run's failure if none fails."""
        if not run.process_failed or len(conversations) <= 1:
            return run.outcomes
        alone = [self._run([conversation]) for conversation in conversations]
        if not any(_has_failure(single) for single in alone):
            return run.outcomes
        return [single.outcomes[0] for single in alone]

    def _run(self, conversations: Sequence[Conversation]) -> _BatchRun:
        payload = "".join(
            encode_line({"id": index, "messages": conversation}) + "\n"
            for index, conversation in enumerate(conversations)
        ).encode("utf-8")
        self.process_starts += 1
        child = Child.start(self.argv, max_line=self.max_line, max_memory=self.max_memory)
        child.max_total = self.max_line * (len(conversations) + 1)
        child.send(payload, close=True)
        try:
            pumped = child.pump(time.monotonic() + self.timeout)
        finally:
            returncode = child.finish()
        stderr = bytes(child.stderr)
        lines = [line for line in bytes(child.stdout).split(b"\n") if line.strip()]
        whole = _whole_failure(self, pumped, returncode, stderr, len(lines), len(conversations))
        if whole is not None:
            return _BatchRun([Outcome.of_failure(whole)] * len(conversations), True)
        ids = frozenset(range(len(conversations)))
        return _BatchRun([_parse_line(line, index, ids) for index, line in enumerate(lines)], False)


def _has_failure(run: _BatchRun) -> bool:
    return any(outcome.failure is not None for outcome in run.outcomes)


def _whole_failure(
    target: CmdTarget,
    pumped: Pumped,
    returncode: int,
    stderr: bytes,
    count: int,
    expected: int,
) -> Failure | None:
    """The failure of a run as a whole, or None when its ``count`` non-blank lines can be read
    one by one."""
    if pumped is not Pumped.EXITED or returncode != 0:
        return process_failure(
            pumped,
            returncode,
            stderr,
            program=target.argv[0],
            timeout=target.timeout,
            max_line=target.max_line,
            max_memory=target.max_memory,
        )
    tail = stderr_tail(stderr)
    if count == expected:
        return None
    if count == 0 and stderr.strip():
        # Nothing on stdout, all of it on stderr: the answer went to the wrong stream.
        return Failure(
            FailureKind.MISSING_LINE, "stderr-only", f"{expected} lines in, none out", tail
        )
    kind = FailureKind.MISSING_LINE if count < expected else FailureKind.EXTRA_LINE
    return Failure(kind, "", f"{expected} lines in, {count} lines out", tail)


# ------------------------------------------------------------------- pairs ---


def waits_on_process(target: Target) -> bool:
    """Whether a target only waits on a subprocess (``cmd:``, isolated ``py:``), so it may
    run on a worker thread; an in-process ``py:`` target needs the main thread for SIGALRM."""
    return bool(getattr(target, "waits_on_process", False))


def analyze_pair(
    reference: Target, candidate: Target, batch: Sequence[Conversation]
) -> tuple[list[Outcome], list[Outcome]]:
    """Run both sides on one batch, overlapping them where that is safe.

    A side that waits on a subprocess (``cmd:``, isolated ``py:``) runs on a
    worker thread while the other side works; an in-process ``py:`` side
    stays on the calling thread, where its SIGALRM timeout can fire.
    """
    if waits_on_process(candidate):
        background, foreground, swapped = candidate, reference, False
    elif waits_on_process(reference):
        background, foreground, swapped = reference, candidate, True
    else:
        return reference.analyze_batch(batch), candidate.analyze_batch(batch)
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(background.analyze_batch, batch)
        mine = foreground.analyze_batch(batch)
        theirs = pending.result()
    return (theirs, mine) if swapped else (mine, theirs)
