"""Offline use, determinism, atomic outputs: the promises in SECURITY.md."""

from __future__ import annotations

import dataclasses
import json
import socket
from pathlib import Path

import pytest

from vervoer import pipeline
from vervoer.core.model import Weekday
from vervoer.core.settings import SolveParams
from vervoer.io.plan_json import plan_to_dict, write_plan

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
    plan = pipeline.plan(prepared, days=[Weekday.MON], params=PARAMS, workers=1)
    assert pipeline.check(prepared, plan).ok
    write_plan(plan, tmp_path / "plan.json")


@pytest.mark.parametrize("lns_rounds", [0, 10])
def test_same_input_gives_byte_identical_plan(osm_path, tmp_path, monkeypatch, lns_rounds):
    monkeypatch.setenv("VERVOER_CACHE", str(tmp_path / "cache"))
    prepared = pipeline.prepare(SMALL, osm=osm_path)
    days = [Weekday.MON, Weekday.TUE]
    params = dataclasses.replace(PARAMS, lns_rounds=lns_rounds)
    for name in ("a.json", "b.json"):
        plan = pipeline.plan(prepared, days=days, params=params)
        assert pipeline.check(prepared, plan).ok
        write_plan(plan, tmp_path / name)
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()


def test_interrupted_write_keeps_previous_plan(osm_path, tmp_path, monkeypatch):
    monkeypatch.setenv("VERVOER_CACHE", str(tmp_path / "cache"))
    prepared = pipeline.prepare(SMALL, osm=osm_path)
    plan = pipeline.plan(prepared, days=[Weekday.MON], params=PARAMS, workers=1)
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


# ----------------------------------------------------------------------------- nothing lost


@pytest.mark.parametrize("damage", ["lost", "doubled", "no_reason"])
def test_invariant_fails_a_plan_that_loses_or_doubles_a_ride(
    monkeypatch, invariant_violation_expected, damage
):
    """The session-wide check in conftest.py is active and catches a lost or doubled ride."""
    from vervoer.routing import planner

    from .scenarios import attend, each_others_way, person, prepared

    sc = each_others_way()
    sc = dataclasses.replace(
        sc,
        participants=(*sc.participants, person("c1", "A", None)),  # no address: unassigned
        attendance=(*sc.attendance, attend("c1", "L")),
    )
    real = planner.plan_day

    def damaged(*args, **kwargs):
        heen, *others = real(*args, **kwargs)
        return [damage_ride(heen), *others]

    def damage_ride(ride):
        (u,) = ride.unassigned
        if damage == "lost":
            return dataclasses.replace(ride, unassigned=())
        if damage == "no_reason":
            return dataclasses.replace(ride, unassigned=(dataclasses.replace(u, message=" "),))
        served = ride.routes[0].stops[1].boarding[0]
        return dataclasses.replace(ride, unassigned=(u, dataclasses.replace(u, participant=served)))

    monkeypatch.setattr(planner, "plan_day", damaged)
    matrix, places = prepared(sc)
    with pytest.raises(AssertionError, match="invariant violated"):
        planner.plan_week(sc, matrix, places, days=[Weekday.MON], params=PARAMS, workers=1)
    words = {"lost": "c1", "doubled": "both served and unassigned", "no_reason": "without a"}
    assert any(words[damage] in v for v in invariant_violation_expected)
