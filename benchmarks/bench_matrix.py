"""Matrix speed: vervoer's compiled multi-source Dijkstra vs the plain networkx way.

Usage::

    .venv/bin/python benchmarks/bench_matrix.py [--osm FILE] [--sizes 100 300 1000]

For each size, random real network nodes of the extract are used as points (seeded).
"The networkx way" is what a script would do with osmnx: snap with the same KD-tree, then
``nx.single_source_dijkstra_path_length(G, source, weight="travel_time")`` per source.
Peak memory is measured with tracemalloc in a separate run of each method.
"""

from __future__ import annotations

import argparse
import os
import time
import tracemalloc
from pathlib import Path

import networkx as nx
import numpy as np

from vervoer.core.model import Point
from vervoer.geo.matrix import road_matrix, snap
from vervoer.geo.network import load_network

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OSM = ROOT.parent / "shared" / "data" / "osm" / "liechtenstein-2015.osm.pbf"


def networkx_matrix(network, points):
    nodes, _ = snap(network, points)
    ids = [int(network.node_ids[i]) for i in nodes]
    out = np.empty((len(ids), len(ids)))
    for a, src in enumerate(ids):
        lengths = nx.single_source_dijkstra_path_length(network.graph, src, weight="travel_time")
        out[a] = [lengths.get(t, np.inf) for t in ids]
    return out


def timed(fn, *args):
    t0 = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - t0, result


def peak_mb(fn, *args):
    tracemalloc.start()
    fn(*args)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--osm", type=Path, default=Path(os.environ.get("VERVOER_OSM", DEFAULT_OSM))
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 300, 1000])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    net = load_network(args.osm)
    print(f"network: {net.graph.number_of_nodes()} nodes, {net.graph.number_of_edges()} edges")
    print(
        f"{'points':>7} {'vervoer s':>10} {'networkx s':>11} {'ratio':>7} "
        f"{'vervoer MB':>11} {'networkx MB':>12} {'max |diff| s':>13}"
    )
    rng = np.random.default_rng(args.seed)
    for n in args.sizes:
        idx = rng.choice(len(net.node_ids), n, replace=False)
        points = [Point(float(net.lat[i]), float(net.lon[i])) for i in idx]
        road_matrix(net, points[:5])  # warm-up (CSR build, imports)
        t_ours, m = timed(road_matrix, net, points)
        t_nx, ref = timed(networkx_matrix, net, points)
        diff = float(np.max(np.abs(m.durations - np.rint(ref))))
        mem_ours = peak_mb(road_matrix, net, points)
        mem_nx = peak_mb(networkx_matrix, net, points) if n <= 300 else float("nan")
        print(
            f"{n:>7} {t_ours:>10.3f} {t_nx:>11.2f} {t_nx / t_ours:>6.0f}x "
            f"{mem_ours:>11.1f} {mem_nx:>12.1f} {diff:>13.0f}"
        )


if __name__ == "__main__":
    main()
