"""Evaluating coalitions: ``v(S)`` for many coalitions, serially, in processes or on Dask.

:func:`evaluate_coalitions` computes ``v(S)`` with any picklable cost function, in a local
process pool (one single-process pool per lane, so that a worker that dies is blamed on
exactly its coalition), in this process, or on a Dask cluster, retrying failures and
never returning a partial result: a coalition that still fails raises
:class:`CoalitionFailedError` and stops the other evaluations.

:func:`evaluate_tasks` runs any picklable function of independent keys on the same
executors with the same retries, but keeps going when one key fails: that key's result is a
:class:`TaskFailure` that says why (the location study, :mod:`vervoer.sharing.study`, lists
such a candidate as failed instead of leaving it out).
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
from collections import deque
from collections.abc import Callable, Hashable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, Literal, TypeVar, cast

from vervoer.core.cluster import dask_client
from vervoer.core.errors import VervoerError
from vervoer.core.processes import stop_pool
from vervoer.sharing.game import (
    Coalition,
    CostFn,
    all_coalitions,
    as_coalition,
    as_cost,
    check_players,
    coalition_label,
    coalition_order,
)

__all__ = [
    "CoalitionFailedError",
    "ExecutorName",
    "TaskFailure",
    "evaluate_coalitions",
    "evaluate_tasks",
]

_K = TypeVar("_K", bound=Hashable)
_R = TypeVar("_R")

ExecutorName = Literal["process", "serial", "dask"]
"""Where coalitions are evaluated: a local process pool, this process, or Dask."""


class CoalitionFailedError(VervoerError, RuntimeError):
    """The cost of a coalition could not be computed, also not after the retries.

    Attributes
    ----------
    coalition
        The coalition whose cost is missing.
    cause
        The last failure: the exception the cost function raised, ``BrokenProcessPool``
        when the worker process died, Dask's ``KilledWorker``, or the ``TypeError`` /
        ``ValueError`` for a result that is not a finite number.
    attempts
        How many times the evaluation was tried.
    """

    def __init__(self, coalition: Coalition, cause: BaseException | str, attempts: int = 1) -> None:
        self.coalition = coalition
        self.cause = cause
        self.attempts = attempts
        what = f"{type(cause).__name__}: {cause}" if isinstance(cause, BaseException) else cause
        tries = "1 attempt" if attempts == 1 else f"{attempts} attempts"
        super().__init__(
            f"the cost of coalition {coalition_label(coalition)} could not be computed "
            f"({tries}): {what}"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.coalition, self.cause, self.attempts))


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskFailure:
    """The result of a task of :func:`evaluate_tasks` that failed also after the retries.

    Attributes
    ----------
    error
        The last failure as ``"ExceptionType: message"`` (``BrokenProcessPool`` when the
        worker process died, Dask's ``KilledWorker``, or the task's own exception).
    attempts
        How many times the task was tried.
    """

    error: str
    attempts: int


# ----------------------------------------------------------------------------- executors


def _default_workers() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


_WORKER: dict[str, Callable[[Any], Any]] = {}


def _init_worker(payload: bytes) -> None:
    """Process-pool initializer: unpickle the cost function once per worker process."""
    _WORKER["cost_fn"] = pickle.loads(payload)


def _call_in_worker(key: Any) -> Any:
    """Process-pool task: call the cost function the initializer unpickled."""
    return _WORKER["cost_fn"](key)


def _call_cost(cost_fn: Callable[[Any], Any], key: Any) -> Any:
    """Dask task: call the (scattered) cost function."""
    return cost_fn(key)


def _coalition_cost(value: object, key: Hashable) -> object:
    """A coalition's result as a finite number (``TypeError``/``ValueError`` if not)."""
    return as_cost(value, cast("Coalition", key))


def _as_is(value: object, key: Hashable) -> object:
    """A task's result, unchanged."""
    return value


class _Tracker:
    """Results, attempts and progress of one evaluation run.

    ``keep_going=False`` (coalitions): a key that fails after its retries raises
    :class:`CoalitionFailedError`; ``keep_going=True`` (tasks): it gets a :class:`TaskFailure`.
    """

    def __init__(
        self,
        todo: list[Any],
        retries: int,
        progress: Callable[[int, int], None] | None,
        *,
        convert: Callable[[object, Hashable], object] = _coalition_cost,
        keep_going: bool = False,
    ) -> None:
        self.todo = todo
        self.retries = retries
        self.progress = progress
        self.convert = convert
        self.keep_going = keep_going
        self.results: dict[Any, object] = {}
        self.failed: dict[Any, TaskFailure] = {}
        self.attempts = dict.fromkeys(todo, 0)
        self.index = {s: i for i, s in enumerate(todo)}

    def done(self, s: Hashable) -> bool:
        """Whether a key has its result (or its final failure)."""
        return s in self.results or s in self.failed

    def _progressed(self) -> None:
        if self.progress is not None:
            self.progress(len(self.results) + len(self.failed), len(self.todo))

    def success(self, s: Hashable, value: object) -> bool:
        """Record a result; False (a counted failure) if it must be tried again."""
        try:
            value = self.convert(value, s)
        except (TypeError, ValueError) as exc:
            return not self.failure(s, exc)
        self.attempts[s] += 1
        self.results[s] = value
        self._progressed()
        return True

    def failure(self, s: Hashable, cause: BaseException) -> bool:
        """Count a failed attempt; True if it is to be tried again.

        Once the retries are used up: raise :class:`CoalitionFailedError`, or with
        ``keep_going`` record a :class:`TaskFailure` and return False.
        """
        self.attempts[s] += 1
        if self.attempts[s] <= self.retries:
            return True
        if not self.keep_going:
            raise CoalitionFailedError(cast("Coalition", s), cause, self.attempts[s]) from cause
        self.failed[s] = TaskFailure(
            error=f"{type(cause).__name__}: {cause}", attempts=self.attempts[s]
        )
        self._progressed()
        return False

    def ordered(self) -> dict[Any, Any]:
        """The results (and final failures) in the order of ``todo``."""
        missing = [s for s in self.todo if not self.done(s)]
        if missing:  # pragma: no cover - every path either records or raises
            msg = f"internal error: no result for {missing[0]!r}"
            raise RuntimeError(msg)
        return {s: self.results[s] if s in self.results else self.failed[s] for s in self.todo}


def _run_serial(track: _Tracker, cost_fn: Callable[[Any], Any]) -> None:
    """Evaluate in this process, one key after the other."""
    for s in track.todo:
        while not track.done(s):
            try:
                value = cost_fn(s)
            except Exception as exc:
                track.failure(s, exc)
            else:
                track.success(s, value)


def _run_processes(
    track: _Tracker, cost_fn: Callable[[Any], Any], workers: int, mp_context: str | None
) -> None:
    """One single-process pool per lane, so that a dying worker names its coalition."""
    try:
        payload = pickle.dumps(cost_fn)
    except Exception as exc:
        msg = (
            "cost_fn must be picklable to run in worker processes (a module-level function, "
            f"a functools.partial of one, or an instance of a module-level class): {exc}"
        )
        raise TypeError(msg) from exc
    method = mp_context or (
        "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    )
    ctx = multiprocessing.get_context(method)
    lanes: list[ProcessPoolExecutor | None] = [None] * max(1, min(workers, len(track.todo)))
    queue = deque(track.todo)
    running: dict[Future[Any], tuple[int, Any]] = {}
    finished = False
    pool: ProcessPoolExecutor | None

    def new_pool() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=1, mp_context=ctx, initializer=_init_worker, initargs=(payload,)
        )

    try:
        while queue or running:
            busy = {lane for lane, _ in running.values()}
            for lane in range(len(lanes)):
                if not queue:
                    break
                if lane in busy:
                    continue
                s = queue.popleft()
                pool = lanes[lane] = lanes[lane] or new_pool()
                try:
                    fut = pool.submit(_call_in_worker, s)
                except BrokenProcessPool:  # the idle worker died: not this coalition's fault
                    stop_pool(pool)
                    pool = lanes[lane] = new_pool()
                    fut = pool.submit(_call_in_worker, s)
                running[fut] = (lane, s)
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for fut in sorted(done, key=lambda f: track.index[running[f][1]]):
                lane, s = running.pop(fut)
                try:
                    value = fut.result()
                except BrokenProcessPool as exc:
                    pool = lanes[lane]
                    lanes[lane] = None
                    if pool is not None:
                        stop_pool(pool)
                    if track.failure(s, exc):
                        queue.appendleft(s)
                except Exception as exc:
                    if track.failure(s, exc):
                        queue.appendleft(s)
                else:
                    if not track.success(s, value):
                        queue.appendleft(s)
        finished = True
    finally:
        for pool in lanes:
            if pool is None:
                continue
            if finished:
                pool.shutdown(wait=True)
            else:
                stop_pool(pool)


def _run_dask(
    track: _Tracker,
    cost_fn: Callable[[Any], Any],
    scheduler_address: str | None,
    workers: int | None,
) -> None:
    """Evaluate on a Dask cluster: the given scheduler or a temporary local cluster."""
    from distributed import as_completed

    with dask_client(scheduler_address, workers) as client:
        # send the cost function (it may hold a large matrix) once to every worker
        [fn] = client.scatter([cost_fn], broadcast=True, hash=False)
        futures: dict[Any, Any] = {}
        for s in track.todo:
            futures[client.submit(_call_cost, fn, s, pure=False, retries=0)] = s
        pending = as_completed(list(futures), loop=client.loop)  # type: ignore[no-untyped-call]
        try:
            for fut in pending:
                s = futures.pop(fut)
                try:
                    value = fut.result()
                except (KeyboardInterrupt, SystemExit):
                    raise
                except BaseException as exc:  # KilledWorker, CancelledError, the task's
                    if not track.failure(s, exc):
                        continue
                else:
                    if track.success(s, value):
                        continue
                retry = client.submit(_call_cost, fn, s, pure=False, retries=0)
                futures[retry] = s
                pending.add(retry)  # type: ignore[no-untyped-call]
        finally:
            if futures:
                client.cancel(list(futures))


def evaluate_coalitions(
    players: Sequence[str],
    cost_fn: CostFn,
    *,
    coalitions: Iterable[Coalition] | None = None,
    executor: ExecutorName = "process",
    scheduler_address: str | None = None,
    max_workers: int | None = None,
    retries: int = 1,
    progress: Callable[[int, int], None] | None = None,
    mp_context: Literal["forkserver", "spawn", "fork"] | None = None,
) -> dict[Coalition, float]:
    """Compute ``v(S) = cost_fn(S)`` for every coalition, in parallel.

    Nothing is ever missing silently: an evaluation that fails (an exception, a result
    that is not a finite number, a worker process that dies) is retried ``retries`` times
    and then raises :class:`CoalitionFailedError`, and the other evaluations are stopped.
    An allocation is never computed from a partial game.

    Parameters
    ----------
    players
        The player names (unique).
    cost_fn
        ``v(S)`` for a coalition S (a frozenset of names), returning a number. For the
        ``process`` and ``dask`` executors it must be picklable: a module-level function,
        a :func:`functools.partial` of one, or an instance of a module-level class (like
        :class:`vervoer.sharing.compare.CoalitionCost`). It is sent once to each worker, not once
        per coalition.
    coalitions
        The coalitions to evaluate; default all ``2**n - 1``. Duplicates count once.
    executor
        ``"process"``: a :class:`~concurrent.futures.ProcessPoolExecutor` on the local
        cores, one single-process pool per worker so that a worker that dies (killed, out
        of memory, a crash in native code) is attributed to exactly its coalition and
        replaced. ``"serial"``: in this process, one after the other. ``"dask"``: a
        :class:`dask.distributed.Client` on ``scheduler_address``, or on a temporary
        ``LocalCluster`` (``max_workers`` or 2 worker processes, one thread each) that is
        closed afterwards.
    scheduler_address
        Dask scheduler, e.g. ``"tcp://10.0.0.5:8786"`` (``executor="dask"`` only).
    max_workers
        Worker processes for ``process`` (default: the usable cores) and for the
        temporary Dask cluster (default 2).
    retries
        How many times a failed evaluation is tried again (0: no retry). On Dask, the
        scheduler itself first re-runs a task whose worker died (up to
        ``distributed.scheduler.allowed-failures`` times) before it counts here as a
        failure (``KilledWorker``).
    progress
        Called as ``progress(done, total)`` in this process after each coalition.
    mp_context
        Start method of the worker processes; default ``forkserver`` where available
        (safe in a multi-threaded program), else ``spawn``.

    Returns
    -------
    dict
        ``v(S)`` per coalition, ordered by size and then names (singletons first), the same
        for every executor.

    Raises
    ------
    CoalitionFailedError
        If a coalition still fails after the retries.
    ValueError
        For bad players, coalitions, executor or numbers.
    TypeError
        If ``cost_fn`` cannot be pickled for the process executor.
    """
    names = check_players(players)
    known = frozenset(names)
    if coalitions is None:
        todo = all_coalitions(names)
    else:
        todo = sorted({as_coalition(s, known) for s in coalitions}, key=coalition_order)
    _check_options(executor, scheduler_address, max_workers, retries)
    track = _Tracker(todo, retries, progress)
    if not todo:
        return {}
    _run(track, cost_fn, executor, scheduler_address, max_workers, mp_context)
    return track.ordered()


def evaluate_tasks(
    keys: Sequence[_K],
    fn: Callable[[_K], _R],
    *,
    executor: ExecutorName = "process",
    scheduler_address: str | None = None,
    max_workers: int | None = None,
    retries: int = 1,
    progress: Callable[[int, int], None] | None = None,
    mp_context: Literal["forkserver", "spawn", "fork"] | None = None,
) -> dict[_K, _R | TaskFailure]:
    """Compute ``fn(key)`` for independent keys, in parallel, reporting every failure.

    The executors, the retries and the handling of dying workers are those of
    :func:`evaluate_coalitions`; the difference is that a key that still fails after the
    retries does not stop the others: its result is a :class:`TaskFailure` with the error.
    No key is ever missing from the result.

    Parameters
    ----------
    keys
        The keys (unique, hashable, picklable), e.g. the ids of candidates.
    fn
        The task: ``fn(key)`` returns any picklable result. For ``process`` and ``dask``
        it must be picklable itself (a module-level function, a :func:`functools.partial`
        of one, or an instance of a module-level class); it is sent once to each worker.
    executor, scheduler_address, max_workers, retries, progress, mp_context
        As for :func:`evaluate_coalitions`.

    Returns
    -------
    dict
        Per key, in the order of ``keys``: ``fn(key)``, or a :class:`TaskFailure`.

    Raises
    ------
    ValueError
        For duplicate keys or bad options.
    TypeError
        If ``fn`` cannot be pickled for the process executor.
    """
    todo = list(keys)
    if len(set(todo)) != len(todo):
        msg = "keys must be unique"
        raise ValueError(msg)
    _check_options(executor, scheduler_address, max_workers, retries)
    track = _Tracker(todo, retries, progress, convert=_as_is, keep_going=True)
    if not todo:
        return {}
    _run(track, fn, executor, scheduler_address, max_workers, mp_context)
    return cast("dict[_K, _R | TaskFailure]", track.ordered())


def _check_options(
    executor: str, scheduler_address: str | None, max_workers: int | None, retries: int
) -> None:
    """Raise ``ValueError`` for a bad executor, scheduler, worker count or retries."""
    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
        msg = f"retries must be an integer >= 0, got {retries!r}"
        raise ValueError(msg)
    if max_workers is not None and (
        isinstance(max_workers, bool) or not isinstance(max_workers, int) or max_workers < 1
    ):
        msg = f"max_workers must be an integer >= 1, got {max_workers!r}"
        raise ValueError(msg)
    if scheduler_address is not None and executor != "dask":
        msg = f"scheduler_address is only used with executor='dask', not {executor!r}"
        raise ValueError(msg)
    if executor not in ("process", "serial", "dask"):
        msg = f"unknown executor {executor!r}; expected 'process', 'serial' or 'dask'"
        raise ValueError(msg)


def _run(
    track: _Tracker,
    fn: Callable[[Any], Any],
    executor: str,
    scheduler_address: str | None,
    max_workers: int | None,
    mp_context: str | None,
) -> None:
    """Evaluate every key of ``track`` on the executor."""
    if executor == "serial":
        _run_serial(track, fn)
    elif executor == "process":
        _run_processes(track, fn, max_workers or _default_workers(), mp_context)
    else:
        _run_dask(track, fn, scheduler_address, max_workers)
