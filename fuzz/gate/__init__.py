"""Stage 3, the gate: keep what was found and judge a release by it.

``corpus`` is the on-disk format of saved cases; ``replay`` reruns them,
``baseline`` says which divergences are accepted, ``release`` ties both into
the release gate; ``metrics``, ``parity`` and ``reports`` write what a run
found; ``seeds`` samples lmsys chats for the parity run.
"""
