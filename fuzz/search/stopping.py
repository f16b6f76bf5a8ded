"""Ctrl-C (or SIGTERM) stops a campaign once, even when Python loses the KeyboardInterrupt.

SIGTERM, what ``kill`` and most job runners send, is handled as Ctrl-C is: the
campaign stops cleanly, says so, and writes its summary and reports.

A SIGINT handler's KeyboardInterrupt is raised wherever the interpreter happens
to be. When that is a garbage-collector or weakref callback (Hypothesis
registers one), Python prints "Exception ignored in ..." with a traceback and
carries on: the campaign ran on, and a user read the traceback as a crash. So
the handler also sets a flag, the campaign's events check it (``check_stop``,
after every other sink has seen the event, so nothing found is lost) and raise
the interrupt again, and the lost one is not printed.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType
from typing import Any

from fuzz.search.events import CampaignFinished, Event

#: Set by a Ctrl-C while ``stopping_on_ctrl_c`` is active.
_STOPPING = threading.Event()


def _interrupt(signum: int, frame: FrameType | None) -> None:
    _STOPPING.set()
    raise KeyboardInterrupt


#: The signals that stop a campaign cleanly.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _interrupt_once(signum: int, frame: FrameType | None) -> None:
    """For workers: their parent forwards the terminal's Ctrl-C, so later ones are echoes."""
    for stop in STOP_SIGNALS:
        signal.signal(stop, signal.SIG_IGN)
    _interrupt(signum, frame)


def _drop_lost_interrupts(unraisable: Any) -> None:
    """``sys.unraisablehook``: a swallowed Ctrl-C is not an error to print.

    Its stop still happens (``check_stop``). Anything else, and an interrupt
    that did not come from a Ctrl-C, is reported as Python would.
    """
    if _STOPPING.is_set() and isinstance(unraisable.exc_value, KeyboardInterrupt):
        return
    sys.__unraisablehook__(unraisable)


def handle_ctrl_c(*, once: bool) -> None:
    """Install the Ctrl-C handling for good (a worker process, which ends with its campaign)."""
    for stop in STOP_SIGNALS:
        signal.signal(stop, _interrupt_once if once else _interrupt)
    sys.unraisablehook = _drop_lost_interrupts


@contextlib.contextmanager
def stopping_on_ctrl_c() -> Iterator[None]:
    """Ctrl-C handling for one campaign in this process; Python's own is restored after.

    Only the main thread can set signal handlers; elsewhere this does nothing
    and Ctrl-C behaves as Python's default.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    handlers = {stop: signal.getsignal(stop) for stop in STOP_SIGNALS}
    hook = sys.unraisablehook
    handle_ctrl_c(once=False)
    try:
        yield
    finally:
        for stop, handler in handlers.items():
            signal.signal(stop, handler)
        sys.unraisablehook = hook
        _STOPPING.clear()


def check_stop(event: Event) -> None:
    """A sink, last in line: raise the interrupt a callback swallowed, at the next event."""
    if _STOPPING.is_set() and not isinstance(event, CampaignFinished):
        raise KeyboardInterrupt
