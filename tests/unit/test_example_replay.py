"""The example replay program speaks the Rust port's batch protocol (``shared/spec/targets.md``)."""

from __future__ import annotations

import json
import re
import struct
import subprocess
import sys
from typing import Any

import pytest

from fuzz.engine.outcomes import Conversation, FailureKind, encode_line
from fuzz.engine.targets import parse_target
from fuzz.examples.analyzer import ExampleAnalyzer
from fuzz.examples.replay import as_float32, port_report
from fuzz.search.coverage import generate_conversations
from strategies.conversations import WINDOW, conversations
from tests.conftest import example_replay_spec, strict_replay_spec

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


# ------------------------------------------------------------------ --strict ---
# The port's reader (shared/spec/targets.md, "The Rust port"), against the
# default lenient reader on the same input.

STRICT_ERROR = re.compile(r"^input parse: .+ at line 1 column [1-9][0-9]*$")


def strict_error(line: dict[str, Any]) -> str:
    """The error text of a strict rejection, checked for the port's shape."""
    assert set(line) == {"id", "error"}
    assert line["id"] is None
    error: str = line["error"]
    assert STRICT_ERROR.match(error), error
    return error


def error_column(error: str) -> int:
    return int(error.rsplit(" ", 1)[1])


def message_line(value: str, *, ident: str = "1", role: str = '"human"') -> bytes:
    """A request line written by hand, so escapes reach the reader exactly as written."""
    text = f'{{"id": {ident}, "messages": [{{"from": {role}, "value": {value}}}]}}'
    return text.encode("utf-8")


#: (name, input line, lenient reader answers it, strict reader answers it)
READERS: list[tuple[str, bytes, bool, bool]] = [
    ("plain", message_line('"thanks"'), True, True),
    ("lone low surrogate", message_line('"\\udfff"'), True, False),
    ("lone high surrogate", message_line('"\\ud800 and text"'), True, False),
    ("high then a non-low escape", message_line('"\\ud83d\\u0041"'), True, False),
    ("pair in the wrong order", message_line('"\\ude00\\ud83d"'), True, False),
    ("lone surrogate in from", message_line('"x"', role='"\\udc00"'), True, False),
    ("lone surrogate in a string id", message_line('"x"', ident='"\\udfff"'), True, False),
    ("paired surrogates", message_line('"\\ud83d\\ude00"'), True, True),
    ("value a number", message_line("7"), False, False),
    ("value null", message_line("null"), False, False),
    ("value an object", message_line('{"text": "hi"}'), False, False),
    ("from a boolean", message_line('"x"', role="true"), False, False),
    ("missing id", b'{"messages": []}', False, False),
    ("missing messages", b'{"id": 1}', False, False),
    ("messages a string", b'{"id": 1, "messages": "hi"}', False, False),
    ("messages null", b'{"id": 1, "messages": null}', False, False),
    ("a message not an object", b'{"id": 1, "messages": ["hi"]}', False, False),
    ("not JSON", b"{not json", False, False),
    ("cut short", b'{"id": 1, "messages": [{"from": "human", "value": "th', False, False),
    ("not an object", b"[1, 2]", False, False),
    ("raw control character", message_line('"a\tb"'), False, False),
    ("trailing characters", b'{"id": 1, "messages": []} x', False, False),
    ("missing from and value", b'{"id": 1, "messages": [{"value": "hi"}, {}]}', True, True),
    ("unknown fields", b'{"id": 1, "meta": {"a": [1, "b"]}, "messages": []}', True, True),
    ("CR before LF", b'{"id": 1, "messages": []}\r', True, True),
    ("NaN id", b'{"id": NaN, "messages": []}', True, False),
    ("Infinity in an unknown field", b'{"id": 1, "x": -Infinity, "messages": []}', True, False),
    ("duplicate id", b'{"id": 1, "id": 2, "messages": []}', True, False),
    ("duplicate value", b'{"id": 1, "messages": [{"value": "a", "value": "b"}]}', True, False),
]


def test_strict_and_lenient_readers_accept_what_the_table_says() -> None:
    """A reader accepts or refuses a line unlike the port (strict) or unlike Python's json."""
    batch = b"\n".join(line for _, line, _, _ in READERS) + b"\n"
    lenient = output_lines(run_replay(batch))
    strict = output_lines(run_replay(batch, "--strict"))
    assert len(lenient) == len(strict) == len(READERS)
    for (name, _, lenient_ok, strict_ok), loose, tight in zip(
        READERS, lenient, strict, strict=True
    ):
        assert ("report" in loose) == lenient_ok, (name, loose)
        assert ("report" in tight) == strict_ok, (name, tight)
        if not strict_ok:
            strict_error(tight)
        if lenient_ok and strict_ok:
            assert loose == tight, name


def test_strict_lone_surrogate_error_points_at_the_escape_in_bytes() -> None:
    """Lone surrogates are accepted, or their error has no position or counts characters."""
    line = (
        b'{"id": 1, "messages": [{"from": "human", "value": "\xc3\xa9t\xc3\xa9 \xf0\x9f\x98\x80"}, '
        b'{"from": "gpt", "value": "ok \\udfff"}]}'
    )
    (answer,) = output_lines(run_replay(line, "--strict"))
    error = strict_error(answer)
    assert "surrogate" in error
    assert "\\udfff" in error
    assert line[: error_column(error)].endswith(b"\\udfff")


def test_strict_type_and_missing_field_errors_carry_positions() -> None:
    """Type or missing-field errors lose their position or name the wrong culprit."""
    typed = message_line("1234")
    missing = b'{"id": 5, "messages": [{"value": "thanks"}], "note": "no id"}'
    lines = output_lines(run_replay(typed + b"\n" + missing.replace(b'"id": 5, ', b""), "--strict"))
    type_error, missing_error = (strict_error(line) for line in lines)
    assert "messages[0].value" in type_error
    assert typed[: error_column(type_error)].endswith(b"1234")
    assert "`id`" in missing_error
    assert missing.replace(b'"id": 5, ', b"")[: error_column(missing_error)].endswith(b"}")


def test_strict_paired_surrogate_escape_reads_as_the_character() -> None:
    """A correctly paired escape is refused or decoded to something else than the character."""
    escaped = message_line('"\\ud83d\\ude00 thanks, that works"')
    literal = message_line('"\U0001f600 thanks, that works"')
    strict = output_lines(run_replay(escaped + b"\n" + literal, "--strict"))
    (lenient,) = output_lines(run_replay(escaped))
    assert strict[0] == strict[1] == lenient
    assert lenient["report"]["interaction_signals"]["satisfaction"]["count"] >= 1


def test_strict_missing_from_and_value_default_to_empty_strings() -> None:
    """Missing from/value are refused or given another default than the empty string."""
    short = b'{"id": 1, "messages": [{"value": "thanks"}, {"from": "gpt"}, {}]}'
    full = json.dumps(
        {
            "id": 1,
            "messages": [
                {"from": "", "value": "thanks"},
                {"from": "gpt", "value": ""},
                {"from": "", "value": ""},
            ],
        }
    ).encode()
    defaulted, explicit = output_lines(run_replay(short + b"\n" + full, "--strict"))
    assert "report" in defaulted
    assert defaulted == explicit
    assert defaulted["report"]["summary"] != ""


def test_strict_blank_lines_give_no_output() -> None:
    """Blank lines (Rust's trim: Unicode whitespace) produce output lines or shift ids."""
    lines = [jsonl({"id": i, "messages": THANKS}).rstrip(b"\n") for i in (1, 2, 3)]
    blank = [b"", b"   ", b"\t\r", "\u00a0\u2028\u3000".encode(), b"\x0c"]
    batch = b"\n".join([blank[0], lines[0], *blank[1:3], lines[1], *blank[3:], lines[2]])
    answers = output_lines(run_replay(batch + b"\r\n\n", "--strict"))
    assert [line["id"] for line in answers] == [1, 2, 3]
    assert output_lines(run_replay(b"\n \n\r\n", "--strict")) == []


def test_strict_invalid_utf8_fails_the_whole_batch() -> None:
    """Invalid UTF-8 leaves output behind, exits 0, or also fails the lenient reader."""
    good = jsonl({"id": 1, "messages": THANKS}).rstrip(b"\n")
    encoded_surrogate = message_line('"x"').replace(b'"x"', b'"\xed\xa0\x80"')
    for bad in (b"\xff\xfe", encoded_surrogate):
        batch = b"\n".join([good, bad, good])
        strict = run_replay(batch, "--strict")
        assert strict.returncode == 1
        assert strict.stdout == b""  # the good first line is lost too
        message = strict.stderr.decode().strip()
        assert "\n" not in message
        assert "line 2" in message
        assert "UTF-8" in message
        lenient = output_lines(run_replay(batch))
        assert [("report" in line) for line in lenient] == [True, False, True]


def test_strict_keeps_variants_and_crashes() -> None:
    """--strict drops --variant, or an analyzer crash no longer kills the process."""
    cheers = jsonl({"id": 1, "messages": [{"from": "human", "value": "Cheers!"}]})
    (variant,) = output_lines(run_replay(cheers, "--strict", "--variant", "missing_trigger"))
    assert variant["report"]["interaction_signals"]["satisfaction"]["count"] == 0
    orphan = jsonl({"id": 2, "messages": [{"from": "observation", "value": "500 error"}]})
    crashed = run_replay(orphan + b"\xff\n", "--strict", "--variant", "crash")
    assert crashed.returncode != 0
    assert b"IndexError" in crashed.stderr  # the crash on line 1 comes before the bad bytes
    assert b"UTF-8" not in crashed.stderr


def test_strict_replay_as_a_cmd_target_reports_an_error_line() -> None:
    """strict_replay_spec does not name the strict program, or its refusals are not error lines."""
    target = parse_target(strict_replay_spec(), timeout=60)
    assert target.identity.kind == "cmd"
    lone = [{"from": "human", "value": "thanks \udfff"}]
    good, bad = target.analyze_batch([THANKS, lone])
    assert good.report is not None
    assert bad.failure is not None
    assert bad.failure.kind is FailureKind.ERROR_LINE
    assert "surrogate" in bad.failure.detail
    lenient = parse_target(example_replay_spec(), timeout=60).analyze_batch([lone])
    assert lenient[0].report is not None


def has_lone_surrogate(conversation: Conversation) -> bool:
    """A surrogate code point not in a high+low pair: a high one followed by a low one
    is written ``\\ud800\\udfff``, which every JSON reader reads as one character."""
    return any(
        _LONE_SURROGATE.search(text) for message in conversation for text in message.values()
    )


_LONE_SURROGATE = re.compile(
    "[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]"
)


def test_strict_answers_generated_conversations_like_lenient_except_lone_surrogates() -> None:
    """On generated conversations strict mode drops lines, or rejects or reports beyond lone
    surrogates."""
    drawn = generate_conversations(2000, 20261201, conversations(max_size=WINDOW + 1))
    assert len(drawn) == 2000
    batch = "".join(
        encode_line({"id": i, "messages": c}) + "\n" for i, c in enumerate(drawn)
    ).encode()
    lenient = output_lines(run_replay(batch, timeout=300))
    strict = output_lines(run_replay(batch, "--strict", timeout=300))
    assert len(lenient) == len(strict) == len(drawn)
    rejected = 0
    for index, (conversation, loose, tight) in enumerate(zip(drawn, lenient, strict, strict=True)):
        assert loose["id"] == index
        if has_lone_surrogate(conversation):
            rejected += 1
            assert "surrogate" in strict_error(tight)
        else:
            assert tight == loose, index
    assert 0 < rejected < len(drawn) // 4  # both kinds of line were seen
