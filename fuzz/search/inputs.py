"""What a campaign draws: the one strategy that mixes every source of conversations.

Generated conversations always; mutated seed chats (``--seeds``) and texts
built from a target's own source (``--dictionary``) when given. Campaigns
and ``coverage`` both draw from here, so coverage measures what campaigns
generate.
"""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import strategies as st

from fuzz.engine.targets import Conversation

#: Default number of conversations per example (per replay process).
DEFAULT_BATCH_SIZE = 8


def campaign_batches(
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    seed_chats: Sequence[Conversation] = (),
    dictionary: Sequence[str] = (),
) -> st.SearchStrategy[list[Conversation]]:
    """Batches of ``campaign_conversations``: what one campaign example holds."""
    from strategies.conversations import batches

    elements = campaign_conversations(seed_chats=seed_chats, dictionary=dictionary)
    return batches(min_size=1, max_size=batch_size, elements=elements)


def campaign_conversations(
    *,
    seed_chats: Sequence[Conversation] = (),
    dictionary: Sequence[str] = (),
) -> st.SearchStrategy[Conversation]:
    """One conversation as a campaign draws it: generated, mixed with mutated seed
    chats (``--seeds``) and human turns built from phrases harvested from a
    target's source (``--dictionary``) when given."""
    from strategies.conversations import WINDOW, conversations
    from strategies.dictionary import dictionary_texts
    from strategies.seeds import seeded_conversations

    kinds: list[st.SearchStrategy[Conversation]] = [conversations(max_size=WINDOW + 1)]
    if seed_chats:
        kinds.append(seeded_conversations(seed_chats))
    if dictionary:
        human = dictionary_texts(dictionary).map(lambda text: {"from": "human", "value": text})
        kinds.append(st.lists(human, min_size=1, max_size=4))
    return st.one_of(kinds)
