"""fast_replay for machines without a C compiler: the same replay program, run with ``python -S``.

It analyses nothing: for each non-blank input line it writes ``{"id": <the
line's id, copied as JSON text>, "report": <one fixed report>}``, valid
against ``fuzz/engine/schemas/report.schema.json``, and flushes only at end
of input, as the port does. Only ``sys`` is imported and ``-S`` skips
``site``, so start-up is as cheap as Python allows; still several times a
compiled program's, which ``bench_throughput.py`` says when it falls back here.

Like ``fast_replay.c`` it does not parse JSON: it copies the value of the
first ``"id"`` key on the line, which is right for what the fuzzer sends
(``{"id": <int>, ...}``, the id first).
"""

from __future__ import annotations

import sys

_GROUPS = {
    "interaction_signals": ("misalignment", "stagnation", "disengagement", "satisfaction"),
    "execution_signals": ("failure", "loops"),
    "environment_signals": ("exhaustion",),
}


def _group(category: str) -> str:
    return f'"{category}": {{"category": "{category}", "count": 0, "severity": 0, "signals": []}}'


REPORT: bytes = (
    "{"
    + ", ".join(
        f'"{layer}": {{{", ".join(_group(c) for c in categories)}}}'
        for layer, categories in _GROUPS.items()
    )
    + ', "overall_quality": "neutral", "summary": '
    + '"Overall Quality: neutral | Turns: fixed | fast_replay analyses nothing"}'
).encode()
NO_ID = b'{"id": null, "error": "fast_replay: no id on this line"}\n'


def id_text(line: bytes) -> bytes | None:
    """The JSON text of the first ``"id"`` value on ``line``, or None."""
    start = 0
    while (key := line.find(b'"id"', start)) >= 0:
        start = key + 4
        rest = line[start:].lstrip(b" \t")
        if not rest.startswith(b":"):
            continue
        value = rest[1:].lstrip(b" \t")
        if value.startswith(b'"'):
            end = 1
            while end < len(value) and value[end : end + 1] != b'"':
                end += 2 if value[end : end + 1] == b"\\" else 1
            return value[: end + 1] if end < len(value) else None
        end = 0
        while end < len(value) and value[end : end + 1] not in (b",", b"}", b" ", b"\t"):
            end += 1
        return value[:end] or None
    return None


def main() -> int:
    out: list[bytes] = []
    for line in sys.stdin.buffer.read().split(b"\n"):
        if not line.strip(b" \t\r"):
            continue
        ident = id_text(line)
        if ident is None:
            out.append(NO_ID)
        else:
            out.append(b'{"id": ' + ident + b', "report": ' + REPORT + b"}\n")
    sys.stdout.buffer.write(b"".join(out))
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
