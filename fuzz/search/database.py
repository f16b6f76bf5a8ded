"""Where a campaign keeps Hypothesis's examples: a folder, a Redis server, or nowhere.

Hypothesis saves the choice sequence of every failing example in an
``ExampleDatabase``; a campaign that replays those entries first sees again,
at once, every bug that it or a campaign sharing the database has found. A
folder is enough for one machine (several workers share it safely: one file
per entry, written whole); Redis lets campaigns on several machines share
what they find.

``--database`` takes one spec:

* ``none``: keep nothing;
* ``redis://HOST:PORT/DB`` (or ``rediss://`` for TLS): Hypothesis's
  ``RedisExampleDatabase``; needs the optional ``redis`` client
  (``pip install 'signals-fuzz[redis]'``). The server is pinged at once, so an
  unreachable one is a usage error before the first example, not a traceback
  mid-campaign;
* anything else: a folder path.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis.database import DirectoryBasedExampleDatabase, ExampleDatabase

from fuzz.errors import UsageError

FLAG = "--database"
NONE = "none"
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
#: Seconds to wait for a Redis server before calling it unreachable.
CONNECT_TIMEOUT = 5.0


def resolve_database_spec(spec: str | None, *, default_dir: Path | None) -> str | None:
    """The spec a campaign (and each of its workers) opens: ``None`` when there is none.

    A missing ``spec`` means ``default_dir`` (or no database without one);
    ``none`` (any case) means no database.
    """
    if spec is None:
        return None if default_dir is None else str(default_dir)
    if spec.strip().lower() == NONE:
        return None
    return spec


def open_database(
    spec: str | None, *, default_dir: Path | None, flag: str = FLAG
) -> ExampleDatabase | None:
    """Open the database ``spec`` names (see the module docstring), or raise ``UsageError``."""
    resolved = resolve_database_spec(spec, default_dir=default_dir)
    if resolved is None:
        return None
    if resolved.lower().startswith(REDIS_SCHEMES):
        return _open_redis(resolved, flag)
    if "://" in resolved:
        raise UsageError(
            f"{flag}={resolved!r} is not a database; use a folder, redis://HOST:PORT/DB or none"
        )
    return _open_directory(Path(resolved), flag)


def _open_directory(path: Path, flag: str) -> ExampleDatabase:
    from fuzz.files import ensure_writable_dir

    return DirectoryBasedExampleDatabase(ensure_writable_dir(path, flag))


def _open_redis(url: str, flag: str) -> ExampleDatabase:
    """A ``RedisExampleDatabase`` on a server that answered a ping."""
    try:
        import redis
        from hypothesis.extra.redis import RedisExampleDatabase
    except ImportError:
        raise UsageError(
            f"{flag}={url!r} needs the redis client; install it with "
            "pip install 'signals-fuzz[redis]'"
        ) from None
    try:
        client = redis.Redis.from_url(
            url, socket_connect_timeout=CONNECT_TIMEOUT, socket_timeout=CONNECT_TIMEOUT
        )
    except ValueError as exc:
        raise UsageError(
            f"{flag}={url!r} is not a Redis URL ({exc}); use e.g. redis://127.0.0.1:6379/0"
        ) from None
    try:
        client.ping()
    except redis.exceptions.RedisError as exc:
        raise UsageError(
            f"{flag}={url!r}: Redis server unreachable: {_one_line(str(exc))}"
        ) from None
    return RedisExampleDatabase(client)


def _one_line(text: str) -> str:
    return " ".join(text.split()) or "no answer"
