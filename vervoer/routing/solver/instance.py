"""The solver's input and output: a generic routing :class:`Instance` and its :class:`Solution`.

No OR-Tools here: the instance is plain integer arrays (checked on construction), with the
one preprocessing step every search starts from, :func:`tighten_windows`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

# HORIZON_S: the latest time the solver considers (seconds after midnight, or instance
# units). The time dimension spans at least this, it is the default longest wait
# (:attr:`Instance.max_slack`) and, four times it or the latest window end, stands for
# "no ride limit" (:meth:`Instance.ride_limit`).
from vervoer.core.model import HORIZON_S as HORIZON_S  # re-exported: the solver's horizon

# the fields of Instance by what their first axis counts (see Instance.subset)
_MATRIX_FIELDS = ("durations", "distances")
_NODE_FIELDS = ("service", "tw_early", "tw_late", "demand")
_PER_VEHICLE = (  # (k,) arrays; capacity is (k, d)
    "shift_early",
    "shift_late",
    "max_duration",
    "fixed_cost",
    "cost_per_distance",
    "cost_per_time",
)
_VEHICLE_FIELDS = ("capacity", *_PER_VEHICLE)


@dataclass(frozen=True, slots=True, kw_only=True)
class Instance:
    """A generic vehicle-routing instance in integer units.

    Node arrays have length ``n``; vehicle arrays length ``k``; pair arrays length ``p``.
    Costs are integers (the planner uses millicents); times and durations in the same
    unit as ``durations``. The shapes and value ranges are checked on construction
    (ValueError naming the field).

    Attributes
    ----------
    durations, distances
        (n, n) travel time and distance between nodes.
    service
        Service time at each node (boarding or alighting), added when leaving it.
    tw_early, tw_late
        Time window for the start of service at each node.
    demand
        (n, d) load change at each node (+ at a pickup, - at its delivery); (n,) for d = 1.
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
        Maximum time from leaving the pickup (after service) to reaching the delivery;
        empty for no limit.
    penalty
        Cost of leaving a pair unserved; 0 means it must be served. Empty: all must be.
    visits
        Nodes that are served alone (no partner), e.g. VRPTW customers.
    visit_penalty
        Cost of leaving a visit unserved; 0 means it must be served. Empty: all must be.
    max_slack
        Longest wait allowed at a node.
    allowed
        (p, k) booleans: which vehicles may serve each pair; empty: every vehicle.
    same_vehicle, different_vehicle
        (m, 2) pair indices that must ride in the same vehicle (or both be left out), and
        that may not ride in the same vehicle (one may be left out).
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
    max_slack: int = HORIZON_S
    allowed: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=bool))
    same_vehicle: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), dtype=np.int64))
    different_vehicle: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), dtype=np.int64))

    def __post_init__(self) -> None:
        _check_shapes(self)
        _check_ranges(self)

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return int(self.durations.shape[0])

    @property
    def n_vehicles(self) -> int:
        """Number of vehicles."""
        return len(self.starts)

    @property
    def n_tasks(self) -> int:
        """Number of nodes to visit (two per pickup-and-delivery request)."""
        return 2 * len(self.pairs) + len(self.visits)

    def ride_limit(self, r: int) -> int:
        """Longest time from the start of service at the pickup of pair ``r`` to its delivery.

        Parameters
        ----------
        r
            Index into ``pairs``.

        Returns
        -------
        int
            ``max_ride[r]`` plus the pickup's service time; without ride limits four
            times the instance's horizon (``HORIZON_S``, or the latest window or shift
            end if later: a benchmark's time units can reach beyond a day's seconds).
        """
        if not len(self.max_ride):
            return 4 * max(HORIZON_S, int(np.max(self.tw_late)), int(np.max(self.shift_late)))
        return int(self.max_ride[r]) + int(self.service[int(self.pairs[r][0])])

    def subset(self, nodes: Sequence[int] | np.ndarray, vehicles: Sequence[int]) -> Instance:
        """The instance restricted to some nodes and vehicles, renumbered in the given order.

        Parameters
        ----------
        nodes
            The nodes to keep; node ``nodes[i]`` becomes node ``i``. Must include the start
            and end node of every kept vehicle and, of each pair, both stops or neither.
        vehicles
            The vehicles to keep; vehicle ``vehicles[j]`` becomes vehicle ``j``.

        Returns
        -------
        Instance
            The pairs and visits whose nodes are kept (in their order), all per-node and
            per-vehicle arrays restricted, ``max_slack`` unchanged.

        Raises
        ------
        ValueError
            When a kept vehicle's depot or one stop of a kept pair is not in ``nodes``.
        """
        nodes = np.asarray(nodes, dtype=np.int64)
        vs = np.asarray(vehicles, dtype=np.int64)
        local = {int(n): i for i, n in enumerate(nodes)}

        def renumber(name: str, values: np.ndarray) -> np.ndarray:
            missing = [int(n) for n in values if int(n) not in local]
            if missing:
                raise _invalid(name, f"node {missing[0]} is needed but not among the nodes kept")
            return np.asarray([local[int(n)] for n in values], dtype=np.int64)

        def rows(a: np.ndarray, mask: np.ndarray) -> np.ndarray:
            a = np.asarray(a)
            return a[mask] if len(a) else a

        pairs = np.asarray(self.pairs, dtype=np.int64).reshape(-1, 2)
        keep = np.asarray([int(p) in local for p in pairs[:, 0]], dtype=bool)
        half = np.asarray([int(d) in local for d in pairs[:, 1]], dtype=bool) != keep
        if half.any():
            r = int(np.argmax(half))
            raise _invalid("pairs", f"pair {r} has only one of its stops among the nodes kept")
        visits = np.asarray(self.visits, dtype=np.int64)
        keep_v = np.asarray([int(n) in local for n in visits], dtype=bool)
        grid = np.ix_(nodes, nodes)
        new_pair = np.cumsum(keep) - 1  # old pair index -> new (where kept)

        def pair_links(name: str) -> np.ndarray:
            links = np.asarray(getattr(self, name), dtype=np.int64).reshape(-1, 2)
            both = keep[links[:, 0]] & keep[links[:, 1]] if len(links) else np.zeros(0, bool)
            out: np.ndarray = new_pair[links[both]].reshape(-1, 2).astype(np.int64)
            return out

        allowed = np.asarray(self.allowed, dtype=bool)
        # all arrays; Any because replace() types **changes against every field (max_slack: int)
        changes: dict[str, Any] = {
            **{name: np.asarray(getattr(self, name))[grid] for name in _MATRIX_FIELDS},
            **{name: np.asarray(getattr(self, name))[nodes] for name in _NODE_FIELDS},
            **{name: np.asarray(getattr(self, name))[vs] for name in _VEHICLE_FIELDS},
            "starts": renumber("starts", np.asarray(self.starts)[vs]),
            "ends": renumber("ends", np.asarray(self.ends)[vs]),
            "pairs": renumber("pairs", pairs[keep].ravel()).reshape(-1, 2),
            "max_ride": rows(self.max_ride, keep),
            "penalty": rows(self.penalty, keep),
            "visits": renumber("visits", visits[keep_v]),
            "visit_penalty": rows(self.visit_penalty, keep_v),
            "allowed": allowed[np.ix_(keep, vs)] if allowed.size else allowed,
            "same_vehicle": pair_links("same_vehicle"),
            "different_vehicle": pair_links("different_vehicle"),
        }
        return replace(self, **changes)


def _invalid(name: str, problem: str) -> ValueError:
    """The error for an invalid :class:`Instance` field: ``Instance.<name> <problem>``."""
    return ValueError(f"Instance.{name} {problem}")


def _check_shapes(inst: Instance) -> None:
    """Raise ValueError unless every array of ``inst`` has the shape its role implies."""
    durations = np.asarray(inst.durations)
    if durations.ndim != 2 or durations.shape[0] != durations.shape[1]:
        raise _invalid(
            "durations", f"must be a square (n, n) matrix, not of shape {durations.shape}"
        )
    n = durations.shape[0]
    _check_shape(inst, "distances", (n, n), "like durations")
    for name in ("service", "tw_early", "tw_late"):
        _check_shape(inst, name, (n,), "one value per node")
    demand = np.asarray(inst.demand)
    if demand.ndim not in (1, 2) or demand.shape[0] != n:
        raise _invalid("demand", f"must have shape (n, d) or (n,) with n = {n}, not {demand.shape}")
    dims = demand.shape[1] if demand.ndim == 2 else 1
    k = len(np.asarray(inst.starts))
    for name in ("starts", "ends", *_PER_VEHICLE):
        _check_shape(inst, name, (k,), "one value per vehicle, as in starts")
    _check_shape(inst, "capacity", (k, dims), "per vehicle and demand dimension")
    pairs = np.asarray(inst.pairs)
    if pairs.size and (pairs.ndim != 2 or pairs.shape[1] != 2):
        raise _invalid("pairs", f"must have shape (p, 2), not {pairs.shape}")
    p = len(pairs.reshape(-1, 2))
    for name in ("max_ride", "penalty"):
        _check_shape(inst, name, (p,), "one value per pair, or empty", empty_ok=True)
    m = len(np.asarray(inst.visits))
    _check_shape(inst, "visits", (m,), "a list of nodes")
    _check_shape(inst, "visit_penalty", (m,), "one value per visit, or empty", empty_ok=True)
    allowed = np.shape(inst.allowed)
    if allowed not in ((0, 0), (p, k)) and not (p == 0 and len(allowed) == 2):
        raise _invalid("allowed", f"must have shape ({p}, {k}) or be empty, not {allowed}")
    for name in ("same_vehicle", "different_vehicle"):
        links = np.asarray(getattr(inst, name))
        if links.size and (links.ndim != 2 or links.shape[1] != 2):
            raise _invalid(name, f"must have shape (m, 2), not {links.shape}")
        if links.size and (links.min() < 0 or links.max() >= p):
            raise _invalid(name, f"must hold pair numbers from 0 to {p - 1}")


def _check_shape(
    inst: Instance, name: str, shape: tuple[int, ...], what: str, *, empty_ok: bool = False
) -> None:
    """Raise unless field ``name`` has ``shape`` (or is empty, with ``empty_ok``)."""
    actual = np.shape(getattr(inst, name))
    if actual != shape and not (empty_ok and actual == (0,)):
        raise _invalid(name, f"must have shape {shape} ({what}), not {actual}")


def _check_ranges(inst: Instance) -> None:
    """Raise ValueError for node numbers out of range, negative amounts, empty windows."""
    n = inst.n_nodes
    for name in ("starts", "ends", "pairs", "visits"):
        values = np.asarray(getattr(inst, name))
        if values.size and (values.min() < 0 or values.max() >= n):
            raise _invalid(name, f"must hold node numbers from 0 to {n - 1}")
    for name in (
        *_MATRIX_FIELDS,
        "service",
        *_VEHICLE_FIELDS,
        "max_ride",
        "penalty",
        "visit_penalty",
    ):
        values = np.asarray(getattr(inst, name))
        if values.size and values.min() < 0:
            raise _invalid(name, "must be 0 or more")
    empty = np.asarray(inst.tw_early) > np.asarray(inst.tw_late)
    if empty.any():
        raise _invalid("tw_early", f"is after tw_late at node {int(np.argmax(empty))}")
    empty = np.asarray(inst.shift_early) > np.asarray(inst.shift_late)
    if empty.any():
        raise _invalid("shift_early", f"is after shift_late for vehicle {int(np.argmax(empty))}")
    if inst.max_slack < 0:
        raise _invalid("max_slack", "must be 0 or more")


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


def tighten_windows(inst: Instance) -> tuple[np.ndarray, np.ndarray]:
    """Time windows narrowed to what any feasible solution can use (Cordeau 2006).

    Uses shortest transit times (service + travel, closed under the triangle
    inequality), the vehicles' shifts and, for each pair, the maximum ride time: the
    delivery cannot start later than the pickup's latest start plus the ride limit, nor
    earlier than the pickup's earliest start plus the direct transit, and vice versa.
    Narrowing never removes a feasible solution. A pair whose windows become empty is
    left unchanged (the solver then leaves it out, or fails if it is mandatory).

    Parameters
    ----------
    inst
        The instance.

    Returns
    -------
    early, late : numpy.ndarray
        The narrowed ``tw_early`` and ``tw_late`` (int64, per node; depots unchanged).
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
        limit = inst.ride_limit(r)
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
