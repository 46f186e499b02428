from __future__ import annotations

import pytest

from vervoer.core.model import Mode, Weekday
from vervoer.core.settings import SolveParams
from vervoer.routing.planner import plan_week
from vervoer.sharing import compare as cp
from vervoer.sharing import whatif

from .scenarios import attend, each_others_way, person, prepared, scenario, vehicle

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
    assert "core check: shapley: in core" in result.output
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "<svg" in report and "Shapley" in report
    for p in read_scenario(small).participants:
        assert p.name not in report
    rows = (out / "allocation.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("organisation,standalone,shapley,shapley_saving")
    assert len(rows) == 1 + len(read_scenario(small).organisations)


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
