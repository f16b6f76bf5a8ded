"""Every row of docs/errors.md, run as written: one line naming the culprit, exit code 2.

The table is the test's data, so the documented messages and the real ones
cannot drift apart: a row whose command does not fail that way fails here.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from fuzz.cli import main

ROOT = Path(__file__).parents[2]
ERRORS = ROOT / "docs" / "errors.md"
OK = "py:fuzz.examples.analyzer:ExampleAnalyzer"
ROW = re.compile(r"^\| (?P<what>[^|]+) \| `(?P<command>[^`]+)` \| `(?P<says>[^`]+)` \|$")


def rows() -> list[tuple[str, str, str]]:
    found = [
        (m["what"].strip(), m["command"], m["says"])
        for line in ERRORS.read_text("utf-8").splitlines()
        if (m := ROW.match(line))
    ]
    assert len(found) >= 60, "the table of docs/errors.md was not read"
    return found


@pytest.fixture
def places(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The placeholders of the table, made real in a temporary folder (the cwd)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "folder").mkdir()
    texts = {"plain.txt": "hello\n", "plain.txt.jsonl": "hello\n", "empty.json": ""}
    for name, text in texts.items():
        (tmp_path / name).write_text(text)
    deep = "[" * 100_000 + "]" * 100_000
    for name in ("deep.json", "deep.jsonl"):
        (tmp_path / name).write_text(deep)
    for name in ("notutf8.json", "notutf8.jsonl", "notutf8.json.md"):
        (tmp_path / name).write_bytes(b"\xff\xfe\x00 not utf-8")
    return {
        "missing": str(tmp_path / "missing"),
        "dir": str(tmp_path / "folder"),
        "text": str(tmp_path / "plain.txt"),
        "empty": str(tmp_path / "empty.json"),
        "notutf8": str(tmp_path / "notutf8.json"),
        "deep": str(tmp_path / "deep.json"),
        "ok": OK,
    }


@pytest.mark.parametrize(("what", "command", "says"), rows(), ids=[r[0] for r in rows()])
def test_every_documented_mistake_is_one_line_and_exit_2(
    what: str,
    command: str,
    says: str,
    places: dict[str, str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A bad flag, file or target gives a traceback, several lines, another exit code, or a
    message that does not say what docs/errors.md says it does."""
    argv = [word.format(**places) for word in shlex.split(command)]
    code = main(argv)
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2, (what, err)
    assert len(lines) == 1 and lines[0].startswith("signals-fuzz: error: "), (what, err)
    assert says in lines[0], (what, lines[0])
