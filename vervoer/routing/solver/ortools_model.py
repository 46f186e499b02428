"""The OR-Tools routing model of an :class:`~vervoer.routing.solver.instance.Instance`.

The only module of the package that imports ``ortools``. :class:`Model` builds the
routing model (a time dimension with the narrowed windows, shifts, spans and ride limits;
one capacity dimension per demand column; pairs and visits as disjunctions, mandatory ones
with a huge penalty) and reads solutions back; :func:`search_params`,
:func:`assignment_routes`, ``META``, ``FIRST`` and ``STATUS`` are what every search phase
shares.
"""

from __future__ import annotations

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2
from ortools.constraint_solver.routing_parameters_pb2 import RoutingSearchParameters

from vervoer.routing.solver.instance import HORIZON_S, Instance, Solution, tighten_windows

META = routing_enums_pb2.LocalSearchMetaheuristic
FIRST = routing_enums_pb2.FirstSolutionStrategy


class Model:
    """The OR-Tools routing model of an :class:`Instance` (windows already narrowed).

    Parameters
    ----------
    inst
        The instance.
    early, late
        The time windows to impose on the non-depot nodes (from :func:`tighten_windows`;
        :func:`build_model` does both steps).

    Attributes
    ----------
    inst
        The instance.
    manager, routing
        OR-Tools' index manager and routing model.
    time_dim
        The time dimension (cumul = start of service).
    node_of
        The manager's index-to-node function.
    """

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

        horizon = int(max(HORIZON_S, int(np.max(inst.tw_late)), int(np.max(inst.shift_late))))
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
            # the time constraints hold when the pair rides: a pair that cannot ride (its
            # windows too far apart for its ride limit, e.g. held to yesterday's pickup
            # time) must leave the model feasible, so that it is left out, not everyone
            idle = (1 - routing.ActiveVar(pi)) * (2 * horizon)
            solver.Add(time_dim.CumulVar(pi) <= time_dim.CumulVar(di) + idle)
            if len(inst.max_ride):
                limit = inst.ride_limit(r)
                solver.Add(time_dim.CumulVar(di) - time_dim.CumulVar(pi) <= limit + idle)

                # the same limit as a dimension rule, so the local-search filters see it
                def ride_cb(_a: int, _b: int, limit: int = limit) -> int:
                    return limit

                self.keep_alive.append(ride_cb)
                time_dim.SetPickupToDeliveryLimitFunctionForPair(ride_cb, r)
            pen = _penalty(inst.penalty, r, big)
            # the pair's penalty is paid once: on the pickup (both are active or neither)
            routing.AddDisjunction([pi], pen)
            routing.AddDisjunction([di], 0)
            solver.Add(routing.ActiveVar(pi) == routing.ActiveVar(di))
        self._side_constraints(inst)
        for r, node in enumerate(np.asarray(inst.visits, dtype=np.int64).tolist()):
            routing.AddDisjunction(
                [manager.NodeToIndex(node)], _penalty(inst.visit_penalty, r, big)
            )

    def _side_constraints(self, inst: Instance) -> None:
        """Allowed vehicles per pair, and pairs in the same or in different vehicles.

        Allowed vehicles are a domain restriction the local-search filters see; the links
        between pairs are constraints of the CP solver, checked on every move the filters
        accept, that let either pair be left out (so the insertion heuristics can place
        one pair at a time); "same vehicle" is also a soft same-vehicle cost the filters
        see, and :meth:`solution` leaves out a pair whose partner could not be placed.
        """
        routing, manager = self.routing, self.manager
        solver = routing.solver()
        pairs = np.asarray(inst.pairs, dtype=np.int64).reshape(-1, 2)
        allowed = np.asarray(inst.allowed, dtype=bool)
        if allowed.size:
            for r, (p, q) in enumerate(pairs.tolist()):
                ok = [int(v) for v in np.flatnonzero(allowed[r])]
                if len(ok) == inst.n_vehicles:
                    continue
                for node in (p, q):
                    index = manager.NodeToIndex(node)
                    if ok:  # -1: the node may still be left out
                        routing.VehicleVar(index).SetValues([-1, *ok])
                    else:  # no vehicle may serve it here: left out
                        routing.ActiveVar(index).SetValue(0)
        pickup = [manager.NodeToIndex(int(p)) for p in pairs[:, 0]]
        big = _big_penalty(inst)
        for a, b in np.asarray(inst.same_vehicle, dtype=np.int64).reshape(-1, 2).tolist():
            va, vb = routing.VehicleVar(pickup[a]), routing.VehicleVar(pickup[b])
            # The same vehicle, or one of them (still) left out: a plain va == vb would
            # reject every partial solution with one of the two inserted, so the insertion
            # heuristics, which insert one pair at a time, could place neither (on 186
            # requests they then placed nobody within minutes). The filters see the soft
            # constraint (a cost per extra vehicle) and keep the two together; "both or
            # neither" is restored when the solution is read (Model.solution).
            solver.Add(
                solver.IsEqualVar(va, vb)
                + solver.IsEqualCstVar(va, -1)
                + solver.IsEqualCstVar(vb, -1)
                >= 1
            )
            # half the cheaper drop penalty: apart costs less than leaving one out, so the
            # heuristics place both and the local search then brings them together
            pens = [_penalty(inst.penalty, r, big) for r in (a, b)]
            routing.AddSoftSameVehicleConstraint([pickup[a], pickup[b]], max(1, min(pens) // 2))
        for a, b in np.asarray(inst.different_vehicle, dtype=np.int64).reshape(-1, 2).tolist():
            va, vb = routing.VehicleVar(pickup[a]), routing.VehicleVar(pickup[b])
            # different vehicles, or the first is left out (VehicleVar -1)
            solver.Add(solver.IsDifferentVar(va, vb) + solver.IsEqualCstVar(va, -1) >= 1)

    def close_vehicle(self, v: int) -> None:
        """Keep vehicle ``v`` empty in every solution of this model.

        Its value is taken out of every node's vehicle variable, a domain restriction the
        local-search filters see. Call it before the first search (OR-Tools closes the
        model then).

        Parameters
        ----------
        v
            The vehicle.
        """
        routing = self.routing
        for index in range(routing.Size()):
            if not routing.IsStart(index):
                routing.VehicleVar(index).RemoveValue(v)

    def index_routes(self, routes: tuple[tuple[int, ...], ...]) -> list[list[int]]:
        """Routes of nodes (start and end included) as the solver's indices in between.

        Parameters
        ----------
        routes
            Per vehicle, its nodes from start to end (as in :attr:`Solution.routes`).

        Returns
        -------
        list of list of int
            Per vehicle, the routing indices of the visited nodes, for
            ``ReadAssignmentFromRoutes``.
        """
        return [[self.manager.NodeToIndex(int(n)) for n in r[1:-1]] for r in routes]

    def solution(self, assignment: pywrapcp.Assignment, status_name: str) -> Solution:
        """Read routes and service start times from an assignment.

        Parameters
        ----------
        assignment
            A solution of :attr:`routing`.
        status_name
            The search status to record (see ``STATUS``).

        Returns
        -------
        Solution
            Routes with the earliest service start times, the dropped pairs and visits and
            the objective value.
        """
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
        pairs = np.asarray(inst.pairs, dtype=np.int64).reshape(-1, 2).tolist()
        objective = int(assignment.ObjectiveValue())
        # pairs that must ride together or not at all: one served alone is left out too
        # (and so on along a chain of such rules)
        alone: set[int] = set()
        links = np.asarray(inst.same_vehicle, dtype=np.int64).reshape(-1, 2).tolist()
        riding = {r for r, (p, _) in enumerate(pairs) if p in served}
        while True:
            more = {a if a in riding else b for a, b in links if (a in riding) != (b in riding)}
            if not more:
                break
            alone |= more
            riding -= more
        if alone:
            gone = {n for r in alone for n in pairs[r]}
            kept = [
                [(n, t) for n, t in zip(r, at, strict=True) if n not in gone]
                for r, at in zip(routes, times, strict=True)
            ]
            routes = [tuple(n for n, _ in r) for r in kept]
            times = [tuple(t for _, t in r) for r in kept]
            served -= gone
            # their drop penalties are added; the saved travel is not taken off (the
            # objective is then an upper bound on the reported routes' cost)
            big = _big_penalty(inst)
            objective += sum(_penalty(inst.penalty, r, big) for r in alone)
        dropped_pairs = tuple(r for r, (p, _) in enumerate(pairs) if p not in served)
        dropped_visits = tuple(
            r for r, node in enumerate(np.asarray(inst.visits).tolist()) if node not in served
        )
        return Solution(
            routes=tuple(routes),
            times=tuple(times),
            dropped_pairs=dropped_pairs,
            dropped_visits=dropped_visits,
            objective=objective,
            status=status_name,
        )


def build_model(inst: Instance) -> Model:
    """The routing model of ``inst`` with its windows narrowed by :func:`tighten_windows`.

    Parameters
    ----------
    inst
        The instance to model.

    Returns
    -------
    Model
        A fresh model, ready to search.
    """
    early, late = tighten_windows(inst)
    return Model(inst, early, late)


def drop_penalties(inst: Instance, solution: Solution) -> int:
    """The drop penalties included in ``solution.objective``: one per request left out.

    Parameters
    ----------
    inst
        The instance.
    solution
        One of its solutions.

    Returns
    -------
    int
        Per pair and visit left out, its penalty (the mandatory ones' huge one).
    """
    big = _big_penalty(inst)
    total = sum(_penalty(inst.penalty, r, big) for r in solution.dropped_pairs)
    return total + sum(_penalty(inst.visit_penalty, r, big) for r in solution.dropped_visits)


def _penalty(values: np.ndarray, r: int, big: int) -> int:
    """Request ``r``'s drop penalty from ``values`` (``big`` where it is 0 or not given)."""
    return int(values[r]) if len(values) and int(values[r]) > 0 else big


def _big_penalty(inst: Instance) -> int:
    """A drop penalty larger than any route cost of the instance (the mandatory ones')."""
    per_arc = int(np.max(inst.distances)) * int(max(1, np.max(inst.cost_per_distance)))
    per_arc += int(np.max(inst.durations)) * int(max(0, np.max(inst.cost_per_time)))
    total = per_arc * (inst.n_nodes + 2) + int(np.sum(inst.fixed_cost))
    return int(min(max(total, 1) * 10, 2**52))


# OR-Tools' routing status codes by name
STATUS = {
    0: "ROUTING_NOT_SOLVED",
    1: "ROUTING_SUCCESS",
    2: "ROUTING_PARTIAL_SUCCESS_LOCAL_OPTIMUM_NOT_REACHED",
    3: "ROUTING_FAIL",
    4: "ROUTING_FAIL_TIMEOUT",
    5: "ROUTING_INVALID",
    6: "ROUTING_INFEASIBLE",
    7: "ROUTING_OPTIMAL",
}


def assignment_routes(
    routing: pywrapcp.RoutingModel, assignment: pywrapcp.Assignment
) -> list[list[int]]:
    """Per vehicle, the visited indices between start and end.

    Parameters
    ----------
    routing
        The routing model.
    assignment
        One of its solutions.

    Returns
    -------
    list of list of int
        Per vehicle, the routing indices it visits (the form of :meth:`Model.index_routes`).
    """
    routes = []
    for v in range(routing.vehicles()):
        index = assignment.Value(routing.NextVar(routing.Start(v)))
        route = []
        while not routing.IsEnd(index):
            route.append(index)
            index = assignment.Value(routing.NextVar(index))
        routes.append(route)
    return routes


def search_params(seconds: float, budget: int) -> RoutingSearchParameters:
    """Default routing parameters with a time cap and an optional solution budget.

    Parameters
    ----------
    seconds
        Time limit (at least a millisecond is set).
    budget
        Number of solutions after which the search stops; 0 for none.

    Returns
    -------
    RoutingSearchParameters
        OR-Tools' search parameters, to be given a strategy or metaheuristic.
    """
    search = pywrapcp.DefaultRoutingSearchParameters()
    search.time_limit.FromMilliseconds(max(1, round(max(seconds, 0.001) * 1000)))
    if budget:
        search.solution_limit = budget
    return search
