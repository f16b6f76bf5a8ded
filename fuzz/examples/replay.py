"""A replay program for the example analyzer that speaks the Rust port's batch protocol.

``python -m fuzz.examples.replay [--variant NAMES]`` (console script
``signals-example-replay``) lets the fuzzer's ``cmd:`` target, and its tests,
run against something without a Rust toolchain. It mimics the port exactly
as ``shared/spec/targets.md`` describes it:

- JSONL in, JSONL out, one output line per non-blank input line, in order;
  everything is buffered and written only at end of input;
- ``{"id": ..., "report": {...}}`` per line, or ``{"id": null, "error": ...}``
  when a line is not JSON, has no ``id``, or has a non-string ``from`` /
  ``value`` (``null`` included, as a strict deserializer treats it); missing
  ``from``/``value`` default to ``""``;
- reports omit the Python-only keys (``quality_score``, ``turn_metrics``)
  and carry each ``confidence`` as a 32-bit float printed as 64-bit;
- an exception in the analyzer is not caught: the process dies with a
  traceback and a non-zero status, as a crashing port would.

Only the stdlib and ``fuzz.examples`` are imported, to keep start-up cheap.
"""

from __future__ import annotations

import argparse
import json
import struct
import sys
from collections.abc import Sequence
from typing import Any

from fuzz.errors import UsageError
from fuzz.examples.analyzer import ExampleAnalyzer
from fuzz.examples.variants import VARIANTS, make_analyzer

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


def parse_line(line: bytes) -> tuple[Any, list[dict[str, str]]]:
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
    """Process a whole input batch; the output batch (analyzer exceptions propagate)."""
    out: list[str] = []
    for line in data.split(b"\n"):
        if not line.strip():
            continue
        try:
            ident, messages = parse_line(line)
        except LineError as exc:
            out.append(json.dumps({"id": None, "error": str(exc)}))
            continue
        report = port_report(analyzer.analyze(messages).to_dict())
        out.append(json.dumps({"id": ident, "report": report}))
    return "".join(line + "\n" for line in out).encode("utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    """Read all of stdin, write all of stdout; 0 on success, 2 on a usage error."""
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
    args = parser.parse_args(argv)
    try:
        analyzer = make_analyzer(args.variant)
    except UsageError as exc:
        print(f"signals-example-replay: {exc}", file=sys.stderr)
        return 2
    result = replay(sys.stdin.buffer.read(), analyzer)
    sys.stdout.buffer.write(result)
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
