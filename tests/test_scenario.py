"""Reading, validating and writing scenarios (CSV folders and xlsx workbooks)."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import re
import shutil
import time
from pathlib import Path

import openpyxl
import pytest

from vervoer.core.errors import InputError, Problem
from vervoer.core.model import WORKDAYS, Point, RideNeed, Vehicle, Weekday
from vervoer.core.settings import Settings
from vervoer.io.scenario import TABLES, read_scenario, write_scenario
from vervoer.io.scenario.rows import Row

DATA = Path(__file__).parent / "data"
SMALL = DATA / "scenario_small"
BAD = DATA / "bad"


@pytest.fixture
def folder(tmp_path):
    target = tmp_path / "sc"
    shutil.copytree(SMALL, target)
    return target


def _edit(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _problems(path: Path) -> list[Problem]:
    with pytest.raises(InputError) as err:
        read_scenario(path)
    assert "Traceback" not in str(err.value)
    return err.value.problems


# ----------------------------------------------------------------------------- good input


def test_reads_small_scenario():
    sc = read_scenario(SMALL)
    assert sc.name == "scenario_small" and sc.source == SMALL
    assert [o.id for o in sc.organisations] == ["rijn", "brug", "berg"]
    assert [loc.id for loc in sc.locations] == ["L1", "L2"]
    assert sc.locations[0].address == "Städtle 1, 9490 Vaduz"
    assert sc.locations[0].point == Point(47.139, 9.5215)
    people = {p.id: p for p in sc.participants}
    assert len(people) == 5
    assert people["D2"].wheelchair and people["D5"].wheelchair
    assert people["D3"].seats == 2 and people["D3"].walker and people["D3"].max_ride_min == 45
    assert people["D4"].point is None and people["D4"].address.startswith("Bahnhofstrasse 16")
    assert people["D4"].wheelchair is False  # empty = no
    assert people["D4"].boarding_min == 2
    assert people["D5"].notes == 'Rolstoel met begeleider; "rustig rijden"'
    att = {(a.participant, a.weekday): a for a in sc.attendance}
    assert len(att) == 12
    assert att["D1", Weekday.TUE].rides is RideNeed.BOTH  # empty = both
    assert att["D2", Weekday.MON].rides is RideNeed.BOTH  # beide
    assert att["D3", Weekday.MON].rides is RideNeed.HEEN
    assert att["D3", Weekday.WED].rides is RideNeed.NONE  # zelfstandig
    assert att["D2", Weekday.THU].rides is RideNeed.TERUG  # alleen terug
    assert att["D4", Weekday.THU].rides is RideNeed.HEEN  # to location
    assert att["D4", Weekday.MON].arrive_by == 9 * 60 + 30  # 9:30
    assert att["D4", Weekday.MON].depart_at == 15 * 60 + 30  # 15.30
    assert {a.weekday for a in sc.attendance} == set(WORKDAYS)
    cars = {v.id: v for v in sc.vehicles}
    assert len(cars) == 5
    assert cars["R1"].cost_per_km == pytest.approx(0.32)  # "0,32"
    assert cars["R1"].weekdays == WORKDAYS  # ma-vr
    assert cars["B1"].weekdays == WORKDAYS  # "ma,di,wo,do,vr"
    assert cars["B2"].weekdays == (Weekday.MON, Weekday.WED, Weekday.FRI)  # ma/wo/vr
    assert cars["T1"].weekdays == (Weekday.TUE, Weekday.THU)  # "di do"
    assert cars["T1"].cost_per_hour == pytest.approx(38.5)
    assert cars["R2"].shift_start == 7 * 60 + 30 and cars["R2"].shift_end == 17 * 60 + 30
    assert cars["B2"].name == "" and cars["R2"].depot_address.startswith("Aeulestrasse")
    assert sc.settings.time_limit_s == 5
    assert [(p.name, p.organisations) for p in sc.settings.pools] == [
        ("samen", ("rijn", "brug")),
        ("zuid", ("berg",)),
    ]


def test_header_aliases_case_and_spaces(folder):
    (folder / "organisations.csv").write_text(
        " ID ; Naam \nrijn;Zorggroep Rijn\nbrug;De Brug\nberg;Werkplaats Berg\n", encoding="utf-8"
    )
    _edit(
        folder,
        "participants.csv",
        "id,name,organisation,address,lat,lon,wheelchair,seats,walker,boarding_min,max_ride_min,notes",
        "Id,NAAM,Organisatie,Adres,Lat,Lon,Rolstoel,Stoelen,Rollator,Boarding Min,max-ride-min,Opmerkingen",
    )
    _edit(
        folder,
        "attendance.csv",
        "participant,weekday,location",
        "Deelnemer,Dag,Locatie",
    )
    assert read_scenario(folder) == dataclasses.replace(
        read_scenario(SMALL), name="sc", source=folder
    )


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("09:00", 540),
        ("9:05", 545),
        ("09.30", 570),
        ("9.30", 570),
        ("08:15:00", 495),
        (" 7:00 ", 420),
    ],
)
def test_time_formats(folder, text, minutes):
    _edit(folder, "attendance.csv", "D1,ma,L1,09:00", f"D1,ma,L1,{text}")
    att = read_scenario(folder).attendance[0]
    assert att.arrive_by == minutes


@pytest.mark.parametrize(
    ("text", "need"),
    [
        ("both", RideNeed.BOTH),
        ("Beide", RideNeed.BOTH),
        ("heen en terug", RideNeed.BOTH),
        ("", RideNeed.BOTH),
        ("heen", RideNeed.HEEN),
        ("to_location", RideNeed.HEEN),
        ("to location", RideNeed.HEEN),
        ("terug", RideNeed.TERUG),
        ("home", RideNeed.TERUG),
        ("home_only", RideNeed.TERUG),
        ("none", RideNeed.NONE),
        ("geen", RideNeed.NONE),
        ("Zelfstandig", RideNeed.NONE),
        ("independent", RideNeed.NONE),
    ],
)
def test_ride_synonyms(folder, text, need):
    _edit(folder, "attendance.csv", "D1,ma,L1,09:00,16:00,both", f"D1,ma,L1,09:00,16:00,{text}")
    assert read_scenario(folder).attendance[0].rides is need


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("ma-vr", WORKDAYS),
        ("mon-fri", WORKDAYS),
        ("ma t/m vr", WORKDAYS),
        ("", WORKDAYS),
        ('"ma, wo"', (Weekday.MON, Weekday.WED)),
        ("wo;ma", (Weekday.MON, Weekday.WED)),
        ("Tue Thu", (Weekday.TUE, Weekday.THU)),
        ("ma-wo/vr", (Weekday.MON, Weekday.TUE, Weekday.WED, Weekday.FRI)),
        ("za-zo", (Weekday.SAT, Weekday.SUN)),
        ("geen", ()),
    ],
)
def test_vehicle_weekdays(folder, text, days):
    _edit(folder, "vehicles.csv", ",8,1,ma-vr,", f",8,1,{text},")
    assert read_scenario(folder).vehicles[0].weekdays == days


@pytest.mark.parametrize(
    ("text", "value"), [("0,35", 0.35), ("0.35", 0.35), ("€ 0,35", 0.35), ("1.234,50", 1234.5)]
)
def test_decimal_comma_and_euro_sign(folder, text, value):
    _edit(folder, "vehicles.csv", '42,"0,32",45', f'42,"{text}",45')
    assert read_scenario(folder).vehicles[0].cost_per_km == pytest.approx(value)


def test_blank_rows_are_skipped_but_rows_keep_their_number(folder):
    _edit(folder, "attendance.csv", "D1,di,L1,09:00,16:00,\n", "\n,,,,,\nD1,di,L1,09:00,16:00,\n")
    assert len(read_scenario(folder).attendance) == 12
    _edit(folder, "attendance.csv", "D2,ma,L1", "D2,ma,L9")
    (p,) = _problems(folder)
    assert (p.file, p.row, p.field) == ("attendance.csv", 6, "location")


def test_attendance_on_a_day_without_vehicles_is_not_an_input_error(folder):
    # T1 (the only vehicle of pool 'zuid') works di and do only; planning reports this ride
    with (folder / "attendance.csv").open("a", encoding="utf-8") as fh:
        fh.write("D5,wo,L1,09:00,16:00,both\n")
    sc = read_scenario(folder)
    assert any(a.participant == "D5" and a.weekday is Weekday.WED for a in sc.attendance)


def test_wheelchair_place_in_another_organisation_of_the_pool_is_enough(folder):
    # R1 loses its wheelchair place; D2 (rijn) may ride in B1 (brug, same pool 'samen')
    _edit(
        folder,
        "vehicles.csv",
        "R1,Bus 1,rijn,,47.1400,9.5200,8,1,",
        "R1,Bus 1,rijn,,47.1400,9.5200,8,0,",
    )
    assert read_scenario(folder).vehicles[0].wheelchair_places == 0


def test_without_pools_the_pool_is_every_organisation(folder):
    (folder / "settings.toml").unlink()
    _edit(
        folder,
        "vehicles.csv",
        "T1,Bus Berg,berg,,47.1000,9.5260,6,1,",
        "T1,Bus Berg,berg,,47.1000,9.5260,6,0,",
    )
    sc = read_scenario(folder)
    assert sc.settings.pools == ()


# ----------------------------------------------------------------------------- bad input

BAD_EDITS = [
    # (file, old, new, row, field, words)
    (
        "organisations.csv",
        "brug,De Brug",
        "rijn,De Brug",
        3,
        "id",
        "'rijn' occurs twice (first in row 2)",
    ),
    ("organisations.csv", "brug,De Brug", "brug,", 3, "name", "is empty; a value is required"),
    (
        "locations.csv",
        "L2;Atelier Schaan;brug",
        "L2;Atelier Schaan;bruggg",
        3,
        "organisation",
        "unknown organisation 'bruggg'; expected one of berg, brug, rijn",
    ),
    ("locations.csv", "47.1660;9.5100", "47.1660;", 3, "lon", "give both lat and lon"),
    (
        "locations.csv",
        "47.1660;9.5100",
        "147.1660;9.5100",
        3,
        "lat",
        "out of range; expected degrees from -90 to 90",
    ),
    ("locations.csv", "47.1660;9.5100", "noord;9.5100", 3, "lat", "'noord' is not a number"),
    (
        "locations.csv",
        "Poststrasse 1, 9494 Schaan;47.1660;9.5100",
        ";;",
        3,
        "address",
        "give an address or lat+lon",
    ),
    (
        "participants.csv",
        "D2,Bram Jansen,rijn",
        "D2,Bram Jansen,onbekend",
        3,
        "organisation",
        "unknown organisation 'onbekend'",
    ),
    ("participants.csv", "D2,Bram", "D1,Bram", 3, "id", "'D1' occurs twice (first in row 2)"),
    ("participants.csv", "D2,Bram Jansen", "D2,", 3, "name", "is empty; a value is required"),
    (
        "participants.csv",
        "D2,Bram Jansen",
        ",Bram Jansen",
        3,
        "id",
        "is empty; a value is required",
    ),
    (
        "participants.csv",
        "47.1450,9.5230,nee",
        "47.1450,9.5230,misschien",
        2,
        "wheelchair",
        "'misschien' is not yes/no; expected ja/nee or yes/no",
    ),
    (
        "participants.csv",
        "47.1450,9.5230,nee,1,nee",
        "47.1450,9.5230,nee,1,soms",
        2,
        "walker",
        "is not yes/no",
    ),
    ("participants.csv", ",47.1450,9.5230", ",47.1450,", 2, "lon", "give both lat and lon"),
    ("participants.csv", ",47.1450,9.5230", ",,9.5230", 2, "lat", "give both lat and lon"),
    (
        "participants.csv",
        ",47.1450,9.5230",
        ",47.1450,999",
        2,
        "lon",
        "expected degrees from -180 to 180",
    ),
    (
        "participants.csv",
        "D1,Anna de Vries,rijn,,47.1450,9.5230",
        "D1,Anna de Vries,rijn,,,",
        2,
        "address",
        "give an address or lat+lon",
    ),
    (
        "participants.csv",
        "47.1720,9.5080,nee,2",
        "47.1720,9.5080,nee,0",
        4,
        "seats",
        "'0' is too small; expected a whole number",
    ),
    (
        "participants.csv",
        "47.1720,9.5080,nee,2",
        "47.1720,9.5080,nee,1.5",
        4,
        "seats",
        "'1.5' is not a whole number",
    ),
    (
        "participants.csv",
        "47.1720,9.5080,nee,2",
        "47.1720,9.5080,nee,twee",
        4,
        "seats",
        "'twee' is not a number",
    ),
    ("participants.csv", "ja,,45,", "ja,,0,", 4, "max_ride_min", "expected minutes, at least 1"),
    ("participants.csv", "nee,2,,", "nee,-2,,", 5, "boarding_min", "expected minutes, 0 or more"),
    (
        "attendance.csv",
        "D1,ma,L1,09:00",
        "D1,ma,L1,25:61",
        2,
        "arrive_by",
        "'25:61' is not a time; expected HH:MM",
    ),
    ("attendance.csv", "D1,ma,L1,09:00", "D1,ma,L1,abc", 2, "arrive_by", "expected HH:MM"),
    (
        "attendance.csv",
        "D1,ma,L1,09:00",
        "D1,ma,L1,",
        2,
        "arrive_by",
        "is empty; expected a time HH:MM",
    ),
    (
        "attendance.csv",
        "D1,ma,L1,09:00,16:00",
        "D1,ma,L1,09:00,2024-01-01",
        2,
        "depart_at",
        "is a date, not a time; expected HH:MM",
    ),
    (
        "attendance.csv",
        "D1,ma,L1,09:00,16:00",
        "D1,ma,L1,09:00,08:00",
        2,
        "depart_at",
        "is not after arrive_by",
    ),
    (
        "attendance.csv",
        "D1,ma,L1,09:00,16:00",
        "D1,ma,L1,09:00,09:00",
        2,
        "depart_at",
        "is not after arrive_by",
    ),
    (
        "attendance.csv",
        "D2,ma,L1",
        "D2,ma,L9",
        4,
        "location",
        "unknown location 'L9'; expected one of L1, L2",
    ),
    ("attendance.csv", "D2,ma,L1", "D2,ma,", 4, "location", "is empty"),
    ("attendance.csv", "D2,ma", "D9,ma", 4, "participant", "unknown participant 'D9'"),
    (
        "attendance.csv",
        "D1,di",
        "D1,ma",
        3,
        "arrive_by",
        "overlaps the leg of participant 'D1' on mon (ma) in row 2 (09:00-16:00); legs of "
        "one day must not overlap",
    ),
    ("attendance.csv", "D1,ma,L1", "D1,maandagje,L1", 2, "weekday", "is not a weekday"),
    (
        "attendance.csv",
        "D1,ma,L1,09:00,16:00,both",
        "D1,ma,L1,09:00,16:00,misschien",
        2,
        "rides",
        "expected both, heen, terug or none",
    ),
    (
        "vehicles.csv",
        "R1,Bus 1,rijn,,47.1400,9.5200,8",
        "R1,Bus 1,rijn,,47.1400,9.5200,0",
        2,
        "seats",
        "a vehicle needs at least 1 seat",
    ),
    (
        "vehicles.csv",
        "R1,Bus 1,rijn,,47.1400,9.5200,8",
        "R1,Bus 1,rijn,,47.1400,9.5200,",
        2,
        "seats",
        "is empty",
    ),
    (
        "vehicles.csv",
        "R1,Bus 1,rijn",
        "R1,Bus 1,rain",
        2,
        "organisation",
        "unknown organisation 'rain'",
    ),
    ("vehicles.csv", "B1,Bus 2", "R1,Bus 2", 3, "id", "'R1' occurs twice (first in row 2)"),
    ("vehicles.csv", ",8,1,ma-vr,", ",8,-1,ma-vr,", 2, "wheelchair_places", "too small"),
    (
        "vehicles.csv",
        ",8,1,ma-vr,",
        ",8,1,ma-xx,",
        2,
        "weekdays",
        "'ma-xx' is not a weekday or range",
    ),
    ("vehicles.csv", ",8,1,ma-vr,", ",8,1,vr-ma,", 2, "weekdays", "'vr-ma' runs backwards"),
    (
        "vehicles.csv",
        "07:00,18:00,42",
        "07:00,06:00,42",
        2,
        "shift_end",
        "06:00 is not after shift_start 07:00",
    ),
    (
        "vehicles.csv",
        "07:00,18:00,42",
        "7u,18:00,42",
        2,
        "shift_start",
        "'7u' is not a time; expected HH:MM",
    ),
    (
        "vehicles.csv",
        '42,"0,32",45',
        '-42,"0,32",45',
        2,
        "cost_per_hour",
        "expected an amount in euros of 0 or more",
    ),
    ("vehicles.csv", '42,"0,32",45', '42,"-0,32",45', 2, "cost_per_km", "too small"),
    (
        "vehicles.csv",
        '42,"0,32",45',
        '42,"0,32",gratis',
        2,
        "fixed_cost",
        "'gratis' is not a number",
    ),
    ("vehicles.csv", "47.1400,9.5200,8", "47.1400,,8", 2, "depot_lon", "give both lat and lon"),
    (
        "vehicles.csv",
        "R1,Bus 1,rijn,,47.1400,9.5200",
        "R1,Bus 1,rijn,,,",
        2,
        "depot_address",
        "give an address or lat+lon",
    ),
]


@pytest.mark.parametrize(
    ("file", "old", "new", "row", "field", "words"),
    BAD_EDITS,
    ids=[f"{e[0]}-{e[4]}-{i}" for i, e in enumerate(BAD_EDITS)],
)
def test_bad_input_names_file_row_field(folder, file, old, new, row, field, words):
    _edit(folder, file, old, new)
    with pytest.raises(InputError) as err:
        read_scenario(folder)
    text = str(err.value)
    assert f"{file}, row {row}, field '{field}'" in text, text
    assert words in text, text
    assert (file, row, field) == (err.value.file, err.value.row, err.value.field), text


def test_unquoted_decimal_comma_shifts_columns_and_is_reported(folder):
    _edit(folder, "vehicles.csv", '42,"0,32",45', "42,0,32,45")
    problems = _problems(folder)
    assert any(
        p.row == 2 and "has 15 values but the header has 14 columns" in p.message for p in problems
    ), problems


def test_value_under_a_nameless_column_is_reported(folder):
    _edit(folder, "organisations.csv", "id,name\n", "id,,name\n")
    _edit(folder, "organisations.csv", "rijn,Zorggroep Rijn", "rijn,?,Zorggroep Rijn")
    _edit(folder, "organisations.csv", "brug,De Brug", "brug,,De Brug")
    _edit(folder, "organisations.csv", "berg,Werkplaats", "berg,,Werkplaats")
    (p,) = _problems(folder)
    assert (p.file, p.row, p.field) == ("organisations.csv", 2, None)
    assert "'?' stands in column 2, which has no name in the header" in p.message


def test_column_typo_is_reported_with_a_suggestion(folder):
    _edit(folder, "participants.csv", ",wheelchair,", ",whelchair,")
    (p,) = _problems(folder)
    assert (p.file, p.row, p.field) == ("participants.csv", 1, "whelchair")
    assert "did you mean 'wheelchair'?" in p.message


def test_extra_columns_of_the_coordinator_are_ignored(folder):
    text = (folder / "organisations.csv").read_text(encoding="utf-8").splitlines()
    text = [text[0] + ",contactpersoon"] + [line + ",Jan" for line in text[1:]]
    (folder / "organisations.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    assert len(read_scenario(folder).organisations) == 3


def test_duplicate_column_is_reported(folder):
    _edit(folder, "organisations.csv", "id,name", "id,name,naam")
    (p,) = _problems(folder)
    assert (p.file, p.row, p.field) == ("organisations.csv", 1, "name")
    assert "appears twice" in p.message


def test_wheelchair_without_place_in_pool(folder):
    _edit(
        folder,
        "vehicles.csv",
        "T1,Bus Berg,berg,,47.1000,9.5260,6,1,",
        "T1,Bus Berg,berg,,47.1000,9.5260,6,0,",
    )
    (p,) = _problems(folder)
    assert str(p).startswith(
        "participants.csv, row 6, field 'wheelchair': D5 uses a wheelchair, but no vehicle in "
        "pool 'zuid' (berg) has a wheelchair place"
    ), str(p)


def test_wheelchair_without_place_anywhere_without_pools(folder):
    (folder / "settings.toml").unlink()
    text = (folder / "vehicles.csv").read_text(encoding="utf-8")
    (folder / "vehicles.csv").write_text(text.replace(",1,", ",0,"), encoding="utf-8")
    problems = _problems(folder)
    assert [(p.row, p.field) for p in problems] == [(3, "wheelchair"), (6, "wheelchair")]
    assert "no vehicle in any organisation" in problems[0].message


def test_pool_with_unknown_organisation(folder):
    (folder / "settings.toml").write_text('[pools]\nx = ["rijn", "nope"]\n', encoding="utf-8")
    (p,) = _problems(folder)
    assert (p.file, p.row, p.field) == ("settings.toml", None, "pools.x")
    assert "unknown organisation 'nope'" in p.message


def test_organisation_in_two_pools(folder):
    (folder / "settings.toml").write_text(
        '[pools]\na = ["rijn", "brug"]\nb = ["brug", "berg"]\n', encoding="utf-8"
    )
    (p,) = _problems(folder)
    assert (p.file, p.field) == ("settings.toml", "pools.b")
    assert "already in pool 'a'" in p.message


@pytest.mark.parametrize(
    ("line", "field", "words"),
    [
        ('time_limit_s = "lang"', "time_limit_s", "must be a number"),
        ("time_limit_s = 0", "time_limit_s", "above 0"),  # found by tests/test_fuzz.py
        ("arrival_window_min = 1e17", "arrival_window_min", "too large"),  # overflowed
    ],
)
def test_bad_settings_value(folder, line, field, words):
    (folder / "settings.toml").write_text(line + "\n", encoding="utf-8")
    (p,) = _problems(folder)
    assert (p.file, p.field) == ("settings.toml", field)
    assert words in p.message


def test_missing_file(folder):
    (folder / "vehicles.csv").unlink()
    (p,) = _problems(folder)
    assert (p.file, p.row, p.field) == ("vehicles.csv", None, None)
    assert "file missing" in str(p)


def test_missing_columns_name_the_column_and_list_the_found_ones(folder):
    _edit(folder, "locations.csv", "id;name;organisation", "code;naam;zorgaanbieder")
    _edit(folder, "vehicles.csv", "depot_lat,depot_lon,seats", "depot_lat,depot_lon,capaciteit")
    problems = _problems(folder)
    text = "\n".join(map(str, problems))
    assert (
        "locations.csv, row 1, field 'organisation': column missing; found 'code', 'naam'" in text
    )
    assert "vehicles.csv, row 1, field 'seats': column missing" in text
    assert "expected id, organisation, seats, depot_address and/or depot_lat+depot_lon" in text
    # a table without its columns does not make every reference to it fail as well
    assert all(p.field in ("organisation", "seats") for p in problems), text


def test_missing_place_columns(folder):
    _edit(folder, "participants.csv", "address,lat,lon,", "adres_oud,breedte,lengte,")
    (p,) = _problems(folder)
    assert (p.file, p.row, p.field) == ("participants.csv", 1, "address or lat+lon")


def test_empty_file(folder):
    (folder / "organisations.csv").write_bytes(b"\xef\xbb\xbf\r\n")
    problems = _problems(folder)
    assert [(p.file, p.row) for p in problems] == [("organisations.csv", None)]
    assert "expected a header row with id, name" in problems[0].message


def test_header_only_is_an_empty_table(folder):
    (folder / "attendance.csv").write_text(
        "participant,weekday,location,arrive_by,depart_at,rides\n", encoding="utf-8"
    )
    assert read_scenario(folder).attendance == ()


def test_bad_folder_reports_every_file():
    problems = _problems(BAD)
    got = {(p.file, p.row, p.field) for p in problems}
    assert got == {
        ("organisations.csv", 3, "id"),
        ("locations.csv", 2, "lon"),
        ("participants.csv", 3, "wheelchair"),
        ("attendance.csv", 2, "arrive_by"),
        ("vehicles.csv", 2, "cost_per_hour"),
        ("settings.toml", None, "pools.samen"),
    }, problems
    # ordered by file, then row
    assert [p.file for p in problems][:2] == ["organisations.csv", "locations.csv"]
    assert problems[-1].file == "settings.toml"


def test_all_problems_at_once(folder):
    _edit(folder, "participants.csv", "D2,Bram Jansen,rijn", "D2,Bram Jansen,xx")
    _edit(folder, "attendance.csv", "D1,ma,L1,09:00", "D1,ma,L1,9u")
    _edit(folder, "attendance.csv", "D2,ma,L1", "D2,ma,L7")
    _edit(folder, "vehicles.csv", "R1,Bus 1,rijn", "R1,Bus 1,yy")
    (folder / "locations.csv").unlink()
    problems = _problems(folder)
    got = {(p.file, p.row, p.field) for p in problems}
    assert got == {
        ("locations.csv", None, None),
        ("participants.csv", 3, "organisation"),
        ("attendance.csv", 2, "arrive_by"),
        ("vehicles.csv", 2, "organisation"),
    }, problems


def test_not_a_scenario(tmp_path):
    with pytest.raises(InputError, match="not found"):
        read_scenario(tmp_path / "nowhere")
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(InputError, match=r"save as \.xlsx"):
        read_scenario(tmp_path / "old.xls")
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip")
    with pytest.raises(InputError, match=r"broken\.xlsx: is not a readable \.xlsx workbook"):
        read_scenario(tmp_path / "broken.xlsx")


def test_model_value_errors_become_problems():
    problems: list[Problem] = []
    row = Row("vehicles.csv", 7, {"id": "X"}, problems)
    assert (
        row.make(Vehicle, id="X", organisation="o", seats=8, shift_start=600, shift_end=500) is None
    )
    assert problems == [
        Problem(
            "vehicles.csv", 7, "shift_end", "vehicle 'X': `shift_end` must be after `shift_start`"
        )
    ]


# ----------------------------------------------------------------------------- encodings


def test_bom_crlf_semicolon_and_cp1252(folder):
    raw = (folder / "participants.csv").read_text(encoding="utf-8")
    (folder / "participants.csv").write_bytes(b"\xef\xbb\xbf" + raw.replace("\n", "\r\n").encode())
    loc = (folder / "locations.csv").read_text(encoding="utf-8")  # ; separated, with "ä"
    (folder / "locations.csv").write_bytes(loc.replace("\n", "\r\n").encode("cp1252"))
    org = (folder / "organisations.csv").read_text(encoding="utf-8")
    (folder / "organisations.csv").write_bytes(
        org.replace(",", ";").replace("De Brug", "De Brug – één").encode("cp1252")
    )
    sc = read_scenario(folder)
    assert sc.locations[0].address == "Städtle 1, 9490 Vaduz"
    assert sc.organisations[1].name == "De Brug – één"
    assert sc.participants == read_scenario(SMALL).participants


def test_tab_separated(folder):
    rows = list(csv.reader((folder / "organisations.csv").open(encoding="utf-8")))
    (folder / "organisations.csv").write_text(
        "\n".join("\t".join(r) for r in rows) + "\n", encoding="utf-8"
    )
    assert [o.id for o in read_scenario(folder).organisations] == ["rijn", "brug", "berg"]


# ----------------------------------------------------------------------------- xlsx


def _excel_value(table: str, column: str, text: str) -> object:
    """What Excel makes of a typed value: numbers become numbers, times become times."""
    if column in ("arrive_by", "depart_at", "shift_start", "shift_end") and (
        m := re.fullmatch(r"(\d{1,2})[:.](\d{2})", text)
    ):
        return dt.time(int(m[1]), int(m[2]))
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def _workbook(folder: Path, book: Path, *, settings_sheet: bool = False) -> None:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for table in TABLES:
        ws = wb.create_sheet(table.capitalize() if table == "vehicles" else table)
        text = (folder / f"{table}.csv").read_text(encoding="utf-8")
        delim = ";" if table == "locations" else ","
        rows = list(csv.reader(text.splitlines(), delimiter=delim))
        ws.append(rows[0])
        for row in rows[1:]:
            ws.append([_excel_value(table, c, v) for c, v in zip(rows[0], row, strict=True)])
    if settings_sheet:
        ws = wb.create_sheet("settings")
        ws.append(["key", "value"])
        ws.append(["time_limit_s", 5])
        ws.append(["pools.samen", "rijn, brug"])
        ws.append(["pools.zuid", "berg"])
    wb.save(book)


def test_excel_workbook_with_settings_toml_next_to_it(tmp_path):
    book = tmp_path / "scenario_small.xlsx"
    _workbook(SMALL, book)
    shutil.copy(SMALL / "settings.toml", tmp_path / "settings.toml")
    got = read_scenario(book)
    assert got == dataclasses.replace(read_scenario(SMALL), source=book)


def test_excel_workbook_with_settings_sheet(tmp_path):
    book = tmp_path / "scenario_small.xlsx"
    _workbook(SMALL, book, settings_sheet=True)
    got = read_scenario(book)
    assert got == dataclasses.replace(read_scenario(SMALL), source=book)


def test_excel_bad_cells_name_the_sheet_row_and_field(tmp_path, folder):
    _edit(folder, "attendance.csv", "D1,ma,L1,09:00", "D1,ma,L1,7777")
    book = tmp_path / "sc.xlsx"
    _workbook(folder, book, settings_sheet=True)
    wb = openpyxl.load_workbook(book)
    wb["attendance"]["E2"] = dt.datetime(2024, 1, 1)  # a full date in a time column
    wb["settings"].append(["seed", "abc"])
    wb["settings"].append(["Pool.leeg", ""])
    del wb["organisations"]
    wb.save(book)
    problems = _problems(book)
    text = "\n".join(map(str, problems))
    assert "sc.xlsx: sheet 'organisations' is missing" in text
    assert "sc.xlsx [attendance], row 2, field 'arrive_by': '7777' is not a time" in text
    assert "sc.xlsx [attendance], row 2, field 'depart_at': '2024-01-01 00:00:00' is a date" in text
    assert "expected HH:MM" in text
    assert "sc.xlsx [settings], row 5, field 'seed'" in text
    assert "sc.xlsx [settings], row 6, field 'pools.leeg'" in text


def test_excel_dutch_sheet_names(tmp_path):
    book = tmp_path / "planning.xlsx"
    _workbook(SMALL, book, settings_sheet=True)
    wb = openpyxl.load_workbook(book)
    wb["participants"].title = "Deelnemers"
    wb.save(book)
    assert len(read_scenario(book).participants) == 5


# ----------------------------------------------------------------------------- writing


def test_write_read_roundtrip(tmp_path):
    sc = read_scenario(SMALL)
    out = tmp_path / sc.name
    write_scenario(sc, out)
    again = read_scenario(out)
    assert again == dataclasses.replace(sc, source=out)
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{t}.csv" for t in TABLES] + ["settings.toml"]
    )  # no temporary files left behind
    assert (out / "attendance.csv").read_text(encoding="utf-8").splitlines()[1] == (
        "D1,ma,L1,09:00,16:00,both,hele dag"
    )


def test_roundtrip_of_edge_values(tmp_path):
    sc = read_scenario(SMALL)
    p0 = dataclasses.replace(
        sc.participants[0],
        name="'s-Hertogenbosch 'n \"naam\"",
        notes="regel 1\nregel 2, met komma; en puntkomma",
        boarding_min=2.5,
        max_ride_min=50,
        point=Point(47.123456789012345, 9.5),
    )
    v0 = dataclasses.replace(sc.vehicles[0], weekdays=(), cost_per_km=1 / 3)
    v1 = dataclasses.replace(sc.vehicles[1], weekdays=(Weekday.SAT,), shift_end=23 * 60 + 59)
    settings = dataclasses.replace(
        sc.settings, osm='C:\\data\\"x".osm.pbf', seed=7, max_ride_min=60.0
    )
    sc = dataclasses.replace(
        sc,
        participants=(p0, *sc.participants[1:]),
        vehicles=(v0, v1, *sc.vehicles[2:]),
        settings=settings,
    )
    out = tmp_path / sc.name
    write_scenario(sc, out)
    assert read_scenario(out) == dataclasses.replace(sc, source=out)


def test_default_settings_write_no_settings_file(tmp_path):
    out = tmp_path / "x"
    out.mkdir()
    (out / "settings.toml").write_text("seed = 3\n", encoding="utf-8")
    plain = dataclasses.replace(read_scenario(SMALL), settings=Settings())
    write_scenario(plain, out)
    assert not (out / "settings.toml").exists()
    assert read_scenario(out).settings == Settings()


def test_formula_injection_is_neutralised(tmp_path):
    sc = read_scenario(SMALL)
    hostile = dataclasses.replace(
        sc.participants[0],
        name='=HYPERLINK("http://x","klik")',
        notes="@SUM(1+1)",
        address="+31 6 1234",
    )
    org = dataclasses.replace(sc.organisations[0], name="-2+3+cmd|' /C calc'!A0")
    loc = dataclasses.replace(sc.locations[0], name="\t=1+1")
    sc = dataclasses.replace(
        sc,
        participants=(hostile, *sc.participants[1:]),
        organisations=(org, *sc.organisations[1:]),
        locations=(loc, *sc.locations[1:]),
    )
    out = tmp_path / sc.name
    write_scenario(sc, out)
    with (out / "participants.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[0]["name"] == '\'=HYPERLINK("http://x","klik")'
    assert rows[0]["notes"] == "'@SUM(1+1)"
    assert rows[0]["address"] == "'+31 6 1234"
    with (out / "organisations.csv").open(encoding="utf-8", newline="") as fh:
        assert next(csv.DictReader(fh))["name"].startswith("'-2+3")
    for path in out.glob("*.csv"):
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.reader(fh):
                assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)
    # reading strips the quote again (but leaves the tab to the usual stripping of cells)
    again = read_scenario(out)
    assert again.participants == sc.participants
    assert again.organisations == sc.organisations
    assert again.locations[0].name == "=1+1"


# ----------------------------------------------------------------------------- speed


def test_ten_thousand_participants_read_fast(tmp_path):
    out = tmp_path / "big"
    shutil.copytree(SMALL, out)
    people = ["id,name,organisation,address,lat,lon,wheelchair,seats,walker,notes"]
    days = ["participant,weekday,location,arrive_by,depart_at,rides"]
    for i in range(10_000):
        org = ("rijn", "brug", "berg")[i % 3]
        people.append(
            f"P{i},Naam {i},{org},Straat {i}; Vaduz,{47.1 + i * 1e-6:.6f},9.52,"
            f"{'ja' if i % 10 == 0 else 'nee'},{1 + i % 2},nee,"
        )
        for day in ("ma", "wo", "vr"):
            days.append(f"P{i},{day},L{1 + i % 2},09:00,16:00,both")
    (out / "participants.csv").write_text("\n".join(people) + "\n", encoding="utf-8")
    (out / "attendance.csv").write_text("\n".join(days) + "\n", encoding="utf-8")
    t0 = time.perf_counter()
    sc = read_scenario(out)
    seconds = time.perf_counter() - t0
    assert len(sc.participants) == 10_000 and len(sc.attendance) == 30_000
    assert seconds < 3.0, f"{seconds:.2f} s"
