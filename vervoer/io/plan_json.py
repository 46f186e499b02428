"""plan.json: the contract that maps, route sheets and reports read, and its totals.

:func:`plan_to_dict` / :func:`plan_from_dict` convert a :class:`~vervoer.core.model.Plan` to
and from the JSON document described in the README ("plan.json"); :func:`plan_totals` gives
the week's, each day's, each trip's and each organisation's totals written into it, and
the document lists each vehicle day with its trips in order. The checker is
:mod:`vervoer.routing.check`; it compares the totals read back with the routes.

Schema 2 (this version) has trips (``"trip": "heen"``, ``"middag"``, ...) and vehicle days;
schema 1 had ``"direction"`` and rides planned each with their own fleet. A schema 1 plan is
not read: plan again.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

from vervoer.core.errors import InputError
from vervoer.core.files import atomic_open
from vervoer.core.model import (
    Mode,
    Plan,
    Reason,
    RideKey,
    RidePlan,
    Route,
    Stop,
    StopKind,
    Unassigned,
    VehicleDay,
    Weekday,
    format_clock,
)

SCHEMA_VERSION = 2


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


def plan_totals(plan: Plan) -> dict[str, Any]:
    """Totals for the week, per day, per trip and per organisation (of the routes).

    ``vehicles`` of the week (and of an organisation) is the most vehicles on one day;
    ``vehicle_days`` counts each vehicle once per day it drives.
    """
    all_routes = [r for ride in plan.rides for r in ride.routes]
    by_day: dict[str, list[RidePlan]] = defaultdict(list)
    for ride in plan.rides:
        by_day[ride.key.weekday.value].append(ride)

    def most_per_day(org: str | None = None) -> int:
        return max(
            (
                len(
                    {
                        r.vehicle
                        for ride in rides
                        for r in ride.routes
                        if org in (None, r.organisation)
                    }
                )
                for rides in by_day.values()
            ),
            default=0,
        )

    week = route_totals(all_routes)
    week["vehicles"] = most_per_day()
    week["vehicle_days"] = len(plan.vehicle_days())
    week["served"] = sum(ride_totals(ride)["served"] for ride in plan.rides)
    week["unassigned"] = sum(len(ride.unassigned) for ride in plan.rides)
    per_day = {}
    for day, rides in by_day.items():
        t = route_totals([r for ride in rides for r in ride.routes])
        t["trips"] = len(rides)
        t["served"] = sum(ride_totals(ride)["served"] for ride in rides)
        t["unassigned"] = sum(len(ride.unassigned) for ride in rides)
        per_day[day] = t
    per_org: dict[str, list[Route]] = defaultdict(list)
    for r in all_routes:
        per_org[r.organisation].append(r)
    orgs = {}
    for org, routes in sorted(per_org.items()):
        t = route_totals(routes)
        t["vehicles"] = most_per_day(org)
        orgs[org] = t
    return {
        "week": week,
        "per_day": per_day,
        "per_ride": {str(ride.key): ride_totals(ride) for ride in plan.rides},
        "per_organisation": orgs,
        "stability": stability(plan),
    }


def stability(plan: Plan) -> dict[str, float]:
    """How stable the week is for its participants (over those who ride on two days or more).

    ``one_vehicle_share``: the share who ride every trip of a kind (every ``heen``, every
    ``terug``, ...) in one vehicle all week; ``pickup_spread_median_min`` /
    ``pickup_spread_max_min``: per participant and trip kind, the latest minus the earliest
    pickup time over the week, median and maximum (minutes).
    """
    seen: dict[tuple[str, str], list[tuple[str, int]]] = defaultdict(list)
    for ride in plan.rides:
        for route in ride.routes:
            for stop in route.stops:
                for pid in stop.boarding:
                    seen[pid, ride.key.trip].append((route.vehicle, stop.arrival))
    days: dict[str, int] = defaultdict(int)
    for (pid, _), rides in seen.items():
        days[pid] = max(days[pid], len(rides))
    people = sorted(pid for pid, n in days.items() if n >= 2)
    steady = [
        pid
        for pid in people
        if all(len({v for v, _ in rides}) == 1 for (p, _), rides in seen.items() if p == pid)
    ]
    spreads = sorted(
        (max(t for _, t in rides) - min(t for _, t in rides)) / 60
        for (pid, _), rides in seen.items()
        if len(rides) >= 2
    )
    median = spreads[len(spreads) // 2] if spreads else 0.0
    return {
        "participants": len(people),
        "one_vehicle_share": round(len(steady) / len(people), 3) if people else 1.0,
        "pickup_spread_median_min": round(median, 1),
        "pickup_spread_max_min": round(spreads[-1], 1) if spreads else 0.0,
    }


def vehicle_day_dict(vd: VehicleDay) -> dict[str, object]:
    """A vehicle day as plan.json lists it: its trips in order, with the day's figures."""
    return {
        "weekday": vd.weekday.value,
        "vehicle": vd.vehicle,
        "organisation": vd.organisation,
        "trips": [key.trip for key, _ in vd.trips],
        "start": format_clock(vd.start),
        "end": format_clock(vd.end),
        "km": round(vd.distance_m / 1000, 2),
        "hours": round(vd.duration_s / 3600, 2),
        "cost": vd.cost,
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
                "trip": ride.key.trip,
                "routes": [
                    {
                        "vehicle": r.vehicle,
                        "organisation": r.organisation,
                        "distance_m": r.distance_m,
                        "km": round(r.distance_m / 1000, 2),
                        "duration_s": r.duration_s,
                        "duration": format_clock(r.duration_s),
                        "cost": r.cost,
                        "layout": None
                        if r.layout is None
                        else {"seats": r.layout[0], "wheelchairs": r.layout[1]},
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
        "vehicle_days": [vehicle_day_dict(vd) for vd in plan.vehicle_days()],
        "totals": plan_totals(plan),
    }


def plan_from_dict(doc: Mapping[str, object], *, file: str = "plan.json") -> Plan:
    """Read a plan document back (raises :class:`InputError` naming what is wrong)."""
    if not isinstance(doc, Mapping) or "schema" not in doc:
        raise InputError("not a vervoer plan (it has no `schema`)", file=file)
    schema = doc["schema"]
    if schema != SCHEMA_VERSION:
        msg = (
            f"plan.json schema {schema} is not schema {SCHEMA_VERSION} of this vervoer "
            "(schema 1 planned each heen/terug ride on its own; schema 2 has trips and "
            "vehicle days): plan the scenario again with `vervoer plan`"
        )
        raise InputError(msg, file=file, field="schema")
    try:
        rides = []
        for ride in doc["rides"]:  # type: ignore[attr-defined]
            key = RideKey(weekday=Weekday(ride["weekday"]), trip=str(ride["trip"]))
            routes = tuple(
                Route(
                    vehicle=str(r["vehicle"]),
                    organisation=str(r["organisation"]),
                    distance_m=int(r["distance_m"]),
                    duration_s=int(r["duration_s"]),
                    cost=float(r["cost"]),
                    layout=None
                    if r.get("layout") is None
                    else (int(r["layout"]["seats"]), int(r["layout"]["wheelchairs"])),
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
            mode=Mode(str(doc["mode"])),
            scenario=str(doc.get("scenario", "")),
            rides=tuple(rides),
            meta=dict(cast(Mapping[str, object], doc.get("meta", {}))),
            stated_totals=dict(cast(Mapping[str, object], doc.get("totals") or {})),
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
