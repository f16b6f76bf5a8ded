"""The ``signals-fuzz`` command: parse, validate, then import the engine lazily.

Usage errors are one line on stderr and exit code 2; a campaign or replay
exits 1 when a Tier-A divergence is found or remains, 0 otherwise, and a
campaign whose worker process crashed exits 3.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import secrets
import shlex
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TypeAlias

from fuzz import defaults
from fuzz.errors import EXIT_DIVERGED, EXIT_OK, EXIT_USAGE, UsageError

if TYPE_CHECKING:
    from fuzz.engine.targets import TargetOptions
    from fuzz.gate.corpus import CaseCheck
    from fuzz.gate.release import GateOptions
    from fuzz.search.options import CampaignOptions
    from fuzz.search.patterns import PatternCoverage
    from fuzz.search.run import CampaignOutcome

DEFAULT_BUDGET = "5m"
EXAMPLE_REFERENCE = "py:fuzz.examples.analyzer:ExampleAnalyzer"
DEMO_VARIANTS = "missing_trigger,narrow_timeout,retry_off_by_one"


#: Bounds past which a value is a typo, not a plan: a batch is one replay process's input,
#: a worker is a process, and coverage draws every conversation into memory.
MAX_BATCH_SIZE, MAX_WORKERS, MAX_CONVERSATIONS = 10_000, 512, 10_000_000
#: A year: no budget or timeout is longer.
MAX_SECONDS = 366 * 24 * 3600.0

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_duration(text: str, flag: str = "--budget") -> float:
    """``90s``, ``10m``, ``2h``, ``1h30m`` or bare seconds, as seconds."""
    value = text.strip().lower()
    try:
        seconds = float(value)
    except ValueError:
        parts = _DURATION_PART.findall(value)
        if not parts or "".join(n + u for n, u in parts) != value:
            raise UsageError(f"{flag}={text!r} is not a duration; use e.g. 90s, 10m, 2h") from None
        seconds = sum(float(n) * _UNIT_SECONDS[u] for n, u in parts)
    if seconds <= 0:
        raise UsageError(f"{flag}={text!r} must be longer than zero; use e.g. 90s, 10m, 2h")
    if not math.isfinite(seconds) or seconds > MAX_SECONDS:
        raise UsageError(f"{flag}={text!r} is longer than a year; use e.g. 90s, 10m, 2h")
    return seconds


# The argument types below return plain numbers, never instances of a local class:
# what the parser returns is pickled into worker processes (``fuzz.search.workers``).


def _positive_int(flag: str, lowest: int = 1, highest: int | None = None) -> Callable[[str], int]:
    def positive_int(text: str) -> int:
        try:
            number = int(text)
        except ValueError:
            raise UsageError(f"{flag}={text!r} is not a whole number") from None
        if number < lowest:
            raise UsageError(f"{flag}={text!r} must be at least {lowest}")
        if highest is not None and number > highest:
            raise UsageError(f"{flag}={text!r} must be at most {highest:,}")
        return number

    return positive_int


def _seconds(flag: str) -> Callable[[str], float]:
    def seconds(text: str) -> float:
        return parse_duration(text, flag)

    return seconds


class _Parser(argparse.ArgumentParser):
    """argparse, but every usage error is one line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}")


def _add_targets(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--reference",
        default=defaults.REFERENCE,
        help=f"target spec of the reference side (default: {defaults.REFERENCE})",
    )
    parser.add_argument(
        "--candidate",
        default=defaults.CANDIDATE,
        help=f"target spec of the candidate side (default: {defaults.CANDIDATE})",
    )
    _add_target_options(parser)


def _add_target_options(parser: argparse.ArgumentParser) -> None:
    """How targets are started: --timeout, --isolate, --max-memory."""
    parser.add_argument(
        "--timeout",
        type=_seconds("--timeout"),
        default=defaults.TIMEOUT,
        help="how long one batch (cmd:) or one conversation (py:) may take before it is a hang "
        f"(default: {defaults.TIMEOUT:g}s)",
    )
    parser.add_argument(
        "--isolate",
        action="store_true",
        help="run a py: target in a child process of its own, so a segfault, os._exit, runaway "
        "memory or code deaf to signals is a finding, not the end of the run",
    )
    parser.add_argument(
        "--max-memory",
        type=_memory,
        default=None,
        metavar="SIZE",
        help="memory each process a target runs in may use, e.g. 512M, 2G (cmd: targets and "
        "--isolate'd py: targets; default: no limit)",
    )


def _memory(text: str) -> int:
    from fuzz.engine.processes import parse_memory  # only when the flag is given

    return parse_memory(text, flag="--max-memory")


def _target_options(args: argparse.Namespace) -> TargetOptions:
    from fuzz.engine.targets import TargetOptions

    return TargetOptions(args.timeout, args.isolate, args.max_memory)


def _add_search(parser: argparse.ArgumentParser, *, budget: str | None) -> None:
    parser.add_argument(
        "--budget",
        type=_seconds("--budget"),
        default=None,
        help=f"wall-clock budget, e.g. 90s, 10m, 2h (default: {budget or 'none'}"
        + (" unless --max-examples is given)" if budget else ")"),
    )
    parser.add_argument(
        "--max-examples",
        type=_positive_int("--max-examples"),
        default=None,
        help="number of generated batches to explore (shrinking not counted)",
    )
    parser.add_argument(
        "--seed",
        type=_positive_int("--seed", lowest=0),
        default=None,
        help="campaign seed (default: random, printed at start)",
    )
    parser.add_argument(
        "--batch-size",
        type=_positive_int("--batch-size", highest=MAX_BATCH_SIZE),
        default=defaults.BATCH_SIZE,
        help=f"conversations per example, i.e. per replay process (default: {defaults.BATCH_SIZE})",
    )


def _fraction(flag: str) -> Callable[[str], float]:
    def fraction(text: str) -> float:
        value = text.strip()
        try:
            number = float(value[:-1]) / 100 if value.endswith("%") else float(value)
        except ValueError:
            raise UsageError(f"{flag}={text!r} is not a fraction; use e.g. 20% or 0.2") from None
        if not number > 0 or not math.isfinite(number):
            raise UsageError(f"{flag}={text!r} must be above zero; use e.g. 20% or 0.2")
        return number

    return fraction


def _add_reports(
    parser: argparse.ArgumentParser, *, junit: bool, out_required: bool = False
) -> None:
    parser.add_argument(
        "--out",
        type=Path,
        required=out_required,
        default=None,
        help="folder for diffs.jsonl, metrics.json, summary.md (and drift.json)",
    )
    parser.add_argument(
        "--drift-threshold",
        type=_fraction("--drift-threshold"),
        default=defaults.DRIFT_THRESHOLD,
        help="relative change of the Tier-B/C rate reported as drift (default: 20%%)",
    )
    if junit:
        parser.add_argument(
            "--junit", type=Path, default=None, help="write JUnit XML, one testcase per item"
        )


def _add_gate(parser: argparse.ArgumentParser, *, out_required: bool = False) -> None:
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="print a line for every item, agreeing ones (OK) included",
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help="explain divergent items that carry no explanation (plain conversations, changed "
        "cases), so they group into root causes by what they cannot lose",
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        default=None,
        help="JSON file of accepted Tier-A signatures; they do not fail the run",
    )
    parser.add_argument(
        "--baseline-update",
        action="store_true",
        help="write this run's Tier-A signatures into --baseline (keeping existing reasons)",
    )
    _add_reports(parser, junit=True, out_required=out_required)


#: What ``add_subparsers`` returns: each command's builder adds its parser to it.
_Commands: TypeAlias = "argparse._SubParsersAction[_Parser]"


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="signals-fuzz",
        description="Differential fuzzer for the signals analyzer: reference vs port.",
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for add_command in (
        _add_campaign_command,
        _add_reproduce_command,
        _add_replay_command,
        _add_parity_command,
        _add_demo_command,
        _add_corpus_command,
        _add_coverage_command,
        _add_seeds_command,
    ):
        add_command(commands)
    return parser


def _add_campaign_command(commands: _Commands) -> None:
    campaign = commands.add_parser(
        "campaign", help="search for Tier-A divergences, shrink and save them"
    )
    _add_targets(campaign)
    _add_search(campaign, budget=DEFAULT_BUDGET)
    campaign.add_argument(
        "--corpus", type=Path, default=Path("corpus"), help="case folder (default: corpus)"
    )
    campaign.add_argument(
        "--seeds",
        type=Path,
        default=None,
        help="JSONL of seed chats (input lines) to mutate (e.g. from 'signals-fuzz seeds lmsys')",
    )
    campaign.add_argument(
        "--dictionary",
        type=Path,
        nargs="+",
        default=None,
        metavar="PATH",
        help="source trees or files of a target to harvest trigger phrases and regexes from",
    )
    campaign.add_argument(
        "--shrunk", type=Path, default=Path("shrunk"), help="reproducer folder (default: shrunk)"
    )
    campaign.add_argument(
        "--baseline",
        type=Path,
        default=None,
        help="JSON file of accepted Tier-A signatures: the search skips them and looks for others",
    )
    campaign.add_argument(
        "--workers",
        type=_positive_int("--workers", highest=MAX_WORKERS),
        default=None,
        help="campaign processes sharing the corpus and database (default: the number of "
        "cores; 1 runs in this process)",
    )
    campaign.add_argument(
        "--resume",
        action="store_true",
        help="continue a stopped campaign: bugs with a shrunk case in --corpus are set aside",
    )
    campaign.add_argument(
        "--database",
        default=None,
        metavar="SPEC",
        help="Hypothesis example database: a folder, redis://HOST:PORT/DB, or none "
        "(default: <corpus>/../.signals-fuzz/examples)",
    )
    _add_reports(campaign, junit=False)


def _add_reproduce_command(commands: _Commands) -> None:
    reproduce = commands.add_parser("reproduce", help="rerun one saved case and show both sides")
    reproduce.add_argument("file", type=Path, help="a corpus case file")
    _add_targets(reproduce)


def _add_replay_command(commands: _Commands) -> None:
    replay = commands.add_parser(
        "replay", help="rerun saved cases and JSONL conversations: FIXED / STILL / CHANGED / NEW"
    )
    replay.add_argument(
        "paths", type=Path, nargs="+", help="corpus files, JSONL files of input lines, or folders"
    )
    _add_targets(replay)
    _add_gate(replay)
    replay.add_argument(
        "--prune-fixed",
        action="store_true",
        help="move FIXED case files (and their reproducers) into an archive folder",
    )
    replay.add_argument(
        "--archive",
        type=Path,
        default=None,
        help="where --prune-fixed moves files (default: <corpus>/../corpus-archive)",
    )
    replay.add_argument(
        "--shrunk",
        type=Path,
        default=None,
        help="where --prune-fixed looks for reproducers (default: <corpus>/../shrunk)",
    )


def _add_parity_command(commands: _Commands) -> None:
    parity = commands.add_parser(
        "parity", help="the release gate: every conversation of a seed file through both sides"
    )
    parity.add_argument(
        "--seeds",
        type=Path,
        required=True,
        help="JSONL file of input lines (one conversation each)",
    )
    parity.add_argument(
        "--dataset-revision",
        default=None,
        help="the dataset revision the seed file was sampled at (recorded in metrics.json)",
    )
    parity.add_argument(
        "--seed",
        type=_positive_int("--seed", lowest=0),
        default=None,
        help="the seed the seed file was sampled with (recorded in metrics.json)",
    )
    _add_targets(parity)
    _add_gate(parity, out_required=True)


def _add_demo_command(commands: _Commands) -> None:
    demo = commands.add_parser(
        "demo", help="a short campaign: the example analyzer against a planted-bug variant"
    )
    demo.add_argument(
        "--out",
        type=Path,
        default=None,
        help="where corpus/ and shrunk/ go (default: a new temp dir)",
    )
    demo.add_argument(
        "--variant",
        default=DEMO_VARIANTS,
        help=f"planted bugs of the candidate, comma-separated (default: {DEMO_VARIANTS})",
    )
    _add_search(demo, budget="60s")
    demo.add_argument("--timeout", type=_seconds("--timeout"), default=5.0, help=argparse.SUPPRESS)


def _add_corpus_command(commands: _Commands) -> None:
    corpus = commands.add_parser("corpus", help="manage corpus folders")
    corpus_actions = corpus.add_subparsers(
        dest="action", metavar="{merge,check}", required=True, parser_class=_Parser
    )
    check = corpus_actions.add_parser(
        "check", help="validate every case file against the corpus schema; name each bad one"
    )
    check.add_argument("folders", type=Path, nargs="+", metavar="DIR", help="corpus folders")
    merge = corpus_actions.add_parser(
        "merge", help="merge corpus folders, keeping the smallest case per signature"
    )
    merge.add_argument("sources", type=Path, nargs="+", metavar="DIR", help="corpus folders")
    merge.add_argument("--into", type=Path, required=True, help="the corpus folder to merge into")
    merge.add_argument(
        "--shrunk",
        type=Path,
        default=None,
        help="reproducer folder of --into (default: <into>/../shrunk)",
    )


def _add_coverage_command(commands: _Commands) -> None:
    coverage = commands.add_parser(
        "coverage", help="how often generated conversations make one target fire each signal"
    )
    coverage.add_argument("--target", required=True, help="target spec, py:... or cmd:...")
    coverage.add_argument(
        "-n",
        type=_positive_int("-n", highest=MAX_CONVERSATIONS),
        default=2000,
        help="number of conversations (default: 2000)",
    )
    coverage.add_argument(
        "--seed",
        type=_positive_int("--seed", lowest=0),
        default=None,
        help="generation seed (default: random, printed)",
    )
    coverage.add_argument("--json", action="store_true", help="print JSON instead of a table")
    coverage.add_argument(
        "--dictionary",
        type=Path,
        nargs="+",
        default=None,
        metavar="PATH",
        help="source trees or files to harvest from, as campaign --dictionary; also report "
        "which harvested patterns (and alternatives) the conversations reached",
    )
    _add_target_options(coverage)


def _add_seeds_command(commands: _Commands) -> None:
    seeds = commands.add_parser("seeds", help="make seed-chat files for seeded strategies")
    seed_sources = seeds.add_subparsers(
        dest="source", metavar="{lmsys}", required=True, parser_class=_Parser
    )
    lmsys = seed_sources.add_parser(
        "lmsys", help="a reproducible lmsys-chat-1m sample, converted to ShareGPT"
    )
    lmsys.add_argument(
        "--num-samples",
        type=_positive_int("--num-samples", highest=MAX_CONVERSATIONS),
        required=True,
        help="chats to sample",
    )
    lmsys.add_argument(
        "--seed", type=_positive_int("--seed", lowest=0), required=True, help="sampling seed"
    )
    lmsys.add_argument(
        "--dataset-revision", required=True, help="dataset revision (commit sha or tag) to pin"
    )
    lmsys.add_argument("--out", type=Path, required=True, help="the .jsonl file to write")
    lmsys.add_argument(
        "--dataset",
        default="lmsys/lmsys-chat-1m",
        help="Hugging Face dataset id (default: lmsys/lmsys-chat-1m)",
    )
    lmsys.add_argument(
        "--data-files",
        default=None,
        help="local parquet file(s) with the lmsys columns, instead of the Hub dataset",
    )


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        args = build_parser().parse_args(args_list)
        handler = {
            "campaign": _campaign,
            "reproduce": _reproduce,
            "replay": _replay,
            "parity": _parity,
            "demo": _demo,
            "coverage": _coverage,
            "seeds": _seeds,
            "corpus": _corpus,
        }[args.command]
        return handler(args, args_list)
    except UsageError as exc:
        print(f"signals-fuzz: error: {exc}", file=sys.stderr)
        return EXIT_USAGE


# ----------------------------------------------------------------- campaign --


def _rerun_command(command: str, args_list: Sequence[str], seed: int) -> str:
    """The command line that repeats this run: the same words, with the seed pinned."""
    words: list[str] = []
    skip = False
    for word in args_list[1:]:
        if skip:
            skip = False
        elif word == "--seed":
            skip = True
        elif not word.startswith("--seed="):
            words.append(word)
    return shlex.join(["signals-fuzz", command, *words, "--seed", str(seed)])


def run_campaign_command(options: CampaignOptions) -> int:
    """Run a campaign with the progress line on stderr; print where its finds are kept."""
    from fuzz.search.run import run_campaign
    from fuzz.search.sinks import ProgressLine

    outcome = run_campaign(options, ProgressLine())
    if outcome.patterns is not None:
        _print_pattern_summary(outcome.patterns)
    rows = outcome.crosslang
    counts = ", ".join(f"{slug} {n:,}" for slug, n in sorted(rows.counts.items()))
    print(f"signals-fuzz: {rows.summary()}: {counts or 'none'}", file=sys.stderr)
    _print_root_causes(outcome)
    if outcome.storage_failure is not None:
        print(
            f"signals-fuzz: error: {outcome.storage_failure}; the campaign stopped, and every "
            "file written before is whole",
            file=sys.stderr,
        )
    for crash in outcome.crashes:
        print(f"signals-fuzz: {crash.rstrip()}", file=sys.stderr)
    return outcome.exit_code


def _print_root_causes(outcome: CampaignOutcome) -> None:
    """Root causes first: each with why, its representative, and every signature's case."""
    causes = outcome.root_causes
    if not causes:
        return
    files = {saved.signature: saved for saved in outcome.saved}
    print(f"{len(causes)} root cause(s) behind {len(outcome.saved)} signature(s):")
    for number, cause in enumerate(causes, start=1):
        verdict = " (accepted by the baseline)" if cause.accepted else ""
        print(f"\n[{number}] {cause.id}{verdict}\n  why: {cause.cause.explanation}")
        print(f"  representative: {cause.representative}")
        representative = files.get(cause.cause.representative.signature)
        if representative is not None:
            print(f"  reproducer:     {representative.reproducer}")
        print(f"  signatures ({len(cause.signatures)}):")
        for signature in cause.signatures:
            saved = files.get(signature)
            print(f"    {signature}" + (f"\n      case: {saved.case}" if saved else ""))


def _pin_workers(command: str, args_list: Sequence[str], workers: int) -> str:
    """The rerun command names the worker count: each worker's seed and share depend on it."""
    if any(word == "--workers" or word.startswith("--workers=") for word in args_list):
        return command
    return f"{command} --workers {workers}"


#: Never-reached patterns listed after a campaign; the rest are counted.
_NEVER_REACHED_SHOWN = 10


def _print_pattern_summary(coverage: PatternCoverage) -> None:
    """The campaign's "patterns reached N/M" line, and some patterns it never reached."""
    print(f"signals-fuzz: {coverage.summary()}", file=sys.stderr)
    never = [
        p for p, flags in zip(coverage.patterns, coverage.reached, strict=True) if not any(flags)
    ]
    for pattern in never[:_NEVER_REACHED_SHOWN]:
        print(f"  never reached: {pattern.literal!r} ({pattern.origin})", file=sys.stderr)
    if len(never) > _NEVER_REACHED_SHOWN:
        print(
            f"  ... and {len(never) - _NEVER_REACHED_SHOWN} more "
            "(signals-fuzz coverage --dictionary lists them all)",
            file=sys.stderr,
        )


def _campaign(args: argparse.Namespace, args_list: Sequence[str]) -> int:
    from fuzz.search.options import CampaignOptions

    seed = args.seed if args.seed is not None else secrets.randbits(32)
    budget = args.budget
    if budget is None and args.max_examples is None:
        budget = parse_duration(DEFAULT_BUDGET)
    workers = args.workers if args.workers is not None else (os.cpu_count() or 1)
    options = CampaignOptions(
        reference=args.reference,
        candidate=args.candidate,
        seed=seed,
        timeout=args.timeout,
        budget=budget,
        max_examples=args.max_examples,
        batch_size=args.batch_size,
        corpus=args.corpus,
        shrunk=args.shrunk,
        command=_pin_workers(_rerun_command("campaign", args_list, seed), args_list, workers),
        baseline=args.baseline,
        out=args.out,
        drift_threshold=args.drift_threshold,
        seeds=args.seeds,
        dictionary=args.dictionary or (),
        workers=workers,
        resume=args.resume,
        database=args.database,
        isolate=args.isolate,
        max_memory=args.max_memory,
    )
    return run_campaign_command(options)


def _demo(args: argparse.Namespace, args_list: Sequence[str]) -> int:
    from fuzz.examples.variants import SHOWS_AS, VARIANTS, variant_names
    from fuzz.search.options import CampaignOptions

    unknown = [name for name in args.variant.split(",") if name and name not in VARIANTS]
    if unknown:
        raise UsageError(
            f"--variant={args.variant!r}: unknown variant {unknown[0]!r}; "
            f"choose from {', '.join(sorted(VARIANTS))}"
        )
    out = args.out if args.out is not None else Path(tempfile.mkdtemp(prefix="signals-fuzz-demo-"))
    seed = args.seed if args.seed is not None else 0
    budget = args.budget
    if budget is None and args.max_examples is None:
        budget = 60.0
    candidate = (
        f"cmd:{shlex.quote(sys.executable)} -m fuzz.examples.replay --variant {args.variant}"
    )
    print(
        "signals-fuzz demo: the example analyzer (py:) against itself with planted bugs "
        f"[{args.variant}] (cmd:)",
        file=sys.stderr,
    )
    options = CampaignOptions(
        reference=EXAMPLE_REFERENCE,
        candidate=candidate,
        seed=seed,
        timeout=args.timeout,
        budget=budget,
        max_examples=args.max_examples,
        batch_size=args.batch_size,
        corpus=out / "corpus",
        shrunk=out / "shrunk",
        command=_rerun_command("demo", args_list, seed),
        # Stop as soon as every planted bug is found and shrunk, budget or not.
        stop_when=tuple(SHOWS_AS[name] for name in variant_names(args.variant) if name in SHOWS_AS),
    )
    code = run_campaign_command(options)
    print(f"\nReproducers (Markdown, ready to file): {out / 'shrunk'}")
    print(f"Corpus cases (JSON, replayable):       {out / 'corpus'}")
    print(
        f"Replay them: signals-fuzz replay {shlex.quote(str(out / 'corpus'))} "
        f"--reference {EXAMPLE_REFERENCE} --candidate {shlex.quote(candidate)}"
    )
    return EXIT_OK if code == EXIT_DIVERGED else EXIT_DIVERGED


# ---------------------------------------------------------------- reproduce --


def _reproduce(args: argparse.Namespace, args_list: Sequence[str]) -> int:
    from fuzz.gate.corpus import load_case
    from fuzz.gate.replay import Status, replay_cases
    from fuzz.gate.reproducers import tier_a_table

    if not args.file.is_file():
        raise UsageError(f"{str(args.file)!r} is not a corpus case file")
    case = load_case(args.file)
    targets = _target_options(args)
    reference, candidate = targets.parse(args.reference), targets.parse(args.candidate)
    (result,) = replay_cases(reference, candidate, [(args.file, case)])
    print(f"case:      {args.file}")
    print(f"saved as:  {case.signature}")
    print(tier_a_table(result.reference, result.candidate))
    if result.status is Status.FIXED:
        print("FIXED: the two sides now agree at Tier A")
        return EXIT_OK
    assert result.comparison.tier_a is not None
    print(f"{result.status.value}: {result.comparison.tier_a.label}")
    return EXIT_DIVERGED


# ------------------------------------------------------------------- replay --


def _gate_options(
    args: argparse.Namespace,
    args_list: Sequence[str],
    mode: str,
    *,
    dataset_revision: str | None = None,
) -> GateOptions:
    from fuzz.gate.release import GateOptions

    return GateOptions(
        reference=args.reference,
        candidate=args.candidate,
        mode=mode,
        timeout=args.timeout,
        baseline=args.baseline,
        baseline_update=args.baseline_update,
        out=args.out,
        junit=args.junit,
        prune_fixed=getattr(args, "prune_fixed", False),
        archive=getattr(args, "archive", None),
        shrunk=getattr(args, "shrunk", None),
        drift_threshold=args.drift_threshold,
        command=shlex.join(["signals-fuzz", *args_list]),
        seed_file=str(args.seeds) if mode == "parity" else None,
        dataset_revision=dataset_revision,
        seed=getattr(args, "seed", None) if mode == "parity" else None,
        verbose=args.verbose,
        explain=args.explain,
        isolate=args.isolate,
        max_memory=args.max_memory,
    )


def _replay(args: argparse.Namespace, args_list: Sequence[str]) -> int:
    from fuzz.gate.release import check, run_gate
    from fuzz.gate.replay import load_items

    options = _gate_options(args, args_list, "replay")
    baseline = check(options)
    items, skipped = load_items(args.paths)
    _print_skipped(skipped)
    return run_gate(options, items, baseline=baseline)


# ------------------------------------------------------------------- parity --


def _parity(args: argparse.Namespace, args_list: Sequence[str]) -> int:
    from fuzz.gate.release import check, run_gate
    from fuzz.gate.replay import read_seed_items

    if not args.seeds.is_file():
        raise UsageError(
            f"--seeds={str(args.seeds)!r} is not a file; use a .jsonl file of input lines"
        )
    items = read_seed_items(args.seeds)
    options = _gate_options(args, args_list, "parity", dataset_revision=args.dataset_revision)
    baseline = check(options)
    return run_gate(options, items, baseline=baseline)


# ------------------------------------------------------------------- corpus --


def _print_skipped(skipped: Sequence[CaseCheck]) -> None:
    """One line per corpus file that is not a valid case: named, skipped, left as it is."""
    from fuzz.search.events import CorpusFileSkipped

    for checked in skipped:
        print(CorpusFileSkipped(str(checked.path), checked.problem or "").line, file=sys.stderr)


def _corpus(args: argparse.Namespace, args_list: Sequence[str]) -> int:
    if args.action == "check":
        return _corpus_check(args.folders)
    return _corpus_merge(args)


def _corpus_check(folders: Sequence[Path]) -> int:
    """``corpus check``: every file of the folders against the corpus schema; 1 if any is bad."""
    from fuzz.gate.corpus import check_case_file, iter_case_files, leftovers

    for folder in folders:
        if not folder.is_dir():
            raise UsageError(f"corpus check: {str(folder)!r} is not a corpus folder")
    checks = [check_case_file(path) for path in iter_case_files(folders)]
    bad = [checked for checked in checks if checked.case is None]
    for checked in bad:
        print(f"BAD  {checked.path}: it {checked.problem}")
    stale = [path for folder in folders for path in leftovers(folder)]
    for path in stale:
        print(f"LEFT {path}: left by an interrupted write (not a case; safe to delete)")
    print(
        f"corpus check: {len(checks)} case file(s), {len(checks) - len(bad)} valid, {len(bad)} bad"
        + (f", {len(stale)} leftover temporary file(s)" if stale else "")
    )
    return EXIT_DIVERGED if bad else EXIT_OK


def _corpus_merge(args: argparse.Namespace) -> int:
    from fuzz.files import ensure_writable_dir
    from fuzz.gate.corpus import Corpus, check_source_dirs, merge_corpora
    from fuzz.gate.reproducers import render_reproducer

    check_source_dirs(args.sources)  # before --into is created
    into = ensure_writable_dir(args.into, "--into")
    shrunk = args.shrunk if args.shrunk is not None else args.into.parent / "shrunk"
    target = Corpus.open(into, shrunk, render_reproducer)
    _print_skipped(target.skipped)
    result = merge_corpora(args.sources, target)
    _print_skipped(result.skipped)
    for entry in result.entries:
        size = f"{len(entry.case.conversation)} message(s)"
        if entry.action == "added":
            print(f"added:    {entry.signature} ({size}, from {entry.source})")
        elif entry.action == "replaced":
            assert entry.previous is not None
            before = len(entry.previous.conversation)
            print(f"replaced: {entry.signature} ({before} -> {size}, from {entry.source})")
        else:
            print(f"kept:     {entry.signature} ({size}, already the smallest)")
    print(
        f"corpus merge: {result.files_read} case file(s) from {len(args.sources)} folder(s) "
        f"into {into}: {result.count('added')} added, {result.count('replaced')} replaced, "
        f"{result.count('kept')} kept, {result.duplicates} duplicate(s)"
    )
    return EXIT_OK


# ----------------------------------------------------------------- coverage --


def _coverage(args: argparse.Namespace, args_list: Sequence[str]) -> int:
    import json

    from fuzz.search.coverage import generate_conversations, measure_coverage
    from fuzz.search.crosslang_coverage import CrossLangTracker
    from fuzz.search.harvest import harvest
    from fuzz.search.inputs import campaign_conversations
    from fuzz.search.patterns import PatternTracker

    harvested = harvest(args.dictionary) if args.dictionary else None
    target = _target_options(args).parse(args.target)
    seed = args.seed if args.seed is not None else secrets.randbits(32)
    print(f"rerun: {_rerun_command('coverage', args_list, seed)}", file=sys.stderr)
    # What a campaign's batches hold: conversations up to just past the window,
    # and with --dictionary, conversations built from what was harvested.
    strategy = campaign_conversations(dictionary=harvested if harvested is not None else ())
    drawn = generate_conversations(args.n, seed, strategy)
    result = measure_coverage(target, drawn)
    crosslang = CrossLangTracker()
    for conversation in drawn:
        crosslang.observe(conversation)
    patterns = None
    if harvested is not None:
        tracker = PatternTracker(harvested)
        for conversation in drawn:
            tracker.observe(conversation)
        patterns = tracker.coverage()
    if args.json:
        out = result.to_json(seed, target.identity)
        out["crosslang"] = crosslang.coverage().to_json()
        if patterns is not None:
            out["patterns"] = patterns.to_json()
        print(json.dumps(out, indent=2, ensure_ascii=False))
    else:
        print(result.table())
        print()
        print(crosslang.coverage().table())
        if patterns is not None:
            print()
            print(patterns.table())
    return EXIT_OK


# -------------------------------------------------------------------- seeds --


def _seeds(args: argparse.Namespace, args_list: Sequence[str]) -> int:
    from fuzz.gate.seed_files import check_out_file, load_lmsys, write_seed_file

    check_out_file(args.out)
    records = load_lmsys(
        num_samples=args.num_samples,
        seed=args.seed,
        revision=args.dataset_revision,
        dataset=args.dataset,
        data_files=args.data_files,
    )
    write_seed_file(args.out, records)
    source = args.data_files or args.dataset
    print(
        f"wrote {len(records)} chats to {args.out} "
        f"({source} at revision {args.dataset_revision}, seed {args.seed})"
    )
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
