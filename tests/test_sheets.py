"""Route sheets (HTML, PDF, index, file names), all outputs at once, and the CLI."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from vervoer.cli import main
from vervoer.core.model import format_clock
from vervoer.outputs.exports import route_file_stem
from vervoer.outputs.sheets import route_sheet_html
from vervoer.outputs.write import write_outputs, write_sheets

from . import outputs_data as od

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


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
        "In / uit",
        ">in<",
        ">uit<",
        "rolstoel",
        "begeleider",
        "rollator",
        "Bez.",
        "Max. bezetting",
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
    assert "D2" in text and "Route sheet" in text and "In / out" in text and "Monday" in text
    assert "wheelchair" in text and "walker" in text and "Max. load" in text


def test_sheet_files_pdf_and_index(made, sheets):
    pypdf = pytest.importorskip("pypdf")
    folder, written = sheets
    routes = _routes(made.plan)
    assert written["index"].name == "index.html"
    index = written["index"].read_text(encoding="utf-8")
    for key, _route in routes:
        assert f"{key}-" in index
    sheet_pdfs = [k for k in written if k.endswith(".pdf") and not k.startswith("day-")]
    assert len(sheet_pdfs) == len(routes)
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


# ----------------------------------------------------------------------------- one page


@pytest.mark.parametrize("direction", ["heen", "terug"])
def test_sixteen_stops_print_on_one_a4_page(tmp_path, direction):
    """16 stops between the depot visits, long names and addresses, notes: one A4 page."""
    pypdf = pytest.importorskip("pypdf")
    from .long_route import long_route_plan

    plan, sc = long_route_plan(direction=direction)
    route = plan.rides[0].routes[0]
    assert len(route.stops) == 18
    written = write_sheets(plan, sc, tmp_path)
    reader = pypdf.PdfReader(str(written[f"mon-{direction}-ZB1.pdf"]))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (
        210,
        297,
    )
    text = reader.pages[0].extract_text()
    for p in sc.participants:
        assert p.id in text
    assert format_clock(route.stops[-1].arrival) in text
    if shutil.which("pdftoppm"):  # a picture of the page for the test artifacts, to look at
        ARTIFACTS.mkdir(exist_ok=True)
        stem = ARTIFACTS / f"sheet-16-stops-{direction}"
        pdf = written[f"mon-{direction}-ZB1.pdf"]
        subprocess.run(
            ["pdftoppm", "-png", "-r", "110", "-singlefile", str(pdf), str(stem)], check=True
        )
        assert stem.with_suffix(".png").stat().st_size > 10_000


def test_notes_once_and_needs_as_tags():
    from .long_route import NOTES, long_route_plan

    for direction in ("heen", "terug"):
        plan, sc = long_route_plan(direction=direction)
        key, route = plan.rides[0].key, plan.rides[0].routes[0]
        text = route_sheet_html(plan, sc, key, route)
        for note in filter(None, NOTES):
            holders = [p for p in sc.participants if p.notes == note]
            assert text.count(html.escape(note)) == len(holders), (direction, note)
        # the notes are at the homes, not at the locations
        rows = re.findall(r"<tr[^>]*data-seq='(\d+)' data-place='([^']*)'.*?</tr>", text)
        assert rows
        for row in re.findall(r"<tr class='location'.*?</tr>", text):
            assert "class='note'" not in row
        assert (
            text.count("<span class='tag'>rolstoel</span>")
            == sum(p.wheelchair for p in sc.participants) * 2
        )  # at home and at the location


def test_print_pdfs_per_vehicle_day_and_in_one_file(made, sheets):
    pypdf = pytest.importorskip("pypdf")
    folder, written = sheets
    index = written["index"].read_text(encoding="utf-8")
    assert "href='all-sheets.pdf'" in index and "Afdrukken" in index
    days = made.plan.vehicle_days()
    for vd in days:
        name = f"day-{vd.weekday.value}-{vd.vehicle.replace('../../etc/x', 'etc-x')}.pdf"
        assert name in written, name
        assert f"href='{name}'" in index
        pages = len(pypdf.PdfReader(str(folder / name)).pages)
        assert pages == len(vd.trips)  # one page per trip
    assert len(pypdf.PdfReader(str(written["all"])).pages) == len(_routes(made.plan))


def test_stop_numbers_at_one_address_do_not_overlap():
    from vervoer.outputs.sheets import _place_labels

    spots = _place_labels([(100.0, 100.0)] * 5 + [(110.0, 100.0), (300.0, 50.0)], 19.0)
    assert spots[0] == (100.0, 100.0) and spots[-1] == (300.0, 50.0)
    for i, a in enumerate(spots):
        for b in spots[i + 1 :]:
            assert ((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) ** 0.5 >= 19.0 - 1e-9


def test_a_map_too_tall_for_the_page_is_fitted_to_what_is_left(tmp_path, monkeypatch):
    """When the estimate leaves the map too tall, the laid-out page is measured instead."""
    pypdf = pytest.importorskip("pypdf")
    from vervoer.outputs import sheets as sheets_module

    from .long_route import long_route_plan

    plan, sc = long_route_plan()
    monkeypatch.setattr(sheets_module, "_map_height_mm", lambda *_args: 150.0)
    key, route = plan.rides[0].key, plan.rides[0].routes[0]
    assert 'height="150.0mm"' in route_sheet_html(plan, sc, key, route)
    written = write_sheets(plan, sc, tmp_path)
    assert len(pypdf.PdfReader(str(written["mon-heen-ZB1.pdf"])).pages) == 1
    page = written["mon-heen-ZB1.html"].read_text(encoding="utf-8")
    height = float(
        re.search(r'class="route-map"', page) and re.search(r'height="([\d.]+)mm"', page)[1]
    )
    assert sheets_module.MAP_MIN_MM <= height < 150.0  # the HTML is the page that was printed
