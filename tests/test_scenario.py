from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

from vervoer.errors import InputError
from vervoer.model import RideNeed, Weekday
from vervoer.scenario import read_scenario, write_scenario

SMALL = Path(__file__).parent / "data" / "scenario_small"


@pytest.fixture
def folder(tmp_path):
    target = tmp_path / "sc"
    shutil.copytree(SMALL, target)
    return target


def test_reads_small_scenario():
    sc = read_scenario(SMALL)
    assert [o.id for o in sc.organisations] == ["rijn", "brug"]
    assert len(sc.participants) == 5 and len(sc.vehicles) == 2
    d3 = next(p for p in sc.participants if p.id == "D3")
    assert d3.seats == 2 and d3.walker and d3.max_ride_min == 45
    d2 = next(p for p in sc.participants if p.id == "D2")
    assert d2.wheelchair
    att = {(a.participant, a.weekday): a for a in sc.attendance}
    assert att["D1", Weekday.TUE].rides is RideNeed.BOTH
    assert att["D3", Weekday.WED].rides is RideNeed.NONE
    assert att["D4", Weekday.MON].depart_at == 15 * 60 + 30
    r1 = sc.vehicles[0]
    assert r1.cost_per_km == pytest.approx(0.32)
    assert len(r1.weekdays) == 5
    assert sc.settings.time_limit_s == 5
    assert sc.settings.pools[0].organisations == ("rijn", "brug")


def _edit(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("file", "old", "new", "row", "field", "words"),
    [
        (
            "participants.csv",
            "D2,Bram Jansen,rijn",
            "D2,Bram Jansen,onbekend",
            3,
            "organisation",
            "unknown organisation 'onbekend'",
        ),
        ("participants.csv", "D2,Bram", "D1,Bram", 3, "id", "occurs twice (first in row 2)"),
        ("attendance.csv", "D1,ma,L1,09:00", "D1,ma,L1,25:61", 2, "arrive_by", "expected HH:MM"),
        (
            "attendance.csv",
            "D1,ma,L1,09:00,16:00",
            "D1,ma,L1,09:00,08:00",
            2,
            "depart_at",
            "is not after arrive_by",
        ),
        ("attendance.csv", "D2,ma,L1", "D2,ma,L9", 4, "location", "unknown location 'L9'"),
        ("attendance.csv", "D2,ma", "D9,ma", 4, "participant", "unknown participant 'D9'"),
        ("attendance.csv", "D1,di", "D1,ma", 3, "weekday", "already has mon"),
        ("attendance.csv", "D1,ma,L1", "D1,maandagje,L1", 2, "weekday", "is not a weekday"),
        (
            "vehicles.csv",
            "R1,Bus 1,rijn,,47.1400,9.5200,8",
            "R1,Bus 1,rijn,,47.1400,9.5200,0",
            2,
            "seats",
            "at least 1 seat",
        ),
        (
            "participants.csv",
            "47.1450,9.5230,nee",
            "47.1450,9.5230,misschien",
            2,
            "wheelchair",
            "is not yes/no",
        ),
        ("participants.csv", ",47.1450,9.5230", ",47.1450,", 2, "lon", "both lat and lon"),
        (
            "vehicles.csv",
            '07:00,18:00,42,"0,32"',
            '07:00,06:00,42,"0,32"',
            2,
            "shift_end",
            "is not after shift_start",
        ),
        ("vehicles.csv", '42,"0,32",45', '-42,"0,32",45', 2, "cost_per_hour", "0 or more"),
        (
            "participants.csv",
            "D4,Dina Smit,brug,,47.1580,9.5150",
            "D4,Dina Smit,brug,,,",
            5,
            "address",
            "give an address or lat+lon",
        ),
    ],
)
def test_bad_input_names_file_row_field(folder, file, old, new, row, field, words):
    _edit(folder, file, old, new)
    with pytest.raises(InputError) as err:
        read_scenario(folder)
    text = str(err.value)
    assert f"{file}, row {row}, field '{field}'" in text, text
    assert words in text


def test_wheelchair_without_place_in_pool(folder):
    for vid in ("R1", "B1"):
        _edit(folder, "vehicles.csv", f"{vid},Bus {vid[-1] if vid == 'R1' else 2},", f"{vid},Bus,")
    text = (folder / "vehicles.csv").read_text().replace(",8,1,", ",8,0,")
    (folder / "vehicles.csv").write_text(text)
    with pytest.raises(InputError, match=r"participants.csv, row 3, field 'wheelchair': D2 needs"):
        read_scenario(folder)


def test_all_problems_at_once(folder):
    _edit(folder, "participants.csv", "D2,Bram Jansen,rijn", "D2,Bram Jansen,xx")
    _edit(folder, "attendance.csv", "D1,ma,L1,09:00", "D1,ma,L1,9u")
    _edit(folder, "vehicles.csv", "R1,Bus 1,rijn", "R1,Bus 1,yy")
    with pytest.raises(InputError) as err:
        read_scenario(folder)
    files = {p.file for p in err.value.problems}
    assert {"participants.csv", "attendance.csv", "vehicles.csv"} <= files
    assert len(err.value.problems) >= 3


def test_missing_file_and_column(folder):
    (folder / "vehicles.csv").unlink()
    _edit(folder, "locations.csv", "id;name;organisation", "code;naam;zorgaanbieder")
    with pytest.raises(InputError) as err:
        read_scenario(folder)
    text = str(err.value)
    assert "vehicles.csv: file missing" in text
    assert "locations.csv, row 1, field 'organisation'" in text


def test_unknown_pool_member(folder):
    (folder / "settings.toml").write_text('[pools]\nx = ["rijn", "nope"]\n')
    with pytest.raises(InputError, match="unknown organisation 'nope'"):
        read_scenario(folder)


def test_bom_crlf_and_cp1252(folder):
    raw = (folder / "participants.csv").read_text(encoding="utf-8")
    (folder / "participants.csv").write_bytes(b"\xef\xbb\xbf" + raw.replace("\n", "\r\n").encode())
    loc = (folder / "locations.csv").read_text(encoding="utf-8")
    (folder / "locations.csv").write_bytes(loc.encode("cp1252"))
    sc = read_scenario(folder)
    assert sc.locations[0].address == "Städtle 1, 9490 Vaduz"
    assert len(sc.participants) == 5


def test_excel_workbook_gives_same_scenario(tmp_path):
    import csv
    import datetime as dt

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for table in ("organisations", "locations", "participants", "attendance", "vehicles"):
        ws = wb.create_sheet(table)
        text = (SMALL / f"{table}.csv").read_text(encoding="utf-8")
        delim = ";" if table == "locations" else ","
        for i, row in enumerate(csv.reader(text.splitlines(), delimiter=delim)):
            if table == "attendance" and i == 1:
                row[3] = dt.time(9, 0)  # what Excel does to "09:00"
            ws.append(row)
    book = tmp_path / "scenario.xlsx"
    wb.save(book)
    shutil.copy(SMALL / "settings.toml", tmp_path / "settings.toml")
    a, b = read_scenario(SMALL), read_scenario(book)
    assert a.participants == b.participants
    assert a.attendance == b.attendance
    assert a.vehicles == b.vehicles


def test_write_read_roundtrip_and_formula_injection(tmp_path):
    import dataclasses

    sc = read_scenario(SMALL)
    hostile = dataclasses.replace(sc.participants[0], name='=HYPERLINK("x")', notes="@SUM(1)")
    sc = dataclasses.replace(sc, participants=(hostile, *sc.participants[1:]))
    write_scenario(sc, tmp_path / "out")
    text = (tmp_path / "out" / "participants.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text and "'@SUM(1)" in text
    again = read_scenario(tmp_path / "out")
    assert again.participants == sc.participants
    assert again.attendance == sc.attendance
    assert again.vehicles == sc.vehicles
    assert again.settings == sc.settings
