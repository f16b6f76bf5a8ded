"""signals-fuzz: a property-based differential fuzzer for the signals analyzer."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("signals-fuzz")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0+unknown"
