"""The library API (vervoer / vervoer.pipeline) and the CLI plan alike."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

import vervoer
from vervoer import pipeline
from vervoer.cli import main
from vervoer.core.model import RideKey
from vervoer.io.plan_json import plan_to_dict

SMALL = Path(__file__).parent / "data" / "scenario_small"


def test_public_api_names_resolve():
    for name in vervoer.__all__:
        assert getattr(vervoer, name) is not None, name
    assert vervoer.plan is pipeline.plan


def test_search_policy_is_the_pipelines():
    sc = vervoer.read_scenario(SMALL)
    params = pipeline.search_params(sc)
    assert params.lns_rounds == pipeline.PLAN_LNS_ROUNDS == 5
    assert params.seed == sc.settings.seed
    assert params.time_limit_s == sc.settings.time_limit_s
    assert pipeline.search_params(sc, time_limit_s=5, iterations=7, lns_rounds=0) == (
        vervoer.SolveParams(time_limit_s=5, seed=sc.settings.seed, max_iterations=7)
    )


def test_library_and_cli_give_the_same_plan(osm_path, osm_cache, tmp_path, monkeypatch):
    monkeypatch.setenv("VERVOER_CACHE", str(osm_cache))
    out = tmp_path / "out"
    args = ["plan", str(SMALL), "--osm", str(osm_path), "--out", str(out), "--no-outputs"]
    result = CliRunner().invoke(main, [*args, "--ride", "mon-heen", "--ride", "mon-terug"])
    assert result.exit_code == 0, result.output
    from_cli = json.loads((out / "plan.json").read_text(encoding="utf-8"))

    prepared = vervoer.prepare(SMALL, osm=osm_path)
    rides = [RideKey.parse("mon-heen"), RideKey.parse("mon-terug")]
    plan = vervoer.plan(prepared, rides=rides)
    assert vervoer.check(prepared, plan).ok
    from_library = json.loads(json.dumps(plan_to_dict(plan)))
    assert from_library == from_cli
    assert from_cli["meta"]["lns_rounds"] == pipeline.PLAN_LNS_ROUNDS
