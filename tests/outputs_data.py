"""A hostile copy of ``scenario_small`` planned once per test session, for the output tests.

Names, notes, organisation and location names carry HTML/JS payloads, one participant id
and one address look like spreadsheet formulas, a vehicle id tries path traversal, one
participant cannot be served on Monday (no vehicle of his organisation that day) and one
address does not exist. Used by test_maps, test_sheets, test_export and test_browser.
"""

from __future__ import annotations

import csv
import io
import shutil
from dataclasses import dataclass
from pathlib import Path

from vervoer import pipeline
from vervoer.core.settings import SolveParams
from vervoer.geo.network import load_network
from vervoer.io.plan_json import write_plan
from vervoer.outputs.exports import route_geometry

SMALL = Path(__file__).parent / "data" / "scenario_small"

XSS_NAME = "<script>alert(1)</script>"
XSS_NOTE = "${alert(2)} `x` \\u0041 </script><script>alert(5)</script>"
XSS_ORG = "Zorggroep <img src=x onerror=alert(3)>"
XSS_LOCATION = "<svg onload=alert(4)>Vaduz"
QUOTE_NAME = 'Bram "Jansen" & Co'
FORMULA_ID = "=D6"
FORMULA_ADDRESS = "=1+2 Poststrasse 1, 9494 Schaan"
TRAVERSAL_VEHICLE = "../../etc/x"
NO_DAY = "D8"  # organisation berg has no vehicle on Monday
NOT_FOUND = "D9"  # address not in the extract


@dataclass
class Made:
    scenario_dir: Path
    plan_path: Path
    prepared: pipeline.Prepared
    plan: object
    geometry: dict
    cache_dir: Path

    @property
    def scenario(self):
        return self.prepared.scenario


def _rewrite(path: Path, fix) -> None:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    rows = fix(rows)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def hostile_scenario(target: Path) -> Path:
    """Copy scenario_small to ``target`` and make it hostile (see the module docstring)."""
    shutil.copytree(SMALL, target)

    def orgs(rows):
        return [[r[0], XSS_ORG] if r[0] == "rijn" else r for r in rows]

    def people(rows):
        out = []
        for r in rows:
            if r[0] == "D1":
                r[1] = XSS_NAME
                r[11] = XSS_NOTE
            elif r[0] == "D2":
                r[1] = QUOTE_NAME
            out.append(r)
        out.append([FORMULA_ID, "Frits Formule", "brug", "", "47.1600", "9.5150"])
        out[-1] += ["nee", "1", "nee", "", "", ""]
        out.append([NO_DAY, "Gijs Geenbus", "berg", "", "47.1050", "9.5250"])
        out[-1] += ["nee", "1", "nee", "", "", ""]
        out.append([NOT_FOUND, "Hanna Zoekgeraakt", "rijn", "Nergensweg 999, 9999 Nergenshuizen"])
        out[-1] += ["", "", "nee", "1", "nee", "", "", ""]
        return out

    def attendance(rows):
        return [
            *rows,
            [FORMULA_ID, "ma", "L1", "09:00", "16:00", "both"],
            [NO_DAY, "ma", "L1", "09:00", "16:00", "both"],
            [NOT_FOUND, "ma", "L1", "09:00", "16:00", "heen"],
        ]

    def vehicles(rows):
        for r in rows:
            if r[0] == "R1":
                r[0] = TRAVERSAL_VEHICLE
        return rows

    _rewrite(target / "organisations.csv", orgs)
    _rewrite(target / "participants.csv", people)
    _rewrite(target / "attendance.csv", attendance)
    _rewrite(target / "vehicles.csv", vehicles)
    # pins make sure the path-traversal vehicle and B1 drive (the sheets tests read them)
    (target / "locks.csv").write_text(
        "lock,participant,vehicle\n"
        + "".join(f"pin,{pid},{TRAVERSAL_VEHICLE}\n" for pid in ("D1", "D2", "D3"))
        + f"pin,{FORMULA_ID},B1\n",
        encoding="utf-8",
    )
    text = (target / "locations.csv").read_text(encoding="utf-8")
    text = text.replace("Dagbesteding Vaduz", XSS_LOCATION)
    text = text.replace("Poststrasse 1, 9494 Schaan", FORMULA_ADDRESS)
    (target / "locations.csv").write_text(text, encoding="utf-8")
    return target


_MADE: dict[str, Made] = {}


def made(osm_path: Path, tmp_root: Path) -> Made:
    """Plan the hostile scenario once (all weekdays) and compute its road geometry."""
    key = str(osm_path)
    if key not in _MADE:
        cache = tmp_root / "cache"
        network = load_network(osm_path, cache_dir=cache)
        sc_dir = hostile_scenario(tmp_root / "scenario")
        prepared = pipeline.prepare(sc_dir, osm=osm_path, network=network)
        plan = pipeline.plan(prepared, params=SolveParams(time_limit_s=5, max_iterations=50))
        plan_path = tmp_root / "plan" / "plan.json"
        write_plan(plan, plan_path)
        geometry = route_geometry(plan, network)
        _MADE[key] = Made(sc_dir, plan_path, prepared, plan, geometry, cache)
    return _MADE[key]
