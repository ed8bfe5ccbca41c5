"""Worker processes that end with their parent, and signals that end a run through its cleanup.

A forked worker blocked on its task queue would wait forever once the parent is killed: on Linux
it asks the kernel (prctl PR_SET_PDEATHSIG) for SIGKILL when the parent dies, and checks that the
parent did not die before it asked. SIGTERM and SIGHUP are turned into KeyboardInterrupt in the
CLIs, so a terminated run removes its temporary files as Ctrl-C does.
"""

from __future__ import annotations

import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int) -> None:
    """Call first thing in a forked worker: it is killed when `parent_pid` exits."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # no prctl: the check below still covers a dead parent
            pass
    if os.getppid() != parent_pid:  # the parent died before the request was made
        os._exit(1)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def terminate_as_interrupt() -> None:
    """SIGTERM and SIGHUP raise KeyboardInterrupt, so cleanup code runs as for Ctrl-C."""
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _interrupt)


def cores() -> int:
    """CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def capped_jobs(jobs: int, option: str, say=None) -> int:
    """`jobs` worker processes, at most one per core (more only queue, and fork without bound)."""
    n = cores()
    if jobs > n:
        if say:
            say(f"note: {option} {jobs} is more than the {n} core(s) here; using {n}")
        return n
    return jobs
