"""The geocoding report: a reviewable CSV of how each address of a scenario was resolved."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vervoer.core.files import write_csv
from vervoer.core.model import Point
from vervoer.geo.geocode.resolve import GeocodeResult

__all__ = ["REPORT_COLUMNS", "ReportRow", "write_geocode_report"]

REPORT_COLUMNS = (
    "table",
    "id",
    "address",
    "status",
    "lat",
    "lon",
    "matched",
    "score",
    "candidates",
    "note",
)


@dataclass(frozen=True, slots=True)
class ReportRow:
    """One line of a geocoding report: which address of which table, and how it resolved."""

    table: str
    id: str
    address: str
    result: GeocodeResult | None


def _report_fields(row: Any) -> tuple[Any, ...]:
    """The report cells of one row (any of the forms :func:`write_geocode_report` takes)."""
    if isinstance(row, ReportRow):
        row = (row.table, row.id, row.address, row.result)
    if (
        isinstance(row, tuple)
        and len(row) == 4
        and (row[3] is None or isinstance(row[3], GeocodeResult))
    ):
        table, ident, address, res = row
        if res is None:
            return (table, ident, address, "failed", None, "", 0.0, (), "not geocoded")
        return (table, ident, address, res.status, res.point, res.matched, res.score,
                res.candidates, res.note)  # fmt: skip
    # a GeocodeRow-like object (vervoer.pipeline.GeocodeRow): attributes of the same names
    return tuple(
        getattr(row, name, default)
        for name, default in (
            ("table", ""), ("id", ""), ("address", ""), ("status", ""), ("point", None),
            ("matched", ""), ("score", 0.0), ("candidates", ()), ("note", ""),
        )
    )  # fmt: skip


def write_geocode_report(rows: Iterable[Any], path: Path | str) -> None:
    """Write a reviewable CSV of how addresses were resolved.

    Parameters
    ----------
    rows
        Each row is one of: a tuple ``(table, id, address, GeocodeResult | None)``; a
        :class:`ReportRow`; or an object with the attributes ``table, id, address, status,
        point, matched, score, candidates, note`` (such as ``vervoer.pipeline.GeocodeRow``,
        whose status may also be ``given``).
    path
        The CSV file; its folder is created if needed.

    Notes
    -----
    UTF-8, comma-separated, columns :data:`REPORT_COLUMNS`: ``table, id, address, status,
    lat, lon, matched, score, candidates, note``. ``lat``/``lon`` have 7 decimals (empty when
    there is no point), ``score`` is a whole number, ``candidates`` are joined with `` | ``.
    Text cells starting with ``= + - @`` (or a tab/CR) get a ``'`` in front so a spreadsheet
    does not run them as formulas. The file is written to a temporary file next to it and
    then moved into place (``os.replace``), so a reader never sees half a report.
    """
    rows_out = []
    for row in rows:
        table, ident, address, status, point, matched, score, cands, note = _report_fields(row)
        lat = lon = ""
        if isinstance(point, Point):
            lat, lon = f"{point.lat:.7f}", f"{point.lon:.7f}"
        rows_out.append(
            [table, ident, address, status, lat, lon, matched, f"{float(score or 0):.0f}",
             " | ".join(str(c) for c in (cands or ())), note]
        )  # fmt: skip
    write_csv(path, REPORT_COLUMNS, rows_out)
