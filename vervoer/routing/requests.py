"""What is requested: the rides of the week, each participant's request, its windows.

This is the one module that knows ride directions (heen: home to location; terug:
location to home), which end of a request is the pickup, the service windows of both
ends, and boarding times. The planner, the cheap pre-checks and the independent checker
all read requests from here; nothing else decides what a direction means.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from vervoer.core.model import (
    HORIZON_S,
    WORKDAYS,
    Direction,
    Location,
    Participant,
    Point,
    RideKey,
    StopKind,
    Weekday,
    format_clock,
)
from vervoer.core.settings import Settings
from vervoer.io.scenario import Scenario

#: The latest a participant can be brought home: the solver's one time horizon.
DAY_END_S = HORIZON_S

Window = tuple[int, int]


@dataclass(frozen=True, slots=True)
class PlaceKey:
    """A place in the matrix: a participant's home, a location, or a vehicle's depot."""

    kind: StopKind
    id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Request:
    """One participant's ride on one weekday in one direction."""

    participant: Participant
    location: Location
    key: RideKey
    arrive_by: int  # minutes
    depart_at: int  # minutes

    @property
    def home(self) -> PlaceKey:
        """The participant's home."""
        return PlaceKey(StopKind.HOME, self.participant.id)

    @property
    def site(self) -> PlaceKey:
        """The day-activity location."""
        return PlaceKey(StopKind.LOCATION, self.location.id)

    @property
    def pickup(self) -> PlaceKey:
        """Where the participant boards: home on the way there, the location on the way back."""
        return self.home if self.key.direction is Direction.HEEN else self.site

    @property
    def delivery(self) -> PlaceKey:
        """Where the participant alights."""
        return self.site if self.key.direction is Direction.HEEN else self.home

    def ends(self, places: Mapping[PlaceKey, int]) -> tuple[int | None, int | None]:
        """Matrix index of the pickup and the delivery place (None where not found)."""
        return places.get(self.pickup), places.get(self.delivery)

    def windows(self, settings: Settings) -> tuple[Window, Window]:
        """Service windows (seconds) of the pickup and of the delivery.

        On the way there the participant arrives inside the arrival window before the
        start time (never after it); on the way back the pickup is inside the pickup window
        after the end time.
        """
        if self.key.direction is Direction.HEEN:
            latest = self.arrive_by * 60
            early = latest - round(settings.arrival_window_min * 60)
            return (0, latest), (early, latest)
        early = self.depart_at * 60
        late = early + round(settings.pickup_window_min * 60)
        return (early, late), (early, DAY_END_S)

    def deadline_words(self) -> str:
        """The request's time promise in words: ``arrive by 08:45`` / ``be picked up ...``."""
        if self.key.direction is Direction.HEEN:
            return f"arrive by {format_clock(self.arrive_by * 60)}"
        return f"be picked up from {format_clock(self.depart_at * 60)}"


def all_rides(days: Sequence[Weekday] = WORKDAYS) -> tuple[RideKey, ...]:
    """Every ride of the given days, morning first."""
    return tuple(RideKey(weekday=d, direction=r) for d in days for r in Direction)


def requests_for(scenario: Scenario, key: RideKey) -> list[Request]:
    """The requested rides of one ride key, in a stable order (by participant id)."""
    people = {p.id: p for p in scenario.participants}
    locations = {loc.id: loc for loc in scenario.locations}
    out = [
        Request(
            participant=people[a.participant],
            location=locations[a.location],
            key=key,
            arrive_by=a.arrive_by,
            depart_at=a.depart_at,
        )
        for a in scenario.attendance
        if a.weekday is key.weekday and a.rides.includes(key.direction)
    ]
    return sorted(out, key=lambda r: r.participant.id)


def boarding_s(p: Participant, settings: Settings) -> int:
    """Seconds to board (or alight) for one participant."""
    if p.boarding_min is not None:
        return round(p.boarding_min * 60)
    minutes = settings.boarding_wheelchair_min if p.wheelchair else settings.boarding_min
    return round(minutes * 60)


def scenario_points(scenario: Scenario) -> tuple[list[Point], dict[PlaceKey, int]]:
    """All known points of a scenario (homes, locations, depots) and their matrix index."""
    points: list[Point] = []
    places: dict[PlaceKey, int] = {}
    for p in scenario.participants:
        if p.point is not None:
            places[PlaceKey(StopKind.HOME, p.id)] = len(points)
            points.append(p.point)
    for loc in scenario.locations:
        if loc.point is not None:
            places[PlaceKey(StopKind.LOCATION, loc.id)] = len(points)
            points.append(loc.point)
    for v in scenario.vehicles:
        if v.depot is not None:
            places[PlaceKey(StopKind.DEPOT, v.id)] = len(points)
            points.append(v.depot)
    return points, places
