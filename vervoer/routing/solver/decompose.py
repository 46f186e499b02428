"""Large instances in parts: requests grouped by place and time, each group with a share
of the fleet solved as a sub-instance, the parts joined and improved on the whole.

OR-Tools' local search slows down much faster than linearly with the size of a pickup
and delivery instance (a guided-local-search solution takes about 0.1 s on 90 requests
and several seconds on 700), so a deelregio's trip of several hundred requests is solved
as parts of about ``PART_REQUESTS`` requests, where the search is strong, and the joined
routes get a last whole-instance descent that also places what a part left out. The
grouping is deterministic (no random choices), so the work budget still decides the
result.
"""

from __future__ import annotations

import math
import time
from dataclasses import replace

import numpy as np

from vervoer.core.processes import run_parallel
from vervoer.core.settings import SolveParams
from vervoer.routing.solver.instance import Instance, Solution
from vervoer.routing.solver.lns import ROUNDS_MIN, budget_rounds, ruin_and_descend, sub_instance
from vervoer.routing.solver.local_search import repair, solve_whole
from vervoer.routing.solver.ortools_model import build_model, search_params

#: instances with more pickup-delivery requests than this are solved in parts
DECOMPOSE_ABOVE = 220
#: the target number of requests per part
PART_REQUESTS = 110
#: a part gets vehicles for this many times its load (per load dimension)
FLEET_SLACK = 1.3
#: improvement rounds of the grouping (reassign to the nearest medoid, recompute)
GROUPING_ROUNDS = 4
#: a group may hold up to this many times the mean group size
GROUP_MAX_SHARE = 1.25
#: share of the time cap for the parts (the rest: joining them on the whole instance)
PARTS_SHARE = 0.6


def solve_in_parts(
    inst: Instance,
    params: SolveParams,
    deadline: float,
    initial: tuple[tuple[int, ...], ...] | None = None,
) -> Solution | None:
    """Solve a large pickup-and-delivery instance as parts, then join them.

    The requests are grouped (:func:`request_groups`), every group gets vehicles near it
    for its load (:func:`share_fleet`), and each group is solved on its own with the work
    budget (:func:`~vervoer.routing.solver.local_search.solve_whole`). The joined routes
    are the start of a greedy descent on the whole instance that places the requests a
    part left out (any vehicle, the spare ones included) and improves across the parts'
    borders (:func:`~vervoer.routing.solver.local_search.repair`: a quarter of the budget
    plus two solutions per request left out); no guided local search there (on 731
    requests it took 175 s for 4.5%), the LNS rounds come after, on the parts
    (:func:`improve_in_parts`).

    Parameters
    ----------
    inst
        The instance; pairs only (visits are solved whole by the caller).
    params
        The work budget (``max_iterations``) for every part and for the join.
    deadline
        ``time.monotonic()`` value by which everything ends.
    initial
        Routes to start from as well (e.g. a stable week's reference trip): each part
        also starts from them, cut to its requests and vehicles.

    Returns
    -------
    Solution or None
        None only when no solution was found (then not even on the whole instance).
    """
    groups = request_groups(inst, math.ceil(len(inst.pairs) / PART_REQUESTS))
    # with given routes, a vehicle that drives one stays with the group of most of its
    # requests, so that each part starts from as much of them as it can
    given = _route_groups(inst, groups, initial) if initial is not None else {}
    fleet = share_fleet(inst, groups, given)
    pairs = np.asarray(inst.pairs, dtype=np.int64).reshape(-1, 2)
    routes: list[tuple[int, ...]] = [
        (int(s), int(e)) for s, e in zip(inst.starts, inst.ends, strict=True)
    ]
    now = time.monotonic()
    parts_end = now + (deadline - now) * PARTS_SHARE
    todo = [(g, v) for g, v in zip(groups, fleet, strict=True) if g and v]
    lanes = max(1, min(params.workers, len(todo)))
    # the parts run side by side in up to `workers` processes, in waves; each wave gets an
    # equal share of the time (a part that ends early leaves its time to the next wave)
    wave_s = (parts_end - now) / max(1, math.ceil(len(todo) / lanes))
    calls = []
    cut = []
    for i, (group, vehicles) in enumerate(todo):
        sub, nodes = sub_instance(inst, vehicles, routes, [int(n) for r in group for n in pairs[r]])
        local = {int(n): j for j, n in enumerate(nodes)}
        start = None
        if initial is not None:
            start = tuple(
                (
                    local[int(inst.starts[v])],
                    *[local[n] for n in initial[v][1:-1] if n in local],
                    local[int(inst.ends[v])],
                )
                for v in vehicles
            )
        part_end = max(now + wave_s * (i // lanes + 1), time.monotonic() + 0.5)
        calls.append((sub, replace(params, workers=1), part_end, start))
        cut.append((vehicles, nodes))
    for found, (vehicles, nodes) in zip(
        run_parallel(solve_whole, calls, params.workers), cut, strict=True
    ):
        if found is None:
            continue
        for v, route in zip(vehicles, found.routes, strict=True):
            routes[v] = tuple(int(nodes[n]) for n in route)
    joined = repair(inst, tuple(routes), params, deadline)
    if joined is None:  # the parts' routes do not read together (not seen): the whole trip
        return solve_whole(inst, params, deadline, initial=initial)
    return joined


def improve_in_parts(
    inst: Instance, solution: Solution, params: SolveParams, deadline: float
) -> Solution:
    """The LNS rounds of a large instance, on its parts: ruin and descend in each.

    The requests are grouped as for :func:`solve_in_parts`; each used route goes to the
    group that holds most of its requests, and the routes of a group are improved as a
    sub-instance with rounds of :func:`~vervoer.routing.solver.lns.ruin_and_descend`, where
    a round costs a fraction of one on the whole: ``params.lns_rounds`` shared among the
    parts (at least ``ROUNDS_MIN`` each; no more than
    :func:`~vervoer.routing.solver.lns.budget_rounds` gives a part of its size). Requests
    left out stay out (the whole-instance descent before had them).

    Parameters
    ----------
    inst
        The instance.
    solution
        Its current solution.
    params
        The work budget and the rounds.
    deadline
        ``time.monotonic()`` value by which everything ends.

    Returns
    -------
    Solution
        The improved solution, or ``solution`` when nothing improved.
    """
    groups = request_groups(inst, math.ceil(len(inst.pairs) / PART_REQUESTS))
    by_group: dict[int, list[int]] = {}
    for v, g in sorted(_route_groups(inst, groups, solution.routes).items()):
        by_group.setdefault(g, []).append(v)
    routes = list(solution.routes)
    changed = False
    # the trip's rounds shared among the parts (as many round-seconds as a 100-request
    # trip gets), at least ROUNDS_MIN each
    per_part = max(ROUNDS_MIN, math.ceil(params.lns_rounds / max(1, len(by_group))))
    parts = [vehicles for _g, vehicles in sorted(by_group.items())]
    lanes = max(1, min(params.workers, len(parts)))
    now = time.monotonic()
    wave_s = max((deadline - now) / max(1, math.ceil(len(parts) / lanes)), 0.5)
    calls = []
    cut = []
    for i, vehicles in enumerate(parts):
        sub, nodes = sub_instance(inst, vehicles, routes)
        local = {int(n): j for j, n in enumerate(nodes)}
        sub_routes = tuple(tuple(local[n] for n in routes[v]) for v in vehicles)
        rounds = min(budget_rounds(params.lns_rounds, len(sub.pairs)), per_part)
        part_end = now + wave_s * (i // lanes + 1)
        calls.append((sub, sub_routes, replace(params, workers=1), part_end, rounds))
        cut.append((vehicles, nodes))
    for better, (vehicles, nodes) in zip(
        run_parallel(_improve_part, calls, params.workers), cut, strict=True
    ):
        if better is not None:
            changed = True
            for v, route in zip(vehicles, better.routes, strict=True):
                routes[v] = tuple(int(nodes[n]) for n in route)
    if not changed:
        return solution
    final = _read(inst, tuple(routes), max(deadline, time.monotonic() + 1.0))
    return solution if final is None or final.objective > solution.objective else final


def _improve_part(
    sub: Instance,
    routes: tuple[tuple[int, ...], ...],
    params: SolveParams,
    deadline: float,
    rounds: int,
) -> Solution | None:
    """The rounds on one part (see :func:`improve_in_parts`): better routes, or None."""
    start = _read(sub, routes, deadline)
    if start is None:
        return None
    better = ruin_and_descend(sub, start, params, deadline, rounds=rounds)
    return better if better.objective < start.objective else None


def _route_groups(
    inst: Instance, groups: list[list[int]], routes: tuple[tuple[int, ...], ...]
) -> dict[int, int]:
    """Per vehicle that drives a route, the group that holds most of its requests."""
    group_of = {r: g for g, members in enumerate(groups) for r in members}
    pair_of = {int(p): r for r, p in enumerate(np.asarray(inst.pairs).reshape(-1, 2)[:, 0])}
    out: dict[int, int] = {}
    for v, route in enumerate(routes):
        votes = [group_of[pair_of[n]] for n in route[1:-1] if n in pair_of]
        if votes:
            out[v] = max(set(votes), key=lambda g: (votes.count(g), -g))
    return out


def _read(inst: Instance, routes: tuple[tuple[int, ...], ...], deadline: float) -> Solution | None:
    """The solution of ``inst`` that drives ``routes`` (earliest times), or None."""
    model = build_model(inst)
    start = model.routing.ReadAssignmentFromRoutes(model.index_routes(routes), True)
    if start is None:
        return None
    seconds = max(deadline - time.monotonic(), 0.5)
    assignment = model.routing.SolveFromAssignmentWithParameters(start, search_params(seconds, 1))
    return None if assignment is None else model.solution(assignment, "ROUTING_SUCCESS")


def request_groups(inst: Instance, k: int) -> list[list[int]]:
    """The pairs of ``inst`` in ``k`` groups of neighbours in place and time.

    Two requests are near when their pickups are near each other and their deliveries
    are (mean travel time both ways), and when their delivery windows open about the
    same time. Seeds by farthest-point sampling, then ``GROUPING_ROUNDS`` rounds of
    assigning each request to the nearest medoid with room (a group holds at most
    ``GROUP_MAX_SHARE`` times the mean size) and taking each group's medoid anew.
    Requests that must ride together (``same_vehicle``) are one unit, so they always
    land in the same group.

    Parameters
    ----------
    inst
        The instance.
    k
        The number of groups (at least 1).

    Returns
    -------
    list of list of int
        Pair indices per group, each sorted; every pair is in exactly one group.
    """
    pairs = np.asarray(inst.pairs, dtype=np.int64).reshape(-1, 2)
    n = len(pairs)
    k = max(1, min(k, n))
    if k == 1:
        return [list(range(n))]
    units = _units(n, np.asarray(inst.same_vehicle, dtype=np.int64).reshape(-1, 2))
    dur = np.asarray(inst.durations, dtype=np.float64)
    sym = (dur + dur.T) / 2
    pick, drop = pairs[:, 0], pairs[:, 1]
    opens = np.asarray(inst.tw_early, dtype=np.float64)[drop]
    apart = sym[np.ix_(pick, pick)] + sym[np.ix_(drop, drop)] + np.abs(opens[:, None] - opens)
    # farthest-point seeds, starting from the request farthest from all others
    seeds = [int(np.argmax(apart.sum(axis=1)))]
    nearest = apart[seeds[0]].copy()
    while len(seeds) < k:
        seeds.append(int(np.argmax(nearest)))
        nearest = np.minimum(nearest, apart[seeds[-1]])
    room = math.ceil(GROUP_MAX_SHARE * n / k)
    groups: list[list[int]] = []
    for _ in range(GROUPING_ROUNDS):
        groups = _assign(units, apart, seeds, room)
        medoids = [
            int(g[int(np.argmin(apart[np.ix_(g, g)].sum(axis=1)))]) if g else s
            for g, s in zip(groups, seeds, strict=True)
        ]
        if medoids == seeds:
            break
        seeds = medoids
    return [sorted(g) for g in groups]


def _units(n: int, same: np.ndarray) -> list[list[int]]:
    """The pairs as units: each pair alone, or with those it must ride with (transitively)."""
    parent = list(range(n))

    def root(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for a, b in same.tolist():
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    units: dict[int, list[int]] = {}
    for r in range(n):
        units.setdefault(root(r), []).append(r)
    return list(units.values())


def _assign(
    units: list[list[int]], apart: np.ndarray, seeds: list[int], room: int
) -> list[list[int]]:
    """Each unit to its nearest seed with room; the units with the clearest choice first."""
    to_seed = np.stack([apart[u][:, seeds].mean(axis=0) for u in units])  # (units, k)
    ranked = np.sort(to_seed, axis=1)
    margin = ranked[:, 1] - ranked[:, 0] if to_seed.shape[1] > 1 else ranked[:, 0]
    groups: list[list[int]] = [[] for _ in seeds]
    for u in np.argsort(-margin, kind="stable").tolist():
        order = np.argsort(to_seed[u], kind="stable").tolist()
        fits = [g for g in order if len(groups[g]) + len(units[u]) <= room]
        groups[fits[0] if fits else order[0]].extend(units[u])
    return groups


def share_fleet(
    inst: Instance, groups: list[list[int]], given: dict[int, int] | None = None
) -> list[list[int]]:
    """Vehicles for each group: near its requests, enough for ``FLEET_SLACK`` times its load.

    The group with the largest share of its load still uncovered (in any load dimension)
    takes the nearest free vehicle that adds to that dimension (travel time from the
    vehicle's start to the group's pickups, mean), until every group is covered or the
    fleet is used up; vehicles left over stay out of every part (the join may use them).
    A request that may ride only some vehicles (``allowed``) gets one of them in its group
    when there is a free one.

    Parameters
    ----------
    inst
        The instance.
    groups
        Pair indices per group (:func:`request_groups`).
    given
        Vehicles already placed: vehicle -> group.

    Returns
    -------
    list of list of int
        Vehicle indices per group, each sorted.
    """
    pairs = np.asarray(inst.pairs, dtype=np.int64).reshape(-1, 2)
    demand = np.asarray(inst.demand, dtype=np.int64)
    if demand.ndim == 1:
        demand = demand[:, None]
    capacity = np.asarray(inst.capacity, dtype=np.int64).reshape(inst.n_vehicles, -1)
    dur = np.asarray(inst.durations, dtype=np.float64)
    starts = np.asarray(inst.starts, dtype=np.int64)
    # load dimensions where a vehicle's room is per passenger (not the "company" rule)
    need = np.stack([np.maximum(demand[pairs[g, 0]], 0).sum(axis=0) for g in groups]) * FLEET_SLACK
    have = np.zeros_like(need)
    near = np.stack([dur[np.ix_(starts, pairs[g, 0])].mean(axis=1) for g in groups])  # (g, v)
    free = np.ones(inst.n_vehicles, dtype=bool)
    fleet: list[list[int]] = [[] for _ in groups]
    for v, placed in sorted((given or {}).items()):
        fleet[placed].append(v)
        free[v] = False
        have[placed] += capacity[v]
    allowed = np.asarray(inst.allowed, dtype=bool)
    if allowed.size:
        for gi, g in enumerate(groups):
            for r in g:
                if allowed[r].all() or any(allowed[r, v] for v in fleet[gi]):
                    continue
                options = [
                    v for v in np.argsort(near[gi], kind="stable") if free[v] and allowed[r, v]
                ]
                if options:
                    v = int(options[0])
                    fleet[gi].append(v)
                    free[v] = False
                    have[gi] += capacity[v]
    while free.any():
        short = np.where(need > 0, (need - have) / np.maximum(need, 1), -np.inf)
        at = np.unravel_index(int(np.argmax(short)), short.shape)
        gi, dim = int(at[0]), int(at[1])
        if short[gi, dim] <= 0:
            break
        useful = free & (capacity[:, dim] > 0)
        if not useful.any():
            need[gi, dim] = have[gi, dim]  # no vehicle can add room here
            continue
        v = int(np.argmin(np.where(useful, near[gi], np.inf)))
        fleet[gi].append(v)
        free[v] = False
        have[gi] += capacity[v]
    return [sorted(f) for f in fleet]
