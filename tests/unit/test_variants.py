"""Each planted-bug variant differs from the faithful analyzer exactly where its bug is."""

from __future__ import annotations

import json
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from fuzz.errors import UsageError
from fuzz.examples.analyzer import ExampleAnalyzer, ExampleReport
from fuzz.examples.variants import TIER_B_VARIANTS, VARIANTS, make_analyzer

Conversation = list[dict[str, Any]]

FAITHFUL = ExampleAnalyzer()


def human(text: str) -> dict[str, Any]:
    return {"from": "human", "value": text}


def gpt(text: str) -> dict[str, Any]:
    return {"from": "gpt", "value": text}


def call(name: str, args: Any = None) -> dict[str, Any]:
    return {"from": "function_call", "value": json.dumps({"name": name, "arguments": args or {}})}


def raw_call(text: str) -> dict[str, Any]:
    return {"from": "function_call", "value": text}


def obs(text: str) -> dict[str, Any]:
    return {"from": "observation", "value": text}


def tier_a(report: ExampleReport) -> tuple[list[tuple[str, int]], str]:
    """What Tier A compares: per-type counts and the quality bucket."""
    counts: dict[str, int] = {}
    for instances in report.signals.values():
        for s in instances:
            counts[s.signal_type] = counts.get(s.signal_type, 0) + 1
    return sorted(counts.items()), report.overall_quality


def tier_b(report: ExampleReport) -> dict[str, list[int]]:
    """What Tier B compares: message_index lists per type."""
    out: dict[str, list[int]] = {}
    for instances in report.signals.values():
        for s in instances:
            out.setdefault(s.signal_type, []).append(s.message_index)
    return out


class Hung(Exception):
    """Raised by the SIGALRM guard."""


@contextmanager
def alarm(seconds: float) -> Iterator[None]:
    """Interrupt the block with ``Hung`` after ``seconds``; restore any outer timer."""

    def on_alarm(signum: int, frame: object) -> None:
        raise Hung

    previous_handler = signal.signal(signal.SIGALRM, on_alarm)
    previous_delay, _interval = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous_handler)
        if previous_delay > 0:  # e.g. pytest-timeout's own alarm
            signal.setitimer(signal.ITIMER_REAL, max(previous_delay - seconds, 0.001))


#: variant -> (conversations on which it must differ, conversation on which it must agree)
CASES: dict[str, tuple[list[Conversation], Conversation]] = {
    "missing_trigger": ([[human("Cheers!")]], [human("Thanks!")]),
    "unicode_whitespace": (
        [
            [human("thanks\u00a0a lot")],
            [human("I\u3000meant the other one")],
            [call("f"), obs("deadline\u2003exceeded")],
        ],
        [human("thanks a\tlot"), call("f"), obs("deadline\nexceeded")],
    ),
    "ascii_lowercase": (
        [[human("ΑΥΤΟ ΔΕΝ ΔΟΥΛΕΥΕΙ ΚΑΘΟΛΟΥ")], [human("ЭТО НЕ РАБОТАЕТ СОВСЕМ")]],
        [human("THANK YOU SO MUCH"), human("αυτό δεν δουλεύει")],
    ),
    "retry_off_by_one": ([[call("f", {"a": 1})] * 3], [call("f", {"a": 1})] * 4),
    "narrow_timeout": (
        [
            [call("f"), obs("504 Gateway Timeout")],
            [call("f"), obs("deadline exceeded")],
            [call("f"), obs("TimeoutError: operation exceeded 60 seconds")],
        ],
        [call("f"), obs("Request timed out after 30s")],
    ),
    "bucket_boundary": (
        [[human("thanks")] * 3 + [call("f"), obs("401 Unauthorized")]],
        [human("thanks")] * 4 + [call("f"), obs("401 Unauthorized")],
    ),
    "json_number_args": (
        [[raw_call('f({"n": 1})'), raw_call('f({"n": 1.0})'), raw_call('f({"n": 1})')]],
        [raw_call('f({"b": 2, "a": 1})'), raw_call('f({"a": 1, "b": 2})')] * 2,
    ),
    "byte_truncation": (
        [[human("é" * 700 + " thanks " + "é" * 700)]],
        [human("e" * 3000 + " thanks"), human("é" * 400 + " thanks")],
    ),
    "crash": ([[obs("500 Internal Server Error")]], [call("f"), obs("500"), obs("all good")]),
    "hang": ([[raw_call("search(")]], [raw_call('search({"q": 1})'), raw_call("s(x) y")]),
    "window_off_by_one": (
        [[human("thanks")] + [human("")] * 100],
        [human("thanks")] + [human("")] * 99,
    ),
    "index_shift": (
        [[call("f"), obs("429 Too Many Requests")]],
        [obs("429 Too Many Requests"), call("f"), obs("Unknown tool: f")],
    ),
    "lost_alternative": (
        [[call("f"), obs("grpc status: UNAUTHENTICATED")], [obs("rpc_code=unauthenticated")]],
        [call("f"), obs("grpc status: 16"), obs("rpc code PERMISSION_DENIED")],
    ),
    "extra_separator": (
        [
            [human("thank\u200byou")],
            [human("than\u200bks")],
            [human("give\u200bup")],
            [human("don't\u200bunderstand")],
        ],
        [human("thank you\u00a0so much"), obs("timed\u200bout")],
    ),
    # cross-language variants: the Rust way of one primitive each
    "rust_trim": (
        [[raw_call(f'\x1c{{"name": "f", "arguments": {{"q": {i}}}}}') for i in range(3)]],
        [raw_call(f'\u00a0{{"name": "f", "arguments": {{"q": {i}}}}}') for i in range(3)],
    ),
    "rust_is_alphabetic": (
        [
            [human("\u24b6\u24b7 \u24b6\u24b7 \u24b6\u24b7")],
            [human("\u216b\u216b \u216b\u216b X\u216b")],
        ],
        [human("ABC DEF GHI")],
    ),
    "rust_to_uppercase": ([[human("AB\ua7db AB\ua7db AB\ua7db")]], [human("AB\u00df AB CD")]),
    "rust_regex_space": (
        [[raw_call(f'f\x1c({{"q": {i}}})') for i in range(3)]],
        [raw_call(f'f\u00a0({{"q": {i}}})') for i in range(3)],
    ),
    "rust_regex_word": (
        [[raw_call(f'f\u0301({{"q": {i}}})') for i in range(3)]],
        [raw_call(f'f_1({{"q": {i}}})') for i in range(3)],
    ),
    "rust_regex_boundary": (
        [[call("f"), obs("timed out\u0301")], [call("f"), obs("timed out\u00b2")]],
        [call("f"), obs("timed out!"), obs("timed outs")],
    ),
    "rust_ignore_case": (
        [[call("f"), obs("too many reque\u017fts")]],
        [call("f"), obs("TOO MANY REQUESTS"), obs("\u212aEY invalid")],
    ),
    "f32_threshold": (
        [[gpt("a b c d"), gpt("a b c d e")], [gpt("a b c d e f g h"), gpt("a b c d e f g h i j")]],
        [gpt("a b c d e"), gpt("a b c d e")],
    ),
    "serde_json_parse": (
        [
            [raw_call(f'{{"name": "f", "arguments": {{"x": {x}}}}}') for x in ("NaN", "1", "2")],
            [raw_call(f'{{"name": "f", "arguments": {{"x": {x}}}}}') for x in ("1e400", "1", "2")],
            [
                raw_call(f'{{"name": "f", "arguments": {x}}}')
                for x in ("[" * 130 + "]" * 130, "1", "2")
            ],
            [raw_call(f'{{"name": "f", "arguments": "{x}"}}') for x in ("\\ud800", "1", "2")],
        ],
        [raw_call(f'{{"name": "f", "arguments": {{"x": {x}}}}}') for x in ("1e300", "1", "2")],
    ),
    "serde_number_equality": (
        [[raw_call('f({"n": 1})'), raw_call('f({"n": 1.0})'), raw_call('f({"n": 1})')]],
        [raw_call('f({"n": 1e0})'), raw_call('f({"n": 1.0})'), raw_call('f({"n": 10e-1})')],
    ),
    "serde_text_args": (
        [[call("f", {"q": "a"}), call("f", '{"q":"a"}'), call("f", {"q": "a"})]],
        [call("f", {"q": "a"}), call("f", '{"q": "a"}'), call("f", {"q": "a"})],
    ),
    "rust_byte_slice": ([[human("thanks " + "\u00e9" * 60)]], [human("thanks " + "e" * 200)]),
}

#: Conversations that touch none of the planted bugs: every variant agrees on them.
PLAIN: list[Conversation] = [
    [
        {"from": "system", "value": "You are a helpful assistant."},
        human("Can you list the files?"),
        gpt("Here are the files in the folder: a.txt and b.txt."),
        human("No, I meant the hidden ones."),
        gpt("Here are the hidden files: .env and .git."),
        human("What do you mean by .git?"),
        human("Great, thanks, that works!!!"),
    ],
    [call("search", {"q": "x"})] * 5 + [call("a"), call("b")] * 3,
    [call("f", {"n": i}) for i in range(4)] + [obs("HTTP 403 Forbidden"), obs("no such column")],
    [human("Please continue.")] * 12,
    [human("thanks " + "lorem ipsum " * 300 + " it worked")],
    [gpt("The function returns a sorted list of names.")] * 3,
    [human("WHY IS THIS STILL BROKEN"), human("I want to talk to a human")],
]


def test_every_variant_has_cases() -> None:
    """A planted-bug variant has no hand-written case showing it."""
    assert set(CASES) == set(VARIANTS)


@pytest.mark.parametrize(
    "name", sorted(set(VARIANTS) - {"crash", "hang", "rust_byte_slice"} - TIER_B_VARIANTS)
)
def test_tier_a_variant_differs_on_its_case(name: str) -> None:
    """A planted Tier-A bug no longer changes counts or quality on its own input."""
    variant = make_analyzer(name)
    for messages in CASES[name][0]:
        assert tier_a(variant.analyze(messages)) != tier_a(FAITHFUL.analyze(messages)), messages


def test_index_shift_differs_only_in_message_index() -> None:
    """index_shift changed counts/quality (it must be Tier B only) or stopped moving indices."""
    variant = make_analyzer("index_shift")
    for messages in CASES["index_shift"][0]:
        ours, theirs = variant.analyze(messages), FAITHFUL.analyze(messages)
        assert tier_a(ours) == tier_a(theirs)
        assert tier_b(ours) != tier_b(theirs)
        assert ours.quality_score == theirs.quality_score


def test_crash_raises_on_orphan_observation() -> None:
    """The crash variant no longer raises on an error observation with no earlier call."""
    variant = make_analyzer("crash")
    for messages in CASES["crash"][0]:
        with pytest.raises(IndexError):
            variant.analyze(messages)


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="needs SIGALRM")
def test_rust_byte_slice_panics_inside_a_character() -> None:
    """Byte slicing inside a character does not panic, or panics at a char boundary."""
    from strategies.rust_semantics import RustPanic

    variant = make_analyzer("rust_byte_slice")
    with pytest.raises(RustPanic, match="byte index 120"):
        variant.analyze(CASES["rust_byte_slice"][0][0])
    variant.analyze([human("thanks e" + "\u00e9" * 60)])  # byte 120 starts a character


def test_hang_loops_until_interrupted() -> None:
    """The hang variant stopped hanging on `name(`, or cannot be interrupted by SIGALRM."""
    assert threading.current_thread() is threading.main_thread()
    variant = make_analyzer("hang")
    for messages in CASES["hang"][0]:
        with pytest.raises(Hung), alarm(0.3):
            variant.analyze(messages)


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_variant_agrees_on_its_plain_case(name: str) -> None:
    """A variant differs from the faithful analyzer on input its bug does not concern."""
    messages = CASES[name][1]
    assert make_analyzer(name).analyze(messages).to_dict() == FAITHFUL.analyze(messages).to_dict()


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_variant_agrees_on_plain_conversations(name: str) -> None:
    """A variant's bug leaks into conversations that touch none of the planted bugs."""
    variant = make_analyzer(name)
    for messages in PLAIN:
        assert variant.analyze(messages).to_dict() == FAITHFUL.analyze(messages).to_dict()


def test_each_variant_overrides_one_distinct_hook() -> None:
    """Variants override several hooks, or share one, so they no longer compose."""
    seen: dict[str, str] = {}
    for name, cls in VARIANTS.items():
        hooks = [k for k, v in vars(cls).items() if callable(v) and not k.startswith("__")]
        assert len(hooks) == 1, (name, hooks)
        assert hasattr(ExampleAnalyzer, hooks[0]), (name, hooks)
        assert hooks[0] not in seen, (name, seen)
        seen[hooks[0]] = name
        assert cls.__doc__ and "Shows on" in cls.__doc__


def test_composed_variants_carry_both_bugs() -> None:
    """Composition by name lost one of the bugs."""
    both = make_analyzer("missing_trigger,narrow_timeout")
    for name in ("missing_trigger", "narrow_timeout"):
        for messages in CASES[name][0]:
            alone = make_analyzer(name).analyze(messages)
            assert tier_a(both.analyze(messages)) == tier_a(alone)
            assert tier_a(alone) != tier_a(FAITHFUL.analyze(messages))
    loops = make_analyzer(" retry_off_by_one , json_number_args ,")
    messages = [raw_call('f({"n": 1})'), raw_call('f({"n": 1.0})'), raw_call('f({"n": 1})')]
    messages += [raw_call('g({"a": 1})')] * 3
    drift_only = [("execution.loops.parameter_drift", 1)]
    assert tier_a(loops.analyze(messages))[0] == drift_only
    assert tier_a(FAITHFUL.analyze(messages))[0] == [("execution.loops.retry", 2)]
    assert tier_a(make_analyzer("retry_off_by_one").analyze(messages))[0] == []
    assert tier_a(make_analyzer("json_number_args").analyze(messages))[0] == [
        ("execution.loops.parameter_drift", 1),
        ("execution.loops.retry", 1),
    ]


def test_all_variants_compose() -> None:
    """Some variants cannot be combined (hook clash or MRO error)."""
    everything = make_analyzer(",".join(VARIANTS))
    assert all(isinstance(everything, cls) for cls in VARIANTS.values())
    assert make_analyzer("crash,hang") is not make_analyzer("hang,crash")
    assert type(make_analyzer("crash,hang")) is type(make_analyzer("hang,crash,crash"))


def test_make_analyzer_names() -> None:
    """'' is not the faithful analyzer, or a bad name is not a one-line UsageError."""
    assert type(make_analyzer("")) is ExampleAnalyzer
    assert type(make_analyzer(" , ")) is ExampleAnalyzer
    with pytest.raises(UsageError, match=r"'nope'.*missing_trigger"):
        make_analyzer("crash,nope")
