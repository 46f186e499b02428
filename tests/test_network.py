from __future__ import annotations

import bz2
import json
import re
import shutil
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from vervoer.cli import main
from vervoer.core.errors import NetworkError
from vervoer.core.model import Reason
from vervoer.geo.network import DUTCH_SPEEDS, load_network


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


# ----------------------------------------------------------------------------- pieces
# tests/data/spur.osm is hand-made (invented coordinates near 52.0 N 5.0 E): a two-way loop
# of about 1 x 1 km and a one-way dead-end spur of about 720 m from its north-east corner.

SPUR_OSM = Path(__file__).parent / "data" / "spur.osm"
SPUR_SCENARIO = {
    "organisations.csv": "id,name\nring,Zorg aan de Ring\n",
    "locations.csv": "id,name,organisation,lat,lon\nL1,Dagbesteding Ring,ring,52.000,5.006\n",
    "participants.csv": (
        "id,name,organisation,lat,lon\n"
        "D1,Anna West,ring,52.004,5.000\n"  # on the loop
        "D2,Bram Noord,ring,52.009,5.0075\n"  # on the loop
        "D3,Cor Spoor,ring,52.0155,5.015\n"  # at the far end of the one-way spur
    ),
    "attendance.csv": (
        "participant,weekday,location,arrive_by,depart_at\n"
        "D1,ma,L1,09:00,16:00\nD2,ma,L1,09:00,16:00\nD3,ma,L1,09:00,16:00\n"
    ),
    "vehicles.csv": (
        "id,organisation,depot_lat,depot_lon,seats,cost_per_hour,cost_per_km\n"
        "V1,ring,52.000,5.015,8,40,0.3\n"
    ),
}


def _spur_scenario(folder: Path) -> Path:
    folder.mkdir()
    for name, text in SPUR_SCENARIO.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_network_keeps_the_loop_and_says_it_left_the_spur_out(tmp_path):
    messages: list[str] = []
    net = load_network(SPUR_OSM, cache_dir=tmp_path, progress=messages.append)
    assert nx.is_strongly_connected(net.graph)
    assert net.graph.number_of_nodes() == 38  # the loop; the 7 nodes of the spur are gone
    assert max(net.lat) == pytest.approx(52.009)  # nothing north of the loop is left
    assert any("7 of 45 nodes cannot be reached and left again" in m for m in messages)


def test_home_on_a_cut_off_one_way_spur_is_unassigned_unreachable(tmp_path, monkeypatch):
    monkeypatch.setenv("VERVOER_CACHE", str(tmp_path / "cache"))
    scenario, out = _spur_scenario(tmp_path / "ring"), tmp_path / "out"
    runner = CliRunner()
    args = ["plan", str(scenario), "--osm", str(SPUR_OSM), "--out", str(out), "--no-pdf"]
    result = runner.invoke(main, [*args, "--day", "ma", "--iterations", "20"])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert "left out" in result.stderr  # the builder says it dropped part of the roads
    assert re.search(r"warning: home D3 lies 7\d\d m from the nearest road", result.stderr)
    assert re.search(
        r"unassigned mon-heen D3: the pickup point is 7\d\d m from the nearest road "
        r"\(more than 300 m\)",
        result.stdout,
    )
    assert "check: OK" in result.stdout
    doc = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    for ride in doc["rides"]:
        assert [(u["participant"], u["reason"]) for u in ride["unassigned"]] == [
            ("D3", Reason.UNREACHABLE_BY_ROAD.value)
        ]
        served = {p for r in ride["routes"] for s in r["stops"] for p in s["boarding"]}
        assert served == {"D1", "D2"}
    check = runner.invoke(
        main, ["check", str(scenario), str(out / "plan.json"), "--osm", str(SPUR_OSM)]
    )
    assert check.exit_code == 0, check.output
    assert "2 unassigned" in check.output and "check: OK" in check.output


def test_plan_where_the_extract_has_no_roads_is_a_clear_error(tmp_path, monkeypatch, osm_path):
    monkeypatch.setenv("VERVOER_CACHE", str(tmp_path / "cache"))
    scenario = _spur_scenario(tmp_path / "ring")
    footways = tmp_path / "paden.osm"
    footways.write_text(
        '<?xml version="1.0"?><osm version="0.6">'
        '<node id="1" lat="52.0" lon="5.0"/><node id="2" lat="52.01" lon="5.0"/>'
        '<way id="5"><nd ref="1"/><nd ref="2"/><tag k="highway" v="footway"/></way></osm>',
        encoding="utf-8",
    )
    # an extract of footpaths only, and a real extract of another area (Liechtenstein)
    for osm, words in ((footways, "paden.osm"), (osm_path, osm_path.name)):
        result = CliRunner().invoke(
            main, ["plan", str(scenario), "--osm", str(osm), "--out", str(tmp_path / "o")]
        )
        assert result.exit_code == 3, result.output
        assert "Error:" in result.output and words in result.output
        assert "no drivable road" in result.output
        assert "Traceback" not in result.output
        assert not (tmp_path / "o").exists()
