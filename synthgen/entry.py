"""The ``synthgen`` console script and ``python -m synthgen``: take SIGTERM and SIGINT first.

The CLI imports click, pydantic, numpy and the registries before it can run a command. A
signal during those imports would otherwise kill the process with no word (SIGTERM) or a
``KeyboardInterrupt`` traceback (SIGINT). So the stop handlers go in before anything heavy is
imported; a stop that early has written nothing and ends with the usual line and exit code.
Only the interpreter's own start-up, before this module runs, is left to the defaults.
"""

from __future__ import annotations

import signal
import sys

from synthgen.stopping import STOP_SIGNALS, STOPPED_MESSAGE, Stopped, install_stop_handlers


def main() -> None:
    install_stop_handlers()
    try:
        from synthgen.cli import main as cli_main

        cli_main()
    except Stopped as stopped:  # during the imports above (the CLI reports later ones)
        sys.stderr.write(STOPPED_MESSAGE + "\n")
        sys.exit(stopped.exit_code)
    finally:
        # The command is over: a signal now would only meet the interpreter's shutdown,
        # where the default action would turn a finished run's exit code into -15.
        for sig in STOP_SIGNALS:
            signal.signal(sig, signal.SIG_IGN)
