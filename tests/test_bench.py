"""Benchmark readers and the engine on published instances (vervoer.routing.solver.instances)."""

from __future__ import annotations

import csv
import json
import os
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from vervoer.core.errors import InputError
from vervoer.core.settings import SolveParams
from vervoer.routing.solver import (
    Solution,
    improve_by_parts,
    ruin_and_descend,
    solve_instance,
    tighten_windows,
)
from vervoer.routing.solver.instances import (
    DARP_SCALE,
    _check_darp,
    _check_solomon,
    bench_darp,
    bench_lilim,
    bench_solomon,
    check_lilim,
    darp_instance,
    gap,
    hierarchical_gap,
    lilim_distance,
    lilim_instance,
    read_darp,
    read_lilim,
    read_solomon,
    solomon_instance,
)

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(os.environ.get("VERVOER_BENCHMARKS", ROOT.parent / "shared" / "benchmarks"))

needs_data = pytest.mark.skipif(
    not (BENCH / "bks.csv").is_file(), reason="shared benchmark instances not available"
)


def _bks(benchmark: str, name: str) -> dict[str, str]:
    with (BENCH / "bks.csv").open() as fh:
        for row in csv.DictReader(fh):
            if row["benchmark"] == benchmark and row["instance"] == name:
                return row
    raise KeyError(name)


@needs_data
def test_read_darp_header_and_nodes() -> None:
    d = read_darp(BENCH / "darp" / "a2-16.txt")
    assert (d.vehicles, d.requests, d.capacity) == (2, 16, 3)
    assert d.max_duration == 480
    assert d.max_ride == 30
    assert d.xy.shape == (34, 2)
    assert d.load[1:17].tolist() == [1] * 16
    assert d.load[17:33].tolist() == [-1] * 16
    inst = darp_instance(d)
    assert inst.n_nodes == 34
    assert inst.n_vehicles == 2
    assert inst.pairs[0].tolist() == [1, 17]
    # travel times are rounded up so integer feasibility implies feasibility in doubles
    assert np.all(inst.durations >= _euclid(d.xy) * DARP_SCALE - 1e-6)


@needs_data
def test_read_solomon() -> None:
    d = read_solomon(BENCH / "solomon" / "c101.txt")
    assert (d.vehicles, d.capacity) == (25, 200)
    assert d.xy.shape == (101, 2)
    inst = solomon_instance(d)
    assert inst.n_nodes == 101
    assert len(inst.visits) == 100
    # arcs truncated to one decimal, x10
    assert inst.distances[0, 1] == int(np.floor(np.hypot(*(d.xy[0] - d.xy[1])) * 10))


def test_readers_reject_garbage(tmp_path: Path) -> None:
    bad = tmp_path / "x.txt"
    bad.write_text("not a benchmark\n")
    with pytest.raises(InputError):
        read_darp(bad)
    with pytest.raises(InputError):
        read_solomon(bad)
    with pytest.raises(InputError):
        read_lilim(bad)


@needs_data
def test_darp_preprocessing_keeps_the_optimal_routes_feasible() -> None:
    # the optimal routes of a2-16 must still be schedulable inside the narrowed windows:
    # forward pass with earliest starts, then push pickups late to shorten rides
    d = read_darp(BENCH / "darp" / "a2-16.txt")
    inst = darp_instance(d)
    early, late = tighten_windows(inst)
    assert np.all(early >= inst.tw_early)
    assert np.all(late <= inst.tw_late)
    solution = json.loads((BENCH / "darp" / "solutions" / "a2-16.json").read_text())
    for route in solution["routes"]:
        t = 0
        prev = 0
        for node in route:
            t = max(t + int(inst.service[prev]) + int(inst.durations[prev, node]), early[node])
            assert t <= late[node], f"node {node} cannot be reached in its narrowed window"
            prev = node


@needs_data
def test_a2_16_solved_feasibly_near_the_optimum() -> None:
    best = float(_bks("darp", "a2-16")["objective"])
    r = bench_darp(BENCH / "darp" / "a2-16.txt", SolveParams(time_limit_s=5, max_iterations=0))
    assert r["feasible"], r.get("violations")
    assert r["objective"] is not None
    assert r["objective"] >= best - 1e-3
    assert gap(r["objective"], best) < 5.0


@needs_data
def test_c101_solved_feasibly() -> None:
    best = float(_bks("solomon", "c101")["dist_trunc1"])
    r = bench_solomon(BENCH / "solomon" / "c101.txt", SolveParams(time_limit_s=5, max_iterations=0))
    assert r["feasible"]
    assert r["objective"] >= best - 1e-6
    assert gap(r["objective"], best) < 5.0
    served = sorted(c for route in r["routes"] for c in route)
    assert served == list(range(1, 101))


@needs_data
def test_solomon_checker_finds_violations() -> None:
    d = read_solomon(BENCH / "solomon" / "c101.txt")
    r = bench_solomon(
        BENCH / "solomon" / "c101.txt", SolveParams(time_limit_s=2, max_iterations=50)
    )
    assert _check_solomon(d, r["routes"]) == []
    late = [list(reversed(route)) for route in r["routes"]]  # reversed: windows broken
    assert any("time window" in v for v in _check_solomon(d, late))
    assert "customers not visited exactly once" in _check_solomon(d, r["routes"][1:])
    merged = [r["routes"][0] + r["routes"][1], *r["routes"][2:]]
    assert any("capacity" in v or "late" in v or "window" in v for v in _check_solomon(d, merged))


@needs_data
def test_improve_by_parts_keeps_darp_routes_feasible_and_never_worse() -> None:
    d = read_darp(BENCH / "darp" / "a3-36.txt")
    inst = darp_instance(d)
    # a deliberately short first search: poor routes, one request not placed
    start = solve_instance(inst, SolveParams(time_limit_s=10, max_iterations=5))
    assert start is not None and len(start.dropped_pairs) == 1
    better = improve_by_parts(inst, start, SolveParams(time_limit_s=8), time.monotonic() + 8)
    assert better.objective < start.objective
    assert set(better.dropped_pairs) <= set(start.dropped_pairs)
    left_out = f"{len(better.dropped_pairs)} requests not served"
    assert [v for v in _check_darp(d, better) if v != left_out] == []


@needs_data
def test_ruin_and_descend_keeps_darp_routes_feasible_and_improves() -> None:
    d = read_darp(BENCH / "darp" / "a3-24.txt")
    inst = darp_instance(d)
    start = solve_instance(inst, SolveParams(time_limit_s=10, max_iterations=3))
    assert start is not None
    better = ruin_and_descend(inst, start, SolveParams(time_limit_s=6), time.monotonic() + 6)
    assert better.objective < start.objective
    assert set(better.dropped_pairs) <= set(start.dropped_pairs)
    left_out = f"{len(better.dropped_pairs)} requests not served"
    assert [v for v in _check_darp(d, better) if v != left_out] == []


@needs_data
def test_ruin_and_descend_on_solomon_serves_everyone_feasibly() -> None:
    d = read_solomon(BENCH / "solomon" / "c201.txt")
    inst = solomon_instance(d)
    start = solve_instance(inst, SolveParams(time_limit_s=10, max_iterations=3))
    assert start is not None and not start.dropped_visits
    better = ruin_and_descend(inst, start, SolveParams(time_limit_s=5), time.monotonic() + 5)
    assert better.objective <= start.objective
    assert not better.dropped_visits
    routes = [list(r[1:-1]) for r in better.routes if len(r) > 2]
    assert _check_solomon(d, routes) == []


@needs_data
def test_darp_checker_finds_violations() -> None:
    d = read_darp(BENCH / "darp" / "a2-16.txt")
    n = d.requests
    # one vehicle drives every request straight out and back: ignores the windows
    route = [0]
    times = [0]
    t = 0.0
    dist = _euclid(d.xy)
    prev = 0
    for i in range(1, n + 1):
        for node in (i, n + i):
            t += d.service[prev] + dist[prev, node]
            route.append(node)
            times.append(round(t * DARP_SCALE))
            prev = node
    route.append(2 * n + 1)
    times.append(round((t + dist[prev, 0]) * DARP_SCALE))
    sol = Solution(
        routes=(tuple(route), (0, 2 * n + 1)),
        times=(tuple(times), (0, 0)),
        dropped_pairs=(),
        dropped_visits=(),
        objective=0,
        status="test",
    )
    problems = _check_darp(d, sol)
    assert any("time window" in p for p in problems)


def test_gap() -> None:
    assert gap(110.0, 100.0) == pytest.approx(10.0)
    assert gap(None, 100.0) == float("inf")


def _euclid(xy: np.ndarray) -> np.ndarray:
    diff = xy[:, None, :] - xy[None, :, :]
    return np.sqrt((diff**2).sum(axis=2))


# A Li & Lim file in miniature: depot 0, request 1 (pickup 1, delivery 2) and request 2
# (pickup 4, delivery 3); capacity 10 and windows that let one vehicle serve both.
TINY_LILIM = """\
3\t10\t1
0\t0\t0\t0\t0\t1000\t0\t0\t0
1\t10\t0\t5\t0\t100\t1\t0\t2
2\t20\t0\t-5\t0\t200\t1\t1\t0
3\t20\t10\t-4\t0\t300\t1\t4\t0
4\t10\t10\t4\t0\t300\t1\t0\t3
"""


def _tiny_lilim(tmp_path: Path, text: str = TINY_LILIM) -> Path:
    path = tmp_path / "tiny.txt"
    path.write_text(text)
    return path


def test_read_lilim_pairs_and_hierarchical_cost(tmp_path: Path) -> None:
    d = read_lilim(_tiny_lilim(tmp_path))
    assert (d.vehicles, d.capacity, d.name) == (3, 10, "tiny")
    assert d.pairs.tolist() == [[1, 2], [4, 3]]
    assert d.demand.tolist() == [0, 5, -5, -4, 4]
    inst = lilim_instance(d)
    assert inst.n_tasks == 4
    assert inst.pairs.tolist() == [[1, 2], [4, 3]]
    # one vehicle costs more than any total distance: vehicles first, then distance
    assert int(inst.fixed_cost[0]) > int(inst.distances.max(axis=1).sum())
    assert np.all(inst.durations >= _euclid(d.xy) * 1000 - 1e-6)


def test_read_lilim_rejects_broken_pairs(tmp_path: Path) -> None:
    broken = TINY_LILIM.replace("4\t10\t10\t4\t0\t300\t1\t0\t3", "4\t10\t10\t4\t0\t300\t1\t0\t2")
    with pytest.raises(InputError, match="pickup 4 names delivery 2"):
        read_lilim(_tiny_lilim(tmp_path, broken))
    skipped = TINY_LILIM.replace("\n3\t20", "\n7\t20")
    with pytest.raises(InputError, match="node ids"):
        read_lilim(_tiny_lilim(tmp_path, skipped))


def test_check_lilim_finds_violations(tmp_path: Path) -> None:
    d = read_lilim(_tiny_lilim(tmp_path))
    assert check_lilim(d, [[1, 2, 4, 3]]) == []
    assert lilim_distance(d, [[1, 2, 4, 3]]) == pytest.approx(30 + 200**0.5 + 500**0.5)
    assert any("not after its pickup" in p for p in check_lilim(d, [[2, 1, 4, 3]]))
    assert any("exactly once" in p for p in check_lilim(d, [[1, 2]]))
    # loads 5, 9, 4, 0 on this route: within 10 seats, not within 8
    assert check_lilim(d, [[1, 4, 2, 3]]) == []
    assert any("capacity" in p for p in check_lilim(replace(d, capacity=8), [[1, 4, 2, 3]]))


def test_bench_lilim_uses_one_vehicle_when_one_suffices(tmp_path: Path) -> None:
    r = bench_lilim(_tiny_lilim(tmp_path), SolveParams(time_limit_s=10, max_iterations=20))
    assert r["feasible"]
    assert r["vehicles"] == 1
    assert sorted(n for route in r["routes"] for n in route) == [1, 2, 3, 4]


def test_bench_lilim_cli_prints_json(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from vervoer.cli import main

    args = ["bench", "lilim", str(_tiny_lilim(tmp_path)), "--time-limit", "5"]
    result = CliRunner().invoke(main, [*args, "--iterations", "20"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["instance"] == "tiny"
    assert doc["vehicles"] == 1


def test_hierarchical_gap() -> None:
    assert hierarchical_gap(10, 110.0, 10, 100.0) == (0, pytest.approx(10.0))
    assert hierarchical_gap(11, 90.0, 10, 100.0) == (1, pytest.approx(-10.0))
    assert hierarchical_gap(0, None, 10, 100.0)[1] == float("inf")


@needs_data
@pytest.mark.parametrize("name", ["lc201", "lc202", "lrc202"])
def test_lilim_long_horizon_best_known_routes_fit_the_model(name: str) -> None:
    # the narrowed windows once cut these routes off: "no ride limit" stood for four days
    # of seconds, less than these instances' horizon (3,390 units x 1,000)
    from vervoer.routing.solver.ortools_model import build_model

    d = read_lilim(BENCH / "lilim" / f"{name}.txt")
    inst = lilim_instance(d)
    text = (BENCH / "lilim" / "solutions" / f"{name}.sol.txt").read_text().splitlines()
    routes = [[int(x) for x in ln.split(":")[1].split()] for ln in text if ln.startswith("Route")]
    full = [(0, *r, 0) for r in routes] + [(0, 0)] * (inst.n_vehicles - len(routes))
    model = build_model(inst)
    assert model.routing.ReadAssignmentFromRoutes(model.index_routes(tuple(full)), True)


@needs_data
def test_lilim_best_known_solution_reads_feasible_with_its_value() -> None:
    d = read_lilim(BENCH / "lilim" / "lc101.txt")
    assert (d.vehicles, d.capacity, len(d.pairs)) == (25, 200, 53)
    text = (BENCH / "lilim" / "solutions" / "lc101.sol.txt").read_text().splitlines()
    routes = [[int(x) for x in ln.split(":")[1].split()] for ln in text if ln.startswith("Route")]
    row = _bks("lilim", "lc101")
    assert check_lilim(d, routes) == []
    assert len(routes) == int(row["hier_vehicles"])
    assert lilim_distance(d, routes) == pytest.approx(float(row["hier_distance"]), abs=1e-3)
