"""Hypothesis strategies for conversations the signals analyzers read.

Public strategies are plural, keyword-configured functions; the builders
behind them are private to their modules. The public names are loaded on
first use (PEP 562), so importing a light submodule such as
``strategies.rust_semantics`` (which the example analyzer's replay program
needs) does not import Hypothesis.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - names for type checkers and readers
    from strategies.conversations import batches as batches
    from strategies.conversations import boundary_conversations as boundary_conversations
    from strategies.conversations import conversations as conversations
    from strategies.conversations import messages as messages
    from strategies.crosslang_hazards import crosslang_conversations as crosslang_conversations
    from strategies.hazards import hazard_chars as hazard_chars
    from strategies.hazards import hazard_mutations as hazard_mutations
    from strategies.hazards import hazard_texts as hazard_texts
    from strategies.hazards import json_hazard_texts as json_hazard_texts
    from strategies.hazards import json_number_spellings as json_number_spellings
    from strategies.hazards import json_spellings as json_spellings
    from strategies.ladders import quality_ladders as quality_ladders
    from strategies.text import filler_texts as filler_texts
    from strategies.text import trigger_texts as trigger_texts
    from strategies.tool_traces import Conversation as Conversation
    from strategies.tool_traces import Message as Message
    from strategies.tool_traces import observations as observations
    from strategies.tool_traces import tool_calls as tool_calls
    from strategies.tool_traces import tool_traces as tool_traces

#: Public name -> the module that defines it.
_HOMES: dict[str, str] = {
    "batches": "strategies.conversations",
    "boundary_conversations": "strategies.conversations",
    "conversations": "strategies.conversations",
    "messages": "strategies.conversations",
    "crosslang_conversations": "strategies.crosslang_hazards",
    "hazard_chars": "strategies.hazards",
    "hazard_mutations": "strategies.hazards",
    "hazard_texts": "strategies.hazards",
    "json_hazard_texts": "strategies.hazards",
    "json_number_spellings": "strategies.hazards",
    "json_spellings": "strategies.hazards",
    "quality_ladders": "strategies.ladders",
    "filler_texts": "strategies.text",
    "trigger_texts": "strategies.text",
    "Conversation": "strategies.tool_traces",
    "Message": "strategies.tool_traces",
    "observations": "strategies.tool_traces",
    "tool_calls": "strategies.tool_traces",
    "tool_traces": "strategies.tool_traces",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    """Import the defining module of a public name on first use."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'strategies' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOMES])


class _Package(types.ModuleType):
    """Keeps a public name bound to the function, not to the submodule of the same name.

    Importing ``strategies.conversations`` binds the package attribute
    ``conversations`` to that submodule; the eager package rebound it to the
    function right after, and this does the same as the binding happens.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and _HOMES.get(name) == value.__name__:
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
