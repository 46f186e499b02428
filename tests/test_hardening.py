"""Offline use, determinism, atomic outputs: the promises in SECURITY.md."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from vervoer import pipeline
from vervoer.model import Weekday
from vervoer.plan import plan_to_dict, write_plan
from vervoer.planner import all_rides
from vervoer.settings import SolveParams

SMALL = Path(__file__).parent / "data" / "scenario_small"
PARAMS = SolveParams(time_limit_s=30, max_iterations=30)


@pytest.fixture
def no_network(monkeypatch):
    """Every attempt to open a socket fails loudly."""

    def refuse(*args, **kwargs):
        msg = "network access attempted"
        raise AssertionError(msg)

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_whole_pipeline_offline(no_network, osm_path, tmp_path, monkeypatch):
    monkeypatch.setenv("VERVOER_CACHE", str(tmp_path / "cache"))
    prepared = pipeline.prepare(SMALL, osm=osm_path)  # network build, geocoding, matrix
    geocoded = [r for r in prepared.geocoding if r.status not in ("given", "failed")]
    assert geocoded  # addresses were resolved from the local extract
    plan = pipeline.plan(prepared, rides=all_rides([Weekday.MON]), params=PARAMS, workers=1)
    assert pipeline.check(prepared, plan).ok
    write_plan(plan, tmp_path / "plan.json")


def test_same_input_gives_byte_identical_plan(osm_path, tmp_path, monkeypatch):
    monkeypatch.setenv("VERVOER_CACHE", str(tmp_path / "cache"))
    prepared = pipeline.prepare(SMALL, osm=osm_path)
    rides = all_rides([Weekday.MON, Weekday.TUE])
    for name in ("a.json", "b.json"):
        plan = pipeline.plan(prepared, rides=rides, params=PARAMS)
        assert pipeline.check(prepared, plan).ok
        write_plan(plan, tmp_path / name)
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()


def test_interrupted_write_keeps_previous_plan(osm_path, tmp_path, monkeypatch):
    monkeypatch.setenv("VERVOER_CACHE", str(tmp_path / "cache"))
    prepared = pipeline.prepare(SMALL, osm=osm_path)
    plan = pipeline.plan(prepared, rides=all_rides([Weekday.MON]), params=PARAMS, workers=1)
    target = tmp_path / "plan.json"
    write_plan(plan, target)
    before = target.read_bytes()

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(json, "dump", disk_full)
    with pytest.raises(OSError, match="No space"):
        write_plan(plan, target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    assert json.loads(before)["rides"] == plan_to_dict(plan)["rides"]
