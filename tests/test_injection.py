"""The hostile scenario through every writer at once: CSV cells, HTML, file names.

tests/outputs_data.py makes scenario_small hostile (HTML/JS in names, notes, organisation and
location names; formula-like participant id and address; a vehicle id ``../../etc/x``).
Here its organisation ids are made formula-like too, so that the cost report's tables
(which name organisations, not people) are tested as well. Every writer that produces CSV
or HTML writes into one folder: maps, route sheets, the sheets' index, GeoJSON, stops.csv,
GPX (with and without names), the geocoding report, the scenario writer, the cost report
and its four CSV tables. (No writer of vervoer produces XLSX; workbooks are only read.)
"""

from __future__ import annotations

import csv
import dataclasses
import html
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from vervoer.core.files import FORMULA_START
from vervoer.core.model import Pool, Weekday
from vervoer.core.settings import SolveParams
from vervoer.geo.geocode import write_geocode_report
from vervoer.io.scenario import Scenario, write_scenario
from vervoer.outputs.exports import write_exports
from vervoer.outputs.report import write_report
from vervoer.outputs.write import write_maps, write_outputs
from vervoer.sharing import compare as cp

from . import outputs_data as od

NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")

ORG_IDS = {"rijn": "=rijn", "brug": "-brug", "berg": "@berg"}
# the payloads as a browser would run them: a raw tag, also written as a JS/CSS escape
HOSTILE_TAG = re.compile(
    r"(<|\\u003c|\\x3c|%3c)\s*/?\s*(script>alert|img src=x|svg onload)", re.IGNORECASE
)


@pytest.fixture(scope="module")
def made(osm_path, tmp_path_factory):
    return od.made(osm_path, tmp_path_factory.mktemp("outputs"))


def _formula_orgs(sc: Scenario) -> Scenario:
    """The same scenario with organisation ids that look like formulas."""
    m = ORG_IDS

    def org(x):
        return dataclasses.replace(x, organisation=m[x.organisation])

    return dataclasses.replace(
        sc,
        organisations=tuple(dataclasses.replace(o, id=m[o.id]) for o in sc.organisations),
        locations=tuple(org(loc) for loc in sc.locations),
        participants=tuple(org(p) for p in sc.participants),
        vehicles=tuple(org(v) for v in sc.vehicles),
        settings=dataclasses.replace(
            sc.settings,
            pools=tuple(
                Pool(name=p.name, organisations=tuple(m[o] for o in p.organisations))
                for p in sc.settings.pools
            ),
        ),
    )


@pytest.fixture(scope="module")
def written(made, tmp_path_factory) -> Path:
    """Every CSV and HTML writer, into one folder."""
    out = tmp_path_factory.mktemp("hostile") / "out"
    write_outputs(made.plan, made.scenario, made.prepared.network, out, pdf=False)
    named = out / "named"
    write_maps(made.plan, made.scenario, made.geometry, named, names=True)
    write_exports(made.plan, made.scenario, made.geometry, named, names=True)
    write_geocode_report(made.prepared.geocoding, out / "geocoded.csv")
    hostile = _formula_orgs(made.scenario)
    write_scenario(hostile, out / "scenario")
    cmp = cp.compare(
        hostile,
        made.prepared.matrix,
        made.prepared.places,
        days=[Weekday.MON],
        params=SolveParams(time_limit_s=5, max_iterations=10),
        executor="serial",
    )
    write_report(cmp, hostile, out / "compare")
    return out


def _files(folder: Path, suffix: str) -> list[Path]:
    return sorted(p for p in folder.rglob(f"*{suffix}") if p.is_file())


def test_every_csv_cell_is_neutralised(written):
    files = _files(written, ".csv")
    names = {str(p.relative_to(written)) for p in files}
    assert {"stops.csv", "named/stops.csv", "geocoded.csv", "scenario/participants.csv"} <= names
    assert {f"compare/{t}.csv" for t in ("comparison", "allocation", "coalitions")} <= names
    cells = []
    for path in files:
        with path.open(encoding="utf-8", newline="") as fh:
            for n, row in enumerate(csv.reader(fh)):
                for cell in row:
                    # a plain number (-9.67) is a number in a spreadsheet, not a formula
                    if not NUMBER.fullmatch(cell):
                        assert not cell.startswith(FORMULA_START), (path.name, n, cell)
                    cells.append(cell)
    # the hostile values are there, neutralised
    for value in (od.FORMULA_ID, od.FORMULA_ADDRESS, *ORG_IDS.values()):
        assert f"'{value}" in cells, value
    assert any(c.startswith("'-brug + =rijn") for c in cells)  # a coalition of the report


def test_every_html_page_escapes_scenario_text(written):
    pages = _files(written, ".html")
    names = {str(p.relative_to(written)) for p in pages}
    assert {"map.html", "map-mon.html", "named/map.html", "sheets/index.html"} <= names
    assert "compare/report.html" in names
    assert sum(1 for n in names if n.startswith("sheets/") and n != "sheets/index.html") > 3
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert not HOSTILE_TAG.search(text), (page.name, HOSTILE_TAG.search(text))
        for script in re.findall(r"<script[^>]*>(.*?)</script>", text, re.DOTALL):
            assert "${alert" not in script and "`x`" not in script, page.name
    report = (written / "compare" / "report.html").read_text(encoding="utf-8")
    assert html.escape(od.XSS_ORG) in report  # the organisation's name, as text
    assert html.escape(ORG_IDS["rijn"]) in report
    sheets = "".join(p.read_text(encoding="utf-8") for p in pages if "sheets" in p.parts)
    assert html.escape(od.XSS_NAME) in sheets  # the names are on the sheets, as text


def test_other_outputs_parse_and_no_id_steers_a_path(written):
    for path in _files(written, ".geojson"):
        assert json.loads(path.read_text(encoding="utf-8"))["type"] == "FeatureCollection"
    gpx = _files(written, ".gpx")
    assert any(p.name.endswith("-etc-x.gpx") for p in gpx)
    for path in gpx:
        ET.parse(path)  # well-formed XML, whatever the ids and addresses hold
    root = written.resolve()
    for path in written.rglob("*"):
        assert path.resolve().is_relative_to(root), path
        assert ".." not in path.relative_to(written).parts
    assert not (written.parent / "etc").exists() and not (written.parent.parent / "etc").exists()
