"""Who pays: each trip's cost split over its passengers, totalled per payer, organisation, region.

A plan prices routes, not passengers: :attr:`~vervoer.core.model.Route.cost` is what one
vehicle's route of one trip costs (hours and km, plus the fixed cost of the vehicle day on
the vehicle's first trip of that day). The partners fund rides per participant, through a
payer (``wlz``, ``wmo:zeist``, ``pgb``, or the participant's organisation), and want the
cost per payer, per organisation and per deelregio. This module splits every route's cost
over the passengers who board in it and adds the shares up.

The rule
--------
A route's cost is split **in proportion to each passenger's stand-alone direct ride**: the
travel time (matrix seconds) from the passenger's pickup place straight to their delivery
place (home to location for ``heen``, location to home for ``terug``, location to location
for a transfer), as if the vehicle drove only them and took no detour. So:

* a passenger who lives far away, and would cost more to drive on their own, pays more
  than one who lives around the corner;
* it is simple and explainable: a coordinator can check a share with a ruler and a
  calculator, and a passenger's share depends only on their own ride and the route's total,
  not on the order of the stops the solver happened to choose;
* it is stable: moving one passenger to another bus changes the shares of that route and
  of the bus they move to, nothing else.

A Shapley split within a trip (the average marginal cost of a passenger over every order
in which the passengers could join) would be exact in the game-theory sense, but it needs
the cost of a route for every subset of the passengers: exponential in their number, and
each subset a routing problem of its own. The proportional rule is its usual, cheap
stand-in.

Rounding: money is split in whole cents with the **largest-remainder method**. A route of
``C`` cents and weights ``w_i`` (seconds) gives passenger i first ``floor(C * w_i / W)``
cents (``W`` the sum of the weights); the cents left over go one each to the passengers
with the largest remainders (ties: the passenger who boards first). The shares of a route
add up to its cost exactly, and so every total of :func:`cost_totals` (per payer, per
organisation, per region, per vehicle owner) adds up to the plan's route cost to the cent.

A passenger without a request in the scenario, or whose pickup or delivery place is not in
the matrix, gets a weight of 1 second; a direct ride of 0 seconds (or one without a road)
counts as 1 second too, so no route has only zero weights. A route without passengers
(which a plan should not have) is charged to the organisation that owns the vehicle: one
row with an empty participant, that organisation as organisation and payer, and no region.

Examples
--------
Three passengers with direct rides of 10, 20 and 30 minutes in a route of EUR 60.01: the
exact shares are 10.0017, 20.0033 and 30.005; floored to cents 10.00, 20.00 and 30.00, with
one cent left over, which goes to the largest remainder (30.005): EUR 10.00, 20.00, 30.01.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from vervoer.core.model import Participant, Plan, Route
from vervoer.geo.matrix import UNREACHABLE, Matrix
from vervoer.io.scenario import Scenario
from vervoer.routing.requests import PlaceKey, Request, requests_for

__all__ = [
    "GROUPINGS",
    "Grouping",
    "PassengerCost",
    "cost_totals",
    "passenger_costs",
    "plan_cost",
    "ride_counts",
    "split_cents",
    "to_cents",
]

Grouping = Literal["payer", "organisation", "region", "vehicle_owner"]
"""What :func:`cost_totals` adds the shares up by."""

#: every grouping of :func:`cost_totals`, in the order the reports show them
GROUPINGS: tuple[Grouping, ...] = ("payer", "organisation", "region", "vehicle_owner")


@dataclass(frozen=True, slots=True, kw_only=True)
class PassengerCost:
    """One passenger's share of one route (one row of the cost per participant).

    Attributes
    ----------
    trip
        The trip, as ``str`` of its :class:`~vervoer.core.model.RideKey` (``mon-heen``).
    vehicle
        The vehicle of the route.
    participant
        The passenger's id; empty for a route without passengers.
    organisation
        The passenger's organisation (the vehicle's for a route without passengers; empty
        for a participant the scenario does not know).
    payer
        Who pays the ride: :attr:`~vervoer.core.model.Participant.paid_by`.
    region
        The deelregio of the ride's location (empty when none is given).
    cost
        The share in euros, a whole number of cents.
    vehicle_owner
        The organisation that owns the vehicle.
    """

    trip: str
    vehicle: str
    participant: str
    organisation: str
    payer: str
    region: str
    cost: float
    vehicle_owner: str = ""


def to_cents(euros: float) -> int:
    """An amount in euros as whole cents (rounded half to even, like :func:`round`)."""
    return round(euros * 100)


def split_cents(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` cents in proportion to ``weights`` by the largest-remainder method.

    Parameters
    ----------
    total
        The amount to split, in cents (may be negative or zero).
    weights
        One positive integer weight per share.

    Returns
    -------
    list of int
        One amount per weight, in cents, adding up to ``total`` exactly; cents left over
        after flooring go to the largest remainders, ties to the earliest weight.

    Raises
    ------
    ValueError
        When there are no weights or a weight is not positive.
    """
    if not weights or any(w <= 0 for w in weights):
        msg = f"split_cents needs one or more positive weights, not {list(weights)}"
        raise ValueError(msg)
    whole = sum(weights)
    shares = [total * w // whole for w in weights]
    remainders = [total * w % whole for w in weights]
    left = total - sum(shares)  # 0 <= left < len(weights)
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in order[:left]:
        shares[i] += 1
    return shares


def _weight(request: Request | None, matrix: Matrix, places: Mapping[PlaceKey, int]) -> int:
    """The stand-alone direct-ride time of a request in seconds (at least 1)."""
    if request is None:
        return 1
    pickup, delivery = request.ends(places)
    if pickup is None or delivery is None:
        return 1
    seconds = int(matrix.durations[pickup, delivery])
    return seconds if 0 < seconds < UNREACHABLE else 1


def _passengers(route: Route) -> list[str]:
    """The participants who board in a route, in boarding order, each once."""
    seen: dict[str, None] = {}
    for stop in route.stops:
        for pid in stop.boarding:
            seen.setdefault(pid, None)
    return list(seen)


def passenger_costs(
    plan: Plan, scenario: Scenario, matrix: Matrix, places: Mapping[PlaceKey, int]
) -> list[PassengerCost]:
    """Split every route's cost over its passengers (see the module's rule).

    Parameters
    ----------
    plan
        The plan whose route costs are split.
    scenario
        The scenario the plan was made for (for a re-planned date: that date's scenario,
        :func:`~vervoer.routing.changes.plan_scenario`); gives each passenger's request,
        organisation, payer and the region of the ride's location.
    matrix, places
        The travel-time matrix of the scenario and each place's index in it.

    Returns
    -------
    list of PassengerCost
        One row per passenger per route, in the order of the plan's trips, routes and
        boardings (one row with an empty participant for a route without passengers). The
        rows of a route add up to its cost to the cent.
    """
    people: dict[str, Participant] = {p.id: p for p in scenario.participants}
    rows: list[PassengerCost] = []
    for ride in plan.rides:
        requests = {r.participant.id: r for r in requests_for(scenario, ride.key)}
        trip = str(ride.key)
        for route in ride.routes:
            cents = to_cents(route.cost)
            passengers = _passengers(route)
            if not passengers:
                rows.append(
                    PassengerCost(
                        trip=trip,
                        vehicle=route.vehicle,
                        participant="",
                        organisation=route.organisation,
                        payer=route.organisation,
                        region="",
                        cost=cents / 100,
                        vehicle_owner=route.organisation,
                    )
                )
                continue
            weights = [_weight(requests.get(pid), matrix, places) for pid in passengers]
            for pid, share in zip(passengers, split_cents(cents, weights), strict=True):
                request = requests.get(pid)
                person = request.participant if request is not None else people.get(pid)
                rows.append(
                    PassengerCost(
                        trip=trip,
                        vehicle=route.vehicle,
                        participant=pid,
                        organisation=person.organisation if person is not None else "",
                        payer=person.paid_by if person is not None else "",
                        region=request.location.region if request is not None else "",
                        cost=share / 100,
                        vehicle_owner=route.organisation,
                    )
                )
    return rows


def _key(row: PassengerCost, by: Grouping) -> str:
    if by not in GROUPINGS:
        msg = f"cannot total costs by {by!r}; expected one of {', '.join(GROUPINGS)}"
        raise ValueError(msg)
    value: str = getattr(row, by)
    return value


def cost_totals(rows: Iterable[PassengerCost], by: Grouping) -> dict[str, float]:
    """The shares added up per payer, organisation, region or vehicle owner.

    Parameters
    ----------
    rows
        The rows of :func:`passenger_costs`.
    by
        ``payer``, ``organisation``, ``region`` (empty: no region given) or
        ``vehicle_owner``.

    Returns
    -------
    dict of str to float
        Name -> euros (summed in whole cents), sorted by name. The totals add up to the
        plan's route cost (:func:`plan_cost`) to the cent, whatever ``by`` is.

    Raises
    ------
    ValueError
        For an unknown ``by``.
    """
    cents: dict[str, int] = {}
    for row in rows:
        key = _key(row, by)
        cents[key] = cents.get(key, 0) + to_cents(row.cost)
    return {key: cents[key] / 100 for key in sorted(cents)}


def ride_counts(rows: Iterable[PassengerCost], by: Grouping) -> dict[str, int]:
    """The number of passenger rides per payer, organisation, region or vehicle owner.

    Rows of routes without passengers count no ride (their name is still a key).

    Parameters
    ----------
    rows
        The rows of :func:`passenger_costs`.
    by
        As for :func:`cost_totals`.

    Returns
    -------
    dict of str to int
        Name -> rides, sorted by name (the same keys as :func:`cost_totals`).
    """
    counts: dict[str, int] = {}
    for row in rows:
        key = _key(row, by)
        counts[key] = counts.get(key, 0) + (1 if row.participant else 0)
    return {key: counts[key] for key in sorted(counts)}


def plan_cost(plan: Plan) -> float:
    """The plan's route cost in euros: the sum of its routes, added up in whole cents."""
    return sum(to_cents(r.cost) for ride in plan.rides for r in ride.routes) / 100
