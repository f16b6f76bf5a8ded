"""Campaign-shrunk cases, explained and grouped: exact root-cause counts on planted bugs.

A campaign (seed 1, a fixed example budget, in-process targets) finds,
shrinks and explains each planted bug's signatures (a case a stop left
unshrunk is explained afterwards), and the explanations are grouped. One
planted cause must come out as exactly one root cause however many leaf
types it flips, two independent planted causes as exactly two, and each
explanation must name its disputed thing: the character with code point and
name, the JSON number spelling, the message count, the length in bytes.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path

import pytest
from hypothesis import strategies as st

from fuzz.engine.causes import RootCause, group
from fuzz.engine.explain import Explanation, explain_case
from fuzz.engine.outcomes import Conversation
from fuzz.engine.targets import parse_target
from fuzz.examples.variants import SHOWS_AS, VARIANTS
from fuzz.search.campaign import Campaign, CampaignSettings
from strategies.text import trigger_texts

pytestmark = pytest.mark.slow

REFERENCE = "py:fuzz.examples.analyzer:ExampleAnalyzer"
TWO_CAUSES = "py:tests.fixtures.py_analyzers:extra_separator_and_narrow_timeout"

#: The phrase leaves' signal types (what a tokenizer bug can flip).
PHRASE_LEAVES = [
    f"interaction.{category}.{leaf}"
    for category, leaves in {
        "misalignment": ("correction", "rephrase", "clarification"),
        "disengagement": ("escalation", "quit", "negative_stance"),
        "satisfaction": ("gratitude", "confirmation", "success"),
    }.items()
    for leaf in leaves
]


def _separated(text: str, mask: int) -> str:
    """The text with the spaces picked by ``mask`` turned into U+200B (and one appended)."""
    pieces = text.split(" ")
    joined = pieces[0]
    for i, piece in enumerate(pieces[1:]):
        joined += ("\u200b" if mask >> (i % 8) & 1 else " ") + piece
    return joined + ("\u200b" if mask & 0x100 else "")


def separated_texts() -> st.SearchStrategy[str]:
    """Trigger phrases of every phrase leaf with some of their spaces written U+200B."""
    return st.builds(_separated, trigger_texts(PHRASE_LEAVES), st.integers(0, 0x1FF))


def aimed(*, timeouts: bool = False) -> st.SearchStrategy[Conversation]:
    """Conversations of such human turns, and (``timeouts``) tool calls timing out."""
    turns = separated_texts().map(lambda t: [{"from": "human", "value": t}])
    if timeouts:
        timing_out = trigger_texts(["environment.exhaustion.timeout"]).map(
            lambda t: [
                {"from": "function_call", "value": "search"},
                {"from": "observation", "value": t},
            ]
        )
        turns = st.one_of(turns, timing_out)
    return st.lists(turns, min_size=1, max_size=3).map(
        lambda parts: [message for part in parts for message in part]
    )


def campaign_causes(
    candidate_spec: str,
    max_examples: int,
    *,
    conversations: st.SearchStrategy[Conversation] | None = None,
    stop: tuple[str, ...] = (),
) -> tuple[list[Explanation], tuple[RootCause, ...], set[str]]:
    """Run a seeded campaign, then explain every best case and group them; also the
    signatures whose case the campaign shrank."""
    reference, candidate = parse_target(REFERENCE), parse_target(candidate_spec)
    campaign = Campaign(
        reference,
        candidate,
        CampaignSettings(seed=1, max_examples=max_examples, stop_when=stop),
        lambda event: None,
        conversations=conversations,
    )
    campaign.run()
    assert campaign.best, "the campaign found nothing to explain"
    # The campaign explains every case it shrinks; cases a stop left unshrunk are explained here.
    shrunk = [case for case in campaign.best.values() if case.shrunk]
    assert shrunk and all(case.explanation is not None for case in shrunk)
    explanations = [
        case.explanation or explain_case(case.conversation, signature, reference, candidate)
        for signature, case in sorted(campaign.best.items())
    ]
    return explanations, group(explanations), {case.signature for case in shrunk}


def variant(name: str) -> str:
    return f"py:fuzz.examples.variants:{VARIANTS[name].__name__}"


def leaves(cause: RootCause) -> set[str]:
    return {s.removeprefix("counts: ").split()[0] for s in cause.signatures}


def test_one_separator_bug_over_many_leaves_is_one_root_cause() -> None:
    """A U+200B tokenizer bug found as 5+ leaf signatures was split into several root causes."""
    explanations, causes, _ = campaign_causes(variant("extra_separator"), 40, conversations=aimed())
    assert len(causes) == 1, [c.explanation for c in causes]
    (cause,) = causes
    assert len(leaves(cause)) >= 5, cause.signatures
    assert all(e.cause is not None and e.cause.code_point == 0x200B for e in explanations)
    assert "U+200B ZERO WIDTH SPACE (Cf)" in cause.explanation


def test_a_separator_bug_and_a_missing_wording_are_two_root_causes() -> None:
    """Two independent planted bugs in one candidate were merged, or one of them split."""
    _, causes, _ = campaign_causes(
        "py:tests.fixtures.py_analyzers:extra_separator_and_narrow_timeout",
        60,
        conversations=aimed(timeouts=True),
    )
    assert len(causes) == 2, [c.explanation for c in causes]
    separator = [c for c in causes if "U+200B ZERO WIDTH SPACE (Cf)" in c.explanation]
    timeout = [
        c for c in causes if c.signatures == ("counts: environment.exhaustion.timeout ref>cand",)
    ]
    assert len(separator) == 1 and len(timeout) == 1
    assert len(leaves(separator[0])) >= 3
    assert re.search(r'the phrase "[^"]+" in an observation', timeout[0].explanation)


def test_byte_truncation_over_several_leaves_is_one_length() -> None:
    """A byte-counted limit found as several leaf signatures was not one length root cause."""
    explanations, _, shrunk = campaign_causes(variant("byte_truncation"), 60)
    # The campaign's own explanations (of the cases it shrank).
    explained = [e for e in explanations if e.signature in shrunk]
    assert len(explained) >= 2
    causes = group(explained)
    assert len(causes) == 1
    assert causes[0].id.startswith("length-utf8-bytes-")
    assert re.search(
        r"[\d,]+ code points, [\d,]+ UTF-8 bytes; it counts in UTF-8 bytes", causes[0].explanation
    )


@pytest.mark.parametrize(
    "name, max_examples, key, named",
    [
        (
            "unicode_whitespace",
            150,
            "char:space/other",
            r"U\+[0-9A-F]{4} [A-Z -]+ \((Zs|Cc|Zl|Zp)\)",
        ),
        (
            "json_number_args",
            150,
            "json:number:",
            r"written `[-\d.eE+]+` where the canonical spelling is `-?\d+`",
        ),
        ("missing_trigger", 150, "phrase:", r'the phrase "[^"]+" in a human turn'),
    ],
)
def test_campaign_cases_of_planted_variants_are_explained(
    name: str, max_examples: int, key: str, named: str
) -> None:
    """A campaign-shrunk case of a planted bug is not explained by the thing the bug is about."""
    explanations, causes, shrunk = campaign_causes(
        variant(name), max_examples, stop=(SHOWS_AS[name],)
    )
    # What the campaign shrank and explained (a stop can leave another case half-way).
    planted = [e for e in explanations if e.signature.startswith(SHOWS_AS[name])]
    planted = [e for e in planted if e.signature in shrunk]
    assert planted
    for e in planted:
        assert e.key.startswith(key), (e.key, e.sentence)
        assert re.search(named, e.sentence), e.sentence
    assert len({e.key for e in planted}) == 1
    assert len(causes) <= len(explanations)


@pytest.fixture(scope="module")
def two_cause_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, str]:
    """A campaign against a candidate with two planted causes: its folder, exit code, stdout."""
    from fuzz.cli import run_campaign_command
    from fuzz.search.options import CampaignOptions

    root = tmp_path_factory.mktemp("two-causes")
    options = CampaignOptions(
        REFERENCE,
        TWO_CAUSES,
        seed=1,
        max_examples=60,
        corpus=root / "corpus",
        shrunk=root / "shrunk",
        out=root / "out",
        conversations=lambda **_: aimed(timeouts=True),
    )
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        code = run_campaign_command(options)
    return root, code, stdout.getvalue()


def test_a_campaign_reports_its_root_causes_in_every_output(
    two_cause_run: tuple[Path, int, str],
) -> None:
    """Two planted causes behind many signatures must reach stdout, metrics.json, summary.md
    and each reproducer as exactly two root causes, each with its representative case file."""
    root, code, stdout = two_cause_run
    assert code == 1
    metrics = json.loads((root / "out" / "metrics.json").read_text())
    causes = metrics["root_causes"]
    assert len(causes) == 2, [c["explanation"] for c in causes]
    assert sum(len(c["signatures"]) for c in causes) == len(metrics["tier_a_signatures"]) >= 4
    separator = next(c for c in causes if "U+200B ZERO WIDTH SPACE (Cf)" in c["explanation"])
    assert len(separator["signatures"]) >= 3
    for cause in causes:
        assert Path(cause["representative"]).is_file()
        assert cause["id"] in stdout and cause["representative"] in stdout
    assert stdout.startswith("2 root cause(s) behind ")
    summary = (root / "out" / "summary.md").read_text()
    assert summary.index("## Root causes") < summary.index("## Signatures found")
    assert all(f"`{c['id']}`" in summary for c in causes)
    reproducers = list((root / "shrunk").glob("*.md"))
    assert len(reproducers) == len(metrics["tier_a_signatures"])
    for reproducer in reproducers:
        text = reproducer.read_text()
        why = text[text.index("## Why") : text.index("## Minimal conversation")]
        assert "Root cause `" in why and any(c["id"] in why for c in causes), why


def test_replay_groups_by_root_cause_and_a_baseline_accepts_a_whole_cause(
    two_cause_run: tuple[Path, int, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Replay must group the saved cases into the same two root causes; a baseline entry naming
    one cause by id, and the other by its explanation line, must accept every signature."""
    from fuzz.cli import main

    root, _, _ = two_cause_run
    causes = json.loads((root / "out" / "metrics.json").read_text())["root_causes"]
    separator = next(c for c in causes if "U+200B" in c["explanation"])
    other = next(c for c in causes if c is not separator)
    entry = {"reason": "known", "accepted_by": "test"}
    replay = ["replay", str(root / "corpus"), "--reference", REFERENCE, "--candidate", TWO_CAUSES]

    def gate(accepted: dict[str, object], out: str) -> tuple[int, dict[str, object]]:
        baseline = tmp_path / f"{out}.json"
        baseline.write_text(
            json.dumps({"schema_version": 1, "accepted": {}, "accepted_root_causes": accepted})
        )
        code = main([*replay, "--baseline", str(baseline), "--out", str(tmp_path / out)])
        return code, json.loads((tmp_path / out / "metrics.json").read_text())

    code, metrics = gate({separator["id"]: entry}, "one")
    printed = capsys.readouterr().out
    assert code == 1 and "2 root cause(s):" in printed
    assert sorted(c["id"] for c in metrics["root_causes"]) == sorted(c["id"] for c in causes)
    assert metrics["gate"]["unaccepted_signatures"] == other["signatures"]
    code, metrics = gate({separator["id"]: entry, other["explanation"]: entry}, "both")
    assert code == 0 and metrics["gate"]["passed"], metrics["gate"]
    assert all(c["accepted"] for c in metrics["root_causes"])


THREE_PRIMITIVES = ("rust_trim", "rust_ignore_case", "serde_number_equality")


def test_three_primitives_the_rust_way_give_at_most_1_3x_their_root_causes() -> None:
    """A copy of the analyzer using the Rust rule for three primitives must come out as at most
    1.3 root causes per planted cause found, and no root cause may mix two planted causes
    (each case is attributed by asking every planted variant alone)."""
    from fuzz.engine.compare import compare
    from fuzz.gate.root_causes import file_causes

    reference = parse_target(REFERENCE)
    campaign = Campaign(
        reference,
        parse_target("py:tests.fixtures.py_analyzers:three_primitives_the_rust_way"),
        CampaignSettings(seed=1, max_examples=200),
        lambda event: None,
    )
    campaign.run()
    cases = [case for case in campaign.best.values() if case.explanation is not None]
    assert len(cases) >= 4
    owners: dict[str, set[str]] = {}
    conversations = [case.conversation for case in cases]
    references = reference.analyze_batch(conversations)
    for name in THREE_PRIMITIVES:
        single = parse_target(f"py:fuzz.examples.variants:{VARIANTS[name].__name__}")
        for case, ref, cand in zip(
            cases, references, single.analyze_batch(conversations), strict=True
        ):
            divergence = compare(ref, cand).tier_a
            if divergence is not None and case.signature in divergence.signatures:
                owners.setdefault(case.signature, set()).add(name)
    planted = set().union(*owners.values())
    causes = file_causes([(case.explanation, case.signature) for case in cases])  # type: ignore[misc]
    assert len(planted) >= 2
    assert len(causes) <= 1.3 * len(planted), [c.cause.explanation for c in causes]
    for cause in causes:
        assert set.intersection(*(owners.get(s, set()) for s in cause.signatures)), cause.signatures
