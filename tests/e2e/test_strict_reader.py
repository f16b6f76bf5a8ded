"""A strict reader on both sides agrees with itself; against a lenient one it differs, once.

The real port rejects inputs the Python reference accepts (a lone surrogate
escape). Both sides rejecting the same input the same way is *rejected by
both*, never a bug; only one side rejecting it is a real, one-sided finding.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fuzz.cli import main
from fuzz.engine.targets import parse_target
from fuzz.search.campaign import Campaign, CampaignSettings
from tests.conftest import strict_replay_spec

pytestmark = pytest.mark.slow

REFERENCE = "py:fuzz.examples.analyzer:ExampleAnalyzer"


def test_the_strict_reader_against_itself_files_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Thousands of conversations through the strict reader on both sides: exit 0, no case,
    and the shared rejections counted as rejected by both."""
    out = tmp_path / "out"
    code = main(
        [
            "campaign",
            "--reference",
            strict_replay_spec(),
            "--candidate",
            strict_replay_spec(),
            "--max-examples",
            "70",
            "--batch-size",
            "32",
            "--seed",
            "1",
            "--workers",
            "1",
            "--database",
            "none",
            "--corpus",
            str(tmp_path / "corpus"),
            "--shrunk",
            str(tmp_path / "shrunk"),
            "--out",
            str(out),
        ]
    )
    err = capsys.readouterr().err
    assert code == 0, err
    assert list((tmp_path / "corpus").glob("*.json")) == []
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["conversations_compared"] >= 2000
    assert metrics["tier_a"] == 0 and metrics["gate"]["passed"]
    assert metrics["rejected_by_both"] > 0
    assert metrics["rejected_by_both_failures"] == {"error-line": metrics["rejected_by_both"]}
    assert f"rejected by both {metrics['rejected_by_both']:,}" in err


def test_a_lenient_reference_against_the_strict_reader_is_one_sided() -> None:
    """The lenient Python side accepts what the strict reader rejects: one real bug, shrunk
    to one message holding a lone surrogate."""
    campaign = Campaign(
        parse_target(REFERENCE),
        parse_target(strict_replay_spec(), timeout=30.0),
        CampaignSettings(seed=1, max_examples=60, stop_when=("error-line on candidate",)),
        lambda event: None,
    )
    finished = campaign.run()
    assert "error-line on candidate" in campaign.best
    case = campaign.best["error-line on candidate"]
    assert case.shrunk and len(case.conversation) == 1
    assert any(0xD800 <= ord(c) <= 0xDFFF for c in case.conversation[0]["value"])
    assert case.candidate.failure is not None and "surrogate" in case.candidate.failure.detail
    assert finished.rejected == 0, "nothing is rejected by both: the reference reads it all"
