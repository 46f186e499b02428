"""Solver quality on the published benchmarks in ../shared/benchmarks, gap to best-known.

Usage::

    .venv/bin/python benchmarks/bench_solver.py --set darp --time-limit 60
    .venv/bin/python benchmarks/bench_solver.py --set darp-b --time-limit 60
    .venv/bin/python benchmarks/bench_solver.py --set solomon --time-limit 60 [--pyvrp]
    .venv/bin/python benchmarks/bench_solver.py --set lilim --time-limit 60 [--pyvrp]

Each instance gets the full time limit on one core; to use several cores, run
disjoint ``--only`` lists in parallel (as done for BENCHMARKS.md).

DARP (`darp`: set a, `darp-b`: set b, the files present in the folder): objective = total
double-precision Euclidean length, compared with bks.csv `objective`. Solomon: distance-only
with arcs truncated to one decimal, compared with `dist_trunc1` (the convention PyVRP is
also measured in, with `--pyvrp`). Li & Lim PDPTW: hierarchical, vehicles first and then
double-precision distance, compared with `hier_vehicles` and `hier_distance`; both solvers
get a fixed cost per vehicle above any total distance (with `--pyvrp`: PyVRP's shipments,
travel times rounded up x1000 as in the engine, its distance read back /1000).
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import statistics
from pathlib import Path
from typing import cast

from vervoer.core.settings import SolveParams
from vervoer.routing.solver import LNS_KINDS
from vervoer.routing.solver.instances import (
    LILIM_SCALE,
    _euclid,
    bench_darp,
    bench_lilim,
    bench_solomon,
    gap,
    hierarchical_gap,
    lilim_vehicle_cost,
    read_lilim,
    read_solomon,
)

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


def pyvrp_lilim(path: Path, seconds: float) -> tuple[int, float] | None:
    """PyVRP 0.14's pickup and delivery (shipments) on a Li & Lim file: (routes, distance)."""
    import numpy as np
    import pyvrp
    from pyvrp.stop import MaxRuntime

    d = read_lilim(path)
    s = LILIM_SCALE
    m = pyvrp.Model()
    locs = [m.add_location(x=float(x), y=float(y)) for x, y in d.xy]
    window = {"tw_early": round(d.early[0] * s), "tw_late": round(d.late[0] * s)}
    depot = m.add_depot(locs[0], **window)
    m.add_vehicle_type(
        num_available=d.vehicles,
        capacity=d.capacity,
        start_depot=depot,
        end_depot=depot,
        fixed_cost=lilim_vehicle_cost(d),
        **window,
    )
    for p, q in d.pairs:
        m.add_shipment(
            locs[p],
            locs[q],
            pickup_tw_early=round(d.early[p] * s),
            pickup_tw_late=round(d.late[p] * s),
            pickup_service_duration=round(d.service[p] * s),
            delivery_tw_early=round(d.early[q] * s),
            delivery_tw_late=round(d.late[q] * s),
            delivery_service_duration=round(d.service[q] * s),
            amount=int(d.demand[p]),
        )
    euclid = _euclid(d.xy)
    duration = np.ceil(euclid * s - 1e-6).astype(int)
    distance = np.rint(euclid * s).astype(int)
    for i, a in enumerate(locs):
        for j, b in enumerate(locs):
            m.add_edge(a, b, distance=int(distance[i, j]), duration=int(duration[i, j]))
    res = m.solve(stop=MaxRuntime(seconds), display=False)
    if not res.is_feasible():
        return None
    return res.best.num_routes(), res.best.distance() / s


def lilim_main(args: argparse.Namespace, bks: dict[tuple[str, str], dict[str, str]]) -> None:
    """The Li & Lim table: vehicles and distance gap per instance, for each solver."""
    params = SolveParams(time_limit_s=args.time_limit, max_iterations=0)
    files = sorted((args.dir / "lilim").glob("*.txt"))
    if args.only:
        files = [f for f in files if f.stem in args.only]
    head = (
        f"{'instance':<8} {'best':>4} {'dist':>9} | {'veh':>3} {'dist':>9} {'gap %':>6} {'ok':>3}"
    )
    print(head + (f" | {'veh':>3} {'dist':>9} {'gap %':>6}" if args.pyvrp else ""))
    totals: dict[str, list[tuple[int, float]]] = {"vervoer": [], "PyVRP": []}
    for f in files:
        row = bks[("lilim", f.stem)]
        bv, bd = int(row["hier_vehicles"]), float(row["hier_distance"])
        r = bench_lilim(f, params, args.lns)
        dist = cast("float | None", r["objective"])
        veh = cast("int", r["vehicles"]) if dist is not None else 0
        extra, g = hierarchical_gap(veh, dist, bv, bd)
        totals["vervoer"].append((extra, g))
        ok = "yes" if r["feasible"] else "NO"
        line = f"{f.stem:<8} {bv:>4} {bd:>9.2f} | {veh:>3} {dist or math.nan:>9.2f}"
        line += f" {g:>6.2f} {ok:>3}"
        if args.pyvrp:
            pv = pyvrp_lilim(f, args.time_limit)
            pveh, pdist = pv if pv is not None else (0, None)
            extra, g = hierarchical_gap(pveh, pdist, bv, bd)
            totals["PyVRP"].append((extra, g))
            line += f" | {pveh:>3} {pdist or math.nan:>9.2f} {g:>6.2f}"
        print(line, flush=True)
    for name, rows in totals.items():
        if not rows:
            continue
        solved = [(e, g) for e, g in rows if math.isfinite(g)]
        same = [g for e, g in solved if e == 0]
        print(
            f"{name}: {len(solved)}/{len(rows)} solved, extra vehicles in total "
            f"{sum(e for e, _ in solved)} ({sum(e > 0 for e, _ in solved)} instances above the "
            f"best-known count), mean distance gap on the {len(same)} with the best-known count: "
            f"{statistics.mean(same) if same else math.nan:.2f}%"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--set", choices=["darp", "darp-b", "solomon", "lilim"], required=True)
    parser.add_argument("--dir", type=Path, default=DEFAULT)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--only", nargs="*", default=None, help="instance names")
    parser.add_argument("--pyvrp", action="store_true", help="also run PyVRP (Solomon, Li & Lim)")
    parser.add_argument(
        "--lns", choices=LNS_KINDS, default=None, help="large-neighbourhood search (default: LNS)"
    )
    args = parser.parse_args()
    with (args.dir / "bks.csv").open() as fh:
        bks = {(r["benchmark"], r["instance"]): r for r in csv.DictReader(fh)}
    if args.set == "lilim":
        lilim_main(args, bks)
        return
    params = SolveParams(time_limit_s=args.time_limit, max_iterations=0)
    gaps, pyvrp_gaps = [], []
    if args.set.startswith("darp"):
        files = sorted((args.dir / "darp").glob("b*.txt" if args.set == "darp-b" else "a*.txt"))
    else:
        files = sorted((args.dir / "solomon").glob("*.txt"))
    if args.only:
        files = [f for f in files if f.stem in args.only]
    print(
        f"{'instance':<10} {'best':>9} {'vervoer':>9} {'gap %':>7} {'feasible':>8}"
        + (f" {'pyvrp':>9} {'gap %':>7}" if args.pyvrp else "")
    )
    for f in files:
        if args.set.startswith("darp"):
            row = bks[("darp", f.stem)]
            best = float(row["objective"])
            r = bench_darp(f, params, args.lns)
        else:
            row = bks[("solomon", f.stem)]
            if not row["dist_trunc1"]:
                continue
            best = float(row["dist_trunc1"])
            r = bench_solomon(f, params, args.lns)
        g = gap(cast("float | None", r["objective"]), best)
        gaps.append(g)
        line = (
            f"{f.stem:<10} {best:>9.2f} {r['objective'] or float('nan'):>9.2f} {g:>7.2f} "
            f"{'yes' if r['feasible'] else 'NO':>8}"
        )
        if row.get("status") == "literature_unverified":
            line += " (best-known value unverified)"
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
