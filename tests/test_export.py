"""GeoJSON, CSV and GPX exports of a plan, and road geometry (real Liechtenstein network)."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from itertools import pairwise

import pytest
from click.testing import CliRunner

from vervoer.cli import main
from vervoer.core.model import (
    Location,
    Mode,
    Organisation,
    Participant,
    Plan,
    Point,
    RideKey,
    RidePlan,
    Route,
    Stop,
    StopKind,
    Vehicle,
    Weekday,
)
from vervoer.io.scenario import Scenario
from vervoer.outputs.exports import (
    CSV_COLUMNS,
    GPX_NS,
    haversine_m,
    plan_geojson,
    point_of,
    route_gpx,
    route_path,
    slugify,
    unique_slugs,
    write_exports,
)

from . import outputs_data as od


@pytest.fixture(scope="module")
def made(osm_path, tmp_path_factory):
    return od.made(osm_path, tmp_path_factory.mktemp("outputs"))


def _routes(plan):
    return [(ride.key, r) for ride in plan.rides for r in ride.routes]


def _n_stops(plan):
    return sum(len(r.stops) for _, r in _routes(plan))


def tiny() -> tuple[Plan, Scenario]:
    """A one-route plan without a network: depot -> home -> location -> depot."""
    sc = Scenario(
        name="tiny",
        organisations=(Organisation(id="o", name="Org"),),
        locations=(Location(id="L", name="Loc", organisation="o", point=Point(52.01, 5.02)),),
        participants=(
            Participant(id="P", name="Piet Puk", organisation="o", point=Point(52.0, 5.01)),
        ),
        attendance=(),
        vehicles=(Vehicle(id="V", organisation="o", depot=Point(52.0, 5.0)),),
    )
    stops = (
        Stop(kind=StopKind.DEPOT, place="V", lat=52.0, lon=5.0, arrival=28800, departure=28800),
        Stop(
            kind=StopKind.HOME,
            place="P",
            lat=52.0,
            lon=5.01,
            arrival=29000,
            departure=29060,
            boarding=("P",),
            load_seats=1,
        ),
        Stop(
            kind=StopKind.LOCATION,
            place="L",
            lat=52.01,
            lon=5.02,
            arrival=29300,
            departure=29360,
            alighting=("P",),
        ),
        Stop(kind=StopKind.DEPOT, place="V", lat=52.0, lon=5.0, arrival=29600, departure=29600),
    )
    route = Route(
        vehicle="V", organisation="o", stops=stops, distance_m=3000, duration_s=800, cost=1
    )
    key = RideKey(weekday=Weekday.MON, trip="heen")
    return Plan(mode=Mode.SHARED, scenario="tiny", rides=(RidePlan(key=key, routes=(route,)),)), sc


# ----------------------------------------------------------------------------- no network


def test_straight_lines_without_geometry():
    plan, sc = tiny()
    route = plan.rides[0].routes[0]
    assert route_path(route, None) == [(52.0, 5.0), (52.0, 5.01), (52.01, 5.02), (52.0, 5.0)]
    doc = plan_geojson(plan, sc, None)
    line = doc["features"][0]
    assert line["geometry"]["type"] == "LineString"
    assert line["geometry"]["coordinates"][1] == [5.01, 52.0]  # [lon, lat]


def test_geometry_is_used_per_leg_with_stop_points_at_the_ends():
    plan, _sc = tiny()
    route = plan.rides[0].routes[0]
    a, b = point_of(route.stops[0]), point_of(route.stops[1])
    geometry = {(a, b): [a, (52.001, 5.003), (52.001, 5.007), b]}
    path = route_path(route, geometry)
    assert path[:4] == [a, (52.001, 5.003), (52.001, 5.007), b]
    assert len(path) == 6


def test_slugify_cannot_steer_paths():
    assert slugify("../../etc/x") == "etc-x"
    assert slugify("..") == "x"
    assert slugify("") == "x"
    assert slugify("C:\\Windows\\system32") == "C-Windows-system32"
    assert slugify("bus 1/a") == "bus-1-a"
    slugs = unique_slugs(["a/b", "a-b", "A-B", "a/b"])
    assert slugs == {"a/b": "a-b", "a-b": "a-b-2", "A-B": "A-B-3"}
    for s in slugs.values():
        assert "/" not in s and "." not in s and "\\" not in s


# ----------------------------------------------------------------------------- real plan


def test_geojson_valid_lonlat_along_roads(made, tmp_path):
    out = write_exports(made.plan, made.scenario, made.geometry, tmp_path)
    doc = json.loads(out["geojson"].read_text(encoding="utf-8"))
    assert doc["type"] == "FeatureCollection"
    assert "OpenStreetMap" in doc["attribution"]
    kinds = [f["properties"]["type"] for f in doc["features"]]
    assert kinds.count("route") == len(_routes(made.plan))
    assert kinds.count("stop") == _n_stops(made.plan)
    assert kinds.count("unassigned") == sum(len(r.unassigned) for r in made.plan.rides)
    for f in doc["features"]:
        assert f["type"] == "Feature"
        geom = f["geometry"]
        if geom is None:
            assert f["properties"]["participant"] == od.NOT_FOUND
            continue
        coords = geom["coordinates"] if geom["type"] == "LineString" else [geom["coordinates"]]
        for lon, lat in coords:  # [lon, lat]: Liechtenstein lies at 9.4-9.7 E, 47.0-47.3 N
            assert 9.4 < lon < 9.7 and 47.0 < lat < 47.3
    routes = {
        (f["properties"]["ride"], f["properties"]["vehicle"]): f
        for f in doc["features"]
        if f["properties"]["type"] == "route"
    }
    for key, route in _routes(made.plan):
        line = routes[(str(key), route.vehicle)]["geometry"]["coordinates"]
        assert len(line) > 3 * len(route.stops)  # follows the roads, not stop to stop
        latlon = [(lat, lon) for lon, lat in line]
        along = sum(haversine_m(a, b) for a, b in pairwise(latlon))
        straight = sum(haversine_m(point_of(a), point_of(b)) for a, b in pairwise(route.stops))
        assert along > straight
        assert 0.9 * route.distance_m < along < 1.3 * route.distance_m + 500


def test_geojson_has_no_names_by_default(made):
    text = json.dumps(plan_geojson(made.plan, made.scenario, made.geometry), ensure_ascii=False)
    for p in made.scenario.participants:
        assert p.name not in text
    named = plan_geojson(made.plan, made.scenario, made.geometry, names=True)
    boarding = [n for f in named["features"] for n in f["properties"].get("boarding_names", [])]
    assert f"{od.QUOTE_NAME} (D2)" in boarding


def test_stops_csv_one_row_per_stop_and_formulas_neutralised(made, tmp_path):
    path = write_exports(made.plan, made.scenario, made.geometry, tmp_path)["csv"]
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    assert rows[0] == CSV_COLUMNS
    body = rows[1:]
    assert len(body) == _n_stops(made.plan)
    for row in body:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), row
    cells = {c for row in body for c in row}
    assert f"'{od.FORMULA_ID}" in cells  # participant id as place and in boarding
    assert f"'{od.FORMULA_ADDRESS}" in cells
    text = path.read_text(encoding="utf-8")
    for p in made.scenario.participants:
        assert p.name not in text
    first = dict(zip(rows[0], body[0], strict=True))
    assert first["kind"] == "depot" and first["seq"] == "0"
    assert len(first["arrival"]) == 5


def test_gpx_parses_with_route_and_track(made, tmp_path):
    write_exports(made.plan, made.scenario, made.geometry, tmp_path)
    files = sorted((tmp_path / "gpx").glob("*.gpx"))
    assert len(files) == len(_routes(made.plan))
    assert all(f.resolve().parent == (tmp_path / "gpx").resolve() for f in files)
    assert any(f.name.endswith("-etc-x.gpx") for f in files)
    ns = {"g": GPX_NS}
    for key, route in _routes(made.plan):
        root = ET.fromstring(route_gpx(key, route, made.scenario, made.geometry).encode())
        assert root.tag == f"{{{GPX_NS}}}gpx" and root.get("version") == "1.1"
        rtepts = root.findall("g:rte/g:rtept", ns)
        assert len(rtepts) == len(route.stops)
        assert len(root.findall("g:trk/g:trkseg/g:trkpt", ns)) > len(route.stops)
        for pt in rtepts:
            assert 47.0 < float(pt.get("lat")) < 47.3 and 9.4 < float(pt.get("lon")) < 9.7
    parsed = ET.parse(files[0]).getroot()
    assert parsed.tag.endswith("gpx")


def test_export_cli(made, tmp_path, osm_path, monkeypatch):
    monkeypatch.setenv("VERVOER_CACHE", str(made.cache_dir))
    out = tmp_path / "exp"
    result = CliRunner().invoke(
        main,
        [
            "export",
            str(made.plan_path),
            "--scenario",
            str(made.scenario_dir),
            "--osm",
            str(osm_path),
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert (out / "routes.geojson").is_file() and (out / "stops.csv").is_file()
    assert len(list((out / "gpx").glob("*.gpx"))) == len(_routes(made.plan))


def test_cli_needs_scenario(made):
    result = CliRunner().invoke(main, ["map", str(made.plan_path)])
    assert result.exit_code == 2
    assert "--scenario" in result.output
