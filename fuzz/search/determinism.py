"""Keep a seeded search independent of which modules happen to be imported.

Hypothesis mixes "local constants" into generation: literals it harvests from
every non-library module loaded so far. That is a fine bug-finding heuristic
for unit tests, but it makes a seeded campaign generate different inputs
depending on what else was imported (a pytest run of one file, the whole
suite, or the CLI): measured, the same seed found a planted bug alone and
missed it inside the full suite. Campaigns and coverage runs therefore search
with an empty local pool. The hook is internal to Hypothesis, so it is used
only if it is there; without it, searches are simply as Hypothesis makes them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any


@contextlib.contextmanager
def without_local_constants() -> Iterator[None]:
    """Run Hypothesis with no constants harvested from loaded modules."""
    try:
        from hypothesis.internal.conjecture import providers
    except ImportError:  # pragma: no cover - a Hypothesis without the hook
        yield
        return
    original: Any = getattr(providers, "_get_local_constants", None)
    constants_type: Any = getattr(providers, "Constants", None)
    cache: Any = getattr(providers, "CONSTANTS_CACHE", None)
    if original is None or constants_type is None or cache is None:
        yield
        return
    empty = constants_type()
    providers._get_local_constants = lambda: empty
    cache.cache.clear()
    try:
        yield
    finally:
        providers._get_local_constants = original
        cache.cache.clear()
