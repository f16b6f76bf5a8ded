"""A corpus found by a real campaign between the toy analyzers, built once per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from fuzz.engine.targets import parse_target
from fuzz.gate.corpus import Corpus
from fuzz.gate.reproducers import render_reproducer
from fuzz.search.campaign import Campaign, CampaignSettings
from fuzz.search.sinks import CorpusRecorder
from tests.fixtures.toy_batches import TOY_BATCHES

THANKS = "py:tests.fixtures.py_analyzers:Thanks"
TWO_BUGS = "py:tests.fixtures.py_analyzers:TwoBugs"
GRATITUDE = "counts: interaction.satisfaction.gratitude ref>cand"
CRASH = "crash IndexError on candidate"

#: Small batches of toy conversations (``tests.fixtures.toy_batches``).


@pytest.fixture(scope="session")
def _toy_corpus_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("toy")
    corpus = Corpus.open(root / "corpus", root / "shrunk", render_reproducer)
    settings = CampaignSettings(seed=3, max_examples=150)
    Campaign(
        parse_target(THANKS),
        parse_target(TWO_BUGS),
        settings,
        CorpusRecorder(corpus),
        strategy=TOY_BATCHES,
    ).run()
    assert corpus.get(GRATITUDE) is not None and corpus.get(CRASH) is not None
    return root


@pytest.fixture
def toy_corpus(_toy_corpus_master: Path, tmp_path: Path) -> Path:
    """A private copy of ``corpus/`` and ``shrunk/`` (two cases: GRATITUDE and CRASH)."""
    root = tmp_path / "project"
    shutil.copytree(_toy_corpus_master, root)
    return root / "corpus"
