"""Group explained cases into root causes: one bug, one entry, one line saying why.

A port that treats U+001C as a word character flips every leaf type whose
trigger it touches, each a signature of its own with its own minimal case.
Those cases share their *disputed thing*: the root-cause key of their
explanation (``fuzz.engine.explain``). Cases group when their keys share it:

* a character ingredient is keyed by its character *class* (the pluggable
  ``CharClassifier``; by default ``fuzz.engine.charclass.default_char_class``),
  and two character cases also group when their observed classes overlap
  (one case's character, substituted into the other, still shows the other's
  bug), so NBSP and U+001C cases of one whitespace bug meet even where the
  classifier puts them apart;
* every other ingredient by its key as explained: the same phrase, the same
  JSON feature, the same message count, the same quality boundary;
* an unexplained case stands alone under its signature.

Grouping is across signatures and both directions. A root cause's ``id`` is
stable across runs: a readable slug of its key plus a short hash of it, where
the key is the smallest primary key among its members (for characters, the
class key, which does not depend on which character a run happened to find).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Any

import attrs

from fuzz.engine.case import conversation_hash, size_key, slugify
from fuzz.engine.charclass import CharClassifier, default_char_class, describe
from fuzz.engine.explain import Explanation, Kind


@attrs.frozen
class RootCause:
    """Cases that share one disputed thing: an id, one line, the signatures, the smallest case."""

    id: str
    explanation: str
    signatures: tuple[str, ...]
    representative: Explanation
    members: tuple[Explanation, ...]

    def to_json(self) -> dict[str, Any]:
        """The shape of ``metrics.json``'s ``root_causes`` entries (the case named by its hash)."""
        return {
            "id": self.id,
            "explanation": self.explanation,
            "signatures": list(self.signatures),
            "representative": {
                "case_id": conversation_hash(self.representative.conversation),
                "signature": self.representative.signature,
            },
        }


def _primary(explanation: Explanation, classify: CharClassifier) -> str:
    """The key a case is filed under: its cause's key, a character's by its class."""
    cause = explanation.cause
    if cause is None or cause.kind is not Kind.CHARACTER or not cause.text:
        return explanation.key
    if cause.code_point is not None:
        return f"class:{classify(cause.text).key}"
    # Characters needed together: the class of the commonest of them in its text.
    where = explanation.conversation[cause.message] if cause.message is not None else {}
    value = str(where.get("value", ""))
    return f"class:{classify(max(cause.text, key=value.count)).key}"


def _tokens(explanation: Explanation, classify: CharClassifier) -> set[str]:
    """What a case may share with another: its primary key, a character's observed class."""
    tokens = {_primary(explanation, classify)}
    cause = explanation.cause
    if cause is not None and cause.kind is Kind.CHARACTER and cause.code_point is not None:
        tokens.update(f"char:{ord(c):04X}" for c in cause.chars)
    return tokens


class _Union:
    """Union-find over case positions."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, i: int, j: int) -> None:
        a, b = self.find(i), self.find(j)
        if a != b:
            self.parent[max(a, b)] = min(a, b)


def cause_id(key: str) -> str:
    """A stable id for a root-cause key: a readable slug plus a short hash."""
    slug = slugify(key, limit=40, default="cause")
    return f"{slug}-{hashlib.sha256(key.encode('utf-8', 'surrogatepass')).hexdigest()[:8]}"


def _line(
    members: Sequence[Explanation], representative: Explanation, classify: CharClassifier
) -> str:
    """One line naming the disputed thing, with an example and how many signatures it explains."""
    cause = representative.cause
    signatures = len({m.signature for m in members})
    tail = f"({signatures} signature{'s' if signatures != 1 else ''})"
    if cause is None:
        return f"{representative.signature}: {representative.sentence} {tail}"
    if cause.kind is not Kind.CHARACTER:
        return f"{cause.sentence} {tail}"
    chars: dict[str, None] = {}
    for member in members:
        if member.cause is not None:
            chars.update(dict.fromkeys(member.cause.text))
    shown = list(chars)
    named = ", ".join(describe(c) for c in shown[:4])
    if len(shown) > 4:
        named += f" and {len(shown) - 4} more"
    label = classify(shown[0]).label if shown else "characters"
    return f"{label}: {named}; e.g. {cause.sentence} {tail}"


def group(
    explanations: Iterable[Explanation], *, classify: CharClassifier = default_char_class
) -> tuple[RootCause, ...]:
    """The root causes of explained cases, most signatures first (then by id).

    Cases join when they share a token (``_tokens``): the same primary key,
    or, for characters, an observed substitute. The representative is the
    smallest case (``size_key``) of a cause.
    """
    cases = list(explanations)
    tokens = [_tokens(e, classify) for e in cases]
    union = _Union(len(cases))
    owner: dict[str, int] = {}
    for i, its_tokens in enumerate(tokens):
        for token in sorted(its_tokens):
            if token in owner:
                union.join(owner[token], i)
            else:
                owner[token] = i
    groups: dict[int, list[int]] = {}
    for i in range(len(cases)):
        groups.setdefault(union.find(i), []).append(i)
    causes = []
    for positions in groups.values():
        members = tuple(cases[i] for i in positions)
        key = min(_primary(m, classify) for m in members)
        representative = min(members, key=lambda m: (size_key(m.conversation), m.signature))
        causes.append(
            RootCause(
                cause_id(key),
                _line(members, representative, classify),
                tuple(sorted({m.signature for m in members})),
                representative,
                members,
            )
        )
    return tuple(sorted(causes, key=lambda c: (-len(c.signatures), c.id)))
