"""The corpus: a folder of saved cases, one per signature, the smallest known.

A case (``fuzz.engine.case.Case``) is stored as one canonical JSON file named
``<slug>-<hash>.json`` (see ``Case.stem``), its Markdown reproducer beside it
in the reproducer folder. The store keeps at most one case per signature: a
bug found again, or found smaller, replaces its case instead of adding
another. Every write is atomic (``fuzz.files.write_atomic``), so an
interrupted campaign leaves whole files only. ``merge_corpora`` folds
several corpus folders into one by the same rule.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import attrs
import jsonschema

from fuzz.engine.canonical import load_schema
from fuzz.engine.case import READABLE_VERSIONS, Case
from fuzz.errors import UsageError
from fuzz.files import canonical_json, ensure_writable_dir, write_atomic


def load_case(path: Path) -> Case:
    """Read one corpus file, or raise ``UsageError`` naming it and what is wrong."""
    checked = check_case_file(path)
    if checked.case is None:
        raise UsageError(f"corpus file {str(path)!r} {checked.problem}")
    return checked.case


@attrs.frozen
class CaseCheck:
    """One corpus file checked: its case, or what is wrong with it."""

    path: Path
    case: Case | None = None
    problem: str | None = None


@cache
def _case_validator() -> Any:
    schema = load_schema("case.schema.json")
    return jsonschema.validators.validator_for(schema)(schema)


def check_case_file(path: Path) -> CaseCheck:
    """Whether ``path`` holds a valid case: readable UTF-8 JSON, true to the corpus schema
    (``fuzz/engine/schemas/case.schema.json``), and its ``case_id`` the hash of its own
    conversation (a hand-edited conversation no longer is the case that was saved)."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except OSError as exc:
        return CaseCheck(path, problem=f"cannot be read: {exc.strerror}")
    except (UnicodeDecodeError, ValueError) as exc:
        return CaseCheck(path, problem=f"is not JSON: {exc}")
    except RecursionError:
        return CaseCheck(path, problem="is not JSON this tool reads: nested too deep")
    version = data.get("schema_version") if isinstance(data, dict) else None
    if version not in READABLE_VERSIONS:
        readable = ", ".join(map(str, READABLE_VERSIONS))
        return CaseCheck(
            path, problem=f"has schema_version {version!r}; this signals-fuzz reads {readable}"
        )
    error = jsonschema.exceptions.best_match(_case_validator().iter_errors(data))
    if error is not None:
        where = "/".join(str(part) for part in error.absolute_path)
        return CaseCheck(path, problem=f"is not a signals-fuzz case: at /{where}: {error.message}")
    try:
        case = Case.from_json(data)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        return CaseCheck(path, problem=f"is not a signals-fuzz case: {type(exc).__name__}: {exc}")
    if case.case_id != data["case_id"]:
        return CaseCheck(path, problem="has a case_id that is not the hash of its conversation")
    return CaseCheck(path, case)


def read_cases(paths: Iterable[Path]) -> tuple[list[tuple[Path, Case]], list[CaseCheck]]:
    """The valid cases among ``paths``, and the files skipped with what is wrong with each.

    A corrupt file costs only itself: whatever reads a corpus (a campaign, a
    replay, a merge) skips it, naming it, and goes on with the rest.
    """
    cases: list[tuple[Path, Case]] = []
    skipped: list[CaseCheck] = []
    for path in paths:
        checked = check_case_file(path)
        if checked.case is None:
            skipped.append(checked)
        else:
            cases.append((path, checked.case))
    return cases, skipped


def leftovers(folder: Path) -> list[Path]:
    """Temporary files an interrupted write left behind (never read as cases; safe to delete)."""
    return sorted(folder.glob(".*.tmp")) if folder.is_dir() else []


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
    #: Files of the folder that are not valid cases: skipped, named, never touched.
    skipped: list[CaseCheck] = attrs.field(factory=list, init=False)
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
        cases, corpus.skipped = read_cases(iter_case_files([corpus.root]))
        corpus._by_signature, _ = smallest_per_signature(cases)
        return corpus

    def cases(self) -> list[Case]:
        """Every case kept, one per signature, in signature order."""
        return [case for _, (_, case) in sorted(self._by_signature.items())]

    def entry(self, signature: str) -> tuple[Path, Case] | None:
        """The file and case kept for a signature, if any."""
        return self._by_signature.get(signature)

    def get(self, signature: str) -> Case | None:
        known = self.entry(signature)
        return None if known is None else known[1]

    def reproducer_path(self, case: Case) -> Path:
        return self.shrunk_dir / f"{case.stem}.md"

    def save(self, case: Case, *, final: bool = False) -> Path | None:
        """Keep ``case`` if it is the smallest for its signature; its path, or None if not kept.

        A ``final`` case (the one shrinking ended on) is kept whatever is there: a smaller
        case another worker happened to see first is an unshrunk draft, not a better case.
        """
        known = self._by_signature.get(case.signature)
        if known is not None and not final and not case.smaller_than(known[1]):
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
    #: Source files that are not valid cases: named, skipped, left as they are.
    skipped: tuple[CaseCheck, ...] = ()

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


def smallest_per_signature(
    cases: Iterable[tuple[Path, Case]],
) -> tuple[dict[str, tuple[Path, Case]], int]:
    """The smallest case per signature among ``cases`` (in order; earlier wins ties).

    Returns the winners and how many cases were duplicates (same
    conversation, same signature) of one read before.
    """
    best: dict[str, tuple[Path, Case]] = {}
    seen: set[tuple[str, str]] = set()
    duplicates = 0
    for path, case in cases:
        key = (case.signature, case.case_id)
        duplicates += key in seen
        seen.add(key)
        known = best.get(case.signature)
        # A duplicate can still win: the same conversation, shrunk here and not there.
        if known is None or case.smaller_than(known[1]):
            best[case.signature] = (path, case)
    return best, duplicates


def merge_corpora(sources: Sequence[Path], into: Corpus) -> MergeResult:
    """Merge corpus folders into ``into``, keeping the smallest case per signature.

    Cases are compared by signature (one bug, one case) and by content hash
    (the same conversation in two folders is one case). A case is written
    only when it is new to ``into`` or smaller than the case there; ``Corpus.save``
    writes it canonically and atomically, removes the one it replaces, and
    renders its reproducer. Reproducers missing for kept cases are rendered too.
    """
    files = list(iter_case_files(check_source_dirs(sources)))
    cases, skipped = read_cases(files)
    best, duplicates = smallest_per_signature(cases)
    entries = []
    for signature, (path, case) in sorted(best.items()):
        kept = into.entry(signature)
        if kept is None or case.smaller_than(kept[1]):
            into.save(case)
            action = "added" if kept is None else "replaced"
            entries.append(
                MergeEntry(signature, action, case, path, None if kept is None else kept[1])
            )
            continue
        kept_path, known = kept
        if known.case_id == case.case_id:
            duplicates += 1
        if into.render is not None:
            reproducer = into.reproducer_path(known)
            if not reproducer.exists():
                write_atomic(reproducer, into.render(known, str(kept_path)))
        entries.append(MergeEntry(signature, "kept", known, None, known))
    return MergeResult(tuple(entries), len(files), duplicates, tuple(skipped))
