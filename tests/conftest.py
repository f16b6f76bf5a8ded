"""Shared fixtures: specs of the misbehaving fixture analyzers, a throwaway Redis server."""

from __future__ import annotations

import shlex
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).parent.parent


def misbehaving_spec(mode: str) -> str:
    """The cmd: spec of the fixture replay program in ``mode``."""
    script = FIXTURES / "replay_misbehaving.py"
    return f"cmd:{shlex.quote(sys.executable)} {shlex.quote(str(script))} {mode}"


def example_replay_spec(variants: str = "") -> str:
    """The cmd: spec of the example analyzer's replay program, with planted variants."""
    spec = f"cmd:{shlex.quote(sys.executable)} -m fuzz.examples.replay"
    return f"{spec} --variant {variants}" if variants else spec


def strict_replay_spec(variants: str = "") -> str:
    """The cmd: spec of the example replay program reading input as strictly as the port."""
    return f"{example_replay_spec(variants)} --strict"


@pytest.fixture
def cmd_spec() -> Callable[[str], str]:
    return misbehaving_spec


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A throwaway redis-server on a free loopback port (no persistence), as a redis:// URL.

    Skips, saying why, where no server can be started: no ``redis-server``
    (``.ci/run`` installs Debian's package), no ``redis`` client, or a server
    that does not answer.
    """
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server not installed (apt-get install redis-server; .ci/run tries to)")
    try:
        import redis
    except ImportError:
        pytest.skip("the redis client is not installed (pip install 'signals-fuzz[redis]')")
    port = _free_port()
    workdir = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.exceptions.ConnectionError:
                if process.poll() is not None:
                    pytest.skip(f"redis-server exited with code {process.returncode} at start")
                time.sleep(0.1)
        else:
            pytest.skip(f"redis-server did not answer on 127.0.0.1:{port} within 10s")
        yield url
    finally:
        client.close()
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
