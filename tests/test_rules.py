"""Rules in planning and checking: each rule changes a plan that would break it, and the
independent checker catches a hand-made violation."""

from __future__ import annotations

import dataclasses

import pytest

from vervoer.core.model import Mode, Reason, Rule, RuleKind, Weekday
from vervoer.core.settings import SolveParams
from vervoer.routing.check import check_plan
from vervoer.routing.planner import plan_week
from vervoer.routing.rules import rule_problems

from .scenarios import attend, person, prepared, scenario, vehicle

FAST = SolveParams(time_limit_s=5, max_iterations=100)


def with_rules(sc, *rules):
    return dataclasses.replace(sc, rules=tuple(rules))


def plan_of(sc, mode=Mode.SHARED):
    matrix, places = prepared(sc)
    plan = plan_week(sc, matrix, places, mode=mode, params=FAST, workers=1)
    result = check_plan(plan, sc, matrix, places)
    assert result.ok, result.violations
    return plan, matrix, places


def vehicle_of(plan, pid, trip="heen"):
    (ride,) = [r for r in plan.rides if r.key.trip == trip]
    for route in ride.routes:
        if any(pid in s.boarding for s in route.stops):
            return route.vehicle
    return None


def neighbours():
    """Three neighbours, two buses: without rules one bus takes all three."""
    people = [person(p, "A", lon) for p, lon in (("a", 5.10), ("b", 5.101), ("c", 5.102))]
    return scenario(
        people,
        [attend(p.id, "L") for p in people],
        [vehicle("V1", "A", 5.0), vehicle("V2", "A", 5.0)],
    )


def test_not_together_splits_neighbours_and_the_checker_catches_it():
    free, matrix, places = plan_of(neighbours())
    assert vehicle_of(free, "a") == vehicle_of(free, "b")  # they would share a bus
    ruled = with_rules(neighbours(), Rule(kind=RuleKind.NOT_TOGETHER, participant="a", other="b"))
    plan, _, _ = plan_of(ruled)
    for trip in ("heen", "terug"):
        assert vehicle_of(plan, "a", trip) != vehicle_of(plan, "b", trip)
    violations = check_plan(free, ruled, matrix, places).violations
    assert any("a and b are on board together" in v for v in violations), violations


def test_together_keeps_two_far_apart_in_one_bus():
    sc = scenario(
        [person("w", "A", 5.02), person("e", "A", 5.38)],
        [attend("w", "L"), attend("e", "L")],
        [vehicle("VW", "A", 5.0), vehicle("VE", "A", 5.4)],
    )
    free, matrix, places = plan_of(sc)
    assert vehicle_of(free, "w") != vehicle_of(free, "e")
    ruled = with_rules(sc, Rule(kind=RuleKind.TOGETHER, participant="w", other="e"))
    plan, _, _ = plan_of(ruled)
    assert vehicle_of(plan, "w") == vehicle_of(plan, "e")
    violations = check_plan(free, ruled, matrix, places).violations
    assert any("must ride together" in v for v in violations), violations


def test_alone_means_nobody_else_on_board():
    ruled = with_rules(neighbours(), Rule(kind=RuleKind.ALONE, participant="b", max_others=0))
    plan, matrix, places = plan_of(ruled)
    for ride in plan.rides:
        for route in ride.routes:
            on_board: set[str] = set()
            for s in route.stops:
                on_board = (on_board - set(s.alighting)) | set(s.boarding)
                assert "b" not in on_board or on_board == {"b"}
    free, _, _ = plan_of(neighbours())
    violations = check_plan(free, ruled, matrix, places).violations
    assert any("b rides with 2 others" in v for v in violations), violations


def test_alone_with_one_other_allows_one():
    ruled = with_rules(neighbours(), Rule(kind=RuleKind.ALONE, participant="b", max_others=1))
    plan, _, _ = plan_of(ruled)
    heen = next(r for r in plan.rides if r.key.trip == "heen")
    assert len(heen.routes) == 2


def test_vehicle_and_needs_and_own_only():
    sc = scenario(
        [person("x", "A", 5.05), person("y", "B", 5.05)],
        [attend("x", "L"), attend("y", "L")],
        [
            vehicle("NEAR", "A", 5.0),
            vehicle("FAR", "A", 5.5, features=frozenset({"lift"})),
            vehicle("BV", "B", 5.6),
        ],
    )
    free, matrix, places = plan_of(sc)
    assert vehicle_of(free, "x") == vehicle_of(free, "y") == "NEAR"
    for rule, pid, want in (
        (Rule(kind=RuleKind.VEHICLE, participant="x", vehicle="FAR"), "x", "FAR"),
        (Rule(kind=RuleKind.NEEDS, participant="x", feature="lift"), "x", "FAR"),
        (Rule(kind=RuleKind.OWN_ONLY, participant="y"), "y", "BV"),
    ):
        ruled = with_rules(sc, rule)
        plan, _, _ = plan_of(ruled)
        assert vehicle_of(plan, pid) == want, rule
        violations = check_plan(free, ruled, matrix, places).violations
        assert any(f"{pid} boards, but" in v for v in violations), violations


def test_a_rule_vehicle_that_does_not_work_that_day_is_a_named_reason():
    sc = scenario(
        [person("x", "A", 5.05)],
        [attend("x", "L", day=Weekday.TUE)],
        [vehicle("MON", "A", weekdays=(Weekday.MON,)), vehicle("ANY", "A")],
    )
    ruled = with_rules(sc, Rule(kind=RuleKind.VEHICLE, participant="x", vehicle="MON"))
    plan, _, _ = plan_of(ruled)
    for ride in plan.rides:
        (u,) = ride.unassigned
        assert u.reason is Reason.RULE
        assert "x rides only in vehicle MON" in u.message


def test_flip_seats_take_two_wheelchairs_in_one_bus():
    people = [person(f"w{i}", "A", 5.1 + 0.001 * i, wheelchair=True) for i in range(2)]
    att = [attend(p.id, "L") for p in people]
    plain = scenario(people, att, [vehicle("V", "A", wheelchair_places=1)])
    plan, _, _ = plan_of(plain)
    assert sum(len(r.unassigned) for r in plan.rides) == 2  # one place: one of two rides
    flip = scenario(
        people, att, [vehicle("V", "A", wheelchair_places=1, layouts=((8, 0), (6, 1), (4, 2)))]
    )
    plan, matrix, places = plan_of(flip)
    assert all(not r.unassigned for r in plan.rides)
    assert {route.layout for r in plan.rides for route in r.routes} == {(4, 2)}
    from vervoer.outputs.sheets import route_sheet_html

    sheet = route_sheet_html(plan, flip, plan.rides[0].key, plan.rides[0].routes[0])
    assert "indeling 4+2" in sheet and "/4" in sheet
    # a hand-made plan in a layout with one wheelchair place is over capacity
    ride = plan.rides[0]
    bad = dataclasses.replace(
        plan,
        rides=(
            dataclasses.replace(ride, routes=(dataclasses.replace(ride.routes[0], layout=(6, 1)),)),
            *plan.rides[1:],
        ),
    )
    assert any("over capacity" in v for v in check_plan(bad, flip, matrix, places).violations)


def test_a_vehicle_back_from_a_trip_needs_the_change_time_for_another_layout():
    from vervoer.routing.planner import _layout_choices

    v = vehicle("V", "A", layouts=((8, 0), (6, 1)))
    back = 10 * 3600
    choices = _layout_choices([v], {"V": (back, (8, 0))}, 600)
    assert {c[0].layout: c[0].early for c in choices} == {(8, 0): back, (6, 1): back + 600}
    fresh = _layout_choices([v], {}, 600)
    assert {c[0].layout: c[0].early for c in fresh} == {
        (8, 0): v.shift_start * 60,
        (6, 1): v.shift_start * 60,
    }


def test_layout_choices_that_give_the_same_slots_are_solved_once():
    from vervoer.routing.planner import _layout_choices

    flip = vehicle("F", "A", layouts=((8, 0), (6, 1)))
    plain = vehicle("P", "A")
    assert len(_layout_choices([flip, plain], {}, 600)) == 2
    # the flip-seat vehicle's shift has ended: every choice is the plain vehicle alone
    late = (flip.shift_end * 60, (8, 0))
    (only,) = _layout_choices([flip, plain], {"F": late}, 600)
    assert [s.vehicle.id for s in only] == ["P"]


def test_lns_rounds_run_on_the_kept_layout_choice_only(monkeypatch):
    from vervoer.routing import planner

    people = [person(f"w{i}", "A", 5.1 + 0.001 * i, wheelchair=True) for i in range(2)]
    people.append(person("s", "A", 5.12))
    sc = scenario(
        people,
        [attend(p.id, "L") for p in people],
        [vehicle("V", "A", wheelchair_places=1, layouts=((8, 0), (6, 1), (4, 2)))],
    )
    solved, improved = [], []
    solve, improve = planner.solve_instance, planner.improve_solution

    def counting_solve(inst, params=None, **kw):
        solved.append(params.lns_rounds)
        return solve(inst, params, **kw)

    def counting_improve(inst, solution, params):
        improved.append(inst.capacity.tolist())
        return improve(inst, solution, params)

    monkeypatch.setattr(planner, "solve_instance", counting_solve)
    monkeypatch.setattr(planner, "improve_solution", counting_improve)
    matrix, places = prepared(sc)
    params = dataclasses.replace(FAST, lns_rounds=3)
    plan = plan_week(sc, matrix, places, params=params, workers=1)
    assert check_plan(plan, sc, matrix, places).ok
    trips = len(plan.rides)
    assert len(solved) >= 2 * trips  # every layout choice searched ...
    assert set(solved) == {0}  # ... without the rounds,
    assert improved == [[[4, 2]]] * trips  # which go to the kept choice: two wheelchairs
    assert all(not r.unassigned for r in plan.rides)


def test_rules_no_plan_can_satisfy_are_input_problems():
    sc = scenario(
        [person("a", "A", 5.1), person("b", "A", 5.1)],
        [attend("a", "L"), attend("b", "L", day=Weekday.TUE)],
        [vehicle("V", "A")],
    )
    ruled = with_rules(
        sc,
        Rule(kind=RuleKind.TOGETHER, participant="a", other="b"),
        Rule(kind=RuleKind.NEEDS, participant="a", feature="lift"),
    )
    texts = [p.message for p in rule_problems(ruled)]
    assert any("a and b must ride together" in t and "mon" in t for t in texts), texts
    assert any("no vehicle satisfies every rule of a" in t for t in texts), texts


@pytest.mark.parametrize("mode", [Mode.OWN, Mode.SHARED])
def test_not_together_in_both_modes_on_a_midday_trip(mode):
    people = [person("m", "A", 5.1), person("n", "A", 5.101)]
    sc = scenario(
        people,
        [attend("m", "L", depart=12 * 60 + 30), attend("n", "L", arrive=13 * 60)],
        [vehicle("V1", "A"), vehicle("V2", "A")],
    )
    ruled = with_rules(sc, Rule(kind=RuleKind.NOT_TOGETHER, participant="m", other="n"))
    plan, _, _ = plan_of(ruled, mode)
    middag = [r for r in plan.rides if r.key.trip == "middag"]
    assert middag
    for route in middag[0].routes:
        on_board: set[str] = set()
        for s in route.stops:
            on_board = (on_board - set(s.alighting)) | set(s.boarding)
            assert on_board != {"m", "n"}


def test_locks_pin_and_forbid_and_the_reason_of_an_impossible_pin():
    from vervoer.core.model import Lock, LockKind

    sc = scenario(
        [person("x", "A", 5.05), person("w", "A", 5.06, wheelchair=True)],
        [attend("x", "L"), attend("w", "L")],
        [vehicle("NEAR", "A", 5.0), vehicle("FAR", "A", 5.5, wheelchair_places=0)],
    )
    free, matrix, places = plan_of(sc)
    assert vehicle_of(free, "x") == "NEAR"
    pinned = dataclasses.replace(
        sc,
        locks=(
            Lock(kind=LockKind.PIN, participant="x", vehicle="FAR", weekdays=(Weekday.MON,)),
            Lock(kind=LockKind.PIN, participant="w", vehicle="FAR"),
        ),
    )
    plan, _, _ = plan_of(pinned)
    assert vehicle_of(plan, "x") == "FAR"
    for ride in plan.rides:
        (u,) = ride.unassigned
        assert u.participant == "w"
        assert u.message == "w is locked to FAR, and FAR has no wheelchair place"
    violations = check_plan(free, pinned, matrix, places).violations
    assert any("x boards, but x is locked to FAR on mon" in v for v in violations), violations
    forbidden = dataclasses.replace(
        sc, locks=(Lock(kind=LockKind.FORBID, participant="x", vehicle="NEAR"),)
    )
    plan, _, _ = plan_of(forbidden)
    assert vehicle_of(plan, "x") == "FAR"
    # a pin on another weekday does not hold on Monday
    tuesday = dataclasses.replace(
        sc,
        locks=(Lock(kind=LockKind.PIN, participant="x", vehicle="FAR", weekdays=(Weekday.TUE,)),),
    )
    plan, _, _ = plan_of(tuesday)
    assert vehicle_of(plan, "x") == "NEAR"


def test_layout_choices_side_by_side_give_the_plan_of_one_process(monkeypatch):
    # a day alone on two cores: its trips' layout choices are solved in two processes,
    # and the plan is the one a single process makes
    from vervoer.core import processes
    from vervoer.routing import planner

    people = [person(f"w{i}", "A", 5.1 + 0.001 * i, wheelchair=True) for i in range(2)]
    people += [person(f"s{i}", "A", 5.12 + 0.001 * i) for i in range(4)]
    sc = scenario(
        people,
        [attend(p.id, "L") for p in people],
        [
            vehicle("V", "A", wheelchair_places=1, layouts=((8, 0), (6, 1), (4, 2))),
            vehicle("W", "A"),
        ],
    )
    matrix, places = prepared(sc)
    forked = []
    run = processes.run_parallel

    def counting(fn, calls, workers):
        forked.append((fn.__name__, len(calls), workers))
        return run(fn, calls, workers)

    monkeypatch.setattr(planner, "run_parallel", counting)
    monkeypatch.setattr(planner, "PARALLEL_FROM", 2)  # small trips too
    one = plan_week(sc, matrix, places, params=FAST, workers=1)
    two = plan_week(sc, matrix, places, params=FAST, workers=2)
    assert ("_solve_trip", 2, 2) in forked  # two layout choices, two processes
    assert {w for _, _, w in forked[: len(forked) // 2]} == {1}
    assert two.rides == one.rides
    assert check_plan(two, sc, matrix, places).ok


def test_a_held_trip_tries_the_reference_layouts_first():
    from vervoer.routing.planner import _layout_choices

    flip = vehicle("F", "A", layouts=((8, 0), (6, 1), (4, 2)))
    plain = vehicle("P", "A")
    choices = _layout_choices([flip, plain], {}, 600, {"F": (6, 1), "P": None})
    assert [s.layout for s in choices[0]] == [(6, 1), (plain.seats, plain.wheelchair_places)]
    assert len(choices) == 3  # then plain (8+0, also "most seats") and most wheelchairs
    # a layout the vehicle does not have (the reference is out of date): its plain one
    (first, *_) = _layout_choices([flip], {}, 600, {"F": (5, 5)})
    assert first[0].layout == (8, 0)


def test_a_stable_week_keeps_a_flip_seat_bus_in_its_layout_of_the_busiest_day(monkeypatch):
    people = _flip_seat_people()
    days = (Weekday.MON, Weekday.TUE)
    # Monday (the busiest day) needs both wheelchair places; Tuesday one
    att = [attend(p.id, "L", day=d) for p in people for d in days if p.id != "w1" or d is days[0]]
    sc = _flip_seat_scenario(people, att)
    solved = _solves_seen(monkeypatch, lambda slots, screen: tuple(s.layout for s in slots))
    plan = _planned_on_the_flip_seat_bus(sc)
    # Monday looked at every choice (and went on with the best); Tuesday's held trips
    # searched the reference layout only
    tue = [ride for ride in plan.rides if ride.key.weekday is Weekday.TUE]
    assert len(solved) == 2 * len(_layout_choices_of(sc)) + len(tue)
    assert solved[-len(tue) :] == [((4, 2),)] * len(tue)


def _flip_seat_people():
    people = [person(f"w{i}", "A", 5.1 + 0.001 * i, wheelchair=True) for i in range(2)]
    return people + [person(f"s{i}", "A", 5.12 + 0.001 * i) for i in range(3)]


def _flip_seat_scenario(people, att):
    layouts = ((8, 0), (6, 1), (4, 2))
    return scenario(people, att, [vehicle("V", "A", wheelchair_places=1, layouts=layouts)])


def _solves_seen(monkeypatch, what):
    """Record ``what(slots, screen)`` of every trip the planner solves."""
    from vervoer.routing import planner

    seen = []
    solve = planner._solve_trip

    def counting(slots, *a):
        seen.append(what(slots, a[-1]))
        return solve(slots, *a)

    monkeypatch.setattr(planner, "_solve_trip", counting)
    return seen


def _planned_on_the_flip_seat_bus(sc):
    """The week, checked: everyone planned, the bus in its 4+2 layout on every trip."""
    matrix, places = prepared(sc)
    plan = plan_week(sc, matrix, places, params=FAST, workers=1)
    assert check_plan(plan, sc, matrix, places).ok
    assert all(not r.unassigned for r in plan.rides)
    assert {route.layout for r in plan.rides for route in r.routes} == {(4, 2)}
    return plan


def _layout_choices_of(sc):
    from vervoer.routing.planner import _layout_choices

    return _layout_choices(list(sc.vehicles), {}, 600)


def test_large_trips_look_at_each_seat_layout_and_search_the_best(monkeypatch):
    from vervoer.routing import planner

    monkeypatch.setattr(planner, "SCREEN_FROM", 1)  # the demo-sized trip counts as large
    people = _flip_seat_people()
    sc = _flip_seat_scenario(people, [attend(p.id, "L") for p in people])
    looks = _solves_seen(monkeypatch, lambda slots, screen: screen)
    _planned_on_the_flip_seat_bus(sc)
    # a look per choice on each trip, no second whole search
    assert looks == [True] * (2 * len(_layout_choices_of(sc)))
