"""From the raw cells of a file or sheet to rows of canonical columns that report problems.

:func:`table_rows` finds the header, maps its aliases to canonical columns and keeps every
non-blank row with the number a spreadsheet shows (the header is row 1). A :class:`Row`
gives its cells as typed values; a cell that does not parse becomes a
:class:`~vervoer.core.errors.Problem` naming file, row and field, and a default is used so
that the rest of the row is still checked.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from vervoer.core.errors import Problem
from vervoer.core.model import WORKDAYS, Point, Weekday

from .cells import clock_error, parse_clock, parse_layout, parse_number, parse_yes_no, split_list
from .schema import ALIASES, COLUMNS, NO_WEEKDAYS, PLACE_COLUMNS, REQUIRED

__all__ = ["Row", "Table", "normalise_header", "table_rows"]

_DAY_RANGE = re.compile(r"\s*(?:\bt/m\b|\btm\b|\btot en met\b|\bto\b|\btill?\b|[-–—])\s*")

_T = TypeVar("_T")


@dataclass(slots=True)
class Row:
    """One data row: canonical column -> text, plus where to report problems.

    Parameters
    ----------
    file
        The file (or ``workbook [sheet]``) the row is in, as problems name it.
    row
        The row number as a spreadsheet shows it.
    values
        Canonical column -> cell text.
    problems
        The list every problem of the scenario is appended to.
    """

    file: str
    row: int
    values: dict[str, str]
    problems: list[Problem]

    def get(self, column: str) -> str:
        """The stripped text of a cell; empty when the column is absent."""
        return self.values.get(column, "").strip()

    def bad(self, column: str | None, message: str) -> None:
        """Report a problem with a cell (``column``) or with the whole row (None)."""
        self.problems.append(Problem(self.file, self.row, column, message))

    def required(self, column: str) -> str:
        """The text of a cell that must not be empty (an empty one is reported)."""
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
        """A number of at least ``minimum`` (and at most 1e9).

        Parameters
        ----------
        column
            The canonical column.
        default
            The value for an empty cell, and for a bad one (which is reported).
        integer
            Whether the number must be whole.
        minimum
            The smallest value allowed.
        required
            Whether an empty cell is a problem.
        expected
            What the messages say is expected; by default "a number of 0 or more".

        Returns
        -------
        float or None
        """
        text = self.get(column)
        kind = "a whole number" if integer else "a number"
        expected = expected or f"{kind} of {minimum:g} or more"
        if not text:
            if required:
                self.bad(column, f"is empty; expected {expected}")
            return default
        value = parse_number(text)
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
        """A yes/no cell (``ja``/``nee``, ``yes``/``no``, ...); empty and bad cells are no."""
        value = parse_yes_no(self.get(column))
        if value is None:
            self.bad(column, f"{self.get(column)!r} is not yes/no; expected ja/nee or yes/no")
            return False
        return value

    def clock(self, column: str, default: int | None = None) -> int | None:
        """Minutes after midnight of ``HH:MM`` (also ``H:MM``, ``HH.MM``, ``HH:MM:00``).

        Parameters
        ----------
        column
            The canonical column.
        default
            The value for an empty cell; with None an empty cell is a problem.

        Returns
        -------
        int or None
            The minutes, or ``default`` for an empty or bad cell.
        """
        text = self.get(column)
        if not text:
            if default is None:
                self.bad(column, "is empty; expected a time HH:MM")
            return default
        minutes = parse_clock(text)
        if minutes is None:
            self.bad(column, clock_error(text))
            return default
        return minutes

    def point(self, lat_col: str, lon_col: str) -> Point | None:
        """The point of a lat and a lon cell; None when both are empty or one is bad."""
        lat_text, lon_text = self.get(lat_col), self.get(lon_col)
        if not lat_text and not lon_text:
            return None
        if not lat_text or not lon_text:
            given, empty = (lat_col, lon_col) if lat_text else (lon_col, lat_col)
            self.bad(empty, f"{given} is given but {empty} is empty; give both lat and lon")
            return None
        lat, lon = parse_number(lat_text), parse_number(lon_text)
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

    def place(self, table: str) -> tuple[str, Point | None]:
        """The address and point of a table with a place; both empty is a problem."""
        addr, lat, lon = PLACE_COLUMNS[table]
        point = self.point(lat, lon)
        address = self.get(addr)
        if not address and not self.get(lat) and not self.get(lon):
            self.bad(addr, f"is empty and so are {lat} and {lon}; give an address or lat+lon")
        return address, point

    def weekdays(self, column: str) -> tuple[Weekday, ...]:
        """Weekdays like ``ma,di,wo``, ``mon-fri``, ``ma t/m vr``; empty = Monday to Friday.

        Parameters
        ----------
        column
            The canonical column.

        Returns
        -------
        tuple of Weekday
            In week order; ``()`` for ``geen``/``none``. Bad parts are reported and left out.
        """
        text = self.get(column).lower()
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
                    if lo.number > hi.number:
                        self.bad(column, f"{part!r} runs backwards; expected a range like ma-vr")
                        errors = True
                        continue
                    days.update(d for d in Weekday if lo.number <= d.number <= hi.number)
                else:
                    days.add(Weekday.parse(part))
            except ValueError:
                self.bad(
                    column,
                    f"{part!r} is not a weekday or range; expected e.g. 'ma,di,wo', 'ma-vr', "
                    "'mon-fri' or 'geen'",
                )
                errors = True
        if not days and not errors:
            self.bad(
                column, f"{text!r} names no weekday; expected e.g. 'ma-vr', or 'geen' for none"
            )
        return tuple(sorted(days, key=lambda d: d.number))

    def words(self, column: str) -> frozenset[str]:
        """The words of a list cell like ``Lift; laag``: lower case, stripped; empty = none.

        Parameters
        ----------
        column
            The canonical column; words are separated by ``;`` or ``,``.

        Returns
        -------
        frozenset of str
        """
        return frozenset(w.lower() for w in split_list(self.get(column)))

    def layouts(self, column: str) -> tuple[tuple[int, int], ...]:
        """Seat layouts like ``8+0;6+1;4+2`` (seats+wheelchair places); empty = none.

        Parameters
        ----------
        column
            The canonical column; layouts are separated by ``;`` (or ``,``).

        Returns
        -------
        tuple of (int, int)
            The (seats, wheelchair places) in the order given. A part that is not a layout,
            holds nobody or is given twice is reported and left out.
        """
        out: list[tuple[int, int]] = []
        for part in split_list(self.get(column)):
            layout = parse_layout(part)
            if layout is None:
                self.bad(
                    column,
                    f"{part!r} is not a layout; expected seats+wheelchair places such as 8+0;6+1",
                )
            elif sum(layout) < 1:
                self.bad(
                    column,
                    f"{part!r} holds nobody; expected seats+wheelchair places with at least "
                    "1 place, such as 8+0;6+1",
                )
            elif layout in out:
                self.bad(column, f"{part!r} is given twice; expected each layout once")
            else:
                out.append(layout)
        return tuple(out)

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
class Table:
    """The rows of one table; ``usable`` is False when the file/sheet or a column is missing."""

    name: str
    rows: list[Row]
    usable: bool = True

    def ids(self, column: str = "id") -> set[str] | None:
        """The values of a column, or None if the table is unusable (skip reference checks)."""
        if not self.usable:
            return None
        return {v for r in self.rows if (v := r.get(column))}


def normalise_header(text: str) -> str:
    """A header cell as matched against the aliases: lower case, spaces and dashes as ``_``."""
    return re.sub(r"[\s\-]+", "_", text.replace("\ufeff", "").strip().lower())


def table_rows(name: str, table: str, raw: list[list[str]], problems: list[Problem]) -> Table:
    """Map header aliases to canonical columns; keep every non-blank row with its row number.

    Parameters
    ----------
    name
        The file or ``workbook [sheet]`` name, as problems name it.
    table
        Which table of :data:`~vervoer.io.scenario.schema.TABLES` this is.
    raw
        The rows of cell texts; the first non-blank row is the header.
    problems
        Where problems are appended: an empty table, a column given twice, a misspelt or
        missing column, cells beyond the header or under a nameless column.

    Returns
    -------
    Table
        Unusable (and without rows) when the table is empty or a required column is missing.
    """
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
        return Table(name, [], usable=False)
    header_row = start + 1
    header = [normalise_header(h) for h in raw[start]]
    col_of = _columns(name, table, header, header_row, problems)
    if not _has_required(name, table, header, set(col_of.values()), header_row, problems):
        return Table(name, [], usable=False)
    width = len(header)
    nameless = [j for j, h in enumerate(header) if not h]
    rows = []
    for i in range(start + 1, len(raw)):
        cells = raw[i]
        if not any(c.strip() for c in cells):
            continue
        row = Row(name, i + 1, {c: cells[j] for j, c in col_of.items() if j < len(cells)}, problems)
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
    return Table(name, rows)


def _columns(
    name: str, table: str, header: list[str], header_row: int, problems: list[Problem]
) -> dict[int, str]:
    """Header position -> canonical column; a column given twice and misspellings reported."""
    aliases = ALIASES[table]
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
    return col_of


def _has_required(
    name: str,
    table: str,
    header: list[str],
    present: set[str],
    header_row: int,
    problems: list[Problem],
) -> bool:
    """Whether every required column (and a place, where needed) is there; else reported."""
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
    return not missing
