"""The campaign loop on toy analyzers: several bugs, shrinking, budgets, interruption, seeds."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import strategies as st

from fuzz.engine.targets import parse_target
from fuzz.gate.corpus import Corpus, load_case
from fuzz.search.campaign import Campaign, CampaignSettings
from fuzz.search.events import CampaignFinished, DivergenceFound, Event
from fuzz.search.sinks import CorpusRecorder, fan_out
from tests.fixtures.toy_batches import TOY_BATCHES as BATCHES

REF = "py:tests.fixtures.py_analyzers:Thanks"
BUGGY = "py:tests.fixtures.py_analyzers:TwoBugs"
GRATITUDE = "counts: interaction.satisfaction.gratitude ref>cand"
CRASH = "crash IndexError on candidate"


def run(
    tmp_path: Path, settings: CampaignSettings, *extra_sinks: object
) -> tuple[CampaignFinished, Campaign, Corpus]:
    corpus = Corpus.open(tmp_path / "corpus", tmp_path / "shrunk")
    events: list[Event] = []
    sink = fan_out(CorpusRecorder(corpus), events.append, *extra_sinks)  # type: ignore[arg-type]
    campaign = Campaign(parse_target(REF), parse_target(BUGGY), settings, sink, strategy=BATCHES)
    return campaign.run(), campaign, corpus


@pytest.mark.slow
def test_finds_each_bug_as_its_own_signature_and_shrinks_each(tmp_path: Path) -> None:
    """Two planted bugs must come back as two signatures, each shrunk to one short message."""
    finished, campaign, corpus = run(tmp_path, CampaignSettings(seed=3, max_examples=200))
    assert set(finished.signatures) == {GRATITUDE, CRASH}
    gratitude, crash = campaign.best[GRATITUDE], campaign.best[CRASH]
    # 'thanks' and '!' in one message is the least text showing the first bug; 'BOOM' the second.
    # (The batched pass takes the space between them out, which Hypothesis's words cannot.)
    assert [sorted(m["value"]) for m in gratitude.conversation] == [sorted("thanks!")]
    assert [m["value"] for m in crash.conversation] == ["BOOM"]
    assert gratitude.shrunk and crash.shrunk
    saved = sorted(load_case(p).signature for p in (tmp_path / "corpus").glob("*.json"))
    assert saved == sorted([GRATITUDE, CRASH])
    assert corpus.get(CRASH) == crash


@pytest.mark.slow
def test_same_seed_same_findings(tmp_path: Path) -> None:
    """A seeded campaign must be reproducible: same signatures, same shrunk conversations."""
    first = run(tmp_path / "a", CampaignSettings(seed=11, max_examples=150))[1]
    second = run(tmp_path / "b", CampaignSettings(seed=11, max_examples=150))[1]
    assert {s: c.conversation for s, c in first.best.items()} == {
        s: c.conversation for s, c in second.best.items()
    }


@pytest.mark.slow
def test_set_aside_signatures_are_not_reported(tmp_path: Path) -> None:
    """An accepted signature must not fail the campaign; the search goes on for others."""
    settings = CampaignSettings(seed=3, max_examples=200, set_aside=frozenset({CRASH}))
    finished, _, _ = run(tmp_path, settings)
    assert finished.signatures == (GRATITUDE,)


def test_interrupt_keeps_the_unshrunk_case(tmp_path: Path) -> None:
    """Ctrl-C right after a find must stop cleanly with that case already on disk."""

    def interrupt(event: Event) -> None:
        if isinstance(event, DivergenceFound):
            raise KeyboardInterrupt

    finished, _, _ = run(tmp_path, CampaignSettings(seed=3, max_examples=200), interrupt)
    assert finished.reason == "interrupted"
    cases = [load_case(p) for p in (tmp_path / "corpus").glob("*.json")]
    assert len(cases) == 1 and not cases[0].shrunk
    assert cases[0].signature in finished.signatures


@pytest.mark.slow
def test_budget_stops_the_campaign(tmp_path: Path) -> None:
    """A time budget must end the campaign with reason 'budget', keeping what it found."""
    finished, campaign, _ = run(tmp_path, CampaignSettings(seed=3, budget=1.5))
    assert finished.reason == "budget"
    assert finished.elapsed < 30
    # The toy bugs show in most batches, so 1.5 s finds at least one; nothing else exists.
    assert set(campaign.best) and set(campaign.best) <= {GRATITUDE, CRASH}
    saved = {load_case(p).signature for p in (tmp_path / "corpus").glob("*.json")}
    assert saved == set(campaign.best)


def test_fuzzer_bugs_are_not_swallowed(tmp_path: Path) -> None:
    """An error in the engine itself must surface, not be mistaken for a divergence."""

    def broken(event: Event) -> None:
        if isinstance(event, DivergenceFound):
            raise RuntimeError("engine bug")

    with pytest.raises(RuntimeError, match="engine bug"):
        run(tmp_path, CampaignSettings(seed=3, max_examples=100), broken)


def test_a_conversation_showing_two_bugs_is_filed_under_each(tmp_path: Path) -> None:
    """Two bugs seen together must end as one minimal case per bug, never a combined third."""
    words = st.sampled_from(["thanks", "bye", "!", "?", "ok"])
    message = st.fixed_dictionaries(
        {"from": st.just("human"), "value": st.lists(words, max_size=6).map(" ".join)}
    )
    together = st.just([[{"from": "human", "value": "thanks ! bye ?"}]])
    campaign = Campaign(
        parse_target("py:tests.fixtures.py_analyzers:ThanksBye"),
        parse_target("py:tests.fixtures.py_analyzers:ThanksByeBlind"),
        CampaignSettings(seed=2, max_examples=150),
        CorpusRecorder(Corpus.open(tmp_path / "corpus", tmp_path / "shrunk")),
        strategy=together | st.lists(st.lists(message, max_size=4), min_size=1, max_size=4),
    )
    finished = campaign.run()
    quit_ = "counts: interaction.disengagement.quit ref>cand"
    assert set(finished.signatures) == {GRATITUDE, quit_}
    assert [sorted(m["value"]) for m in campaign.best[GRATITUDE].conversation] == [
        sorted("thanks!")
    ]
    assert [sorted(m["value"]) for m in campaign.best[quit_].conversation] == [sorted("bye?")]
    assert len(list((tmp_path / "corpus").glob("*.json"))) == 2


def test_campaign_draws_mix_in_seed_chats_and_harvested_phrases() -> None:
    """--seeds and --dictionary must reach generation, or they are flags that do nothing."""
    from hypothesis import HealthCheck, Phase, find, settings

    from fuzz.search.harvest import harvest
    from fuzz.search.inputs import campaign_batches

    phrases = harvest([Path(__file__).parent.parent / "fixtures" / "dictionary_src"])
    assert "much appreciated" in {p.lower() for p in phrases.phrases}
    seed_chat = [
        {"from": "human", "value": "quetzalcoatl itinerary"},
        {"from": "gpt", "value": "ok"},
    ]
    strategy = campaign_batches(batch_size=4, seed_chats=[seed_chat], dictionary=phrases)
    quick = settings(
        database=None,
        max_examples=2000,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )

    def has(word: str) -> object:
        return lambda batch: any(word in str(m.get("value", "")).lower() for c in batch for m in c)

    assert find(strategy, has("quetzalcoatl"), settings=quick)
    assert find(strategy, has("much appreciated"), settings=quick)


@pytest.mark.slow
def test_saved_cases_carry_their_tier_a_diff(tmp_path: Path) -> None:
    """A saved case's diff.tier_a must show the difference its Tier-A table shows, not {}."""
    _, campaign, _ = run(tmp_path, CampaignSettings(seed=3, max_examples=200))
    gratitude = campaign.best[GRATITUDE].diff["tier_a"]
    assert "interaction.satisfaction.gratitude" in str(gratitude)
    crash = campaign.best[CRASH].diff["tier_a"]
    assert crash["candidate"]["discriminator"] == "IndexError"


def test_no_hypothesis_warning_reaches_the_user(tmp_path: Path) -> None:
    """A huge example must not print Hypothesis's 'overly large repr' warning at the user."""
    import warnings

    from hypothesis.errors import HypothesisWarning

    huge = st.just([[{"from": "human", "value": "thanks ! " + "x" * 40_000}]])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        Campaign(
            parse_target(REF),
            parse_target(BUGGY),
            CampaignSettings(seed=1, max_examples=1, minimise=False),
            lambda event: None,
            strategy=huge,
        ).run()
    assert not [w for w in caught if issubclass(w.category, HypothesisWarning)]


def _shared(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> object:
    """A folder database, or one on a real Redis server (the multi-machine recipe)."""
    from fuzz.search.database import open_database

    if kind == "folder":
        return open_database(str(tmp_path / "db"), default_dir=None)
    url = request.getfixturevalue("redis_url")
    return open_database(url, default_dir=None)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["folder", "redis"])
def test_a_shared_database_hands_one_campaigns_bugs_to_the_next(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """A campaign must replay what another saved in a shared database before exploring."""
    from fuzz.search.events import RoundFinished

    key = f"signals-fuzz.test.{kind}.{tmp_path.name}".encode()
    shared = _shared(kind, tmp_path, request)
    first = run(
        tmp_path / "a",
        CampaignSettings(seed=3, max_examples=200, database=shared, database_key=key),  # type: ignore[arg-type]
    )[1]
    assert CRASH in first.best and list(shared.fetch(key))  # type: ignore[attr-defined]

    events: list[Event] = []
    settings = CampaignSettings(seed=99, max_examples=1, database=shared, database_key=key)  # type: ignore[arg-type]
    _, second, _ = run(tmp_path / "b", settings, events.append)
    kinds = [type(e).__name__ for e in events if isinstance(e, DivergenceFound | RoundFinished)]
    assert kinds[:2] == ["DivergenceFound", "DivergenceFound"], "replayed before exploring"
    assert {CRASH, GRATITUDE} <= set(second.best)
    assert [m["value"] for m in second.best[CRASH].conversation] == ["BOOM"]
