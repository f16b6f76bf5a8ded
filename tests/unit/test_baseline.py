"""The baseline file: validation, expiry on an injected date, and updates."""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path
from typing import Any

import pytest

from fuzz.errors import UsageError
from fuzz.gate.baseline import PLACEHOLDER_REASON, Baseline, Entry

TODAY = datetime.date(2025, 6, 15)


def write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data))
    return path


def test_expiry_is_inclusive_of_the_date_given(tmp_path: Path) -> None:
    """An entry must accept through its expiry date and stop accepting the day after."""
    path = write(
        tmp_path / "b.json",
        {
            "schema_version": 1,
            "accepted": {
                "a": {"reason": "r", "accepted_by": "x", "expires": "2025-06-15"},
                "b": {"reason": "r", "accepted_by": "x", "expires": "2025-06-14"},
                "c": {"reason": "r", "accepted_by": "x"},
            },
        },
    )
    baseline = Baseline.load(path)
    assert baseline.accepted(TODAY) == {"a", "c"}
    assert baseline.expired(TODAY) == {"b"}
    assert not baseline.accepts("a", TODAY + datetime.timedelta(days=1))
    assert not baseline.accepts("unknown", TODAY)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ("not json", "not a signals-fuzz baseline"),
        ([], "not an object"),
        ({"accepted": {}}, "schema_version"),
        ({"schema_version": 1, "accepted": []}, "'accepted' must be an object"),
        ({"schema_version": 1, "accepted": {"s": "yes"}}, "entry 's' is str"),
        ({"schema_version": 1, "accepted": {"s": {"accepted_by": "x"}}}, "'reason'"),
        ({"schema_version": 1, "accepted": {"s": {"reason": "r"}}}, "'accepted_by'"),
        (
            {"schema_version": 1, "accepted": {"s": {"reason": "r", "accepted_by": "x", "why": 1}}},
            "unknown key 'why'",
        ),
        (
            {
                "schema_version": 1,
                "accepted": {"s": {"reason": "r", "accepted_by": "x", "expires": "next week"}},
            },
            "expires='next week'",
        ),
    ],
)
def test_malformed_baselines_name_the_file_and_the_fault(
    tmp_path: Path, data: Any, words: str
) -> None:
    """Every malformed baseline must raise UsageError naming the file and what is wrong."""
    path = tmp_path / "baseline.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    with pytest.raises(UsageError) as info:
        Baseline.load(path)
    assert str(path) in str(info.value) and words in str(info.value)


def test_missing_baseline_names_the_file(tmp_path: Path) -> None:
    """A baseline path that does not exist must be a usage error that names it."""
    with pytest.raises(UsageError, match=r"nope\.json"):
        Baseline.load(tmp_path / "nope.json")


def test_update_keeps_entries_adds_placeholders_and_drops_unseen(tmp_path: Path) -> None:
    """updated() must keep known entries as they are, add placeholders, drop unseen ones."""
    expired = Entry("known", "ana", datetime.date(2020, 1, 1))
    baseline = Baseline({"kept": expired, "gone": Entry("old", "bo")})
    updated = baseline.updated(["kept", "new", "new"], accepted_by="cy")
    assert updated.entries == {"kept": expired, "new": Entry(PLACEHOLDER_REASON, "cy")}
    assert not updated.accepts("kept", TODAY)  # still expired: a person must renew it
    path = tmp_path / "b.json"
    updated.save(path)
    assert Baseline.load(path) == updated
    assert path.read_text().endswith("\n") and '"schema_version": 1' in path.read_text()


def test_root_cause_entries_accept_by_id_or_explanation_and_list_signatures(
    tmp_path: Path,
) -> None:
    """A root-cause entry must accept its cause by id or by explanation line, contribute the
    signatures it lists, expire like any entry, and survive a save and an update."""
    path = write(
        tmp_path / "b.json",
        {
            "schema_version": 1,
            "accepted": {"s": {"reason": "r", "accepted_by": "x"}},
            "accepted_root_causes": {
                "class-space-1": {"reason": "r", "accepted_by": "x", "signatures": ["t", "u"]},
                "U+001C is whitespace to one side": {"reason": "r", "accepted_by": "x"},
                "old-2": {"reason": "r", "accepted_by": "x", "expires": "2025-01-01"},
            },
        },
    )
    baseline = Baseline.load(path)
    assert baseline.accepted(TODAY) == {"s", "t", "u"}
    assert baseline.accepts_cause("class-space-1", "anything", TODAY)
    assert baseline.accepts_cause("other-3", "U+001C is whitespace to one side", TODAY)
    assert not baseline.accepts_cause("old-2", "", TODAY)
    assert not baseline.accepts_cause("other-3", "something else", TODAY)
    assert baseline.expired(TODAY) == {"old-2"}
    baseline.save(tmp_path / "again.json")
    again = Baseline.load(tmp_path / "again.json")
    assert again == baseline and again.updated(["s"]).causes == baseline.causes


@pytest.mark.parametrize(
    ("causes", "words"),
    [
        ([], "'accepted_root_causes' must be an object"),
        ({"c": {"reason": "r", "accepted_by": "x", "signatures": "t"}}, "use a list"),
        ({"c": {"reason": "r", "accepted_by": "x", "why": "?"}}, "unknown key 'why'"),
        ({"c": {"reason": "", "accepted_by": "x"}}, "non-empty string 'reason'"),
    ],
)
def test_bad_root_cause_entries_are_named(tmp_path: Path, causes: object, words: str) -> None:
    """A malformed root-cause entry must be a one-line usage error saying what is wrong."""
    path = write(
        tmp_path / "b.json", {"schema_version": 1, "accepted": {}, "accepted_root_causes": causes}
    )
    with pytest.raises(UsageError, match=re.escape(words)):
        Baseline.load(path)
