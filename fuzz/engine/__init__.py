"""Stage 1, the engine: run an analyzer on a conversation and judge two answers.

``targets`` runs ``py:`` and ``cmd:`` analyzers and turns every misbehaviour
into a ``Failure``; ``canonical`` splits a report into its tier views;
``compare`` judges two outcomes tier by tier and names Tier-A bugs.
"""
