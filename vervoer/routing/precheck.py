"""The reasons a request cannot be planned that can be named without solving.

No address, no road, no vehicle that day, no wheelchair place, not enough seats, a direct
ride already longer than the maximum, or a window no vehicle can reach even with a direct
ride from its depot. Each reason is a :class:`~vervoer.core.model.Reason` with a sentence a
coordinator reads; what passes here goes to the solver.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from vervoer.core.model import DAY_NAMES, Mode, Pool, Reason, StopKind, Vehicle
from vervoer.core.settings import Settings
from vervoer.geo.matrix import UNREACHABLE, Matrix
from vervoer.routing.requests import PlaceKey, Request, boarding_s
from vervoer.routing.rules import RuleBook


def pool_words(pool: Pool, mode: Mode) -> str:
    """A pool in words: ``organisation X``, ``pool Zeist`` or ``the shared pool``."""
    if mode is Mode.OWN:
        return f"organisation {pool.name}"
    return "the shared pool" if pool.name == "all" else f"pool {pool.name}"


def precheck(
    req: Request,
    pool: Pool,
    vehicles: Sequence[Vehicle],
    matrix: Matrix,
    places: Mapping[PlaceKey, int],
    settings: Settings,
    mode: Mode,
    book: RuleBook | None = None,
) -> tuple[Reason, str] | None:
    """The reason a request cannot be planned in a pool, or None when it may fit.

    Parameters
    ----------
    req
        The request.
    pool
        The pool it is planned in.
    vehicles
        The pool's vehicles working on the request's day.
    matrix, places
        Travel times and the matrix index of each place.
    settings
        The scenario settings (windows, boarding, maximum ride time, snapping).
    mode
        ``own`` or ``shared`` (for the wording).
    book
        The scenario's rules (``vehicle``, ``needs``, ``own_only`` limit the vehicles).

    Returns
    -------
    tuple of (Reason, str) or None
    """
    p = req.participant
    day = DAY_NAMES["en"][req.key.weekday]
    where = pool_words(pool, mode)
    if req.home not in places:
        # no address in the message: it ends up on shared maps (see geocoded.csv)
        return (
            Reason.ADDRESS_NOT_FOUND,
            "the home address was not found in the address data (see vervoer geocode)",
        )
    pick, drop = req.ends(places)
    if pick is None or drop is None:  # a location without coordinates (not geocoded)
        return (
            Reason.ADDRESS_NOT_FOUND,
            f"the address of location {req.location.id} was not found in the address data "
            "(see vervoer geocode)",
        )
    for idx, what in ((pick, "pickup"), (drop, "drop-off")):
        if matrix.snap_m[idx] > settings.snap_max_m:
            return (
                Reason.UNREACHABLE_BY_ROAD,
                f"the {what} point is {matrix.snap_m[idx]:.0f} m from the nearest road "
                f"(more than {settings.snap_max_m:.0f} m)",
            )
    direct = int(matrix.durations[pick, drop])
    if direct >= UNREACHABLE:
        return Reason.UNREACHABLE_BY_ROAD, "there is no road connection between home and location"
    if not vehicles:
        return Reason.NO_VEHICLE_ON_DAY, f"no vehicle of {where} is available on {day}"
    limited = ""  # the rules or locks that narrowed the vehicles, for the reasons below
    if book:
        weekday = req.key.weekday
        allowed = [v for v in vehicles if book.forbids(p, v, weekday) is None]
        if not allowed:
            rule = book.forbids(p, vehicles[0], weekday)
            assert rule is not None
            return (
                Reason.RULE,
                f"{rule.words()}, and no such vehicle of {where} works on {day}",
            )
        if len(allowed) < len(vehicles):
            limits = {r.words() for v in vehicles if (r := book.forbids(p, v, weekday)) is not None}
            limited = "; ".join(sorted(limits)) + ", and "
        vehicles = allowed
    able = [v for v in vehicles if any(w >= p.wheelchair_demand for _, w in v.seat_layouts)]
    if not able:
        return (
            Reason.NO_WHEELCHAIR_PLACE,
            f"{limited}no vehicle with a wheelchair place in {where} on {day}"
            if not limited
            else f"{limited}{_names(vehicles)} has no wheelchair place",
        )
    able = [
        v
        for v in able
        if any(s >= p.seat_demand and w >= p.wheelchair_demand for s, w in v.seat_layouts)
    ]
    if not able:
        return (
            Reason.NOT_ENOUGH_SEATS,
            f"needs {p.seat_demand} seats; no vehicle of {where} on {day} has that many"
            if not limited
            else f"needs {p.seat_demand} seats; {limited}{_names(vehicles)} has not that many",
        )
    limit = settings.max_ride_s(direct, p.max_ride_min)
    if direct > limit:
        took, most = _minutes_apart(direct, limit)
        return (
            Reason.RIDE_TOO_LONG,
            f"the direct ride takes {took} min, more than the maximum of {most}",
        )
    if any(_direct_fits(req, v, pick, drop, direct, matrix, places, settings) for v in able):
        return None
    return (
        Reason.WINDOW_UNREACHABLE,
        f"cannot {req.deadline_words()} within any vehicle's working hours in {where} on "
        f"{day}, even with a direct ride from the depot",
    )


def _names(vehicles: Sequence[Vehicle]) -> str:
    """``ABR-2`` or ``ABR-2 / ABR-3``: the vehicles a rule or lock leaves."""
    return " / ".join(v.id for v in vehicles)


def _direct_fits(
    req: Request,
    v: Vehicle,
    pick: int,
    drop: int,
    direct: int,
    matrix: Matrix,
    places: Mapping[PlaceKey, int],
    settings: Settings,
) -> bool:
    """Whether vehicle ``v`` could serve the request alone, straight from and to its depot."""
    depot = places.get(PlaceKey(StopKind.DEPOT, v.id))
    if depot is None:
        return False
    (p_early, p_late), (d_early, d_late) = req.windows(settings)
    service = boarding_s(req.participant, settings)
    t = max(v.shift_start * 60 + int(matrix.durations[depot, pick]), p_early)
    if t > p_late:
        return False
    t = max(t + service + direct, d_early)
    if t > d_late:
        return False
    return t + service + int(matrix.durations[drop, depot]) <= v.shift_end * 60


def _minutes_apart(longer_s: int, shorter_s: int) -> tuple[str, str]:
    """Two durations in minutes with as many decimals as it takes to tell them apart."""
    for decimals in (0, 1, 2):
        a, b = f"{longer_s / 60:.{decimals}f}", f"{shorter_s / 60:.{decimals}f}"
        if a != b:
            return a, b
    return f"{longer_s / 60:.2f}", f"{shorter_s / 60:.2f}"
