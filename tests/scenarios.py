"""Small hand-made scenarios for planner tests (pure Python, no files, no road network).

Points lie on the parallel 52.0 N; 0.01 degree of longitude is about 685 m. With the
haversine matrix at 36 km/h (10 m/s) one such step takes about 68 s.
"""

from __future__ import annotations

import dataclasses

from vervoer.core.model import (
    WORKDAYS,
    Attendance,
    Location,
    Organisation,
    Participant,
    Point,
    RideNeed,
    Vehicle,
    Weekday,
)
from vervoer.core.settings import Settings
from vervoer.geo.matrix import haversine_matrix
from vervoer.io.scenario import Scenario
from vervoer.routing.requests import scenario_points


def at(lon: float) -> Point:
    return Point(52.0, lon)


def vehicle(vid: str, org: str, lon: float = 5.0, **kw) -> Vehicle:
    base = dict(
        id=vid,
        organisation=org,
        depot=at(lon),
        seats=8,
        wheelchair_places=1,
        cost_per_hour=40.0,
        cost_per_km=0.30,
        fixed_cost=50.0,
        shift_start=7 * 60,
        shift_end=18 * 60,
    )
    base.update(kw)
    return Vehicle(**base)


def person(pid: str, org: str, lon: float | None, **kw) -> Participant:
    return Participant(
        id=pid,
        name=f"Naam {pid}",
        organisation=org,
        point=None if lon is None else at(lon),
        address=f"Straat {pid}",
        **kw,
    )


def attend(
    pid: str,
    loc: str,
    day: Weekday = Weekday.MON,
    rides: RideNeed = RideNeed.BOTH,
    arrive: int = 9 * 60,
    depart: int = 16 * 60,
) -> Attendance:
    return Attendance(
        participant=pid, weekday=day, location=loc, arrive_by=arrive, depart_at=depart, rides=rides
    )


def scenario(participants, attendance, vehicles, locations=None, settings=None) -> Scenario:
    orgs = sorted({p.organisation for p in participants} | {v.organisation for v in vehicles})
    locations = locations or (
        Location(id="L", name="Locatie", organisation=orgs[0], point=at(5.2)),
    )
    return Scenario(
        name="test",
        organisations=tuple(Organisation(id=o, name=o.upper()) for o in orgs),
        locations=tuple(locations),
        participants=tuple(participants),
        attendance=tuple(attendance),
        vehicles=tuple(vehicles),
        settings=settings or Settings(),
    )


def prepared(sc: Scenario):
    points, places = scenario_points(sc)
    return haversine_matrix(points, speed_kph=36), places


def each_others_way() -> Scenario:
    """Two organisations whose participants live on each other's way to one location.

    A's depot and participant are west, B's just east of A's participant; the location is
    further east. Alone, each organisation drives its own bus; shared, one bus collects both.
    """
    return scenario(
        [person("a1", "A", 5.10), person("b1", "B", 5.11)],
        [attend("a1", "L"), attend("b1", "L")],
        [vehicle("VA", "A", 5.0), vehicle("VB", "B", 5.01)],
    )


__all__ = ["WORKDAYS", "dataclasses", "each_others_way", "prepared", "scenario"]
