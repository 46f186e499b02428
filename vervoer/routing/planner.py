"""From a scenario and its matrix to planned days: requests, cheap checks, solving, routes.

A day is planned per pool (``own``: one organisation; ``shared``: a pooling group), trip
by trip in time order (:func:`vervoer.routing.requests.trips_of_day`), with every
vehicle's availability carried forward: a vehicle that drove an earlier trip is back at
its depot when that route ends, and its next trip starts no earlier (one schedule per
vehicle day, never two places at once). The requests of a trip are first checked for the
impossibilities the planner can name without solving (no vehicle that day, no wheelchair
place, ride too long even when direct, window unreachable even by a direct ride from a
depot); the rest go to the OR-Tools model in :mod:`vervoer.routing.solver` as a
pickup-and-delivery instance whose objective is money: the fixed cost of a vehicle day
(charged on the vehicle's first trip of the day only, so a bus that already drove is
cheaper to use again), cost per hour of route duration and cost per km (integer
millicents). Whatever the solver leaves out is listed as "no room found". Days are
independent and are planned in parallel processes, and so are the pools of a day when
there are cores to spare.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import as_completed
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from vervoer.core.model import (
    DAY_NAMES,
    Mode,
    Participant,
    Plan,
    Pool,
    Reason,
    RideKey,
    RidePlan,
    Route,
    RuleKind,
    Stop,
    StopKind,
    Unassigned,
    Vehicle,
    Weekday,
)
from vervoer.core.processes import new_pool, run_parallel, signals_held, stop_pool
from vervoer.core.settings import Settings, SolveParams
from vervoer.geo.matrix import Matrix
from vervoer.io.scenario import Scenario
from vervoer.routing.precheck import pool_words, precheck
from vervoer.routing.pricing import MILLICENTS_PER_EURO, price_route
from vervoer.routing.requests import (
    DAY_END_S,
    PlaceKey,
    Request,
    all_trips,
    boarding_s,
    requests_for,
    trips_of_day,
)
from vervoer.routing.rules import RuleBook, allowed_matrix
from vervoer.routing.solver import (
    Instance,
    Solution,
    decomposes,
    improve_solution,
    solve_instance,
)

DROP_PENALTY = 10_000 * MILLICENTS_PER_EURO  # leaving one stop out costs "EUR 10,000"
#: a trip's seat-layout choices are solved side by side from this many requests (below,
#: starting a process costs more than the search)
PARALLEL_FROM = 30
#: from this many requests a trip's seat-layout choices get a quick look each (first solution
#: and descent) and only the best one the rest of the search: on 186 requests a whole
#: search costs 28 s per choice, the look 5.5 s, and it kept the same choice (95 -> 74 s on
#: one core, the same plan); on the demo's trips of about 90 requests the looks misjudged
#: (the demo week 3.0% dearer), and a whole search there costs 6-17 s
SCREEN_FROM = 150


def pools_for(scenario: Scenario, mode: Mode) -> tuple[Pool, ...]:
    """The pools of a mode: one per organisation (own), or the settings' groups (shared).

    In shared mode an organisation in no group forms a pool of its own; with no groups
    defined every organisation shares one pool.
    """
    orgs = [o.id for o in scenario.organisations]
    if mode is Mode.OWN:
        return tuple(Pool(name=o, organisations=(o,)) for o in orgs)
    groups = scenario.settings.pools
    if not groups:
        return (Pool(name="all", organisations=tuple(orgs)),)
    seen: set[str] = set()
    out = []
    for pool in groups:
        members = tuple(o for o in pool.organisations if o not in seen)
        seen.update(members)
        if members:
            out.append(Pool(name=pool.name, organisations=members))
    out.extend(Pool(name=o, organisations=(o,)) for o in orgs if o not in seen)
    return tuple(out)


def plan_week(
    scenario: Scenario,
    matrix: Matrix,
    places: Mapping[PlaceKey, int],
    *,
    mode: Mode = Mode.SHARED,
    rides: Sequence[RideKey] | None = None,
    days: Sequence[Weekday] | None = None,
    params: SolveParams | None = None,
    progress: Callable[[RideKey, RidePlan], None] | None = None,
    workers: int | None = None,
    scheduler_address: str | None = None,
    dask: bool = False,
) -> Plan:
    """Plan rides of a scenario.

    Parameters
    ----------
    scenario
        The validated (and geocoded) scenario.
    matrix
        Travel times and distances between all places.
    places
        Matrix index of each place; a home missing here was not found.
    mode
        ``own`` or ``shared``.
    rides
        The trips to plan (default: every trip of every day in the attendance, Saturday
        and Sunday included). A trip that the scenario does not have is planned empty.
    days
        When ``rides`` is not given: every trip of these days (default: every day in the
        attendance).
    params
        Solver parameters (default: from the scenario settings).
    progress
        Called after each trip with its plan (in the order days finish).
    workers
        Days are independent and are planned in parallel processes; default: all cores
        (``os.cpu_count()``), 1 plans in this process. The cores the days leave over go to
        each day's trips (``SolveParams.workers``). The result does not depend on it.
    scheduler_address, dask
        With ``dask=True`` the days are planned on a Dask cluster instead: the scheduler
        at ``scheduler_address`` (e.g. ``"tcp://10.0.0.5:8786"``), or a temporary local
        cluster of ``workers`` (default 2) processes when it is None. The scenario and the
        matrix are sent to every worker once; a day is one task (a stable week's busiest
        day first). The result is the same as in local processes.

    Returns
    -------
    Plan
    """
    settings = scenario.settings
    params = params or SolveParams.from_settings(settings)
    rides = tuple(rides) if rides is not None else all_trips(scenario, days)
    by_day: dict[Weekday, list[RideKey]] = {}
    for key in rides:
        by_day.setdefault(key.weekday, []).append(key)
    cores = workers or os.cpu_count() or 1
    done: dict[RideKey, RidePlan] = {}

    def finished(day_plans: Sequence[RidePlan]) -> None:
        for ride in day_plans:
            done[ride.key] = ride
            if progress:
                progress(ride.key, ride)

    # stable week: the busiest day first; the other days stay close to it (the same
    # vehicle, about the same pickup time for everyone who rides on both)
    template = None
    if settings.stable_week and len(by_day) > 1:
        template = max(
            by_day,
            key=lambda d: (sum(len(requests_for(scenario, k)) for k in by_day[d]), -d.number),
        )
    tolerance = round(settings.replan_tolerance_min * 60)
    others = [day for day in by_day if day is not template]

    def anchors_of(first: Sequence[RidePlan]) -> dict[str, Anchor]:
        return {ride.key.trip: anchor_of(ride, tolerance) for ride in first}

    def job(
        day: Weekday,
    ) -> tuple[Scenario, Matrix, Mapping[PlaceKey, int], Weekday, list[RideKey]]:
        return (scenario, matrix, places, day, by_day[day])

    def using(n_days: int) -> SolveParams:
        # the cores the days leave over go to each day's trips (layout choices, parts)
        return replace(params, workers=max(1, cores // max(1, n_days)))

    day_workers = min(cores, len(others) or 1)
    if dask:
        _plan_on_dask(
            scenario,
            matrix,
            places,
            by_day,
            template,
            replace(params, workers=1),  # no forks inside a Dask worker
            mode,
            anchors_of,
            finished,
            scheduler_address,
            workers,
        )
    elif scheduler_address is not None:
        msg = "scheduler_address is only used with dask=True"
        raise ValueError(msg)
    elif day_workers <= 1:  # one day at a time in this process (its trips may fork)
        anchors = None
        if template is not None:
            first = plan_day(*job(template), mode=mode, params=using(1))
            finished(first)
            anchors = anchors_of(first)
        for day in others:
            finished(plan_day(*job(day), mode=mode, params=using(1), anchors=anchors))
    else:
        pool = new_pool(day_workers)
        try:
            anchors = None
            if template is not None:  # planned in a worker too: Ctrl-C stays immediate
                with signals_held():  # the workers are forked here
                    fut = pool.submit(plan_day, *job(template), mode=mode, params=using(1))
                first = fut.result()
                finished(first)
                anchors = anchors_of(first)
            with signals_held():
                each = using(len(others))
                futures = [
                    pool.submit(plan_day, *job(day), mode=mode, params=each, anchors=anchors)
                    for day in others
                ]
            for f in as_completed(futures):
                finished(f.result())
        except BaseException:  # Ctrl-C, SIGTERM, a failed ride: do not wait for the others
            stop_pool(pool)
            raise
        pool.shutdown(wait=True)
    ride_plans = [done[key] for key in rides]
    return Plan(
        mode=mode,
        scenario=scenario.name,
        rides=tuple(ride_plans),
        meta={
            "seed": params.seed,
            "time_limit_s": params.time_limit_s,
            "max_iterations": params.max_iterations,
            "lns_rounds": params.lns_rounds,
            "language": settings.language,
            "rides": [str(key) for key in rides],
            "partial": set(rides) != set(all_trips(scenario)),
        },
    )


def _plan_on_dask(
    scenario: Scenario,
    matrix: Matrix,
    places: Mapping[PlaceKey, int],
    by_day: Mapping[Weekday, Sequence[RideKey]],
    template: Weekday | None,
    params: SolveParams,
    mode: Mode,
    anchors_of: Callable[[Sequence[RidePlan]], dict[str, Anchor]],
    finished: Callable[[Sequence[RidePlan]], None],
    scheduler_address: str | None,
    workers: int | None,
) -> None:
    """The days of :func:`plan_week` as tasks on a Dask cluster (see there)."""
    from distributed import as_completed as dask_completed

    from vervoer.core.cluster import dask_client

    with dask_client(scheduler_address, workers) as client:
        # the scenario and the matrix (the large part) go to every worker once
        [sc, mx] = client.scatter([scenario, matrix], broadcast=True, hash=False)

        def submit(day: Weekday, anchors: Mapping[str, Anchor] | None) -> Any:
            return client.submit(
                plan_day,
                sc,
                mx,
                dict(places),
                day,
                list(by_day[day]),
                mode=mode,
                params=params,
                anchors=anchors,
                pure=False,
            )

        anchors = None
        if template is not None:
            first = submit(template, None).result()
            finished(first)
            anchors = anchors_of(first)
        futures = [submit(day, anchors) for day in by_day if day is not template]
        try:
            for fut in dask_completed(futures, loop=client.loop):  # type: ignore[no-untyped-call]
                finished(fut.result())
        finally:
            client.cancel(futures)


def plan_day(
    scenario: Scenario,
    matrix: Matrix,
    places: Mapping[PlaceKey, int],
    weekday: Weekday,
    keys: Sequence[RideKey] | None = None,
    *,
    mode: Mode,
    params: SolveParams,
    anchors: Mapping[str, Anchor] | None = None,
) -> list[RidePlan]:
    """Plan the trips of one day over all pools of the mode, in time order.

    Parameters
    ----------
    scenario, matrix, places
        As for :func:`plan_week`.
    weekday
        The day.
    keys
        The trips of the day to plan (default: all); a key the day does not have gives an
        empty trip plan.
    mode, params
        As for :func:`plan_week`.
    anchors
        Per trip name, a reference trip to stay close to (see :class:`Anchor`).

    Returns
    -------
    list of RidePlan
        One per trip asked for, in the order of ``keys``.
    """
    trips = trips_of_day(scenario, weekday)
    book = RuleBook.of(scenario)
    wanted = list(keys) if keys is not None else list(trips)
    chosen = [k for k in trips if k in set(wanted)]  # the day's order
    routes: dict[RideKey, list[Route]] = {k: [] for k in wanted}
    unassigned: dict[RideKey, list[Unassigned]] = {k: [] for k in wanted}
    pools = [
        pool
        for pool in pools_for(scenario, mode)
        if any(r.participant.organisation in pool.organisations for k in chosen for r in trips[k])
    ]
    # pools share no vehicle: with cores to spare (own mode: one pool per organisation)
    # their days are planned side by side, each with its share of the cores
    cores = max(1, params.workers)
    each = replace(params, workers=max(1, cores // max(1, len(pools))))
    calls = [
        (scenario, matrix, places, weekday, pool, chosen, trips, each, mode, book, anchors)
        for pool in pools
    ]
    for pool_routes, pool_unassigned in run_parallel(_plan_pool_day, calls, cores):
        for key in chosen:
            routes[key].extend(pool_routes.get(key, ()))
            unassigned[key].extend(pool_unassigned.get(key, ()))
    return [
        RidePlan(
            key=key,
            routes=tuple(sorted(routes[key], key=lambda r: r.vehicle)),
            unassigned=tuple(sorted(unassigned[key], key=lambda u: u.participant)),
        )
        for key in wanted
    ]


def _plan_pool_day(
    scenario: Scenario,
    matrix: Matrix,
    places: Mapping[PlaceKey, int],
    weekday: Weekday,
    pool: Pool,
    chosen: Sequence[RideKey],
    trips: Mapping[RideKey, Sequence[Request]],
    params: SolveParams,
    mode: Mode,
    book: RuleBook,
    anchors: Mapping[str, Anchor] | None,
) -> tuple[dict[RideKey, list[Route]], dict[RideKey, list[Unassigned]]]:
    """The trips ``chosen`` of one pool on one day, in time order (see :func:`plan_day`).

    Every vehicle's availability is carried from trip to trip: a vehicle that drove an
    earlier trip starts the next one when it is back at its depot.
    """
    members = set(pool.organisations)
    vehicles = [v for v in scenario.vehicles if v.organisation in members and weekday in v.weekdays]
    fleet = {v.id: v for v in vehicles}
    free_from: Availability = {}  # vehicle -> back at the depot after its last trip
    routes: dict[RideKey, list[Route]] = {}
    unassigned: dict[RideKey, list[Unassigned]] = {}
    for key in chosen:
        pool_requests = [r for r in trips[key] if r.participant.organisation in members]
        if not pool_requests:
            continue
        r, u = _plan_pool(
            pool,
            pool_requests,
            vehicles,
            free_from,
            matrix,
            places,
            key,
            scenario.settings,
            params,
            mode,
            book,
            (anchors or {}).get(key.trip),
        )
        for route in r:
            v = fleet[route.vehicle]
            free_from[route.vehicle] = (
                route.stops[-1].arrival,
                route.layout or (v.seats, v.wheelchair_places),
            )
        routes[key] = r
        unassigned[key] = u
    return routes, unassigned


def plan_ride(
    scenario: Scenario,
    matrix: Matrix,
    places: Mapping[PlaceKey, int],
    key: RideKey,
    *,
    mode: Mode,
    params: SolveParams,
) -> RidePlan:
    """Plan one trip on its own, every vehicle free for it (a day of one trip)."""
    return plan_day(scenario, matrix, places, key.weekday, [key], mode=mode, params=params)[0]


# ----------------------------------------------------------------------------- pool


@dataclass(frozen=True, slots=True, kw_only=True)
class Anchor:
    """A trip of a reference plan that a new plan of the same trip should stay close to.

    Each participant of the reference keeps its vehicle (a hard limit of the solver) and a
    pickup within ``tolerance_s`` of the reference time, and the solver starts from the
    reference routes; a participant for whom that is impossible is released (any vehicle,
    any time in the window) and the trip repaired. When someone is still left out after
    that (a participant of this day only, say, with no room among the held routes), the
    trip is solved unheld as well and that plan is kept if it leaves fewer out. See
    :func:`anchor_of`.
    """

    vehicle_of: Mapping[str, str]
    pickup_at: Mapping[str, tuple[int, int]]  # participant -> (arrival, departure) at pickup
    layout_of: Mapping[str, tuple[int, int] | None]  # vehicle -> the reference layout
    events: Mapping[str, tuple[tuple[str, bool], ...]]  # vehicle -> (participant, alights)
    tolerance_s: int


def anchor_of(ride: RidePlan, tolerance_s: int) -> Anchor:
    """The anchor of a reference trip (see :class:`Anchor`)."""
    vehicle_of: dict[str, str] = {}
    pickup_at: dict[str, tuple[int, int]] = {}
    events: dict[str, tuple[tuple[str, bool], ...]] = {}
    for route in ride.routes:
        seq: list[tuple[str, bool]] = []
        for stop in route.stops:
            seq += [(pid, True) for pid in stop.alighting]
            for pid in stop.boarding:
                vehicle_of[pid] = route.vehicle
                pickup_at[pid] = (stop.arrival, stop.departure)
                seq.append((pid, False))
        events[route.vehicle] = tuple(seq)
    return Anchor(
        vehicle_of=vehicle_of,
        pickup_at=pickup_at,
        layout_of={r.vehicle: r.layout for r in ride.routes},
        events=events,
        tolerance_s=tolerance_s,
    )


@dataclass(frozen=True, slots=True)
class _Slot:
    """A vehicle in the seat layout it drives a trip in: what the solver sees as a vehicle."""

    vehicle: Vehicle
    layout: tuple[int, int]
    early: int  # the earliest it may leave the depot (seconds)


#: a vehicle's state after its trips so far: back at the depot at, in layout
Availability = dict[str, tuple[int, tuple[int, int]]]

#: the load unit of the "company" dimension for the ``alone`` rule (see _plan_pool)
_COMPANY = 1000


def _layout_choices(
    vehicles: Sequence[Vehicle],
    free_from: Mapping[str, tuple[int, tuple[int, int]]],
    change_s: int,
    reference: Mapping[str, tuple[int, int] | None] | None = None,
) -> list[list[_Slot]]:
    """The seat-layout choices tried for a trip: one layout per vehicle in each.

    Without seat layouts there is one choice. With them: every vehicle in its plain layout
    (or the one it is already in), every flip-seat vehicle in the layout with the most
    wheelchair places, and in the one with the most seats; the planner keeps the choice
    that leaves the fewest rides out, then costs least. With a ``reference`` (a held
    trip's layouts per vehicle) the first choice is every vehicle in its reference layout
    (the others in their plain one). A vehicle that changes layout after an earlier trip
    leaves ``change_s`` later.
    """

    def slot(v: Vehicle, layout: tuple[int, int]) -> _Slot | None:
        back, last = 0, None
        if v.id in free_from:
            back, last = free_from[v.id]
        early = max(v.shift_start * 60, back)
        if last is not None and layout != last:
            early = max(v.shift_start * 60, back + change_s)
        return _Slot(v, layout, early) if early < v.shift_end * 60 else None

    def plain(v: Vehicle) -> tuple[int, int]:
        if v.id in free_from and free_from[v.id][1] in v.seat_layouts:
            return free_from[v.id][1]
        own = (v.seats, v.wheelchair_places)
        return own if own in v.seat_layouts else v.seat_layouts[0]

    def held(v: Vehicle) -> tuple[int, int]:
        layout = (reference or {}).get(v.id)
        return layout if layout in v.seat_layouts else plain(v)

    pickers = [plain]
    if any(v.layouts for v in vehicles):
        pickers += [
            lambda v: max(v.seat_layouts, key=lambda lw: (lw[1], lw[0])),
            lambda v: max(v.seat_layouts, key=lambda lw: (lw[0], lw[1])),
        ]
        if reference:
            pickers.insert(0, held)
    choices: list[list[_Slot]] = []
    seen: set[tuple[_Slot, ...]] = set()
    for pick in pickers:
        slots = [slot(v, pick(v)) for v in vehicles]
        choice = [x for x in slots if x is not None]
        if tuple(choice) in seen:  # the same slots (a vehicle that is out does not count)
            continue
        seen.add(tuple(choice))
        choices.append(choice)
    return choices


def _plan_pool(
    pool: Pool,
    requests: Sequence[Request],
    vehicles: Sequence[Vehicle],
    free_from: Mapping[str, tuple[int, tuple[int, int]]],
    matrix: Matrix,
    places: Mapping[PlaceKey, int],
    key: RideKey,
    settings: Settings,
    params: SolveParams,
    mode: Mode,
    book: RuleBook | None = None,
    anchor: Anchor | None = None,
) -> tuple[list[Route], list[Unassigned]]:
    """Plan the requests of one trip in one pool.

    The rules become hard constraints of the solver: ``vehicle``, ``needs`` and
    ``own_only`` restrict the vehicles of a request; ``together`` and ``not_together`` tie
    two requests to the same or to different vehicles of the trip (stricter than "not at
    the same time": not in the same vehicle during the trip); ``alone`` is a third load
    dimension, "company", in which everyone takes 1 of a vehicle's 1000 units and a
    participant who may have at most N others on board takes 1000 - N. A vehicle with seat
    layouts drives the trip in one of them (see :func:`_layout_choices`). With an
    ``anchor`` the trip stays close to a reference plan (see :class:`Anchor`).
    """
    book = book or RuleBook()
    unassigned: list[Unassigned] = []
    feasible: list[Request] = []
    for req in requests:
        why = precheck(req, pool, vehicles, matrix, places, settings, mode, book)
        if why is None:
            feasible.append(req)
        else:
            unassigned.append(_unassigned(req, *why))
    day = DAY_NAMES["en"][key.weekday]
    vehicles = [v for v in vehicles if PlaceKey(StopKind.DEPOT, v.id) in places]
    # a vehicle that drove an earlier trip starts this one when it is back at the depot
    change_s = round(settings.layout_change_min * 60)
    choices = _layout_choices(
        vehicles, free_from, change_s, anchor.layout_of if anchor is not None else None
    )
    if feasible and not choices[0]:
        for req in feasible:
            unassigned.append(
                _unassigned(
                    req,
                    Reason.NO_ROOM,
                    f"every vehicle of {pool_words(pool, mode)} on {day} is still on an "
                    "earlier trip or its shift has ended",
                )
            )
        return [], unassigned
    if not feasible:
        return [], unassigned

    # each choice of seat layouts gets the whole-instance search (side by side when there
    # are cores to spare), and the LNS rounds (most of the time) go to the one kept only;
    # from SCREEN_FROM requests each choice gets a quick look (first solution and descent)
    # and the best one the rest of the whole-instance search. A held trip
    # keeps the reference layouts (its first choice) when they leave nobody out: the
    # others are searched only then (or side by side with it, the same rule deciding)
    first = replace(params, lns_rounds=0, workers=max(1, params.workers // len(choices)))
    cores = params.workers if len(feasible) >= PARALLEL_FROM else 1
    screened = len(feasible) >= SCREEN_FROM

    def solved(some: Sequence[list[_Slot]], screen: bool = False) -> list[_Trip]:
        calls = [
            (slots, feasible, free_from, matrix, places, settings, first, book, anchor, screen)
            for slots in some
        ]
        return run_parallel(_solve_trip, calls, cores)

    def scored(trip: _Trip) -> tuple[tuple[int, float], _Trip, list[Route], set[int]]:
        routes, dropped = trip.routes(trip.solution, matrix, free_from)
        return (len(dropped), round(sum(r.cost for r in routes), 2)), trip, routes, dropped

    if anchor is not None and cores < len(choices):
        trips = solved(choices[:1])
        if trips[0].solution is None or trips[0].solution.dropped_pairs:
            trips += solved(choices[1:])
    elif anchor is None and len(choices) > 1 and params.max_iterations and screened:
        trips = solved(choices, screen=True)
        kept = min(trips, key=lambda trip: scored(trip)[0])
        if kept.solution is None:
            trips = solved(choices)
        elif not decomposes(kept.instance):  # (a trip in parts had its whole search)
            # the rest of the whole-instance search, from the look's descent
            found = solve_instance(kept.instance, first, initial=kept.solution.routes, resume=True)
            trips = [kept if found is None else replace(kept, solution=found)]
    else:
        trips = solved(choices)
    if anchor is not None and trips[0].solution and not trips[0].solution.dropped_pairs:
        trips = trips[:1]
    best = min((scored(trip) for trip in trips), key=lambda found: found[0])
    _, trip, routes, dropped = best
    if trip.solution is not None and params.lns_rounds:
        better = improve_solution(trip.instance, trip.solution, params)
        if better is not trip.solution:
            routes, dropped = trip.routes(better, matrix, free_from)
    for r in sorted(dropped):
        rules = book.words(feasible[r].participant.id)
        unassigned.append(
            _unassigned(
                feasible[r],
                Reason.NO_ROOM,
                f"no room found within the time limit in the {len(vehicles)} vehicles of "
                f"{pool_words(pool, mode)} free for the {key.trip} trip on {day}"
                + (f" (rules: {rules})" if rules else ""),
            )
        )
    return routes, unassigned


def _solve_trip(
    slots: Sequence[_Slot],
    feasible: Sequence[Request],
    free_from: Mapping[str, tuple[int, tuple[int, int]]],
    matrix: Matrix,
    places: Mapping[PlaceKey, int],
    settings: Settings,
    params: SolveParams,
    book: RuleBook,
    anchor: Anchor | None,
    screen: bool = False,
) -> _Trip:
    """Solve one trip with one seat layout per vehicle (see :class:`_Trip`).

    ``screen``: the quick look of :func:`~vervoer.routing.solver.solve_instance` only.
    """
    # nodes: one per slot's depot, then pickup and delivery of each request
    node_place: list[int] = []
    node_kind: list[StopKind] = []
    node_ref: list[str] = []
    for slot in slots:
        node_place.append(places[PlaceKey(StopKind.DEPOT, slot.vehicle.id)])
        node_kind.append(StopKind.DEPOT)
        node_ref.append(slot.vehicle.id)
    k = len(slots)
    n = k + 2 * len(feasible)
    alone = {r.participant.id: book.max_others(r.participant.id) for r in feasible}
    company = any(limit is not None for limit in alone.values())
    service = np.zeros(n, dtype=np.int64)
    tw_early = np.zeros(n, dtype=np.int64)
    tw_late = np.full(n, DAY_END_S, dtype=np.int64)
    demand = np.zeros((n, 3 if company else 2), dtype=np.int64)
    pairs, max_ride = [], []
    for r, req in enumerate(feasible):
        p = req.participant
        pick, drop = req.ends(places)
        assert pick is not None
        assert drop is not None
        (pe, pl), (de, dl) = req.windows(settings)
        pn, dn = k + 2 * r, k + 2 * r + 1
        node_kind += [req.pickup.kind, req.delivery.kind]
        node_ref += [req.pickup.id, req.delivery.id]
        node_place += [pick, drop]
        s = boarding_s(p, settings)
        service[pn] = service[dn] = s
        tw_early[pn], tw_late[pn] = pe, pl
        tw_early[dn], tw_late[dn] = de, dl
        load = [p.seat_demand, p.wheelchair_demand]
        if company:
            limit = alone[p.id]
            load.append(1 if limit is None else _COMPANY - limit)
        demand[pn] = load
        demand[dn] = [-x for x in load]
        pairs.append((pn, dn))
        max_ride.append(settings.max_ride_s(int(matrix.durations[pick, drop]), p.max_ride_min))
    idx = np.asarray(node_place, dtype=np.int64)
    durations = matrix.durations[np.ix_(idx, idx)]
    distances = matrix.distances[np.ix_(idx, idx)]
    capacity = [(*slot.layout, *((_COMPANY,) if company else ())) for slot in slots]
    allowed = (
        np.array(allowed_matrix(book, feasible, [slot.vehicle for slot in slots]), dtype=bool)
        if book or anchor
        else np.zeros((0, 0), dtype=bool)
    )
    free_windows = (tw_early.copy(), tw_late.copy(), allowed.copy())
    anchored = _anchor_requests(anchor, feasible, slots, k, tw_early, tw_late, allowed)
    index = {req.participant.id: r for r, req in enumerate(feasible)}
    same = book.pairs(RuleKind.TOGETHER, index)
    different = book.pairs(RuleKind.NOT_TOGETHER, index)
    slot_vehicles = [slot.vehicle for slot in slots]
    instance = Instance(
        durations=durations,
        distances=distances,
        service=service,
        tw_early=tw_early,
        tw_late=tw_late,
        demand=demand,
        starts=np.arange(k),
        ends=np.arange(k),
        capacity=np.array(capacity, dtype=np.int64),
        shift_early=np.array([slot.early for slot in slots], dtype=np.int64),
        shift_late=np.array([v.shift_end * 60 for v in slot_vehicles], dtype=np.int64),
        max_duration=np.array([(v.shift_end - v.shift_start) * 60 for v in slot_vehicles]),
        # the fixed cost of a vehicle day is paid on its first trip only
        fixed_cost=np.array(
            [
                0 if v.id in free_from else round(v.fixed_cost * MILLICENTS_PER_EURO)
                for v in slot_vehicles
            ],
            dtype=np.int64,
        ),
        # per metre and per second of route duration
        cost_per_distance=np.array([round(v.cost_per_km * 100) for v in slot_vehicles]),
        cost_per_time=np.array(
            [round(v.cost_per_hour * MILLICENTS_PER_EURO / 3600) for v in slot_vehicles]
        ),
        pairs=np.asarray(pairs, dtype=np.int64),
        max_ride=np.asarray(max_ride, dtype=np.int64),
        penalty=np.full(len(pairs), DROP_PENALTY, dtype=np.int64),
        allowed=allowed,
        same_vehicle=np.array([(index[a], index[b]) for a, b in same], dtype=np.int64).reshape(
            -1, 2
        ),
        different_vehicle=np.array(
            [(index[a], index[b]) for a, b in different], dtype=np.int64
        ).reshape(-1, 2),
    )
    initial = _initial_routes(anchor, feasible, slots, k) if anchor else None
    solution = solve_instance(instance, params, initial=initial, screen=screen)
    if anchor and (solution is None or set(solution.dropped_pairs) & anchored):
        # release the anchored requests that could not stay, and solve again from here
        # (all of them if the held trip gave no solution at all)
        release = sorted(anchored if solution is None else set(solution.dropped_pairs) & anchored)
        early, late, free_allowed = free_windows
        tw_early, tw_late = instance.tw_early.copy(), instance.tw_late.copy()
        allowed = instance.allowed.copy()
        for r in release:
            for node in (k + 2 * r, k + 2 * r + 1):
                tw_early[node], tw_late[node] = early[node], late[node]
            allowed[r] = free_allowed[r]
        instance = replace(instance, tw_early=tw_early, tw_late=tw_late, allowed=allowed)
        # (the routes so far are a good solution of the released instance: repair them, a
        # descent that places the released; the kept choice's rounds come after)
        if solution is None:
            solution = solve_instance(instance, params)
        else:
            solution = solve_instance(instance, params, initial=solution.routes, repaired=True)
    if anchor and solution is not None and solution.dropped_pairs:
        # someone is still left out while the others are held to the reference (e.g. a
        # participant who rides on this day only): the trip unheld, from the routes so far;
        # a ride for everyone comes before stability
        early, late, free_allowed = free_windows
        unheld = replace(instance, tw_early=early, tw_late=late, allowed=free_allowed)
        other = solve_instance(unheld, params, initial=solution.routes)
        if other is not None and len(other.dropped_pairs) < len(solution.dropped_pairs):
            instance, solution = unheld, other
    return _Trip(
        slots=tuple(slots),
        requests=tuple(feasible),
        instance=instance,
        solution=solution,
        node_place=tuple(node_place),
        node_kind=tuple(node_kind),
        node_ref=tuple(node_ref),
        service=service,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class _Trip:
    """One seat-layout choice of a trip: its solver instance, a solution and the node map."""

    slots: tuple[_Slot, ...]
    requests: tuple[Request, ...]
    instance: Instance
    solution: Solution | None
    node_place: tuple[int, ...]  # node -> matrix index
    node_kind: tuple[StopKind, ...]
    node_ref: tuple[str, ...]  # node -> vehicle, participant or location id
    service: np.ndarray

    def routes(
        self,
        solution: Solution | None,
        matrix: Matrix,
        free_from: Mapping[str, tuple[int, tuple[int, int]]],
    ) -> tuple[list[Route], set[int]]:
        """The routes of a solution of this trip, and the requests it leaves out."""
        if solution is None:
            return [], set(range(len(self.requests)))
        k = len(self.slots)
        people = {r.participant.id: r.participant for r in self.requests}
        routes: list[Route] = []
        for v_idx, slot in enumerate(self.slots):
            if not solution.used(v_idx):
                continue
            route = _route(
                slot.vehicle,
                solution.routes[v_idx],
                solution.times[v_idx],
                self.node_place,
                self.node_kind,
                self.node_ref,
                self.service,
                matrix,
                people,
                self.requests,
                k,
                first_of_day=slot.vehicle.id not in free_from,
            )
            if slot.vehicle.layouts:
                route = replace(route, layout=slot.layout)
            routes.append(route)
        return routes, set(solution.dropped_pairs)


def _anchor_requests(
    anchor: Anchor | None,
    requests: Sequence[Request],
    slots: Sequence[_Slot],
    k: int,
    tw_early: np.ndarray,
    tw_late: np.ndarray,
    allowed: np.ndarray,
) -> set[int]:
    """Hold the requests of the anchor to their vehicle and pickup time (in place).

    Returns the indices of the requests held.
    """
    if anchor is None:
        return set()
    held = set()
    for r, req in enumerate(requests):
        pid = req.participant.id
        vehicle = anchor.vehicle_of.get(pid)
        if vehicle is None:
            continue
        mine = [i for i, slot in enumerate(slots) if slot.vehicle.id == vehicle]
        if not mine or not any(allowed[r, i] for i in mine):
            continue  # the vehicle is out, or a rule keeps them out of it now
        arrival, departure = anchor.pickup_at[pid]
        node = k + 2 * r
        early = max(int(tw_early[node]), arrival - anchor.tolerance_s)
        late = min(int(tw_late[node]), departure + anchor.tolerance_s)
        if early <= late:
            tw_early[node], tw_late[node] = early, late
        keep = np.zeros(len(slots), dtype=bool)
        keep[mine] = True
        allowed[r] &= keep
        held.add(r)
    return held


def _initial_routes(
    anchor: Anchor, requests: Sequence[Request], slots: Sequence[_Slot], k: int
) -> tuple[tuple[int, ...], ...]:
    """The anchor's routes as node sequences of this trip's slots (others empty)."""
    index = {req.participant.id: r for r, req in enumerate(requests)}
    routes: list[tuple[int, ...]] = []
    taken: set[str] = set()
    for i, slot in enumerate(slots):
        vid = slot.vehicle.id
        events = anchor.events.get(vid, ())
        layout = anchor.layout_of.get(vid)
        if vid in taken or not events or (layout is not None and slot.layout != layout):
            routes.append((i, i))
            continue
        taken.add(vid)
        inner = [k + 2 * index[pid] + int(alights) for pid, alights in events if pid in index]
        routes.append((i, *inner, i))
    return tuple(routes)


def _unassigned(req: Request, reason: Reason, message: str) -> Unassigned:
    return Unassigned(
        participant=req.participant.id,
        organisation=req.participant.organisation,
        location=req.location.id,
        reason=reason,
        message=message,
    )


def _route(
    vehicle: Vehicle,
    nodes: Sequence[int],
    times: Sequence[int],
    node_place: Sequence[int],
    node_kind: Sequence[StopKind],
    node_ref: Sequence[str],
    service: np.ndarray,
    matrix: Matrix,
    people: Mapping[str, Participant],
    requests: Sequence[Request],
    k: int,
    *,
    first_of_day: bool = True,
) -> Route:
    """Turn a solver route into stops; consecutive nodes at one place without waiting merge."""
    stops: list[dict[str, object]] = []
    seats = wheel = 0
    for pos, node in enumerate(nodes):
        place = node_place[node]
        t = int(times[pos])
        board: list[str] = []
        alight: list[str] = []
        if node >= k:
            r, is_delivery = divmod(node - k, 2)
            p = requests[r].participant
            if is_delivery:
                alight.append(p.id)
                seats -= p.seat_demand
                wheel -= p.wheelchair_demand
            else:
                board.append(p.id)
                seats += p.seat_demand
                wheel += p.wheelchair_demand
        depart = t + int(service[node])
        last = stops[-1] if stops else None
        if (
            last is not None
            and node >= k
            and last["kind"] is not StopKind.DEPOT
            and matrix.points[int(last["place"])] == matrix.points[place]  # type: ignore[call-overload]
            and last["departure"] == t
        ):
            last["departure"] = depart
            last["boarding"] += board  # type: ignore[operator]
            last["alighting"] += alight  # type: ignore[operator]
            last["load"] = (seats, wheel)
            continue
        ref = node_ref[node]
        kind = node_kind[node]
        stops.append(
            {
                "kind": kind,
                "place": place,
                "ref": ref,
                "arrival": t,
                "departure": depart if node >= k else t,
                "boarding": board,
                "alighting": alight,
                "load": (seats, wheel),
            }
        )
    out_stops = []
    for s in stops:
        pt = matrix.points[int(s["place"])]  # type: ignore[call-overload]
        out_stops.append(
            Stop(
                kind=s["kind"],  # type: ignore[arg-type]
                place=str(s["ref"]),
                lat=pt.lat,
                lon=pt.lon,
                arrival=int(s["arrival"]),  # type: ignore[call-overload]
                departure=int(s["departure"]),  # type: ignore[call-overload]
                boarding=tuple(s["boarding"]),  # type: ignore[arg-type]
                alighting=tuple(s["alighting"]),  # type: ignore[arg-type]
                load_seats=s["load"][0],  # type: ignore[index]
                load_wheelchairs=s["load"][1],  # type: ignore[index]
            )
        )
    return price_route(
        vehicle,
        tuple(out_stops),
        route_metres(nodes, node_place, matrix),
        first_of_day=first_of_day,
    )


def route_metres(nodes: Sequence[int], node_place: Sequence[int], matrix: Matrix) -> int:
    """Total road distance (m) along a node sequence."""
    metres = 0
    for a, b in zip(nodes[:-1], nodes[1:], strict=True):
        metres += int(matrix.distances[node_place[a], node_place[b]])
    return metres
