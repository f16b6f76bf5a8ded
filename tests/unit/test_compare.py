"""Tiered comparison: what counts as Tier A, B and C, and how signatures behave."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from fuzz.engine.compare import Tier, compare
from fuzz.engine.targets import Failure, FailureKind, Outcome
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
    assert result.tier_a.signature == "counts: interaction.satisfaction.gratitude ref>cand"
    reverse = compare(ok(report("hello")), ok(report("thanks")))
    assert reverse.tier_a is not None
    assert reverse.tier_a.signature.endswith("ref<cand")


def test_signature_ignores_amounts_and_quality_drag() -> None:
    """The same bug on more triggers (and the quality change it drags) must keep one signature."""
    one = compare(ok(report("thanks")), ok(report("hello")))
    many = compare(ok(report("thanks", "thanks", "thanks")), ok(report("thanks", "x", "y")))
    assert one.tier_a is not None and many.tier_a is not None
    assert one.tier_a.signature == many.tier_a.signature


def test_quality_only_difference_has_its_own_signature() -> None:
    """A bucket difference with equal counts must be Tier A 'quality', naming both buckets."""
    moved = report("thanks")
    moved["overall_quality"] = "excellent"
    result = compare(ok(report("thanks")), ok(moved))
    assert result.tier_a is not None
    assert result.tier_a.signature == "quality: good -> excellent"


def test_message_index_only_is_tier_b() -> None:
    """Different indices with equal counts must be recorded as Tier B, never Tier A."""
    shifted = report("thanks")
    shifted["interaction_signals"]["satisfaction"]["signals"][0]["message_index"] = 5
    result = compare(ok(report("thanks")), ok(shifted))
    assert result.tier_a is None
    assert result.tier_b is not None and result.tier_b.tier is Tier.B
    assert "interaction.satisfaction.gratitude" in result.tier_b.signature


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
    assert result.tier_a.signature == f"schema on candidate: {where}"


def test_failure_signature_uses_discriminator_not_message() -> None:
    """Crash messages quote the input; the signature must not, or one bug splits into many."""
    one = Outcome.of_failure(Failure(FailureKind.CRASH, "IndexError", "list index 3 out of range"))
    two = Outcome.of_failure(Failure(FailureKind.CRASH, "IndexError", "list index 9 out of range"))
    first = compare(ok(report("x")), one)
    second = compare(ok(report("y")), two)
    assert first.tier_a is not None and second.tier_a is not None
    assert first.tier_a.signature == second.tier_a.signature == "crash IndexError on candidate"


def test_failures_on_both_sides_name_both() -> None:
    """Either side failing is Tier A; both failing must say so for each."""
    hang = Outcome.of_failure(Failure(FailureKind.TIMEOUT))
    crash = Outcome.of_failure(Failure(FailureKind.CRASH, "exit 101"))
    result = compare(hang, crash)
    assert result.tier_a is not None
    assert result.tier_a.signature == "timeout on reference; crash exit 101 on candidate"


def test_each_differing_type_is_a_component() -> None:
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
    assert result.tier_a.components == (
        "counts: execution.loops.retry ref>cand",
        "counts: interaction.satisfaction.gratitude ref>cand",
    )
    assert result.tier_a.signature == (
        "counts: execution.loops.retry ref>cand, interaction.satisfaction.gratitude ref>cand"
    )
