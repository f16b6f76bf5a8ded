"""Hypothesis strategies for conversations the signals analyzers read.

Public strategies are plural, keyword-configured functions; the builders
behind them are private to their modules. Importing this package imports
Hypothesis and attrs, nothing heavier.
"""

from __future__ import annotations

from strategies.conversations import (
    batches,
    boundary_conversations,
    conversations,
    messages,
)
from strategies.hazards import (
    hazard_chars,
    hazard_mutations,
    hazard_texts,
    json_hazard_texts,
    json_number_spellings,
    json_spellings,
)
from strategies.ladders import quality_ladders
from strategies.text import filler_texts, trigger_texts
from strategies.tool_traces import Conversation, Message, observations, tool_calls, tool_traces

__all__ = [
    "Conversation",
    "Message",
    "batches",
    "boundary_conversations",
    "conversations",
    "filler_texts",
    "hazard_chars",
    "hazard_mutations",
    "hazard_texts",
    "json_hazard_texts",
    "json_number_spellings",
    "json_spellings",
    "messages",
    "observations",
    "quality_ladders",
    "tool_calls",
    "tool_traces",
    "trigger_texts",
]
