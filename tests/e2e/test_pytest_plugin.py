"""The pytest plugin: one test item per corpus case, failing with the reproducer.

Runs are in-process (fast) except the inactive-plugin check, a fresh
``python -m pytest`` that loads the plugin the way users get it, through the
``pytest11`` entry point.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.conftest import CRASH, GRATITUDE, THANKS, TWO_BUGS

pytest_plugins = ["pytester"]
pytestmark = pytest.mark.slow

REPO = Path(__file__).parents[2]


@pytest.fixture(autouse=True)
def _repo_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """The toy analyzers live in this repository's tests package."""
    monkeypatch.setenv("PYTHONPATH", str(REPO))


#: In-process runs re-import nothing, so pytest cannot rewrite asserts in the
#: already-imported fuzz/strategies packages and says so; that is expected here.
QUIET = ["-p", "no:cacheprovider", "-W", "ignore::pytest.PytestAssertRewriteWarning"]


def corpus_args(corpus: Path, candidate: str = TWO_BUGS) -> list[str]:
    return [
        *QUIET,
        "--signals-corpus",
        str(corpus),
        "--signals-reference",
        THANKS,
        "--signals-candidate",
        candidate,
    ]


def test_one_item_per_case_pass_and_fail(pytester: pytest.Pytester, toy_corpus: Path) -> None:
    """Each case must be an item named by its file stem; accepted ones pass, others fail."""
    baseline = pytester.path / "baseline.json"
    entry = {"reason": "known", "accepted_by": "t"}
    baseline.write_text(json.dumps({"schema_version": 1, "accepted": {CRASH: entry}}))
    result = pytester.runpytest(*corpus_args(toy_corpus), "--signals-baseline", str(baseline), "-v")
    result.assert_outcomes(passed=1, failed=1)
    stems = {p.stem for p in toy_corpus.glob("*.json")}
    crash = next(s for s in stems if s.startswith("crash-"))
    gratitude = next(s for s in stems if s.startswith("counts-"))
    result.stdout.fnmatch_lines(
        [
            "collect* 2 items*",
            f"*signals-corpus::{gratitude} FAILED*",
            f"*signals-corpus::{crash} PASSED*",
        ]
    )
    # The failure shows the reproducer: the signature, the replay line, the Tier-A table.
    result.stdout.fnmatch_lines([f"STILL: {GRATITUDE}", "## Feed it to the port", "*⚠*"])


def test_fixed_cases_pass(pytester: pytest.Pytester, toy_corpus: Path) -> None:
    """Against a candidate with the bugs fixed every case item must pass."""
    result = pytester.runpytest(*corpus_args(toy_corpus, candidate=THANKS))
    result.assert_outcomes(passed=2)


def test_items_can_be_selected_with_k(pytester: pytest.Pytester, toy_corpus: Path) -> None:
    """-k must select among case items like among ordinary tests."""
    result = pytester.runpytest(*corpus_args(toy_corpus), "-k", "crash")
    result.assert_outcomes(failed=1, deselected=1)


def test_inactive_without_the_option(pytester: pytest.Pytester) -> None:
    """Without --signals-corpus the plugin must add no items and change nothing."""
    pytester.makepyfile(test_one="def test_one():\n    assert True\n")
    pytester.makepyfile(
        test_plain="""
            import sys

            def test_engine_not_loaded():
                assert "fuzz.gate.replay" not in sys.modules and "deepdiff" not in sys.modules
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-W", "error")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["plugins:*signals-fuzz*", "collected 2 items"])


def test_bad_target_is_a_usage_error(pytester: pytest.Pytester, toy_corpus: Path) -> None:
    """A target spec that names nothing must stop pytest with a usage error naming it."""
    result = pytester.runpytest(*corpus_args(toy_corpus, candidate="rust:nope"))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*'rust:nope'*"])


def test_a_damaged_case_fails_alone_and_the_others_still_run(
    pytester: pytest.Pytester, toy_corpus: Path
) -> None:
    """A damaged case file must fail as its own item naming the file and what is wrong, while
    every valid case is still replayed (it was a collection error that stopped them all)."""
    (toy_corpus / "broken.json").write_text("{not json")
    result = pytester.runpytest(*corpus_args(toy_corpus), "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.assert_outcomes(failed=3)  # the two saved bugs still diverge, and the broken file
    result.stdout.fnmatch_lines(["*corrupt corpus file*broken.json*is not JSON*"])
