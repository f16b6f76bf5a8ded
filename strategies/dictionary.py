"""Dictionaries harvested from the analyzers' own source, and texts built from them.

The analyzers match phrases they carry in their source: Python lists and
regexes in the reference, Rust arrays and ``Regex::new(r"...")`` in the
port, sometimes word lists beside them. ``harvest_phrases`` reads those
trees and returns the phrases, so a campaign can aim at wordings our
lexicons never thought of (a fuzzing *dictionary*, as AFL and libFuzzer
call it). Nothing harvested is stored in this repository: the user points
the fuzzer at their own checkouts and the phrases live in memory.

What counts as a phrase:

- every string literal: Python via ``ast`` (docstrings and f-string pieces
  skipped; ``tokenize`` as a fallback for files that do not parse), Rust
  via a tokenizing regex that knows ``"..."``, ``r"..."``, ``r#"..."#``,
  byte strings, char literals and comments; strings in ``.json``,
  ``.toml`` and ``.yaml``/``.yml`` files, and lines of ``.txt`` files;
- each literal is read as a regex and expanded when it is a plain
  alternation: ``(?i)``-style flags, ``\\b``, ``^`` and ``$`` are dropped,
  ``\\s`` (alone or with ``+``, ``*`` or ``?``: each matches one space)
  becomes a space, escaped punctuation becomes itself, and groups
  ``( | )`` / ``(?: | )`` expand to every alternative (nested too), so
  ``r"\\b(thank you|thanks a lot)\\b"`` gives both phrases. A pattern with
  any other metacharacter (``? * + . [ ] { }``, ``\\d``, look-arounds...)
  is skipped rather than guessed at;
- a literal that is no such pattern but has no regex syntax besides ``.``
  and ``?`` is read as plain text (``"I give up."``);
- punctuation at word ends is stripped (as the analyzers normalise text),
  and what is left is kept if it is phrase-like: letters and single spaces
  (an apostrophe is allowed between two letters, as in "don't"), 2 to 60
  characters after collapsing whitespace. Result: de-duplicated, sorted.

Directories are walked recursively; hidden folders, ``__pycache__``,
``node_modules``, and folders holding a ``CACHEDIR.TAG`` (Cargo's
``target/``) or a ``pyvenv.cfg`` (a virtualenv) are skipped.

Regexes (``harvest``): besides the phrases, every literal with regex syntax
(any of ``\\ ( ) [ ] { } | * + ^ $``) is read as a regex, translated from
the Rust ``regex`` crate's syntax for ``.rs`` files, and split into its
alternatives (``strategies.regexes``). Each becomes a ``HarvestedPattern``;
each literal that cannot be translated, or is not worth a strategy, becomes
a ``SkippedLiteral`` with the reason, so nothing is dropped silently. A
plain alternation (``(thank you|thanks)``) is both: its phrases, and a
pattern whose alternatives coverage reports on.

Placement (``dictionary_conversations``): the analyzers read ``human``,
``gpt``, ``observation`` and ``function_call`` rows, so a harvested text
(a phrase, or a text drawn from one alternative: every phrase and every
alternative has the same weight) goes into any of them: a user or
assistant turn, an observation after a plain call (as text or in a JSON
error body), a tool name, call argument text, or a bare call. It sits alone
or in filler with a casing/ending variant (kept only if the alternative
still matches the framed text, raw or lower-cased, so anchors and ``\\b``
survive), and about one time in five gets a hazard mutation (Unicode
spaces, look-alikes, case, accents, typographic marks): a near miss.
"""

from __future__ import annotations

import ast
import io
import itertools
import json
import re
import string
import tokenize
import tomllib
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Final

import attrs
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from strategies.hazards import apply_mutations, hazard_mutations
from strategies.regexes import Untranslatable, alternative_texts, compile_regex, translate
from strategies.text import _FRAMES, _embedded, _framed, _maybe

#: Suffixes read as source code, and as word lists.
SOURCE_SUFFIXES: Final[frozenset[str]] = frozenset({".py", ".rs"})
WORDLIST_SUFFIXES: Final[frozenset[str]] = frozenset({".txt", ".json", ".toml", ".yaml", ".yml"})

_SKIP_DIRS: Final[frozenset[str]] = frozenset({"__pycache__", "node_modules"})
_SKIP_MARKERS: Final[tuple[str, ...]] = ("CACHEDIR.TAG", "pyvenv.cfg")

#: Lengths of a kept phrase, in characters.
MIN_PHRASE, MAX_PHRASE = 2, 60
#: A pattern expanding to more alternatives than this is skipped.
_MAX_EXPANSIONS: Final = 256


@attrs.frozen
class HarvestedPattern:
    """A regex literal of a source tree, as Python regex and alternatives.

    ``literal`` is the text as written (Rust syntax for ``.rs`` files),
    ``origin`` the file it was first found in.
    """

    literal: str
    origin: str
    python: str
    alternatives: tuple[str, ...]


@attrs.frozen
class SkippedLiteral:
    """A literal with regex syntax that generates nothing, and why."""

    literal: str
    origin: str
    reason: str


@attrs.frozen
class Dictionary:
    """Everything harvested: phrases, regex patterns, and what was skipped."""

    phrases: tuple[str, ...] = ()
    patterns: tuple[HarvestedPattern, ...] = ()
    skipped: tuple[SkippedLiteral, ...] = ()

    def __bool__(self) -> bool:
        """True when there is something to generate from."""
        return bool(self.phrases or self.patterns)

    @property
    def alternative_count(self) -> int:
        """Alternatives over all patterns."""
        return sum(len(p.alternatives) for p in self.patterns)

    @classmethod
    def of(cls, dictionary: Dictionary | Sequence[str]) -> Dictionary:
        """A ``Dictionary`` as is, or a sequence of phrases as a phrases-only one."""
        if isinstance(dictionary, Dictionary):
            return dictionary
        return cls(phrases=tuple(dictionary))


def harvest(paths: Sequence[str | Path]) -> Dictionary:
    """Phrases, regex patterns and skipped literals of the trees and files at ``paths``.

    Raises ``FileNotFoundError`` naming a path that does not exist and
    ``ValueError`` for a file of a kind it cannot read
    (``fuzz`` turns both into a usage error).
    """
    if isinstance(paths, str | Path):
        paths = [paths]
    found: set[str] = set()
    patterns: dict[str, HarvestedPattern] = {}
    skipped: dict[str, SkippedLiteral] = {}
    for path in (Path(p) for p in paths):
        if not path.exists():
            raise FileNotFoundError(f"{str(path)!r} does not exist")
        if path.is_file() and path.suffix not in SOURCE_SUFFIXES | WORDLIST_SUFFIXES:
            kinds = ", ".join(sorted(SOURCE_SUFFIXES | WORDLIST_SUFFIXES))
            raise ValueError(f"{str(path)!r} is not a file harvest_phrases reads ({kinds})")
        for file in _files(path):
            rust = file.suffix == ".rs"
            for literal in _literals(file):
                found.update(phrases_of(literal))
                if literal in patterns or literal in skipped or not _REGEX_SYNTAX & set(literal):
                    continue
                try:
                    done = translate(literal, rust=rust)
                except Untranslatable as exc:
                    skipped[literal] = SkippedLiteral(literal, str(file), str(exc))
                else:
                    patterns[literal] = HarvestedPattern(
                        literal, str(file), done.python, done.alternatives
                    )
    return Dictionary(
        phrases=tuple(sorted(found)),
        patterns=tuple(patterns.values()),
        skipped=tuple(skipped.values()),
    )


def harvest_phrases(paths: Sequence[str | Path]) -> tuple[str, ...]:
    """Phrase-like strings from the source trees and files at ``paths``, sorted.

    The phrases of ``harvest``; same errors.
    """
    return harvest(paths).phrases


def dictionary_conversations(
    dictionary: Dictionary, *, max_units: int = 4
) -> SearchStrategy[list[dict[str, str]]]:
    """Short conversations carrying harvested phrases and regex matches in every role.

    One to ``max_units`` units, each one message (a ``human``/``gpt`` turn,
    a ``function_call`` naming the text or carrying it as argument text, or
    the text as a bare call) or a call followed by an ``observation`` holding
    it. Every phrase and every pattern alternative is drawn with the same
    weight. Shrinks to one unit holding one bare text.
    """
    if not isinstance(dictionary, Dictionary):
        raise InvalidArgument(
            f"dictionary_conversations(dictionary={dictionary!r:.60}) must be a Dictionary, "
            "e.g. harvest([...])"
        )
    if not dictionary:
        raise InvalidArgument(
            "dictionary_conversations(dictionary=...) needs at least one phrase or pattern"
        )
    if isinstance(max_units, bool) or not isinstance(max_units, int) or max_units < 1:
        raise InvalidArgument(f"dictionary_conversations(max_units={max_units!r}) must be >= 1")
    return _dictionary_conversations(dictionary, max_units)


def dictionary_texts(phrases: Sequence[str]) -> SearchStrategy[str]:
    """Texts holding one to three harvested ``phrases``, embedded in neutral filler.

    Each phrase lands at the start, middle or end of a run of filler, with
    casing and trailing-punctuation variants; phrases are drawn with
    ``sampled_from`` (in the given order, so failures shrink to the first
    phrase), and the text shrinks to a single unvaried phrase.
    """
    if isinstance(phrases, str) or not isinstance(phrases, Sequence):
        raise InvalidArgument(
            f"dictionary_texts(phrases={phrases!r:.60}) must be a sequence of strings, "
            "e.g. harvest_phrases([...])"
        )
    chosen = tuple(dict.fromkeys(phrases))
    if not chosen or not all(isinstance(p, str) and p for p in chosen):
        raise InvalidArgument(
            "dictionary_texts(phrases=...) needs at least one phrase, all non-empty strings"
        )
    return st.lists(_embedded(chosen), min_size=1, max_size=3).map(" ".join)


def phrases_of(literal: str) -> list[str]:
    """The phrases one string literal yields: its literal alternatives, phrase-like ones only.

    A literal that is not a plain alternation but has no regex syntax other
    than ``.`` and ``?`` (``"I give up."``, ``"really?"``) is read as text.
    Punctuation at word ends is stripped, as the analyzers' normalisation does.
    """
    expanded = literal_alternatives(literal)
    if expanded is None:
        if _REGEX_SYNTAX.intersection(literal):
            return []
        expanded = [literal]
    out = []
    for text in expanded:
        words = (word.strip(_END_PUNCTUATION) for word in text.split())
        phrase = " ".join(word for word in words if word)
        if MIN_PHRASE <= len(phrase) <= MAX_PHRASE and _PHRASE_LIKE.fullmatch(phrase):
            out.append(phrase)
    return out


def literal_alternatives(pattern: str) -> list[str] | None:
    """Every string a plain-alternation regex matches, or None if it is not one.

    ``(?i)``, ``\\b``, ``^`` and ``$`` are dropped; other metacharacters make
    it None. A string without metacharacters is its own single alternative.
    """
    try:
        tokens = _regex_tokens(pattern)
        parser = _AltParser(tokens)
        result = parser.alternation()
        if parser.pos != len(tokens):
            return None  # an unmatched ')'
    except _NotLiteral:
        return None
    return result


# --- walking ----------------------------------------------------------------


def _files(path: Path) -> Iterator[Path]:
    if path.is_file():
        yield path
        return
    if _skipped_dir(path):
        return
    for child in sorted(path.iterdir()):
        if child.is_dir():
            if not child.name.startswith(".") and child.name not in _SKIP_DIRS:
                yield from _files(child)
        elif child.suffix in SOURCE_SUFFIXES | WORDLIST_SUFFIXES:
            yield child


def _skipped_dir(path: Path) -> bool:
    return any((path / marker).exists() for marker in _SKIP_MARKERS)


def _literals(file: Path) -> Iterable[str]:
    try:
        text = file.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    suffix = file.suffix
    if suffix == ".py":
        return _python_literals(text)
    if suffix == ".rs":
        return _rust_literals(text)
    if suffix == ".txt":
        return [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    if suffix == ".json":
        try:
            return list(_strings_in(json.loads(text)))
        except ValueError:
            return []
    if suffix == ".toml":
        try:
            return list(_strings_in(tomllib.loads(text)))
        except tomllib.TOMLDecodeError:
            return []
    return _yaml_scalars(text)


def _strings_in(value: Any) -> Iterator[str]:
    """Every string in a JSON/TOML value, keys included (word lists are often keyed)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings_in(key)
            yield from _strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings_in(item)


# --- Python -----------------------------------------------------------------


def _python_literals(source: str) -> list[str]:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return _python_literals_by_tokens(source)
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                skip.add(id(body[0].value))  # a docstring
        elif isinstance(node, ast.JoinedStr):
            skip.update(id(part) for part in node.values)  # f-string pieces
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
    ]


def _python_literals_by_tokens(source: str) -> list[str]:
    out = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.STRING:
                try:
                    value = ast.literal_eval(token.string)
                except (ValueError, SyntaxError):
                    continue
                if isinstance(value, str):
                    out.append(value)
    except (tokenize.TokenError, SyntaxError):
        pass
    return out


# --- Rust -------------------------------------------------------------------

#: Rust tokens that can hold or hide a double quote, tried in this order at
#: each position: comments, raw strings, strings, char literals.
_RUST_TOKENS: Final = re.compile(
    r"""
      (?P<line_comment>//[^\n]*)
    | (?P<block_comment>/\*.*?\*/)
    | (?P<raw>b?r(?P<hashes>\#*)"(?P<raw_body>.*?)"(?P=hashes))
    | (?P<string>b?"(?P<body>(?:[^"\\]|\\.)*)")
    | (?P<char>b?'(?:[^'\\\n]|\\(?:u\{[0-9a-fA-F]{1,6}\}|x[0-9a-fA-F]{2}|.))')
    """,
    re.VERBOSE | re.DOTALL,
)
_RUST_ESCAPE: Final = re.compile(r"\\(u\{[0-9a-fA-F]{1,6}\}|x[0-9a-fA-F]{2}|\n\s*|.)", re.DOTALL)
_RUST_SIMPLE_ESCAPES: Final[dict[str, str]] = {
    "n": "\n", "r": "\r", "t": "\t", "0": "\0", "\\": "\\", '"': '"', "'": "'",
}  # fmt: skip


def _rust_literals(source: str) -> list[str]:
    out = []
    for match in _RUST_TOKENS.finditer(source):
        token = match.group(0)
        if token.startswith("b"):
            continue  # byte strings are not text the analyzer matches
        if match.group("raw") is not None:
            out.append(match.group("raw_body"))
        elif match.group("string") is not None:
            out.append(_RUST_ESCAPE.sub(_rust_unescape, match.group("body")))
    return out


def _rust_unescape(match: re.Match[str]) -> str:
    escape = match.group(1)
    if escape.startswith("u{"):
        code = int(escape[2:-1], 16)
        return chr(code) if code < 0x110000 else ""
    if escape.startswith("x"):
        return chr(int(escape[1:], 16))
    if escape.startswith("\n"):
        return ""  # a line continuation
    return _RUST_SIMPLE_ESCAPES.get(escape, "\\" + escape)


# --- YAML (a subset: scalars of mappings and lists) -------------------------

_YAML_SCALAR: Final = re.compile(r"^\s*(?:-\s+|[^:#\s][^:#]*:\s+)(?P<value>.+?)\s*$")


def _yaml_scalars(text: str) -> list[str]:
    out = []
    for line in text.splitlines():
        line = re.sub(r"\s+#.*$", "", line)
        match = _YAML_SCALAR.match(line)
        if not match:
            continue
        value = match.group("value")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        out.append(value)
    return out


# --- regex to literals --------------------------------------------------------

#: Words of letters (an apostrophe allowed between letters), joined by single spaces.
_WORD: Final = r"[^\W\d_]+(?:['\u2019][^\W\d_]+)*"
_PHRASE_LIKE: Final = re.compile(rf"{_WORD}(?: {_WORD})*")
#: Regex syntax that makes a literal a pattern rather than text.
_REGEX_SYNTAX: Final = frozenset("\\()[]{}|*+^$")
#: Stripped from word ends: ASCII punctuation and typographic quotes.
_END_PUNCTUATION: Final = string.punctuation + "\u2018\u2019\u201c\u201d\u00ab\u00bb"
_FLAGS: Final = re.compile(r"\(\?[aiLmsux]+\)")
_META: Final = frozenset(".?*+[]{}")


class _NotLiteral(Exception):
    """The pattern has a metacharacter we do not turn into literal text."""


#: Token kinds of the little alternation grammar.
_OPEN, _CLOSE, _BAR = "(", ")", "|"


def _regex_tokens(pattern: str) -> list[tuple[str, str]]:
    """Split a pattern into ("lit", text) and structure tokens, or raise ``_NotLiteral``."""
    pattern = _FLAGS.sub("", pattern)
    tokens: list[tuple[str, str]] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            if i + 1 >= len(pattern):
                raise _NotLiteral
            e = pattern[i + 1]
            i += 2
            if e == "b":
                continue
            if e == "s":
                if pattern[i : i + 1] in ("+", "*", "?"):
                    i += 1  # a single space is matched by each of these
                tokens.append(("lit", " "))
            elif not e.isalnum():
                tokens.append(("lit", e))
            else:
                raise _NotLiteral  # \d, \w, \B, \1 ...: not a literal
            continue
        if c == "(":
            if pattern.startswith("(?:", i):
                i += 3
            elif pattern.startswith("(?", i):
                raise _NotLiteral  # look-around, named group, inline flag group
            else:
                i += 1
            tokens.append((_OPEN, c))
            continue
        if c in ")|":
            tokens.append((c, c))
        elif c in "^$":
            pass
        elif c in _META:
            raise _NotLiteral
        else:
            tokens.append(("lit", c))
        i += 1
    return tokens


class _AltParser:
    """alternation := sequence ('|' sequence)*; sequence := (lit | '(' alternation ')')*."""

    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.pos = 0

    def _peek(self) -> str | None:
        return self.tokens[self.pos][0] if self.pos < len(self.tokens) else None

    def alternation(self) -> list[str]:
        options = self.sequence()
        while self._peek() == _BAR:
            self.pos += 1
            options += self.sequence()
        if len(options) > _MAX_EXPANSIONS:
            raise _NotLiteral
        return options

    def sequence(self) -> list[str]:
        parts: list[list[str]] = []
        while (kind := self._peek()) not in (None, _BAR, _CLOSE):
            if kind == _OPEN:
                self.pos += 1
                inner = self.alternation()
                if self._peek() != _CLOSE:
                    raise _NotLiteral  # an unclosed group
                self.pos += 1
                parts.append(inner)
            else:
                parts.append([self.tokens[self.pos][1]])
                self.pos += 1
        total = 1
        for part in parts:
            total *= len(part)
        if total > _MAX_EXPANSIONS:
            raise _NotLiteral
        return ["".join(combo) for combo in itertools.product(*parts)]


# --- placing harvested texts -------------------------------------------------

#: Plain calls an observation follows, so its failure is attributed.
_CALLS: Final[tuple[str, ...]] = (
    '{"name": "search", "arguments": {}}',
    '{"name": "run_command", "arguments": {"cmd": "deploy"}}',
    '{"name": "http_get", "arguments": {"url": "https://example.com"}}',
)
#: Share of harvested texts that get a hazard mutation (a near miss).
NEAR_MISS_SHARE: Final = 0.2


def _keeps_match(alternative: str, core: str, framed: str) -> str:
    """``framed`` if the alternative still matches in it (raw or lower-cased), else ``core``."""
    pattern = compile_regex(alternative)
    if pattern.search(framed) or pattern.search(framed.lower()):
        return framed
    return core


def _cores(dictionary: Dictionary) -> SearchStrategy[tuple[str | None, str]]:
    """(alternative or None for a phrase, bare text): every entry one equal share."""
    entries: list[tuple[str | None, str]] = [(None, p) for p in dictionary.phrases]
    entries += [(alt, alt) for p in dictionary.patterns for alt in p.alternatives]
    picks = st.sampled_from(entries)

    @st.composite
    def core(draw: st.DrawFn) -> tuple[str | None, str]:
        alternative, text = draw(picks)
        if alternative is None:
            return None, text
        return alternative, draw(alternative_texts(alternative))

    return core()


def _harvested_texts(dictionary: Dictionary) -> SearchStrategy[str]:
    """One harvested text, maybe framed in filler, maybe mutated into a near miss."""
    cores = _cores(dictionary)
    frames = st.sampled_from(_FRAMES)
    # Near misses: our Unicode mutations, and (a third of the time) a cross-language
    # hazard against the pattern's edges or words, where \\b, \\w and (?i) part.
    from strategies.crosslang_hazards import crosslang_mutations

    mutation = _weighted_mutations(hazard_mutations(surrogates=False), crosslang_mutations())
    near_miss = _maybe(st.lists(mutation, min_size=1, max_size=2), NEAR_MISS_SHARE)

    @st.composite
    def text(draw: st.DrawFn) -> str:
        alternative, core = draw(cores)
        framed = _framed(core, draw(frames))
        if alternative is not None:
            framed = _keeps_match(alternative, core, framed)
        mutations = draw(near_miss)
        return framed if mutations is None else apply_mutations(framed, mutations)

    return text()


def _weighted_mutations(
    ours: SearchStrategy[Callable[[str], str]], crosslang: SearchStrategy[Callable[[str], str]]
) -> SearchStrategy[Callable[[str], str]]:
    from strategies.text import _weighted

    return _weighted((2 / 3, ours), (1 / 3, crosslang))


def _unit_builders() -> tuple[Callable[[str, int], list[dict[str, str]]], ...]:
    """Ways to place a text, plainest first (the shrink target)."""

    def human(t: str, k: int) -> list[dict[str, str]]:
        return [{"from": "human", "value": t}]

    def gpt(t: str, k: int) -> list[dict[str, str]]:
        return [{"from": "gpt", "value": t}]

    def observation(t: str, k: int) -> list[dict[str, str]]:
        return [
            {"from": "function_call", "value": _CALLS[k % len(_CALLS)]},
            {"from": "observation", "value": t},
        ]

    def json_observation(t: str, k: int) -> list[dict[str, str]]:
        body = json.dumps({("error", "message", "detail")[k % 3]: t}, ensure_ascii=False)
        return [
            {"from": "function_call", "value": _CALLS[k % len(_CALLS)]},
            {"from": "observation", "value": body},
        ]

    def tool_name(t: str, k: int) -> list[dict[str, str]]:
        return [
            {
                "from": "function_call",
                "value": json.dumps({"name": t, "arguments": {}}, ensure_ascii=False),
            }
        ]

    def argument(t: str, k: int) -> list[dict[str, str]]:
        call = {"name": "search", "arguments": {"query": t}}
        return [{"from": "function_call", "value": json.dumps(call, ensure_ascii=False)}]

    def bare_call(t: str, k: int) -> list[dict[str, str]]:
        return [{"from": "function_call", "value": t}]

    return (human, observation, gpt, json_observation, tool_name, argument, bare_call)


_UNIT_BUILDERS: Final = _unit_builders()


def _dictionary_conversations(
    dictionary: Dictionary, max_units: int
) -> SearchStrategy[list[dict[str, str]]]:
    texts = _harvested_texts(dictionary)
    unit = st.builds(
        lambda build, t, k: build(t, k),
        st.sampled_from(_UNIT_BUILDERS),
        texts,
        st.integers(0, 5),
    )
    return st.lists(unit, min_size=1, max_size=max_units).map(
        lambda units: [m for u in units for m in u]
    )
