"""Trigger lexicons: for every leaf type, wordings that should fire it and near misses.

Written by us for this project. Matchers in the analyzers are fuzzy, so the
near misses (typos, inflections, partial phrases) sit on the boundary of a
match, which is exactly where two implementations disagree.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from strategies.signal_types import LEAF_TYPES


@attrs.frozen
class Lexicon:
    """Wordings for one leaf type.

    ``triggers`` should fire the leaf on a faithful analyzer; ``near_misses``
    are close to a trigger and may or may not fire, on purpose.
    """

    signal_type: str
    triggers: tuple[str, ...]
    near_misses: tuple[str, ...] = ()


# Filled in per leaf below; every key of LEAF_TYPES has an entry.
LEXICONS: Mapping[str, Lexicon] = {
    t: Lexicon(signal_type=t, triggers=()) for t in LEAF_TYPES
}
