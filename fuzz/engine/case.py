"""The case model: one Tier-A divergence as the fuzzer keeps it, and how it is named.

A case is one conversation on which the two sides diverged at Tier A, filed
under one signature (one bug), with both outcomes, the diff and the
provenance needed to rerun it. Every stage uses it: the search makes cases,
the gate stores and replays them, reproducers render them. Its JSON form
(``Case.to_json`` / ``Case.from_json``) is the corpus file format, versioned
by ``SCHEMA_VERSION``; ``fuzz.gate.corpus`` stores those files.

Names are stable: a case's file stem is a slug of its signature plus the
first 12 hex digits of the SHA-256 of its conversation, so the same
conversation is the same file. ``size_key`` says which of two cases for one
bug is the smaller (and so the one kept).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from fuzz.engine.compare import Tier
from fuzz.engine.explain import Explanation
from fuzz.engine.outcomes import (
    Conversation,
    Outcome,
    TargetIdentity,
    outcome_from_json,
    outcome_to_json,
)

#: Version 2 adds ``explanation`` (``fuzz.engine.explain``); version 1 files still read.
SCHEMA_VERSION = 2
READABLE_VERSIONS = (1, 2)


@attrs.frozen
class Provenance:
    """Where a case came from: enough to rerun the campaign that found it."""

    seed: int | None
    fuzzer_version: str
    hypothesis_version: str
    python_version: str
    reference: TargetIdentity
    candidate: TargetIdentity
    found_at: str
    command: str


def conversation_hash(conversation: Sequence[Mapping[str, Any]]) -> str:
    """SHA-256 of the conversation's canonical JSON: its stable name."""
    text = json.dumps(list(conversation), sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def size_key(conversation: Sequence[Mapping[str, Any]]) -> tuple[int, int, int]:
    """Smaller is better: fewer messages, then less text, then shorter JSON."""
    text = sum(len(str(message.get("value", ""))) for message in conversation)
    return (len(conversation), text, len(json.dumps(list(conversation), ensure_ascii=True)))


def slugify(text: str, *, limit: int = 60, default: str = "case") -> str:
    """``text`` as lowercase ASCII words joined by dashes, at most ``limit`` characters."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:limit].rstrip("-") or default


@attrs.frozen
class Case:
    """One Tier-A divergence, as saved."""

    conversation: Conversation
    tier: Tier
    kind: str
    signature: str
    reference: Outcome
    candidate: Outcome
    diff: Mapping[str, Any]
    shrunk: bool
    provenance: Provenance
    #: Why the case diverges: what it cannot lose (None until it is explained).
    explanation: Explanation | None = None

    @property
    def case_id(self) -> str:
        return conversation_hash(self.conversation)

    @property
    def stem(self) -> str:
        """File name without extension, shared by the corpus file and the reproducer."""
        return f"{slugify(self.signature)}-{self.case_id[:12]}"

    @property
    def input_line(self) -> dict[str, Any]:
        """The replay protocol line for this conversation."""
        return {"id": self.case_id[:12], "messages": self.conversation}

    def smaller_than(self, other: Case) -> bool:
        """Whether this case should replace ``other`` for the same signature: it is smaller,
        or it is the same conversation known better (shrunk, or explained, where it was not)."""
        if self.case_id == other.case_id:
            return (self.shrunk, self.explanation is not None) > (
                other.shrunk,
                other.explanation is not None,
            )
        return (size_key(self.conversation), not self.shrunk) < (
            size_key(other.conversation),
            not other.shrunk,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "case_id": self.case_id,
            "input": self.input_line,
            "tier": self.tier.value,
            "kind": self.kind,
            "signature": self.signature,
            "shrunk": self.shrunk,
            "outcomes": {
                "reference": outcome_to_json(self.reference),
                "candidate": outcome_to_json(self.candidate),
            },
            "diff": self.diff,
            "provenance": attrs.asdict(self.provenance),
            **({} if self.explanation is None else {"explanation": self.explanation.to_json()}),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Case:
        """Rebuild a case; ``KeyError``/``TypeError``/``ValueError`` on a malformed one."""
        if data.get("schema_version") not in READABLE_VERSIONS:
            raise ValueError(
                f"schema_version {data.get('schema_version')!r} is not one of "
                f"{', '.join(map(str, READABLE_VERSIONS))}"
            )
        prov = dict(data["provenance"])
        prov["reference"] = TargetIdentity(**prov["reference"])
        prov["candidate"] = TargetIdentity(**prov["candidate"])
        messages = data["input"]["messages"]
        if not isinstance(messages, list):
            raise TypeError("input.messages is not a list")
        return cls(
            conversation=messages,
            tier=Tier(data["tier"]),
            kind=str(data["kind"]),
            signature=str(data["signature"]),
            reference=outcome_from_json(data["outcomes"]["reference"]),
            candidate=outcome_from_json(data["outcomes"]["candidate"]),
            diff=data["diff"],
            shrunk=bool(data["shrunk"]),
            provenance=Provenance(**prov),
            explanation=None
            if data.get("explanation") is None
            else Explanation.from_json(data["explanation"], messages),
        )
