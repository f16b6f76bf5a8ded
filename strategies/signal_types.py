"""The 25 leaf signal types of the analyzer contract (``shared/spec/targets.md``).

They live here, not in ``fuzz/``, because strategies aim at them (lexicons are
keyed by them) and the engine imports strategies, never the other way round.
"""

from __future__ import annotations

from typing import Final

#: layer -> category -> leaves, in the order the contract lists them.
LAYOUT: Final[dict[str, dict[str, tuple[str, ...]]]] = {
    "interaction": {
        "misalignment": ("correction", "rephrase", "clarification"),
        "stagnation": ("dragging", "repetition"),
        "disengagement": ("escalation", "quit", "negative_stance"),
        "satisfaction": ("gratitude", "confirmation", "success"),
    },
    "execution": {
        "failure": ("invalid_args", "bad_query", "tool_not_found", "auth_misuse", "state_error"),
        "loops": ("retry", "parameter_drift", "oscillation"),
    },
    "environment": {
        "exhaustion": (
            "api_error",
            "timeout",
            "rate_limit",
            "network",
            "malformed_response",
            "context_overflow",
        ),
    },
}

#: The report key that holds each layer.
LAYER_KEYS: Final[dict[str, str]] = {
    "interaction": "interaction_signals",
    "execution": "execution_signals",
    "environment": "environment_signals",
}

#: Every ``signal_type`` string, ``layer.category.leaf``.
LEAF_TYPES: Final[tuple[str, ...]] = tuple(
    f"{layer}.{category}.{leaf}"
    for layer, categories in LAYOUT.items()
    for category, leaves in categories.items()
    for leaf in leaves
)

#: Quality buckets, best first.
QUALITY_BUCKETS: Final[tuple[str, ...]] = ("excellent", "good", "neutral", "poor", "severe")

#: The conversation roles the analyzers read; anything else is ignored but counted.
ROLES: Final[tuple[str, ...]] = ("human", "gpt", "function_call", "observation")


def category_of(signal_type: str) -> tuple[str, str]:
    """Return ``(layer, category)`` of a leaf type; ``ValueError`` for unknown ones."""
    layer, category, leaf = signal_type.split(".")
    if leaf not in LAYOUT.get(layer, {}).get(category, ()):
        raise ValueError(f"{signal_type!r} is not one of the 25 leaf signal types")
    return layer, category
