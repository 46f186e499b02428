"""Who pays: each trip's cost split over its passengers, and the settlement between partners.

Two questions, two parts. *Per passenger*: :func:`passenger_costs` splits every route's
cost over its passengers, and :func:`cost_totals` adds the shares up per payer,
organisation and region. *Between the partners*: :func:`settle` turns the fair shares of an
allocation rule (Shapley value by default) into whole cents and a table of transfers
between organisations (see the section "The settlement" below).

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

The settlement
--------------
Each organisation pays the bills of its own buses in the shared plan (and a taxi for each
of its participants' rides the plan leaves out). Its *fair share* is what the allocation
rule the partners chose (``allocation`` in the settings: ``shapley``, ``nucleolus``,
``standalone``, ``rides``, ``km``) says it should pay; within each pool the fair shares are
rounded to whole cents by the largest-remainder method so that they add up exactly to what
the pool's buses and taxis cost. The *net* amount is fair share minus buses and taxis:
positive pays, negative receives. :func:`settlement_transfers` settles the nets with
greedy matching on cents (the largest debtor pays the largest creditor as much as it can,
and so on), at most ``n - 1`` transfers per pool, each organisation ending at exactly
zero: after the transfers every organisation has paid its fair share to the cent.

Example: shares 81.666..., 61.666..., 46.666... of EUR 190.00 become 81.67, 61.67 and 46.66
(the two cents left after flooring go to the first two of three equal remainders). With
buses costing 120.00, 70.00 and 0.00, the nets are -38.33, -8.33 and +46.66: the third
organisation pays 38.33 to the first and 8.33 to the second.

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
    "ALLOCATION_RULES",
    "GROUPINGS",
    "AllocationRule",
    "Grouping",
    "OrgSettlement",
    "PassengerCost",
    "Settlement",
    "Transfer",
    "cost_totals",
    "passenger_costs",
    "plan_cost",
    "ride_counts",
    "settle",
    "settlement_transfers",
    "shares_to_total",
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


# ----------------------------------------------------------------------------- settlement
# Between the partners: each organisation pays the bills of its own buses during the period
# compared; the fair share of the allocation rule says what it should pay; the difference is
# settled by transfers between organisations.

AllocationRule = Literal["shapley", "nucleolus", "standalone", "rides", "km"]
"""A rule that divides a pool's shared cost over its organisations (``allocation`` setting)."""

#: every allocation rule, the default (Shapley value) first
ALLOCATION_RULES: tuple[AllocationRule, ...] = ("shapley", "nucleolus", "standalone", "rides", "km")


@dataclass(frozen=True, slots=True, kw_only=True)
class Transfer:
    """One payment of the settlement: ``payer`` pays ``payee`` ``amount`` euros.

    Attributes
    ----------
    payer, payee
        Organisation ids (``from`` and ``to`` in ``report.json``).
    amount
        Euros, a whole number of cents, above zero.
    """

    payer: str
    payee: str
    amount: float


@dataclass(frozen=True, slots=True, kw_only=True)
class OrgSettlement:
    """What one organisation pays and should pay over the period compared.

    Attributes
    ----------
    organisation, pool
        The organisation and the pool it shares transport in.
    own
        Its cost on its own, ``v({i})`` (own transport).
    buses
        What its own vehicles cost in the shared plan (it pays these bills).
    taxis
        The price of its participants' rides that the shared plan leaves out (a separate
        taxi each, ``unassigned_ride_cost``), which it pays too.
    fair_share
        What it should pay under the allocation rule, in whole cents; the fair shares of
        a pool add up to what the pool's buses and taxis cost.
    """

    organisation: str
    pool: str
    own: float
    buses: float
    taxis: float
    fair_share: float

    @property
    def net(self) -> float:
        """What it pays (positive) or receives (negative) in the settlement."""
        return (to_cents(self.fair_share) - to_cents(self.buses) - to_cents(self.taxis)) / 100

    @property
    def saving(self) -> float:
        """Own cost minus fair share (euros)."""
        return (to_cents(self.own) - to_cents(self.fair_share)) / 100

    @property
    def saving_pct(self) -> float:
        """The saving as a percentage of the own cost (0 when that is 0)."""
        return 100 * self.saving / self.own if self.own else 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Settlement:
    """The settlement between the partners: fair shares and the transfers that realise them.

    Attributes
    ----------
    rule
        The allocation rule the fair shares come from.
    organisations
        One row per organisation, in the order given.
    transfers
        The payments, pool by pool, largest debts first; they add up to zero per
        organisation against its net amount.
    scaled
        The pools whose allocation did not add up to what their buses and taxis cost in the
        shared plan (the game's v(P) comes from a separate search), so that the fair shares
        were scaled to that cost.
    """

    rule: str
    organisations: tuple[OrgSettlement, ...]
    transfers: tuple[Transfer, ...]
    scaled: tuple[str, ...] = ()


_MICRO = 1_000_000  # shares_to_total compares remainders in millionths of a cent


def shares_to_total(values: Mapping[str, float], total: int) -> dict[str, int]:
    """Scale amounts to add up to ``total`` cents, rounded by the largest-remainder method.

    Parameters
    ----------
    values
        Name -> amount in euros (an allocation; may hold negative amounts).
    total
        The whole to divide, in cents.

    Returns
    -------
    dict of str to int
        Name -> cents, in proportion to ``values`` (all equal when ``values`` add up to
        zero), adding up to ``total`` exactly. Cents left over after flooring go to the
        largest remainders, ties (remainders within a millionth of a cent) to the earliest
        name in ``values``' order.
    """
    from fractions import Fraction

    names = list(values)
    if not names:
        return {}
    whole = sum(Fraction(v) for v in values.values())
    if whole == 0:
        return dict(zip(names, split_cents(total, [1] * len(names)), strict=True))
    exact = [Fraction(values[n]) * total / whole for n in names]
    floors = [x.numerator // x.denominator for x in exact]
    left = total - sum(floors)  # the exact shares add up to total: 0 <= left < len(names)
    # remainders compared in millionths of a cent: shares that are equal in exact
    # arithmetic (a Shapley value in thirds) may differ in their last bits between runs,
    # which must not decide who gets a cent left over
    order = sorted(range(len(names)), key=lambda i: (-round((exact[i] - floors[i]) * _MICRO), i))
    for i in order[:left]:
        floors[i] += 1
    return dict(zip(names, floors, strict=True))


def settlement_transfers(net: Mapping[str, int]) -> list[Transfer]:
    """The transfers that settle net amounts: each debtor pays creditors, largest first.

    Greedy matching on cents: the largest debtor pays the largest creditor as much as the
    smaller of the two, until both lists are empty. At most ``n - 1`` transfers; every
    organisation ends exactly at zero.

    Parameters
    ----------
    net
        Organisation -> cents it pays (positive) or receives (negative); they add up to 0.

    Returns
    -------
    list of Transfer
        The payments, ordered as made.

    Raises
    ------
    ValueError
        When the net amounts do not add up to zero.
    """
    if sum(net.values()) != 0:
        msg = f"the net amounts add up to {sum(net.values())} cents, not 0: {dict(net)}"
        raise ValueError(msg)
    debtors = sorted(((c, n) for n, c in net.items() if c > 0), key=lambda x: (-x[0], x[1]))
    creditors = sorted(((-c, n) for n, c in net.items() if c < 0), key=lambda x: (-x[0], x[1]))
    out: list[Transfer] = []
    i = j = 0
    owe = debtors[0][0] if debtors else 0
    due = creditors[0][0] if creditors else 0
    while i < len(debtors) and j < len(creditors):
        amount = min(owe, due)
        out.append(Transfer(payer=debtors[i][1], payee=creditors[j][1], amount=amount / 100))
        owe, due = owe - amount, due - amount
        if owe == 0:
            i += 1
            owe = debtors[i][0] if i < len(debtors) else 0
        if due == 0:
            j += 1
            due = creditors[j][0] if j < len(creditors) else 0
    return out


def settle(
    *,
    pools: Mapping[str, Sequence[str]],
    own: Mapping[str, float],
    buses: Mapping[str, float],
    taxis: Mapping[str, float],
    allocation: Mapping[str, float],
    rule: str = "shapley",
) -> Settlement:
    """Fair shares in whole cents and the transfers between organisations, pool by pool.

    Within each pool the amount to divide is what the pool's buses and taxis cost in the
    shared plan (whole cents); it is divided in proportion to ``allocation`` (the rule's
    shares of ``v(P)``, which equal that cost unless a separate search found another) by
    :func:`shares_to_total`. An organisation's net amount is its fair share minus its buses
    and taxis; :func:`settlement_transfers` settles the nets of each pool.

    Parameters
    ----------
    pools
        Pool name -> its organisations (each organisation in one pool).
    own, buses, taxis, allocation
        Organisation -> euros: own cost ``v({i})``, its buses and taxis in the shared plan,
        its share under the rule.
    rule
        The name of the rule (for the record).

    Returns
    -------
    Settlement
        After the transfers each organisation has paid exactly its fair share (to the cent).
    """
    rows: list[OrgSettlement] = []
    transfers: list[Transfer] = []
    scaled: list[str] = []
    for name, members in pools.items():
        total = sum(to_cents(buses.get(o, 0.0)) + to_cents(taxis.get(o, 0.0)) for o in members)
        if abs(sum(allocation.get(o, 0.0) for o in members) * 100 - total) >= 0.5:
            scaled.append(name)
        fair = shares_to_total({o: allocation.get(o, 0.0) for o in members}, total)
        net = {
            o: fair[o] - to_cents(buses.get(o, 0.0)) - to_cents(taxis.get(o, 0.0)) for o in members
        }
        transfers += settlement_transfers(net)
        rows += [
            OrgSettlement(
                organisation=o,
                pool=name,
                own=own.get(o, 0.0),
                buses=to_cents(buses.get(o, 0.0)) / 100,
                taxis=to_cents(taxis.get(o, 0.0)) / 100,
                fair_share=fair[o] / 100,
            )
            for o in members
        ]
    return Settlement(
        rule=rule, organisations=tuple(rows), transfers=tuple(transfers), scaled=tuple(scaled)
    )
