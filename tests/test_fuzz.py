"""Property-based tests: damaged scenario files give a clear InputError or a valid scenario.

CSV folders and XLSX workbooks are damaged at random; a bounded subset of the valid ones is
also planned. Bounded for CI (``max_examples`` below); a larger run:
``VERVOER_FUZZ_EXAMPLES=1000 .venv/bin/python -m pytest tests/test_fuzz.py``.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import functools
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import openpyxl
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.workbook.child import INVALID_TITLE_REGEX

from vervoer.cli import main
from vervoer.core.errors import InputError
from vervoer.core.model import WORKDAYS, Mode
from vervoer.core.settings import Settings, SolveParams
from vervoer.geo.matrix import haversine_matrix
from vervoer.io.scenario import TABLE_NAMES, TABLES, Scenario, read_scenario, write_scenario
from vervoer.routing.check import check_plan
from vervoer.routing.planner import plan_week
from vervoer.routing.requests import scenario_points

SMALL = Path(__file__).parent / "data" / "scenario_small"
EXAMPLES = int(os.environ.get("VERVOER_FUZZ_EXAMPLES", "150"))
XLSX_EXAMPLES = int(os.environ.get("VERVOER_FUZZ_EXAMPLES", "100"))  # a workbook costs more

NASTY = st.sampled_from(
    [
        "",
        " ",
        "25:61",
        "08:30:00",
        "2024-01-01 08:30:00",
        "-1",
        "1e309",
        "NaN",
        "9" * 40,
        '=HYPERLINK("x")',
        "@SUM(1)",
        "<script>alert(1)</script>",
        "ja",
        "nee",
        "misschien",
        "ma",
        "zo",
        "mon-fri",
        "ma t/m vr",
        "0,35",
        "€ 1.234,50",
        "\x00",
        "L1",
        "D1",
        "rijn",
        "../../etc/passwd",
        "'",
        '"',
        ";",
        ",",
        "\n",
        "\r\n",
        "\ufeff",
        "🚌",
    ]
)


@st.composite
def damage(draw):
    table = draw(st.sampled_from(TABLES))
    kind = draw(
        st.sampled_from(
            [
                "cell",
                "drop_column",
                "extra_column",
                "empty",
                "bom_crlf",
                "cp1252",
                "truncate",
                "duplicate_row",
                "delete_file",
                "many_rows",
                "swap_separator",
            ]
        )
    )
    return table, kind, draw(NASTY), draw(st.integers(0, 30)), draw(st.integers(0, 30))


def _apply(folder: Path, table: str, kind: str, value: str, i: int, j: int) -> None:
    path = folder / f"{table}.csv"
    text = path.read_text(encoding="utf-8", errors="replace")
    if not text.strip():
        return
    sep = ";" if text.splitlines()[0].count(";") > text.splitlines()[0].count(",") else ","
    lines = text.splitlines()
    if kind == "cell" and len(lines) > 1:  # (a truncated file may be the header alone)
        r = 1 + i % max(1, len(lines) - 1)
        cells = lines[r].split(sep)
        cells[j % len(cells)] = value.replace(sep, "")
        lines[r] = sep.join(cells)
    elif kind == "drop_column":
        idx = i % len(lines[0].split(sep))
        lines = [sep.join(c for k, c in enumerate(ln.split(sep)) if k != idx) for ln in lines]
    elif kind == "extra_column":
        lines = [
            ln + sep + (value.replace(sep, "") if n else "extra") for n, ln in enumerate(lines)
        ]
    elif kind == "empty":
        lines = []
    elif kind == "truncate":
        path.write_bytes(text.encode()[: i * 7])
        return
    elif kind == "duplicate_row" and len(lines) > 1:
        lines.append(lines[1 + i % (len(lines) - 1)])
    elif kind == "delete_file":
        path.unlink()
        return
    elif kind == "many_rows" and len(lines) > 1:
        lines += [lines[1]] * 2000
    elif kind == "swap_separator":
        other = "," if sep == ";" else ";"
        lines = [ln.replace(sep, other) for ln in lines]
    body = "\n".join(lines) + ("\n" if lines else "")
    if kind == "bom_crlf":
        path.write_bytes(b"\xef\xbb\xbf" + body.replace("\n", "\r\n").encode())
    elif kind == "cp1252":
        path.write_bytes(body.encode("cp1252", errors="replace"))
    else:
        path.write_text(body, encoding="utf-8")


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(damages=st.lists(damage(), min_size=1, max_size=3), mode=st.sampled_from(Mode))
def test_damaged_scenarios_give_clear_errors_or_valid_scenarios(tmp_path_factory, damages, mode):
    folder = tmp_path_factory.mktemp("fuzz") / "sc"
    shutil.copytree(SMALL, folder)
    for d in damages:
        if (folder / f"{d[0]}.csv").exists():
            _apply(folder, *d)
    try:
        sc = read_scenario(folder)
    except InputError as exc:
        assert exc.problems  # noqa: PT017 - either outcome is valid here
        for p in exc.problems:
            assert p.file
            assert p.message
        assert "Traceback" not in str(exc)  # noqa: PT017
        return
    # a valid scenario: every attendance refers to known people and locations
    people = {p.id for p in sc.participants}
    locations = {loc.id for loc in sc.locations}
    assert all(a.participant in people and a.location in locations for a in sc.attendance)
    _plan_some(sc, "csv", mode)


# ----------------------------------------------------------------------------- planning
# A bounded subset of the valid fuzzed scenarios is also planned (haversine matrix, small
# budget, no road network); every plan goes through the checker and the invariant of
# conftest.py (each requested ride exactly once, in a route or unassigned with a reason).

PLAN_AT_MOST = int(os.environ.get("VERVOER_FUZZ_PLANS", "4"))  # per fuzz test and run
_planned: Counter[str] = Counter()


def _plan_some(sc: Scenario, test: str, mode: Mode) -> None:
    if _planned[test] >= PLAN_AT_MOST or len(sc.participants) > 50:
        return
    _planned[test] += 1
    points, places = scenario_points(sc)
    matrix = haversine_matrix(points, speed_kph=36)
    s = sc.settings
    # as `vervoer plan` builds them, with a small budget
    params = SolveParams(time_limit_s=min(s.time_limit_s, 2.0), seed=s.seed, max_iterations=10)
    plan = plan_week(sc, matrix, places, mode=mode, params=params, workers=1)
    result = check_plan(plan, sc, matrix, places)
    assert result.ok, result.violations
    assert result.served + result.unassigned == result.requests


# ----------------------------------------------------------------------------- xlsx
# Workbooks as Excel writes them: numbers as numbers, times as time cells (or datetimes on
# the spreadsheet's day zero), formulas without a cached value; then damaged.

TIME_COLUMNS = frozenset({"arrive_by", "depart_at", "shift_start", "shift_end"})
NUMBER_COLUMNS = frozenset(
    {"lat", "lon", "depot_lat", "depot_lon", "seats", "wheelchair_places", "boarding_min"}
    | {"max_ride_min", "cost_per_hour", "cost_per_km", "fixed_cost"}
)
XLSX_NASTY = st.one_of(
    NASTY.filter(lambda v: not ILLEGAL_CHARACTERS_RE.search(v)),
    st.sampled_from(
        [
            dt.time(8, 30),
            dt.time(23, 59, 59),
            dt.time(0, 0),
            dt.datetime(1899, 12, 30, 8, 30),  # a time as Excel stores it
            dt.datetime(2024, 3, 1, 9, 0),
            dt.date(2024, 3, 1),
            dt.timedelta(hours=25, minutes=61),
            dt.timedelta(minutes=510),
            0.3541666666666667,  # 08:30 as a fraction of a day
            -1,
            -0.5,
            0,
            2,
            1e15,
            10**30,
            -(10**30),
            True,
            False,
            "=1+1",  # a formula: read back without a cached value
            "25:61",
            "24:00",
            "8:30",
            "15.3",
            "x" * 5000,
        ]
    ),
    st.integers(-(2**40), 2**40),
    st.floats(-1e20, 1e20, allow_nan=False),
)
SETTING_KEYS = [f.name for f in dataclasses.fields(Settings) if f.name != "pools"]
SETTING_KEYS += ["pools.samen", "pools.nieuw", "onbekend"]
SETTING_VALUES = st.one_of(
    st.sampled_from([0, -1, 0.001, 1e-9, 1e9, 1e9 + 1, 10**30, True, "nl", "fr", "", "rijn"]),
    XLSX_NASTY,
)
SHEET_NAMES = st.sampled_from(
    [n for names in TABLE_NAMES.values() for n in names]
    + [" Deelnemers ", "VEHICLES", "Locaties", "participant", "Blad1", ""]
)
COMMON_KINDS = (
    "cell",
    "header",
    "drop_column",
    "extra_column",
    "empty_sheet",
    "missing_sheet",
    "rename_sheet",
    "blank_rows",
    "duplicate_row",
    "dangling",
    "negative",
    "huge",
    "excel_time",
    "setting",
)
# 2,000 more rows ("many_*") take most of the time: a quarter as often as the others
XLSX_KINDS = (*(COMMON_KINDS * 4), "many_rows", "many_people")


@functools.cache
def _base_sheets() -> dict[str, list[list[object]]]:
    """scenario_small written by write_scenario, typed as Excel would hold it."""
    sheets: dict[str, list[list[object]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        write_scenario(read_scenario(SMALL), Path(tmp))
        for table in TABLES:
            with (Path(tmp) / f"{table}.csv").open(encoding="utf-8", newline="") as fh:
                header, *rows = list(csv.reader(fh))
            sheets[table] = [header] + [
                [_excel(col, cell) for col, cell in zip(header, row, strict=True)] for row in rows
            ]
    sheets["settings"] = [["key", "value"], ["time_limit_s", 5]]
    sheets["settings"] += [["pools.samen", "rijn, brug"], ["pools.zuid", "berg"]]
    return sheets


def _excel(column: str, text: str) -> object:
    if not text:
        return None
    if column in TIME_COLUMNS:
        hours, minutes = text.split(":")
        return dt.time(int(hours), int(minutes))
    if column in NUMBER_COLUMNS:
        number = float(text)
        return int(number) if number.is_integer() else number
    return text


@st.composite
def xlsx_damage(draw):
    kind = draw(st.sampled_from(XLSX_KINDS))
    sheet = "settings" if kind == "setting" else draw(st.sampled_from([*TABLES, "settings"]))
    values = {"rename_sheet": st.one_of(SHEET_NAMES, XLSX_NASTY), "setting": SETTING_VALUES}
    value = draw(values.get(kind, XLSX_NASTY))
    return kind, sheet, value, draw(st.integers(0, 40)), draw(st.integers(0, 40))


def _damage_sheets(
    sheets: dict[str, list[list[object]]], kind: str, name: str, value: object, i: int, j: int
) -> None:
    """Damage one sheet in place (``sheets`` maps sheet title -> rows, header first)."""
    if name not in sheets:
        return
    rows = sheets[name]
    header = [str(h) for h in rows[0]] if rows else []
    body = range(1, len(rows))
    if kind == "empty_sheet":
        rows.clear()
    elif kind == "missing_sheet":
        del sheets[name]
    elif kind == "rename_sheet":
        sheets[str(value) if isinstance(value, str) and value else f"{name} {i}"] = sheets.pop(name)
    elif not rows or not rows[0]:
        return
    elif kind == "cell" and body:
        _put(rows, body[i % len(body)], j % max(1, len(header)), value)
    elif kind == "header":
        rows[0][j % len(rows[0])] = value if i % 2 else str(rows[0][j % len(rows[0])]).upper()
    elif kind == "drop_column":
        k = i % len(rows[0])
        sheets[name] = [[c for n, c in enumerate(r) if n != k] for r in rows]
    elif kind == "extra_column":
        for n, r in enumerate(rows):
            r.append(value if n else ("opmerking" if i % 2 else value))
    elif kind == "blank_rows":
        rows[1 + i % len(rows) :] = [[]] * (1 + j % 3) + rows[1 + i % len(rows) :]
    elif kind == "duplicate_row" and body:
        rows.append(list(rows[body[i % len(body)]]))
    elif kind == "dangling" and body:
        refs = [k for k, h in enumerate(header) if h in ("organisation", "location", "participant")]
        if refs:
            _put(rows, body[i % len(body)], refs[j % len(refs)], "ZZ9")
    elif kind in ("negative", "huge", "excel_time") and body:
        wanted = TIME_COLUMNS if kind == "excel_time" else NUMBER_COLUMNS
        cols = [k for k, h in enumerate(header) if h in wanted]
        if not cols:
            return
        r, k = body[i % len(body)], cols[j % len(cols)]
        cell = rows[r][k] if k < len(rows[r]) else None
        if kind == "negative":
            _put(rows, r, k, -abs(cell) if isinstance(cell, int | float) else -1 - i)
        elif kind == "huge":
            _put(rows, r, k, (10**12, 1e300, 2**63, 123456789012345678901234567890)[i % 4])
        elif isinstance(cell, dt.time):  # the same time as Excel may also hold it
            as_excel = (
                dt.datetime.combine(dt.date(1899, 12, 30), cell),
                (cell.hour * 60 + cell.minute) / 1440,
                dt.timedelta(hours=cell.hour, minutes=cell.minute),
                f"{cell.hour}:{cell.minute:02d}",
            )
            _put(rows, r, k, as_excel[i % 4])
    elif kind == "setting" and name == "settings":
        key = SETTING_KEYS[i % len(SETTING_KEYS)]
        row = next((r for r in rows[1:] if r and r[0] == key), None)
        if row is None:
            rows.append([key, value])
        else:
            _put(rows, rows.index(row), 1, value)
    elif kind == "many_rows" and body:
        rows += [list(rows[body[i % len(body)]]) for _ in range(2000)]
    elif kind == "many_people" and name in ("participants", "attendance"):
        _add_people(sheets, header_of=lambda t: [str(h) for h in (sheets.get(t) or [[]])[0]])


def _put(rows: list[list[object]], r: int, k: int, value: object) -> None:
    """Set cell ``k`` of row ``r``, padding a short row (a blank row has no cells)."""
    rows[r] = list(rows[r]) + [None] * max(0, k + 1 - len(rows[r]))
    rows[r][k] = value


def _add_people(sheets, header_of) -> None:
    """2,000 new, valid participants with an attendance row each (a large valid scenario)."""
    people = {"id": "P{}", "name": "Naam {}", "organisation": "rijn", "lat": 47.14, "lon": 9.52}
    days = {"participant": "P{}", "weekday": "ma", "location": "L1"}
    days |= {"arrive_by": dt.time(9), "depart_at": dt.time(16)}
    for table, values in (("participants", people), ("attendance", days)):
        if table not in sheets or not sheets[table]:
            continue
        header = header_of(table)
        for n in range(2000):
            row = [values.get(h) for h in header]
            sheets[table].append([v.format(n) if isinstance(v, str) else v for v in row])


def _save_workbook(sheets: dict[str, list[list[object]]], path: Path) -> dict[str, int]:
    """Write the sheets as a workbook; return the number of rows per sheet, by read name."""
    wb = openpyxl.Workbook(write_only=True)
    lengths = {}
    for title, rows in sheets.items():
        ws = wb.create_sheet(INVALID_TITLE_REGEX.sub("", title)[:31] or "Blad")
        for row in rows:
            ws.append(row)
        lengths[ws.title.strip().lower()] = len(rows)
    wb.save(path)
    return lengths


def _assert_clear(problems: list, book: Path, lengths: dict[str, int]) -> None:
    """Each problem names the workbook (and sheet), a row within the sheet, and a field."""
    assert problems
    for p in problems:
        assert p.file.startswith(book.name), p
        assert p.message.strip(), p
        if p.row is None:
            continue
        sheet = p.file.removeprefix(book.name).strip()[1:-1]
        assert sheet in lengths, p
        assert 1 <= p.row <= lengths[sheet], p
        # a row-level problem names its column, or says the whole row is the problem
        assert p.field or "column" in p.message, p


@settings(
    max_examples=XLSX_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(damages=st.lists(xlsx_damage(), min_size=0, max_size=3), mode=st.sampled_from(Mode))
def test_damaged_workbooks_give_clear_errors_or_valid_scenarios(tmp_path_factory, damages, mode):
    sheets = {name: [list(r) for r in rows] for name, rows in _base_sheets().items()}
    for d in damages:
        _damage_sheets(sheets, *d)
    book = tmp_path_factory.mktemp("xlsx") / "sc.xlsx"
    lengths = _save_workbook(sheets, book)
    try:
        sc = read_scenario(book)
    except InputError as exc:
        _assert_clear(exc.problems, book, lengths)
        sc = None
    # the command line says the same, with exit code 2 and no traceback
    result = CliRunner().invoke(main, ["validate", str(book)])
    assert result.exit_code == (0 if sc is not None else 2), result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    if sc is None:
        return
    people = {p.id for p in sc.participants}
    locations = {loc.id for loc in sc.locations}
    assert all(a.participant in people and a.location in locations for a in sc.attendance)
    _plan_some(sc, "xlsx", mode)


def test_undamaged_workbook_is_the_scenario(tmp_path):
    """The fuzzer's starting point is valid: what it finds comes from the damage."""
    book = tmp_path / "scenario_small.xlsx"
    _save_workbook(_base_sheets(), book)
    want = read_scenario(SMALL)
    assert read_scenario(book) == dataclasses.replace(want, source=book)


def test_damaged_workbook_through_a_real_process(tmp_path):
    """`vervoer validate` as a process: exit code 2, every problem listed, no traceback."""
    sheets = {name: [list(r) for r in rows] for name, rows in _base_sheets().items()}
    for damage in (
        ("excel_time", "attendance", None, 0, 0),  # a time cell as a datetime: fine
        ("excel_time", "attendance", None, 1, 1),  # ... as a fraction of a day: not a time
        ("cell", "attendance", dt.timedelta(hours=25, minutes=61), 1, 3),
        ("cell", "vehicles", dt.date(2024, 3, 1), 1, 10),
        ("cell", "vehicles", -3, 0, 6),
        ("dangling", "participants", None, 0, 0),
        ("rename_sheet", "organisations", "Organisaties", 0, 0),  # a Dutch name: fine
        ("empty_sheet", "locations", None, 0, 0),
    ):
        _damage_sheets(sheets, *damage)
    book = tmp_path / "planning.xlsx"
    _save_workbook(sheets, book)
    proc = subprocess.run(
        [sys.executable, "-m", "vervoer", "validate", str(book)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    for words in (
        "planning.xlsx [attendance], row 3, field 'depart_at': '0.6666666666666666' is not",
        "planning.xlsx [attendance], row 3, field 'arrive_by': '1 day, 2:01:00' is not a time",
        "planning.xlsx [vehicles], row 3, field 'shift_end': '2024-03-01 00:00:00' is a date",
        "planning.xlsx [vehicles], row 2, field 'seats': '-3' is too small",
        "planning.xlsx [participants], row 2, field 'organisation': unknown organisation 'ZZ9'",
        "planning.xlsx [locations]: is empty",
    ):
        assert words in proc.stderr, proc.stderr
    assert "6 problems" in proc.stderr, proc.stderr


@settings(
    max_examples=max(10, XLSX_EXAMPLES // 2),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(key=st.sampled_from(SETTING_KEYS), value=SETTING_VALUES, mode=st.sampled_from(Mode))
def test_any_setting_in_a_workbook_is_an_input_error_or_plans(tmp_path_factory, key, value, mode):
    """One setting with any value: a clear problem in its row, or a scenario that plans."""
    sheets = {name: [list(r) for r in rows] for name, rows in _base_sheets().items()}
    _damage_sheets(sheets, "setting", "settings", value, SETTING_KEYS.index(key), 0)
    book = tmp_path_factory.mktemp("settings") / "sc.xlsx"
    lengths = _save_workbook(sheets, book)
    try:
        sc = read_scenario(book)
    except InputError as exc:
        _assert_clear(exc.problems, book, lengths)
        return
    points, places = scenario_points(sc)
    matrix = haversine_matrix(points, speed_kph=36)
    s = sc.settings
    params = SolveParams(time_limit_s=min(s.time_limit_s, 2.0), seed=s.seed, max_iterations=10)
    plan_week(sc, matrix, places, mode=mode, days=[WORKDAYS[0]], params=params, workers=1)
