"""The example replay program speaks the Rust port's batch protocol (``shared/spec/targets.md``)."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
from typing import Any

import pytest

from fuzz.examples.analyzer import ExampleAnalyzer
from fuzz.examples.replay import as_float32, port_report

pytestmark = pytest.mark.slow  # every test starts a subprocess

THANKS = [{"from": "human", "value": "Thanks, that works!"}]
TOOLS = [
    {"from": "function_call", "value": '{"name": "search", "arguments": {"q": "x"}}'},
    {"from": "observation", "value": "504 Gateway Timeout"},
]


def run_replay(data: bytes, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "fuzz.examples.replay", *args],
        input=data,
        capture_output=True,
        timeout=timeout,
        check=False,
    )


def jsonl(*objects: Any) -> bytes:
    return b"".join(json.dumps(o).encode() + b"\n" for o in objects)


def output_lines(result: subprocess.CompletedProcess[bytes]) -> list[dict[str, Any]]:
    assert result.returncode == 0, result.stderr.decode()
    text = result.stdout.decode("utf-8")
    assert text == "" or text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


def test_one_line_per_non_blank_line_in_order() -> None:
    """Lines are dropped, reordered, or blank lines produce output."""
    ids: list[Any] = [3, "b", None, {"k": [1, 2]}, 1.5, -7, "é\u2028", True]
    batch = b"\n   \n".join(
        json.dumps({"id": i, "messages": THANKS if n % 2 else TOOLS}).encode()
        for n, i in enumerate(ids)
    )
    lines = output_lines(run_replay(b"\n" + batch + b"\r\n\n\t\n"))
    assert [line["id"] for line in lines] == ids
    assert all(set(line) == {"id", "report"} for line in lines)


def test_bad_lines_become_error_lines_with_null_id() -> None:
    """A bad line stops the batch, loses its position, or keeps an id."""
    batch = b"\n".join(
        [
            json.dumps({"id": 1, "messages": THANKS}).encode(),
            b"{not json",
            json.dumps({"messages": THANKS}).encode(),  # missing id
            json.dumps({"id": 4, "messages": [{"from": "human", "value": 7}]}).encode(),
            json.dumps({"id": 5, "messages": [{"from": "human", "value": None}]}).encode(),
            json.dumps({"id": 6, "messages": "nope"}).encode(),
            b"\xff\xfe",  # not UTF-8
            b"[1, 2]",
            json.dumps({"id": 9, "messages": [{"value": "thanks"}, {"from": "gpt"}]}).encode(),
        ]
    )
    lines = output_lines(run_replay(batch))
    assert len(lines) == 9
    assert [line["id"] for line in lines] == [1, None, None, None, None, None, None, None, 9]
    for line in lines[1:8]:
        assert set(line) == {"id", "error"}
        assert isinstance(line["error"], str)
        assert line["error"]
    assert "report" in lines[8]  # missing from/value default to ""


def test_report_matches_in_process_analyzer_as_the_port_prints_it() -> None:
    """The replay's report differs from the in-process analyzer beyond the port's conventions."""
    messages = THANKS + TOOLS + [{"from": "gpt", "value": "\ud800 lone surrogate"}]
    (line,) = output_lines(run_replay(jsonl({"id": "a", "messages": messages})))
    expected = port_report(ExampleAnalyzer().analyze(messages).to_dict())
    assert line["report"] == json.loads(json.dumps(expected))


def test_confidence_is_float32_printed_as_float64() -> None:
    """Confidences are printed as 64-bit values instead of 32-bit ones widened."""
    result = run_replay(jsonl({"id": 1, "messages": THANKS + TOOLS}))
    assert b'"confidence": 0.949999988079071' in result.stdout
    (line,) = output_lines(result)
    for layer in ("interaction_signals", "execution_signals", "environment_signals"):
        for group in line["report"][layer].values():
            for signal in group["signals"]:
                value = signal["confidence"]
                assert struct.unpack("f", struct.pack("f", value))[0] == value
    assert as_float32(0.95) == 0.949999988079071


def test_python_only_keys_are_omitted() -> None:
    """The replay emits quality_score or turn metrics, which the port does not."""
    (line,) = output_lines(run_replay(jsonl({"id": 1, "messages": THANKS})))
    assert set(line["report"]) == {
        "interaction_signals",
        "execution_signals",
        "environment_signals",
        "overall_quality",
        "summary",
    }


def test_empty_input_gives_empty_output() -> None:
    """An empty batch produces output or fails."""
    assert output_lines(run_replay(b"")) == []
    assert output_lines(run_replay(b"\n\n  \n")) == []


def test_variant_flag_changes_the_analyzer() -> None:
    """--variant is ignored."""
    batch = jsonl({"id": 1, "messages": [{"from": "human", "value": "Cheers!"}]})
    (faithful,) = output_lines(run_replay(batch))
    (variant,) = output_lines(run_replay(batch, "--variant", "missing_trigger"))
    assert faithful["report"]["interaction_signals"]["satisfaction"]["count"] == 1
    assert variant["report"]["interaction_signals"]["satisfaction"]["count"] == 0


def test_crash_variant_exits_non_zero_with_traceback() -> None:
    """An analyzer crash is swallowed instead of killing the process like a port panic."""
    orphan = [{"from": "observation", "value": "500 Internal Server Error"}]
    batch = jsonl({"id": 1, "messages": THANKS}, {"id": 2, "messages": orphan})
    result = run_replay(batch, "--variant", "crash")
    assert result.returncode != 0
    assert b"Traceback" in result.stderr
    assert b"IndexError" in result.stderr
    assert result.stdout == b""  # nothing is flushed before the end of input


def test_hang_variant_hangs() -> None:
    """The hang variant terminates on `name(` (the fuzzer's timeout path is then untested)."""
    batch = jsonl({"id": 1, "messages": [{"from": "function_call", "value": "search("}]})
    with pytest.raises(subprocess.TimeoutExpired):
        run_replay(batch, "--variant", "hang", timeout=2)


def test_unknown_variant_is_a_usage_error() -> None:
    """A misspelt variant does not give exit code 2 and a one-line message."""
    result = run_replay(b"", "--variant", "missing_trigger,nope")
    assert result.returncode == 2
    assert result.stdout == b""
    message = result.stderr.decode().strip()
    assert "\n" not in message
    assert "'nope'" in message
