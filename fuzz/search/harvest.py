"""Harvesting: the phrases and regexes an analyzer's own source carries, for ``--dictionary``.

The analyzers match phrases they carry in their source: Python lists and
regexes in the reference, Rust arrays and ``Regex::new(r"...")`` in the
port, sometimes word lists beside them. ``harvest`` reads those trees and
returns a ``strategies.dictionary.Dictionary``, so a campaign can aim at
wordings our lexicons never thought of (a fuzzing *dictionary*, as AFL and
libFuzzer call it). Nothing harvested is stored in this repository: the
user points the fuzzer at their own checkouts and the phrases live in
memory. What is harvested, and how it is generated from, is described in
``strategies.dictionary``; this module only reads sources.

What counts as a phrase:

- every string literal: Python via ``ast`` (docstrings and f-string pieces
  skipped; ``tokenize`` as a fallback for files that do not parse), Rust
  via a tokenizing regex that knows ``"..."``, ``r"..."``, ``r#"..."#``,
  byte strings, char literals and comments; strings in ``.json``,
  ``.toml`` and ``.yaml``/``.yml`` files, and lines of ``.txt`` files;
- each literal is read as a regex and expanded when it is a plain
  alternation (``strategies.regexes.literal_alternatives``), so
  ``r"\\b(thank you|thanks a lot)\\b"`` gives both phrases;
- a literal that is no such pattern but has no regex syntax besides ``.``
  and ``?`` is read as plain text (``"I give up."``);
- punctuation at word ends is stripped (as the analyzers normalise text),
  and what is left is kept if it is phrase-like: letters and single spaces
  (an apostrophe is allowed between two letters, as in "don't"), 2 to 60
  characters after collapsing whitespace. Result: de-duplicated, sorted.

Directories are walked recursively; hidden folders, ``__pycache__``,
``node_modules``, and folders holding a ``CACHEDIR.TAG`` (Cargo's
``target/``) or a ``pyvenv.cfg`` (a virtualenv) are skipped.

Regexes: besides the phrases, every literal with regex syntax (any of
``\\ ( ) [ ] { } | * + ^ $``) is read as a regex, translated from the Rust
``regex`` crate's syntax for ``.rs`` files, and split into its alternatives
(``strategies.regexes``). Each becomes a ``HarvestedPattern``; each literal
that cannot be translated, or is not worth a strategy, becomes a
``SkippedLiteral`` with the reason, so nothing is dropped silently.
"""

from __future__ import annotations

import ast
import io
import json
import re
import string
import tokenize
import tomllib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Final

from fuzz.errors import UsageError
from strategies.dictionary import Dictionary, HarvestedPattern, SkippedLiteral
from strategies.regexes import Untranslatable, literal_alternatives, translate

#: Suffixes read as source code, and as word lists.
SOURCE_SUFFIXES: Final[frozenset[str]] = frozenset({".py", ".rs"})
WORDLIST_SUFFIXES: Final[frozenset[str]] = frozenset({".txt", ".json", ".toml", ".yaml", ".yml"})

_SKIP_DIRS: Final[frozenset[str]] = frozenset({"__pycache__", "node_modules"})
_SKIP_MARKERS: Final[tuple[str, ...]] = ("CACHEDIR.TAG", "pyvenv.cfg")

#: Lengths of a kept phrase, in characters.
MIN_PHRASE, MAX_PHRASE = 2, 60


def harvest(paths: Sequence[str | Path]) -> Dictionary:
    """Phrases, regex patterns and skipped literals of the trees and files at ``paths``.

    A path that does not exist, or a file of a kind it cannot read, is a
    ``UsageError`` naming it.
    """
    found: set[str] = set()
    patterns: dict[str, HarvestedPattern] = {}
    skipped: dict[str, SkippedLiteral] = {}
    for path in (Path(p) for p in paths):
        if not path.exists():
            raise UsageError(
                f"dictionary source {str(path)!r} does not exist; give source folders or files"
            )
        if path.is_file() and path.suffix not in SOURCE_SUFFIXES | WORDLIST_SUFFIXES:
            kinds = ", ".join(sorted(SOURCE_SUFFIXES | WORDLIST_SUFFIXES))
            raise UsageError(
                f"dictionary source {str(path)!r} is not a file harvest reads ({kinds}); "
                "give source folders or files"
            )
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
        except (ValueError, RecursionError):
            return []
    if suffix == ".toml":
        try:
            return list(_strings_in(tomllib.loads(text)))
        except (tomllib.TOMLDecodeError, RecursionError):
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
