"""Rerun saved cases and plain conversations against two targets; say what became of each.

What is replayed is a list of *items*: saved corpus cases (``*.json``, which
remember the signature they were saved with) and plain JSONL input
lines (``{"id": ..., "messages": [...]}``, which remember nothing). All items
go to each target in as few processes as possible (chunks of ``chunk_size``
conversations), since a replay binary's start-up costs about as much as two
conversations.

Each result has a **status**, which depends only on the item and on what the
two sides say now:

========  ==========================  =========================================
status    item                        now
========  ==========================  =========================================
FIXED     saved case                  agrees at Tier A
STILL     saved case                  diverges with the signature it was saved with
CHANGED   saved case                  diverges with another signature
NEW       plain conversation          diverges at Tier A (there is nothing to compare with)
OK        plain conversation          agrees at Tier A
========  ==========================  =========================================

Whether a divergence fails a gate is a second, independent question, answered
by the baseline (``fuzz.gate.baseline``): every STILL, CHANGED or NEW result is
either *accepted* (its current signature has an unexpired baseline entry) or
not. A run passes when no result is an unaccepted divergence.
"""

from __future__ import annotations

import datetime
import enum
import json
import platform
import shutil
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs
import hypothesis

import fuzz
from fuzz.engine.canonical import tier_c_view
from fuzz.engine.case import Case, Provenance, conversation_hash
from fuzz.engine.compare import Comparison, Tier, compare, structural_diff
from fuzz.engine.outcomes import Conversation, Outcome, Target, TargetIdentity
from fuzz.engine.targets import analyze_pair
from fuzz.errors import UsageError
from fuzz.gate.corpus import CaseCheck, check_case_file

DEFAULT_CHUNK_SIZE = 256


class Status(enum.Enum):
    """What became of a replayed item (see the module docstring)."""

    FIXED = "FIXED"  # saved case; the sides now agree at Tier A
    STILL = "STILL"  # saved case; same signature as when saved
    CHANGED = "CHANGED"  # saved case; diverges, with another signature
    NEW = "NEW"  # plain conversation; diverges at Tier A
    OK = "OK"  # plain conversation; agrees at Tier A

    @property
    def diverges(self) -> bool:
        return self in (Status.STILL, Status.CHANGED, Status.NEW)


@attrs.frozen
class ReplayItem:
    """One conversation to replay: a saved case, or a line of a JSONL file."""

    path: Path
    name: str
    conversation: Conversation
    case: Case | None = None
    line: int | None = None

    @classmethod
    def of_case(cls, path: Path, case: Case) -> ReplayItem:
        return cls(path, path.stem, case.conversation, case)

    @property
    def source(self) -> str:
        """Where the item lives: ``path`` or ``path:line``."""
        return str(self.path) if self.line is None else f"{self.path}:{self.line}"


@attrs.frozen
class ReplayResult:
    item: ReplayItem
    reference: Outcome
    candidate: Outcome
    comparison: Comparison

    @property
    def path(self) -> Path:
        return self.item.path

    @property
    def case(self) -> Case | None:
        return self.item.case

    @property
    def label(self) -> str | None:
        """What diverges now at Tier A, in one line; None where the sides agree at Tier A."""
        return None if self.comparison.tier_a is None else self.comparison.tier_a.label

    @property
    def signatures(self) -> tuple[str, ...]:
        """The bugs the current divergence shows (``fuzz.engine.compare``); empty if none."""
        return () if self.comparison.tier_a is None else self.comparison.tier_a.signatures

    @property
    def status(self) -> Status:
        label = self.label
        if self.item.case is None:
            return Status.OK if label is None else Status.NEW
        if label is None:
            return Status.FIXED
        saved = self.item.case.signature
        return Status.STILL if saved in (label, *self.signatures) else Status.CHANGED


# ----------------------------------------------------------------- loading ---


def _record_name(path: Path, line: int, record_id: Any) -> str:
    if isinstance(record_id, str) and record_id:
        return record_id
    if isinstance(record_id, int) and not isinstance(record_id, bool):
        return str(record_id)
    return f"{path.stem}:{line}"


def read_replay_jsonl(path: Path) -> list[ReplayItem]:
    """Items of a JSONL file of input lines, or ``UsageError`` naming the bad line."""
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise UsageError(f"{str(path)!r} cannot be read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise UsageError(f"{str(path)!r} is not UTF-8: {exc}") from None
    items = []
    for number, raw in enumerate(text.split("\n"), start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except ValueError as exc:
            raise UsageError(f"{path}:{number} is not JSON: {exc}") from None
        except RecursionError:
            raise UsageError(f"{path}:{number} is nested too deep to read") from None
        messages = record.get("messages") if isinstance(record, dict) else None
        if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
            raise UsageError(
                f"{path}:{number} is not an input line; "
                f'use {{"id": ..., "messages": [{{"from": ..., "value": ...}}, ...]}}'
            )
        name = _record_name(path, number, record.get("id"))
        items.append(ReplayItem(path, name, messages, None, number))
    return items


def iter_replay_files(paths: Sequence[Path]) -> Iterator[Path]:
    """Files named directly, or ``*.json`` and ``*.jsonl`` files in folders (sorted, flat)."""
    for path in paths:
        if path.is_dir():
            yield from sorted(
                p
                for p in path.iterdir()
                if p.suffix in (".json", ".jsonl") and not p.name.startswith(".") and p.is_file()
            )
        elif path.is_file():
            yield path
        else:
            raise UsageError(f"{str(path)!r} is neither a corpus file, a JSONL file nor a folder")


def load_items(paths: Sequence[Path]) -> tuple[list[ReplayItem], list[CaseCheck]]:
    """Every item under ``paths``: ``.jsonl`` files line by line, other files as corpus cases;
    and the case files skipped because they are not valid cases (each with what is wrong)."""
    items: list[ReplayItem] = []
    skipped: list[CaseCheck] = []
    for path in iter_replay_files(paths):
        if path.suffix == ".jsonl":
            items.extend(read_replay_jsonl(path))
            continue
        checked = check_case_file(path)
        if checked.case is None:
            skipped.append(checked)
        else:
            items.append(ReplayItem.of_case(path, checked.case))
    return items, skipped


# ----------------------------------------------------------------- running ---


def replay_items(
    reference: Target,
    candidate: Target,
    items: Sequence[ReplayItem],
    *,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    detail: bool = False,
) -> list[ReplayResult]:
    """Analyse every item on both sides, ``chunk_size`` conversations per process.

    ``detail=True`` computes every Tier-C structural diff up front. That is a
    deepdiff of two whole reports (tens of milliseconds, several times the
    cost of analysing the conversation), and with a Python reference that
    carries extra keys every conversation differs at Tier C; so by default
    Tier-C divergences carry an empty diff, and ``with_detail`` fills it in
    for the results that need one (a reproducer).
    """
    results: list[ReplayResult] = []
    for start in range(0, len(items), chunk_size):
        chunk = items[start : start + chunk_size]
        references, candidates = analyze_pair(
            reference, candidate, [item.conversation for item in chunk]
        )
        for item, ref, cand in zip(chunk, references, candidates, strict=True):
            results.append(ReplayResult(item, ref, cand, compare(ref, cand, detail=detail)))
    return results


def with_detail(result: ReplayResult) -> ReplayResult:
    """The result with its Tier-C structural diff computed (a no-op where there is none)."""
    tier_c = result.comparison.tier_c
    if tier_c is None or tier_c.diff or result.reference.report is None:
        return result
    assert result.candidate.report is not None
    diff = structural_diff(
        tier_c_view(result.reference.report), tier_c_view(result.candidate.report)
    )
    comparison = attrs.evolve(result.comparison, tier_c=attrs.evolve(tier_c, diff=diff))
    return attrs.evolve(result, comparison=comparison)


def replay_cases(
    reference: Target,
    candidate: Target,
    cases: Sequence[tuple[Path, Case]],
    *,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> list[ReplayResult]:
    """Replay saved cases (the form ``reproduce`` uses)."""
    items = [ReplayItem.of_case(path, case) for path, case in cases]
    return replay_items(reference, candidate, items, chunk_size=chunk_size)


def current_case(
    result: ReplayResult,
    reference: TargetIdentity,
    candidate: TargetIdentity,
    *,
    command: str = "",
) -> Case | None:
    """The case as it stands now (current outcomes, signature and diff), for reproducers.

    None where the sides agree at Tier A. A plain conversation gets a fresh
    provenance; a saved case keeps its seed but names the targets replayed.
    """
    divergence = result.comparison.tier_a
    if divergence is None:
        return None
    diff: dict[str, Any] = {"tier_a": dict(divergence.diff)}
    for key, other in (("tier_b", result.comparison.tier_b), ("tier_c", result.comparison.tier_c)):
        if other is not None:
            diff[key] = dict(other.diff)
    saved = result.item.case
    provenance = Provenance(
        seed=None if saved is None else saved.provenance.seed,
        fuzzer_version=fuzz.__version__,
        hypothesis_version=hypothesis.__version__,
        python_version=platform.python_version(),
        reference=reference,
        candidate=candidate,
        found_at=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        command=command,
    )
    return Case(
        conversation=result.item.conversation,
        tier=Tier.A,
        kind=divergence.kind,
        signature=divergence.label,
        reference=result.reference,
        candidate=result.candidate,
        diff=diff,
        shrunk=False if saved is None else saved.shrunk,
        provenance=provenance,
    )


def item_id(item: ReplayItem) -> str:
    """A stable id for reports: the case file stem, the JSONL id, else a content hash."""
    return item.name or conversation_hash(item.conversation)[:12]


# ----------------------------------------------------------------- pruning ---


def _free_name(folder: Path, name: str) -> Path:
    """``folder/name``, or ``folder/stem.N.suffix`` for the first N that is not taken."""
    target = folder / name
    number = 1
    while target.exists():
        stem, dot, suffix = name.rpartition(".")
        target = folder / (f"{stem}.{number}.{suffix}" if dot else f"{name}.{number}")
        number += 1
    return target


def _move(source: Path, folder: Path) -> Path:
    """Move a file into ``folder`` without ever overwriting (and so losing) anything."""
    folder.mkdir(parents=True, exist_ok=True)
    target = _free_name(folder, source.name)
    shutil.move(str(source), str(target))
    return target


def prune_fixed(
    results: Iterable[ReplayResult],
    *,
    archive: Path | None = None,
    shrunk: Path | None = None,
) -> list[tuple[Path, Path]]:
    """Move FIXED case files, and their reproducers, into an archive folder.

    The archive defaults to ``<corpus>/../corpus-archive/``; a reproducer is
    looked for in ``shrunk`` if given, else in ``<corpus>/../shrunk/``. Files
    are moved, never deleted or overwritten. Returns (from, to) pairs.
    """
    moved: list[tuple[Path, Path]] = []
    for result in results:
        if result.status is not Status.FIXED or not result.path.exists():
            continue
        corpus_dir = result.path.parent
        folder = archive if archive is not None else corpus_dir.parent / "corpus-archive"
        reproducer = (shrunk if shrunk is not None else corpus_dir.parent / "shrunk") / (
            result.path.stem + ".md"
        )
        moved.append((result.path, _move(result.path, folder)))
        if reproducer.is_file():
            moved.append((reproducer, _move(reproducer, folder)))
    return moved


def read_seed_items(path: Path) -> list[ReplayItem]:
    """The conversations of a parity seed file (JSONL of input lines), named by their ids.

    ``fuzz.gate.seed_files.read_seed_file``, the reader of the module that writes seed
    files, validates them and gives the conversations; the ids come from the
    same lines.
    """
    from fuzz.gate.seed_files import read_seed_file

    items = read_replay_jsonl(path)
    chats = read_seed_file(path)  # both skip exactly the blank lines
    return [attrs.evolve(item, conversation=chat) for item, chat in zip(items, chats, strict=True)]
