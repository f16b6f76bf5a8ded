"""Replay input lines that bend the input-line schema: wrong types, missing and extra fields.

The replay protocol's input line is described by a JSON Schema
(``fuzz/engine/schemas/input-line.schema.json``; the engine passes it in, this
package never imports ``fuzz``). ``odd_input_lines`` draws from a
*loosened* copy of it: every ``required`` list is dropped (fields go
missing), every typed node also admits a few wrong types (a string where an
array belongs, a number for ``from``, a line that is not an object at all),
objects may carry extra keys, and a node that allows anything (``id``)
draws odd JSON values as well (huge integers, ``-0.0``, nested objects).
Most nodes keep their own type most of the time, so lines are *nearly*
valid and a port's handling of one bad field is exercised in otherwise
ordinary lines. ``raw_input_lines`` gives the JSON *text* of such lines and
of broken ones (truncated JSON, not JSON at all), for a separate low-weight
generator of replay-program input.

Why not ``hypothesis_jsonschema.from_schema`` on the whole loosened schema:
its object generator (0.23.1, the latest release) drives Hypothesis
internals through ``cu.many(...).more()``, which Hypothesis 6.170 no longer
has, so any object schema with ``properties`` fails with ``AttributeError:
'many' object has no attribute 'more'``. Objects and arrays are therefore
walked here (with ``st.lists`` / optional keys, so they shrink by deletion),
and ``from_schema`` generates every scalar node and every "anything" node,
which it still does correctly.
"""

from __future__ import annotations

import copy
import json
from typing import Any, Final

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy
from hypothesis_jsonschema import from_schema

from strategies.text import _maybe, _weighted

#: JSON type -> wrong types a loosened node also admits (plainest first).
WRONG_TYPES: Final[dict[str, tuple[str, ...]]] = {
    "object": ("array", "string", "null", "integer"),
    "array": ("object", "string", "null"),
    "string": ("integer", "null", "boolean", "array", "object"),
    "integer": ("string", "number", "null"),
    "number": ("string", "null"),
    "boolean": ("integer", "string"),
    "null": ("string", "integer"),
}
#: The chance that a loosened node takes one of its wrong types.
WRONG_TYPE_WEIGHT: Final = 0.15
#: The chance that a field is present: one the schema requires, and any other.
REQUIRED_PRESENT: Final = 0.9
OPTIONAL_PRESENT: Final = 0.85

#: JSON values ports parse differently, drawn for nodes that allow anything.
ODD_VALUES: Final[tuple[Any, ...]] = (
    0, -1, "", "0", 2**53 + 1, 2**63, 2**64, -(2**63) - 1, 10**30, 1.5, -0.0, 1e300,
    True, None, [], {}, [1], {"id": 1}, "\u0000", "\U0001f600", "id",
)  # fmt: skip

_SCALARS: Final = frozenset({"string", "integer", "number", "boolean", "null"})
_ANNOTATIONS: Final = ("$schema", "$id", "title", "description", "examples", "default")


def odd_input_lines(schema: dict[str, Any]) -> SearchStrategy[Any]:
    """JSON values shaped like replay input lines, many of which ``schema`` rejects.

    ``schema`` is the input-line schema (a JSON Schema object). The result
    is drawn from a loosened copy of it: missing and extra fields, wrong
    types at any node, lines that are not objects, odd ids.
    """
    _check_schema("odd_input_lines", schema)
    return _node(loosen(schema))


def raw_input_lines(schema: dict[str, Any]) -> SearchStrategy[str]:
    """One line of replay input as text, without its newline; never blank.

    Mostly the JSON of ``odd_input_lines(schema)`` (compact, spaced or
    ASCII-escaped), sometimes that JSON cut short, sometimes text that is
    not JSON at all. No line contains ``\\n`` or ``\\r``, the protocol's
    line framing.
    """
    _check_schema("raw_input_lines", schema)
    values = odd_input_lines(schema)
    spelled = st.builds(_spell, values, st.sampled_from(_SPELLINGS))
    cut = st.builds(_cut, spelled, st.integers(1, 200))
    garbage = st.text(
        st.characters(codec="utf-8", exclude_characters="\n\r"), min_size=1, max_size=40
    ).filter(lambda text: text.strip() != "")
    return _weighted((0.8, spelled), (0.1, cut), (0.1, garbage))


def loosen(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``schema`` with ``required`` dropped and wrong types allowed at every node.

    Each typed node becomes ``{"type": [own types..., wrong types...],
    "x-own-types": [own types...]}`` (the marker lets ``odd_input_lines``
    weight a node's own types above the wrong ones); annotations are dropped.
    """
    return _loosen_node(copy.deepcopy(schema))


# --- private builders -------------------------------------------------------


def _check_schema(where: str, schema: dict[str, Any]) -> None:
    if not isinstance(schema, dict):
        raise InvalidArgument(
            f"{where}(schema={schema!r:.60}) must be a JSON Schema object (a dict), "
            "e.g. the parsed fuzz/engine/schemas/input-line.schema.json"
        )


def _types_of(node: dict[str, Any]) -> list[str]:
    declared = node.get("type")
    if declared is None:
        return []
    return [declared] if isinstance(declared, str) else list(declared)


def _loosen_node(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    out = {k: v for k, v in node.items() if k not in _ANNOTATIONS and k != "required"}
    if "required" in node:
        out["x-required"] = list(node["required"])
    if isinstance(out.get("properties"), dict):
        out["properties"] = {k: _loosen_node(v) for k, v in out["properties"].items()}
    if isinstance(out.get("items"), dict):
        out["items"] = _loosen_node(out["items"])
    own = _types_of(out)
    if own:
        wrong = [t for o in own for t in WRONG_TYPES.get(o, ()) if t not in own]
        out["type"] = own + list(dict.fromkeys(wrong))
        out["x-own-types"] = own
    return out


def _node(node: Any) -> SearchStrategy[Any]:
    """The strategy for one loosened node: own types weighted above wrong ones."""
    if not isinstance(node, dict):
        return _anything() if node is not False else st.nothing()
    types = _types_of(node)
    if not types:
        return _anything() if not node.get("properties") else _object(node)
    own = node.get("x-own-types", types)
    wrong = [t for t in types if t not in own]
    own_strategy = st.one_of([_typed(node, t) for t in own])
    if not wrong:
        return own_strategy
    return _weighted(
        (1 - WRONG_TYPE_WEIGHT, own_strategy),
        (WRONG_TYPE_WEIGHT, st.one_of([_typed(node, t) for t in wrong])),
    )


def _typed(node: dict[str, Any], json_type: str) -> SearchStrategy[Any]:
    if json_type == "object":
        return _object(node)
    if json_type == "array":
        items = node.get("items", {}) if json_type in node.get("x-own-types", ()) else {}
        return st.lists(_node(items), max_size=6)
    if json_type in _SCALARS:
        return from_schema({"type": json_type})
    raise InvalidArgument(f"odd_input_lines: unknown JSON type {json_type!r} in the schema")


def _object(node: dict[str, Any]) -> SearchStrategy[dict[str, Any]]:
    """Declared properties, each present or missing, plus up to two extra keys."""
    own = "object" in node.get("x-own-types", ("object",))
    properties = node.get("properties", {}) if own else {}
    required = set(node.get("x-required", ()))
    fields = {
        key: _present(_node(sub), REQUIRED_PRESENT if key in required else OPTIONAL_PRESENT)
        for key, sub in properties.items()
    }
    extras = _maybe(st.dictionaries(st.text(max_size=8), _anything(), min_size=1, max_size=2), 0.1)
    return st.builds(_assemble, st.fixed_dictionaries(fields), extras)


def _present(strategy: SearchStrategy[Any], p: float) -> SearchStrategy[Any]:
    """``strategy`` with probability ``p``, else ``_MISSING``; shrinks to missing."""
    return _weighted((1 - p, st.just(_MISSING)), (p, strategy))


def _assemble(fields: dict[str, Any], extras: dict[str, Any] | None) -> dict[str, Any]:
    out = dict(extras or {})
    out.update({key: value for key, value in fields.items() if value is not _MISSING})
    return out


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


#: Marks an absent field (None is a JSON value a field may hold).
_MISSING: Final = _Missing()


def _anything() -> SearchStrategy[Any]:
    # deepcopy: ODD_VALUES holds lists and dicts, which must not be shared between draws.
    return _weighted((0.8, from_schema({})), (0.2, st.sampled_from(ODD_VALUES).map(copy.deepcopy)))


#: (indent/separators, ensure_ascii) variants; compact UTF-8 first.
_SPELLINGS: Final[tuple[tuple[tuple[str, str], bool], ...]] = (
    ((",", ":"), False),
    ((", ", ": "), False),
    ((",", ":"), True),
    ((" , ", " : "), False),
)


def _spell(value: Any, spelling: tuple[tuple[str, str], bool]) -> str:
    separators, ascii_only = spelling
    text = json.dumps(value, separators=separators, ensure_ascii=ascii_only)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: only the escaped form is UTF-8
        text = json.dumps(value, separators=separators, ensure_ascii=True)
    return text


def _cut(text: str, keep: int) -> str:
    """``text`` cut short (never blank): broken JSON."""
    cut = text[: max(1, min(keep, len(text) - 1))]
    return cut if cut.strip() else text
