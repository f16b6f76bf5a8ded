"""The faithful example analyzer follows the contract in ``shared/spec/targets.md``."""

from __future__ import annotations

import json
import random
import time
from typing import Any

import pytest

from fuzz.examples.analyzer import (
    CATEGORIES,
    LAYER_KEYS,
    LAYOUT,
    ExampleAnalyzer,
    ExampleReport,
    severity_of,
)
from strategies import signal_types

Conversation = list[dict[str, Any]]

ANALYZER = ExampleAnalyzer()


def human(text: str) -> dict[str, Any]:
    return {"from": "human", "value": text}


def gpt(text: str) -> dict[str, Any]:
    return {"from": "gpt", "value": text}


def call(name: str, args: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"name": name}
    if args is not None:
        body["arguments"] = args
    return {"from": "function_call", "value": json.dumps(body)}


def obs(text: str) -> dict[str, Any]:
    return {"from": "observation", "value": text}


def types_of(report: ExampleReport) -> dict[str, int]:
    """signal_type -> count, over every category."""
    counts: dict[str, int] = {}
    for instances in report.signals.values():
        for s in instances:
            counts[s.signal_type] = counts.get(s.signal_type, 0) + 1
    return counts


def indices(report: ExampleReport, signal_type: str) -> list[int]:
    return [
        s.message_index
        for instances in report.signals.values()
        for s in instances
        if s.signal_type == signal_type
    ]


# --- the contract's shape ------------------------------------------------------------


def test_layout_mirrors_signal_types() -> None:
    """The analyzer's private copy of the 25 leaves has drifted from strategies.signal_types."""
    assert signal_types.LAYOUT == LAYOUT
    assert signal_types.LAYER_KEYS == LAYER_KEYS


@pytest.mark.parametrize(("layer", "category"), CATEGORIES)
def test_report_shape_per_category(layer: str, category: str) -> None:
    """A category group is missing a key or has the wrong types in the report dict."""
    report = ANALYZER.analyze([human("Thanks, that works!"), call("f"), obs("401 Unauthorized")])
    group = report.to_dict()[LAYER_KEYS[layer]][category]
    assert set(group) == {"category", "count", "severity", "signals"}
    assert group["category"] == category
    assert group["count"] == len(group["signals"])
    assert group["severity"] == severity_of(group["count"])
    for signal in group["signals"]:
        assert set(signal) == {"signal_type", "message_index", "snippet", "confidence", "metadata"}
        assert signal["signal_type"].split(".")[:2] == [layer, category]
        assert isinstance(signal["message_index"], int)
        assert isinstance(signal["snippet"], str)
        assert isinstance(signal["confidence"], float)
        assert 0.0 <= signal["confidence"] <= 1.0
        assert isinstance(signal["metadata"], dict)


def test_report_top_level_keys() -> None:
    """The report dict lacks a contract key, or the Python-side extras are missing."""
    d = ANALYZER.analyze([]).to_dict()
    assert set(d) == {
        "interaction_signals",
        "execution_signals",
        "environment_signals",
        "overall_quality",
        "summary",
        "quality_score",
        "turn_metrics",
    }
    assert set(d["interaction_signals"]) == set(LAYOUT["interaction"])
    assert set(d["execution_signals"]) == set(LAYOUT["execution"])
    assert set(d["environment_signals"]) == set(LAYOUT["environment"])
    assert set(d["turn_metrics"]) == {
        "total_turns",
        "user_turns",
        "assistant_turns",
        "efficiency_score",
    }
    json.dumps(d, allow_nan=False)


@pytest.mark.parametrize(
    ("count", "severity"), [(0, 0), (1, 1), (2, 1), (3, 2), (4, 2), (5, 3), (6, 3), (40, 3)]
)
def test_severity_boundaries(count: int, severity: int) -> None:
    """Severity does not follow 0 / 1-2 / 3-4 / 5+."""
    assert severity_of(count) == severity


def test_summary_is_one_line_of_parts() -> None:
    """The summary is not one ' | '-joined line with quality, turns and one part per layer."""
    report = ANALYZER.analyze([human("Get me a supervisor."), call("f"), obs("timed out")] * 3)
    summary = report.summary
    assert "\n" not in summary
    parts = summary.split(" | ")
    assert parts[0].startswith("Overall Quality: severe")
    assert parts[1].startswith("Turns: 9 total, 3 user")
    assert parts[2].startswith("Interaction")
    assert parts[3].startswith("Execution")
    assert parts[4].startswith("Environment")
    assert parts[5].startswith("Alerts:")


# --- every leaf fires ------------------------------------------------------------------

LEAF_CASES: dict[str, Conversation] = {
    "interaction.misalignment.correction": [human("No, I meant the CSV file.")],
    "interaction.misalignment.rephrase": [human("Let me rephrase: sort by date.")],
    "interaction.misalignment.clarification": [human("I don't understand the output.")],
    "interaction.stagnation.dragging": [human("Please continue.")] * 11,
    "interaction.stagnation.repetition": [
        gpt("Here is the updated summary of the report."),
        gpt("Here is the updated summary of the report."),
    ],
    "interaction.disengagement.escalation": [human("Let me talk to a human.")],
    "interaction.disengagement.quit": [human("Forget it.")],
    "interaction.disengagement.negative_stance": [human("This is ridiculous.")],
    "interaction.satisfaction.gratitude": [human("Thank you!")],
    "interaction.satisfaction.confirmation": [human("Sounds good.")],
    "interaction.satisfaction.success": [human("It worked.")],
    "execution.failure.invalid_args": [call("f"), obs("Missing required argument 'path'")],
    "execution.failure.bad_query": [call("f"), obs("Query returned 0 rows")],
    "execution.failure.tool_not_found": [call("f"), obs("Unknown tool: f")],
    "execution.failure.auth_misuse": [call("f"), obs("HTTP 403 Forbidden")],
    "execution.failure.state_error": [call("f"), obs("409 Conflict")],
    "execution.loops.retry": [call("f", {"a": 1})] * 3,
    "execution.loops.parameter_drift": [call("f", {"a": n}) for n in range(3)],
    "execution.loops.oscillation": [call("a"), call("b")] * 3,
    "environment.exhaustion.api_error": [call("f"), obs("503 Service Unavailable")],
    "environment.exhaustion.timeout": [call("f"), obs("Request timed out")],
    "environment.exhaustion.rate_limit": [call("f"), obs("429 Too Many Requests")],
    "environment.exhaustion.network": [call("f"), obs("Connection refused")],
    "environment.exhaustion.malformed_response": [call("f"), obs("Invalid JSON in response")],
    "environment.exhaustion.context_overflow": [call("f"), obs("context_length_exceeded")],
}


def test_every_leaf_has_a_case() -> None:
    """A leaf type has no hand-written conversation below."""
    assert set(LEAF_CASES) == set(signal_types.LEAF_TYPES)


@pytest.mark.parametrize("signal_type", sorted(LEAF_CASES))
def test_each_leaf_fires_alone(signal_type: str) -> None:
    """A leaf's detector is broken: its minimal conversation does not fire it exactly once."""
    assert types_of(ANALYZER.analyze(LEAF_CASES[signal_type])) == {signal_type: 1}


def test_dragging_fires_once_when_efficiency_drops_below_half() -> None:
    """Dragging fires at the wrong turn, or more than once."""
    ten = ANALYZER.analyze([human("")] * 10)
    assert indices(ten, "interaction.stagnation.dragging") == []
    assert ten.efficiency_score == 0.5
    many = ANALYZER.analyze([human(""), gpt("")] * 30)
    assert indices(many, "interaction.stagnation.dragging") == [20]
    assert many.user_turns == 30


def test_repetition_needs_five_tokens_and_looks_two_back() -> None:
    """Repetition compares short replies, or looks further back than two replies."""
    short = [gpt("ok sure thing"), gpt("ok sure thing")]
    assert types_of(ANALYZER.analyze(short)) == {}
    reply = "The function returns a list of names."
    two_back = [gpt(reply), gpt("Something else entirely here."), gpt(reply)]
    assert indices(ANALYZER.analyze(two_back), "interaction.stagnation.repetition") == [2]
    three_back = [gpt(reply), gpt("One other answer."), gpt("Another answer again."), gpt(reply)]
    assert types_of(ANALYZER.analyze(three_back)) == {}


def test_negative_stance_indicators() -> None:
    """ALL CAPS runs or '!!!' no longer count as negative stance."""
    caps = ANALYZER.analyze([human("WHY IS THIS BROKEN")])
    assert types_of(caps) == {"interaction.disengagement.negative_stance": 1}
    assert caps.signals["disengagement"][0].metadata["indicator_type"] == "all_caps"
    bangs = ANALYZER.analyze([human("come on!!!")])
    assert bangs.signals["disengagement"][0].metadata["indicator_type"] == "exclamation"
    assert types_of(ANALYZER.analyze([human("I AM OK")])) == {}


# --- normalisation and matching ---------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "That\u2019s not what I meant",  # typographic apostrophe
        "THAT'S NOT WHAT I MEANT",  # case (and shouting, which is another leaf)
        "that's   not\twhat\u00a0I\nmeant",  # whitespace collapsed, Unicode spaces too
        '"That\'s not what I meant..."',  # punctuation stripped from token ends
    ],
)
def test_normalisation_before_matching(text: str) -> None:
    """A normalisation step (quotes, case, whitespace, end punctuation) was lost."""
    assert ANALYZER.analyze([human(text)]).count_of("interaction.misalignment.correction") == 1


def test_fuzzy_match_is_lower_confidence() -> None:
    """Near-variants of a phrase no longer match, or match as confidently as exact ones."""
    exact = ANALYZER.analyze([human("thanks")]).signals["satisfaction"][0]
    fuzzy = ANALYZER.analyze([human("thankss")]).signals["satisfaction"][0]
    assert exact.metadata["pattern_type"] == "exact"
    assert fuzzy.metadata["pattern_type"] == "fuzzy"
    assert fuzzy.confidence < exact.confidence
    assert types_of(ANALYZER.analyze([human("thanksgiving")])) == {}


def test_one_signal_per_leaf_per_message() -> None:
    """A message with two phrases of one leaf counts twice."""
    report = ANALYZER.analyze([human("Thanks, thank you, many thanks!")])
    assert types_of(report) == {"interaction.satisfaction.gratitude": 1}


# --- window, positions, truncation ----------------------------------------------------------


def test_window_is_last_100_messages_taken_before_roles() -> None:
    """The window is not the last 100 messages of every role, or indices are window-relative."""
    messages = [human("thanks")] + [{"from": "system", "value": "x"}] * 99 + [human("thanks")]
    report = ANALYZER.analyze(messages)
    assert indices(report, "interaction.satisfaction.gratitude") == [100]
    assert report.total_turns == 100
    assert report.user_turns == 1
    hundred = messages[:1] + messages[2:]  # both triggers inside the window now
    assert ANALYZER.analyze(hundred).count_of("interaction.satisfaction.gratitude") == 2


def test_message_index_counts_every_role() -> None:
    """message_index skips unanalysed roles instead of counting every position."""
    messages = [
        {"from": "system", "value": "be nice"},
        {"from": "user", "value": "thanks"},  # not an analysed role
        {"from": "Human", "value": "thanks"},  # roles are case-sensitive
        {"value": "thanks"},
        human("thanks"),
        call("f"),
        {"from": "tool", "value": "429"},
        obs("429 Too Many Requests"),
    ]
    report = ANALYZER.analyze(messages)
    assert indices(report, "interaction.satisfaction.gratitude") == [4]
    assert indices(report, "environment.exhaustion.rate_limit") == [7]
    assert report.signals["exhaustion"][0].metadata["call_index"] == 5


def test_long_texts_keep_start_and_end() -> None:
    """Long human texts are not shortened, or the wrong part is kept."""
    filler = "lorem ipsum " * 400  # 4800 characters
    assert ANALYZER.analyze([human("thanks " + filler)]).count_of(
        "interaction.satisfaction.gratitude"
    )
    assert ANALYZER.analyze([human(filler + " thanks")]).count_of(
        "interaction.satisfaction.gratitude"
    )
    middle = filler + " thanks " + filler
    assert types_of(ANALYZER.analyze([human(middle)])) == {}
    exactly = "x" * 993 + " thanks " + "x" * 999  # 2000 characters: not shortened
    assert len(exactly) == 2000
    assert ANALYZER.analyze([human(exactly)]).count_of("interaction.satisfaction.gratitude") == 1


def test_empty_values_count_as_turns_only() -> None:
    """Empty human/gpt values are analysed as text, or no longer count as turns."""
    report = ANALYZER.analyze([human(""), gpt(""), human("   ")])
    assert (report.user_turns, report.assistant_turns, report.total_turns) == (2, 1, 3)
    assert types_of(report) == {}


# --- tool traces ------------------------------------------------------------------------------


def test_call_forms_and_argument_order_are_equal() -> None:
    """Call syntaxes or key order are compared as text instead of as parsed calls."""
    forms = [
        {"from": "function_call", "value": '{"name": "s", "arguments": {"a": 1, "b": [1, 2]}}'},
        {"from": "function_call", "value": '{"function": "s", "args": {"b": [1, 2.0], "a": 1}}'},
        {"from": "function_call", "value": 's({"b": [1.0, 2], "a": 1.0})'},
    ]
    report = ANALYZER.analyze(forms)
    assert types_of(report) == {"execution.loops.retry": 1}
    assert report.signals["loops"][0].metadata["tool_name"] == "s"


def test_string_arguments_compare_as_raw_text() -> None:
    """JSON-string arguments are parsed before comparing, against the contract."""
    spellings = ['{"a": 1}', '{"a":1}', '{ "a": 1 }']
    calls = [call("s", text) for text in spellings]
    assert types_of(ANALYZER.analyze(calls)) == {"execution.loops.parameter_drift": 1}
    assert types_of(ANALYZER.analyze([call("s", '{"a": 1}')] * 3)) == {"execution.loops.retry": 1}


def test_bare_names_and_booleans() -> None:
    """Bare tool names are not understood, or true is treated as equal to 1."""
    assert types_of(ANALYZER.analyze([{"from": "function_call", "value": "ls"}] * 3)) == {
        "execution.loops.retry": 1
    }
    flips = [call("s", {"v": 1}), call("s", {"v": True}), call("s", {"v": 1})]
    assert types_of(ANALYZER.analyze(flips)) == {"execution.loops.parameter_drift": 1}


def test_loops_need_three_calls_in_a_row() -> None:
    """Loops fire on two calls, or ignore an interrupting different tool."""
    assert types_of(ANALYZER.analyze([call("f", {"a": 1})] * 2)) == {}
    broken = [call("f", {"a": 1}), call("f", {"a": 1}), call("g"), call("f", {"a": 1})]
    assert types_of(ANALYZER.analyze(broken)) == {}
    assert types_of(ANALYZER.analyze([call("a"), call("b")] * 2)) == {}
    three_tools = [call("a"), call("b"), call("c")] * 3
    assert types_of(ANALYZER.analyze(three_tools)) == {"execution.loops.oscillation": 1}


def test_one_failure_and_one_exhaustion_per_observation() -> None:
    """An observation yields several failure or exhaustion types instead of one each."""
    text = "401 Unauthorized. 409 Conflict. 429 Too Many Requests. Request timed out."
    report = ANALYZER.analyze([call("f"), obs(text)])
    assert types_of(report) == {
        "execution.failure.auth_misuse": 1,
        "environment.exhaustion.rate_limit": 1,
    }


def test_observation_attributed_to_latest_earlier_call() -> None:
    """An observation is attributed to the wrong call, or an orphan one crashes."""
    report = ANALYZER.analyze([call("a"), call("b"), human("hm"), obs("Connection refused")])
    assert report.signals["exhaustion"][0].metadata["tool_name"] == "b"
    orphan = ANALYZER.analyze([obs("Connection refused"), call("a")])
    assert orphan.signals["exhaustion"][0].metadata["tool_name"] is None


# --- quality ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "bucket"),
    [
        (100, "excellent"),
        (75, "excellent"),
        (74, "good"),
        (60, "good"),
        (59, "neutral"),
        (40, "neutral"),
        (39, "poor"),
        (0, "poor"),
    ],
)
def test_bucket_boundaries(score: int, bucket: str) -> None:
    """A quality boundary moved (>= 75 excellent, >= 60 good, >= 40 neutral, else poor)."""
    assert ANALYZER.bucket(score) == bucket


QUALITY_CASES: list[tuple[Conversation, int, str]] = [
    ([], 50, "neutral"),
    ([human("thanks")], 60, "good"),
    ([human("thanks")] * 3 + [call("f"), obs("401 Unauthorized")], 75, "excellent"),
    ([human("thanks")] * 2 + [human("thanks, I meant the csv")], 74, "good"),
    ([call("f"), obs("401"), call("g"), obs("Unknown tool: g")], 40, "neutral"),
    ([call("f"), obs("401"), call("g"), obs("Unknown tool: g"), call("h"), obs("503")], 35, "poor"),
    ([human("thanks")] * 6, 100, "excellent"),
    ([human("This is terrible.")] * 8, 0, "poor"),
    ([human("thanks")] * 4 + [human("I want to talk to a human")], 80, "severe"),
    ([human("Forget it.")], 40, "severe"),
]


@pytest.mark.parametrize(("messages", "score", "bucket"), QUALITY_CASES)
def test_quality_score_and_bucket(messages: Conversation, score: int, bucket: str) -> None:
    """The integer score rule or the severe override changed."""
    report = ANALYZER.analyze(messages)
    assert (report.quality_score, report.overall_quality) == (score, bucket)


# --- robustness ---------------------------------------------------------------------------

DEEP = "[" * 5000 + "]" * 5000  # JSON nested deeper than the recursion limit

ODD_INPUTS: list[list[Any]] = [
    [],
    [{}],
    [{"from": None, "value": None}],
    [{"from": "human", "value": 12}, {"from": "gpt", "value": ["thanks"]}],
    [{"from": "observation", "value": {"error": {"code": 429}}}],
    [{"from": 5, "value": "thanks"}, {"from": ["human"], "value": "x"}],
    ["not a dict", None, 3, {"from": "human", "value": "thanks"}],
    [{"from": "human", "value": "\ud800 thanks \udfff"}],
    [{"from": "function_call", "value": '\ud800({"a": 1})'}] * 3,
    [{"from": "human", "value": "thanks " * 200_000}],
    [{"from": "observation", "value": "x" * 300_000 + " timed out"}],
    [{"from": "function_call", "value": "[" * 100_000}],
    [{"from": "function_call", "value": '{"name": "f", "arguments": ' + DEEP + "}"}] * 3,
    [{"from": "function_call", "value": '{"name": "f", "arguments": {"n": NaN}}'}] * 3,
    [{"from": "function_call", "value": 'f({"n": 1e999})'}] * 3,
    [{"from": "function_call", "value": "search("}, obs("timed out")],
    [{"from": "function_call", "value": '{"name": 5, "arguments": 7}'}] * 3,
    [{"from": "human", "value": "\x00\x1c\x1d\u2028\u3000\ufeff" * 50}],
    [{"from": "human", "value": "\u0130\u212a\u00df\u03a3 " * 100}],
    [{"from": "gpt", "value": "a b c d e"}] * 200,
]


@pytest.mark.parametrize("messages", ODD_INPUTS, ids=range(len(ODD_INPUTS)))
def test_never_raises_on_odd_input(messages: list[Any]) -> None:
    """The analyzer raised (a crash is a finding against our own reference)."""
    d = ANALYZER.analyze(messages).to_dict()
    json.dumps(d, allow_nan=False)


def _random_conversation(rng: random.Random) -> list[dict[str, Any]]:
    alphabet = 'ab thanks I meant 429 timed out {}"():,!\u00a0\u212a\u0130\ud800\u2019é中'
    roles = ["human", "gpt", "function_call", "observation", "system", "", None]
    out: list[dict[str, Any]] = []
    for _ in range(rng.randrange(0, 15)):
        size = rng.choice([0, 1, 5, 30, 300])
        text = "".join(rng.choice(alphabet) for _ in range(size))
        message: dict[str, Any] = {}
        if rng.random() < 0.95:
            message["from"] = rng.choice(roles)
        if rng.random() < 0.95:
            message["value"] = text
        out.append(message)
    return out


def test_never_raises_on_random_conversations() -> None:
    """Some random conversation made the analyzer raise or emit non-JSON."""
    rng = random.Random(20240601)
    for _ in range(500):
        messages = _random_conversation(rng)
        d = ANALYZER.analyze(messages).to_dict()
        json.dumps(d, allow_nan=False)


def test_deterministic_across_instances() -> None:
    """Two analyzers disagree on the same input (hidden state or caching bug)."""
    rng = random.Random(7)
    conversations = [_random_conversation(rng) for _ in range(100)]
    first = [ExampleAnalyzer().analyze(c).to_dict() for c in conversations]
    second = [ANALYZER.analyze(c).to_dict() for c in reversed(conversations)]
    assert first == list(reversed(second))


def test_fast_on_a_ten_message_conversation() -> None:
    """analyze became slow: the fuzzer calls it thousands of times per run."""
    messages: Conversation = [
        human("Please find flights to Paris next week."),
        call("search", {"q": "paris"}),
        obs("504 Gateway Timeout"),
        call("search", {"q": "paris"}),
        obs('{"results": [{"id": 1, "price": 120}]}'),
        gpt("I found a flight to Paris for 120 euros on Tuesday."),
        human("Is there anything cheaper?"),
        gpt("That is the cheapest one I could find for next week."),
        human("OK, thanks, that works."),
        gpt("You're welcome. Have a good trip!"),
    ]
    ANALYZER.analyze(messages)
    runs = 200
    start = time.process_time()
    for _ in range(runs):
        ANALYZER.analyze(messages)
    per_call = (time.process_time() - start) / runs
    assert per_call < 0.003  # typically ~0.2 ms; generous for loaded CI machines
