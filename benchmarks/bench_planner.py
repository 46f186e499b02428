"""The planner's deterministic LNS rounds on the demo scenario: cost and time per setting.

Usage::

    .venv/bin/python benchmarks/bench_planner.py --rounds 0 25 50 [--days mon] [--osm FILE]

Builds the demo scenario (real Liechtenstein addresses, 4 organisations, 8 locations,
14 vehicles, 120 participants) on the extract, then plans the chosen weekdays in own and
shared mode with the demo's budget (30 solutions, 60 s cap per ride and pool) and each
number of ``lns_rounds``, on one core (``workers=1``), and prints cost, unassigned rides
and seconds, with the ratio to 0 rounds (plain guided local search) in the same run.
Every plan is re-checked with the independent checker.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from vervoer import pipeline
from vervoer.core.model import Mode, Weekday
from vervoer.core.settings import SolveParams
from vervoer.demo import address_points, make_scenario
from vervoer.geo.matrix import snap
from vervoer.io.plan_json import plan_totals
from vervoer.io.scenario import write_scenario
from vervoer.routing.requests import all_trips

ROOT = Path(__file__).resolve().parent.parent
OSM = Path(
    os.environ.get(
        "VERVOER_OSM", ROOT.parent / "shared" / "data" / "osm" / "liechtenstein-2015.osm.pbf"
    )
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--osm", type=Path, default=OSM)
    parser.add_argument("--rounds", type=int, nargs="+", default=[0, 25, 50])
    parser.add_argument("--days", nargs="+", default=["mon"])
    parser.add_argument("--iterations", type=int, default=30)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--modes", nargs="+", default=["own", "shared"])
    args = parser.parse_args()
    network = pipeline.load_road_network(args.osm, say=lambda m: None)
    addresses = address_points(args.osm)
    _, dist = snap(network, [a.point for a in addresses])
    addresses = [a for a, d in zip(addresses, dist, strict=True) if d < 150]
    scenario = make_scenario(addresses, participants=min(120, len(addresses) - 20))
    days = [Weekday(d) for d in args.days]
    with tempfile.TemporaryDirectory() as tmp:
        write_scenario(scenario, Path(tmp) / "scenario")
        prepared = pipeline.prepare(
            Path(tmp) / "scenario", osm=args.osm, network=network, say=lambda m: None
        )
    print(
        f"{'mode':<7} {'rounds':>6} {'cost EUR':>10} {'unassigned':>10} {'seconds':>8} "
        f"{'cost ratio':>10} {'time ratio':>10} check"
    )
    for mode in (Mode(m) for m in args.modes):
        base = None
        for rounds in args.rounds:
            params = SolveParams(
                time_limit_s=args.time_limit,
                seed=prepared.scenario.settings.seed,
                max_iterations=args.iterations,
                lns_rounds=rounds,
            )
            t0 = time.perf_counter()
            plan = pipeline.plan(
                prepared,
                mode=mode,
                rides=all_trips(prepared.scenario, days),
                params=params,
                workers=1,
            )
            seconds = time.perf_counter() - t0
            ok = pipeline.check(prepared, plan).ok
            week = plan_totals(plan)["week"]
            base = base or (week["cost"], seconds)
            print(
                f"{mode.value:<7} {rounds:>6} {week['cost']:>10.2f} {week['unassigned']:>10} "
                f"{seconds:>8.1f} {week['cost'] / base[0]:>10.3f} {seconds / base[1]:>10.2f} "
                f"{'OK' if ok else 'FAILED'}",
                flush=True,
            )


if __name__ == "__main__":
    main()
