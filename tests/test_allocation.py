"""The cost-allocation engine: Shapley (exact, sampled), proportional keys, the core,
the nucleolus, and evaluating coalitions serially, in a process pool and on Dask."""

from __future__ import annotations

import functools
import math
import os
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import numpy as np
import pytest

from vervoer.sharing import allocation as al

PLAYERS = ("A", "B", "C")
# three organisations: own transport 100, 80, 60; the pairs and all three save something
COSTS = {"A": 100, "B": 80, "C": 60, "AB": 150, "AC": 140, "BC": 120, "ABC": 190}
# every pair is as cheap as one alone, all three together cost 20 (see test_empty_core)
EMPTY_CORE = {"A": 10, "B": 10, "C": 10, "AB": 10, "AC": 10, "BC": 10, "ABC": 20}


def _key(s) -> str:
    return "".join(sorted(s))


def game(costs=COSTS, players=PLAYERS) -> al.CostGame:
    return al.CostGame(players=players, costs={frozenset(k): v for k, v in costs.items()})


def full_game(players, fn) -> al.CostGame:
    return al.CostGame(players, {s: fn(s) for s in al.all_coalitions(players)})


# picklable cost functions (module level) for the process pool and Dask


def table_cost(table, s) -> float:
    return float(table[_key(s)])


def scale_cost(s) -> float:
    """Economies of scale: a shared fixed part growing like |S|^0.7 plus own km costs."""
    km = {"A": 12.0, "B": 30.0, "C": 7.5, "D": 21.0, "E": 16.0}
    return 40 * len(s) ** 0.7 + sum(km[p] for p in s)


def failing_cost(s) -> float:
    msg = f"solver crashed on {_key(s)}"
    raise RuntimeError(msg)


def nan_cost(s) -> float:
    return math.nan if s == frozenset("AB") else 1.0


def dies_once(marker: str, s) -> float:
    """Kill the worker process the first time coalition {A, B} is evaluated."""
    if s == frozenset("AB") and not Path(marker).exists():
        Path(marker).write_text("died once", encoding="utf-8")
        os._exit(1)
    return float(len(s))


def always_dies(s) -> float:
    if s == frozenset("AB"):
        os._exit(3)
    return float(len(s))


def fails_fast_or_sleeps(s) -> float:
    if s == frozenset("A"):
        msg = "bad coalition"
        raise RuntimeError(msg)
    time.sleep(60)
    return 1.0


class Counting:
    """Counts its calls (used in this process only, with the serial executor)."""

    def __init__(self, fn, fail_times: int = 0) -> None:
        self.fn = fn
        self.calls: list[frozenset[str]] = []
        self.fail_times = fail_times

    def __call__(self, s) -> float:
        self.calls.append(s)
        if len(self.calls) <= self.fail_times:
            msg = "transient failure"
            raise OSError(msg)
        return self.fn(s)


# ----------------------------------------------------------------------------- the game


def test_game_validation_names_the_problem():
    with pytest.raises(ValueError, match=r"grand coalition.*A \+ B \+ C.*missing"):
        game({k: v for k, v in COSTS.items() if k != "ABC"})
    with pytest.raises(ValueError, match="unknown player"):
        al.CostGame(("A", "B"), {frozenset("AB"): 1.0, frozenset("AX"): 2.0})
    with pytest.raises(ValueError, match="frozenset"):
        al.CostGame(("A", "B"), {"AB": 1.0})
    with pytest.raises(ValueError, match="duplicate"):
        al.CostGame(("A", "A"), {frozenset("A"): 1.0})
    with pytest.raises(ValueError, match="not a finite number"):
        al.CostGame(("A", "B"), {frozenset("AB"): math.nan})
    with pytest.raises(ValueError, match="empty coalition"):
        al.CostGame(("A",), {frozenset("A"): 1.0, frozenset(): 0.0})
    g = game()
    assert g.complete and g.missing() == [] and g.grand_cost == 190
    assert list(g.costs) == al.all_coalitions(PLAYERS)  # sorted by size, then names
    with pytest.raises(TypeError):
        g.costs[frozenset("A")] = 1.0  # read-only


def test_all_coalitions_order():
    assert [_key(s) for s in al.all_coalitions(("C", "A", "B"))] == [
        "A", "B", "C", "AB", "AC", "BC", "ABC",
    ]  # fmt: skip


# ----------------------------------------------------------------------------- Shapley


def test_shapley_by_hand():
    # n = 3: a coalition S of the others of size |S| has weight |S|! (2 - |S|)! / 3!:
    # |S| = 0 -> 2/6 = 1/3, |S| = 1 -> 1/6, |S| = 2 -> 2/6 = 1/3.
    # phi_A = 1/3 v(A) + 1/6 [v(AB)-v(B)] + 1/6 [v(AC)-v(C)] + 1/3 [v(ABC)-v(BC)]
    #       = 1/3*100 + 1/6*70 + 1/6*80 + 1/3*70 = (200 + 70 + 80 + 140) / 6 = 490/6 = 81.667
    # phi_B = 1/3*80 + 1/6*(150-100) + 1/6*(120-60) + 1/3*(190-140)
    #       = (160 + 50 + 60 + 100) / 6 = 370/6 = 61.667
    # phi_C = 1/3*60 + 1/6*(140-100) + 1/6*(120-80) + 1/3*(190-150)
    #       = (120 + 40 + 40 + 80) / 6 = 280/6 = 46.667
    # check: (490 + 370 + 280) / 6 = 1140/6 = 190 = v(ABC)
    phi = al.shapley(game())
    assert phi == pytest.approx({"A": 490 / 6, "B": 370 / 6, "C": 280 / 6}, abs=1e-9)
    assert math.fsum(phi.values()) == pytest.approx(190, abs=1e-9)
    # in the core: A+B = 860/6 = 143.3 <= 150, A+C = 128.3 <= 140, B+C = 108.3 <= 120
    check = al.core_check(game(), phi)
    assert check.in_core and check.efficient and check.violations == ()
    assert check.max_excess == pytest.approx(860 / 6 - 150)  # A+B saves least: 6.67
    assert not al.core_is_empty(game())


def test_shapley_efficiency_symmetry_and_dummy():
    # A and B are interchangeable; D is a dummy that adds exactly its own 30 everywhere
    def v(s):
        core = s - {"D"}
        k = len(core & {"A", "B"})
        base = 100 * math.sqrt(k + 0.5 * ("C" in core)) if core else 0.0
        return base + 30 * ("D" in s)

    g = full_game(("A", "B", "C", "D"), v)
    phi = al.shapley(g)
    assert math.fsum(phi.values()) == pytest.approx(g.grand_cost, abs=1e-9)
    assert phi["A"] == pytest.approx(phi["B"], abs=1e-9)
    assert phi["D"] == pytest.approx(30, abs=1e-9)
    # the order of the players does not matter
    assert al.shapley(full_game(("D", "C", "B", "A"), v)) == pytest.approx(phi, abs=1e-9)


def test_shapley_of_an_additive_game_is_the_own_cost():
    own = {"A": 3.0, "B": 5.0, "C": 11.0, "D": 2.5, "E": 7.0}
    g = full_game(tuple(own), lambda s: sum(own[p] for p in s))
    assert al.shapley(g) == pytest.approx(own, abs=1e-9)


def test_shapley_names_the_missing_coalition():
    partial = game({k: v for k, v in COSTS.items() if k not in {"AC", "B"}})
    assert not partial.complete
    with pytest.raises(al.MissingCoalitionError, match=r"v\(B\) \(and 1 more\) was not evaluated"):
        al.shapley(partial)
    with pytest.raises(KeyError, match=r"A \+ C"):  # also a KeyError
        partial.v({"A", "C"})


# ----------------------------------------------------------------------------- sampled


def test_sampled_shapley_converges_within_its_confidence_interval():
    players = ("A", "B", "C", "D", "E")
    exact = al.shapley(full_game(players, scale_cost))
    est = al.shapley_sampled(players, scale_cost, n_permutations=400, seed=11)
    for p in players:
        lo, hi = est.ci95[p]
        assert lo <= exact[p] <= hi, (p, exact[p], est.ci95[p])
        assert est.stderr[p] > 0
        assert hi - lo < 6  # the estimates are informative (values 40-75)
    # every permutation's marginal costs add up to v(N), so the estimate is efficient
    assert math.fsum(est.values.values()) == pytest.approx(scale_cost(set(players)), abs=1e-9)
    assert est.n_permutations == 400
    assert est.n_coalitions == len(est.costs) <= 2**5 - 1
    assert frozenset(players) in est.costs
    # more permutations, smaller standard error (~ 1/sqrt(m))
    small = al.shapley_sampled(players, scale_cost, n_permutations=100, seed=11)
    assert all(small.stderr[p] > est.stderr[p] for p in players)


def test_sampled_shapley_is_deterministic_for_a_seed():
    players = ("A", "B", "C", "D", "E")
    one = al.shapley_sampled(players, scale_cost, n_permutations=30, seed=5)
    two = al.shapley_sampled(players, scale_cost, n_permutations=30, seed=5)
    assert one == two
    # the caller's order of the players does not change the draw
    reordered = al.shapley_sampled(players[::-1], scale_cost, n_permutations=30, seed=5)
    assert reordered.values == one.values and reordered.ci95 == one.ci95
    other = al.shapley_sampled(players, scale_cost, n_permutations=30, seed=6)
    assert other.values != one.values


def test_sampled_shapley_evaluates_each_coalition_once():
    players = ("A", "B", "C", "D", "E")
    fn = Counting(scale_cost)
    est = al.shapley_sampled(players, fn, n_permutations=50, seed=1)
    assert len(fn.calls) == len(set(fn.calls)) == est.n_coalitions


def test_antithetic_permutations_reduce_the_variance():
    # marginal costs fall with the position (economies of scale): a permutation and its
    # reverse are negatively correlated, so the pair average varies much less
    players = ("A", "B", "C", "D", "E")
    exact = al.shapley(full_game(players, scale_cost))
    plain = al.shapley_sampled(players, scale_cost, n_permutations=200, seed=2)
    anti = al.shapley_sampled(players, scale_cost, n_permutations=200, seed=2, antithetic=True)
    assert anti.antithetic and anti.n_permutations == 200
    for p in players:
        assert anti.stderr[p] < 0.75 * plain.stderr[p]  # about 0.6 here
        lo, hi = anti.ci95[p]
        assert lo <= exact[p] <= hi


def test_sampled_shapley_rejects_too_few_permutations():
    with pytest.raises(ValueError, match=">= 2"):
        al.shapley_sampled(PLAYERS, scale_cost, n_permutations=1, seed=0)
    with pytest.raises(ValueError, match="even"):
        al.shapley_sampled(PLAYERS, scale_cost, n_permutations=5, seed=0, antithetic=True)


# ----------------------------------------------------------------------------- keys


def test_proportional_allocations():
    g = game()
    # stand-alone key: 190 * (100, 80, 60) / 240
    alloc = al.proportional(g, al.standalone_weights(g))
    assert alloc == pytest.approx({"A": 190 * 100 / 240, "B": 190 * 80 / 240, "C": 190 * 60 / 240})
    assert math.fsum(alloc.values()) == pytest.approx(190)
    # ride key: 10, 30 and 0 rides -> 47.5, 142.5, 0
    rides = al.proportional(g, {"A": 10, "B": 30, "C": 0})
    assert rides == pytest.approx({"A": 47.5, "B": 142.5, "C": 0.0})
    # the stand-alone key is in the core here: A + B pay 190*180/240 = 142.5 <= 150,
    # A + C 133.0 <= 140, B + C 110.8 <= 120, and everyone pays less than alone
    assert al.core_check(g, alloc).in_core
    # the ride key makes B pay 142.5 > 80 on its own
    check = al.core_check(g, rides)
    assert not check.in_core
    assert check.violations[0].coalition == frozenset("B")
    assert check.violations[0].excess == pytest.approx(62.5)


def test_proportional_rejects_bad_weights():
    g = game()
    with pytest.raises(ValueError, match="no share for C"):
        al.proportional(g, {"A": 1, "B": 1})
    with pytest.raises(ValueError, match="unknown player"):
        al.proportional(g, {"A": 1, "B": 1, "C": 1, "X": 1})
    with pytest.raises(ValueError, match="negative"):
        al.proportional(g, {"A": 1, "B": -1, "C": 1})
    with pytest.raises(ValueError, match="add up to 0"):
        al.proportional(g, {"A": 0, "B": 0, "C": 0})
    with pytest.raises(ValueError, match="not a finite"):
        al.proportional(g, {"A": 1, "B": math.inf, "C": 1})


# ----------------------------------------------------------------------------- the core


def test_empty_core_is_flagged():
    # The core needs x_i + x_j <= v(ij) = 10 for all three pairs. Adding the three:
    # 2 (x_A + x_B + x_C) <= 30, so x_A + x_B + x_C <= 15 < 20 = v(ABC): no allocation
    # is efficient and stable. Least core: x_i + x_j <= 10 + eps with the sum 20 gives
    # 40 <= 30 + 3 eps, eps = 10/3 at x = (20/3, 20/3, 20/3).
    g = game(EMPTY_CORE)
    assert al.core_is_empty(g)
    eps, point = al.least_core(g)
    assert eps == pytest.approx(10 / 3)
    assert point == pytest.approx(dict.fromkeys(PLAYERS, 20 / 3))
    # Shapley = 20/3 each (symmetric): every pair pays 40/3 = 10 + 10/3
    check = al.core_check(g, al.shapley(g))
    assert not check.in_core and check.efficient
    assert [_key(v.coalition) for v in check.violations] == ["AB", "AC", "BC"]
    for v in check.violations:
        assert v.excess == pytest.approx(10 / 3)
        assert v.paid == pytest.approx(40 / 3) and v.cost == 10
        assert v[1] == v.excess  # a (coalition, excess, ...) tuple too
    assert al.nucleolus(g) == pytest.approx(dict.fromkeys(PLAYERS, 20 / 3))


def test_core_check_sorts_worst_first_and_checks_efficiency():
    g = game()
    # A pays everything: A: 190-100 = 90, AB: 190-150 = 40, AC: 190-140 = 50
    check = al.core_check(g, {"A": 190, "B": 0, "C": 0})
    assert [(_key(v.coalition), v.excess) for v in check.violations] == [
        ("A", 90), ("AC", 50), ("AB", 40),
    ]  # fmt: skip
    assert check.efficient and not check.in_core and check.checked == 6
    short = al.core_check(g, {"A": 60, "B": 60, "C": 60})
    assert not short.efficient and not short.in_core and short.violations == ()
    assert short.efficiency_gap == pytest.approx(-10)
    assert al.core_check(g, {"A": 80, "B": 60, "C": 50 + 1e-7}).in_core  # within tol
    assert not al.core_check(g, {"A": 80, "B": 60, "C": 50 + 1e-4}).efficient
    with pytest.raises(ValueError, match="no share for C"):
        al.core_check(g, {"A": 95, "B": 95})


def test_core_check_on_a_partial_game_checks_what_was_evaluated():
    partial = game({k: v for k, v in COSTS.items() if k in {"A", "B", "ABC"}})
    check = al.core_check(partial, {"A": 100, "B": 80, "C": 10})
    assert check.in_core and check.checked == 2 and not check.complete
    with pytest.raises(al.MissingCoalitionError, match="core is empty"):
        al.core_is_empty(partial)


def test_least_core_and_nucleolus_by_hand():
    # Savings y_i = v(i) - x_i, sum y = 240 - 190 = 50. Excesses x(S) - v(S):
    # singletons -y_i; pairs: AB: (190 - x_C) - 150 = 40 - (60 - y_C) = y_C - 20,
    # AC: y_B - 30, BC: y_A - 30. Minimise the largest: y_A, y_B <= 30 + eps, y_C <= 20 + eps,
    # sum y = 50 <= 80 + 3 eps -> eps >= -10, and at eps = -10 the only point is
    # y = (20, 20, 10): x = (80, 60, 50), every pair and C save 10, A and B save 20.
    g = game()
    assert al.least_core(g).epsilon == pytest.approx(-10)
    nuc = al.nucleolus(g)
    assert nuc == pytest.approx({"A": 80, "B": 60, "C": 50}, abs=1e-7)
    assert al.core_check(g, nuc).in_core
    assert al.nucleolus(g, individually_rational=False) == pytest.approx(nuc, abs=1e-7)


def _lexmin_excess(costs, grid_step=0.25, lo=-20.0, hi=120.0, ir=False):
    """Brute force: the efficient grid point with the lexicographically smallest sorted
    excess vector (for 3 players, x_C = v(N) - x_A - x_B)."""
    g = game(costs)
    xs = np.arange(lo, hi + grid_step / 2, grid_step)
    xa, xb = (a.ravel() for a in np.meshgrid(xs, xs))
    xc = g.grand_cost - xa - xb
    x = {"A": xa, "B": xb, "C": xc}
    keep = np.ones_like(xa, dtype=bool)
    if ir:
        for p in PLAYERS:
            keep &= x[p] <= g.v([p]) + 1e-12
    ex = np.stack([sum(x[p] for p in s) - c for s, c in g.costs.items() if s != g.grand], axis=1)[
        keep
    ]
    ex = -np.sort(-ex, axis=1)  # descending
    order = np.lexsort(ex.T[::-1])
    return ex[order[0]]


def _sorted_excess(costs, alloc):
    g = game(costs)
    return sorted(
        (sum(alloc[p] for p in s) - c for s, c in g.costs.items() if s != g.grand), reverse=True
    )


@pytest.mark.parametrize(
    "costs",
    [
        COSTS,
        EMPTY_CORE,
        # an empty core that is not symmetric: pairs AB and BC very cheap
        {"A": 60, "B": 50, "C": 40, "AB": 55, "AC": 95, "BC": 45, "ABC": 100},
        # a non-empty core with one cheap pair
        {"A": 50, "B": 50, "C": 50, "AB": 60, "AC": 90, "BC": 95, "ABC": 110},
    ],
)
@pytest.mark.parametrize("ir", [True, False])
def test_nucleolus_is_lexicographically_optimal(costs, ir):
    nuc = al.nucleolus(game(costs), individually_rational=ir)
    assert math.fsum(nuc.values()) == pytest.approx(costs["ABC"], abs=1e-9)
    if ir:
        assert all(nuc[p] <= costs[p] + 1e-7 for p in PLAYERS)
    mine = _sorted_excess(costs, nuc)
    best = _lexmin_excess(costs, ir=ir)
    for a, b in zip(mine, best, strict=True):  # mine <= best, lexicographically
        if abs(a - b) > 1e-7:
            assert a < b, (mine, list(best))
            break
    eps = al.least_core(game(costs)).epsilon
    if not ir:
        assert mine[0] == pytest.approx(eps, abs=1e-7)  # a point of the least core


def test_concave_cost_game_has_shapley_and_nucleolus_in_the_core():
    # v(S) = 40 |S|^0.7 + own km: submodular (economies of scale), so the core is not
    # empty and contains the Shapley value (Shapley 1971)
    players = ("A", "B", "C", "D", "E")
    g = full_game(players, scale_cost)
    assert not al.core_is_empty(g)
    assert al.least_core(g).epsilon < 0
    for alloc in (al.shapley(g), al.nucleolus(g)):
        check = al.core_check(g, alloc)
        assert check.in_core and check.checked == 30


def test_single_player_game():
    g = al.CostGame(("A",), {frozenset("A"): 42.0})
    assert al.shapley(g) == {"A": 42.0}
    assert not al.core_is_empty(g)
    assert al.nucleolus(g) == {"A": 42.0}
    assert al.core_check(g, {"A": 42.0}).in_core


# ----------------------------------------------------------------------------- evaluation


def test_serial_and_process_pool_agree():
    fn = functools.partial(table_cost, COSTS)
    seen: list[tuple[int, int]] = []
    serial = al.evaluate_coalitions(PLAYERS, fn, executor="serial")
    pooled = al.evaluate_coalitions(
        PLAYERS, fn, executor="process", max_workers=2, progress=lambda d, t: seen.append((d, t))
    )
    assert serial == pooled == {frozenset(k): float(v) for k, v in COSTS.items()}
    assert list(serial) == list(pooled) == al.all_coalitions(PLAYERS)
    assert seen == [(i, 7) for i in range(1, 8)]
    assert al.shapley(al.CostGame(PLAYERS, pooled)) == al.shapley(game())


def test_evaluate_only_the_given_coalitions():
    fn = functools.partial(table_cost, COSTS)
    out = al.evaluate_coalitions(
        PLAYERS, fn, coalitions=[frozenset("BC"), frozenset("A"), frozenset("CB")],
        executor="serial",
    )  # fmt: skip
    assert list(out) == [frozenset("A"), frozenset("BC")]
    with pytest.raises(ValueError, match="unknown player"):
        al.evaluate_coalitions(PLAYERS, fn, coalitions=[frozenset("AX")], executor="serial")
    with pytest.raises(ValueError, match="unknown executor"):
        al.evaluate_coalitions(PLAYERS, fn, executor="threads")  # type: ignore[arg-type]


def test_a_transient_failure_is_retried():
    fn = Counting(functools.partial(table_cost, COSTS), fail_times=1)
    out = al.evaluate_coalitions(PLAYERS, fn, executor="serial", retries=1)
    assert out == {frozenset(k): float(v) for k, v in COSTS.items()}
    assert len(fn.calls) == 8 and fn.calls[0] == fn.calls[1] == frozenset("A")


@pytest.mark.parametrize("executor", ["serial", "process"])
def test_failing_cost_fn_raises_after_the_retries(executor):
    with pytest.raises(al.CoalitionFailedError, match="solver crashed") as info:
        al.evaluate_coalitions(PLAYERS, failing_cost, executor=executor, retries=2, max_workers=2)
    err = info.value
    assert err.attempts == 3
    assert isinstance(err.cause, RuntimeError)
    assert err.coalition in al.all_coalitions(PLAYERS)
    assert "3 attempts" in str(err)


def test_a_result_that_is_not_a_number_is_a_failure():
    with pytest.raises(al.CoalitionFailedError, match=r"A \+ B.*not a finite number"):
        al.evaluate_coalitions(("A", "B"), nan_cost, executor="serial", retries=0)


def test_killed_worker_is_retried(tmp_path):
    marker = tmp_path / "marker"
    fn = functools.partial(dies_once, str(marker))
    out = al.evaluate_coalitions(PLAYERS, fn, executor="process", max_workers=2, retries=1)
    assert marker.exists()  # the worker really died once
    assert out == {s: float(len(s)) for s in al.all_coalitions(PLAYERS)}


def test_a_worker_that_keeps_dying_names_its_coalition():
    # two lanes run in parallel: only the coalition whose worker died is blamed
    with pytest.raises(al.CoalitionFailedError, match=r"coalition A \+ B") as info:
        al.evaluate_coalitions(PLAYERS, always_dies, executor="process", max_workers=2, retries=1)
    assert info.value.coalition == frozenset("AB")
    assert info.value.attempts == 2
    assert isinstance(info.value.cause, BrokenProcessPool)


def test_a_failure_stops_the_other_evaluations():
    start = time.monotonic()
    with pytest.raises(al.CoalitionFailedError, match="bad coalition"):
        al.evaluate_coalitions(
            PLAYERS, fails_fast_or_sleeps, executor="process", max_workers=2, retries=0
        )
    assert time.monotonic() - start < 20  # did not wait for the 60 s evaluation


def test_process_pool_needs_a_picklable_cost_fn():
    with pytest.raises(TypeError, match="picklable"):
        al.evaluate_coalitions(PLAYERS, lambda s: 1.0, executor="process")


# ----------------------------------------------------------------------------- Dask


@pytest.fixture(scope="module")
def dask_cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address="127.0.0.1:0"
    ) as cluster:
        yield cluster


def test_dask_local_cluster_gives_the_same_result():
    pytest.importorskip("distributed")
    fn = functools.partial(table_cost, COSTS)
    local = al.evaluate_coalitions(PLAYERS, fn, executor="process", max_workers=2)
    seen: list[int] = []
    on_dask = al.evaluate_coalitions(
        PLAYERS, fn, executor="dask", max_workers=2, progress=lambda d, t: seen.append(d)
    )
    assert on_dask == local and list(on_dask) == list(local)
    assert seen == list(range(1, 8))


def test_dask_scheduler_address(dask_cluster, tmp_path):
    players = ("A", "B", "C", "D", "E")
    on_dask = al.evaluate_coalitions(
        players, scale_cost, executor="dask", scheduler_address=dask_cluster.scheduler_address
    )
    assert on_dask == al.evaluate_coalitions(players, scale_cost, executor="serial")
    # a worker killed on the first try: the scheduler re-runs the task elsewhere
    marker = tmp_path / "marker"
    fn = functools.partial(dies_once, str(marker))
    out = al.evaluate_coalitions(
        PLAYERS, fn, executor="dask", scheduler_address=dask_cluster.scheduler_address
    )
    assert marker.exists()
    assert out == {s: float(len(s)) for s in al.all_coalitions(PLAYERS)}


def test_dask_failure_raises_after_the_retries(dask_cluster):
    with pytest.raises(al.CoalitionFailedError, match="solver crashed") as info:
        al.evaluate_coalitions(
            PLAYERS,
            failing_cost,
            executor="dask",
            scheduler_address=dask_cluster.scheduler_address,
            retries=1,
        )
    assert info.value.attempts == 2


def test_sampled_shapley_on_a_process_pool_equals_serial():
    players = ("A", "B", "C", "D", "E")
    serial = al.shapley_sampled(players, scale_cost, n_permutations=20, seed=4)
    pooled = al.shapley_sampled(
        players, scale_cost, n_permutations=20, seed=4, executor="process", max_workers=2
    )
    assert pooled == serial


def test_split_closure_repairs_heuristic_noise():
    from vervoer.sharing.compare import split_closure

    costs = {frozenset(k): v for k, v in {"A": 10, "B": 10, "AB": 25}.items()}
    fixed, changed = split_closure(costs)
    assert fixed[frozenset("AB")] == 20
    assert changed == [frozenset("AB")]
