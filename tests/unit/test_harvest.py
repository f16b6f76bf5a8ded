"""Harvesting analyzer source: literals, regex alternations, word lists (``--dictionary``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from fuzz.errors import UsageError
from fuzz.search.harvest import harvest_phrases, phrases_of
from strategies.regexes import literal_alternatives

SRC = Path(__file__).parents[1] / "fixtures" / "dictionary_src"

#: Everything the fixture tree holds that is phrase-like, and nothing else.
EXPECTED = (
    "Cheers",  # words.txt, "!" stripped
    "I'm not sure",  # a Python literal, "." stripped, apostrophe kept
    "Much appreciated",
    "Thank you so much",
    "a long continued line",  # Rust line continuation
    "after the char literal",  # a '"' char literal does not open a string
    "café au lait",  # Rust \u{e9} escapes
    "escalation",  # a JSON key
    "forget about it",  # nested alternation
    "forget it",
    "i give up",
    "it worked",  # TOML
    "looks right",  # YAML, comment dropped
    "no worries",
    "none",
    "perfect thanks",
    "problem solved",
    "quit",
    "rate limit",  # "429" beside it is not phrase-like
    "real person please",
    "say hello there",  # r#"..."# with quotes inside
    "sounds good",
    "speak to a manager",
    "success",  # a TOML table name
    "tab separated",  # "\t" escape collapsed
    "talk to a human",
    "thanks",
    "that works",
    "value",  # a dict key in Python: literals are literals
    "wordings",
)


def test_harvests_exactly_the_fixture_phrases() -> None:
    """A phrase is missed, or something that is not one (docstring, comment, byte
    string, f-string piece, `thanks?\\s+a\\s+lot`, `\\d+ retries`) is kept."""
    assert harvest_phrases([SRC]) == EXPECTED


def test_skips_build_output_virtualenvs_and_hidden_folders(tmp_path: Path) -> None:
    """Cargo's target/, a virtualenv or a .git folder is harvested as if it were source."""
    tree = tmp_path / "src"
    shutil.copytree(SRC, tree)
    for folder, marker in (("target", "CACHEDIR.TAG"), ("venv", "pyvenv.cfg"), (".git", None)):
        (tree / folder).mkdir()
        if marker:
            (tree / folder / marker).write_text("", encoding="utf-8")
        (tree / folder / "x.py").write_text('X = "must not appear"\n', encoding="utf-8")
    assert harvest_phrases([tree]) == EXPECTED


def test_single_files_and_unparseable_python(tmp_path: Path) -> None:
    """A file path is not read on its own, or a Python file with a syntax error is lost."""
    broken = tmp_path / "broken.py"
    broken.write_text('PHRASES = ["broken but harvested", "another one"\nif\n', encoding="utf-8")
    assert harvest_phrases([broken]) == ("another one", "broken but harvested")
    assert harvest_phrases([SRC / "words.txt"]) == ("Cheers", "no worries")


def test_missing_path_names_it(tmp_path: Path) -> None:
    """A missing source path is silently ignored, or the error does not name it."""
    with pytest.raises(UsageError, match="nowhere"):
        harvest_phrases([SRC, tmp_path / "nowhere"])


def test_unreadable_kind_of_file_is_refused(tmp_path: Path) -> None:
    """A file of a kind the harvester cannot read is silently ignored."""
    readme = tmp_path / "README.md"
    readme.write_text("thanks\n", encoding="utf-8")
    with pytest.raises(UsageError, match=r"README\.md"):
        harvest_phrases([readme])


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"\b(thank you|thanks a lot)\b", ["thank you", "thanks a lot"]),
        (r"(?i)^\s*(?:give up|forget (it|me))\s*$", [" give up ", " forget it ", " forget me "]),
        (r"\bno\s+way\b", ["no way"]),
        (r"\bthank (you|u)\b", ["thank you", "thank u"]),
        (r"a|b", ["a", "b"]),
        ("plain text", ["plain text"]),
        (r"I\'m done", ["I'm done"]),
        (r"thanks?", None),
        (r"\d+ errors", None),
        (r"(?=x)y", None),
        (r"(unclosed|group", None),
        (r"stray) paren", None),
        (r"[abc] class", None),
        (r"x{2}", None),
    ],
)  # fmt: skip
def test_literal_alternatives(pattern: str, expected: list[str] | None) -> None:
    """A plain alternation is not expanded, or a pattern with other syntax is guessed at."""
    assert literal_alternatives(pattern) == expected


def test_phrases_of_reads_sentences_as_text() -> None:
    """Sentence punctuation makes a plain literal unusable, or digits/underscores get in."""
    assert phrases_of("I give up.") == ["I give up"]
    assert phrases_of("really?") == ["really"]
    assert phrases_of("signal_type") == []
    assert phrases_of("429 too many requests") == []
    assert phrases_of("x") == []
    assert phrases_of("word " * 15) == []
