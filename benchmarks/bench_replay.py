"""What does ``signals-fuzz replay`` cost on top of the analyzers themselves?

Builds a corpus of N synthetic cases (default 5,000) in a temp folder, then,
in one run and on the same conversations, measures:

* raw reference: ``ExampleAnalyzer().analyze`` on each conversation, in process;
* raw candidate: the example replay program (``python -m fuzz.examples.replay``
  with planted variants), fed the same JSONL in the same chunks (so the same
  number of processes) that replay uses, with no parsing of its output;
* replay: ``signals-fuzz replay CORPUS`` in process (loading every case
  file, both targets, comparing every tier, statuses, the gate), then the
  same with ``--out DIR --junit FILE`` (diffs.jsonl, metrics.json,
  summary.md, JUnit with a reproducer per failing case);
* where the time goes: loading alone, ``compare`` alone, schema checks alone.

It prints the wall times and the ratio replay / (raw reference + raw
candidate): the overhead of signals-fuzz. Replay overlaps the two sides (the
``cmd:`` side runs in a worker thread), so the ratio can be below 1.

Usage: python benchmarks/bench_replay.py [--cases 5000] [--seed 0]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import random
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import hypothesis

import fuzz
from fuzz.cli import main as cli_main
from fuzz.engine.canonical import schema_violation
from fuzz.engine.case import Case, Provenance
from fuzz.engine.compare import Tier, compare
from fuzz.engine.outcomes import Outcome, TargetIdentity, encode_line
from fuzz.engine.targets import analyze_pair, parse_target
from fuzz.examples.analyzer import ExampleAnalyzer
from fuzz.files import canonical_json
from fuzz.gate.replay import DEFAULT_CHUNK_SIZE, load_items

REFERENCE = "py:fuzz.examples.analyzer:ExampleAnalyzer"
VARIANTS = "missing_trigger,narrow_timeout,retry_off_by_one,index_shift"
CANDIDATE_ARGV = [sys.executable, "-m", "fuzz.examples.replay", "--variant", VARIANTS]
CANDIDATE = "cmd:" + shlex.join(CANDIDATE_ARGV)

HUMAN = [
    "hi, can you help me book a flight",
    "thanks!",
    "cheers, that worked",
    "no, I meant the other one",
    "I don't understand",
    "let me talk to a human",
    "this is useless, I give up",
    "WHY IS THIS NOT WORKING!!!",
    "can you rephrase that",
    "ok",
    "please try again",
    "perfect, thank you so much",
]
GPT = [
    "Sure, let me look that up for you.",
    "Here is what I found: three flights leave tomorrow morning.",
    "I am sorry, something went wrong on my side.",
    "Done. Anything else?",
]
TOOLS = ["search_flights", "get_weather", "query_db", "send_email"]
OBSERVATIONS = [
    '{"results": []}',
    "Error: request timed out after 30s",
    "TimeoutError: upstream did not answer",
    "HTTP 429 Too Many Requests",
    "HTTP 503 Service Unavailable",
    "connection refused",
    "401 Unauthorized",
    "unknown tool: fly",
    "context length exceeded",
    '{"status": "ok", "id": 17}',
]


def conversation(rng: random.Random) -> list[dict[str, str]]:
    """A short chat, sometimes with tool calls and their results."""
    messages: list[dict[str, str]] = []
    for _ in range(rng.randint(1, 6)):
        messages.append({"from": "human", "value": rng.choice(HUMAN)})
        if rng.random() < 0.4:
            tool = rng.choice(TOOLS)
            for _ in range(rng.choice([1, 1, 2, 3, 4])):
                args = {"q": rng.choice(["paris", "rome", "x"])}
                messages.append(
                    {
                        "from": "function_call",
                        "value": json.dumps({"name": tool, "arguments": args}),
                    }
                )
                messages.append({"from": "observation", "value": rng.choice(OBSERVATIONS)})
        messages.append({"from": "gpt", "value": rng.choice(GPT)})
    return messages


def build_corpus(folder: Path, conversations: list[list[dict[str, str]]]) -> None:
    """One saved case per conversation, as a campaign would write it."""
    identity = TargetIdentity(spec=REFERENCE, kind="py", path="", sha256=None)
    provenance = Provenance(
        seed=0,
        fuzzer_version=fuzz.__version__,
        hypothesis_version=hypothesis.__version__,
        python_version=sys.version.split()[0],
        reference=identity,
        candidate=identity,
        found_at="2025-01-01T00:00:00+00:00",
        command="bench",
    )
    empty = Outcome.of_report({})
    for number, messages in enumerate(conversations):
        case = Case(messages, Tier.A, "counts", "synthetic", empty, empty, {}, True, provenance)
        (folder / f"case-{number:05d}.json").write_text(canonical_json(case.to_json()))


def raw_reference(conversations: list[list[dict[str, str]]]) -> float:
    analyzer = ExampleAnalyzer()
    start = time.perf_counter()
    for messages in conversations:
        analyzer.analyze([dict(m) for m in messages])
    return time.perf_counter() - start


def raw_candidate(conversations: list[list[dict[str, str]]], chunk: int) -> float:
    start = time.perf_counter()
    for first in range(0, len(conversations), chunk):
        payload = "".join(
            encode_line({"id": i, "messages": m}) + "\n"
            for i, m in enumerate(conversations[first : first + chunk])
        )
        subprocess.run(CANDIDATE_ARGV, input=payload.encode(), capture_output=True, check=True)
    return time.perf_counter() - start


def compare_only(conversations: list[list[dict[str, str]]]) -> tuple[float, float]:
    """Seconds spent judging alone: ``compare`` of every pair, and its schema checks."""
    reference = parse_target(REFERENCE)
    candidate = parse_target(CANDIDATE, timeout=120)
    pairs = list(zip(*analyze_pair(reference, candidate, conversations), strict=True))
    start = time.perf_counter()
    for ref, cand in pairs:
        compare(ref, cand)
    judged = time.perf_counter() - start
    start = time.perf_counter()
    for ref, cand in pairs:
        for outcome in (ref, cand):
            if outcome.report is not None:
                schema_violation(outcome.report)
    return judged, time.perf_counter() - start


def timed_replay(corpus: Path, out: Path | None) -> tuple[float, int, str]:
    argv = ["replay", str(corpus), "--reference", REFERENCE, "--candidate", CANDIDATE]
    argv += ["--timeout", "120s"]
    if out is not None:
        argv += ["--out", str(out), "--junit", str(out / "junit.xml")]
    printed = io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(printed):
        code = cli_main(argv)
    elapsed = time.perf_counter() - start
    return elapsed, code, printed.getvalue().strip().splitlines()[-1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    conversations = [conversation(rng) for _ in range(args.cases)]
    messages = sum(len(c) for c in conversations)
    with tempfile.TemporaryDirectory(prefix="bench-replay-") as tmp:
        corpus, out = Path(tmp) / "corpus", Path(tmp) / "out"
        corpus.mkdir()
        out.mkdir()
        build_corpus(corpus, conversations)
        start = time.perf_counter()
        loaded = len(load_items([corpus]))
        load = time.perf_counter() - start
        assert loaded == args.cases
        ref = raw_reference(conversations)
        cand = raw_candidate(conversations, DEFAULT_CHUNK_SIZE)
        plain, code, verdict = timed_replay(corpus, None)
        replay, _, _ = timed_replay(corpus, out)
        metrics: dict[str, Any] = json.loads((out / "metrics.json").read_text())
        judging, schema = compare_only(conversations)
    raw = ref + cand
    print(f"cases: {args.cases:,} ({messages:,} messages), chunk size {DEFAULT_CHUNK_SIZE}")
    print(f"candidate: {CANDIDATE}")
    print(f"raw reference (in process):       {ref:8.2f} s")
    print(f"raw candidate ({-(-args.cases // DEFAULT_CHUNK_SIZE)} processes):       {cand:8.2f} s")
    print(f"raw total:                        {raw:8.2f} s")
    print(f"replay wall time:                 {plain:8.2f} s   (exit {code}: {verdict})")
    print(f"  ratio to raw total:             {plain / raw:8.2f}x")
    print(f"  overhead over raw total:        {plain - raw:+8.2f} s")
    print(f"replay + --out + --junit:         {replay:8.2f} s   ({replay / raw:.2f}x raw total)")
    print(f"where it goes: loading the corpus {load:.2f} s; compare() alone {judging:.2f} s,")
    print(f"  of which schema validation of both reports {schema:.2f} s")
    print(
        f"Tier A {metrics['tier_a']:,}, Tier B {metrics['tier_b']:,}, Tier C {metrics['tier_c']:,}"
        f" of {metrics['conversations_compared']:,}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
