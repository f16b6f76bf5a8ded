"""Nothing found is lost or damaged, whatever happens to the fuzzer: kill -9, SIGTERM, a full disk.

Each test runs the real ``signals-fuzz campaign`` in a subprocess of its own
session, against a planted bug that shows as many signatures within seconds,
does something bad to it, and then checks the corpus with ``signals-fuzz
corpus check``: every file must be a valid case, and every case the campaign
reported (a ``found:`` line is printed after its file is written) must be
there.
"""

from __future__ import annotations

import json
import os
import random
import re
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import attrs
import pytest

from fuzz.gate.corpus import Corpus
from tests.unit.test_corpus import make_case

pytestmark = pytest.mark.slow

REPO = Path(__file__).parents[2]
REFERENCE = "py:fuzz.examples.analyzer:ExampleAnalyzer"
CANDIDATE = "py:fuzz.examples.variants:UnicodeWhitespace"
FOUND = re.compile(r"^  found: (.+) \(\d+ messages, shrinking\.\.\.\)$")
SHRUNK = re.compile(r"^  shrunk: (.+) -> \d+ messages")


def start(folder: Path, *extra: str, **popen: object) -> subprocess.Popen[str]:
    command = [
        sys.executable,
        "-m",
        "fuzz.cli",
        "campaign",
        "--reference",
        REFERENCE,
        "--candidate",
        CANDIDATE,
        "--seed",
        "1",
        "--budget",
        "5m",
        "--corpus",
        "corpus",
        "--shrunk",
        "shrunk",
        "--database",
        "none",
        *extra,
    ]
    return subprocess.Popen(  # type: ignore[call-overload, no-any-return]
        command,
        cwd=folder,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        **popen,
    )


def corpus_check(folder: Path) -> tuple[int, str]:
    done = subprocess.run(
        [sys.executable, "-m", "fuzz.cli", "corpus", "check", "corpus"],
        cwd=folder,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        check=False,
    )
    return done.returncode, done.stdout


def reported(lines: list[str], pattern: re.Pattern[str]) -> set[str]:
    return {m.group(1) for line in lines if (m := pattern.match(line.rstrip("\n")))}


def kept(folder: Path) -> dict[str, bool]:
    """Signature -> shrunk, for the case the corpus keeps of each (a kill between writing a
    smaller case and removing the one it replaces leaves both; the smaller is kept)."""
    corpus = Corpus.open(folder / "corpus", folder / "shrunk")
    assert not corpus.skipped
    return {case.signature: case.shrunk for case in corpus.cases()}


@pytest.mark.parametrize("workers", ["1", "2"])
def test_kill_9_at_random_moments_loses_and_damages_nothing(tmp_path: Path, workers: str) -> None:
    """kill -9 of the whole process group, at seeded random moments after the first find, must
    leave only valid case files, every reported find among them and every reported shrink
    saved shrunk."""
    moments = random.Random(f"kill-9-{workers}").sample([0.0, 0.3, 0.8, 1.5, 2.5, 4.0], 2)
    for run, delay in enumerate(moments):
        folder = tmp_path / f"run{run}"
        folder.mkdir()
        process = start(folder, "--workers", workers)
        lines: list[str] = []
        try:
            assert process.stderr is not None
            for line in process.stderr:
                lines.append(line)
                if FOUND.match(line.rstrip("\n")):
                    break
            time.sleep(delay)
            os.killpg(process.pid, signal.SIGKILL)
            rest = process.communicate(timeout=60)[1]
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        lines += rest.splitlines(keepends=True)
        code, report = corpus_check(folder)
        assert code == 0, report
        on_disk = kept(folder)
        found = reported(lines, FOUND)
        assert found and found <= set(on_disk), (delay, found - set(on_disk))
        unshrunk = [s for s in reported(lines, SHRUNK) if not on_disk[s]]
        assert not unshrunk, (delay, unshrunk)


def test_sigterm_stops_cleanly_like_ctrl_c(tmp_path: Path) -> None:
    """SIGTERM (what kill and job runners send) must stop the campaign cleanly: the summary
    printed, the reports written, every find saved, exit 1."""
    process = start(tmp_path, "--workers", "1", "--out", "out")
    assert process.stderr is not None
    lines = []
    for line in process.stderr:
        lines.append(line)
        if SHRUNK.match(line.rstrip("\n")):
            break
    process.send_signal(signal.SIGTERM)
    out, rest = process.communicate(timeout=120)
    err = "".join(lines) + rest
    assert process.returncode == 1, err
    assert "stopped (interrupted)" in err and "Traceback" not in err
    assert corpus_check(tmp_path)[0] == 0
    metrics = json.loads((tmp_path / "out" / "metrics.json").read_text())
    assert set(metrics["tier_a_signatures"]) >= reported(lines, FOUND)
    assert all(signature in out for signature in kept(tmp_path))


def _file_size_limit(limit: int) -> None:
    """In the child: files may not grow past ``limit`` bytes, a write past it fails (EFBIG)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def test_a_full_disk_is_reported_once_and_damages_nothing(tmp_path: Path) -> None:
    """When writes start failing, the campaign must say so in one line, stop with exit 2, and
    leave every file that was there, and every file it wrote, whole."""
    before = tmp_path / "corpus"
    earlier = Corpus.open(before, tmp_path / "shrunk")
    for words in (["thanks"], ["bye now"]):
        earlier.save(attrs.evolve(make_case(words), signature=f"counts: earlier {words[0]}"))
    kept_before = {p.name: p.read_bytes() for p in before.glob("*.json")}
    assert len(kept_before) == 2
    process = start(
        tmp_path,
        "--workers",
        "1",
        "--max-examples",
        "200",
        preexec_fn=lambda: _file_size_limit(2500),
    )
    _out, err = process.communicate(timeout=300)
    assert process.returncode == 2, err
    failures = [line for line in err.splitlines() if line.startswith("signals-fuzz: error:")]
    assert len(failures) == 1 and "cannot write" in failures[0], err
    assert "Traceback" not in err
    assert {p.name: p.read_bytes() for p in before.glob("*.json") if p.name in kept_before} == (
        kept_before
    )
    code, report = corpus_check(tmp_path)
    assert code == 0 and "leftover" not in report, report
