"""Stopping a process pool at once (Ctrl-C, a failed task, a broken worker)."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor


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
