"""The one error type for user mistakes.

Everything a user can get wrong (a target spec, a path, a flag) raises
``UsageError`` with a message that repeats the bad value and says what would
be right. The CLI prints it as one line and exits 2. Failures *inside* an
analyzer are never raised: they are data (see ``fuzz.engine.targets.Failure``).
"""

from __future__ import annotations


class UsageError(Exception):
    """A user mistake: one line, naming the culprit, exit code 2."""
