"""plan.json: the contract that maps, route sheets and reports read; totals and the checker.

:func:`plan_to_dict` / :func:`plan_from_dict` convert a :class:`~vervoer.core.model.Plan` to and
from the JSON document described in the README ("plan.json"). :func:`check_plan`
re-verifies a plan against the scenario and the matrix without using the solver: every
requested ride served exactly once or listed unassigned, pickup before drop-off in the
same vehicle, capacities, time windows, shifts, ride times, and the costs.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from vervoer.core.errors import InputError
from vervoer.core.files import atomic_open
from vervoer.core.model import (
    Direction,
    Mode,
    Plan,
    Reason,
    RideKey,
    RidePlan,
    Route,
    Stop,
    StopKind,
    Unassigned,
    Weekday,
    format_clock,
)
from vervoer.geo.matrix import Matrix
from vervoer.io.scenario import Scenario
from vervoer.routing.planner import (
    PlaceKey,
    Request,
    _windows,
    boarding_s,
    requests_for,
    route_cost,
)

SCHEMA_VERSION = 1


# ----------------------------------------------------------------------------- totals


def route_totals(routes: list[Route] | tuple[Route, ...]) -> dict[str, float]:
    """Vehicles, km, hours and cost of a set of routes."""
    return {
        "vehicles": len({r.vehicle for r in routes}),
        "routes": len(routes),
        "km": round(sum(r.distance_m for r in routes) / 1000, 2),
        "hours": round(sum(r.duration_s for r in routes) / 3600, 2),
        "cost": round(sum(r.cost for r in routes), 2),
    }


def ride_totals(ride: RidePlan) -> dict[str, float]:
    """Totals of one ride, with the number of rides served and unassigned."""
    out = route_totals(ride.routes)
    out["served"] = sum(len(s.boarding) for r in ride.routes for s in r.stops)
    out["unassigned"] = len(ride.unassigned)
    return out


def plan_totals(plan: Plan) -> dict[str, object]:
    """Totals for the week, per ride and per organisation (of the vehicles' routes)."""
    all_routes = [r for ride in plan.rides for r in ride.routes]
    week = route_totals(all_routes)
    week["vehicles"] = max(
        (len({r.vehicle for r in ride.routes}) for ride in plan.rides), default=0
    )
    week["served"] = sum(ride_totals(ride)["served"] for ride in plan.rides)
    week["unassigned"] = sum(len(ride.unassigned) for ride in plan.rides)
    per_org: dict[str, list[Route]] = defaultdict(list)
    for r in all_routes:
        per_org[r.organisation].append(r)
    orgs = {}
    for org, routes in sorted(per_org.items()):
        t = route_totals(routes)
        t["vehicles"] = max(
            len({r.vehicle for r in ride.routes if r.organisation == org}) for ride in plan.rides
        )
        orgs[org] = t
    return {
        "week": week,
        "per_ride": {str(ride.key): ride_totals(ride) for ride in plan.rides},
        "per_organisation": orgs,
    }


# ----------------------------------------------------------------------------- JSON


def stop_dict(s: Stop) -> dict[str, object]:
    """A stop as plan.json writes it (times as HH:MM and in seconds)."""
    return {
        "kind": s.kind.value,
        "place": s.place,
        "lat": round(s.lat, 7),
        "lon": round(s.lon, 7),
        "arrival": format_clock(s.arrival),
        "departure": format_clock(s.departure),
        "arrival_s": s.arrival,
        "departure_s": s.departure,
        "boarding": list(s.boarding),
        "alighting": list(s.alighting),
        "load": {"seats": s.load_seats, "wheelchairs": s.load_wheelchairs},
    }


def plan_to_dict(plan: Plan) -> dict[str, object]:
    """The plan as the JSON-ready document of the README's "plan.json" section."""
    return {
        "schema": SCHEMA_VERSION,
        "mode": plan.mode.value,
        "scenario": plan.scenario,
        "meta": dict(plan.meta),
        "rides": [
            {
                "weekday": ride.key.weekday.value,
                "direction": ride.key.direction.value,
                "routes": [
                    {
                        "vehicle": r.vehicle,
                        "organisation": r.organisation,
                        "distance_m": r.distance_m,
                        "km": round(r.distance_m / 1000, 2),
                        "duration_s": r.duration_s,
                        "duration": format_clock(r.duration_s),
                        "cost": r.cost,
                        "stops": [stop_dict(s) for s in r.stops],
                    }
                    for r in ride.routes
                ],
                "unassigned": [
                    {
                        "participant": u.participant,
                        "organisation": u.organisation,
                        "location": u.location,
                        "reason": u.reason.value,
                        "message": u.message,
                    }
                    for u in ride.unassigned
                ],
                "totals": ride_totals(ride),
            }
            for ride in plan.rides
        ],
        "totals": plan_totals(plan),
    }


def plan_from_dict(doc: Mapping[str, object], *, file: str = "plan.json") -> Plan:
    """Read a plan document back (raises :class:`InputError` naming what is wrong)."""
    try:
        rides = []
        for ride in doc["rides"]:  # type: ignore[attr-defined]
            key = RideKey(weekday=Weekday(ride["weekday"]), direction=Direction(ride["direction"]))
            routes = tuple(
                Route(
                    vehicle=str(r["vehicle"]),
                    organisation=str(r["organisation"]),
                    distance_m=int(r["distance_m"]),
                    duration_s=int(r["duration_s"]),
                    cost=float(r["cost"]),
                    stops=tuple(
                        Stop(
                            kind=StopKind(s["kind"]),
                            place=str(s["place"]),
                            lat=float(s["lat"]),
                            lon=float(s["lon"]),
                            arrival=int(s["arrival_s"]),
                            departure=int(s["departure_s"]),
                            boarding=tuple(s["boarding"]),
                            alighting=tuple(s["alighting"]),
                            load_seats=int(s["load"]["seats"]),
                            load_wheelchairs=int(s["load"]["wheelchairs"]),
                        )
                        for s in r["stops"]
                    ),
                )
                for r in ride["routes"]
            )
            unassigned = tuple(
                Unassigned(
                    participant=str(u["participant"]),
                    organisation=str(u["organisation"]),
                    location=str(u["location"]),
                    reason=Reason(u["reason"]),
                    message=str(u["message"]),
                )
                for u in ride["unassigned"]
            )
            rides.append(RidePlan(key=key, routes=routes, unassigned=unassigned))
        return Plan(
            mode=Mode(doc["mode"]),
            scenario=str(doc.get("scenario", "")),
            rides=tuple(rides),
            meta=dict(doc.get("meta", {})),  # type: ignore[arg-type]
        )
    except (KeyError, TypeError, ValueError) as exc:
        msg = f"not a vervoer plan ({type(exc).__name__}: {exc})"
        raise InputError(msg, file=file) from None


def write_json(doc: object, path: Path) -> None:
    """Write JSON atomically (temporary file in the same folder, then rename)."""
    with atomic_open(path, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, ensure_ascii=False, indent=1)
        fh.write("\n")


def write_plan(plan: Plan, path: Path) -> None:
    """Write ``plan.json`` atomically."""
    write_json(plan_to_dict(plan), path)


def read_plan(path: Path) -> Plan:
    """Read a ``plan.json``."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("file not found", file=str(path)) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"not valid JSON: {exc}", file=Path(path).name) from None
    return plan_from_dict(doc, file=Path(path).name)


# ----------------------------------------------------------------------------- checker


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The outcome of :func:`check_plan`: violations (empty when the plan is valid)."""

    violations: tuple[str, ...]
    requests: int
    served: int
    unassigned: int

    @property
    def ok(self) -> bool:
        """Whether no violation was found."""
        return not self.violations


def check_plan(
    plan: Plan,
    scenario: Scenario,
    matrix: Matrix,
    places: Mapping[PlaceKey, int],
    *,
    tolerance_s: int = 1,
) -> CheckResult:
    """Verify a plan against the scenario and matrix, independently of the solver.

    Parameters
    ----------
    plan
        The plan to check (e.g. read from plan.json).
    scenario
        The scenario it was made for.
    matrix
        Travel times and distances between the places.
    places
        Matrix index per place.
    tolerance_s
        Rounding tolerance for times.

    Returns
    -------
    CheckResult
    """
    bad: list[str] = []
    people = {p.id: p for p in scenario.participants}
    vehicles = {v.id: v for v in scenario.vehicles}
    settings = scenario.settings
    n_requests = n_served = n_unassigned = 0
    for ride in plan.rides:
        key = ride.key
        wanted = {r.participant.id: r for r in requests_for(scenario, key)}
        n_requests += len(wanted)
        seen: dict[str, str] = {}
        used_vehicles: set[str] = set()
        for route in ride.routes:
            where = f"{key} vehicle {route.vehicle}"
            v = vehicles.get(route.vehicle)
            if v is None:
                bad.append(f"{where}: unknown vehicle")
                continue
            if route.vehicle in used_vehicles:
                bad.append(f"{where}: vehicle has two routes in one ride")
            used_vehicles.add(route.vehicle)
            if key.weekday not in v.weekdays:
                bad.append(f"{where}: vehicle does not work on {key.weekday.value}")
            if plan.mode is Mode.OWN:
                for s in route.stops:
                    for pid in s.boarding:
                        if pid in people and people[pid].organisation != v.organisation:
                            bad.append(f"{where}: own mode carries {pid} of another organisation")
            stops = route.stops
            depot = places.get(PlaceKey(StopKind.DEPOT, v.id))
            if (
                not stops
                or stops[0].kind is not StopKind.DEPOT
                or stops[-1].kind is not StopKind.DEPOT
            ):
                bad.append(f"{where}: route must start and end at the depot")
                continue
            if stops[0].departure < v.shift_start * 60 - tolerance_s:
                bad.append(f"{where}: leaves the depot before the shift starts")
            if stops[-1].arrival > v.shift_end * 60 + tolerance_s:
                bad.append(f"{where}: returns after the shift ends")
            on_board: dict[str, int] = {}  # participant -> departure time of boarding stop
            seats = wheels = 0
            metres = 0
            prev_idx: int | None = None
            prev_dep = 0
            for pos, s in enumerate(stops):
                idx = _stop_index(s, v.id, places, key)
                if idx is None:
                    bad.append(f"{where}: stop {pos} {s.kind.value} {s.place!r} is unknown")
                    break
                if s.kind is StopKind.DEPOT and idx != depot:
                    bad.append(f"{where}: depot stop is not the vehicle's depot")
                if prev_idx is not None:
                    travel = int(matrix.durations[prev_idx, idx])
                    metres += int(matrix.distances[prev_idx, idx])
                    if s.arrival + tolerance_s < prev_dep + travel:
                        bad.append(
                            f"{where}: stop {pos} reached at {format_clock(s.arrival)}, "
                            f"but the drive takes until {format_clock(prev_dep + travel)}"
                        )
                service = 0
                for pid in s.alighting:
                    req = wanted.get(pid)
                    if req is None or pid not in on_board:
                        bad.append(f"{where}: {pid} alights without having boarded")
                        continue
                    p = people[pid]
                    service += boarding_s(p, settings)
                    seats -= p.seat_demand
                    wheels -= p.wheelchair_demand
                    (_, _), (de, dl) = _windows(req, settings)
                    latest_start = s.departure - boarding_s(p, settings)
                    if not (de - tolerance_s <= latest_start and s.arrival <= dl + tolerance_s):
                        bad.append(
                            f"{where}: {pid} dropped off at {format_clock(s.arrival)}, "
                            "outside the window"
                        )
                    if not _right_place(idx, req, places, matrix, delivery=True):
                        bad.append(f"{where}: {pid} dropped off at the wrong place")
                    direct = _direct(req, places, matrix)
                    limit = settings.max_ride_s(direct, p.max_ride_min)
                    ride_s = s.arrival - on_board.pop(pid)
                    if ride_s > limit + tolerance_s:
                        bad.append(
                            f"{where}: {pid} rides {ride_s / 60:.0f} min, "
                            f"more than {limit / 60:.0f}"
                        )
                for pid in s.boarding:
                    req = wanted.get(pid)
                    if req is None:
                        bad.append(f"{where}: {pid} boards but has no request in this ride")
                        continue
                    if pid in seen:
                        bad.append(f"{where}: {pid} is served twice (also in {seen[pid]})")
                    seen[pid] = route.vehicle
                    p = people[pid]
                    service += boarding_s(p, settings)
                    seats += p.seat_demand
                    wheels += p.wheelchair_demand
                    (pe, pl), _ = _windows(req, settings)
                    latest_start = s.departure - boarding_s(p, settings)
                    if not (pe - tolerance_s <= latest_start and s.arrival <= pl + tolerance_s):
                        bad.append(
                            f"{where}: {pid} picked up at {format_clock(s.arrival)}, "
                            "outside the window"
                        )
                    if not _right_place(idx, req, places, matrix, delivery=False):
                        bad.append(f"{where}: {pid} picked up at the wrong place")
                    on_board[pid] = s.departure
                if s.departure + tolerance_s < s.arrival + service:
                    bad.append(f"{where}: stop {pos} too short for boarding and alighting")
                if seats > v.seats or wheels > v.wheelchair_places:
                    bad.append(
                        f"{where}: over capacity after stop {pos} "
                        f"({seats} seats, {wheels} wheelchairs)"
                    )
                if (seats, wheels) != (s.load_seats, s.load_wheelchairs):
                    bad.append(f"{where}: stop {pos} load is stated wrongly")
                prev_idx, prev_dep = idx, s.departure
            if on_board:
                bad.append(f"{where}: {sorted(on_board)} never alight")
            if metres != route.distance_m:
                bad.append(f"{where}: distance {route.distance_m} m, recomputed {metres} m")
            duration = stops[-1].arrival - stops[0].departure
            if duration != route.duration_s:
                bad.append(f"{where}: duration stated wrongly")
            cost = route_cost(v, metres, duration)
            if abs(cost - route.cost) > 0.011:
                bad.append(f"{where}: cost {route.cost:.2f}, recomputed {cost:.2f}")
        for u in ride.unassigned:
            if u.participant not in wanted:
                bad.append(f"{key}: unassigned {u.participant} has no request in this ride")
            elif u.participant in seen:
                bad.append(f"{key}: {u.participant} is both served and unassigned")
            elif not u.message:
                bad.append(f"{key}: {u.participant} is unassigned without a reason")
            seen.setdefault(u.participant, "unassigned")
        missing = sorted(set(wanted) - set(seen))
        for pid in missing:
            bad.append(f"{key}: {pid} requested a ride but is neither planned nor unassigned")
        n_unassigned += len(ride.unassigned)
        n_served += sum(1 for who in seen.values() if who != "unassigned")
    return CheckResult(tuple(bad), n_requests, n_served, n_unassigned)


def _stop_index(s: Stop, vehicle: str, places: Mapping[PlaceKey, int], key: RideKey) -> int | None:
    if s.kind is StopKind.DEPOT:
        return places.get(PlaceKey(StopKind.DEPOT, vehicle))
    return places.get(PlaceKey(s.kind, s.place))


def _right_place(
    idx: int, req: Request, places: Mapping[PlaceKey, int], matrix: Matrix, *, delivery: bool
) -> bool:
    """Whether matrix point ``idx`` is (at) the request's pickup (or delivery) place."""
    heen = req.key.direction is Direction.HEEN
    if heen == delivery:
        want = places.get(PlaceKey(StopKind.LOCATION, req.location.id))
    else:
        want = places.get(PlaceKey(StopKind.HOME, req.participant.id))
    return want is not None and matrix.points[want] == matrix.points[idx]


def _direct(req: Request, places: Mapping[PlaceKey, int], matrix: Matrix) -> int:
    home = places[PlaceKey(StopKind.HOME, req.participant.id)]
    loc = places[PlaceKey(StopKind.LOCATION, req.location.id)]
    if req.key.direction is Direction.HEEN:
        return int(matrix.durations[home, loc])
    return int(matrix.durations[loc, home])
