"""The cross-language table: derived sets, float hazards, hazard strategies, row coverage."""

from __future__ import annotations

import array
import random
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

import strategies.crosslang as table
import strategies.rust_semantics as rust
from fuzz.search.crosslang_coverage import CrossLangTracker
from strategies.conversations import conversations
from strategies.crosslang_hazards import _BUILDERS, GENERATED_ROWS, crosslang_conversations

CHARACTER_ROWS = {
    "whitespace": table.whitespace_delta,
    "regex_s": table.whitespace_delta,
    "alphabetic": table.alphabetic_delta,
    "case_mapping": table.case_mapping_delta,
    "regex_w": table.regex_word_delta,
    "regex_b": table.regex_word_delta,
    "regex_d": table.regex_digit_delta,
    "ignore_case": table.ignore_case_delta,
    "unicode_version": table.version_delta,
}


def test_rows_are_complete_and_cited() -> None:
    """A row lacks a side, a difference, an https source, or both a fixture and a reason."""
    assert len({r.slug for r in table.ROWS}) == len(table.ROWS)
    for row in table.ROWS:
        assert row.title and row.python and row.rust and row.differs, row.slug
        assert row.sources and all(s.startswith("https://") for s in row.sources), row.slug
        assert bool(row.fixtures) != bool(row.unreached), row.slug
    assert set(GENERATED_ROWS) == set(table.ROW_BY_SLUG) == set(_BUILDERS)


def test_whitespace_delta_is_what_the_predicates_say() -> None:
    """The derived whitespace delta misses or invents a character where str.isspace and
    White_Space part (checked one code point at a time)."""
    brute = {c for c in rust.all_code_points()[:0x3100] if c.isspace() != rust.is_whitespace(c)}
    assert brute and brute == set(table.whitespace_delta().both)


def test_alphabetic_and_word_deltas_match_per_character_checks() -> None:
    """The scanned deltas disagree with per-character answers on a random sample."""
    sample = random.Random(3).sample(rust.all_code_points(), 20000)
    alpha, word = table.alphabetic_delta().both, table.regex_word_delta().both
    import re

    for char in sample:
        assert (char in alpha) == (char.isalpha() != rust.is_alphabetic(char))
        python_word = re.fullmatch(r"\w", char) is not None
        assert (char in word) == (python_word != rust.is_rust_word(char))


def test_version_delta_is_newer_than_python() -> None:
    """A character of the version delta is one the running Python knows with the same
    category as the newest database (so not a change), or none is found."""
    import unicodedata

    import unicodedata2

    delta = table.version_delta().both
    assert len(delta) > 1000  # Python 3.11 has Unicode 14; the newest is several versions on
    for char in random.Random(1).sample(sorted(delta), 300):
        assert unicodedata.category(char) != unicodedata2.category(char)


def test_ignore_case_delta_parts_lower_from_folding() -> None:
    """A character of the ignore-case delta matches an ASCII letter both ways (or neither)."""
    import re

    delta = table.ignore_case_delta()
    assert delta.python_only and delta.rust_only
    for char in delta.rust_only:
        assert rust.simple_fold(char).isascii() and not char.lower().isascii()
    for char in delta.python_only:
        letters = [a for a in "abcdefghijklmnopqrstuvwxyz" if re.fullmatch(a, char, re.I)]
        assert letters and all(rust.simple_fold(char) != a for a in letters)


def _f32(value: float) -> float:
    return array.array("f", [value])[0]


def test_float_hazards_compare_differently_in_f32() -> None:
    """A listed float hazard compares the same in every width, or a p/q that does not is
    missing (checked with array's own float32 rounding)."""
    hazards = {(h.p, h.q, h.threshold) for h in table.float_hazards()}
    for q in range(1, table.MAX_DENOMINATOR + 1):
        for p in range(q + 1):
            for t in table.THRESHOLDS:
                answers = {p / q >= t, p / q >= _f32(t), _f32(_f32(p) / _f32(q)) >= _f32(t)}
                assert (len(answers) > 1) == ((p, q, t) in hazards), (p, q, t)
    assert (4, 5) in table.hazard_fractions()


@pytest.mark.parametrize("slug", sorted(CHARACTER_ROWS))
def test_hazard_characters_belong_to_their_row(slug: str) -> None:
    """A character the strategies place for a row is not a hazard of that row."""
    chars = table.hazard_chars_of(slug)
    assert chars
    delta = CHARACTER_ROWS[slug]().both
    assert set(chars) <= delta


def test_json_disagreement_names_the_side() -> None:
    """json_disagreement misreads which parser refuses a text."""
    assert table.json_disagreement("NaN") == "python-only"
    assert table.json_disagreement("[" * 200 + "]" * 200) == "python-only"
    assert table.json_disagreement("[" * 1200 + "]" * 1200) is None  # both refuse
    assert table.json_disagreement('{"a": 1.0}') is None
    assert table.json_disagreement("-0") == "values"


@pytest.mark.parametrize("slug", GENERATED_ROWS)
def test_each_row_builder_exercises_its_row(slug: str) -> None:
    """A row's hazard conversations do not exercise the row (rows_in), or are not small."""

    @settings(max_examples=15, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(_BUILDERS[slug]())
    def check(conversation: list[dict[str, str]]) -> None:
        assert 1 <= len(conversation) <= 3
        assert slug in table.rows_in(conversation), ascii(conversation)[:200]

    check()


def test_crosslang_conversations_validates_rows() -> None:
    """A bare string or an unknown row is accepted instead of a clear InvalidArgument."""
    with pytest.raises(InvalidArgument, match="collection"):
        crosslang_conversations(rows="whitespace")
    with pytest.raises(InvalidArgument, match="unknown"):
        crosslang_conversations(rows=["whitespace", "nope"]).example()
    with pytest.raises(InvalidArgument, match="three"):
        conversations(boundary_weight=0.5, ladder_weight=0.4, crosslang_weight=0.2)


@given(st.data())
@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))
def test_conversations_without_surrogates_leave_out_json_rows(data: st.DataObject) -> None:
    """surrogates=False still lets lone surrogates in through the JSON hazards."""
    conversation = data.draw(conversations(crosslang_weight=1.0, boundary_weight=0.0,
                                           ladder_weight=0.0, surrogates=False))  # fmt: skip
    assert "json_parse" not in table.rows_in(conversation) or all(
        "\\ud8" not in m["value"] and "\\udc" not in m["value"] for m in conversation
    )


def test_tracker_counts_rows_and_merges() -> None:
    """The tracker miscounts rows, loses a worker's counts, or reports a wrong rate."""
    tracker = CrossLangTracker()
    tracker.observe([{"from": "human", "value": "thanks\x1cfor it"}])
    tracker.observe([{"from": "gpt", "value": "a b c d"}, {"from": "gpt", "value": "a b c d e"}])
    tracker.observe([{"from": "human", "value": "plain"}])
    worker = CrossLangTracker()
    for _ in range(5):
        worker.observe([{"from": "human", "value": "thanks\x1cfor it" if _ < 2 else "plain"}])
    tracker.merge(worker)
    coverage = tracker.coverage()
    assert coverage.conversations == 8
    assert coverage.counts["whitespace"] == 3 and coverage.counts["float_threshold"] == 1
    out = coverage.to_json()
    assert out["rows"]["whitespace"]["rate"] == 3 / 8 and out["total"] == len(table.ROWS)
    assert "never reached" in coverage.table() and coverage.summary().endswith(
        f"{coverage.reached}/{len(table.ROWS)}"
    )


def test_light_modules_do_not_import_hypothesis() -> None:
    """The replay program (and the Rust-side rules) import Hypothesis at start-up."""
    code = (
        "import sys, fuzz.examples.replay, strategies.rust_semantics;"
        "assert 'hypothesis' not in sys.modules, 'hypothesis imported';"
        "assert 'regex' not in sys.modules, 'regex imported eagerly'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@given(st.data())
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_crosslang_mutations_put_a_row_hazard_into_harvested_texts(data: st.DataObject) -> None:
    """A cross-language mutation of a harvested text leaves no row's hazard in it."""
    from strategies.crosslang_hazards import crosslang_mutations

    mutate = data.draw(crosslang_mutations())
    text = data.draw(st.sampled_from(["invalid key: too many requests", "kill sql timed out"]))
    assert table.rows_in([{"from": "observation", "value": mutate(text)}])
