"""corpus merge: smallest case per signature, dedup by content hash, canonical writes, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fuzz.cli import main
from fuzz.engine.case import Case
from fuzz.gate.corpus import Corpus, load_case, merge_corpora
from tests.unit.test_corpus import make_case

X, Y = "counts: x ref>cand", "crash IndexError on candidate"


def write(folder: Path, *cases: Case) -> Path:
    """A corpus folder holding ``cases`` (no reproducers)."""
    corpus = Corpus.open(folder, folder.parent / f"{folder.name}-shrunk")
    for case in cases:
        corpus.save(case)
    return folder


def saved(folder: Path) -> dict[str, Case]:
    return {case.signature: case for case in map(load_case, sorted(folder.glob("*.json")))}


def render(case: Case, path: str) -> str:
    return f"# {case.signature} ({len(case.conversation)})\n"


def test_smallest_case_per_signature_wins_across_folders(tmp_path: Path) -> None:
    """Two machines' cases of one bug must merge to the smaller, the other bug added as is."""
    a = write(tmp_path / "a", make_case(["thanks", "a b c"]), make_case(["BOOM"], Y))
    b = write(tmp_path / "b", make_case(["thanks"], shrunk=True))
    into = Corpus.open(tmp_path / "into", tmp_path / "shrunk", render)
    result = merge_corpora([a, b], into)
    assert {(e.signature, e.action) for e in result.entries} == {(X, "added"), (Y, "added")}
    cases = saved(tmp_path / "into")
    assert [m["value"] for m in cases[X].conversation] == ["thanks"] and cases[X].shrunk
    assert len(list((tmp_path / "into").glob("*.json"))) == 2
    reproducers = sorted(p.read_text() for p in (tmp_path / "shrunk").glob("*.md"))
    assert reproducers == [f"# {X} (1)\n", f"# {Y} (1)\n"]


def test_same_case_in_two_folders_is_one_file(tmp_path: Path) -> None:
    """A case both machines saved (same conversation, same bug) must be written once."""
    a = write(tmp_path / "a", make_case(["thanks"]))
    b = write(tmp_path / "b", make_case(["thanks"]))
    into = Corpus.open(tmp_path / "into", tmp_path / "shrunk", render)
    result = merge_corpora([a, b], into)
    assert result.files_read == 2 and result.duplicates == 1 and result.count("added") == 1
    assert len(list((tmp_path / "into").glob("*.json"))) == 1


def test_target_case_is_replaced_only_by_a_smaller_one(tmp_path: Path) -> None:
    """The target keeps its case unless a source has a smaller one, which replaces its file."""
    into_dir = write(tmp_path / "into", make_case(["thanks", "long words"]), make_case(["BOOM"], Y))
    old_x = next(into_dir.glob("counts-*.json"))
    source = write(tmp_path / "src", make_case(["thanks"]), make_case(["BOOM", "BOOM"], Y))
    into = Corpus.open(into_dir, tmp_path / "shrunk", render)
    result = merge_corpora([source], into)
    actions = {e.signature: e.action for e in result.entries}
    assert actions == {X: "replaced", Y: "kept"}
    assert not old_x.exists()
    cases = saved(into_dir)
    assert [m["value"] for m in cases[X].conversation] == ["thanks"]
    assert [m["value"] for m in cases[Y].conversation] == ["BOOM"]
    # The kept case had no reproducer: the merge renders the missing one.
    assert (tmp_path / "shrunk" / f"{cases[Y].stem}.md").exists()


def test_merge_writes_canonical_files(tmp_path: Path) -> None:
    """Merged files must be the corpus's canonical JSON, whatever the source file looked like."""
    source = tmp_path / "src"
    source.mkdir()
    data = make_case(["thanks"]).to_json()
    (source / "hand-edited.json").write_text(json.dumps(data))  # one line, not canonical
    into = Corpus.open(tmp_path / "into", tmp_path / "shrunk", render)
    merge_corpora([source], into)
    (written,) = (tmp_path / "into").glob("*.json")
    text = written.read_text("utf-8")
    assert text == json.dumps(json.loads(text), sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    assert written.name == f"{make_case(['thanks']).stem}.json"


def test_cli_merge_reports_each_signature(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The command must say what was added, replaced, kept; --shrunk defaults beside --into."""
    a = write(tmp_path / "a", make_case(["thanks", "x y"]))
    b = write(tmp_path / "b", make_case(["thanks"]), make_case(["BOOM"], Y))
    into = tmp_path / "project" / "corpus"
    assert main(["corpus", "merge", str(a), "--into", str(into)]) == 0
    assert main(["corpus", "merge", str(a), str(b), "--into", str(into)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert any(line.startswith(f"replaced: {X} (2 -> 1 message(s)") for line in out)
    assert any(line.startswith(f"added:    {Y}") for line in out)
    assert "1 added, 1 replaced, 0 kept" in out[-1]
    assert len(list((tmp_path / "project" / "shrunk").glob("*.md"))) == 2


@pytest.mark.parametrize("bad", ["missing", "file.json"])
def test_cli_bad_source_is_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, bad: str
) -> None:
    """A source that is not a folder must be named in one line, exit 2, nothing written."""
    (tmp_path / "file.json").write_text("{}")
    code = main(["corpus", "merge", str(tmp_path / bad), "--into", str(tmp_path / "into")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and bad in err
    assert not (tmp_path / "into").exists()


def test_cli_corrupt_case_is_skipped_and_bad_into_is_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A damaged case file must be named and skipped while the rest merges; an --into that
    cannot be a folder must be named, exit 2."""
    source = write(tmp_path / "src", make_case(["thanks"]))
    (source / "broken.json").write_text("{not json")
    assert main(["corpus", "merge", str(source), "--into", str(tmp_path / "into")]) == 0
    captured = capsys.readouterr()
    assert "skipped" in captured.err and "broken.json" in captured.err
    assert "1 added" in captured.out
    assert len(list((tmp_path / "into").glob("*.json"))) == 1
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    good = write(tmp_path / "good", make_case(["thanks"]))
    assert main(["corpus", "merge", str(good), "--into", str(blocker / "corpus")]) == 2
    err = capsys.readouterr().err
    assert "--into=" in err and err.count("\n") == 1
