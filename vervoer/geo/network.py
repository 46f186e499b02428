"""Road network: an OSM extract (or, on request, an online place) to a drivable graph.

The graph is a strongly connected, directed ``networkx.MultiDiGraph`` in osmnx's form (nodes
with ``x``/``y``, edges with ``length`` in metres, ``speed_kph`` and ``travel_time`` in
seconds), not simplified, so that every home can be snapped to a nearby node. It is built
once and cached in a file whose name is the hash of the source file's content and of the
settings that shaped it.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
import numpy as np
import platformdirs

from vervoer.core.errors import NetworkError
from vervoer.core.files import atomic_open

# Speeds (km/h) where `maxspeed` is missing: Dutch defaults by road type (built-up areas 50,
# residential streets mostly 30 zones, rural roads 60/80, motorways 100 by day).
DUTCH_SPEEDS: dict[str, float] = {
    "motorway": 100,
    "motorway_link": 60,
    "trunk": 80,
    "trunk_link": 50,
    "primary": 70,
    "primary_link": 50,
    "secondary": 60,
    "secondary_link": 40,
    "tertiary": 50,
    "tertiary_link": 40,
    "unclassified": 40,
    "residential": 30,
    "living_street": 15,
    "service": 15,
    "road": 30,
}
DRIVABLE = frozenset(DUTCH_SPEEDS)
NETWORK_VERSION = "2"  # bump when the way the graph is built changes (invalidates caches)
PBF_SUFFIXES = (".osm.pbf", ".pbf")
XML_SUFFIXES = (".osm", ".osm.bz2", ".xml", ".osm.xml")

Progress = Callable[[str], None]


@dataclass(slots=True)
class RoadNetwork:
    """A drivable road graph plus compact arrays for fast matrix work.

    Attributes
    ----------
    graph
        The osmnx-style ``MultiDiGraph``.
    node_ids
        OSM node id per array index.
    lat, lon
        Node coordinates per array index.
    source
        Where the graph came from (file path or place name).
    source_date
        Newest OSM object timestamp in the source (ISO date), when known.
    """

    graph: nx.MultiDiGraph
    node_ids: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    source: str
    source_date: str = ""
    edge_from: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    edge_to: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    edge_time: np.ndarray = field(default_factory=lambda: np.zeros(0))
    edge_length: np.ndarray = field(default_factory=lambda: np.zeros(0))
    _index: dict[int, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if not self._index:
            self._index = {int(n): i for i, n in enumerate(self.node_ids)}
        if len(self.edge_from) == 0 and self.graph.number_of_edges():
            self._edge_arrays()

    def _edge_arrays(self) -> None:
        """Fastest edge per (from, to) node-index pair, sorted: the input of the matrix."""
        index = self._index
        edges = list(self.graph.edges(data=True))
        r = np.fromiter((index[int(u)] for u, _, _ in edges), dtype=np.int64, count=len(edges))
        c = np.fromiter((index[int(v)] for _, v, _ in edges), dtype=np.int64, count=len(edges))
        t = np.fromiter((float(d["travel_time"]) for *_, d in edges), dtype=float)
        ln = np.fromiter((float(d["length"]) for *_, d in edges), dtype=float)
        order = np.lexsort((t, c, r))
        r, c, t, ln = r[order], c[order], t[order], ln[order]
        first = np.ones(len(r), dtype=bool)
        first[1:] = (r[1:] != r[:-1]) | (c[1:] != c[:-1])
        self.edge_from, self.edge_to = r[first], c[first]
        self.edge_time, self.edge_length = t[first], ln[first]

    def index_of(self, node_id: int) -> int:
        """Array index of an OSM node id."""
        return self._index[int(node_id)]

    def summary(self) -> dict[str, object]:
        """Nodes, edges, drivable kilometres, bounding box, area and source date."""
        lengths = [d.get("length", 0.0) for _, _, d in self.graph.edges(data=True)]
        lat0 = float(np.mean(self.lat)) if len(self.lat) else 0.0
        width_km = (self.lon.max() - self.lon.min()) * 111.32 * np.cos(np.radians(lat0))
        height_km = (self.lat.max() - self.lat.min()) * 110.57
        return {
            "source": self.source,
            "source_date": self.source_date,
            "nodes": self.graph.number_of_nodes(),
            "edges": self.graph.number_of_edges(),
            "road_km": round(sum(lengths) / 1000, 1),
            "bbox": [
                round(float(self.lat.min()), 5),
                round(float(self.lon.min()), 5),
                round(float(self.lat.max()), 5),
                round(float(self.lon.max()), 5),
            ],
            "bbox_area_km2": round(float(width_km * height_km), 1),
        }


def default_cache_dir() -> Path:
    """The cache folder: ``$VERVOER_CACHE``, else the user's cache folder.

    The user's cache folder is platformdirs' ``user_cache_dir("vervoer")``: on Linux
    ``~/.cache/vervoer`` (or ``$XDG_CACHE_HOME/vervoer``), on macOS
    ``~/Library/Caches/vervoer``, on Windows ``%LOCALAPPDATA%\\vervoer\\Cache``.
    """
    env = os.environ.get("VERVOER_CACHE")
    if env:
        return Path(env)
    return Path(platformdirs.user_cache_dir("vervoer", appauthor=False))


def file_digest(path: Path) -> str:
    """SHA-256 of a file's content (hex)."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _cache_key(digest: str) -> str:
    settings = repr(sorted(DUTCH_SPEEDS.items())) + NETWORK_VERSION
    return hashlib.sha256((digest + settings).encode()).hexdigest()[:24]


def load_network(
    source: Path,
    *,
    cache_dir: Path | None = None,
    use_cache: bool = True,
    progress: Progress | None = None,
) -> RoadNetwork:
    """Build (or load from the cache) the drivable road network of a local OSM file.

    Parameters
    ----------
    source
        An ``.osm.pbf``, ``.osm`` or ``.osm.bz2`` extract.
    cache_dir
        Where cached graphs live (default :func:`default_cache_dir`).
    use_cache
        Read and write the cache.
    progress
        Called with a short message at each step.

    Returns
    -------
    RoadNetwork

    Raises
    ------
    NetworkError
        If the file is missing, unreadable, or holds no drivable roads.
    """
    say = progress or (lambda _msg: None)
    source = Path(source)
    if not source.is_file():
        msg = f"OSM extract {str(source)!r} not found; give an .osm.pbf/.osm/.osm.bz2 file"
        raise NetworkError(msg)
    cache_dir = cache_dir or default_cache_dir()
    digest = file_digest(source)
    cache_file = cache_dir / f"network-{_cache_key(digest)}.pkl"
    if use_cache and cache_file.is_file():
        cached = _read_cache(cache_file)
        if cached is not None:
            say(f"road network loaded from cache {cache_file.name}")
            cached.source = str(source)
            return cached
        say("cache entry was damaged; rebuilding")
    say(f"reading roads from {source.name}")
    t0 = time.perf_counter()
    graph, source_date = _graph_from_file(source)
    net = network_from_graph(graph, source=str(source), source_date=source_date, progress=say)
    say(
        f"road network: {net.graph.number_of_nodes()} nodes, "
        f"{net.graph.number_of_edges()} edges "
        f"({time.perf_counter() - t0:.1f} s)"
    )
    if use_cache:
        _write_cache(cache_file, net)
    return net


def network_from_place(query: str, *, progress: Progress | None = None) -> RoadNetwork:
    """Download the drivable network of a place name through osmnx (needs the internet).

    Only called when the user explicitly asks for an online source.
    """
    import osmnx as ox

    say = progress or (lambda _msg: None)
    say(f"downloading the road network of {query!r} from OpenStreetMap (online)")
    try:
        graph = ox.graph_from_place(query, network_type="drive", simplify=False)
    except Exception as exc:  # osmnx raises many kinds of errors for network trouble
        msg = f"could not download the road network of {query!r}: {exc}"
        raise NetworkError(msg) from None
    return network_from_graph(graph, source=f"place:{query}", progress=say)


def network_from_graph(
    graph: nx.MultiDiGraph,
    *,
    source: str,
    source_date: str = "",
    progress: Progress | None = None,
) -> RoadNetwork:
    """Add speeds and travel times, keep the largest strongly connected part, index it.

    ``progress`` is told how many road nodes were left out because they cannot be reached
    from the rest and back (one-way dead ends, separate pieces).
    """
    import osmnx as ox

    drop = [
        (u, v, k)
        for u, v, k, hw in graph.edges(keys=True, data="highway")
        if _highway(hw) not in DRIVABLE
    ]
    graph.remove_edges_from(drop)
    graph.remove_nodes_from([n for n, deg in list(graph.degree()) if deg == 0])
    if graph.number_of_edges() == 0:
        msg = f"{source}: no drivable roads found in this OSM extract"
        raise NetworkError(msg)
    for _, _, data in graph.edges(data=True):
        hw = _highway(data.get("highway"))
        data["highway"] = hw
        data.pop("geometry", None)
        if data.get("length") is None:
            data["length"] = 0.0
    graph = ox.routing.add_edge_speeds(graph, hwy_speeds=DUTCH_SPEEDS, fallback=30)
    graph = ox.routing.add_edge_travel_times(graph)
    before = graph.number_of_nodes()
    graph = ox.truncate.largest_component(graph, strongly=True)
    dropped = before - graph.number_of_nodes()
    if dropped and progress is not None:
        progress(
            f"kept the largest connected part of the roads: {dropped} of {before} nodes "
            "cannot be reached and left again by car (one-way dead ends, separate pieces) "
            "and are left out"
        )
    for _, _, data in graph.edges(data=True):
        # whole milliseconds and decimetres, so path sums are exact in the matrix
        data["travel_time"] = round(float(data["travel_time"]), 3)
        data["length"] = round(float(data["length"]), 1)
    keep_edge = {"length", "speed_kph", "travel_time", "highway", "name", "oneway", "maxspeed"}
    for _, _, data in graph.edges(data=True):
        for key in [k for k in data if k not in keep_edge]:
            del data[key]
    for _, data in graph.nodes(data=True):
        for key in [k for k in data if k not in ("x", "y")]:
            del data[key]
    node_ids = np.fromiter(graph.nodes, dtype=np.int64, count=graph.number_of_nodes())
    lat = np.array([graph.nodes[n]["y"] for n in graph.nodes], dtype=float)
    lon = np.array([graph.nodes[n]["x"] for n in graph.nodes], dtype=float)
    return RoadNetwork(
        graph=graph, node_ids=node_ids, lat=lat, lon=lon, source=source, source_date=source_date
    )


def _highway(value: object) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value or "")


def _graph_from_file(source: Path) -> tuple[nx.MultiDiGraph, str]:
    name = source.name.lower()
    try:
        if name.endswith(PBF_SUFFIXES):
            return _graph_from_pbf(source)
        if name.endswith(XML_SUFFIXES):
            import osmnx as ox

            graph = ox.graph_from_xml(source, simplify=False, retain_all=True)
            return graph, ""
    except NetworkError:
        raise
    except Exception as exc:  # corrupt input surfaces as many exception types
        msg = f"{source.name}: could not read the OSM extract ({type(exc).__name__}: {exc})"
        raise NetworkError(msg) from None
    msg = f"{source.name}: unknown OSM file type; expected .osm.pbf, .osm or .osm.bz2"
    raise NetworkError(msg)


def _graph_from_pbf(source: Path) -> tuple[nx.MultiDiGraph, str]:
    import warnings

    import pyrosm

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        osm = pyrosm.OSM(str(source))
        result = osm.get_network(network_type="driving", nodes=True)
    if result is None or result[1] is None or len(result[1]) == 0:
        msg = f"{source.name}: no drivable roads found in this OSM extract"
        raise NetworkError(msg)
    nodes, edges = result
    date = ""
    if "timestamp" in nodes and len(nodes):
        newest = int(max(nodes["timestamp"].max(), edges["timestamp"].max()))
        date = time.strftime("%Y-%m-%d", time.gmtime(newest))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        graph = osm.to_graph(nodes, edges, graph_type="networkx", simplify=False, retain_all=True)
    return graph, date


def _read_cache(path: Path) -> RoadNetwork | None:
    try:
        blob = path.read_bytes()
        digest, payload = blob[:64].decode(), blob[64:]
        if hashlib.sha256(payload).hexdigest() != digest:
            return None
        net = pickle.loads(payload)
    except Exception:
        return None
    return net if isinstance(net, RoadNetwork) else None


def _write_cache(path: Path, net: RoadNetwork) -> None:
    payload = pickle.dumps(net, protocol=pickle.HIGHEST_PROTOCOL)
    with atomic_open(path, "wb") as fh:
        fh.write(hashlib.sha256(payload).hexdigest().encode())
        fh.write(payload)
