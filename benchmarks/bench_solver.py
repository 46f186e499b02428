"""Solver quality on the published benchmarks in ../shared/benchmarks, gap to best-known.

Usage::

    .venv/bin/python benchmarks/bench_solver.py --set darp --time-limit 60
    .venv/bin/python benchmarks/bench_solver.py --set solomon --time-limit 60 [--pyvrp]

Each instance gets the full time limit on one core; to use several cores, run
disjoint ``--only`` lists in parallel (as done for BENCHMARKS.md).

DARP: objective = total double-precision Euclidean length, compared with bks.csv
`objective`. Solomon: distance-only with arcs truncated to one decimal, compared with
`dist_trunc1` (the convention PyVRP is also measured in, with `--pyvrp`).
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import statistics
from pathlib import Path

from vervoer.core.settings import SolveParams
from vervoer.routing.solver import LNS_KINDS
from vervoer.routing.solver.instances import bench_darp, bench_solomon, gap, read_solomon

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = Path(os.environ.get("VERVOER_BENCHMARKS", ROOT.parent / "shared" / "benchmarks"))


def pyvrp_solomon(path: Path, seconds: float) -> float | None:
    import numpy as np
    import pyvrp
    from pyvrp.stop import MaxRuntime

    d = read_solomon(path)
    scale = 10
    m = pyvrp.Model()
    locs = [m.add_location(x=int(d.xy[i, 0]), y=int(d.xy[i, 1])) for i in range(len(d.xy))]
    depot = m.add_depot(locs[0], tw_early=int(d.ready[0] * scale), tw_late=int(d.due[0] * scale))
    m.add_vehicle_type(
        num_available=d.vehicles,
        capacity=int(d.capacity),
        start_depot=depot,
        end_depot=depot,
        tw_early=int(d.ready[0] * scale),
        tw_late=int(d.due[0] * scale),
    )
    for i in range(1, len(d.xy)):
        m.add_client(
            locs[i],
            delivery=int(d.demand[i]),
            service_duration=int(d.service[i] * scale),
            tw_early=int(d.ready[i] * scale),
            tw_late=int(d.due[i] * scale),
        )
    diff = d.xy[:, None, :] - d.xy[None, :, :]
    dist = np.floor(np.sqrt((diff**2).sum(axis=2)) * scale + 1e-9).astype(int)
    for i, a in enumerate(locs):
        for j, b in enumerate(locs):
            m.add_edge(a, b, distance=int(dist[i, j]), duration=int(dist[i, j]))
    res = m.solve(stop=MaxRuntime(seconds), display=False)
    return res.cost() / scale if res.is_feasible() else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--set", choices=["darp", "solomon"], required=True)
    parser.add_argument("--dir", type=Path, default=DEFAULT)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--only", nargs="*", default=None, help="instance names")
    parser.add_argument("--pyvrp", action="store_true", help="also run PyVRP (Solomon)")
    parser.add_argument(
        "--lns", choices=LNS_KINDS, default=None, help="large-neighbourhood search (default: LNS)"
    )
    args = parser.parse_args()
    with (args.dir / "bks.csv").open() as fh:
        bks = {(r["benchmark"], r["instance"]): r for r in csv.DictReader(fh)}
    params = SolveParams(time_limit_s=args.time_limit, max_iterations=0)
    gaps, pyvrp_gaps = [], []
    if args.set == "darp":
        files = sorted((args.dir / "darp").glob("a*.txt"))
    else:
        files = sorted((args.dir / "solomon").glob("*.txt"))
    if args.only:
        files = [f for f in files if f.stem in args.only]
    print(
        f"{'instance':<10} {'best':>9} {'vervoer':>9} {'gap %':>7} {'feasible':>8}"
        + (f" {'pyvrp':>9} {'gap %':>7}" if args.pyvrp else "")
    )
    for f in files:
        if args.set == "darp":
            row = bks[("darp", f.stem)]
            best = float(row["objective"])
            r = bench_darp(f, params, args.lns)
        else:
            row = bks[("solomon", f.stem)]
            if not row["dist_trunc1"]:
                continue
            best = float(row["dist_trunc1"])
            r = bench_solomon(f, params, args.lns)
        g = gap(r["objective"], best)
        gaps.append(g)
        line = (
            f"{f.stem:<10} {best:>9.2f} {r['objective'] or float('nan'):>9.2f} {g:>7.2f} "
            f"{'yes' if r['feasible'] else 'NO':>8}"
        )
        if args.pyvrp and args.set == "solomon":
            pv = pyvrp_solomon(f, args.time_limit)
            pg = gap(pv, best)
            pyvrp_gaps.append(pg)
            line += f" {pv or float('nan'):>9.2f} {pg:>7.2f}"
        print(line, flush=True)
    finite = [g for g in gaps if math.isfinite(g)]
    print(
        f"mean gap vervoer: {statistics.mean(finite) if finite else float('nan'):.2f}% "
        f"over {len(finite)}/{len(gaps)} solved"
    )
    if pyvrp_gaps:
        finite = [g for g in pyvrp_gaps if math.isfinite(g)]
        print(
            f"mean gap PyVRP:   {statistics.mean(finite):.2f}% over {len(finite)}/{len(pyvrp_gaps)}"
        )


if __name__ == "__main__":
    main()
