"""Explaining cases: the ingredient of every planted bug, the edits, the batching, the grouping."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from fuzz.engine.causes import RootCause, cause_id, group
from fuzz.engine.charclass import CharClass, default_char_class, describe, same_class
from fuzz.engine.compare import compare
from fuzz.engine.explain import (
    Explanation,
    Kind,
    explain,
    explain_case,
)
from fuzz.engine.jsontext import canonical_number, number_feature
from fuzz.engine.outcomes import Conversation, Target
from fuzz.engine.targets import PyTarget, analyze_pair
from fuzz.examples.variants import VARIANTS

REFERENCE = PyTarget("py:fuzz.examples.analyzer:ExampleAnalyzer")


def candidate(names: str) -> Target:
    """The example analyzer with planted bugs, in process: a variant class or a fixture factory."""
    if "," in names:
        return PyTarget(f"py:tests.fixtures.py_analyzers:{names.replace(',', '_and_')}")
    return PyTarget(f"py:fuzz.examples.variants:{VARIANTS[names].__name__}")


def human(text: str) -> dict[str, str]:
    return {"from": "human", "value": text}


def gpt(text: str) -> dict[str, str]:
    return {"from": "gpt", "value": text}


def call(text: str) -> dict[str, str]:
    return {"from": "function_call", "value": text}


def obs(text: str) -> dict[str, str]:
    return {"from": "observation", "value": text}


def signatures(conversation: Conversation, target: Target) -> tuple[str, ...]:
    references, candidates = analyze_pair(REFERENCE, target, [conversation])
    divergence = compare(references[0], candidates[0], diffs=False).tier_a
    return () if divergence is None else divergence.signatures


def explained(names: str, conversation: Conversation) -> list[Explanation]:
    """Every signature the case shows, explained against the planted variant(s)."""
    target = candidate(names)
    found = signatures(conversation, target)
    assert found, f"the hand-built case shows nothing against {names}"
    return [explain_case(conversation, s, REFERENCE, target) for s in found]


def only(names: str, conversation: Conversation) -> Explanation:
    explanations = explained(names, conversation)
    assert len(explanations) == 1, [e.signature for e in explanations]
    return explanations[0]


def texts(conversation: Conversation) -> str:
    return "\n".join(str(m.get("value")) for m in conversation)


def counting(predicate: Callable[[Conversation], bool]) -> tuple[list[int], Any]:
    """A ``shows`` that records the size of every batch it was handed."""
    batches: list[int] = []

    def shows(candidates: Sequence[Conversation]) -> list[bool]:
        batches.append(len(candidates))
        return [predicate(c) for c in candidates]

    return batches, shows


# --- the planted variants, explained ---------------------------------------------


def test_unicode_whitespace_is_the_space_with_its_code_point_and_name() -> None:
    """A non-ASCII space bug is no longer explained by that character, named and placed."""
    e = only("unicode_whitespace", [human("ty\u00a0")])
    assert e.cause is not None and e.cause.kind is Kind.CHARACTER
    assert e.cause.code_point == 0xA0
    assert "U+00A0 NO-BREAK SPACE (Zs) after `ty`" in e.sentence
    # The probe found its class: other non-ASCII spaces show the same bug, ASCII ones do not.
    assert {"\u3000", "\x1c", "\u0085"} <= set(e.cause.chars)
    assert "\t" not in e.cause.chars and "\u200b" not in e.cause.chars


def test_missing_trigger_is_the_phrase() -> None:
    """A lost phrase is no longer explained by the phrase itself."""
    e = only("missing_trigger", [human("Cheers!")])
    assert e.cause is not None and e.cause.kind is Kind.PHRASE
    assert e.key == "phrase:cheers" and '"Cheers!"' in e.sentence


def test_ascii_lowercase_is_the_non_ascii_capitals() -> None:
    """ASCII-only lower-casing is no longer explained by its non-ASCII capitals."""
    e = only("ascii_lowercase", [human("ΑΥΤΟ ΔΕΝ ΔΟΥΛΕΥΕΙ")])
    assert e.cause is not None and e.cause.kind is Kind.CHARACTER
    assert e.key == "char:Lu/non-ascii/lowercases"
    assert "U+0391 GREEK CAPITAL LETTER ALPHA (Lu)" in e.sentence


def test_kelvin_sign_alone_is_its_class() -> None:
    """One case-mapping character is no longer explained by its class, whatever word carries it."""
    e = only("ascii_lowercase", [human("\u212a\u212a \u212a\u212a \u212a\u212a")])
    assert e.cause is not None and e.cause.code_point == 0x212A
    assert "U+212A KELVIN SIGN (Lu)" in e.sentence
    assert "\u0391" in e.cause.chars or "\u03a3" in e.cause.chars  # Greek capitals do the same


def test_retry_off_by_one_is_three_calls_not_their_text() -> None:
    """A threshold on identical calls is no longer explained by the count of calls."""
    e = only("retry_off_by_one", [call('{"name": "search", "arguments": {"q": "x"}}')] * 3)
    assert e.cause is not None and e.cause.kind is Kind.CONTEXT
    assert e.key == "count:function_call:3"
    assert e.sentence.startswith("3 function_call messages")


def test_narrow_timeout_said_twice_is_each_sufficient_word() -> None:
    """A trigger said twice ("504", "Timeout") is not explained by each word showing it alone."""
    e = only("narrow_timeout", [obs("504 Gateway Timeout")])
    assert e.cause is not None and e.cause.kind is Kind.PHRASE
    assert e.key == "phrase:504"
    phrases = {i.text for i in e.ingredients if i.kind is Kind.PHRASE}
    assert phrases == {"504", "Timeout"}


def test_json_number_args_is_the_number_spelling() -> None:
    """A port comparing number spellings is no longer explained by the spelling `1.0` vs `1`."""
    e = only(
        "json_number_args",
        [call('f({"n": 1})'), call('f({"n": 1.0})'), call('f({"n": 1})')],
    )
    assert e.cause is not None and e.cause.kind is Kind.JSON
    assert e.key == "json:number:integral-float"
    assert "written `1.0` where the canonical spelling is `1`" in e.sentence
    assert e.cause.message == 1


def test_json_number_in_an_object_call() -> None:
    """A number spelling inside a JSON-object call (not call syntax) is no longer found."""
    calls = [json.dumps({"name": "f", "arguments": {"n": 100}})] * 3
    calls[1] = '{"name": "f", "arguments": {"n": 100e0}}'
    e = only("json_number_args", [call(c) for c in calls])
    assert e.key == "json:number:integral-float" and "`100e0`" in e.sentence


def test_byte_truncation_is_a_length_in_bytes() -> None:
    """A limit counted in bytes is no longer explained by the text's length in UTF-8 bytes."""
    e = only("byte_truncation", [human("é" * 700 + " ty " + "é" * 700)])
    assert e.cause is not None and e.cause.kind is Kind.LENGTH
    assert e.key == "length:utf8-bytes"
    assert "1,404 code points, 2,804 UTF-8 bytes" in e.sentence


def test_crash_is_an_observation_without_a_call() -> None:
    """A crash on an orphan observation is no longer explained by that context."""
    e = only("crash", [obs("500 Internal Server Error")])
    assert e.signature == "crash IndexError on candidate"
    assert e.key == "context:observation-without-call"


def test_window_off_by_one_is_101_messages() -> None:
    """A window edge is no longer explained by the message count, whatever phrase fired."""
    e = only("window_off_by_one", [human("thanks")] + [human("")] * 100)
    assert e.cause is not None and e.cause.kind is Kind.CONTEXT
    assert e.key == "count:messages:101" and e.sentence.startswith("101 messages")
    assert any(i.key == "phrase:thanks" for i in e.ingredients)
    assert e.cost.oracle_calls == 1  # 100-odd edits, one batch


def test_lost_alternative_is_the_phrase() -> None:
    """A regex that lost an alternative is no longer explained by the wording it lost."""
    e = only("lost_alternative", [obs("grpc status: UNAUTHENTICATED")])
    assert e.key == "phrase:grpc status unauthenticated"


def test_bucket_boundary_is_the_quality_boundary() -> None:
    """A quality-only signature is no longer explained as a bucket boundary."""
    conversation = [human("thanks"), human("thanks"), human("thanks"), call("f"), obs("HTTP 500")]
    e = only("bucket_boundary", conversation)
    assert e.key == "quality:excellent -> good"
    assert "excellent" in e.sentence and "good" in e.sentence


def test_extra_separator_is_the_zero_width_space() -> None:
    """The planted separator bug is no longer explained by U+200B, named and placed."""
    e = only("extra_separator", [human("thank\u200byou")])
    assert e.cause is not None and e.cause.code_point == 0x200B
    assert "U+200B ZERO WIDTH SPACE (Cf) between `thank` and `you`" in e.sentence


def test_shared_character_of_near_duplicates_is_not_blamed() -> None:
    """A character two similar replies share is blamed for their likeness, not the bug."""
    conversation = [gpt("item sort on 東京 now"), gpt("\u200bitem sort on 東京 now")]
    e = only("extra_separator", conversation)
    assert e.cause is not None and e.cause.code_point == 0x200B


def test_a_turn_count_is_explained_by_its_role_and_number() -> None:
    """A threshold on human turns is no longer explained as "9 human messages", text aside."""
    conversation = [human("")] * 9 + [gpt("Here is the report you asked for.")]
    _, shows = counting(lambda c: sum(m["from"] == "human" for m in c) >= 9)
    e = explain(conversation, shows, signature="counts: interaction.stagnation.dragging ref>cand")
    assert e.key == "count:human:9"
    assert e.sentence.startswith("9 human messages: each must be there, not its text")


# --- the mechanics -------------------------------------------------------------------


def test_a_case_that_no_longer_diverges_is_not_explained() -> None:
    """A case that does not reproduce still got ingredients (from edits of a non-bug)."""
    batches, shows = counting(lambda c: False)
    e = explain([human("hello there")], shows, signature="counts: x ref>cand")
    assert not e.reproduced and e.ingredients == ()
    assert e.key == "signature:counts: x ref>cand"
    assert len(batches) == 1


def test_edits_travel_in_few_batches() -> None:
    """Edits were sent one by one, or twice, instead of in batches of distinct candidates."""
    conversation = [human("please \u00a0 help with the thing"), gpt("sure, here it is")]
    seen: list[str] = []

    def shows(candidates: Sequence[Conversation]) -> list[bool]:
        seen.extend(json.dumps(c) for c in candidates)
        return ["\u00a0" in json.dumps(c, ensure_ascii=False) for c in candidates]

    e = explain(conversation, shows, max_batch=1000, probe=False)
    assert e.cost.oracle_calls == 1 and e.cost.candidates == len(seen) > 20
    assert len(set(seen)) == len(seen)
    small = explain(conversation, shows, max_batch=7, probe=False)
    assert small.cost.oracle_calls == -(-small.cost.candidates // 7)
    assert small.ingredients == e.ingredients


def test_edits_are_capped() -> None:
    """A cap on edits was ignored, or not reported as an incomplete explanation."""
    conversation = [human(" ".join(f"w{i}" for i in range(50)))] * 3
    _, shows = counting(lambda c: len(c) == 3)
    e = explain(conversation, shows, max_edits=5, probe=False)
    assert not e.complete and e.cost.candidates <= 6
    assert explain(conversation, shows, probe=False).complete


def test_a_passed_deadline_sends_only_the_first_batch() -> None:
    """A deadline was ignored, skipped the control, or invented ingredients from unsent edits."""
    conversation = [human("a\u00a0b c d e f g")]
    batches, shows = counting(lambda c: "\u00a0" in texts(c))
    late = explain(conversation, shows, max_batch=4, deadline=0.0, probe=False)
    assert batches == [4] and late.reproduced and not late.complete
    full = explain(conversation, shows, max_batch=4, probe=False)
    assert full.complete and full.cause is not None and full.cause.code_point == 0xA0
    # Unjudged edits are no evidence: nothing finer than "the text matters" may be claimed.
    assert {i.kind for i in late.ingredients} <= {Kind.TEXT}
    assert late.ingredients and late.ingredients[0].text == conversation[0]["value"]


@pytest.mark.parametrize("max_batch, max_edits", [(0, 10), (1, -1)])
def test_bad_limits_are_refused(max_batch: int, max_edits: int) -> None:
    """A nonsensical batch size or edit cap was accepted."""
    with pytest.raises(ValueError):
        explain([human("x")], lambda cs: [True] * len(cs), max_batch=max_batch, max_edits=max_edits)


def test_duplicate_keys_are_a_json_feature() -> None:
    """A bug needing a duplicated JSON key is no longer explained by that feature."""
    text = '{"name": "f", "arguments": {"a": 1, "a": 2}}'

    def duplicated(c: Conversation) -> bool:
        return any(m["value"].count('"a"') == 2 for m in c)

    _, shows = counting(duplicated)
    e = explain([call(text)], shows, probe=False)
    assert e.key == "json:duplicate-keys" and "`$.arguments.a`" in e.sentence


def test_key_order_and_nesting_are_json_features() -> None:
    """Key order or one level of nesting is no longer told apart as the JSON feature at stake."""
    ordered = '{"name": "f", "arguments": {"b": 1, "a": 2}}'
    _, shows = counting(lambda c: '"b": 1, "a"' in texts(c))
    assert explain([call(ordered)], shows, probe=False).key == "json:key-order"
    nested = '{"name": "f", "arguments": {"q": {"deep": 1}}}'
    _, shows = counting(lambda c: '"q": {"deep"' in texts(c))
    e = explain([call(nested)], shows, probe=False)
    assert e.key == "json:nesting" and "`$.arguments.q`" in e.sentence


def test_escapes_are_a_json_feature() -> None:
    """A bug needing an escape in an observation's JSON is no longer explained by the escape."""
    text = '{"error": "caf\\u00e9 timed out"}'
    _, shows = counting(lambda c: "\\u00e9" in texts(c))
    e = explain([obs(text)], shows, probe=False)
    assert e.key == "json:escapes" and "`\\u`" in e.sentence


@pytest.mark.parametrize(
    "literal, canonical, feature",
    [
        ("1.0", "1", "integral-float"),
        ("100e0", "100", "integral-float"),
        ("1E+2", "100", "integral-float"),
        ("-0", "0", "negative-zero"),
        ("-0.0", "0", "negative-zero"),
        ("1.50", "1.5", "float-spelling"),
        ("2.5e-1", "0.25", "float-spelling"),
    ],
)
def test_number_spellings(literal: str, canonical: str, feature: str) -> None:
    """A JSON number's canonical spelling or spelling feature is wrong."""
    assert canonical_number(literal) == canonical
    assert number_feature(literal) == feature


def test_infinite_numbers_have_no_canonical_spelling() -> None:
    """A number that overflows to infinity was given a spelling."""
    assert canonical_number("1e400") is None


# --- characters --------------------------------------------------------------------


def test_describe_names_controls_by_their_alias() -> None:
    """A control character is not named by code point, alias and category."""
    assert describe("\x1c") == "U+001C INFORMATION SEPARATOR FOUR (Cc)"
    assert describe("\u00a0") == "U+00A0 NO-BREAK SPACE (Zs)"
    assert describe("\ud800").startswith("U+D800 <surrogate> (Cs)")


def test_default_classes() -> None:
    """The default classifier splits what primitives treat alike, or joins what they do not."""
    key = lambda c: default_char_class(c).key  # noqa: E731
    assert key("\u00a0") == key("\x1c") == key("\u3000") != key("\t")
    assert key("\u0391") == key("\u212a") == key("\u00c0") != key("\u0130")  # İ expands
    assert key("\u200b") == key("\u00ad") != key("\u00a0")
    assert key("\u00df") != key("a")
    assert all(key(c) == key("\x1c") for c in same_class("\x1c"))
    assert "\x1c" not in same_class("\x1c") and len(same_class("\x1c")) == 8


# --- grouping ------------------------------------------------------------------------

#: One U+200B bug, nine leaf types, both directions.
SEPARATED = [
    "thank\u200byou",
    "than\u200bks",
    "i\u200bmeant",
    "don't\u200bunderstand",
    "talk to a\u200bhuman",
    "give\u200bup",
    "fed\u200bup",
    "that\u200bworks",
    "it\u200bworked",
    "in other\u200bwords",
]


def test_one_cause_over_many_leaves_is_one_root_cause() -> None:
    """One separator bug flipping 9 leaf types both ways split into several root causes."""
    explanations = [e for text in SEPARATED for e in explained("extra_separator", [human(text)])]
    causes = group(explanations)
    assert len(causes) == 1
    (cause,) = causes
    leaves = {s.split()[1] for s in cause.signatures}
    assert len(leaves) >= 9
    assert {s.rsplit(" ", 1)[1] for s in cause.signatures} == {"ref<cand", "ref>cand"}
    assert "U+200B ZERO WIDTH SPACE (Cf)" in cause.explanation
    assert f"({len(cause.signatures)} signatures)" in cause.explanation


def test_two_character_bugs_are_two_root_causes() -> None:
    """Two independent character-class bugs in one candidate merged into one root cause."""
    names = "extra_separator,ascii_lowercase"
    texts = ["thank\u200byou", "give\u200bup", "ΑΥΤΟ ΔΕΝ ΔΟΥΛΕΥΕΙ", "ΣΣ ΣΣ ΣΣ"]
    causes = group(e for text in texts for e in explained(names, [human(text)]))
    assert len(causes) == 2
    lines = sorted(c.explanation for c in causes)
    assert "U+200B ZERO WIDTH SPACE (Cf)" in lines[0] + lines[1]
    assert any("GREEK CAPITAL LETTER" in line and "U+200B" not in line for line in lines)


def test_two_whitespace_bugs_are_two_root_causes() -> None:
    """A separator bug and a whitespace bug merged, though neither's characters show the other."""
    names = "extra_separator,unicode_whitespace"
    texts = ["thank\u200byou", "give\u200bup", "ty\u00a0", "ty\x1c", "give\u3000up now"]
    causes = group(e for text in texts for e in explained(names, [human(text)]))
    assert len(causes) == 2
    assert sorted(len(c.signatures) for c in causes) == [2, 2]


def by_category(char: str) -> CharClass:
    """A classifier that puts U+00A0 (Zs) and U+001C (Cc) apart."""
    return CharClass(default_char_class(char).key + "/" + describe(char).rsplit("(", 1)[1], "x")


def test_observed_classes_merge_what_the_classifier_splits() -> None:
    """Cases whose characters substitute for each other did not merge, or merged without it."""
    target = candidate("unicode_whitespace")
    nbsp = [human("ty\u00a0")]
    control = [human("give\x1cup")]
    probed = [explain_case(c, signatures(c, target)[0], REFERENCE, target) for c in (nbsp, control)]
    assert len(group(probed, classify=by_category)) == 1
    unprobed = [
        explain_case(c, signatures(c, target)[0], REFERENCE, target, probe=False)
        for c in (nbsp, control)
    ]
    assert len(group(unprobed, classify=by_category)) == 2
    assert len(group(unprobed)) == 1  # the default class already joins them


def test_the_classifier_is_pluggable() -> None:
    """group() ignored the classifier it was given."""
    names = "extra_separator,ascii_lowercase"
    explanations = [
        e for text in ("thank\u200byou", "ΣΣ ΣΣ ΣΣ") for e in explained(names, [human(text)])
    ]
    assert len(group(explanations)) == 2
    assert len(group(explanations, classify=lambda c: CharClass("any", "any character"))) == 1


def test_different_kinds_of_bug_stay_apart() -> None:
    """A window edge, a threshold, a number spelling and a phrase were merged."""
    explanations = [
        *explained("window_off_by_one", [human("thanks")] + [human("")] * 100),
        *explained("retry_off_by_one", [call("")] * 3),
        *explained("json_number_args", [call("f(1)"), call("f(1.0)"), call("f(1)")]),
        *explained("missing_trigger", [human("cheers")]),
        *explained("missing_trigger", [human("CHEERS!!")]),
    ]
    causes = group(explanations)
    assert len(causes) == 4
    phrase = next(c for c in causes if c.id.startswith("phrase-cheers"))
    assert len(phrase.members) == 2


def test_ids_are_stable_and_order_free() -> None:
    """A root cause's id depends on the order cases came in, or on anything but its key."""
    explanations = [
        e for text in SEPARATED[:4] for e in explained("extra_separator", [human(text)])
    ]
    first = group(explanations)
    shuffled = list(explanations)
    random.Random(3).shuffle(shuffled)
    again = group(shuffled)
    assert [c.id for c in first] == [c.id for c in again]
    assert first[0].id == cause_id("class:Cf/non-ascii")
    assert cause_id("class:Cf/non-ascii").startswith("class-cf-non-ascii-")


def test_root_cause_json() -> None:
    """A root cause's JSON lost a field metrics.json needs."""
    explanations = explained("missing_trigger", [human("cheers")])
    (cause,) = group(explanations)
    assert isinstance(cause, RootCause)
    data = cause.to_json()
    assert set(data) == {"id", "explanation", "signatures", "representative"}
    assert data["signatures"] == ["counts: interaction.satisfaction.gratitude ref>cand"]
    assert len(data["representative"]["case_id"]) == 64


def test_an_unexplained_case_stands_alone() -> None:
    """Unexplained cases of different signatures were merged."""
    _, shows = counting(lambda c: True)  # every edit still shows: nothing is essential
    a = explain([human("a")], shows, signature="counts: a ref>cand", probe=False)
    b = explain([human("b")], shows, signature="counts: b ref>cand", probe=False)
    assert a.cause is None and a.sentence.startswith("not explained")
    assert len(group([a, b])) == 2


def test_hangs_are_not_run() -> None:
    """A hang was explained edit by edit, each costing a timeout."""
    e = explain_case([call("search(")], "timeout on candidate", REFERENCE, candidate("hang"))
    assert e.cost.candidates == 0 and not e.complete and e.cause is None
