from __future__ import annotations

import dataclasses
import json

import pytest

from vervoer.core.errors import InputError
from vervoer.core.model import Mode, StopKind
from vervoer.core.settings import SolveParams
from vervoer.io.plan_json import plan_from_dict, plan_to_dict, plan_totals, read_plan, write_plan
from vervoer.routing.check import check_plan
from vervoer.routing.planner import plan_week

from .scenarios import each_others_way, prepared

FAST = SolveParams(time_limit_s=5, max_iterations=100)


@pytest.fixture(scope="module")
def made():
    sc = each_others_way()
    matrix, places = prepared(sc)
    plan = plan_week(sc, matrix, places, mode=Mode.SHARED, params=FAST)
    return sc, matrix, places, plan


def test_contract_keys(made):
    *_, plan = made
    doc = plan_to_dict(plan)
    assert doc["mode"] == "shared"
    ride = doc["rides"][0]
    assert (ride["weekday"], ride["trip"]) == ("mon", "heen")
    route = ride["routes"][0]
    assert {"vehicle", "organisation", "km", "duration_s", "cost", "stops"} <= set(route)
    stop = route["stops"][1]
    assert {
        "kind",
        "place",
        "lat",
        "lon",
        "arrival",
        "departure",
        "boarding",
        "alighting",
        "load",
    } <= set(stop)
    assert len(stop["arrival"]) == 5 and stop["arrival"][2] == ":"
    assert set(doc["totals"]) == {"week", "per_day", "per_ride", "per_organisation", "stability"}
    assert doc["schema"] == 2 and doc["vehicle_days"]


def test_roundtrip_through_file(made, tmp_path):
    sc, matrix, places, plan = made
    write_plan(plan, tmp_path / "plan.json")
    again = read_plan(tmp_path / "plan.json")
    assert plan_to_dict(again) == plan_to_dict(plan)
    assert check_plan(again, sc, matrix, places).ok
    assert not list(tmp_path.glob(".*tmp"))


def test_totals_add_up(made):
    *_, plan = made
    totals = plan_totals(plan)
    week = totals["week"]
    assert week["cost"] == pytest.approx(sum(r["cost"] for r in totals["per_ride"].values()))
    assert week["served"] == 4  # 2 participants x 2 directions, Monday only
    assert week["unassigned"] == 0


def _corrupt(plan, fn):
    doc = plan_to_dict(plan)
    fn(doc)
    return plan_from_dict(json.loads(json.dumps(doc)))


@pytest.mark.parametrize(
    ("name", "damage", "expected"),
    [
        (
            "late",
            lambda d: d["rides"][0]["routes"][0]["stops"][-2].update(
                arrival_s=10 * 3600, departure_s=10 * 3600 + 120
            ),
            "outside the window",
        ),
        (
            "dropped",
            lambda d: d["rides"][0]["routes"][0]["stops"][1].update(boarding=[]),
            "alights without having boarded",
        ),
        ("cost", lambda d: d["rides"][0]["routes"][0].update(cost=1.0), "recomputed"),
        ("missing", lambda d: d["rides"][0].update(routes=[]), "neither planned nor unassigned"),
        (
            "load",
            lambda d: d["rides"][0]["routes"][0]["stops"][1]["load"].update(seats=5),
            "load is stated wrongly",
        ),
        (
            "teleport",
            lambda d: d["rides"][0]["routes"][0]["stops"][-1].update(
                arrival_s=d["rides"][0]["routes"][0]["stops"][-2]["departure_s"]
            ),
            "drive takes",
        ),
    ],
)
def test_checker_catches_corrupted_plan(made, name, damage, expected):
    sc, matrix, places, plan = made
    bad = _corrupt(plan, damage)
    result = check_plan(bad, sc, matrix, places)
    assert not result.ok
    assert any(expected in v for v in result.violations), result.violations


def test_checker_catches_over_capacity(made):
    sc, matrix, places, plan = made
    small = [dataclasses.replace(v, seats=1) for v in sc.vehicles]
    result = check_plan(plan, dataclasses.replace(sc, vehicles=tuple(small)), matrix, places)
    assert any("over capacity" in v for v in result.violations)


def test_checker_catches_own_mode_violation(made):
    sc, matrix, places, plan = made
    as_own = dataclasses.replace(plan, mode=Mode.OWN)
    result = check_plan(as_own, sc, matrix, places)
    assert any("another organisation" in v for v in result.violations)


def test_read_plan_errors(tmp_path):
    with pytest.raises(InputError, match="not found"):
        read_plan(tmp_path / "nope.json")
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.json"):
        read_plan(tmp_path / "bad.json")
    (tmp_path / "other.json").write_text('{"rides": 3}', encoding="utf-8")
    with pytest.raises(InputError, match="not a vervoer plan"):
        read_plan(tmp_path / "other.json")
    (tmp_path / "broken.json").write_text('{"schema": 2, "rides": 3}', encoding="utf-8")
    with pytest.raises(InputError, match="not a vervoer plan"):
        read_plan(tmp_path / "broken.json")
    (tmp_path / "old.json").write_text('{"schema": 1, "rides": []}', encoding="utf-8")
    with pytest.raises(InputError, match=r"schema 1 .* plan the scenario again"):
        read_plan(tmp_path / "old.json")


def test_depot_stops_frame_every_route(made):
    *_, plan = made
    for ride in plan.rides:
        for route in ride.routes:
            assert route.stops[0].kind is StopKind.DEPOT
            assert route.stops[-1].kind is StopKind.DEPOT
