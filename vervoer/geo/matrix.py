"""Travel-time and distance matrices between points, and road paths for drawing.

The road provider snaps each point to the nearest node of the network (a KD-tree in a local
metric projection) and runs multi-source Dijkstra in compiled code
(``scipy.sparse.csgraph.dijkstra``) on integer edge weights that carry both the travel time
(milliseconds, high bits) and the length (decimetres, low bits), so one search gives the
fastest path's time and its road distance. Matrices are integers: seconds and metres
(rounded once, here).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from vervoer.core.model import Point
from vervoer.geo.network import RoadNetwork

EARTH_RADIUS_M = 6_371_008.8
UNREACHABLE = np.iinfo(np.int64).max // 4  # value for "no path" in integer matrices
_BATCH = 256  # sources per Dijkstra batch (bounds peak memory)


@dataclass(frozen=True, slots=True, kw_only=True)
class Matrix:
    """Asymmetric travel times (s) and distances (m) between ``points``.

    Attributes
    ----------
    points
        The points, in matrix order.
    durations, distances
        ``int64`` arrays of shape (n, n); ``UNREACHABLE`` where there is no path.
    nodes
        Snapped network node index per point (-1 for a matrix without a network).
    snap_m
        Distance in metres from each point to its snapped node (0 without a network).
    """

    points: tuple[Point, ...]
    durations: np.ndarray
    distances: np.ndarray
    nodes: np.ndarray
    snap_m: np.ndarray

    def __len__(self) -> int:
        return len(self.points)

    def subset(self, indices: Sequence[int]) -> Matrix:
        """The matrix restricted to ``indices`` (in that order)."""
        idx = np.asarray(indices, dtype=np.int64)
        return Matrix(
            points=tuple(self.points[i] for i in idx),
            durations=self.durations[np.ix_(idx, idx)],
            distances=self.distances[np.ix_(idx, idx)],
            nodes=self.nodes[idx],
            snap_m=self.snap_m[idx],
        )


MatrixProvider = Callable[[Sequence[Point]], Matrix]


def to_seconds(values: np.ndarray) -> np.ndarray:
    """Float seconds to int64 seconds (rounded); inf becomes ``UNREACHABLE``."""
    out = np.full(values.shape, UNREACHABLE, dtype=np.int64)
    ok = np.isfinite(values)
    out[ok] = np.rint(values[ok]).astype(np.int64)
    return out


to_metres = to_seconds  # the same rounding rule, named for what it converts


def _local_xy(lat: np.ndarray, lon: np.ndarray, lat0: float) -> np.ndarray:
    k = np.pi / 180 * EARTH_RADIUS_M
    return np.column_stack((lon * k * np.cos(np.radians(lat0)), lat * k))


def snap(network: RoadNetwork, points: Sequence[Point]) -> tuple[np.ndarray, np.ndarray]:
    """Nearest network node (array index) and its distance in metres, per point.

    Pass all points in one call: the KD-tree is built once per call.
    """
    lat0 = float(np.mean(network.lat))
    tree = cKDTree(_local_xy(network.lat, network.lon, lat0))
    plat = np.array([p.lat for p in points], dtype=float)
    plon = np.array([p.lon for p in points], dtype=float)
    dist, idx = tree.query(_local_xy(plat, plon, lat0))
    return np.asarray(idx, dtype=np.int64), np.asarray(dist, dtype=float)


_SHIFT = float(2**24)  # length (decimetres) lives in the low 24 bits of an edge weight


def _graph_arrays(network: RoadNetwork) -> csr_matrix:
    """CSR matrix of combined edge weights: ``time_ms * 2**24 + length_dm``.

    Both parts are integers, so sums along paths are exact in float64 (below 2**53, i.e.
    paths up to 149 hours and 1,677 km). The fastest path wins; of equally fast paths the
    shortest; and one Dijkstra gives both the time and the length of that path.
    """
    n = len(network.node_ids)
    t_ms = np.rint(network.edge_time * 1000.0)
    len_dm = np.rint(network.edge_length * 10.0)
    weight = np.maximum(t_ms * _SHIFT + len_dm, 1.0)  # a zero weight would vanish
    return csr_matrix((weight, (network.edge_from, network.edge_to)), shape=(n, n))


def _split(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Combined path weights to (seconds, metres) as floats; inf stays inf."""
    t_ms = np.floor(weights / _SHIFT)
    len_dm = weights - t_ms * _SHIFT
    return t_ms / 1000.0, len_dm / 10.0


def road_matrix(
    network: RoadNetwork,
    points: Sequence[Point],
    *,
    progress: Callable[[int, int], None] | None = None,
) -> Matrix:
    """Travel-time and road-distance matrix between points on a road network.

    Parameters
    ----------
    network
        The road network (see :func:`vervoer.geo.network.load_network`).
    points
        All points at once; duplicates and points sharing a node cost nothing extra.
    progress
        Called with (sources done, sources total) after each batch.

    Returns
    -------
    Matrix
        Times are those of the fastest path; distances are that path's length.
    """
    nodes, snap_m = snap(network, points)
    graph = _graph_arrays(network)
    unique, inverse = np.unique(nodes, return_inverse=True)
    n_unique = len(unique)
    dur = np.empty((n_unique, n_unique), dtype=float)
    dist = np.empty((n_unique, n_unique), dtype=float)
    for start in range(0, n_unique, _BATCH):
        src = unique[start : start + _BATCH]
        weights = dijkstra(graph, directed=True, indices=src)[:, unique]
        seconds, metres = _split(weights)
        dur[start : start + len(src)] = seconds
        dist[start : start + len(src)] = metres
        if progress:
            progress(min(start + _BATCH, n_unique), n_unique)
    full = np.ix_(inverse, inverse)
    return Matrix(
        points=tuple(points),
        durations=to_seconds(dur[full]),
        distances=to_metres(dist[full]),
        nodes=nodes,
        snap_m=snap_m,
    )


def haversine_matrix(points: Sequence[Point], *, speed_kph: float = 40.0) -> Matrix:
    """Straight-line matrix at a constant speed: for unit tests and quick estimates."""
    lat = np.radians([p.lat for p in points])
    lon = np.radians([p.lon for p in points])
    dlat = lat[:, None] - lat[None, :]
    dlon = lon[:, None] - lon[None, :]
    a = np.sin(dlat / 2) ** 2 + np.cos(lat[:, None]) * np.cos(lat[None, :]) * np.sin(dlon / 2) ** 2
    metres = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0, 1)))
    seconds = metres / (speed_kph / 3.6)
    n = len(points)
    return Matrix(
        points=tuple(points),
        durations=to_seconds(seconds),
        distances=to_metres(metres),
        nodes=np.full(n, -1, dtype=np.int64),
        snap_m=np.zeros(n),
    )


def leg_paths(
    network: RoadNetwork, legs: Sequence[tuple[int, int]]
) -> dict[tuple[int, int], list[tuple[float, float]]]:
    """Road geometry of legs between node indices, as lists of ``(lat, lon)``.

    One Dijkstra per distinct leg origin; pass all legs of a plan in one call.
    """
    graph = _graph_arrays(network)
    out: dict[tuple[int, int], list[tuple[float, float]]] = {}
    origins = sorted({a for a, _ in legs})
    if not origins:
        return out
    for start in range(0, len(origins), _BATCH):
        src = np.array(origins[start : start + _BATCH], dtype=np.int64)
        _, pred = dijkstra(graph, directed=True, indices=src, return_predecessors=True)
        row_of = {int(s): i for i, s in enumerate(src)}
        for a, b in legs:
            if a not in row_of:
                continue
            row = pred[row_of[a]]
            seq = [b]
            node = b
            while node != a and row[node] >= 0:
                node = int(row[node])
                seq.append(node)
            seq.reverse()
            out[(a, b)] = [(float(network.lat[i]), float(network.lon[i])) for i in seq]
    return out
