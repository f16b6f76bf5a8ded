"""The ``signals-fuzz`` command: parse, validate, then import the engine lazily.

Usage errors are one line on stderr and exit code 2; a campaign or replay
exits 1 when a Tier-A divergence is found or remains, 0 otherwise, and a
campaign whose worker process crashed exits 3.
"""

from __future__ import annotations

import argparse
import datetime
import os
import re
import secrets
import shlex
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from fuzz.errors import UsageError

#: ``fuzz.search.inputs.DEFAULT_BATCH_SIZE``, repeated so that parsing the
#: command line does not import Hypothesis (a test keeps the two equal).
BATCH_SIZE = 16

if TYPE_CHECKING:
    from fuzz.gate.corpus import Corpus
    from fuzz.gate.release import GateOptions
    from fuzz.search.patterns import PatternCoverage

DEFAULT_REFERENCE = "py:signals.analyzer:SignalAnalyzer"
DEFAULT_CANDIDATE = "cmd:signals_replay"
DEFAULT_BUDGET = "5m"
EXAMPLE_REFERENCE = "py:fuzz.examples.analyzer:ExampleAnalyzer"
DEMO_VARIANTS = "missing_trigger,narrow_timeout,retry_off_by_one"

EXIT_OK, EXIT_DIVERGED, EXIT_USAGE, EXIT_WORKER_CRASHED = 0, 1, 2, 3

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
    return seconds


# The argument types below return plain numbers, never instances of a local class:
# what the parser returns is pickled into worker processes (``fuzz.search.workers``).


def _positive_int(flag: str, lowest: int = 1) -> Callable[[str], int]:
    def positive_int(text: str) -> int:
        try:
            number = int(text)
        except ValueError:
            raise UsageError(f"{flag}={text!r} is not a whole number") from None
        if number < lowest:
            raise UsageError(f"{flag}={text!r} must be at least {lowest}")
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


def _add_targets(parser: argparse.ArgumentParser, *, required: bool = False) -> None:
    parser.add_argument(
        "--reference",
        default=DEFAULT_REFERENCE,
        help=f"target spec of the reference side (default: {DEFAULT_REFERENCE})",
    )
    parser.add_argument(
        "--candidate",
        default=DEFAULT_CANDIDATE,
        help=f"target spec of the candidate side (default: {DEFAULT_CANDIDATE})",
    )
    parser.add_argument(
        "--timeout",
        type=_seconds("--timeout"),
        default=10.0,
        help="how long one batch (cmd:) or one conversation (py:) may take before it is a hang "
        "(default: 10s)",
    )


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
        type=_positive_int("--batch-size"),
        default=BATCH_SIZE,
        help=f"conversations per example, i.e. per replay process (default: {BATCH_SIZE})",
    )


def _fraction(flag: str) -> Callable[[str], float]:
    def fraction(text: str) -> float:
        value = text.strip()
        try:
            number = float(value[:-1]) / 100 if value.endswith("%") else float(value)
        except ValueError:
            raise UsageError(f"{flag}={text!r} is not a fraction; use e.g. 20% or 0.2") from None
        if not number > 0:
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
        default=0.2,
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


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="signals-fuzz",
        description="Differential fuzzer for the signals analyzer: reference vs port.",
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

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
        help="replay-shaped JSONL of seed chats to mutate (e.g. from 'signals-fuzz seeds lmsys')",
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
        type=_positive_int("--workers"),
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

    reproduce = commands.add_parser("reproduce", help="rerun one saved case and show both sides")
    reproduce.add_argument("file", type=Path, help="a corpus case file")
    _add_targets(reproduce)

    replay = commands.add_parser(
        "replay", help="rerun saved cases and JSONL conversations: FIXED / STILL / CHANGED / NEW"
    )
    replay.add_argument(
        "paths", type=Path, nargs="+", help="corpus files, replay-shaped .jsonl files, or folders"
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

    parity = commands.add_parser(
        "parity", help="the release gate: every conversation of a seed file through both sides"
    )
    parity.add_argument(
        "--seeds", type=Path, required=True, help="replay-shaped JSONL file of conversations"
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

    corpus = commands.add_parser("corpus", help="manage corpus folders")
    corpus_actions = corpus.add_subparsers(
        dest="action", metavar="{merge}", required=True, parser_class=_Parser
    )
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

    coverage = commands.add_parser(
        "coverage", help="how often generated conversations make one target fire each signal"
    )
    coverage.add_argument("--target", required=True, help="target spec, py:... or cmd:...")
    coverage.add_argument(
        "-n",
        type=_positive_int("-n"),
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
    coverage.add_argument(
        "--timeout",
        type=_seconds("--timeout"),
        default=10.0,
        help="how long one batch (cmd:) or one conversation (py:) may take (default: 10s)",
    )

    seeds = commands.add_parser("seeds", help="make seed-chat files for seeded strategies")
    seed_sources = seeds.add_subparsers(
        dest="source", metavar="{lmsys}", required=True, parser_class=_Parser
    )
    lmsys = seed_sources.add_parser(
        "lmsys", help="a reproducible lmsys-chat-1m sample, converted to ShareGPT"
    )
    lmsys.add_argument(
        "--num-samples", type=_positive_int("--num-samples"), required=True, help="chats to sample"
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
    return parser


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


def run_campaign(
    reference_spec: str,
    candidate_spec: str,
    *,
    timeout: float,
    seed: int,
    budget: float | None,
    max_examples: int | None,
    batch_size: int,
    corpus_dir: Path,
    shrunk_dir: Path,
    command: str,
    baseline: Path | None = None,
    out_dir: Path | None = None,
    drift_threshold: float = 0.2,
    seeds: Path | None = None,
    dictionary: Sequence[Path] = (),
    stop_when: tuple[str, ...] = (),
    workers: int = 1,
    resume: bool = False,
    database: str | None = "none",
) -> int:
    """Build everything a campaign needs, validating it all before the first example.

    ``database`` is a ``--database`` spec; None means the default folder beside
    the corpus. ``workers`` above 1 runs ``fuzz.search.workers``; 1 runs in
    this process.
    """
    import functools

    from fuzz.engine.targets import parse_target
    from fuzz.gate.baseline import load_optional
    from fuzz.gate.corpus import Corpus, ensure_writable_dir
    from fuzz.gate.parity import ReportSink
    from fuzz.gate.reports import render_reproducer
    from fuzz.gate.seeds import harvest_dictionary, read_seed_file
    from fuzz.search.campaign import Campaign, CampaignSettings
    from fuzz.search.database import open_database, resolve_database_spec
    from fuzz.search.events import CampaignFinished
    from fuzz.search.inputs import campaign_conversations
    from fuzz.search.patterns import PatternTracker
    from fuzz.search.sinks import CorpusRecorder, ProgressLine, fan_out

    set_aside = load_optional(baseline).accepted(datetime.date.today())
    if out_dir is not None:
        ensure_writable_dir(out_dir, "--out")
    reference = parse_target(reference_spec, timeout=timeout)
    candidate = parse_target(candidate_spec, timeout=timeout)
    harvested = harvest_dictionary(dictionary) if dictionary else None
    make_conversations = functools.partial(  # workers get this partial pickled
        campaign_conversations,
        seed_chats=tuple(read_seed_file(seeds)) if seeds is not None else (),
        dictionary=harvested if harvested is not None else (),
    )
    corpus = Corpus.open(corpus_dir, shrunk_dir, render_reproducer)
    resumed = _resumed_signatures(corpus, corpus_dir) if resume else frozenset()
    default_database = (corpus_dir.parent / ".signals-fuzz" / "examples").absolute()
    example_database = open_database(database, default_dir=default_database)
    settings = CampaignSettings(
        seed=seed,
        max_examples=max_examples,
        budget=budget,
        batch_size=batch_size,
        set_aside=set_aside | resumed,
        command=command,
        stop_when=stop_when,
        database=example_database,
        database_key=_database_key(batch_size, seeds, harvested),
    )
    reports = ReportSink(accepted=set_aside)
    patterns = PatternTracker(harvested) if harvested is not None else None
    sink = fan_out(
        CorpusRecorder(corpus), reports, ProgressLine(), *([patterns] if patterns else [])
    )
    crashes: Sequence[str] = ()
    finished: CampaignFinished
    if max_examples is not None:
        workers = min(workers, max_examples)  # a worker draws at least one example
    if workers > 1:
        from fuzz.search.workers import WorkerPlan, run_workers, worker_seed

        plan = WorkerPlan(
            reference=reference_spec,
            candidate=candidate_spec,
            timeout=timeout,
            seed=seed,
            strategy=make_conversations,
            max_examples=max_examples,
            budget=budget,
            batch_size=batch_size,
            set_aside=settings.set_aside,
            accepted=set_aside,
            command=command,
            database=resolve_database_spec(database, default_dir=default_database),
            database_key=settings.database_key,
            dictionary=harvested,
        )
        seeds_text = ", ".join(str(worker_seed(seed, index)) for index in range(workers))
        print(f"signals-fuzz: {workers} worker processes, seeds {seeds_text}", file=sys.stderr)
        result = run_workers(
            plan, workers, sink, reference=reference.identity, candidate=candidate.identity
        )
        finished = result.finished
        for done in result.done:
            reports.merge(done.metrics, done.tier_b_examples)
            if patterns is not None:
                patterns.merge_hits(done.pattern_hits, done.pattern_conversations)
        crashes = [crash.describe() + "\n" + crash.error for crash in result.crashed]
    else:
        from fuzz.search.stopping import check_stop, stopping_on_ctrl_c

        conversations = make_conversations()
        campaign = Campaign(
            reference, candidate, settings, fan_out(sink, check_stop), conversations=conversations
        )
        with stopping_on_ctrl_c():
            finished = campaign.run()
    if patterns is not None:
        _print_pattern_summary(patterns.coverage())
    if out_dir is not None:
        from fuzz.gate.parity import write_campaign_reports

        write_campaign_reports(
            out_dir, reports, finished, reference, candidate, baseline, drift_threshold
        )
    for signature in finished.signatures:
        path = corpus.path_of(signature)
        case = corpus.get(signature)
        if path is not None and case is not None:
            print(
                f"{signature}\n  case:       {path}\n  reproducer: {corpus.reproducer_path(case)}"
            )
    for crash in crashes:
        print(f"signals-fuzz: {crash.rstrip()}", file=sys.stderr)
    if crashes:
        return EXIT_WORKER_CRASHED
    return EXIT_DIVERGED if finished.signatures or resumed else EXIT_OK


def _database_key(batch_size: int, seeds: Path | None, harvested: object) -> bytes:
    """The example database key of what this campaign draws.

    Choice sequences only mean something to the strategy that made them, so
    campaigns share a key exactly when they draw alike: same fuzzer version,
    batch size, seed file contents and harvested dictionary.
    """
    import hashlib

    import fuzz

    digest = hashlib.sha256(f"{fuzz.__version__}|{int(batch_size)}".encode())
    if seeds is not None:
        digest.update(seeds.read_bytes())
    if harvested is not None:
        digest.update(repr(harvested).encode("utf-8", "backslashreplace"))
    return b"signals-fuzz.campaign." + digest.hexdigest()[:16].encode()


def _resumed_signatures(corpus: Corpus, corpus_dir: Path) -> frozenset[str]:
    """``--resume``: the bugs whose case in the corpus is shrunk, set aside from the start."""
    cases = corpus.cases()
    done = frozenset(case.signature for case in cases if case.shrunk)
    unfinished = len(cases) - len(done)
    later = f"; {unfinished} unshrunk case(s) will be shrunk when found again" if unfinished else ""
    print(
        f"signals-fuzz: resume: {len(done)} known bug(s) set aside (shrunk in {corpus_dir}){later}",
        file=sys.stderr,
    )
    return done


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
    seed = args.seed if args.seed is not None else secrets.randbits(32)
    budget = args.budget
    if budget is None and args.max_examples is None:
        budget = parse_duration(DEFAULT_BUDGET)
    workers = args.workers if args.workers is not None else (os.cpu_count() or 1)
    return run_campaign(
        args.reference,
        args.candidate,
        timeout=args.timeout,
        seed=seed,
        budget=budget,
        max_examples=args.max_examples,
        batch_size=args.batch_size,
        corpus_dir=args.corpus,
        shrunk_dir=args.shrunk,
        command=_pin_workers(_rerun_command("campaign", args_list, seed), args_list, workers),
        baseline=args.baseline,
        out_dir=args.out,
        drift_threshold=args.drift_threshold,
        seeds=args.seeds,
        dictionary=args.dictionary or (),
        workers=workers,
        resume=args.resume,
        database=args.database,
    )


def _demo(args: argparse.Namespace, args_list: Sequence[str]) -> int:
    from fuzz.examples.variants import SHOWS_AS, VARIANTS, variant_names

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
    code = run_campaign(
        EXAMPLE_REFERENCE,
        candidate,
        timeout=args.timeout,
        seed=seed,
        budget=budget,
        max_examples=args.max_examples,
        batch_size=args.batch_size,
        corpus_dir=out / "corpus",
        shrunk_dir=out / "shrunk",
        command=_rerun_command("demo", args_list, seed),
        # Stop as soon as every planted bug is found and shrunk, budget or not.
        stop_when=tuple(SHOWS_AS[name] for name in variant_names(args.variant) if name in SHOWS_AS),
    )
    print(f"\nReproducers (Markdown, ready to file): {out / 'shrunk'}")
    print(f"Corpus cases (JSON, replayable):       {out / 'corpus'}")
    print(
        f"Replay them: signals-fuzz replay {shlex.quote(str(out / 'corpus'))} "
        f"--reference {EXAMPLE_REFERENCE} --candidate {shlex.quote(candidate)}"
    )
    return EXIT_OK if code == EXIT_DIVERGED else EXIT_DIVERGED


# ---------------------------------------------------------------- reproduce --


def _reproduce(args: argparse.Namespace, args_list: Sequence[str]) -> int:
    from fuzz.engine.targets import parse_target
    from fuzz.gate.corpus import load_case
    from fuzz.gate.replay import Status, replay_cases
    from fuzz.gate.reports import tier_a_table

    if not args.file.is_file():
        raise UsageError(f"{str(args.file)!r} is not a corpus case file")
    case = load_case(args.file)
    reference = parse_target(args.reference, timeout=args.timeout)
    candidate = parse_target(args.candidate, timeout=args.timeout)
    (result,) = replay_cases(reference, candidate, [(args.file, case)])
    print(f"case:      {args.file}")
    print(f"saved as:  {case.signature}")
    print(tier_a_table(result.reference, result.candidate))
    if result.status is Status.FIXED:
        print("FIXED: the two sides now agree at Tier A")
        return EXIT_OK
    assert result.comparison.tier_a is not None
    print(f"{result.status.value}: {result.comparison.tier_a.signature}")
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
    )


def _replay(args: argparse.Namespace, args_list: Sequence[str]) -> int:
    from fuzz.gate.release import check, run_gate
    from fuzz.gate.replay import load_items

    options = _gate_options(args, args_list, "replay")
    baseline = check(options)
    return run_gate(options, load_items(args.paths), baseline=baseline)


# ------------------------------------------------------------------- parity --


def _parity(args: argparse.Namespace, args_list: Sequence[str]) -> int:
    from fuzz.gate.release import check, run_gate
    from fuzz.gate.replay import read_seed_items

    if not args.seeds.is_file():
        raise UsageError(f"--seeds={str(args.seeds)!r} is not a file; use a replay-shaped .jsonl")
    items = read_seed_items(args.seeds)
    options = _gate_options(args, args_list, "parity", dataset_revision=args.dataset_revision)
    baseline = check(options)
    return run_gate(options, items, baseline=baseline)


# ------------------------------------------------------------------- corpus --


def _corpus(args: argparse.Namespace, args_list: Sequence[str]) -> int:
    from fuzz.gate.corpus import Corpus, check_source_dirs, ensure_writable_dir, merge_corpora
    from fuzz.gate.reports import render_reproducer

    check_source_dirs(args.sources)  # before --into is created
    into = ensure_writable_dir(args.into, "--into")
    shrunk = args.shrunk if args.shrunk is not None else args.into.parent / "shrunk"
    result = merge_corpora(args.sources, Corpus.open(into, shrunk, render_reproducer))
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

    from fuzz.engine.targets import parse_target
    from fuzz.gate.seeds import harvest_dictionary
    from fuzz.search.coverage import generate_conversations, measure_coverage
    from fuzz.search.crosslang_coverage import CrossLangTracker
    from fuzz.search.inputs import campaign_conversations
    from fuzz.search.patterns import PatternTracker

    harvested = harvest_dictionary(args.dictionary) if args.dictionary else None
    target = parse_target(args.target, timeout=args.timeout)
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
    from fuzz.gate.seeds import load_lmsys, write_seed_file

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
