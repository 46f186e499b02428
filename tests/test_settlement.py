"""Who pays: the split of a route's cost over its passengers, payers and regions."""

from __future__ import annotations

import csv
import dataclasses
import random
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.scenarios import at, attend, person, prepared, scenario, vehicle
from vervoer.cli import main
from vervoer.core.model import Location, Participant, Plan, RideNeed
from vervoer.core.settings import SolveParams
from vervoer.io.scenario import read_scenario, write_scenario
from vervoer.routing.planner import plan_week
from vervoer.sharing.settlement import (
    GROUPINGS,
    PassengerCost,
    Transfer,
    cost_totals,
    passenger_costs,
    plan_cost,
    ride_counts,
    settle,
    settlement_transfers,
    shares_to_total,
    split_cents,
    to_cents,
)

SMALL = Path(__file__).parent / "data" / "scenario_small"
PARAMS = SolveParams(time_limit_s=5, max_iterations=100)


def _week():
    """Two organisations, two locations in two regions; one bus each.

    A's bus carries a1 (far west, 5.01) and a2 (near the location, 5.18), so the two share
    every route; a2's rides are paid by the WLZ, a1's by A itself (no payer given).
    """
    locations = (
        Location(id="LA", name="Locatie A", organisation="A", point=at(5.2), region="Zeist"),
        Location(id="LB", name="Locatie B", organisation="B", point=at(5.4), region="Utrecht"),
    )
    people = [
        person("a1", "A", 5.01),
        person("a2", "A", 5.18, payer="wlz"),
        person("b1", "B", 5.35, payer="wmo:utrecht"),
        person("b2", "B", 5.30, payer="wmo:utrecht"),
    ]
    sc = scenario(
        people,
        [attend("a1", "LA"), attend("a2", "LA"), attend("b1", "LB"), attend("b2", "LB")],
        [vehicle("VA", "A", 5.0), vehicle("VB", "B", 5.45)],
        locations=locations,
    )
    matrix, places = prepared(sc)
    plan = plan_week(sc, matrix, places, params=PARAMS, workers=1)
    return sc, matrix, places, plan


@pytest.fixture(scope="module")
def week():
    return _week()


def _route_sums(plan: Plan, rows: list[PassengerCost]) -> None:
    """Every route's shares add up to its cost in whole cents."""
    by_route: dict[tuple[str, str], int] = {}
    for r in rows:
        assert to_cents(r.cost) == pytest.approx(r.cost * 100, abs=1e-6)  # whole cents
        by_route[(r.trip, r.vehicle)] = by_route.get((r.trip, r.vehicle), 0) + to_cents(r.cost)
    want = {
        (str(ride.key), rt.vehicle): to_cents(rt.cost) for ride in plan.rides for rt in ride.routes
    }
    assert by_route == want


# ----------------------------------------------------------------------------- the split


@pytest.mark.parametrize(
    ("total", "weights", "shares"),
    [
        (1000, [1, 1, 1], [334, 333, 333]),  # 3 passengers splitting EUR 10.00
        (6001, [600, 1200, 1800], [1000, 2000, 3001]),  # the README's example
        (1, [5, 5, 5, 5], [1, 0, 0, 0]),
        (0, [3, 7], [0, 0]),
        (999, [1], [999]),
        (-1000, [1, 1, 1], [-333, -333, -334]),
    ],
)
def test_split_cents_examples(total, weights, shares):
    assert split_cents(total, weights) == shares
    assert sum(shares) == total


def test_split_cents_adds_up_for_many_awkward_amounts():
    rng = random.Random(14)
    for _ in range(3000):
        n = rng.randint(1, 9)
        weights = [rng.choice([1, 7, 59, 600, rng.randint(1, 5000)]) for _ in range(n)]
        total = rng.choice([1, 2, 99, 1000, 1001, 6001, rng.randint(0, 10**6)])
        shares = split_cents(total, weights)
        assert sum(shares) == total
        exact = [total * w / sum(weights) for w in weights]
        assert all(abs(s - e) < 1 for s, e in zip(shares, exact, strict=True))


def test_split_cents_rejects_no_or_bad_weights():
    with pytest.raises(ValueError, match="positive weights"):
        split_cents(100, [])
    with pytest.raises(ValueError, match="positive weights"):
        split_cents(100, [1, 0])


def test_shares_add_up_to_each_route_cost(week):
    sc, matrix, places, plan = week
    rows = passenger_costs(plan, sc, matrix, places)
    assert {r.participant for r in rows} == {"a1", "a2", "b1", "b2"}
    assert len(rows) == 8  # four participants, heen and terug
    _route_sums(plan, rows)


def test_shares_add_up_for_awkward_route_costs(week):
    sc, matrix, places, plan = week
    for cost in (10.00, 0.01, 0.02, 0.05, 33.33, 60.01, 99.99, 1234.57, 0.0):
        awkward = dataclasses.replace(
            plan,
            rides=tuple(
                dataclasses.replace(
                    ride,
                    routes=tuple(dataclasses.replace(r, cost=cost) for r in ride.routes),
                )
                for ride in plan.rides
            ),
        )
        rows = passenger_costs(awkward, sc, matrix, places)
        _route_sums(awkward, rows)
        for by in GROUPINGS:
            assert to_cents(sum(cost_totals(rows, by).values())) == to_cents(plan_cost(awkward))


def test_three_equal_passengers_split_ten_euros():
    """Three neighbours in one bus, a route of EUR 10.00: 3.34 + 3.33 + 3.33."""
    sc = scenario(
        [person(p, "A", 5.1) for p in ("p1", "p2", "p3")],
        [attend(p, "L", rides=RideNeed.HEEN) for p in ("p1", "p2", "p3")],
        [vehicle("V", "A", 5.0)],
    )
    matrix, places = prepared(sc)
    plan = plan_week(sc, matrix, places, params=PARAMS, workers=1)
    (ride,) = plan.rides
    (route,) = ride.routes
    ten = dataclasses.replace(
        plan, rides=(dataclasses.replace(ride, routes=(dataclasses.replace(route, cost=10.0),)),)
    )
    rows = passenger_costs(ten, sc, matrix, places)
    assert sorted(r.cost for r in rows) == [3.33, 3.33, 3.34]


def test_a_far_passenger_pays_more_than_a_near_one(week):
    sc, matrix, places, plan = week
    rows = passenger_costs(plan, sc, matrix, places)
    for ride in plan.rides:
        a_route = [rt for rt in ride.routes if any("a1" in s.boarding for s in rt.stops)]
        assert a_route and any("a2" in s.boarding for s in a_route[0].stops)  # one route
        cost = {r.participant: r.cost for r in rows if r.trip == str(ride.key)}
        assert cost["a1"] > 3 * cost["a2"] > 0


def test_totals_per_payer_organisation_and_region_add_up(week):
    sc, matrix, places, plan = week
    rows = passenger_costs(plan, sc, matrix, places)
    total = plan_cost(plan)
    assert total > 0
    for by in GROUPINGS:
        totals = cost_totals(rows, by)
        assert sum(to_cents(v) for v in totals.values()) == to_cents(total)
    assert set(cost_totals(rows, "payer")) == {"A", "wlz", "wmo:utrecht"}
    assert set(cost_totals(rows, "organisation")) == {"A", "B"}
    assert set(cost_totals(rows, "region")) == {"Zeist", "Utrecht"}
    assert ride_counts(rows, "payer") == {"A": 2, "wlz": 2, "wmo:utrecht": 4}
    a_cost = sum(to_cents(r.cost) for r in rows if r.organisation == "A")
    assert to_cents(cost_totals(rows, "organisation")["A"]) == a_cost
    assert cost_totals(rows, "region")["Zeist"] == cost_totals(rows, "organisation")["A"]
    with pytest.raises(ValueError, match="cannot total"):
        cost_totals(rows, "colour")  # type: ignore[arg-type]


def test_payer_defaults_to_the_organisation(week):
    sc, matrix, places, plan = week
    assert Participant(id="x", name="X", organisation="A").paid_by == "A"
    assert Participant(id="x", name="X", organisation="A", payer="pgb").paid_by == "pgb"
    rows = passenger_costs(plan, sc, matrix, places)
    payers = {r.participant: r.payer for r in rows}
    assert payers == {"a1": "A", "a2": "wlz", "b1": "wmo:utrecht", "b2": "wmo:utrecht"}


def test_a_route_without_passengers_is_charged_to_the_vehicle_owner(week):
    sc, matrix, places, plan = week
    ride = plan.rides[0]
    route = ride.routes[0]
    empty_stops = tuple(dataclasses.replace(s, boarding=(), alighting=()) for s in route.stops)
    empty = dataclasses.replace(route, stops=empty_stops, cost=12.34)
    odd = dataclasses.replace(plan, rides=(dataclasses.replace(ride, routes=(empty,)),))
    (row,) = passenger_costs(odd, sc, matrix, places)
    assert (row.participant, row.organisation, row.payer, row.region, row.cost) == (
        "",
        route.organisation,
        route.organisation,
        "",
        12.34,
    )
    assert ride_counts([row], "organisation") == {route.organisation: 0}


# ----------------------------------------------------------------------------- the columns


def test_reads_payer_and_region_columns_and_round_trips(tmp_path):
    folder = tmp_path / "sc"
    shutil.copytree(SMALL, folder)
    people = folder / "participants.csv"
    lines = people.read_text(encoding="utf-8").splitlines()
    payers = ["Financier", " wlz ", "", "wmo:schaan", "pgb", "-pgb"]
    people.write_text(
        "\n".join(f"{line},{p}" for line, p in zip(lines, payers, strict=True)) + "\n",
        encoding="utf-8",
    )
    places = folder / "locations.csv"
    lines = places.read_text(encoding="utf-8").splitlines()
    regions = ["Deelregio", " Oberland ", "Unterland"]
    places.write_text(
        "\n".join(f"{line};{r}" for line, r in zip(lines, regions, strict=True)) + "\n",
        encoding="utf-8",
    )
    sc = read_scenario(folder)
    assert {p.id: p.payer for p in sc.participants} == {
        "D1": "wlz",
        "D2": "",
        "D3": "wmo:schaan",
        "D4": "pgb",
        "D5": "-pgb",
    }
    assert {p.id: p.paid_by for p in sc.participants}["D2"] == "rijn"
    assert {loc.id: loc.region for loc in sc.locations} == {"L1": "Oberland", "L2": "Unterland"}

    for path, old, aliases, table in (
        (people, "Financier", ("payer", "betaler", "bekostiging"), "participants"),
        (places, "Deelregio", ("region", "regio"), "locations"),
    ):
        text = path.read_text(encoding="utf-8")
        for alias in aliases:
            path.write_text(text.replace(old, alias, 1), encoding="utf-8")
            assert getattr(read_scenario(folder), table) == getattr(sc, table), alias
        path.write_text(text, encoding="utf-8")

    out = tmp_path / "written"
    write_scenario(sc, out)
    header = (out / "participants.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.endswith(",payer")
    assert (out / "locations.csv").read_text(encoding="utf-8").splitlines()[0].endswith(",region")
    again = read_scenario(out)
    assert dataclasses.replace(again, name=sc.name, source=sc.source) == sc


def test_without_the_columns_payer_and_region_are_empty():
    sc = read_scenario(SMALL)
    assert all(p.payer == "" and p.paid_by == p.organisation for p in sc.participants)
    assert all(loc.region == "" for loc in sc.locations)


# ----------------------------------------------------------------------------- the command


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def test_costs_command_writes_dutch_files_with_numeric_costs(
    osm_path, osm_cache, tmp_path, monkeypatch
):
    monkeypatch.setenv("VERVOER_CACHE", str(osm_cache))
    runner = CliRunner()
    out = tmp_path / "out"
    args = ["--osm", str(osm_path), "--iterations", "20", "--lns-rounds", "0", "--no-outputs"]
    result = runner.invoke(main, ["plan", str(SMALL), "--out", str(out), *args])
    assert result.exit_code == 0, result.output
    plan_file = out / "plan.json"
    costs = tmp_path / "costs"
    result = runner.invoke(
        main,
        [
            "costs",
            str(plan_file),
            "--scenario",
            str(SMALL),
            "--osm",
            str(osm_path),
            "--out",
            str(costs),
        ],
    )
    assert result.exit_code == 0, result.output
    from vervoer.io.plan_json import read_plan

    total = plan_cost(read_plan(plan_file))
    assert f"route cost: EUR {total:,.2f}." in result.output
    assert "payer" in result.output and "region" in result.output

    per_person = _rows(costs / "kosten_per_deelnemer.csv")
    assert per_person[0] == [
        "rit",
        "voertuig",
        "deelnemer",
        "organisatie",
        "financier",
        "regio",
        "kosten",
    ]
    assert sum(to_cents(float(r[6])) for r in per_person[1:]) == to_cents(total)
    assert all(r[6].replace(".", "", 1).isdigit() for r in per_person[1:])
    per_payer = _rows(costs / "kosten_per_financier.csv")
    assert per_payer[0] == ["financier", "ritten", "kosten"]
    assert {r[0] for r in per_payer[1:]} == {"rijn", "brug", "berg"}
    assert sum(to_cents(float(r[2])) for r in per_payer[1:]) == to_cents(total)
    totals = _rows(costs / "kosten_totalen.csv")
    assert totals[0] == ["indeling", "naam", "ritten", "kosten"]
    assert {r[0] for r in totals[1:]} == {"financier", "organisatie", "regio", "voertuigeigenaar"}
    for word in ("financier", "organisatie", "regio"):
        assert sum(to_cents(float(r[3])) for r in totals[1:] if r[0] == word) == to_cents(total)
    assert next(c for c in totals[1:] if c[0] == "regio")[:2] == ["regio", "(geen)"]

    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    result = runner.invoke(main, ["costs", str(broken), "--scenario", str(SMALL)])
    assert result.exit_code == 2, result.output
    assert "broken.json" in result.output and "Traceback" not in result.output

    other = tmp_path / "other.json"
    other.write_text(plan_file.read_text(encoding="utf-8").replace('"D1"', '"X9"'), "utf-8")
    result = runner.invoke(main, ["costs", str(other), "--scenario", str(SMALL)])
    assert result.exit_code == 2, result.output
    assert "participants the scenario does not have (X9)" in result.output


# ----------------------------------------------------------------------------- settlement


def test_a_hand_computed_three_organisation_settlement():
    """The game of tests/cost_games.py: own 100, 80, 60; pairs 150, 140, 120; all 190.

    Shapley by hand (six orders): A (100+100+70+70+80+70)/6 = 81.667, B 370/6 = 61.667,
    C 280/6 = 46.667. In cents 8166.67, 6166.67, 4666.67: floored 18998, the two cents left
    go to the first two of three equal remainders: 81.67, 61.67, 46.66 (sum 190.00).
    A's buses cost 120, B's 70, C's bus stays home (0): nets -38.33, -8.33, +46.66, so C
    pays A 38.33 and B 8.33.
    """
    from tests.cost_games import game
    from vervoer.sharing.solutions import shapley

    alloc = shapley(game())
    assert alloc["A"] == pytest.approx(490 / 6) and alloc["C"] == pytest.approx(280 / 6)
    s = settle(
        pools={"all": ("A", "B", "C")},
        own={"A": 100.0, "B": 80.0, "C": 60.0},
        buses={"A": 120.0, "B": 70.0, "C": 0.0},
        taxis={},
        allocation=alloc,
    )
    rows = {r.organisation: r for r in s.organisations}
    assert [rows[o].fair_share for o in "ABC"] == [81.67, 61.67, 46.66]
    assert [rows[o].net for o in "ABC"] == [-38.33, -8.33, 46.66]
    assert [rows[o].saving for o in "ABC"] == [18.33, 18.33, 13.34]
    assert rows["B"].saving_pct == pytest.approx(22.9125)
    assert s.transfers == (
        Transfer(payer="C", payee="A", amount=38.33),
        Transfer(payer="C", payee="B", amount=8.33),
    )
    assert s.scaled == ()
    # after the transfers every organisation has paid exactly its fair share
    for o, r in rows.items():
        paid = to_cents(r.buses) + to_cents(r.taxis)
        paid += sum(to_cents(t.amount) for t in s.transfers if t.payer == o)
        paid -= sum(to_cents(t.amount) for t in s.transfers if t.payee == o)
        assert paid == to_cents(r.fair_share)


def test_transfers_match_debtors_and_creditors_on_cents():
    transfers = settlement_transfers({"A": 500, "B": -300, "C": 250, "D": -450})
    assert [(t.payer, t.payee, t.amount) for t in transfers] == [
        ("A", "D", 4.50),
        ("A", "B", 0.50),
        ("C", "B", 2.50),
    ]
    assert settlement_transfers({"A": 0, "B": 0}) == []
    with pytest.raises(ValueError, match="add up to 1 cents"):
        settlement_transfers({"A": 1, "B": 0})


def test_settlement_per_pool_with_taxis_and_a_scaled_allocation():
    """Two pools settle apart; a left-out ride's taxi counts as paid; shares scale to cost."""
    s = settle(
        pools={"noord": ("A", "B"), "zuid": ("C",)},
        own={"A": 50.0, "B": 50.0, "C": 30.0},
        buses={"A": 60.0, "B": 0.0, "C": 25.0},
        taxis={"B": 20.0},
        allocation={"A": 41.0, "B": 41.0, "C": 24.0},  # A+B = 82, their cost is 80
    )
    rows = {r.organisation: r for r in s.organisations}
    assert s.scaled == ("noord", "zuid")
    assert rows["A"].fair_share == rows["B"].fair_share == 40.0
    assert rows["C"].fair_share == 25.0 and rows["C"].net == 0.0
    assert s.transfers == (Transfer(payer="B", payee="A", amount=20.0),)


@pytest.mark.parametrize("seed", range(20))
def test_fair_shares_reproduce_the_total_to_the_cent(seed):
    rng = random.Random(seed)
    names = [f"o{i}" for i in range(rng.randint(1, 7))]
    alloc = {n: rng.uniform(-20, 400) for n in names}
    total = rng.randint(0, 200_000)
    shares = shares_to_total(alloc, total)
    assert sum(shares.values()) == total
    whole = sum(alloc.values())
    for n in names:
        assert abs(shares[n] - alloc[n] * total / whole) < 1.0 + 1e-9
    net = {n: rng.randint(-5000, 5000) for n in names[:-1]}
    net[names[-1]] = -sum(net.values())
    left = dict(net)
    for t in settlement_transfers(net):
        assert t.amount > 0
        left[t.payer] -= to_cents(t.amount)
        left[t.payee] += to_cents(t.amount)
    assert set(left.values()) <= {0}


def test_equal_shares_get_the_leftover_cents_by_order_not_by_rounding_noise():
    """Thirds that differ in their last bit (a dot product's summation order) round alike."""
    import math

    from vervoer.sharing.settlement import shares_to_total

    thirds = {"A": 490 / 6, "B": 370 / 6, "C": 280 / 6}
    expected = {"A": 8167, "B": 6167, "C": 4666}
    assert shares_to_total(thirds, 19000) == expected
    for name in thirds:
        for direction in (math.inf, -math.inf):
            noisy = dict(thirds, **{name: math.nextafter(thirds[name], direction)})
            assert shares_to_total(noisy, 19000) == expected
