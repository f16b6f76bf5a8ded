"""signals-fuzz: a property-based differential fuzzer for the signals analyzer."""

from __future__ import annotations

from functools import cache


@cache
def _installed_version() -> str:
    # importlib.metadata costs ~100 ms to import; the example replay program
    # imports this package once per batch, so the lookup waits until asked.
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("signals-fuzz")
    except PackageNotFoundError:  # a checkout that was never installed
        return "0+unknown"


def __getattr__(name: str) -> str:
    if name == "__version__":
        return _installed_version()
    raise AttributeError(f"module 'fuzz' has no attribute {name!r}")
