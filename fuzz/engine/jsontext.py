"""JSON as a tool call or observation writes it: number spellings, key order, duplicates kept.

The explanation stage respells JSON one feature at a time (a number into its
canonical spelling, the whole value into the standard layout, keys sorted,
duplicates collapsed, one nesting level flattened, one key dropped) to see
which feature two analyzers disagree on. ``json.loads`` forgets exactly
those features, so values are parsed here with numbers kept as written
(``Number``) and objects kept as their pairs (``Pairs``), and written back
by ``dump_standard``, which changes nothing but the layout and escapes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, Final


class Number(str):
    """A JSON number kept as it was written."""


class Pairs(list[Any]):  # pairs of (key, value), duplicates and order kept
    """A JSON object as its pairs, so duplicate keys and key order survive parsing."""


#: The head of ``name(...)`` call syntax (as the example analyzer reads it).
_CALL: Final = re.compile(r"([A-Za-z_][\w.\-]*)\s*\(")
#: A JSON string or number literal: scanning with both skips the numbers inside strings.
NUMBER_OR_STRING: Final = re.compile(
    r'"(?:[^"\\]|\\.)*"|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?'
)
#: An escape inside a JSON string.
ESCAPE: Final = re.compile(r"\\[u/bfnrt\"\\]")


def loads_as_written(text: str) -> Any:
    """Parse JSON keeping number spellings (``Number``) and objects as pairs (``Pairs``)."""
    return json.loads(
        text, parse_float=Number, parse_int=Number, parse_constant=Number, object_pairs_hook=Pairs
    )


def json_parts(role: object, value: str) -> tuple[str, str, str] | None:
    """(prefix, JSON body, suffix) of a tool call or observation that carries JSON, else None."""
    if role not in ("function_call", "observation"):
        return None
    stripped = value.strip()
    candidates = []
    if stripped.startswith(("{", "[")) or role == "function_call":
        candidates.append(("", value, ""))
    head = _CALL.match(stripped)
    if role == "function_call" and head is not None and stripped.endswith(")"):
        lead = value[: len(value) - len(value.lstrip())]
        candidates.append(
            (
                lead + stripped[: head.end()],
                stripped[head.end() : -1],
                value[len(value.rstrip()) - 1 :],
            )
        )
    for prefix, body, suffix in candidates:
        try:
            loads_as_written(body)
        except (ValueError, RecursionError):
            continue
        return prefix, body, suffix
    return None


def dump_standard(value: Any, *, sort: bool = False) -> str:
    """JSON in the standard layout (``json.dumps``'s separators), numbers as written, unescaped."""
    if isinstance(value, Number):
        return str(value)
    if isinstance(value, Pairs):
        pairs = sorted(value, key=lambda pair: pair[0]) if sort else value
        inner = ", ".join(
            f"{json.dumps(k, ensure_ascii=False)}: {dump_standard(v, sort=sort)}" for k, v in pairs
        )
        return "{" + inner + "}"
    if isinstance(value, list):
        return "[" + ", ".join(dump_standard(v, sort=sort) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def canonical_number(literal: str) -> str | None:
    """The canonical spelling of a JSON number (``1.0`` -> ``1``, ``1.50`` -> ``1.5``)."""
    value = json.loads(literal)
    if isinstance(value, int):
        return str(value)
    if value != value or value in (float("inf"), float("-inf")):
        return None
    if value.is_integer():  # every integral float is exactly an integer: spell it as one
        return str(int(value))
    return repr(value)


def number_feature(literal: str) -> str:
    """Which spelling feature a non-canonical number literal has (its grouping key)."""
    if literal.lstrip("-") in ("0", "0.0") or re.fullmatch(r"-0(\.0*)?([eE][+-]?\d+)?", literal):
        return "negative-zero" if literal.startswith("-") else "integral-float"
    value = json.loads(literal)
    if isinstance(value, float) and value.is_integer():
        return "integral-float"
    return "float-spelling"


FEATURE_WORDS: Final[dict[str, str]] = {
    "integral-float": "an integer spelled with a fraction or an exponent",
    "negative-zero": "a negative zero",
    "float-spelling": "a non-shortest float spelling",
}


def tree_edits(node: Any, path: str = "$") -> Iterator[tuple[str, str, Any]]:
    """(feature, where, edited tree) for one edit each: dedupe keys, flatten, drop a key."""
    if isinstance(node, Pairs):
        keys = [k for k, _ in node]
        if len(set(keys)) < len(keys):
            last = {k: i for i, (k, _) in enumerate(node)}
            dupe = next(k for k in keys if keys.count(k) > 1)
            yield (
                "duplicate-keys",
                f"{path}.{dupe}",
                Pairs(p for i, p in enumerate(node) if last[p[0]] == i),
            )
        for i, (k, v) in enumerate(node):
            where = f"{path}.{k}"
            if isinstance(v, Pairs):
                yield "nesting", where, Pairs([*node[:i], *v, *node[i + 1 :]])
            for feature, inner, sub in tree_edits(v, where):
                yield feature, inner, Pairs([*node[:i], (k, sub), *node[i + 1 :]])
            yield "key", where, Pairs([*node[:i], *node[i + 1 :]])
    elif isinstance(node, list):
        for i, v in enumerate(node):
            where = f"{path}[{i}]"
            if isinstance(v, list) and not isinstance(v, Pairs):
                yield "nesting", where, [*node[:i], *v, *node[i + 1 :]]
            for feature, inner, sub in tree_edits(v, where):
                yield feature, inner, [*node[:i], sub, *node[i + 1 :]]
