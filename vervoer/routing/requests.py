"""What is requested: each day's rides, the trips they group into, their windows.

This is the one module that knows ride directions (heen: home to location; terug:
location to home; transfer: from a morning location straight to an afternoon location),
which end of a request is the pickup, the service windows of both ends, boarding times,
and how a day's rides group into trips (:func:`trips_of_day`). The planner, the cheap
pre-checks and the independent checker all read requests from here.

Trips
-----
Every attendance leg asks for a ride to its location (``heen``) and one home (``terug``),
unless its ``rides`` say otherwise. Each ride has a time at the location: the arrival
window ``[arrive_by - arrival_window, arrive_by]`` or the pickup window ``[depart_at,
depart_at + pickup_window]``. Sorted by that time, rides less than ``trip_gap_min`` apart
(default 45 min) form one trip, which the planner solves as one problem: a midday trip can
take the morning group home and bring the afternoon group in. A participant rides at most
once in a trip: when a participant's ride home from a morning leg and ride to an afternoon
leg at another location fall in one trip, they become one ``transfer`` ride between the two
locations; otherwise a participant's second ride starts a new trip.

A trip is named by what it carries: ``heen`` (only rides to locations), ``terug`` (only
rides home), ``middag`` (both, or a transfer); when a day has several trips of one
direction, those that end by 11:00 or start at 14:00 or later keep the plain name and
the others are ``heen-middag`` / ``terug-middag``; a name that repeats gets ``-2``, ``-3``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from vervoer.core.model import (
    HORIZON_S,
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
#: an inbound-only trip that ends by this time (s) is the morning ``heen``
MORNING_END_S = 11 * 3600
#: an outbound-only trip that starts at this time (s) or later is the afternoon ``terug``
AFTERNOON_START_S = 14 * 3600

Window = tuple[int, int]


@dataclass(frozen=True, slots=True)
class PlaceKey:
    """A place in the matrix: a participant's home, a location, or a vehicle's depot."""

    kind: StopKind
    id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Request:
    """One participant's ride in one trip.

    ``location`` is where the ride goes to (heen, transfer) or comes from (terug);
    ``origin`` is the location a transfer starts from. ``arrive_by`` is the start time at
    the destination location, ``depart_at`` the end time at the location left (minutes).
    """

    participant: Participant
    location: Location
    key: RideKey
    direction: Direction
    arrive_by: int  # minutes
    depart_at: int  # minutes
    origin: Location | None = None

    @property
    def home(self) -> PlaceKey:
        """The participant's home."""
        return PlaceKey(StopKind.HOME, self.participant.id)

    @property
    def site(self) -> PlaceKey:
        """The day-activity location the ride goes to (or, on the way home, comes from)."""
        return PlaceKey(StopKind.LOCATION, self.location.id)

    @property
    def pickup(self) -> PlaceKey:
        """Where the participant boards: home, the location, or the location left."""
        if self.direction is Direction.HEEN:
            return self.home
        if self.direction is Direction.TRANSFER:
            assert self.origin is not None
            return PlaceKey(StopKind.LOCATION, self.origin.id)
        return self.site

    @property
    def delivery(self) -> PlaceKey:
        """Where the participant alights."""
        return self.home if self.direction is Direction.TERUG else self.site

    def ends(self, places: Mapping[PlaceKey, int]) -> tuple[int | None, int | None]:
        """Matrix index of the pickup and the delivery place (None where not found)."""
        return places.get(self.pickup), places.get(self.delivery)

    def windows(self, settings: Settings) -> tuple[Window, Window]:
        """Service windows (seconds) of the pickup and of the delivery.

        On the way there the participant arrives inside the arrival window before the
        start time (never after it); on the way back the pickup is inside the pickup window
        after the end time; a transfer has both.
        """
        arrive = self.arrive_by * 60
        early_arrival = arrive - round(settings.arrival_window_min * 60)
        depart = self.depart_at * 60
        late_pickup = depart + round(settings.pickup_window_min * 60)
        if self.direction is Direction.HEEN:
            return (0, arrive), (early_arrival, arrive)
        if self.direction is Direction.TRANSFER:
            return (depart, late_pickup), (early_arrival, arrive)
        return (depart, late_pickup), (depart, DAY_END_S)

    def span(self, settings: Settings) -> Window:
        """The ride's time at the location(s), which decides its trip (seconds)."""
        (p_early, p_late), (d_early, d_late) = self.windows(settings)
        if self.direction is Direction.HEEN:
            return d_early, d_late
        if self.direction is Direction.TERUG:
            return p_early, p_late
        return p_early, d_late

    def deadline_words(self) -> str:
        """The request's time promise in words: ``arrive by 08:45`` / ``be picked up ...``."""
        if self.direction is Direction.HEEN:
            return f"arrive by {format_clock(self.arrive_by * 60)}"
        if self.direction is Direction.TRANSFER:
            return (
                f"be picked up from {format_clock(self.depart_at * 60)} and arrive by "
                f"{format_clock(self.arrive_by * 60)}"
            )
        return f"be picked up from {format_clock(self.depart_at * 60)}"


# ----------------------------------------------------------------------------- trips


def attendance_days(scenario: Scenario) -> tuple[Weekday, ...]:
    """The weekdays on which some participant asks for a ride, Monday first."""
    days = {a.weekday for a in scenario.attendance if a.rides.value != "none"}
    return tuple(d for d in Weekday if d in days)


def trips_of_day(scenario: Scenario, weekday: Weekday) -> dict[RideKey, tuple[Request, ...]]:
    """The trips of one day with their requests, in time order (see the module docstring).

    Within a trip the requests are sorted by participant id; a participant has at most one.
    """
    settings = scenario.settings
    people = {p.id: p for p in scenario.participants}
    locations = {loc.id: loc for loc in scenario.locations}
    legs = sorted(
        (a for a in scenario.attendance if a.weekday is weekday),
        key=lambda a: (a.participant, a.arrive_by),
    )
    # one item per ride: (request, leg number of the participant on the day)
    items: list[tuple[Request, int]] = []
    number: dict[str, int] = {}
    for a in legs:
        n = number[a.participant] = number.get(a.participant, -1) + 1
        for direction in (Direction.HEEN, Direction.TERUG):
            if a.rides.includes(direction):
                req = Request(
                    participant=people[a.participant],
                    location=locations[a.location],
                    key=RideKey(weekday=weekday),  # placeholder until the trip is named
                    direction=direction,
                    arrive_by=a.arrive_by,
                    depart_at=a.depart_at,
                )
                items.append((req, n))
    items.sort(key=lambda it: (*it[0].span(settings), it[0].participant.id, it[0].direction))
    gap = round(settings.trip_gap_min * 60)
    clusters: list[dict[str, tuple[Request, int]]] = []
    ends: list[int] = []
    for req, n in items:
        start, end = req.span(settings)
        pid = req.participant.id
        current = clusters[-1] if clusters else None
        if current is not None and start - ends[-1] < gap:
            if pid not in current:
                current[pid] = (req, n)
                ends[-1] = max(ends[-1], end)
                continue
            prev, prev_n = current[pid]
            if _joins(prev, prev_n, req, n):
                current[pid] = (_transfer(prev, req), n)
                ends[-1] = max(ends[-1], end)
                continue
        clusters.append({pid: (req, n)})
        ends.append(end)
    return _named(weekday, [[r for r, _ in c.values()] for c in clusters], settings)


def _joins(prev: Request, prev_n: int, req: Request, n: int) -> bool:
    """Whether a ride home from one leg and the ride to the next leg make one transfer."""
    return (
        prev.direction is Direction.TERUG
        and req.direction is Direction.HEEN
        and n == prev_n + 1
        and prev.location.id != req.location.id
    )


def _transfer(home_ride: Request, next_ride: Request) -> Request:
    """The ride from the first leg's location straight to the next leg's location."""
    return replace(
        next_ride,
        direction=Direction.TRANSFER,
        origin=home_ride.location,
        depart_at=home_ride.depart_at,
    )


def _named(
    weekday: Weekday, clusters: Sequence[Sequence[Request]], settings: Settings
) -> dict[RideKey, tuple[Request, ...]]:
    """Name each trip of a day (see the module docstring) and give its requests their key."""
    spans = [
        (min(r.span(settings)[0] for r in c), max(r.span(settings)[1] for r in c)) for c in clusters
    ]
    kinds = []
    for c in clusters:
        dirs = {r.direction for r in c}
        kinds.append(
            "heen"
            if dirs == {Direction.HEEN}
            else "terug"
            if dirs == {Direction.TERUG}
            else "middag"
        )
    several = {k: kinds.count(k) > 1 for k in ("heen", "terug")}
    out: dict[RideKey, tuple[Request, ...]] = {}
    seen: dict[str, int] = {}
    order = sorted(range(len(clusters)), key=lambda i: spans[i])
    for i in order:
        kind = kinds[i]
        if kind == "heen" and several["heen"] and spans[i][1] > MORNING_END_S:
            kind = "heen-middag"
        elif kind == "terug" and several["terug"] and spans[i][0] < AFTERNOON_START_S:
            kind = "terug-middag"
        seen[kind] = seen.get(kind, 0) + 1
        name = kind if seen[kind] == 1 else f"{kind}-{seen[kind]}"
        key = RideKey(weekday=weekday, trip=name)
        out[key] = tuple(
            sorted((replace(r, key=key) for r in clusters[i]), key=lambda r: r.participant.id)
        )
    return out


def all_trips(scenario: Scenario, days: Iterable[Weekday] | None = None) -> tuple[RideKey, ...]:
    """Every trip of the given days (default: every day in the attendance), in time order."""
    wanted = attendance_days(scenario) if days is None else tuple(days)
    return tuple(key for day in Weekday if day in wanted for key in trips_of_day(scenario, day))


def requests_for(scenario: Scenario, key: RideKey) -> list[Request]:
    """The requests of one trip, in a stable order (by participant id); none if no such trip."""
    return list(trips_of_day(scenario, key.weekday).get(key, ()))


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
