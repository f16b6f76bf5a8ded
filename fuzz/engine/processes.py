"""Child processes that may misbehave in every way: started, fed, read, capped, killed, reaped.

Both out-of-process targets (``cmd:`` replay programs and ``py:`` analyzers
run with ``--isolate``) go through ``Child``:

* it is started without a shell, in a session (and process group) of its own;
* its memory can be capped (``max_memory``, an ``RLIMIT_DATA`` set from the
  parent before it is sent any input, so no ``preexec_fn`` runs in a
  threaded parent);
* its pipes are pumped by one ``selectors`` loop, without threads: input is
  written as the child takes it, stdout is kept whole but no line may pass
  ``max_line`` bytes, and only the tail of stderr is kept;
* it is waited for through a pidfd, so the moment the leader exits its group
  is killed (no stray grandchild keeps running, or keeps the pipes open)
  while the leader is still unreaped (its id cannot be reused meanwhile);
* ``Child.finish`` kills the whole group and reaps the leader and every
  member that became ours. The fuzzer makes itself a *child subreaper*
  (Linux), so orphaned grandchildren are handed to it rather than to PID 1,
  and reaping them is its job: a PID 1 that does not reap (as in many
  containers) would otherwise collect a zombie per killed grandchild.

What it cannot do: a grandchild that starts a session of its own
(``setsid``) leaves the group and is out of reach of ``killpg``.
"""

from __future__ import annotations

import contextlib
import ctypes
import enum
import os
import re
import resource
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence

import attrs

from fuzz.engine.outcomes import STDERR_TAIL, Failure, FailureKind
from fuzz.errors import UsageError

#: Bytes of a child's stderr kept (its tail: where the error is).
STDERR_KEEP = 16_000

#: Default cap on one output line of a child, in bytes. A report is a few
#: kilobytes; a line of megabytes is a runaway program, not a report.
DEFAULT_MAX_LINE = 4 << 20

#: Seconds to wait for a child's pipes to close once it has exited and its
#: group has been killed.
DRAIN_GRACE = 1.0

#: Seconds to wait for killed group members to be reaped.
REAP_GRACE = 2.0

#: The smallest ``--max-memory`` accepted: below it not even an interpreter starts.
MIN_MEMORY = 32 << 20
#: More memory than any machine has: a cap above it is a typo.
MAX_MEMORY = 1 << 50

#: What a program that ran out of memory under a cap says on stderr: Python's
#: ``MemoryError``, Rust's allocation abort, C's ``ENOMEM`` text, C++'s ``bad_alloc``,
#: Go's and glibc's wording.
_OUT_OF_MEMORY = re.compile(
    rb"MemoryError|memory allocation of \d+ bytes failed|out of memory|"
    rb"Cannot allocate memory|bad_alloc|cannot allocate",
    re.IGNORECASE,
)

_PR_SET_CHILD_SUBREAPER = 36

_MEMORY_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}
_MEMORY = re.compile(r"(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?")


def parse_memory(text: str, flag: str = "--max-memory") -> int:
    """``512M``, ``2G``, ``1.5GiB``, ``300MB`` or bare bytes, as bytes (units are binary).

    Raises ``UsageError`` naming the flag and the value for anything else,
    and for a cap too small for any program to start under.
    """
    match = _MEMORY.fullmatch(text.strip().lower())
    if match is None:
        raise UsageError(f"{flag}={text!r} is not an amount of memory; use e.g. 512M, 2G")
    amount = int(float(match.group(1)) * _MEMORY_UNITS[match.group(2)])
    if amount < MIN_MEMORY:
        raise UsageError(
            f"{flag}={text!r} is too small; a target needs at least {MIN_MEMORY >> 20}M to start"
        )
    if amount > MAX_MEMORY:
        raise UsageError(f"{flag}={text!r} is more than any machine has; use e.g. 512M, 2G")
    return amount


def check_memory(max_memory: int | None) -> int | None:
    """Validate a ``max_memory`` given as a number (the API's form of ``--max-memory``)."""
    if max_memory is None:
        return None
    if isinstance(max_memory, bool) or not isinstance(max_memory, int) or max_memory < MIN_MEMORY:
        raise UsageError(
            f"--max-memory={max_memory!r} must be a number of bytes of at least {MIN_MEMORY}"
        )
    if not hasattr(resource, "prlimit"):  # pragma: no cover - Linux has it
        raise UsageError("--max-memory needs Linux (resource.prlimit)")
    return max_memory


_subreaper = False


def become_subreaper() -> None:
    """Have orphaned descendants handed to this process, so it can reap what it kills.

    Linux only, and once per process; elsewhere (or if refused) orphans go
    to PID 1 as usual.
    """
    global _subreaper
    if _subreaper or not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    _subreaper = True


def exit_status(returncode: int) -> str:
    """``exit 3`` or ``signal SIGSEGV``: the stable part of a process failure."""
    if returncode < 0:
        with contextlib.suppress(ValueError):
            return f"signal {signal.Signals(-returncode).name}"
    return f"exit {returncode}"


def ran_out_of_memory(returncode: int, stderr: bytes, max_memory: int | None) -> bool:
    """Whether a failed child most likely died of the memory cap.

    Under ``RLIMIT_DATA`` an allocation fails rather than the kernel killing
    the process, so what shows is the program's own reaction: a Python
    ``MemoryError`` traceback, Rust's "memory allocation of N bytes failed"
    abort (SIGABRT), C's "Cannot allocate memory". Only a capped child is
    judged so: without a cap such a message is the program's own business.
    """
    return max_memory is not None and returncode != 0 and bool(_OUT_OF_MEMORY.search(stderr))


class Pumped(enum.Enum):
    """Why ``Child.pump`` returned."""

    DONE = "done"  # the caller's condition holds
    EXITED = "exited"  # the child exited and its pipes are drained
    TIMEOUT = "timeout"  # the deadline passed first
    OVERFLOW = "overflow"  # an output line passed ``max_line`` bytes


def stderr_tail(stderr: bytes) -> str:
    """The part of a child's stderr a failure records: its end, where the error is."""
    return stderr.decode("utf-8", errors="replace")[-STDERR_TAIL:]


def process_failure(
    pumped: Pumped,
    returncode: int,
    stderr: bytes,
    *,
    program: str,
    timeout: float,
    max_line: int,
    max_memory: int | None,
) -> Failure:
    """Why a child gave no usable answer: the deadline, a runaway line, the memory cap, or
    its exit status (the discriminator of a crash, so two analyzers dying alike agree)."""
    tail = stderr_tail(stderr)
    if pumped is Pumped.TIMEOUT:
        return Failure(FailureKind.TIMEOUT, "", f"no answer after {timeout:g}s; killed", tail)
    if pumped is Pumped.OVERFLOW:
        return Failure(
            FailureKind.OUTPUT_TOO_LARGE,
            "",
            f"an output line passed {max_line} bytes; {program} was killed",
            tail,
        )
    status = exit_status(returncode)
    if ran_out_of_memory(returncode, stderr, max_memory):
        return Failure(
            FailureKind.OUT_OF_MEMORY,
            "",
            f"{program} ran out of memory under --max-memory={max_memory} ({status})",
            tail,
        )
    return Failure(FailureKind.CRASH, status, f"{program} exited with {status}", tail)


@attrs.define(eq=False)
class Child:
    """One child process in its own session, with its pipes pumped without blocking."""

    process: subprocess.Popen[bytes]
    max_line: int = DEFAULT_MAX_LINE
    #: Cap on all of stdout held at once (a flood of short lines), if any.
    max_total: int | None = None
    stdout: bytearray = attrs.field(factory=bytearray)
    stderr: bytearray = attrs.field(factory=bytearray)
    #: Bytes of stderr ever read (``stderr`` keeps only the last of them).
    stderr_read: int = 0
    exited: bool = False
    _line_start: int = 0
    _open: set[str] = attrs.field(factory=lambda: {"stdout", "stderr"})
    _pidfd: int | None = None
    #: Input queued for stdin, of which the first ``_sent`` bytes are written.
    _pending: bytearray = attrs.field(factory=bytearray)
    _sent: int = 0
    _close_stdin: bool = False
    _selector: selectors.BaseSelector | None = None

    @classmethod
    def start(
        cls,
        argv: Sequence[str],
        *,
        max_line: int = DEFAULT_MAX_LINE,
        max_memory: int | None = None,
        env: Mapping[str, str] | None = None,
    ) -> Child:
        """Start ``argv`` (no shell) in a new session, capped, its pipes non-blocking."""
        become_subreaper()
        process = subprocess.Popen(
            list(argv),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            env=None if env is None else dict(env),
        )
        child = cls(process, max_line)
        if max_memory is not None:
            # Before any input is sent: nothing the input triggers escapes the cap.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                resource.prlimit(process.pid, resource.RLIMIT_DATA, (max_memory, max_memory))
        for stream in (process.stdin, process.stdout, process.stderr):
            assert stream is not None
            os.set_blocking(stream.fileno(), False)
        with contextlib.suppress(OSError, AttributeError):
            child._pidfd = os.pidfd_open(process.pid)
        return child

    # ---------------------------------------------------------------- I/O --

    def send(self, data: bytes, *, close: bool = False) -> None:
        """Queue ``data`` for the child's stdin (written by ``pump``); ``close`` it after."""
        self._pending += data
        self._close_stdin = close

    def pump(self, deadline: float, until: Callable[[Child], bool] | None = None) -> Pumped:
        """Write queued input and read output until ``until(self)``, exit, the deadline, or a
        runaway line."""
        selector = self._selector if self._selector is not None else self._open_selector()
        self._watch_stdin(selector)
        drain_by: float | None = None
        while True:
            if self._overflowing():
                return Pumped.OVERFLOW
            if until is not None and until(self):
                return Pumped.DONE
            now = time.monotonic()
            if self.exited and (not self._open or now >= min(deadline, drain_by or now)):
                return Pumped.EXITED  # drained, or pipes held out of reach: stop waiting
            if now >= deadline:
                return Pumped.TIMEOUT
            limit = deadline if drain_by is None else min(deadline, drain_by)
            wait = limit - now if self._pidfd is not None else min(limit - now, 0.05)
            for key, _ in selector.select(wait):
                self._handle(selector, key.data)
            if self._pidfd is None and not self.exited and self.process.poll() is not None:
                self.exited = True
            if self.exited and drain_by is None:
                # The leader is gone: stray members of its group must not hold the pipes.
                self.kill_group()
                drain_by = time.monotonic() + DRAIN_GRACE

    def take_line(self) -> bytes | None:
        """The first complete stdout line, removed from the buffer; None if there is none."""
        end = self.stdout.find(b"\n")
        if end < 0:
            return None
        line = bytes(self.stdout[:end])
        del self.stdout[: end + 1]
        self._line_start = max(0, self._line_start - (end + 1))
        return line

    def stderr_since(self, mark: int) -> bytes:
        """stderr written since ``mark`` (a former ``stderr_read``), as far as it is kept."""
        kept_from = self.stderr_read - len(self.stderr)
        return bytes(self.stderr[max(0, mark - kept_from) :])

    def _open_selector(self) -> selectors.BaseSelector:
        """One selector for the child's life (not one per ``pump``: a syscall each fd)."""
        process = self.process
        assert process.stdout is not None and process.stderr is not None
        selector = self._selector = selectors.DefaultSelector()
        selector.register(process.stdout.fileno(), selectors.EVENT_READ, "stdout")
        selector.register(process.stderr.fileno(), selectors.EVENT_READ, "stderr")
        if self._pidfd is not None:
            selector.register(self._pidfd, selectors.EVENT_READ, "exit")
        return selector

    def _watch_stdin(self, selector: selectors.BaseSelector) -> None:
        """Watch stdin for room while there is input to write (or stdin to close)."""
        stdin = self.process.stdin
        assert stdin is not None
        wanted = self._sent < len(self._pending) or self._close_stdin
        if wanted and not stdin.closed and stdin.fileno() not in selector.get_map():
            selector.register(stdin.fileno(), selectors.EVENT_WRITE, "stdin")

    def _handle(self, selector: selectors.BaseSelector, what: str) -> None:
        process = self.process
        assert process.stdin is not None and process.stdout is not None
        assert process.stderr is not None
        if what == "stdin":
            self._write(selector)
        elif what == "exit":
            self.exited = True
            selector.unregister(self._pidfd)  # type: ignore[arg-type]
        else:
            stream = process.stdout if what == "stdout" else process.stderr
            try:
                chunk = os.read(stream.fileno(), 1 << 16)
            except BlockingIOError:
                return
            if not chunk:
                selector.unregister(stream.fileno())
                self._open.discard(what)
            elif what == "stdout":
                self.stdout += chunk
            else:
                self.stderr += chunk
                self.stderr_read += len(chunk)
                if len(self.stderr) > 2 * STDERR_KEEP:
                    del self.stderr[:-STDERR_KEEP]

    def _write(self, selector: selectors.BaseSelector) -> None:
        stdin = self.process.stdin
        assert stdin is not None
        try:
            if self._sent < len(self._pending):
                with memoryview(self._pending) as view:
                    self._sent += os.write(
                        stdin.fileno(), view[self._sent : self._sent + (1 << 16)]
                    )
        except BlockingIOError:
            return
        except (BrokenPipeError, ConnectionResetError):
            self._sent = len(self._pending)  # the child stopped reading; what it said will tell
            self._close_stdin = True
        if self._sent < len(self._pending):
            return
        self._pending.clear()
        self._sent = 0
        selector.unregister(stdin.fileno())
        if self._close_stdin:
            with contextlib.suppress(OSError):
                stdin.close()

    def _overflowing(self) -> bool:
        """Whether some line (finished or not) of stdout is longer than ``max_line``, or all
        of it longer than ``max_total``."""
        start = self._line_start
        while True:
            end = self.stdout.find(b"\n", start)
            if end < 0:
                break
            if end - start > self.max_line:
                return True
            start = end + 1
        self._line_start = start
        if self.max_total is not None and len(self.stdout) > self.max_total:
            return True
        return len(self.stdout) - start > self.max_line

    # ------------------------------------------------------------ the end --

    def kill_group(self) -> None:
        """SIGKILL the child's whole process group (a no-op once it is gone)."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)

    def finish(self) -> int:
        """Kill what is left of the group, reap the leader and every member handed to us.

        Returns the leader's exit code (negative: the signal that ended it).
        After it, no process of this child's group is left running or unreaped
        that this process could reap.
        """
        self.kill_group()
        returncode = self.process.wait()
        if self._selector is not None:
            self._selector.close()
            self._selector = None
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        if self._pidfd is not None:
            with contextlib.suppress(OSError):
                os.close(self._pidfd)
            self._pidfd = None
        reap_group(self.process.pid)
        return returncode


def reap_group(pgid: int) -> None:
    """Reap every child of ours in process group ``pgid`` (orphaned grandchildren, once
    killed), waiting up to ``REAP_GRACE`` for them to die."""
    give_up = time.monotonic() + REAP_GRACE
    while True:
        try:
            pid, _ = os.waitpid(-pgid, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            if time.monotonic() > give_up:
                return
            time.sleep(0.005)
