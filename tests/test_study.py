"""Location study: candidates, where participants go, capacity, ranking, report and CLI.

Small hand-made scenarios on the parallel 52.0 N (see tests/scenarios.py) with the
haversine matrix; the CLI test runs on the small Liechtenstein scenario.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from vervoer.cli import main
from vervoer.core.errors import InputError
from vervoer.core.model import DayPart, Location, Mode, Weekday
from vervoer.core.settings import SolveParams
from vervoer.io.candidates import read_candidates
from vervoer.io.scenario import read_scenario, write_scenario
from vervoer.sharing import study as st

from .scenarios import at, attend, person, prepared, scenario, vehicle

SMALL = Path(__file__).parent / "data" / "scenario_small"
PARAMS = SolveParams(max_iterations=10, time_limit_s=10, lns_rounds=0)


def loc(lid: str, lon: float, kind: str = "werk", capacity: int | None = 10, org: str = "A"):
    return Location(
        id=lid, name=f"Locatie {lid}", organisation=org, point=at(lon), kind=kind, capacity=capacity
    )


def side_by_side(**caps):
    """Two half-empty `werk` locations 340 m apart (L1, L2), a third `werk` location far
    east (L4) and a `creatief` one (L3); three participants at each of L1 and L2, two at L3.
    """
    locations = [
        loc("L1", 5.200, capacity=caps.get("L1", 8)),
        loc("L2", 5.205, capacity=caps.get("L2", 8)),
        loc("L3", 5.150, kind="creatief", capacity=caps.get("L3", 8)),
        loc("L4", 5.300, capacity=caps.get("L4", 8)),
    ]
    people = [person(f"p{i}", "A", 5.10 + 0.01 * i) for i in range(1, 9)]
    where = ["L1", "L1", "L1", "L2", "L2", "L2", "L3", "L3"]
    att = [attend(p.id, w) for p, w in zip(people, where, strict=True)]
    return scenario(people, att, [vehicle("V1", "A"), vehicle("V2", "A")], locations)


def test_reads_capacity_and_kind_and_round_trips(tmp_path):
    target = tmp_path / "sc"
    shutil.copytree(SMALL, target)
    lines = (target / "locations.csv").read_text().splitlines()
    lines = [lines[0] + ";capaciteit;soort"] + [
        line + f";{n};Werk" for n, line in zip((12, ""), lines[1:], strict=True)
    ]
    (target / "locations.csv").write_text("\n".join(lines) + "\n")
    sc = read_scenario(target)
    assert {x.id: (x.capacity, x.kind) for x in sc.locations} == {
        "L1": (12, "Werk"),
        "L2": (None, "Werk"),
    }
    assert sc.locations[0].kind_key == "werk"
    out = tmp_path / "out"
    write_scenario(sc, out)
    assert read_scenario(out).locations == sc.locations


@pytest.mark.parametrize(
    ("cell", "message"),
    [("0", "too small"), ("2,5", "not a whole number"), ("veel", "not a number")],
)
def test_a_bad_capacity_names_file_row_and_field(tmp_path, cell, message):
    target = tmp_path / "sc"
    shutil.copytree(SMALL, target)
    lines = (target / "locations.csv").read_text().splitlines()
    lines = [lines[0] + ";capacity", lines[1] + ";10", lines[2] + f";{cell}"]
    (target / "locations.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError, match=message) as info:
        read_scenario(target)
    assert "locations.csv, row 3, field 'capacity'" in str(info.value)
    assert "participants per dagdeel" in str(info.value)


def test_occupancy_counts_whole_days_in_both_dagdelen():
    sc = side_by_side()
    morning = dataclasses.replace(sc.attendance[0], part=DayPart.MORNING, depart_at=12 * 60)
    sc = dataclasses.replace(sc, attendance=(morning, *sc.attendance[1:]))
    occ = st.occupancy(sc)
    assert occ[("L1", Weekday.MON, DayPart.MORNING)] == {"p1", "p2", "p3"}
    assert occ[("L1", Weekday.MON, DayPart.AFTERNOON)] == {"p2", "p3"}


def test_default_candidates_pair_the_same_kind_within_max_km():
    sc = side_by_side()
    matrix, places = prepared(sc)
    cands = st.default_candidates(sc, matrix, places, max_km=5)
    merges = {(c.close, c.into) for c in cands if c.kind is st.CandidateKind.MERGE}
    assert merges == {("L1", "L2"), ("L2", "L1")}  # L4 is too far, L3 another kind
    closures = [c.close for c in cands if c.kind is st.CandidateKind.CLOSE]
    assert closures == ["L1", "L2", "L3"]  # L4 has nobody
    assert [c.number for c in cands] == list(range(1, len(cands) + 1))
    wide = st.default_candidates(sc, matrix, places, max_km=50)
    assert ("L1", "L4") in {(c.close, c.into) for c in wide}


def test_the_obvious_merge_ranks_first():
    sc = side_by_side()
    matrix, places = prepared(sc)
    study = st.run_study(
        sc, matrix, places, max_km=50, params=PARAMS, executor="serial", mode=Mode.SHARED
    )
    best = study.ranked[0]
    assert {best.candidate.close, *{m.target for m in best.moves}} == {"L1", "L2"}
    assert best.saving >= 0
    far = [r for r in study.ranked if r.candidate.into == "L4"]
    assert far and all(r.saving < best.saving for r in far)
    # every candidate is accounted for: ranked, infeasible (L3 has no other creatief)
    assert len(study.results) == len(st.default_candidates(sc, matrix, places, max_km=50))
    [l3] = [r for r in study.infeasible if r.candidate.close == "L3"]
    assert l3.why is not None and l3.why.code == "no_alternative"
    assert best.room_left == {"L2": 2} or best.room_left == {"L1": 2}


def test_a_merge_that_overflows_capacity_is_infeasible_with_the_reason():
    sc = side_by_side(L2=4)
    matrix, places = prepared(sc)
    cand = st.Candidate(number=1, close="L1", into="L2")
    moves, why = st.assign(sc, matrix, places, cand)
    assert [m.target for m in moves] == ["L2"] * 3
    assert why is not None and why.code == "capacity"
    assert (why.location, why.count, why.capacity) == ("L2", 6, 4)
    assert (why.weekday, why.part) == (Weekday.MON, DayPart.MORNING)
    assert "capacity is 4" in why.text()
    study = st.run_study(sc, matrix, places, candidates=[cand], params=PARAMS, executor="serial")
    assert not study.ranked and study.infeasible[0].why == why


def test_a_merge_into_another_kind_is_infeasible():
    sc = side_by_side()
    matrix, places = prepared(sc)
    _, why = st.assign(sc, matrix, places, st.Candidate(number=1, close="L1", into="L3"))
    assert why is not None and why.code == "kind"
    assert "'creatief'" in why.text()


def test_a_closure_sends_people_to_the_right_kind_of_location():
    # L3 (creatief) is nearest to L1's participants, but L1 is `werk`: they go to L2 / L4
    sc = side_by_side(L2=4)
    matrix, places = prepared(sc)
    moves, why = st.assign(sc, matrix, places, st.Candidate(number=1, close="L1"))
    assert why is None
    targets = {m.participant: m.target for m in moves}
    assert targets == {"p1": "L2", "p2": "L4", "p3": "L4"}  # L2 has room for one more
    assert {m.rule for m in moves} == {"organisation"}


def test_a_closure_prefers_the_own_organisation_then_a_partner():
    base = side_by_side()
    locations = [
        loc("L1", 5.200),
        loc("L2", 5.205, org="B"),  # a partner's location next door
        loc("L4", 5.300),  # the organisation's own, further away
    ]
    people = [person("p1", "A", 5.19), person("p2", "A", 5.21)]
    sc = scenario(
        people,
        [attend("p1", "L1"), attend("p2", "L1")],
        [vehicle("V1", "A"), vehicle("V2", "B")],
        locations,
        settings=base.settings,
    )
    matrix, places = prepared(sc)
    moves, _ = st.assign(sc, matrix, places, st.Candidate(number=1, close="L1"))
    assert {m.target for m in moves} == {"L4"}
    full = dataclasses.replace(
        sc, locations=(locations[0], locations[1], dataclasses.replace(locations[2], capacity=1))
    )
    moves, _ = st.assign(full, matrix, places, st.Candidate(number=1, close="L1"))
    assert [(m.target, m.rule) for m in moves] == [("L4", "organisation"), ("L2", "partner")]


def test_a_closure_without_room_is_infeasible():
    sc = side_by_side(L2=3, L4=2)
    matrix, places = prepared(sc)
    moves, why = st.assign(sc, matrix, places, st.Candidate(number=1, close="L1"))
    assert why is not None and why.code == "no_room"
    assert why.count == 1 and len(moves) == 2


class _FailsFor:
    """A study task that raises for one candidate (picklable)."""

    def __init__(self, task, bad):
        self.task, self.bad = task, bad

    def __call__(self, key):
        if key == self.bad:
            raise RuntimeError("solver crashed")
        return self.task(key)


def test_a_failing_candidate_is_reported_not_missing(monkeypatch):
    sc = side_by_side()
    matrix, places = prepared(sc)
    real = st.StudyTask

    def failing(*args, **kwargs):
        return _FailsFor(real(*args, **kwargs), 2)

    monkeypatch.setattr(st, "StudyTask", failing)
    cands = st.default_candidates(sc, matrix, places, max_km=5)
    study = st.run_study(sc, matrix, places, candidates=cands, params=PARAMS, executor="serial")
    # closing L2 sends everyone to L1: the same plan as merge 2, planned once, failed too
    assert [(r.candidate.number, r.same_as) for r in study.failed] == [(2, None), (4, 2)]
    assert "solver crashed" in study.failed[0].why.error
    assert "2 attempts" in study.failed[0].why.error
    assert len(study.results) == len(cands)


def test_candidates_file(tmp_path):
    sc = side_by_side()
    path = tmp_path / "candidates.csv"
    path.write_text("sluit;naar;opmerking\nL1;L2;samen\nL3;;\n")
    rows = read_candidates(path, sc)
    cands = st.candidates_from_rows(rows)
    assert [(c.number, c.close, c.into, c.kind.value, c.row) for c in cands] == [
        (1, "L1", "L2", "merge", 2),
        (2, "L3", "", "close", 3),
    ]
    path.write_text("close,into\nL9,L2\nL1,L1\nL2,\nL2,\n")
    with pytest.raises(InputError) as info:
        read_candidates(path, sc)
    text = str(info.value)
    assert "candidates.csv, row 2, field 'close': unknown location 'L9'" in text
    assert "row 3, field 'into'" in text
    assert "row 5: the same candidate as row 4" in text
    path.write_text("location_id\nL1\n")
    with pytest.raises(InputError, match="field 'close': column missing"):
        read_candidates(path, sc)
    with pytest.raises(InputError, match="file not found"):
        read_candidates(tmp_path / "nope.csv", sc)


def test_report_files_escape_and_use_dutch_numbers(tmp_path):
    from vervoer.outputs.study_report import write_study

    sc = side_by_side()
    sc = dataclasses.replace(
        sc,
        locations=tuple(
            dataclasses.replace(x, name="<script>alert(1)</script>") if x.id == "L1" else x
            for x in sc.locations
        ),
    )
    matrix, places = prepared(sc)
    study = st.run_study(sc, matrix, places, max_km=5, params=PARAMS, executor="serial")
    files = write_study(study, sc, tmp_path, language="nl", pdf=True)
    assert files["pdf"].read_bytes().startswith(b"%PDF")
    page = files["report"].read_text(encoding="utf-8")
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page
    assert "Locatiestudie" in page and "Besparing" in page
    assert "geen andere locatie" in page  # why L3 cannot close, in Dutch
    data = json.loads(files["json"].read_text(encoding="utf-8"))
    assert data["current"]["cost"] == study.current.cost
    assert [c["number"] for c in data["candidates"]] == [r.candidate.number for r in study.results]
    rows = files["csv"].read_text(encoding="utf-8").splitlines()
    assert len(rows) == 1 + len(study.results)
    first_map = next(iter(sorted((tmp_path / "maps").glob("*.html"))))
    assert "&lt;script&gt;" in first_map.read_text(
        encoding="utf-8"
    ) or "\\u003cscript" in first_map.read_text(encoding="utf-8")
    en = write_study(study, sc, tmp_path / "en", language="en", pdf=False)
    assert "Location study" in en["report"].read_text(encoding="utf-8")


def test_study_cli(osm_path, tmp_path, monkeypatch):
    monkeypatch.setenv("VERVOER_CACHE", str(tmp_path / "cache"))
    target = tmp_path / "sc"
    shutil.copytree(SMALL, target)
    lines = (target / "locations.csv").read_text().splitlines()
    lines = [lines[0] + ";kind;capacity"] + [line + ";werk;40" for line in lines[1:]]
    (target / "locations.csv").write_text("\n".join(lines) + "\n")
    out = tmp_path / "study"
    args = ["study", str(target), "--osm", str(osm_path), "--out", str(out), "--day", "ma"]
    result = CliRunner().invoke(main, [*args, "--iterations", "5", "--workers", "1", "--no-pdf"])
    assert result.exit_code == 0, result.output
    assert "L2 → L1" in result.output and "L1 → L2" in result.output
    assert (out / "study.html").exists() and (out / "study.json").exists()
    assert (out / "study.csv").exists()
    bad = tmp_path / "bad.csv"
    bad.write_text("close\nL9\n")
    result = CliRunner().invoke(main, [*args, "--candidates", str(bad)])
    assert result.exit_code == 2
    assert "row 2, field 'close': unknown location 'L9'" in result.output
    assert "Traceback" not in result.output
    result = CliRunner().invoke(main, [*args, "--max-km", "-1"])
    assert result.exit_code == 2


def _square_unless_two(key):
    if key == 2:
        raise RuntimeError("bad key")
    return key * key


@pytest.mark.parametrize("executor", ["serial", "process"])
def test_evaluate_tasks_reports_a_failure_and_keeps_going(executor):
    from vervoer.sharing.evaluate import TaskFailure, evaluate_tasks

    seen = []
    out = evaluate_tasks(
        [3, 2, 1],
        _square_unless_two,
        executor=executor,
        max_workers=2,
        retries=1,
        progress=lambda d, t: seen.append((d, t)),
    )
    assert list(out) == [3, 2, 1]
    assert out[3] == 9 and out[1] == 1
    assert out[2] == TaskFailure(error="RuntimeError: bad key", attempts=2)
    assert sorted(seen) == [(1, 3), (2, 3), (3, 3)]
    with pytest.raises(ValueError, match="unique"):
        evaluate_tasks([1, 1], _square_unless_two, executor="serial")


def test_the_study_is_the_same_on_every_executor():
    pytest.importorskip("distributed")
    sc = side_by_side()
    matrix, places = prepared(sc)
    runs = [
        st.run_study(sc, matrix, places, max_km=5, params=PARAMS, executor=ex, max_workers=2)
        for ex in ("serial", "process", "dask")
    ]
    assert runs[0] == runs[1] == runs[2]


def test_rides_longer_than_the_maximum_or_the_norm_are_named():
    sc = side_by_side()
    p1 = dataclasses.replace(sc.participants[0], max_ride_min=12)  # about 10 min to L1 now
    sc = dataclasses.replace(sc, participants=(p1, *sc.participants[1:]))
    matrix, places = prepared(sc)
    cand = st.Candidate(number=1, close="L1", into="L4")  # about 20 min for p1
    study = st.run_study(
        sc, matrix, places, candidates=[cand], params=PARAMS, executor="serial", norm_min=20
    )
    [r] = study.ranked
    assert "p1" in r.over_max  # left out: its direct ride is above its own maximum
    assert r.figures is not None and "p1" in r.figures.too_long
    assert set(r.over_norm) == {"p2", "p3"}  # within 20 min before, above it after
    assert all(study.current.longest_ride_min[p] <= 20 for p in r.over_norm)


def test_a_location_above_its_capacity_now_is_noted(tmp_path):
    from vervoer.outputs.study_report import write_study

    sc = side_by_side(L2=2)
    [why] = st.over_capacity(sc)
    assert (why.location, why.count, why.capacity, why.weekday) == ("L2", 3, 2, Weekday.MON)
    matrix, places = prepared(sc)
    study = st.run_study(sc, matrix, places, candidates=[], params=PARAMS, executor="serial")
    assert study.over_capacity_now == (why,) and not study.results
    files = write_study(study, sc, tmp_path, pdf=False)
    assert "L2 heeft nu al 3 deelnemers op maandag (ochtend)" in files["report"].read_text()
