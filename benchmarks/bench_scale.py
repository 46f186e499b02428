"""Speed and scale: one trip of a large scenario, the project's search against plain GLS.

Usage::

    .venv/bin/python benchmarks/bench_scale.py                       # 100 250 500 1000
    .venv/bin/python benchmarks/bench_scale.py --sizes 100 250 --iterations 30 --lns-rounds 5

For each size, the demo generator (:func:`vervoer.demo.make_scenario`) makes a scenario on
the Liechtenstein extract with that many participants (homes are real address points; above
the extract's usable addresses, about 980, some homes are shared) and a fleet of about one
bus per six participants (the demo's 14 buses repeated, with new ids). The trip
``mon-heen`` is planned in shared mode on one core with:

- ``project``: the project's search, :func:`vervoer.pipeline.search_params` (the policy of
  ``vervoer plan``: 100 solutions, ``PLAN_LNS_ROUNDS`` rounds, the scenario's time cap), or
  the budget given with ``--iterations`` / ``--lns-rounds``;
- ``project-N`` (with ``--workers N``): the same search with N processes, as ``vervoer
  plan`` runs a trip that has the machine to itself (its seat-layout choices, and the parts
  of a large trip, side by side); it must give the same plan;
- ``plain``: the plain alternative with the same time: one OR-Tools search per solve, the
  parallel-cheapest-insertion first solution and guided local search, stopped by the
  clock after as many seconds as the project's search took on that solve, and where the
  project runs its LNS rounds (on the seat-layout choice it keeps), guided local search
  on from there for as long as the rounds took.

It prints, per size and search, the requests, vehicles, seconds, cost, cost per planned
ride and unassigned rides, and the ratios plain / project. Every plan is re-checked with
the independent checker. Both searches see the same instances (the planner's), so the
difference is the search alone.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from vervoer import pipeline
from vervoer.core.model import Mode, RideKey, Weekday
from vervoer.core.settings import SolveParams
from vervoer.demo import AddressPoint, address_points, make_scenario
from vervoer.geo.matrix import snap
from vervoer.io.plan_json import plan_totals
from vervoer.io.scenario import Scenario, write_scenario
from vervoer.routing import planner
from vervoer.routing.requests import requests_for
from vervoer.routing.solver import Instance, Solution
from vervoer.routing.solver.ortools_model import FIRST, META, STATUS, build_model, search_params

ROOT = Path(__file__).resolve().parent.parent
OSM = Path(
    os.environ.get(
        "VERVOER_OSM", ROOT.parent / "shared" / "data" / "osm" / "liechtenstein-2015.osm.pbf"
    )
)
SIZES = (100, 250, 500, 1000)
PARTICIPANTS_PER_BUS = 6
TRIP = RideKey(weekday=Weekday.MON, trip="heen")


def scaled_scenario(addresses: list[AddressPoint], participants: int) -> Scenario:
    """The demo scenario with ``participants`` people and one bus per six of them.

    Parameters
    ----------
    addresses
        Usable address points of the extract (homes, locations, depots).
    participants
        Number of participants; above the addresses left after the locations and depots,
        the list is repeated (some homes are shared).

    Returns
    -------
    Scenario
        The demo's organisations, locations, rules and attendance pattern; its 14 buses
        repeated to ``round(participants / PARTICIPANTS_PER_BUS)`` (at least the 14).
    """
    pool = list(addresses)
    while len(pool) < participants + 40:
        pool += addresses
    scenario = make_scenario(pool, participants=participants)
    base = scenario.vehicles
    n = max(len(base), round(participants / PARTICIPANTS_PER_BUS))
    fleet = tuple(
        base[i]
        if i < len(base)
        else dataclasses.replace(
            base[i % len(base)],
            id=f"{base[i % len(base)].id}-{i // len(base) + 1}",
            name=f"Taxibus {i + 1}",
        )
        for i in range(n)
    )
    return dataclasses.replace(scenario, vehicles=fleet)


def plain_search(instance: Instance, seconds: float) -> Solution | None:
    """First solution (parallel cheapest insertion) and guided local search for ``seconds``."""
    model = build_model(instance)
    search = search_params(seconds, 0)
    search.first_solution_strategy = FIRST.PARALLEL_CHEAPEST_INSERTION
    search.local_search_metaheuristic = META.GUIDED_LOCAL_SEARCH
    assignment = model.routing.SolveWithParameters(search)
    if assignment is None:
        return None
    status = int(model.routing.status())
    return model.solution(assignment, STATUS.get(status, str(status)))


def plain_continue(instance: Instance, solution: Solution, seconds: float) -> Solution:
    """Guided local search from ``solution`` for ``seconds`` (the plain LNS-round time)."""
    model = build_model(instance)
    start = model.routing.ReadAssignmentFromRoutes(model.index_routes(solution.routes), True)
    if start is None:
        return solution
    search = search_params(seconds, 0)
    search.local_search_metaheuristic = META.GUIDED_LOCAL_SEARCH
    assignment = model.routing.SolveFromAssignmentWithParameters(start, search)
    if assignment is None:
        return solution
    found = model.solution(assignment, "ROUTING_SUCCESS")
    return found if found.objective < solution.objective else solution


@contextmanager
def timed_solves(record: list[float], plain: list[float] | None) -> Iterator[None]:
    """Time every solver call of the planner into ``record``; with ``plain``, replace them.

    The planner calls ``solve_instance`` per seat-layout choice and ``improve_solution``
    (the LNS rounds) on the one it keeps. ``plain`` holds the seconds of the project's
    calls in order (the planner makes the same calls for the same scenario): call ``i``
    runs :func:`plain_search` (or :func:`plain_continue` for the rounds) for ``plain[i]``
    seconds (the last entry for further calls).
    """
    space = vars(planner)  # the planner's module namespace: its solver calls are replaced
    original: Callable[..., Solution | None] = space["solve_instance"]
    improve: Callable[..., Solution] = space["improve_solution"]

    def seconds() -> float:
        assert plain is not None
        return plain[min(len(record), len(plain) - 1)]

    def wrapped(instance: Instance, params: SolveParams | None = None, **kw: Any) -> Any:
        t0 = time.perf_counter()
        if plain is None:
            out = original(instance, params, **kw)
        else:
            out = plain_search(instance, seconds())
        record.append(time.perf_counter() - t0)
        return out

    def rounds(instance: Instance, solution: Solution, params: SolveParams) -> Solution:
        t0 = time.perf_counter()
        if plain is None:
            out = improve(instance, solution, params)
        else:
            out = plain_continue(instance, solution, seconds())
        record.append(time.perf_counter() - t0)
        return out

    space["solve_instance"], space["improve_solution"] = wrapped, rounds
    try:
        yield
    finally:
        space["solve_instance"], space["improve_solution"] = original, improve


def _row(
    name: str, plan: Any, seconds: float, requests: int, vehicles: int, ok: bool
) -> dict[str, Any]:
    week = plan_totals(plan)["week"]
    served = requests - int(week["unassigned"])
    return {
        "search": name,
        "requests": requests,
        "vehicles": vehicles,
        "seconds": seconds,
        "cost": float(week["cost"]),
        "per_ride": float(week["cost"]) / max(served, 1),
        "unassigned": int(week["unassigned"]),
        "check": "OK" if ok else "FAILED",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--osm", type=Path, default=OSM)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--iterations", type=int, default=None, help="default: 100")
    parser.add_argument("--lns-rounds", type=int, default=None, help="default: PLAN_LNS_ROUNDS")
    parser.add_argument("--time-limit", type=float, default=None, help="cap per solve (s)")
    parser.add_argument("--no-plain", action="store_true", help="the project's search only")
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="also plan with this many processes (the trip's layout choices and parts side "
        "by side); the plan must be the same as on one core",
    )
    args = parser.parse_args()
    network = pipeline.load_road_network(args.osm, say=lambda m: None)
    addresses = address_points(args.osm)
    _, dist = snap(network, [a.point for a in addresses])
    addresses = [a for a, d in zip(addresses, dist, strict=True) if d < 150]
    print(
        f"{'people':>6} {'search':<10} {'requests':>8} {'vehicles':>8} {'seconds':>8} "
        f"{'EUR':>10} {'EUR/ride':>8} {'unassigned':>10} {'cost ratio':>10} "
        f"{'time ratio':>10} check",
        flush=True,
    )
    for size in args.sizes:
        scenario = scaled_scenario(addresses, size)
        with tempfile.TemporaryDirectory() as tmp:
            write_scenario(scenario, Path(tmp) / "scenario")
            prepared = pipeline.prepare(
                Path(tmp) / "scenario", osm=args.osm, network=network, say=lambda m: None
            )
        extra: dict[str, Any] = {}
        if args.lns_rounds is not None:
            extra["lns_rounds"] = args.lns_rounds
        params = pipeline.search_params(
            prepared.scenario, time_limit_s=args.time_limit, iterations=args.iterations, **extra
        )
        requests = len(requests_for(prepared.scenario, TRIP))
        vehicles = len(prepared.scenario.vehicles)
        rows = []
        project_times: list[float] = []
        searches = ["project"] + ([] if args.no_plain else ["plain"])
        if args.workers > 1:
            searches.append(f"project-{args.workers}")
        first_plan = None
        for name in searches:
            record: list[float] = []
            workers = args.workers if name.startswith("project-") else 1
            # the project-N search runs in worker processes: its solver calls are not timed
            timing = (
                nullcontext()
                if workers > 1
                else timed_solves(record, None if name == "project" else project_times)
            )
            with timing:
                t0 = time.perf_counter()
                plan = pipeline.plan(
                    prepared, mode=Mode.SHARED, rides=[TRIP], params=params, workers=workers
                )
                seconds = time.perf_counter() - t0
            if workers > 1 and first_plan is not None and plan.rides != first_plan.rides:
                print(f"  ({name}: not the plan of one process)", flush=True)
            if name == "project":
                project_times = record or [1.0]
                first_plan = plan
            ok = pipeline.check(prepared, plan).ok
            rows.append(_row(name, plan, seconds, requests, vehicles, ok))
        for row in rows:
            base = rows[0]
            print(
                f"{size:>6} {row['search']:<10} {row['requests']:>8} {row['vehicles']:>8} "
                f"{row['seconds']:>8.1f} {row['cost']:>10.2f} {row['per_ride']:>8.2f} "
                f"{row['unassigned']:>10} {row['cost'] / base['cost']:>10.3f} "
                f"{row['seconds'] / base['seconds']:>10.2f} {row['check']}",
                flush=True,
            )


if __name__ == "__main__":
    main()
