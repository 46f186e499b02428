"""The routing engine: a pickup-and-delivery model with time windows on OR-Tools.

This is the only module that imports ``ortools``. It knows nothing of participants or
files: :class:`Instance` is a generic integer model (nodes with time windows, service
times and multi-dimensional demands; vehicles with their own start/end nodes, shifts,
capacities and costs; pickup-delivery pairs with a maximum ride time; optional visits
with a penalty). The planner (:mod:`vervoer.routing.planner`) and the benchmark readers
(:mod:`vervoer.routing.solver.instances`) both build an :class:`Instance` and call
:func:`solve_instance`.

Search (see :func:`solve_instance`): time windows are narrowed with the classic DARP
preprocessing (:func:`tighten_windows`), the maximum ride time is also given to the
time dimension as a pickup-to-delivery limit so that the local-search filters see it,
several first-solution heuristics each followed by greedy descent compete (just one
when a work budget is set: parallel cheapest insertion for pickup and delivery, local
cheapest insertion otherwise), and guided local search
improves the best of them; a large-neighbourhood search around OR-Tools follows
(:func:`improve_by_parts`, :func:`ruin_and_descend`; for the planner a fixed number of
ruin-and-descend rounds). Mandatory requests stay disjunctions with a huge penalty so
that a solution always exists; a pair's penalty is counted once (on its pickup).

Determinism: OR-Tools' routing search is single-threaded and deterministic for the same
model and parameters; the large-neighbourhood searches draw their random choices from
``random.Random(params.seed)`` only. With a work budget every phase stops at
``SolveParams.max_iterations`` solutions (``solution_limit``; a ruin-and-descend round
at that plus two per removed request) and after ``SolveParams.lns_rounds`` rounds, a
budget independent of the machine's speed; ``time_limit_s`` is a hard cap on the whole
call that only cuts the search short on a slow or overloaded machine (then the result
may differ). Without a budget (the benchmarks) the phases share the time limit.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from vervoer.core.settings import SolveParams

HORIZON = 48 * 3600  # time values are seconds after midnight (or instance units)


@dataclass(frozen=True, slots=True, kw_only=True)
class Instance:
    """A generic vehicle-routing instance in integer units.

    Node arrays have length ``n``; vehicle arrays length ``k``; pair arrays length ``p``.
    Costs are integers (the planner uses millicents); times and durations in the same
    unit as ``durations``.

    Attributes
    ----------
    durations, distances
        (n, n) travel time and distance between nodes.
    service
        Service time at each node (boarding or alighting), added when leaving it.
    tw_early, tw_late
        Time window for the start of service at each node.
    demand
        (n, d) load change at each node (+ at a pickup, - at its delivery).
    starts, ends
        Start and end node of each vehicle.
    capacity
        (k, d) capacity of each vehicle per demand dimension.
    shift_early, shift_late
        Each vehicle leaves its start no earlier and reaches its end no later than these.
    max_duration
        Longest route duration per vehicle (end time minus start time).
    fixed_cost
        Cost of using each vehicle.
    cost_per_distance, cost_per_time
        Cost per unit of distance and per unit of route duration, per vehicle.
    pairs
        (p, 2) pickup and delivery node of each request.
    max_ride
        Maximum time from leaving the pickup (after service) to reaching the delivery.
    penalty
        Cost of leaving a pair unserved; 0 means it must be served.
    visits
        Nodes that are served alone (no partner), e.g. VRPTW customers.
    visit_penalty
        Cost of leaving a visit unserved; 0 means it must be served.
    max_slack
        Longest wait allowed at a node.
    """

    durations: np.ndarray
    distances: np.ndarray
    service: np.ndarray
    tw_early: np.ndarray
    tw_late: np.ndarray
    demand: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    capacity: np.ndarray
    shift_early: np.ndarray
    shift_late: np.ndarray
    max_duration: np.ndarray
    fixed_cost: np.ndarray
    cost_per_distance: np.ndarray
    cost_per_time: np.ndarray
    pairs: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), dtype=np.int64))
    max_ride: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    penalty: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    visits: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    visit_penalty: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    max_slack: int = HORIZON

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return int(self.durations.shape[0])

    @property
    def n_vehicles(self) -> int:
        """Number of vehicles."""
        return len(self.starts)


@dataclass(frozen=True, slots=True, kw_only=True)
class Solution:
    """Routes as node sequences with service start times, and what was left out.

    Attributes
    ----------
    routes
        Per vehicle: the visited nodes, start node first and end node last; an unused
        vehicle has just ``[start, end]``.
    times
        Per vehicle: the start of service at each node of its route.
    dropped_pairs, dropped_visits
        Indices (into ``pairs`` / ``visits``) that are not served.
    objective
        The solver's objective value (integer cost units).
    status
        OR-Tools' search status name.
    initial_objective
        Cost of the routes the search was started from, when it was given some.
    """

    routes: tuple[tuple[int, ...], ...]
    times: tuple[tuple[int, ...], ...]
    dropped_pairs: tuple[int, ...]
    dropped_visits: tuple[int, ...]
    objective: int
    status: str
    initial_objective: int | None = None

    def used(self, vehicle: int) -> bool:
        """Whether ``vehicle`` serves any node."""
        return len(self.routes[vehicle]) > 2


def solve_instance(
    instance: Instance, params: SolveParams | None = None, *, lns: str | None = None
) -> Solution | None:
    """Solve an instance with OR-Tools: first solutions, guided local search, then LNS.

    The time windows are first narrowed (:func:`tighten_windows`). Each heuristic of
    ``START_STRATEGIES_*`` builds a first solution that greedy descent takes to a local
    optimum (together within ``START_SHARE`` of the time); guided local search then
    continues from the cheapest one. On a large instance (more than ``PART_TASKS * 3 //
    2`` stops) without a work budget this whole-instance search gets ``WHOLE_SHARE``
    (VRPTW) or ``WHOLE_SHARE_PD`` (pickup and delivery) of the time, and a
    large-neighbourhood search around OR-Tools the rest (``lns``, default ``LNS``):
    for VRPTW :func:`improve_by_parts` (groups of neighbouring routes re-solved as small
    instances) for ``HYBRID_PARTS_SHARE`` of it, then :func:`ruin_and_descend` (hundreds
    of short ruin-reinsert-descend rounds on one model); for pickup and delivery
    :func:`ruin_and_descend`. With a budget (``max_iterations > 0``, the planner) only one
    heuristic and guided local search are used, followed by ``params.lns_rounds`` rounds
    of :func:`ruin_and_descend`, each phase ending at a number of solutions, so the result
    does not depend on the machine's speed. The whole call stays within
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

    Returns
    -------
    Solution or None
        None when no solution was found (only possible when some nodes must be served).
    """
    params = params or SolveParams()
    now = time.monotonic()
    deadline = now + params.time_limit_s
    if params.max_iterations:
        solution = _solve_whole(instance, params, deadline)
        if solution is None or not params.lns_rounds:
            return solution
        return ruin_and_descend(instance, solution, params, deadline, rounds=params.lns_rounds)
    if _n_tasks(instance) <= PART_TASKS * 3 // 2:
        return _solve_whole(instance, params, deadline)
    pickup_delivery = len(instance.pairs) > 0
    share = WHOLE_SHARE_PD if pickup_delivery else WHOLE_SHARE
    solution = _solve_whole(instance, params, now + share * params.time_limit_s)
    if solution is None:
        return None
    if solution.dropped_pairs or solution.dropped_visits:
        # placing every request comes first: the whole-instance search goes on from its
        # best routes for up to half of the remaining time
        more = _solve_whole(
            instance,
            params,
            time.monotonic() + (deadline - time.monotonic()) / 2,
            initial=solution.routes,
            strategies=(),
        )
        if more is not None and more.objective < solution.objective:
            solution = replace(more, initial_objective=None)
    return _large_neighbourhood(instance, solution, params, deadline, lns or LNS)


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


def _n_tasks(inst: Instance) -> int:
    """Number of nodes to visit (two per pickup-and-delivery request)."""
    return 2 * len(inst.pairs) + len(inst.visits)


def _solve_whole(
    inst: Instance,
    params: SolveParams,
    deadline: float,
    initial: tuple[tuple[int, ...], ...] | None = None,
    strategies: tuple[str, ...] | None = None,
) -> Solution | None:
    """First solutions (and ``initial`` routes, if given), greedy descent, then GLS."""
    early, late = tighten_windows(inst)
    model = _Model(inst, early, late)
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
            assignment = routing.SolveFromAssignmentWithParameters(start, _search_params(1, 1))
            if assignment is not None:
                initial_cost = int(assignment.ObjectiveValue())
                best = (initial_cost, _index_routes(routing, assignment))
                search = _search_params((deadline - time.monotonic()) * share, budget)
                search.local_search_metaheuristic = _META.GREEDY_DESCENT
                assignment = routing.SolveFromAssignmentWithParameters(assignment, search)
                if assignment is not None and int(assignment.ObjectiveValue()) < best[0]:
                    best = (int(assignment.ObjectiveValue()), _index_routes(routing, assignment))
    # 1. several first solutions, each improved by greedy descent to a local optimum;
    #    together they get at most START_SHARE of the time limit
    for i, name in enumerate(strategies):
        cap = (deadline - time.monotonic()) * share / (len(strategies) - i)
        search = _search_params(cap, budget)
        search.first_solution_strategy = getattr(_FIRST, name)
        search.local_search_metaheuristic = _META.GREEDY_DESCENT
        assignment = routing.SolveWithParameters(search)
        if assignment is None:
            continue
        cost = int(assignment.ObjectiveValue())
        if best is None or cost < best[0]:
            best = (cost, _index_routes(routing, assignment))
    if best is None:
        return None
    # 2. guided local search from the best local optimum for the remaining time
    start = routing.ReadAssignmentFromRoutes(best[1], True)
    search = _search_params(deadline - time.monotonic(), budget)
    search.local_search_metaheuristic = _META.GUIDED_LOCAL_SEARCH
    assignment = routing.SolveFromAssignmentWithParameters(start, search)
    status = routing.status()
    status_name = _STATUS.get(int(status), str(status))
    if assignment is None or int(assignment.ObjectiveValue()) > best[0]:
        # guided local search keeps its best solution, so this is only a safety net:
        # re-read the best local optimum and let the solver fill in the times
        search = _search_params(max(1.0, deadline - time.monotonic()), 1)
        assignment = routing.SolveFromAssignmentWithParameters(
            routing.ReadAssignmentFromRoutes(best[1], True), search
        )
        if assignment is None:
            return None
    solution = model.solution(assignment, status_name)
    if initial_cost is not None:
        solution = replace(solution, initial_objective=initial_cost)
    return solution


def improve_by_parts(
    inst: Instance, solution: Solution, params: SolveParams, deadline: float
) -> Solution:
    """Large-neighbourhood search: re-solve groups of neighbouring routes as sub-instances.

    A seed route and the routes nearest to it in space and time (:func:`_nearby_routes`),
    up to about ``PART_TASKS`` stops, plus one unused vehicle when there is one and the
    stops of any request still left out, form a small instance (their stops, vehicles
    and depots; pairs stay whole because whole routes are taken). OR-Tools solves it from the
    current routes and from its own first solutions within ``PART_SECONDS``; a cheaper
    result replaces those routes. Seeds are taken in a random order from
    ``random.Random(params.seed)``; after a full round without improvement the parts
    grow. Small instances are where the OR-Tools search is strong, so this carries its
    quality to large ones. Ends with greedy descent on the whole instance.
    """
    rng = random.Random(params.seed)
    routes = [tuple(r) for r in solution.routes]
    times = [tuple(t) for t in solution.times]
    pairs = np.asarray(inst.pairs, dtype=np.int64).reshape(-1, 2)
    visits = np.asarray(inst.visits, dtype=np.int64)
    # stops of requests left out so far: offered to every part
    left_out = [int(n) for r in solution.dropped_pairs for n in pairs[r]]
    left_out += [int(visits[r]) for r in solution.dropped_visits]
    durations = np.asarray(inst.durations, dtype=np.float64)
    sub_params = SolveParams(time_limit_s=PART_SECONDS, seed=params.seed, max_iterations=0)
    size = PART_TASKS
    order: list[int] = []
    failed = 0
    while time.monotonic() + 0.2 < deadline - FINAL_SECONDS:
        used = [v for v, r in enumerate(routes) if len(r) > 2]
        if not used:
            break
        if not order:
            order = used[:]
            rng.shuffle(order)
        seed = order.pop()
        if len(routes[seed]) <= 2:
            continue
        group = _nearby_routes(durations, routes, times, seed, used, size)
        spare = [v for v in range(len(routes)) if len(routes[v]) <= 2]
        if spare:
            group.append(rng.choice(spare))
        sub, nodes = _sub_instance(inst, group, routes, left_out)
        local = {int(n): i for i, n in enumerate(nodes)}
        sub_routes = tuple(tuple(local[n] for n in routes[v]) for v in group)
        cap = max(0.05, min(PART_SECONDS, deadline - FINAL_SECONDS - time.monotonic()))
        found = _solve_whole(sub, sub_params, time.monotonic() + cap, initial=sub_routes)
        if (
            found is not None
            and found.initial_objective is not None
            and found.objective < found.initial_objective
        ):
            for v, r, t in zip(group, found.routes, found.times, strict=True):
                routes[v], times[v] = tuple(int(nodes[n]) for n in r), t
            served = {n for r in found.routes for n in r}
            left_out = [n for n in left_out if local.get(n) is None or local[n] not in served]
            failed = 0
            size = PART_TASKS
        else:
            failed += 1
            if failed >= len(used):
                failed = 0
                size = min(size + PART_TASKS // 2, _n_tasks(inst))
    final = _solve_whole(
        inst,
        replace(params, max_iterations=0),
        max(deadline, time.monotonic() + 0.5),
        initial=tuple(routes),
        strategies=(),
    )
    if final is None or final.objective > solution.objective:
        return solution
    return replace(final, initial_objective=None)


def _tasks(inst: Instance) -> np.ndarray:
    """Every request as its (pickup, delivery) nodes, pairs first; a visit is (node, node)."""
    pairs = np.asarray(inst.pairs, dtype=np.int64).reshape(-1, 2)
    visits = np.asarray(inst.visits, dtype=np.int64)
    return np.concatenate([pairs, np.stack([visits, visits], axis=1)]).reshape(-1, 2)


def _ruined(
    durations: np.ndarray,
    solution: Solution,
    tasks: np.ndarray,
    candidates: np.ndarray,
    seed: int,
    count: int,
) -> tuple[tuple[int, ...], ...]:
    """The routes without the ``count`` candidate requests most related to request ``seed``.

    Relatedness is in space and time: the shortest travel time between a stop of the seed
    and a stop of the candidate plus the difference of their planned times
    (``durations``: the instance's travel times as floats).
    """
    when = np.zeros(len(durations))
    for route, at in zip(solution.routes, solution.times, strict=True):
        when[list(route)] = at
    stops = tasks[candidates]  # (m, 2)
    ends = tasks[seed]  # (2,)
    apart = durations[ends][:, stops] + np.abs(when[ends][:, None, None] - when[stops][None])
    related = candidates[np.argsort(apart.min(axis=(0, 2)), kind="stable")[:count]]
    gone = set(tasks[related].ravel().tolist())
    return tuple(tuple(n for n in r if n not in gone) for r in solution.routes)


def ruin_and_recreate(
    inst: Instance, solution: Solution, params: SolveParams, deadline: float
) -> Solution:
    """Large-neighbourhood search: remove related requests, let OR-Tools re-solve.

    A request is a pickup-delivery pair or a single visit. Each round takes a random
    served request (``random.Random(params.seed)``) and the ``RUIN_SHARE`` of the
    requests most related to it in space and time (travel time between their stops plus
    the difference of their planned times), removes them from the best routes and lets
    OR-Tools put them back and improve the whole from there (greedy descent, then guided
    local search, ``RUIN_SECONDS`` per round). A cheaper result becomes the new best.
    This moves guided local search out of the local optima it settles in on larger
    instances.
    """
    rng = random.Random(params.seed)
    durations = np.asarray(inst.durations, dtype=np.float64)
    tasks = _tasks(inst)
    n_pairs = len(inst.pairs)
    k = max(2, round(RUIN_SHARE * len(tasks)))
    best = solution
    while time.monotonic() + 0.5 < deadline:
        dropped = set(best.dropped_pairs) | {n_pairs + r for r in best.dropped_visits}
        served = np.asarray([r for r in range(len(tasks)) if r not in dropped], dtype=np.int64)
        if len(served) < 2:
            break
        seed = int(served[rng.randrange(len(served))])
        partial = _ruined(durations, best, tasks, served, seed, k)
        step = min(deadline, time.monotonic() + RUIN_SECONDS)
        found = _solve_whole(inst, params, step, initial=partial, strategies=())
        if found is not None and found.objective < best.objective:
            best = replace(found, initial_objective=None)
    return best


def ruin_and_descend(
    inst: Instance,
    solution: Solution,
    params: SolveParams,
    deadline: float,
    rounds: int | None = None,
) -> Solution:
    """Fast large-neighbourhood search on one OR-Tools model: ruin, reinsert, descend.

    The model is built once. Each round removes a random number (between half of and
    ``DESCENT_SHARE`` of all requests) of requests related to a random seed request
    (space and time, as in :func:`ruin_and_recreate`) from the current routes; OR-Tools'
    local search reinserts them and takes the result to a local optimum (greedy descent,
    at most ``DESCENT_SECONDS``). A result is accepted as the current solution by record
    to record travel: when it costs less than the current one plus a margin that shrinks
    linearly from ``DESCENT_THRESHOLD`` to zero over the time; the best one is kept.
    Rounds are short (a fifth of a second on a 100-customer VRPTW), so there are hundreds
    of them in a minute instead of the dozen of :func:`ruin_and_recreate`. Randomness
    comes from ``random.Random(params.seed)`` only.

    With ``rounds`` (the planner's work budget) it stops after that many rounds, the
    margin shrinks by round instead of by time and each descent stops after
    ``params.max_iterations`` solutions plus two per removed request (their
    reinsertion), so the result does not depend on the machine's speed as long as
    ``deadline`` is not reached.
    """
    rng = random.Random(params.seed)
    early, late = tighten_windows(inst)
    model = _Model(inst, early, late)
    routing = model.routing
    durations = np.asarray(inst.durations, dtype=np.float64)
    tasks = _tasks(inst)
    if len(tasks) < 2:
        return solution
    everyone = np.arange(len(tasks), dtype=np.int64)
    most = max(2, round(DESCENT_SHARE * len(tasks)))
    best = current = solution
    begin = time.monotonic()
    span = max(deadline - begin, 1e-9)
    done = 0
    while time.monotonic() + 0.05 < deadline and (rounds is None or done < rounds):
        done += 1
        seed = rng.randrange(len(tasks))
        count = rng.randint(max(1, most // 2), most)
        partial = _ruined(durations, current, tasks, everyone, seed, count)
        start = routing.ReadAssignmentFromRoutes(model.index_routes(partial), True)
        if start is None:
            continue
        if rounds is None:
            search = _search_params(min(DESCENT_SECONDS, deadline - time.monotonic()), 0)
        else:  # a budget of solutions: the reinsertions plus max_iterations improvements
            budget = params.max_iterations + 2 * count
            search = _search_params(deadline - time.monotonic(), budget)
        search.local_search_metaheuristic = _META.GREEDY_DESCENT
        assignment = routing.SolveFromAssignmentWithParameters(start, search)
        if assignment is None:
            continue
        found = model.solution(assignment, current.status)
        if rounds is not None:
            left = 1.0 - done / rounds
        else:
            left = 1.0 - (time.monotonic() - begin) / span
        if found.objective < current.objective + DESCENT_THRESHOLD * left * abs(best.objective):
            current = found
            if found.objective < best.objective:
                best = replace(found, initial_objective=None)
    return best


def _nearby_routes(
    durations: np.ndarray,
    routes: list[tuple[int, ...]],
    times: list[tuple[int, ...]],
    seed: int,
    used: list[int],
    size: int,
) -> list[int]:
    """The seed route and the routes nearest to it, up to about ``size`` stops in total.

    Nearness is in space and time: from each stop of the seed, the travel time to the
    closest stop of the other route plus the difference of their planned times; the mean
    over the seed's stops. Routes that pass the same places at the same time are the
    ones that can trade requests.
    """
    stops = np.asarray(routes[seed][1:-1], dtype=np.int64)
    at = np.asarray(times[seed][1:-1], dtype=np.float64)
    closeness = []
    for v in used:
        if v != seed:
            other = np.asarray(routes[v][1:-1], dtype=np.int64)
            when = np.asarray(times[v][1:-1], dtype=np.float64)
            gap = durations[np.ix_(stops, other)] + np.abs(at[:, None] - when[None, :])
            closeness.append((float(gap.min(axis=1).mean()), v))
    closeness.sort()
    group, count = [seed], len(stops)
    for _, v in closeness:
        if count >= size and len(group) >= 2:
            break
        group.append(v)
        count += len(routes[v]) - 2
    return group


def _sub_instance(
    inst: Instance,
    vehicles: list[int],
    routes: list[tuple[int, ...]],
    extra: Sequence[int] = (),
) -> tuple[Instance, np.ndarray]:
    """The instance restricted to some vehicles, their routes' stops and ``extra`` stops.

    ``extra`` holds stops of unserved requests (both stops of a pair). Returns the
    sub-instance and, per sub-instance node, its node in ``inst``.
    """
    vs = np.asarray(vehicles, dtype=np.int64)
    depots = sorted({int(inst.starts[v]) for v in vehicles} | {int(inst.ends[v]) for v in vehicles})
    stops = [n for v in vehicles for n in routes[v][1:-1]] + list(extra)
    nodes = np.asarray(depots + stops, dtype=np.int64)
    local = {int(n): i for i, n in enumerate(nodes)}
    grid = np.ix_(nodes, nodes)
    pairs = np.asarray(inst.pairs, dtype=np.int64).reshape(-1, 2)
    keep = np.asarray([int(p) in local for p in pairs[:, 0]], dtype=bool)
    visits = np.asarray(inst.visits, dtype=np.int64)
    keep_v = np.asarray([int(n) in local for n in visits], dtype=bool)

    def rows(a: np.ndarray, mask: np.ndarray) -> np.ndarray:
        a = np.asarray(a)
        return a[mask] if len(a) else a

    sub = replace(
        inst,
        durations=np.asarray(inst.durations)[grid],
        distances=np.asarray(inst.distances)[grid],
        service=np.asarray(inst.service)[nodes],
        tw_early=np.asarray(inst.tw_early)[nodes],
        tw_late=np.asarray(inst.tw_late)[nodes],
        demand=np.asarray(inst.demand)[nodes],
        starts=np.asarray([local[int(n)] for n in np.asarray(inst.starts)[vs]], dtype=np.int64),
        ends=np.asarray([local[int(n)] for n in np.asarray(inst.ends)[vs]], dtype=np.int64),
        capacity=np.asarray(inst.capacity)[vs],
        shift_early=np.asarray(inst.shift_early)[vs],
        shift_late=np.asarray(inst.shift_late)[vs],
        max_duration=np.asarray(inst.max_duration)[vs],
        fixed_cost=np.asarray(inst.fixed_cost)[vs],
        cost_per_distance=np.asarray(inst.cost_per_distance)[vs],
        cost_per_time=np.asarray(inst.cost_per_time)[vs],
        pairs=np.asarray(
            [(local[int(p)], local[int(d)]) for p, d in pairs[keep]], dtype=np.int64
        ).reshape(-1, 2),
        max_ride=rows(inst.max_ride, keep),
        penalty=rows(inst.penalty, keep),
        visits=np.asarray([local[int(n)] for n in visits[keep_v]], dtype=np.int64),
        visit_penalty=rows(inst.visit_penalty, keep_v),
    )
    return sub, nodes


_META = routing_enums_pb2.LocalSearchMetaheuristic
_FIRST = routing_enums_pb2.FirstSolutionStrategy

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
# Large instances without a work budget: share of the time for the whole-instance search;
# the rest goes to improve_by_parts, which re-solves parts of about PART_TASKS stops in
# at most PART_SECONDS each and keeps FINAL_SECONDS for a last pass on the whole.
WHOLE_SHARE = 0.3
# Pickup and delivery: the whole-instance search gets WHOLE_SHARE_PD of the time, then
# ruin_and_recreate removes RUIN_SHARE of the requests per round of RUIN_SECONDS.
WHOLE_SHARE_PD = 0.5
RUIN_SHARE = 0.2
RUIN_SECONDS = 3.0
PART_TASKS = 40
# The large-neighbourhood search after the whole-instance phase (no work budget only):
# "hybrid" (default): VRPTW improve_by_parts then ruin_and_descend, pickup and delivery
# ruin_and_descend; "descend": ruin_and_descend only; "parts": improve_by_parts for VRPTW
# (ruin_and_descend for pickup and delivery); "ruin": ruin_and_recreate.
LNS_KINDS = ("hybrid", "descend", "parts", "ruin")
LNS = "hybrid"
DESCENT_SHARE = 0.15
DESCENT_SECONDS = 2.0
DESCENT_THRESHOLD = 0.01
HYBRID_PARTS_SHARE = 0.5
PART_SECONDS = 2.0
FINAL_SECONDS = 1.0


def _index_routes(routing: pywrapcp.RoutingModel, assignment: object) -> list[list[int]]:
    """Per vehicle, the visited indices between start and end."""
    routes = []
    for v in range(routing.vehicles()):
        index = assignment.Value(routing.NextVar(routing.Start(v)))
        route = []
        while not routing.IsEnd(index):
            route.append(index)
            index = assignment.Value(routing.NextVar(index))
        routes.append(route)
    return routes


def _search_params(seconds: float, budget: int) -> object:
    """Default routing parameters with a time cap and an optional solution budget."""
    search = pywrapcp.DefaultRoutingSearchParameters()
    search.time_limit.FromMilliseconds(max(1, round(max(seconds, 0.001) * 1000)))
    if budget:
        search.solution_limit = budget
    return search


def tighten_windows(inst: Instance) -> tuple[np.ndarray, np.ndarray]:
    """Time windows narrowed to what any feasible solution can use (Cordeau 2006).

    Uses shortest transit times (service + travel, closed under the triangle
    inequality), the vehicles' shifts and, for each pair, the maximum ride time: the
    delivery cannot start later than the pickup's latest start plus the ride limit, nor
    earlier than the pickup's earliest start plus the direct transit, and vice versa.
    Narrowing never removes a feasible solution. A pair whose windows become empty is
    left unchanged (the solver then leaves it out, or fails if it is mandatory).
    """
    n = inst.n_nodes
    early = np.asarray(inst.tw_early, dtype=np.int64).copy()
    late = np.asarray(inst.tw_late, dtype=np.int64).copy()
    if n == 0:
        return early, late
    service = np.asarray(inst.service, dtype=np.int64)
    transit = np.asarray(inst.durations, dtype=np.int64) + service[:, None]
    np.fill_diagonal(transit, 0)
    for k in range(n):  # Floyd-Warshall on the transit times
        np.minimum(transit, transit[:, k, None] + transit[None, k, :], out=transit)
    starts = np.asarray(inst.starts, dtype=np.int64)
    ends = np.asarray(inst.ends, dtype=np.int64)
    depots = np.zeros(n, dtype=bool)
    depots[starts] = True
    depots[ends] = True
    if len(starts):
        reach = np.min(np.asarray(inst.shift_early)[:, None] + transit[starts, :], axis=0)
        leave = np.max(np.asarray(inst.shift_late)[:, None] - transit[:, ends].T, axis=0)
        early = np.where(depots, early, np.maximum(early, reach))
        late = np.where(depots, late, np.minimum(late, leave))
    pairs = np.asarray(inst.pairs, dtype=np.int64).reshape(-1, 2)
    for r, (p, d) in enumerate(pairs.tolist()):
        limit = _ride_limit(inst, r, service)
        direct = int(transit[p, d])
        ep, lp, ed, ld = int(early[p]), int(late[p]), int(early[d]), int(late[d])
        for _ in range(2):
            ld = min(ld, lp + limit)
            ep = max(ep, ed - limit)
            ed = max(ed, ep + direct)
            lp = min(lp, ld - direct)
        if ep <= lp and ed <= ld:
            early[p], late[p], early[d], late[d] = ep, lp, ed, ld
        else:
            early[[p, d]] = np.asarray(inst.tw_early)[[p, d]]
            late[[p, d]] = np.asarray(inst.tw_late)[[p, d]]
    bad = early > late
    early[bad] = np.asarray(inst.tw_early)[bad]
    late[bad] = np.asarray(inst.tw_late)[bad]
    return early, late


def _ride_limit(inst: Instance, r: int, service: np.ndarray) -> int:
    """Longest time from the start of service at pickup ``r`` to its delivery."""
    if not len(inst.max_ride):
        return HORIZON * 4
    return int(inst.max_ride[r]) + int(service[int(inst.pairs[r][0])])


class _Model:
    """The OR-Tools routing model of an :class:`Instance` (windows already narrowed)."""

    def __init__(self, inst: Instance, early: np.ndarray, late: np.ndarray) -> None:
        self.inst = inst
        manager = pywrapcp.RoutingIndexManager(
            inst.n_nodes,
            inst.n_vehicles,
            [int(s) for s in inst.starts],
            [int(e) for e in inst.ends],
        )
        routing = pywrapcp.RoutingModel(manager)
        self.manager, self.routing = manager, routing
        solver = routing.solver()
        durations = np.asarray(inst.durations, dtype=np.int64)
        service = np.asarray(inst.service, dtype=np.int64)
        # time transit = service at the origin node + travel time
        transit = (durations + service[:, None]).tolist()
        node_of = manager.IndexToNode
        self.node_of = node_of

        # matrices and vectors are evaluated inside OR-Tools (no Python call per arc)
        time_index = routing.RegisterTransitMatrix(transit)
        self.keep_alive: list[object] = []

        # arc costs: distance cost per vehicle class (grouped by cost per distance)
        dist = np.asarray(inst.distances, dtype=np.int64)
        arc_callbacks: dict[int, int] = {}
        for v in range(inst.n_vehicles):
            rate = int(inst.cost_per_distance[v])
            if rate not in arc_callbacks:
                arc_callbacks[rate] = routing.RegisterTransitMatrix((dist * rate).tolist())
            routing.SetArcCostEvaluatorOfVehicle(arc_callbacks[rate], v)
            routing.SetFixedCostOfVehicle(int(inst.fixed_cost[v]), v)

        horizon = int(max(HORIZON, int(np.max(inst.tw_late)), int(np.max(inst.shift_late))))
        routing.AddDimension(time_index, int(inst.max_slack), horizon, False, "time")
        time_dim = routing.GetDimensionOrDie("time")
        self.time_dim = time_dim
        for v in range(inst.n_vehicles):
            time_dim.SetSpanCostCoefficientForVehicle(int(inst.cost_per_time[v]), v)
            time_dim.SetSpanUpperBoundForVehicle(int(inst.max_duration[v]), v)
            start, end = routing.Start(v), routing.End(v)
            time_dim.CumulVar(start).SetRange(int(inst.shift_early[v]), int(inst.shift_late[v]))
            time_dim.CumulVar(end).SetRange(int(inst.shift_early[v]), int(inst.shift_late[v]))
            routing.AddVariableMinimizedByFinalizer(time_dim.CumulVar(end))
            routing.AddVariableMaximizedByFinalizer(time_dim.CumulVar(start))

        depot_nodes = {int(x) for x in inst.starts} | {int(x) for x in inst.ends}
        for node in range(inst.n_nodes):
            if node in depot_nodes:
                continue
            index = manager.NodeToIndex(node)
            time_dim.CumulVar(index).SetRange(int(early[node]), int(late[node]))

        demand = np.asarray(inst.demand, dtype=np.int64)
        if demand.ndim == 1:
            demand = demand[:, None]
        for d in range(demand.shape[1]):
            column = demand[:, d].tolist()
            if not any(column):
                continue
            cb = routing.RegisterUnaryTransitVector(column)
            caps = [int(c) for c in np.asarray(inst.capacity)[:, d]]
            routing.AddDimensionWithVehicleCapacity(cb, 0, caps, True, f"load{d}")

        # Mandatory requests get a huge drop penalty instead of a hard constraint, so the
        # first-solution heuristics always succeed and the local search can then insert
        # what they could not; a mandatory request still left out is reported as dropped.
        big = _big_penalty(inst)
        for r, (p, q) in enumerate(np.asarray(inst.pairs, dtype=np.int64).tolist()):
            pi, di = manager.NodeToIndex(p), manager.NodeToIndex(q)
            routing.AddPickupAndDelivery(pi, di)
            solver.Add(routing.VehicleVar(pi) == routing.VehicleVar(di))
            solver.Add(time_dim.CumulVar(pi) <= time_dim.CumulVar(di))
            if len(inst.max_ride):
                limit = _ride_limit(inst, r, service)
                solver.Add(time_dim.CumulVar(di) - time_dim.CumulVar(pi) <= limit)

                # the same limit as a dimension rule, so the local-search filters see it
                def ride_cb(_a: int, _b: int, limit: int = limit) -> int:
                    return limit

                self.keep_alive.append(ride_cb)
                time_dim.SetPickupToDeliveryLimitFunctionForPair(ride_cb, r)
            pen = int(inst.penalty[r]) if len(inst.penalty) and int(inst.penalty[r]) > 0 else big
            # the pair's penalty is paid once: on the pickup (both are active or neither)
            routing.AddDisjunction([pi], pen)
            routing.AddDisjunction([di], 0)
            solver.Add(routing.ActiveVar(pi) == routing.ActiveVar(di))
        for r, node in enumerate(np.asarray(inst.visits, dtype=np.int64).tolist()):
            pen = (
                int(inst.visit_penalty[r])
                if len(inst.visit_penalty) and int(inst.visit_penalty[r]) > 0
                else big
            )
            routing.AddDisjunction([manager.NodeToIndex(node)], pen)

    def index_routes(self, routes: tuple[tuple[int, ...], ...]) -> list[list[int]]:
        """Routes of nodes (start and end included) as the solver's indices in between."""
        return [[self.manager.NodeToIndex(int(n)) for n in r[1:-1]] for r in routes]

    def solution(self, assignment: pywrapcp.Assignment, status_name: str) -> Solution:
        """Read routes and service start times from an assignment."""
        inst, routing, node_of = self.inst, self.routing, self.node_of
        routes, times = [], []
        for v in range(inst.n_vehicles):
            index = routing.Start(v)
            nodes, starts = [], []
            while True:
                nodes.append(node_of(index))
                starts.append(assignment.Min(self.time_dim.CumulVar(index)))
                if routing.IsEnd(index):
                    break
                index = assignment.Value(routing.NextVar(index))
            routes.append(tuple(nodes))
            times.append(tuple(starts))
        served = {n for route in routes for n in route}
        dropped_pairs = tuple(
            r for r, (p, _) in enumerate(np.asarray(inst.pairs).tolist()) if p not in served
        )
        dropped_visits = tuple(
            r for r, node in enumerate(np.asarray(inst.visits).tolist()) if node not in served
        )
        return Solution(
            routes=tuple(routes),
            times=tuple(times),
            dropped_pairs=dropped_pairs,
            dropped_visits=dropped_visits,
            objective=int(assignment.ObjectiveValue()),
            status=status_name,
        )


def _big_penalty(inst: Instance) -> int:
    """A drop penalty larger than any route cost of the instance."""
    per_arc = int(np.max(inst.distances)) * int(max(1, np.max(inst.cost_per_distance)))
    per_arc += int(np.max(inst.durations)) * int(max(0, np.max(inst.cost_per_time)))
    total = per_arc * (inst.n_nodes + 2) + int(np.sum(inst.fixed_cost))
    return int(min(max(total, 1) * 10, 2**52))


_STATUS = {
    0: "ROUTING_NOT_SOLVED",
    1: "ROUTING_SUCCESS",
    2: "ROUTING_PARTIAL_SUCCESS_LOCAL_OPTIMUM_NOT_REACHED",
    3: "ROUTING_FAIL",
    4: "ROUTING_FAIL_TIMEOUT",
    5: "ROUTING_INVALID",
    6: "ROUTING_INFEASIBLE",
    7: "ROUTING_OPTIMAL",
}
