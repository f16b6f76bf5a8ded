"""Planted-bug variants of the example analyzer: what the fuzzer's tests must find.

Each variant overrides exactly one hook of ``ExampleAnalyzer`` and no two
variants override the same hook, so any set of them composes by multiple
inheritance (``make_analyzer("missing_trigger,narrow_timeout")`` has both
bugs). Each bug is a mistake a real port could make, and each shows only on
inputs that touch it, which a generic generator reaches: lexicon phrases,
Unicode hazard characters, repeated tool calls, long texts.

``index_shift`` is the only Tier B variant (it moves ``message_index`` and
nothing else); all the others change counts, quality, or crash or hang.
"""

from __future__ import annotations

import json
import re
from collections.abc import Hashable, Sequence
from typing import Any, Final

import strategies.rust_semantics as rust
from fuzz.errors import UsageError
from fuzz.examples.analyzer import _CALL_HEAD, GRPC_AUTH, ExampleAnalyzer, _Call

_ASCII_WHITESPACE: Final[re.Pattern[str]] = re.compile(r"[ \t\n\r\x0b\x0c]+")
_ASCII_UPPER: Final[dict[int, int]] = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}


class MissingTrigger(ExampleAnalyzer):
    """The gratitude list lost "cheers".

    Shows on: a human turn "Cheers!" (gratitude on the faithful side, nothing here).
    """

    def phrases_for(self, leaf: str) -> tuple[str, ...]:
        """Gratitude phrases without "cheers"."""
        phrases = super().phrases_for(leaf)
        if leaf == "gratitude":
            return tuple(p for p in phrases if p != "cheers")
        return phrases


class UnicodeWhitespace(ExampleAnalyzer):
    """Splits on ASCII whitespace only (space, tab, CR, LF, VT, FF).

    Python's ``str.split()`` also splits on U+001C–U+001F, U+0085, U+00A0,
    U+2000–U+200A, U+3000 and more. Shows on: "thanks\\u00a0a lot" is two
    tokens on the faithful side (gratitude) and one unknown token here.
    """

    def split_whitespace(self, text: str) -> list[str]:
        """ASCII-only whitespace split, like a byte-oriented tokenizer."""
        return [t for t in _ASCII_WHITESPACE.split(text) if t]


class AsciiLowercase(ExampleAnalyzer):
    """Lower-cases A–Z only, like Rust's ``to_ascii_lowercase``.

    Shows on: a Greek or Cyrillic ALL-CAPS run ("ΑΥΤΟ ΔΕΝ ΔΟΥΛΕΥΕΙ ΚΑΘΟΛΟΥ"),
    which the faithful side counts as shouting (negative stance), and on a
    trigger spelled with the Kelvin sign U+212A ("O\\u212a").
    """

    def lowercase(self, text: str) -> str:
        """ASCII-only lower-casing."""
        return text.translate(_ASCII_UPPER)


class RetryOffByOne(ExampleAnalyzer):
    """A retry loop needs four identical calls instead of three.

    Shows on: three identical ``function_call`` rows in a row.
    """

    def retry_threshold(self) -> int:
        """Four, one too many."""
        return 4


class NarrowTimeout(ExampleAnalyzer):
    """The timeout rule knows only the wording "timed out".

    Shows on: an observation "504 Gateway Timeout", "deadline exceeded" or
    "TimeoutError: ..." after a call (timeout on the faithful side only).
    """

    def exhaustion_rules(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """The faithful rules with the timeout alternatives cut to one."""
        return tuple(
            (leaf, (r"\btimed out\b",) if leaf == "timeout" else alts)
            for leaf, alts in super().exhaustion_rules()
        )


class BucketBoundary(ExampleAnalyzer):
    """The excellent boundary uses ``>`` where the faithful side uses ``>=``.

    Shows on: a score of exactly 75, e.g. three human "thanks" turns and one
    failed tool call (50 + 3*10 - 5): excellent vs good.
    """

    def bucket(self, score: int) -> str:
        """Excellent only strictly above 75."""
        if score > 75:
            return "excellent"
        if score >= 60:
            return "good"
        if score >= 40:
            return "neutral"
        return "poor"


class JsonNumberArgs(ExampleAnalyzer):
    """Compares call arguments as re-serialised JSON text.

    Key order still does not matter (keys are sorted), but number spelling
    does: ``{"n": 1}`` and ``{"n": 1.0}`` differ here and are equal on the
    faithful side. Shows on: three calls ``f({"n": 1})``, ``f({"n": 1.0})``,
    ``f({"n": 1})`` (retry vs parameter drift).
    """

    def args_key(self, args: Any) -> Hashable:
        """JSON text with sorted keys."""
        return json.dumps(args, sort_keys=True)


class ByteTruncation(ExampleAnalyzer):
    """The 2,000 limit and the kept halves are counted in UTF-8 bytes, not code points.

    Shows on: a human turn of 700 "é", then "thanks", then 700 "é" (1,408
    characters but 2,806 bytes): kept whole on the faithful side, its middle
    ("thanks") cut out here.
    """

    def truncate(self, text: str) -> str:
        """Byte-counting shortening, cut at character boundaries."""
        limit = self.max_text_chars()
        if len(text) * 4 <= limit or len(text.encode("utf-8", "surrogatepass")) <= limit:
            return text
        half = limit // 2
        head = used = 0
        while used + _utf8_len(text[head]) <= half:
            used += _utf8_len(text[head])
            head += 1
        tail = len(text)
        used = 0
        while used + _utf8_len(text[tail - 1]) <= half:
            used += _utf8_len(text[tail - 1])
            tail -= 1
        return text[:head] + " " + text[tail:]


def _utf8_len(char: str) -> int:
    """UTF-8 length of one code point (a lone surrogate counts 3, as surrogatepass writes it)."""
    code = ord(char)
    return 1 if code < 0x80 else 2 if code < 0x800 else 3 if code < 0x10000 else 4


class Crash(ExampleAnalyzer):
    """Assumes every observation has an earlier call: ``IndexError`` otherwise.

    Shows on: an observation that reports an error ("500 Internal Server
    Error") with no ``function_call`` before it.
    """

    def attributed_call(self, calls: Sequence[_Call]) -> _Call | None:
        """The last call, looked up without a guard."""
        return calls[-1]


class Hang(ExampleAnalyzer):
    """Scans for the closing parenthesis of ``name(`` and never gives up.

    Shows on: a ``function_call`` whose value is ``search(`` (or any
    ``name(...`` text with no ``)`` after the ``(``). A pure Python loop, so
    SIGALRM can interrupt it.
    """

    def split_call_syntax(self, text: str) -> tuple[str, str] | None:
        """Finds the ``)`` by walking forward, clamped at the last character."""
        head = _CALL_HEAD.match(text)
        if head is not None:
            i = head.end() - 1
            while text[i] != ")":
                i = min(i + 1, len(text) - 1)  # planted: stays at the end forever
        return super().split_call_syntax(text)


class WindowOffByOne(ExampleAnalyzer):
    """Analyses the last 101 messages instead of 100.

    Shows only on conversations of 101 or more messages: a trigger at
    position ``len - 101`` is outside the faithful window and inside this
    one. The bug needs 101 messages, but not their text: a minimal case is
    101 messages, all empty but the one holding the trigger.
    """

    def window_size(self) -> int:
        """One message too many."""
        return 101


class IndexShift(ExampleAnalyzer):
    """Exhaustion signals point at the call, not at the observation (Tier B only).

    Counts and quality are unchanged. Shows on: a call followed by the
    observation "429 Too Many Requests": message_index 0 here, 1 faithfully.
    """

    def exhaustion_index(self, observation_index: int, call: _Call | None) -> int:
        """The attributed call's index when there is one."""
        return call.message_index if call is not None else observation_index


class LostAlternative(ExampleAnalyzer):
    """The gRPC auth-failure regex lost one alternative: ``unauthenticated``.

    Like a port whose ``(status|error|http|code)\\s*:?\\s*401`` lost ``code``:
    only the wording of that alternative shows it, and no lexicon of ours
    writes it; a ``--dictionary`` campaign over a source tree holding the
    regex does. Shows on: an observation "grpc status: UNAUTHENTICATED"
    (auth_misuse on the faithful side, nothing here).
    """

    def failure_rules(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """The faithful rules with ``unauthenticated`` cut from the gRPC alternatives."""
        narrowed = GRPC_AUTH.replace("|unauthenticated", "")
        return tuple(
            (leaf, tuple(narrowed if alt == GRPC_AUTH else alt for alt in alts))
            for leaf, alts in super().failure_rules()
        )


# --- root-cause fixtures (issue 13) -------------------------------------------
# Bugs whose one cause flips many leaf types at once: the explanation stage
# (``fuzz.engine.explain``, ``fuzz.engine.causes``) must report each as one
# root cause, however many signatures it shows as.


class ExtraSeparator(ExampleAnalyzer):
    """The tokenizer also splits on U+200B ZERO WIDTH SPACE, which ``str.split()`` keeps.

    One normalisation mistake that flips every phrase leaf (correction,
    rephrase, clarification, escalation, quit, negative stance, gratitude,
    confirmation, success) and repetition, in both directions: "thank\u200byou"
    is gratitude here only, "than\u200bks" (one fuzzy token faithfully) is
    gratitude on the faithful side only. Shows on: a trigger phrase whose words
    are joined, or split, by U+200B.
    """

    def tokenize(self, text: str) -> list[str]:
        """Tokens of the text with U+200B taken for a space."""
        return super().tokenize(text.replace("\u200b", " "))


# --- cross-language variants ---------------------------------------------------
# Each one implements one primitive the way the Rust standard library, the
# ``regex`` crate or ``serde_json`` does (``strategies.rust_semantics``): a port
# that is line-for-line faithful and still diverges. ``strategies.crosslang``
# names the row of the cross-language table each stands for.


class RustTrim(ExampleAnalyzer):
    """Trims a call's text with ``str::trim`` (Unicode ``White_Space``), not ``str.strip``.

    Python's ``strip`` also removes U+001C..U+001F. Shows on: three calls to one
    tool with changing arguments, the first written ``"\\x1c{...}"``: the faithful
    side reads JSON and sees parameter drift, here the first is a bare name.
    """

    def strip(self, text: str) -> str:
        """Trim ``White_Space`` from both ends, as Rust's ``str::trim``."""
        start, end = 0, len(text)
        while start < end and rust.is_whitespace(text[start]):
            start += 1
        while end > start and rust.is_whitespace(text[end - 1]):
            end -= 1
        return text[start:end]


class RustIsAlphabetic(ExampleAnalyzer):
    """Counts letters with ``char::is_alphabetic`` (``Alphabetic``), not ``str.isalpha``.

    ``Alphabetic`` adds letter numbers (``Ⅻ``) and ``Other_Alphabetic`` marks and
    symbols (circled ``Ⓐ``). Shows on: "ⒶⒷ ⒶⒷ ⒶⒷ", three ALL-CAPS words here
    (negative stance), none on the faithful side.
    """

    def is_alpha(self, char: str) -> bool:
        """Rust's ``char::is_alphabetic``."""
        return rust.is_alphabetic(char)


class RustToUppercase(ExampleAnalyzer):
    """Upper-cases with ``str::to_uppercase`` at the Rust side's (newer) Unicode version.

    Python 3.11's tables stop at Unicode 14; a lower-case letter added since
    (``ꟛ`` U+A7DB, Unicode 16) has no upper case there and does here. Shows on:
    "ABꟛ ABꟛ ABꟛ", shouting on the faithful side only.
    """

    def uppercase(self, text: str) -> str:
        """Rust's ``str::to_uppercase``."""
        return rust.to_uppercase(text)


class RustRegexSpace(ExampleAnalyzer):
    """Compiles ``\\s`` as the ``regex`` crate defines it (``White_Space``).

    ``re``'s ``\\s`` also matches U+001C..U+001F. Shows on: calls written
    ``search\\x1c({"q": 1})`` (call syntax on the faithful side, a bare name here).
    """

    def regex_space(self) -> str | None:
        """The crate's ``\\s`` class."""
        return rust.class_ranges(rust.RUST_SPACE_CLASS)


class RustRegexWord(ExampleAnalyzer):
    """Compiles ``\\w`` as the ``regex`` crate defines it (Alphabetic, marks, Nd, Pc,
    Join_Control).

    ``re``'s ``\\w`` has ``No`` digits (``²``, ``①``) and no combining marks.
    Shows on: calls written ``search\\u0301({...})`` (a name here, not there).
    """

    def regex_word(self) -> str | None:
        """The crate's ``\\w`` class."""
        return rust.class_ranges(rust.RUST_WORD_CLASS)


class RustRegexBoundary(ExampleAnalyzer):
    """Judges ``\\b`` by the ``regex`` crate's ``\\w``.

    Shows on: an observation "timed out\\u0301" (a boundary after "out" for
    ``re``, none for the crate) or "timed out²" (the other way round).
    """

    def regex_boundary(self) -> str | None:
        """The word class of the crate's ``\\b``."""
        return rust.class_ranges(rust.RUST_WORD_CLASS)


class RustIgnoreCase(ExampleAnalyzer):
    """Matches observation rules case-insensitively the way ``(?i)`` in the ``regex`` crate
    does (simple case folding), instead of lower-casing the text first.

    For rules written in lower case, ``(?i)`` matches exactly where the simply
    folded text matches, which is what this does. Folding and ``str.lower``
    part on ``ſ`` (folds to ``s``, is already lower case) and ``İ`` (lower-cases
    to ``i`` + U+0307, has no simple folding). Shows on: "too many requeſts".
    """

    def case_fold(self, text: str) -> str:
        """Simple case folding, character by character."""
        if text.isascii():
            return text.lower()
        return "".join(map(rust.simple_fold, text))


class F32Threshold(ExampleAnalyzer):
    """Holds the repetition threshold as an ``f32`` constant (``0.8f32`` is
    0.800000011920929) and compares the ``f64`` similarity against it.

    Shows on: two replies whose token sets have similarity exactly 4/5 (four
    shared words out of five): a repetition on the faithful side, none here.
    """

    def at_least(self, value: float, threshold: float) -> bool:
        """``value >= threshold as f32 as f64``."""
        return value >= rust.f32(threshold)


class SerdeJsonParse(ExampleAnalyzer):
    """Parses tool calls with ``serde_json`` rules: no ``NaN``/``Infinity``, no number
    past ``f64``, no lone surrogate escape, nesting under 128.

    Shows on: three calls to one tool with changing arguments, one of them
    ``{"name": "f", "arguments": {"x": NaN}}``: parameter drift on the faithful
    side, a run broken by a bare name here.
    """

    def parse_json(self, text: str) -> Any:
        """``serde_json::from_str::<Value>``."""
        return rust.serde_loads(text)


class SerdeNumberEquality(ExampleAnalyzer):
    """Compares argument numbers as ``serde_json::Value`` does: ``1`` (an integer) and
    ``1.0`` (a float) differ.

    Shows on: ``f({"n": 1})``, ``f({"n": 1.0})``, ``f({"n": 1})``: a retry on the
    faithful side, parameter drift here.
    """

    def number_key(self, value: int | float) -> Hashable:
        """The ``serde_json::Number`` kind and value."""
        return rust.serde_number_key(value)


class SerdeTextArgs(ExampleAnalyzer):
    """Keys a call's arguments by their ``serde_json::to_string`` text, so an object and
    a string holding that exact text are the same arguments.

    Shows on: ``{"arguments": {"q": "a"}}`` then ``{"arguments": "{\\"q\\":\\"a\\"}"}``
    then the object again: parameter drift on the faithful side, a retry here.
    """

    def argument_key(self, args: Any) -> Hashable:
        """Raw text for strings, serde_json's compact text for values."""
        if args is None:
            return ("none",)
        if isinstance(args, str):
            return ("raw", args)
        try:
            return ("raw", rust.serde_to_string(args))
        except RecursionError:
            return ("deep",)


class RustByteSlice(ExampleAnalyzer):
    """Cuts snippets with ``&text[..120]``, a byte index: a panic when byte 120 falls
    inside a character.

    Shows on: a trigger text of more than 120 UTF-8 bytes with a multi-byte
    character across byte 120 (``RustPanic``; exit 101 through the replay program).
    """

    def clip(self, text: str) -> str:
        """The first 120 bytes, or a panic."""
        return rust.byte_slice_prefix(text, 120)


#: Every planted-bug variant by name.
VARIANTS: Final[dict[str, type[ExampleAnalyzer]]] = {
    "missing_trigger": MissingTrigger,
    "unicode_whitespace": UnicodeWhitespace,
    "ascii_lowercase": AsciiLowercase,
    "retry_off_by_one": RetryOffByOne,
    "narrow_timeout": NarrowTimeout,
    "bucket_boundary": BucketBoundary,
    "json_number_args": JsonNumberArgs,
    "byte_truncation": ByteTruncation,
    "crash": Crash,
    "hang": Hang,
    "window_off_by_one": WindowOffByOne,
    "index_shift": IndexShift,
    "lost_alternative": LostAlternative,
    "extra_separator": ExtraSeparator,
    "rust_trim": RustTrim,
    "rust_is_alphabetic": RustIsAlphabetic,
    "rust_to_uppercase": RustToUppercase,
    "rust_regex_space": RustRegexSpace,
    "rust_regex_word": RustRegexWord,
    "rust_regex_boundary": RustRegexBoundary,
    "rust_ignore_case": RustIgnoreCase,
    "f32_threshold": F32Threshold,
    "serde_json_parse": SerdeJsonParse,
    "serde_number_equality": SerdeNumberEquality,
    "serde_text_args": SerdeTextArgs,
    "rust_byte_slice": RustByteSlice,
}

#: The signature (or its start) each planted bug shows as, when it always shows the same
#: way; the demo stops once every planted bug it asked for is found and shrunk.
SHOWS_AS: Final[dict[str, str]] = {
    "missing_trigger": "counts: interaction.satisfaction.gratitude ref>cand",
    "unicode_whitespace": "counts: interaction.",
    "ascii_lowercase": "counts: interaction.",
    "retry_off_by_one": "counts: execution.loops.retry ref>cand",
    "narrow_timeout": "counts: environment.exhaustion.timeout ref>cand",
    "bucket_boundary": "quality: excellent -> good",
    "json_number_args": "counts: execution.loops.",
    "byte_truncation": "counts: interaction.",
    "crash": "crash ",  # an exception type in process, an exit status through cmd:
    "hang": "timeout on candidate",
    "window_off_by_one": "counts: interaction.",
    "lost_alternative": "counts: execution.failure.auth_misuse ref>cand",
    "extra_separator": "counts: interaction.",
    "rust_trim": "counts: execution.loops.",
    "rust_is_alphabetic": "counts: interaction.disengagement.negative_stance ref<cand",
    "rust_to_uppercase": "counts: interaction.disengagement.negative_stance ref>cand",
    "rust_regex_space": "counts: execution.loops.",
    "rust_regex_word": "counts: execution.",
    "rust_regex_boundary": "counts: e",
    "rust_ignore_case": "counts: e",
    "f32_threshold": "counts: interaction.stagnation.repetition ref>cand",
    "serde_json_parse": "counts: execution.loops.",
    "serde_number_equality": "counts: execution.loops.",
    "serde_text_args": "counts: execution.loops.",
    "rust_byte_slice": "crash ",
}

#: Variants whose bug changes only Tier B fields.
TIER_B_VARIANTS: Final[frozenset[str]] = frozenset({"index_shift"})

_COMPOSED: dict[tuple[str, ...], type[ExampleAnalyzer]] = {}


def variant_names(names: str) -> tuple[str, ...]:
    """Parse ``"a,b"`` into known variant names (sorted, deduplicated); ``""`` is none."""
    parsed = sorted({n.strip() for n in names.split(",") if n.strip()})
    unknown = [n for n in parsed if n not in VARIANTS]
    if unknown:
        raise UsageError(
            f"variant {unknown[0]!r} (in {names!r}) is not known; "
            f"use a comma-separated subset of: {', '.join(VARIANTS)}"
        )
    return tuple(parsed)


def make_analyzer(names: str = "") -> ExampleAnalyzer:
    """The faithful analyzer (``""``) or one carrying every named bug.

    Raises ``UsageError`` for an unknown name.
    """
    key = variant_names(names)
    if not key:
        return ExampleAnalyzer()
    if len(key) == 1:
        return VARIANTS[key[0]]()
    cls = _COMPOSED.get(key)
    if cls is None:
        bases = tuple(VARIANTS[n] for n in key)
        cls = _COMPOSED[key] = type("Composed_" + "_".join(key), bases, {})
    return cls()
