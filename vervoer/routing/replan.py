"""Re-planning a date from the base week, changing as little as possible, and the change list.

:func:`replan_date` plans one date (the scenario of :func:`vervoer.routing.changes.scenario_on`)
twice: anchored to the base plan's day of that weekday (everyone keeps their vehicle and a
pickup within the tolerance; the solver starts from the base routes; who cannot stay is
released) and from scratch. It keeps the anchored plan unless it costs more than
``replan_max_extra_pct`` percent above the plan from scratch. :func:`change_list` says what
a coordinator phones through: who moves to another vehicle, whose pickup time moves by more
than the tolerance, who is no longer picked up, who is new.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from vervoer.core.model import Mode, Plan, RideKey, RidePlan, Weekday, format_clock
from vervoer.core.processes import run_parallel
from vervoer.core.settings import SolveParams
from vervoer.geo.matrix import Matrix
from vervoer.io.scenario import Scenario
from vervoer.routing.changes import weekday_of
from vervoer.routing.planner import PARALLEL_FROM, Anchor, anchor_of, plan_day
from vervoer.routing.requests import PlaceKey, all_trips, requests_for


@dataclass(frozen=True, slots=True, kw_only=True)
class Move:
    """One line of the change list: a participant's ride on the date against the base."""

    trip: str
    participant: str
    what: str  # vehicle | time | no_ride | new | unassigned
    old_vehicle: str = ""
    new_vehicle: str = ""
    old_time: str = ""
    new_time: str = ""
    reason: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Replan:
    """The plan of a date, its change list and how it was chosen."""

    plan: Plan
    moves: tuple[Move, ...]
    anchored_cost: float
    scratch_cost: float
    anchored: bool  # False: the plan from scratch was cheaper by more than the threshold


def replan_date(
    day_scenario: Scenario,
    matrix: Matrix,
    places: Mapping[PlaceKey, int],
    base: Plan | None,
    date: dt.date,
    *,
    params: SolveParams,
    touched: Mapping[str, str] | None = None,
    changed: bool = True,
    workers: int | None = None,
) -> Replan:
    """Plan one date close to the base plan's day (see the module docstring).

    Parameters
    ----------
    day_scenario
        The scenario of the date (changes applied).
    matrix, places
        Its matrix.
    base
        The base week plan; None plans the date from scratch only.
    date
        The date.
    params
        Solver parameters (the same for both plans).
    touched
        Per participant, the change that touches them (for the change list's reasons).
    changed
        Whether any change of the date applies. Without one, a base day that holds exactly
        the date's requests is returned unchanged.
    workers
        Processes to use (default: all cores; 1: this process only): the plan from scratch
        and the held plan are made side by side. The result does not depend on it.

    Returns
    -------
    Replan
    """
    settings = day_scenario.settings
    day = weekday_of(date)
    mode = base.mode if base is not None else Mode.SHARED
    tolerance = round(settings.replan_tolerance_min * 60)
    base_rides = {r.key.trip: r for r in base.rides if r.key.weekday is day} if base else {}
    keys = list(all_trips(day_scenario, [day]))
    if base and not changed and _same_requests(day_scenario, keys, base_rides):
        same = tuple(base_rides[k.trip] for k in keys)
        cost = _cost(same)
        return Replan(
            plan=_day_plan(day_scenario, mode, same, keys, date, params, True, cost, cost),
            moves=(),
            anchored_cost=cost,
            scratch_cost=cost,
            anchored=True,
        )
    # the plan from scratch and the held plan are independent: side by side where the
    # cores allow, the cores left over going to each plan's trips
    cores = workers or os.cpu_count() or 1
    anchors = {trip: anchor_of(ride, tolerance) for trip, ride in base_rides.items()}
    variants: list[Mapping[str, Anchor] | None] = [None, anchors] if base_rides else [None]
    each = replace(params, workers=max(1, cores // len(variants)))
    size = sum(len(requests_for(day_scenario, k)) for k in keys)
    plans = run_parallel(
        _plan_day,
        [(day_scenario, matrix, places, day, keys, mode, each, a) for a in variants],
        cores if size >= PARALLEL_FROM else 1,
    )
    scratch = plans[0]
    scratch_cost = _cost(scratch)
    rides, anchored_cost, anchored = scratch, scratch_cost, False
    if base_rides:
        stable = plans[1]
        anchored_cost = _cost(stable)
        limit = scratch_cost * (1 + settings.replan_max_extra_pct / 100)
        if anchored_cost <= limit + 0.005 and _left(stable) <= _left(scratch):
            rides, anchored = stable, True
    plan = _day_plan(
        day_scenario, mode, rides, keys, date, params, anchored, anchored_cost, scratch_cost
    )
    moves = change_list(base_rides, plan.rides, tolerance, touched or {}) if base else ()
    return Replan(
        plan=plan,
        moves=tuple(moves),
        anchored_cost=anchored_cost,
        scratch_cost=scratch_cost,
        anchored=anchored,
    )


def _plan_day(
    sc: Scenario,
    matrix: Matrix,
    places: Mapping[PlaceKey, int],
    day: Weekday,
    keys: Sequence[RideKey],
    mode: Mode,
    params: SolveParams,
    anchors: Mapping[str, Anchor] | None,
) -> list[RidePlan]:
    """:func:`plan_day` with positional arguments (a task of :func:`run_parallel`)."""
    return plan_day(sc, matrix, places, day, keys, mode=mode, params=params, anchors=anchors)


def _same_requests(
    sc: Scenario, keys: Sequence[RideKey], base_rides: Mapping[str, RidePlan]
) -> bool:
    """Whether the base day's trips hold exactly the requests of the date's trips."""
    if {k.trip for k in keys} != set(base_rides):
        return False
    for key in keys:
        ride = base_rides[key.trip]
        had = set(_riders(ride)) | {u.participant for u in ride.unassigned}
        if had != {r.participant.id for r in requests_for(sc, key)}:
            return False
    return True


def _day_plan(
    sc: Scenario,
    mode: Mode,
    rides: Sequence[RidePlan],
    keys: Sequence[RideKey],
    date: dt.date,
    params: SolveParams,
    anchored: bool,
    anchored_cost: float,
    scratch_cost: float,
) -> Plan:
    """The plan of one date, its trips keyed to the date's weekday."""
    day = weekday_of(date)
    return Plan(
        mode=mode,
        scenario=sc.name,
        rides=tuple(replace(r, key=RideKey(weekday=day, trip=r.key.trip)) for r in rides),
        meta={
            "date": date.isoformat(),
            "seed": params.seed,
            "max_iterations": params.max_iterations,
            "lns_rounds": params.lns_rounds,
            "language": sc.settings.language,
            "rides": [str(k) for k in keys],
            "partial": False,
            "anchored": anchored,
            "anchored_cost": anchored_cost,
            "scratch_cost": scratch_cost,
        },
    )


def _cost(rides: Sequence[RidePlan]) -> float:
    return round(sum(r.cost for ride in rides for r in ride.routes), 2)


def _left(rides: Sequence[RidePlan]) -> int:
    return sum(len(ride.unassigned) for ride in rides)


def _riders(ride: RidePlan | None) -> dict[str, tuple[str, int]]:
    """participant -> (vehicle, pickup arrival) of a trip."""
    if ride is None:
        return {}
    return {
        pid: (route.vehicle, stop.arrival)
        for route in ride.routes
        for stop in route.stops
        for pid in stop.boarding
    }


def change_list(
    base_rides: Mapping[str, RidePlan],
    rides: Sequence[RidePlan],
    tolerance_s: int,
    touched: Mapping[str, str],
) -> list[Move]:
    """Who moves, whose time moves by more than the tolerance, who rides no more, who is new.

    Parameters
    ----------
    base_rides
        The base day's trips by trip name.
    rides
        The date's trips.
    tolerance_s
        A pickup that moves by no more than this is not listed.
    touched
        Per participant, the change of the date that touches them (the reason).

    Returns
    -------
    list of Move
        By trip, then participant.
    """
    new_by_trip = {r.key.trip: r for r in rides}
    moves: list[Move] = []
    for trip in sorted(set(base_rides) | set(new_by_trip)):
        old, new_ride = _riders(base_rides.get(trip)), new_by_trip.get(trip)
        new = _riders(new_ride)
        left = {u.participant: u.message for u in (new_ride.unassigned if new_ride else ())}
        for pid in sorted(set(old) | set(new) | set(left)):
            reason = touched.get(pid, "")
            was, now = old.get(pid), new.get(pid)
            if was and not now:
                moves.append(
                    Move(
                        trip=trip,
                        participant=pid,
                        what="unassigned" if pid in left else "no_ride",
                        old_vehicle=was[0],
                        old_time=format_clock(was[1]),
                        reason=left.get(pid, reason),
                    )
                )
            elif now and not was:
                moves.append(
                    Move(
                        trip=trip,
                        participant=pid,
                        what="new",
                        new_vehicle=now[0],
                        new_time=format_clock(now[1]),
                        reason=reason,
                    )
                )
            elif was and now and (was[0] != now[0] or abs(was[1] - now[1]) > tolerance_s):
                moves.append(
                    Move(
                        trip=trip,
                        participant=pid,
                        what="vehicle" if was[0] != now[0] else "time",
                        old_vehicle=was[0],
                        new_vehicle=now[0],
                        old_time=format_clock(was[1]),
                        new_time=format_clock(now[1]),
                        reason=reason,
                    )
                )
            elif not was and not now and pid in left:
                moves.append(Move(trip=trip, participant=pid, what="unassigned", reason=left[pid]))
    return moves
