"""Stage 2, the gate: keep what was found and judge a release by it.

``corpus`` stores saved cases (``fuzz.engine.case``), one per signature;
``replay`` reruns them, ``baseline`` says which divergences are accepted,
``release`` ties both into the release gate; ``metrics`` and
``report_files`` write what a run found (``--out``), ``reproducers`` the
Markdown write-up of one case; ``seed_files`` samples lmsys chats into seed files.
The gate imports the engine, never the search.
"""
