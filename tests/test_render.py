"""Maps and route sheets: escaping, privacy, completeness, PDF, file names, CLI."""

from __future__ import annotations

import html
import json
import re
from collections import Counter

import pytest
from click.testing import CliRunner

from vervoer.cli import main
from vervoer.core.model import format_clock
from vervoer.outputs.exports import route_file_stem
from vervoer.outputs.render import (
    leaflet_assets,
    map_summary,
    route_sheet_html,
    save_map,
    week_map,
    write_maps,
    write_outputs,
    write_sheets,
)

from . import outputs_data as od
from .test_export import tiny


@pytest.fixture(scope="module")
def made(osm_path, tmp_path_factory):
    return od.made(osm_path, tmp_path_factory.mktemp("outputs"))


@pytest.fixture(scope="module")
def map_html(made, tmp_path_factory):
    """The overview map (default: no names) as saved HTML."""
    path = tmp_path_factory.mktemp("map") / "map.html"
    save_map(week_map(made.plan, made.scenario, made.geometry), path)
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def sheets(made, tmp_path_factory):
    out = tmp_path_factory.mktemp("sheets") / "sheets"
    return out, write_sheets(made.plan, made.scenario, out, geometry=made.geometry)


def _routes(plan):
    return [(ride.key, r) for ride in plan.rides for r in ride.routes]


def _forms(text: str) -> set[str]:
    """A text as it may appear in a page: raw, HTML-escaped, and JSON-escaped in a script."""
    escaped = html.escape(text)
    return {text, escaped, json.dumps(escaped)[1:-1], json.dumps(text)[1:-1]}


# ----------------------------------------------------------------------------- maps


def test_map_shows_every_stop_once(made):
    m = week_map(made.plan, made.scenario, made.geometry)
    stops = map_summary(m)["stops"]
    want = Counter(
        (str(k), r.vehicle, seq, s.place)
        for k, r in _routes(made.plan)
        for seq, s in enumerate(r.stops)
    )
    got = Counter((d["ride"], d["vehicle"], d["seq"], d["place"]) for d in stops)
    assert got == want
    text = m.get_root().render()
    assert len(re.findall(r'class=\\"vv-stop vv-', text)) == sum(want.values())


def test_day_map_has_only_that_day_and_its_layers(made):
    m = week_map(made.plan, made.scenario, made.geometry, day="ma", language="nl")
    summary = map_summary(m)
    assert {d["ride"] for d in summary["stops"]} == {"mon-heen", "mon-terug"}
    layers = summary["layers"]
    assert "maandag heen" in layers and "maandag terug" in layers
    assert "Organisatie: De Brug" in layers
    assert {"Locaties", "Depots", "Niet ingepland (3)"} <= set(layers)
    en = map_summary(week_map(made.plan, made.scenario, made.geometry, day="mon", language="en"))
    assert "Monday to location" in en["layers"] and "Unassigned (3)" in en["layers"]


def test_map_is_self_contained_except_tiles(map_html):
    assert leaflet_assets() is not None
    assert "<script src=" not in map_html and "<link " not in map_html.lower()
    assert "cdn.jsdelivr" not in map_html and "code.jquery" not in map_html
    assert "L.control.layers" in map_html
    assert "tile.openstreetmap.org" in map_html
    assert "openstreetmap.org/copyright" in map_html and "contributors" in map_html
    assert "fitBounds" in map_html
    assert "$(`" not in map_html  # no jQuery template-literal popups (folium.Popup)


def test_map_without_tiles_requests_nothing(made):
    text = week_map(made.plan, made.scenario, made.geometry, tiles=None).get_root().render()
    assert "tile.openstreetmap.org" not in text and "{z}" not in text
    assert "L.tileLayer" not in text and "<script src=" not in text


def test_map_has_no_participant_names_by_default(map_html):
    for p in ("Anna", "Jansen", "Bakker", "Smit", "Visser", "Frits", "Geenbus", "Zoekgeraakt"):
        assert p not in map_html
    for form in _forms(od.XSS_NAME) | _forms(od.QUOTE_NAME):
        assert form not in map_html
    assert "alert(1)" not in map_html and "alert(2)" not in map_html  # name, notes


def test_map_escapes_scenario_text_even_with_names(made):
    text = (
        week_map(made.plan, made.scenario, made.geometry, names=True, day="ma").get_root().render()
    )
    assert "alert(1)" in text  # the name is there, as text
    for raw in (od.XSS_NAME, od.XSS_ORG, od.XSS_LOCATION, "<img src=x", "<svg onload"):
        assert raw not in text
    assert "${alert" not in text
    assert html.escape(od.XSS_ORG) in text  # in the legend (HTML)
    assert json.dumps(html.escape(od.XSS_NAME))[1:-1].replace("&", "\\u0026") in text  # script


def test_map_lists_unassigned_with_reason(made):
    text = week_map(made.plan, made.scenario, made.geometry, day="ma").get_root().render()
    assert "no vehicle of pool zuid is available on Monday" in text
    assert od.NO_DAY in text and od.NOT_FOUND in text
    summary = map_summary(week_map(made.plan, made.scenario, made.geometry, day="di"))
    assert "Niet ingepland (0)" in summary["layers"]


def test_write_maps_one_per_weekday(made, tmp_path):
    out = write_maps(made.plan, made.scenario, made.geometry, tmp_path)
    assert set(out) == {"map", "map-mon", "map-tue", "map-wed", "map-thu", "map-fri"}
    overview = out["map"].read_text(encoding="utf-8")
    assert "map-mon.html" in overview and "Weekoverzicht" in overview
    assert "<title>Vervoersplan scenario — maandag" in out["map-mon"].read_text(encoding="utf-8")


def test_map_without_geometry_draws_straight_lines():
    plan, sc = tiny()
    m = week_map(plan, sc, None)
    assert len(map_summary(m)["stops"]) == 4
    assert "Piet" not in m.get_root().render()


# ----------------------------------------------------------------------------- sheets


def test_every_stop_on_exactly_one_sheet(made, sheets):
    folder, _ = sheets
    seen: Counter = Counter()
    for page in folder.glob("*.html"):
        if page.name == "index.html":
            continue
        text = page.read_text(encoding="utf-8")
        ride, vehicle = re.search(r"data-ride='([^']*)' data-vehicle='([^']*)'", text).groups()
        for seq, place in re.findall(r"<tr[^>]* data-seq='(\d+)' data-place='([^']*)'", text):
            seen[(ride, html.unescape(vehicle), int(seq), html.unescape(place))] += 1
    want = Counter(
        (str(k), r.vehicle, seq, s.place)
        for k, r in _routes(made.plan)
        for seq, s in enumerate(r.stops)
    )
    assert seen == want
    assert max(seen.values()) == 1


def test_sheet_content_dutch_with_names(made):
    key, route = next((k, r) for k, r in _routes(made.plan) if str(k) == "mon-heen")
    text = route_sheet_html(made.plan, made.scenario, key, route, geometry=made.geometry)
    for word in (
        "Ritstaat",
        "Voertuig",
        "Vertrek depot",
        "Terug op depot",
        "Instappen",
        "Uitstappen",
        "Rolstoelplaats",
        "Begeleider",
        "Rollator",
        "Opmerkingen",
        "Bezetting",
        "Totaal",
        "maandag",
        "@page",
        "size: A4",
    ):
        assert word in text, word
    assert html.escape(od.QUOTE_NAME) in text  # names on by default (the driver needs them)
    assert html.escape(od.XSS_NAME) in text and od.XSS_NAME not in text
    assert html.escape(od.XSS_NOTE) in text and "</script><script>" not in text
    assert html.escape(od.XSS_ORG) in text and "<img src=x" not in text
    assert html.escape(od.XSS_LOCATION) in text and "<svg onload" not in text
    assert "https://www.openstreetmap.org/directions?engine=fossgis_osrm_car" in text
    assert "geo:47." in text and "google" not in text.lower()
    assert "<svg xmlns" in text and "<polyline" in text
    assert format_clock(route.stops[0].departure) in text
    assert "<script" not in text


def test_sheet_without_names_and_in_english(made):
    key, route = next((k, r) for k, r in _routes(made.plan) if str(k) == "mon-heen")
    text = route_sheet_html(made.plan, made.scenario, key, route, names=False, language="en")
    for p in made.scenario.participants:
        assert html.escape(p.name) not in text
    assert "alert(1)" not in text
    assert "D2" in text and "Route sheet" in text and "Boarding" in text and "Monday" in text
    assert "Wheelchair place" in text and "Walker" in text


def test_sheet_files_pdf_and_index(made, sheets):
    pypdf = pytest.importorskip("pypdf")
    folder, written = sheets
    routes = _routes(made.plan)
    assert written["index"].name == "index.html"
    index = written["index"].read_text(encoding="utf-8")
    for key, _route in routes:
        assert f"{key}-" in index
    assert sum(1 for k in written if k.endswith(".pdf")) == len(routes)
    # path traversal: every file stays inside the folder, the id is slugified
    for path in folder.rglob("*"):
        assert path.resolve().parent == folder.resolve()
    assert not (folder.parent.parent / "etc").exists()
    assert (folder / f"{route_file_stem(routes[-1][0], 'etc-x')}.html").is_file()
    key, route = next((k, r) for k, r in routes if r.vehicle == "B1")
    reader = pypdf.PdfReader(str(folder / f"{key}-B1.pdf"))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "B1" in text
    assert format_clock(route.stops[0].departure) in text
    assert format_clock(route.stops[1].arrival) in text
    everything = pypdf.PdfReader(str(written["all"]))
    assert len(everything.pages) >= len(routes)


# ----------------------------------------------------------------------------- all, CLI


def test_write_outputs(made, tmp_path):
    out = write_outputs(made.plan, made.prepared, tmp_path, language="nl", pdf=False)
    for name in ("map", "map-mon", "sheets", "geojson", "csv", "gpx"):
        assert out[name].exists(), name
    assert out["sheets"] == tmp_path / "sheets" / "index.html"
    overview = out["map"].read_text(encoding="utf-8")
    assert "sheets/mon-heen-B1.html" in overview
    sheet = (tmp_path / "sheets" / "mon-heen-B1.html").read_text(encoding="utf-8")
    assert "../gpx/mon-heen-B1.gpx" in sheet
    assert (tmp_path / "gpx" / "mon-heen-B1.gpx").is_file()


def test_map_and_sheets_cli(made, tmp_path, osm_path, monkeypatch):
    monkeypatch.setenv("VERVOER_CACHE", str(made.cache_dir))
    runner = CliRunner()
    common = ["--scenario", str(made.scenario_dir), "--osm", str(osm_path), "--out", str(tmp_path)]
    result = runner.invoke(main, ["map", str(made.plan_path), *common, "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "map.html").is_file() and (tmp_path / "map-mon.html").is_file()
    assert "Unassigned" in (tmp_path / "map-mon.html").read_text(encoding="utf-8")
    result = runner.invoke(main, ["sheets", str(made.plan_path), *common, "--no-pdf", "--no-names"])
    assert result.exit_code == 0, result.output
    assert "route sheets" in result.output
    pages = list((tmp_path / "sheets").glob("*.html"))
    assert len(pages) == len(_routes(made.plan)) + 1
    assert not list((tmp_path / "sheets").glob("*.pdf"))
    assert all("Jansen" not in p.read_text(encoding="utf-8") for p in pages)
