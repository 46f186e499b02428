"""The solver's entry point: :func:`solve_instance`, the phases and their share of time.

With a work budget (the planner): the whole-instance search
(:func:`~vervoer.routing.solver.local_search.solve_whole`), then ``params.lns_rounds``
rounds of :func:`~vervoer.routing.solver.lns.ruin_and_descend`. Without one (the
benchmarks): small instances get the whole-instance search only; large ones share the time
limit between it, route elimination where vehicles have a fixed cost
(:func:`~vervoer.routing.solver.lns.remove_routes`, Li & Lim's vehicles-first objective)
and a large-neighbourhood search (``LNS_KINDS``).
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np

from vervoer.core.settings import SolveParams
from vervoer.routing.solver.decompose import DECOMPOSE_ABOVE, improve_in_parts, solve_in_parts
from vervoer.routing.solver.instance import Instance, Solution
from vervoer.routing.solver.lns import (
    PART_TASKS,
    budget_rounds,
    improve_by_parts,
    remove_routes,
    ruin_and_descend,
    ruin_and_recreate,
)
from vervoer.routing.solver.local_search import repair, solve_whole

# Large instances (more than PART_TASKS * 3 // 2 stops) without a work budget: share of
# the time for the whole-instance search, VRPTW and pickup and delivery; the rest goes to
# the large-neighbourhood search. (Pickup and delivery, DARP a7-84, a8-80, b7-84, b8-80
# at 60 s: 4,312 in total with 0.5, 4,274 with 0.2, 4,290 with 0.1; BENCHMARKS.md.)
WHOLE_SHARE = 0.3
WHOLE_SHARE_PD = 0.2
# The large-neighbourhood search after the whole-instance phase (no work budget only):
# "hybrid" (default): VRPTW improve_by_parts then ruin_and_descend, pickup and delivery
# ruin_and_descend; "descend": ruin_and_descend only; "parts": improve_by_parts for VRPTW
# (ruin_and_descend for pickup and delivery); "ruin": ruin_and_recreate.
LNS_KINDS = ("hybrid", "descend", "parts", "ruin")
LNS = "hybrid"
# "hybrid" on VRPTW: share of the remaining time for improve_by_parts
HYBRID_PARTS_SHARE = 0.5
# With a cost per vehicle: share of the time after the whole-instance search for route
# elimination (remove_routes), before the large-neighbourhood search
ELIMINATE_SHARE = 0.5


def solve_instance(
    instance: Instance,
    params: SolveParams | None = None,
    *,
    lns: str | None = None,
    initial: tuple[tuple[int, ...], ...] | None = None,
    repaired: bool = False,
    screen: bool = False,
    resume: bool = False,
) -> Solution | None:
    """Solve an instance with OR-Tools: first solutions, guided local search, then LNS.

    The time windows are first narrowed (:func:`tighten_windows`). Each heuristic of
    ``START_STRATEGIES_*`` builds a first solution that greedy descent takes to a local
    optimum (together within ``START_SHARE`` of the time); guided local search then
    continues from the cheapest one. On a large instance (more than ``PART_TASKS * 3 //
    2`` stops) without a work budget this whole-instance search gets ``WHOLE_SHARE``
    (VRPTW) or ``WHOLE_SHARE_PD`` (pickup and delivery) of the time; where vehicles
    have a fixed cost, route elimination (:func:`remove_routes`) up to
    ``ELIMINATE_SHARE`` of the rest; and a
    large-neighbourhood search around OR-Tools the rest (``lns``, default ``LNS``):
    for VRPTW :func:`improve_by_parts` (groups of neighbouring routes re-solved as small
    instances) for ``HYBRID_PARTS_SHARE`` of it, then :func:`ruin_and_descend` (hundreds
    of short ruin-reinsert-descend rounds on one model); for pickup and delivery
    :func:`ruin_and_descend`. With a budget (``max_iterations > 0``, the planner) only one
    heuristic and guided local search are used, followed by ``params.lns_rounds`` rounds
    of :func:`ruin_and_descend` (fewer on large trips, :func:`budget_rounds`), each
    phase ending at a number of solutions, so the result does not depend on the
    machine's speed. The whole call stays within
    ``params.time_limit_s`` plus model-building overhead.

    Parameters
    ----------
    instance
        The model.
    params
        Time limit, seed and deterministic work budget.
    lns
        The large-neighbourhood search, one of ``LNS_KINDS`` (for comparisons in
        ``benchmarks/bench_solver.py``); None takes ``LNS``.
    initial
        Routes to start from as well (node sequences per vehicle, start and end included),
        e.g. yesterday's plan; with a work budget only.
    repaired
        With ``initial`` and a work budget: only repair it (greedy descent that places
        what it leaves out, :func:`~vervoer.routing.solver.local_search.repair`); for
        routes that are already good, e.g. of the same trip with some requests held.
    screen
        With a work budget: a quick look only, the first solution and its greedy descent
        (no guided local search, no rounds), to compare variants of a problem before the
        full search on the one kept (the planner's seat-layout choices). An instance
        solved in parts (:func:`decomposes`) gets its parts' search all the same (no
        rounds).
    resume
        With ``initial`` and a work budget: ``initial`` is a screen's result on this
        instance, and the full search goes on from it (guided local search, then the
        rounds), as it would have after its own first solution and descent.

    Returns
    -------
    Solution or None
        None when no solution was found (only possible when some nodes must be served).
    """
    params = params or SolveParams()
    now = time.monotonic()
    deadline = now + params.time_limit_s
    if params.max_iterations:
        if repaired and initial is not None:
            solution = repair(instance, initial, params, deadline)
        elif resume and initial is not None and not decomposes(instance):
            solution = solve_whole(
                instance, params, deadline, initial=initial, strategies=(), descend=False
            )
        elif decomposes(instance):
            solution = solve_in_parts(instance, params, deadline, initial=initial)
        else:
            solution = solve_whole(instance, params, deadline, initial=initial, guided=not screen)
        if solution is None or not params.lns_rounds or screen:
            return solution
        return _budget_rounds(instance, solution, params, deadline)
    if instance.n_tasks <= PART_TASKS * 3 // 2:
        return solve_whole(instance, params, deadline)
    pickup_delivery = len(instance.pairs) > 0
    share = WHOLE_SHARE_PD if pickup_delivery else WHOLE_SHARE
    solution = solve_whole(instance, params, now + share * params.time_limit_s)
    if solution is None:
        return None
    if solution.dropped_pairs or solution.dropped_visits:
        # placing every request comes first: the whole-instance search goes on from its
        # best routes for up to half of the remaining time
        more = solve_whole(
            instance,
            params,
            time.monotonic() + (deadline - time.monotonic()) / 2,
            initial=solution.routes,
            strategies=(),
        )
        if more is not None and more.objective < solution.objective:
            solution = replace(more, initial_objective=None)
    if np.any(np.asarray(instance.fixed_cost) > 0):
        # a cost per vehicle: fewer routes first, for up to ELIMINATE_SHARE of the rest
        end = time.monotonic() + (deadline - time.monotonic()) * ELIMINATE_SHARE
        solution = remove_routes(instance, solution, params, end)
    return _large_neighbourhood(instance, solution, params, deadline, lns or LNS)


def improve_solution(instance: Instance, solution: Solution, params: SolveParams) -> Solution:
    """The work-budget phase after the whole-instance search: ``params.lns_rounds`` rounds.

    ``solve_instance(inst, p)`` with a work budget is ``improve_solution(inst,
    solve_instance(inst, replace(p, lns_rounds=0)), p)``: a caller that solves several
    variants of a problem (the planner's seat-layout choices, each held, released or
    unheld) runs the rounds on the one it keeps only. The rounds get their own
    ``params.time_limit_s``.

    Parameters
    ----------
    instance
        The instance ``solution`` solves.
    solution
        Its solution, from :func:`solve_instance` without LNS rounds.
    params
        With a work budget (``max_iterations > 0``); ``lns_rounds`` rounds of
        :func:`ruin_and_descend` (fewer on large instances, :func:`budget_rounds`).

    Returns
    -------
    Solution
        The best solution found, ``solution`` itself when no round found a better one.
    """
    if not params.max_iterations or not params.lns_rounds:
        return solution
    return _budget_rounds(instance, solution, params, time.monotonic() + params.time_limit_s)


def decomposes(instance: Instance) -> bool:
    """Whether a budgeted search takes ``instance`` in parts (:mod:`.decompose`).

    Pickup-and-delivery instances of more than ``DECOMPOSE_ABOVE`` requests, without
    visits.
    """
    return not len(instance.visits) and len(instance.pairs) > DECOMPOSE_ABOVE


def _budget_rounds(
    instance: Instance, solution: Solution, params: SolveParams, deadline: float
) -> Solution:
    """The budgeted LNS rounds: on the parts of a large instance, else on the whole."""
    if decomposes(instance):
        return improve_in_parts(instance, solution, params, deadline)
    rounds = budget_rounds(params.lns_rounds, len(instance.pairs) + len(instance.visits))
    return ruin_and_descend(instance, solution, params, deadline, rounds=rounds)


def _large_neighbourhood(
    inst: Instance, solution: Solution, params: SolveParams, deadline: float, lns: str
) -> Solution:
    """The large-neighbourhood phase of :func:`solve_instance` (see ``LNS_KINDS``)."""
    if lns not in LNS_KINDS:
        msg = f"unknown large-neighbourhood search {lns!r}; expected one of {LNS_KINDS}"
        raise ValueError(msg)
    if lns == "ruin":
        return ruin_and_recreate(inst, solution, params, deadline)
    if lns == "parts" and not len(inst.pairs):
        return improve_by_parts(inst, solution, params, deadline)
    if lns == "hybrid" and not len(inst.pairs):
        # VRPTW: first the route-group sub-instances (strong on tight windows), then the
        # fast ruin-and-descend rounds (strong on long routes with wide windows)
        parts_end = time.monotonic() + (deadline - time.monotonic()) * HYBRID_PARTS_SHARE
        solution = improve_by_parts(inst, solution, params, parts_end)
    return ruin_and_descend(inst, solution, params, deadline)
