"""One schedule per vehicle day against independent rides, on the demo week.

Usage::

    .venv/bin/python benchmarks/bench_vehicle_days.py [--days mon tue wed thu fri] [--osm FILE]

Builds the demo scenario (real Liechtenstein addresses, 4 organisations, 8 locations,
14 vehicles, 120 participants, its few rules; on Wednesday location L1 is open in the
morning only and L2 in the afternoon only) and plans the chosen days in own and shared
mode, twice, with the demo's budget (30 solutions, 25 LNS rounds, 120 s cap per trip and
pool), on one core:

- ``vehicle days`` (what ``vervoer plan`` does, here with ``stable_week = false`` so that
  only the vehicle-day model differs): the trips of a day in time order, each vehicle's
  availability carried forward, the fixed cost once per vehicle day;
- ``independent`` (the plain alternative, vervoer before vehicle days): the rides of each
  day and direction (all heen, all terug) planned as one problem with the whole fleet free
  and the fixed cost charged on every ride, as the planner did before (with the same rules).

It prints cost, vehicles per day (mean and max), vehicle days, vehicle hours, the number of
double bookings (a vehicle on two trips at once) and seconds, with ratios. The independent
plan's cost is what it claims; its double bookings show why it is not a real plan.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import tempfile
import time
from pathlib import Path

from vervoer import pipeline
from vervoer.core.model import Direction, Mode, Plan, RideKey, RidePlan, Weekday
from vervoer.core.settings import SolveParams
from vervoer.demo import address_points, make_scenario
from vervoer.geo.matrix import snap
from vervoer.io.scenario import write_scenario
from vervoer.routing.planner import _plan_pool, pools_for
from vervoer.routing.requests import all_trips, trips_of_day
from vervoer.routing.rules import RuleBook

ROOT = Path(__file__).resolve().parent.parent
OSM = Path(
    os.environ.get(
        "VERVOER_OSM", ROOT.parent / "shared" / "data" / "osm" / "liechtenstein-2015.osm.pbf"
    )
)


def figures(plan: Plan) -> dict[str, float]:
    """Cost, vehicles per day, vehicle days, hours and double bookings of a plan."""
    days = plan.vehicle_days()
    per_day: dict[Weekday, int] = {}
    for vd in days:
        per_day[vd.weekday] = per_day.get(vd.weekday, 0) + 1
    double = 0
    for vd in days:
        for (_, a), (_, b) in zip(vd.trips[:-1], vd.trips[1:], strict=True):
            double += b.stops[0].departure < a.stops[-1].arrival
    routes = [r for ride in plan.rides for r in ride.routes]
    return {
        "cost": round(sum(r.cost for r in routes), 2),
        "vehicles_mean": statistics.fmean(per_day.values()) if per_day else 0.0,
        "vehicles_max": max(per_day.values(), default=0),
        "vehicle_days": len(days),
        "hours": sum(r.duration_s for r in routes) / 3600,
        "unassigned": sum(len(ride.unassigned) for ride in plan.rides),
        "double": double,
    }


def independent_rides(prepared: pipeline.Prepared, days, mode: Mode, params) -> Plan:
    """The old planner: per day and direction one problem, every vehicle free, fixed each."""
    sc = prepared.scenario
    rides = []
    for day in days:
        requests = [r for reqs in trips_of_day(sc, day).values() for r in reqs]
        for direction, trip in ((Direction.HEEN, "heen"), (Direction.TERUG, "terug")):
            key = RideKey(weekday=day, trip=trip)
            wanted = [r for r in requests if r.direction is direction]
            routes, unassigned = [], []
            for pool in pools_for(sc, mode):
                members = set(pool.organisations)
                vehicles = [
                    v for v in sc.vehicles if v.organisation in members and day in v.weekdays
                ]
                pool_requests = [r for r in wanted if r.participant.organisation in members]
                if pool_requests:
                    r, u = _plan_pool(
                        pool,
                        pool_requests,
                        vehicles,
                        {},
                        prepared.matrix,
                        prepared.places,
                        key,
                        sc.settings,
                        params,
                        mode,
                        RuleBook.of(sc),
                    )
                    routes += r
                    unassigned += u
            rides.append(RidePlan(key=key, routes=tuple(routes), unassigned=tuple(unassigned)))
    return Plan(mode=mode, scenario=sc.name, rides=tuple(rides))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--osm", type=Path, default=OSM)
    parser.add_argument("--days", nargs="+", default=["mon", "tue", "wed", "thu", "fri"])
    parser.add_argument("--iterations", type=int, default=30)
    parser.add_argument("--lns-rounds", type=int, default=25)
    parser.add_argument("--time-limit", type=float, default=120.0)
    parser.add_argument("--modes", nargs="+", default=["own", "shared"])
    args = parser.parse_args()
    network = pipeline.load_road_network(args.osm, say=lambda m: None)
    addresses = address_points(args.osm)
    _, dist = snap(network, [a.point for a in addresses])
    addresses = [a for a, d in zip(addresses, dist, strict=True) if d < 150]
    scenario = make_scenario(addresses, participants=min(120, len(addresses) - 20))
    # the vehicle-day model alone: no stable week (each day on its own, as before)
    scenario = dataclasses.replace(
        scenario, settings=dataclasses.replace(scenario.settings, stable_week=False)
    )
    days = [Weekday(d) for d in args.days]
    with tempfile.TemporaryDirectory() as tmp:
        write_scenario(scenario, Path(tmp) / "scenario")
        prepared = pipeline.prepare(
            Path(tmp) / "scenario", osm=args.osm, network=network, say=lambda m: None
        )
    params = SolveParams(
        time_limit_s=args.time_limit,
        seed=prepared.scenario.settings.seed,
        max_iterations=args.iterations,
        lns_rounds=args.lns_rounds,
    )
    keys = all_trips(prepared.scenario, days)
    print(f"{len(keys)} trips: {' '.join(str(k) for k in keys)}")
    print(
        f"{'mode':<7} {'planning':<13} {'cost EUR':>10} {'veh/day':>8} {'max':>4} "
        f"{'veh-days':>8} {'hours':>7} {'unassigned':>10} {'double':>6} {'seconds':>8} check"
    )
    for mode in (Mode(m) for m in args.modes):
        t0 = time.perf_counter()
        plan = pipeline.plan(prepared, mode=mode, rides=keys, params=params, workers=1)
        t_days = time.perf_counter() - t0
        ok = pipeline.check(prepared, plan).ok
        t0 = time.perf_counter()
        independent = independent_rides(prepared, days, mode, params)
        t_ind = time.perf_counter() - t0
        ok_ind = pipeline.check(prepared, independent)
        a, b = figures(plan), figures(independent)
        for name, f, secs, check in (
            ("vehicle days", a, t_days, "OK" if ok else "FAILED"),
            (
                "independent",
                b,
                t_ind,
                "OK" if ok_ind.ok else f"{len(ok_ind.violations)} violations",
            ),
        ):
            print(
                f"{mode.value:<7} {name:<13} {f['cost']:>10.2f} {f['vehicles_mean']:>8.1f} "
                f"{f['vehicles_max']:>4} {f['vehicle_days']:>8} {f['hours']:>7.1f} "
                f"{f['unassigned']:>10} {f['double']:>6} {secs:>8.1f} {check}"
            )
        print(
            f"{mode.value:<7} {'ratio':<13} {a['cost'] / b['cost']:>10.3f} "
            f"{a['vehicles_mean'] / b['vehicles_mean']:>8.3f} {'':>4} "
            f"{a['vehicle_days'] / b['vehicle_days']:>8.3f} {a['hours'] / b['hours']:>7.3f} "
            f"{'':>10} {'':>6} {t_days / t_ind:>8.3f}"
        )


if __name__ == "__main__":
    main()
