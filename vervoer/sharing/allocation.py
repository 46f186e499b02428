"""Dividing a shared cost fairly: the cooperative cost game of the member organisations.

Pure and solver-independent. A :class:`CostGame` holds the cost ``v(S)`` of coalitions S
of players (organisations): what S would pay doing its transport together without the
others; ``v({i})`` is organisation i's own transport and ``v(N)`` the shared transport of
everyone. This module divides ``v(N)`` between the players and checks whether a division
is stable:

* :func:`shapley` (exact, all ``2**n - 1`` coalitions) and :func:`shapley_sampled`
  (permutation sampling with standard errors, for many players);
* :func:`proportional` keys (stand-alone cost, rides, kilometres: the caller supplies
  the weights), with :func:`standalone_weights`;
* :func:`core_check`: does any coalition pay more than it would on its own?
  :func:`least_core` / :func:`core_is_empty`: does any stable division exist at all?
  :func:`nucleolus`: the division that makes the most unhappy coalition as happy as
  possible (a point of the least core);
* :func:`evaluate_coalitions`: computes ``v(S)`` with any picklable cost function, in a
  local process pool, in this process, or on a Dask cluster, retrying failures and never
  returning a partial result.

Conventions: a coalition is a ``frozenset`` of player names; ``v(empty set) = 0``; the
*excess* of coalition S under allocation x is ``x(S) - v(S)``, how much more S pays than
on its own (positive: S would be better off leaving).
"""

from __future__ import annotations

import itertools
import math
import multiprocessing
import numbers
import os
import pickle
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal, NamedTuple

import numpy as np

from vervoer.core.errors import VervoerError
from vervoer.core.processes import stop_pool

__all__ = [
    "CoalitionFailedError",
    "CoreCheck",
    "CoreViolation",
    "CostGame",
    "LeastCore",
    "MissingCoalitionError",
    "SampledShapley",
    "all_coalitions",
    "coalition_label",
    "core_check",
    "core_is_empty",
    "evaluate_coalitions",
    "least_core",
    "nucleolus",
    "proportional",
    "shapley",
    "shapley_sampled",
    "standalone_weights",
]

Coalition = frozenset[str]
"""A coalition: the names of the players in it."""

CostFn = Callable[[Coalition], float]
"""A cost function ``v(S)``; picklable for the process and Dask executors."""

ExecutorName = Literal["process", "serial", "dask"]

_LP_TOL = 1e-7  # a dual of the nucleolus LPs (they add up to 1) above this is positive


# ----------------------------------------------------------------------------- errors


class MissingCoalitionError(VervoerError, KeyError):
    """The cost of a coalition that a computation needs was not evaluated."""

    def __init__(self, coalition: Coalition, message: str) -> None:
        super().__init__(message)
        self.coalition = coalition
        self.message = message

    def __str__(self) -> str:  # KeyError would quote the message
        return self.message

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.coalition, self.message))


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

    def __init__(self, coalition: Coalition, cause: BaseException | str, attempts: int = 1):
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


# ----------------------------------------------------------------------------- the game


def coalition_label(coalition: Iterable[str]) -> str:
    """A readable name for a coalition: ``"A + B + C"`` (names sorted), ``"{}"`` if empty."""
    names = sorted(coalition)
    return " + ".join(names) if names else "{}"


def _order_key(coalition: Coalition) -> tuple[int, list[str]]:
    """Sort coalitions by size, then by their sorted names."""
    return (len(coalition), sorted(coalition))


def all_coalitions(players: Sequence[str]) -> list[Coalition]:
    """Every non-empty coalition of ``players``, by size and then names.

    Parameters
    ----------
    players
        The player names.

    Returns
    -------
    list of frozenset
        The ``2**n - 1`` coalitions, the singletons first and the grand coalition last.
    """
    names = sorted(players)
    return [
        frozenset(c)
        for size in range(1, len(names) + 1)
        for c in itertools.combinations(names, size)
    ]


def _check_players(players: Iterable[str]) -> tuple[str, ...]:
    out = tuple(players)
    if not out:
        msg = "a game needs at least one player"
        raise ValueError(msg)
    for p in out:
        if not isinstance(p, str) or not p:
            msg = f"player names must be non-empty strings, got {p!r}"
            raise ValueError(msg)
    dupes = sorted({p for p in out if out.count(p) > 1})
    if dupes:
        msg = f"duplicate player(s): {', '.join(dupes)}"
        raise ValueError(msg)
    return out


def _as_coalition(s: object, known: frozenset[str] | None = None) -> Coalition:
    """A coalition from a set-like of names, with a clear error for anything else."""
    if isinstance(s, str | bytes) or not isinstance(s, Iterable):
        msg = (
            f"a coalition must be a frozenset of player names, got {s!r} "
            "(write frozenset({'A', 'B'}), not 'AB')"
        )
        raise ValueError(msg)
    out = frozenset(s)
    if not out:
        msg = "the empty coalition has no cost to evaluate (v(empty set) = 0 by definition)"
        raise ValueError(msg)
    if known is not None and not out <= known:
        unknown = ", ".join(sorted(map(str, out - known)))
        msg = (
            f"coalition {coalition_label(map(str, out))} has unknown player(s) {unknown}; "
            f"the players are {', '.join(sorted(known))}"
        )
        raise ValueError(msg)
    return out


def _as_cost(value: object, coalition: Coalition) -> float:
    """A cost as a finite float, or a clear error."""
    if isinstance(value, bool | str | bytes) or value is None:
        msg = f"v({coalition_label(coalition)}) is {value!r}, not a number"
        raise TypeError(msg)
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        msg = f"v({coalition_label(coalition)}) is {value!r}, not a number"
        raise TypeError(msg) from exc
    if not math.isfinite(out):
        msg = f"v({coalition_label(coalition)}) is {out}, not a finite number"
        raise ValueError(msg)
    return out


@dataclass(frozen=True)
class CostGame:
    """A cooperative cost game: the cost ``v(S)`` of the coalitions that were evaluated.

    Parameters
    ----------
    players
        The player (organisation) names, unique.
    costs
        ``v(S)`` per non-empty coalition ``S`` (a ``frozenset`` of player names). The grand
        coalition must be present; other coalitions may be missing (a *partial* game, e.g.
        from sampling), but :func:`shapley`, :func:`core_is_empty` and :func:`nucleolus`
        need all of them. Stored as a read-only mapping, sorted by size and names.

    Raises
    ------
    ValueError
        For no or duplicate players, a coalition with unknown players, the empty
        coalition, a cost that is not a finite number, or a missing grand coalition.
    """

    players: tuple[str, ...]
    costs: Mapping[Coalition, float]

    def __post_init__(self) -> None:
        players = _check_players(self.players)
        known = frozenset(players)
        costs: dict[Coalition, float] = {}
        for s, c in self.costs.items():
            coalition = _as_coalition(s, known)
            try:
                costs[coalition] = _as_cost(c, coalition)
            except TypeError as exc:
                raise ValueError(str(exc)) from exc
        if known not in costs:
            msg = (
                f"the cost of the grand coalition v(N) = v({coalition_label(known)}) is "
                "missing; it is the cost that is divided"
            )
            raise ValueError(msg)
        ordered = {s: costs[s] for s in sorted(costs, key=_order_key)}
        object.__setattr__(self, "players", players)
        object.__setattr__(self, "costs", MappingProxyType(ordered))

    @property
    def n(self) -> int:
        """The number of players."""
        return len(self.players)

    @property
    def grand(self) -> Coalition:
        """The grand coalition N (all players)."""
        return frozenset(self.players)

    @property
    def grand_cost(self) -> float:
        """``v(N)``, the cost to divide."""
        return self.costs[self.grand]

    def v(self, coalition: Iterable[str]) -> float:
        """The cost of a coalition (0 for the empty one).

        Raises
        ------
        MissingCoalitionError
            If the coalition was not evaluated.
        """
        s = frozenset(coalition)
        if not s:
            return 0.0
        try:
            return self.costs[s]
        except KeyError:
            msg = f"the cost of coalition {coalition_label(s)} was not evaluated"
            raise MissingCoalitionError(s, msg) from None

    def missing(self) -> list[Coalition]:
        """The coalitions whose cost is missing, by size and names (empty if complete)."""
        return [s for s in all_coalitions(self.players) if s not in self.costs]

    @property
    def complete(self) -> bool:
        """Whether all ``2**n - 1`` coalitions were evaluated."""
        return len(self.costs) == 2**self.n - 1

    def require_complete(self, purpose: str) -> None:
        """Raise :class:`MissingCoalitionError` naming the first missing coalition."""
        if self.complete:
            return
        missing = self.missing()
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        msg = (
            f"{purpose} needs the cost of every coalition, but v({coalition_label(missing[0])})"
            f"{more} was not evaluated"
        )
        raise MissingCoalitionError(missing[0], msg)


def _check_allocation(game: CostGame, allocation: Mapping[str, float]) -> dict[str, float]:
    unknown = sorted(set(allocation) - set(game.players))
    missing = [p for p in game.players if p not in allocation]
    if unknown or missing:
        parts = []
        if missing:
            parts.append(f"no share for {', '.join(missing)}")
        if unknown:
            parts.append(f"unknown player(s) {', '.join(map(str, unknown))}")
        msg = f"allocation does not match the players: {'; '.join(parts)}"
        raise ValueError(msg)
    out = {}
    for p in game.players:
        x = allocation[p]
        if isinstance(x, bool) or not isinstance(x, numbers.Real):
            msg = f"the share of {p} is {x!r}, not a number"
            raise ValueError(msg)
        if not math.isfinite(float(x)):
            msg = f"the share of {p} is {x}, not a finite number"
            raise ValueError(msg)
        out[p] = float(x)
    return out


# ----------------------------------------------------------------------------- Shapley


def _shapley_weights(n: int) -> np.ndarray:
    """``w[s] = s! (n-s-1)! / n!`` for s = 0 .. n-1 (the weight of a coalition of size s)."""
    nf = math.factorial(n)
    return np.array([math.factorial(s) * math.factorial(n - s - 1) / nf for s in range(n)])


def shapley(game: CostGame) -> dict[str, float]:
    """The exact Shapley value.

    ``phi_i = sum over S not containing i of |S|! (n-|S|-1)! / n! * (v(S + i) - v(S))``:
    each player's marginal cost averaged over all orders in which the coalition could
    form. Computed over the ``2**n - 1`` coalitions (not the ``n!`` permutations), in
    ``O(n 2**n)`` vectorised steps; fine up to about 20 players, though evaluating that
    many coalitions is the real limit (use :func:`shapley_sampled` beyond about 8).

    Parameters
    ----------
    game
        A complete game.

    Returns
    -------
    dict
        The share of each player, in the order of ``game.players``; the shares add up to
        ``v(N)`` (efficiency).

    Raises
    ------
    MissingCoalitionError
        If a coalition's cost is missing; the message names it.
    """
    game.require_complete("the exact Shapley value")
    n = game.n
    index = {p: i for i, p in enumerate(game.players)}
    v = np.zeros(1 << n)
    for s, c in game.costs.items():
        v[sum(1 << index[p] for p in s)] = c
    masks = np.arange(1 << n)
    sizes = np.zeros(1 << n, dtype=np.int64)
    for i in range(n):
        sizes += (masks >> i) & 1
    weights = _shapley_weights(n)
    out = {}
    for p, i in index.items():
        bit = 1 << i
        without = masks[(masks & bit) == 0]  # every S not containing i, the empty one too
        out[p] = float(np.dot(weights[sizes[without]], v[without | bit] - v[without]))
    return out


@dataclass(frozen=True)
class SampledShapley:
    """A permutation-sampling estimate of the Shapley value.

    Attributes
    ----------
    values
        The estimated share per player; they add up to ``v(N)`` exactly (every
        permutation's marginal costs do).
    stderr
        The standard error of each estimate.
    ci95
        The 95% confidence interval per player (Student t on the independent samples).
    n_permutations
        How many permutations were used (reversed ones included).
    n_coalitions
        How many distinct coalitions were evaluated (each once).
    antithetic
        Whether each permutation was paired with its reverse.
    costs
        The evaluated ``v(S)``; ``CostGame(players, costs)`` is a (partial) game, e.g. for
        :func:`core_check` on the coalitions that were evaluated.
    """

    values: dict[str, float]
    stderr: dict[str, float]
    ci95: dict[str, tuple[float, float]]
    n_permutations: int
    n_coalitions: int
    antithetic: bool = False
    costs: dict[Coalition, float] = field(default_factory=dict, repr=False)


def shapley_sampled(
    players: Sequence[str],
    cost_fn: CostFn,
    *,
    n_permutations: int,
    seed: int,
    antithetic: bool = False,
    executor: ExecutorName = "serial",
    scheduler_address: str | None = None,
    max_workers: int | None = None,
    retries: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> SampledShapley:
    """Estimate the Shapley value from random permutations of the players.

    For each permutation, each player's marginal cost ``v(P + i) - v(P)`` (P: the players
    before it) is one unbiased sample of its Shapley value. The permutations are drawn
    first, then every distinct coalition they need is evaluated once with
    :func:`evaluate_coalitions` (the same executors, retries and failure guarantee). Use
    it for more than about 8 players, where ``2**n - 1`` coalitions are too many.

    Parameters
    ----------
    players
        The player names (unique). The result does not depend on their order.
    cost_fn
        ``v(S)`` for a coalition S (a frozenset of names).
    n_permutations
        How many permutations (at least 2; with ``antithetic``, even and at least 4).
    seed
        Seed of the random permutations; the same seed gives the same result.
    antithetic
        Pair each random permutation with its reverse and use the pair's average as one
        sample. A player early in one is late in the other, which usually lowers the
        variance when marginal costs fall as coalitions grow (economies of scale).
    executor, scheduler_address, max_workers, retries, progress
        As for :func:`evaluate_coalitions`; the default evaluates in this process.

    Returns
    -------
    SampledShapley

    Raises
    ------
    ValueError
        For a bad number of permutations or bad players.
    CoalitionFailedError
        If a needed coalition cannot be evaluated.
    """
    names = _check_players(players)
    if isinstance(n_permutations, bool) or not isinstance(n_permutations, int):
        msg = f"n_permutations must be an integer, got {n_permutations!r}"
        raise ValueError(msg)
    minimum = 4 if antithetic else 2
    if n_permutations < minimum or (antithetic and n_permutations % 2):
        need = "an even number >= 4" if antithetic else ">= 2"
        msg = f"n_permutations must be {need} to estimate a standard error, got {n_permutations}"
        raise ValueError(msg)
    canonical = sorted(names)  # the permutations do not depend on the caller's order
    n = len(canonical)
    rng = np.random.default_rng(seed)
    draws = n_permutations // 2 if antithetic else n_permutations
    perms: list[np.ndarray] = []
    for _ in range(draws):
        perm = rng.permutation(n)
        perms.append(perm)
        if antithetic:
            perms.append(perm[::-1])
    prefixes = [
        [frozenset(canonical[j] for j in perm[: k + 1]) for k in range(n)] for perm in perms
    ]
    needed = {s for row in prefixes for s in row}
    costs = evaluate_coalitions(
        names,
        cost_fn,
        coalitions=needed,
        executor=executor,
        scheduler_address=scheduler_address,
        max_workers=max_workers,
        retries=retries,
        progress=progress,
    )
    marginal = np.empty((len(perms), n))
    for r, (perm, row) in enumerate(zip(perms, prefixes, strict=True)):
        before = 0.0
        for k, s in enumerate(row):
            marginal[r, perm[k]] = costs[s] - before
            before = costs[s]
    samples = marginal.reshape(draws, 2, n).mean(axis=1) if antithetic else marginal
    k = samples.shape[0]
    mean = samples.mean(axis=0)
    se = samples.std(axis=0, ddof=1) / math.sqrt(k)
    from scipy.stats import t as student_t

    half = float(student_t.ppf(0.975, k - 1)) * se
    pos = {p: canonical.index(p) for p in names}
    return SampledShapley(
        values={p: float(mean[pos[p]]) for p in names},
        stderr={p: float(se[pos[p]]) for p in names},
        ci95={
            p: (float(mean[pos[p]] - half[pos[p]]), float(mean[pos[p]] + half[pos[p]]))
            for p in names
        },
        n_permutations=len(perms),
        n_coalitions=len(costs),
        antithetic=antithetic,
        costs=costs,
    )


# ----------------------------------------------------------------------------- simple keys


def standalone_weights(game: CostGame) -> dict[str, float]:
    """Each player's stand-alone cost ``v({i})``, as weights for :func:`proportional`.

    Raises
    ------
    MissingCoalitionError
        If a singleton's cost is missing.
    """
    return {p: game.v([p]) for p in game.players}


def proportional(game: CostGame, weights: Mapping[str, float]) -> dict[str, float]:
    """Split ``v(N)`` in proportion to ``weights``.

    ``x_i = v(N) * w_i / sum_j w_j``. Typical keys: the stand-alone cost
    (:func:`standalone_weights`), the number of rides, or the kilometres driven for each
    organisation's participants.

    Parameters
    ----------
    game
        The game (only ``v(N)`` is used).
    weights
        A finite, non-negative weight for every player (and no others); not all zero.

    Returns
    -------
    dict
        The share of each player, in the order of ``game.players``.

    Raises
    ------
    ValueError
        For a missing, unknown, negative or non-finite weight, or weights summing to 0.
    """
    w = _check_allocation(game, weights)
    negative = [p for p, x in w.items() if x < 0]
    if negative:
        msg = f"weights must not be negative: {', '.join(f'{p}={w[p]}' for p in negative)}"
        raise ValueError(msg)
    total = math.fsum(w.values())
    if total <= 0:
        msg = "the weights add up to 0; there is nothing to divide v(N) by"
        raise ValueError(msg)
    vn = game.grand_cost
    return {p: vn * w[p] / total for p in game.players}


# ----------------------------------------------------------------------------- the core


class CoreViolation(NamedTuple):
    """A coalition that pays more under an allocation than it would on its own."""

    coalition: Coalition
    excess: float
    """``paid - cost``: how much more the coalition pays than on its own (> 0)."""
    cost: float
    """``v(S)``, what the coalition would pay on its own."""
    paid: float
    """``sum_{i in S} x_i``, what the allocation charges it."""


@dataclass(frozen=True)
class CoreCheck:
    """Whether an allocation is in the core, and which coalitions would object.

    Attributes
    ----------
    in_core
        Efficient and no evaluated coalition pays more than on its own (within ``tol``).
        For a partial game this covers the evaluated coalitions only (see ``complete``).
    efficient
        The shares add up to ``v(N)`` within ``tol``.
    total, grand_cost
        The sum of the shares and ``v(N)``.
    violations
        The coalitions paying more than their own cost, worst (largest excess) first.
    max_excess
        The largest excess over the evaluated proper coalitions (negative: every
        coalition saves at least that much by staying; ``-inf`` for a single player).
    checked
        How many proper coalitions were checked.
    complete
        Whether the game had every coalition.
    """

    in_core: bool
    efficient: bool
    total: float
    grand_cost: float
    violations: tuple[CoreViolation, ...]
    max_excess: float
    checked: int
    complete: bool

    @property
    def efficiency_gap(self) -> float:
        """``sum x - v(N)``: how much too much (positive) or too little is divided."""
        return self.total - self.grand_cost


def core_check(game: CostGame, allocation: Mapping[str, float], *, tol: float = 1e-6) -> CoreCheck:
    """Check an allocation against the core of the game.

    Efficiency: ``|sum_i x_i - v(N)| <= tol``. Coalitional rationality, for every evaluated
    proper coalition S: ``sum_{i in S} x_i <= v(S) + tol`` (no group of organisations pays
    more than it would on its own).

    Parameters
    ----------
    game
        The game; for a partial game only the evaluated coalitions are checked.
    allocation
        A share for every player.
    tol
        Absolute tolerance (in the unit of the costs, e.g. euros).

    Returns
    -------
    CoreCheck

    Raises
    ------
    ValueError
        If the allocation misses a player, names an unknown one or has a non-finite share.
    """
    x = _check_allocation(game, allocation)
    total = math.fsum(x.values())
    vn = game.grand_cost
    efficient = abs(total - vn) <= tol
    violations = []
    max_excess = -math.inf
    checked = 0
    for s, cost in game.costs.items():
        if s == game.grand:
            continue
        checked += 1
        paid = math.fsum(x[p] for p in s)
        excess = paid - cost
        max_excess = max(max_excess, excess)
        if excess > tol:
            violations.append(CoreViolation(s, excess, cost, paid))
    violations.sort(key=lambda viol: (-viol.excess, *_order_key(viol.coalition)))
    return CoreCheck(
        in_core=efficient and not violations,
        efficient=efficient,
        total=total,
        grand_cost=vn,
        violations=tuple(violations),
        max_excess=max_excess,
        checked=checked,
        complete=game.complete,
    )


class LeastCore(NamedTuple):
    """The least-core value and one allocation in the least core."""

    epsilon: float
    """The smallest ``eps`` such that no coalition pays more than ``v(S) + eps``."""
    allocation: dict[str, float]
    """An efficient allocation attaining it (not unique in general; see :func:`nucleolus`)."""


def _linprog(**kwargs: Any) -> Any:
    from scipy.optimize import linprog

    return linprog(method="highs", **kwargs)


def least_core(game: CostGame) -> LeastCore:
    """The least core: ``min eps`` s.t. ``x(S) <= v(S) + eps`` for every proper S, ``x(N) = v(N)``.

    Solved as a linear program with HiGHS (:func:`scipy.optimize.linprog`). The core is
    non-empty iff ``eps <= 0``; a negative ``eps`` means every coalition can be charged at
    least ``-eps`` less than its own cost.

    Parameters
    ----------
    game
        The game; for a partial game only the evaluated coalitions constrain the LP, so the
        ``eps`` found is a lower bound of the true one.

    Returns
    -------
    LeastCore
        ``(epsilon, allocation)``; for a single player ``(-inf, {player: v(N)})``.

    Raises
    ------
    ValueError
        If the evaluated coalitions do not bound the LP (a player in no proper coalition).
    """
    players = list(game.players)
    n = len(players)
    vn = game.grand_cost
    proper = [(s, c) for s, c in game.costs.items() if s != game.grand]
    if n == 1:
        return LeastCore(-math.inf, {players[0]: vn})
    a_ub = np.array([[1.0 if p in s else 0.0 for p in players] + [-1.0] for s, _ in proper])
    b_ub = np.array([c for _, c in proper])
    res = _linprog(
        c=np.r_[np.zeros(n), 1.0],
        A_ub=a_ub if proper else None,
        b_ub=b_ub if proper else None,
        A_eq=np.r_[np.ones(n), 0.0][None, :],
        b_eq=[vn],
        bounds=[(None, None)] * (n + 1),
    )
    if res.status == 3 or not proper:
        msg = (
            "the least core is unbounded: too few coalitions were evaluated "
            "(evaluate at least every single player's own cost)"
        )
        raise ValueError(msg)
    if not res.success:  # pragma: no cover - feasible (eps large) whenever bounded
        msg = f"the least-core linear program failed: {res.message}"
        raise RuntimeError(msg)
    return LeastCore(
        float(res.x[-1]), {p: float(v) for p, v in zip(players, res.x[:-1], strict=True)}
    )


def core_is_empty(game: CostGame, *, tol: float = 1e-6) -> bool:
    """Whether no allocation keeps every coalition at or below its own cost.

    The core is empty iff the least-core ``eps`` (:func:`least_core`) is above ``tol``.
    Then any division leaves some group of organisations paying more than on its own.

    Parameters
    ----------
    game
        A complete game.
    tol
        Absolute tolerance (in the unit of the costs).

    Raises
    ------
    MissingCoalitionError
        If a coalition's cost is missing (the answer would not be reliable).
    """
    game.require_complete("deciding whether the core is empty")
    return least_core(game).epsilon > tol


def nucleolus(game: CostGame, *, individually_rational: bool = True) -> dict[str, float]:
    """The nucleolus: lexicographically minimise the largest excesses ``x(S) - v(S)``.

    First the largest excess over all proper coalitions is made as small as possible
    (the least core), then the next largest among the coalitions not yet fixed, and so on
    (sequential linear programs; a coalition is fixed when its LP dual is positive, so
    each round fixes a coalition independent of the fixed ones, at most n - 1 rounds).
    The result is unique, lies in the least core, and in the core whenever the core is
    non-empty: a stable and, as far as the core allows, even-handed division.

    Parameters
    ----------
    game
        A complete game.
    individually_rational
        Also require ``x_i <= v({i})`` (no organisation pays more than alone): the
        nucleolus proper. If no efficient allocation allows that (``sum v({i}) < v(N)``,
        sharing costs more than everyone alone), or with ``False``, the pre-nucleolus is
        returned (efficiency only).

    Returns
    -------
    dict
        The share of each player.

    Raises
    ------
    MissingCoalitionError
        If a coalition's cost is missing.
    """
    game.require_complete("the nucleolus")
    players = list(game.players)
    n = len(players)
    vn = game.grand_cost
    if n == 1:
        return {players[0]: vn}
    singles = np.array([game.v([p]) for p in players])
    hard_ub = individually_rational and singles.sum() >= vn - 1e-9 * max(1.0, abs(vn))

    def row(s: Coalition) -> np.ndarray:
        return np.array([1.0 if p in s else 0.0 for p in players])

    fixed_rows = [np.ones(n)]
    fixed_rhs = [vn]
    free = [(row(s), c) for s, c in game.costs.items() if s != game.grand]
    x = np.full(n, vn / n)
    scale = max(1.0, abs(vn))
    while free:
        a_ub = np.array([np.r_[r, -1.0] for r, _ in free])
        b_ub = np.array([c for _, c in free])
        if hard_ub:
            a_ub = np.vstack([a_ub, np.c_[np.eye(n), np.zeros(n)]])
            b_ub = np.r_[b_ub, singles]
        res = _linprog(
            c=np.r_[np.zeros(n), 1.0],
            A_ub=a_ub,
            b_ub=b_ub,
            A_eq=np.array([np.r_[r, 0.0] for r in fixed_rows]),
            b_eq=np.array(fixed_rhs),
            bounds=[(None, None)] * (n + 1),
        )
        if not res.success:  # pragma: no cover - feasible and bounded by construction
            msg = f"the nucleolus linear program failed: {res.message}"
            raise RuntimeError(msg)
        eps = float(res.x[-1])
        x = res.x[:-1]
        duals = -np.asarray(res.ineqlin.marginals)[: len(free)]  # >= 0 for <= rows
        tight = [i for i in range(len(free)) if duals[i] > _LP_TOL]
        if not tight:  # pragma: no cover - the duals of the free rows add up to 1
            tight = [int(np.argmax(duals))]
        for i in tight:
            r, c = free[i]
            if np.linalg.matrix_rank(np.array([*fixed_rows, r]), tol=1e-9) > len(fixed_rows):
                fixed_rows.append(r)
                fixed_rhs.append(c + eps)
        basis = np.array(fixed_rows)
        rank = np.linalg.matrix_rank(basis, tol=1e-9)
        if rank == n:
            x = np.linalg.solve(basis, np.array(fixed_rhs))
            break
        free = [
            (r, c) for r, c in free if np.linalg.matrix_rank(np.vstack([basis, r]), tol=1e-9) > rank
        ]
    out = {p: float(v) for p, v in zip(players, x, strict=True)}
    # tidy the LP's round-off so that the shares add up to v(N) exactly enough
    gap = vn - math.fsum(out.values())
    if abs(gap) < 1e-6 * scale:
        out[players[-1]] += gap
    return out


# ----------------------------------------------------------------------------- evaluation


def _default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


_WORKER: dict[str, CostFn] = {}


def _init_worker(payload: bytes) -> None:
    """Process-pool initializer: unpickle the cost function once per worker process."""
    _WORKER["cost_fn"] = pickle.loads(payload)


def _call_in_worker(coalition: Coalition) -> float:
    return _WORKER["cost_fn"](coalition)


def _call_cost(cost_fn: CostFn, coalition: Coalition) -> float:
    """Dask task: call the (scattered) cost function."""
    return cost_fn(coalition)


class _Tracker:
    """Results, attempts and progress of one evaluation run."""

    def __init__(
        self, todo: list[Coalition], retries: int, progress: Callable[[int, int], None] | None
    ):
        self.todo = todo
        self.retries = retries
        self.progress = progress
        self.results: dict[Coalition, float] = {}
        self.attempts = dict.fromkeys(todo, 0)

    def success(self, s: Coalition, value: object) -> bool:
        """Record a result; False (and a counted failure) if it is not a finite number."""
        try:
            cost = _as_cost(value, s)
        except (TypeError, ValueError) as exc:
            self.failure(s, exc)
            return False
        self.attempts[s] += 1
        self.results[s] = cost
        if self.progress is not None:
            self.progress(len(self.results), len(self.todo))
        return True

    def failure(self, s: Coalition, cause: BaseException) -> None:
        """Count a failed attempt; raise once the retries are used up."""
        self.attempts[s] += 1
        if self.attempts[s] > self.retries:
            raise CoalitionFailedError(s, cause, self.attempts[s]) from cause

    def ordered(self) -> dict[Coalition, float]:
        missing = [s for s in self.todo if s not in self.results]
        if missing:  # pragma: no cover - every path either records or raises
            msg = f"internal error: no result for {coalition_label(missing[0])}"
            raise RuntimeError(msg)
        return {s: self.results[s] for s in self.todo}


def _run_serial(track: _Tracker, cost_fn: CostFn) -> None:
    for s in track.todo:
        while s not in track.results:
            try:
                value = cost_fn(s)
            except Exception as exc:
                track.failure(s, exc)
            else:
                track.success(s, value)


def _run_processes(track: _Tracker, cost_fn: CostFn, workers: int, mp_context: str | None) -> None:
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
    running: dict[Future[float], tuple[int, Coalition]] = {}
    finished = False

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
            for fut in sorted(done, key=lambda f: _order_key(running[f][1])):
                lane, s = running.pop(fut)
                try:
                    value = fut.result()
                except BrokenProcessPool as exc:
                    pool = lanes[lane]
                    lanes[lane] = None
                    if pool is not None:
                        stop_pool(pool)
                    track.failure(s, exc)
                    queue.appendleft(s)
                except Exception as exc:
                    track.failure(s, exc)
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
    track: _Tracker, cost_fn: CostFn, scheduler_address: str | None, workers: int | None
) -> None:
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler_address is None:
        cluster = LocalCluster(
            n_workers=workers or 2,
            threads_per_worker=1,
            processes=True,
            dashboard_address="127.0.0.1:0",  # HTTP server on localhost only, any port
        )
    try:
        with Client(scheduler_address or cluster, set_as_default=False) as client:
            # send the cost function (it may hold a large matrix) once to every worker
            [fn] = client.scatter([cost_fn], broadcast=True, hash=False)
            futures = {}
            for s in track.todo:
                futures[client.submit(_call_cost, fn, s, pure=False, retries=0)] = s
            pending = as_completed(list(futures), loop=client.loop)
            try:
                for fut in pending:
                    s = futures.pop(fut)
                    try:
                        value = fut.result()
                    except (KeyboardInterrupt, SystemExit):
                        raise
                    except BaseException as exc:  # KilledWorker, CancelledError, the task's
                        track.failure(s, exc)
                    else:
                        if track.success(s, value):
                            continue
                    retry = client.submit(_call_cost, fn, s, pure=False, retries=0)
                    futures[retry] = s
                    pending.add(retry)
            finally:
                if futures:
                    client.cancel(list(futures))
    finally:
        if cluster is not None:
            cluster.close()


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
    names = _check_players(players)
    known = frozenset(names)
    if coalitions is None:
        todo = all_coalitions(names)
    else:
        todo = sorted({_as_coalition(s, known) for s in coalitions}, key=_order_key)
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
    track = _Tracker(todo, retries, progress)
    if not todo:
        return {}
    if executor == "serial":
        _run_serial(track, cost_fn)
    elif executor == "process":
        _run_processes(track, cost_fn, max_workers or _default_workers(), mp_context)
    else:
        _run_dask(track, cost_fn, scheduler_address, max_workers)
    return track.ordered()
