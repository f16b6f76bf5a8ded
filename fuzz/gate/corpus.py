"""Saved regression cases: the on-disk format, versioned, and the store.

A case is one conversation on which the two sides diverged at Tier A, with
both outcomes, the diff and the provenance needed to rerun it. On disk it is
one canonical JSON file (sorted keys, two-space indent, trailing newline) so
corpus changes review well, named ``<slug>-<hash>.json`` where the hash is
of the conversation alone: the same conversation is the same file.

The store keeps at most one case per signature, the smallest known: a bug
found again, or found smaller, replaces its case instead of adding another.
Writes go to a temporary file in the same folder and are renamed into place,
so an interrupted campaign leaves whole files only.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from fuzz.engine.compare import Tier
from fuzz.engine.targets import Conversation, Failure, FailureKind, Outcome, TargetIdentity
from fuzz.errors import UsageError

SCHEMA_VERSION = 1


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


def slugify(signature: str, *, limit: int = 60) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", signature.lower()).strip("-")
    return slug[:limit].rstrip("-") or "case"


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
        """Whether this case should replace ``other`` for the same signature."""
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
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Case:
        """Rebuild a case; ``KeyError``/``TypeError``/``ValueError`` on a malformed one."""
        if data.get("schema_version") != SCHEMA_VERSION:
            raise ValueError(
                f"schema_version {data.get('schema_version')!r} is not {SCHEMA_VERSION}"
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
        )


def outcome_to_json(outcome: Outcome) -> dict[str, Any]:
    if outcome.failure is not None:
        failure = attrs.asdict(outcome.failure)
        failure["kind"] = outcome.failure.kind.value
        return {"failure": failure}
    return {"report": outcome.report}


def outcome_from_json(data: Mapping[str, Any]) -> Outcome:
    if "failure" in data:
        failure = dict(data["failure"])
        failure["kind"] = FailureKind(failure["kind"])
        return Outcome.of_failure(Failure(**failure))
    return Outcome.of_report(dict(data["report"]))


def canonical_json(data: Any) -> str:
    """The one way corpus files are written: sorted keys, fixed indent."""
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def write_atomic(path: Path, text: str) -> None:
    """Write a whole file or nothing: temp file in the same folder, then rename."""
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below; kept past close for the rename
        "w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False
    )
    try:
        with handle:
            try:
                handle.write(text)
            except UnicodeEncodeError:
                handle.write(text.encode("utf-8", "backslashreplace").decode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def ensure_writable_dir(path: Path, flag: str) -> Path:
    """Create ``path`` if needed and prove it takes files, or raise ``UsageError``."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".probe-"):
            pass
    except OSError as exc:
        raise UsageError(
            f"{flag}={str(path)!r} is not a writable directory: {exc.strerror}"
        ) from None
    return path


def load_case(path: Path) -> Case:
    """Read one corpus file, or raise ``UsageError`` naming it."""
    try:
        return Case.from_json(json.loads(path.read_text("utf-8")))
    except OSError as exc:
        raise UsageError(f"corpus file {str(path)!r} cannot be read: {exc.strerror}") from None
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise UsageError(
            f"corpus file {str(path)!r} is not a signals-fuzz case: {type(exc).__name__}: {exc}"
        ) from None


def iter_case_files(paths: Sequence[Path]) -> Iterator[Path]:
    """Case files named directly or found (non-recursively sorted) in folders."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.glob("*.json") if not p.name.startswith("."))
        elif path.is_file():
            yield path
        else:
            raise UsageError(f"{str(path)!r} is neither a corpus file nor a folder")


@attrs.define
class Corpus:
    """A corpus folder and its reproducer folder, one case per signature."""

    root: Path
    shrunk_dir: Path
    render: Callable[[Case, str], str] | None = None  # (case, corpus file) -> Markdown
    _by_signature: dict[str, tuple[Path, Case]] = attrs.field(factory=dict, init=False)

    @classmethod
    def open(
        cls, root: Path, shrunk_dir: Path, render: Callable[[Case, str], str] | None = None
    ) -> Corpus:
        corpus = cls(
            ensure_writable_dir(root, "--corpus"),
            ensure_writable_dir(shrunk_dir, "--shrunk"),
            render,
        )
        corpus._by_signature, _, _ = smallest_per_signature(iter_case_files([corpus.root]))
        return corpus

    def cases(self) -> list[Case]:
        """Every case kept, one per signature, in signature order."""
        return [case for _, (_, case) in sorted(self._by_signature.items())]

    def get(self, signature: str) -> Case | None:
        known = self._by_signature.get(signature)
        return None if known is None else known[1]

    def path_of(self, signature: str) -> Path | None:
        known = self._by_signature.get(signature)
        return None if known is None else known[0]

    def reproducer_path(self, case: Case) -> Path:
        return self.shrunk_dir / f"{case.stem}.md"

    def save(self, case: Case) -> Path | None:
        """Keep ``case`` if it is the smallest for its signature; its path, or None if not kept."""
        known = self._by_signature.get(case.signature)
        if known is not None and not case.smaller_than(known[1]):
            return None
        path = self.root / f"{case.stem}.json"
        write_atomic(path, canonical_json(case.to_json()))
        if self.render is not None:
            write_atomic(self.reproducer_path(case), self.render(case, str(path)))
        if known is not None and known[0] != path:
            known[0].unlink(missing_ok=True)
            self.reproducer_path(known[1]).unlink(missing_ok=True)
        self._by_signature[case.signature] = (path, case)
        return path


# ------------------------------------------------------------------ merge ---


@attrs.frozen
class MergeEntry:
    """What happened to one signature in a merge: ``added``, ``replaced`` or ``kept``."""

    signature: str
    action: str
    case: Case
    source: Path | None  # the file the kept case came from; None when the target's own won
    previous: Case | None = None  # the target's case before, when there was one


@attrs.frozen
class MergeResult:
    """A merge, signature by signature, plus what was read and skipped."""

    entries: tuple[MergeEntry, ...]
    files_read: int
    duplicates: int  # source files whose conversation and signature were already there

    def count(self, action: str) -> int:
        return sum(entry.action == action for entry in self.entries)


def check_source_dirs(sources: Sequence[Path]) -> list[Path]:
    """The folders to merge from; a missing folder or a plain file is a usage error."""
    if not sources:
        raise UsageError("corpus merge: name at least one corpus folder to merge from")
    for source in sources:
        if not source.is_dir():
            raise UsageError(f"corpus merge: {str(source)!r} is not a corpus folder")
    return list(sources)


def smallest_per_signature(paths: Iterable[Path]) -> tuple[dict[str, tuple[Path, Case]], int, int]:
    """The smallest case per signature among ``paths`` (files in order; earlier wins ties).

    Returns the winners, the number of files read, and how many files were
    duplicates (same conversation, same signature) of a file read before.
    """
    best: dict[str, tuple[Path, Case]] = {}
    seen: set[tuple[str, str]] = set()
    read = duplicates = 0
    for path in paths:
        case = load_case(path)
        read += 1
        key = (case.signature, case.case_id)
        duplicates += key in seen
        seen.add(key)
        known = best.get(case.signature)
        # A duplicate can still win: the same conversation, shrunk here and not there.
        if known is None or case.smaller_than(known[1]):
            best[case.signature] = (path, case)
    return best, read, duplicates


def merge_corpora(sources: Sequence[Path], into: Corpus) -> MergeResult:
    """Merge corpus folders into ``into``, keeping the smallest case per signature.

    Cases are compared by signature (one bug, one case) and by content hash
    (the same conversation in two folders is one case). A case is written
    only when it is new to ``into`` or smaller than the case there; ``Corpus.save``
    writes it canonically and atomically, removes the one it replaces, and
    renders its reproducer. Reproducers missing for kept cases are rendered too.
    """
    files = list(iter_case_files(check_source_dirs(sources)))
    best, read, duplicates = smallest_per_signature(files)
    entries = []
    for signature, (path, case) in sorted(best.items()):
        known = into.get(signature)
        if known is None or case.smaller_than(known):
            into.save(case)
            action = "added" if known is None else "replaced"
            entries.append(MergeEntry(signature, action, case, path, known))
            continue
        if known.case_id == case.case_id:
            duplicates += 1
        kept_path = into.path_of(signature)
        if into.render is not None and kept_path is not None:
            reproducer = into.reproducer_path(known)
            if not reproducer.exists():
                write_atomic(reproducer, into.render(known, str(kept_path)))
        entries.append(MergeEntry(signature, "kept", known, None, known))
    return MergeResult(tuple(entries), read, duplicates)
