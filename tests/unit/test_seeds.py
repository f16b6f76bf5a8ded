"""Seed chats: the lmsys sample (offline, from a local parquet), seed files, the bundled chats."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from fuzz.cli import main
from fuzz.errors import UsageError
from fuzz.gate.seed_files import (
    load_lmsys,
    read_seed_file,
    to_sharegpt,
    write_seed_file,
)
from strategies.seeds import load_seed_chats

datasets = pytest.importorskip("datasets")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

ROWS = 40


def _row(i: int) -> dict[str, Any]:
    conversation = [
        {"role": "user", "content": f"question {i}"},
        {"role": "assistant", "content": f"answer {i}"},
    ]
    if i == 3:  # roles the conversion must drop, between kept ones
        conversation = [
            {"role": "system", "content": "be brief"},
            {"role": "user", "content": "hello"},
            {"role": "tool", "content": "{}"},
            {"role": "assistant", "content": "hi"},
            {"role": "user", "content": "thanks"},
        ]
    return {
        "conversation_id": f"conv-{i:03d}",
        "model": "vicuna-13b",
        "conversation": conversation,
        "turn": len(conversation) // 2,
        "language": "English",
        "openai_moderation": [{"flagged": False}],
        "redacted": False,
    }


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No network, and the datasets cache in tmp_path (never the user's home)."""
    import huggingface_hub.constants

    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    # datasets and huggingface_hub read these at import time: set the parsed values too.
    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(datasets.config, "HF_DATASETS_OFFLINE", True)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", tmp_path / "hf-cache")
    monkeypatch.setattr(datasets.config, "HF_CACHE_HOME", str(tmp_path / "hf-home"))


@pytest.fixture
def parquet(tmp_path: Path) -> str:
    path = tmp_path / "lmsys-sample.parquet"
    pq.write_table(pa.Table.from_pylist([_row(i) for i in range(ROWS)]), path)
    return str(path)


def _ids(records: list[dict[str, Any]]) -> list[Any]:
    return [record["id"] for record in records]


def test_same_seed_same_sample_other_seed_other_sample(offline: None, parquet: str) -> None:
    """The sample is not reproducible from (revision, seed), or ignores the seed."""
    first = load_lmsys(num_samples=8, seed=11, revision="r1", data_files=parquet)
    again = load_lmsys(num_samples=8, seed=11, revision="r1", data_files=parquet)
    other = load_lmsys(num_samples=8, seed=12, revision="r1", data_files=parquet)
    assert first == again
    assert _ids(first) != _ids(other)
    assert len(first) == 8 and len(set(_ids(first))) == 8
    assert all(str(i).startswith("conv-") for i in _ids(first))


def test_revision_is_passed_to_datasets(
    offline: None, parquet: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dataset revision is not pinned: load_dataset never sees it."""
    seen: list[dict[str, Any]] = []
    real = datasets.load_dataset

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(datasets, "load_dataset", spy)
    load_lmsys(num_samples=2, seed=0, revision="0123abcd", data_files=parquet)
    assert [kwargs.get("revision") for kwargs in seen] == ["0123abcd"]


def test_roles_are_converted_and_others_dropped(offline: None, parquet: str) -> None:
    """ShareGPT conversion is wrong: user/assistant not renamed, or system/tool kept."""
    records = load_lmsys(num_samples=ROWS, seed=0, revision="r1", data_files=parquet)
    by_id = {record["id"]: record["messages"] for record in records}
    assert by_id["conv-003"] == [
        {"from": "human", "value": "hello"},
        {"from": "gpt", "value": "hi"},
        {"from": "human", "value": "thanks"},
    ]
    assert by_id["conv-000"] == [
        {"from": "human", "value": "question 0"},
        {"from": "gpt", "value": "answer 0"},
    ]


def test_to_sharegpt_keeps_order_and_empty_content() -> None:
    """A None content is lost or turned into 'None', or message order changes."""
    assert to_sharegpt(
        [
            {"role": "assistant", "content": None},
            {"role": "function", "content": "x"},
            {"role": "user", "content": "b"},
        ]
    ) == [{"from": "gpt", "value": ""}, {"from": "human", "value": "b"}]


def test_unreachable_hub_is_one_line_usage_error(offline: None) -> None:
    """No network or token is a traceback (or a multi-line message), not a usage error."""
    with pytest.raises(UsageError) as caught:
        load_lmsys(num_samples=3, seed=0, revision="main")
    message = str(caught.value)
    assert "\n" not in message
    assert "lmsys/lmsys-chat-1m" in message and "HF_TOKEN" in message


def test_too_many_samples_is_usage_error(offline: None, parquet: str) -> None:
    """Asking for more chats than exist crashes inside datasets instead of saying so."""
    with pytest.raises(UsageError, match=f"--num-samples={ROWS + 1}"):
        load_lmsys(num_samples=ROWS + 1, seed=0, revision="r1", data_files=parquet)


def test_write_then_read_round_trips(tmp_path: Path) -> None:
    """A written seed file does not read back as the same chats, leaves temp files,
    or holds a raw U+2028 that splitlines()-based readers split a record at."""
    records: list[dict[str, Any]] = [
        {"id": "a", "messages": [{"from": "human", "value": "caf\u00e9 \u2028 ok"}]},
        {"id": 7, "messages": [{"from": "gpt", "value": "lone \ud800 surrogate"}]},
    ]
    out = tmp_path / "seeds.jsonl"
    write_seed_file(out, records)
    assert read_seed_file(out) == [r["messages"] for r in records]
    assert [p.name for p in tmp_path.iterdir()] == ["seeds.jsonl"]
    # Readers that split with str.splitlines() (U+2028 is a break to it) see 2 lines too.
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2


def test_interrupted_write_keeps_the_old_file(tmp_path: Path) -> None:
    """A write that fails halfway truncates the existing seed file or leaves a temp file."""
    out = tmp_path / "seeds.jsonl"
    write_seed_file(out, [{"id": 1, "messages": []}])
    before = out.read_bytes()

    def records() -> Any:
        yield {"id": 2, "messages": []}
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_seed_file(out, records())
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["seeds.jsonl"]


@pytest.mark.parametrize(
    "bad_line",
    [
        "not json",
        '["a list"]',
        '{"id": 1}',
        '{"id": 1, "messages": [{"from": "human"}]}',
        '{"id": 1, "messages": [{"from": "human", "value": 3}]}',
    ],
)
def test_bad_seed_line_names_file_and_line(tmp_path: Path, bad_line: str) -> None:
    """A bad seed file is accepted, or the error does not say where the bad line is."""
    path = tmp_path / "bad.jsonl"
    good = json.dumps({"id": 0, "messages": [{"from": "human", "value": "hi"}]})
    path.write_text(f"{good}\n\n{bad_line}\n", encoding="utf-8")
    with pytest.raises(UsageError, match=rf"{path.name}:3: "):
        read_seed_file(path)


def test_missing_seed_file_is_usage_error(tmp_path: Path) -> None:
    """A missing seed file is a traceback instead of a usage error naming it."""
    with pytest.raises(UsageError, match=r"nope\.jsonl"):
        read_seed_file(tmp_path / "nope.jsonl")


def test_bundled_seed_chats_are_valid_and_ours() -> None:
    """The bundled seed file is missing from the package, malformed, or not plain chat."""
    chats = load_seed_chats()
    assert len(chats) >= 40
    assert all(chats) and all(m["from"] in ("human", "gpt") for c in chats for m in c)
    assert min(len(c) for c in chats) == len(chats[0])  # shrinking favours the first chat
    assert chats == read_seed_file(
        Path(__file__).parents[2] / "strategies" / "data" / "seed_chats.jsonl"
    )


def test_seeds_lmsys_cli_writes_the_sample(offline: None, parquet: str, tmp_path: Path) -> None:
    """`signals-fuzz seeds lmsys` does not write the sample load_lmsys draws."""
    out = tmp_path / "lmsys.jsonl"
    code = main(
        [
            "seeds", "lmsys", "--num-samples", "5", "--seed", "3",
            "--dataset-revision", "r9", "--out", str(out), "--data-files", parquet,
        ]
    )  # fmt: skip
    assert code == 0
    expected = load_lmsys(num_samples=5, seed=3, revision="r9", data_files=parquet)
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert lines == expected


def test_seeds_lmsys_cli_needs_a_revision(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unpinned lmsys sample is accepted, or rejected with a traceback."""
    out = str(tmp_path / "x.jsonl")
    code = main(["seeds", "lmsys", "--num-samples", "5", "--seed", "3", "--out", out])
    assert code == 2
    err = capsys.readouterr().err
    assert "--dataset-revision" in err and len(err.strip().splitlines()) == 1
