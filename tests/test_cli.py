from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from vervoer.cli import main

SMALL = Path(__file__).parent / "data" / "scenario_small"


@pytest.fixture
def runner():
    return CliRunner()


def test_validate_ok(runner):
    result = runner.invoke(main, ["validate", str(SMALL)])
    assert result.exit_code == 0, result.output
    assert "5 participants" in result.output


def test_validate_reports_all_problems_exit_2(runner, tmp_path):
    target = tmp_path / "sc"
    shutil.copytree(SMALL, target)
    text = (target / "attendance.csv").read_text().replace("09:00", "9u", 1)
    (target / "attendance.csv").write_text(text.replace("D2,ma,L1", "D2,ma,L7"))
    result = runner.invoke(main, ["validate", str(target)])
    assert result.exit_code == 2
    assert "attendance.csv, row 2, field 'arrive_by'" in result.output
    assert "attendance.csv, row 4, field 'location'" in result.output
    assert "Traceback" not in result.output


def test_network_summary(runner, osm_path, tmp_path, monkeypatch):
    monkeypatch.setenv("VERVOER_CACHE", str(tmp_path))
    result = runner.invoke(main, ["network", str(osm_path)])
    assert result.exit_code == 0, result.output
    assert "source date: 2015-07-27" in result.output
    assert "nodes:" in result.output


def test_network_corrupt_exit_3(runner, tmp_path, monkeypatch):
    monkeypatch.setenv("VERVOER_CACHE", str(tmp_path))
    bad = tmp_path / "bad.osm.pbf"
    bad.write_bytes(b"\x00" * 100)
    result = runner.invoke(main, ["network", str(bad)])
    assert result.exit_code == 3
    assert "bad.osm.pbf" in result.output


def test_plan_check_and_geocode_end_to_end(runner, osm_path, tmp_path, monkeypatch):
    monkeypatch.setenv("VERVOER_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "out"
    result = runner.invoke(
        main,
        [
            "plan",
            str(SMALL),
            "--osm",
            str(osm_path),
            "--out",
            str(out),
            "--day",
            "ma",
            "--day",
            "di",
            "--iterations",
            "50",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "check: OK" in result.output
    assert "mon-heen" in result.output
    doc = json.loads((out / "plan.json").read_text())
    assert doc["mode"] == "shared"
    assert len(doc["rides"]) == 4
    result = runner.invoke(
        main, ["check", str(SMALL), str(out / "plan.json"), "--osm", str(osm_path)]
    )
    assert result.exit_code == 0, result.output
    assert "check: OK" in result.output
    # a corrupted plan fails the check with exit code 1
    doc["rides"][0]["routes"][0]["cost"] = 0.5
    (out / "bad.json").write_text(json.dumps(doc))
    result = runner.invoke(
        main, ["check", str(SMALL), str(out / "bad.json"), "--osm", str(osm_path)]
    )
    assert result.exit_code == 1
    assert "recomputed" in result.output
    # geocoding: Städtle 1 has coordinates given, so all rows are "given"
    result = runner.invoke(
        main, ["geocode", str(SMALL), "--osm", str(osm_path), "--out", str(tmp_path / "geo.csv")]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "geo.csv").read_text().startswith("table,id,address,status")


def test_geocode_resolves_addresses_offline(runner, osm_path, tmp_path, monkeypatch):
    monkeypatch.setenv("VERVOER_CACHE", str(tmp_path / "cache"))
    target = tmp_path / "sc"
    shutil.copytree(SMALL, target)
    text = (target / "locations.csv").read_text(encoding="utf-8")
    (target / "locations.csv").write_text(
        text.replace("Städtle 1, 9490 Vaduz;47.1390;9.5215", "Städtle 1, 9490 Vaduz;;"),
        encoding="utf-8",
    )
    result = runner.invoke(main, ["geocode", str(target), "--osm", str(osm_path)])
    assert result.exit_code == 0, result.output
    report = (target / "geocoded.csv").read_text(encoding="utf-8")
    row = next(line for line in report.splitlines() if line.startswith("locations,L1"))
    assert ",exact," in row or ",street," in row or ",fuzzy," in row


def test_plan_own_mode_and_bad_ride(runner, osm_path, tmp_path, monkeypatch):
    monkeypatch.setenv("VERVOER_CACHE", str(tmp_path / "cache"))
    result = runner.invoke(
        main,
        ["plan", str(SMALL), "--osm", str(osm_path), "--ride", "zz-heen", "--out", str(tmp_path)],
    )
    assert result.exit_code == 2
    result = runner.invoke(
        main,
        [
            "plan",
            str(SMALL),
            "--osm",
            str(osm_path),
            "--mode",
            "own",
            "--ride",
            "mon-heen",
            "--iterations",
            "20",
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "plan.json").read_text())["mode"] == "own"
    assert "planned mon-heen: EUR" in result.output  # not "week:" for one trip
    # a trip the scenario does not have on that day names the day's trips
    result = runner.invoke(
        main,
        ["plan", str(SMALL), "--osm", str(osm_path), "--ride", "ma-middag", "--out", str(tmp_path)],
    )
    assert result.exit_code == 2
    assert "no trip mon-middag; its trips on that day: mon-heen, mon-terug" in result.output


def test_plan_on_a_local_dask_cluster_and_an_unreachable_scheduler(
    runner, osm_path, tmp_path, monkeypatch
):
    pytest.importorskip("distributed")
    monkeypatch.setenv("VERVOER_CACHE", str(tmp_path / "cache"))
    args = ["plan", str(SMALL), "--osm", str(osm_path), "--iterations", "20", "--no-outputs"]
    local = runner.invoke(main, [*args, "--out", str(tmp_path / "local")])
    assert local.exit_code == 0, local.output
    result = runner.invoke(main, [*args, "--dask-local", "--out", str(tmp_path / "dask")])
    assert result.exit_code == 0, result.output
    assert "on a local Dask cluster" in result.output
    assert "check: OK" in result.output
    on_dask = json.loads((tmp_path / "dask" / "plan.json").read_text())
    assert on_dask["rides"] == json.loads((tmp_path / "local" / "plan.json").read_text())["rides"]
    # nothing listens on port 1: an error message, not a traceback
    import dask.config

    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
        result = runner.invoke(
            main, [*args, "--scheduler", "tcp://127.0.0.1:1", "--out", str(tmp_path / "x")]
        )
    assert result.exit_code == 1, result.output
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:1" in result.output
    assert "Traceback" not in result.output


def test_bench_darp_json(runner, benchmarks_dir):
    result = runner.invoke(
        main, ["bench", "darp", str(benchmarks_dir / "darp" / "a2-16.txt"), "--time-limit", "3"]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["instance"] == "a2-16"
    assert set(doc) >= {"objective", "vehicles", "seconds", "routes", "feasible"}
    if doc["feasible"]:
        assert doc["objective"] >= 294.2


def test_bench_solomon_feasible(runner, benchmarks_dir):
    result = runner.invoke(
        main,
        ["bench", "solomon", str(benchmarks_dir / "solomon" / "c101.txt"), "--time-limit", "3"],
    )
    doc = json.loads(result.output)
    assert doc["feasible"]
    assert doc["objective"] >= 827.3
    served = sorted(c for route in doc["routes"] for c in route)
    assert served == list(range(1, 101))


def test_unknown_location_address_is_input_error(runner, osm_path, tmp_path, monkeypatch):
    monkeypatch.setenv("VERVOER_CACHE", str(tmp_path / "cache"))
    target = tmp_path / "sc"
    shutil.copytree(SMALL, target)
    text = (target / "locations.csv").read_text(encoding="utf-8")
    (target / "locations.csv").write_text(
        text.replace("Städtle 1, 9490 Vaduz;47.1390;9.5215", "Nergenswegje 99, 9999 Nowhere;;"),
        encoding="utf-8",
    )
    result = runner.invoke(
        main, ["plan", str(target), "--osm", str(osm_path), "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2
    assert "locations.csv" in result.output
    assert "Nergenswegje 99" in result.output
    assert "give lat/lon instead" in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["plan", str(SMALL), "--time-limit", "-1"],
        ["plan", str(SMALL), "--time-limit", "0"],
        ["plan", str(SMALL), "--iterations", "-5"],
        ["compare", str(SMALL), "--time-limit", "-1"],
        ["whatif", str(SMALL), "--iterations", "-1"],
        ["plan", str(SMALL), "--lns-rounds", "-1"],
        ["compare", str(SMALL), "--lns-rounds", "x"],
    ],
)
def test_bad_solver_options_are_usage_errors(runner, args):
    """Found while hardening: they used to end in a ValueError traceback (exit 1)."""
    result = runner.invoke(main, args)
    assert result.exit_code == 2, result.output
    assert "Invalid value" in result.output
    assert "Traceback" not in result.output and not isinstance(result.exception, ValueError)


def test_plan_exits_1_when_its_own_check_fails(runner, osm_path, osm_cache, tmp_path, monkeypatch):
    from vervoer import pipeline
    from vervoer.routing.check import CheckResult

    monkeypatch.setenv("VERVOER_CACHE", str(osm_cache))
    failed = CheckResult(("mon-heen vehicle X: made-up violation",), 1, 0, 0)
    monkeypatch.setattr(pipeline, "check_plan", lambda *a, **k: failed)
    out = tmp_path / "out"
    args = ["plan", str(SMALL), "--osm", str(osm_path), "--out", str(out), "--no-outputs"]
    result = runner.invoke(main, [*args, "--ride", "mon-heen", "--iterations", "10"])
    assert result.exit_code == 1, result.output
    assert "check: FAILED" in result.output
    assert "made-up violation" in result.output
    assert (out / "plan.json").is_file()  # written for inspection


def test_replan_a_date_writes_the_day_and_the_change_list(runner, osm_path, tmp_path):
    """The base week, then Monday 2026-12-07 with D2 absent and bus R1 in the garage."""
    base_out = tmp_path / "base"
    args = ["--osm", str(osm_path), "--iterations", "30", "--lns-rounds", "0", "--no-outputs"]
    result = runner.invoke(main, ["plan", str(SMALL), "--out", str(base_out), *args])
    assert result.exit_code == 0, result.output
    changes = tmp_path / "changes.csv"
    changes.write_text(
        "date,participant,vehicle,change,rides,note\n"
        "2026-12-07,D2,,afwezig,,ziek\n"
        "2026-12-07..2026-12-08,,R1,defect,,garage\n",
        encoding="utf-8",
    )
    out = tmp_path / "replan"
    result = runner.invoke(
        main,
        [
            "replan",
            str(SMALL),
            "--date",
            "2026-12-07",
            "--base",
            str(base_out / "plan.json"),
            "--changes",
            str(changes),
            "--out",
            str(out),
            *args,
        ],
    )
    assert result.exit_code == 0, result.output
    assert "check: OK" in result.output
    plan = json.loads((out / "plan.json").read_text())
    assert plan["meta"]["date"] == "2026-12-07"
    vehicles = {r["vehicle"] for ride in plan["rides"] for r in ride["routes"]}
    assert "R1" not in vehicles
    text = (out / "wijzigingen.csv").read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith("rit,deelnemer,naam,wijziging")
    assert "D2,Bram Jansen,geen rit" in text
    result = runner.invoke(
        main, ["check", str(SMALL), str(out / "plan.json"), "--osm", str(osm_path)]
    )
    assert result.exit_code == 0, result.output
    assert "with that date's changes" in result.output
    # a bad date names the option
    result = runner.invoke(main, ["replan", str(SMALL), "--date", "7-12-2026", *args])
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.output
