"""Privacy: participants' names and home addresses stay out of everything that is shared.

A copy of scenario_small whose participants have names, home addresses and notes that occur
nowhere else is planned with `vervoer plan` (maps, route sheets, exports) and compared with
`vervoer compare` (cost report and its CSV tables). None of those texts may appear in the
shared maps, the exports, plan.json, the cost report, its tables, or anything the commands
print or log. Only the drivers' route sheets carry names (by design), and not with
``--no-names``.
"""

from __future__ import annotations

import csv
import io
import logging
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from pypdf import PdfReader

from vervoer.cli import main
from vervoer.io.plan_json import read_plan
from vervoer.io.scenario import read_scenario
from vervoer.outputs.exports import CSV_COLUMNS, route_gpx, stop_rows

SMALL = Path(__file__).parent / "data" / "scenario_small"

NAMES = {
    "D1": "Zwaantje Qwertyuiop",
    "D2": "Xerxes Blauwbilgorgel",
    "D3": "Ypke Zonderlingh",
    "D4": "Wubbo Kwastjesdraaier",
    "D5": "Vlinder Pruttelsnor",
}
# D1-D3: the address is only text (the coordinates are given); D4 and D5 are geocoded
HOMES = {
    "D1": "Qwertyuiopweg 17, 9490 Vaduz",
    "D2": "Blauwbilgorgelhof 3, 9490 Vaduz",
    "D3": "Zonderlinghgasse 9, 9494 Schaan",
    "D4": "Bahnhofstrasse 16, 9494 Schaan",
    "D5": "Landstrasse 323, 9495 Triesen",
}
NOTE = "Sleutel ligt onder de mat bij Plofkippenhok"


def _secrets() -> list[str]:
    """The texts that must not leak, and the street + number of every home alone."""
    streets = [home.split(",")[0] for home in HOMES.values()]
    surnames = [name.split()[-1] for name in NAMES.values()]
    return [*NAMES.values(), *surnames, *HOMES.values(), *streets, NOTE]


def private_scenario(target: Path) -> Path:
    """scenario_small with distinctive names, home addresses and a note."""
    shutil.copytree(SMALL, target)
    path = target / "participants.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    for row in rows[1:]:
        row[1], row[3] = NAMES[row[0]], HOMES[row[0]]
        row[11] = NOTE if row[0] == "D1" else row[11]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    # B2's depot shares D4's address in scenario_small; a depot address may be shown
    vehicles = target / "vehicles.csv"
    text = vehicles.read_text(encoding="utf-8").replace(
        '"Bahnhofstrasse 16, 9494 Schaan",47.1676', "Depotweg 1,47.1676"
    )
    vehicles.write_text(text, encoding="utf-8")
    return target


def _text(path: Path) -> str:
    if path.suffix == ".pdf":
        return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)
    return path.read_text(encoding="utf-8")


def _leaks(texts: dict[str, str]) -> str:
    """Which secret is in which text, one per line ('' when none)."""
    return "\n".join(
        f"{where}: {s!r}" for where, text in texts.items() for s in _secrets() if s in text
    )


@pytest.fixture(scope="module")
def planned(osm_path, osm_cache, tmp_path_factory) -> tuple[Path, Path, Result, str]:
    """`vervoer plan` with every default output, and what it printed and logged."""
    root = tmp_path_factory.mktemp("private")
    scenario, out = private_scenario(root / "scenario"), root / "out"
    handler = _Capture()
    logging.getLogger().addHandler(handler)
    level = logging.getLogger().level
    logging.getLogger().setLevel(logging.DEBUG)
    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("VERVOER_CACHE", str(osm_cache))
            args = ["plan", str(scenario), "--osm", str(osm_path), "--out", str(out)]
            result = CliRunner().invoke(main, [*args, "--day", "ma", "--iterations", "20"])
    finally:
        logging.getLogger().removeHandler(handler)
        logging.getLogger().setLevel(level)
    assert result.exit_code == 0, result.output
    return scenario, out, result, "\n".join(handler.lines)


class _Capture(logging.Handler):
    """Every log record of every logger, formatted with its arguments."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_plan_outputs_and_messages_have_no_names_or_home_addresses(planned):
    _scenario, out, result, log = planned
    shared = {
        str(p.relative_to(out)): _text(p)
        for p in sorted(out.rglob("*"))
        if p.is_file() and "sheets" not in p.parts
    }
    assert {"plan.json", "map.html", "map-mon.html", "routes.geojson", "stops.csv"} <= set(shared)
    assert any(name.startswith("gpx/") for name in shared)
    shared |= {"stdout": result.stdout, "stderr": result.stderr, "log": log}
    assert not _leaks(shared), _leaks(shared)
    # the participants are there, by id
    assert all(pid in shared["map.html"] and pid in shared["stops.csv"] for pid in ("D1", "D4"))


def test_route_sheets_have_names_for_the_driver_but_not_with_no_names(
    planned, osm_path, osm_cache, tmp_path, monkeypatch
):
    scenario, out, _result, _log = planned
    sheets = {p.name: _text(p) for p in (out / "sheets").glob("*.html")}
    with_names = "\n".join(sheets.values())
    assert NAMES["D1"] in with_names and NAMES["D4"] in with_names  # by design: for the driver
    assert "Qwertyuiopweg 17" in with_names  # where to pick them up
    monkeypatch.setenv("VERVOER_CACHE", str(osm_cache))
    args = ["sheets", str(out / "plan.json"), "--scenario", str(scenario), "--osm", str(osm_path)]
    result = CliRunner().invoke(main, [*args, "--out", str(tmp_path), "--no-names"])
    assert result.exit_code == 0, result.output
    written = sorted((tmp_path / "sheets").glob("*.*"))
    assert any(p.suffix == ".pdf" for p in written)
    texts = {p.name: _text(p) for p in written}
    texts |= {"output": result.output}
    names = [(where, n) for where, text in texts.items() for n in NAMES.values() if n in text]
    assert names == []


def test_cost_report_and_tables_have_no_names_or_home_addresses(
    osm_path, osm_cache, tmp_path, monkeypatch
):
    monkeypatch.setenv("VERVOER_CACHE", str(osm_cache))
    scenario, out = private_scenario(tmp_path / "scenario"), tmp_path / "cmp"
    args = ["compare", str(scenario), "--osm", str(osm_path), "--out", str(out)]
    result = CliRunner().invoke(main, [*args, "--day", "ma", "--iterations", "10"])
    assert result.exit_code == 0, result.output
    written = {p.name: _text(p) for p in sorted(out.iterdir())}
    assert set(written) == {
        "report.html",
        "report.pdf",
        "report.json",
        "comparison.csv",
        "allocation.csv",
        "coalitions.csv",
        "ride_times.csv",
        "settlement.csv",
        "transfers.csv",
        "cost_groups.csv",
    }
    written |= {"stdout": result.stdout, "stderr": result.stderr}
    assert not _leaks(written), _leaks(written)
    assert "rijn" in written["allocation.csv"]  # organisations are named, people are not


def test_exports_give_home_addresses_only_with_names(planned):
    """`vervoer export --names` is the way to get them (for the coordinator's own use)."""
    scenario, out, _result, _log = planned
    plan, sc = read_plan(out / "plan.json"), read_scenario(scenario)
    column = CSV_COLUMNS.index("address")
    homes = [r for r in stop_rows(plan, sc) if r[CSV_COLUMNS.index("kind")] == "home"]
    assert homes and {r[column] for r in homes} == {""}
    named = {r[column] for r in stop_rows(plan, sc, names=True)}
    assert HOMES["D1"] in named
    key, route = next((ride.key, r) for ride in plan.rides for r in ride.routes)
    riders = {p for s in route.stops for p in s.boarding}
    assert not _leaks({"gpx": route_gpx(key, route, sc, None)})
    with_names = route_gpx(key, route, sc, None, names=True)
    assert all(HOMES[p] in with_names for p in riders)
