"""Harvested regexes: Rust-to-Python translation, alternatives, and texts drawn from them."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from strategies.regexes import Untranslatable, alternative_texts, alternatives, translate


@pytest.mark.parametrize(
    ("rust", "python"),
    [
        (r"(?i)\b(status|code)\s*:?\s*401", r"(?i)\b(status|code)\s*:?\s*401"),
        (r"foo(?i)bar|baz", r"foo(?i:bar)|(?i:baz)"),
        (r"(a(?i)b|c)d", r"(a(?i:b)|(?i:c))d"),  # the flag lasts to the end of its group
        (r"(?<proto>grpc|rpc) x", r"(?P<proto>grpc|rpc) x"),
        (r"(?U)x+ done", r"x+ done"),
        (r"(?iu)done", r"(?i)done"),
        (r"(?-u:\w+) done", r"(?a:\w+) done"),
        (r"end\z", r"end\Z"),
        (r"\x{201C}quoted\u{201D}", "\u201cquoted\u201d"),
        (r"[[:alpha:]]+ failed", r"[A-Za-z]+ failed"),
        (r"\<word\>", r"\b(?=\w)word\b(?<=\w)"),
    ],
)  # fmt: skip
def test_rust_syntax_becomes_python(rust: str, python: str) -> None:
    """A regex-crate construct is translated wrongly (or not at all) into Python re syntax."""
    assert translate(rust, rust=True).python == python


def test_unicode_categories_become_classes() -> None:
    """\\p{L}/\\pN/\\P{..} no longer match what the Rust categories match."""
    letters = re.compile(translate(r"x \p{L}+ \pN \P{Lu}", rust=True).python)
    assert letters.fullmatch("x éЖab ٣ z")
    assert not letters.fullmatch("x é1 ٣ z")
    assert not letters.fullmatch("x é ٣ Z")
    upper_or_digit = re.compile(translate(r"[\p{Lu}\d]x", rust=True).python)
    assert upper_or_digit.fullmatch("Жx") and upper_or_digit.fullmatch("3x")
    assert not upper_or_digit.fullmatch("жx")


@pytest.mark.parametrize(
    ("literal", "rust", "reason"),
    [
        (r"\p{Greek}+ error", True, "script or property"),
        (r"[\w&&[^\d]]+ failed", True, "set operation"),
        (r"[a[bc]] x", True, "nested character class"),
        (r"(?=.*401)unauthorized", True, "look-around"),
        (r"(a)b \1", True, "back-reference"),
        ("tool {} failed with {}", True, "format string"),
        ("tool {} failed", False, "format string"),
        (r"^\s*$", True, "nothing to aim at"),
        ("x" * 500 + "(y|z)", False, "longer than"),
        (r"(unclosed (group", False, "not a Python regex"),
        (r"(?R)^x.", True, "CRLF"),
        ("Price: $5 each", False, "can match"),
        (r"total\Z \d+|x^y", False, "can match"),
    ],
)  # fmt: skip
def test_untranslatable_literals_say_why(literal: str, rust: bool, reason: str) -> None:
    """A literal that cannot be a Python regex is guessed at, or refused without its reason."""
    with pytest.raises(Untranslatable, match=reason):
        translate(literal, rust=rust)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"a(b|c)d|e", ["a(?:b)d", "a(?:c)d", "e"]),
        (r"(?i)x|y", ["(?i)x", "(?i)y"]),
        (r"x(a|b)?y", ["x(?:a)y", "x(?:b)y"]),
        (r"x(a|b)*y", ["x(?:a)+y", "x(?:b)+y"]),
        (r"(p(q|r)|s)t", ["(?:p(?:q))t", "(?:p(?:r))t", "(?:s)t"]),
        (r"(a|b)(c|d)", ["(?:a)(c|d)", "(?:b)(c|d)", "(a|b)(?:c)", "(a|b)(?:d)"]),
        (r"(?P<n>a|b)!", ["(?P<n>a)!", "(?P<n>b)!"]),
        (r"x(?!a|b)y", ["x(?!a|b)y"]),
        (r"no groups", ["no groups"]),
        (r"[(|)]x", ["[(|)]x"]),
    ],
)  # fmt: skip
def test_each_branch_is_an_alternative(pattern: str, expected: list[str]) -> None:
    """A branch of an alternation (nested ones too) is not its own alternative, or an
    optional group pinned to a branch can still match without it."""
    assert list(alternatives(pattern)) == expected


def test_a_pattern_with_six_alternatives_has_six() -> None:
    """Only some alternatives of a six-way alternation are kept."""
    alts = translate(r"(?i)\b(status|error|http|code|grpc|upstream)\s*:?\s*401", rust=True)
    assert len(alts.alternatives) == 6
    for word in ("status", "error", "http", "code", "grpc", "upstream"):
        assert sum(bool(re.fullmatch(a, f"{word}: 401")) for a in alts.alternatives) == 1


ALTERNATIVES = [
    r"(?i)\b(?:grpc)[ _-]?(?:status|code)\s*[:=]?\s*(?:unauthenticated)\b",
    r"quota (?:of )?\d{1,6} (?:tokens) per (second|minute) exceeded",
    r"(?P<exc>[A-Z]\w+(?:Error)): (?P<msg>.{1,80})",
    translate(r"unknown tool \p{L}[\p{L}\pN_]{0,31}", rust=True).python,
    "\u201c(?:timed out)\u201d",
]


@settings(max_examples=60, deadline=None, database=None)
@given(st.sampled_from(ALTERNATIVES).flatmap(lambda a: st.tuples(st.just(a), alternative_texts(a))))
def test_alternative_texts_match_their_alternative(drawn: tuple[str, str]) -> None:
    """A text drawn for an alternative does not match it (so it aims at nothing)."""
    alternative, text = drawn
    assert re.fullmatch(alternative, text), (alternative, text)


@settings(max_examples=30, deadline=None, database=None)
@given(alternative_texts(r"(?i)\b(?:grpc)[ _-]?status\s*(?:unauthenticated)\b"))
def test_case_insensitive_patterns_draw_lower_case(text: str) -> None:
    """A (?i) pattern draws per-letter mixed case, which reads badly and adds nothing."""
    assert text == text.lower()


@pytest.mark.parametrize("bad", [3, "(unclosed"])
def test_alternative_texts_validates(bad: object) -> None:
    """alternative_texts accepts something that is not a compiling regex string."""
    with pytest.raises(InvalidArgument):
        alternative_texts(bad)  # type: ignore[arg-type]
