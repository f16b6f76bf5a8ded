"""Replay, baseline, parity reports and drift through the real CLI entry point.

The corpus comes from a campaign between the toy analyzers ``Thanks`` and
``TwoBugs`` (see ``conftest.py``); the hand-made JSONL file below has known
divergences, so the numbers in the reports can be checked exactly.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from fuzz.cli import main
from tests.e2e.conftest import CRASH, GRATITUDE, THANKS, TWO_BUGS

pytestmark = pytest.mark.slow

#: Thanks vs TwoBugs on each line: agree (good), gratitude missed (good -> neutral),
#: agree (neutral), crash on the candidate, one of two thanks missed (good, good).
KNOWN = [
    ("agree-good", [{"from": "human", "value": "thanks"}]),
    ("missed", [{"from": "human", "value": "thanks !"}]),
    ("agree-neutral", [{"from": "human", "value": "hello"}]),
    ("crash", [{"from": "gpt", "value": "BOOM"}]),
    ("half", [{"from": "human", "value": "thanks"}, {"from": "human", "value": "thanks!"}]),
]


def write_known(path: Path) -> Path:
    lines = [json.dumps({"id": name, "messages": messages}) for name, messages in KNOWN]
    path.write_text("\n".join(lines) + "\n\n")
    return path


def cli(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def statuses(out: str) -> dict[str, str]:
    """``file name -> STATUS`` from replay's per-item lines."""
    found = {}
    for line in out.splitlines():
        words = line.split()
        if words and words[0] in ("FIXED", "STILL", "CHANGED", "NEW", "OK"):
            found[Path(words[1]).name.split(":")[0]] = words[0]
    return found


def baseline_file(path: Path, entries: dict[str, dict[str, Any]]) -> Path:
    path.write_text(json.dumps({"schema_version": 1, "accepted": entries}))
    return path


def test_campaign_corpus_replays_as_still(
    capsys: pytest.CaptureFixture[str], toy_corpus: Path
) -> None:
    """Cases replayed against the same buggy pair must be STILL and fail the gate."""
    code, out, _ = cli(capsys, "replay", toy_corpus, "--reference", THANKS, "--candidate", TWO_BUGS)
    assert code == 1
    assert sorted(statuses(out).values()) == ["STILL", "STILL"]
    assert "0 FIXED, 2 STILL, 0 CHANGED of 2 item(s)" in out


def test_fixed_candidate_replays_as_fixed(
    capsys: pytest.CaptureFixture[str], toy_corpus: Path
) -> None:
    """Once the candidate behaves like the reference, every case must be FIXED and exit 0."""
    code, out, _ = cli(capsys, "replay", toy_corpus, "--reference", THANKS, "--candidate", THANKS)
    assert code == 0
    assert sorted(statuses(out).values()) == ["FIXED", "FIXED"]


def test_changed_signature_is_changed(
    capsys: pytest.CaptureFixture[str], toy_corpus: Path, cmd_spec: Any
) -> None:
    """A case that diverges differently from when it was saved must be CHANGED, not STILL."""
    code, out, _ = cli(
        capsys, "replay", toy_corpus, "--reference", THANKS, "--candidate", cmd_spec("exit-3")
    )
    assert code == 1
    assert sorted(statuses(out).values()) == ["CHANGED", "CHANGED"]


def test_baseline_accepts_its_signature_and_expired_entries_do_not(
    capsys: pytest.CaptureFixture[str], toy_corpus: Path, tmp_path: Path
) -> None:
    """A baseline entry must turn its case from failing to accepted; an expired one must not."""
    entry = {"reason": "port issue #1", "accepted_by": "test"}
    both = {GRATITUDE: entry, CRASH: {**entry, "expires": "2999-12-31"}}
    accepted = baseline_file(tmp_path / "ok.json", both)
    args: list[str | Path] = ["replay", toy_corpus, "--reference", THANKS, "--candidate", TWO_BUGS]
    code, out, _ = cli(capsys, *args, "--baseline", accepted)
    assert code == 0
    assert out.count("(accepted)") == 2 and "gate: PASS" in out

    stale = baseline_file(
        tmp_path / "stale.json", {**both, CRASH: {**entry, "expires": "2001-01-01"}}
    )
    code, out, _ = cli(capsys, *args, "--baseline", stale, "--out", tmp_path / "out")
    assert code == 1
    assert out.count("(accepted)") == 1
    assert f"[{CRASH}]" in next(line for line in out.splitlines() if "crash-" in line)
    metrics = json.loads((tmp_path / "out" / "metrics.json").read_text())
    assert metrics["gate"]["unaccepted_signatures"] == [CRASH]
    assert metrics["baseline"]["expired"] == [CRASH]
    assert "**expired 2001-01-01**" in (tmp_path / "out" / "summary.md").read_text()


def test_baseline_update_writes_signatures_and_keeps_reasons(
    capsys: pytest.CaptureFixture[str], toy_corpus: Path, tmp_path: Path, monkeypatch: Any
) -> None:
    """--baseline-update must record every current signature, keeping reasons already given."""
    monkeypatch.setenv("USER", "rel-eng")
    path = baseline_file(
        tmp_path / "b.json",
        {
            GRATITUDE: {"reason": "known", "accepted_by": "ana"},
            "crash Gone on candidate": {"reason": "old", "accepted_by": "bo"},
        },
    )
    args: list[str | Path] = ["replay", toy_corpus, "--reference", THANKS, "--candidate", TWO_BUGS]
    code, out, _ = cli(capsys, *args, "--baseline", path, "--baseline-update")
    assert code == 0, out
    data = json.loads(path.read_text())
    assert data["accepted"] == {
        GRATITUDE: {"reason": "known", "accepted_by": "ana"},
        CRASH: {"reason": "TODO: why is this accepted?", "accepted_by": "rel-eng"},
    }
    assert path.read_text() == json.dumps(data, sort_keys=True, indent=2) + "\n"


def test_replay_lists_agreeing_items_only_when_verbose(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """OK items must be counted, not listed, unless --verbose: 10,000 OK lines bury the news."""
    seeds = write_known(tmp_path / "known.jsonl")
    args = ["replay", seeds, "--reference", THANKS, "--candidate", TWO_BUGS]
    _, quiet, _ = cli(capsys, *args)
    _, verbose, _ = cli(capsys, *args, "--verbose")
    assert [line.split()[0] for line in quiet.splitlines()[:3]] == ["NEW"] * 3
    assert not any(line.startswith("OK") for line in quiet.splitlines())
    firsts = [line.split()[0] for line in verbose.splitlines()[:5]]
    assert firsts == ["OK", "NEW", "OK", "NEW", "NEW"]


def test_reports_have_the_known_numbers(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """metrics.json, diffs.jsonl and summary.md must state the exact counts of a known run."""
    seeds = write_known(tmp_path / "known.jsonl")
    out_dir = tmp_path / "out"
    code, out, _ = cli(
        capsys, "replay", seeds, "--reference", THANKS, "--candidate", TWO_BUGS, "--out", out_dir
    )
    assert code == 1
    assert [line.split()[0] for line in out.splitlines()[:3]] == ["NEW", "NEW", "NEW"]
    assert "2 OK" in out.splitlines()[3]
    metrics = json.loads((out_dir / "metrics.json").read_text())
    assert metrics["conversations_compared"] == 5
    assert metrics["agreement_pct"] == 40.0  # agree-good, agree-neutral
    assert metrics["full_match_pct"] == 40.0
    assert (metrics["tier_a"], metrics["tier_b"], metrics["tier_c"]) == (3, 2, 2)
    assert metrics["failed"] == 1
    assert metrics["statuses"] == {"NEW": 3, "OK": 2}
    gratitude = metrics["signal_types"]["interaction.satisfaction.gratitude"]
    assert gratitude == {"reference": 4, "candidate": 2, "disagreements": 2}
    assert len(metrics["signal_types"]) == 25
    confusion = metrics["quality_confusion"]
    assert confusion["buckets"] == ["excellent", "good", "neutral", "poor", "severe"]
    # rows reference, columns candidate: good->good twice, good->neutral once, neutral->neutral
    assert confusion["matrix"] == [
        [0, 0, 0, 0, 0],
        [0, 2, 1, 0, 0],
        [0, 0, 1, 0, 0],
        [0, 0, 0, 0, 0],
        [0, 0, 0, 0, 0],
    ]
    assert confusion["failed"] == 1
    run = metrics["run"]
    assert run["reference"]["spec"] == THANKS and len(run["candidate"]["sha256"]) == 64
    assert run["versions"]["hypothesis"] and "git_sha" in run

    records = [json.loads(line) for line in (out_dir / "diffs.jsonl").read_text().splitlines()]
    by_id = {record["id"]: record for record in records}
    assert sorted(by_id) == ["crash", "half", "missed"]
    assert by_id["crash"]["signatures"] == [CRASH] and by_id["crash"]["status"] == "NEW"
    assert by_id["half"]["tiers"]["B"]["diff"]  # message_index [0, 1] vs [0]
    assert by_id["missed"]["messages"] == KNOWN[1][1]

    summary = (out_dir / "summary.md").read_text()
    assert summary.startswith("# signals parity (replay): FAIL")
    assert "| agreement (no Tier-A divergence) | 40.00 % |" in summary
    assert "| `interaction.satisfaction.gratitude` ⚠ | 4 | 2 | 2 |" in summary
    assert "| **good** | 0 | 2 | **1** | 0 | 0 |" in summary
    assert "| NEW | plain conversation, diverges at Tier A | 3 | 0 | 3 |" in summary


def test_drift_after_two_runs(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A second run into the same --out must write drift.json against the first."""
    seeds = write_known(tmp_path / "known.jsonl")
    out_dir = tmp_path / "out"
    common: list[str | Path] = ["parity", "--seeds", seeds, "--reference", THANKS, "--out", out_dir]
    assert cli(capsys, *common, "--candidate", TWO_BUGS)[0] == 1
    assert not (out_dir / "drift.json").exists()
    assert cli(capsys, *common, "--candidate", THANKS)[0] == 0
    drift = json.loads((out_dir / "drift.json").read_text())
    assert drift["signatures_disappeared"] == sorted([GRATITUDE, CRASH])
    assert drift["signatures_appeared"] == []
    assert drift["agreement_pct"] == {"previous": 40.0, "current": 100.0, "change": 60.0}
    assert drift["rates"]["tier_b_pct"]["relative_change"] == -1.0
    assert drift["rates"]["tier_b_pct"]["beyond_threshold"] is True
    assert drift["drifted"] is True
    summary = (out_dir / "summary.md").read_text()
    assert "## Drift since last run" in summary and f"- disappeared: `{CRASH}`" in summary
    # A third, identical run: no drift.
    assert cli(capsys, *common, "--candidate", THANKS)[0] == 0
    assert json.loads((out_dir / "drift.json").read_text())["drifted"] is False


def test_parity_exit_code_follows_the_baseline(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """parity must exit 1 on a Tier-A divergence outside the baseline and 0 when all are in it."""
    seeds = write_known(tmp_path / "known.jsonl")
    args: list[str | Path] = [
        "parity",
        "--seeds",
        seeds,
        "--reference",
        THANKS,
        "--candidate",
        TWO_BUGS,
    ]
    assert cli(capsys, *args, "--out", tmp_path / "a")[0] == 1
    entry = {"reason": "known", "accepted_by": "t"}
    only_one = baseline_file(tmp_path / "one.json", {GRATITUDE: entry})
    assert cli(capsys, *args, "--out", tmp_path / "b", "--baseline", only_one)[0] == 1
    both = baseline_file(tmp_path / "both.json", {GRATITUDE: entry, CRASH: entry})
    code, out, _ = cli(
        capsys,
        *args,
        "--out",
        tmp_path / "c",
        "--baseline",
        both,
        "--dataset-revision",
        "abc123",
        "--seed",
        "42",
    )
    assert code == 0, out
    run = json.loads((tmp_path / "c" / "metrics.json").read_text())["run"]
    assert (run["dataset_revision"], run["seed"], run["mode"]) == ("abc123", 42, "parity")


def test_junit_has_one_testcase_per_case_with_reproducers(
    capsys: pytest.CaptureFixture[str], toy_corpus: Path, tmp_path: Path
) -> None:
    """JUnit XML must hold one testcase per item, failures carrying signature and reproducer."""
    seeds = write_known(tmp_path / "known.jsonl")
    junit = tmp_path / "junit.xml"
    args: list[str | Path] = [
        "replay",
        toy_corpus,
        seeds,
        "--reference",
        THANKS,
        "--candidate",
        TWO_BUGS,
    ]
    assert cli(capsys, *args, "--junit", junit)[0] == 1
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None
    cases = suite.findall("testcase")
    assert len(cases) == 7 and suite.get("failures") == "5"
    failures = {c.get("name"): c.find("failure") for c in cases if c.find("failure") is not None}
    crash = failures["crash"]
    assert crash is not None and crash.get("message") == f"NEW: {CRASH}"
    assert "## Minimal conversation" in (crash.text or "")
    assert "signals_replay < case.jsonl" in (crash.text or "")


def test_prune_fixed_archives_and_never_deletes(
    capsys: pytest.CaptureFixture[str], toy_corpus: Path
) -> None:
    """--prune-fixed must move FIXED cases and reproducers to the archive, losing no file."""
    project = toy_corpus.parent
    archive = project / "corpus-archive"
    archive.mkdir()
    stems = sorted(p.stem for p in toy_corpus.glob("*.json"))
    # A file of the same name already in the archive must survive the move.
    (archive / f"{stems[0]}.json").write_text("older archived copy")
    before = sum(1 for p in project.rglob("*") if p.is_file())
    code, out, _ = cli(
        capsys,
        "replay",
        toy_corpus,
        "--reference",
        THANKS,
        "--candidate",
        THANKS,
        "--prune-fixed",
    )
    assert code == 0
    assert out.count("archived ") == 4
    assert list(toy_corpus.glob("*.json")) == []
    assert list((project / "shrunk").glob("*.md")) == []
    assert sum(1 for p in project.rglob("*") if p.is_file()) == before
    assert (archive / f"{stems[0]}.json").read_text() == "older archived copy"
    assert (archive / f"{stems[0]}.1.json").is_file()
    assert {p.suffix for p in archive.iterdir()} == {".json", ".md"}


def test_prune_fixed_leaves_failing_cases(
    capsys: pytest.CaptureFixture[str], toy_corpus: Path, tmp_path: Path
) -> None:
    """Only FIXED cases may be archived: still-failing ones stay in the corpus."""
    code, _, _ = cli(
        capsys,
        "replay",
        toy_corpus,
        "--reference",
        THANKS,
        "--candidate",
        TWO_BUGS,
        "--prune-fixed",
        "--archive",
        tmp_path / "elsewhere",
    )
    assert code == 1
    assert len(list(toy_corpus.glob("*.json"))) == 2
    assert not (tmp_path / "elsewhere").exists()


def test_campaign_with_baseline_finds_the_other_bug(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A campaign given a baseline accepting one planted bug must find and save only the other."""
    from fuzz.cli import run_campaign_command
    from fuzz.search.options import CampaignOptions
    from tests.fixtures.toy_batches import toy_conversations

    baseline = baseline_file(
        tmp_path / "b.json", {CRASH: {"reason": "known crash", "accepted_by": "t"}}
    )
    corpus, out_dir = tmp_path / "corpus", tmp_path / "out"
    options = CampaignOptions(
        THANKS,
        TWO_BUGS,
        seed=3,
        max_examples=150,
        baseline=Path(baseline),
        corpus=corpus,
        shrunk=tmp_path / "shrunk",
        out=out_dir,
        conversations=toy_conversations,
    )
    code = run_campaign_command(options)
    out = capsys.readouterr().out
    assert code == 1, out
    saved = [json.loads(p.read_text())["signature"] for p in corpus.glob("*.json")]
    assert saved == [GRATITUDE]
    metrics = json.loads((out_dir / "metrics.json").read_text())
    assert metrics["mode"] == "campaign" and metrics["run"]["seed"] == 3
    assert metrics["gate"]["unaccepted_signatures"] == [GRATITUDE]
    assert metrics["conversations_compared"] > 0
    records = [json.loads(line) for line in (out_dir / "diffs.jsonl").read_text().splitlines()]
    assert [r["signatures"] for r in records if r["tier"] == "A"] == [[GRATITUDE]]
    assert "## Signatures found" in (out_dir / "summary.md").read_text()


def test_bad_baseline_is_exit_2_one_line(tmp_path: Path, toy_corpus: Path) -> None:
    """A malformed baseline must stop the real command with exit 2 and one line naming it."""
    bad = tmp_path / "baseline.json"
    bad.write_text('{"schema_version": 1, "accepted": {"x": {"reason": ""}}}')
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "fuzz.cli",
            "replay",
            str(toy_corpus),
            "--reference",
            THANKS,
            "--candidate",
            TWO_BUGS,
            "--baseline",
            str(bad),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and str(bad) in done.stderr
    assert "reason" in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""


@pytest.mark.parametrize(
    ("extra", "culprit"),
    [
        (["--baseline-update"], "--baseline-update needs --baseline"),
        (["--baseline", "/no/such/baseline.json"], "/no/such/baseline.json"),
        (["--drift-threshold", "lots"], "--drift-threshold='lots'"),
        (["--junit", "/no/such/dir/j.xml"], "/no/such/dir"),
        (["--archive", "somewhere"], "--prune-fixed"),
    ],
)
def test_gate_usage_errors(
    capsys: pytest.CaptureFixture[str], toy_corpus: Path, extra: list[str], culprit: str
) -> None:
    """Each bad gate flag must give exit 2 and one line naming it, before any analysis."""
    code, out, err = cli(
        capsys, "replay", toy_corpus, "--reference", THANKS, "--candidate", TWO_BUGS, *extra
    )
    assert code == 2 and err.count("\n") == 1 and culprit in err, err
    assert out == ""


def test_bad_jsonl_line_is_named(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A replay JSONL line that is not {"id", "messages"} must be named by file and line."""
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1, "messages": []}\n{"id": 2}\n')
    code, _, err = cli(capsys, "replay", bad, "--reference", THANKS, "--candidate", THANKS)
    assert code == 2 and f"{bad}:2" in err
