"""Stopping a run cleanly on SIGTERM and SIGINT, and workers that never outlive their parent.

Contract (README "Guarantees"):

- In the process that runs ``make``, SIGTERM and SIGINT raise :class:`Stopped` in the main
  thread. The engine then terminates its workers, removes temporary files, refreshes the
  manifest and re-raises; the CLI prints one line ("stopped; rerun the same command to
  resume") and exits 128 + the signal number (143 for SIGTERM, 130 for SIGINT). Further
  signals are ignored while that clean-up runs, so a second Ctrl-C cannot leave it half done.
- Pool workers ignore SIGINT (Ctrl-C reaches the whole foreground process group; the parent
  coordinates the stop) and turn SIGTERM into :class:`Stopped` inside a running shard, so the
  shard aborts and deletes its temporary files before the worker exits.
- Workers die with their parent: on Linux the kernel sends them SIGTERM when the parent dies
  (``PR_SET_PDEATHSIG``), elsewhere a watchdog thread notices the parent is gone. A worker
  therefore never blocks forever on a dead parent's queue.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
STOPPED_MESSAGE = "synthgen: stopped; rerun the same command to resume"
_PR_SET_PDEATHSIG = 1


class Stopped(KeyboardInterrupt):
    """The run was asked to stop by a signal. A KeyboardInterrupt, so code that already
    handles Ctrl-C (notebooks, ``except KeyboardInterrupt``) treats it the same way."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"stopped by {signal.Signals(signum).name}")
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


def _raise_stopped(signum: int, frame: Any) -> None:
    for sig in STOP_SIGNALS:  # one clean-up at a time: later signals wait for it
        signal.signal(sig, signal.SIG_IGN)
    raise Stopped(signum)


def install_stop_handlers() -> None:
    """From now on SIGTERM/SIGINT raise :class:`Stopped` (main thread only)."""
    for sig in STOP_SIGNALS:
        signal.signal(sig, _raise_stopped)


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """Within the block, SIGTERM/SIGINT raise :class:`Stopped` in the main thread; the
    previous handlers come back afterwards. Outside the main thread (where Python cannot
    install handlers) the block runs unchanged."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS}
    install_stop_handlers()
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


# --- worker side ------------------------------------------------------------------------

_in_task = False


def _worker_sigterm(signum: int, frame: Any) -> None:
    if _in_task:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise Stopped(signum)  # the shard aborts (temporary files removed), then we exit
    os._exit(128 + signum)


def init_worker(parent_pid: int) -> None:
    """Signal set-up of a pool worker process (see the module docstring)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _worker_sigterm)
    if not _die_with_parent_linux():
        threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True).start()
    if os.getppid() != parent_pid:  # the parent died before the death signal was armed
        os._exit(128 + signal.SIGTERM)


def run_task(fn: Any, task: Any) -> Any:
    """Run ``fn(task)`` in a worker; a SIGTERM during it aborts the task, then the worker."""
    global _in_task
    _in_task = True
    try:
        return fn(task)
    except Stopped as stopped:
        sys.stderr.flush()
        os._exit(stopped.exit_code)
    finally:
        _in_task = False


def _die_with_parent_linux() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    import ctypes  # here, not at the top: the entry point imports this module first thing

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch_parent(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(0.5)
    os.kill(os.getpid(), signal.SIGTERM)
