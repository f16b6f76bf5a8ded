"""Bad input to the CLI: one clear line naming the culprit, exit code 2, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from fuzz.cli import main, parse_duration
from fuzz.errors import UsageError
from tests.conftest import misbehaving_spec

OK_REF = "py:tests.fixtures.py_analyzers:Thanks"


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "culprit"),
    [
        (
            ["campaign", "--reference", "rust:x", "--candidate", OK_REF, "--max-examples", "1"],
            "'rust:x'",
        ),
        (
            [
                "campaign",
                "--reference",
                "py:nope_mod_q:A",
                "--candidate",
                OK_REF,
                "--max-examples",
                "1",
            ],
            "nope_mod_q",
        ),
        (
            [
                "campaign",
                "--reference",
                OK_REF,
                "--candidate",
                "cmd:/no/such/replay",
                "--max-examples",
                "1",
            ],
            "/no/such/replay",
        ),
        (
            ["campaign", "--reference", OK_REF, "--candidate", OK_REF, "--budget", "10x"],
            "--budget='10x' is not a duration",
        ),
        (
            ["campaign", "--reference", OK_REF, "--candidate", OK_REF, "--budget", "0s"],
            "--budget='0s'",
        ),
        (
            ["campaign", "--reference", OK_REF, "--candidate", OK_REF, "--max-examples", "many"],
            "--max-examples='many'",
        ),
        (["campaign", "--reference", OK_REF, "--candidate", OK_REF, "--seed", "-4"], "--seed='-4'"),
        (["campaign", "--bogus-flag"], "--bogus-flag"),
        (["frobnicate"], "frobnicate"),
        (
            ["reproduce", "/no/such/case.json", "--reference", OK_REF, "--candidate", OK_REF],
            "/no/such/case.json",
        ),
        (
            ["replay", "/no/such/corpus", "--reference", OK_REF, "--candidate", OK_REF],
            "/no/such/corpus",
        ),
        (["demo", "--variant", "no_such_bug", "--max-examples", "1"], "no_such_bug"),
        (
            [
                "campaign",
                "--reference",
                OK_REF,
                "--candidate",
                OK_REF,
                "--seeds",
                "/no/seeds.jsonl",
            ],
            "/no/seeds.jsonl",
        ),
        (
            ["campaign", "--reference", OK_REF, "--candidate", OK_REF, "--dictionary", "/no/src"],
            "/no/src",
        ),
    ],
)
def test_usage_errors_are_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], culprit: str
) -> None:
    """Each bad flag, target or path must give exit 2 and one line that names it."""
    code, err = run_cli(capsys, *argv)
    assert code == 2
    assert err.count("\n") == 1, err
    assert err.startswith("signals-fuzz: error:")
    assert culprit in err
    assert "Traceback" not in err


def test_non_executable_program_is_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A replay 'binary' without the executable bit must be named before fuzzing starts."""
    program = tmp_path / "signals_replay"
    program.write_text("not a program")
    program.chmod(0o644)
    code, err = run_cli(
        capsys,
        "campaign",
        "--reference",
        OK_REF,
        "--candidate",
        f"cmd:{program}",
        "--max-examples",
        "1",
    )
    assert code == 2 and "not an executable file" in err and str(program) in err


def test_unwritable_corpus_is_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A corpus folder that cannot be created must be refused before fuzzing starts."""
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    code, err = run_cli(
        capsys,
        "campaign",
        "--reference",
        OK_REF,
        "--candidate",
        OK_REF,
        "--max-examples",
        "1",
        "--corpus",
        str(blocker / "corpus"),
    )
    assert code == 2 and "--corpus=" in err and err.count("\n") == 1


def test_a_corrupt_corpus_file_is_named_and_skipped(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A damaged case file must cost only itself: named in one line, skipped, the command run."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "bad.json").write_text("{not json")
    code, err = run_cli(
        capsys, "replay", str(corpus), "--reference", OK_REF, "--candidate", misbehaving_spec("ok")
    )
    assert code == 0 and "skipped" in err and "bad.json" in err and err.count("\n") == 1
    code, err = run_cli(
        capsys,
        "campaign",
        "--reference",
        OK_REF,
        "--candidate",
        OK_REF,
        "--max-examples",
        "1",
        "--corpus",
        str(corpus),
        "--shrunk",
        str(tmp_path / "s"),
    )
    assert code == 0 and "skipped" in err and "bad.json" in err
    assert (corpus / "bad.json").read_text() == "{not json"  # left as it was
    code, err = run_cli(capsys, "corpus", "check", str(corpus))
    assert code == 1


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90s", 90), ("10m", 600), ("2h", 7200), ("1h30m", 5400), ("45", 45), ("500ms", 0.5)],
)
def test_durations(text: str, seconds: float) -> None:
    """Budgets in the documented forms must parse to the right number of seconds."""
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "m", "10x", "1h30", "-5s", "ten minutes"])
def test_bad_durations(text: str) -> None:
    """Anything else must be refused with a message that shows the right forms."""
    with pytest.raises(UsageError, match=r"e\.g\. 90s, 10m, 2h"):
        parse_duration(text)


def test_parsing_the_command_line_imports_no_stage() -> None:
    """Broken if building the parser (and --help) starts importing Hypothesis or a stage."""
    import subprocess
    import sys

    probe = (
        "import sys; from fuzz.cli import build_parser; build_parser(); "
        "print(sorted(m for m in sys.modules if m.startswith(('hypothesis', 'fuzz.search', "
        "'fuzz.gate', 'fuzz.engine', 'strategies'))))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
