from __future__ import annotations

import csv
import dataclasses
import json

import pytest
from pypdf import PdfReader

from vervoer.core.model import Mode, Weekday
from vervoer.core.settings import SolveParams
from vervoer.routing.planner import plan_week
from vervoer.sharing import compare as cp
from vervoer.sharing import whatif
from vervoer.sharing.settlement import to_cents

from .scenarios import at, attend, each_others_way, person, prepared, scenario, vehicle

FAST = SolveParams(time_limit_s=5, max_iterations=50)
MON = [Weekday.MON]


def test_metrics_per_organisation_and_total():
    sc = each_others_way()
    m, p = prepared(sc)
    own = plan_week(sc, m, p, mode=Mode.OWN, days=MON, params=FAST, workers=1)
    metrics = cp.plan_metrics(own, sc)
    assert metrics["A"].rides == 2 and metrics["B"].rides == 2
    assert metrics["total"].cost == pytest.approx(metrics["A"].cost + metrics["B"].cost)
    assert metrics["total"].max_vehicles == 2
    assert len(metrics["total"].ride_minutes) == 4
    assert metrics["total"].co2_kg == pytest.approx(metrics["total"].km * 0.22, abs=0.1)


def test_coalition_costs_show_the_saving():
    sc = each_others_way()
    m, p = prepared(sc)
    fn = cp.CoalitionCost(sc, m, p, MON, FAST)
    a, b, ab = fn(frozenset({"A"})), fn(frozenset({"B"})), fn(frozenset({"A", "B"}))
    own = plan_week(sc, m, p, mode=Mode.OWN, days=MON, params=FAST, workers=1)
    assert a + b == pytest.approx(sum(r.cost for ride in own.rides for r in ride.routes))
    assert ab < a + b - 50  # at least one fixed cost less per ride


def test_unassigned_rides_are_priced_into_the_game():
    sc = scenario(
        [person("x", "A", 5.1, wheelchair=True)],
        [attend("x", "L")],
        [vehicle("V", "A", wheelchair_places=0)],
    )
    m, p = prepared(sc)
    fn = cp.CoalitionCost(sc, m, p, MON, FAST, unassigned_ride_cost=80.0)
    assert fn(frozenset({"A"})) == pytest.approx(160.0)


def test_merge_locations_moves_attendance():
    sc = scenario(
        [person("x", "A", 5.1), person("y", "A", 5.15)],
        [attend("x", "L"), attend("y", "M")],
        [vehicle("V", "A")],
        locations=None,
    )
    from vervoer.core.model import Location, Point

    sc = sc.__class__(
        **{
            **{f: getattr(sc, f) for f in sc.__dataclass_fields__},
            "locations": (
                Location(id="L", name="l", organisation="A", point=Point(52.0, 5.2)),
                Location(id="M", name="m", organisation="A", point=Point(52.0, 5.3)),
            ),
        }
    )
    merged = whatif.merge_locations(sc, "M", "L")
    assert [loc.id for loc in merged.locations] == ["L"]
    assert {a.location for a in merged.attendance} == {"L"}
    with pytest.raises(ValueError, match="unknown location 'Q'"):
        whatif.merge_locations(sc, "Q", "L")


def test_vehicle_changes():
    sc = each_others_way()
    assert [v.id for v in whatif.remove_vehicle(sc, "VA").vehicles] == ["VB"]
    added = whatif.add_vehicle(sc, "VA", "VA2")
    assert added.vehicles[-1].id == "VA2"
    assert added.vehicles[-1].depot == added.vehicles[0].depot
    assert whatif.with_arrival_window(sc, 5).settings.arrival_window_min == 5


def test_whatif_merge_from_the_cli(osm_path, tmp_path, monkeypatch):
    from pathlib import Path

    from click.testing import CliRunner

    from vervoer.cli import main

    monkeypatch.setenv("VERVOER_CACHE", str(tmp_path))
    small = Path(__file__).parent / "data" / "scenario_small"
    result = CliRunner().invoke(
        main,
        [
            "whatif",
            str(small),
            "--osm",
            str(osm_path),
            "--merge",
            "L2:L1",
            "--day",
            "ma",
            "--iterations",
            "20",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "location L2 merged into L1" in result.output
    assert "cost (EUR)" in result.output
    bad = CliRunner().invoke(
        main, ["whatif", str(small), "--osm", str(osm_path), "--merge", "L9:L1", "--day", "ma"]
    )
    assert bad.exit_code == 2
    assert "unknown location 'L9'" in bad.output


def test_compare_cli_report_without_names(osm_path, tmp_path, monkeypatch):
    from pathlib import Path

    from click.testing import CliRunner

    from vervoer.cli import main
    from vervoer.io.scenario import read_scenario

    monkeypatch.setenv("VERVOER_CACHE", str(tmp_path / "cache"))
    small = Path(__file__).parent / "data" / "scenario_small"
    out = tmp_path / "cmp"
    result = CliRunner().invoke(
        main,
        [
            "compare",
            str(small),
            "--osm",
            str(osm_path),
            "--day",
            "ma",
            "--out",
            str(out),
            "--iterations",
            "20",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "core check: Shapley value: in the core" in result.output
    assert "Period: Monday only" in result.output
    assert "cost (EUR)" in result.output and "vehicles_per_day" not in result.output
    assert "co2_kg" not in result.output and "CO2 (kg)" in result.output
    # not a terminal: plain progress lines with the count, elapsed time and what is counted
    assert "Evaluating coalitions: 4/4 done, elapsed" in result.output
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "<svg" in report and "Shapley-waarde" in report
    # the first screen: the period, then own -> fair share -> saving, before the settlement
    assert "Periode: alleen maandag: 1 dag, 2 ritten" in report
    assert "Dit is geen weekbedrag" in report
    first = report.index("Eigen vervoer (EUR)")
    assert first < report.index("Eerlijk deel (EUR)") < report.index("Besparing (%)")
    assert report.index("Besparing (%)") < report.index("Verrekening tussen de organisaties")
    assert report.index("Overboekingen") < report.index("Details")
    # Dutch labels only: no raw keys of the allocations
    for word in ("standalone", "nucleolus", ">shapley<", "Shared", "Own transport"):
        assert word not in report, word
    for p in read_scenario(small).participants:
        assert p.name not in report
    rows = (out / "allocation.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("organisation,standalone,shapley,shapley_saving")
    assert len(rows) == 1 + len(read_scenario(small).organisations)
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert data["covers"] == {
        "days": ["mon"],
        "all_days": False,
        "trips": 2,
        "rides": data["covers"]["rides_planned"] + data["covers"]["unassigned"],
        "rides_planned": data["covers"]["rides_planned"],
        "unassigned": data["covers"]["unassigned"],
    }
    orgs = data["organisations"]
    assert set(orgs) == {"rijn", "brug", "berg"}
    for o in orgs.values():
        assert o["saving"] == pytest.approx(o["own"] - o["fair_share"], abs=0.005)
        assert o["net"] == pytest.approx(o["fair_share"] - o["buses"] - o["taxis"], abs=0.005)
    # the pools of the settings: the game is played in "samen" and in "zuid" apart
    assert [p["name"] for p in data["pools"]] == ["samen", "zuid"]
    assert {tuple(c["organisations"]) for c in data["coalitions"]} == {
        ("brug",),
        ("rijn",),
        ("berg",),
        ("brug", "rijn"),
    }
    paid = {o: v["buses"] + v["taxis"] for o, v in orgs.items()}
    for t in data["settlement"]:
        assert set(t) == {"from", "to", "amount"} and t["amount"] > 0
        assert orgs[t["from"]]["pool"] == orgs[t["to"]]["pool"]
        paid[t["from"]] += t["amount"]
        paid[t["to"]] -= t["amount"]
    for o, v in orgs.items():
        assert paid[o] == pytest.approx(v["fair_share"], abs=0.001)
    assert sum(data["payers"][k]["shared"] for k in data["payers"]) == pytest.approx(
        data["metrics"]["total"]["shared"]["cost"], abs=0.01
    )
    assert set(data["regions"]) == {""}  # the scenario gives no regions
    # negative amounts stay numbers in the CSV tables
    with (out / "settlement.csv").open(encoding="utf-8", newline="") as fh:
        nets = [row["net"] for row in csv.DictReader(fh)]
    assert any(n.startswith("-") for n in nets) and all(float(n) is not None for n in nets)
    assert not any(n.startswith("'") for n in nets)
    pdf = PdfReader(out / "report.pdf")
    assert pdf.pages[0].mediabox.width == pytest.approx(595, abs=1)  # A4
    assert "Eerlijk deel" in pdf.pages[0].extract_text()


def test_report_escapes_scenario_text():
    import dataclasses

    from vervoer.core.model import Organisation
    from vervoer.outputs.report import report_html

    sc = each_others_way()
    sc = dataclasses.replace(
        sc,
        name="<script>x()</script>",
        organisations=(Organisation(id="A", name="<b>A</b>"), Organisation(id="B", name="B")),
    )
    m, p = prepared(sc)
    cmp = cp.compare(sc, m, p, days=MON, params=FAST, executor="serial")
    page = report_html(cmp, sc)
    assert "<script>x()" not in page and "&lt;script&gt;" in page
    assert "&lt;b&gt;A&lt;/b&gt;" in page
    assert sum(cmp.allocations["shapley"].values()) == pytest.approx(
        cmp.costs[frozenset({"A", "B"})]
    )


def test_dask_cluster_equals_local_run(osm_path, tmp_path, monkeypatch):
    from pathlib import Path

    from vervoer import pipeline

    monkeypatch.setenv("VERVOER_CACHE", str(tmp_path))
    small = Path(__file__).parent / "data" / "scenario_small"
    pr = pipeline.prepare(small, osm=osm_path)
    kw = dict(days=[Weekday.MON], params=SolveParams(time_limit_s=10, max_iterations=20))
    local = cp.compare(pr.scenario, pr.matrix, pr.places, executor="process", **kw)
    dask = cp.compare(pr.scenario, pr.matrix, pr.places, executor="dask", **kw)
    assert dask.costs == local.costs
    assert dask.allocations == local.allocations


# ----------------------------------------------------------------------------- pools, report


def _three_orgs(**settings):
    """A and B live on each other's way (pool west); C alone further east (a pool of its own).

    The fixed cost of a vehicle day is EUR 900, so amounts run into thousands.
    """
    from vervoer.core.model import Pool
    from vervoer.core.settings import Settings

    return scenario(
        [
            person("a1", "A", 5.10),
            person("b1", "B", 5.11),
            person("c1", "C", 5.12),
            person("c2", "C", 5.30, payer="wmo:oost"),
        ],
        [attend("a1", "L"), attend("b1", "L"), attend("c1", "L"), attend("c2", "L")],
        [
            vehicle("VA", "A", 5.0, fixed_cost=900.0),
            vehicle("VB", "B", 5.01, fixed_cost=900.0),
            vehicle("VC", "C", 5.02, fixed_cost=900.0),
        ],
        settings=Settings(pools=(Pool(name="west", organisations=("A", "B")),), **settings),
    )


@pytest.fixture(scope="module")
def pooled():
    sc = _three_orgs()
    m, p = prepared(sc)
    return sc, cp.compare(sc, m, p, days=MON, params=FAST, executor="serial")


def test_the_game_is_played_within_each_pool(pooled):
    _sc, cmp = pooled
    assert [(p.name, p.organisations) for p in cmp.pools] == [("west", ("A", "B")), ("C", ("C",))]
    # only coalitions within a pool are evaluated: no A + C, no A + B + C
    assert set(cmp.costs) == {frozenset("A"), frozenset("B"), frozenset("C"), frozenset("AB")}
    for alloc in cmp.allocations.values():
        assert alloc["A"] + alloc["B"] == pytest.approx(cmp.costs[frozenset("AB")])
        assert alloc["C"] == pytest.approx(cmp.costs[frozenset("C")])
    s = cmp.settlement
    assert s is not None and s.rule == "shapley"
    rows = {r.organisation: r for r in s.organisations}
    assert {r.pool for r in s.organisations} == {"west", "C"}
    # the fair shares of each pool add up to what its buses and taxis cost, to the cent
    for pool in cmp.pools:
        fair = sum(to_cents(rows[o].fair_share) for o in pool.organisations)
        paid = sum(to_cents(rows[o].buses + rows[o].taxis) for o in pool.organisations)
        assert fair == paid
    assert all({t.payer, t.payee} <= {"A", "B"} for t in s.transfers)  # within west only
    assert cmp.shared_metrics["total"].cost == pytest.approx(sum(r.buses for r in s.organisations))


def test_the_allocation_setting_chooses_the_fair_share():
    sc = _three_orgs(allocation="rides")
    m, p = prepared(sc)
    cmp = cp.compare(sc, m, p, days=MON, params=FAST, executor="serial")
    assert cmp.rule == "rides" and cmp.settlement.rule == "rides"
    assert cmp.fair_shares()["A"] == pytest.approx(cmp.allocations["rides"]["A"], abs=0.01)


def test_report_in_dutch_and_english_number_format(pooled):
    import re

    from vervoer.core.i18n import format_number
    from vervoer.outputs.report import report_html

    sc, cmp = pooled
    assert format_number(1917.64, 2, "nl") == "1.917,64"
    assert format_number(-114.48, 2, "nl") == "-114,48"
    nl = report_html(cmp, sc, language="nl")
    en = report_html(cmp, sc, language="en")
    own_c = cmp.costs[frozenset("C")]
    assert own_c > 1000
    assert format_number(own_c, 2, "nl") in nl and format_number(own_c, 2, "en") in en
    assert re.search(r"\d\.\d{3},\d{2}", nl) and not re.search(r"\d,\d{3}\.\d{2}", nl)
    assert re.search(r"\d,\d{3}\.\d{2}", en)
    assert "Eerlijk deel (EUR)" in nl and "Fair share (EUR)" in en
    assert "Pools: west (A, B); C (C)" in nl
    assert "Period: Monday only" in en and "Verrekening" not in en
    for word in ("standalone", "nucleolus", ">shapley<", "Fair share"):
        assert word not in nl, word


def test_report_over_every_day_says_the_week(pooled):
    from vervoer.outputs.report import period_text

    _sc, cmp = pooled
    week = dataclasses.replace(cmp, all_days=True)
    assert period_text(week, "nl").startswith("Periode: de hele week van de aanwezigheid (maandag)")
    assert period_text(cmp, "nl") == (
        "Periode: alleen maandag: 1 dag, 2 ritten, 8 deelnemersritten. Dit is geen weekbedrag."
    )


def test_report_files_beside_each_other(pooled, tmp_path):
    from vervoer.outputs.report import write_report

    sc, cmp = pooled
    files = write_report(cmp, sc, tmp_path, pdf=False)
    assert "pdf" not in files and files["json"].name == "report.json"
    data = json.loads(files["json"].read_text(encoding="utf-8"))
    assert set(data["payers"]) == {"A", "B", "C", "wmo:oost"}
    assert data["allocation_rule"] == "shapley" and data["game"] == "per_pool"
    with (tmp_path / "cost_groups.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["grouping"] for r in rows} == {"payer", "organisation", "region", "vehicle_owner"}
    for r in rows:
        float(r["own"]), float(r["shared"]), float(r["saving"])  # all plain numbers


def test_costs_per_region_and_region_pools():
    """Locations in two deelregio's: one pool each by default, costs per region."""
    from vervoer.core.model import Location
    from vervoer.geo.regions import with_regions

    sc = scenario(
        [person("a1", "A", 5.10), person("b1", "B", 5.11)],
        [attend("a1", "LW"), attend("b1", "LO")],
        [vehicle("VA", "A", 5.0), vehicle("VB", "B", 5.01)],
        locations=(
            Location(id="LW", name="w", organisation="A", point=at(5.2), region="West"),
            Location(id="LO", name="o", organisation="B", point=at(5.3), region="Oost"),
        ),
    )
    sc = with_regions(sc, None)
    m, p = prepared(sc)
    cmp = cp.compare(sc, m, p, days=MON, params=FAST, executor="serial")
    assert [p.name for p in cmp.pools] == ["Oost", "West"]
    assert set(cmp.costs) == {frozenset("A"), frozenset("B")}
    from vervoer.outputs.report import report_data

    regions = report_data(cmp, sc)["regions"]
    assert set(regions) == {"West", "Oost"}
    assert regions["West"]["own"] == pytest.approx(cmp.own_metrics["A"].cost, abs=0.01)
