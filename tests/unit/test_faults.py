"""Every injected fault, in cmd: and py: form, comes back as its own kind of finding.

The fixtures (``tests/fixtures/faulty_replay.py``, ``faulty_analyzers.py``)
misbehave on conversations holding a marker word; each test sends a batch
with one such conversation between two good ones and checks that the fault
lands on that conversation, as the kind (signature label) it should, that
the good ones still get their reports, and that nothing is left running.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from fuzz.engine.compare import compare
from fuzz.engine.isolated import IsolatedTarget
from fuzz.engine.outcomes import FailureKind, Outcome
from fuzz.engine.processes import MIN_MEMORY, STDERR_KEEP, Child, Pumped, parse_memory
from fuzz.engine.targets import CmdTarget, PyTarget, TargetOptions, analyze_pair, parse_target
from fuzz.errors import UsageError
from tests.conftest import FIXTURES

THANKS = [{"from": "human", "value": "thanks a lot"}]
PLAIN = [{"from": "human", "value": "hello"}]
FAULTY_PY = "py:tests.fixtures.faulty_analyzers:Faulty"
CAP = 256 << 20


def faulty_cmd(*args: str) -> str:
    """The cmd: spec of the fault-injecting replay program."""
    script = FIXTURES / "faulty_replay.py"
    return "cmd:" + shlex.join([sys.executable, str(script), *args])


def said(word: str) -> list[dict[str, str]]:
    return [{"from": "human", "value": f"thanks, {word} please"}]


def labels(outcomes: list[Outcome]) -> list[str | None]:
    return [o.failure.label if o.failure else None for o in outcomes]


def _own_children() -> list[str]:
    mine = str(os.getpid())
    left = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[1] == mine:
            left.append(f"{stat.parent.name} {fields[0]}")
    return left


#: Children of this process that were there before the running test: other tests' (the fuzzer
#: is a subreaper, so a test that kills a whole campaign hands its orphans here).
_before: set[str] = set()


@pytest.fixture(autouse=True)
def _note_children() -> None:
    _before.clear()
    _before.update(_own_children())


def children_left() -> list[str]:
    """Our own children that are still there (running or unreaped), as 'pid state', other
    than those that were there before the test."""
    return [child for child in _own_children() if child not in _before]


def alive(pid: int) -> bool:
    """Whether the process exists at all (running, or a zombie nobody reaped)."""
    return Path(f"/proc/{pid}").exists()


@pytest.fixture
def grandchildren(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A file where FORK/STRAY grandchildren write their pids."""
    where = tmp_path / "grandchildren.txt"
    monkeypatch.setenv("FAULTY_GRANDCHILD_FILE", str(where))
    yield where


# -------------------------------------------------------------------- cmd: ---


@pytest.mark.parametrize(
    ("word", "label"),
    [
        ("EXIT", "crash exit 3"),
        ("GARBAGE", "unparseable not-json"),
        ("DROP", "missing-line"),
        ("DOUBLE", "extra-line"),
        ("RENUMBER", "id-mismatch changed"),
        ("BADUTF", "unparseable not-utf8"),
        ("HUGE", "output-too-large"),
        ("STDERR", "missing-line stderr-only"),
        ("ERROR", "error-line"),
        ("GROW", "out-of-memory"),
    ],
)
def test_cmd_fault_is_pinned_on_its_conversation_as_its_own_kind(word: str, label: str) -> None:
    """A protocol break must be blamed on the one conversation causing it, with its own kind;
    the conversations beside it must still get their reports."""
    target = CmdTarget(faulty_cmd(), timeout=5.0, max_memory=CAP)
    outcomes = target.analyze_batch([THANKS, said(word), PLAIN])
    assert labels(outcomes) == [None, label, None]
    assert outcomes[0].report is not None
    assert outcomes[0].report["interaction_signals"]["satisfaction"]["count"] == 1
    assert children_left() == []


def test_cmd_reordered_lines_are_told_from_changed_ids() -> None:
    """Lines out of order are another bug than a made-up id: each needs its own signature."""
    target = CmdTarget(faulty_cmd(), timeout=5.0)
    assert labels(target.analyze_batch([THANKS, said("SWAP"), PLAIN])) == [
        None,
        "id-mismatch reordered",
        "id-mismatch reordered",
    ]


def test_cmd_exit_mid_batch_keeps_the_panic_in_the_case() -> None:
    """A crash must carry the program's stderr tail, which the reproducer shows."""
    (outcome,) = CmdTarget(faulty_cmd(), timeout=5.0).analyze_batch([said("EXIT")])
    assert outcome.failure is not None
    assert "panicked" in outcome.failure.stderr


def test_cmd_memory_growth_under_the_cap_keeps_memory_error_in_stderr() -> None:
    """Out-of-memory is told by the program's own words on stderr, kept for the reproducer."""
    (outcome,) = CmdTarget(faulty_cmd(), timeout=10.0, max_memory=CAP).analyze_batch([said("GROW")])
    assert outcome.failure is not None
    assert outcome.failure.kind is FailureKind.OUT_OF_MEMORY
    assert "MemoryError" in outcome.failure.stderr


def test_cmd_huge_line_is_cut_at_the_cap_not_buffered() -> None:
    """A runaway line must stop at max_line bytes, not be read whole into the fuzzer."""
    target = CmdTarget(faulty_cmd(), timeout=5.0, max_line=1 << 16)
    (outcome,) = target.analyze_batch([said("HUGE")])
    assert outcome.failure is not None
    assert outcome.failure.kind is FailureKind.OUTPUT_TOO_LARGE
    assert str(1 << 16) in outcome.failure.detail


def test_cmd_flood_of_short_lines_is_cut_not_buffered() -> None:
    """Endless output must stop at the batch's cap (max_line per line given, plus one),
    not fill the fuzzer's memory until the timeout."""
    target = CmdTarget(faulty_cmd(), timeout=30.0, max_line=1 << 12)
    outcomes = target.analyze_batch([THANKS, said("FLOOD"), PLAIN])
    assert labels(outcomes) == [None, "output-too-large", None]


def test_cmd_slow_start_within_the_timeout_is_no_finding() -> None:
    """A program that takes seconds to start but answers in time must not be called hung."""
    target = CmdTarget(faulty_cmd("--start-delay", "1.5"), timeout=5.0)
    assert labels(target.analyze_batch([THANKS, PLAIN])) == [None, None]
    assert target.process_starts == 1


@pytest.mark.slow
def test_cmd_hang_with_a_sigterm_proof_grandchild_leaves_nothing_behind(
    grandchildren: Path,
) -> None:
    """A hung batch must be killed with its whole group: no stray grandchild, no zombie."""
    target = CmdTarget(faulty_cmd(), timeout=1.0)
    outcomes = target.analyze_batch([THANKS, said("FORK"), PLAIN])
    assert labels(outcomes) == [None, "timeout", None]
    pids = [int(line) for line in grandchildren.read_text().split()]
    assert pids, "the fixture forked no grandchild"
    assert [pid for pid in pids if alive(pid)] == []
    assert children_left() == []


def test_cmd_stray_grandchild_holding_stdout_does_not_cost_a_timeout(
    grandchildren: Path,
) -> None:
    """A program that exits leaving a child on its stdout must be read at once and its stray
    killed: before, the fuzzer waited for the pipe to close until the timeout."""
    target = CmdTarget(faulty_cmd(), timeout=30.0)
    outcomes = target.analyze_batch([THANKS, said("STRAY"), PLAIN])
    assert labels(outcomes) == [None, None, None]
    assert target.process_starts == 1
    pids = [int(line) for line in grandchildren.read_text().split()]
    assert pids and [pid for pid in pids if alive(pid)] == []


# -------------------------------------------------------------- bisection ---


@pytest.mark.parametrize(
    ("culprits", "starts"),
    [((), 1), ((5,), 9), ((3, 4), 13), ((2, 11), 19), (tuple(range(16)), 19)],
)
def test_bisection_pins_every_culprit(culprits: tuple[int, ...], starts: int) -> None:
    """Every conversation that crashes the program, and only those, must carry the crash;
    one culprit in 16 must cost 9 process starts, not the 17 of rerunning each alone."""
    batch = [
        said("EXIT") if i in culprits else [{"from": "human", "value": f"m{i}"}] for i in range(16)
    ]
    target = CmdTarget(faulty_cmd(), timeout=5.0)
    outcomes = target.analyze_batch(batch)
    assert [i for i, o in enumerate(outcomes) if o.failure] == list(culprits)
    assert target.process_starts == starts


def test_a_failure_that_needs_the_whole_batch_stays_on_every_conversation() -> None:
    """When no smaller batch fails, nobody can be blamed alone: each keeps the batch failure."""
    script = (
        "import sys; n = len(sys.stdin.read().splitlines()); "
        'sys.exit(4 if n >= 2 else print(\'{"id": 0, "report": {}}\'))'
    )
    target = CmdTarget("cmd:" + shlex.join([sys.executable, "-c", script]), timeout=5.0)
    assert labels(target.analyze_batch([THANKS, PLAIN])) == ["crash exit 4", "crash exit 4"]


# ---------------------------------------------------------- py: in process ---


@pytest.mark.parametrize(
    ("word", "label"), [("RAISE", "crash ValueError"), ("NOTDICT", "unparseable not-a-dict")]
)
def test_py_fault_in_process_is_a_finding(word: str, label: str) -> None:
    """A raising analyzer, or one returning a non-report, must be data, not a fuzzer crash."""
    outcomes = PyTarget(FAULTY_PY).analyze_batch([THANKS, said(word), PLAIN])
    assert labels(outcomes) == [None, label, None]


def test_py_wrong_shape_dict_is_a_schema_finding() -> None:
    """A dict that is no report must be a Tier-A schema finding on its side."""
    good = PyTarget("py:tests.fixtures.py_analyzers:Thanks").analyze_batch([said("BADSHAPE")])
    bad = PyTarget(FAULTY_PY).analyze_batch([said("BADSHAPE")])
    divergence = compare(good[0], bad[0]).tier_a
    assert divergence is not None
    assert divergence.label == "schema on candidate: /: required"


def test_py_slow_start_is_no_finding() -> None:
    """An analyzer that takes a second to build must not be judged by the timeout."""
    target = PyTarget("py:tests.fixtures.faulty_analyzers:SlowStart", timeout=0.5)
    assert labels(target.analyze_batch([THANKS])) == [None]


# ------------------------------------------------------------ py: isolated ---


@pytest.fixture(scope="module")
def isolated() -> Iterator[IsolatedTarget]:
    """One isolated Faulty analyzer for the module: its restarts are part of what is tested."""
    target = IsolatedTarget(FAULTY_PY, timeout=0.5, max_memory=CAP)
    yield target
    target.close()


@pytest.mark.parametrize(
    ("word", "label"),
    [
        ("RAISE", "crash ValueError"),
        ("NOTDICT", "unparseable not-a-dict"),
        ("HANG", "timeout"),
        ("DEAF", "timeout"),
        ("SEGV", "crash signal SIGSEGV"),
        ("EXIT", "crash exit 3"),
        ("GROW", "out-of-memory"),
    ],
)
def test_isolated_py_fault_is_a_finding_and_the_next_conversation_runs(
    isolated: IsolatedTarget, word: str, label: str
) -> None:
    """Isolated, a segfault, os._exit, runaway memory or signal-deaf code is one finding,
    and the conversation after it still gets its report (from a fresh child if need be)."""
    outcomes = isolated.analyze_batch([THANKS, said(word), THANKS])
    assert labels(outcomes) == [None, label, None]
    assert outcomes[2].report == outcomes[0].report
    assert [child for child in children_left() if child.endswith(" Z")] == []


@pytest.mark.parametrize(
    ("word", "said_on_stderr"),
    [("SEGV", "Segmentation fault"), ("GROW", "MemoryError"), ("RAISE", "planted RAISE")],
)
def test_isolated_failure_keeps_what_the_child_said(
    isolated: IsolatedTarget, word: str, said_on_stderr: str
) -> None:
    """A case must carry the child's last words: the Python stack of a segfault, a traceback."""
    (outcome,) = isolated.analyze_batch([said(word)])
    assert outcome.failure is not None
    assert said_on_stderr in outcome.failure.stderr


def test_isolated_slow_start_is_no_finding() -> None:
    """Building the analyzer may take longer than --timeout: only analysing is timed."""
    target = IsolatedTarget("py:tests.fixtures.faulty_analyzers:SlowStart", timeout=0.5)
    try:
        assert labels(target.analyze_batch([THANKS])) == [None]
    finally:
        target.close()


def test_isolated_child_is_restarted_only_after_a_death(isolated: IsolatedTarget) -> None:
    """A crash the child survives (an exception) must not cost a restart; a segfault must."""
    before = isolated.starts
    isolated.analyze_batch([said("RAISE"), THANKS])
    assert isolated.starts == before
    isolated.analyze_batch([said("SEGV"), THANKS])
    assert isolated.starts == before + 1


def test_isolated_analyzer_output_cannot_corrupt_the_protocol(isolated: IsolatedTarget) -> None:
    """An analyzer printing a JSON-looking line to stdout must not be read as its answer."""
    (printed,) = isolated.analyze_batch([said("PRINT")])
    (in_process,) = PyTarget(FAULTY_PY).analyze_batch([said("PRINT")])
    assert printed == in_process


def test_isolated_kill_takes_the_timeout_plus_grace_not_forever(isolated: IsolatedTarget) -> None:
    """Signal-deaf code must be killed by the parent and reported as a timeout."""
    (outcome,) = isolated.analyze_batch([said("DEAF")])
    assert outcome.failure is not None and outcome.failure.kind is FailureKind.TIMEOUT
    assert "killed" in outcome.failure.detail


def test_isolated_identity_is_the_py_identity() -> None:
    """Provenance of an isolated target must be exactly what the in-process target records."""
    target = parse_target(FAULTY_PY, isolate=True)
    try:
        assert isinstance(target, IsolatedTarget)
        assert target.identity == PyTarget(FAULTY_PY).identity
    finally:
        target.close()


@pytest.mark.parametrize(
    ("spec", "culprit"),
    [
        ("py:no_such_module_xyz:Analyzer", "cannot import module 'no_such_module_xyz'"),
        ("py:tests.fixtures.py_analyzers:NoSuchClass", "has no attribute 'NoSuchClass'"),
    ],
)
def test_isolated_bad_spec_is_the_same_usage_error(spec: str, culprit: str) -> None:
    """A spec mistake must read the same with --isolate: one line naming the target."""
    with pytest.raises(UsageError) as caught:
        parse_target(spec, isolate=True)
    assert culprit in str(caught.value) and spec in str(caught.value)
    assert "\n" not in str(caught.value)


def test_isolated_sides_run_side_by_side_without_swapping() -> None:
    """analyze_pair must keep reference and candidate apart when both are isolated."""
    good = parse_target("py:tests.fixtures.py_analyzers:Thanks", isolate=True)
    bad = parse_target(FAULTY_PY, isolate=True)
    try:
        refs, cands = analyze_pair(good, bad, [said("RAISE")])
        assert labels(refs) == [None] and labels(cands) == ["crash ValueError"]
        refs, cands = analyze_pair(bad, good, [said("RAISE")])
        assert labels(refs) == ["crash ValueError"] and labels(cands) == [None]
    finally:
        good.close()  # type: ignore[attr-defined]
        bad.close()  # type: ignore[attr-defined]


# ------------------------------------------------------------ --max-memory ---


@pytest.mark.parametrize(
    ("text", "amount"),
    [("512M", 512 << 20), ("2G", 2 << 30), ("1.5GiB", 3 << 29), ("300MB", 300 << 20)],
)
def test_max_memory_reads_binary_units(text: str, amount: int) -> None:
    """--max-memory must mean what it says in the units people write."""
    assert parse_memory(text) == amount


@pytest.mark.parametrize("text", ["abc", "0", "-5", "1k", "12 parsecs", ""])
def test_bad_max_memory_is_one_line_naming_the_value(text: str) -> None:
    """A bad --max-memory must be a one-line usage error repeating the value."""
    with pytest.raises(UsageError) as caught:
        parse_memory(text)
    message = str(caught.value)
    assert message.startswith(f"--max-memory={text!r}") and "\n" not in message


@pytest.mark.parametrize("amount", [0, -1, MIN_MEMORY - 1, True])
def test_bad_max_memory_number_is_refused_by_parse_target(amount: int) -> None:
    """The API must refuse a cap no target could start under, as the flag does."""
    with pytest.raises(UsageError, match="--max-memory"):
        parse_target(faulty_cmd(), max_memory=amount)


def test_target_options_start_targets_as_the_flags_say() -> None:
    """One options object must give every target the same timeout, isolation and cap,
    and survive the trip to a worker process (pickling)."""
    import pickle

    options = pickle.loads(pickle.dumps(TargetOptions(timeout=2.5, isolate=True, max_memory=CAP)))
    isolated = options.parse(FAULTY_PY)
    try:
        assert isinstance(isolated, IsolatedTarget)
        assert (isolated.timeout, isolated.max_memory) == (2.5, CAP)
    finally:
        isolated.close()
    program = options.parse(faulty_cmd())
    assert isinstance(program, CmdTarget)
    assert (program.timeout, program.max_memory) == (2.5, CAP)
    assert isinstance(TargetOptions().parse(FAULTY_PY), PyTarget)


def _state(pid: int) -> str | None:
    """The process's state letter (R, S, Z...), or None once it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return None


@pytest.mark.slow
@pytest.mark.parametrize("busy", [False, True])
def test_isolated_child_does_not_outlive_a_killed_fuzzer(busy: bool) -> None:
    """kill -9 of the fuzzer must not leave its analyzer child running, idle or stuck in
    signal-deaf code."""
    import signal
    import subprocess
    import time

    script = (
        "import sys, time\n"
        "from fuzz.engine.isolated import IsolatedTarget\n"
        f"t = IsolatedTarget({FAULTY_PY!r}, timeout=600)\n"
        "print(t._child.process.pid, flush=True)\n"
        f"t.analyze_batch([[{{'from': 'human', 'value': {'DEAF' if busy else 'ok'!r}}}]])\n"
        "time.sleep(600)\n"
    )
    fuzzer = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(FIXTURES.parent.parent)},
    )
    assert fuzzer.stdout is not None
    child = int(fuzzer.stdout.readline())
    time.sleep(0.5)  # let the child take the request
    fuzzer.send_signal(signal.SIGKILL)
    fuzzer.wait()
    fuzzer.stdout.close()
    for _ in range(100):  # the child checks for its parent every second
        if _state(child) in (None, "Z"):
            break
        time.sleep(0.1)
    assert _state(child) in (None, "Z"), "the analyzer child outlived the fuzzer"
    with contextlib.suppress(ChildProcessError):
        os.waitpid(child, os.WNOHANG)  # handed to us (a subreaper): reap it


def test_stderr_since_a_mark_survives_the_kept_tail_being_trimmed() -> None:
    """A mark is a count of bytes ever read: trimming the kept tail must not lose what came
    after it (a child that wrote much before failing keeps its last words)."""
    early = b"e" * (3 * STDERR_KEEP)
    code = "import sys; sys.stderr.buffer.write(sys.stdin.buffer.read())"
    child = Child.start([sys.executable, "-c", code])
    child.send(early, close=True)
    try:
        assert child.pump(time.monotonic() + 30) is Pumped.EXITED
    finally:
        child.finish()
    assert child.stderr_read == len(early)
    assert len(child.stderr) < len(early)  # the kept tail was trimmed
    assert child.stderr_since(len(early) - 10) == b"e" * 10
    assert child.stderr_since(0) == bytes(child.stderr)
