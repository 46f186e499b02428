"""Read a scenario folder of CSV files, or one xlsx workbook, into a validated scenario.

CSV files may be UTF-8 (with or without BOM) or cp1252, separated by ``,``, ``;`` or tabs.
A workbook has a sheet per table and may have a ``settings`` sheet of key/value rows.
The optional tables (``rules``, ``changes``, ``locks``) may be left out, or be an empty
file or sheet: no rules, changes or locks.
Settings otherwise come from a ``settings.toml`` in the folder (or next to the workbook).
Every problem is collected and raised once, sorted by file and row.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from vervoer.core.errors import InputError, Problem
from vervoer.core.files import unquote_cell
from vervoer.core.settings import Settings

from .build import build_scenario
from .cells import parse_number, xlsx_text
from .rows import Table, table_rows
from .schema import OPTIONAL_TABLES, SETTINGS_HEADER, TABLE_NAMES, TABLES, Scenario

__all__ = ["read_scenario", "read_tables"]


@dataclass(slots=True)
class _Source:
    """What a folder or workbook holds, before validation."""

    #: table -> file (or ``workbook [sheet]``) name, as problems name it
    names: dict[str, str] = field(default_factory=dict)
    #: table -> rows of cell texts; absent when the file or sheet is missing or unreadable
    raw: dict[str, list[list[str]] | None] = field(default_factory=dict)
    #: the settings.toml to read, if any
    settings_file: Path | None = None
    settings: Settings = field(default_factory=Settings)
    settings_name: str = "settings.toml"


def read_scenario(path: Path | str) -> Scenario:
    """Read and validate a scenario folder of CSV files, or one .xlsx workbook.

    Parameters
    ----------
    path
        A folder with ``organisations.csv``, ``locations.csv``, ``participants.csv``,
        ``attendance.csv``, ``vehicles.csv`` and optionally ``rules.csv``, ``changes.csv``,
        ``locks.csv`` and ``settings.toml``; or an ``.xlsx`` workbook with a sheet per
        table. A workbook takes its settings from a ``settings`` sheet (key/value rows;
        ``pools.<name>`` lists organisation ids) or, without that sheet, from a
        ``settings.toml`` next to it.

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
    if not path.exists():
        raise InputError(
            f"not found; expected a scenario folder of CSV files or an .xlsx workbook ({path})",
            file=path.name,
        )
    if path.is_dir():
        source = _folder(path, problems)
    elif path.suffix.lower() == ".xlsx":
        source = _workbook(path, problems)
    else:
        raise InputError(
            f"expected a scenario folder of CSV files or an .xlsx workbook, not "
            f"{path.suffix or 'this file'} (for .xls or .ods: save as .xlsx)",
            file=path.name,
        )
    if source.settings_file is not None and source.settings_file.is_file():
        source.settings_name = source.settings_file.name
        try:
            source.settings = Settings.from_toml(source.settings_file)
        except InputError as exc:
            problems.extend(exc.problems)
    names = source.names
    tables = {
        t: table_rows(names[t], t, rows, problems)
        if (rows := source.raw.get(t)) is not None
        else Table(names[t], [], usable=False)
        for t in TABLES
    }
    for t in OPTIONAL_TABLES:
        rows = source.raw.get(t)
        if rows is not None and any(c.strip() for row in rows for c in row):
            tables[t] = table_rows(names[t], t, rows, problems)
        else:
            tables[t] = Table(names[t], [])  # left out or empty: no rows
    scenario = build_scenario(path, tables, source.settings, source.settings_name, problems)
    if problems or scenario is None:
        order = {name: i for i, name in enumerate([*names.values(), source.settings_name])}
        problems.sort(key=lambda p: (order.get(p.file, -1), p.row or 0))
        raise InputError(problems)
    return scenario


def read_tables(path: Path | str) -> dict[str, tuple[str, list[list[str]] | None]]:
    """The cell texts of every table of a scenario folder or workbook, not validated.

    For showing the files as they are (the web app's tables); :func:`read_scenario`
    validates them.

    Parameters
    ----------
    path
        A scenario folder or an ``.xlsx`` workbook.

    Returns
    -------
    dict
        table -> (the file or sheet name problems use, the rows including the header; None
        when the file or sheet is missing or unreadable).

    Raises
    ------
    InputError
        When ``path`` is neither a folder nor a readable workbook.
    """
    path = Path(path)
    problems: list[Problem] = []
    if path.is_dir():
        source = _folder(path, problems)
    elif path.suffix.lower() == ".xlsx" and path.is_file():
        source = _workbook(path, problems)
    else:
        raise InputError(
            "expected a scenario folder of CSV files or an .xlsx workbook", file=path.name
        )
    return {t: (source.names[t], source.raw.get(t)) for t in (*TABLES, *OPTIONAL_TABLES)}


def _find(table: str, exists: Callable[[str], bool]) -> str | None:
    """The first accepted name of ``table`` for which ``exists`` holds."""
    return next((n for n in TABLE_NAMES[table] if exists(n)), None)


# ----------------------------------------------------------------------------- folder


def _folder(path: Path, problems: list[Problem]) -> _Source:
    """The CSV files of a scenario folder; a missing file is a problem (unless optional)."""
    source = _Source(settings_file=path / "settings.toml")
    for table in (*TABLES, *OPTIONAL_TABLES):
        found = _find(table, lambda n: (path / f"{n}.csv").is_file())
        source.names[table] = name = f"{found or table}.csv"
        if found is None:
            if table not in OPTIONAL_TABLES:
                problems.append(Problem(name, None, None, f"file missing; expected it in {path}"))
            continue
        source.raw[table] = _read_csv(path / name, problems)
    return source


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


# ----------------------------------------------------------------------------- workbook


def _workbook(path: Path, problems: list[Problem]) -> _Source:
    """The sheets of a workbook; a missing sheet is a problem (unless optional), a settings
    sheet is read."""
    sheets = _read_xlsx(path)
    source = _Source(settings_file=path.with_name("settings.toml"))
    for table in (*TABLES, *OPTIONAL_TABLES):
        found = _find(table, lambda n: n in sheets)
        source.names[table] = f"{path.name} [{found or table}]"
        if found is None and table in OPTIONAL_TABLES:
            continue
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
        source.raw[table] = sheets[found]
    if "settings" in sheets:
        source.settings_name = f"{path.name} [settings]"
        source.settings = _settings_from_sheet(source.settings_name, sheets["settings"], problems)
        source.settings_file = None
    return source


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
            rows = [[xlsx_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
            out[ws.title.strip().lower()] = rows
    finally:
        wb.close()
    return out


def _settings_from_sheet(name: str, raw: list[list[str]], problems: list[Problem]) -> Settings:
    """Settings from a ``settings`` sheet of key/value rows (``pools.<name>`` = org ids)."""
    values: dict[str, object] = {}
    pools: dict[str, list[str]] = {}
    rows_of: dict[str, int] = {}
    pool_rows: dict[str, int] = {}
    for i, cells in enumerate(raw):
        key = cells[0].strip() if cells else ""
        value = cells[1].strip() if len(cells) > 1 else ""
        if not key or (not rows_of and key.lower() in SETTINGS_HEADER):
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
        number = parse_number(value)
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
