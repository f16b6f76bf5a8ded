"""Campaigns against fault-injecting analyzers: every fault is a finding, and the search goes on.

Each campaign draws conversations from plain words, 'thanks' and '!' (the
fixtures' counting bug: 'thanks' unheard beside '!') and the fixtures' marker
words, so one campaign meets every fault many times over. It must end with
exactly one signature per fault it injected plus the counting bug, each saved
in the corpus with the target's stderr tail where there is one: no fault stops
it, hides another, or is filed twice. ``injected`` counts the conversations
that carried exactly one marker, per marker: faults injected, findings recorded.
"""

from __future__ import annotations

import collections
import os
import shlex
import sys
from pathlib import Path

import pytest
from hypothesis import strategies as st

from fuzz.engine.outcomes import Target
from fuzz.engine.targets import CmdTarget, parse_target
from fuzz.gate.corpus import Corpus, load_case
from fuzz.search.campaign import Campaign, CampaignSettings
from fuzz.search.events import CampaignFinished, ConversationCompared, Event
from fuzz.search.sinks import CorpusRecorder, fan_out
from tests.conftest import FIXTURES

THANKS = "py:tests.fixtures.py_analyzers:Thanks"
GRATITUDE = "counts: interaction.satisfaction.gratitude ref>cand"
CAP = 128 << 20

#: cmd: markers and the finding each must be filed as (None: no finding at all).
CMD_FAULTS: dict[str, str | None] = {
    "EXIT": "crash exit 3 on candidate",
    "GARBAGE": "unparseable not-json on candidate",
    "DROP": "missing-line on candidate",
    "DOUBLE": "extra-line on candidate",
    "RENUMBER": "id-mismatch changed on candidate",
    "BADUTF": "unparseable not-utf8 on candidate",
    "HUGE": "output-too-large on candidate",
    "STDERR": "missing-line stderr-only on candidate",
    "ERROR": "error-line on candidate",
    "GROW": "out-of-memory on candidate",
    "STRAY": None,
}

#: Isolated py: markers and their findings. HANG and DEAF are one bug to a user: a timeout.
PY_FAULTS: dict[str, str | None] = {
    "RAISE": "crash ValueError on candidate",
    "NOTDICT": "unparseable not-a-dict on candidate",
    "BADSHAPE": "schema on candidate: /: required",
    "HANG": "timeout on candidate",
    "DEAF": "timeout on candidate",
    "SEGV": "crash signal SIGSEGV on candidate",
    "EXIT": "crash exit 3 on candidate",
    "GROW": "out-of-memory on candidate",
    "PRINT": None,
}


def conversations(markers: list[str]) -> st.SearchStrategy[list[dict[str, str]]]:
    """One fault per conversation ('hello MARKER'), or a plain one (the counting bug's
    'thanks !', or nothing to see), each as likely as the next: a batch meets most faults.

    Chosen by a Hypothesis-seeded ``Random``: ``sampled_from`` favours the
    first entries, and the last faults of the list would hardly ever be drawn.
    """
    chats = [f"hello {marker}" for marker in markers] + ["thanks !", "thanks", "hello"]
    return st.randoms(use_true_random=False).map(
        lambda random: [{"from": "human", "value": random.choice(chats)}]
    )


def campaign(
    tmp_path: Path,
    candidate: Target,
    faults: dict[str, str | None],
    *,
    seed: int,
    examples: int,
) -> tuple[CampaignFinished, Campaign, collections.Counter[str]]:
    """Run a campaign of the faithful toy against ``candidate``; count faults injected.

    Seeded, and its first batches are drawn before anything timing-dependent
    happens, so the faults injected are the same from run to run.
    """
    markers = list(faults)
    injected: collections.Counter[str] = collections.Counter()

    def count(event: Event) -> None:
        if isinstance(event, ConversationCompared):
            text = " ".join(m["value"] for m in event.conversation)
            injected.update(marker for marker in markers if marker in text)

    corpus = Corpus.open(tmp_path / "corpus", tmp_path / "shrunk")
    run = Campaign(
        parse_target(THANKS),
        candidate,
        CampaignSettings(
            seed=seed,
            max_examples=examples,
            batch_size=len(faults) + 3,  # as many as there are chats to draw
            shrink_limit=0.5,
            shrink_stall=0.5,
            minimise=False,
        ),
        fan_out(CorpusRecorder(corpus), count),
        conversations=conversations(markers),
    )
    return run.run(), run, injected


def assert_every_fault_filed(
    tmp_path: Path,
    finished: CampaignFinished,
    faults: dict[str, str | None],
    injected: collections.Counter[str],
) -> None:
    """One finding per injected fault (none for the harmless ones), the counting bug besides."""
    assert finished.reason == "max-examples", "the campaign must run to its end"
    assert set(injected) == set(faults), f"not every fault was injected: {injected}"
    expected = {faults[marker] for marker in injected} - {None} | {GRATITUDE}
    assert set(finished.signatures) == expected
    saved = {load_case(path).signature for path in (tmp_path / "corpus").glob("*.json")}
    assert saved == expected


@pytest.mark.slow
def test_cmd_campaign_files_every_fault_and_finds_the_counting_bug(tmp_path: Path) -> None:
    """No misbehaviour of a replay program may stop a campaign or hide its other bugs."""
    candidate = CmdTarget(
        "cmd:" + shlex.join([sys.executable, str(FIXTURES / "faulty_replay.py")]),
        timeout=5.0,
        max_memory=CAP,
        max_line=1 << 20,
    )
    finished, run, injected = campaign(tmp_path, candidate, CMD_FAULTS, seed=1, examples=3)
    assert_every_fault_filed(tmp_path, finished, CMD_FAULTS, injected)
    assert "panicked" in run.best["crash exit 3 on candidate"].candidate.failure.stderr  # type: ignore[union-attr]
    assert "MemoryError" in run.best["out-of-memory on candidate"].candidate.failure.stderr  # type: ignore[union-attr]


@pytest.mark.slow
def test_isolated_py_campaign_survives_segfaults_exits_and_runaway_memory(tmp_path: Path) -> None:
    """With --isolate, what would kill the fuzzer's own process is one finding each."""
    candidate = parse_target(
        "py:tests.fixtures.faulty_analyzers:Faulty", timeout=0.5, isolate=True, max_memory=CAP
    )
    try:
        finished, run, injected = campaign(tmp_path, candidate, PY_FAULTS, seed=1, examples=3)
    finally:
        candidate.close()  # type: ignore[attr-defined]
    assert_every_fault_filed(tmp_path, finished, PY_FAULTS, injected)
    crash = run.best["crash ValueError on candidate"].candidate.failure
    assert crash is not None and "planted RAISE" in crash.stderr


@pytest.mark.slow
def test_cmd_campaign_with_hangs_leaves_no_process_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Hung batches, some with SIGTERM-proof grandchildren, must each be one timeout finding,
    the counting bug still found, and every process started gone when the campaign ends."""
    pids = tmp_path / "grandchildren.txt"
    monkeypatch.setenv("FAULTY_GRANDCHILD_FILE", str(pids))
    faults: dict[str, str | None] = {
        "HANG": "timeout on candidate",
        "FORK": "timeout on candidate",
        "EXIT": "crash exit 3 on candidate",
    }
    candidate = CmdTarget(
        "cmd:" + shlex.join([sys.executable, str(FIXTURES / "faulty_replay.py")]), timeout=1.0
    )
    finished, _, injected = campaign(tmp_path, candidate, faults, seed=2, examples=3)
    assert_every_fault_filed(tmp_path, finished, faults, injected)
    forked = [int(pid) for pid in pids.read_text().split()]
    assert forked and [pid for pid in forked if os.path.exists(f"/proc/{pid}")] == []
