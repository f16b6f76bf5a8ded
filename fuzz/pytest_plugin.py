"""pytest plugin: every saved corpus case is a test item.

PYTEST_DONT_REWRITE (this module is a plugin of any test run in an
environment where signals-fuzz is installed; it has no asserts to rewrite).

Installed through the ``pytest11`` entry point, it does nothing unless
``--signals-corpus PATH`` is given: then each case file under PATH becomes
an item (its id is the file stem) that fails, showing the case's Markdown
reproducer, when the two targets diverge on it at Tier A outside the
baseline. The cases are analysed together, in as few processes per target
as a replay uses, when the first of them runs; a case that is FIXED, or
whose divergence the baseline accepts, passes.

::

    pytest --signals-corpus corpus \\
        --signals-reference py:signals.analyzer:SignalAnalyzer \\
        --signals-candidate cmd:./target/release/signals_replay \\
        --signals-baseline signals-baseline.json
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from fuzz import defaults

if TYPE_CHECKING:
    from fuzz.engine.outcomes import Target
    from fuzz.gate.baseline import Baseline
    from fuzz.gate.replay import ReplayItem, ReplayResult

_STATE_KEY = pytest.StashKey["_CorpusRun"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("signals-fuzz", "signals-fuzz corpus cases as test items")
    group.addoption(
        "--signals-corpus",
        action="append",
        default=None,
        metavar="PATH",
        help="corpus folder or case file; each case becomes a test item (repeatable)",
    )
    group.addoption(
        "--signals-reference",
        default=defaults.REFERENCE,
        metavar="SPEC",
        help=f"target spec of the reference side (default: {defaults.REFERENCE})",
    )
    group.addoption(
        "--signals-candidate",
        default=defaults.CANDIDATE,
        metavar="SPEC",
        help=f"target spec of the candidate side (default: {defaults.CANDIDATE})",
    )
    group.addoption(
        "--signals-baseline",
        default=None,
        metavar="FILE",
        help="JSON file of accepted Tier-A signatures; their cases pass",
    )


class _CorpusRun:
    """The targets, the baseline, and the results of the one batched replay."""

    def __init__(self, reference: Target, candidate: Target, baseline: Baseline) -> None:
        self.reference = reference
        self.candidate = candidate
        self.baseline = baseline
        self.today = datetime.date.today()
        self.results: dict[str, ReplayResult] | None = None
        #: Signatures the baseline accepts, itself or through a root cause of these cases.
        self.accepted: frozenset[str] = frozenset()

    def result_for(self, item: CaseItem) -> ReplayResult:
        """Replay every case item still selected, at once, the first time one asks."""
        if self.results is None:
            from fuzz.gate.replay import replay_items
            from fuzz.gate.root_causes import accepted_by, causes_of_results

            selected = [i for i in item.session.items if isinstance(i, CaseItem)]
            results = replay_items(
                self.reference, self.candidate, [i.replay_item for i in selected]
            )
            self.results = {i.nodeid: r for i, r in zip(selected, results, strict=True)}
            # Only an accepted root cause can accept more than the entries do: without any,
            # grouping the results (it derives the cross-language table) would be wasted.
            causes = (
                causes_of_results(results, baseline=self.baseline, today=self.today)
                if self.baseline.causes
                else ()
            )
            self.accepted = accepted_by(self.baseline, causes, self.today)
        return self.results[item.nodeid]

    def accepts(self, result: ReplayResult) -> bool:
        """Whether every signature of a divergence is accepted (by itself or its root cause)."""
        from fuzz.gate.root_causes import all_accepted

        return all_accepted(result.signatures, self.accepted)


class SignalsDivergence(Exception):
    """A case still diverges at Tier A outside the baseline; carries the reproducer."""


class CorpusCollector(pytest.Collector):
    """The ``--signals-corpus`` paths; collects one ``CaseItem`` per case file."""

    def __init__(self, *, paths: list[Path], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.paths = paths

    def collect(self) -> Iterator[pytest.Item]:
        from fuzz.errors import UsageError
        from fuzz.gate.corpus import iter_case_files, read_cases
        from fuzz.gate.replay import ReplayItem

        try:
            cases, skipped = read_cases(list(iter_case_files(self.paths)))
        except UsageError as exc:
            raise self.CollectError(f"--signals-corpus: {exc}") from None
        for path, case in cases:
            yield CaseItem.from_parent(
                self, name=path.stem, replay_item=ReplayItem.of_case(path, case)
            )
        for checked in skipped:  # named and failed, while every other case still runs
            yield CorruptCaseItem.from_parent(
                self, name=checked.path.stem, problem=f"{checked.path}: it {checked.problem}"
            )


class CorruptCaseItem(pytest.Item):
    """A corpus file that is not a valid case: it fails, naming what is wrong."""

    def __init__(self, *, problem: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.problem = problem
        self.add_marker("signals_case")

    def runtest(self) -> None:
        raise SignalsDivergence(f"corrupt corpus file: {self.problem}")

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        return str(excinfo.value)

    def reportinfo(self) -> tuple[Any, int | None, str]:
        return self.path, None, f"corrupt case {self.name}"


class CaseItem(pytest.Item):
    """One saved case: passes when FIXED or accepted, fails with its reproducer otherwise."""

    def __init__(self, *, replay_item: ReplayItem, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.replay_item = replay_item
        self.add_marker("signals_case")

    def runtest(self) -> None:
        from fuzz.gate.replay import current_case, with_detail
        from fuzz.gate.reproducers import render_reproducer

        state = self.config.stash[_STATE_KEY]
        result = state.result_for(self)
        label = result.label
        if label is None or state.accepts(result):
            return
        result = with_detail(result)
        case = current_case(result, state.reference.identity, state.candidate.identity)
        assert case is not None
        header = f"{result.status.value}: {label}"
        if result.case is not None and result.case.signature not in result.signatures:
            header += f" (saved as: {result.case.signature})"
        raise SignalsDivergence(header + "\n\n" + render_reproducer(case, str(result.path)))

    def repr_failure(
        self,
        excinfo: pytest.ExceptionInfo[BaseException],
        style: Any = None,
    ) -> str:
        if isinstance(excinfo.value, SignalsDivergence):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo, style=style))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.replay_item.path, None, f"signals case {self.name}"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "signals_case: a signals-fuzz corpus case (from --signals-corpus)"
    )
    paths = config.getoption("signals_corpus")
    if not paths:
        return
    from fuzz.engine.targets import parse_target
    from fuzz.errors import UsageError
    from fuzz.gate.baseline import load_optional

    try:
        baseline_option = config.getoption("signals_baseline")
        baseline = load_optional(None if baseline_option is None else Path(baseline_option))
        reference = parse_target(config.getoption("signals_reference"))
        candidate = parse_target(config.getoption("signals_candidate"))
    except UsageError as exc:
        raise pytest.UsageError(str(exc)) from None
    config.stash[_STATE_KEY] = _CorpusRun(reference, candidate, baseline)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Add the case items before other plugins (``-k``, ``-m``) select among all items.

    The collector goes through the ordinary collection hooks, so the terminal
    counts its items and a bad corpus file is a collection error like any other.
    """
    if _STATE_KEY not in config.stash:
        return
    paths = [Path(p) for p in config.getoption("signals_corpus")]
    collector = CorpusCollector.from_parent(
        session, name="signals-corpus", nodeid="signals-corpus", paths=paths
    )
    ihook = collector.ihook
    ihook.pytest_collectstart(collector=collector)
    report = ihook.pytest_make_collect_report(collector=collector)
    ihook.pytest_collectreport(report=report)
    if report.passed:
        items.extend(node for node in report.result if isinstance(node, pytest.Item))
