"""Reading and writing ``changes.csv`` (dated exceptions) and ``locks.csv`` (pin / forbid)."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from vervoer.core.errors import InputError, Problem
from vervoer.core.model import Change, ChangeKind, Lock, LockKind, RideNeed, Weekday
from vervoer.io.scenario import TABLES, read_scenario, write_scenario

DATA = Path(__file__).parent / "data"
SMALL = DATA / "scenario_small"

CHANGES_HEADER = "date,participant,vehicle,location,change,rides,value,note"
LOCKS_HEADER = "lock,participant,vehicle,weekdays"
#: scenario_small: participants D1, D2 (rijn), D3, D4 (brug), D5 (berg);
#: vehicles R1, R2, B1, B2, T1; locations L1, L2
DAY = "2026-12-08"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "sc"
    shutil.copytree(SMALL, target)
    return target


def _write(folder: Path, name: str, header: str, lines: tuple[str, ...]) -> None:
    (folder / name).write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")


def _changes(folder: Path, *lines: str, header: str = CHANGES_HEADER) -> None:
    _write(folder, "changes.csv", header, lines)


def _locks(folder: Path, *lines: str, header: str = LOCKS_HEADER) -> None:
    _write(folder, "locks.csv", header, lines)


def _problems(path: Path) -> list[Problem]:
    with pytest.raises(InputError) as err:
        read_scenario(path)
    return err.value.problems


def _where(problems: list[Problem]) -> list[tuple[str, int | None, str | None]]:
    return [(p.file, p.row, p.field) for p in problems]


def _change(kind: ChangeKind, row: int, first: str = DAY, last: str = DAY, **kw: Any) -> Change:
    return Change(first=first, last=last, kind=kind, row=row, **kw)


# ----------------------------------------------------------------------------- no files


def test_scenario_without_changes_and_locks_reads_as_before():
    sc = read_scenario(SMALL)
    assert sc.changes == () and sc.locks == ()


def test_empty_or_header_only_files_mean_none(folder):
    (folder / "changes.csv").write_text("", encoding="utf-8")
    (folder / "locks.csv").write_text("", encoding="utf-8")
    sc = read_scenario(folder)
    assert sc.changes == () and sc.locks == ()
    _changes(folder)
    _locks(folder)
    sc = read_scenario(folder)
    assert sc.changes == () and sc.locks == ()


# ----------------------------------------------------------------------------- changes


def test_every_change_kind_in_english(folder):
    _changes(
        folder,
        f"{DAY},D1,,,absent,,,ill",
        f"{DAY},D2,,,absent,terug,,",
        f"{DAY},D3,,,address,,Poststrasse 1; Schaan,",
        f"{DAY},D4,,,time,heen,9:45,",
        f"{DAY},,R1,,out_of_service,,,",
        f"{DAY},,,L2,closed,,,",
        f"{DAY},D5,,,start,,,",
        f"{DAY},D5,,,stop,,,",
    )
    assert read_scenario(folder).changes == (
        _change(ChangeKind.ABSENT, 2, participant="D1", note="ill"),
        _change(ChangeKind.ABSENT, 3, participant="D2", rides=RideNeed.TERUG),
        _change(ChangeKind.ADDRESS, 4, participant="D3", value="Poststrasse 1; Schaan"),
        _change(
            ChangeKind.TIME, 5, participant="D4", rides=RideNeed.HEEN, value="09:45", minutes=585
        ),
        _change(ChangeKind.OUT_OF_SERVICE, 6, vehicle="R1"),
        _change(ChangeKind.CLOSED, 7, location="L2"),
        _change(ChangeKind.START, 8, participant="D5"),
        _change(ChangeKind.STOP, 9, participant="D5"),
    )


def test_every_change_kind_in_dutch_words_and_headers(folder):
    (folder / "wijzigingen.csv").write_text(
        "Datum;Deelnemer;Voertuig;Locatie;Wijziging;Ritten;Waarde;Opmerking\n"
        "2026-12-08;D1;;;Afwezig;alleen heen;;\n"
        "2026-12-08;D2;;;adres;beide;Städtle 1, Vaduz;tijdelijk\n"
        "2026-12-08;D3;;;TIJD;alleen terug;15.30;\n"
        "2026-12-08;;B1;;defect;;;\n"
        "2026-12-08;;B2;;Buiten dienst;;;\n"
        "2026-12-08;;B2;;buiten_dienst;;;\n"
        "2026-12-08;;;L1;gesloten;;;\n"
        "2026-12-08;D4;;;Start;;;\n"
        "2026-12-08;D4;;;STOP;;;\n"
        "2026-12-08;;T1;;Out-Of-Service;;;\n",
        encoding="utf-8",
    )
    changes = read_scenario(folder).changes
    assert [c.kind for c in changes] == [
        ChangeKind.ABSENT,
        ChangeKind.ADDRESS,
        ChangeKind.TIME,
        *[ChangeKind.OUT_OF_SERVICE] * 3,
        ChangeKind.CLOSED,
        ChangeKind.START,
        ChangeKind.STOP,
        ChangeKind.OUT_OF_SERVICE,
    ]
    assert changes[0].rides is RideNeed.HEEN
    assert changes[1] == _change(
        ChangeKind.ADDRESS, 3, participant="D2", value="Städtle 1, Vaduz", note="tijdelijk"
    )
    assert (changes[2].rides, changes[2].value, changes[2].minutes) == (
        RideNeed.TERUG,
        "15:30",
        930,
    )
    assert [c.vehicle for c in changes[3:6]] == ["B1", "B2", "B2"]
    assert changes[6].location == "L1" and changes[9].vehicle == "T1"


def test_other_aliases_of_the_changes_columns(folder):
    _changes(folder, f"{DAY},D1,afwezig,ziek", header="datum,deelnemer,soort,notitie")
    assert read_scenario(folder).changes == (
        _change(ChangeKind.ABSENT, 2, participant="D1", note="ziek"),
    )


def test_dutch_kind_words_are_the_model_words(folder):
    lines = []
    for kind in ChangeKind:
        who = {
            ChangeKind.OUT_OF_SERVICE: ",R1,",
            ChangeKind.CLOSED: ",,L1",
        }.get(kind, "D1,,")
        value = {ChangeKind.ADDRESS: "Städtle 1", ChangeKind.TIME: "10:00"}.get(kind, "")
        rides = "heen" if kind is ChangeKind.TIME else ""
        lines.append(f"{DAY},{who},{kind.dutch},{rides},{value},")
    _changes(folder, *lines)
    assert [c.kind for c in read_scenario(folder).changes] == list(ChangeKind)


def test_date_ranges(folder):
    _changes(
        folder,
        "2026-12-08..2026-12-12,D1,,,absent,,,",
        "2026-12-24 .. 2027-01-02,,,L1,closed,,,",
        "2026-12-09..2026-12-09,,R1,,defect,,,",
        "2028-02-29,D2,,,afwezig,,,",
    )
    changes = read_scenario(folder).changes
    assert [(c.first, c.last) for c in changes] == [
        ("2026-12-08", "2026-12-12"),
        ("2026-12-24", "2027-01-02"),
        ("2026-12-09", "2026-12-09"),
        ("2028-02-29", "2028-02-29"),
    ]


@pytest.mark.parametrize(
    ("date", "message"),
    [
        ("", "is empty; a value is required"),
        ("8-12-2026", "'8-12-2026' is not a date or a range of dates; expected a date as "),
        ("morgen", "'morgen' is not a date or a range of dates"),
        ("2026-12-08..", "'2026-12-08..' is not a date or a range of dates"),
        ("2026-12-01..2026-12-05..2026-12-09", "is not a date or a range of dates"),
        ("2026-02-30", "'2026-02-30' is not a day of the calendar (day is out of range"),
        ("2026-13-01..2026-12-14", "'2026-13-01' is not a day of the calendar"),
        (
            "2026-12-12..2026-12-08",
            "'2026-12-12..2026-12-08' runs backwards: 2026-12-08 is before 2026-12-12; "
            "expected the first date, then '..', then the last date",
        ),
    ],
)
def test_bad_dates(folder, date, message):
    _changes(folder, f"{DAY},D1,,,absent,,,", f"{date},D1,,,absent,,,")
    (p,) = _problems(folder)
    assert (p.file, p.row, p.field) == ("changes.csv", 3, "date")
    assert message in p.message


def test_start_and_stop_take_one_date(folder):
    _changes(folder, "2026-12-08..2026-12-10,D1,,,start,,,", "2026-12-08..2026-12-10,D2,,,stop,,,")
    problems = _problems(folder)
    assert _where(problems) == [("changes.csv", 2, "date"), ("changes.csv", 3, "date")]
    assert problems[0].message == (
        "'2026-12-08..2026-12-10' is a range, but 'start' takes one date (the participant "
        "rides from that date on); expected one date like 2026-12-08"
    )
    assert "(the participant rides until that date)" in problems[1].message


def test_unknown_or_missing_change_word(folder):
    _changes(folder, f"{DAY},D1,,,weg,,,", f"{DAY},D1,,,,,,")
    problems = _problems(folder)
    assert _where(problems) == [("changes.csv", 2, "change"), ("changes.csv", 3, "change")]
    assert problems[0].message.startswith("'weg' is not a change; expected absent, address")
    assert "afwezig" in problems[0].message and "buiten dienst" in problems[0].message
    assert "is empty" in problems[1].message


def test_missing_change_or_date_column(folder):
    _changes(folder, "D1,absent", header="participant,change")
    (p,) = _problems(folder)
    assert (p.file, p.row, p.field) == ("changes.csv", 1, "date")
    assert "column missing" in p.message


def test_each_kind_needs_its_known_participant_vehicle_or_location(folder):
    _changes(
        folder,
        f"{DAY},,,,absent,,,",
        f"{DAY},D9,,,address,,Städtle 1,",
        f"{DAY},D8,,,time,heen,10:00,",
        f"{DAY},,,,start,,,",
        f"{DAY},X1,,,stop,,,",
        f"{DAY},,,,out_of_service,,,",
        f"{DAY},,X2,,defect,,,",
        f"{DAY},,,,closed,,,",
        f"{DAY},,,L9,gesloten,,,",
    )
    problems = _problems(folder)
    assert _where(problems) == [
        ("changes.csv", 2, "participant"),
        ("changes.csv", 3, "participant"),
        ("changes.csv", 4, "participant"),
        ("changes.csv", 5, "participant"),
        ("changes.csv", 6, "participant"),
        ("changes.csv", 7, "vehicle"),
        ("changes.csv", 8, "vehicle"),
        ("changes.csv", 9, "location"),
        ("changes.csv", 10, "location"),
    ]
    assert "is empty" in problems[0].message
    assert problems[1].message == "unknown participant 'D9'; expected one of D1, D2, D3, D4, D5"
    assert "unknown vehicle 'X2'; expected one of B1, B2, R1, R2, T1" in problems[6].message
    assert "unknown location 'L9'; expected one of L1, L2" in problems[8].message


def test_address_and_time_need_a_value(folder):
    _changes(
        folder,
        f"{DAY},D1,,,address,,,",
        f"{DAY},D2,,,time,heen,,",
        f"{DAY},D3,,,time,terug,25:00,",
        f"{DAY},D4,,,tijd,heen,{DAY},",
    )
    problems = _problems(folder)
    assert _where(problems) == [
        ("changes.csv", 2, "value"),
        ("changes.csv", 3, "value"),
        ("changes.csv", 4, "value"),
        ("changes.csv", 5, "value"),
    ]
    assert problems[0].message.startswith("is empty; expected the address the participant")
    assert problems[1].message == "is empty; expected a time HH:MM"
    assert problems[2].message == "'25:00' is not a time; expected HH:MM (00:00-23:59)"
    assert "is a date, not a time" in problems[3].message


@pytest.mark.parametrize(
    ("rides", "message"),
    [
        (
            "",
            "is empty, but a time change moves one of them; say heen (the start time) or "
            "terug (the end time)",
        ),
        ("beide", "'beide' names both ends of the day, but a time change moves one of them"),
        ("both", "say heen (the start time) or terug (the end time)"),
    ],
)
def test_a_time_change_says_heen_or_terug(folder, rides, message):
    _changes(folder, f"{DAY},D1,,,time,{rides},10:00,")
    (p,) = _problems(folder)
    assert (p.file, p.row, p.field) == ("changes.csv", 2, "rides")
    assert message in p.message


def test_bad_rides_of_a_change(folder):
    _changes(folder, f"{DAY},D1,,,absent,none,,", f"{DAY},D2,,,afwezig,soms,,")
    problems = _problems(folder)
    assert _where(problems) == [("changes.csv", 2, "rides"), ("changes.csv", 3, "rides")]
    assert problems[0].message.startswith("'none' (no rides) cannot be a change of rides;")
    assert "or change absent for a day without rides" in problems[0].message
    assert problems[1].message.startswith(
        "'soms' is not a kind of ride; expected both, heen or terug"
    )


def test_cells_a_change_does_not_use_are_reported(folder):
    _changes(
        folder,
        f"{DAY},D1,R1,,absent,,,",
        f"{DAY},D1,,,closed,,,",
        f"{DAY},,R1,L1,defect,heen,,",
        f"{DAY},D2,,,stop,,2027-01-01,",
        f"{DAY},,,L1,closed,both,,note is fine",
    )
    problems = _problems(folder)
    assert _where(problems) == [
        ("changes.csv", 2, "vehicle"),
        ("changes.csv", 3, "participant"),
        ("changes.csv", 3, "location"),
        ("changes.csv", 4, "location"),
        ("changes.csv", 4, "rides"),
        ("changes.csv", 5, "value"),
    ]
    assert problems[0].message == (
        "'R1' is not used by change 'absent', which uses date and participant and rides; "
        "expected an empty cell"
    )
    assert "is empty; a value is required" in problems[2].message  # closed needs its location


def test_changes_sheet_of_a_workbook(tmp_path):
    book = tmp_path / "sc.xlsx"
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for table in TABLES:
        ws = wb.create_sheet(table)
        text = (SMALL / f"{table}.csv").read_text(encoding="utf-8")
        delim = ";" if table == "locations" else ","
        for row in csv.reader(text.splitlines(), delimiter=delim):
            ws.append(row)
    ws = wb.create_sheet("Wijzigingen")
    ws.append(["datum", "deelnemer", "wijziging"])
    ws.append([dt.datetime(2026, 12, 8), "D1", "afwezig"])  # a date cell
    ws.append(["2026-12-09..2026-12-11", "D2", "afwezig"])
    ws = wb.create_sheet("Vastzetten")
    ws.append(["soort", "deelnemer", "voertuig", "dagen"])
    ws.append(["vast", "D1", "R1", "ma"])
    wb.save(book)
    shutil.copy(SMALL / "settings.toml", tmp_path / "settings.toml")
    sc = read_scenario(book)
    assert sc.changes == (
        _change(ChangeKind.ABSENT, 2, participant="D1"),
        _change(ChangeKind.ABSENT, 3, "2026-12-09", "2026-12-11", participant="D2"),
    )
    assert sc.locks == (
        Lock(kind=LockKind.PIN, participant="D1", vehicle="R1", weekdays=(Weekday.MON,)),
    )
    ws.append(["pin", "D9", "R1", ""])
    wb.save(book)
    (p,) = _problems(book)
    assert (p.file, p.row, p.field) == ("sc.xlsx [vastzetten]", 3, "participant")


# ----------------------------------------------------------------------------- locks


def test_locks_of_both_kinds_with_and_without_weekdays(folder):
    _locks(
        folder,
        "pin,D1,R1,",
        "forbid,D2,R1,",
        "pin,D3,B1,ma-wo",
        "pin,D3,B2,do;vr",
        "forbid,D3,B1,do",
        'forbid,D4,T1,"di, do"',
    )
    assert read_scenario(folder).locks == (
        Lock(kind=LockKind.PIN, participant="D1", vehicle="R1"),
        Lock(kind=LockKind.FORBID, participant="D2", vehicle="R1"),
        Lock(
            kind=LockKind.PIN,
            participant="D3",
            vehicle="B1",
            weekdays=(Weekday.MON, Weekday.TUE, Weekday.WED),
        ),
        Lock(
            kind=LockKind.PIN, participant="D3", vehicle="B2", weekdays=(Weekday.THU, Weekday.FRI)
        ),
        Lock(kind=LockKind.FORBID, participant="D3", vehicle="B1", weekdays=(Weekday.THU,)),
        Lock(
            kind=LockKind.FORBID,
            participant="D4",
            vehicle="T1",
            weekdays=(Weekday.TUE, Weekday.THU),
        ),
    )


def test_locks_in_dutch_words_and_headers(folder):
    (folder / "vastzetten.csv").write_text(
        "Soort;Deelnemer;Voertuig;Dagen\n"
        "Vast;D1;R1;ma t/m vr\n"
        "verboden;D2;R2;\n"
        "NOOIT;D2;B1;zaterdag\n",
        encoding="utf-8",
    )
    assert read_scenario(folder).locks == (
        Lock(kind=LockKind.PIN, participant="D1", vehicle="R1", weekdays=tuple(Weekday)[:5]),
        Lock(kind=LockKind.FORBID, participant="D2", vehicle="R2"),
        Lock(kind=LockKind.FORBID, participant="D2", vehicle="B1", weekdays=(Weekday.SAT,)),
    )
    (folder / "vastzetten.csv").unlink()
    _locks(folder, "pin,D1,R1,mon", header="type,participant,vehicle,days")
    assert read_scenario(folder).locks[0].weekdays == (Weekday.MON,)


def test_unknown_lock_word_participant_and_vehicle(folder):
    _locks(folder, "vastzetten,D1,R1,", "pin,D9,R1,", "forbid,D1,X1,", ",,,ma")
    problems = _problems(folder)
    assert _where(problems) == [
        ("locks.csv", 2, "lock"),
        ("locks.csv", 3, "participant"),
        ("locks.csv", 4, "vehicle"),
        ("locks.csv", 5, "lock"),
        ("locks.csv", 5, "participant"),
        ("locks.csv", 5, "vehicle"),
    ]
    assert problems[0].message == (
        "'vastzetten' is not a lock; expected pin or forbid (vast / verboden / nooit)"
    )
    assert "unknown participant 'D9'" in problems[1].message
    assert "unknown vehicle 'X1'; expected one of B1, B2, R1, R2, T1" in problems[2].message


def test_missing_lock_columns(folder):
    _locks(folder, "pin,D1", header="lock,participant")
    (p,) = _problems(folder)
    assert (p.file, p.row, p.field) == ("locks.csv", 1, "vehicle")
    assert "column missing" in p.message


def test_bad_lock_weekdays(folder):
    _locks(folder, "pin,D1,R1,geen", "pin,D2,R1,maan", "pin,D3,B1,vr-ma")
    problems = _problems(folder)
    assert _where(problems) == [
        ("locks.csv", 2, "weekdays"),
        ("locks.csv", 3, "weekdays"),
        ("locks.csv", 4, "weekdays"),
    ]
    assert problems[0].message.startswith("'geen' names no day; expected the days the lock")
    assert "or an empty cell for every day" in problems[0].message
    assert "'maan' is not a weekday or range" in problems[1].message
    assert "'vr-ma' runs backwards" in problems[2].message


def test_two_pins_of_a_participant_to_different_vehicles_on_a_common_day(folder):
    _locks(
        folder,
        "pin,D1,R1,ma-wo",
        "pin,D1,R2,do-vr",  # other days: fine
        "pin,D1,R1,ma",  # the same vehicle: fine
        "pin,D1,R2,wo",
        "pin,D2,R1,",
        "pin,D2,R2,za",
    )
    problems = _problems(folder)
    assert _where(problems) == [("locks.csv", 5, "vehicle"), ("locks.csv", 7, "vehicle")]
    assert problems[0].message == (
        "D1 is already pinned to R1 in row 2 (common days: wo); a participant can be pinned "
        "to one vehicle per day; expected R1, or weekdays that do not overlap"
    )
    assert "D2 is already pinned to R1 in row 6 (common days: za)" in problems[1].message


def test_pin_and_forbid_of_one_participant_and_vehicle_on_a_common_day(folder):
    _locks(
        folder,
        "forbid,D1,R1,ma",
        "pin,D1,R1,di",  # other day: fine
        "pin,D1,R1,ma-vr",
        "pin,D2,R2,",
        "forbid,D2,R1,",  # another vehicle: fine
        "nooit,D2,R2,",
    )
    problems = _problems(folder)
    assert _where(problems) == [("locks.csv", 4, "lock"), ("locks.csv", 7, "lock")]
    assert problems[0].message == (
        "D1 is forbidden in R1 in row 2 (common days: ma); a participant cannot be both "
        "pinned to and forbidden in one vehicle on a day; expected one of pin or forbid, or "
        "weekdays that do not overlap"
    )
    assert "D2 is pinned to R2 in row 5 (common days: every day)" in problems[1].message


# ----------------------------------------------------------------------------- writing


def test_write_read_roundtrip_with_changes_and_locks(folder, tmp_path):
    _changes(
        folder,
        "2026-12-08..2026-12-10,D1,,,afwezig,alleen heen,,ziek",
        f'{DAY},D2,,,adres,,"Städtle 1, Vaduz",',
        f"{DAY},D3,,,tijd,terug,15.00,=rustig",
        f"{DAY},,R1,,defect,,,",
        "2026-12-24..2026-12-26,,,L1,gesloten,both,,",
        "2027-01-04,D4,,,start,,,",
        "2027-01-29,D4,,,stop,,,",
    )
    _locks(folder, "vast,D1,R1,ma;wo", "nooit,D2,R2,", "pin,D3,B1,")
    sc = read_scenario(folder)
    out = tmp_path / "out"
    write_scenario(sc, out)
    assert read_scenario(out) == dataclasses.replace(sc, name="out", source=out)
    assert (out / "changes.csv").read_text(encoding="utf-8").splitlines() == [
        CHANGES_HEADER,
        "2026-12-08..2026-12-10,D1,,,absent,heen,,ziek",
        f'{DAY},D2,,,address,both,"Städtle 1, Vaduz",',
        f"{DAY},D3,,,time,terug,15:00,'=rustig",
        f"{DAY},,R1,,out_of_service,,,",
        "2026-12-24..2026-12-26,,,L1,closed,,,",
        "2027-01-04,D4,,,start,,,",
        "2027-01-29,D4,,,stop,,,",
    ]
    assert (out / "locks.csv").read_text(encoding="utf-8").splitlines() == [
        LOCKS_HEADER,
        'pin,D1,R1,"ma,wo"',
        "forbid,D2,R2,",
        "pin,D3,B1,",
    ]


def test_writing_without_changes_or_locks_removes_old_files(folder, tmp_path):
    _changes(folder, f"{DAY},D1,,,absent,,,")
    _locks(folder, "pin,D1,R1,")
    sc = read_scenario(folder)
    out = tmp_path / "out"
    write_scenario(sc, out)
    assert (out / "changes.csv").is_file() and (out / "locks.csv").is_file()
    write_scenario(dataclasses.replace(sc, changes=(), locks=()), out)
    assert not (out / "changes.csv").exists() and not (out / "locks.csv").exists()
    back = read_scenario(out)
    assert back.changes == () and back.locks == ()
