"""Own versus shared transport: metrics, the coalition cost game and fair shares.

The cost of a coalition S of organisations is the money cost of the best shared plan of
S alone (its participants, its vehicles, all of S in one pool), plus a documented price
for every ride that plan cannot serve (``unassigned_ride_cost``: what a coordinator pays
for a separate taxi), so that plans that leave different rides out stay comparable.
``v({i})`` is organisation i's own transport; ``v(N)`` the shared plan of everyone. The
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
from vervoer.routing.planner import plan_week
from vervoer.routing.requests import PlaceKey
from vervoer.sharing.game import CostGame, split_closure

if TYPE_CHECKING:
    from vervoer.sharing.evaluate import ExecutorName
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
    """Own versus shared, the game and the allocations."""

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
) -> Comparison:
    """Plan own and shared, evaluate every coalition, divide the shared cost fairly.

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

    Returns
    -------
    Comparison
        Both plans with their metrics, ``v(S)`` of every coalition (after
        :func:`~vervoer.sharing.game.split_closure`), the allocations and their core
        checks; beyond 8 organisations a sampled Shapley value only.
    """
    from vervoer.sharing import solutions as sol
    from vervoer.sharing.evaluate import evaluate_coalitions

    orgs = tuple(sorted(o.id for o in scenario.organisations))
    chosen = tuple(days) if days is not None else None
    fn = CoalitionCost(scenario, matrix, dict(places), chosen, params, unassigned_ride_cost)
    exact = len(orgs) <= 8
    if exact:
        costs = evaluate_coalitions(
            orgs, fn, executor=executor, scheduler_address=scheduler, progress=progress
        )
        costs, split = split_closure(costs)
    else:
        costs, split = {}, []
    own = plan_week(scenario, matrix, places, mode=Mode.OWN, days=chosen, params=params)
    shared = plan_week(scenario, matrix, places, mode=Mode.SHARED, days=chosen, params=params)
    own_metrics = plan_metrics(own, scenario)
    notes: list[str] = []
    if exact and split:
        notes.append(
            f"{len(split)} coalition(s) cost less as separate smaller pools than in the "
            "solver's joint plan (the search is a heuristic); v(S) takes the cheaper: "
            + "; ".join(" + ".join(sorted(s)) for s in split)
        )
    allocations: dict[str, dict[str, float]] = {}
    if exact:
        game = CostGame(players=orgs, costs=costs)
        allocations["shapley"] = sol.shapley(game)
        allocations["standalone"] = sol.proportional(game, sol.standalone_weights(game))
        allocations["rides"] = sol.proportional(
            game,
            {o: max(own_metrics[o].rides + own_metrics[o].unassigned, 0) or 1e-9 for o in orgs},
        )
        allocations["km"] = sol.proportional(game, {o: own_metrics[o].km or 1e-9 for o in orgs})
        allocations["nucleolus"] = sol.nucleolus(game)
        core = {name: sol.core_check(game, alloc) for name, alloc in allocations.items()}
        core_empty = sol.core_is_empty(game)
    else:
        sampled = sol.shapley_sampled(
            orgs,
            fn,
            n_permutations=20,
            seed=params.seed,
            antithetic=True,
            executor=executor,
            scheduler_address=scheduler,
            progress=progress,
        )
        allocations["shapley (sampled)"] = dict(sampled.values)
        core, core_empty = {}, False
        notes.append(
            f"{len(orgs)} organisations: Shapley value estimated from 20 sampled "
            "permutations; see the confidence intervals"
        )
    return Comparison(
        own=own,
        shared=shared,
        own_metrics=own_metrics,
        shared_metrics=plan_metrics(shared, scenario),
        costs=dict(costs),
        allocations=allocations,
        core=core,
        core_empty=core_empty,
        unassigned_ride_cost=unassigned_ride_cost,
        notes=notes,
    )
