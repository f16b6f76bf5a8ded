"""--workers, --resume and Ctrl-C with real worker processes on the toy analyzers."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from fuzz.cli import main, run_campaign_command
from fuzz.engine.targets import parse_target
from fuzz.gate.corpus import Corpus, load_case
from fuzz.search.events import CaseImproved, DivergenceFound, Event, ShrinkFinished
from fuzz.search.options import CampaignOptions, Preparation
from fuzz.search.sinks import CorpusRecorder, fan_out
from fuzz.search.workers import WorkersFinished, run_workers
from tests.e2e.conftest import CRASH, GRATITUDE, THANKS, TWO_BUGS
from tests.fixtures import toy_batches

pytestmark = pytest.mark.slow

REPO = Path(__file__).parents[2]


def run_toy(
    tmp_path: Path,
    strategy: object = toy_batches.toy_conversations,
    set_aside: frozenset[str] = frozenset(),
) -> tuple[WorkersFinished, list[Event], Corpus]:
    corpus = Corpus.open(tmp_path / "corpus", tmp_path / "shrunk")
    events: list[Event] = []
    options = CampaignOptions(
        THANKS,
        TWO_BUGS,
        seed=3,
        max_examples=150,
        workers=2,
        conversations=strategy,  # type: ignore[arg-type]
    )
    result = run_workers(
        options,
        Preparation(resumed=set_aside),
        fan_out(CorpusRecorder(corpus), events.append),
        reference=parse_target(THANKS).identity,
        candidate=parse_target(TWO_BUGS).identity,
    )
    return result, events, corpus


def test_two_workers_save_each_bug_once_and_shrink_it_once(tmp_path: Path) -> None:
    """Both workers meet both bugs; each bug must be claimed, shrunk and saved exactly once."""
    result, events, _ = run_toy(tmp_path)
    assert result.crashed == ()
    assert set(result.finished.signatures) == {GRATITUDE, CRASH}
    # The race is real: some bug was found by both workers...
    assert any(len(workers) == 2 for workers in result.found_by.values()), result.found_by
    # ...and still shrunk by one worker only, the one that claimed it.
    assert {s: len(w) for s, w in result.shrunk_by.items()} == {GRATITUDE: 1, CRASH: 1}
    assert {s: w[0] for s, w in result.shrunk_by.items()} == result.claims
    finds = Counter(e.case.signature for e in events if isinstance(e, DivergenceFound))
    assert finds == {GRATITUDE: 1, CRASH: 1}
    finals = Counter(e.case.signature for e in events if isinstance(e, CaseImproved) and e.final)
    assert finals == {GRATITUDE: 1, CRASH: 1}
    shrinks = Counter(e.signature for e in events if isinstance(e, ShrinkFinished))
    assert shrinks == {GRATITUDE: 1, CRASH: 1}
    cases = [load_case(p) for p in (tmp_path / "corpus").glob("*.json")]
    assert sorted(c.signature for c in cases) == sorted([GRATITUDE, CRASH])
    shrunk = {c.signature: [sorted(m["value"]) for m in c.conversation] for c in cases}
    assert shrunk == {GRATITUDE: [sorted("thanks!")], CRASH: [sorted("BOOM")]}
    assert all(c.shrunk for c in cases)
    # Progress and metrics add up over both workers.
    assert result.metrics.compared == result.finished.conversations > 0
    assert result.finished.reason == "max-examples"


@pytest.mark.parametrize("workers", [1, 2])
def test_workers_report_like_one_process(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], workers: int
) -> None:
    """With --workers 2 the found, shrunk and final lines must reach stderr as with one."""
    options = CampaignOptions(
        THANKS,
        TWO_BUGS,
        seed=3,
        max_examples=150,
        corpus=tmp_path / "corpus",
        shrunk=tmp_path / "shrunk",
        workers=workers,
        conversations=toy_batches.toy_conversations,
    )
    assert run_campaign_command(options) == 1
    err = capsys.readouterr().err
    for signature in (GRATITUDE, CRASH):
        assert err.count(f"found: {signature} (") == 1, err
        assert err.count(f"shrunk: {signature} -> 1 messages") == 1, err
    assert "stopped (max-examples)" in err and "2 distinct Tier-A signature(s)" in err
    assert ("2 worker processes" in err) == (workers == 2)


def test_resumed_workers_never_find_a_saved_bug_again(tmp_path: Path) -> None:
    """Bugs given as set aside (what --resume passes) must be met but never reported."""
    result, events, _ = run_toy(tmp_path, set_aside=frozenset({GRATITUDE, CRASH}))
    assert not [e for e in events if isinstance(e, DivergenceFound | CaseImproved)]
    assert result.finished.signatures == () and result.claims == {}
    assert result.finished.tier_a > 0  # the bugs were there to be found


def test_no_more_workers_than_examples(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """One example cannot be split: the start line must not name two workers and seeds."""
    corpus = tmp_path / "corpus"
    args = ["--reference", THANKS, "--candidate", THANKS, "--corpus", str(corpus)]
    code = main(["campaign", *args, "--max-examples", "1", "--workers", "2", "--database", "none"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "worker processes" not in err and "stopped (max-examples)" in err


@pytest.mark.parametrize("workers", ["1", "2"])
def test_cli_resume_sets_aside_every_shrunk_case(
    toy_corpus: Path, capsys: pytest.CaptureFixture[str], workers: str
) -> None:
    """campaign --resume must say what it set aside, find none of it again, and leave it as is."""
    before = {p.name: p.read_bytes() for p in toy_corpus.glob("*.json")}
    assert len(before) == 2 and all(load_case(toy_corpus / n).shrunk for n in before)
    options = CampaignOptions(
        THANKS,
        TWO_BUGS,
        seed=3,
        max_examples=100,
        corpus=toy_corpus,
        shrunk=toy_corpus.parent / "shrunk",
        workers=int(workers),
        resume=True,
        out=toy_corpus.parent / "out",
        database=None,
        conversations=toy_batches.toy_conversations,
    )
    code = run_campaign_command(options)
    err = capsys.readouterr().err
    assert code == 1, err  # the corpus still holds the known bugs
    assert "resume: 2 known bug(s) set aside" in err
    assert "found:" not in err and "shrunk:" not in err
    tier_a = re.search(r"Tier A ([\d,]+), Tier B", err)
    assert tier_a is not None and int(tier_a.group(1).replace(",", "")) > 0
    assert {p.name: p.read_bytes() for p in toy_corpus.glob("*.json")} == before
    assert (toy_corpus.parent / ".signals-fuzz" / "examples").is_dir()
    # The reports count every worker's conversations, as the summary line does.
    metrics = json.loads((toy_corpus.parent / "out" / "metrics.json").read_text())
    summary = re.search(r"after \S+: ([\d,]+) conversations", err)
    assert summary is not None
    assert metrics["conversations_compared"] == int(summary.group(1).replace(",", "")) > 0
    assert metrics["tier_a"] > 0
    # Resumed bugs are set aside from the search, not accepted by a baseline: the gate fails.
    known = sorted(load_case(toy_corpus / name).signature for name in before)
    assert metrics["gate"]["unaccepted_signatures"] == known


@pytest.mark.parametrize(
    ("strategy", "words"),
    [
        (toy_batches.raising_batches, "RuntimeError: planted worker failure"),
        (toy_batches.exiting_batches, ""),
    ],
)
def test_a_crashed_worker_is_reported_not_waited_for(
    tmp_path: Path, strategy: object, words: str
) -> None:
    """A worker that raises or dies must come back as a crash with its traceback or exit code."""
    result, _, _ = run_toy(tmp_path, strategy=strategy)
    assert [crash.worker for crash in result.crashed] == [0, 1]
    for crash in result.crashed:
        # A worker that raised sends its traceback; one that died silently, nothing.
        assert words in crash.error if words else crash.error == ""
        assert crash.exitcode == (1 if words else 7)
        assert f"worker {crash.worker} crashed (exit code" in crash.describe()


def test_cli_worker_crash_is_exit_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The command must name the crashed workers and exit 3, not 0 or a hang."""
    options = CampaignOptions(
        THANKS,
        TWO_BUGS,
        seed=0,
        max_examples=10,
        corpus=tmp_path / "corpus",
        shrunk=tmp_path / "shrunk",
        workers=2,
        conversations=toy_batches.raising_batches,
    )
    code = run_campaign_command(options)
    err = capsys.readouterr().err
    assert code == 3
    assert "worker 0 crashed" in err and "worker 1 crashed" in err
    assert "planted worker failure" in err
    assert not (tmp_path / ".signals-fuzz").exists()


@pytest.mark.parametrize(("target", "workers"), [("group", 2), ("parent", 2), ("group", 1)])
def test_ctrl_c_stops_every_worker_and_keeps_what_they_found(
    tmp_path: Path, target: str, workers: int
) -> None:
    """Ctrl-C (to the whole group, as a terminal does, or to the parent alone) must stop all
    workers cleanly: the summary printed, the found case on disk, no process left behind.
    One worker is the campaign in the CLI's own process."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "fuzz.cli",
            "campaign",
            "--reference",
            "py:fuzz.examples.analyzer:ExampleAnalyzer",
            "--candidate",
            "py:fuzz.examples.variants:MissingTrigger",
            "--seed",
            "1",
            "--budget",
            "5m",
            "--workers",
            str(workers),
            "--corpus",
            "corpus",
            "--shrunk",
            "shrunk",
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert process.stderr is not None
        lines = []
        for line in process.stderr:
            lines.append(line)
            if "found:" in line:
                break
        assert any("found:" in line for line in lines), "".join(lines)
        time.sleep(0.5)
        if target == "group":
            os.killpg(process.pid, signal.SIGINT)
        else:
            os.kill(process.pid, signal.SIGINT)
        out, rest = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    err = "".join(lines) + rest
    assert process.returncode == 1, err
    assert "stopped (interrupted)" in err and "crashed" not in err and "Traceback" not in err
    saved = [load_case(p).signature for p in (tmp_path / "corpus").glob("*.json")]
    assert saved and all(signature in out for signature in saved)
    # No worker and no manager left running in the group (a zombie is not running: where
    # PID 1 does not reap, multiprocessing's resource tracker, which exits just after the
    # parent, stays one; on a busy machine ps can still see it exiting, as "[python]").
    deadline = time.monotonic() + 10
    while True:
        listing = subprocess.run(
            ["ps", "-o", "stat=,args=", "-g", str(process.pid)], capture_output=True, text=True
        ).stdout
        running = [row for row in listing.splitlines() if row.strip() and "Z" not in row.split()[0]]
        if not running or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert running == [], listing
