"""Every file a coordinator, driver or manager opens is Dutch in ``nl`` and English in ``en``.

The scan takes every English phrase of the translation table (:data:`vervoer.core.i18n.TEXT`
and the day names) that differs from its Dutch one, and looks for it in the text of every
``nl`` output: the maps (legend, layer names, popups, tooltips; not the Leaflet library), the
route sheets (HTML and the PDF's text), the sheets index, the change list, the cost CSVs and
the comparison report. Numbers are Dutch there (``1.917,64`` and ``26,3 km``) and English in
``en`` (``1,917.64`` and ``26.3 km``).

``stops.csv``, ``vehicle_days.csv``, ``routes.geojson``, the GPX files and ``plan.json`` are
data files for programs: their column and field names are the same in every language (see
the README's output contract), so they are not scanned.
"""

from __future__ import annotations

import html
import json
import re

import pytest
from click.testing import CliRunner

from vervoer.cli import main
from vervoer.core.i18n import DAY_NAMES, TEXT
from vervoer.outputs.change_list import write_change_list
from vervoer.outputs.maps import save_map, week_map
from vervoer.outputs.sheets import route_sheet_html
from vervoer.outputs.write import write_maps, write_sheets
from vervoer.routing.replan import Move

from . import outputs_data as od
from .long_route import long_route_plan

#: English words that are Dutch too (or names), when they stand alone
SAME_IN_DUTCH = {"week", "Depot", "Stop", "stops", "km", "route", "in", "transfer"}


def english_phrases() -> list[str]:
    """The table's English texts that are not also Dutch, split at ``{placeholders}``."""
    out: set[str] = set()
    nl = TEXT["nl"]
    for key, en in TEXT["en"].items():
        if en == nl.get(key):
            continue
        for part in re.split(r"\{[a-z_]+\}", en):
            part = part.strip(" .,:;()")
            if len(part) >= 2 and part not in SAME_IN_DUTCH:
                out.add(part)
    out.update(DAY_NAMES["en"].values())
    return sorted(out, key=len, reverse=True)


ENGLISH = english_phrases()
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def _visible(page: str) -> str:
    """The text of an HTML page as a reader sees it (tags, styles and scripts removed)."""
    page = re.sub(r"<style.*?</style>", " ", page, flags=re.S)
    page = re.sub(r"<script.*?</script>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def map_text(page: str) -> str:
    """What a map shows: its HTML, and the strings of its own script (popups, tooltips,
    layer names), without the inlined Leaflet library."""
    parts = [_visible(page)]
    for script in re.findall(r"<script[^>]*>(.*?)</script>", page, flags=re.S):
        if "@preserve" in script or "Leaflet" in script[:500]:
            continue  # the library
        for literal in _STRING.findall(script):
            try:
                value = json.loads(literal)
            except ValueError:
                continue
            if isinstance(value, str):
                parts.append(_visible(value))
    return "\n".join(parts)


def english_in(text: str) -> list[str]:
    """The English phrases of the table found in a text (whole words, case as written)."""
    found = []
    for phrase in ENGLISH:
        pattern = r"(?<![\w-])" + re.escape(phrase) + r"(?![\w-])"
        if re.search(pattern, text):
            found.append(phrase)
    return found


@pytest.fixture(scope="module")
def made(osm_path, tmp_path_factory):
    return od.made(osm_path, tmp_path_factory.mktemp("outputs"))


@pytest.fixture(scope="module")
def nl_outputs(made, tmp_path_factory):
    """The text of every Dutch output file of the hostile plan, by name."""
    pypdf = pytest.importorskip("pypdf")
    root = tmp_path_factory.mktemp("nl")
    texts: dict[str, str] = {}
    for name, path in write_maps(made.plan, made.scenario, made.geometry, root).items():
        texts[name] = map_text(path.read_text(encoding="utf-8"))
    written = write_sheets(made.plan, made.scenario, root / "sheets", geometry=made.geometry)
    for path in written.values():
        if path.suffix == ".html":
            texts[path.name] = _visible(path.read_text(encoding="utf-8"))
    reader = pypdf.PdfReader(str(written["all"]))
    texts["all-sheets.pdf"] = "\n".join(page.extract_text() for page in reader.pages)
    moves = [
        Move(trip="mon-heen", participant="D1", what=what, reason=reason)
        for what, reason in [
            ("vehicle", "absent"),
            ("time", "address"),
            ("no_ride", "time"),
            ("new", "start"),
            ("unassigned", "stop"),
            ("vehicle", "location L1 closed"),
        ]
    ]
    change = write_change_list(moves, made.scenario, root / "wijzigingen.csv", "nl")
    texts["wijzigingen.csv"] = change.read_text(encoding="utf-8")
    return texts


def test_the_scan_knows_english_when_it_sees_it():
    assert "Route sheet" in ENGLISH and "Monday" in ENGLISH and "Unassigned" in ENGLISH
    assert english_in("Ritstaat maandag, Route sheet") == ["Route sheet"]
    assert english_in("Ritstaat · Niet ingepland · rolstoel") == []
    page = '<script>var x = L.marker().bindPopup("<b>Vehicle</b> B1");</script><p>Voertuig</p>'
    assert english_in(map_text(page)) == ["Vehicle"]


def test_no_english_in_any_dutch_output(nl_outputs):
    assert {"map", "map-mon", "index.html", "all-sheets.pdf", "wijzigingen.csv"} <= set(nl_outputs)
    assert sum(name.endswith(".html") for name in nl_outputs) > 10  # every sheet
    found = {name: english_in(text) for name, text in nl_outputs.items()}
    assert {name: words for name, words in found.items() if words} == {}


def test_no_english_in_the_dutch_cost_files_and_report(made, tmp_path, osm_path, monkeypatch):
    monkeypatch.setenv("VERVOER_CACHE", str(made.cache_dir))
    result = CliRunner().invoke(
        main,
        [
            "costs",
            str(made.plan_path),
            "--scenario",
            str(made.scenario_dir),
            "--osm",
            str(osm_path),
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    files = sorted(tmp_path.glob("kosten*.csv"))
    assert len(files) == 3
    for path in files:
        assert english_in(path.read_text(encoding="utf-8")) == [], path.name


def test_no_english_in_the_dutch_report():
    from vervoer.core.model import Weekday
    from vervoer.core.settings import SolveParams
    from vervoer.outputs.report import report_html
    from vervoer.sharing import compare as cp

    from .scenarios import each_others_way, prepared

    sc = each_others_way()
    m, p = prepared(sc)
    fast = SolveParams(time_limit_s=5, max_iterations=50)
    cmp = cp.compare(sc, m, p, days=[Weekday.MON], params=fast, executor="serial")
    assert english_in(_visible(report_html(cmp, sc, language="nl"))) == []


# ----------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("language", "euros", "km", "wrong"),
    [
        ("nl", "1.917,64", "26,3 km", ["1,917.64", "26.3 km"]),
        ("en", "1,917.64", "26.3 km", ["1.917,64", "26,3 km"]),
    ],
)
def test_numbers_in_the_language_of_the_outputs(tmp_path, language, euros, km, wrong):
    plan, sc = long_route_plan(cost=1917.64, distance_m=26_300)
    key, route = plan.rides[0].key, plan.rides[0].routes[0]
    sheet = _visible(route_sheet_html(plan, sc, key, route, language=language))
    path = tmp_path / "map.html"
    save_map(week_map(plan, sc, None, language=language, tiles=None), path)
    shown = map_text(path.read_text(encoding="utf-8"))
    written = write_sheets(plan, sc, tmp_path / "sheets", pdf=False, language=language)
    index = _visible(written["index"].read_text(encoding="utf-8"))
    assert km in sheet and km in shown
    assert f"EUR {euros}" in shown  # the route's cost in its popup
    assert km.split()[0] in index
    for text in (sheet, shown, index):
        for w in wrong:
            assert w not in text
    if language == "en":  # and the English outputs speak English
        assert english_in(sheet) and "Route sheet" in sheet


def test_english_outputs_have_no_dutch_table_words(made, tmp_path):
    # heen and terug are also the code's words, which English texts explain in brackets
    nl = {
        v
        for k, v in TEXT["nl"].items()
        if v != TEXT["en"].get(k) and len(v) > 3 and v not in SAME_IN_DUTCH | {"heen", "terug"}
    }
    nl |= set(DAY_NAMES["nl"].values())
    key, route = next((r.key, r.routes[0]) for r in made.plan.rides if r.routes)
    sheet = _visible(route_sheet_html(made.plan, made.scenario, key, route, language="en"))
    path = tmp_path / "map.html"
    save_map(week_map(made.plan, made.scenario, made.geometry, language="en"), path)
    shown = map_text(path.read_text(encoding="utf-8"))
    scenario_texts = [p.notes for p in made.scenario.participants if p.notes]
    for text in (sheet, shown):
        for own in scenario_texts:  # the coordinator's own words stay as they are
            text = text.replace(own, " ")
        dutch = [w for w in nl if re.search(r"(?<![\w-])" + re.escape(w) + r"(?![\w-])", text)]
        assert dutch == []
