"""The vocabulary of vervoer: small immutable value objects and enums.

Units, once for the whole package:

- coordinates are ``(lat, lon)`` in WGS84 degrees (GeoJSON output swaps to ``[lon, lat]``);
- clock times in the scenario are minutes after midnight (``arrive_by``, shift start/end);
- times in plans are seconds after midnight; durations in seconds; distances in metres;
- money is in euros (floats rounded to cents at the output edge; the solver uses integers).

Objects check their own fields when they are built (``ValueError``); references between
objects are checked by :mod:`vervoer.io.scenario`, which knows file, row and field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from vervoer.core.i18n import DAY_NAMES as DAY_NAMES  # re-export: the text lives in i18n


class Weekday(StrEnum):
    """A day of the week; Dutch and English abbreviations are accepted by :meth:`parse`."""

    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"

    @property
    def dutch(self) -> str:
        """The Dutch abbreviation (``ma``, ``di``, ...)."""
        return _DUTCH_DAYS[self]

    @property
    def number(self) -> int:
        """0 for Monday ... 6 for Sunday."""
        return list(Weekday).index(self)

    @classmethod
    def parse(cls, text: str) -> Weekday:
        """Read ``ma``/``maandag``/``mon``/``monday`` (any case) as a weekday.

        Raises
        ------
        ValueError
            If the text is no weekday.
        """
        key = text.strip().lower().rstrip(".")
        if key in _DAY_ALIASES:
            return _DAY_ALIASES[key]
        msg = f"{text!r} is not a weekday; expected ma/di/wo/do/vr/za/zo or mon..sun"
        raise ValueError(msg)


_DUTCH_DAYS = {
    Weekday.MON: "ma",
    Weekday.TUE: "di",
    Weekday.WED: "wo",
    Weekday.THU: "do",
    Weekday.FRI: "vr",
    Weekday.SAT: "za",
    Weekday.SUN: "zo",
}
_DAY_ALIASES: dict[str, Weekday] = {}
for _d, _names in {
    Weekday.MON: ("mon", "monday", "ma", "maandag", "mo"),
    Weekday.TUE: ("tue", "tues", "tuesday", "di", "dinsdag", "tu"),
    Weekday.WED: ("wed", "wednesday", "wo", "woensdag", "we"),
    Weekday.THU: ("thu", "thur", "thurs", "thursday", "do", "donderdag", "th"),
    Weekday.FRI: ("fri", "friday", "vr", "vrijdag", "fr"),
    Weekday.SAT: ("sat", "saturday", "za", "zaterdag", "sa"),
    Weekday.SUN: ("sun", "sunday", "zo", "zondag", "su"),
}.items():
    for _n in _names:
        _DAY_ALIASES[_n] = _d

WORKDAYS: tuple[Weekday, ...] = (Weekday.MON, Weekday.TUE, Weekday.WED, Weekday.THU, Weekday.FRI)


class Direction(StrEnum):
    """The direction of one participant's ride: to a location, back home, or between two.

    ``transfer`` is the ride from the location of a morning leg straight to the location of
    an afternoon leg, when both fall in one trip (see :mod:`vervoer.routing.requests`).
    """

    HEEN = "heen"
    TERUG = "terug"
    TRANSFER = "transfer"


class DayPart(StrEnum):
    """The part of the day an attendance leg covers ("dagdeel")."""

    DAY = "day"
    MORNING = "morning"
    AFTERNOON = "afternoon"

    @property
    def dutch(self) -> str:
        """The Dutch word (``hele dag``, ``ochtend``, ``middag``)."""
        return {"day": "hele dag", "morning": "ochtend", "afternoon": "middag"}[self.value]


class RideNeed(StrEnum):
    """Which rides a participant needs on an attendance day."""

    BOTH = "both"
    HEEN = "heen"
    TERUG = "terug"
    NONE = "none"

    def includes(self, direction: Direction) -> bool:
        """Whether this need asks for a ride in ``direction``."""
        return self is RideNeed.BOTH or self.value == direction.value


class Mode(StrEnum):
    """Planning mode: each organisation on its own, or pooled across organisations."""

    OWN = "own"
    SHARED = "shared"


class Reason(StrEnum):
    """Why a requested ride is not in any route."""

    ADDRESS_NOT_FOUND = "address_not_found"
    UNREACHABLE_BY_ROAD = "unreachable_by_road"
    NO_VEHICLE_ON_DAY = "no_vehicle_on_day"
    NO_WHEELCHAIR_PLACE = "no_wheelchair_place"
    NOT_ENOUGH_SEATS = "not_enough_seats"
    RIDE_TOO_LONG = "ride_too_long"
    WINDOW_UNREACHABLE = "window_unreachable"
    NO_ROOM = "no_room"
    RULE = "rule"


class StopKind(StrEnum):
    """What a stop of a route is."""

    DEPOT = "depot"
    HOME = "home"
    LOCATION = "location"


@dataclass(frozen=True, slots=True)
class Point:
    """A WGS84 position (degrees)."""

    lat: float
    lon: float

    def __post_init__(self) -> None:
        if not (-90.0 <= self.lat <= 90.0) or not (-180.0 <= self.lon <= 180.0):
            msg = f"({self.lat}, {self.lon}) is not a WGS84 position (lat -90..90, lon -180..180)"
            raise ValueError(msg)


@dataclass(frozen=True, slots=True, kw_only=True)
class Organisation:
    """A care organisation that takes part."""

    id: str
    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Location:
    """A day-activity location ("dagbestedingslocatie").

    ``region`` is the deelregio the location lies in (free text; empty = none given), by
    which costs are totalled (:mod:`vervoer.sharing.settlement`). ``capacity`` is how many
    participants it takes per dagdeel (None: no limit) and ``kind`` its type of activity
    (free text such as ``werk``, ``creatief``, ``zorg``; compared without case, empty is a
    kind of its own); a location study (:mod:`vervoer.sharing.study`) only sends
    participants to a location of the same kind with room.
    """

    id: str
    name: str
    organisation: str
    address: str = ""
    point: Point | None = None
    region: str = ""
    capacity: int | None = None
    kind: str = ""

    def __post_init__(self) -> None:
        if self.capacity is not None and self.capacity < 1:
            msg = f"location {self.id!r}: `capacity` must be at least 1 (empty: no limit)"
            raise ValueError(msg)

    @property
    def kind_key(self) -> str:
        """The kind as locations are matched: stripped, without case."""
        return self.kind.strip().casefold()


@dataclass(frozen=True, slots=True, kw_only=True)
class Participant:
    """A participant ("deelnemer") who may need rides.

    ``seats`` is the number of seats taken when not in a wheelchair (2 with an escort); a
    participant in a wheelchair takes one wheelchair place and ``seats - 1`` seats (the escort).
    ``payer`` is who funds the participant's rides (e.g. ``wlz``, ``wmo:zeist``, ``pgb``);
    empty means the participant's organisation (see :attr:`paid_by`).
    """

    id: str
    name: str
    organisation: str
    address: str = ""
    point: Point | None = None
    wheelchair: bool = False
    seats: int = 1
    walker: bool = False
    boarding_min: float | None = None
    max_ride_min: float | None = None
    notes: str = ""
    payer: str = ""

    def __post_init__(self) -> None:
        if self.seats < 1:
            msg = f"participant {self.id!r}: `seats` must be at least 1"
            raise ValueError(msg)

    @property
    def paid_by(self) -> str:
        """Who pays the participant's rides: the ``payer``, else the organisation."""
        return self.payer or self.organisation

    @property
    def seat_demand(self) -> int:
        """Seats taken in the vehicle (an escort of a wheelchair user takes a seat)."""
        return self.seats - 1 if self.wheelchair else self.seats

    @property
    def wheelchair_demand(self) -> int:
        """Wheelchair places taken (0 or 1)."""
        return 1 if self.wheelchair else 0

    @property
    def escort(self) -> bool:
        """Whether the participant travels with an escort."""
        return self.seats >= 2


@dataclass(frozen=True, slots=True, kw_only=True)
class Attendance:
    """One leg of the weekly pattern: on ``weekday`` the participant is at ``location``.

    A participant may have several legs on one day (a morning at one location, an afternoon
    at another); they never overlap (checked when the attendance table is read).
    """

    participant: str
    weekday: Weekday
    location: str
    arrive_by: int
    depart_at: int
    rides: RideNeed = RideNeed.BOTH
    part: DayPart = DayPart.DAY

    def __post_init__(self) -> None:
        if self.depart_at <= self.arrive_by:
            msg = "`depart_at` must be after `arrive_by`"
            raise ValueError(msg)


@dataclass(frozen=True, slots=True, kw_only=True)
class Vehicle:
    """A vehicle of an organisation, starting and ending at its depot."""

    id: str
    organisation: str
    depot_address: str = ""
    depot: Point | None = None
    seats: int = 8
    wheelchair_places: int = 0
    weekdays: tuple[Weekday, ...] = WORKDAYS
    shift_start: int = 7 * 60
    shift_end: int = 18 * 60
    cost_per_hour: float = 0.0
    cost_per_km: float = 0.0
    fixed_cost: float = 0.0
    name: str = ""
    features: frozenset[str] = frozenset()
    layouts: tuple[tuple[int, int], ...] = ()

    def __post_init__(self) -> None:
        if self.seats < 1:
            msg = f"vehicle {self.id!r}: `seats` must be at least 1"
            raise ValueError(msg)
        for seats, wheelchairs in self.layouts:
            if seats < 0 or wheelchairs < 0 or seats + wheelchairs < 1:
                msg = f"vehicle {self.id!r}: layout {seats}+{wheelchairs} holds nobody"
                raise ValueError(msg)

        if self.wheelchair_places < 0:
            msg = f"vehicle {self.id!r}: `wheelchair_places` must be 0 or more"
            raise ValueError(msg)
        if self.shift_end <= self.shift_start:
            msg = f"vehicle {self.id!r}: `shift_end` must be after `shift_start`"
            raise ValueError(msg)

    @property
    def seat_layouts(self) -> tuple[tuple[int, int], ...]:
        """The (seats, wheelchair places) layouts it can drive a trip in; the plain one when
        no ``layouts`` are given. A layout is chosen per trip (flip seats)."""
        return self.layouts or ((self.seats, self.wheelchair_places),)


class RuleKind(StrEnum):
    """A rule about who rides with whom and in which vehicle (``rules.csv``)."""

    NOT_TOGETHER = "not_together"
    TOGETHER = "together"
    ALONE = "alone"
    VEHICLE = "vehicle"
    NEEDS = "needs"
    OWN_ONLY = "own_only"

    @property
    def dutch(self) -> str:
        """The Dutch word of the rule."""
        return _DUTCH_RULES[self]


_DUTCH_RULES = {
    RuleKind.NOT_TOGETHER: "niet_samen",
    RuleKind.TOGETHER: "samen",
    RuleKind.ALONE: "alleen",
    RuleKind.VEHICLE: "voertuig",
    RuleKind.NEEDS: "nodig",
    RuleKind.OWN_ONLY: "eigen",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    """One rule of ``rules.csv``.

    ``not_together``/``together``: ``participant`` and ``other``; ``alone``: ``participant``
    and ``max_others`` (0 = nobody else on board); ``vehicle``: ``participant`` may ride only
    in ``vehicle`` (several rows: any of them); ``needs``: only in a vehicle whose features
    include ``feature``; ``own_only``: only in vehicles of the participant's organisation.
    """

    kind: RuleKind
    participant: str
    other: str = ""
    vehicle: str = ""
    feature: str = ""
    max_others: int = 0

    def words(self) -> str:
        """The rule in English words, for reasons and violations."""
        if self.kind is RuleKind.NOT_TOGETHER:
            return f"{self.participant} may not ride with {self.other}"
        if self.kind is RuleKind.TOGETHER:
            return f"{self.participant} rides together with {self.other}"
        if self.kind is RuleKind.ALONE:
            others = (
                "nobody else"
                if self.max_others == 0
                else f"at most {self.max_others} other{'s' if self.max_others > 1 else ''}"
            )
            return f"{self.participant} rides with {others} on board"
        if self.kind is RuleKind.VEHICLE:
            return f"{self.participant} rides only in vehicle {self.vehicle}"
        if self.kind is RuleKind.NEEDS:
            return f"{self.participant} needs a vehicle with {self.feature!r}"
        return f"{self.participant} rides only in their own organisation's vehicles"


class ChangeKind(StrEnum):
    """A dated exception to the base week (``changes.csv``)."""

    ABSENT = "absent"
    ADDRESS = "address"
    TIME = "time"
    OUT_OF_SERVICE = "out_of_service"
    CLOSED = "closed"
    START = "start"
    STOP = "stop"

    @property
    def dutch(self) -> str:
        """The Dutch word of the change."""
        return _DUTCH_CHANGES[self]


_DUTCH_CHANGES = {
    ChangeKind.ABSENT: "afwezig",
    ChangeKind.ADDRESS: "adres",
    ChangeKind.TIME: "tijd",
    ChangeKind.OUT_OF_SERVICE: "defect",
    ChangeKind.CLOSED: "gesloten",
    ChangeKind.START: "start",
    ChangeKind.STOP: "stop",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Change:
    """One row of ``changes.csv``: on the dates ``first``..``last`` (inclusive, ISO dates).

    ``absent``: the participant needs no ride (``rides``: both, heen or terug); ``address``:
    picked up and brought home at ``value`` (an address); ``time``: the start (heen) or end
    (terug) time of the participant's leg becomes ``value`` (minutes after midnight in
    ``minutes``); ``out_of_service``: the vehicle does not drive; ``closed``: nobody goes to
    the location; ``start``: the participant rides from ``first`` on (not before);
    ``stop``: the participant rides until ``first`` (not after). ``row`` is the file row.
    """

    first: str
    last: str
    kind: ChangeKind
    participant: str = ""
    vehicle: str = ""
    location: str = ""
    rides: RideNeed = RideNeed.BOTH
    value: str = ""
    minutes: int | None = None
    note: str = ""
    row: int | None = None


class LockKind(StrEnum):
    """A lock of ``locks.csv``."""

    PIN = "pin"
    FORBID = "forbid"


@dataclass(frozen=True, slots=True, kw_only=True)
class Lock:
    """Pin a participant to a vehicle (on ``weekdays``; empty: every day) or forbid it."""

    kind: LockKind
    participant: str
    vehicle: str
    weekdays: tuple[Weekday, ...] = ()

    def applies(self, day: Weekday) -> bool:
        """Whether the lock holds on ``day``."""
        return not self.weekdays or day in self.weekdays

    def words(self) -> str:
        """The lock in words, for reasons and violations."""
        days = f" on {', '.join(d.value for d in self.weekdays)}" if self.weekdays else ""
        if self.kind is LockKind.PIN:
            return f"{self.participant} is locked to {self.vehicle}{days}"
        return f"{self.participant} may not ride in {self.vehicle}{days}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Pool:
    """A pooling group: organisations whose participants may ride in each other's vehicles."""

    name: str
    organisations: tuple[str, ...]


#: the kinds of trip of a day, in the order they usually run (see vervoer.routing.requests)
TRIP_KINDS = ("heen", "terug-middag", "middag", "heen-middag", "terug")
_TRIP_RE = re.compile(r"^(heen|terug|middag|heen-middag|terug-middag)(?:-([2-9]|[1-9][0-9]+))?$")


@dataclass(frozen=True, slots=True, kw_only=True)
class RideKey:
    """One trip of the week: a weekday and the trip's name on that day.

    A day's requested rides group into trips by their times: ``heen`` (to the locations in
    the morning), ``terug`` (home in the afternoon), ``terug-middag`` / ``heen-middag`` (home
    or in around midday), ``middag`` (a midday trip that does both), and ``-2``, ``-3`` for a
    second trip of the same kind on one day. Today's two rides are ``heen`` and ``terug``.
    """

    weekday: Weekday
    trip: str = "heen"

    def __post_init__(self) -> None:
        if not _TRIP_RE.match(self.trip):
            msg = f"{self.trip!r} is not a trip; expected one of {', '.join(TRIP_KINDS)}"
            raise ValueError(msg)

    @property
    def kind(self) -> str:
        """The trip's kind without its number (``heen`` for ``heen-2``)."""
        m = _TRIP_RE.match(self.trip)
        assert m is not None
        return m.group(1)

    @property
    def number(self) -> int:
        """1 for the first trip of its kind on the day, 2 for ``heen-2``, ..."""
        m = _TRIP_RE.match(self.trip)
        assert m is not None
        return int(m.group(2) or 1)

    def __str__(self) -> str:
        return f"{self.weekday.value}-{self.trip}"

    @classmethod
    def parse(cls, text: str) -> RideKey:
        """Read ``mon-heen`` / ``ma-terug`` / ``wo-terug-middag`` (also ``mon:heen``)."""
        day, _, trip = text.replace(":", "-").partition("-")
        try:
            return cls(weekday=Weekday.parse(day), trip=trip.strip().lower())
        except ValueError:
            msg = (
                f"{text!r} is not a trip; expected a day and a trip, e.g. 'mon-heen', "
                "'vr-terug' or 'wo-terug-middag'"
            )
            raise ValueError(msg) from None


# ---------------------------------------------------------------------------- plans


@dataclass(frozen=True, slots=True, kw_only=True)
class Stop:
    """A stop of a route. Times are seconds after midnight; loads are after the stop."""

    kind: StopKind
    place: str
    lat: float
    lon: float
    arrival: int
    departure: int
    address: str = ""
    boarding: tuple[str, ...] = ()
    alighting: tuple[str, ...] = ()
    load_seats: int = 0
    load_wheelchairs: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Route:
    """One vehicle's route in one ride, from depot to depot."""

    vehicle: str
    organisation: str
    stops: tuple[Stop, ...]
    distance_m: int
    duration_s: int
    cost: float
    layout: tuple[int, int] | None = None  # (seats, wheelchair places) when it has layouts


@dataclass(frozen=True, slots=True, kw_only=True)
class Unassigned:
    """A requested ride that is in no route, with the reason in words."""

    participant: str
    organisation: str
    location: str
    reason: Reason
    message: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RidePlan:
    """The plan of one trip of a day (weekday + trip)."""

    key: RideKey
    routes: tuple[Route, ...] = ()
    unassigned: tuple[Unassigned, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    """A week (or part of it) of planned trips, in the order of the days and their trips.

    ``stated_totals`` holds the totals a plan.json claimed when it was read (None for a plan
    made here); the checker compares them with the sum of the routes.
    """

    mode: Mode
    scenario: str
    rides: tuple[RidePlan, ...] = ()
    meta: dict[str, object] = field(default_factory=dict)
    stated_totals: dict[str, object] | None = field(default=None, compare=False)

    def vehicle_days(self) -> tuple[VehicleDay, ...]:
        """Each vehicle's day: its routes of that day in time order (by day, then vehicle)."""
        days: dict[tuple[Weekday, str], list[tuple[RideKey, Route]]] = {}
        for ride in self.rides:
            for route in ride.routes:
                days.setdefault((ride.key.weekday, route.vehicle), []).append((ride.key, route))
        out = []
        for (day, vehicle), trips in sorted(
            days.items(), key=lambda kv: (kv[0][0].number, kv[0][1])
        ):
            trips.sort(key=lambda kr: kr[1].stops[0].departure if kr[1].stops else 0)
            out.append(
                VehicleDay(
                    weekday=day,
                    vehicle=vehicle,
                    organisation=trips[0][1].organisation,
                    trips=tuple(trips),
                )
            )
        return tuple(out)


@dataclass(frozen=True, slots=True, kw_only=True)
class VehicleDay:
    """One vehicle's working day: its trips in the order it drives them."""

    weekday: Weekday
    vehicle: str
    organisation: str
    trips: tuple[tuple[RideKey, Route], ...]

    @property
    def start(self) -> int:
        """Leaving the depot for the first trip (seconds after midnight)."""
        return self.trips[0][1].stops[0].departure

    @property
    def end(self) -> int:
        """Back at the depot after the last trip."""
        return self.trips[-1][1].stops[-1].arrival

    @property
    def cost(self) -> float:
        """The day's cost: the sum of its trips (the fixed cost is in the first)."""
        return round(sum(r.cost for _, r in self.trips), 2)

    @property
    def distance_m(self) -> int:
        """Metres driven on the day."""
        return sum(r.distance_m for _, r in self.trips)

    @property
    def duration_s(self) -> int:
        """Seconds on the road (the trips' durations; waiting at the depot between is not)."""
        return sum(r.duration_s for _, r in self.trips)


#: The one time horizon (seconds after midnight): the latest time the solver considers
#: and the latest a participant can be brought home (see vervoer.routing.solver.instance).
HORIZON_S = 48 * 3600


def format_clock(seconds: float) -> str:
    """Seconds (or minutes*60) after midnight as ``HH:MM`` (rounded to the minute)."""
    minutes = round(seconds / 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
