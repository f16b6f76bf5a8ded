"""Tiered comparison: what counts as Tier A, B and C, and how signatures behave."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from fuzz.engine.compare import Tier, compare
from fuzz.engine.outcomes import Failure, FailureKind, Outcome
from tests.fixtures.minimal_report import thanks_report


def report(*values: str) -> dict[str, Any]:
    return thanks_report([{"from": "human", "value": v} for v in values])


def ok(data: dict[str, Any]) -> Outcome:
    return Outcome.of_report(data)


def test_identical_reports_agree() -> None:
    """Equal reports must produce no divergence at any tier."""
    assert compare(ok(report("thanks")), ok(report("thanks"))).agrees


def test_count_difference_is_tier_a_with_direction() -> None:
    """A leaf type firing on one side only must be Tier A, named with its direction."""
    result = compare(ok(report("thanks")), ok(report("hello")))
    assert result.tier_a is not None
    assert result.tier_a.kind == "counts"
    assert result.tier_a.label == "counts: interaction.satisfaction.gratitude ref>cand"
    reverse = compare(ok(report("hello")), ok(report("thanks")))
    assert reverse.tier_a is not None
    assert reverse.tier_a.label.endswith("ref<cand")


def test_signature_ignores_amounts_and_quality_drag() -> None:
    """The same bug on more triggers (and the quality change it drags) must keep one signature."""
    one = compare(ok(report("thanks")), ok(report("hello")))
    many = compare(ok(report("thanks", "thanks", "thanks")), ok(report("thanks", "x", "y")))
    assert one.tier_a is not None and many.tier_a is not None
    assert one.tier_a.label == many.tier_a.label


def test_quality_only_difference_has_its_own_signature() -> None:
    """A bucket difference with equal counts must be Tier A 'quality', naming both buckets."""
    moved = report("thanks")
    moved["overall_quality"] = "excellent"
    result = compare(ok(report("thanks")), ok(moved))
    assert result.tier_a is not None
    assert result.tier_a.label == "quality: good -> excellent"


def test_message_index_only_is_tier_b() -> None:
    """Different indices with equal counts must be recorded as Tier B, never Tier A."""
    shifted = report("thanks")
    shifted["interaction_signals"]["satisfaction"]["signals"][0]["message_index"] = 5
    result = compare(ok(report("thanks")), ok(shifted))
    assert result.tier_a is None
    assert result.tier_b is not None and result.tier_b.tier is Tier.B
    assert "interaction.satisfaction.gratitude" in result.tier_b.label


def test_float32_confidence_is_not_a_difference() -> None:
    """The port's f32-printed confidence must not count even as Tier C."""
    port = report("thanks")
    port["interaction_signals"]["satisfaction"]["signals"][0]["confidence"] = 0.949999988079071
    assert compare(ok(report("thanks")), ok(port)).agrees


def test_snippet_and_extra_keys_are_tier_c() -> None:
    """Snippets and keys only one side has are information (Tier C), with a diff on request."""
    python = report("thanks")
    python["quality_score"] = 61.0
    port = copy.deepcopy(report("thanks"))
    port["interaction_signals"]["satisfaction"]["signals"][0]["snippet"] = "Thanks"
    result = compare(ok(python), ok(port), detail=True)
    assert result.tier_a is None and result.tier_b is None
    assert result.tier_c is not None
    assert "dictionary_item_removed" in result.tier_c.diff
    assert "values_changed" in result.tier_c.diff


@pytest.mark.parametrize(
    ("mutate", "where"),
    [
        (
            lambda r: r["interaction_signals"]["satisfaction"].update(severity=7),
            "/interaction_signals/satisfaction/severity: maximum",
        ),
        (lambda r: r.update(overall_quality="great"), "/overall_quality: enum"),
        (
            lambda r: r["interaction_signals"]["satisfaction"]["signals"][0].update(
                signal_type="interaction.misalignment.correction"
            ),
            "/interaction_signals/satisfaction/signals/*/signal_type: enum",
        ),
        (lambda r: r.pop("execution_signals"), "/: required"),
    ],
)
def test_schema_violation_is_tier_a_with_stable_location(mutate: Any, where: str) -> None:
    """A report breaking the contract's shape must be Tier A, located without array positions."""
    bad = report("thanks")
    mutate(bad)
    result = compare(ok(report("thanks")), ok(bad))
    assert result.tier_a is not None
    assert result.tier_a.kind == "schema"
    assert result.tier_a.label == f"schema on candidate: {where}"


def test_failure_signature_uses_discriminator_not_message() -> None:
    """Crash messages quote the input; the signature must not, or one bug splits into many."""
    one = Outcome.of_failure(Failure(FailureKind.CRASH, "IndexError", "list index 3 out of range"))
    two = Outcome.of_failure(Failure(FailureKind.CRASH, "IndexError", "list index 9 out of range"))
    first = compare(ok(report("x")), one)
    second = compare(ok(report("y")), two)
    assert first.tier_a is not None and second.tier_a is not None
    assert first.tier_a.label == second.tier_a.label == "crash IndexError on candidate"


def test_failures_on_both_sides_name_both() -> None:
    """Either side failing is Tier A; both failing must say so for each."""
    hang = Outcome.of_failure(Failure(FailureKind.TIMEOUT))
    crash = Outcome.of_failure(Failure(FailureKind.CRASH, "exit 101"))
    result = compare(hang, crash)
    assert result.tier_a is not None
    assert result.tier_a.label == "timeout on reference; crash exit 101 on candidate"


def test_each_differing_type_is_its_own_signature() -> None:
    """Two bugs seen in one conversation must stay two bugs, so each can shrink on its own."""
    ref = report("thanks")
    ref["execution_signals"]["loops"]["signals"].append(
        {
            "signal_type": "execution.loops.retry",
            "message_index": 0,
            "snippet": "",
            "confidence": 1.0,
            "metadata": {},
        }
    )
    result = compare(ok(ref), ok(report("hello")))
    assert result.tier_a is not None
    assert result.tier_a.signatures == (
        "counts: execution.loops.retry ref>cand",
        "counts: interaction.satisfaction.gratitude ref>cand",
    )
    assert result.tier_a.label == (
        "counts: execution.loops.retry ref>cand, interaction.satisfaction.gratitude ref>cand"
    )


def failed(kind: FailureKind, discriminator: str = "", detail: str = "") -> Outcome:
    return Outcome.of_failure(Failure(kind, discriminator, detail))


SURROGATE = "input parse: lone leading surrogate in hex escape at line 1 column {}"

#: (failure kind, the same failure spelled as each side saw it, a different failure of that kind)
ALIKE: list[tuple[FailureKind, tuple[Outcome, Outcome], Outcome]] = [
    (
        FailureKind.CRASH,
        (failed(FailureKind.CRASH, "exit 1", "a"), failed(FailureKind.CRASH, "exit 1", "b")),
        failed(FailureKind.CRASH, "exit 101"),
    ),
    (
        FailureKind.TIMEOUT,
        (failed(FailureKind.TIMEOUT, "", "after 10s"), failed(FailureKind.TIMEOUT, "", "after 5s")),
        failed(FailureKind.CRASH, "signal SIGKILL"),
    ),
    (
        FailureKind.ERROR_LINE,
        (
            failed(FailureKind.ERROR_LINE, "", SURROGATE.format(41)),
            failed(FailureKind.ERROR_LINE, "", SURROGATE.format(17)),
        ),
        failed(FailureKind.ERROR_LINE, "", "missing field `id` at line 1 column 41"),
    ),
    (
        FailureKind.MISSING_LINE,
        (failed(FailureKind.MISSING_LINE, "", "8 in, 7 out"), failed(FailureKind.MISSING_LINE)),
        failed(FailureKind.EXTRA_LINE),
    ),
    (
        FailureKind.EXTRA_LINE,
        (failed(FailureKind.EXTRA_LINE), failed(FailureKind.EXTRA_LINE, "", "1 in, 2 out")),
        failed(FailureKind.MISSING_LINE),
    ),
    (
        FailureKind.ID_MISMATCH,
        (failed(FailureKind.ID_MISMATCH, "", "id 3"), failed(FailureKind.ID_MISMATCH, "", "id 4")),
        failed(FailureKind.UNPARSEABLE, "not-json"),
    ),
    (
        FailureKind.UNPARSEABLE,
        (failed(FailureKind.UNPARSEABLE, "not-json"), failed(FailureKind.UNPARSEABLE, "not-json")),
        failed(FailureKind.UNPARSEABLE, "no-report"),
    ),
]


@pytest.mark.parametrize("kind, same, other", ALIKE, ids=[k.value for k, _, _ in ALIKE])
def test_same_failure_on_both_sides_is_rejected_by_both_not_filed(
    kind: FailureKind, same: tuple[Outcome, Outcome], other: Outcome
) -> None:
    """Both sides failing alike is agreement (rejected by both); it must never be Tier A."""
    result = compare(*same)
    assert result.tier_a is None and result.tier_b is None and result.tier_c is None
    assert result.rejected is not None and result.rejected.startswith(kind.value)
    assert not result.agrees, "a rejection by both is not a full match"


@pytest.mark.parametrize("kind, same, other", ALIKE, ids=[k.value for k, _, _ in ALIKE])
def test_failure_on_one_side_or_different_failures_stay_tier_a(
    kind: FailureKind, same: tuple[Outcome, Outcome], other: Outcome
) -> None:
    """A failure on one side only, or a different failure on the other, must stay Tier A."""
    one_sided = compare(ok(report("thanks")), same[1])
    assert one_sided.tier_a is not None and one_sided.rejected is None
    assert one_sided.tier_a.signatures == (f"{same[1].failure.label} on candidate",)  # type: ignore[union-attr]
    different = compare(same[0], other)
    assert different.tier_a is not None and different.rejected is None
    assert len(different.tier_a.signatures) == 2


def test_same_schema_violation_on_both_sides_is_rejected_by_both() -> None:
    """Two reports broken at the same schema location agree; at different ones they do not."""
    one, two, three = report("thanks"), report("thanks"), report("thanks")
    # Two different reports (equal ones take compare's shortcut), broken at one place.
    one["overall_quality"], two["overall_quality"] = "superb", "stellar"
    three.pop("execution_signals")
    alike = compare(ok(one), ok(two))
    assert alike.tier_a is None and alike.rejected == "schema: /overall_quality: enum"
    assert compare(ok(one), ok(copy.deepcopy(one))).rejected == alike.rejected
    unlike = compare(ok(one), ok(three))
    assert unlike.tier_a is not None and unlike.tier_a.kind == "schema"
