"""Own versus shared transport: metrics, the coalition cost game and fair shares.

The cost of a coalition S of organisations is the money cost of the best shared plan of
S alone (its participants, its vehicles, all of S in one pool), plus a documented price
for every ride that plan cannot serve (``unassigned_ride_cost``: what a coordinator pays
for a separate taxi), so that plans that leave different rides out stay comparable.
``v({i})`` is organisation i's own transport.

Pools: the shared plan is the pooled plan the settings describe (``[pools]``, one pool per
deelregio, or one pool with everyone), and the game is played within each pool P: its
players are P's organisations, ``v(P)`` is P's shared plan, and P's cost is divided over
P's organisations only (organisations in different pools never share a vehicle). The
settlement (:func:`vervoer.sharing.settlement.settle`) turns the chosen rule's shares
into whole cents and transfers between organisations, pool by pool. The
coalitions are evaluated with :mod:`vervoer.sharing.evaluate`, repaired with
:func:`vervoer.sharing.game.split_closure`, and ``v(N)`` is divided with
:mod:`vervoer.sharing.solutions` (Shapley value, simple proportional keys, nucleolus,
core check). What-if edits of a scenario are in :mod:`vervoer.sharing.whatif`.
"""

from __future__ import annotations

import dataclasses
import statistics
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from vervoer.core.model import Mode, Plan, Pool, RideKey, Weekday
from vervoer.core.settings import SolveParams
from vervoer.geo.matrix import Matrix
from vervoer.io.scenario import Scenario
from vervoer.routing.planner import plan_week, pools_for
from vervoer.routing.requests import PlaceKey, all_trips
from vervoer.sharing.game import CostGame, split_closure

if TYPE_CHECKING:
    from vervoer.sharing.evaluate import ExecutorName
    from vervoer.sharing.settlement import PassengerCost, Settlement
    from vervoer.sharing.solutions import CoreCheck

UNASSIGNED_RIDE_COST = 75.0  # euros per ride left out (assumption: a separate taxi ride)
CO2_G_PER_KM = 220.0


@dataclass(frozen=True, slots=True, kw_only=True)
class OrgMetrics:
    """What one organisation's transport amounts to in a plan (or in total)."""

    cost: float = 0.0
    km: float = 0.0
    hours: float = 0.0
    vehicles_per_day: float = 0.0
    max_vehicles: int = 0
    rides: int = 0
    unassigned: int = 0
    ride_minutes: tuple[float, ...] = ()
    co2_kg: float = 0.0

    @property
    def mean_ride_min(self) -> float:
        """Average ride time of the participants (minutes)."""
        return statistics.fmean(self.ride_minutes) if self.ride_minutes else 0.0

    @property
    def max_ride_min(self) -> float:
        """Longest ride time of a participant (minutes)."""
        return max(self.ride_minutes, default=0.0)


def ride_times(plan: Plan) -> dict[tuple[RideKey, str], float]:
    """Minutes in the vehicle per (ride, participant): drop-off arrival - pickup departure."""
    out: dict[tuple[RideKey, str], float] = {}
    for ride in plan.rides:
        for route in ride.routes:
            boarded: dict[str, int] = {}
            for stop in route.stops:
                for pid in stop.boarding:
                    boarded[pid] = stop.departure
                for pid in stop.alighting:
                    if pid in boarded:
                        out[(ride.key, pid)] = (stop.arrival - boarded.pop(pid)) / 60
    return out


def plan_metrics(
    plan: Plan,
    scenario: Scenario,
    *,
    by: str = "vehicle",
    co2_g_per_km: float = CO2_G_PER_KM,
) -> dict[str, OrgMetrics]:
    """Metrics per organisation and ``"total"``.

    ``by="vehicle"`` counts a route for the organisation owning the vehicle (money, km,
    hours, vehicles); rides, ride times and unassigned always count for the participant's
    organisation.
    """
    owner = {p.id: p.organisation for p in scenario.participants}
    orgs = [o.id for o in scenario.organisations]
    acc: dict[str, dict[str, float]] = {o: defaultdict(float) for o in [*orgs, "total"]}
    minutes: dict[str, list[float]] = {o: [] for o in [*orgs, "total"]}
    per_day: dict[str, dict[str, set[str]]] = {o: defaultdict(set) for o in [*orgs, "total"]}
    for ride in plan.rides:
        for route in ride.routes:
            for key in (route.organisation, "total"):
                a = acc[key]
                a["cost"] += route.cost
                a["km"] += route.distance_m / 1000
                a["hours"] += route.duration_s / 3600
                per_day[key][ride.key.weekday.value].add(route.vehicle)
            for stop in route.stops:
                for pid in stop.boarding:
                    acc[owner[pid]]["rides"] += 1
                    acc["total"]["rides"] += 1
        for u in ride.unassigned:
            acc[u.organisation]["unassigned"] += 1
            acc["total"]["unassigned"] += 1
    for (_, pid), m in ride_times(plan).items():
        minutes[owner[pid]].append(m)
        minutes["total"].append(m)
    out = {}
    for key, a in acc.items():
        counts = [len(v) for v in per_day[key].values()]
        out[key] = OrgMetrics(
            cost=round(a["cost"], 2),
            km=round(a["km"], 1),
            hours=round(a["hours"], 2),
            vehicles_per_day=round(statistics.fmean(counts), 2) if counts else 0.0,
            max_vehicles=max(counts, default=0),
            rides=int(a["rides"]),
            unassigned=int(a["unassigned"]),
            ride_minutes=tuple(sorted(minutes[key])),
            co2_kg=round(a["km"] * co2_g_per_km / 1000, 1),
        )
    return out


# ----------------------------------------------------------------------------- game


def coalition_scenario(scenario: Scenario, members: frozenset[str]) -> Scenario:
    """The scenario of a coalition: its organisations, participants and vehicles, one pool."""
    people = tuple(p for p in scenario.participants if p.organisation in members)
    ids = {p.id for p in people}
    return dataclasses.replace(
        scenario,
        organisations=tuple(o for o in scenario.organisations if o.id in members),
        participants=people,
        attendance=tuple(a for a in scenario.attendance if a.participant in ids),
        vehicles=tuple(v for v in scenario.vehicles if v.organisation in members),
        settings=dataclasses.replace(
            scenario.settings,
            pools=(Pool(name="coalition", organisations=tuple(sorted(members))),),
        ),
    )


@dataclass(frozen=True, slots=True)
class CoalitionCost:
    """A picklable cost function of coalitions (for process pools and Dask workers)."""

    scenario: Scenario
    matrix: Matrix
    places: Mapping[PlaceKey, int]
    days: tuple[Weekday, ...] | None
    params: SolveParams
    unassigned_ride_cost: float = UNASSIGNED_RIDE_COST

    def plan(self, members: frozenset[str]) -> Plan:
        """The shared plan of one coalition (planned in this process)."""
        sub = coalition_scenario(self.scenario, members)
        return plan_week(
            sub,
            self.matrix,
            self.places,
            mode=Mode.SHARED,
            days=self.days,
            params=self.params,
            workers=1,
        )

    def __call__(self, members: frozenset[str]) -> float:
        """v(S): route costs plus the price of every ride left out."""
        plan = self.plan(members)
        routes = sum(r.cost for ride in plan.rides for r in ride.routes)
        left_out = sum(len(ride.unassigned) for ride in plan.rides)
        return round(routes + left_out * self.unassigned_ride_cost, 2)


@dataclass(slots=True)
class Comparison:
    """Own versus shared, the game per pool, the allocations and the settlement.

    Attributes
    ----------
    own, shared
        The plans of own transport and of the shared (pooled) plan the settings describe.
    own_metrics, shared_metrics
        :func:`plan_metrics` of both, per organisation and ``"total"``.
    costs
        ``v(S)`` of every coalition evaluated: the subsets of each pool (after
        :func:`~vervoer.sharing.game.split_closure`).
    allocations
        Rule name -> organisation -> share; within each pool the shares add up to ``v(P)``.
    core, core_empty
        The core check of each allocation (all pools together) and whether the core of
        a pool's game is empty.
    unassigned_ride_cost
        The price of a ride a plan leaves out.
    notes
        Remarks in English (also for the terminal); the report words them itself.
    pools
        The pools of the shared plan; the cost game is played within each.
    days
        The weekdays compared (whole days).
    all_days
        Whether those are every day of the attendance (no ``--day`` given).
    trips
        The number of trips of those days.
    rule
        The allocation rule the partners chose (``allocation`` setting); the fair shares
        and the settlement use it.
    settlement
        Fair shares in cents and the transfers between organisations (None when the rule
        could not be computed).
    split
        The coalitions whose joint plan cost more than running them as separate pools.
    sampled
        Whether the Shapley value was estimated from sampled permutations (a pool of more
        than 8 organisations).
    own_costs, shared_costs
        Both plans' route costs split over their passengers
        (:func:`~vervoer.sharing.settlement.passenger_costs`), for the totals per payer
        and per region.
    """

    own: Plan
    shared: Plan
    own_metrics: dict[str, OrgMetrics]
    shared_metrics: dict[str, OrgMetrics]
    costs: dict[frozenset[str], float]
    allocations: dict[str, dict[str, float]]
    core: dict[str, CoreCheck]
    core_empty: bool
    unassigned_ride_cost: float
    notes: list[str] = field(default_factory=list)
    pools: tuple[Pool, ...] = ()
    days: tuple[Weekday, ...] = ()
    all_days: bool = True
    trips: int = 0
    rule: str = "shapley"
    settlement: Settlement | None = None
    split: list[frozenset[str]] = field(default_factory=list)
    sampled: bool = False
    own_costs: list[PassengerCost] = field(default_factory=list)
    shared_costs: list[PassengerCost] = field(default_factory=list)

    @property
    def rides(self) -> int:
        """The rides requested over the days compared (planned or left out)."""
        total = self.shared_metrics.get("total", OrgMetrics())
        return total.rides + total.unassigned

    def pool_of(self, organisation: str) -> str:
        """The name of the pool an organisation shares in (empty when it is in none)."""
        return next((p.name for p in self.pools if organisation in p.organisations), "")

    def fair_shares(self) -> dict[str, float]:
        """Organisation -> its fair share (the settlement's cents, else the rule's share)."""
        if self.settlement is not None:
            return {r.organisation: r.fair_share for r in self.settlement.organisations}
        return dict(self.allocations.get(self.rule, {}))


def _merge_checks(checks: Sequence[CoreCheck]) -> CoreCheck:
    """The core checks of the pools' games as one: in the core when every pool is."""
    from vervoer.sharing.solutions import CoreCheck

    return CoreCheck(
        in_core=all(c.in_core for c in checks),
        efficient=all(c.efficient for c in checks),
        total=sum(c.total for c in checks),
        grand_cost=sum(c.grand_cost for c in checks),
        violations=tuple(v for c in checks for v in c.violations),
        max_excess=max((c.max_excess for c in checks), default=float("-inf")),
        checked=sum(c.checked for c in checks),
        complete=all(c.complete for c in checks),
    )


def _pool_allocations(
    game: CostGame, own_metrics: Mapping[str, OrgMetrics]
) -> dict[str, dict[str, float]]:
    """Every allocation rule on one pool's complete game."""
    from vervoer.sharing import solutions as sol

    orgs = game.players

    def proportional(weights: Mapping[str, float]) -> dict[str, float]:
        if sum(weights.values()) <= 0:  # nothing to weigh by (a pool without rides): equal
            weights = dict.fromkeys(orgs, 1.0)
        return sol.proportional(game, weights)

    return {
        "shapley": sol.shapley(game),
        "nucleolus": sol.nucleolus(game),
        "standalone": proportional(sol.standalone_weights(game)),
        "rides": proportional(
            {o: float(max(own_metrics[o].rides + own_metrics[o].unassigned, 0)) for o in orgs}
        ),
        "km": proportional({o: own_metrics[o].km for o in orgs}),
    }


def compare(
    scenario: Scenario,
    matrix: Matrix,
    places: Mapping[PlaceKey, int],
    *,
    days: Sequence[Weekday] | None = None,
    params: SolveParams,
    executor: ExecutorName = "process",
    scheduler: str | None = None,
    unassigned_ride_cost: float = UNASSIGNED_RIDE_COST,
    progress: Callable[[int, int], None] | None = None,
    rule: str | None = None,
) -> Comparison:
    """Plan own and shared, play the cost game within each pool, divide and settle.

    The shared plan is the pooled plan the settings describe
    (:func:`~vervoer.routing.planner.pools_for`: the ``[pools]``, one per deelregio, or one
    pool with everyone), and the cost game is played **within each pool**: for a pool P the
    players are P's organisations and ``v(S)`` for S within P is the cost of S's best shared
    plan; P's shared cost ``v(P)`` is divided over P's organisations only. Organisations in
    different pools never share a vehicle, so they owe each other nothing.

    Parameters
    ----------
    scenario, matrix, places
        A prepared scenario (see :func:`vervoer.pipeline.prepare`).
    days
        The days to compare (default: every day in the attendance), each with all its
        trips: a vehicle day is the unit of planning, so a coalition plans whole days.
    params
        Solver parameters; the same for every coalition.
    executor
        ``process`` (all local cores), ``serial`` or ``dask`` (``scheduler`` address, or
        a local cluster when None).
    unassigned_ride_cost
        Price of a ride a plan leaves out (euros), added to v(S).
    progress
        Called with (coalitions done, total).
    rule
        The allocation rule of the fair shares and the settlement (default: the
        ``allocation`` setting, Shapley value).

    Returns
    -------
    Comparison
        Both plans with their metrics, ``v(S)`` of every coalition within each pool (after
        :func:`~vervoer.sharing.game.split_closure`), the allocations, their core checks,
        and the settlement; a pool of more than 8 organisations gets a sampled Shapley
        value only.
    """
    from vervoer.sharing import solutions as sol
    from vervoer.sharing.evaluate import evaluate_coalitions
    from vervoer.sharing.game import all_coalitions
    from vervoer.sharing.settlement import passenger_costs, settle

    chosen = tuple(days) if days is not None else None
    keys = all_trips(scenario, chosen)
    week_days = tuple(
        d
        for d in Weekday
        if (d in chosen if chosen is not None else any(k.weekday is d for k in keys))
    )
    pools = pools_for(scenario, Mode.SHARED)
    fn = CoalitionCost(scenario, matrix, dict(places), chosen, params, unassigned_ride_cost)
    small = [p for p in pools if len(p.organisations) <= 8]
    large = [p for p in pools if len(p.organisations) > 8]
    todo = [s for p in small for s in all_coalitions(p.organisations)]
    everyone = tuple(o.id for o in scenario.organisations)
    costs: dict[frozenset[str], float] = {}
    split: list[frozenset[str]] = []
    if todo:
        costs = evaluate_coalitions(
            everyone,
            fn,
            coalitions=todo,
            executor=executor,
            scheduler_address=scheduler,
            progress=progress,
        )
        costs, split = split_closure(costs)
    own = plan_week(scenario, matrix, places, mode=Mode.OWN, days=chosen, params=params)
    shared = plan_week(scenario, matrix, places, mode=Mode.SHARED, days=chosen, params=params)
    own_metrics = plan_metrics(own, scenario, co2_g_per_km=scenario.settings.co2_g_per_km)
    shared_metrics = plan_metrics(shared, scenario, co2_g_per_km=scenario.settings.co2_g_per_km)
    notes: list[str] = []
    if split:
        notes.append(
            f"{len(split)} coalition(s) cost less as separate smaller pools than in the "
            "solver's joint plan (the search is a heuristic); v(S) takes the cheaper: "
            + "; ".join(" + ".join(sorted(s)) for s in split)
        )
    allocations: dict[str, dict[str, float]] = {}
    checks: dict[str, list[CoreCheck]] = {}
    core_empty = False
    for pool in small:
        game = CostGame(
            players=pool.organisations,
            costs={s: costs[s] for s in all_coalitions(pool.organisations)},
        )
        for name, alloc in _pool_allocations(game, own_metrics).items():
            if large and name != "shapley":  # only the Shapley value exists for every pool
                continue
            allocations.setdefault(name, {}).update(alloc)
            checks.setdefault(name, []).append(sol.core_check(game, alloc))
        core_empty = core_empty or sol.core_is_empty(game)
    for pool in large:
        sampled = sol.shapley_sampled(
            pool.organisations,
            fn,
            n_permutations=20,
            seed=params.seed,
            antithetic=True,
            executor=executor,
            scheduler_address=scheduler,
            progress=progress,
        )
        allocations.setdefault("shapley", {}).update(sampled.values)
        costs[frozenset(pool.organisations)] = round(sum(sampled.values.values()), 2)
        for o in pool.organisations:  # v({i}) for the own cost of the report
            costs.setdefault(frozenset({o}), sampled.costs.get(frozenset({o}), 0.0))
        notes.append(
            f"pool {pool.name}: {len(pool.organisations)} organisations; Shapley value "
            "estimated from 20 sampled permutations"
        )
    core = {name: _merge_checks(c) for name, c in checks.items() if not large}
    chosen_rule = rule or scenario.settings.allocation
    if chosen_rule not in allocations:
        if allocations:
            notes.append(
                f"allocation rule {chosen_rule!r} not available; the Shapley value is used"
            )
        chosen_rule = "shapley"
    taxis = {o: shared_metrics[o].unassigned * unassigned_ride_cost for o in everyone}
    settlement = None
    if chosen_rule in allocations:
        settlement = settle(
            pools={p.name: p.organisations for p in pools},
            own={o: costs.get(frozenset({o}), own_metrics[o].cost) for o in everyone},
            buses={o: shared_metrics[o].cost for o in everyone},
            taxis=taxis,
            allocation=allocations[chosen_rule],
            rule=chosen_rule,
        )
    return Comparison(
        own=own,
        shared=shared,
        own_metrics=own_metrics,
        shared_metrics=shared_metrics,
        costs=dict(costs),
        allocations=allocations,
        core=core,
        core_empty=core_empty,
        unassigned_ride_cost=unassigned_ride_cost,
        notes=notes,
        pools=pools,
        days=week_days,
        all_days=chosen is None,
        trips=len(keys),
        rule=chosen_rule,
        settlement=settlement,
        split=list(split),
        sampled=bool(large),
        own_costs=passenger_costs(own, scenario, matrix, places),
        shared_costs=passenger_costs(shared, scenario, matrix, places),
    )
