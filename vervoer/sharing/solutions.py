"""Dividing a shared cost fairly: solutions of the cost game and their stability.

Divides ``v(N)`` of a :class:`~vervoer.sharing.game.CostGame` between the players and
checks whether a division is stable:

* :func:`shapley` (exact, all ``2**n - 1`` coalitions) and :func:`shapley_sampled`
  (permutation sampling with standard errors, for many players; the coalitions it needs
  are evaluated with :func:`vervoer.sharing.evaluate.evaluate_coalitions`);
* :func:`proportional` keys (stand-alone cost, rides, kilometres: the caller supplies
  the weights), with :func:`standalone_weights`;
* :func:`core_check`: does any coalition pay more than it would on its own?
  :func:`least_core` / :func:`core_is_empty`: does any stable division exist at all?
  :func:`nucleolus`: the division that makes the most unhappy coalition as happy as
  possible (a point of the least core).

The *excess* of coalition S under allocation x is ``x(S) - v(S)``, how much more S pays
than on its own (positive: S would be better off leaving).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from vervoer.sharing.evaluate import ExecutorName, evaluate_coalitions
from vervoer.sharing.game import Coalition, CostFn, CostGame, check_players, coalition_order

__all__ = [
    "CoreCheck",
    "CoreViolation",
    "LeastCore",
    "SampledShapley",
    "core_check",
    "core_is_empty",
    "least_core",
    "nucleolus",
    "proportional",
    "shapley",
    "shapley_sampled",
    "standalone_weights",
]

_LP_TOL = 1e-7  # a dual of the nucleolus LPs (they add up to 1) above this is positive


# ----------------------------------------------------------------------------- allocations


def _check_allocation(game: CostGame, allocation: Mapping[str, float]) -> dict[str, float]:
    """The allocation (or weights) as floats in player order; ValueError naming the problem."""
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
    out: dict[str, float] = {}
    for p in game.players:
        x: object = allocation[p]  # checked: callers may pass anything
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
        # fsum, not a dot product: the same bits on every run (BLAS sums in an order that
        # depends on memory alignment)
        out[p] = math.fsum(weights[sizes[without]] * (v[without | bit] - v[without]))
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
    names = check_players(players)
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
    violations.sort(key=lambda viol: (-viol.excess, *coalition_order(viol.coalition)))
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


def _incidence(players: Sequence[str], coalition: Coalition) -> np.ndarray:
    """The row ``a`` with ``a @ x = x(S)``: 1.0 for the members of S, 0.0 for the others."""
    return np.array([1.0 if p in coalition else 0.0 for p in players])


def _min_eps(
    n: int,
    a_ub: np.ndarray | None,
    b_ub: np.ndarray | None,
    a_eq: np.ndarray,
    b_eq: np.ndarray | Sequence[float],
) -> Any:
    """Solve ``min eps`` over free ``(x_1 .. x_n, eps)`` with HiGHS.

    The least-core and nucleolus programs: the constraints are on ``(x, eps)``
    (``A_ub @ (x, eps) <= b_ub``, ``A_eq @ (x, eps) = b_eq``); ``None`` for no inequalities.

    Returns
    -------
    scipy.optimize.OptimizeResult
        The result of :func:`scipy.optimize.linprog`, with the duals of the inequalities.
    """
    from scipy.optimize import linprog

    return linprog(
        c=np.r_[np.zeros(n), 1.0],
        A_ub=a_ub,
        b_ub=b_ub,
        A_eq=a_eq,
        b_eq=b_eq,
        bounds=[(None, None)] * (n + 1),
        method="highs",
    )


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
    a_ub = np.array([np.r_[_incidence(players, s), -1.0] for s, _ in proper])
    b_ub = np.array([c for _, c in proper])
    res = _min_eps(
        n,
        a_ub if proper else None,
        b_ub if proper else None,
        np.r_[np.ones(n), 0.0][None, :],
        [vn],
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
    fixed_rows = [np.ones(n)]
    fixed_rhs = [vn]
    free = [(_incidence(players, s), c) for s, c in game.costs.items() if s != game.grand]
    x = np.full(n, vn / n)
    scale = max(1.0, abs(vn))
    while free:
        a_ub = np.array([np.r_[r, -1.0] for r, _ in free])
        b_ub = np.array([c for _, c in free])
        if hard_ub:
            a_ub = np.vstack([a_ub, np.c_[np.eye(n), np.zeros(n)]])
            b_ub = np.r_[b_ub, singles]
        res = _min_eps(
            n, a_ub, b_ub, np.array([np.r_[r, 0.0] for r in fixed_rows]), np.array(fixed_rhs)
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
