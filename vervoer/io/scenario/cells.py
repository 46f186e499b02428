"""Cell text both ways: what people type into a scenario table, and what the writer writes.

Reading accepts numbers with a decimal comma or a euro sign, times as ``HH:MM`` (also
``H:MM``, ``HH.MM`` and ``HH:MM:00``), yes/no in Dutch or English, lists separated by ``;``
or ``,``, seat layouts as ``seats+wheelchair places``, and the typed values of an xlsx
cell. Writing gives the canonical forms: ``HH:MM``, ``ja``/``nee``, plain numbers, lists
separated by ``;``.
The functions here do not report problems; :class:`~vervoer.io.scenario.rows.Row` does.
"""

from __future__ import annotations

import datetime as dt
import math
import re

from vervoer.core.files import unquote_cell
from vervoer.core.model import Point

from .schema import NO, YES

__all__ = [
    "clock_error",
    "coord_texts",
    "features_text",
    "hhmm",
    "layouts_text",
    "number_text",
    "parse_clock",
    "parse_layout",
    "parse_number",
    "parse_yes_no",
    "ride_key",
    "split_list",
    "xlsx_text",
    "yes_text",
]

_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})(?::00)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}|^\d{1,2}[-/]\d{1,2}[-/]\d{2,4}")
_LAYOUT = re.compile(r"^(\d{1,9})\s*\+\s*(\d{1,9})$")

# ----------------------------------------------------------------------------- reading


def parse_number(text: str) -> float | None:
    """A number as people type it: ``42``, ``0,32``, ``0.32``, ``€ 1.234,50``.

    Parameters
    ----------
    text
        The cell text.

    Returns
    -------
    float or None
        The finite number, or None if ``text`` is not one.
    """
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


def parse_clock(text: str) -> int | None:
    """Minutes after midnight (0 to 1439) of the stripped text ``HH:MM``.

    ``H:MM``, ``HH.MM`` and ``HH:MM:00`` are accepted too. None if ``text`` is not a time
    of day; :func:`clock_error` says why.
    """
    m = _TIME.match(text)
    if m and int(m.group(1)) < 24 and int(m.group(2)) < 60:
        return int(m.group(1)) * 60 + int(m.group(2))
    return None


def clock_error(text: str) -> str:
    """Why ``text``, refused by :func:`parse_clock`, is not a time, and what is expected.

    The message names a date as a date, and a time that a spreadsheet turned into a
    number (``15.3``) as such.
    """
    if _DATE.match(text):
        return f"{text!r} is a date, not a time; expected HH:MM (00:00-23:59)"
    if re.fullmatch(r"\d{1,2}\.\d", text):
        return (
            f"{text!r} is not a time; expected HH:MM (00:00-23:59); a spreadsheet may "
            "have turned a time like 15.30 into the number 15.3: format the column as text"
        )
    return f"{text!r} is not a time; expected HH:MM (00:00-23:59)"


def parse_yes_no(text: str) -> bool | None:
    """True for yes (``ja``, ``yes``, ``x``, ...), False for no or empty, None otherwise.

    ``text`` is the stripped cell text, in any case.
    """
    lower = text.lower()
    if lower in YES:
        return True
    return False if lower in NO else None


def ride_key(text: str) -> str:
    """The key of a kind of ride in :data:`~vervoer.io.scenario.schema.RIDES`.

    Parameters
    ----------
    text
        The cell text, e.g. ``Alleen_heen``.

    Returns
    -------
    str
        Lower case, with runs of spaces, ``_``, ``-`` and ``/`` as one space.
    """
    return " ".join(re.split(r"[\s_\-/]+", text.lower())).strip()


def split_list(text: str) -> list[str]:
    """The parts of a list cell like ``lift;laag`` or ``8+0, 6+1``.

    Parameters
    ----------
    text
        The cell text; parts are separated by ``;`` or ``,``.

    Returns
    -------
    list of str
        The stripped parts, empty ones left out, in the order given.
    """
    return [part for p in re.split(r"[;,]", text) if (part := p.strip())]


def parse_layout(text: str) -> tuple[int, int] | None:
    """The (seats, wheelchair places) of one seat layout like ``6+1``.

    Parameters
    ----------
    text
        One stripped part of a ``layouts`` cell; spaces around the ``+`` are fine.

    Returns
    -------
    tuple of int or None
        None if ``text`` is not two whole numbers joined by ``+``.
    """
    m = _LAYOUT.match(text)
    return (int(m.group(1)), int(m.group(2))) if m else None


def xlsx_text(value: object) -> str:
    """An xlsx cell value as the text a CSV would hold.

    Parameters
    ----------
    value
        The value openpyxl gives: None, bool, number, text, date, time, datetime or
        timedelta.

    Returns
    -------
    str
        Times of day as ``HH:MM``, booleans as ``ja``/``nee``, whole floats without
        ``.0``; text with the formula guard of :func:`~vervoer.core.files.safe_cell`
        stripped.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return yes_text(value)
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
        return hhmm(minutes) if 0 <= minutes < 24 * 60 else str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return unquote_cell(str(value))


# ----------------------------------------------------------------------------- writing


def hhmm(minutes: int) -> str:
    """``HH:MM`` of minutes after midnight."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def number_text(x: float | None) -> str:
    """A number as written: whole numbers without ``.0``, None as the empty cell."""
    if x is None:
        return ""
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def coord_texts(p: Point | None) -> tuple[str, str]:
    """The lat and lon cells of a point (full precision), or two empty cells."""
    return ("", "") if p is None else (repr(p.lat), repr(p.lon))


def features_text(features: frozenset[str]) -> str:
    """The ``features`` cell of a vehicle: its features sorted, separated by ``;``."""
    return ";".join(sorted(features))


def layouts_text(layouts: tuple[tuple[int, int], ...]) -> str:
    """The ``layouts`` cell of a vehicle, like ``8+0;6+1``, in the order given."""
    return ";".join(f"{seats}+{wheelchairs}" for seats, wheelchairs in layouts)


def yes_text(flag: bool) -> str:
    """``ja`` or ``nee``."""
    return "ja" if flag else "nee"
