"""Nothing a spec, a corpus file or a seed file says can make the tool run or write anything
it was not asked to: no shell, no pickle, no eval, no path taken from a file's content.
"""

from __future__ import annotations

import json
import pickle
import re
import shlex
import sys
from pathlib import Path
from typing import Any

import pytest

from fuzz.cli import main
from fuzz.engine.case import Case, Provenance
from fuzz.engine.compare import Tier
from fuzz.engine.outcomes import Outcome, TargetIdentity
from fuzz.engine.targets import CmdTarget, parse_target
from fuzz.errors import UsageError
from fuzz.gate.corpus import Corpus, load_case
from fuzz.gate.seed_files import read_seed_file
from tests.conftest import FIXTURES
from tests.fixtures.minimal_report import thanks_report

pytest_plugins = ["pytester"]

THANKS = "py:tests.fixtures.py_analyzers:Thanks"
REPO = Path(__file__).parents[2]


def files_under(root: Path) -> set[Path]:
    return {path for path in root.rglob("*")}


def hostile_case(tmp_path: Path) -> dict[str, Any]:
    """A case file whose every free-text field tries to run a command or escape its folder
    (its ids cannot: the corpus schema refuses a path there, see the test below)."""
    marker = tmp_path / "PWNED"
    touch = f"touch {marker}"
    conversation = [{"from": "human", "value": f"thanks $({touch}) `{touch}`"}]
    identity = TargetIdentity(f"cmd:{touch}", "cmd", "../../../usr/bin/touch", None)
    outcome = Outcome.of_report(thanks_report(conversation))
    case = Case(
        conversation=conversation,
        tier=Tier.A,
        kind="counts",
        signature=f"../../outside/evil; {touch}",
        reference=outcome,
        candidate=outcome,
        diff={},
        shrunk=True,
        provenance=Provenance(
            seed=1,
            fuzzer_version="0",
            hypothesis_version="0",
            python_version="3",
            reference=identity,
            candidate=identity,
            found_at="2026-01-01T00:00:00+00:00",
            command=f"{touch}; rm -rf {tmp_path}",
        ),
    )
    return case.to_json()


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """A project folder holding corpus/hostile.json; the marker file and ../outside must
    never appear."""
    corpus = tmp_path / "project" / "corpus"
    corpus.mkdir(parents=True)
    (corpus / "hostile.json").write_text(json.dumps(hostile_case(tmp_path)))
    return corpus


def assert_untouched(tmp_path: Path) -> None:
    assert not (tmp_path / "PWNED").exists(), "a command from the case file ran"
    assert not (tmp_path / "outside").exists(), "a path from the case file was written"
    assert not (tmp_path / "project" / "outside").exists()


# -------------------------------------------------------------- no shell ---


@pytest.mark.parametrize(
    "tail",
    ["; touch {m}", "&& touch {m}", "$(touch {m})", "`touch {m}`", "| touch {m}", "> {m}"],
)
def test_cmd_spec_shell_syntax_is_passed_as_words_never_run(tmp_path: Path, tail: str) -> None:
    """A cmd: spec is split into argv, not given to a shell: shell syntax runs nothing."""
    marker = tmp_path / "PWNED"
    script = FIXTURES / "replay_misbehaving.py"
    spec = f"cmd:{shlex.quote(sys.executable)} {shlex.quote(str(script))} ok " + tail.format(
        m=shlex.quote(str(marker))
    )
    target = parse_target(spec)
    assert isinstance(target, CmdTarget)
    assert target.argv[3:] == tuple(shlex.split(tail.format(m=shlex.quote(str(marker)))))
    target.analyze_batch([[{"from": "human", "value": "thanks"}]])
    assert not marker.exists()


@pytest.mark.parametrize("isolate", [False, True])
def test_py_spec_shell_syntax_is_a_usage_error_that_runs_nothing(
    tmp_path: Path, isolate: bool
) -> None:
    """A py: spec names a module to import; shell syntax in it is a bad name, never a command."""
    marker = tmp_path / "PWNED"
    with pytest.raises(UsageError, match="cannot import module"):
        parse_target(f"py:os; touch {marker}:system", isolate=isolate)
    with pytest.raises(UsageError):
        parse_target(f"py:$(touch {marker}):X", isolate=isolate)
    assert not marker.exists()


# ------------------------------------------------------- hostile case file ---


def test_a_path_in_a_case_id_is_refused_before_anything_reads_it(tmp_path: Path) -> None:
    """Ids are hashes: a case whose case_id or input id is a path must be refused as a case."""
    for field in ("case_id", "input"):
        data = hostile_case(tmp_path)
        if field == "case_id":
            data["case_id"] = "../../outside/x"
        else:
            data["input"]["id"] = f"../../outside/{tmp_path / 'PWNED'}"
        path = tmp_path / f"{field}.json"
        path.write_text(json.dumps(data))
        with pytest.raises(UsageError, match="is not a signals-fuzz case"):
            load_case(path)
    assert_untouched(tmp_path)


def test_reproduce_runs_only_the_targets_named_on_the_command_line(
    tmp_path: Path, hostile: Path
) -> None:
    """reproduce must run the --reference/--candidate given, never the case's provenance."""
    before = files_under(tmp_path)
    code = main(
        ["reproduce", str(hostile / "hostile.json"), "--reference", THANKS, "--candidate", THANKS]
    )
    assert code == 0  # FIXED: the two named targets agree
    assert files_under(tmp_path) == before
    assert_untouched(tmp_path)


def test_replay_prune_fixed_moves_the_file_by_its_own_name(tmp_path: Path, hostile: Path) -> None:
    """--prune-fixed must move a case by its file name into the archive, whatever it says."""
    archive = tmp_path / "project" / "archive"
    code = main(
        [
            "replay",
            str(hostile),
            "--reference",
            THANKS,
            "--candidate",
            THANKS,
            "--prune-fixed",
            "--archive",
            str(archive),
        ]
    )
    assert code == 0
    assert sorted(p.name for p in archive.iterdir()) == ["hostile.json"]
    assert list(hostile.iterdir()) == []
    assert_untouched(tmp_path)


def test_corpus_keeps_a_hostile_signature_inside_its_folders(tmp_path: Path, hostile: Path) -> None:
    """A case's signature names its file only through a slug: no '../', no '/', no ';'."""
    case = load_case(hostile / "hostile.json")
    corpus = Corpus.open(tmp_path / "merged", tmp_path / "merged-shrunk", lambda c, f: "# case\n")
    path = corpus.save(case)
    assert path is not None and path.parent == tmp_path / "merged"
    assert re.fullmatch(r"[a-z0-9-]+\.json", path.name)
    assert corpus.reproducer_path(case).parent == tmp_path / "merged-shrunk"
    assert_untouched(tmp_path)


@pytest.mark.slow
def test_pytest_plugin_runs_no_command_from_a_case(
    pytester: pytest.Pytester, tmp_path: Path, hostile: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The corpus plugin must run the named targets on the case and nothing the case names."""
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    result = pytester.runpytest(
        "-p",
        "no:cacheprovider",
        "-W",
        "ignore::pytest.PytestAssertRewriteWarning",
        "--signals-corpus",
        str(hostile),
        "--signals-reference",
        THANKS,
        "--signals-candidate",
        THANKS,
    )
    result.assert_outcomes(passed=1)
    assert_untouched(tmp_path)


# ----------------------------------------------------------- JSON only ---


class _Payload:
    """Unpickling this touches a file: proof that a reader unpickled."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, tuple[str, str]]:
        return (open, (str(self.marker), "w"))


def test_the_pickle_payload_does_run_when_unpickled(tmp_path: Path) -> None:
    """The payload the next tests use must be live, or their checks would prove nothing."""
    marker = tmp_path / "PWNED"
    pickle.loads(pickle.dumps(_Payload(marker))).close()
    assert marker.exists()


def test_a_pickled_corpus_file_is_refused_not_unpickled(tmp_path: Path) -> None:
    """Corpus files are read as JSON: a pickle is a bad file, and its payload never runs."""
    marker = tmp_path / "PWNED"
    path = tmp_path / "case.json"
    path.write_bytes(pickle.dumps(_Payload(marker)))
    with pytest.raises(UsageError, match=r"is not (JSON|a signals-fuzz case)"):
        load_case(path)
    assert not marker.exists()


@pytest.mark.parametrize("kind", ["pickle", "python"])
def test_a_seed_file_that_is_not_json_lines_is_refused(tmp_path: Path, kind: str) -> None:
    """Seed files are JSON lines: a pickle or a Python expression is refused, not run."""
    marker = tmp_path / "PWNED"
    path = tmp_path / "seeds.jsonl"
    if kind == "pickle":
        path.write_bytes(pickle.dumps(_Payload(marker)))
    else:
        path.write_text(f"__import__('pathlib').Path({str(marker)!r}).touch()\n")
    with pytest.raises(UsageError):
        read_seed_file(path)
    assert not marker.exists()


#: Ways code could run what a file says. ``ast.literal_eval`` (dictionary harvesting) reads
#: literals only and is allowed.
_DANGEROUS = re.compile(
    r"\bpickle\.loads?\(|(?<![\w.])eval\(|(?<![\w.])exec\(|shell\s*=\s*True|os\.system\(|"
    r"os\.popen\(|yaml\.(?:unsafe_)?load\(|marshal\.loads?\(|shelve\.open\("
)


def test_no_code_path_evaluates_or_unpickles_or_uses_a_shell() -> None:
    """The package must hold no eval/exec/pickle.load/shell=True: only JSON is read."""
    offenders = [
        f"{path.relative_to(REPO)}:{number}: {line.strip()}"
        for folder in ("fuzz", "strategies")
        for path in sorted((REPO / folder).rglob("*.py"))
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if _DANGEROUS.search(line)
    ]
    assert offenders == []
