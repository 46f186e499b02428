"""Every output file of a plan: maps, route sheets (HTML and PDF) and exports.

:func:`write_outputs` takes a plan, the (geocoded) scenario and the road network, computes
the road geometry once and writes everything into one folder; :func:`write_maps` and
:func:`write_sheets` write one kind each, from geometry already computed. The pages
themselves come from :mod:`vervoer.outputs.maps`, :mod:`vervoer.outputs.sheets` and
:mod:`vervoer.outputs.pdf`, the machine-readable files from :mod:`vervoer.outputs.exports`.
Every file is written atomically.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from vervoer.core.files import atomic_open
from vervoer.core.model import Plan, RideKey, Route, VehicleDay, Weekday
from vervoer.io.scenario import Scenario
from vervoer.outputs.exports import Geometry, iter_routes, route_geometry, write_exports
from vervoer.outputs.maps import OSM_TILES, save_map, week_map
from vervoer.outputs.pdf import content_bottom_mm, render_pdf, save_pdf, write_combined_pdf
from vervoer.outputs.sheets import (
    MAP_MIN_MM,
    SHEET_BOTTOM_MM,
    route_sheet_html,
    sheet_stems,
    sheets_index_html,
    vehicle_day_stems,
)
from vervoer.outputs.style import vehicle_styles

if TYPE_CHECKING:
    from weasyprint.document import Document

    from vervoer.geo.network import RoadNetwork


def write_maps(
    plan: Plan,
    scenario: Scenario,
    geometry: Geometry | None,
    out_dir: Path,
    *,
    names: bool = False,
    language: str = "nl",
    tiles: str | None = OSM_TILES,
    sheet_links: Mapping[tuple[str, str], str] | None = None,
) -> dict[str, Path]:
    """Write ``map.html`` (all rides) and ``map-<day>.html`` per weekday of the plan.

    Parameters
    ----------
    plan, scenario
        The plan and the (geocoded) scenario it was made for.
    geometry
        Road paths per leg (:func:`vervoer.outputs.exports.route_geometry`); None: straight
        lines.
    out_dir
        The output folder.
    names, language, tiles, sheet_links
        See :func:`vervoer.outputs.maps.week_map`; every map links to the day maps.

    Returns
    -------
    dict
        ``map`` and ``map-mon`` ... -> path.
    """
    out_dir = Path(out_dir)
    days = list(dict.fromkeys(r.key.weekday for r in plan.rides))
    links = {d: f"map-{d.value}.html" for d in days}
    draw = functools.partial(week_map, plan, scenario, geometry, names=names, tiles=tiles)
    out: dict[str, Path] = {}
    for d in (None, *days):
        m = draw(day=d, language=language, day_links=links, sheet_links=sheet_links)
        if d is None:
            out["map"] = save_map(m, out_dir / "map.html")
        else:
            out[f"map-{d.value}"] = save_map(m, out_dir / links[d])
    return out


def write_sheets(
    plan: Plan,
    scenario: Scenario,
    out_dir: Path,
    *,
    pdf: bool = True,
    language: str = "nl",
    names: bool = True,
    geometry: Geometry | None = None,
    gpx_dir: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Path]:
    """Write one route sheet per vehicle per trip (HTML, and PDF), and ``index.html``.

    With ``pdf`` also ``all-sheets.pdf`` (every sheet, to print them all) and
    ``day-<weekday>-<vehicle>.pdf`` per vehicle day (a driver's trips of the day, in order).

    Parameters
    ----------
    plan, scenario
        The plan, and the scenario that has the names, addresses and vehicles.
    out_dir
        The folder for the sheets (created when needed).
    pdf
        Also write a PDF per sheet, per vehicle day and ``all-sheets.pdf`` (WeasyPrint).
    language, names, geometry
        See :func:`vervoer.outputs.sheets.route_sheet_html`.
    gpx_dir
        Relative href of the folder with the routes' GPX files, linked from each sheet.
    progress
        Called as ``progress(done, total)`` after each sheet (laying out a PDF takes about
        a second).

    Returns
    -------
    dict
        ``index`` (and ``all`` with ``pdf``), and ``<stem>.html`` / ``<stem>.pdf`` /
        ``day-<weekday>-<vehicle>.pdf`` -> path.
    """
    out_dir = Path(out_dir)
    stems = sheet_stems(plan)
    styles = vehicle_styles(plan, scenario)
    out: dict[str, Path] = {}
    entries: list[tuple[RideKey, Route, str, str | None]] = []
    documents: dict[tuple[str, str], Document] = {}
    days = {(vd.weekday, vd.vehicle): vd for vd in plan.vehicle_days()}
    routes = list(iter_routes(plan))
    for done, (key, route) in enumerate(routes, start=1):
        stem = stems[(str(key), route.vehicle)]
        style = styles.get(route.vehicle)
        sheet = functools.partial(
            route_sheet_html,
            plan,
            scenario,
            key,
            route,
            language=language,
            names=names,
            geometry=geometry,
            colour=style.colour if style else None,
            dash=style.dash if style else None,
            gpx_href=f"{gpx_dir.rstrip('/')}/{stem}.gpx" if gpx_dir else None,
            vehicle_day=days.get((key.weekday, route.vehicle)),
        )
        text = sheet()
        if pdf:
            document = render_pdf(text, base_url=out_dir)
            if len(document.pages) > 1:  # the map did not fit: give it what is left
                free = SHEET_BOTTOM_MM - content_bottom_mm(document) - 4.0
                if free >= MAP_MIN_MM:
                    fitted = sheet(map_height_mm=free)
                    again = render_pdf(fitted, base_url=out_dir)
                    if len(again.pages) == 1:
                        text, document = fitted, again
            pdf_path = out_dir / f"{stem}.pdf"
            documents[(str(key), route.vehicle)] = document
            out[pdf_path.name] = save_pdf(document, pdf_path)
        path = out_dir / f"{stem}.html"
        with atomic_open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
        out[path.name] = path
        entries.append((key, route, path.name, f"{stem}.pdf" if pdf else None))
        if progress is not None:
            progress(done, len(routes))
    day_pdfs: list[tuple[VehicleDay, str]] = []
    if documents:
        out["all"] = write_combined_pdf(list(documents.values()), out_dir / "all-sheets.pdf")
        for (weekday, vehicle), stem in vehicle_day_stems(plan).items():
            vd = days[(Weekday(weekday), vehicle)]
            docs = [documents[(str(k), vehicle)] for k, _ in vd.trips]
            path = write_combined_pdf(docs, out_dir / f"{stem}.pdf")
            out[path.name] = path
            day_pdfs.append((vd, path.name))
    out["index"] = out_dir / "index.html"
    with atomic_open(out["index"], "w", encoding="utf-8") as fh:
        fh.write(
            sheets_index_html(
                plan,
                scenario,
                entries,
                language=language,
                all_pdf="all-sheets.pdf" if documents else None,
                day_pdfs=day_pdfs,
            )
        )
    return out


def write_outputs(
    plan: Plan,
    scenario: Scenario,
    network: RoadNetwork,
    out_dir: Path,
    *,
    language: str | None = None,
    names_on_map: bool = False,
    names_on_sheets: bool = True,
    pdf: bool = True,
    tiles: str | None = OSM_TILES,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Path]:
    """Maps, route sheets and exports of a plan, into ``out_dir``.

    Writes ``map.html`` + ``map-<day>.html``, ``sheets/`` (HTML, PDF, ``index.html``),
    ``routes.geojson``, ``stops.csv``, ``vehicle_days.csv`` and ``gpx/``. Road geometry is
    computed once on ``network``.

    Parameters
    ----------
    plan
        The plan.
    scenario
        The geocoded scenario the plan was made for (``Prepared.scenario`` of
        :func:`vervoer.pipeline.prepare`).
    network
        The road network the plan was made on (``Prepared.network``).
    out_dir
        The output folder.
    language
        ``nl`` or ``en``; None takes the scenario's setting.
    names_on_map
        Participant names on the (shared) maps; off by default.
    names_on_sheets
        Participant names on the drivers' route sheets; on by default.
    pdf
        Also write PDF route sheets.
    tiles
        Background tiles of the maps (None: no background).
    progress
        Called as ``progress(done, total)`` after each route sheet (the slow part: a PDF
        takes about a second).

    Returns
    -------
    dict
        ``map``, ``map-<day>``, ``sheets`` (the index), ``geojson``, ``csv``,
        ``vehicle_days``, ``gpx`` -> path.
    """
    out_dir = Path(out_dir)
    language = language or scenario.settings.language
    geometry = route_geometry(plan, network)
    out: dict[str, Path] = {}
    sheets = write_sheets(
        plan,
        scenario,
        out_dir / "sheets",
        pdf=pdf,
        language=language,
        names=names_on_sheets,
        geometry=geometry,
        gpx_dir="../gpx",
        progress=progress,
    )
    links = {k: f"sheets/{stem}.html" for k, stem in sheet_stems(plan).items()}
    out.update(
        write_maps(
            plan,
            scenario,
            geometry,
            out_dir,
            names=names_on_map,
            language=language,
            tiles=tiles,
            sheet_links=links,
        )
    )
    out["sheets"] = sheets["index"]
    out.update(write_exports(plan, scenario, geometry, out_dir))
    return out


__all__ = ["write_maps", "write_outputs", "write_sheets"]
