"""What every worker process jiesu starts does first (batch scoring, training folds)."""

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
