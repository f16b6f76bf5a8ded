"""Odd replay input lines from the loosened input-line schema, and a replay program's answers."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis.errors import InvalidArgument

from fuzz.search.coverage import generate_conversations
from strategies.schemas import loosen, odd_input_lines, raw_input_lines

REPO = Path(__file__).parents[2]
SCHEMA: dict[str, Any] = json.loads(
    (REPO / "fuzz" / "engine" / "schemas" / "input-line.schema.json").read_text(encoding="utf-8")
)
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def _draw(strategy: Any, n: int = 200, seed: int = 0) -> list[Any]:
    return generate_conversations(n, seed, strategy)


@pytest.mark.slow
def test_lines_include_accepted_and_rejected_ones() -> None:
    """The loosened schema only produces valid lines, or only invalid ones."""
    lines = _draw(odd_input_lines(SCHEMA))
    valid = [line for line in lines if VALIDATOR.is_valid(line)]
    assert 0 < len(valid) < len(lines)
    assert any(isinstance(line, dict) and line.get("messages") for line in valid)


@pytest.mark.slow
def test_lines_bend_the_schema_in_every_way() -> None:
    """A kind of oddity (missing field, wrong type, extra key, not an object) is never drawn."""
    lines = _draw(odd_input_lines(SCHEMA), n=300)
    objects = [line for line in lines if isinstance(line, dict)]
    assert any(not isinstance(line, dict) for line in lines)
    assert any("id" not in line for line in objects)
    assert any("messages" not in line for line in objects)
    assert any("messages" in line and not isinstance(line["messages"], list) for line in objects)
    assert any(set(line) - {"id", "messages"} for line in objects)
    messages = [
        m for line in objects if isinstance(line.get("messages"), list) for m in line["messages"]
    ]
    assert any(
        isinstance(m, dict) and "from" in m and not isinstance(m["from"], str) for m in messages
    )
    assert any(isinstance(m, dict) and "value" not in m for m in messages)
    ids = [line["id"] for line in objects if "id" in line]
    assert any(isinstance(i, dict | list) for i in ids) and any(isinstance(i, str) for i in ids)


def test_raw_lines_are_single_non_blank_lines() -> None:
    """A raw line holds a line break or is blank (the replay protocol would skip or split it),
    or raw lines are all JSON / never JSON."""
    lines = _draw(raw_input_lines(SCHEMA))
    assert all(isinstance(t, str) and t.strip() and "\n" not in t and "\r" not in t for t in lines)
    parsed = 0
    for text in lines:
        try:
            json.loads(text)
            parsed += 1
        except ValueError:
            pass
    assert 0 < parsed < len(lines)


def test_loosen_copies_and_widens() -> None:
    """loosen changes the schema it was given, keeps `required`, or adds no wrong types."""
    before = copy.deepcopy(SCHEMA)
    loose = loosen(SCHEMA)
    assert before == SCHEMA
    assert "required" not in json.dumps(loose).replace("x-required", "")
    assert loose["type"][0] == "object" and len(loose["type"]) > 1
    assert "integer" in loose["properties"]["messages"]["items"]["properties"]["from"]["type"]


def test_schema_argument_is_validated() -> None:
    """A schema that is not a dict is accepted and fails later, deep inside generation."""
    with pytest.raises(InvalidArgument):
        odd_input_lines("input-line.schema.json")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument):
        raw_input_lines(None)  # type: ignore[arg-type]


@pytest.mark.slow
def test_example_replay_answers_every_odd_line_once() -> None:
    """The example replay program drops, adds or crashes on odd input lines, where the
    protocol says each non-blank line gets exactly one report or error line."""
    raw = _draw(raw_input_lines(SCHEMA), n=150, seed=1)
    odd = [json.dumps(v) for v in _draw(odd_input_lines(SCHEMA), n=150, seed=2)]
    lines = raw + odd
    result = subprocess.run(
        [sys.executable, "-m", "fuzz.examples.replay"],
        input="".join(line + "\n" for line in lines).encode("utf-8", "surrogatepass"),
        capture_output=True,
        cwd=REPO,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    out = [json.loads(line) for line in result.stdout.decode("utf-8").split("\n") if line.strip()]
    assert len(out) == len(lines)
    assert all(("report" in o) != ("error" in o) for o in out)
    assert any("report" in o for o in out) and any("error" in o for o in out)
