"""The baseline: Tier-A divergences a team has looked at and accepted, for now.

A release gate must fail on what nobody has seen, not on a bug that is known,
filed and waiting for its fix. The baseline names those known bugs by
signature, or a whole root cause at once (``fuzz.engine.causes``: one
disputed thing, such as a character class one side treats as whitespace,
behind many signatures), each with why it is accepted, who accepted it and,
optionally, until when. On disk it is one canonical JSON file, reviewed like
code::

    {
      "accepted": {
        "crash IndexError on candidate": {
          "accepted_by": "ana",
          "expires": "2025-09-30",
          "reason": "port issue #142, fix in the next release"
        }
      },
      "accepted_root_causes": {
        "class-cc-space-1f0e42aa": {
          "accepted_by": "ana",
          "reason": "port issue #150: U+001C..U+001F are not whitespace in Rust",
          "signatures": ["counts: interaction.satisfaction.gratitude ref>cand"]
        }
      },
      "schema_version": 1
    }

A root-cause entry is named by the root cause's id or by its explanation
line, as the reports print them. It accepts every signature of that root
cause in a run, and, where the run cannot tell (a signature set aside
before it is found), the ``signatures`` it lists.

An entry whose ``expires`` date has passed (``expires < today``) no longer
accepts anything: the gate fails again until someone renews or removes it.
"""

from __future__ import annotations

import datetime
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs

from fuzz.errors import UsageError
from fuzz.files import canonical_json, write_atomic

SCHEMA_VERSION = 1

#: The reason ``--baseline-update`` writes for an entry nobody has explained yet.
PLACEHOLDER_REASON = "TODO: why is this accepted?"

_ENTRY_KEYS = frozenset({"reason", "accepted_by", "expires"})
_CAUSE_KEYS = _ENTRY_KEYS | {"signatures"}


@attrs.frozen
class Entry:
    """Why one signature is accepted, by whom, and until when (inclusive)."""

    reason: str
    accepted_by: str
    expires: datetime.date | None = None
    #: A root-cause entry: the signatures it covered when it was accepted.
    signatures: tuple[str, ...] = ()

    def active(self, today: datetime.date) -> bool:
        return self.expires is None or today <= self.expires

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"reason": self.reason, "accepted_by": self.accepted_by}
        if self.expires is not None:
            data["expires"] = self.expires.isoformat()
        if self.signatures:
            data["signatures"] = list(self.signatures)
        return data


def _entry_from_json(where: str, data: Any, keys: frozenset[str] = _ENTRY_KEYS) -> Entry:
    """One entry, or ``ValueError`` saying what is wrong with it."""
    if not isinstance(data, dict):
        raise ValueError(f"{where} is {type(data).__name__}, not an object")
    unknown = sorted(set(data) - keys)
    if unknown:
        raise ValueError(f"{where} has unknown key {unknown[0]!r}; use {', '.join(sorted(keys))}")
    signatures = data.get("signatures", [])
    if not isinstance(signatures, list) or not all(isinstance(x, str) for x in signatures):
        raise ValueError(f"{where} has signatures={signatures!r}; use a list of signatures")
    reason, accepted_by = data.get("reason"), data.get("accepted_by")
    if not isinstance(reason, str) or not reason.strip():
        raise ValueError(f"{where} needs a non-empty string 'reason'")
    if not isinstance(accepted_by, str) or not accepted_by.strip():
        raise ValueError(f"{where} needs a non-empty string 'accepted_by'")
    expires = data.get("expires")
    if expires is None:
        return Entry(reason, accepted_by, signatures=tuple(signatures))
    try:
        return Entry(
            reason,
            accepted_by,
            datetime.date.fromisoformat(str(expires)),
            tuple(signatures),
        )
    except ValueError:
        raise ValueError(
            f"{where} has expires={expires!r}; use an ISO date like 2025-12-31"
        ) from None


@attrs.frozen
class Baseline:
    """Accepted Tier-A signatures and root causes, each with its entry."""

    entries: Mapping[str, Entry] = attrs.field(factory=dict)
    #: Root cause id or explanation line -> entry.
    causes: Mapping[str, Entry] = attrs.field(factory=dict)

    @classmethod
    def from_json(cls, data: Any) -> Baseline:
        """Rebuild a baseline; ``ValueError`` naming the first thing that is wrong."""
        if not isinstance(data, dict):
            raise ValueError(f"the top level is {type(data).__name__}, not an object")
        if data.get("schema_version") != SCHEMA_VERSION:
            raise ValueError(
                f"schema_version {data.get('schema_version')!r} is not {SCHEMA_VERSION}"
            )
        accepted = data.get("accepted")
        if not isinstance(accepted, dict):
            raise ValueError("'accepted' must be an object mapping signatures to entries")
        causes = data.get("accepted_root_causes", {})
        if not isinstance(causes, dict):
            raise ValueError(
                "'accepted_root_causes' must be an object mapping root-cause ids to entries"
            )
        return cls(
            {
                signature: _entry_from_json(f"entry {signature!r}", entry)
                for signature, entry in accepted.items()
            },
            {
                cause: _entry_from_json(f"root-cause entry {cause!r}", entry, _CAUSE_KEYS)
                for cause, entry in causes.items()
            },
        )

    @classmethod
    def load(cls, path: Path) -> Baseline:
        """Read a baseline file, or raise ``UsageError`` naming it."""
        try:
            return cls.from_json(json.loads(path.read_text("utf-8")))
        except OSError as exc:
            raise UsageError(
                f"--baseline={str(path)!r} cannot be read: {exc.strerror}; "
                f"create it with --baseline-update"
            ) from None
        except RecursionError:
            raise UsageError(
                f"--baseline={str(path)!r} is not a signals-fuzz baseline: nested too deep"
            ) from None
        except ValueError as exc:
            raise UsageError(
                f"--baseline={str(path)!r} is not a signals-fuzz baseline: {exc}"
            ) from None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "accepted": {sig: entry.to_json() for sig, entry in sorted(self.entries.items())},
        }
        if self.causes:
            data["accepted_root_causes"] = {
                cause: entry.to_json() for cause, entry in sorted(self.causes.items())
            }
        return data

    def save(self, path: Path) -> None:
        write_atomic(path, canonical_json(self.to_json()))

    def accepts(self, signature: str, today: datetime.date) -> bool:
        entry = self.entries.get(signature)
        return entry is not None and entry.active(today)

    def accepted(self, today: datetime.date) -> frozenset[str]:
        """Signatures accepted on ``today``: their own entries and those root-cause entries list
        (expired entries left out)."""
        own = {sig for sig, entry in self.entries.items() if entry.active(today)}
        listed = {
            sig for entry in self.causes.values() if entry.active(today) for sig in entry.signatures
        }
        return frozenset(own | listed)

    def accepts_cause(self, cause_id: str, explanation: str, today: datetime.date) -> bool:
        """Whether a root cause, named by its id or its explanation line, has an active entry."""
        entry = self.causes.get(cause_id) or self.causes.get(explanation)
        return entry is not None and entry.active(today)

    def expired(self, today: datetime.date) -> frozenset[str]:
        """Signatures and root causes whose entries have expired."""
        entries = [*self.entries.items(), *self.causes.items()]
        return frozenset(key for key, entry in entries if not entry.active(today))

    def updated(self, signatures: Iterable[str], accepted_by: str | None = None) -> Baseline:
        """The baseline for exactly ``signatures``.

        Entries of signatures still seen are kept as they are (reason, author
        and expiry: an expired entry stays expired until a person renews it);
        signatures not seen any more are dropped; new ones get the placeholder
        reason and ``accepted_by`` (default: ``$USER``, else ``unknown``).
        """
        author = accepted_by or os.environ.get("USER") or "unknown"
        return Baseline(
            {
                sig: self.entries.get(sig) or Entry(PLACEHOLDER_REASON, author)
                for sig in sorted(set(signatures))
            },
            self.causes,
        )


def load_optional(path: Path | None, *, missing_ok: bool = False) -> Baseline:
    """The baseline at ``path``; empty when no path is given (or, if ``missing_ok``, no file)."""
    if path is None or (missing_ok and not path.exists()):
        return Baseline()
    return Baseline.load(path)
