"""Read a coordinator's scenario (CSV folder or XLSX workbook) into validated model objects.

Every problem of every file is collected (file, row, field, what is wrong, what is
expected) and raised once as :class:`~vervoer.errors.InputError`; nothing is planned on
half-valid data. Rows are numbered as a spreadsheet shows them: the header is row 1.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from pathlib import Path

from vervoer._atomic import atomic_open
from vervoer.errors import InputError, Problem
from vervoer.model import (
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
from vervoer.settings import Settings

TABLES = ("organisations", "locations", "participants", "attendance", "vehicles")

# column -> accepted header names (lower case); the first is the canonical name
COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "organisations": {"id": ("id", "code"), "name": ("name", "naam")},
    "locations": {
        "id": ("id", "code"),
        "name": ("name", "naam"),
        "organisation": ("organisation", "organization", "organisatie", "org"),
        "address": ("address", "adres"),
        "lat": ("lat", "latitude", "breedtegraad"),
        "lon": ("lon", "lng", "longitude", "lengtegraad"),
    },
    "participants": {
        "id": ("id", "code", "nummer"),
        "name": ("name", "naam"),
        "organisation": ("organisation", "organization", "organisatie", "org"),
        "address": ("address", "adres"),
        "lat": ("lat", "latitude", "breedtegraad"),
        "lon": ("lon", "lng", "longitude", "lengtegraad"),
        "wheelchair": ("wheelchair", "rolstoel"),
        "seats": ("seats", "stoelen", "plaatsen"),
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
        "organisation": ("organisation", "organization", "organisatie", "org"),
        "depot_address": ("depot_address", "depot_adres", "standplaats"),
        "depot_lat": ("depot_lat",),
        "depot_lon": ("depot_lon", "depot_lng"),
        "seats": ("seats", "stoelen", "zitplaatsen"),
        "wheelchair_places": ("wheelchair_places", "rolstoelplaatsen"),
        "weekdays": ("weekdays", "days", "dagen"),
        "shift_start": ("shift_start", "dienst_start"),
        "shift_end": ("shift_end", "dienst_einde"),
        "cost_per_hour": ("cost_per_hour", "kosten_per_uur"),
        "cost_per_km": ("cost_per_km", "kosten_per_km"),
        "fixed_cost": ("fixed_cost", "vaste_kosten"),
    },
}
REQUIRED = {
    "organisations": ("id", "name"),
    "locations": ("id", "name", "organisation"),
    "participants": ("id", "name", "organisation"),
    "attendance": ("participant", "weekday", "location", "arrive_by", "depart_at"),
    "vehicles": ("id", "organisation", "seats"),
}
YES = {"yes", "ja", "j", "y", "true", "waar", "1", "x"}
NO = {"no", "nee", "n", "false", "onwaar", "0", ""}
RIDES = {
    "both": RideNeed.BOTH,
    "beide": RideNeed.BOTH,
    "heen en terug": RideNeed.BOTH,
    "": RideNeed.BOTH,
    "heen": RideNeed.HEEN,
    "to_location": RideNeed.HEEN,
    "to location": RideNeed.HEEN,
    "heen only": RideNeed.HEEN,
    "alleen heen": RideNeed.HEEN,
    "terug": RideNeed.TERUG,
    "home": RideNeed.TERUG,
    "home_only": RideNeed.TERUG,
    "home only": RideNeed.TERUG,
    "alleen terug": RideNeed.TERUG,
    "none": RideNeed.NONE,
    "geen": RideNeed.NONE,
    "zelfstandig": RideNeed.NONE,
    "independent": RideNeed.NONE,
    "nee": RideNeed.NONE,
}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_TIME = re.compile(r"^\s*(\d{1,2})[:.](\d{2})(?::00)?\s*$")


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


@dataclass(slots=True)
class _Row:
    file: str
    row: int
    values: dict[str, str]
    problems: list[Problem]

    def get(self, column: str) -> str:
        return self.values.get(column, "").strip()

    def bad(self, column: str, message: str) -> None:
        self.problems.append(Problem(self.file, self.row, column, message))

    def required(self, column: str) -> str:
        value = self.get(column)
        if not value:
            self.bad(column, "is empty; a value is required")
        return value

    def number(
        self, column: str, default: float | None, *, integer: bool = False, minimum: float = 0.0
    ) -> float | None:
        text = self.get(column)
        if not text:
            return default
        try:
            value = float(text.replace(",", "."))
        except ValueError:
            self.bad(column, f"{text!r} is not a number")
            return default
        if integer and value != int(value):
            self.bad(column, f"{text!r} must be a whole number")
            return default
        if value < minimum or value != value or value in (float("inf"), float("-inf")):
            self.bad(column, f"{text!r} must be {minimum:g} or more")
            return default
        if value > 1e9:
            self.bad(column, f"{text!r} is too large")
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
        text = self.get(column)
        if not text:
            if default is None:
                self.bad(column, "is empty; expected a time HH:MM")
            return default
        m = _TIME.match(text)
        if m and int(m.group(1)) < 24 and int(m.group(2)) < 60:
            return int(m.group(1)) * 60 + int(m.group(2))
        self.bad(column, f"{text!r} is not a time; expected HH:MM (00:00-23:59)")
        return default

    def point(self, lat_col: str, lon_col: str) -> Point | None:
        lat, lon = self.get(lat_col), self.get(lon_col)
        if not lat and not lon:
            return None
        if not lat or not lon:
            self.bad(lat_col if not lat else lon_col, "give both lat and lon, or neither")
            return None
        try:
            return Point(float(lat.replace(",", ".")), float(lon.replace(",", ".")))
        except ValueError:
            self.bad(
                lat_col, f"({lat}, {lon}) is not a WGS84 position (lat -90..90, lon -180..180)"
            )
            return None


def _unquote(text: str) -> str:
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_START:
        return text[1:]
    return text


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.date() == dt.date(1899, 12, 30) or value.date() == dt.date(1900, 1, 1):
            return value.strftime("%H:%M")
        return value.isoformat(sep=" ")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _unquote(str(value))


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _read_csv(path: Path) -> list[list[str]]:
    text = _decode(path.read_bytes())
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    if first.count("\t") > max(first.count(";"), first.count(",")):
        delimiter = "\t"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return [[_unquote(c) for c in row] for row in reader]


def _read_xlsx(path: Path) -> dict[str, list[list[str]]]:
    import zipfile

    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise InputError(f"not a readable .xlsx workbook ({exc})", file=path.name) from None
    out = {}
    for ws in wb.worksheets:
        rows = [[_cell(v) for v in row] for row in ws.iter_rows(values_only=True)]
        out[ws.title.strip().lower()] = rows
    wb.close()
    return out


def _rows(name: str, table: str, raw: list[list[str]], problems: list[Problem]) -> list[_Row]:
    """Map header aliases to canonical columns and yield non-empty rows."""
    raw = [r for r in raw if any(c.strip() for c in r)] if raw else []
    if not raw:
        problems.append(Problem(name, None, None, "the file is empty; expected a header row"))
        return []
    header = [h.strip().lower().replace(" ", "_").lstrip("\ufeff") for h in raw[0]]
    aliases = COLUMNS[table]
    col_of: dict[int, str] = {}
    for i, h in enumerate(header):
        for canon, names in aliases.items():
            if h in names:
                col_of[i] = canon
    present = set(col_of.values())
    missing = [c for c in REQUIRED[table] if c not in present]
    if (
        table in ("locations", "participants")
        and "address" not in present
        and not ({"lat", "lon"} <= present)
    ):
        missing.append("address or lat+lon")
    if (
        table == "vehicles"
        and "depot_address" not in present
        and not ({"depot_lat", "depot_lon"} <= present)
    ):
        missing.append("depot_address or depot_lat+depot_lon")
    if missing:
        problems.append(
            Problem(
                name,
                1,
                ", ".join(missing),
                f"missing column(s); found {', '.join(h for h in header if h) or 'none'}; "
                f"expected {', '.join(REQUIRED[table])}",
            )
        )
        return []
    out = []
    start = 2
    for offset, row in enumerate(raw[1:]):
        values = {col_of[i]: (row[i] if i < len(row) else "") for i in col_of}
        out.append(_Row(name, start + offset, values, problems))
    return out


def _unique(rows: Iterable[_Row], key: Callable[[_Row], str], column: str) -> None:
    first: dict[str, int] = {}
    for r in rows:
        k = key(r)
        if not k:
            continue
        if k in first:
            r.bad(column, f"{k!r} occurs twice (first in row {first[k]}); ids must be unique")
        else:
            first[k] = r.row


def _weekdays(r: _Row, column: str) -> tuple[Weekday, ...]:
    text = r.get(column).lower()
    if not text:
        return WORKDAYS
    days: list[Weekday] = []
    for part in re.split(r"[,;/\s]+", text):
        if not part:
            continue
        if "-" in part:
            a, _, b = part.partition("-")
            try:
                lo, hi = Weekday.parse(a).index, Weekday.parse(b).index
            except ValueError:
                r.bad(column, f"{part!r} is not a range of weekdays like ma-vr or mon-fri")
                continue
            days.extend(d for d in Weekday if lo <= d.index <= hi)
            continue
        try:
            days.append(Weekday.parse(part))
        except ValueError as exc:
            r.bad(column, str(exc))
    return tuple(sorted(set(days), key=lambda d: d.index))


def read_scenario(path: Path) -> Scenario:
    """Read and validate a scenario folder of CSV files, or one .xlsx workbook.

    Parameters
    ----------
    path
        A folder with ``organisations.csv``, ``locations.csv``, ``participants.csv``,
        ``attendance.csv``, ``vehicles.csv`` and optionally ``settings.toml``; or an
        ``.xlsx`` workbook with a sheet per table (``settings.toml`` may lie next to it).

    Returns
    -------
    Scenario

    Raises
    ------
    InputError
        With every problem found, each naming file, row and field.
    """
    path = Path(path)
    problems: list[Problem] = []
    raw: dict[str, list[list[str]]] = {}
    names: dict[str, str] = {}
    if path.is_dir():
        for table in TABLES:
            f = path / f"{table}.csv"
            names[table] = f.name
            if not f.is_file():
                problems.append(Problem(f.name, None, None, f"file missing in {path}"))
                continue
            raw[table] = _read_csv(f)
        settings_file = path / "settings.toml"
    elif path.suffix.lower() == ".xlsx":
        sheets = _read_xlsx(path)
        for table in TABLES:
            names[table] = f"{path.name} [{table}]"
            if table not in sheets:
                problems.append(Problem(path.name, None, None, f"sheet {table!r} is missing"))
                continue
            raw[table] = sheets[table]
        settings_file = path.with_name("settings.toml")
    else:
        raise InputError(
            "expected a scenario folder of CSV files or an .xlsx workbook", file=path.name
        )
    settings = Settings()
    if settings_file.is_file():
        try:
            settings = Settings.from_toml(settings_file)
        except InputError as exc:
            problems.extend(exc.problems)
    rows = {t: _rows(names[t], t, raw[t], problems) for t in TABLES if t in raw}
    scenario = _build(path, rows, settings, problems)
    if problems or scenario is None:
        raise InputError(problems)
    return scenario


def _build(
    path: Path, rows: dict[str, list[_Row]], settings: Settings, problems: list[Problem]
) -> Scenario | None:
    for table in ("organisations", "locations", "participants", "vehicles"):
        _unique(rows.get(table, []), lambda r: r.get("id"), "id")
    orgs = [
        Organisation(id=r.required("id"), name=r.required("name"))
        for r in rows.get("organisations", [])
    ]
    org_ids = {o.id for o in orgs}
    for pool in settings.pools:
        for o in pool.organisations:
            if orgs and o not in org_ids:
                problems.append(
                    Problem(
                        "settings.toml",
                        None,
                        f"pools.{pool.name}",
                        f"unknown organisation {o!r}; known: {sorted(org_ids)}",
                    )
                )

    def org_ref(r: _Row) -> str:
        value = r.required("organisation")
        if value and org_ids and value not in org_ids:
            r.bad(
                "organisation",
                f"unknown organisation {value!r}; expected one of {', '.join(sorted(org_ids))}",
            )
        return value

    def place(r: _Row, addr: str, lat: str, lon: str) -> tuple[str, Point | None]:
        point = r.point(lat, lon)
        address = r.get(addr)
        if point is None and not address and r.get(lat) == "" and r.get(lon) == "":
            r.bad(addr, "give an address or lat+lon")
        return address, point

    locations = []
    for r in rows.get("locations", []):
        address, point = place(r, "address", "lat", "lon")
        locations.append(
            Location(
                id=r.required("id"),
                name=r.required("name"),
                organisation=org_ref(r),
                address=address,
                point=point,
            )
        )
    loc_ids = {loc.id for loc in locations}

    participants = []
    for r in rows.get("participants", []):
        address, point = place(r, "address", "lat", "lon")
        seats = r.number("seats", 1, integer=True, minimum=1)
        boarding = r.number("boarding_min", None)
        max_ride = r.number("max_ride_min", None)
        if max_ride is not None and max_ride < 1:
            r.bad("max_ride_min", "must be at least 1 minute")
            max_ride = None
        participants.append(
            Participant(
                id=r.required("id"),
                name=r.required("name"),
                organisation=org_ref(r),
                address=address,
                point=point,
                wheelchair=r.yes_no("wheelchair"),
                seats=int(seats or 1),
                walker=r.yes_no("walker"),
                boarding_min=boarding,
                max_ride_min=max_ride,
                notes=r.get("notes"),
            )
        )
    people = {p.id: p for p in participants}

    vehicles = []
    for r in rows.get("vehicles", []):
        address, point = place(r, "depot_address", "depot_lat", "depot_lon")
        seats = r.number("seats", None, integer=True, minimum=0)
        if seats is not None and seats < 1:
            r.bad("seats", f"{r.get('seats')!r}: a vehicle needs at least 1 seat")
        start = r.clock("shift_start", 7 * 60)
        end = r.clock("shift_end", 18 * 60)
        if start is not None and end is not None and end <= start:
            r.bad(
                "shift_end", f"{r.get('shift_end')} is not after shift_start {r.get('shift_start')}"
            )
            end = start + 1
        try:
            vehicles.append(
                Vehicle(
                    id=r.required("id"),
                    name=r.get("name"),
                    organisation=org_ref(r),
                    depot_address=address,
                    depot=point,
                    seats=max(1, int(seats or 1)),
                    wheelchair_places=int(r.number("wheelchair_places", 0, integer=True) or 0),
                    weekdays=_weekdays(r, "weekdays"),
                    shift_start=start or 0,
                    shift_end=end or 1,
                    cost_per_hour=r.number("cost_per_hour", 0.0) or 0.0,
                    cost_per_km=r.number("cost_per_km", 0.0) or 0.0,
                    fixed_cost=r.number("fixed_cost", 0.0) or 0.0,
                )
            )
        except ValueError as exc:
            r.bad("id", str(exc))

    attendance = []
    seen: dict[tuple[str, Weekday], int] = {}
    for r in rows.get("attendance", []):
        pid = r.required("participant")
        if pid and people and pid not in people:
            r.bad("participant", f"unknown participant {pid!r}")
        loc = r.required("location")
        if loc and loc_ids and loc not in loc_ids:
            r.bad(
                "location",
                f"unknown location {loc!r}; expected one of {', '.join(sorted(loc_ids))}",
            )
        day = None
        try:
            day = Weekday.parse(r.required("weekday")) if r.get("weekday") else None
        except ValueError as exc:
            r.bad("weekday", str(exc))
        arrive, depart = r.clock("arrive_by"), r.clock("depart_at")
        need = RIDES.get(r.get("rides").lower())
        if need is None:
            r.bad(
                "rides",
                f"{r.get('rides')!r}: expected both, heen, terug or none "
                "(beide / alleen heen / alleen terug / zelfstandig)",
            )
        if day is not None and pid:
            if (pid, day) in seen:
                r.bad("weekday", f"{pid} already has {day.value} in row {seen[pid, day]}")
            seen.setdefault((pid, day), r.row)
        if arrive is not None and depart is not None and depart <= arrive:
            r.bad("depart_at", f"{r.get('depart_at')} is not after arrive_by {r.get('arrive_by')}")
            continue
        if None in (day, arrive, depart, need) or not pid or not loc:
            continue
        attendance.append(
            Attendance(
                participant=pid,
                weekday=day,
                location=loc,  # type: ignore[arg-type]
                arrive_by=arrive,
                depart_at=depart,
                rides=need,
            )
        )  # type: ignore[arg-type]

    # a participant in a wheelchair needs a vehicle with a wheelchair place in their pool
    pools = settings.pools
    for r in rows.get("participants", []):
        p = people.get(r.get("id"))
        if p is None or not p.wheelchair:
            continue
        members = next(
            (set(pl.organisations) for pl in pools if p.organisation in pl.organisations),
            {p.organisation} if pools else org_ids,
        )
        if not any(v.wheelchair_places > 0 and v.organisation in members for v in vehicles):
            r.bad(
                "wheelchair",
                f"{p.id} needs a wheelchair place, but no vehicle of "
                f"{', '.join(sorted(members))} has one",
            )
    if problems:
        return None
    return Scenario(
        name=path.stem if path.suffix else path.name,
        organisations=tuple(orgs),
        locations=tuple(locations),
        participants=tuple(participants),
        attendance=tuple(attendance),
        vehicles=tuple(vehicles),
        settings=settings,
        source=path,
    )


# ----------------------------------------------------------------------------- writing


def safe_cell(value: object) -> str:
    """Text for a spreadsheet cell, neutralised against formula injection."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def write_csv(path: Path, header: list[str], rows: Iterable[Iterable[object]]) -> None:
    """Write a CSV file atomically (UTF-8, comma), neutralising formula-like cells."""
    with atomic_open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for row in rows:
            w.writerow([safe_cell(c) for c in row])


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _num(x: float | None) -> str:
    if x is None:
        return ""
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _coord(p: Point | None) -> tuple[str, str]:
    return ("", "") if p is None else (repr(p.lat), repr(p.lon))


def write_scenario(scenario: Scenario, folder: Path) -> None:
    """Write a scenario as a folder of CSV files (+ settings.toml) that reads back equal."""
    folder = Path(folder)
    write_csv(
        folder / "organisations.csv",
        ["id", "name"],
        ((o.id, o.name) for o in scenario.organisations),
    )
    write_csv(
        folder / "locations.csv",
        ["id", "name", "organisation", "address", "lat", "lon"],
        (
            (loc.id, loc.name, loc.organisation, loc.address, *_coord(loc.point))
            for loc in scenario.locations
        ),
    )
    write_csv(
        folder / "participants.csv",
        [
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
        (
            (
                p.id,
                p.name,
                p.organisation,
                p.address,
                *_coord(p.point),
                "ja" if p.wheelchair else "nee",
                p.seats,
                "ja" if p.walker else "nee",
                _num(p.boarding_min),
                _num(p.max_ride_min),
                p.notes,
            )
            for p in scenario.participants
        ),
    )
    write_csv(
        folder / "attendance.csv",
        ["participant", "weekday", "location", "arrive_by", "depart_at", "rides"],
        (
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
    )
    write_csv(
        folder / "vehicles.csv",
        [
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
        (
            (
                v.id,
                v.name,
                v.organisation,
                v.depot_address,
                *_coord(v.depot),
                v.seats,
                v.wheelchair_places,
                ",".join(d.dutch for d in v.weekdays),
                _hhmm(v.shift_start),
                _hhmm(v.shift_end),
                _num(v.cost_per_hour),
                _num(v.cost_per_km),
                _num(v.fixed_cost),
            )
            for v in scenario.vehicles
        ),
    )
    lines = []
    default = Settings()
    for f in fields(Settings):
        value = getattr(scenario.settings, f.name)
        if f.name == "pools" or value == getattr(default, f.name):
            continue
        lines.append(f"{f.name} = {_toml(value)}")
    if scenario.settings.pools:
        lines.append("\n[pools]")
        for pool in scenario.settings.pools:
            lines.append(
                f"{_toml(pool.name)} = [{', '.join(_toml(o) for o in pool.organisations)}]"
            )
    target = folder / "settings.toml"
    if lines:
        target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    elif target.exists():
        target.unlink()


def _toml(value: object) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return repr(value)
