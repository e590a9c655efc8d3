"""How jiesu's processes end: a command unwinds on SIGTERM as on Ctrl-C; a worker it starts (batch scoring,
training folds) dies with it."""

from __future__ import annotations

import signal
import sys


def die_with_parent() -> None:
    """On Linux, have the kernel kill this worker when the process that started it dies (even by SIGKILL),
    so that no orphan keeps working (and holding its parent's files and locks) after its run was killed.
    SIGTERM ends a worker at once, as by default: the command line's handler (which unwinds the parent's
    `with` blocks) is inherited by a fork and is not meant for a worker."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if sys.platform != "linux":
        return
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)


class Terminated(BaseException):
    """SIGTERM, raised where the process is, so that `with` blocks and `finally` clauses run."""


def _raise_terminated(_signum: int, _frame: object) -> None:
    raise Terminated


def unwind_on_sigterm() -> None:
    """SIGTERM (kill, a supervisor stopping a long `train` or `rescore`) raises `Terminated` in the main
    thread, so that temporary folders are removed and worker pools shut down on the way out."""
    signal.signal(signal.SIGTERM, _raise_terminated)
