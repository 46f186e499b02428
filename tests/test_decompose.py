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
    monkeypatch.setattr(
        search, "solve_in_parts", lambda *a, **kw: calls.append(1) or parts(*a, **kw)
    )
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


def test_a_large_instance_starts_its_parts_from_given_routes(monkeypatch) -> None:
    # a stable week's held trip: the parts start from the reference routes as well
    monkeypatch.setattr(decompose, "PART_REQUESTS", 20)
    from vervoer.routing.solver import search

    monkeypatch.setattr(search, "DECOMPOSE_ABOVE", 40)
    inst = _clustered(60, seed=2, vehicles=12)
    params = SolveParams(time_limit_s=60, max_iterations=30)
    first = solve_instance(inst, params)
    assert first is not None
    seen = []
    whole = decompose.solve_whole

    def spy(inst, params, deadline, initial=None, **kw):
        seen.append(initial)
        return whole(inst, params, deadline, initial=initial, **kw)

    monkeypatch.setattr(decompose, "solve_whole", spy)
    again = solve_instance(inst, params, initial=first.routes)
    assert again is not None
    assert again.dropped_pairs == ()
    assert _violations(inst, again) == []
    starts = [s for s in seen if s is not None]  # every part (the join is a repair)
    assert len(starts) == len(seen) >= 3
    # each part starts from the reference cut to it: a bus stays with the group of most of
    # its requests, and its route keeps those (here two long routes across the towns)
    groups = request_groups(inst, 3)
    group_of = {r: g for g, members in enumerate(groups) for r in members}
    pair_of = {int(p): r for r, p in enumerate(inst.pairs[:, 0])}
    majority = 0
    for route in first.routes:
        votes = [group_of[pair_of[n]] for n in route if n in pair_of]
        majority += max((votes.count(g) for g in set(votes)), default=0)
    assert sum(len(r) - 2 for s in starts for r in s) == 2 * majority > 0


def test_parts_side_by_side_give_the_solution_of_one_process(monkeypatch) -> None:
    monkeypatch.setattr(decompose, "PART_REQUESTS", 20)
    from vervoer.routing.solver import search

    monkeypatch.setattr(search, "DECOMPOSE_ABOVE", 40)
    inst = _clustered(60, seed=3, vehicles=12)
    params = SolveParams(time_limit_s=60, max_iterations=30, lns_rounds=4)
    one = solve_instance(inst, params)
    two = solve_instance(inst, dataclasses.replace(params, workers=2))
    assert one is not None and two is not None
    assert two.routes == one.routes
    assert two.objective == one.objective
    assert _violations(inst, two) == []
