"""The whole-instance search: first solutions, greedy descent, guided local search.

:func:`solve_whole` is the OR-Tools part of every phase of
:func:`~vervoer.routing.solver.search.solve_instance`: on the whole instance first, then
on the sub-instances and ruined routes of the large-neighbourhood searches
(:mod:`vervoer.routing.solver.lns`).
"""

from __future__ import annotations

import time
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


def _first_together(
    model: Model, free: Model, search: RoutingSearchParameters
) -> pywrapcp.Assignment | None:
    """A first solution for an instance with ride-together rules, then greedy descent.

    The insertion heuristics insert one pair at a time, and with a pair that must ride
    with another they leave both out (on the 186-request trip of ``bench_scale`` every
    heuristic did, and no later move brings in two pairs at once). So the heuristic
    ``search.first_solution_strategy`` runs on ``free``, the model without the rules;
    every pair that then rides apart from its partner is moved next to it
    (:func:`_place_together`), or, where no place holds both, the second is taken out,
    and greedy descent on ``model`` goes on from there with ``search``.

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
    for a, b in np.asarray(inst.same_vehicle, dtype=np.int64).reshape(-1, 2).tolist():
        vehicle = {index: v for v, route in enumerate(routes) for index in route}
        va, vb = vehicle.get(pairs[a][0]), vehicle.get(pairs[b][0])
        if va == vb:
            continue
        placed = _place_together(model, routes, pairs[a], pairs[b])
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
PLACE_TRIES = 60


def _place_together(
    model: Model, routes: list[list[int]], a: list[int], b: list[int]
) -> list[list[int]] | None:
    """Routes with pair ``b`` next to pair ``a``, or both in a vehicle of their own.

    Tried in turn, each checked against every constraint of ``model`` by reading the
    routes: ``b`` boarding and alighting right before or after ``a`` in ``a``'s vehicle,
    the same with ``a`` moved to ``b``'s vehicle, then the two together in the shortest
    routes (an unused vehicle first), boarding at one position and alighting at another
    (at most ``PLACE_TRIES`` reads in all).

    Parameters
    ----------
    model
        The model with the rules.
    routes
        Per vehicle, the routing indices it visits.
    a, b
        Pickup and delivery index of each of the two pairs.

    Returns
    -------
    list of list of int or None
        The new routes; None when no candidate was feasible.
    """
    moved = set(a) | set(b)
    base = [[i for i in route if i not in moved] for route in routes]
    owner = {index: v for v, route in enumerate(routes) for index in route}
    tries = 0

    def feasible(v: int, route: list[int]) -> list[list[int]] | None:
        nonlocal tries
        tries += 1
        candidate = [*base[:v], route, *base[v + 1 :]]
        if model.routing.ReadAssignmentFromRoutes(candidate, True) is None:
            return None
        return candidate

    # next to the partner where it rides
    for keep, move in ((a, b), (b, a)):
        v = owner.get(keep[0])
        if v is None:
            continue
        for before_p in (False, True):
            for before_d in (False, True):
                r = [i for i in routes[v] if i not in move]
                r.insert(r.index(keep[0]) + (0 if before_p else 1), move[0])
                r.insert(r.index(keep[1]) + (0 if before_d else 1), move[1])
                found = feasible(v, r)
                if found is not None:
                    return found
    # together elsewhere: the shortest routes first
    for v in sorted(range(len(base)), key=lambda v: len(base[v])):
        route = base[v]
        for i in range(len(route) + 1):
            for j in range(i, len(route) + 1):
                if tries >= PLACE_TRIES:
                    return None
                r = [*route[:i], a[0], b[0], *route[i:j], a[1], b[1], *route[j:]]
                found = feasible(v, r)
                if found is not None:
                    return found
    return None
