"""Regexes harvested from the analyzers' source, turned into generators of matching text.

The port's execution and environment detectors are regexes such as
``(?i)\\b(status|error|http|code)\\s*:?\\s*401``: a dictionary that keeps only
plain phrases never writes ``code 401``. This module reads such a literal
as the analyzer does, and draws texts each *alternative* of it matches.

Translation (``translate``): literals from ``.rs`` files are written for the
Rust ``regex`` crate; they are rewritten into Python ``re`` syntax where the
two differ, or refused with a reason:

- inline flags: ``(?i)`` at the very start stays global; in the middle of a
  pattern (where Rust scopes it to the rest of the enclosing group and
  Python 3.11 refuses it) it becomes a scoped ``(?i:...)`` up to the end of
  that group. ``U`` (swap greed) and ``u`` (Unicode, Python's default) are
  dropped: neither changes *whether* a text matches. ``-u`` becomes ``a``
  (ASCII classes). ``R`` (CRLF mode) is dropped when the pattern has no
  ``.``, ``^`` or ``$``, and refused otherwise;
- ``(?<name>...)`` becomes ``(?P<name>...)``; ``\\z`` becomes ``\\Z``;
  ``\\x{..}``/``\\u{..}`` become ``\\U........``; ``\\<``/``\\>`` and
  ``\\b{start}``/``\\b{end}`` become word-boundary look-arounds;
- ``\\pL``, ``\\p{L}``, ``\\p{Letter}``, ``\\P{..}`` (general categories)
  become explicit character classes, built from ``unicodedata`` (the Unicode
  version of this Python, not necessarily the port's); POSIX ``[:alpha:]``
  and friends become ASCII ranges;
- refused, with the reason: Unicode scripts and other properties
  (``\\p{Greek}``), class set operations (``&&``, ``--``, ``~~``) and
  nested classes, ``\\P{..}`` inside a class, negated POSIX classes, and
  look-arounds or back-references (not ``regex``-crate syntax, so the port
  cannot be using that literal as a regex).

Literals from Python files are compiled as they are (they *are* ``re``
syntax); one that does not compile gets the same translation (it may be
written for the third-party ``regex`` module), else it is refused with
``re``'s message.

A ``{`` that does not open a counted repetition (``"{} failed"``, a format
string) makes a literal "not a regex": the ``regex`` crate rejects it, and
format strings are most of what a Rust source tree holds.

Alternatives (``alternatives``): each branch of each alternation, nested
ones included, becomes a regex of its own: the pattern with that one group
pinned to that one branch (other groups left whole). So ``a(b|c)d|e`` gives
``a(?:b)d``, ``a(?:c)d`` and ``e``: linear in the number of branches, not
their product. A pinned group that was optional (``?``, ``*``, ``{0,n}``)
is made mandatory, so the alternative's text really holds that branch.
Look-arounds and conditionals are never expanded. Leading global flags are
kept on every alternative.

Generation (``alternative_texts``): ``st.from_regex(alt, fullmatch=True)``
over a readable alphabet (printable characters, no controls or surrogates;
tab and newline allowed). ``fullmatch=True`` rather than ``False``:
``from_regex`` pads a partial match with arbitrary text, which makes
unreadable cases; ``strategies.dictionary`` embeds the match in filler
itself, where the surrounding text is ours and shrinks away.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import itertools
import math
import re
import sys
import unicodedata
import warnings
from collections.abc import Iterator
from typing import Any, Final

import attrs
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

#: Literals longer than this are not worth a strategy (minified data, big tables).
MAX_PATTERN_CHARS: Final = 400
#: Alternatives kept per pattern; the rest are reported as cut.
MAX_ALTERNATIVES: Final = 128


class Untranslatable(ValueError):
    """A literal that cannot become a Python regex; the message is the reason."""


@attrs.frozen
class Translated:
    """A literal as a Python regex, and its alternatives (each a Python regex)."""

    python: str
    alternatives: tuple[str, ...]


@contextlib.contextmanager
def _quiet_re() -> Iterator[None]:
    """Parse harvested patterns without ``re``'s FutureWarnings.

    ``re`` warns of patterns a future Python may read differently ("Possible
    nested set"). The reference reads them as today's ``re`` does, and so does
    the fuzzer; a warning naming no pattern would only confuse (and abort a
    harvest run with warnings as errors).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        yield


@functools.cache
def compile_regex(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile`` for a harvested pattern: quietly (see ``_quiet_re``), and kept, as
    a dictionary holds more patterns than ``re``'s own cache of 512."""
    with _quiet_re():
        return re.compile(pattern, flags)


def translate(literal: str, *, rust: bool) -> Translated:
    """``literal`` as a Python regex with its alternatives, or ``Untranslatable``.

    ``rust`` says the literal was written for the Rust ``regex`` crate.
    """
    if len(literal) > MAX_PATTERN_CHARS:
        raise Untranslatable(f"longer than {MAX_PATTERN_CHARS} characters")
    if not _aims_at_something(literal):
        raise Untranslatable("no letters, digits or \\d/\\w/\\p class: nothing to aim at")
    _check_braces(literal)
    if rust:
        python = _from_rust(literal)
    else:
        try:
            compile_regex(literal)
            python = literal
        except re.error as exc:
            try:
                python = _from_rust(literal)
            except Untranslatable:
                raise Untranslatable(f"not a Python regex: {exc}") from None
    try:
        compile_regex(python)
    except (re.error, OverflowError, RecursionError) as exc:
        raise Untranslatable(f"does not compile after translation: {exc}") from None
    alts = tuple(a for a in alternatives(python) if not _misanchored(a))
    if not alts:
        raise Untranslatable("no alternative can match: text after '$' or before '^'")
    return Translated(python=python, alternatives=alts)


def alternatives(pattern: str) -> tuple[str, ...]:
    """One regex per branch of every alternation in ``pattern`` (see the module doc)."""
    flags, body = _split_global_flags(pattern)
    tree = _Parser(body).parse()
    out: list[str] = []
    for alt in _alternation_alts(tree):
        full = flags + alt
        if full not in out and _compiles(full):
            out.append(full)
        if len(out) >= MAX_ALTERNATIVES:
            break
    return tuple(out)


#: A literal expanding to more strings than this is no plain alternation.
MAX_LITERAL_EXPANSIONS: Final = 256


def literal_alternatives(pattern: str, *, limit: int = MAX_LITERAL_EXPANSIONS) -> list[str] | None:
    """Every string a plain-alternation regex matches, or None if it is not one.

    Parsed by the same parser as ``alternatives``. ``(?aiLmsux)`` flags,
    ``\\b``, ``^`` and ``$`` are dropped; ``\\s`` (alone or with ``+``, ``*``
    or ``?``: each matches one space) is a space and an escaped punctuation
    mark is itself; groups ``( | )`` and ``(?: | )`` expand to every
    alternative, nested too. Any other syntax (a class, a quantifier, ``.``,
    ``\\d``, a look-around, a named or flagged group, an unbalanced
    parenthesis) or more than ``limit`` strings makes it None. A string
    without metacharacters is its own single alternative.
    """
    pattern = _LITERAL_FLAGS.sub("", pattern)  # Rust allows them mid-pattern; no text either way
    if not _compiles(pattern):  # also keeps the parser off what it cannot walk
        return None
    parser = _Parser(pattern)
    tree = parser._alternation()
    if parser.i < len(pattern) or parser.unclosed:
        return None
    try:
        return _literal_alternation(tree, limit)
    except _NotLiteral:
        return None


#: Inline flags a literal alternation may open with; they change no text.
_LITERAL_FLAGS: Final = re.compile(r"\(\?[aiLmsux]+\)")
#: What makes a text run not literal text (after escapes and flags are handled).
_NOT_LITERAL: Final = frozenset(".?*+[]{}()")


class _NotLiteral(Exception):
    """Regex syntax that ``literal_alternatives`` does not turn into text."""


def _literal_alternation(alt: _Alternation, limit: int) -> list[str]:
    options = [text for seq in alt.branches for text in _literal_sequence(seq, limit)]
    if len(options) > limit:
        raise _NotLiteral
    return options


def _literal_sequence(seq: tuple[str | _Group, ...], limit: int) -> list[str]:
    parts: list[list[str]] = []
    for item in seq:
        if isinstance(item, str):
            parts.append([_literal_text(item)])
        elif item.opener in ("(", "(?:"):
            parts.append(_literal_alternation(item.body, limit))
        else:
            raise _NotLiteral  # a look-around, named or flagged group
    if math.prod(len(part) for part in parts) > limit:
        raise _NotLiteral
    return ["".join(combo) for combo in itertools.product(*parts)]


def _literal_text(run: str) -> str:
    """The text a run of regex (no groups, no ``|``) matches, or ``_NotLiteral``."""
    out: list[str] = []
    i = 0
    while i < len(run):
        c = run[i]
        i += 1
        if c == "\\":
            if i >= len(run):
                raise _NotLiteral
            e = run[i]
            i += 1
            if e == "b":
                continue
            if e == "s":
                if run[i : i + 1] in ("+", "*", "?"):
                    i += 1  # a single space is matched by each of these
                out.append(" ")
            elif not e.isalnum():
                out.append(e)
            else:
                raise _NotLiteral  # \d, \w, \B, \1 ...: not a literal
        elif c in "^$":
            continue
        elif c in _NOT_LITERAL:
            raise _NotLiteral
        else:
            out.append(c)
    return "".join(out)


#: Characters for the variable parts of a regex (``\\d``, ``\\s``, classes, ``.``):
#: printable ASCII with tab and newline, so cases read well; and, less often,
#: any printable character (Unicode digits and spaces are hazards of their own).
_ASCII: Final = st.characters(min_codepoint=0x20, max_codepoint=0x7E, include_characters="\t\n")
_UNICODE: Final = st.characters(
    codec="utf-8", exclude_categories=("Cc", "Cs", "Co", "Cn"), include_characters="\t\n"
)
#: Share of draws over ``_UNICODE`` rather than ``_ASCII``.
UNICODE_SHARE: Final = 0.15


def alternative_texts(alternative: str) -> SearchStrategy[str]:
    """Texts the regex ``alternative`` fully matches, mostly over printable ASCII.

    A pattern compiled with a global ``(?i)`` gives lower-case text (the
    analyzers lower-case before matching; casing variants are the
    embedding's job, not a coin flip per letter).
    """
    if not isinstance(alternative, str):
        raise InvalidArgument(f"alternative_texts({alternative!r:.60}) must be a regex string")
    return _texts(alternative)


@functools.cache
def _texts(alternative: str) -> SearchStrategy[str]:
    """``alternative_texts``, built once per alternative: a dictionary draws from
    thousands, more than ``re``'s own cache of 512 compiled patterns holds."""
    try:
        compiled = compile_regex(alternative)
    except re.error as exc:
        raise InvalidArgument(f"alternative_texts({alternative!r:.60}): {exc}") from None
    compact = _compact_classes(compiled.pattern)
    if compact != compiled.pattern:
        compiled = compile_regex(compact, compiled.flags)
    with _quiet_re():  # from_regex parses the pattern again, when validated
        wide = st.from_regex(compiled, fullmatch=True, alphabet=_UNICODE)
        wide.validate()
        try:
            narrow = st.from_regex(compiled, fullmatch=True, alphabet=_ASCII)
            narrow.validate()
        except InvalidArgument:  # a class with no ASCII member, e.g. \p{Lo}
            strategy = wide
        else:
            strategy = _mostly_narrow(narrow, wide)
    if compiled.flags & re.IGNORECASE and not _SCOPED_CASE.search(compiled.pattern):
        return strategy.map(str.lower)
    return strategy


#: A run of many ``\\U........`` items: the body of a translated ``\\p{..}`` class.
_BIG_CLASS: Final = re.compile(r"(?:\\U[0-9a-f]{8}(?:-\\U[0-9a-f]{8})?){9,}")
_CLASS_ITEM: Final = re.compile(r"\\U([0-9a-f]{8})(?:-\\U([0-9a-f]{8}))?")
#: Non-ASCII members kept when a big class is compacted for generation.
_KEEP_WIDE: Final = 12


def _compact_classes(pattern: str) -> str:
    """``pattern`` with each translated category class cut to a small subset of it.

    Hypothesis's ``from_regex`` visits every code point of a class range
    (seconds for ``\\p{L}``); generating from a subset (the ASCII part and a
    dozen other members) gives text the full class still matches.
    """

    def compact(match: re.Match[str]) -> str:
        kept: list[str] = []
        wide = 0
        for item in _CLASS_ITEM.finditer(match.group(0)):
            low = int(item.group(1), 16)
            high = int(item.group(2), 16) if item.group(2) else low
            if low < 0x80:
                kept.append(f"\\x{low:02x}-\\x{min(high, 0x7F):02x}")
            elif wide < _KEEP_WIDE:
                kept.append(f"\\U{low:08x}")
                wide += 1
        return "".join(kept)

    return _BIG_CLASS.sub(compact, pattern)


#: One pick in a hundred; ``UNICODE_SHARE`` of them (the top ones) choose the wide alphabet.
_PICK: Final = st.integers(0, 99)


@st.composite
def _mostly_narrow(draw: st.DrawFn, narrow: SearchStrategy[str], wide: SearchStrategy[str]) -> str:
    """``narrow`` most of the time (the shrink target), ``wide`` for ``UNICODE_SHARE``.

    Defined once (``_weighted`` builds a composite per call, which costs
    milliseconds per alternative of a thousand-pattern dictionary).
    """
    if draw(_PICK) >= 100 - round(100 * UNICODE_SHARE):
        return draw(wide)
    return draw(narrow)


#: A scoped flag group that turns case-insensitivity off for part of the pattern.
_SCOPED_CASE: Final = re.compile(r"\(\?[a-zA-Z]*-[a-zA-Z]*i")


# --- braces -------------------------------------------------------------------

_COUNTED: Final = re.compile(r"\{\d+(?:,\d*)?\}")


def _check_braces(literal: str) -> None:
    """Refuse a ``{`` that opens no counted repetition (outside classes and escapes)."""
    i, in_class = 0, False
    while i < len(literal):
        c = literal[i]
        if c == "\\":
            if literal.startswith(("x{", "u{", "p{", "P{", "b{"), i + 1):
                end = literal.find("}", i)
                i = end + 1 if end > 0 else len(literal)
                continue
            i += 2
            continue
        if in_class:
            if c == "]":
                in_class = False
        elif c == "[":
            in_class = True
            if literal.startswith(("[^]", "[]"), i):
                i += 3 if literal[i + 1] == "^" else 2
                continue
        elif c == "{":
            counted = _COUNTED.match(literal, i)
            if counted is None:
                raise Untranslatable(
                    "'{' opens no counted repetition: a format string, not a regex"
                )
            i = counted.end()
            continue
        elif c == "}":
            raise Untranslatable("stray '}': a format string, not a regex")
        i += 1


# --- Rust to Python -------------------------------------------------------------

_GLOBAL_FLAGS: Final = re.compile(r"\(\?([a-zA-Z]+)\)")
_FLAG_GROUP: Final = re.compile(r"\(\?([a-zA-Z]*)(?:-([a-zA-Z]*))?([:)])")
_POSIX: Final[dict[str, str]] = {
    "alnum": "0-9A-Za-z", "alpha": "A-Za-z", "ascii": "\\x00-\\x7F", "blank": "\\t ",
    "cntrl": "\\x00-\\x1F\\x7F", "digit": "0-9", "graph": "!-~", "lower": "a-z",
    "print": " -~", "punct": "!-/:-@\\[-`{-~", "space": "\\t\\n\\x0B\\f\\r ",
    "upper": "A-Z", "word": "0-9A-Za-z_", "xdigit": "0-9A-Fa-f",
}  # fmt: skip


def _from_rust(pattern: str) -> str:
    """Rewrite ``regex``-crate syntax as Python ``re`` syntax (see the module doc)."""
    if "R" in "".join(m.group(1) for m in _FLAG_GROUP.finditer(pattern)) and re.search(
        r"(?<!\\)[.^$]", pattern
    ):
        raise Untranslatable("flag R (CRLF mode) changes '.', '^' and '$'; Python has no such mode")
    out: list[str] = []
    # Per open group: the scoped-flag groups opened inside it, closed with it.
    opened: list[list[str]] = [[]]
    i, n = 0, len(pattern)
    at_start = True
    while i < n:
        c = pattern[i]
        if c == "\\":
            text, i = _rust_escape(pattern, i, in_class=False)
            out.append(text)
        elif c == "[":
            text, i = _rust_class(pattern, i)
            out.append(text)
        elif c == "(":
            flags = _FLAG_GROUP.match(pattern, i)
            if pattern.startswith(("(?=", "(?!", "(?<=", "(?<!"), i):
                raise Untranslatable("look-around is not regex-crate syntax")
            if pattern.startswith("(?<", i) or pattern.startswith("(?P<", i):
                start = i + (3 if pattern[i + 2] == "<" else 4)
                end = pattern.find(">", start)
                if end < 0:
                    raise Untranslatable("unclosed group name")
                out.append(f"(?P<{pattern[start:end]}>")
                opened.append([])
                i = end + 1
            elif flags is not None:
                on, off = _python_flags(flags.group(1), flags.group(2) or "")
                if flags.group(3) == ")":
                    if at_start and not off:
                        out.append(f"(?{on})" if on else "")
                    elif on or off:
                        scoped = f"(?{on}{'-' + off if off else ''}:"
                        out.append(scoped)
                        opened[-1].append(scoped)
                else:
                    out.append(f"(?{on}{'-' + off if off else ''}:" if on or off else "(?:")
                    opened.append([])
                i = flags.end()
                if flags.group(3) == ")":
                    continue  # still at the start for a following flag group
            else:
                out.append("(")
                opened.append([])
                i += 1
        elif c == ")":
            out.append(")" * len(opened.pop()) + ")")
            if not opened:
                raise Untranslatable("unbalanced ')'")
            i += 1
        elif c == "|" and opened[-1]:
            # Rust scopes a mid-group flag to the end of its group, across '|':
            # close the scoped groups before it and open them again after it.
            out.append(")" * len(opened[-1]) + "|" + "".join(opened[-1]))
            i += 1
        else:
            out.append(c)
            i += 1
        at_start = False
    if len(opened) != 1:
        raise Untranslatable("unclosed '('")
    out.append(")" * len(opened[0]))
    return "".join(out)


def _aims_at_something(literal: str) -> bool:
    """Letters or digits outside escapes and flags, or a ``\\d``/``\\w``/``\\p`` class."""
    if re.search(r"\\[dwpP]", literal):
        return True
    bare = re.sub(r"\\(?:[xu]\{[^}]*\}|.)|\(\?[a-zA-Z-]*[:)]", "", literal)
    return re.search(r"[^\W_]", bare) is not None


def _python_flags(on: str, off: str) -> tuple[str, str]:
    """Rust inline flags as Python ones: ``U``/``u``/``R`` dropped, ``-u`` as ``a``."""
    unknown = set(on + off) - set("imsxUuR")
    if unknown:
        raise Untranslatable(f"unknown inline flag {sorted(unknown)[0]!r}")
    py_on = "".join(f for f in on if f in "imsx")
    py_off = "".join(f for f in off if f in "imsx")
    if "u" in off:
        py_on += "a"
    return py_on, py_off


def _rust_escape(pattern: str, i: int, *, in_class: bool) -> tuple[str, int]:
    """One escape at ``pattern[i]`` (a backslash) in Python syntax, and the next position."""
    if i + 1 >= len(pattern):
        raise Untranslatable("trailing backslash")
    e = pattern[i + 1]
    if e in "xu" and pattern.startswith("{", i + 2):
        end = pattern.find("}", i)
        if end < 0:
            raise Untranslatable(f"unclosed \\{e}{{")
        try:
            code = int(pattern[i + 3 : end], 16)
            char = chr(code)
        except (ValueError, OverflowError):
            raise Untranslatable(f"bad escape {pattern[i : end + 1]!r}") from None
        return re.escape(char) if not in_class else _class_char(char), end + 1
    if e in "pP":
        if pattern.startswith("{", i + 2):
            end = pattern.find("}", i)
            if end < 0:
                raise Untranslatable(f"unclosed \\{e}{{")
            name, nxt = pattern[i + 3 : end], end + 1
        else:
            name, nxt = pattern[i + 2 : i + 3], i + 3
        ranges = _category_ranges(name)
        if e == "P":
            if in_class:
                raise Untranslatable(f"\\P{{{name}}} inside a class has no Python equivalent")
            return f"[^{ranges}]", nxt
        return (ranges if in_class else f"[{ranges}]"), nxt
    if e == "z":
        return "\\Z", i + 2
    if e == "<":
        return "\\b(?=\\w)", i + 2
    if e == ">":
        return "\\b(?<=\\w)", i + 2
    if e == "b" and pattern.startswith("{", i + 2):
        end = pattern.find("}", i)
        kind = pattern[i + 3 : end]
        if kind == "start":
            return "\\b(?=\\w)", end + 1
        if kind == "end":
            return "\\b(?<=\\w)", end + 1
        raise Untranslatable(f"\\b{{{kind}}} has no Python equivalent")
    if e.isdigit() and e != "0":
        raise Untranslatable("back-references are not regex-crate syntax")
    return pattern[i : i + 2], i + 2


def _class_char(char: str) -> str:
    return "\\" + char if char in "\\]^-[" else char


def _rust_class(pattern: str, i: int) -> tuple[str, int]:
    """A bracketed class at ``pattern[i]`` in Python syntax, and the position after it."""
    out = ["["]
    j = i + 1
    if pattern.startswith("^", j):
        out.append("^")
        j += 1
    if pattern.startswith("]", j):
        out.append("\\]")
        j += 1
    while j < len(pattern):
        c = pattern[j]
        if c == "]":
            return "".join(out) + "]", j + 1
        if c == "\\":
            text, j = _rust_escape(pattern, j, in_class=True)
            out.append(text)
            continue
        if c == "[":
            posix = re.match(r"\[:(\^?)([a-z]+):\]", pattern[j:])
            if posix is None:
                raise Untranslatable("nested character class has no Python equivalent")
            if posix.group(1):
                raise Untranslatable(f"negated POSIX class [:^{posix.group(2)}:] inside a class")
            if posix.group(2) not in _POSIX:
                raise Untranslatable(f"unknown POSIX class [:{posix.group(2)}:]")
            out.append(_POSIX[posix.group(2)])
            j += posix.end()
            continue
        if pattern.startswith(("&&", "--", "~~"), j):
            raise Untranslatable(
                f"class set operation {pattern[j : j + 2]!r} has no Python equivalent"
            )
        out.append(c)
        j += 1
    raise Untranslatable("unclosed '['")


#: Long names of the general categories, and the one-letter groups.
_CATEGORY_NAMES: Final[dict[str, str]] = {
    "letter": "L", "casedletter": "LC", "uppercaseletter": "Lu", "lowercaseletter": "Ll",
    "titlecaseletter": "Lt", "modifierletter": "Lm", "otherletter": "Lo", "mark": "M",
    "combiningmark": "M", "nonspacingmark": "Mn", "spacingmark": "Mc", "enclosingmark": "Me",
    "number": "N", "decimalnumber": "Nd", "digit": "Nd", "letternumber": "Nl",
    "othernumber": "No", "punctuation": "P", "punct": "P", "connectorpunctuation": "Pc",
    "dashpunctuation": "Pd", "openpunctuation": "Ps", "closepunctuation": "Pe",
    "initialpunctuation": "Pi", "finalpunctuation": "Pf", "otherpunctuation": "Po",
    "symbol": "S", "mathsymbol": "Sm", "currencysymbol": "Sc", "modifiersymbol": "Sk",
    "othersymbol": "So", "separator": "Z", "spaceseparator": "Zs", "lineseparator": "Zl",
    "paragraphseparator": "Zp", "other": "C", "control": "Cc", "cntrl": "Cc",
    "format": "Cf", "surrogate": "Cs", "privateuse": "Co", "unassigned": "Cn",
}  # fmt: skip
#: Lower-cased short name -> short name: every category the long names reach.
_SHORT_CATEGORIES: Final[dict[str, str]] = {
    short.lower(): short for short in _CATEGORY_NAMES.values()
}


def _category_ranges(name: str) -> str:
    """The class body (no brackets) of a Unicode general category, by short or long name."""
    key = re.sub(r"[\s_-]", "", name).lower()
    short = _SHORT_CATEGORIES.get(key) or _CATEGORY_NAMES.get(key)
    if short is None:
        if key in ("any",):
            return "\\x00-\\U0010ffff"
        raise Untranslatable(
            f"\\p{{{name}}} is a Unicode script or property; Python's re has only categories"
        )
    return _ranges_of(short)


@functools.cache
def _ranges_of(short: str) -> str:
    wanted = ("Lu", "Ll", "Lt") if short == "LC" else None
    spans: list[tuple[int, int]] = []
    for code in range(sys.maxunicode + 1):
        cat = unicodedata.category(chr(code))
        if (cat in wanted) if wanted else cat.startswith(short):
            if spans and spans[-1][1] == code - 1:
                spans[-1] = (spans[-1][0], code)
            else:
                spans.append((code, code))
    return "".join(f"\\U{a:08x}" if a == b else f"\\U{a:08x}-\\U{b:08x}" for a, b in spans)


# --- alternatives -----------------------------------------------------------------


@attrs.frozen
class _Group:
    """A parenthesised group: its opener (``(``, ``(?:``, ``(?P<n>``...), body and
    whether its branches are alternatives worth reaching (look-arounds are not)."""

    opener: str
    body: _Alternation
    expandable: bool


@attrs.frozen
class _Alternation:
    branches: tuple[tuple[str | _Group, ...], ...]


def _render_alt(alt: _Alternation) -> str:
    return "|".join(_render_seq(seq) for seq in alt.branches)


def _render_seq(seq: tuple[str | _Group, ...]) -> str:
    return "".join(item if isinstance(item, str) else _render_group(item) for item in seq)


def _render_group(group: _Group) -> str:
    return group.opener + _render_alt(group.body) + ")"


def _alternation_alts(alt: _Alternation) -> Iterator[str]:
    for seq in alt.branches:
        yield from _sequence_alts(seq)


def _sequence_alts(seq: tuple[str | _Group, ...]) -> Iterator[str]:
    pinned_any = False
    for k, item in enumerate(seq):
        if not (isinstance(item, _Group) and item.expandable and _has_choice(item.body)):
            continue
        opener = item.opener if item.opener != "(" else "(?:"
        nxt = seq[k + 1] if k + 1 < len(seq) else ""
        quant, rest = _mandatory(nxt) if isinstance(nxt, str) else ("", None)
        for inner in _alternation_alts(item.body):
            pinned_any = True
            parts = [*seq[:k], opener + inner + ")" + quant]
            if rest is not None:
                parts.append(rest)
                parts.extend(seq[k + 2 :])
            else:
                parts.extend(seq[k + 1 :])
            yield _render_seq(tuple(parts))
    if not pinned_any:
        yield _render_seq(seq)


def _has_choice(alt: _Alternation) -> bool:
    if len(alt.branches) > 1:
        return True
    return any(
        isinstance(item, _Group) and item.expandable and _has_choice(item.body)
        for seq in alt.branches
        for item in seq
    )


_QUANT: Final = re.compile(r"(\?|\*|\+|\{(\d*)(,\d*)?\})(\?)?")


def _mandatory(text: str) -> tuple[str, str | None]:
    """A quantifier opening ``text`` with its minimum raised to one: (quantifier, rest)."""
    m = _QUANT.match(text)
    if m is None:
        return "", None
    q = m.group(1)
    if q == "?":
        new = ""
    elif q == "*":
        new = "+"
    elif q.startswith("{") and m.group(2) in ("", "0"):
        new = "{1" + (m.group(3) or "") + "}"
    else:
        new = q
    return new, text[m.end() :]


def _split_global_flags(pattern: str) -> tuple[str, str]:
    flags = ""
    while m := _GLOBAL_FLAGS.match(pattern):
        flags += m.group(0)
        pattern = pattern[m.end() :]
    return flags, pattern


_SRE: Final[Any] = importlib.import_module("re._parser")
_SRE_CONST: Final[Any] = importlib.import_module("re._constants")


def _misanchored(alternative: str) -> bool:
    """True when a top-level ``^``/``\\A`` follows, or ``$``/``\\Z`` precedes, text
    every match must hold (so nothing matches and ``from_regex`` could only give up)."""
    compiled = compile_regex(alternative)
    if compiled.flags & re.MULTILINE:
        return False
    with _quiet_re():
        items = list(_SRE.parse(alternative, compiled.flags))
    c = _SRE_CONST
    ends, starts = (c.AT_END, c.AT_END_STRING), (c.AT_BEGINNING, c.AT_BEGINNING_STRING)
    consumed = False
    for k, (op, av) in enumerate(items):
        if op is c.AT:
            if av in starts and consumed:
                return True
            if av in ends:
                return any(_consumes(o, a) for o, a in items[k + 1 :])
            continue
        consumed = consumed or _consumes(op, av)
    return False


def _consumes(op: Any, av: Any) -> bool:
    """Whether a parsed item always matches at least one character."""
    c = _SRE_CONST
    if op in (c.LITERAL, c.NOT_LITERAL, c.IN, c.ANY, c.CATEGORY):
        return True
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
        return bool(av[0] >= 1 and any(_consumes(o, a) for o, a in av[2]))
    if op is c.SUBPATTERN:
        return any(_consumes(o, a) for o, a in av[-1])
    return False


def _compiles(pattern: str) -> bool:
    try:
        compile_regex(pattern)
    except (re.error, OverflowError, RecursionError):
        return False
    return True


class _Parser:
    """Just enough of a regex parser to find groups and ``|``: escapes and classes
    are copied as text; each text run between structure is one string item."""

    def __init__(self, pattern: str) -> None:
        self.p = pattern
        self.i = 0
        #: A group ran to the end of the pattern without its ``)``.
        self.unclosed = False

    def parse(self) -> _Alternation:
        alt = self._alternation()
        if self.i < len(self.p):  # an unbalanced ')': keep the rest as text
            whole: tuple[str | _Group, ...] = (_render_alt(alt) + self.p[self.i :],)
            return _Alternation((whole,))
        return alt

    def _alternation(self) -> _Alternation:
        branches = [self._sequence()]
        while self.i < len(self.p) and self.p[self.i] == "|":
            self.i += 1
            branches.append(self._sequence())
        return _Alternation(tuple(branches))

    def _sequence(self) -> tuple[str | _Group, ...]:
        items: list[str | _Group] = []
        text: list[str] = []

        def flush() -> None:
            if text:
                items.append("".join(text))
                text.clear()

        p = self.p
        while self.i < len(p) and p[self.i] not in "|)":
            c = p[self.i]
            if c == "\\":
                text.append(p[self.i : self.i + 2])
                self.i += 2
            elif c == "[":
                end = self._class_end(self.i)
                text.append(p[self.i : end])
                self.i = end
            elif c == "(":
                opener, expandable = self._opener()
                if opener.endswith(")"):  # a flag group or comment: no body
                    text.append(opener)
                    continue
                flush()
                body = self._alternation()
                if self.i < len(p) and p[self.i] == ")":
                    self.i += 1
                else:
                    self.unclosed = True
                items.append(_Group(opener, body, expandable))
            else:
                text.append(c)
                self.i += 1
        flush()
        return tuple(items)

    def _opener(self) -> tuple[str, bool]:
        p, i = self.p, self.i
        if not p.startswith("(?", i):
            self.i += 1
            return "(", True
        for fixed, expandable in (
            ("(?:", True), ("(?=", False), ("(?!", False), ("(?<=", False), ("(?<!", False),
            ("(?>", True),
        ):  # fmt: skip
            if p.startswith(fixed, i):
                self.i += len(fixed)
                return fixed, expandable
        if p.startswith(("(?P<", "(?<"), i):
            end = p.find(">", i)
            self.i = end + 1
            return p[i : end + 1], True
        if p.startswith(("(?#", "(?P="), i):
            end = p.find(")", i)
            self.i = end + 1
            return p[i : end + 1], False
        if p.startswith("(?(", i):  # a conditional: copied whole as a non-expandable group
            self.i = p.find(")", i) + 1
            return p[i : self.i], False
        m = _FLAG_GROUP.match(p, i)
        if m is not None:
            self.i = m.end()
            return m.group(0), True
        self.i += 1
        return "(", True

    def _class_end(self, i: int) -> int:
        p = self.p
        j = i + 1
        if p.startswith("^", j):
            j += 1
        if p.startswith("]", j):
            j += 1
        while j < len(p):
            if p[j] == "\\":
                j += 2
                continue
            if p[j] == "]":
                return j + 1
            j += 1
        return len(p)
