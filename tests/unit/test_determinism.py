"""Seeded searches must not depend on which modules happen to be imported."""

from __future__ import annotations

from hypothesis.internal.conjecture import providers

import fuzz.cli  # noqa: F401 - a project module full of string literals, loaded on purpose
from fuzz.search.determinism import without_local_constants


def test_harvested_literals_are_hidden_from_seeded_searches() -> None:
    """Literals Hypothesis harvests from loaded project modules must not reach a seeded search."""
    outside = providers._get_local_constants()
    assert len(outside) > 0  # this project's own literals, e.g. its CLI flags
    with without_local_constants():
        assert len(providers._get_local_constants()) == 0
    assert providers._get_local_constants() is outside
