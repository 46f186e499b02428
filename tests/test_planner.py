from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from vervoer.core.model import (
    Location,
    Mode,
    Reason,
    RideKey,
    RideNeed,
    StopKind,
    Weekday,
)
from vervoer.core.settings import Settings, SolveParams
from vervoer.io.plan_json import plan_to_dict
from vervoer.routing.check import check_plan
from vervoer.routing.planner import plan_week, pools_for
from vervoer.routing.requests import PlaceKey, all_trips

from .scenarios import attend, each_others_way, person, prepared, scenario, vehicle

MON = [RideKey(weekday=Weekday.MON, trip=t) for t in ("heen", "terug")]
HEEN = [RideKey(weekday=Weekday.MON, trip="heen")]
FAST = SolveParams(time_limit_s=5, max_iterations=100)


def plan_checked(sc, mode=Mode.SHARED, rides=MON, matrix=None, places=None):
    m, p = prepared(sc)
    matrix = matrix if matrix is not None else m
    places = places or p
    plan = plan_week(sc, matrix, places, mode=mode, rides=rides, params=FAST)
    result = check_plan(plan, sc, matrix, places)
    assert result.ok, result.violations
    assert result.served + result.unassigned == result.requests
    return plan


def test_shared_collects_both_on_the_way():
    sc = each_others_way()
    own = plan_checked(sc, Mode.OWN)
    shared = plan_checked(sc, Mode.SHARED)
    for ride in own.rides:
        assert len(ride.routes) == 2
        assert not ride.unassigned
    for ride in shared.rides:
        (route,) = ride.routes
        homes = [s.place for s in route.stops if s.kind is StopKind.HOME]
        assert sorted(homes) == ["a1", "b1"]
    own_cost = sum(r.cost for ride in own.rides for r in ride.routes)
    shared_cost = sum(r.cost for ride in shared.rides for r in ride.routes)
    # sharing saves at least one fixed cost per ride
    assert shared_cost <= own_cost - 2 * 50.0


def test_morning_arrival_inside_window_and_afternoon_pickup_after_end():
    sc = each_others_way()
    plan = plan_checked(sc)
    heen, terug = plan.rides
    loc_stop = next(s for s in heen.routes[0].stops if s.kind is StopKind.LOCATION)
    assert 8 * 3600 + 45 * 60 <= loc_stop.arrival <= 9 * 3600
    loc_stop = next(s for s in terug.routes[0].stops if s.kind is StopKind.LOCATION)
    assert 16 * 3600 <= loc_stop.arrival <= 16 * 3600 + 15 * 60
    assert terug.key.trip == "terug"


def test_own_mode_keeps_organisations_apart():
    sc = each_others_way()
    plan = plan_checked(sc, Mode.OWN)
    for ride in plan.rides:
        for route in ride.routes:
            riders = {pid for s in route.stops for pid in s.boarding}
            assert riders == {"a1"} if route.organisation == "A" else riders == {"b1"}


def test_pools_from_settings():
    sc = scenario(
        [person("a1", "A", 5.1), person("b1", "B", 5.1), person("c1", "C", 5.1)],
        [attend("a1", "L"), attend("b1", "L"), attend("c1", "L")],
        [vehicle("VA", "A"), vehicle("VB", "B"), vehicle("VC", "C")],
        settings=Settings.from_dict({"pools": {"west": ["A", "B"]}}),
    )
    pools = pools_for(sc, Mode.SHARED)
    assert [p.organisations for p in pools] == [("A", "B"), ("C",)]
    plan = plan_checked(sc, Mode.SHARED, HEEN)
    for route in plan.rides[0].routes:
        riders = {pid for s in route.stops for pid in s.boarding}
        if "c1" in riders:
            assert riders == {"c1"} and route.vehicle == "VC"


@pytest.mark.parametrize(
    ("case", "reason", "words"),
    [
        ("address", Reason.ADDRESS_NOT_FOUND, "was not found"),
        ("location", Reason.ADDRESS_NOT_FOUND, "address of location L was not found"),
        (
            "saturday",
            Reason.NO_VEHICLE_ON_DAY,
            "no vehicle of organisation A is available on Saturday",
        ),
        (
            "wheelchair",
            Reason.NO_WHEELCHAIR_PLACE,
            "no vehicle with a wheelchair place in organisation A on Monday",
        ),
        ("seats", Reason.NOT_ENOUGH_SEATS, "needs 3 seats"),
        ("too_long", Reason.RIDE_TOO_LONG, "more than the maximum of 5"),
        ("window", Reason.WINDOW_UNREACHABLE, "arrive by 09:00"),
        ("no_room", Reason.NO_ROOM, "no room found within the time limit"),
    ],
)
def test_each_unassigned_reason(case, reason, words):
    people = [person("x", "A", 5.1)]
    vehicles = [vehicle("V", "A", wheelchair_places=1)]
    att = [attend("x", "L", rides=RideNeed.HEEN)]
    locations = None
    if case == "address":
        people = [person("x", "A", None)]
    elif case == "location":  # a location without coordinates (a scenario not geocoded)
        locations = [Location(id="L", name="Locatie", organisation="A", address="Ergens 1")]
    elif case == "saturday":
        att = [attend("x", "L", day=Weekday.SAT, rides=RideNeed.HEEN)]
    elif case == "wheelchair":
        people = [person("x", "A", 5.1, wheelchair=True)]
        vehicles = [vehicle("V", "A", wheelchair_places=0)]
    elif case == "seats":
        people = [person("x", "A", 5.1, seats=3)]
        vehicles = [vehicle("V", "A", seats=2)]
    elif case == "too_long":
        people = [person("x", "A", 4.5, max_ride_min=5)]
    elif case == "window":
        vehicles = [vehicle("V", "A", shift_start=9 * 60 - 2, shift_end=17 * 60)]
    elif case == "no_room":
        # three wheelchair users, one place, all due at 09:00: only one fits
        people = [person(f"w{i}", "A", 5.1 + i * 0.02, wheelchair=True) for i in range(3)]
        att = [attend(p.id, "L", rides=RideNeed.HEEN) for p in people]
    sc = scenario(people, att, vehicles, locations=locations)
    day = Weekday.SAT if case == "saturday" else Weekday.MON
    plan = plan_checked(sc, Mode.OWN, [RideKey(weekday=day, trip="heen")])
    unassigned = plan.rides[0].unassigned
    assert unassigned
    assert {u.reason for u in unassigned} == {reason}
    assert words in unassigned[0].message
    if case == "no_room":
        assert len(unassigned) == 2
        assert len(plan.rides[0].routes) == 1


def test_far_from_road_is_unreachable():
    sc = scenario(
        [person("x", "A", 5.1)], [attend("x", "L", rides=RideNeed.HEEN)], [vehicle("V", "A")]
    )
    matrix, places = prepared(sc)
    snap = np.zeros(len(matrix))
    snap[places[PlaceKey(StopKind.HOME, "x")]] = 900.0
    matrix = dataclasses.replace(matrix, snap_m=snap)
    plan = plan_checked(sc, Mode.SHARED, HEEN, matrix=matrix, places=places)
    (u,) = plan.rides[0].unassigned
    assert u.reason is Reason.UNREACHABLE_BY_ROAD
    assert "900 m from the nearest road" in u.message


def test_wheelchair_capacity_is_respected():
    people = [person(f"w{i}", "A", 5.1 + i * 0.005, wheelchair=True) for i in range(4)]
    att = [attend(p.id, "L", arrive=10 * 60) for p in people]
    vehicles = [vehicle("V1", "A", wheelchair_places=2), vehicle("V2", "A", wheelchair_places=2)]
    plan = plan_checked(scenario(people, att, vehicles))
    for ride in plan.rides:
        assert not ride.unassigned
        for route in ride.routes:
            assert max(s.load_wheelchairs for s in route.stops) <= 2


def test_escort_takes_two_seats():
    people = [person(f"e{i}", "A", 5.1 + i * 0.005, seats=2) for i in range(3)]
    att = [attend(p.id, "L") for p in people]
    vehicles = [vehicle("V1", "A", seats=4), vehicle("V2", "A", seats=4)]
    plan = plan_checked(scenario(people, att, vehicles))
    for ride in plan.rides:
        assert not ride.unassigned
        assert len(ride.routes) == 2
        for route in ride.routes:
            assert max(s.load_seats for s in route.stops) <= 4


def test_ride_time_limit_is_hard():
    # a far and a near participant; collecting both in one bus would make the far one ride
    # past the near one's home; with a tight personal limit they go separately
    people = [person("far", "A", 5.0, max_ride_min=24), person("near", "A", 5.05)]
    att = [attend("far", "L", rides=RideNeed.HEEN), attend("near", "L", rides=RideNeed.HEEN)]
    vehicles = [vehicle("V1", "A", 5.0), vehicle("V2", "A", 5.05)]
    sc = scenario(people, att, vehicles)
    plan = plan_checked(sc, Mode.SHARED, HEEN)
    for route in plan.rides[0].routes:
        board = (
            next(s for s in route.stops if "far" in s.boarding)
            if any("far" in s.boarding for s in route.stops)
            else None
        )
        if board is not None:
            drop = next(s for s in route.stops if "far" in s.alighting)
            assert drop.arrival - board.departure <= 24 * 60


def test_default_max_ride_formula():
    s = Settings()
    assert s.max_ride_s(600) == 30 * 60  # max(30, 1.5*10+15=30)
    assert s.max_ride_s(40 * 60) == (60 + 15) * 60
    assert s.max_ride_s(600, own_min=45) == 45 * 60
    assert Settings(max_ride_min=60).max_ride_s(99 * 60) == 60 * 60


def test_vehicle_only_on_its_weekdays():
    people = [person("x", "A", 5.1)]
    att = [attend("x", "L", day=Weekday.TUE)]
    vehicles = [vehicle("MON-ONLY", "A", weekdays=(Weekday.MON,)), vehicle("ALL", "A")]
    plan = plan_checked(
        scenario(people, att, vehicles),
        Mode.OWN,
        all_trips(scenario(people, att, vehicles), [Weekday.TUE]),
    )
    assert {r.vehicle for ride in plan.rides for r in ride.routes} == {"ALL"}


def test_same_address_shares_one_stop():
    people = [person("p1", "A", 5.1), person("p2", "A", 5.1)]
    att = [attend("p1", "L", rides=RideNeed.HEEN), attend("p2", "L", rides=RideNeed.HEEN)]
    plan = plan_checked(scenario(people, att, [vehicle("V", "A")]), Mode.OWN, HEEN)
    (route,) = plan.rides[0].routes
    homes = [s for s in route.stops if s.kind is StopKind.HOME]
    assert len(homes) == 1
    assert sorted(homes[0].boarding) == ["p1", "p2"]
    assert homes[0].departure - homes[0].arrival == 2 * 60  # two boardings of one minute


def test_deterministic():
    sc = each_others_way()
    m, p = prepared(sc)
    a = plan_to_dict(plan_week(sc, m, p, rides=MON, params=FAST))
    b = plan_to_dict(plan_week(sc, m, p, rides=MON, params=FAST))
    assert a == b


def test_ride_too_long_message_tells_the_minutes_apart():
    from vervoer.routing.precheck import _minutes_apart

    assert _minutes_apart(12 * 60 + 20, 12 * 60) == ("12.3", "12.0")
    assert _minutes_apart(71 * 60, 60 * 60) == ("71", "60")


def test_a_week_on_a_dask_cluster_is_the_week_of_local_processes():
    # a stable week (its busiest day first) planned as tasks on a temporary local cluster
    pytest.importorskip("distributed")
    people = [person(f"p{i}", "A", 5.05 + 0.01 * i) for i in range(6)]
    days = (Weekday.MON, Weekday.TUE, Weekday.WED)
    att = [attend(p.id, "L", day=d) for i, p in enumerate(people) for d in days[: 1 + i % 3]]
    sc = scenario(people, att, [vehicle("V", "A"), vehicle("W", "A")])
    matrix, places = prepared(sc)
    local = plan_week(sc, matrix, places, params=FAST, workers=2)
    seen = []
    on_dask = plan_week(
        sc, matrix, places, params=FAST, workers=2, dask=True, progress=lambda k, r: seen.append(k)
    )
    assert on_dask.rides == local.rides
    assert sorted(seen, key=str) == sorted(all_trips(sc), key=str)
    assert seen[:2] == [RideKey(weekday=Weekday.MON, trip=t) for t in ("heen", "terug")]
    assert check_plan(on_dask, sc, matrix, places).ok
    with pytest.raises(ValueError, match="dask=True"):
        plan_week(sc, matrix, places, params=FAST, scheduler_address="tcp://127.0.0.1:1")


def test_own_pools_side_by_side_plan_as_one_after_the_other():
    # own mode on one day with two cores: the organisations' days run in two processes
    people = [person(f"a{i}", "A", 5.05 + 0.01 * i) for i in range(3)]
    people += [person(f"b{i}", "B", 5.06 + 0.01 * i) for i in range(3)]
    sc = scenario(
        people,
        [attend(p.id, "L") for p in people],
        [vehicle("VA", "A", 5.0), vehicle("VB", "B", 5.01)],
    )
    matrix, places = prepared(sc)
    one = plan_week(sc, matrix, places, mode=Mode.OWN, rides=MON, params=FAST, workers=1)
    two = plan_week(sc, matrix, places, mode=Mode.OWN, rides=MON, params=FAST, workers=2)
    assert two.rides == one.rides
    assert {r.organisation for ride in two.rides for r in ride.routes} == {"A", "B"}
    assert check_plan(two, sc, matrix, places).ok
