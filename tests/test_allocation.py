from __future__ import annotations

import functools
import os
from pathlib import Path

import pytest

from vervoer import allocation as al

# v(A)=100, v(B)=80, v(C)=60, v(AB)=150, v(AC)=140, v(BC)=120, v(ABC)=190
COSTS = {
    "A": 100,
    "B": 80,
    "C": 60,
    "AB": 150,
    "AC": 140,
    "BC": 120,
    "ABC": 190,
}


def game(costs=COSTS):
    return al.CostGame(players=("A", "B", "C"), costs={frozenset(k): v for k, v in costs.items()})


def test_shapley_by_hand():
    # phi_A = 1/3 [v(A)] + 1/6 [v(AB)-v(B)] + 1/6 [v(AC)-v(C)] + 1/3 [v(ABC)-v(BC)]
    #       = 1/3*100 + 1/6*70 + 1/6*80 + 1/3*70 = 33.333 + 11.667 + 13.333 + 23.333 = 81.667
    # phi_B = 1/3*80 + 1/6*(150-100) + 1/6*(120-60) + 1/3*(190-140) = 26.667+8.333+10+16.667 = 61.667
    # phi_C = 190 - 81.667 - 61.667 = 46.667
    phi = al.shapley(game())
    assert phi["A"] == pytest.approx(81 + 2 / 3)
    assert phi["B"] == pytest.approx(61 + 2 / 3)
    assert phi["C"] == pytest.approx(46 + 2 / 3)
    assert sum(phi.values()) == pytest.approx(190)
    check = al.core_check(game(), phi)
    assert check.in_core
    assert not al.core_is_empty(game())


def test_symmetry_and_dummy():
    g = game({"A": 10, "B": 10, "C": 5, "AB": 15, "AC": 15, "BC": 15, "ABC": 20})
    phi = al.shapley(g)
    assert phi["A"] == pytest.approx(phi["B"])
    d = game({"A": 10, "B": 20, "C": 0, "AB": 25, "AC": 10, "BC": 20, "ABC": 25})
    assert al.shapley(d)["C"] == pytest.approx(0)


def test_empty_core_is_flagged():
    # every pair costs 10 alone, the three together 20: x_i + x_j <= 10 for all pairs
    # gives sum <= 15 < 20, so no allocation satisfies every coalition
    g = game({"A": 10, "B": 10, "C": 10, "AB": 10, "AC": 10, "BC": 10, "ABC": 20})
    assert al.core_is_empty(g)
    check = al.core_check(g, al.shapley(g))
    assert not check.in_core
    assert check.violations[0][1] > 0
    eps, point = al.least_core(g)
    assert eps == pytest.approx(10 / 3)  # x_i = 20/3: each pair pays 40/3 = 10 + 10/3
    assert sum(point.values()) == pytest.approx(20)


def test_proportional_allocations():
    g = game()
    alloc = al.proportional(g, al.standalone_weights(g))
    assert alloc["A"] == pytest.approx(190 * 100 / 240)
    assert sum(alloc.values()) == pytest.approx(190)


def _cost(costs, s):
    return float(costs["".join(sorted(s))])


def test_sampled_shapley_converges_and_is_deterministic():
    players = ("A", "B", "C", "D", "E")
    import itertools

    costs = {}
    for size in range(1, 6):
        for c in itertools.combinations(players, size):
            costs["".join(c)] = 10 * len(c) ** 0.8 + sum(ord(p) - 64 for p in c)
    fn = functools.partial(_cost, costs)
    exact = al.shapley(al.CostGame(players, {frozenset(k): v for k, v in costs.items()}))
    est = al.shapley_sampled(players, fn, n_permutations=400, seed=3)
    again = al.shapley_sampled(players, fn, n_permutations=400, seed=3)
    assert est.values == again.values
    for p in players:
        lo, hi = est.ci95[p]
        assert lo - 0.5 <= exact[p] <= hi + 0.5


def test_serial_and_process_pool_agree():
    fn = functools.partial(_cost, COSTS)
    serial = al.evaluate_coalitions(("A", "B", "C"), fn, executor="serial")
    pooled = al.evaluate_coalitions(("A", "B", "C"), fn, executor="process", max_workers=2)
    assert serial == pooled
    assert list(serial) == al.all_coalitions(("A", "B", "C"))


def _failing(s):
    msg = "solver crashed"
    raise RuntimeError(msg)


def test_failure_is_reported_not_missing():
    with pytest.raises(al.CoalitionFailedError, match="solver crashed"):
        al.evaluate_coalitions(("A", "B"), _failing, executor="serial", retries=1)
    with pytest.raises(al.CoalitionFailedError):
        al.evaluate_coalitions(("A", "B"), _failing, executor="process", retries=1)


def _dies_once(marker: str, s):
    if s == frozenset({"A", "B"}) and not Path(marker).exists():
        Path(marker).write_text("x")
        os._exit(1)  # the worker process is killed
    return float(len(s))


def test_killed_worker_is_retried(tmp_path):
    fn = functools.partial(_dies_once, str(tmp_path / "marker"))
    out = al.evaluate_coalitions(("A", "B"), fn, executor="process", max_workers=2, retries=2)
    assert out[frozenset({"A", "B"})] == 2.0
    assert len(out) == 3


def test_dask_local_cluster_gives_the_same_result():
    pytest.importorskip("dask.distributed")
    fn = functools.partial(_cost, COSTS)
    local = al.evaluate_coalitions(("A", "B", "C"), fn, executor="process", max_workers=2)
    dask = al.evaluate_coalitions(("A", "B", "C"), fn, executor="dask", max_workers=2)
    assert dask == local
    assert al.shapley(al.CostGame(("A", "B", "C"), dask)) == al.shapley(
        al.CostGame(("A", "B", "C"), local)
    )
