"""The training worker pool: (func, args) tasks in forked worker processes that the parent watches
(a worker that dies is an error, not a hang; Ctrl-C stops them all; they die with the parent)."""

from __future__ import annotations

from .errors import StanceframeError

def _call(task):
    func, args = task
    return func(*args)


def _worker(tasks, conn, parent: int) -> None:
    """Run the tasks whose indices arrive on `conn` until None arrives; send back (index, ok, value)."""
    import signal

    from .lifeline import die_with_parent

    die_with_parent(parent)  # a killed parent must not leave a worker busy or blocked
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it stops the workers
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    while True:
        try:
            i = conn.recv()
        except EOFError:  # the parent is gone
            return
        if i is None:
            return
        try:
            result = (i, True, _call(tasks[i]))
        except BaseException as exc:  # noqa: BLE001 - handed to the parent, which raises it
            result = (i, False, exc)
        try:
            conn.send(result)
        except Exception as exc:  # noqa: BLE001 - a value or exception that does not pickle
            conn.send((i, False, RuntimeError(repr(exc))))


def run_tasks(tasks, n_jobs: int) -> list:
    """Run (func, args) tasks in `n_jobs` worker processes; results in the order given.

    On Linux the workers are forked, so they inherit the tasks and the imported libraries: a
    spawned worker (joblib's default) imports scikit-learn again, which cost about 2.5 s of an
    11 s run on a 2-core machine. The parent watches them, so that a worker that dies (out of
    memory) is an error rather than a hang, and Ctrl-C stops them all. Elsewhere (fork is unsafe
    on macOS) joblib spawns. Tasks start in the order given, so callers put the longest first.
    """
    import sys

    if n_jobs <= 1 or len(tasks) <= 1:
        return [_call(t) for t in tasks]
    if not sys.platform.startswith("linux"):
        from joblib import Parallel, delayed

        return Parallel(n_jobs=n_jobs)(delayed(_call)(t) for t in tasks)
    import multiprocessing
    import os
    from multiprocessing.connection import wait

    ctx = multiprocessing.get_context("fork")
    results: list = [None] * len(tasks)
    todo = iter(range(len(tasks)))
    workers, active = [], {}  # all worker processes; pipe -> process of those with a task in flight

    def died(proc):
        proc.join()
        return StanceframeError(f"a training worker process died (exit code {proc.exitcode}; out of memory?); "
                                "nothing was written; try --n-jobs 1")

    try:
        for _ in range(min(n_jobs, len(tasks))):
            conn, child_end = ctx.Pipe()
            proc = ctx.Process(target=_worker, args=(tasks, child_end, os.getpid()), daemon=True)
            proc.start()
            child_end.close()
            workers.append(proc)
            conn.send(next(todo))
            active[conn] = proc
        while active:
            ready = wait([*active, *(p.sentinel for p in active.values())])
            for conn, proc in list(active.items()):
                if conn in ready:  # read a result before anything else: a large one fills the pipe
                    try:
                        i, ok, value = conn.recv()
                    except EOFError:
                        raise died(proc) from None
                    if not ok:
                        raise value
                    results[i] = value
                    nxt = next(todo, None)
                    conn.send(nxt)
                    if nxt is None:
                        del active[conn]
                elif proc.sentinel in ready:
                    raise died(proc)
    finally:
        for proc in workers:
            proc.terminate()  # idle workers wait for their next task; an error leaves others busy
        for proc in workers:
            proc.join()
    return results
