"""What every worker process jiesu starts does first (batch scoring, training folds)."""

from __future__ import annotations

import sys


def die_with_parent() -> None:
    """On Linux, have the kernel kill this worker when the process that started it dies (even by SIGKILL),
    so that no orphan keeps working (and holding its parent's files and locks) after its run was killed."""
    if sys.platform != "linux":
        return
    import ctypes
    import signal

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
