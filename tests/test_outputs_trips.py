"""Outputs of a day with several trips: the midday trip on map, sheet and exports."""

from __future__ import annotations

import csv
import html
import json
import re

import pytest

from vervoer.core.model import Direction, Mode, RideKey, Weekday, format_clock
from vervoer.outputs.exports import (
    CSV_COLUMNS,
    VEHICLE_DAY_COLUMNS,
    plan_geojson,
    ride_directions,
    stop_rows,
    trip_positions,
    write_exports,
)
from vervoer.outputs.maps import _location_popups, _Lookups, map_summary, week_map
from vervoer.outputs.sheets import route_sheet_html
from vervoer.outputs.write import write_sheets
from vervoer.routing.planner import plan_week

from .scenarios import attend, person, prepared, scenario, vehicle
from .test_vehicle_days import FAST, L1, L2, short_wednesday

WED = Weekday.WED
MIDDAG = RideKey(weekday=WED, trip="middag")


@pytest.fixture(scope="module")
def one_bus():
    """Short Wednesday with one bus: it drives heen, middag and terug."""
    sc = short_wednesday([vehicle("V1", "A", 5.0)])
    matrix, places = prepared(sc)
    plan = plan_week(sc, matrix, places, params=FAST, workers=1)
    (vd,) = plan.vehicle_days()
    assert [k.trip for k, _ in vd.trips] == ["heen", "middag", "terug"]
    return plan, sc


def _route(plan, key):
    (route,) = next(r.routes for r in plan.rides if r.key == key)
    return route


# ----------------------------------------------------------------------------- sheets


def test_sheet_shows_the_vehicle_day_in_order_and_marks_this_trip(one_bus):
    plan, sc = one_bus
    (vd,) = plan.vehicle_days()
    text = route_sheet_html(plan, sc, MIDDAG, _route(plan, MIDDAG))
    assert "woensdag middagrit (naar huis en naar de locaties)" in text
    assert "Dagplanning" in text and "rit 2 van 3" in text
    schedule = re.search(r"<ol class='schedule'>(.*?)</ol>", text).group(1)
    items = re.findall(r"<li( class='current')? data-trip='([^']*)'>(.*?)</li>", schedule)
    assert [trip for _, trip, _ in items] == ["heen", "middag", "terug"]
    assert [bool(cur) for cur, _, _ in items] == [False, True, False]
    for (_, r), (_, _, item) in zip(vd.trips, items, strict=True):
        assert f"{format_clock(r.stops[0].departure)}–{format_clock(r.stops[-1].arrival)}" in item
    assert "middagrit" in items[1][2] and "deze rit" in items[1][2]
    first = route_sheet_html(plan, sc, RideKey(weekday=WED, trip="heen"), vd.trips[0][1])
    assert "rit 1 van 3" in first


def test_sheet_day_schedule_in_english(one_bus):
    plan, sc = one_bus
    text = route_sheet_html(plan, sc, MIDDAG, _route(plan, MIDDAG), language="en")
    assert "Wednesday midday trip (home and to the locations)" in text
    assert "Day schedule" in text and "trip 2 of 3" in text and "this trip" in text


def test_write_sheets_one_sheet_per_trip_each_with_the_day(one_bus, tmp_path):
    plan, sc = one_bus
    written = write_sheets(plan, sc, tmp_path, pdf=False)
    pages = sorted(k for k in written if k.endswith(".html"))
    assert pages == ["wed-heen-V1.html", "wed-middag-V1.html", "wed-terug-V1.html"]
    for n, page in enumerate(("wed-heen-V1", "wed-middag-V1", "wed-terug-V1"), start=1):
        assert f"rit {n} van 3" in written[f"{page}.html"].read_text(encoding="utf-8")
    index = written["index"].read_text(encoding="utf-8")
    assert "woensdag middagrit" in index


def test_sheet_schedule_escapes_vehicle_text():
    sc = scenario(
        [person("x", "A", 5.1)],
        [attend("x", "L")],
        [vehicle("<i>V", "A", name="<script>x</script>")],
    )
    matrix, places = prepared(sc)
    plan = plan_week(sc, matrix, places, params=FAST, workers=1)
    (vd,) = plan.vehicle_days()
    key, route = vd.trips[1]
    text = route_sheet_html(plan, sc, key, route)
    assert "<script>x" not in text and "<i>V" not in text
    assert html.escape("<i>V") in text and "rit 2 van 2" in text


# ----------------------------------------------------------------------------- maps


def test_midday_trip_on_the_map_with_its_label(one_bus):
    plan, sc = one_bus
    summary = map_summary(week_map(plan, sc, None, day="wo"))
    assert "woensdag middagrit" in summary["layers"]
    assert {d["ride"] for d in summary["stops"]} == {"wed-heen", "wed-middag", "wed-terug"}
    en = map_summary(week_map(plan, sc, None, day="wed", language="en"))
    assert "Wednesday midday trip" in en["layers"]


def test_location_popups_take_the_times_from_the_trip_requests(one_bus):
    plan, sc = one_bus
    wed = [r for r in plan.rides if r.key.weekday is WED]
    popups = _location_popups(wed, _Lookups(plan, sc, names=False, language="nl"))

    def rows(loc):
        found = re.findall(r"<tr data-ride='([^']*)' data-role='([^']*)'>(.*?)</tr>", popups[loc])
        return {(ride, role): cells for ride, role, cells in found}

    # L1: the morning group arrives by 09:00 (heen) and leaves from 12:30 in the midday trip
    l1 = rows("L1")
    assert set(l1) == {("wed-heen", "arrive"), ("wed-middag", "leave")}
    assert "aankomen uiterlijk 09:00" in l1[("wed-heen", "arrive")]
    assert "ophalen vanaf 12:30" in l1[("wed-middag", "leave")]
    assert "4 deelnemers vertrekken" in l1[("wed-middag", "leave")]
    # L2: the afternoon group arrives by 13:00 in the midday trip and leaves from 16:00
    l2 = rows("L2")
    assert set(l2) == {("wed-middag", "arrive"), ("wed-terug", "leave")}
    assert "aankomen uiterlijk 13:00" in l2[("wed-middag", "arrive")]
    assert "woensdag middagrit" in l2[("wed-middag", "arrive")]
    assert "ophalen vanaf 16:00" in l2[("wed-terug", "leave")]


def test_transfer_times_at_both_locations():
    sc = scenario(
        [person("x", "A", 5.1)],
        [
            attend("x", "L1", day=WED, arrive=9 * 60, depart=12 * 60),
            attend("x", "L2", day=WED, arrive=12 * 60 + 45, depart=16 * 60),
        ],
        [vehicle("V", "A")],
        locations=[L1, L2],
    )
    matrix, places = prepared(sc)
    plan = plan_week(sc, matrix, places, params=FAST, workers=1)
    assert ride_directions(plan, sc)[(MIDDAG, "x")] == (Direction.TRANSFER, "L1")
    popups = _location_popups(plan.rides, _Lookups(plan, sc, names=False, language="en"))
    assert (
        "wed-middag' data-role='leave'><td>Wednesday midday trip</td><td>pick up from 12:00"
        in (popups["L1"])
    )
    assert (
        "wed-middag' data-role='arrive'><td>Wednesday midday trip</td><td>arrive by 12:45"
        in (popups["L2"])
    )


# ----------------------------------------------------------------------------- exports


def test_vehicle_days_csv_lists_trips_in_order_and_sums_the_cost(one_bus, tmp_path):
    plan, sc = one_bus
    out = write_exports(plan, sc, None, tmp_path)
    rows = list(csv.DictReader(out["vehicle_days"].open(encoding="utf-8", newline="")))
    assert list(rows[0]) == VEHICLE_DAY_COLUMNS
    (row,) = rows
    assert row["weekday"] == "wed" and row["vehicle"] == "V1" and row["organisation"] == "A"
    assert row["trips"].split() == ["heen", "middag", "terug"] and row["trip_count"] == "3"
    routes = [r for ride in plan.rides for r in ride.routes]
    assert float(row["cost"]) == pytest.approx(sum(r.cost for r in routes), abs=0.011)
    assert float(row["km"]) == pytest.approx(sum(r.distance_m for r in routes) / 1000, abs=0.01)
    assert float(row["hours"]) == pytest.approx(sum(r.duration_s for r in routes) / 3600, abs=0.01)
    (vd,) = plan.vehicle_days()
    assert (row["start"], row["end"]) == (format_clock(vd.start), format_clock(vd.end))


def test_exports_name_the_trip(one_bus):
    plan, sc = one_bus
    assert "direction" not in CSV_COLUMNS
    trip = CSV_COLUMNS.index("trip")
    assert {r[trip] for r in stop_rows(plan, sc)} == {"heen", "middag", "terug"}
    doc = plan_geojson(plan, sc, None)
    routes = [f["properties"] for f in doc["features"] if f["properties"]["type"] == "route"]
    assert [(p["trip"], p["vehicle_trip"], p["vehicle_trips"]) for p in routes] == [
        ("heen", 1, 3),
        ("middag", 2, 3),
        ("terug", 3, 3),
    ]
    assert trip_positions(plan)[(MIDDAG, "V1")] == (2, 3)
    kinds = {f["properties"]["type"] for f in doc["features"]}
    assert kinds == {"route", "stop"}  # everyone served; no per-trip direction any more
    assert all("direction" not in f["properties"] for f in doc["features"])
    assert json.loads(json.dumps(doc)) == doc


def test_unassigned_rides_carry_the_participant_direction():
    sc = scenario(
        [person("x", "A", 5.1), person("z", "B", 5.12)],
        [attend("x", "L"), attend("z", "L")],
        [vehicle("V", "A")],
    )
    matrix, places = prepared(sc)
    plan = plan_week(sc, matrix, places, mode=Mode.OWN, params=FAST, workers=1)
    doc = plan_geojson(plan, sc, None)
    unassigned = [
        f["properties"] for f in doc["features"] if f["properties"]["type"] == "unassigned"
    ]
    assert {(p["ride"], p["trip"], p["participant"], p["direction"]) for p in unassigned} == {
        ("mon-heen", "heen", "z", "heen"),
        ("mon-terug", "terug", "z", "terug"),
    }
    assert all(p["origin"] is None for p in unassigned)
