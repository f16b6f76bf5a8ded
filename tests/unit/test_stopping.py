"""Ctrl-C stops a campaign once, quietly, even when Python swallows the KeyboardInterrupt."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from fuzz.search import stopping
from fuzz.search.events import CampaignFinished, RoundFinished

#: A Ctrl-C arriving while the garbage collector runs a callback, as it can in a real
#: campaign (Hypothesis registers one): the handler's KeyboardInterrupt is swallowed there.
#: Then a real error in a callback, which must still be printed, and the next event.
_LOST_INTERRUPT = """
import contextlib, gc, os, signal, sys
from fuzz.search import stopping
from fuzz.search.events import RoundFinished
how = sys.argv[1]
if how == "worker":
    stopping.handle_ctrl_c(once=True)
    handling = contextlib.nullcontext()
elif how == "campaign":
    handling = stopping.stopping_on_ctrl_c()
else:
    signal.signal(signal.SIGINT, stopping._interrupt)
    handling = contextlib.nullcontext()
def callback(phase, info):
    if phase == "start":
        os.kill(os.getpid(), signal.SIGINT)
        sum(range(10_000))  # the handler runs here, inside the callback
class Broken:
    def __del__(self):
        raise ValueError("a real error in a callback")
with handling:
    gc.callbacks.append(callback)
    gc.collect()
    gc.callbacks.remove(callback)
    Broken()
    print("stopping" if stopping._STOPPING.is_set() else "running", flush=True)
    try:
        stopping.check_stop(RoundFinished(1, ()))
    except KeyboardInterrupt:
        print("stopped at the next event")
"""


@pytest.mark.slow
@pytest.mark.parametrize("how", ["worker", "campaign", "signal only"])
def test_a_swallowed_ctrl_c_stops_at_the_next_event_without_a_traceback(how: str) -> None:
    """A lost interrupt must not print a traceback a user reads as a crash; real errors must."""
    done = subprocess.run(
        [sys.executable, "-c", _LOST_INTERRUPT, how],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["stopping", "stopped at the next event"]
    assert "ValueError: a real error in a callback" in done.stderr
    # Python's own hook prints the lost interrupt; ours must not.
    assert ("KeyboardInterrupt" in done.stderr) == (how == "signal only"), done.stderr


def test_the_last_event_passes_and_nothing_stops_without_a_ctrl_c() -> None:
    """The finish must reach every sink after a stop; no stop must be invented."""
    stopping.check_stop(RoundFinished(1, ()))
    with stopping.stopping_on_ctrl_c():
        stopping._STOPPING.set()
        stopping.check_stop(CampaignFinished("interrupted", 0, 0, 0, 0, (), 0.0))
        with pytest.raises(KeyboardInterrupt):
            stopping.check_stop(RoundFinished(1, ()))
    assert not stopping._STOPPING.is_set()


def test_python_s_handlers_come_back_after_a_campaign() -> None:
    """A library caller's own Ctrl-C handling must not be left replaced."""
    before = signal.getsignal(signal.SIGINT), sys.unraisablehook
    with stopping.stopping_on_ctrl_c():
        assert signal.getsignal(signal.SIGINT) is stopping._interrupt
        assert sys.unraisablehook is stopping._drop_lost_interrupts
    assert (signal.getsignal(signal.SIGINT), sys.unraisablehook) == before
