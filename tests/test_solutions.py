"""Solutions of the cost game: Shapley (exact, sampled), proportional keys, the core,
the least core and the nucleolus."""

from __future__ import annotations

import math

import numpy as np
import pytest

from vervoer.sharing import game as gm
from vervoer.sharing import solutions as sol

from .cost_games import COSTS, EMPTY_CORE, PLAYERS, Counting, full_game, game, key, scale_cost

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
    phi = sol.shapley(game())
    assert phi == pytest.approx({"A": 490 / 6, "B": 370 / 6, "C": 280 / 6}, abs=1e-9)
    assert math.fsum(phi.values()) == pytest.approx(190, abs=1e-9)
    # in the core: A+B = 860/6 = 143.3 <= 150, A+C = 128.3 <= 140, B+C = 108.3 <= 120
    check = sol.core_check(game(), phi)
    assert check.in_core and check.efficient and check.violations == ()
    assert check.max_excess == pytest.approx(860 / 6 - 150)  # A+B saves least: 6.67
    assert not sol.core_is_empty(game())


def test_shapley_efficiency_symmetry_and_dummy():
    # A and B are interchangeable; D is a dummy that adds exactly its own 30 everywhere
    def v(s):
        core = s - {"D"}
        k = len(core & {"A", "B"})
        base = 100 * math.sqrt(k + 0.5 * ("C" in core)) if core else 0.0
        return base + 30 * ("D" in s)

    g = full_game(("A", "B", "C", "D"), v)
    phi = sol.shapley(g)
    assert math.fsum(phi.values()) == pytest.approx(g.grand_cost, abs=1e-9)
    assert phi["A"] == pytest.approx(phi["B"], abs=1e-9)
    assert phi["D"] == pytest.approx(30, abs=1e-9)
    # the order of the players does not matter
    assert sol.shapley(full_game(("D", "C", "B", "A"), v)) == pytest.approx(phi, abs=1e-9)


def test_shapley_of_an_additive_game_is_the_own_cost():
    own = {"A": 3.0, "B": 5.0, "C": 11.0, "D": 2.5, "E": 7.0}
    g = full_game(tuple(own), lambda s: sum(own[p] for p in s))
    assert sol.shapley(g) == pytest.approx(own, abs=1e-9)


def test_shapley_names_the_missing_coalition():
    partial = game({k: v for k, v in COSTS.items() if k not in {"AC", "B"}})
    assert not partial.complete
    with pytest.raises(gm.MissingCoalitionError, match=r"v\(B\) \(and 1 more\) was not evaluated"):
        sol.shapley(partial)
    with pytest.raises(KeyError, match=r"A \+ C"):  # also a KeyError
        partial.v({"A", "C"})


# ----------------------------------------------------------------------------- sampled


def test_sampled_shapley_converges_within_its_confidence_interval():
    players = ("A", "B", "C", "D", "E")
    exact = sol.shapley(full_game(players, scale_cost))
    est = sol.shapley_sampled(players, scale_cost, n_permutations=400, seed=11)
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
    small = sol.shapley_sampled(players, scale_cost, n_permutations=100, seed=11)
    assert all(small.stderr[p] > est.stderr[p] for p in players)


def test_sampled_shapley_is_deterministic_for_a_seed():
    players = ("A", "B", "C", "D", "E")
    one = sol.shapley_sampled(players, scale_cost, n_permutations=30, seed=5)
    two = sol.shapley_sampled(players, scale_cost, n_permutations=30, seed=5)
    assert one == two
    # the caller's order of the players does not change the draw
    reordered = sol.shapley_sampled(players[::-1], scale_cost, n_permutations=30, seed=5)
    assert reordered.values == one.values and reordered.ci95 == one.ci95
    other = sol.shapley_sampled(players, scale_cost, n_permutations=30, seed=6)
    assert other.values != one.values


def test_sampled_shapley_evaluates_each_coalition_once():
    players = ("A", "B", "C", "D", "E")
    fn = Counting(scale_cost)
    est = sol.shapley_sampled(players, fn, n_permutations=50, seed=1)
    assert len(fn.calls) == len(set(fn.calls)) == est.n_coalitions


def test_antithetic_permutations_reduce_the_variance():
    # marginal costs fall with the position (economies of scale): a permutation and its
    # reverse are negatively correlated, so the pair average varies much less
    players = ("A", "B", "C", "D", "E")
    exact = sol.shapley(full_game(players, scale_cost))
    plain = sol.shapley_sampled(players, scale_cost, n_permutations=200, seed=2)
    anti = sol.shapley_sampled(players, scale_cost, n_permutations=200, seed=2, antithetic=True)
    assert anti.antithetic and anti.n_permutations == 200
    for p in players:
        assert anti.stderr[p] < 0.75 * plain.stderr[p]  # about 0.6 here
        lo, hi = anti.ci95[p]
        assert lo <= exact[p] <= hi


def test_sampled_shapley_rejects_too_few_permutations():
    with pytest.raises(ValueError, match=">= 2"):
        sol.shapley_sampled(PLAYERS, scale_cost, n_permutations=1, seed=0)
    with pytest.raises(ValueError, match="even"):
        sol.shapley_sampled(PLAYERS, scale_cost, n_permutations=5, seed=0, antithetic=True)


def test_sampled_shapley_on_a_process_pool_equals_serial():
    players = ("A", "B", "C", "D", "E")
    serial = sol.shapley_sampled(players, scale_cost, n_permutations=20, seed=4)
    pooled = sol.shapley_sampled(
        players, scale_cost, n_permutations=20, seed=4, executor="process", max_workers=2
    )
    assert pooled == serial


# ----------------------------------------------------------------------------- keys


def test_proportional_allocations():
    g = game()
    # stand-alone key: 190 * (100, 80, 60) / 240
    alloc = sol.proportional(g, sol.standalone_weights(g))
    assert alloc == pytest.approx({"A": 190 * 100 / 240, "B": 190 * 80 / 240, "C": 190 * 60 / 240})
    assert math.fsum(alloc.values()) == pytest.approx(190)
    # ride key: 10, 30 and 0 rides -> 47.5, 142.5, 0
    rides = sol.proportional(g, {"A": 10, "B": 30, "C": 0})
    assert rides == pytest.approx({"A": 47.5, "B": 142.5, "C": 0.0})
    # the stand-alone key is in the core here: A + B pay 190*180/240 = 142.5 <= 150,
    # A + C 133.0 <= 140, B + C 110.8 <= 120, and everyone pays less than alone
    assert sol.core_check(g, alloc).in_core
    # the ride key makes B pay 142.5 > 80 on its own
    check = sol.core_check(g, rides)
    assert not check.in_core
    assert check.violations[0].coalition == frozenset("B")
    assert check.violations[0].excess == pytest.approx(62.5)


def test_proportional_rejects_bad_weights():
    g = game()
    with pytest.raises(ValueError, match="no share for C"):
        sol.proportional(g, {"A": 1, "B": 1})
    with pytest.raises(ValueError, match="unknown player"):
        sol.proportional(g, {"A": 1, "B": 1, "C": 1, "X": 1})
    with pytest.raises(ValueError, match="negative"):
        sol.proportional(g, {"A": 1, "B": -1, "C": 1})
    with pytest.raises(ValueError, match="add up to 0"):
        sol.proportional(g, {"A": 0, "B": 0, "C": 0})
    with pytest.raises(ValueError, match="not a finite"):
        sol.proportional(g, {"A": 1, "B": math.inf, "C": 1})


# ----------------------------------------------------------------------------- the core


def test_empty_core_is_flagged():
    # The core needs x_i + x_j <= v(ij) = 10 for all three pairs. Adding the three:
    # 2 (x_A + x_B + x_C) <= 30, so x_A + x_B + x_C <= 15 < 20 = v(ABC): no allocation
    # is efficient and stable. Least core: x_i + x_j <= 10 + eps with the sum 20 gives
    # 40 <= 30 + 3 eps, eps = 10/3 at x = (20/3, 20/3, 20/3).
    g = game(EMPTY_CORE)
    assert sol.core_is_empty(g)
    eps, point = sol.least_core(g)
    assert eps == pytest.approx(10 / 3)
    assert point == pytest.approx(dict.fromkeys(PLAYERS, 20 / 3))
    # Shapley = 20/3 each (symmetric): every pair pays 40/3 = 10 + 10/3
    check = sol.core_check(g, sol.shapley(g))
    assert not check.in_core and check.efficient
    assert [key(v.coalition) for v in check.violations] == ["AB", "AC", "BC"]
    for v in check.violations:
        assert v.excess == pytest.approx(10 / 3)
        assert v.paid == pytest.approx(40 / 3) and v.cost == 10
        assert v[1] == v.excess  # a (coalition, excess, ...) tuple too
    assert sol.nucleolus(g) == pytest.approx(dict.fromkeys(PLAYERS, 20 / 3))


def test_core_check_sorts_worst_first_and_checks_efficiency():
    g = game()
    # A pays everything: A: 190-100 = 90, AB: 190-150 = 40, AC: 190-140 = 50
    check = sol.core_check(g, {"A": 190, "B": 0, "C": 0})
    assert [(key(v.coalition), v.excess) for v in check.violations] == [
        ("A", 90), ("AC", 50), ("AB", 40),
    ]  # fmt: skip
    assert check.efficient and not check.in_core and check.checked == 6
    short = sol.core_check(g, {"A": 60, "B": 60, "C": 60})
    assert not short.efficient and not short.in_core and short.violations == ()
    assert short.efficiency_gap == pytest.approx(-10)
    assert sol.core_check(g, {"A": 80, "B": 60, "C": 50 + 1e-7}).in_core  # within tol
    assert not sol.core_check(g, {"A": 80, "B": 60, "C": 50 + 1e-4}).efficient
    with pytest.raises(ValueError, match="no share for C"):
        sol.core_check(g, {"A": 95, "B": 95})


def test_core_check_on_a_partial_game_checks_what_was_evaluated():
    partial = game({k: v for k, v in COSTS.items() if k in {"A", "B", "ABC"}})
    check = sol.core_check(partial, {"A": 100, "B": 80, "C": 10})
    assert check.in_core and check.checked == 2 and not check.complete
    with pytest.raises(gm.MissingCoalitionError, match="core is empty"):
        sol.core_is_empty(partial)


def test_least_core_and_nucleolus_by_hand():
    # Savings y_i = v(i) - x_i, sum y = 240 - 190 = 50. Excesses x(S) - v(S):
    # singletons -y_i; pairs: AB: (190 - x_C) - 150 = 40 - (60 - y_C) = y_C - 20,
    # AC: y_B - 30, BC: y_A - 30. Minimise the largest: y_A, y_B <= 30 + eps, y_C <= 20 + eps,
    # sum y = 50 <= 80 + 3 eps -> eps >= -10, and at eps = -10 the only point is
    # y = (20, 20, 10): x = (80, 60, 50), every pair and C save 10, A and B save 20.
    g = game()
    assert sol.least_core(g).epsilon == pytest.approx(-10)
    nuc = sol.nucleolus(g)
    assert nuc == pytest.approx({"A": 80, "B": 60, "C": 50}, abs=1e-7)
    assert sol.core_check(g, nuc).in_core
    assert sol.nucleolus(g, individually_rational=False) == pytest.approx(nuc, abs=1e-7)


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
    nuc = sol.nucleolus(game(costs), individually_rational=ir)
    assert math.fsum(nuc.values()) == pytest.approx(costs["ABC"], abs=1e-9)
    if ir:
        assert all(nuc[p] <= costs[p] + 1e-7 for p in PLAYERS)
    mine = _sorted_excess(costs, nuc)
    best = _lexmin_excess(costs, ir=ir)
    for a, b in zip(mine, best, strict=True):  # mine <= best, lexicographically
        if abs(a - b) > 1e-7:
            assert a < b, (mine, list(best))
            break
    eps = sol.least_core(game(costs)).epsilon
    if not ir:
        assert mine[0] == pytest.approx(eps, abs=1e-7)  # a point of the least core


def test_concave_cost_game_has_shapley_and_nucleolus_in_the_core():
    # v(S) = 40 |S|^0.7 + own km: submodular (economies of scale), so the core is not
    # empty and contains the Shapley value (Shapley 1971)
    players = ("A", "B", "C", "D", "E")
    g = full_game(players, scale_cost)
    assert not sol.core_is_empty(g)
    assert sol.least_core(g).epsilon < 0
    for alloc in (sol.shapley(g), sol.nucleolus(g)):
        check = sol.core_check(g, alloc)
        assert check.in_core and check.checked == 30


def test_single_player_game():
    g = gm.CostGame(("A",), {frozenset("A"): 42.0})
    assert sol.shapley(g) == {"A": 42.0}
    assert not sol.core_is_empty(g)
    assert sol.nucleolus(g) == {"A": 42.0}
    assert sol.core_check(g, {"A": 42.0}).in_core
