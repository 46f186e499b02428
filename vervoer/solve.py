"""The routing engine: a pickup-and-delivery model with time windows on OR-Tools.

This is the only module that imports ``ortools``. It knows nothing of participants or
files: :class:`Instance` is a generic integer model (nodes with time windows, service
times and multi-dimensional demands; vehicles with their own start/end nodes, shifts,
capacities and costs; pickup-delivery pairs with a maximum ride time; optional visits
with a penalty). The planner (:mod:`vervoer.plan`) and the benchmark readers
(:mod:`vervoer.bench`) both build an :class:`Instance` and call :func:`solve_instance`.

Determinism: OR-Tools' routing search is single-threaded and deterministic for the same
model and parameters. The search stops at ``SolveParams.max_iterations`` solutions
(``solution_limit``), a budget independent of the machine's speed; ``time_limit_s`` is a
hard cap that only cuts the search short on a slow or overloaded machine.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from vervoer.settings import SolveParams

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
    """

    routes: tuple[tuple[int, ...], ...]
    times: tuple[tuple[int, ...], ...]
    dropped_pairs: tuple[int, ...]
    dropped_visits: tuple[int, ...]
    objective: int
    status: str

    def used(self, vehicle: int) -> bool:
        """Whether ``vehicle`` serves any node."""
        return len(self.routes[vehicle]) > 2


def solve_instance(instance: Instance, params: SolveParams | None = None) -> Solution | None:
    """Solve an instance with OR-Tools: a first solution, then guided local search.

    Parameters
    ----------
    instance
        The model.
    params
        Time limit, seed and deterministic work budget.

    Returns
    -------
    Solution or None
        None when no solution was found (only possible when some nodes must be served).
    """
    params = params or SolveParams()
    inst = instance
    manager = pywrapcp.RoutingIndexManager(
        inst.n_nodes,
        inst.n_vehicles,
        [int(s) for s in inst.starts],
        [int(e) for e in inst.ends],
    )
    routing = pywrapcp.RoutingModel(manager)
    solver = routing.solver()
    durations = np.asarray(inst.durations, dtype=np.int64)
    service = np.asarray(inst.service, dtype=np.int64)
    # time transit = service at the origin node + travel time
    transit = (durations + service[:, None]).tolist()
    node_of = manager.IndexToNode

    def time_cb(i: int, j: int) -> int:
        return transit[node_of(i)][node_of(j)]

    time_index = routing.RegisterTransitCallback(time_cb)

    # arc costs: distance cost per vehicle class (grouped by cost per distance)
    dist = np.asarray(inst.distances, dtype=np.int64)
    arc_callbacks: dict[int, int] = {}
    keep_alive = [time_cb]
    for v in range(inst.n_vehicles):
        rate = int(inst.cost_per_distance[v])
        if rate not in arc_callbacks:
            table = (dist * rate).tolist()

            def arc_cb(i: int, j: int, table: list[list[int]] = table) -> int:
                return table[node_of(i)][node_of(j)]

            keep_alive.append(arc_cb)
            arc_callbacks[rate] = routing.RegisterTransitCallback(arc_cb)
        routing.SetArcCostEvaluatorOfVehicle(arc_callbacks[rate], v)
        routing.SetFixedCostOfVehicle(int(inst.fixed_cost[v]), v)

    horizon = int(max(HORIZON, int(np.max(inst.tw_late)), int(np.max(inst.shift_late))))
    routing.AddDimension(time_index, int(inst.max_slack), horizon, False, "time")
    time_dim = routing.GetDimensionOrDie("time")
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
        time_dim.CumulVar(index).SetRange(int(inst.tw_early[node]), int(inst.tw_late[node]))

    demand = np.asarray(inst.demand, dtype=np.int64)
    if demand.ndim == 1:
        demand = demand[:, None]
    for d in range(demand.shape[1]):
        column = demand[:, d].tolist()
        if not any(column):
            continue

        def demand_cb(i: int, column: list[int] = column) -> int:
            return column[node_of(i)]

        keep_alive.append(demand_cb)
        cb = routing.RegisterUnaryTransitCallback(demand_cb)
        caps = [int(c) for c in np.asarray(inst.capacity)[:, d]]
        routing.AddDimensionWithVehicleCapacity(cb, 0, caps, True, f"load{d}")

    # Mandatory requests get a huge drop penalty instead of a hard constraint, so the
    # first-solution heuristics always succeed and the local search can then insert what
    # they could not; a mandatory request still left out is reported as dropped.
    big = _big_penalty(inst)
    for r, (p, q) in enumerate(np.asarray(inst.pairs, dtype=np.int64).tolist()):
        pi, di = manager.NodeToIndex(p), manager.NodeToIndex(q)
        routing.AddPickupAndDelivery(pi, di)
        solver.Add(routing.VehicleVar(pi) == routing.VehicleVar(di))
        solver.Add(time_dim.CumulVar(pi) <= time_dim.CumulVar(di))
        if len(inst.max_ride):
            limit = int(inst.max_ride[r]) + int(service[p])
            solver.Add(time_dim.CumulVar(di) - time_dim.CumulVar(pi) <= limit)
        pen = int(inst.penalty[r]) if len(inst.penalty) and int(inst.penalty[r]) > 0 else big
        routing.AddDisjunction([pi], pen)
        routing.AddDisjunction([di], pen)
        solver.Add(routing.ActiveVar(pi) == routing.ActiveVar(di))
    for r, node in enumerate(np.asarray(inst.visits, dtype=np.int64).tolist()):
        pen = (
            int(inst.visit_penalty[r])
            if len(inst.visit_penalty) and int(inst.visit_penalty[r]) > 0
            else big
        )
        routing.AddDisjunction([manager.NodeToIndex(node)], pen)

    search = pywrapcp.DefaultRoutingSearchParameters()
    search.first_solution_strategy = (
        routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
        if len(inst.pairs)
        else routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    )
    search.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    search.time_limit.FromMilliseconds(max(1, round(params.time_limit_s * 1000)))
    if params.max_iterations:
        search.solution_limit = params.max_iterations
    assignment = routing.SolveWithParameters(search)
    status = routing.status()
    status_name = _STATUS.get(int(status), str(status))
    if assignment is None:
        return None
    routes, times = [], []
    for v in range(inst.n_vehicles):
        index = routing.Start(v)
        nodes, starts = [], []
        while True:
            nodes.append(node_of(index))
            starts.append(assignment.Min(time_dim.CumulVar(index)))
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
    _ = keep_alive
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
