"""The one error type for user mistakes.

Everything a user can get wrong (a target spec, a path, a flag) raises
``UsageError`` with a message that repeats the bad value and says what would
be right. The CLI prints it as one line and exits 2. Failures *inside* an
analyzer are never raised: they are data (see ``fuzz.engine.outcomes.Failure``).

The exit codes every command shares are here too: 0 agreed (or only
accepted divergences), 1 an unaccepted divergence, 2 a usage error or a
result that could not be stored, 3 a crashed campaign worker.
"""

from __future__ import annotations

EXIT_OK, EXIT_DIVERGED, EXIT_USAGE, EXIT_WORKER_CRASHED = 0, 1, 2, 3


class UsageError(Exception):
    """A user mistake: one line, naming the culprit, exit code 2."""
