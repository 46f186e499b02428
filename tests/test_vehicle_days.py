"""Vehicle days: trips of a day in order, one schedule per vehicle, the day's fixed cost once."""

from __future__ import annotations

import dataclasses
import json

import pytest

from vervoer.core.errors import InputError
from vervoer.core.model import (
    Direction,
    Location,
    Mode,
    Reason,
    RideKey,
    RideNeed,
    StopKind,
    Weekday,
)
from vervoer.core.settings import SolveParams
from vervoer.io.plan_json import plan_from_dict, plan_to_dict, read_plan, write_plan
from vervoer.routing.check import check_plan
from vervoer.routing.planner import plan_ride, plan_week
from vervoer.routing.requests import all_trips, trips_of_day

from .scenarios import at, attend, person, prepared, scenario, vehicle

FAST = SolveParams(time_limit_s=5, max_iterations=100)
WED = Weekday.WED
L1 = Location(id="L1", name="Ochtendlocatie", organisation="A", point=at(5.2))
L2 = Location(id="L2", name="Middaglocatie", organisation="A", point=at(5.21))


def short_wednesday(vehicles=None):
    """A morning group leaves L1 at 12:30, an afternoon group arrives at L2 at 13:00."""
    morning = [person(f"m{i}", "A", round(5.05 + 0.01 * i, 2)) for i in range(4)]
    afternoon = [person(f"a{i}", "A", round(5.06 + 0.01 * i, 2)) for i in range(4)]
    att = [attend(p.id, "L1", day=WED, arrive=9 * 60, depart=12 * 60 + 30) for p in morning]
    att += [attend(p.id, "L2", day=WED, arrive=13 * 60, depart=16 * 60) for p in afternoon]
    vehicles = vehicles or [vehicle("V1", "A", 5.0), vehicle("V2", "A", 5.0, seats=4)]
    return scenario(morning + afternoon, att, vehicles, locations=[L1, L2])


def planned(sc, mode=Mode.SHARED, **kw):
    matrix, places = prepared(sc)
    plan = plan_week(sc, matrix, places, mode=mode, params=FAST, workers=1, **kw)
    result = check_plan(plan, sc, matrix, places)
    assert result.ok, result.violations
    return plan, matrix, places


def overlaps(plan):
    out = []
    for vd in plan.vehicle_days():
        for (_, r1), (_, r2) in zip(vd.trips[:-1], vd.trips[1:], strict=True):
            if r2.stops[0].departure < r1.stops[-1].arrival:
                out.append((vd.vehicle, vd.weekday))
    return out


def test_short_wednesday_is_three_trips_with_a_midday_trip_both_ways():
    trips = trips_of_day(short_wednesday(), WED)
    assert [k.trip for k in trips] == ["heen", "middag", "terug"]
    middag = trips[RideKey(weekday=WED, trip="middag")]
    assert {r.direction for r in middag} == {Direction.HEEN, Direction.TERUG}


@pytest.mark.parametrize("mode", [Mode.SHARED, Mode.OWN])
def test_short_wednesday_never_books_a_vehicle_twice(mode):
    plan, _, _ = planned(short_wednesday(), mode)
    assert not overlaps(plan)
    assert all(not ride.unassigned for ride in plan.rides)
    # the midday trip takes the morning group home and brings the afternoon group in
    (middag,) = [r for r in plan.rides if r.key.trip == "middag"]
    boarded = {pid for route in middag.routes for s in route.stops for pid in s.boarding}
    assert boarded == {"m0", "m1", "m2", "m3", "a0", "a1", "a2", "a3"}


def test_checker_catches_a_hand_made_overlap():
    sc = scenario([person("x", "A", 5.1)], [attend("x", "L", depart=10 * 60)], [vehicle("V", "A")])
    plan, matrix, places = planned(sc)
    heen, terug = plan.rides
    first_back = heen.routes[0].stops[-1].arrival
    route = terug.routes[0]
    shift = route.stops[0].departure - first_back + 600  # leave 10 min before V is back
    moved = dataclasses.replace(
        route,
        stops=tuple(
            dataclasses.replace(s, arrival=s.arrival - shift, departure=s.departure - shift)
            for s in route.stops
        ),
    )
    bad = dataclasses.replace(plan, rides=(heen, dataclasses.replace(terug, routes=(moved,))))
    violations = check_plan(bad, sc, matrix, places).violations
    assert any("two places at once" in v for v in violations), violations


def test_fixed_cost_once_per_vehicle_day():
    sc = scenario([person("x", "A", 5.1)], [attend("x", "L")], [vehicle("V", "A")])
    plan, _, _ = planned(sc)
    (vd,) = plan.vehicle_days()
    (_, heen), (_, terug) = vd.trips
    assert heen.cost - terug.cost == pytest.approx(50.0, abs=1.0)  # same drive, fixed once
    assert vd.cost == pytest.approx(heen.cost + terug.cost)
    # the second trip starts when the first is back, and both lie inside the shift
    assert terug.stops[0].departure >= heen.stops[-1].arrival


def test_a_busy_vehicle_is_not_used_for_an_overlapping_trip():
    # one bus only: it cannot do the midday trip and still be out on the morning one
    sc = short_wednesday([vehicle("V1", "A", 5.0)])
    plan, _, _ = planned(sc)
    assert not overlaps(plan)


def test_saturday_is_planned_without_day_option():
    sc = scenario(
        [person("x", "A", 5.1)],
        [attend("x", "L", day=Weekday.SAT)],
        [vehicle("V", "A", weekdays=(Weekday.MON, Weekday.SAT))],
    )
    assert [str(k) for k in all_trips(sc)] == ["sat-heen", "sat-terug"]
    plan, _, _ = planned(sc)
    assert [str(r.key) for r in plan.rides] == ["sat-heen", "sat-terug"]
    assert all(r.routes and not r.unassigned for r in plan.rides)


def test_saturday_without_a_vehicle_is_unassigned_with_the_reason():
    sc = scenario([person("x", "A", 5.1)], [attend("x", "L", day=Weekday.SAT)], [vehicle("V", "A")])
    plan, _, _ = planned(sc)
    assert len(plan.rides) == 2
    for ride in plan.rides:
        (u,) = ride.unassigned
        assert u.reason is Reason.NO_VEHICLE_ON_DAY
        assert "Saturday" in u.message


def test_morning_only_and_afternoon_only_participants():
    sc = scenario(
        [person("m", "A", 5.1), person("a", "A", 5.12)],
        [
            attend("m", "L", day=WED, arrive=9 * 60, depart=12 * 60),
            attend("a", "L", day=WED, arrive=14 * 60, depart=16 * 60),
        ],
        [vehicle("V", "A")],
    )
    trips = trips_of_day(sc, WED)
    assert [k.trip for k in trips] == ["heen", "terug-middag", "heen-middag", "terug"]
    plan, _, _ = planned(sc)
    riders = {
        ride.key.trip: sorted({p for r in ride.routes for s in r.stops for p in s.boarding})
        for ride in plan.rides
    }
    assert riders == {"heen": ["m"], "terug-middag": ["m"], "heen-middag": ["a"], "terug": ["a"]}
    assert not overlaps(plan)
    (vd,) = plan.vehicle_days()
    assert len(vd.trips) == 4  # one bus drives the whole day


def test_two_legs_close_together_become_a_transfer_between_locations():
    sc = scenario(
        [person("x", "A", 5.1)],
        [
            attend("x", "L1", day=WED, arrive=9 * 60, depart=12 * 60),
            attend("x", "L2", day=WED, arrive=12 * 60 + 45, depart=16 * 60),
        ],
        [vehicle("V", "A")],
        locations=[L1, L2],
    )
    trips = trips_of_day(sc, WED)
    assert [k.trip for k in trips] == ["heen", "middag", "terug"]
    (transfer,) = trips[RideKey(weekday=WED, trip="middag")]
    assert transfer.direction is Direction.TRANSFER
    plan, _, _ = planned(sc)
    (middag,) = [r for r in plan.rides if r.key.trip == "middag"]
    stops = [s for s in middag.routes[0].stops if s.kind is StopKind.LOCATION]
    assert [(s.place, s.boarding, s.alighting) for s in stops] == [
        ("L1", ("x",), ()),
        ("L2", (), ("x",)),
    ]


def test_two_legs_far_apart_go_home_in_between():
    sc = scenario(
        [person("x", "A", 5.1)],
        [
            attend("x", "L1", day=WED, arrive=9 * 60, depart=11 * 60),
            attend("x", "L2", day=WED, arrive=14 * 60, depart=16 * 60),
        ],
        [vehicle("V", "A")],
        locations=[L1, L2],
    )
    plan, _, _ = planned(sc)
    assert len(plan.rides) == 4
    assert sum(len(r.routes) for r in plan.rides) == 4


def test_old_format_days_plan_as_before():
    """heen/terug trips as before; the morning trip is exactly the ride planned alone."""
    people = [person(f"p{i}", "A", 5.05 + 0.02 * i) for i in range(5)]
    sc = scenario(
        people,
        [attend(p.id, "L") for p in people],
        [vehicle("V1", "A"), vehicle("V2", "A", 5.1)],
    )
    assert [str(k) for k in all_trips(sc)] == ["mon-heen", "mon-terug"]
    plan, matrix, places = planned(sc)
    alone = plan_ride(sc, matrix, places, plan.rides[0].key, mode=Mode.SHARED, params=FAST)
    assert plan.rides[0] == alone
    assert all(not r.unassigned for r in plan.rides)


def test_plan_json_schema_2_round_trip_and_old_schema_message(tmp_path):
    sc = short_wednesday()
    plan, matrix, places = planned(sc)
    write_plan(plan, tmp_path / "plan.json")
    doc = json.loads((tmp_path / "plan.json").read_text())
    assert doc["schema"] == 2
    assert {vd["vehicle"] for vd in doc["vehicle_days"]} <= {"V1", "V2"}
    assert all(vd["trips"] for vd in doc["vehicle_days"])
    back = read_plan(tmp_path / "plan.json")
    assert back == plan
    assert check_plan(back, sc, matrix, places).ok
    doc["schema"] = 1
    with pytest.raises(InputError, match="plan the scenario again"):
        plan_from_dict(doc)


def test_checker_compares_the_totals_stated_in_plan_json():
    sc = short_wednesday()
    plan, matrix, places = planned(sc)
    doc = plan_to_dict(plan)
    doc["totals"]["week"]["cost"] -= 500  # type: ignore[index]
    violations = check_plan(plan_from_dict(doc), sc, matrix, places).violations
    assert any("week totals: cost" in v for v in violations), violations


def test_checker_reports_a_missing_trip():
    sc = short_wednesday()
    plan, matrix, places = planned(sc)
    partial = dataclasses.replace(plan, rides=plan.rides[:2], meta={})
    violations = check_plan(partial, sc, matrix, places).violations
    assert violations == ("wed-terug: trip is requested but not in the plan",)


def test_rides_none_means_no_trip_for_that_leg():
    sc = scenario(
        [person("x", "A", 5.1), person("y", "A", 5.1)],
        [attend("x", "L", rides=RideNeed.NONE), attend("y", "L", rides=RideNeed.HEEN)],
        [vehicle("V", "A")],
    )
    assert [str(k) for k in all_trips(sc)] == ["mon-heen"]
