"""The corpus: on-disk format, naming, dedup by signature, atomic writes, bad files."""

from __future__ import annotations

import json
from pathlib import Path

import attrs
import pytest

from fuzz.engine.case import Case, Provenance
from fuzz.engine.compare import Tier
from fuzz.engine.outcomes import Failure, FailureKind, Outcome, TargetIdentity
from fuzz.errors import UsageError
from fuzz.gate.corpus import Corpus, load_case
from tests.fixtures.minimal_report import thanks_report

IDENTITY = TargetIdentity(spec="py:m:A", kind="py", path="/m.py", sha256="0" * 64, version="1.0")


def make_case(
    values: list[str], signature: str = "counts: x ref>cand", shrunk: bool = False
) -> Case:
    conversation = [{"from": "human", "value": v} for v in values]
    return Case(
        conversation=conversation,
        tier=Tier.A,
        kind="counts",
        signature=signature,
        reference=Outcome.of_report(thanks_report(conversation)),
        candidate=Outcome.of_failure(Failure(FailureKind.CRASH, "exit 1", "boom", "stderr")),
        diff={"tier_a": {"values_changed": {}}},
        shrunk=shrunk,
        provenance=Provenance(
            seed=7,
            fuzzer_version="0.1.0",
            hypothesis_version="6",
            python_version="3.11",
            reference=IDENTITY,
            candidate=attrs.evolve(IDENTITY, spec="cmd:x", kind="cmd"),
            found_at="2026-01-01T00:00:00+00:00",
            command="signals-fuzz campaign --seed 7",
        ),
    )


def open_corpus(tmp_path: Path) -> Corpus:
    return Corpus.open(
        tmp_path / "corpus", tmp_path / "shrunk", lambda case, path: f"# {case.signature}\n"
    )


def test_case_round_trips_through_json(tmp_path: Path) -> None:
    """Everything saved must load back equal, or replay would rerun something else."""
    corpus = open_corpus(tmp_path)
    case = make_case(["thanks", "héllo\u00a0\ud800"])
    path = corpus.save(case)
    assert path is not None
    assert load_case(path) == case


def test_file_is_canonical_and_named_by_content(tmp_path: Path) -> None:
    """Files must be sorted-key JSON named slug-hash, so the same case is the same file."""
    corpus = open_corpus(tmp_path)
    path = corpus.save(make_case(["thanks"]))
    assert path is not None
    assert path.name.startswith("counts-x-ref-cand-") and path.suffix == ".json"
    text = path.read_text("utf-8")
    data = json.loads(text)
    assert text == json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    assert data["schema_version"] == 2
    assert data["input"] == {
        "id": data["case_id"][:12],
        "messages": [{"from": "human", "value": "thanks"}],
    }
    assert (tmp_path / "shrunk" / (path.stem + ".md")).read_text() == "# counts: x ref>cand\n"


def test_one_case_per_signature_smallest_wins(tmp_path: Path) -> None:
    """A smaller case replaces its signature's file (and reproducer); a larger one is not kept."""
    corpus = open_corpus(tmp_path)
    big = corpus.save(make_case(["thanks", "more words here"]))
    small = corpus.save(make_case(["thanks"]))
    assert big is not None and small is not None and big != small
    assert not big.exists() and not (tmp_path / "shrunk" / (big.stem + ".md")).exists()
    assert corpus.save(make_case(["thanks", "again"])) is None
    assert sorted(p.name for p in (tmp_path / "corpus").iterdir()) == [small.name]


def test_saving_the_same_case_again_does_not_duplicate(tmp_path: Path) -> None:
    """Finding the same case twice must leave one file; the shrunk flag upgrades it in place."""
    corpus = open_corpus(tmp_path)
    first = corpus.save(make_case(["thanks"]))
    assert corpus.save(make_case(["thanks"])) is None
    again = corpus.save(make_case(["thanks"], shrunk=True))
    assert again == first
    assert len(list((tmp_path / "corpus").iterdir())) == 1
    assert first is not None and load_case(first).shrunk


def test_reopened_corpus_remembers_signatures(tmp_path: Path) -> None:
    """A second campaign must dedup against what the first one saved."""
    open_corpus(tmp_path).save(make_case(["thanks"]))
    again = open_corpus(tmp_path)
    assert again.get("counts: x ref>cand") is not None
    assert again.save(make_case(["thanks", "bigger"])) is None


def test_writes_leave_no_temporary_files(tmp_path: Path) -> None:
    """Atomic writes must clean up after themselves."""
    corpus = open_corpus(tmp_path)
    for n in range(5, 0, -1):
        corpus.save(make_case(["w"] * n))
    assert [p.name for p in (tmp_path / "corpus").iterdir() if p.name.startswith(".")] == []


def test_corrupt_corpus_files_are_skipped_each_named_with_what_is_wrong(tmp_path: Path) -> None:
    """A damaged corpus file must be skipped and named, never stop the others from loading."""
    corpus_dir = tmp_path / "corpus"
    good = open_corpus(tmp_path)
    good.save(make_case(["thanks"]))
    bad = {
        "broken.json": '{"schema_version": 1, "input": ',
        "future.json": '{"schema_version": 99}',
        "binary.json": "\udc80",
    }
    for name, text in bad.items():
        (corpus_dir / name).write_text(text, encoding="utf-8", errors="surrogateescape")
    edited = json.loads(next(corpus_dir.glob("counts-*.json")).read_text())
    edited["input"]["messages"][0]["value"] = "edited by hand"
    (corpus_dir / "edited.json").write_text(json.dumps(edited))
    corpus = open_corpus(tmp_path)
    assert len(corpus.cases()) == 1
    problems = {checked.path.name: checked.problem or "" for checked in corpus.skipped}
    assert sorted(problems) == ["binary.json", "broken.json", "edited.json", "future.json"]
    assert "is not JSON" in problems["broken.json"]
    assert "has schema_version 99" in problems["future.json"]
    assert "not the hash of its conversation" in problems["edited.json"]
    with pytest.raises(UsageError, match=r"broken\.json"):
        load_case(corpus_dir / "broken.json")


def test_unwritable_corpus_dir_is_a_usage_error(tmp_path: Path) -> None:
    """A corpus path that cannot hold files must fail before any fuzzing, naming the flag."""
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(UsageError, match="--corpus="):
        Corpus.open(blocker / "corpus", tmp_path / "shrunk")


def test_an_explained_case_round_trips_and_version_1_files_still_read(tmp_path: Path) -> None:
    """Broken if a case's explanation is lost on disk, or an older corpus file stops reading."""
    from fuzz.engine.explain import Cost, Explanation, Ingredient, Kind

    case = make_case(["thanks\u00a0a lot"])
    why = Explanation(
        case.signature,
        case.conversation,
        (
            Ingredient(
                Kind.CHARACTER,
                "char:00A0",
                "U+00A0 NO-BREAK SPACE (Zs)",
                0,
                "human",
                "\u00a0",
                0xA0,
                ("\u00a0", "\u3000"),
            ),
        ),
        reproduced=True,
        cost=Cost(1, 12, 0.01),
    )
    explained = attrs.evolve(case, explanation=why)
    back = Case.from_json(json.loads(json.dumps(explained.to_json())))
    assert back == explained and back.explanation is not None
    assert back.explanation.cause is not None and back.explanation.cause.chars == (
        "\u00a0",
        "\u3000",
    )
    old = case.to_json()
    old["schema_version"] = 1
    assert Case.from_json(old) == case
    # The same conversation, now explained, replaces the unexplained file; never the reverse.
    corpus = Corpus.open(tmp_path / "corpus", tmp_path / "shrunk")
    shrunk = attrs.evolve(case, shrunk=True)
    corpus.save(shrunk)
    assert corpus.save(attrs.evolve(shrunk, explanation=why)) is not None
    assert corpus.save(shrunk) is None and corpus.save(case) is None
    assert corpus.get(case.signature) == attrs.evolve(shrunk, explanation=why)
