"""A replay program for the example analyzer that speaks the Rust port's batch protocol.

``python -m fuzz.examples.replay [--strict] [--variant NAMES]`` (console script
``signals-example-replay``) lets the fuzzer's ``cmd:`` target, and its tests,
run against something without a Rust toolchain. It mimics the port as
``shared/spec/targets.md`` describes it:

- JSONL in, JSONL out, one output line per non-blank input line, in order;
  everything is buffered and written only at end of input;
- ``{"id": ..., "report": {...}}`` per line, or ``{"id": null, "error": ...}``
  when a line is not JSON, has no ``id``, or has a non-string ``from`` /
  ``value`` (``null`` included, as a strict deserializer treats it); missing
  ``from``/``value`` default to ``""``;
- reports omit the Python-only keys (``quality_score``, ``turn_metrics``)
  and carry each ``confidence`` as a 32-bit float printed as 64-bit;
- an exception in the analyzer is not caught: the process dies with a
  traceback and a non-zero status, as a crashing port would (a ``RustPanic``
  of a cross-language variant exits 101, as a Rust panic does).

By default lines are read with Python's ``json``, which is more lenient than
the port: it accepts lone surrogate escapes (``"\\udfff"``), ``NaN`` and
``Infinity``, and duplicate keys, and turns a line of invalid UTF-8 into one
error line. Tried against a real ``signals_replay``, that hid exactly what
users meet first, so ``--strict`` reads input the way the port does (see
``parse_line_strict``): those lines become ``{"id": null, "error": "input
parse: ... at line 1 column N"}``, and invalid UTF-8 anywhere on stdin makes
the process exit 1 with nothing on stdout (the port loses every line it had
buffered). The default stays lenient: the fuzzer's own tests rely on it.

Only the stdlib and ``fuzz.examples`` are imported, to keep start-up cheap.
"""

from __future__ import annotations

import argparse
import json
import re
import struct
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Final, NoReturn

from fuzz.errors import UsageError
from fuzz.examples.analyzer import ExampleAnalyzer
from fuzz.examples.variants import VARIANTS, make_analyzer
from strategies.rust_semantics import RustPanic

#: A ShareGPT conversation, as ``fuzz.engine.targets`` has it (not imported: start-up cost).
Conversation = list[dict[str, Any]]

#: Keys the Python side has and the port does not emit.
PYTHON_ONLY_KEYS: tuple[str, ...] = ("quality_score", "turn_metrics")


class LineError(Exception):
    """One input line cannot be analysed; becomes an ``error`` output line."""


def as_float32(value: float) -> float:
    """``value`` rounded to the nearest 32-bit float (0.95 -> 0.949999988079071)."""
    result: float = struct.unpack("f", struct.pack("f", value))[0]
    return result


def port_report(report: dict[str, Any]) -> dict[str, Any]:
    """The report as the port prints it: no Python-only keys, float32 confidences."""
    out = {k: v for k, v in report.items() if k not in PYTHON_ONLY_KEYS}
    for layer_key in ("interaction_signals", "execution_signals", "environment_signals"):
        for group in out[layer_key].values():
            for signal in group["signals"]:
                signal["confidence"] = as_float32(signal["confidence"])
    return out


def parse_line(line: bytes) -> tuple[Any, Conversation]:
    """``(id, messages)`` of one input line; ``LineError`` says why it cannot be used."""
    try:
        obj = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise LineError(f"invalid JSON: {exc}") from None
    if not isinstance(obj, dict):
        raise LineError(f"expected a JSON object, got {type(obj).__name__}")
    if "id" not in obj:
        raise LineError("missing field `id`")
    raw_messages = obj.get("messages")
    if not isinstance(raw_messages, list):
        raise LineError("field `messages` must be an array")
    messages = []
    for position, raw in enumerate(raw_messages):
        if not isinstance(raw, dict):
            raise LineError(f"messages[{position}] must be an object")
        message = {}
        for key in ("from", "value"):
            value = raw.get(key, "")
            if not isinstance(value, str):
                raise LineError(
                    f"messages[{position}].{key}: invalid type {type(value).__name__},"
                    " expected a string"
                )
            message[key] = value
        messages.append(message)
    return obj["id"], messages


def replay(data: bytes, analyzer: ExampleAnalyzer) -> bytes:
    """Process a whole input batch leniently; the output batch (analyzer exceptions propagate)."""
    out = [_answer(line, parse_line, analyzer) for line in data.split(b"\n") if line.strip()]
    return "".join(line + "\n" for line in out).encode("utf-8")


# ----------------------------------------------------------- strict reader ---

#: What the port strips to decide a line is blank: Rust's ``str::trim``, the
#: Unicode White_Space set (Python's ``str.strip`` also strips U+001C-U+001F).
_RUST_WHITESPACE: Final[str] = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
#: Whitespace between JSON tokens: these four and nothing else.
_JSON_WHITESPACE: Final[str] = " \t\n\r"
#: Nesting deeper than this is refused, as a recursion-limited reader does.
_MAX_DEPTH: Final[int] = 128
_STRING_RUN: Final[re.Pattern[str]] = re.compile(r'[^"\\\x00-\x1f]*')
_NUMBER: Final[re.Pattern[str]] = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_HEX4: Final[re.Pattern[str]] = re.compile(r"[0-9a-fA-F]{4}")
_SIMPLE_ESCAPES: Final[dict[str, str]] = {
    '"': '"',
    "\\": "\\",
    "/": "/",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
}
_LITERALS: Final[dict[str, object]] = {"true": True, "false": False, "null": None}


class UnreadableInput(Exception):
    """Stdin is not UTF-8: the strict reader gives up on the whole batch (exit 1)."""


def _kind_of(first: str) -> str:
    """What a JSON value starting with ``first`` is, for error messages."""
    if first == '"':
        return "a string"
    if first == "{":
        return "an object"
    if first == "[":
        return "an array"
    if first in "tf":
        return "a boolean"
    if first == "n":
        return "null"
    return "a number"


class _StrictLine:
    """A cursor over one input line that validates as it reads, like a typed deserializer.

    The port deserializes each line straight into its request type, so it
    checks structure and types while reading and stops at the first
    problem; an error names what was wrong and where, as ``line 1 column N``
    with N the 1-based byte column of the last byte read. This reader
    does the same, so error lines come out with positions, and it refuses
    what Python's ``json`` lets through: lone surrogate escapes, ``NaN`` and
    ``Infinity``, numbers out of the float range, duplicate fields of the
    request, nesting deeper than 128.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    # -- positions and errors --

    def fail(self, what: str, end: int | None = None) -> NoReturn:
        """Stop with ``input parse: WHAT at line 1 column N`` (``end``: index after the culprit)."""
        stop = min(self.pos if end is None else end, len(self.text))
        column = max(1, len(self.text[:stop].encode("utf-8", "surrogatepass")))
        raise LineError(f"input parse: {what} at line 1 column {column}")

    def skip_whitespace(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in _JSON_WHITESPACE:
            self.pos += 1

    def peek(self) -> str:
        """The next character after whitespace; the line may not end here."""
        self.skip_whitespace()
        if self.pos >= len(self.text):
            self.fail("the line ends before the JSON value does", len(self.text))
        return self.text[self.pos]

    def expect(self, char: str, where: str) -> None:
        if self.peek() != char:
            self.fail(f"expected `{char}` {where}", self.pos + 1)
        self.pos += 1

    # -- the request --

    def request(self) -> tuple[Any, Conversation]:
        """``(id, messages)`` of the whole line, or ``LineError``."""
        if self.peek() != "{":
            self.fail(f"expected the request object, found {_kind_of(self.peek())}", self.pos + 1)
        seen: dict[str, Any] = {}
        for key in self.members(depth=1, where="in the request"):
            if key in seen:
                self.fail(f"field `{key}` appears twice")
            if key == "id":
                seen[key] = self.value(depth=1)
            elif key == "messages":
                seen[key] = self.messages()
            else:
                self.value(depth=1)  # unknown fields are read, then ignored
        for key in ("id", "messages"):
            if key not in seen:
                self.fail(f"the request has no field `{key}`")
        self.skip_whitespace()
        if self.pos < len(self.text):
            self.fail("unexpected characters after the request object", self.pos + 1)
        return seen["id"], seen["messages"]

    def messages(self) -> Conversation:
        if self.peek() != "[":
            self.typed_value("`messages`", "an array", depth=1)
        out: Conversation = []
        for position in self.elements(depth=2, where="in `messages`"):
            out.append(self.message(position))
        return out

    def message(self, position: int) -> dict[str, str]:
        name = f"`messages[{position}]`"
        if self.peek() != "{":
            self.typed_value(name, "an object", depth=2)
        message: dict[str, str] = {}
        for key in self.members(depth=3, where=f"in {name}"):
            if key not in ("from", "value"):
                self.value(depth=3)
                continue
            if key in message:
                self.fail(f"field `{key}` appears twice in {name}")
            if self.peek() != '"':
                self.typed_value(f"`messages[{position}].{key}`", "a string", depth=3)
            message[key] = self.string()
        return {"from": message.get("from", ""), "value": message.get("value", "")}

    def typed_value(self, name: str, wanted: str, depth: int) -> NoReturn:
        """Read the misplaced value (it must still be valid JSON), then refuse it."""
        found = _kind_of(self.peek())
        self.value(depth)
        self.fail(f"{name} must be {wanted}, found {found}")

    # -- any JSON value --

    def items(self, opening: str, closing: str, item: str, depth: int, where: str) -> Iterator[int]:
        """Each position of the object or array at the cursor, leaving the cursor on the item;
        the caller reads it before asking for the next."""
        if depth > _MAX_DEPTH:
            self.fail(f"nesting deeper than {_MAX_DEPTH}", self.pos + 1)
        self.expect(opening, where)
        if self.peek() == closing:
            self.pos += 1
            return
        position = 0
        while True:
            yield position
            position += 1
            if self.peek() == ",":
                self.pos += 1
                continue
            self.expect(closing, f"or `,` after {item} {where}")
            return

    def members(self, depth: int, where: str) -> Iterator[str]:
        """Each key of the object at the cursor, leaving the cursor on its value."""
        for _ in self.items("{", "}", "a field", depth, where):
            if self.peek() != '"':
                self.fail(f"expected a quoted field name {where}", self.pos + 1)
            key = self.string()
            self.expect(":", f"after a field name {where}")
            yield key

    def elements(self, depth: int, where: str) -> Iterator[int]:
        """Each position of the array at the cursor, leaving the cursor on its element."""
        return self.items("[", "]", "an element", depth, where)

    def value(self, depth: int) -> Any:
        first = self.peek()
        if first == '"':
            return self.string()
        if first == "{":
            obj: dict[str, Any] = {}
            for key in self.members(depth + 1, where="in an object"):
                obj[key] = self.value(depth + 1)
            return obj
        if first == "[":
            return [self.value(depth + 1) for _ in self.elements(depth + 1, where="in an array")]
        for word, literal in _LITERALS.items():
            if self.text.startswith(word, self.pos):
                self.pos += len(word)
                return literal
        return self.number()

    def number(self) -> int | float:
        match = _NUMBER.match(self.text, self.pos)
        if match is None or not match.group():
            self.fail("expected a JSON value", self.pos + 1)
        self.pos = match.end()
        text = match.group()
        if match.group(1) is None and match.group(2) is None:
            try:
                return int(text)
            except ValueError:  # more digits than int() converts; the port reads a float
                pass
        number = float(text)
        if number in (float("inf"), float("-inf")):
            self.fail("number out of range")
        return number

    def string(self) -> str:
        """The string at the cursor (on its opening quote), escapes decoded and checked."""
        self.pos += 1
        parts: list[str] = []
        while True:
            run = _STRING_RUN.match(self.text, self.pos)
            assert run is not None  # the pattern matches the empty string
            parts.append(run.group())
            self.pos = run.end()
            if self.pos >= len(self.text):
                self.fail("the line ends inside a string", len(self.text))
            char = self.text[self.pos]
            if char == '"':
                self.pos += 1
                return "".join(parts)
            if char != "\\":
                self.fail(f"raw control character U+{ord(char):04X} inside a string", self.pos + 1)
            parts.append(self.escape())

    def escape(self) -> str:
        """One escape at the cursor (on its backslash); a surrogate must come in a pair."""
        letter = self.text[self.pos + 1 : self.pos + 2]
        if letter in _SIMPLE_ESCAPES:
            self.pos += 2
            return _SIMPLE_ESCAPES[letter]
        if letter != "u":
            self.fail(f"unknown escape `\\{letter}` in a string", self.pos + 2)
        high = self.hex4(self.pos + 2)
        self.pos += 6
        if 0xDC00 <= high <= 0xDFFF:
            self.fail(f"lone surrogate `\\u{high:04x}` (a low half with no high half before it)")
        if not 0xD800 <= high <= 0xDBFF:
            return chr(high)
        if self.text[self.pos : self.pos + 2] != "\\u":
            self.fail(
                f"lone surrogate `\\u{high:04x}` (a high half with no `\\u` low half after it)"
            )
        low = self.hex4(self.pos + 2)
        self.pos += 6
        if not 0xDC00 <= low <= 0xDFFF:
            self.fail(
                f"lone surrogate `\\u{high:04x}` (followed by `\\u{low:04x}`, not a low half)"
            )
        return chr(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))

    def hex4(self, start: int) -> int:
        digits = _HEX4.match(self.text, start)
        if digits is None:
            self.fail("`\\u` needs four hex digits", min(start + 4, len(self.text)))
        return int(digits.group(), 16)


def parse_line_strict(line: str) -> tuple[Any, Conversation]:
    """``(id, messages)`` of one decoded, non-blank line read as the port reads it.

    Refuses (``LineError``) what the port refuses: invalid JSON, a line that
    is not an object, a missing ``id`` or ``messages``, ``messages`` not an
    array of objects, a ``from``/``value`` that is not a string (``null``
    included), a lone surrogate escape in any string, ``NaN``/``Infinity``,
    a duplicate request field. Missing ``from``/``value`` default to ``""``,
    and unknown fields are ignored (after being read as JSON).
    """
    return _StrictLine(line).request()


def _input_lines(data: bytes) -> Iterator[bytes]:
    """Lines as Rust's ``lines()`` gives them: split on LF, one trailing CR dropped."""
    pieces = data.split(b"\n")
    if pieces and pieces[-1] == b"":
        pieces.pop()  # the final newline ends the last line, it does not start one
    for piece in pieces:
        yield piece[:-1] if piece.endswith(b"\r") else piece


def replay_strict(data: bytes, analyzer: ExampleAnalyzer) -> bytes:
    """Process a whole batch the way the port reads it; ``UnreadableInput`` on bad UTF-8.

    Lines are analysed in order as they are read, so an analyzer crash on an
    earlier line still wins over bad bytes on a later one, as in the port.
    """
    out: list[str] = []
    for number, raw in enumerate(_input_lines(data), start=1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise UnreadableInput(
                f"stdin line {number} is not valid UTF-8 (byte {exc.start + 1} of the line);"
                " nothing is written"
            ) from None
        if not line.strip(_RUST_WHITESPACE):
            continue
        out.append(_answer(line, parse_line_strict, analyzer))
    return "".join(line + "\n" for line in out).encode("utf-8")


def _answer(
    line: Any, parse: Callable[[Any], tuple[Any, Conversation]], analyzer: ExampleAnalyzer
) -> str:
    """One output line: the report, or the error that kept ``line`` from being analysed."""
    try:
        ident, messages = parse(line)
    except LineError as exc:
        return json.dumps({"id": None, "error": str(exc)})
    report = port_report(analyzer.analyze(messages).to_dict())
    return json.dumps({"id": ident, "report": report})


def main(argv: Sequence[str] | None = None) -> int:
    """Read all of stdin, write all of stdout; 0 on success, 2 on a usage error, 1 when
    ``--strict`` meets invalid UTF-8 (stdout then stays empty, as the port's does)."""
    parser = argparse.ArgumentParser(
        prog="signals-example-replay",
        description="Replay the example signals analyzer over JSONL (the Rust port's protocol).",
    )
    parser.add_argument(
        "--variant",
        default="",
        metavar="NAMES",
        help=f"comma-separated planted bugs to enable: {', '.join(VARIANTS)}",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="read input as the Rust port does: lone surrogate escapes, NaN and duplicate"
        " fields are error lines, and invalid UTF-8 fails the whole batch (exit 1)",
    )
    args = parser.parse_args(argv)
    try:
        analyzer = make_analyzer(args.variant)
    except UsageError as exc:
        print(f"signals-example-replay: {exc}", file=sys.stderr)
        return 2
    data = sys.stdin.buffer.read()
    try:
        result = replay_strict(data, analyzer) if args.strict else replay(data, analyzer)
    except UnreadableInput as exc:
        print(f"signals-example-replay: {exc}", file=sys.stderr)
        return 1
    except RustPanic as exc:  # a cross-language variant doing what a Rust panic does
        print(f"thread 'main' panicked: {exc}", file=sys.stderr)
        return 101
    sys.stdout.buffer.write(result)
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
