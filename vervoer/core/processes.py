"""Worker processes: starting them safely, running independent calls side by side, stopping.

The planner runs independent work in forked worker processes: the days of a week
(:func:`vervoer.routing.planner.plan_week`), and, where cores are left over, the pools of
a day, the seat-layout choices of a trip and the parts of a large trip
(:func:`run_parallel`). Every worker leaves Ctrl-C to the main process and dies with it
(:func:`worker_init`); a pool is stopped at once, not after its running solves
(:func:`stop_pool`).
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

_R = TypeVar("_R")

_STOP_SIGNALS = frozenset({signal.SIGINT, signal.SIGTERM})


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """Stop a process pool now: cancel what is queued, kill what is running, reap.

    ``shutdown`` alone waits for the running tasks (a solve can take minutes); the
    worker processes are killed instead and joined, so none is left behind.
    """
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in processes:
        if proc.is_alive():
            proc.kill()
    for proc in processes:
        proc.join()
    pool.shutdown(wait=True)


@contextmanager
def signals_held() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM back while a pool forks its workers; deliver them after.

    A fork inherits the blocked signals, so a worker receives none before
    :func:`worker_init` has set its own handlers (no traceback from a half-started worker).
    """
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - not on POSIX
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def worker_init(parent: int) -> None:
    """Process-pool initializer: leave Ctrl-C to the main process and die with it.

    Ctrl-C in a terminal reaches every process of the group; the workers ignore it, and
    the main process stops them (:func:`stop_pool`). SIGTERM gets its default action back
    (the CLI turns it into an exception in the main process, which a fork inherits), so
    that stopping a worker is immediate even inside the solver. On Linux a worker is also
    killed when its parent process dies (``kill -9``), instead of solving on as an orphan.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)  # see signals_held
    if not sys.platform.startswith("linux") or os.getppid() != parent:
        return
    try:
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, int(signal.SIGKILL))
    except (OSError, AttributeError):  # pragma: no cover - no prctl: best effort
        return
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def new_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` forked processes set up by :func:`worker_init`."""
    return ProcessPoolExecutor(
        max_workers=workers, initializer=worker_init, initargs=(os.getpid(),)
    )


def run_parallel(fn: Callable[..., _R], calls: Sequence[tuple[Any, ...]], workers: int) -> list[_R]:
    """``[fn(*args) for args in calls]``, in up to ``workers`` worker processes.

    With one worker or one call everything runs in this process. The results come in the
    order of ``calls`` and do not depend on ``workers``. The first exception of a call is
    raised here (the other calls are stopped); so is Ctrl-C.

    Parameters
    ----------
    fn
        A module-level function (it and the arguments are pickled to the workers).
    calls
        The positional arguments of each call.
    workers
        Processes to use at most.

    Returns
    -------
    list
        One result per call.
    """
    if workers <= 1 or len(calls) <= 1:
        return [fn(*args) for args in calls]
    pool = new_pool(min(workers, len(calls)))
    try:
        with signals_held():  # the workers are forked here
            futures = [pool.submit(fn, *args) for args in calls]
        results = [f.result() for f in futures]
    except BaseException:  # Ctrl-C, SIGTERM, a failed call: do not wait for the others
        stop_pool(pool)
        raise
    pool.shutdown(wait=True)
    return results
