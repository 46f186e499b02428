"""The independent checker: re-verify a plan against the scenario and the matrix.

It reads what was requested (:mod:`vervoer.routing.requests`) and the tariff
(:mod:`vervoer.routing.pricing`), never the planner or the solver, so a planner bug cannot
hide itself. Each rule is one function that returns its violations as sentences:

- every trip of every attendance day is in the plan (or, for a plan of some days or trips,
  every trip it was asked for), and every requested ride of a trip is in exactly one route
  or listed unassigned with a reason;
- a vehicle exists, works that day, has one route per trip, carries only its own
  organisation's participants in own mode, starts and ends at its depot inside its shift;
- a vehicle's trips of one day never overlap: each starts at the depot no earlier than the
  previous one is back there (no vehicle in two places at once);
- drives take at least the matrix time; each stop lasts its boarding and alighting;
- pickup before drop-off in the same vehicle, at the right places, inside the windows;
- capacity after every stop, and the stated load; maximum ride time per participant;
- distance, duration and cost of each route as stated, the fixed cost of a vehicle day on
  its first trip only;
- the totals a plan.json states for every trip, day and the week equal the sums of routes;
- the rules: nobody in a vehicle a ``vehicle``/``needs``/``own_only`` rule keeps them out
  of; ``not_together`` pairs never on board at the same time; ``together`` pairs in the
  same vehicle when both ride the trip; at most N others on board with an ``alone``
  participant; a vehicle with seat layouts drives each trip in one of them, and a change
  of layout between two trips leaves ``layout_change_min`` at the depot.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from vervoer.core.model import (
    Mode,
    Participant,
    Plan,
    RideKey,
    RidePlan,
    Route,
    RuleKind,
    Stop,
    StopKind,
    Vehicle,
    Weekday,
    format_clock,
)
from vervoer.core.settings import Settings
from vervoer.geo.matrix import Matrix
from vervoer.io.scenario import Scenario
from vervoer.routing.pricing import route_cost
from vervoer.routing.requests import PlaceKey, Request, all_trips, boarding_s, requests_for
from vervoer.routing.rules import RuleBook


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The outcome of :func:`check_plan`: violations (empty when the plan is valid)."""

    violations: tuple[str, ...]
    requests: int
    served: int
    unassigned: int
    trips: int = 0
    scenario_trips: int = 0

    @property
    def ok(self) -> bool:
        """Whether no violation was found."""
        return not self.violations


@dataclass(slots=True)
class _Context:
    """What every rule reads: the scenario's people and vehicles, the matrix, a tolerance."""

    people: Mapping[str, Participant]
    vehicles: Mapping[str, Vehicle]
    settings: Settings
    matrix: Matrix
    places: Mapping[PlaceKey, int]
    mode: Mode
    tolerance_s: int
    first_trips: frozenset[tuple[RideKey, str]] = frozenset()  # (trip, vehicle) first of day
    book: RuleBook = field(default_factory=RuleBook)


@dataclass(slots=True)
class _Walk:
    """The state of one route while its stops are walked in order."""

    on_board: dict[str, int] = field(default_factory=dict)  # participant -> boarding departure
    seats: int = 0
    wheels: int = 0
    metres: int = 0


def check_plan(
    plan: Plan,
    scenario: Scenario,
    matrix: Matrix,
    places: Mapping[PlaceKey, int],
    *,
    rides: Sequence[RideKey] | None = None,
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
    rides
        The trips the plan must hold; default: those it was made for (its ``meta``
        ``rides``), or else every trip of every attendance day of the scenario.
    tolerance_s
        Rounding tolerance for times.

    Returns
    -------
    CheckResult
    """
    ctx = _Context(
        people={p.id: p for p in scenario.participants},
        vehicles={v.id: v for v in scenario.vehicles},
        settings=scenario.settings,
        matrix=matrix,
        places=places,
        mode=plan.mode,
        tolerance_s=tolerance_s,
        first_trips=frozenset(
            (vd.trips[0][0], vd.vehicle) for vd in plan.vehicle_days() if vd.trips
        ),
        book=RuleBook.of(scenario),
    )
    scenario_trips = all_trips(scenario)
    expected = _expected_trips(plan, scenario_trips) if rides is None else tuple(rides)
    bad = _check_trips_present(plan, expected)
    bad += _check_vehicle_days(plan, ctx)
    bad += _check_stated_plan_totals(plan)
    n_requests = n_served = n_unassigned = 0
    for ride in plan.rides:
        wanted = {r.participant.id: r for r in requests_for(scenario, ride.key)}
        n_requests += len(wanted)
        seen: dict[str, str] = {}  # participant -> vehicle (or "unassigned")
        used: set[str] = set()
        for route in ride.routes:
            bad += _check_route(route, ride, wanted, seen, used, ctx)
        bad += _check_together(ride, ctx)
        bad += _check_unassigned(ride, wanted, seen)
        bad += _check_all_requests_answered(ride, wanted, seen)
        n_unassigned += len(ride.unassigned)
        n_served += sum(1 for who in seen.values() if who != "unassigned")
    return CheckResult(
        tuple(bad), n_requests, n_served, n_unassigned, len(plan.rides), len(scenario_trips)
    )


# ----------------------------------------------------------------------------- per plan


def _expected_trips(plan: Plan, scenario_trips: Sequence[RideKey]) -> tuple[RideKey, ...]:
    """The trips a plan was asked for (its meta), or every trip of the scenario."""
    asked = plan.meta.get("rides")
    if isinstance(asked, list) and asked:
        try:
            return tuple(RideKey.parse(str(k)) for k in asked)
        except ValueError:
            pass
    return tuple(scenario_trips)


def _check_trips_present(plan: Plan, expected: Sequence[RideKey]) -> list[str]:
    """Every trip asked for is in the plan, once."""
    keys = [ride.key for ride in plan.rides]
    bad = [f"{key}: trip is requested but not in the plan" for key in expected if key not in keys]
    bad += [f"{key}: trip is in the plan twice" for key in set(keys) if keys.count(key) > 1]
    return bad


def _check_vehicle_days(plan: Plan, ctx: _Context) -> list[str]:
    """A vehicle's trips on one day follow each other: never two places at once.

    Each trip runs from the depot back to the depot, so the next may start when the
    previous one is back (the drive between them is nil), plus the time to change the seat
    layout when it changes.
    """
    bad = []
    change_s = round(ctx.settings.layout_change_min * 60)
    for vd in plan.vehicle_days():
        for (k1, r1), (k2, r2) in zip(vd.trips[:-1], vd.trips[1:], strict=True):
            if not r1.stops or not r2.stops:
                continue
            back = r1.stops[-1].arrival
            changed = r1.layout is not None and r2.layout is not None and r1.layout != r2.layout
            if changed and r2.stops[0].departure + ctx.tolerance_s < back + change_s:
                bad.append(
                    f"{vd.weekday.value} vehicle {vd.vehicle}: trip {k2.trip} leaves at "
                    f"{format_clock(r2.stops[0].departure)} in another seat layout, less "
                    f"than {ctx.settings.layout_change_min:g} min after trip {k1.trip} is "
                    "back"
                )
                continue
            if r2.stops[0].departure + ctx.tolerance_s < back:
                bad.append(
                    f"{vd.weekday.value} vehicle {vd.vehicle}: trip {k2.trip} leaves the depot "
                    f"at {format_clock(r2.stops[0].departure)}, but trip {k1.trip} is back "
                    f"only at {format_clock(back)} (two places at once)"
                )
    return bad


def _check_stated_plan_totals(plan: Plan) -> list[str]:
    """The totals a plan.json states equal the sums of its routes (trip, day, week)."""
    stated = plan.stated_totals
    if stated is None:  # made here, not read from a file
        return []
    bad: list[str] = []
    by_day: dict[str, list[Route]] = {}
    for ride in plan.rides:
        by_day.setdefault(ride.key.weekday.value, []).extend(ride.routes)
    per_ride = stated.get("per_ride")
    if isinstance(per_ride, Mapping):
        for ride in plan.rides:
            bad += _compare_totals(f"{ride.key} totals", per_ride.get(str(ride.key)), ride.routes)
    per_day = stated.get("per_day")
    if isinstance(per_day, Mapping):
        for day, routes in by_day.items():
            bad += _compare_totals(f"{day} totals", per_day.get(day), routes)
    all_routes = [r for ride in plan.rides for r in ride.routes]
    bad += _compare_totals("week totals", stated.get("week"), all_routes)
    return bad


def _compare_totals(where: str, stated: object, routes: Sequence[Route]) -> list[str]:
    if not isinstance(stated, Mapping):
        return [f"{where}: missing in plan.json"]
    sums = {
        "cost": (sum(r.cost for r in routes), 0.011),
        "km": (sum(r.distance_m for r in routes) / 1000, 0.011),
        "hours": (sum(r.duration_s for r in routes) / 3600, 0.011),
    }
    bad = []
    for name, (value, tol) in sums.items():
        got = stated.get(name)
        if not isinstance(got, int | float) or abs(float(got) - value) > tol:
            bad.append(f"{where}: {name} stated {got}, the routes add up to {value:.2f}")
    return bad


# ----------------------------------------------------------------------------- per ride


def _check_unassigned(
    ride: RidePlan, wanted: Mapping[str, Request], seen: dict[str, str]
) -> list[str]:
    """Every unassigned entry is a request of this ride, not also served, with a reason."""
    bad = []
    for u in ride.unassigned:
        if u.participant not in wanted:
            bad.append(f"{ride.key}: unassigned {u.participant} has no request in this ride")
        elif u.participant in seen:
            bad.append(f"{ride.key}: {u.participant} is both served and unassigned")
        elif not u.message:
            bad.append(f"{ride.key}: {u.participant} is unassigned without a reason")
        seen.setdefault(u.participant, "unassigned")
    return bad


def _check_all_requests_answered(
    ride: RidePlan, wanted: Mapping[str, Request], seen: Mapping[str, str]
) -> list[str]:
    """Nobody silently dropped: every request is planned or unassigned."""
    return [
        f"{ride.key}: {pid} requested a ride but is neither planned nor unassigned"
        for pid in sorted(set(wanted) - set(seen))
    ]


# ----------------------------------------------------------------------------- per route


def _check_route(
    route: Route,
    ride: RidePlan,
    wanted: Mapping[str, Request],
    seen: dict[str, str],
    used: set[str],
    ctx: _Context,
) -> list[str]:
    where = f"{ride.key} vehicle {route.vehicle}"
    v = ctx.vehicles.get(route.vehicle)
    if v is None:
        return [f"{where}: unknown vehicle"]
    bad = _check_vehicle_day(route, ride, v, used, where)
    bad += _check_own_mode(route, v, ctx, where)
    bad += _check_layout(route, v, where)
    bad += _check_rules_on_board(route, v, ride.key.weekday, ctx, where)
    if not _starts_and_ends_at_depot(route):
        return [*bad, f"{where}: route must start and end at the depot"]
    bad += _check_shift(route, v, ctx, where)
    walk = _Walk()
    bad += _check_stops(route, v, wanted, seen, walk, ctx, where)
    first = (ride.key, route.vehicle) in ctx.first_trips
    bad += _check_stated_totals(route, v, walk, where, first_of_day=first)
    return bad


def _check_vehicle_day(
    route: Route, ride: RidePlan, v: Vehicle, used: set[str], where: str
) -> list[str]:
    """One route per vehicle and ride, on a day the vehicle works."""
    bad = []
    if route.vehicle in used:
        bad.append(f"{where}: vehicle has two routes in one trip")
    used.add(route.vehicle)
    if ride.key.weekday not in v.weekdays:
        bad.append(f"{where}: vehicle does not work on {ride.key.weekday.value}")
    return bad


def _check_own_mode(route: Route, v: Vehicle, ctx: _Context, where: str) -> list[str]:
    """In own mode a vehicle carries only its own organisation's participants."""
    if ctx.mode is not Mode.OWN:
        return []
    return [
        f"{where}: own mode carries {pid} of another organisation"
        for s in route.stops
        for pid in s.boarding
        if pid in ctx.people and ctx.people[pid].organisation != v.organisation
    ]


def _check_layout(route: Route, v: Vehicle, where: str) -> list[str]:
    """A vehicle with seat layouts drives a trip in one of them; one without, in none."""
    if not v.layouts:
        return [] if route.layout is None else [f"{where}: a seat layout, but the vehicle has none"]
    if route.layout not in v.layouts:
        return [f"{where}: seat layout {route.layout} is not one of the vehicle's layouts"]
    return []


def _check_rules_on_board(
    route: Route, v: Vehicle, day: Weekday, ctx: _Context, where: str
) -> list[str]:
    """Vehicle rules of everyone who boards; who is on board together after each stop."""
    book = ctx.book
    if not book:
        return []
    bad: list[str] = []
    on_board: set[str] = set()
    banned = set(book.pairs(RuleKind.NOT_TOGETHER, ctx.people))
    reported: set[str] = set()
    for s in route.stops:
        on_board -= set(s.alighting)
        for pid in s.boarding:
            person = ctx.people.get(pid)
            rule = book.forbids(person, v, day) if person is not None else None
            if rule is not None:
                bad.append(f"{where}: {pid} boards, but {rule.words()}")
        on_board |= set(s.boarding)
        for a, b in banned:
            if a in on_board and b in on_board and f"{a}+{b}" not in reported:
                reported.add(f"{a}+{b}")
                bad.append(f"{where}: {a} and {b} are on board together (not_together)")
        for pid in on_board:
            limit = book.max_others(pid)
            if limit is not None and len(on_board) - 1 > limit and pid not in reported:
                reported.add(pid)
                bad.append(
                    f"{where}: {pid} rides with {len(on_board) - 1} others on board, more "
                    f"than the {limit} of their alone rule"
                )
    return bad


def _check_together(ride: RidePlan, ctx: _Context) -> list[str]:
    """``together`` pairs who both ride the trip ride it in the same vehicle."""
    if not ctx.book:
        return []
    vehicle_of = {
        pid: route.vehicle for route in ride.routes for s in route.stops for pid in s.boarding
    }
    return [
        f"{ride.key}: {a} and {b} must ride together but are in {vehicle_of[a]} and {vehicle_of[b]}"
        for a, b in ctx.book.pairs(RuleKind.TOGETHER, vehicle_of)
        if vehicle_of[a] != vehicle_of[b]
    ]


def _starts_and_ends_at_depot(route: Route) -> bool:
    stops = route.stops
    return bool(stops) and stops[0].kind is StopKind.DEPOT and stops[-1].kind is StopKind.DEPOT


def _check_shift(route: Route, v: Vehicle, ctx: _Context, where: str) -> list[str]:
    """The route lies inside the vehicle's working hours."""
    bad = []
    if route.stops[0].departure < v.shift_start * 60 - ctx.tolerance_s:
        bad.append(f"{where}: leaves the depot before the shift starts")
    if route.stops[-1].arrival > v.shift_end * 60 + ctx.tolerance_s:
        bad.append(f"{where}: returns after the shift ends")
    return bad


def _check_stops(
    route: Route,
    v: Vehicle,
    wanted: Mapping[str, Request],
    seen: dict[str, str],
    walk: _Walk,
    ctx: _Context,
    where: str,
) -> list[str]:
    """Walk the stops in order: places, drive times, alighting, boarding, stop length, load."""
    bad: list[str] = []
    depot = ctx.places.get(PlaceKey(StopKind.DEPOT, v.id))
    prev: tuple[int, int] | None = None  # matrix index and departure of the previous stop
    for pos, s in enumerate(route.stops):
        idx = _stop_index(s, v.id, ctx.places)
        if idx is None:
            bad.append(f"{where}: stop {pos} {s.kind.value} {s.place!r} is unknown")
            break
        if s.kind is StopKind.DEPOT and idx != depot:
            bad.append(f"{where}: depot stop is not the vehicle's depot")
        if prev is not None:
            bad += _check_drive(prev, idx, s, pos, walk, ctx, where)
        service = 0
        for pid in s.alighting:
            service += _check_alighting(pid, s, idx, wanted, walk, ctx, where, bad)
        for pid in s.boarding:
            service += _check_boarding(pid, s, idx, wanted, seen, route, walk, ctx, where, bad)
        bad += _check_stop_length(s, pos, service, ctx, where)
        bad += _check_load(s, pos, v, route.layout, walk, where)
        prev = (idx, s.departure)
    if walk.on_board:
        bad.append(f"{where}: {sorted(walk.on_board)} never alight")
    return bad


def _check_drive(
    prev: tuple[int, int], idx: int, s: Stop, pos: int, walk: _Walk, ctx: _Context, where: str
) -> list[str]:
    """A stop is reached no earlier than the drive from the previous one allows."""
    prev_idx, prev_dep = prev
    travel = int(ctx.matrix.durations[prev_idx, idx])
    walk.metres += int(ctx.matrix.distances[prev_idx, idx])
    if s.arrival + ctx.tolerance_s < prev_dep + travel:
        return [
            f"{where}: stop {pos} reached at {format_clock(s.arrival)}, "
            f"but the drive takes until {format_clock(prev_dep + travel)}"
        ]
    return []


def _check_alighting(
    pid: str,
    s: Stop,
    idx: int,
    wanted: Mapping[str, Request],
    walk: _Walk,
    ctx: _Context,
    where: str,
    bad: list[str],
) -> int:
    """A drop-off: boarded before, inside the delivery window, at the right place, not too
    long on board. Returns the alighting time (seconds)."""
    req = wanted.get(pid)
    if req is None or pid not in walk.on_board:
        bad.append(f"{where}: {pid} alights without having boarded")
        return 0
    p = ctx.people[pid]
    service = boarding_s(p, ctx.settings)
    walk.seats -= p.seat_demand
    walk.wheels -= p.wheelchair_demand
    _, (early, late) = req.windows(ctx.settings)
    if not _in_window(s, service, early, late, ctx.tolerance_s):
        bad.append(f"{where}: {pid} dropped off at {format_clock(s.arrival)}, outside the window")
    if not _at(idx, req.delivery, ctx):
        bad.append(f"{where}: {pid} dropped off at the wrong place")
    limit = ctx.settings.max_ride_s(_direct_s(req, ctx), p.max_ride_min)
    ride_s = s.arrival - walk.on_board.pop(pid)
    if ride_s > limit + ctx.tolerance_s:
        bad.append(f"{where}: {pid} rides {ride_s / 60:.0f} min, more than {limit / 60:.0f}")
    return service


def _check_boarding(
    pid: str,
    s: Stop,
    idx: int,
    wanted: Mapping[str, Request],
    seen: dict[str, str],
    route: Route,
    walk: _Walk,
    ctx: _Context,
    where: str,
    bad: list[str],
) -> int:
    """A pickup: requested in this ride, served once, inside the pickup window, at the right
    place. Returns the boarding time (seconds)."""
    req = wanted.get(pid)
    if req is None:
        bad.append(f"{where}: {pid} boards but has no request in this ride")
        return 0
    if pid in seen:
        bad.append(f"{where}: {pid} is served twice (also in {seen[pid]})")
    seen[pid] = route.vehicle
    p = ctx.people[pid]
    service = boarding_s(p, ctx.settings)
    walk.seats += p.seat_demand
    walk.wheels += p.wheelchair_demand
    (early, late), _ = req.windows(ctx.settings)
    if not _in_window(s, service, early, late, ctx.tolerance_s):
        bad.append(f"{where}: {pid} picked up at {format_clock(s.arrival)}, outside the window")
    if not _at(idx, req.pickup, ctx):
        bad.append(f"{where}: {pid} picked up at the wrong place")
    walk.on_board[pid] = s.departure
    return service


def _check_stop_length(s: Stop, pos: int, service: int, ctx: _Context, where: str) -> list[str]:
    """A stop lasts at least the boarding and alighting of everyone at it."""
    if s.departure + ctx.tolerance_s < s.arrival + service:
        return [f"{where}: stop {pos} too short for boarding and alighting"]
    return []


def _check_load(
    s: Stop, pos: int, v: Vehicle, layout: tuple[int, int] | None, walk: _Walk, where: str
) -> list[str]:
    """Seats and wheelchair places after the stop: within capacity (of the route's seat
    layout, if any) and as stated."""
    bad = []
    seats, wheels = layout or (v.seats, v.wheelchair_places)
    if walk.seats > seats or walk.wheels > wheels:
        bad.append(
            f"{where}: over capacity after stop {pos} ({walk.seats} seats, "
            f"{walk.wheels} wheelchairs)"
        )
    if (walk.seats, walk.wheels) != (s.load_seats, s.load_wheelchairs):
        bad.append(f"{where}: stop {pos} load is stated wrongly")
    return bad


def _check_stated_totals(
    route: Route, v: Vehicle, walk: _Walk, where: str, *, first_of_day: bool
) -> list[str]:
    """Distance, duration and cost of the route as recomputed from its stops (the fixed
    cost of the vehicle day on its first trip of the day only)."""
    bad = []
    if walk.metres != route.distance_m:
        bad.append(f"{where}: distance {route.distance_m} m, recomputed {walk.metres} m")
    duration = route.stops[-1].arrival - route.stops[0].departure
    if duration != route.duration_s:
        bad.append(f"{where}: duration stated wrongly")
    cost = route_cost(v, walk.metres, duration, first_of_day=first_of_day)
    if abs(cost - route.cost) > 0.011:
        bad.append(f"{where}: cost {route.cost:.2f}, recomputed {cost:.2f}")
    return bad


# ----------------------------------------------------------------------------- helpers


def _in_window(s: Stop, service: int, early: int, late: int, tolerance_s: int) -> bool:
    """Whether a person's service at stop ``s`` may start inside ``[early, late]``."""
    latest_start = s.departure - service
    return early - tolerance_s <= latest_start and s.arrival <= late + tolerance_s


def _stop_index(s: Stop, vehicle: str, places: Mapping[PlaceKey, int]) -> int | None:
    if s.kind is StopKind.DEPOT:
        return places.get(PlaceKey(StopKind.DEPOT, vehicle))
    return places.get(PlaceKey(s.kind, s.place))


def _at(idx: int, place: PlaceKey, ctx: _Context) -> bool:
    """Whether matrix point ``idx`` is (at) ``place``."""
    want = ctx.places.get(place)
    return want is not None and ctx.matrix.points[want] == ctx.matrix.points[idx]


def _direct_s(req: Request, ctx: _Context) -> int:
    """The direct ride time of a request (seconds)."""
    return int(ctx.matrix.durations[ctx.places[req.pickup], ctx.places[req.delivery]])
