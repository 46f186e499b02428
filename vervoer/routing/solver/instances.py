"""Published routing benchmarks solved with the planner's own OR-Tools model.

Readers turn Cordeau's DARP files, Solomon's VRPTW files and Li & Lim's PDPTW files into the generic
:class:`vervoer.routing.solver.Instance` that the planner also builds, so the numbers measure the
engine the planner uses. Instance units are scaled to integers:

- DARP: times and distances x1000, travel times rounded *up* (so a solution feasible for
  the integer model is feasible for the double-precision original); the objective is
  recomputed with double-precision Euclidean distances (the convention of bks.csv).
- Solomon: distance-only, every arc truncated to one decimal (``floor(10 d) / 10``, the
  ``dist_trunc1`` convention of bks.csv), x10 to integers.
- Li & Lim: times and distances x1000, travel times rounded up, a fixed cost per vehicle
  above any total distance (vehicles first, then distance: the hierarchical convention of
  the best-known values); the distance is recomputed in double precision.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from vervoer.core.errors import InputError
from vervoer.core.settings import SolveParams
from vervoer.routing.solver import Instance, Solution, solve_instance

DARP_SCALE = 1000
SOLOMON_SCALE = 10


@dataclass(frozen=True, slots=True)
class DarpData:
    """A Cordeau DARP instance as read from its file."""

    name: str
    vehicles: int
    requests: int
    max_duration: float
    capacity: int
    max_ride: float
    xy: np.ndarray
    service: np.ndarray
    load: np.ndarray
    early: np.ndarray
    late: np.ndarray


def read_darp(path: Path) -> DarpData:
    """Read a Cordeau (2006) DARP file (see ../shared/benchmarks/README.md)."""
    try:
        lines = [ln.split() for ln in Path(path).read_text().splitlines() if ln.strip()]
        k, n_text, t, q, lim = lines[0][:5]
        rows = np.array([[float(x) for x in ln[:7]] for ln in lines[1:]])
    except (OSError, ValueError, IndexError) as exc:
        raise InputError(f"not a Cordeau DARP file: {exc}", file=Path(path).name) from None
    n = int(n_text)
    if rows.shape[0] < 2 * n + 2:
        raise InputError(f"expected {2 * n + 2} node lines", file=Path(path).name)
    rows = rows[: 2 * n + 2]
    return DarpData(
        name=Path(path).stem,
        vehicles=int(k),
        requests=n,
        max_duration=float(t),
        capacity=int(q),
        max_ride=float(lim),
        xy=rows[:, 1:3],
        service=rows[:, 3],
        load=rows[:, 4],
        early=rows[:, 5],
        late=rows[:, 6],
    )


def _euclid(xy: np.ndarray) -> np.ndarray:
    """Double-precision Euclidean distances between the rows of ``xy``."""
    diff = xy[:, None, :] - xy[None, :, :]
    dist: np.ndarray = np.sqrt((diff**2).sum(axis=2))
    return dist


def _trunc1(xy: np.ndarray) -> np.ndarray:
    """Euclidean distances truncated to one decimal (the ``dist_trunc1`` convention)."""
    return np.floor(_euclid(xy) * 10 + 1e-9) / 10


def _fleet(
    k: int, capacity: int, shift: tuple[int, int], max_duration: int, end: int
) -> dict[str, np.ndarray]:
    """The vehicle arrays of ``k`` equal vehicles from depot node 0 to node ``end``.

    One capacity dimension; the cost is the distance only (no fixed or time cost).
    """
    return {
        "starts": np.zeros(k, dtype=np.int64),
        "ends": np.full(k, end, dtype=np.int64),
        "capacity": np.full((k, 1), capacity, dtype=np.int64),
        "shift_early": np.full(k, shift[0], dtype=np.int64),
        "shift_late": np.full(k, shift[1], dtype=np.int64),
        "max_duration": np.full(k, max_duration, dtype=np.int64),
        "fixed_cost": np.zeros(k, dtype=np.int64),
        "cost_per_distance": np.ones(k, dtype=np.int64),
        "cost_per_time": np.zeros(k, dtype=np.int64),
    }


def darp_instance(d: DarpData) -> Instance:
    """The DARP as a pickup-and-delivery :class:`Instance` (all requests mandatory)."""
    s = DARP_SCALE
    dist = _euclid(d.xy)
    n2 = 2 * d.requests + 2
    shift = (round(d.early[0] * s), round(d.late[0] * s))
    return Instance(
        durations=np.ceil(dist * s - 1e-6).astype(np.int64),
        distances=np.rint(dist * s).astype(np.int64),
        service=np.rint(d.service * s).astype(np.int64),
        tw_early=np.rint(d.early * s).astype(np.int64),
        tw_late=np.rint(d.late * s).astype(np.int64),
        demand=d.load.astype(np.int64)[:, None],
        **_fleet(d.vehicles, d.capacity, shift, round(d.max_duration * s), end=n2 - 1),
        pairs=np.array([(i, d.requests + i) for i in range(1, d.requests + 1)], dtype=np.int64),
        max_ride=np.full(d.requests, round(d.max_ride * s), dtype=np.int64),
        max_slack=round(d.max_duration * s),
    )


@dataclass(frozen=True, slots=True)
class SolomonData:
    """A Solomon VRPTW instance."""

    name: str
    vehicles: int
    capacity: int
    xy: np.ndarray
    demand: np.ndarray
    ready: np.ndarray
    due: np.ndarray
    service: np.ndarray


def read_solomon(path: Path) -> SolomonData:
    """Read a Solomon (1987) VRPTW file."""
    try:
        text = Path(path).read_text().splitlines()
        vi = next(i for i, ln in enumerate(text) if ln.strip().upper().startswith("VEHICLE"))
        nums = text[vi + 2].split()
        vehicles, capacity = int(nums[0]), int(nums[1])
        ci = next(i for i, ln in enumerate(text) if ln.strip().upper().startswith("CUSTOMER"))
        rows = []
        for ln in text[ci + 1 :]:
            parts = ln.split()
            if len(parts) >= 7 and parts[0].isdigit():
                rows.append([float(x) for x in parts[:7]])
        data = np.array(rows)
    except (OSError, ValueError, IndexError, StopIteration) as exc:
        raise InputError(f"not a Solomon file: {exc}", file=Path(path).name) from None
    return SolomonData(
        name=Path(path).stem,
        vehicles=vehicles,
        capacity=capacity,
        xy=data[:, 1:3],
        demand=data[:, 3],
        ready=data[:, 4],
        due=data[:, 5],
        service=data[:, 6],
    )


def solomon_instance(d: SolomonData) -> Instance:
    """The VRPTW as an :class:`Instance` with truncated one-decimal distances."""
    s = SOLOMON_SCALE
    dist = np.floor(_euclid(d.xy) * s + 1e-9).astype(np.int64)
    n = len(d.xy)
    shift = (round(d.ready[0] * s), round(d.due[0] * s))
    return Instance(
        durations=dist,
        distances=dist,
        service=np.rint(d.service * s).astype(np.int64),
        tw_early=np.rint(d.ready * s).astype(np.int64),
        tw_late=np.rint(d.due * s).astype(np.int64),
        demand=np.rint(d.demand).astype(np.int64)[:, None],
        **_fleet(d.vehicles, d.capacity, shift, round((d.due[0] - d.ready[0]) * s), end=0),
        visits=np.arange(1, n, dtype=np.int64),
        max_slack=round(d.due[0] * s),
    )


def _check_darp(d: DarpData, sol: Solution) -> list[str]:
    """Feasibility of a DARP solution in the original double-precision units."""
    s = DARP_SCALE
    dist = _euclid(d.xy)
    bad: list[str] = []
    served = set()
    for route, times in zip(sol.routes, sol.times, strict=True):
        if len(route) <= 2:
            continue
        t = np.array(times) / s
        load = 0.0
        for a in range(1, len(route)):
            i, j = route[a - 1], route[a]
            if t[a] + 1e-6 < t[a - 1] + d.service[i] + dist[i, j]:
                bad.append(f"travel time violated {i}->{j}")
        for pos, node in enumerate(route):
            if not d.early[node] - 1e-6 <= t[pos] <= d.late[node] + 1e-6:
                bad.append(f"time window of node {node}")
            load += d.load[node]
            if load > d.capacity + 1e-9:
                bad.append(f"capacity after node {node}")
            if 1 <= node <= d.requests:
                served.add(node)
                drop = route.index(node + d.requests)
                if drop < pos:
                    bad.append(f"drop-off before pickup of request {node}")
                ride = t[drop] - (t[pos] + d.service[node])
                if ride > d.max_ride + 1e-6:
                    bad.append(f"ride time of request {node}: {ride:.2f}")
        if t[-1] - t[0] > d.max_duration + 1e-6:
            bad.append("route duration")
    if len(served) != d.requests:
        bad.append(f"{d.requests - len(served)} requests not served")
    return bad


def _check_solomon(d: SolomonData, routes: list[list[int]]) -> list[str]:
    """Feasibility of Solomon routes (customer ids) with distances truncated to 0.1.

    Travel time equals distance; service may start no later than the customer's due
    time (waiting is allowed); every route returns by the depot's due time; loads stay
    within capacity; every customer is visited exactly once.
    """
    trunc = _trunc1(d.xy)
    bad: list[str] = []
    for route in routes:
        t, load, prev = float(d.ready[0]), 0.0, 0
        for c in route:
            t = max(t + trunc[prev, c], float(d.ready[c]))
            if t > d.due[c] + 1e-6:
                bad.append(f"time window of customer {c}")
            load += float(d.demand[c])
            t += float(d.service[c])
            prev = c
        if t + trunc[prev, 0] > d.due[0] + 1e-6:
            bad.append(f"route {route[:3]}... returns late")
        if load > d.capacity + 1e-9:
            bad.append(f"capacity of route {route[:3]}...")
    visits = sorted(c for route in routes for c in route)
    if visits != list(range(1, len(d.xy))):
        bad.append("customers not visited exactly once")
    return bad


def _no_solution(name: str, seconds: float) -> dict[str, object]:
    """The result of a run that found no solution serving every request."""
    return {
        "instance": name,
        "objective": None,
        "vehicles": 0,
        "feasible": False,
        "seconds": round(seconds, 2),
        "routes": [],
    }


def _timed_solve(
    inst: Instance, params: SolveParams, lns: str | None
) -> tuple[Solution | None, float]:
    """:func:`solve_instance` and the seconds it took."""
    t0 = time.perf_counter()
    sol = solve_instance(inst, params, lns=lns)
    return sol, time.perf_counter() - t0


def _length(route: Sequence[int], dist: np.ndarray) -> float:
    """Length of a route (node ids) under the arc lengths ``dist``."""
    length: float = sum(dist[a, b] for a, b in zip(route[:-1], route[1:], strict=True))
    return length


def _result(
    name: str, objective: float, routes: list[Any], seconds: float, violations: list[str]
) -> dict[str, object]:
    """The result of a run that served every request."""
    return {
        "instance": name,
        "objective": objective,
        "vehicles": len(routes),
        "seconds": round(seconds, 2),
        "feasible": not violations,
        "violations": violations[:10],
        "routes": routes,
    }


def bench_darp(path: Path, params: SolveParams, lns: str | None = None) -> dict[str, object]:
    """Solve a DARP file; routes as node ids with the service start time at each node.

    Parameters
    ----------
    path
        A Cordeau DARP file.
    params
        Time limit and work budget of the solver.
    lns
        The large-neighbourhood search (see :func:`vervoer.routing.solver.solve_instance`).

    Returns
    -------
    dict
        ``instance``, ``objective`` (double-precision length, None without a solution
        serving everyone), ``vehicles``, ``seconds``, ``feasible``, ``violations`` (the
        first ten, with a solution) and ``routes``.
    """
    d = read_darp(path)
    sol, seconds = _timed_solve(darp_instance(d), params, lns)
    if sol is None or sol.dropped_pairs:
        return _no_solution(d.name, seconds)
    dist = _euclid(d.xy)
    routes, objective = [], 0.0
    for route, times in zip(sol.routes, sol.times, strict=True):
        if len(route) <= 2:
            continue
        objective += _length(route, dist)
        routes.append(
            [
                {"node": int(n), "time": round(t / DARP_SCALE, 3)}
                for n, t in zip(route, times, strict=True)
            ]
        )
    return _result(d.name, round(objective, 4), routes, seconds, _check_darp(d, sol))


def bench_solomon(path: Path, params: SolveParams, lns: str | None = None) -> dict[str, object]:
    """Solve a Solomon file (distance-only, truncated); routes as customer ids.

    ``path`` is a Solomon VRPTW file; ``params`` and ``lns`` and the keys of the result
    are those of :func:`bench_darp`. The objective is the length with arcs truncated to
    one decimal; the routes are lists of customer ids.
    """
    d = read_solomon(path)
    sol, seconds = _timed_solve(solomon_instance(d), params, lns)
    if sol is None or sol.dropped_visits:
        return _no_solution(d.name, seconds)
    trunc = _trunc1(d.xy)
    routes, objective = [], 0.0
    for route in sol.routes:
        if len(route) <= 2:
            continue
        objective += _length(route, trunc)
        routes.append([int(n) for n in route[1:-1]])
    return _result(d.name, round(objective, 1), routes, seconds, _check_solomon(d, routes))


def gap(value: float | None, best: float) -> float:
    """Percentage gap to the best-known value (inf when no solution)."""
    if value is None:
        return math.inf
    return (value - best) / best * 100


LILIM_SCALE = 1000


@dataclass(frozen=True, slots=True)
class LilimData:
    """A Li & Lim (2001) PDPTW instance as read from its file.

    Attributes
    ----------
    name
        The file name without its suffix (``lc101``).
    vehicles, capacity
        Fleet size and capacity of every vehicle.
    xy, demand, early, late, service
        Per node (node 0 is the depot): coordinates, load change (+ at a pickup, - at its
        delivery), time window for the start of service and service time.
    pairs
        (p, 2) pickup and delivery node of each request, in the order of the pickups.
    """

    name: str
    vehicles: int
    capacity: int
    xy: np.ndarray
    demand: np.ndarray
    early: np.ndarray
    late: np.ndarray
    service: np.ndarray
    pairs: np.ndarray


def read_lilim(path: Path) -> LilimData:
    """Read a Li & Lim PDPTW file (see ../shared/benchmarks/README.md).

    Line 1 is ``K Q S`` (vehicles, capacity, an unused speed), then one line per node:
    ``id x y demand early late service pickup_sibling delivery_sibling``, node 0 the depot.

    Parameters
    ----------
    path
        The instance file.

    Returns
    -------
    LilimData
        The instance, with its pairs checked (each pickup names a delivery that names it
        back).

    Raises
    ------
    InputError
        When the file cannot be read, a line is malformed, the node ids are not 0, 1, ...
        or a pickup and its delivery do not name each other.
    """
    name = Path(path).name
    try:
        lines = [ln.split() for ln in Path(path).read_text().splitlines() if ln.strip()]
        vehicles, capacity = int(lines[0][0]), int(float(lines[0][1]))
        rows = np.array([[float(x) for x in ln[:9]] for ln in lines[1:]])
    except (OSError, ValueError, IndexError) as exc:
        raise InputError(f"not a Li & Lim file: {exc}", file=name) from None
    if rows.ndim != 2 or rows.shape[1] != 9 or len(rows) < 3:
        raise InputError("expected node lines of nine fields after the header", file=name)
    ids = rows[:, 0].astype(np.int64)
    if not np.array_equal(ids, np.arange(len(rows))):
        raise InputError("node ids must be 0, 1, 2, ... in order", file=name)
    pick_sib, deliv_sib = rows[:, 7].astype(np.int64), rows[:, 8].astype(np.int64)
    n = len(rows)
    pairs = []
    for i in range(1, n):
        if pick_sib[i] == 0:  # a pickup: delivery_sibling names its delivery
            j = int(deliv_sib[i])
            if not 0 < j < n or pick_sib[j] != i:
                msg = f"pickup {i} names delivery {j}, which does not name it back"
                raise InputError(msg, file=name, row=i + 2)
            pairs.append((i, j))
    if 2 * len(pairs) != n - 1:
        raise InputError(f"{n - 1} tasks but {len(pairs)} pickup-delivery pairs", file=name)
    return LilimData(
        name=Path(path).stem,
        vehicles=vehicles,
        capacity=capacity,
        xy=rows[:, 1:3],
        demand=rows[:, 3],
        early=rows[:, 4],
        late=rows[:, 5],
        service=rows[:, 6],
        pairs=np.asarray(pairs, dtype=np.int64).reshape(-1, 2),
    )


def lilim_vehicle_cost(d: LilimData) -> int:
    """A fixed cost per vehicle above any total distance: vehicles first, then distance.

    The bound is the sum over nodes of the longest arc leaving each (x ``LILIM_SCALE``),
    so one vehicle fewer is always worth more than any change in distance.
    """
    dist = np.rint(_euclid(d.xy) * LILIM_SCALE)
    return int(dist.max(axis=1).sum()) + 1


def lilim_instance(d: LilimData) -> Instance:
    """The PDPTW as a pickup-and-delivery :class:`Instance` under the hierarchical objective.

    Times and distances x ``LILIM_SCALE``, travel times rounded up (as for the DARP);
    every vehicle has the fixed cost :func:`lilim_vehicle_cost`, so the solver minimises
    vehicles first and then distance (the convention of the Li & Lim best-known values).
    All requests are mandatory; routes start and end at the depot within its window.
    """
    s = LILIM_SCALE
    dist = _euclid(d.xy)
    shift = (round(d.early[0] * s), round(d.late[0] * s))
    fleet = _fleet(d.vehicles, d.capacity, shift, shift[1] - shift[0], end=0)
    fleet["fixed_cost"] = np.full(d.vehicles, lilim_vehicle_cost(d), dtype=np.int64)
    return Instance(
        durations=np.ceil(dist * s - 1e-6).astype(np.int64),
        distances=np.rint(dist * s).astype(np.int64),
        service=np.rint(d.service * s).astype(np.int64),
        tw_early=np.rint(d.early * s).astype(np.int64),
        tw_late=np.rint(d.late * s).astype(np.int64),
        demand=np.rint(d.demand).astype(np.int64)[:, None],
        **fleet,
        pairs=d.pairs,
        max_slack=shift[1],
    )


def check_lilim(d: LilimData, routes: Sequence[Sequence[int]]) -> list[str]:
    """Feasibility of Li & Lim routes (node ids, depot omitted) in double precision.

    Travel time equals the Euclidean distance; service may start no later than the node's
    late time (waiting is allowed); every route returns to the depot by its late time;
    the load stays within capacity; each pickup precedes its delivery on the same route;
    every node is visited exactly once.

    Parameters
    ----------
    d
        The instance.
    routes
        Per used vehicle, its nodes in order without the depot.

    Returns
    -------
    list of str
        The violations found (empty: feasible).
    """
    dist = _euclid(d.xy)
    bad: list[str] = []
    partner = {int(p): int(q) for p, q in d.pairs}
    for route in routes:
        t, load, prev = float(d.early[0]), 0.0, 0
        where = {int(n): i for i, n in enumerate(route)}
        for c in route:
            t = max(t + dist[prev, c], float(d.early[c]))
            if t > d.late[c] + 1e-6:
                bad.append(f"time window of node {c}")
            load += float(d.demand[c])
            if load > d.capacity + 1e-9:
                bad.append(f"capacity after node {c}")
            if c in partner and where.get(partner[c], -1) < where[c]:
                bad.append(f"delivery {partner[c]} not after its pickup {c} on the same route")
            t += float(d.service[c])
            prev = c
        if t + dist[prev, 0] > d.late[0] + 1e-6:
            bad.append(f"route {list(route[:3])}... returns late")
    visits = sorted(int(c) for route in routes for c in route)
    if visits != list(range(1, len(d.xy))):
        bad.append("nodes not visited exactly once")
    if len(routes) > d.vehicles:
        bad.append(f"{len(routes)} routes but {d.vehicles} vehicles")
    return bad


def lilim_distance(d: LilimData, routes: Sequence[Sequence[int]]) -> float:
    """Total double-precision length of routes (node ids, depot omitted) from and to the depot."""
    dist = _euclid(d.xy)
    return float(sum(_length([0, *r, 0], dist) for r in routes))


def bench_lilim(path: Path, params: SolveParams, lns: str | None = None) -> dict[str, object]:
    """Solve a Li & Lim PDPTW file, vehicles first and then distance.

    ``path`` is a Li & Lim file; ``params`` and ``lns`` and the keys of the result are
    those of :func:`bench_darp`. ``vehicles`` is the number of routes used and
    ``objective`` their double-precision length (compare both with bks.csv
    ``hier_vehicles`` and ``hier_distance``); the routes are lists of node ids.
    """
    d = read_lilim(path)
    sol, seconds = _timed_solve(lilim_instance(d), params, lns)
    if sol is None or sol.dropped_pairs:
        return _no_solution(d.name, seconds)
    routes = [[int(n) for n in r[1:-1]] for r in sol.routes if len(r) > 2]
    objective = round(lilim_distance(d, routes), 4)
    return _result(d.name, objective, routes, seconds, check_lilim(d, routes))


def hierarchical_gap(
    vehicles: int, distance: float | None, best_vehicles: int, best_distance: float
) -> tuple[int, float]:
    """The gap under the hierarchical convention: extra vehicles, then distance in percent.

    Parameters
    ----------
    vehicles, distance
        The solution's number of routes and total length (None: no solution).
    best_vehicles, best_distance
        The best-known solution's.

    Returns
    -------
    tuple of int and float
        Vehicles above the best-known count (negative when fewer) and the distance gap in
        percent (inf without a solution). The distance gap is only comparable between
        solutions with the same number of vehicles.
    """
    return vehicles - best_vehicles, gap(distance, best_distance)
