"""The defaults every stage and the command line share, in one module that imports nothing.

The CLI shows them in ``--help`` before it imports any stage, so they live
here rather than in the modules that use them.
"""

from __future__ import annotations

#: Conversations per example (per replay process). A real port takes about
#: 2.5 ms to start, as long as it takes to analyse three conversations: in
#: batches of 8 starting cost a campaign a third as much as the analysis, in
#: batches of 16 a sixth. Shrinking works on single conversations, so the
#: batch size does not change what a bug shrinks to.
BATCH_SIZE = 16

#: Seconds one batch on a ``cmd:`` target, or one conversation on a ``py:``
#: target, may take before it counts as a hang.
TIMEOUT = 10.0

#: Relative change of the Tier-B or Tier-C rate between two runs reported as drift.
DRIFT_THRESHOLD = 0.2

#: The example database key a campaign saves under unless its inputs give it one of its own.
DATABASE_KEY = b"signals-fuzz.campaign"

#: The two sides when none is named: the Python reference and the Rust port's replay program.
REFERENCE = "py:signals.analyzer:SignalAnalyzer"
CANDIDATE = "cmd:signals_replay"
