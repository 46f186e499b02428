"""The whole-instance search: first solutions, greedy descent, guided local search.

:func:`solve_whole` is the OR-Tools part of every phase of
:func:`~vervoer.routing.solver.search.solve_instance`: on the whole instance first, then
on the sub-instances and ruined routes of the large-neighbourhood searches
(:mod:`vervoer.routing.solver.lns`).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace

import numpy as np
from ortools.constraint_solver import pywrapcp
from ortools.constraint_solver.routing_parameters_pb2 import RoutingSearchParameters

from vervoer.core.settings import SolveParams
from vervoer.routing.solver.instance import Instance, Solution
from vervoer.routing.solver.ortools_model import (
    FIRST,
    META,
    STATUS,
    Model,
    assignment_routes,
    build_model,
    search_params,
)

# First-solution heuristics tried in turn (fastest first), each followed by greedy descent;
# guided local search continues from the cheapest local optimum.
START_STRATEGIES_PD = (
    "LOCAL_CHEAPEST_INSERTION",
    "PARALLEL_CHEAPEST_INSERTION",
    "SEQUENTIAL_CHEAPEST_INSERTION",
)
START_STRATEGIES_VRP = (
    "LOCAL_CHEAPEST_INSERTION",
    "PATH_CHEAPEST_ARC",
    "SAVINGS",
    "PARALLEL_CHEAPEST_INSERTION",
)
# Share of the remaining time that the first-solution phase may use in total.
START_SHARE = 0.3


def solve_whole(
    inst: Instance,
    params: SolveParams,
    deadline: float,
    initial: tuple[tuple[int, ...], ...] | None = None,
    strategies: tuple[str, ...] | None = None,
    guided: bool = True,
    descend: bool = True,
) -> Solution | None:
    """First solutions (and ``initial`` routes, if given), greedy descent, then GLS.

    Each first-solution heuristic of ``strategies`` (default ``START_STRATEGIES_PD`` or
    ``START_STRATEGIES_VRP``) is taken to a local optimum by greedy descent, together
    within ``START_SHARE`` of the time; guided local search continues from the cheapest
    one until ``deadline``. With a work budget (``params.max_iterations``) only one
    heuristic runs (parallel cheapest insertion for pickup and delivery) and every phase
    stops after that many solutions.

    Parameters
    ----------
    inst
        The instance (its windows are narrowed first, see ``tighten_windows``).
    params
        Work budget (``max_iterations``; 0 for time limits only).
    deadline
        ``time.monotonic()`` value by which the search ends.
    initial
        Routes to start from as well (node sequences, start and end included).
    strategies
        Names of ``FirstSolutionStrategy`` values; ``()`` to start from ``initial`` only.
    guided
        False: stop at the best local optimum of the descents (no guided local search).
    descend
        False: no greedy descent from ``initial`` (routes that are already a descent's
        result, e.g. of a screen: guided local search goes on from them as they are).

    Returns
    -------
    Solution or None
        The best solution, with ``initial_objective`` when ``initial`` was read; None when
        no start gave a solution.
    """
    model = build_model(inst)
    routing = model.routing
    # with ride-together rules the heuristics run on the instance without them (see
    # _first_together)
    free = None
    if len(inst.same_vehicle) and strategies != ():
        free = build_model(replace(inst, same_vehicle=np.zeros((0, 2), dtype=np.int64)))

    if strategies is None:
        strategies = START_STRATEGIES_PD if len(inst.pairs) else START_STRATEGIES_VRP
    budget = params.max_iterations
    share = START_SHARE
    if budget and strategies:
        # with a work budget (the planner) only one heuristic runs, with the whole time,
        # so that a time cap on a share cannot make the result machine-dependent
        # (for pickup and delivery the parallel insertion: clearly better first routes
        # on the planner's rides than local cheapest insertion)
        pd_first = ("PARALLEL_CHEAPEST_INSERTION",)
        strategies, share = (pd_first if len(inst.pairs) else strategies[:1]), 1.0
    best: tuple[int, list[list[int]]] | None = None
    initial_cost = None
    if initial is not None:
        # the given routes as one more start (their cost first, then their local optimum)
        start = routing.ReadAssignmentFromRoutes(model.index_routes(initial), True)
        if start is not None:
            assignment = routing.SolveFromAssignmentWithParameters(start, search_params(1, 1))
            if assignment is not None:
                initial_cost = int(assignment.ObjectiveValue())
                best = (initial_cost, assignment_routes(routing, assignment))
                if descend:
                    search = search_params((deadline - time.monotonic()) * share, budget)
                    search.local_search_metaheuristic = META.GREEDY_DESCENT
                    assignment = routing.SolveFromAssignmentWithParameters(assignment, search)
                if assignment is not None and int(assignment.ObjectiveValue()) < best[0]:
                    best = (
                        int(assignment.ObjectiveValue()),
                        assignment_routes(routing, assignment),
                    )
    # 1. several first solutions, each improved by greedy descent to a local optimum;
    #    together they get at most START_SHARE of the time limit
    for i, name in enumerate(strategies):
        cap = (deadline - time.monotonic()) * share / (len(strategies) - i)
        search = search_params(cap, budget)
        search.first_solution_strategy = getattr(FIRST, name)
        search.local_search_metaheuristic = META.GREEDY_DESCENT
        assignment = None
        if free is not None:
            assignment = _first_together(model, free, search)
        if assignment is None:
            assignment = routing.SolveWithParameters(search)
        if assignment is None:
            continue
        cost = int(assignment.ObjectiveValue())
        if best is None or cost < best[0]:
            best = (cost, assignment_routes(routing, assignment))
    if best is None:
        return None
    # 2. guided local search from the best local optimum for the remaining time
    start = routing.ReadAssignmentFromRoutes(best[1], True)
    assignment = None
    status_name = "ROUTING_SUCCESS"
    if guided:
        search = search_params(deadline - time.monotonic(), budget)
        search.local_search_metaheuristic = META.GUIDED_LOCAL_SEARCH
        assignment = routing.SolveFromAssignmentWithParameters(start, search)
        status = routing.status()
        status_name = STATUS.get(int(status), str(status))
    if assignment is None or int(assignment.ObjectiveValue()) > best[0]:
        # guided local search keeps its best solution, so this is only a safety net:
        # re-read the best local optimum and let the solver fill in the times
        search = search_params(max(1.0, deadline - time.monotonic()), 1)
        assignment = routing.SolveFromAssignmentWithParameters(
            routing.ReadAssignmentFromRoutes(best[1], True), search
        )
        if assignment is None:
            return None
    solution = model.solution(assignment, status_name)
    if initial_cost is not None:
        solution = replace(solution, initial_objective=initial_cost)
    return solution


#: a repair's descent gets the work budget divided by this, plus two solutions per request
#: left out (a descent solution on the whole of 731 requests costs about 0.5 s; 25 of them
#: gave -0.6%, 100 -0.9%, in 7 and 47 s)
REPAIR_SHARE_DIV = 4


def repair(
    inst: Instance, routes: tuple[tuple[int, ...], ...], params: SolveParams, deadline: float
) -> Solution | None:
    """Greedy descent from ``routes``: place what they leave out, improve on the way.

    No first-solution heuristic and no guided local search: for routes that are already
    good (parts of a large trip put together, a held trip with some participants
    released). The descent stops after ``params.max_iterations // REPAIR_SHARE_DIV``
    solutions plus two per request the routes leave out.

    Parameters
    ----------
    inst
        The instance.
    routes
        Per vehicle, its nodes from start to end.
    params
        The work budget.
    deadline
        ``time.monotonic()`` value by which the search ends.

    Returns
    -------
    Solution or None
        None when the routes could not be read (they break a constraint).
    """
    served = {int(n) for route in routes for n in route}
    pairs = np.asarray(inst.pairs, dtype=np.int64).reshape(-1, 2)
    left_out = sum(1 for p in pairs[:, 0].tolist() if p not in served)
    left_out += sum(1 for n in np.asarray(inst.visits).tolist() if n not in served)
    budget = max(1, params.max_iterations // REPAIR_SHARE_DIV) + 2 * left_out
    found = solve_whole(
        inst,
        replace(params, max_iterations=budget),
        deadline,
        initial=routes,
        strategies=(),
        guided=False,
    )
    return None if found is None else replace(found, initial_objective=None)


def _first_together(
    model: Model, free: Model, search: RoutingSearchParameters
) -> pywrapcp.Assignment | None:
    """A first solution for an instance with ride-together rules, then greedy descent.

    The insertion heuristics insert one pair at a time, and with a pair that must ride
    with another they leave both out (on the 186-request trip of ``bench_scale`` every
    heuristic did, and no later move brings in two pairs at once). So the heuristic
    ``search.first_solution_strategy`` runs on ``free``, the model without the rules;
    every pair that then rides apart from its partner is moved into its partner's
    vehicle (:func:`_place_together`), or its whole group into one vehicle
    (:func:`_place_group`), or, where neither works, the second is taken out; greedy
    descent on ``model`` goes on from there with ``search``.

    Parameters
    ----------
    model
        The model with the rules.
    free
        The model of the same instance without ``same_vehicle``.
    search
        The first-solution strategy, greedy descent, the time cap and the budget.

    Returns
    -------
    Assignment or None
        A solution of ``model``; None when the start could not be built or read.
    """
    began = time.monotonic()
    cap = search.time_limit.seconds + search.time_limit.nanos / 1e9
    first = search_params(cap, 1)
    first.first_solution_strategy = search.first_solution_strategy
    assignment = free.routing.SolveWithParameters(first)
    if assignment is None:
        return None
    routes = assignment_routes(free.routing, assignment)
    inst, manager = model.inst, model.manager
    pairs = [
        [manager.NodeToIndex(n) for n in pair]
        for pair in np.asarray(inst.pairs, dtype=np.int64).reshape(-1, 2).tolist()
    ]
    links = np.asarray(inst.same_vehicle, dtype=np.int64).reshape(-1, 2).tolist()
    tied: dict[int, set[int]] = {}
    for a, b in links:
        tied.setdefault(pairs[a][0], set()).add(pairs[b][0])
        tied.setdefault(pairs[b][0], set()).add(pairs[a][0])
    for a, b in links:
        vehicle = {index: v for v, route in enumerate(routes) for index in route}
        va, vb = vehicle.get(pairs[a][0]), vehicle.get(pairs[b][0])
        if va == vb:
            continue
        placed = _place_together(model, routes, pairs[a], pairs[b], tied)
        if placed is None:
            placed = _place_group(model, free, routes, _group(pairs, tied, pairs[a][0]))
        if placed is not None:
            routes = placed
        else:
            # the one that rides (b if both do) is left out; descent may insert it
            gone = set(pairs[b] if vb is not None else pairs[a])
            routes = [[i for i in route if i not in gone] for route in routes]
    start = model.routing.ReadAssignmentFromRoutes(routes, True)
    if start is None:
        return None
    rest = RoutingSearchParameters()
    rest.CopyFrom(search)
    rest.time_limit.FromMilliseconds(max(1, round((cap - (time.monotonic() - began)) * 1000)))
    return model.routing.SolveFromAssignmentWithParameters(start, rest)


# At most this many candidate routes are read per pair in _place_together (about 10 ms
# each on 186 requests).
PLACE_TRIES = 120


def _place_together(
    model: Model,
    routes: list[list[int]],
    a: list[int],
    b: list[int],
    tied: dict[int, set[int]],
) -> list[list[int]] | None:
    """Routes with pair ``b`` moved into ``a``'s vehicle or ``a`` into ``b``'s, or None.

    Tried in turn, each checked against every constraint of ``model`` by reading the
    routes: one of the two boarding and alighting right before or after the other in the
    other's vehicle (riding together); then anywhere in the other's vehicle, cheapest
    detour first (one after the other, when their times lie apart). At most
    ``PLACE_TRIES`` reads in all. (Both into another vehicle: :func:`_place_group`.)

    Parameters
    ----------
    model
        The model with the rules.
    routes
        Per vehicle, the routing indices it visits.
    a, b
        Pickup and delivery index of each of the two pairs.
    tied
        Per pickup index, the pickups of the pairs it must ride with: a pair is not
        moved away from another partner that rides (that read would fail anyway).

    Returns
    -------
    list of list of int or None
        The new routes; None when no candidate was feasible.
    """
    moved = set(a) | set(b)
    base = [[i for i in route if i not in moved] for route in routes]
    owner = {index: v for v, route in enumerate(routes) for index in route}
    durations = np.asarray(model.inst.durations)
    node = model.manager.IndexToNode

    def candidates() -> Iterator[tuple[int, list[int]]]:
        def free_to_leave(move: list[int], v: int | None) -> bool:
            others = tied.get(move[0], set()) - {a[0], b[0]}
            return all(owner.get(q) in (None, v) for q in others)

        partners = [
            (keep, move, owner[keep[0]])
            for keep, move in ((a, b), (b, a))
            if keep[0] in owner
            and free_to_leave(move, owner[keep[0]])
            and _allowed(model, [move])[owner[keep[0]]]
        ]
        for keep, move, v in partners:  # riding together
            for before_p in (False, True):
                for before_d in (False, True):
                    r = [i for i in routes[v] if i not in move]
                    r.insert(r.index(keep[0]) + (0 if before_p else 1), move[0])
                    r.insert(r.index(keep[1]) + (0 if before_d else 1), move[1])
                    yield v, r
        for _keep, move, v in partners:  # one after the other
            r = [i for i in routes[v] if i not in move]
            for i, j in _by_detour(durations, [node(x) for x in r], node(move[0]), node(move[1])):
                yield v, [*r[:i], move[0], *r[i:j], move[1], *r[j:]]

    for tries, (v, route) in enumerate(candidates()):
        if tries >= PLACE_TRIES:
            break
        candidate = [*base[:v], route, *base[v + 1 :]]
        if model.routing.ReadAssignmentFromRoutes(candidate, True) is not None:
            return candidate
    return None


def _group(pairs: list[list[int]], tied: dict[int, set[int]], first: int) -> list[list[int]]:
    """The pairs that must ride with the pair of pickup ``first``, directly or in a chain."""
    seen, todo = {first}, [first]
    while todo:
        for q in tied.get(todo.pop(), set()) - seen:
            seen.add(q)
            todo.append(q)
    return [pair for pair in pairs if pair[0] in seen]


# At most this many candidate routes are read per group in _place_group, and at most
# GROUP_POSITIONS positions (the cheapest detours) tried per pair and vehicle.
GROUP_TRIES = 300
GROUP_POSITIONS = 20


def _place_group(
    model: Model, free: Model, routes: list[list[int]], group: list[list[int]]
) -> list[list[int]] | None:
    """Routes with every pair of ``group`` in one vehicle, or None.

    For a group whose pairs ride at different times (one after the other, so that no
    insertion next to a partner works) or a chain of three or more: the vehicles of the
    group's pairs first, then the shortest routes; into each, the pairs are inserted one
    by one, each at the first feasible of its ``GROUP_POSITIONS`` cheapest detours
    (checked on ``free``, the model without the rules, since the group is incomplete
    meanwhile), and the result is read into ``model``. At most ``GROUP_TRIES`` reads.

    Parameters
    ----------
    model, free
        The model with the rules and the same instance without them.
    routes
        Per vehicle, the routing indices it visits.
    group
        Pickup and delivery index of each pair of the group.

    Returns
    -------
    list of list of int or None
        The new routes; None when no vehicle took the whole group.
    """
    nodes = {i for pair in group for i in pair}
    base = [[i for i in route if i not in nodes] for route in routes]
    owner = {index: v for v, route in enumerate(routes) for index in route}
    durations = np.asarray(model.inst.durations)
    node = model.manager.IndexToNode
    mine = [owner[pair[0]] for pair in group if pair[0] in owner]
    targets = list(dict.fromkeys([*mine, *sorted(range(len(base)), key=lambda v: len(base[v]))]))
    # (a vehicle a rule keeps one of them out of is not tried: OR-Tools would log the read)
    ok = _allowed(model, group)
    targets = [v for v in targets if ok[v]]
    tries = 0
    for v in targets:
        route = list(base[v])
        for pickup, delivery in group:
            nodes_of = [node(x) for x in route]
            options = _by_detour(durations, nodes_of, node(pickup), node(delivery))
            for i, j in options[:GROUP_POSITIONS]:
                if tries >= GROUP_TRIES:
                    return None
                tries += 1
                r = [*route[:i], pickup, *route[i:j], delivery, *route[j:]]
                read = free.routing.ReadAssignmentFromRoutes([*base[:v], r, *base[v + 1 :]], True)
                if read is not None:
                    route = r
                    break
            else:
                break
        else:
            whole = [*base[:v], route, *base[v + 1 :]]
            if model.routing.ReadAssignmentFromRoutes(whole, True) is not None:
                return whole
    return None


def _allowed(model: Model, group: list[list[int]]) -> np.ndarray:
    """Per vehicle, whether every pair of ``group`` (routing indices) may ride in it."""
    inst = model.inst
    ok = np.ones(inst.n_vehicles, dtype=bool)
    allowed = np.asarray(inst.allowed, dtype=bool)
    if not allowed.size:
        return ok
    pickups = np.asarray(inst.pairs, dtype=np.int64).reshape(-1, 2)[:, 0].tolist()
    pair_of = {int(n): r for r, n in enumerate(pickups)}
    for pickup, _delivery in group:
        ok &= allowed[pair_of[model.manager.IndexToNode(pickup)]]
    return ok


def _by_detour(
    durations: np.ndarray, route: list[int], pickup: int, delivery: int
) -> list[tuple[int, int]]:
    """Positions ``(i, j)`` to insert a pair into ``route`` (nodes), cheapest detour first.

    The pickup goes before ``route[i]`` and the delivery before ``route[j]`` of the
    route without the pickup (``i <= j``); the detour is the added travel time with the
    vehicle's start and end left out (they are not in ``route``).
    """

    def added(prev: int | None, nxt: int | None, new: int) -> int:
        cost = 0
        if prev is not None:
            cost += int(durations[prev, new])
        if nxt is not None:
            cost += int(durations[new, nxt])
        if prev is not None and nxt is not None:
            cost -= int(durations[prev, nxt])
        return cost

    n = len(route)
    at = [None, *route, None]  # at[k] is the node before position k, at[k + 1] after it
    options = []
    for i in range(n + 1):
        for j in range(i, n + 1):
            if i == j:
                # prev, pickup, delivery, next
                cost = added(at[i], at[i + 1], pickup) + added(pickup, at[i + 1], delivery)
            else:
                cost = added(at[i], at[i + 1], pickup) + added(at[j], at[j + 1], delivery)
            options.append((cost, i, j))
    options.sort()
    return [(i, j) for _, i, j in options]
