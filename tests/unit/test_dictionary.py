"""Dictionaries harvested from analyzer source: literals, regex alternations, word lists."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis.errors import InvalidArgument

from strategies.dictionary import (
    Dictionary,
    dictionary_conversations,
    dictionary_texts,
    harvest,
    harvest_phrases,
    literal_alternatives,
    phrases_of,
)

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
    with pytest.raises(FileNotFoundError, match="nowhere"):
        harvest_phrases([SRC, tmp_path / "nowhere"])


def test_unreadable_kind_of_file_is_refused(tmp_path: Path) -> None:
    """A file of a kind the harvester cannot read is silently ignored."""
    readme = tmp_path / "README.md"
    readme.write_text("thanks\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"README\.md"):
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


@settings(max_examples=50, database=None)
@given(dictionary_texts(("talk to a human", "forget it")))
def test_dictionary_texts_embed_a_phrase(text: str) -> None:
    """dictionary_texts draws texts without any of the phrases it was given."""
    assert "talk to a human" in text.lower() or "forget it" in text.lower()


@pytest.mark.parametrize("bad", [(), "thanks", ["ok", ""], [3]])
def test_dictionary_texts_validates(bad: object) -> None:
    """dictionary_texts accepts no phrases, a bare string or non-strings."""
    with pytest.raises(InvalidArgument):
        dictionary_texts(bad).example()  # type: ignore[arg-type]


# --- regexes: harvested, placed in every role, every alternative reached ----------

REGEX_SRC = Path(__file__).parents[1] / "fixtures" / "regex_src"


def test_regex_literals_become_patterns_and_the_rest_is_listed_with_reasons() -> None:
    """A regex literal is dropped silently, or an untranslatable one is not listed with why."""
    found = harvest([REGEX_SRC])
    assert (len(found.patterns), found.alternative_count) == (14, 51)
    reasons = {s.literal: s.reason for s in found.skipped}
    assert set(reasons) == {
        r"\p{Greek}+ σφάλμα",
        r"[\w&&[^\d]]+ failed",
        r"(?=.*401)unauthorized",
        "tool {} failed with {}",
        r"^\s*$",
        r"(unclosed (group",
    }
    assert "script" in reasons[r"\p{Greek}+ σφάλμα"]
    assert "format string" in reasons["tool {} failed with {}"]
    grpc = next(p for p in found.patterns if p.literal.startswith("(?i)\\b(?<proto>"))
    assert grpc.origin.endswith("execution.rs") and "(?P<proto>" in grpc.python
    assert len(grpc.alternatives) == 8


def test_plain_phrases_keep_their_path() -> None:
    """Harvesting regexes changed which plain phrases a tree gives."""
    assert harvest([SRC]).phrases == EXPECTED
    assert harvest([REGEX_SRC]).phrases == (
        "tool not available",
        "tool not found",
        "tool not registered",
    )


def test_every_alternative_is_reached_within_a_fixed_budget() -> None:
    """Some alternative of a translatable fixture pattern is never generated in 1,000
    conversations (seed 1 reaches the last of the 51 at conversation 820; 497 before a
    third of the near misses became cross-language hazards)."""
    from fuzz.search.coverage import generate_conversations
    from fuzz.search.patterns import PatternTracker

    found = harvest([REGEX_SRC])
    tracker = PatternTracker(found)
    for conversation in generate_conversations(1000, 1, dictionary_conversations(found)):
        tracker.observe(conversation)
    coverage = tracker.coverage()
    assert coverage.never_reached() == []
    assert coverage.patterns_reached == len(found.patterns) == 14
    assert coverage.alternatives_reached == 51


def test_harvested_texts_reach_every_role_the_analyzers_read() -> None:
    """Harvested texts stay in human turns (the execution detectors never see them)."""
    from hypothesis import HealthCheck, Phase, find

    found = Dictionary(phrases=("quetzal error",))
    strategy = dictionary_conversations(found)
    quick = settings(
        database=None,
        max_examples=3000,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )

    def placed(role: str, where: Callable[[str], bool]) -> object:
        return lambda conversation: any(
            m["from"] == role and where(m["value"]) for m in conversation
        )

    def is_json_with(key: str) -> Callable[[str], bool]:
        def check(value: str) -> bool:
            try:
                data = json.loads(value)
            except ValueError:
                return False
            return "quetzal" in json.dumps(data.get(key, "")).lower()

        return check

    for role in ("human", "gpt", "observation", "function_call"):
        assert find(strategy, placed(role, lambda v: "quetzal" in v.lower()), settings=quick)
    assert find(strategy, placed("function_call", is_json_with("name")), settings=quick)
    assert find(strategy, placed("function_call", is_json_with("arguments")), settings=quick)
    observation_after_call = find(
        strategy, placed("observation", lambda v: "quetzal" in v.lower()), settings=quick
    )
    index = next(i for i, m in enumerate(observation_after_call) if m["from"] == "observation")
    assert index > 0 and observation_after_call[index - 1]["from"] == "function_call"
    near_miss = find(
        strategy,
        placed("human", lambda v: "quetzal error" not in v.lower() and "tzal" in v.lower()),
        settings=quick,
    )
    assert near_miss


@pytest.mark.parametrize("bad", [(), ("thanks",), Dictionary()])
def test_dictionary_conversations_validates(bad: object) -> None:
    """dictionary_conversations accepts something that is not a non-empty Dictionary."""
    with pytest.raises(InvalidArgument):
        dictionary_conversations(bad).example()  # type: ignore[arg-type]


def test_a_pattern_python_warns_about_is_harvested_and_drawn_quietly(tmp_path: Path) -> None:
    """``re`` warns of "[[" as a possible nested set; the reference reads it as today's ``re``
    does, so it must be harvested, tracked and drawn without a warning (errors under pytest)."""
    from fuzz.search.coverage import generate_conversations
    from fuzz.search.patterns import PatternTracker

    (tmp_path / "rules.py").write_text('import re\nNESTED = re.compile(r"[[x] timed out")\n')
    found = harvest([tmp_path])
    assert [p.literal for p in found.patterns] == ["[[x] timed out"] and found.skipped == ()
    tracker = PatternTracker(found)
    for conversation in generate_conversations(50, 1, dictionary_conversations(found)):
        tracker.observe(conversation)
    assert tracker.coverage().alternatives_reached == 1
