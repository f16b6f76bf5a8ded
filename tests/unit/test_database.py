"""--database: folders, none, Redis (a real server), and every way a spec can be wrong."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

import pytest
from hypothesis.database import DirectoryBasedExampleDatabase

from fuzz.cli import main
from fuzz.errors import UsageError
from fuzz.search.database import open_database, resolve_database_spec
from tests.conftest import _free_port

OK_REF = "py:tests.fixtures.py_analyzers:Thanks"


def test_folder_spec_is_a_directory_database_that_keeps_entries(tmp_path: Path) -> None:
    """A folder spec must give a database whose entries a second opening sees."""
    first = open_database(str(tmp_path / "examples"), default_dir=None)
    assert isinstance(first, DirectoryBasedExampleDatabase)
    first.save(b"key", b"choices")
    again = open_database(str(tmp_path / "examples"), default_dir=None)
    assert again is not None and list(again.fetch(b"key")) == [b"choices"]


def test_no_spec_means_the_default_folder(tmp_path: Path) -> None:
    """Without --database the default folder must be used (and created), or none without one."""
    default = tmp_path / ".signals-fuzz" / "examples"
    database = open_database(None, default_dir=default)
    assert isinstance(database, DirectoryBasedExampleDatabase) and default.is_dir()
    assert database.path == default
    assert open_database(None, default_dir=None) is None


@pytest.mark.parametrize("spec", ["none", "NONE", " None "])
def test_none_disables_the_database(spec: str, tmp_path: Path) -> None:
    """'none' must switch the database off even when a default folder exists."""
    assert open_database(spec, default_dir=tmp_path) is None
    assert resolve_database_spec(spec, default_dir=tmp_path) is None


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ("ftp://host/db", "use a folder, redis://HOST:PORT/DB or none"),
        ("redis://127.0.0.1:notaport/0", "is not a Redis URL"),
    ],
)
def test_bad_specs_are_one_line_usage_errors(spec: str, words: str) -> None:
    """An unknown scheme or a malformed URL must be named, with what would be right."""
    with pytest.raises(UsageError) as raised:
        open_database(spec, default_dir=None)
    message = str(raised.value)
    assert f"--database={spec!r}" in message and words in message and "\n" not in message


def test_unwritable_folder_is_a_usage_error(tmp_path: Path) -> None:
    """A folder that cannot be created must be refused naming --database."""
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(UsageError, match="--database="):
        open_database(str(blocker / "examples"), default_dir=None)


def test_unreachable_redis_is_a_usage_error() -> None:
    """A Redis URL with no server behind it must fail at once, naming the flag and URL."""
    pytest.importorskip("redis")
    url = f"redis://127.0.0.1:{_free_port()}/0"
    with pytest.raises(UsageError) as raised:
        open_database(url, default_dir=None)
    message = str(raised.value)
    assert message.startswith(f"--database={url!r}: Redis server unreachable")
    assert "\n" not in message


def test_missing_redis_client_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the redis package the error must name the extra that brings it."""
    monkeypatch.setitem(sys.modules, "redis", None)
    monkeypatch.delitem(sys.modules, "hypothesis.extra.redis", raising=False)
    with pytest.raises(UsageError, match=r"pip install 'signals-fuzz\[redis\]'"):
        open_database("redis://127.0.0.1:6379/0", default_dir=None)


def test_redis_round_trip_between_two_clients(redis_url: str) -> None:
    """What one campaign saves in Redis, another (its own connection) must fetch."""
    key, value = uuid.uuid4().hex.encode(), b"\x00choice sequence\xff"
    writer = open_database(redis_url, default_dir=None)
    reader = open_database(redis_url, default_dir=None)
    assert writer is not None and reader is not None
    assert type(writer).__name__ == "RedisExampleDatabase"
    writer.save(key, value)
    assert list(reader.fetch(key)) == [value]
    reader.delete(key, value)
    assert list(writer.fetch(key)) == []


def _campaign_with_database(tmp_path: Path, database: str, *flags: str) -> int:
    """``signals-fuzz campaign`` on two agreeing sides, with ``--database`` and ``flags``."""
    return main(
        [
            "campaign",
            "--reference",
            OK_REF,
            "--candidate",
            OK_REF,
            "--corpus",
            str(tmp_path / "corpus"),
            "--shrunk",
            str(tmp_path / "shrunk"),
            "--database",
            database,
            *flags,
        ]
    )


def test_campaign_with_unreachable_redis_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The CLI must refuse an unreachable --database before the first example: one line, exit 2."""
    pytest.importorskip("redis")
    url = f"redis://127.0.0.1:{_free_port()}/0"
    code = _campaign_with_database(tmp_path, url, "--max-examples", "1")
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and url in err and "--database" in err


def test_bad_database_with_workers_is_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The database is checked in the parent: a bad one must not reach every worker as a
    traceback (exit 3) but stop the campaign as one line, exit 2."""
    code = _campaign_with_database(tmp_path, "ftp://x", "--max-examples", "4", "--workers", "2")
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "--database" in err and "ftp://x" in err
