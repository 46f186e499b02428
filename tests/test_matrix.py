from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from vervoer.core.model import Point
from vervoer.geo.matrix import haversine_matrix, leg_paths, road_matrix, snap
from vervoer.geo.network import load_network


@pytest.fixture(scope="module")
def network(osm_path, tmp_path_factory):
    return load_network(osm_path, cache_dir=tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="module")
def sample(network):
    rng = np.random.default_rng(42)
    idx = rng.choice(len(network.node_ids), 60, replace=False)
    points = [Point(float(network.lat[i]), float(network.lon[i])) for i in idx]
    return idx, points, road_matrix(network, points)


def test_travel_times_equal_networkx(network, sample):
    idx, _, m = sample
    g = network.graph
    rng = np.random.default_rng(1)
    for a, b in rng.integers(0, len(idx), size=(40, 2)):
        u, v = int(network.node_ids[idx[a]]), int(network.node_ids[idx[b]])
        expected = nx.shortest_path_length(g, u, v, weight="travel_time")
        assert m.durations[a, b] == round(expected)


def test_distances_follow_the_fastest_path(network, sample):
    idx, _, m = sample
    g = network.graph
    for a, b in [(0, 1), (5, 17), (30, 2), (44, 59)]:
        u, v = int(network.node_ids[idx[a]]), int(network.node_ids[idx[b]])
        path = nx.shortest_path(g, u, v, weight="travel_time")
        metres = sum(
            min(d["length"] for d in g[x][y].values()) for x, y in zip(path, path[1:], strict=False)
        )
        assert abs(m.distances[a, b] - metres) <= 1


def test_matrix_is_asymmetric_on_one_way_streets(network, sample):
    _, _, m = sample
    assert (m.durations != m.durations.T).any()
    one_way = [
        (u, v)
        for u, v, d in network.graph.edges(data=True)
        if d.get("oneway") and not network.graph.has_edge(v, u)
    ]
    assert one_way
    u, v = one_way[0]
    pts = [Point(network.graph.nodes[n]["y"], network.graph.nodes[n]["x"]) for n in (u, v)]
    mm = road_matrix(network, pts)
    assert mm.durations[0, 1] < mm.durations[1, 0]


def test_diagonal_zero_and_duplicates(network):
    p = Point(47.141, 9.521)
    m = road_matrix(network, [p, p, Point(47.165, 9.51)])
    assert m.durations[0, 0] == 0
    assert m.durations[0, 1] == 0
    assert m.durations[0, 2] == m.durations[1, 2] > 0


def test_snap_reports_distance(network):
    _nodes, dist = snap(network, [Point(47.141, 9.521), Point(47.30, 9.9)])
    assert dist[0] < 100
    assert dist[1] > 10_000


def test_leg_paths_follow_roads(network, sample):
    _, _, m = sample
    a, b = int(m.nodes[0]), int(m.nodes[1])
    path = leg_paths(network, [(a, b)])[(a, b)]
    assert len(path) > 2
    assert path[0] == (float(network.lat[a]), float(network.lon[a]))
    assert path[-1] == (float(network.lat[b]), float(network.lon[b]))


def test_haversine_matrix():
    m = haversine_matrix([Point(52.0, 5.0), Point(52.0, 5.1)], speed_kph=36)
    assert 6_800 < m.distances[0, 1] < 6_900
    assert m.durations[0, 1] == pytest.approx(m.distances[0, 1] / 10, abs=1)  # 36 km/h = 10 m/s
