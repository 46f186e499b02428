"""Attendance with dagdelen (parts of the day) and several legs per participant and day."""

from __future__ import annotations

import csv
import dataclasses
import io
import shutil
from pathlib import Path

import openpyxl
import pytest

from vervoer.core.errors import InputError, Problem
from vervoer.core.model import Attendance, DayPart, RideNeed, Weekday
from vervoer.core.settings import Settings
from vervoer.io.scenario import HEADERS, read_scenario, write_scenario
from vervoer.io.scenario.build import infer_day_part

DATA = Path(__file__).parent / "data"
SMALL = DATA / "scenario_small"

OLD_HEADER = "participant,weekday,location,arrive_by,depart_at,rides"
HEADER = "participant,weekday,location,arrive_by,depart_at,rides,dagdeel"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "sc"
    shutil.copytree(SMALL, target)
    return target


def _attendance(folder: Path, *lines: str, header: str = HEADER) -> None:
    (folder / "attendance.csv").write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")


def _legs(folder: Path) -> list[Attendance]:
    return list(read_scenario(folder).attendance)


def _problems(folder: Path) -> list[Problem]:
    with pytest.raises(InputError) as err:
        read_scenario(folder)
    return err.value.problems


def _prepend_settings(folder: Path, text: str) -> None:
    """Add top-level settings before the ``[pools]`` table of the small scenario."""
    path = folder / "settings.toml"
    path.write_text(text + path.read_text(encoding="utf-8"), encoding="utf-8")


# ----------------------------------------------------------------------------- old format


def test_old_format_stays_valid_and_parts_are_inferred():
    sc = read_scenario(SMALL)
    assert len(sc.attendance) == 12
    assert all(a.part is DayPart.DAY for a in sc.attendance)  # all 9-10 till 15-16
    first = sc.attendance[0]
    assert first == Attendance(
        participant="D1",
        weekday=Weekday.MON,
        location="L1",
        arrive_by=9 * 60,
        depart_at=16 * 60,
        rides=RideNeed.BOTH,
    )


def test_old_format_morning_and_afternoon_times_infer_the_part(folder):
    _attendance(
        folder,
        "D1,ma,L1,09:00,12:30,both",
        "D1,ma,L2,13:00,16:00,both",
        "D2,di,L1,09:00,16:00,",
        header=OLD_HEADER,
    )
    legs = _legs(folder)
    assert [a.part for a in legs] == [DayPart.MORNING, DayPart.AFTERNOON, DayPart.DAY]
    assert legs[0] == Attendance(
        participant="D1",
        weekday=Weekday.MON,
        location="L1",
        arrive_by=9 * 60,
        depart_at=12 * 60 + 30,
        part=DayPart.MORNING,
    )


@pytest.mark.parametrize(
    ("arrive", "depart", "part"),
    [
        ("09:00", "12:30", DayPart.MORNING),
        ("09:00", "13:00", DayPart.MORNING),  # ends by 13:00
        ("12:00", "13:00", DayPart.MORNING),  # the morning rule comes first
        ("09:00", "13:01", DayPart.DAY),
        ("11:59", "16:00", DayPart.DAY),
        ("12:00", "16:00", DayPart.AFTERNOON),  # starts from 12:00
        ("13:00", "16:00", DayPart.AFTERNOON),
        ("09:00", "16:00", DayPart.DAY),
    ],
)
def test_infer_day_part(arrive, depart, part):
    def minutes(t: str) -> int:
        h, m = t.split(":")
        return int(h) * 60 + int(m)

    assert infer_day_part(minutes(arrive), minutes(depart)) is part


# ----------------------------------------------------------------------------- dagdeel


@pytest.mark.parametrize(
    ("text", "part"),
    [
        ("hele dag", DayPart.DAY),
        ("Hele Dag", DayPart.DAY),
        ("heledag", DayPart.DAY),
        ("hele_dag", DayPart.DAY),
        ("dag", DayPart.DAY),
        ("day", DayPart.DAY),
        ("Whole day", DayPart.DAY),
        ("ochtend", DayPart.MORNING),
        (" OCHTEND ", DayPart.MORNING),
        ("morning", DayPart.MORNING),
        ("am", DayPart.MORNING),
        ("ochtenddeel", DayPart.MORNING),
        ("middag", DayPart.AFTERNOON),
        ("Afternoon", DayPart.AFTERNOON),
        ("PM", DayPart.AFTERNOON),
        ("middagdeel", DayPart.AFTERNOON),
    ],
)
def test_dagdeel_values(folder, text, part):
    _attendance(folder, f"D1,ma,L1,09:00,16:00,both,{text}")
    (leg,) = _legs(folder)
    assert leg.part is part
    # the given times win over the dagdeel's defaults
    assert (leg.arrive_by, leg.depart_at) == (9 * 60, 16 * 60)


def test_empty_dagdeel_infers_the_part(folder):
    _attendance(folder, "D1,ma,L1,09:00,12:00,both,", "D1,di,L1,09:00,16:00,both,")
    assert [a.part for a in _legs(folder)] == [DayPart.MORNING, DayPart.DAY]


@pytest.mark.parametrize("header", ["dagdeel", "Part of day", "daypart", "part", "DAGDEEL"])
def test_dagdeel_header_aliases(folder, header):
    _attendance(folder, "D1,ma,L1,,,both,ochtend", header=f"{OLD_HEADER},{header}")
    (leg,) = _legs(folder)
    assert leg.part is DayPart.MORNING


def test_morning_only_and_afternoon_only(folder):
    _attendance(
        folder,
        "D1,ma,L1,09:00,12:30,both,ochtend",
        "D2,ma,L2,13:00,16:00,terug,middag",
    )
    morning, afternoon = _legs(folder)
    assert (morning.part, morning.arrive_by, morning.depart_at) == (
        DayPart.MORNING,
        9 * 60,
        12 * 60 + 30,
    )
    assert (afternoon.part, afternoon.location, afternoon.rides) == (
        DayPart.AFTERNOON,
        "L2",
        RideNeed.TERUG,
    )


def test_two_legs_in_one_day_at_two_locations(folder):
    _attendance(
        folder,
        "D1,wo,L1,09:00,12:30,both,ochtend",
        "D1,wo,L2,13:00,16:00,both,middag",
        "D1,do,L1,09:00,16:00,both,hele dag",
    )
    legs = _legs(folder)
    wednesday = [a for a in legs if a.weekday is Weekday.WED]
    assert [(a.location, a.part) for a in wednesday] == [
        ("L1", DayPart.MORNING),
        ("L2", DayPart.AFTERNOON),
    ]


def test_legs_that_touch_do_not_overlap(folder):
    _attendance(folder, "D1,ma,L1,09:00,12:30,both,", "D1,ma,L2,12:30,16:00,both,")
    assert len(_legs(folder)) == 2


def test_overlapping_legs_name_file_row_and_field(folder):
    _attendance(
        folder,
        "D1,di,L1,09:00,16:00,both,",
        "D1,wo,L1,09:00,12:30,both,ochtend",  # row 3
        "D2,wo,L1,09:00,16:00,both,",
        "D1,wo,L2,12:00,16:00,both,middag",  # row 5
    )
    (p,) = _problems(folder)
    assert (p.file, p.row, p.field) == ("attendance.csv", 5, "arrive_by")
    assert "overlaps the leg of participant 'D1' on wed (wo) in row 3 (09:00-12:30)" in p.message
    assert "legs of one day must not overlap" in p.message


def test_a_leg_inside_another_overlaps(folder):
    _attendance(folder, "D1,ma,L1,09:00,16:00,both,", "D1,ma,L2,10:00,11:00,both,")
    (p,) = _problems(folder)
    assert (p.row, p.field) == (3, "arrive_by")
    assert "in row 2 (09:00-16:00)" in p.message


def test_a_duplicate_leg_overlaps(folder):
    _attendance(folder, "D1,ma,L1,09:00,12:30,both,", "D1,ma,L1,09:00,12:30,both,")
    (p,) = _problems(folder)
    assert (p.file, p.row, p.field) == ("attendance.csv", 3, "arrive_by")
    assert "overlaps the leg of participant 'D1' on mon (ma) in row 2" in p.message


def test_overlap_with_default_times(folder):
    _attendance(folder, "D1,ma,L1,,,both,hele dag", "D1,ma,L2,,,both,middag")
    (p,) = _problems(folder)
    assert (p.row, p.field) == (3, "arrive_by")
    assert "13:00-16:00 overlaps" in p.message and "(09:00-16:00)" in p.message


@pytest.mark.parametrize("text", ["avond", "ochtend en middag", "1"])
def test_bad_dagdeel_value(folder, text):
    _attendance(folder, "D1,ma,L1,09:00,12:30,both,ochtend", f"D1,ma,L2,13:00,16:00,both,{text}")
    (p,) = _problems(folder)
    assert (p.file, p.row, p.field) == ("attendance.csv", 3, "dagdeel")
    assert f"{text!r} is not a part of the day" in p.message
    assert "expected ochtend, middag or hele dag" in p.message


def test_bad_dagdeel_with_empty_times_is_one_problem(folder):
    _attendance(folder, "D1,ma,L1,,,both,avond")
    (p,) = _problems(folder)
    assert (p.row, p.field) == (2, "dagdeel")


# ----------------------------------------------------------------------------- default times


def test_empty_times_come_from_the_dagdeel(folder):
    _attendance(
        folder,
        "D1,ma,L1,,,both,ochtend",
        "D1,ma,L2,,,both,middag",
        "D2,ma,L1,,,both,hele dag",
        "D3,ma,L2,10:00,,both,ochtend",  # only depart_at from the default
        "D4,ma,L2,,15:00,both,middag",  # only arrive_by from the default
    )
    got = [(a.participant, a.arrive_by, a.depart_at, a.part) for a in _legs(folder)]
    assert got == [
        ("D1", 9 * 60, 12 * 60 + 30, DayPart.MORNING),
        ("D1", 13 * 60, 16 * 60, DayPart.AFTERNOON),
        ("D2", 9 * 60, 16 * 60, DayPart.DAY),
        ("D3", 10 * 60, 12 * 60 + 30, DayPart.MORNING),
        ("D4", 13 * 60, 15 * 60, DayPart.AFTERNOON),
    ]


def test_default_times_from_settings(folder):
    _prepend_settings(
        folder,
        'morning_times = "8:30-12:00"\nafternoon_times = "12:45-15:30"\n'
        'day_times = "08:30 - 15:30"\n',
    )
    _attendance(folder, "D1,ma,L1,,,both,ochtend", "D1,ma,L2,,,both,middag", "D2,ma,L1,,,both,dag")
    sc = read_scenario(folder)
    assert sc.settings.morning_times == "08:30-12:00"  # normalised
    assert sc.settings.day_times == "08:30-15:30"
    got = [(a.arrive_by, a.depart_at) for a in sc.attendance]
    assert got == [(510, 720), (765, 930), (510, 930)]


def test_without_time_columns_every_row_needs_a_dagdeel(folder):
    _attendance(
        folder,
        "D1,ma,L1,ochtend",
        "D2,ma,L1,",
        header="participant,weekday,location,dagdeel",
    )
    problems = _problems(folder)
    assert {(p.file, p.row, p.field) for p in problems} == {
        ("attendance.csv", 3, "arrive_by"),
        ("attendance.csv", 3, "depart_at"),
    }
    assert "or a dagdeel (ochtend, middag or hele dag)" in problems[0].message
    _attendance(
        folder, "D1,ma,L1,ochtend", "D2,ma,L1,middag", header="deelnemer,dag,locatie,dagdeel"
    )
    assert [a.part for a in _legs(folder)] == [DayPart.MORNING, DayPart.AFTERNOON]


def test_empty_time_without_dagdeel_stays_an_error(folder):
    _attendance(folder, "D1,ma,L1,,16:00,both,")
    (p,) = _problems(folder)
    assert (p.file, p.row, p.field) == ("attendance.csv", 2, "arrive_by")
    assert p.message.startswith("is empty; expected a time HH:MM")


def test_given_time_against_the_default_is_checked(folder):
    _attendance(folder, "D1,ma,L1,13:00,,both,ochtend")
    (p,) = _problems(folder)
    assert (p.row, p.field) == (2, "depart_at")
    assert "12:30 (the default of ochtend) is not after arrive_by 13:00" in p.message


# ----------------------------------------------------------------------------- settings


def test_default_settings_times():
    s = Settings()
    assert (s.morning_times, s.afternoon_times, s.day_times) == (
        "09:00-12:30",
        "13:00-16:00",
        "09:00-16:00",
    )
    assert s.dagdeel_times(DayPart.MORNING) == (540, 750)
    assert s.dagdeel_times(DayPart.AFTERNOON) == (780, 960)
    assert s.dagdeel_times(DayPart.DAY) == (540, 960)


def test_settings_times_are_normalised():
    s = Settings.from_dict({"morning_times": " 8.00 - 12:15 ", "afternoon_times": "13:00–17:00"})
    assert s.morning_times == "08:00-12:15" and s.afternoon_times == "13:00-17:00"
    assert s.dagdeel_times(DayPart.MORNING) == (480, 735)


@pytest.mark.parametrize(
    "value",
    ["09:00", "12:30-09:00", "09:00-09:00", "25:00-26:00", "09:60-12:00", "ochtend", 930, "", True],
)
@pytest.mark.parametrize("key", ["morning_times", "afternoon_times", "day_times"])
def test_bad_settings_times(key, value):
    with pytest.raises(InputError) as err:
        Settings.from_dict({key: value})
    (p,) = err.value.problems
    assert (p.file, p.field) == ("settings.toml", key)
    assert 'expected "HH:MM-HH:MM" with the end after the start' in p.message


def test_bad_settings_times_in_the_scenario_file(folder):
    _prepend_settings(folder, 'morning_times = "9 tot 12"\n')
    (p,) = _problems(folder)
    assert (p.file, p.row, p.field) == ("settings.toml", None, "morning_times")
    assert "'9 tot 12' is not a span of time" in p.message


def test_settings_sheet_of_a_workbook_with_times(tmp_path):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for table in ("organisations", "locations", "participants", "vehicles"):
        ws = wb.create_sheet(table)
        text = (SMALL / f"{table}.csv").read_text(encoding="utf-8")
        delimiter = ";" if ";" in text.splitlines()[0] else ","
        for row in csv.reader(io.StringIO(text), delimiter=delimiter):
            ws.append(row)
    ws = wb.create_sheet("attendance")
    ws.append(["deelnemer", "dag", "locatie", "dagdeel"])
    ws.append(["D1", "ma", "L1", "ochtend"])
    ws = wb.create_sheet("settings")
    ws.append(["key", "value"])
    ws.append(["morning_times", "08:00-11:30"])
    book = tmp_path / "sc.xlsx"
    wb.save(book)
    (leg,) = read_scenario(book).attendance
    assert (leg.arrive_by, leg.depart_at, leg.part) == (480, 690, DayPart.MORNING)


# ----------------------------------------------------------------------------- writing


def test_write_read_roundtrip_with_dagdelen(folder, tmp_path):
    _prepend_settings(folder, 'morning_times = "08:30-12:00"\n')
    _attendance(
        folder,
        "D1,ma,L1,,,both,ochtend",
        "D1,ma,L2,13:00,16:00,heen,middag",
        "D2,ma,L1,09:00,12:00,both,hele dag",  # a part that the times would not give
        "D3,di,L2,09:30,15:30,zelfstandig,",
    )
    sc = read_scenario(folder)
    out = tmp_path / "out"
    write_scenario(sc, out)
    assert read_scenario(out) == dataclasses.replace(sc, source=out, name="out")
    lines = (out / "attendance.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == ",".join(HEADERS["attendance"])
    assert lines[0].endswith(",dagdeel")
    assert lines[1:] == [
        "D1,ma,L1,08:30,12:00,both,ochtend",
        "D1,ma,L2,13:00,16:00,heen,middag",
        "D2,ma,L1,09:00,12:00,both,hele dag",
        "D3,di,L2,09:30,15:30,none,hele dag",
    ]
    assert 'morning_times = "08:30-12:00"' in (out / "settings.toml").read_text(encoding="utf-8")
