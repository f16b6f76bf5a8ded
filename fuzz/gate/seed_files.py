"""Seed chats: a reproducible lmsys sample, converted to ShareGPT, and the file that holds it.

``load_lmsys`` does what the old parity harness did with lmsys-chat-1m: a
sample pinned by dataset revision and seed, converted to ShareGPT
(``user`` -> ``human``, ``assistant`` -> ``gpt``, other roles dropped).
``write_seed_file`` stores it as JSONL of input lines, one
``{"id": ..., "messages": [...]}`` per line, the format
``strategies.seeds`` mutates and the replay protocol reads.

Sampling: ``load_dataset(..., revision=REV)`` (not streaming), then
``shuffle(seed=SEED).select(range(N))``. That is an exact uniform sample
without replacement whose inputs are the revision, the seed and the row
order of that revision (plus ``datasets``' shuffle, a permutation from
numpy's seeded generator, stable across releases so far), so it is the
same on every machine. A streaming reservoir would avoid the download
cache but must still read every row to be uniform (lmsys has a million),
and a streaming ``shuffle(buffer_size=...)`` is only approximately random
and depends on shard order. The download (a few GB of parquet) is cached
by ``datasets``, so the next sample of the same revision costs seconds.

The dataset is gated: ``datasets`` uses the usual Hugging Face token from
the environment (``HF_TOKEN`` or a ``huggingface-cli login``); this module
never reads or passes one. A missing token, no network or an unknown
revision become a one-line ``UsageError``.

"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from fuzz.errors import UsageError
from fuzz.files import jsonl_line, write_atomic
from strategies.seeds import parse_seed_text

LMSYS_DATASET = "lmsys/lmsys-chat-1m"

#: lmsys role -> ShareGPT role; every other role is dropped.
ROLE_MAP: dict[str, str] = {"user": "human", "assistant": "gpt"}


def load_lmsys(
    *,
    num_samples: int,
    seed: int,
    revision: str,
    dataset: str = LMSYS_DATASET,
    data_files: str | None = None,
) -> list[dict[str, Any]]:
    """A reproducible sample of ``num_samples`` chats as replay records.

    ``data_files`` loads local parquet files through the same ``datasets``
    code path (``load_dataset("parquet", data_files=...)``) instead of the
    Hub dataset: for tests, and for a copy downloaded once by hand.
    """
    if isinstance(num_samples, bool) or not isinstance(num_samples, int) or num_samples < 1:
        raise UsageError(f"--num-samples={num_samples!r} must be a whole number >= 1")
    if not revision:
        raise UsageError(
            "--dataset-revision must name a dataset revision (a commit sha or tag), "
            "so the sample can be drawn again"
        )
    try:
        import datasets
    except ImportError as exc:  # pragma: no cover - datasets is a dependency
        raise UsageError(f"the 'datasets' package is needed for lmsys seeds: {exc}") from None
    source = f"parquet files {data_files!r}" if data_files else f"dataset {dataset!r}"
    try:
        if data_files:
            rows = datasets.load_dataset(
                "parquet", data_files=data_files, split="train", revision=revision
            )
        else:
            rows = datasets.load_dataset(dataset, split="train", revision=revision)
    except Exception as exc:  # network, auth, missing revision, bad files: all the user's to fix
        raise UsageError(
            f"cannot load {source} at revision {revision!r}: {_one_line(exc)}"
            + ("" if data_files else _GATED_HINT)
        ) from None
    if "conversation" not in rows.column_names:
        raise UsageError(
            f"{source} has no 'conversation' column (columns: {', '.join(rows.column_names)}); "
            "expected the lmsys-chat-1m layout"
        )
    if num_samples > len(rows):
        raise UsageError(
            f"--num-samples={num_samples} is more than the {len(rows)} chats in {source}"
        )
    sample = rows.shuffle(seed=seed).select(range(num_samples))
    ids = sample["conversation_id"] if "conversation_id" in sample.column_names else None
    return [
        {"id": ids[i] if ids is not None else i, "messages": to_sharegpt(chat)}
        for i, chat in enumerate(sample["conversation"])
    ]


def to_sharegpt(conversation: Iterable[dict[str, Any]]) -> list[dict[str, str]]:
    """lmsys ``[{"role", "content"}]`` as ShareGPT ``[{"from", "value"}]``; other roles dropped."""
    messages = []
    for turn in conversation:
        role = ROLE_MAP.get(turn.get("role", ""))
        if role is None:
            continue
        content = turn.get("content")
        messages.append({"from": role, "value": "" if content is None else str(content)})
    return messages


def check_out_file(path: Path) -> Path:
    """``--out`` of a seed file: its folder must exist (checked before any download)."""
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise UsageError(f"--out={str(path)!r}: folder {str(parent)!r} does not exist")
    return path


def write_seed_file(path: Path, records: Iterable[dict[str, Any]]) -> None:
    """Write JSONL of input lines, whole or not at all (``fuzz.files.write_atomic``)."""
    path = check_out_file(path)
    write_atomic(path, "".join(jsonl_line(record) + "\n" for record in records))


def read_seed_file(path: Path) -> list[list[dict[str, str]]]:
    """The chats of a seed file; ``UsageError`` naming the file and line of a bad line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read seed file {str(path)!r}: {_one_line(exc)}") from None
    try:
        chats = parse_seed_text(text, str(path))
    except ValueError as exc:
        raise UsageError(f"bad seed file: {exc}") from None
    if not chats:
        raise UsageError(
            f"seed file {str(path)!r} holds no chats; give a JSONL file of input lines"
        )
    return chats


_GATED_HINT = (
    "; lmsys-chat-1m is gated: accept its terms on the Hugging Face Hub and set HF_TOKEN "
    "(or run huggingface-cli login), with network access"
)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"[:300]
