"""What a campaign draws: the one strategy that mixes every source of conversations.

Generated conversations always; mutated seed chats (``--seeds``) and
conversations built from a target's own source (``--dictionary``: phrases
and regex matches placed in every role the analyzers read) when given.
Campaigns and ``coverage`` both draw from here, so coverage measures what
campaigns generate.
"""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import strategies as st

from fuzz.defaults import BATCH_SIZE as DEFAULT_BATCH_SIZE
from fuzz.engine.outcomes import Conversation
from strategies.dictionary import Dictionary


def campaign_conversations(
    *,
    seed_chats: Sequence[Conversation] = (),
    dictionary: Dictionary | Sequence[str] = (),
) -> st.SearchStrategy[Conversation]:
    """One conversation as a campaign draws it: generated, or a mutated seed chat
    (``--seeds``), or one built from what was harvested (``--dictionary``).

    ``dictionary`` is a harvested ``Dictionary``, or bare phrases.
    """
    from strategies.conversations import WINDOW, conversations
    from strategies.dictionary import dictionary_conversations
    from strategies.seeds import seeded_conversations

    kinds: list[st.SearchStrategy[Conversation]] = [conversations(max_size=WINDOW + 1)]
    if seed_chats:
        kinds.append(seeded_conversations(seed_chats))
    harvested = Dictionary.of(dictionary)
    if harvested:
        kinds.append(dictionary_conversations(harvested))
    return st.one_of(kinds)


def campaign_batches(
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    seed_chats: Sequence[Conversation] = (),
    dictionary: Dictionary | Sequence[str] = (),
) -> st.SearchStrategy[list[Conversation]]:
    """What a campaign draws: full batches of ``campaign_conversations``."""
    elements = campaign_conversations(seed_chats=seed_chats, dictionary=dictionary)
    return full_batches(batch_size, elements)


def full_batches(
    batch_size: int, elements: st.SearchStrategy[Conversation]
) -> st.SearchStrategy[list[Conversation]]:
    """Batches of exactly ``batch_size``: bugs shrink on single conversations, never on the
    batch, so a batch need not shrink, and a replay process is started for ``batch_size``
    conversations rather than the handful an ``st.lists`` draws on average."""
    from strategies.conversations import batches

    return batches(min_size=batch_size, max_size=batch_size, elements=elements)
