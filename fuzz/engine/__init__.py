"""Stage 1, the engine: run an analyzer on a conversation and judge two answers.

``targets`` runs ``py:`` and ``cmd:`` analyzers and turns every misbehaviour
into a ``Failure``; ``canonical`` splits a report into its tier views;
``compare`` judges two outcomes tier by tier and names Tier-A bugs;
``explain`` finds what a shrunk case cannot lose and still diverge, by
neutralising edits judged by both targets, and ``causes`` groups explained
cases into root causes (``charclass`` names and classifies characters,
``jsontext`` reads and respells JSON as written).
"""
