"""What each class of rule costs, and what flip seats save, on the demo week.

Usage::

    .venv/bin/python benchmarks/bench_rules.py [--days mon tue wed thu fri] [--osm FILE]

Builds the demo scenario (real Liechtenstein addresses, 120 participants, 14 vehicles) and
plans it in shared mode with the demo's budget (30 solutions, 25 LNS rounds, 120 s cap per
trip and pool), on one core, in these variants of the same week:

- ``none``: no rules and no seat layouts (the plain alternative);
- ``not_together``: 10 pairs of participants of one location who may not ride together;
- ``alone``: 5 participants who ride with nobody else on board;
- ``layouts``: flip seats (``8+1;6+2;4+3``) on half the fleet (the buses with one
  wheelchair place), no rules;
- ``demo``: the demo's own rules and layouts.

It prints cost, vehicle days, the most vehicles on one day, hours and unassigned rides,
and the ratio of each variant's cost and vehicle days to ``none``. Every plan is checked.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from vervoer import pipeline
from vervoer.core.model import Mode, Rule, RuleKind, Weekday
from vervoer.core.settings import SolveParams
from vervoer.demo import address_points, make_scenario
from vervoer.geo.matrix import snap
from vervoer.io.plan_json import plan_totals
from vervoer.io.scenario import Scenario, write_scenario

ROOT = Path(__file__).resolve().parent.parent
OSM = Path(
    os.environ.get(
        "VERVOER_OSM", ROOT.parent / "shared" / "data" / "osm" / "liechtenstein-2015.osm.pbf"
    )
)


def variants(demo: Scenario) -> dict[str, Scenario]:
    """The demo week with each class of rule (see the module docstring)."""
    plain = dataclasses.replace(
        demo,
        rules=(),
        vehicles=tuple(dataclasses.replace(v, layouts=()) for v in demo.vehicles),
    )
    by_location: dict[str, list[str]] = defaultdict(list)
    for a in sorted(plain.attendance, key=lambda a: a.participant):
        if a.participant not in by_location[a.location]:
            by_location[a.location].append(a.participant)
    pairs = [
        Rule(kind=RuleKind.NOT_TOGETHER, participant=ids[2 * i], other=ids[2 * i + 1])
        for ids in by_location.values()
        for i in range(min(2, len(ids) // 2))
    ][:10]
    riders = sorted({a.participant for a in plain.attendance})
    alone = [Rule(kind=RuleKind.ALONE, participant=pid) for pid in riders[::23][:5]]
    flip = tuple(
        dataclasses.replace(v, layouts=((8, 1), (6, 2), (4, 3))) if v.wheelchair_places == 1 else v
        for v in plain.vehicles
    )
    return {
        "none": plain,
        "not_together": dataclasses.replace(plain, rules=tuple(pairs)),
        "alone": dataclasses.replace(plain, rules=tuple(alone)),
        "layouts": dataclasses.replace(plain, vehicles=flip),
        "demo": demo,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--osm", type=Path, default=OSM)
    parser.add_argument("--days", nargs="+", default=["mon", "tue", "wed", "thu", "fri"])
    parser.add_argument("--iterations", type=int, default=30)
    parser.add_argument("--lns-rounds", type=int, default=25)
    parser.add_argument("--time-limit", type=float, default=120.0)
    args = parser.parse_args()
    network = pipeline.load_road_network(args.osm, say=lambda m: None)
    addresses = address_points(args.osm)
    _, dist = snap(network, [a.point for a in addresses])
    addresses = [a for a, d in zip(addresses, dist, strict=True) if d < 150]
    demo = make_scenario(addresses, participants=min(120, len(addresses) - 20))
    days = [Weekday(d) for d in args.days]
    print(
        f"{'variant':<13} {'rules':>5} {'cost EUR':>10} {'veh-days':>8} {'max/day':>7} "
        f"{'hours':>7} {'unassigned':>10} {'seconds':>8} {'cost ratio':>10} "
        f"{'veh-days ratio':>14} check"
    )
    base: tuple[float, float] | None = None
    for name, sc in variants(demo).items():
        with tempfile.TemporaryDirectory() as tmp:
            write_scenario(sc, Path(tmp) / "scenario")
            prepared = pipeline.prepare(
                Path(tmp) / "scenario", osm=args.osm, network=network, say=lambda m: None
            )
        params = SolveParams(
            time_limit_s=args.time_limit,
            seed=prepared.scenario.settings.seed,
            max_iterations=args.iterations,
            lns_rounds=args.lns_rounds,
        )
        t0 = time.perf_counter()
        plan = pipeline.plan(prepared, mode=Mode.SHARED, days=days, params=params, workers=1)
        seconds = time.perf_counter() - t0
        check = pipeline.check(prepared, plan)
        week = plan_totals(plan)["week"]
        base = base or (week["cost"], week["vehicle_days"])
        print(
            f"{name:<13} {len(sc.rules):>5} {week['cost']:>10.2f} {week['vehicle_days']:>8} "
            f"{week['vehicles']:>7} {week['hours']:>7.1f} {week['unassigned']:>10} "
            f"{seconds:>8.1f} {week['cost'] / base[0]:>10.3f} "
            f"{week['vehicle_days'] / base[1]:>14.3f} "
            f"{'OK' if check.ok else 'FAILED: ' + '; '.join(check.violations[:3])}"
        )


if __name__ == "__main__":
    main()
