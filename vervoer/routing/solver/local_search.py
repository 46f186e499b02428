"""The whole-instance search: first solutions, greedy descent, guided local search.

:func:`solve_whole` is the OR-Tools part of every phase of
:func:`~vervoer.routing.solver.search.solve_instance`: on the whole instance first, then
on the sub-instances and ruined routes of the large-neighbourhood searches
(:mod:`vervoer.routing.solver.lns`).
"""

from __future__ import annotations

import time
from dataclasses import replace

from vervoer.core.settings import SolveParams
from vervoer.routing.solver.instance import Instance, Solution
from vervoer.routing.solver.ortools_model import (
    FIRST,
    META,
    STATUS,
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
