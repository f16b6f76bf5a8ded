"""py: and cmd: targets: specs, identities, and every way an analyzer can misbehave."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from fuzz.engine.canonical import iter_signals
from fuzz.engine.compare import compare
from fuzz.engine.outcomes import FailureKind, encode_line
from fuzz.engine.targets import CmdTarget, PyTarget, analyze_pair, parse_target
from fuzz.errors import UsageError
from tests.conftest import example_replay_spec

THANKS = [{"from": "human", "value": "thanks a lot"}]
PLAIN = [{"from": "human", "value": "hello"}]
BOOM = [{"from": "human", "value": "BOOM"}]
FIX = "py:tests.fixtures.py_analyzers"


def gratitude_count(outcome: object) -> int:
    report = outcome.report  # type: ignore[attr-defined]
    return int(report["interaction_signals"]["satisfaction"]["count"])


@pytest.mark.parametrize(
    ("spec", "culprit"),
    [
        ("rust:signals_replay", "unknown form"),
        ("signals_replay", "unknown form"),
        ("py:no_such_module_xyz:Analyzer", "cannot import module 'no_such_module_xyz'"),
        (f"{FIX}:NoSuchClass", "has no attribute 'NoSuchClass'"),
        (f"{FIX}", "must be py:MODULE:ATTR"),
        (f"{FIX}:NeedsArguments", "NeedsArguments() failed"),
        (f"{FIX}:NOT_CALLABLE", "neither a class"),
        ("cmd:", "names no program"),
        ("cmd:no-such-program-xyz", "is not on PATH"),
        ("cmd:/no/such/dir/signals_replay", "does not exist"),
        ("cmd:/tmp", "is not an executable file"),
        ("cmd:'unclosed", "cannot split"),
    ],
)
def test_bad_specs_raise_usage_errors_naming_the_target(spec: str, culprit: str) -> None:
    """A user mistake in a spec must be a one-line UsageError naming the spec, not a traceback."""
    with pytest.raises(UsageError) as caught:
        parse_target(spec)
    assert spec in str(caught.value)
    assert culprit in str(caught.value)
    assert "\n" not in str(caught.value)


def test_non_executable_program_is_a_usage_error(tmp_path: Path) -> None:
    """A file without the executable bit must be refused at start, not fail every batch."""
    program = tmp_path / "signals_replay"
    program.write_text("#!/bin/sh\n")
    with pytest.raises(UsageError, match="not an executable file"):
        parse_target(f"cmd:{program}")


@pytest.mark.parametrize("attr", ["Thanks", "make_analyzer", "analyze", "WithToDict"])
def test_py_target_accepts_class_factory_function_and_to_dict(attr: str) -> None:
    """Every documented py: form must reach analyze() and give the report dict."""
    target = parse_target(f"{FIX}:{attr}")
    (outcome,) = target.analyze_batch([THANKS])
    assert outcome.failure is None
    assert gratitude_count(outcome) == 1


def test_py_target_identity_names_module_file_and_hash() -> None:
    """Provenance must pin the exact module file that produced results."""
    target = parse_target(f"{FIX}:Thanks")
    identity = target.identity
    assert identity.kind == "py"
    assert identity.path.endswith("py_analyzers.py")
    assert identity.sha256 == hashlib.sha256(Path(identity.path).read_bytes()).hexdigest()


def test_py_target_crash_is_an_outcome_with_exception_type() -> None:
    """An analyzer exception must come back as data, with its type for the signature."""
    (outcome,) = parse_target(f"{FIX}:Raises").analyze_batch([PLAIN])
    assert outcome.failure is not None
    assert outcome.failure.kind is FailureKind.CRASH
    assert outcome.failure.discriminator == "ZeroDivisionError"
    assert "planted" in outcome.failure.stderr


@pytest.mark.parametrize("attr", ["Hangs", "SwallowsEverything", "SwallowsOnce"])
def test_py_target_hang_becomes_timeout(attr: str) -> None:
    """A hung in-process analyzer must be interrupted, even one that swallows Exception."""
    (outcome,) = PyTarget(f"{FIX}:{attr}", timeout=0.2).analyze_batch([PLAIN])
    assert outcome.failure is not None
    assert outcome.failure.kind is FailureKind.TIMEOUT


@pytest.mark.parametrize(
    ("attr", "disc"), [("ReturnsList", "not-a-dict"), ("ReturnsObject", "not-json")]
)
def test_py_target_garbage_is_unparseable(attr: str, disc: str) -> None:
    """A result that is not a JSON report must be a finding, not a fuzzer crash."""
    (outcome,) = parse_target(f"{FIX}:{attr}").analyze_batch([THANKS])
    assert outcome.failure is not None
    assert (outcome.failure.kind, outcome.failure.discriminator) == (FailureKind.UNPARSEABLE, disc)


def test_py_target_does_not_leak_input_mutation() -> None:
    """An analyzer that rewrites its input must not change what the other side sees."""
    conversation = [dict(THANKS[0])]
    parse_target(f"{FIX}:MutatesInput").analyze_batch([conversation])
    assert conversation == THANKS


def test_py_and_cmd_targets_read_surrogates_alike() -> None:
    """Side-by-side high and low surrogates are one character to a JSON reader. A py: side
    seeing two code points shortens this text (over 2,000 code points) and loses the thanks
    in its middle; a faithful cmd: port, reading 1,408 characters, keeps it."""
    pairs = "\ud83d\ude00" * 700
    conversation = [{"from": "human", "value": f"{pairs} thanks {pairs}"}]
    py_side = parse_target("py:fuzz.examples.analyzer:ExampleAnalyzer")
    (in_process,) = py_side.analyze_batch([conversation])
    (replayed,) = parse_target(example_replay_spec()).analyze_batch([conversation])
    assert compare(in_process, replayed).tier_a is None
    assert in_process.report is not None
    fired = [signal["signal_type"] for signal in iter_signals(in_process.report)]
    assert fired == ["interaction.satisfaction.gratitude"]


def test_cmd_target_reports_in_order(cmd_spec: Callable[[str], str]) -> None:
    """A well-behaved replay program's lines map to the batch by position."""
    outcomes = parse_target(cmd_spec("ok")).analyze_batch([THANKS, PLAIN, THANKS + THANKS])
    assert [gratitude_count(o) for o in outcomes] == [1, 0, 2]


def test_cmd_target_identity_hashes_the_program(cmd_spec: Callable[[str], str]) -> None:
    """Provenance must carry the SHA-256 of the resolved program file."""
    target = parse_target(cmd_spec("ok"))
    assert isinstance(target, CmdTarget)
    assert target.identity.path == os.path.abspath(sys.executable)
    assert target.identity.sha256 == hashlib.sha256(Path(sys.executable).read_bytes()).hexdigest()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("mode", "kinds"),
    [
        ("reverse", ["id-mismatch", None, "id-mismatch"]),
        ("garbage", ["unparseable", None, None]),
        ("error-line", ["error-line", None, None]),
        ("drop-last", ["missing-line"] * 3),
        ("extra-line", ["extra-line"] * 3),
        ("exit-3", ["crash"] * 3),
        ("crash-on-boom", [None, "crash", None]),
        ("drop-on-boom", [None, "missing-line", None]),
    ],
)
def test_cmd_target_protocol_breaks_are_findings(
    cmd_spec: Callable[[str], str], mode: str, kinds: list[str | None]
) -> None:
    """Each protocol break must land on the conversation(s) it concerns, as its own kind."""
    outcomes = parse_target(cmd_spec(mode)).analyze_batch([THANKS, BOOM, PLAIN])
    assert [o.failure.kind.value if o.failure else None for o in outcomes] == kinds


def test_cmd_crash_keeps_exit_status_and_stderr(cmd_spec: Callable[[str], str]) -> None:
    """A port panic must carry its exit status (signature) and stderr (reproducer)."""
    (outcome,) = parse_target(cmd_spec("crash-on-boom")).analyze_batch([BOOM])
    assert outcome.failure is not None
    assert outcome.failure.discriminator == "exit 101"
    assert "panicked" in outcome.failure.stderr


@pytest.mark.slow
def test_cmd_hang_is_killed_and_pinned_on_its_conversation(cmd_spec: Callable[[str], str]) -> None:
    """A hung batch must be killed at the timeout and blamed on the one conversation that hangs."""
    target = CmdTarget(cmd_spec("hang-on-boom"), timeout=1.0)
    outcomes = target.analyze_batch([THANKS, BOOM, PLAIN])
    assert [o.failure.kind.value if o.failure else None for o in outcomes] == [
        None,
        "timeout",
        None,
    ]


def test_cmd_program_symlink_is_not_resolved(tmp_path: Path) -> None:
    """A venv python is a symlink; running its target instead would lose the venv."""
    link = tmp_path / "python-link"
    link.symlink_to(sys.executable)
    target = parse_target(f"cmd:{link} -c 'import sys; print(sys.executable)'")
    assert isinstance(target, CmdTarget)
    assert target.argv[0] == str(link)


def test_cmd_empty_batch_starts_nothing(
    cmd_spec: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An empty batch has nothing to say: no process, and no missing lines read into it."""
    target = parse_target(cmd_spec("hang"))

    def no_process(*args: object, **kwargs: object) -> None:
        raise AssertionError("a process was started for an empty batch")

    monkeypatch.setattr(subprocess, "Popen", no_process)
    assert target.analyze_batch([]) == []


def test_encode_line_escapes_only_when_utf8_cannot_carry_it() -> None:
    """Lone surrogates must still produce a valid JSON line; ordinary text stays readable."""
    assert encode_line({"v": "café"}) == '{"v": "café"}'
    line = encode_line({"v": "a\ud800b"})
    line.encode("utf-8")
    assert json.loads(line) == {"v": "a\ud800b"}


def test_analyze_pair_keeps_sides_apart(cmd_spec: Callable[[str], str]) -> None:
    """Overlapping a cmd: side on a thread must not swap reference and candidate."""
    py = parse_target(f"{FIX}:Raises")
    cmd = parse_target(cmd_spec("ok"))
    refs, cands = analyze_pair(cmd, py, [THANKS])
    assert refs[0].failure is None and cands[0].failure is not None
    refs, cands = analyze_pair(py, cmd, [THANKS])
    assert refs[0].failure is not None and cands[0].failure is None


def test_a_report_that_cannot_be_turned_into_json_is_a_finding_not_an_escape() -> None:
    """A to_dict() that raises, or a report nested past the encoder's limit, must come back as
    a failure of that conversation, never as an exception out of the engine."""
    (raised,) = parse_target(f"{FIX}:RaisesInToDict").analyze_batch([[]])
    assert raised.failure is not None and raised.failure.label == "crash KeyError"
    assert "to_dict" in raised.failure.stderr
    (deep,) = parse_target(f"{FIX}:DeepReport").analyze_batch([[]])
    assert deep.failure is not None and deep.failure.label == "unparseable not-json"
