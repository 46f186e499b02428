"""The location study on the demo: every candidate of its 8 locations, on 2 cores and on Dask.

Usage::

    .venv/bin/python benchmarks/bench_study.py [--osm FILE] [--days mon tue wed thu fri]
        [--participants 120] [--iterations 30] [--lns-rounds 0] [--max-km 50]
        [--workers 2] [--executors process dask] [--kinds none|names]

Builds the demo scenario (real Liechtenstein addresses, 4 organisations, 8 locations, 14
vehicles, 120 participants, its rules; ``vervoer.demo.make_scenario``) and runs
``vervoer study``'s library call (:func:`vervoer.sharing.study.run_study`) with every
default candidate: the demo's locations have no ``kind`` (``--kinds none``: all one kind;
``--kinds names`` takes the kind from the location's name, Dagbesteding / Atelier / ...)
and no ``capacity``, so with the default ``--max-km 50`` every ordered pair of locations
is a merge candidate (56) plus the 8 closures, of which the closures that equal a merge
are planned once. It times the whole study (the current plan and every candidate, each a
week planned in shared mode with the ``compare`` budget) with a local process pool of
``--workers`` (2) processes and with a temporary local Dask cluster of as many workers,
checks that both give the same figures, and prints the top three savings.

The OSM extract is ``../shared/data/osm/liechtenstein-2015.osm.pbf`` next to the repository
(``VERVOER_OSM`` or ``--osm`` override). A tiny run to see that it works::

    .venv/bin/python benchmarks/bench_study.py --participants 40 --days mon \\
        --iterations 2 --max-km 3 --executors process
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import tempfile
import time
from pathlib import Path

from vervoer import pipeline
from vervoer.core.model import Mode, Weekday
from vervoer.core.settings import COMPARE_LNS_ROUNDS, SolveParams
from vervoer.demo import LOCATION_KINDS, address_points, make_scenario
from vervoer.geo.matrix import snap
from vervoer.io.scenario import Scenario, write_scenario
from vervoer.sharing import study as st

ROOT = Path(__file__).resolve().parent.parent
OSM = Path(
    os.environ.get(
        "VERVOER_OSM", ROOT.parent / "shared" / "data" / "osm" / "liechtenstein-2015.osm.pbf"
    )
)


def with_kinds(scenario: Scenario) -> Scenario:
    """The demo with each location's kind taken from its name (``Atelier Vaduz``: atelier)."""
    locations = []
    for loc in scenario.locations:
        kind = next((k for k in LOCATION_KINDS if loc.name.startswith(k)), "")
        locations.append(dataclasses.replace(loc, kind=kind.lower()))
    return dataclasses.replace(scenario, locations=tuple(locations))


def summary(study: st.Study) -> list[tuple[object, ...]]:
    """The figures that must not depend on the executor."""
    return [(r.candidate.number, r.status.value, r.saving, r.figures) for r in study.results] + [
        ("current", study.current)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--osm", type=Path, default=OSM)
    parser.add_argument("--days", nargs="+", default=["mon", "tue", "wed", "thu", "fri"])
    parser.add_argument("--participants", type=int, default=120)
    parser.add_argument("--iterations", type=int, default=30)
    parser.add_argument("--lns-rounds", type=int, default=COMPARE_LNS_ROUNDS)
    parser.add_argument("--time-limit", type=float, default=120.0)
    parser.add_argument("--max-km", type=float, default=50.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--executors", nargs="+", default=["process", "dask"])
    parser.add_argument("--kinds", choices=["none", "names"], default="none")
    args = parser.parse_args()
    if args.participants < 40:
        parser.error("--participants: the demo's rules need at least 40 participants")

    network = pipeline.load_road_network(args.osm, say=lambda m: None)
    addresses = address_points(args.osm)
    _, dist = snap(network, [a.point for a in addresses])
    addresses = [a for a, d in zip(addresses, dist, strict=True) if d < 150]
    scenario = make_scenario(addresses, participants=min(args.participants, len(addresses) - 20))
    if args.kinds == "names":
        scenario = with_kinds(scenario)
    with tempfile.TemporaryDirectory() as tmp:
        write_scenario(scenario, Path(tmp) / "scenario")
        prepared = pipeline.prepare(
            Path(tmp) / "scenario", osm=args.osm, network=network, say=lambda m: None
        )
    sc = prepared.scenario
    params = SolveParams(
        time_limit_s=args.time_limit,
        seed=sc.settings.seed,
        max_iterations=args.iterations,
        lns_rounds=args.lns_rounds,
    )
    days = [Weekday(d) for d in args.days]
    candidates = st.default_candidates(sc, prepared.matrix, prepared.places, max_km=args.max_km)
    print(
        f"demo: {len(sc.locations)} locations, {len(sc.participants)} participants, "
        f"{len(sc.vehicles)} vehicles; days {' '.join(d.value for d in days)}; "
        f"{len(candidates)} candidates (max {args.max_km:g} km, kinds: {args.kinds}); "
        f"budget {args.iterations} solutions, {args.lns_rounds} LNS rounds; "
        f"{os.cpu_count()} cores on this machine"
    )
    results: dict[str, st.Study] = {}
    for executor in args.executors:
        t0 = time.perf_counter()
        study = st.run_study(
            sc,
            prepared.matrix,
            prepared.places,
            candidates=candidates,
            days=days,
            mode=Mode.SHARED,
            params=params,
            executor=executor,
            max_workers=args.workers,
        )
        secs = time.perf_counter() - t0
        planned = 1 + sum(1 for r in study.ranked if r.same_as is None and r.moves)
        planned += sum(1 for r in study.failed if r.same_as is None)
        results[executor] = study
        print(
            f"{executor:<8} {args.workers} workers: {secs:8.1f} s for {planned} week plans "
            f"({len(study.ranked)} ranked, {len(study.infeasible)} infeasible, "
            f"{len(study.failed)} failed)"
        )
    studies = list(results.values())
    if len(studies) > 1:
        same = all(summary(s) == summary(studies[0]) for s in studies[1:])
        print(f"same figures on every executor: {same}")
    study = studies[0]
    cur = study.current
    print(
        f"current: EUR {cur.priced:,.2f} ({cur.unassigned} unassigned), {cur.km:,.1f} km, "
        f"{cur.hours:,.2f} h, {cur.vehicles_max} buses max/day"
    )
    print("top three savings:")
    for i, r in enumerate(study.ranked[:3], 1):
        f = r.figures
        assert f is not None
        print(
            f"  {i}. {r.candidate.label:<10} saving EUR {r.saving:>9,.2f}  "
            f"d km {f.km - cur.km:>+8.1f}  d hours {f.hours - cur.hours:>+6.2f}  "
            f"d buses {f.vehicles_max - cur.vehicles_max:>+2d}  max ride {f.max_ride_min:5.1f} "
            f"min  over max {len(r.over_max)}  over norm {len(r.over_norm)}"
        )


if __name__ == "__main__":
    main()
