from __future__ import annotations

import bz2
import shutil
from pathlib import Path

import networkx as nx
import pytest

from vervoer.errors import NetworkError
from vervoer.network import DUTCH_SPEEDS, load_network


@pytest.fixture(scope="session")
def network(osm_path, tmp_path_factory):
    """The Liechtenstein road network, built once into a session cache folder."""
    return load_network(osm_path, cache_dir=tmp_path_factory.mktemp("cache"))


def test_graph_is_drivable_and_strongly_connected(network):
    g = network.graph
    assert g.number_of_nodes() > 10_000
    assert nx.is_strongly_connected(g)
    for _, _, d in g.edges(data=True):
        assert d["highway"] in DUTCH_SPEEDS
        assert d["travel_time"] > 0 or d["length"] == 0
        assert d["speed_kph"] > 0


def test_summary_names_source_date_and_area(network):
    s = network.summary()
    assert s["source_date"] == "2015-07-27"
    assert s["nodes"] == network.graph.number_of_nodes()
    assert 100 < s["bbox_area_km2"] < 400


def test_dutch_default_speed_where_maxspeed_missing(network):
    residential = [
        d
        for _, _, d in network.graph.edges(data=True)
        if d["highway"] == "residential" and not d.get("maxspeed")
    ]
    assert residential
    assert all(d["speed_kph"] == DUTCH_SPEEDS["residential"] for d in residential)


def test_cache_is_reused_and_damage_detected(osm_path, tmp_path):
    messages: list[str] = []
    first = load_network(osm_path, cache_dir=tmp_path, progress=messages.append)
    assert any("reading roads" in m for m in messages)
    messages.clear()
    second = load_network(osm_path, cache_dir=tmp_path, progress=messages.append)
    assert any("from cache" in m for m in messages)
    assert second.graph.number_of_edges() == first.graph.number_of_edges()
    # a truncated cache entry (an interrupted write) is detected and rebuilt
    (entry,) = tmp_path.glob("network-*.pkl")
    entry.write_bytes(entry.read_bytes()[:1000])
    messages.clear()
    third = load_network(osm_path, cache_dir=tmp_path, progress=messages.append)
    assert any("damaged" in m for m in messages)
    assert third.graph.number_of_nodes() == first.graph.number_of_nodes()


def test_cache_key_follows_file_content(osm_path, tmp_path):
    copy = tmp_path / "copy.osm.pbf"
    shutil.copy(osm_path, copy)
    load_network(copy, cache_dir=tmp_path / "c")
    assert len(list((tmp_path / "c").glob("network-*.pkl"))) == 1
    other = tmp_path / "other.osm.pbf"
    other.write_bytes(copy.read_bytes()[:-10] + b"0123456789")
    with pytest.raises(NetworkError):
        load_network(other, cache_dir=tmp_path / "c")


@pytest.mark.parametrize(
    ("content", "name"),
    [(b"", "empty.osm.pbf"), (b"not a pbf at all" * 50, "garbage.osm.pbf")],
)
def test_corrupt_extract_is_a_clear_error(tmp_path, content, name):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(NetworkError, match=name):
        load_network(path, cache_dir=tmp_path)


def test_truncated_extract_is_a_clear_error(osm_path, tmp_path):
    path = tmp_path / "truncated.osm.pbf"
    path.write_bytes(osm_path.read_bytes()[:200_000])
    with pytest.raises(NetworkError, match=r"truncated\.osm\.pbf"):
        load_network(path, cache_dir=tmp_path)


def test_missing_extract(tmp_path):
    with pytest.raises(NetworkError, match="not found"):
        load_network(tmp_path / "nope.osm.pbf", cache_dir=tmp_path)


def test_xml_extract_without_roads(tmp_path):
    xml = (
        '<?xml version="1.0"?><osm version="0.6">'
        '<node id="1" lat="47.1" lon="9.5"/><node id="2" lat="47.11" lon="9.51"/>'
        '<way id="5"><nd ref="1"/><nd ref="2"/><tag k="highway" v="footway"/></way></osm>'
    )
    path = tmp_path / "paths.osm.bz2"
    path.write_bytes(bz2.compress(xml.encode()))
    with pytest.raises(NetworkError, match="no drivable roads"):
        load_network(path, cache_dir=tmp_path)


def test_unknown_file_type(tmp_path):
    path = tmp_path / "roads.shp"
    path.write_bytes(b"x")
    with pytest.raises(NetworkError, match="unknown OSM file type"):
        load_network(Path(path), cache_dir=tmp_path)
