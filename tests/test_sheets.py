"""Route sheets (HTML, PDF, index, file names), all outputs at once, and the CLI."""

from __future__ import annotations

import html
import re
from collections import Counter

import pytest
from click.testing import CliRunner

from vervoer.cli import main
from vervoer.core.model import format_clock
from vervoer.outputs.exports import route_file_stem
from vervoer.outputs.sheets import route_sheet_html
from vervoer.outputs.write import write_outputs, write_sheets

from . import outputs_data as od


@pytest.fixture(scope="module")
def made(osm_path, tmp_path_factory):
    return od.made(osm_path, tmp_path_factory.mktemp("outputs"))


def _routes(plan):
    return [(ride.key, r) for ride in plan.rides for r in ride.routes]


@pytest.fixture(scope="module")
def sheets(made, tmp_path_factory):
    """Every route sheet (HTML and PDF) of the hostile plan, with names, and the index."""
    out = tmp_path_factory.mktemp("sheets") / "sheets"
    return out, write_sheets(made.plan, made.scenario, out, geometry=made.geometry)


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
    traversal = next(k for k, r in routes if r.vehicle == od.TRAVERSAL_VEHICLE)
    assert (folder / f"{route_file_stem(traversal, 'etc-x')}.html").is_file()
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
    out = write_outputs(
        made.plan, made.scenario, made.prepared.network, tmp_path, language="nl", pdf=False
    )
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
