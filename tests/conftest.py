"""Shared fixtures: specs of the misbehaving fixture analyzers."""

from __future__ import annotations

import shlex
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).parent.parent


def misbehaving_spec(mode: str) -> str:
    """The cmd: spec of the fixture replay program in ``mode``."""
    script = FIXTURES / "replay_misbehaving.py"
    return f"cmd:{shlex.quote(sys.executable)} {shlex.quote(str(script))} {mode}"


def example_replay_spec(variants: str = "") -> str:
    """The cmd: spec of the example analyzer's replay program, with planted variants."""
    spec = f"cmd:{shlex.quote(sys.executable)} -m fuzz.examples.replay"
    return f"{spec} --variant {variants}" if variants else spec


def strict_replay_spec(variants: str = "") -> str:
    """The cmd: spec of the example replay program reading input as strictly as the port."""
    spec = f"cmd:{shlex.quote(sys.executable)} -m fuzz.examples.replay --strict"
    return f"{spec} --variant {variants}" if variants else spec


@pytest.fixture
def cmd_spec() -> Callable[[str], str]:
    return misbehaving_spec
