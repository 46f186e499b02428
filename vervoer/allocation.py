"""Dividing a shared cost fairly: Shapley value, simple keys, and the core.

Pure and solver-independent: a :class:`CostGame` holds the cost ``v(S)`` of coalitions of
players (organisations). :func:`evaluate_coalitions` computes those costs with any
picklable cost function, locally in a process pool or on a Dask cluster.
"""

from __future__ import annotations

import itertools
import math
import random
import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Literal

Coalition = frozenset[str]
CostFn = Callable[[Coalition], float]


class CoalitionFailedError(RuntimeError):
    """A coalition's cost could not be computed (after retries)."""

    def __init__(self, coalition: Coalition, cause: BaseException | str) -> None:
        self.coalition = coalition
        self.cause = cause
        super().__init__(f"coalition {' + '.join(sorted(coalition))} failed: {cause}")


@dataclass(frozen=True, slots=True)
class CostGame:
    """A cooperative cost game: ``costs[S]`` is the cost of coalition S on its own."""

    players: tuple[str, ...]
    costs: Mapping[Coalition, float]

    def __post_init__(self) -> None:
        known = set(self.players)
        for s in self.costs:
            if not s or not s <= known:
                msg = f"coalition {sorted(s)} has unknown or no players; players: {self.players}"
                raise ValueError(msg)
        if frozenset(self.players) not in self.costs:
            msg = "the grand coalition's cost v(N) is missing"
            raise ValueError(msg)

    def v(self, s: Iterable[str]) -> float:
        """Cost of a coalition (0 for the empty one)."""
        s = frozenset(s)
        if not s:
            return 0.0
        if s not in self.costs:
            msg = f"cost of coalition {' + '.join(sorted(s))} is missing"
            raise KeyError(msg)
        return float(self.costs[s])


def all_coalitions(players: Sequence[str]) -> list[Coalition]:
    """Every non-empty coalition, by size then names."""
    return [
        frozenset(c)
        for size in range(1, len(players) + 1)
        for c in itertools.combinations(sorted(players), size)
    ]


def shapley(game: CostGame) -> dict[str, float]:
    """Exact Shapley value: sum over coalitions S not containing i of
    ``|S|! (n-|S|-1)! / n! * (v(S + i) - v(S))``."""
    n = len(game.players)
    out = {}
    for i in game.players:
        others = [p for p in game.players if p != i]
        total = 0.0
        for size in range(n):
            weight = math.factorial(size) * math.factorial(n - size - 1) / math.factorial(n)
            for c in itertools.combinations(others, size):
                total += weight * (game.v([*c, i]) - game.v(c))
        out[i] = total
    return out


@dataclass(frozen=True, slots=True)
class SampledShapley:
    """A permutation-sampling estimate of the Shapley value."""

    values: dict[str, float]
    stderr: dict[str, float]
    ci95: dict[str, tuple[float, float]]
    permutations: int
    coalitions_evaluated: int


def shapley_sampled(
    players: Sequence[str], cost_fn: CostFn, *, n_permutations: int, seed: int = 0
) -> SampledShapley:
    """Estimate the Shapley value from random permutations (with their reverses).

    Deterministic for a seed; the cost function is called once per distinct coalition.
    """
    rng = random.Random(seed)
    cache: dict[Coalition, float] = {frozenset(): 0.0}

    def v(s: Coalition) -> float:
        if s not in cache:
            cache[s] = float(cost_fn(s))
        return cache[s]

    samples: dict[str, list[float]] = {p: [] for p in players}
    for _ in range(max(1, n_permutations // 2)):
        order = list(players)
        rng.shuffle(order)
        for perm in (order, order[::-1]):
            acc: Coalition = frozenset()
            for p in perm:
                nxt = acc | {p}
                samples[p].append(v(nxt) - v(acc))
                acc = nxt
    values, stderr, ci = {}, {}, {}
    for p, xs in samples.items():
        mean = statistics.fmean(xs)
        se = statistics.stdev(xs) / math.sqrt(len(xs)) if len(xs) > 1 else 0.0
        values[p], stderr[p], ci[p] = mean, se, (mean - 1.96 * se, mean + 1.96 * se)
    return SampledShapley(values, stderr, ci, 2 * max(1, n_permutations // 2), len(cache) - 1)


def standalone_weights(game: CostGame) -> dict[str, float]:
    """Each player's stand-alone cost v({i})."""
    return {p: game.v([p]) for p in game.players}


def proportional(game: CostGame, weights: Mapping[str, float]) -> dict[str, float]:
    """Split v(N) in proportion to ``weights``."""
    total = sum(weights[p] for p in game.players)
    vn = game.v(game.players)
    if total <= 0:
        return {p: vn / len(game.players) for p in game.players}
    return {p: vn * weights[p] / total for p in game.players}


@dataclass(frozen=True, slots=True)
class CoreCheck:
    """Whether an allocation is in the core, and which coalitions would object."""

    in_core: bool
    efficient: bool
    violations: tuple[tuple[Coalition, float], ...] = field(default_factory=tuple)


def core_check(game: CostGame, allocation: Mapping[str, float], *, tol: float = 1e-6) -> CoreCheck:
    """Efficiency and, for every evaluated coalition S, ``sum_{i in S} x_i <= v(S)``."""
    efficient = abs(sum(allocation.values()) - game.v(game.players)) <= tol * max(
        1.0, abs(game.v(game.players))
    )
    bad = []
    for s, cost in game.costs.items():
        excess = sum(allocation[p] for p in s) - cost
        if excess > tol * max(1.0, abs(cost)):
            bad.append((s, excess))
    bad.sort(key=lambda x: -x[1])
    return CoreCheck(efficient and not bad, efficient, tuple(bad))


def least_core(game: CostGame) -> tuple[float, dict[str, float]]:
    """The least-core epsilon and a point of the least core (linear program, HiGHS).

    min eps s.t. sum_{i in S} x_i <= v(S) + eps for every proper coalition S, sum x = v(N).
    """
    from scipy.optimize import linprog

    players = list(game.players)
    n = len(players)
    grand = frozenset(players)
    a_ub, b_ub = [], []
    for s, cost in game.costs.items():
        if s == grand:
            continue
        a_ub.append([1.0 if p in s else 0.0 for p in players] + [-1.0])
        b_ub.append(cost)
    res = linprog(
        c=[0.0] * n + [1.0],
        A_ub=a_ub or None,
        b_ub=b_ub or None,
        A_eq=[[1.0] * n + [0.0]],
        b_eq=[game.v(players)],
        bounds=[(None, None)] * (n + 1),
        method="highs",
    )
    if not res.success:  # pragma: no cover - the LP is always feasible and bounded here
        msg = f"least-core LP failed: {res.message}"
        raise RuntimeError(msg)
    return float(res.x[-1]), {p: float(x) for p, x in zip(players, res.x[:-1], strict=True)}


def core_is_empty(game: CostGame, *, tol: float = 1e-6) -> bool:
    """Whether no allocation satisfies every coalition (least-core epsilon > 0)."""
    eps, _ = least_core(game)
    return eps > tol * max(1.0, abs(game.v(game.players)))


def evaluate_coalitions(
    players: Sequence[str],
    cost_fn: CostFn,
    *,
    coalitions: Iterable[Coalition] | None = None,
    executor: Literal["process", "serial", "dask"] = "process",
    scheduler_address: str | None = None,
    max_workers: int | None = None,
    retries: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> dict[Coalition, float]:
    """Compute ``cost_fn(S)`` for every coalition, in parallel.

    A failed evaluation (an exception, a killed worker) is retried ``retries`` times and
    then raises :class:`CoalitionFailedError`: a result is never missing silently.
    """
    todo = list(coalitions) if coalitions is not None else all_coalitions(players)
    results: dict[Coalition, float] = {}
    total = len(todo)

    def done(s: Coalition, value: float) -> None:
        results[s] = float(value)
        if progress:
            progress(len(results), total)

    attempts = dict.fromkeys(todo, 0)
    if executor == "serial":
        for s in todo:
            while True:
                try:
                    done(s, cost_fn(s))
                    break
                except Exception as exc:
                    attempts[s] += 1
                    if attempts[s] > retries:
                        raise CoalitionFailedError(s, exc) from exc
    elif executor == "process":
        pending = list(todo)
        while pending:
            failed: list[Coalition] = []
            try:
                with ProcessPoolExecutor(max_workers=max_workers) as pool:
                    futures = {pool.submit(cost_fn, s): s for s in pending}
                    for fut in as_completed(futures):
                        s = futures[fut]
                        try:
                            done(s, fut.result())
                        except Exception as exc:
                            attempts[s] += 1
                            if attempts[s] > retries:
                                raise CoalitionFailedError(s, exc) from exc
                            failed.append(s)
            except CoalitionFailedError:
                raise
            except Exception:  # a broken pool: retry what has no result yet
                failed = [s for s in pending if s not in results]
                for s in failed:
                    attempts[s] += 1
                    if attempts[s] > retries:
                        raise CoalitionFailedError(s, "worker process died") from None
            pending = [s for s in failed if s not in results]
    elif executor == "dask":
        from dask.distributed import Client, LocalCluster
        from dask.distributed import as_completed as dask_completed

        cluster = None
        if scheduler_address is None:
            cluster = LocalCluster(
                n_workers=max_workers or 2,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
            )
        client = Client(scheduler_address or cluster)
        try:
            futures = {client.submit(cost_fn, s, pure=False, retries=retries): s for s in todo}
            for fut in dask_completed(list(futures)):
                s = futures[fut]
                try:
                    done(s, fut.result())
                except Exception as exc:
                    raise CoalitionFailedError(s, exc) from exc
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    else:
        msg = f"unknown executor {executor!r}; expected process, serial or dask"
        raise ValueError(msg)
    return {s: results[s] for s in sorted(results, key=lambda s: (len(s), sorted(s)))}
