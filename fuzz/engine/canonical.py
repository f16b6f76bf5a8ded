"""Normalise reports before comparing them, tier by tier.

A report is split into three views, one per tier of the contract:

* Tier A: which leaf types fired, how often, and the quality bucket;
* Tier B: for each leaf type, the sorted ``message_index`` list;
* Tier C: everything else, after removing differences that are not
  differences: ``confidence`` is rounded to float32, because the port computes
  in f32 and prints the f64 nearest to it (0.95 arrives as 0.949999988079071).

Reports are validated against the shipped schema before they get here, so
the views can trust the shape.
"""

from __future__ import annotations

import json
import struct
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from functools import cache
from importlib import resources
from typing import Any

import attrs
import fastjsonschema
import jsonschema

from strategies.signal_types import LAYER_KEYS, LAYOUT


@attrs.frozen
class TierAView:
    """Leaf type → count (types that fired only), and the quality bucket."""

    counts: Mapping[str, int]
    quality: str

    def to_json(self) -> dict[str, Any]:
        return {"counts": dict(sorted(self.counts.items())), "overall_quality": self.quality}


def iter_signals(report: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """Every signal instance of a schema-valid report, layer by layer."""
    for layer, categories in LAYOUT.items():
        groups = report[LAYER_KEYS[layer]]
        for category in categories:
            yield from groups[category]["signals"]


def lenient_counts(report: Mapping[str, Any] | None) -> Counter[str]:
    """Leaf type -> instances, from any report, valid or not.

    For the places that must not fail on a malformed report (coverage):
    whatever does not have the contract's shape is skipped.
    """
    counts: Counter[str] = Counter()
    for layer_key in LAYER_KEYS.values():
        groups = report.get(layer_key) if isinstance(report, Mapping) else None
        for group in groups.values() if isinstance(groups, dict) else ():
            signals = group.get("signals") if isinstance(group, dict) else None
            for signal in signals if isinstance(signals, list) else ():
                signal_type = signal.get("signal_type") if isinstance(signal, dict) else None
                if isinstance(signal_type, str):
                    counts[signal_type] += 1
    return counts


def tier_a_view(report: Mapping[str, Any]) -> TierAView:
    counts = Counter(signal["signal_type"] for signal in iter_signals(report))
    return TierAView(counts=dict(counts), quality=report["overall_quality"])


def tier_b_view(report: Mapping[str, Any]) -> dict[str, list[int]]:
    """Leaf type → sorted message indices: where each signal was seen."""
    indices: dict[str, list[int]] = defaultdict(list)
    for signal in iter_signals(report):
        indices[signal["signal_type"]].append(signal["message_index"])
    return {signal_type: sorted(found) for signal_type, found in sorted(indices.items())}


def as_float32(value: float) -> float:
    """The float64 that a float32 computation of ``value`` would print."""
    try:
        return float(struct.unpack("f", struct.pack("f", value))[0])
    except OverflowError:
        return value


def tier_c_view(report: Mapping[str, Any]) -> dict[str, Any]:
    """The whole report with float32-equivalent confidences."""

    def normalise(node: Any, key: str | None = None) -> Any:
        if isinstance(node, dict):
            return {k: normalise(v, k) for k, v in node.items()}
        if isinstance(node, list):
            return [normalise(item) for item in node]
        if key == "confidence" and isinstance(node, float | int) and not isinstance(node, bool):
            return as_float32(float(node))
        return node

    result: dict[str, Any] = normalise(report)
    return result


@cache
def load_schema(name: str) -> dict[str, Any]:
    """One of the JSON Schemas shipped in ``fuzz/engine/schemas/``, e.g. ``report.schema.json``."""
    text = resources.files("fuzz.engine").joinpath(f"schemas/{name}").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def report_schema() -> dict[str, Any]:
    return load_schema("report.schema.json")


@cache
def report_validator() -> jsonschema.protocols.Validator:
    """The reference validator: slow, but its error locations are stable and precise."""
    schema = report_schema()
    validator_class = jsonschema.validators.validator_for(schema)
    return validator_class(schema)


@cache
def _fast_check() -> Any:
    """The same schema compiled to Python code: about 15x faster on valid reports."""
    return fastjsonschema.compile(report_schema())


def schema_violation(report: Mapping[str, Any]) -> str | None:
    """Where a report breaks the contract's shape, as a stable string, or None.

    Array positions are written ``*`` so that the same defect in a different
    signal reads the same.
    """
    try:
        _fast_check()(report)
        return None
    except fastjsonschema.JsonSchemaException:
        pass
    error = jsonschema.exceptions.best_match(report_validator().iter_errors(report))
    if error is None:
        return None
    path = "/".join("*" if isinstance(part, int) else str(part) for part in error.absolute_path)
    return f"/{path}: {error.validator}"
