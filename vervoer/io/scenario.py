"""Read a coordinator's scenario (CSV folder or XLSX workbook) into validated model objects.

Every problem of every file is collected (file, row, field, what is wrong, what is
expected) and raised once as :class:`~vervoer.core.errors.InputError`; nothing is planned on
half-valid data and no row is dropped silently. Rows are numbered as a spreadsheet shows
them: the header is row 1, the first data row is row 2.

The writer (:func:`write_scenario`) produces the same layout, so that a written scenario
reads back equal. Cells that a spreadsheet would run as a formula (text starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return) are written with a leading ``'``,
which the reader strips again.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar

from vervoer.core.errors import InputError, Problem
from vervoer.core.files import unquote_cell, write_csv, write_text
from vervoer.core.model import (
    WORKDAYS,
    Attendance,
    Location,
    Organisation,
    Participant,
    Point,
    RideNeed,
    Vehicle,
    Weekday,
)
from vervoer.core.settings import Settings

TABLES = ("organisations", "locations", "participants", "attendance", "vehicles")

# table -> accepted names of the CSV file (without .csv) or workbook sheet; first = canonical
TABLE_NAMES: dict[str, tuple[str, ...]] = {
    "organisations": ("organisations", "organizations", "organisaties"),
    "locations": ("locations", "locaties"),
    "participants": ("participants", "deelnemers"),
    "attendance": ("attendance", "aanwezigheid"),
    "vehicles": ("vehicles", "voertuigen"),
}

_ORG = ("organisation", "organization", "organisatie", "org")
_LAT = ("lat", "latitude", "breedtegraad")
_LON = ("lon", "lng", "long", "longitude", "lengtegraad")

# table -> column -> accepted header names (normalised: lower case, spaces as "_");
# the first name is the canonical one, written by write_scenario
COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "organisations": {"id": ("id", "code"), "name": ("name", "naam")},
    "locations": {
        "id": ("id", "code"),
        "name": ("name", "naam"),
        "organisation": _ORG,
        "address": ("address", "adres"),
        "lat": _LAT,
        "lon": _LON,
    },
    "participants": {
        "id": ("id", "code", "nummer"),
        "name": ("name", "naam"),
        "organisation": _ORG,
        "address": ("address", "adres", "woonadres", "ophaaladres"),
        "lat": _LAT,
        "lon": _LON,
        "wheelchair": ("wheelchair", "rolstoel"),
        "seats": ("seats", "stoelen", "plaatsen", "zitplaatsen"),
        "walker": ("walker", "rollator"),
        "boarding_min": ("boarding_min", "instapminuten", "instaptijd"),
        "max_ride_min": ("max_ride_min", "max_reistijd", "maximale_reistijd"),
        "notes": ("notes", "opmerkingen", "notities", "bijzonderheden"),
    },
    "attendance": {
        "participant": ("participant", "deelnemer"),
        "weekday": ("weekday", "day", "dag"),
        "location": ("location", "locatie"),
        "arrive_by": ("arrive_by", "aanwezig_om", "begintijd", "start"),
        "depart_at": ("depart_at", "vertrek_om", "eindtijd", "end"),
        "rides": ("rides", "ritten", "vervoer"),
    },
    "vehicles": {
        "id": ("id", "code", "kenteken"),
        "name": ("name", "naam"),
        "organisation": _ORG,
        "depot_address": ("depot_address", "depot_adres", "standplaats"),
        "depot_lat": ("depot_lat", "depot_latitude"),
        "depot_lon": ("depot_lon", "depot_lng", "depot_longitude"),
        "seats": ("seats", "stoelen", "zitplaatsen"),
        "wheelchair_places": ("wheelchair_places", "rolstoelplaatsen", "rolstoelplekken"),
        "weekdays": ("weekdays", "days", "dagen", "werkdagen"),
        "shift_start": ("shift_start", "dienst_start", "dienst_begin"),
        "shift_end": ("shift_end", "dienst_einde", "dienst_eind"),
        "cost_per_hour": ("cost_per_hour", "kosten_per_uur", "uurtarief"),
        "cost_per_km": ("cost_per_km", "kosten_per_km", "kilometertarief"),
        "fixed_cost": ("fixed_cost", "vaste_kosten", "starttarief"),
    },
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "organisations": ("id", "name"),
    "locations": ("id", "name", "organisation"),
    "participants": ("id", "name", "organisation"),
    "attendance": ("participant", "weekday", "location", "arrive_by", "depart_at"),
    "vehicles": ("id", "organisation", "seats"),
}
# tables with a place: (address column, lat column, lon column)
PLACE_COLUMNS = {
    "locations": ("address", "lat", "lon"),
    "participants": ("address", "lat", "lon"),
    "vehicles": ("depot_address", "depot_lat", "depot_lon"),
}
YES = frozenset({"yes", "ja", "j", "y", "true", "waar", "1", "x"})
NO = frozenset({"no", "nee", "n", "false", "onwaar", "0", ""})
# keys are normalised by _ride_key: lower case, "_", "-" and "/" as spaces
RIDES: dict[str, RideNeed] = {
    "": RideNeed.BOTH,
    "both": RideNeed.BOTH,
    "beide": RideNeed.BOTH,
    "heen en terug": RideNeed.BOTH,
    "there and back": RideNeed.BOTH,
    "heen": RideNeed.HEEN,
    "alleen heen": RideNeed.HEEN,
    "heen only": RideNeed.HEEN,
    "to location": RideNeed.HEEN,
    "to location only": RideNeed.HEEN,
    "terug": RideNeed.TERUG,
    "alleen terug": RideNeed.TERUG,
    "terug only": RideNeed.TERUG,
    "home": RideNeed.TERUG,
    "home only": RideNeed.TERUG,
    "to home": RideNeed.TERUG,
    "none": RideNeed.NONE,
    "geen": RideNeed.NONE,
    "nee": RideNeed.NONE,
    "geen vervoer": RideNeed.NONE,
    "eigen vervoer": RideNeed.NONE,
    "zelfstandig": RideNeed.NONE,
    "independent": RideNeed.NONE,
}
NO_WEEKDAYS = frozenset({"geen", "none", "nooit", "never"})

_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})(?::00)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}|^\d{1,2}[-/]\d{1,2}[-/]\d{2,4}")
_DAY_RANGE = re.compile(r"\s*(?:\bt/m\b|\btm\b|\btot en met\b|\bto\b|\btill?\b|[-–—])\s*")
_ALIAS: dict[str, dict[str, str]] = {
    table: {alias: canon for canon, names in cols.items() for alias in names}
    for table, cols in COLUMNS.items()
}
_SETTINGS_HEADER = frozenset({"key", "setting", "instelling", "sleutel", "naam", "name"})

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True, kw_only=True)
class Scenario:
    """A validated scenario: every reference between the tables is known to be good."""

    name: str
    organisations: tuple[Organisation, ...]
    locations: tuple[Location, ...]
    participants: tuple[Participant, ...]
    attendance: tuple[Attendance, ...]
    vehicles: tuple[Vehicle, ...]
    settings: Settings = field(default_factory=Settings)
    source: Path | None = None


# ----------------------------------------------------------------------------- cells


def _parse_number(text: str) -> float | None:
    """A number as people type it: ``42``, ``0,32``, ``0.32``, ``€ 1.234,50``; None if not."""
    t = text.replace("€", "").replace("\u00a0", "").replace(" ", "")
    if "," in t and "." in t:
        if t.rfind(",") > t.rfind("."):  # 1.234,50
            t = t.replace(".", "").replace(",", ".")
        else:  # 1,234.50
            t = t.replace(",", "")
    elif t.count(",") == 1:
        t = t.replace(",", ".")
    try:
        value = float(t)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _ride_key(text: str) -> str:
    return " ".join(re.split(r"[\s_\-/]+", text.lower())).strip()


def _cell(value: object) -> str:
    """An xlsx cell value as the text a CSV would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, dt.datetime):
        if value.date() == dt.date(1899, 12, 30):
            return value.strftime("%H:%M")  # a time of day with the spreadsheet's day zero
        return value.isoformat(sep=" ")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        minutes = round(value.total_seconds() / 60)
        return f"{minutes // 60:02d}:{minutes % 60:02d}" if 0 <= minutes < 24 * 60 else str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return unquote_cell(str(value))


# ----------------------------------------------------------------------------- rows


@dataclass(slots=True)
class _Row:
    """One data row: canonical column -> text, plus where to report problems."""

    file: str
    row: int
    values: dict[str, str]
    problems: list[Problem]

    def get(self, column: str) -> str:
        return self.values.get(column, "").strip()

    def bad(self, column: str | None, message: str) -> None:
        self.problems.append(Problem(self.file, self.row, column, message))

    def required(self, column: str) -> str:
        value = self.get(column)
        if not value:
            self.bad(column, "is empty; a value is required")
        return value

    def number(
        self,
        column: str,
        default: float | None,
        *,
        integer: bool = False,
        minimum: float = 0.0,
        required: bool = False,
        expected: str = "",
    ) -> float | None:
        text = self.get(column)
        kind = "a whole number" if integer else "a number"
        expected = expected or f"{kind} of {minimum:g} or more"
        if not text:
            if required:
                self.bad(column, f"is empty; expected {expected}")
            return default
        value = _parse_number(text)
        if value is None:
            self.bad(column, f"{text!r} is not a number; expected {expected}")
            return default
        if integer and not value.is_integer():
            self.bad(column, f"{text!r} is not a whole number; expected {expected}")
            return default
        if value < minimum:
            self.bad(column, f"{text!r} is too small; expected {expected}")
            return default
        if value > 1e9:
            self.bad(column, f"{text!r} is too large; expected {expected}")
            return default
        return value

    def yes_no(self, column: str) -> bool:
        text = self.get(column).lower()
        if text in YES:
            return True
        if text not in NO:
            self.bad(column, f"{self.get(column)!r} is not yes/no; expected ja/nee or yes/no")
        return False

    def clock(self, column: str, default: int | None = None) -> int | None:
        """Minutes after midnight of ``HH:MM`` (also ``H:MM``, ``HH.MM``, ``HH:MM:00``)."""
        text = self.get(column)
        if not text:
            if default is None:
                self.bad(column, "is empty; expected a time HH:MM")
            return default
        m = _TIME.match(text)
        if m and int(m.group(1)) < 24 and int(m.group(2)) < 60:
            return int(m.group(1)) * 60 + int(m.group(2))
        if _DATE.match(text):
            self.bad(column, f"{text!r} is a date, not a time; expected HH:MM (00:00-23:59)")
        elif re.fullmatch(r"\d{1,2}\.\d", text):
            self.bad(
                column,
                f"{text!r} is not a time; expected HH:MM (00:00-23:59); a spreadsheet may "
                "have turned a time like 15.30 into the number 15.3: format the column as text",
            )
        else:
            self.bad(column, f"{text!r} is not a time; expected HH:MM (00:00-23:59)")
        return default

    def point(self, lat_col: str, lon_col: str) -> Point | None:
        lat_text, lon_text = self.get(lat_col), self.get(lon_col)
        if not lat_text and not lon_text:
            return None
        if not lat_text or not lon_text:
            given, empty = (lat_col, lon_col) if lat_text else (lon_col, lat_col)
            self.bad(empty, f"{given} is given but {empty} is empty; give both lat and lon")
            return None
        lat, lon = _parse_number(lat_text), _parse_number(lon_text)
        ok = True
        for col, text, value, limit in (
            (lat_col, lat_text, lat, 90),
            (lon_col, lon_text, lon, 180),
        ):
            if value is None:
                self.bad(col, f"{text!r} is not a number; expected decimal degrees like 47.14")
                ok = False
            elif not -limit <= value <= limit:
                self.bad(col, f"{text} is out of range; expected degrees from -{limit} to {limit}")
                ok = False
        if not ok or lat is None or lon is None:
            return None
        return self.make(Point, lat, lon)

    def make(self, factory: Callable[..., _T], *args: Any, **kwargs: Any) -> _T | None:
        """Build a model object; its own ``ValueError`` becomes a problem of this row."""
        try:
            return factory(*args, **kwargs)
        except ValueError as exc:
            message = str(exc)
            m = re.search(r"`(\w+)`", message)
            self.bad(m.group(1) if m else None, message)
            return None


@dataclass(slots=True)
class _Table:
    """The rows of one table; ``usable`` is False when the file/sheet or a column is missing."""

    name: str
    rows: list[_Row]
    usable: bool = True

    def ids(self, column: str = "id") -> set[str] | None:
        """The values of a column, or None if the table is unusable (skip reference checks)."""
        if not self.usable:
            return None
        return {v for r in self.rows if (v := r.get(column))}


def _normalise_header(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.replace("\ufeff", "").strip().lower())


def _table(name: str, table: str, raw: list[list[str]], problems: list[Problem]) -> _Table:
    """Map header aliases to canonical columns; keep every non-blank row with its row number."""
    start = next((i for i, row in enumerate(raw) if any(c.strip() for c in row)), None)
    if start is None:
        problems.append(
            Problem(
                name,
                None,
                None,
                f"is empty; expected a header row with {', '.join(COLUMNS[table])}",
            )
        )
        return _Table(name, [], usable=False)
    header_row = start + 1
    header = [_normalise_header(h) for h in raw[start]]
    aliases = _ALIAS[table]
    col_of: dict[int, str] = {}
    seen: dict[str, str] = {}
    for i, h in enumerate(header):
        canon = aliases.get(h)
        if canon is None:
            continue
        if canon in seen:
            problems.append(
                Problem(
                    name,
                    header_row,
                    canon,
                    f"column {canon!r} appears twice (as {seen[canon]!r} and {h!r}); keep one",
                )
            )
            continue
        seen[canon] = h
        col_of[i] = canon
    present = set(col_of.values())
    for h in header:
        if not h or h in aliases:
            continue
        close = difflib.get_close_matches(h, list(aliases), n=1, cutoff=0.85)
        if close and aliases[close[0]] not in present:
            problems.append(
                Problem(name, header_row, h, f"unknown column {h!r}; did you mean {close[0]!r}?")
            )
    missing = [c for c in REQUIRED[table] if c not in present]
    expected = list(REQUIRED[table])
    if table in PLACE_COLUMNS:
        addr, lat, lon = PLACE_COLUMNS[table]
        expected.append(f"{addr} and/or {lat}+{lon}")
        if addr not in present and not {lat, lon} <= present:
            missing.append(f"{addr} or {lat}+{lon}")
    found = ", ".join(repr(h) for h in header if h) or "none"
    for column in missing:
        problems.append(
            Problem(
                name,
                header_row,
                column,
                f"column missing; found {found}; expected {', '.join(expected)}",
            )
        )
    if missing:
        return _Table(name, [], usable=False)
    width = len(header)
    nameless = [j for j, h in enumerate(header) if not h]
    rows = []
    for i in range(start + 1, len(raw)):
        cells = raw[i]
        if not any(c.strip() for c in cells):
            continue
        row = _Row(
            name, i + 1, {c: cells[j] for j, c in col_of.items() if j < len(cells)}, problems
        )
        for j in nameless:
            if j < len(cells) and cells[j].strip():
                row.bad(
                    None,
                    f"{cells[j].strip()!r} stands in column {j + 1}, which has no name in the "
                    "header; expected a column name in row 1 or an empty cell",
                )
        extra = [c for c in cells[width:] if c.strip()]
        if extra:
            row.bad(
                None,
                f"has {width + len(extra)} values but the header has {width} columns "
                f"(extra: {', '.join(repr(c) for c in extra[:3])}); "
                + (
                    'put a value with a comma in quotes ("0,32") or separate the columns with ;'
                    if name.endswith(".csv")
                    else "give the column a name in row 1 or clear the cells"
                ),
            )
        rows.append(row)
    return _Table(name, rows)


# ----------------------------------------------------------------------------- sources


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _read_csv(path: Path, problems: list[Problem]) -> list[list[str]] | None:
    """Rows of a CSV file (UTF-8 with or without BOM, else cp1252; ``,`` ``;`` or tab)."""
    try:
        text = _decode(path.read_bytes())
    except OSError as exc:
        problems.append(Problem(path.name, None, None, f"cannot be read: {exc.strerror or exc}"))
        return None
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        return [[unquote_cell(c) for c in row] for row in reader]
    except csv.Error as exc:
        problems.append(Problem(path.name, None, None, f"is not a readable CSV file ({exc})"))
        return None


def _read_xlsx(path: Path) -> dict[str, list[list[str]]]:
    """Rows of every worksheet, by lower-case sheet name."""
    import zipfile

    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, TypeError) as exc:
        raise InputError(f"is not a readable .xlsx workbook ({exc})", file=path.name) from None
    out: dict[str, list[list[str]]] = {}
    try:
        for ws in wb.worksheets:
            if not hasattr(ws, "iter_rows"):
                continue  # a chart sheet
            if hasattr(ws, "reset_dimensions"):
                ws.reset_dimensions()  # some writers store wrong dimensions
            rows = [[_cell(v) for v in row] for row in ws.iter_rows(values_only=True)]
            out[ws.title.strip().lower()] = rows
    finally:
        wb.close()
    return out


def _find(table: str, exists: Callable[[str], bool]) -> str | None:
    """The first accepted name of ``table`` for which ``exists`` holds."""
    return next((n for n in TABLE_NAMES[table] if exists(n)), None)


def _settings_from_sheet(name: str, raw: list[list[str]], problems: list[Problem]) -> Settings:
    """Settings from a ``settings`` sheet of key/value rows (``pools.<name>`` = org ids)."""
    values: dict[str, object] = {}
    pools: dict[str, list[str]] = {}
    rows_of: dict[str, int] = {}
    pool_rows: dict[str, int] = {}
    for i, cells in enumerate(raw):
        key = cells[0].strip() if cells else ""
        value = cells[1].strip() if len(cells) > 1 else ""
        if not key or (not rows_of and key.lower() in _SETTINGS_HEADER):
            continue
        if key in rows_of:
            problems.append(
                Problem(name, i + 1, key, f"given twice (first in row {rows_of[key]}); keep one")
            )
            continue
        rows_of[key] = i + 1
        if key.lower().startswith(("pools.", "pool.")):
            pool = key.partition(".")[2]
            pools[pool] = [o for o in re.split(r"[,;\s]+", value) if o]
            pool_rows[f"pools.{pool}"] = i + 1
            continue
        if not value:
            continue
        number = _parse_number(value)
        parsed: object = value
        if number is not None:
            parsed = int(number) if number.is_integer() and "." not in value else number
        try:
            Settings.from_dict({key: parsed}, file=name)
        except InputError as exc:
            problems.extend(Problem(name, i + 1, p.field, p.message) for p in exc.problems)
            continue
        values[key] = parsed
    if pools:
        try:
            Settings.from_dict({"pools": pools}, file=name)
            values["pools"] = pools
        except InputError as exc:
            problems.extend(
                Problem(name, pool_rows.get(p.field or ""), p.field, p.message)
                for p in exc.problems
            )
    try:
        return Settings.from_dict(values, file=name)
    except InputError as exc:  # pragma: no cover - every key was checked above
        problems.extend(exc.problems)
        return Settings()


# ----------------------------------------------------------------------------- reading


def read_scenario(path: Path | str) -> Scenario:
    """Read and validate a scenario folder of CSV files, or one .xlsx workbook.

    Parameters
    ----------
    path
        A folder with ``organisations.csv``, ``locations.csv``, ``participants.csv``,
        ``attendance.csv``, ``vehicles.csv`` and optionally ``settings.toml``; or an
        ``.xlsx`` workbook with a sheet per table. A workbook takes its settings from a
        ``settings`` sheet (key/value rows; ``pools.<name>`` lists organisation ids) or,
        without that sheet, from a ``settings.toml`` next to it.

    Returns
    -------
    Scenario
        The validated scenario; ``source`` is ``path``.

    Raises
    ------
    InputError
        With every problem found in every file, each naming file, row and field.
    """
    path = Path(path)
    problems: list[Problem] = []
    raw: dict[str, list[list[str]] | None] = {}
    names: dict[str, str] = {}
    settings = Settings()
    settings_name = "settings.toml"
    if not path.exists():
        raise InputError(
            f"not found; expected a scenario folder of CSV files or an .xlsx workbook ({path})",
            file=path.name,
        )
    if path.is_dir():
        for table in TABLES:
            found = _find(table, lambda n: (path / f"{n}.csv").is_file())
            names[table] = f"{found or table}.csv"
            if found is None:
                problems.append(
                    Problem(names[table], None, None, f"file missing; expected it in {path}")
                )
                continue
            raw[table] = _read_csv(path / names[table], problems)
        settings_file: Path | None = path / "settings.toml"
    elif path.suffix.lower() == ".xlsx":
        sheets = _read_xlsx(path)
        for table in TABLES:
            found = _find(table, lambda n: n in sheets)
            names[table] = f"{path.name} [{found or table}]"
            if found is None:
                problems.append(
                    Problem(
                        path.name,
                        None,
                        None,
                        f"sheet {table!r} is missing; found sheets {', '.join(sheets) or 'none'}",
                    )
                )
                continue
            raw[table] = sheets[found]
        settings_file = path.with_name("settings.toml")
        if "settings" in sheets:
            settings_name = f"{path.name} [settings]"
            settings = _settings_from_sheet(settings_name, sheets["settings"], problems)
            settings_file = None
    else:
        raise InputError(
            f"expected a scenario folder of CSV files or an .xlsx workbook, not "
            f"{path.suffix or 'this file'} (for .xls or .ods: save as .xlsx)",
            file=path.name,
        )
    if settings_file is not None and settings_file.is_file():
        settings_name = settings_file.name
        try:
            settings = Settings.from_toml(settings_file)
        except InputError as exc:
            problems.extend(exc.problems)
    tables = {
        t: _table(names[t], t, rows, problems)
        if (rows := raw.get(t)) is not None
        else _Table(names[t], [], usable=False)
        for t in TABLES
    }
    scenario = _build(path, tables, settings, settings_name, problems)
    if problems or scenario is None:
        order = {name: i for i, name in enumerate([*names.values(), settings_name])}
        problems.sort(key=lambda p: (order.get(p.file, -1), p.row or 0))
        raise InputError(problems)
    return scenario


def _unique(table: _Table, column: str = "id") -> None:
    first: dict[str, int] = {}
    for r in table.rows:
        k = r.get(column)
        if not k:
            continue
        if k in first:
            r.bad(column, f"{k!r} occurs twice (first in row {first[k]}); ids must be unique")
        else:
            first[k] = r.row


def _reference(r: _Row, column: str, known: set[str] | None, what: str, where: str) -> str:
    """A required reference to another table; unknown values are reported."""
    value = r.required(column)
    if value and known is not None and value not in known:
        if len(known) <= 12:
            hint = f"expected one of {', '.join(sorted(known)) or '(none)'}"
        else:
            close = difflib.get_close_matches(value, list(known), n=3, cutoff=0.6)
            hint = f"did you mean {', '.join(close)}?" if close else f"not in {where}"
        r.bad(column, f"unknown {what} {value!r}; {hint}")
    return value


def _place(r: _Row, table: str) -> tuple[str, Point | None]:
    addr, lat, lon = PLACE_COLUMNS[table]
    point = r.point(lat, lon)
    address = r.get(addr)
    if not address and not r.get(lat) and not r.get(lon):
        r.bad(addr, f"is empty and so are {lat} and {lon}; give an address or lat+lon")
    return address, point


def _weekdays(r: _Row, column: str) -> tuple[Weekday, ...]:
    """Weekdays like ``ma,di,wo``, ``mon-fri``, ``ma t/m vr``; empty = Monday to Friday."""
    text = r.get(column).lower()
    if not text:
        return WORKDAYS
    if text in NO_WEEKDAYS:
        return ()
    days: set[Weekday] = set()
    errors = False
    for part in re.split(r"[,;/\s]+", _DAY_RANGE.sub("-", text)):
        if not part:
            continue
        try:
            if "-" in part:
                a, _, b = part.partition("-")
                lo, hi = Weekday.parse(a), Weekday.parse(b)
                if lo.index > hi.index:
                    r.bad(column, f"{part!r} runs backwards; expected a range like ma-vr")
                    errors = True
                    continue
                days.update(d for d in Weekday if lo.index <= d.index <= hi.index)
            else:
                days.add(Weekday.parse(part))
        except ValueError:
            r.bad(
                column,
                f"{part!r} is not a weekday or range; expected e.g. 'ma,di,wo', 'ma-vr', "
                "'mon-fri' or 'geen'",
            )
            errors = True
    if not days and not errors:
        r.bad(column, f"{text!r} names no weekday; expected e.g. 'ma-vr', or 'geen' for none")
    return tuple(sorted(days, key=lambda d: d.index))


def _pool_of(settings: Settings, org_ids: Iterable[str]) -> dict[str, tuple[str, frozenset[str]]]:
    """Organisation -> (pool name, members), as :func:`vervoer.routing.planner.pools_for`."""
    orgs = list(org_ids)
    if not settings.pools:
        everyone = frozenset(orgs)
        return {o: ("all", everyone) for o in orgs}
    out: dict[str, tuple[str, frozenset[str]]] = {}
    for pool in settings.pools:
        members = frozenset(o for o in pool.organisations if o not in out)
        for o in members:
            out[o] = (pool.name, members)
    for o in orgs:
        out.setdefault(o, (o, frozenset({o})))
    return out


def _check_pools(settings: Settings, org_ids: set[str] | None, file: str) -> list[Problem]:
    problems = []
    first_pool: dict[str, str] = {}
    for pool in settings.pools:
        where = f"pools.{pool.name}"
        for o in dict.fromkeys(pool.organisations):
            if org_ids is not None and o not in org_ids:
                problems.append(
                    Problem(
                        file,
                        None,
                        where,
                        f"unknown organisation {o!r}; expected ids from organisations: "
                        f"{', '.join(sorted(org_ids)) or '(none)'}",
                    )
                )
            elif o in first_pool:
                problems.append(
                    Problem(
                        file,
                        None,
                        where,
                        f"organisation {o!r} is already in pool {first_pool[o]!r}; "
                        "an organisation can be in one pool only",
                    )
                )
            else:
                first_pool[o] = pool.name
    return problems


def _build(
    path: Path,
    tables: Mapping[str, _Table],
    settings: Settings,
    settings_name: str,
    problems: list[Problem],
) -> Scenario | None:
    for t in ("organisations", "locations", "participants", "vehicles"):
        _unique(tables[t])
    org_ids = tables["organisations"].ids()
    loc_ids = tables["locations"].ids()
    person_ids = tables["participants"].ids()
    problems.extend(_check_pools(settings, org_ids, settings_name))
    orgs_file = tables["organisations"].name

    def org(r: _Row) -> str:
        return _reference(r, "organisation", org_ids, "organisation", orgs_file)

    organisations = [
        r.make(Organisation, id=r.required("id"), name=r.required("name"))
        for r in tables["organisations"].rows
    ]

    locations = []
    for r in tables["locations"].rows:
        address, point = _place(r, "locations")
        locations.append(
            r.make(
                Location,
                id=r.required("id"),
                name=r.required("name"),
                organisation=org(r),
                address=address,
                point=point,
            )
        )

    participants = []
    for r in tables["participants"].rows:
        address, point = _place(r, "participants")
        seats = r.number(
            "seats",
            1,
            integer=True,
            minimum=1,
            expected="a whole number of 1 or more (2 = with an escort)",
        )
        max_ride = r.number("max_ride_min", None, minimum=1, expected="minutes, at least 1")
        participants.append(
            r.make(
                Participant,
                id=r.required("id"),
                name=r.required("name"),
                organisation=org(r),
                address=address,
                point=point,
                wheelchair=r.yes_no("wheelchair"),
                seats=int(seats or 1),
                walker=r.yes_no("walker"),
                boarding_min=r.number("boarding_min", None, expected="minutes, 0 or more"),
                max_ride_min=max_ride,
                notes=r.get("notes"),
            )
        )

    euros = "an amount in euros of 0 or more, like 42 or 0,32"
    vehicles = []
    for r in tables["vehicles"].rows:
        address, point = _place(r, "vehicles")
        seats = r.number("seats", None, integer=True, minimum=0, required=True)
        if seats is not None and seats < 1:
            r.bad("seats", f"{r.get('seats')!r}: a vehicle needs at least 1 seat")
        start = r.clock("shift_start", 7 * 60)
        end = r.clock("shift_end", 18 * 60)
        if start is not None and end is not None and end <= start:
            r.bad(
                "shift_end",
                f"{r.get('shift_end') or '18:00'} is not after shift_start "
                f"{r.get('shift_start') or '07:00'}; expected the end of the shift (HH:MM)",
            )
            end = start + 1
        vehicles.append(
            r.make(
                Vehicle,
                id=r.required("id"),
                name=r.get("name"),
                organisation=org(r),
                depot_address=address,
                depot=point,
                seats=max(1, int(seats or 1)),
                wheelchair_places=int(r.number("wheelchair_places", 0, integer=True) or 0),
                weekdays=_weekdays(r, "weekdays"),
                shift_start=start or 0,
                shift_end=end or 1,
                cost_per_hour=r.number("cost_per_hour", 0.0, expected=euros) or 0.0,
                cost_per_km=r.number("cost_per_km", 0.0, expected=euros) or 0.0,
                fixed_cost=r.number("fixed_cost", 0.0, expected=euros) or 0.0,
            )
        )

    attendance = []
    first_day: dict[tuple[str, Weekday], int] = {}
    people_file, places_file = tables["participants"].name, tables["locations"].name
    for r in tables["attendance"].rows:
        pid = _reference(r, "participant", person_ids, "participant", people_file)
        loc = _reference(r, "location", loc_ids, "location", places_file)
        day = None
        if r.required("weekday"):
            try:
                day = Weekday.parse(r.get("weekday"))
            except ValueError as exc:
                r.bad("weekday", str(exc))
        arrive, depart = r.clock("arrive_by"), r.clock("depart_at")
        need = RIDES.get(_ride_key(r.get("rides")))
        if need is None:
            r.bad(
                "rides",
                f"{r.get('rides')!r} is not a kind of ride; expected both, heen, terug or "
                "none (beide / alleen heen / alleen terug / zelfstandig)",
            )
        if day is not None and pid:
            if (pid, day) in first_day:
                r.bad(
                    "weekday",
                    f"participant {pid!r} already has {day.value} ({day.dutch}) in row "
                    f"{first_day[pid, day]}; one row per participant and weekday",
                )
            else:
                first_day[pid, day] = r.row
        if arrive is not None and depart is not None and depart <= arrive:
            r.bad(
                "depart_at",
                f"{r.get('depart_at')} is not after arrive_by {r.get('arrive_by')}; "
                "expected the time of the pickup after the day activity",
            )
            continue
        if day is None or arrive is None or depart is None or need is None or not pid or not loc:
            continue
        attendance.append(
            r.make(
                Attendance,
                participant=pid,
                weekday=day,
                location=loc,
                arrive_by=arrive,
                depart_at=depart,
                rides=need,
            )
        )

    # a participant in a wheelchair needs a vehicle with a wheelchair place in their pool
    # (own mode may still leave such rides unassigned; the planner reports those per ride)
    if org_ids is not None and tables["vehicles"].usable:
        with_place = {v.organisation for v in vehicles if v is not None and v.wheelchair_places}
        pool_of = _pool_of(settings, org_ids)
        for r, p in zip(tables["participants"].rows, participants, strict=True):
            if p is None or not p.wheelchair or p.organisation not in pool_of:
                continue
            pool, members = pool_of[p.organisation]
            if members.isdisjoint(with_place):
                where = "any organisation" if not settings.pools else f"pool {pool!r}"
                r.bad(
                    "wheelchair",
                    f"{p.id} uses a wheelchair, but no vehicle in {where} "
                    f"({', '.join(sorted(members))}) has a wheelchair place; expected a "
                    "vehicle with wheelchair_places of 1 or more",
                )
    if problems:
        return None
    return Scenario(
        name=path.name if path.is_dir() else path.stem,
        organisations=tuple(o for o in organisations if o is not None),
        locations=tuple(loc for loc in locations if loc is not None),
        participants=tuple(p for p in participants if p is not None),
        attendance=tuple(a for a in attendance if a is not None),
        vehicles=tuple(v for v in vehicles if v is not None),
        settings=settings,
        source=path,
    )


# ----------------------------------------------------------------------------- writing


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _num(x: float | None) -> str:
    if x is None:
        return ""
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _coord(p: Point | None) -> tuple[str, str]:
    return ("", "") if p is None else (repr(p.lat), repr(p.lon))


def _yes(flag: bool) -> str:
    return "ja" if flag else "nee"


def _toml(value: object) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a valid TOML basic string
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def settings_toml(settings: Settings) -> str:
    """The TOML text of the settings that differ from the defaults (pools as ``[pools]``)."""
    default = Settings()
    lines = []
    for f in fields(Settings):
        value = getattr(settings, f.name)
        if f.name != "pools" and value != getattr(default, f.name):
            lines.append(f"{f.name} = {_toml(value)}")
    if settings.pools:
        lines.append("\n[pools]" if lines else "[pools]")
        lines.extend(
            f"{_toml(p.name)} = [{', '.join(_toml(o) for o in p.organisations)}]"
            for p in settings.pools
        )
    return "\n".join(lines) + "\n" if lines else ""


HEADERS: dict[str, list[str]] = {
    "organisations": ["id", "name"],
    "locations": ["id", "name", "organisation", "address", "lat", "lon"],
    "participants": [
        "id",
        "name",
        "organisation",
        "address",
        "lat",
        "lon",
        "wheelchair",
        "seats",
        "walker",
        "boarding_min",
        "max_ride_min",
        "notes",
    ],
    "attendance": ["participant", "weekday", "location", "arrive_by", "depart_at", "rides"],
    "vehicles": [
        "id",
        "name",
        "organisation",
        "depot_address",
        "depot_lat",
        "depot_lon",
        "seats",
        "wheelchair_places",
        "weekdays",
        "shift_start",
        "shift_end",
        "cost_per_hour",
        "cost_per_km",
        "fixed_cost",
    ],
}


def write_scenario(scenario: Scenario, folder: Path | str) -> None:
    """Write a scenario as a folder of CSV files plus ``settings.toml``.

    The five CSV files are comma-separated UTF-8 with the canonical headers of
    :data:`HEADERS`, times as ``HH:MM`` and weekdays as Dutch abbreviations; ``settings.toml``
    holds only the settings that differ from the defaults (and is removed when none do).
    Every file is written atomically. ``read_scenario(folder)`` gives back an equal
    scenario, apart from ``source`` (and ``name``, which is the folder's name).

    Parameters
    ----------
    scenario
        The scenario to write.
    folder
        The target folder; created if needed. Existing scenario files are replaced.
    """
    folder = Path(folder)
    rows: dict[str, Iterable[Iterable[object]]] = {
        "organisations": ((o.id, o.name) for o in scenario.organisations),
        "locations": (
            (loc.id, loc.name, loc.organisation, loc.address, *_coord(loc.point))
            for loc in scenario.locations
        ),
        "participants": (
            (
                p.id,
                p.name,
                p.organisation,
                p.address,
                *_coord(p.point),
                _yes(p.wheelchair),
                p.seats,
                _yes(p.walker),
                _num(p.boarding_min),
                _num(p.max_ride_min),
                p.notes,
            )
            for p in scenario.participants
        ),
        "attendance": (
            (
                a.participant,
                a.weekday.dutch,
                a.location,
                _hhmm(a.arrive_by),
                _hhmm(a.depart_at),
                a.rides.value,
            )
            for a in scenario.attendance
        ),
        "vehicles": (
            (
                v.id,
                v.name,
                v.organisation,
                v.depot_address,
                *_coord(v.depot),
                v.seats,
                v.wheelchair_places,
                ",".join(d.dutch for d in v.weekdays) or "geen",
                _hhmm(v.shift_start),
                _hhmm(v.shift_end),
                _num(v.cost_per_hour),
                _num(v.cost_per_km),
                _num(v.fixed_cost),
            )
            for v in scenario.vehicles
        ),
    }
    for table in TABLES:
        write_csv(folder / f"{table}.csv", HEADERS[table], rows[table])
    text = settings_toml(scenario.settings)
    target = folder / "settings.toml"
    if text:
        write_text(target, text)
    else:
        target.unlink(missing_ok=True)
