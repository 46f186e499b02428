"""Maps: escaping, privacy, completeness, self-contained pages, one file per weekday."""

from __future__ import annotations

import html
import json
import re
from collections import Counter

import pytest

from vervoer.outputs.maps import leaflet_assets, map_summary, save_map, week_map
from vervoer.outputs.write import write_maps

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
    assert "openstreetmap.org/copyright" in map_html and "-bijdragers" in map_html
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
    assert "er rijdt die dag geen voertuig van de pool" in text  # Dutch: the reason in words
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
