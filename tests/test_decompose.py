"""Large instances in parts (vervoer.routing.solver.decompose)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from vervoer.core.settings import SolveParams
from vervoer.routing.solver import Instance, decompose, improve_solution, solve_instance
from vervoer.routing.solver.decompose import request_groups, share_fleet

from .test_solve import _random_instance, _violations


def _clustered(requests: int, seed: int, vehicles: int) -> Instance:
    """Three far-apart towns, each with its own requests (and the random windows)."""
    base = _random_instance(requests, seed=seed, vehicles=vehicles)
    rng = np.random.default_rng(seed)
    n = base.n_nodes
    xy = rng.uniform(0, 20, (n, 2))
    town = np.zeros(n, dtype=int)
    for r, (p, d) in enumerate(base.pairs.tolist()):
        town[p] = town[d] = r % 3
    xy += np.array([[0, 0], [300, 0], [0, 300]])[town]
    xy[0] = (100, 100)  # the depot between them
    dist = np.rint(np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(axis=2))).astype(np.int64)
    horizon = 2000
    return dataclasses.replace(
        base,
        durations=dist,
        distances=dist,
        tw_late=np.full(n, horizon, dtype=np.int64),
        shift_late=np.full(vehicles, horizon, dtype=np.int64),
        max_duration=np.full(vehicles, horizon, dtype=np.int64),
        max_ride=np.full(requests, 400, dtype=np.int64),
    )


def test_groups_cover_every_request_once_and_keep_ride_together_pairs() -> None:
    inst = dataclasses.replace(
        _clustered(60, seed=1, vehicles=12), same_vehicle=np.array([[0, 1], [1, 5]])
    )
    groups = request_groups(inst, 3)
    assert sorted(r for g in groups for r in g) == list(range(60))
    assert max(len(g) for g in groups) <= np.ceil(decompose.GROUP_MAX_SHARE * 60 / 3)
    (home,) = [g for g in groups if 0 in g]
    assert {1, 5} <= set(home)  # a chain of rules lands in one group
    # the towns are found: most requests of a group come from one town
    for g in groups:
        towns = [r % 3 for r in g if r not in (0, 1, 5)]
        assert max(towns.count(t) for t in range(3)) >= 0.8 * len(towns)


def test_every_group_gets_its_own_vehicles_and_a_restricted_request_an_allowed_one() -> None:
    inst = _clustered(60, seed=1, vehicles=12)
    allowed = np.ones((60, 12), dtype=bool)
    allowed[4, :] = False
    allowed[4, 11] = True  # request 4 may ride only vehicle 11
    inst = dataclasses.replace(inst, allowed=allowed)
    groups = request_groups(inst, 3)
    fleet = share_fleet(inst, groups)
    used = [v for f in fleet for v in f]
    assert len(used) == len(set(used))  # no vehicle in two parts
    assert all(fleet)
    (g4,) = [i for i, g in enumerate(groups) if 4 in g]
    assert 11 in fleet[g4]


@pytest.mark.parametrize("rounds", [0, 4])
def test_a_large_instance_is_solved_in_parts_feasibly(monkeypatch, rounds) -> None:
    # the sizes scaled down: above 40 requests in parts of about 20
    monkeypatch.setattr(decompose, "DECOMPOSE_ABOVE", 40)
    monkeypatch.setattr(decompose, "PART_REQUESTS", 20)
    from vervoer.routing.solver import search

    monkeypatch.setattr(search, "DECOMPOSE_ABOVE", 40)
    inst = dataclasses.replace(
        _clustered(60, seed=2, vehicles=12), same_vehicle=np.array([[0, 3]], dtype=np.int64)
    )
    calls = []
    parts = decompose.solve_in_parts
    monkeypatch.setattr(search, "solve_in_parts", lambda *a: calls.append(1) or parts(*a))
    params = SolveParams(time_limit_s=60, max_iterations=30, lns_rounds=rounds)
    sol = solve_instance(inst, params)
    assert calls == [1]
    assert sol is not None
    assert sol.dropped_pairs == ()
    assert _violations(inst, sol) == []
    vehicle = {n: v for v, r in enumerate(sol.routes) for n in r[1:-1]}
    assert vehicle[int(inst.pairs[0][0])] == vehicle[int(inst.pairs[3][0])]
    # the same budget gives the same plan, and the planner's split gives it too
    again = improve_solution(
        inst, solve_instance(inst, dataclasses.replace(params, lns_rounds=0)), params
    )
    assert again.routes == sol.routes
