"""Driver route sheets: a printable A4 page per vehicle per trip, and their index.

:func:`route_sheet_html` gives one sheet as a self-contained HTML page (CSS ``@page`` A4,
ready for WeasyPrint, see :mod:`vervoer.outputs.pdf`): the vehicle and its times, the
vehicle's day (its trips in driving order, this one marked), a table of
the stops in driving order with who gets in and out, the load, navigation links, totals and a
small map of the route (:func:`route_svg`). Sheets show participants' names by default — the
driver has to know whom to pick up, also from other organisations — and ``names=False``
reduces them to ids. Every text from the scenario is HTML-escaped.
:func:`vervoer.outputs.write.write_sheets` writes them.
"""

from __future__ import annotations

import math
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass

from vervoer.core.i18n import (
    format_number,
    language_code,
    load_text,
    ride_label,
    texts,
)
from vervoer.core.model import (
    Location,
    Participant,
    Plan,
    RideKey,
    Route,
    Stop,
    StopKind,
    Vehicle,
    VehicleDay,
    format_clock,
)
from vervoer.io.scenario import Scenario
from vervoer.outputs.exports import (
    Geometry,
    LatLon,
    address_book,
    iter_routes,
    people_by_id,
    point_of,
    route_file_stem,
    route_path,
    simplify_path,
    stop_address,
    unique_slugs,
)
from vervoer.outputs.style import e, vehicle_colours

OSM_DIRECTIONS = "https://www.openstreetmap.org/directions"

_SHEET_CSS = """
@page { size: A4; margin: 12mm 12mm 16mm 12mm;
  @bottom-left { content: "@FOOTER@"; font: 7pt sans-serif; color: #555; width: 80% }
  @bottom-right { content: "@PAGE@ " counter(page) " / " counter(pages);
    font: 8pt sans-serif; width: 20% } }
@media print { .screen { display: none } }
svg { page-break-inside: avoid }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 9.5pt;
  color: #000; margin: 0 }
h1 { font-size: 16pt; margin: 0 0 4pt }
table { border-collapse: collapse; width: 100% }
table.meta { width: auto; margin-bottom: 6pt }
table.meta th { text-align: left; padding: 1pt 10pt 1pt 0; font-weight: bold }
table.meta td { padding: 1pt 0 }
table.stops th, table.stops td { border: 0.6pt solid #888; padding: 3pt 4pt;
  vertical-align: top; text-align: left }
table.stops th { background: #e8e8e8 }
table.stops tr { page-break-inside: avoid }
tr.depot td { background: #f4f4f4 }
ol.schedule { margin: 0; padding-left: 14pt }
ol.schedule li.current { font-weight: bold }
td.seq { font-weight: bold; font-size: 12pt; text-align: center; width: 8mm }
td.time { white-space: nowrap; font-weight: bold }
.person { margin-bottom: 3pt }
.tag { display: inline-block; border: 0.6pt solid #000; border-radius: 2pt; padding: 0 2pt;
  font-size: 8pt; margin-left: 2pt }
.note { font-style: italic }
.small { font-size: 8pt; color: #333 }
.totals { margin: 6pt 0; font-weight: bold }
.swatch { display: inline-block; width: 14pt; height: 5pt; vertical-align: middle }
svg { margin-top: 4pt; border: 0.6pt solid #aaa }
a { color: #00c }
@media screen { body { max-width: 190mm; margin: 1em auto } }
"""


def _geo_uri(stop: Stop) -> str:
    return f"geo:{stop.lat:.6f},{stop.lon:.6f}"


def osm_directions_url(a: Stop, b: Stop) -> str:
    """An openstreetmap.org link showing the car route from one stop to the next.

    Parameters
    ----------
    a, b
        The stops the route goes from and to.

    Returns
    -------
    str
        The URL (OSRM car engine of the FOSSGIS servers).
    """
    route = f"{a.lat:.6f},{a.lon:.6f};{b.lat:.6f},{b.lon:.6f}"
    return f"{OSM_DIRECTIONS}?" + urllib.parse.urlencode(
        {"engine": "fossgis_osrm_car", "route": route}
    )


def route_svg(
    route: Route,
    geometry: Geometry | None,
    colour: str = "#1f77b4",
    *,
    width: int = 640,
    height: int = 240,
) -> str:
    """A small static map of a route as inline SVG (road path and numbered stops).

    Parameters
    ----------
    route
        The route.
    geometry
        Road paths per leg; None draws straight lines.
    colour
        The colour of the line and the home stops.
    width, height
        The size of the picture in pixels.

    Returns
    -------
    str
        An ``<svg>`` element; empty for a route without stops.
    """
    path = simplify_path(route_path(route, geometry), 5e-5)
    if not path:
        return ""
    lat0 = sum(p[0] for p in path) / len(path)
    k = math.cos(math.radians(lat0))
    xs = [p[1] * k for p in path]
    ys = [-p[0] for p in path]
    pad = 18.0
    w, h = max(xs) - min(xs), max(ys) - min(ys)
    scale = min(
        (width - 2 * pad) / w if w > 0 else math.inf,
        (height - 2 * pad) / h if h > 0 else math.inf,
    )
    if not math.isfinite(scale):
        scale = 1.0
    x0 = min(xs) - ((width - 2 * pad) / scale - w) / 2
    y0 = min(ys) - ((height - 2 * pad) / scale - h) / 2

    def xy(lat: float, lon: float) -> tuple[float, float]:
        return pad + (lon * k - x0) * scale, pad + (-lat - y0) * scale

    pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(*p) for p in path))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" class="route-map">',
        f'<polyline points="{pts}" fill="none" stroke="{e(colour)}" stroke-width="3" '
        'stroke-linejoin="round" stroke-linecap="round" opacity="0.85"/>',
    ]
    seen: set[LatLon] = set()
    for seq, s in enumerate(route.stops):
        p = point_of(s)
        x, y = xy(*p)
        label = str(seq)
        if p in seen and s.kind is StopKind.DEPOT:
            continue
        seen.add(p)
        shape = (
            f'<rect x="{x - 8:.1f}" y="{y - 8:.1f}" width="16" height="16" fill="#555"/>'
            if s.kind is not StopKind.HOME
            else f'<circle cx="{x:.1f}" cy="{y:.1f}" r="8.5" fill="{e(colour)}" '
            'stroke="#fff" stroke-width="1.5"/>'
        )
        parts.append(
            shape + f'<text x="{x:.1f}" y="{y + 3.5:.1f}" font-size="10" text-anchor="middle" '
            f'fill="#fff" font-family="sans-serif" font-weight="bold">{label}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


# ----------------------------------------------------------------------------- one sheet


@dataclass(frozen=True)
class _Sheet:
    """What the parts of one route sheet look up."""

    route: Route
    vehicle: Vehicle | None
    people: dict[str, Participant]
    orgs: dict[str, str]
    locations: dict[str, Location]
    book: dict[tuple[StopKind, str], str]
    names: bool
    language: str

    @property
    def t(self) -> dict[str, str]:
        return texts(self.language)

    def org(self, org_id: str) -> str:
        """An organisation's name (its id when the scenario does not know it)."""
        return self.orgs.get(org_id, org_id)


def _person_html(pid: str, sheet: _Sheet, alight_seq: int | None = None) -> str:
    """A participant getting in or out: name (with ``names``) and id, needs, notes."""
    t = sheet.t
    p = sheet.people.get(pid)
    if p is None:
        return f"<div class='person'><b>{e(pid)}</b></div>"
    label = f"<b>{e(p.name)}</b> ({e(pid)})" if sheet.names and p.name else f"<b>{e(pid)}</b>"
    tags = []
    if p.wheelchair:
        tags.append(t["wheelchair"])
    if p.escort:
        tags.append(t["escort"])
    if p.walker:
        tags.append(t["walker"])
    out = label + "".join(f"<span class='tag'>{e(tag)}</span>" for tag in tags)
    if p.organisation != sheet.route.organisation:
        out += f" <span class='small'>· {e(sheet.org(p.organisation))}</span>"
    if alight_seq is not None:
        out += f" <span class='small'>→ {e(t['to_stop'])} {alight_seq}</span>"
    if p.notes:
        out += f"<div class='note'>{e(t['notes'])}: {e(p.notes)}</div>"
    return f"<div class='person'>{out}</div>"


def route_sheet_html(
    plan: Plan,
    scenario: Scenario,
    ride_key: RideKey,
    route: Route,
    *,
    language: str = "nl",
    names: bool = True,
    geometry: Geometry | None = None,
    colour: str | None = None,
    gpx_href: str | None = None,
    vehicle_day: VehicleDay | None = None,
) -> str:
    """The printable A4 route sheet of one vehicle in one trip, as an HTML page.

    Parameters
    ----------
    plan, scenario
        The plan and the scenario it was made for.
    ride_key, route
        The ride and the vehicle's route in it.
    language
        ``nl`` (default) or ``en``.
    names
        Show participant names next to their ids (default: the driver needs them, also
        for participants of other organisations); False shows ids only.
    geometry
        Road paths for the small route map (None: straight lines).
    colour
        The vehicle's colour on the maps.
    gpx_href
        Link to the route's GPX file, when written next to the sheets.
    vehicle_day
        The vehicle's day this trip belongs to, for the day schedule (None: found in
        ``plan.vehicle_days()``; pass it when writing many sheets).

    Returns
    -------
    str
        A self-contained HTML page (CSS ``@page`` A4); every scenario text escaped.
    """
    t = texts(language)
    sheet = _Sheet(
        route=route,
        vehicle=next((v for v in scenario.vehicles if v.id == route.vehicle), None),
        people=people_by_id(scenario),
        orgs={o.id: o.name for o in scenario.organisations},
        locations={loc.id: loc for loc in scenario.locations},
        book=address_book(scenario),
        names=names,
        language=language,
    )
    colour = colour or vehicle_colours(plan, scenario).get(route.vehicle, "#1f77b4")
    if vehicle_day is None:
        vehicle_day = find_vehicle_day(plan, ride_key, route.vehicle)
    title = f"{t['sheet_title']} {route.vehicle} — {ride_label(ride_key, language)}"
    footer = f"{t['confidential']} {t['map_data']}".replace('"', "'").replace("\\", "/")
    css = _SHEET_CSS.replace("@FOOTER@", footer).replace("@PAGE@", t["page"])
    parts = [
        f"<!doctype html><html lang='{language_code(language)}'><head><meta charset='utf-8'>",
        f"<title>{e(title)}</title><style>{css}</style></head>",
        f"<body data-ride='{e(str(ride_key))}' data-vehicle='{e(route.vehicle)}'>",
        f"<h1>{e(t['sheet_title'])} · {e(ride_label(ride_key, language))}</h1>",
        *_meta_table(ride_key, sheet, colour, vehicle_day),
        *_stops_table(sheet),
        _totals(sheet),
        f"<p class='small'>{e(t['nav'])}: {e(t['nav_note'])}",
    ]
    if gpx_href:
        parts.append(f" <a href='{e(gpx_href)}'>{e(t['gpx'])}</a>")
    parts.append("</p>")
    parts.append(route_svg(route, geometry, colour))
    parts.append(
        f"<p class='small screen'>{e(t['confidential'])} {e(t['map_data'])}</p></body></html>"
    )
    return "".join(parts)


def _meta_table(
    ride_key: RideKey, sheet: _Sheet, colour: str, vehicle_day: VehicleDay | None
) -> list[str]:
    """The head of a sheet: vehicle and capacity, organisation, trip, depot times, the day."""
    t = sheet.t
    route, vehicle = sheet.route, sheet.vehicle
    first, last = route.stops[0], route.stops[-1]
    vname = f" — {vehicle.name}" if vehicle and vehicle.name else ""
    seats, wheels = _capacity(sheet)
    cap = f" ({seats} {t['seats']}, {wheels} {t['wheel']})" if vehicle else ""
    if route.layout is not None:
        cap = f" ({t['layout']} {seats}+{wheels}: {seats} {t['seats']}, {wheels} {t['wheel']})"
    depot_addr = stop_address(first, sheet.book)
    return [
        "<table class='meta'>",
        f"<tr><th>{e(t['vehicle'])}</th><td><span class='swatch' style='background:"
        f"{e(colour)}'></span> <b>{e(route.vehicle)}</b>{e(vname)}{e(cap)}</td></tr>",
        f"<tr><th>{e(t['organisation'])}</th><td>{e(sheet.org(route.organisation))}</td></tr>",
        f"<tr><th>{e(t['day'])}</th><td>{e(ride_label(ride_key, sheet.language, long=True))}"
        "</td></tr>",
        f"<tr><th>{e(t['depot_start'])}</th><td><b>{format_clock(first.departure)}</b>"
        f"{' — ' + e(depot_addr) if depot_addr else ''}</td></tr>",
        f"<tr><th>{e(t['depot_end'])}</th><td><b>{format_clock(last.arrival)}</b></td></tr>",
        *_schedule_row(ride_key, vehicle_day, sheet),
        "</table>",
    ]


def trip_words(key: RideKey, language: str) -> str:
    """A trip's name without its day: ``middagrit`` / ``heen, rit 2`` (not escaped).

    Parameters
    ----------
    key
        The trip.
    language
        ``nl`` (default) or ``en``.

    Returns
    -------
    str
        The kind's text, with the number of a second trip of its kind.
    """
    t = texts(language)
    words = t[key.kind]
    if key.number > 1:
        words += f", {t['trip_number']} {key.number}"
    return words


def find_vehicle_day(plan: Plan, ride_key: RideKey, vehicle: str) -> VehicleDay | None:
    """The day of ``vehicle`` that holds the trip ``ride_key`` (None when not in the plan).

    Parameters
    ----------
    plan
        The plan.
    ride_key, vehicle
        The trip and the vehicle's id.

    Returns
    -------
    VehicleDay or None
        From :meth:`Plan.vehicle_days`.
    """
    for vd in plan.vehicle_days():
        if vd.weekday is ride_key.weekday and vd.vehicle == vehicle:
            return vd
    return None


def _schedule_row(ride_key: RideKey, vehicle_day: VehicleDay | None, sheet: _Sheet) -> list[str]:
    """The row "Dagplanning": the vehicle's trips of the day in order, this one marked."""
    if vehicle_day is None or not any(k == ride_key for k, _ in vehicle_day.trips):
        return []
    t = sheet.t
    total = len(vehicle_day.trips)
    items = []
    position = 1
    for n, (key, r) in enumerate(vehicle_day.trips, start=1):
        times = f"{format_clock(r.stops[0].departure)}–{format_clock(r.stops[-1].arrival)}"
        current = key == ride_key
        if current:
            position = n
        mark = f" — {e(t['this_trip'])}" if current else ""
        cls = " class='current'" if current else ""
        items.append(
            f"<li{cls} data-trip='{e(key.trip)}'>"
            f"{e(trip_words(key, sheet.language))} {times}{mark}</li>"
        )
    of = t["trip_of"].format(n=position, total=total)
    return [
        f"<tr><th>{e(t['day_schedule'])}</th><td>{e(of)}"
        f"<ol class='schedule'>{''.join(items)}</ol></td></tr>"
    ]


def _stops_table(sheet: _Sheet) -> list[str]:
    """The table of the stops in driving order, a row per stop."""
    t = sheet.t
    stops = sheet.route.stops
    alight_at = {pid: seq for seq, s in enumerate(stops) for pid in s.alighting}
    parts = [
        "<table class='stops'><thead><tr>",
        f"<th>#</th><th>{e(t['time'])}</th><th>{e(t['address_col'])}</th>"
        f"<th>{e(t['boarding'])}</th><th>{e(t['alighting'])}</th>"
        f"<th>{e(t['load'])}</th><th>{e(t['nav'])}</th>",
        "</tr></thead><tbody>",
    ]
    prev: Stop | None = None
    for seq, s in enumerate(stops):
        board = "".join(_person_html(pid, sheet, alight_at.get(pid)) for pid in s.boarding)
        alight = "".join(_person_html(pid, sheet) for pid in s.alighting)
        cls = " class='depot'" if s.kind is StopKind.DEPOT else ""
        parts.append(
            f"<tr{cls} data-seq='{seq}' data-place='{e(s.place)}'><td class='seq'>{seq}</td>"
            f"<td class='time'>{_stop_time(s)}</td><td>{_place_cell(seq, s, sheet)}</td>"
            f"<td>{board}</td><td>{alight}</td>"
            f"<td>{_load_cell(seq, s, sheet)}</td><td>{_nav_cell(prev, s)}</td></tr>"
        )
        prev = s
    parts.append("</tbody></table>")
    return parts


def _stop_time(s: Stop) -> str:
    if s.arrival == s.departure:
        return format_clock(s.arrival)
    return f"{format_clock(s.arrival)}–{format_clock(s.departure)}"


def _place_cell(seq: int, s: Stop, sheet: _Sheet) -> str:
    """Where a stop is: the depot, a location by name, or a home address."""
    t = sheet.t
    addr = stop_address(s, sheet.book)
    if s.kind is StopKind.DEPOT:
        what = t["depot_start"] if seq == 0 else t["depot_end"]
        return f"<b>{e(what)}</b><br>{e(addr)}"
    if s.kind is StopKind.LOCATION:
        loc = sheet.locations.get(s.place)
        place = f"<b>{e(loc.name if loc else s.place)}</b> ({e(s.place)})"
        if addr:
            place += f"<br>{e(addr)}"
        return place
    return e(addr) if addr else e(f"{s.lat:.5f}, {s.lon:.5f}")


def _load_cell(seq: int, s: Stop, sheet: _Sheet) -> str:
    """The load after a stop, of the vehicle's seats (and wheelchair places); empty at depots."""
    if not 0 < seq < len(sheet.route.stops) - 1:
        return ""
    vehicle = sheet.vehicle
    seats, wheels = _capacity(sheet)
    load = f"{s.load_seats}/{seats if vehicle else '?'}"
    if vehicle and wheels:
        load += f"<br>&#9855; {s.load_wheelchairs}/{wheels}"
    return load


def _capacity(sheet: _Sheet) -> tuple[int, int]:
    """Seats and wheelchair places of the trip: its seat layout, or the vehicle's."""
    if sheet.route.layout is not None:
        return sheet.route.layout
    v = sheet.vehicle
    return (v.seats, v.wheelchair_places) if v else (0, 0)


def _nav_cell(prev: Stop | None, s: Stop) -> str:
    """A ``geo:`` link to the stop, and the OSM route from the previous stop when it moved."""
    nav = f"<a href='{e(_geo_uri(s))}'>geo</a>"
    if prev is not None and point_of(prev) != point_of(s):
        nav += f" · <a href='{e(osm_directions_url(prev, s))}'>OSM</a>"
    return nav


def _totals(sheet: _Sheet) -> str:
    """The sheet's totals: km, driving time, participants, highest load."""
    t = sheet.t
    route = sheet.route
    first, last = route.stops[0], route.stops[-1]
    riders = sum(len(s.boarding) for s in route.stops)
    max_s = max(s.load_seats for s in route.stops)
    max_w = max(s.load_wheelchairs for s in route.stops)
    return (
        f"<p class='totals'>{e(t['totals'])}: "
        f"{format_number(route.distance_m / 1000, 1, sheet.language)} "
        f"{e(t['km'])} · {e(t['duration'])} {format_clock(route.duration_s)} "
        f"({format_clock(first.departure)}–{format_clock(last.arrival)}) · {riders} "
        f"{e(t['participants'])} · {e(t['max_load'])} "
        f"{e(load_text(max_s, max_w, sheet.vehicle, t, capacity=_capacity(sheet)))}</p>"
    )


# ----------------------------------------------------------------------------- the index


def sheets_index_html(
    plan: Plan,
    scenario: Scenario,
    entries: Sequence[tuple[RideKey, Route, str, str | None]],
    *,
    language: str = "nl",
) -> str:
    """An index page listing the route sheets.

    Parameters
    ----------
    plan, scenario
        The plan and the scenario it was made for.
    entries
        ``(ride, route, html href, pdf href or None)`` per sheet, in the order to list.
    language
        ``nl`` (default) or ``en``.

    Returns
    -------
    str
        An HTML page with a table row and links per sheet; every scenario text escaped.
    """
    t = texts(language)
    orgs = {o.id: o.name for o in scenario.organisations}
    parts = [
        f"<!doctype html><html lang='{language_code(language)}'><head><meta charset='utf-8'>",
        f"<title>{e(t['index_title'])} — {e(plan.scenario or scenario.name)}</title>",
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}</style></head><body>",
        f"<h1>{e(t['index_title'])} — {e(plan.scenario or scenario.name)}</h1>",
        f"<p>{e(t['confidential'])}</p>",
        f"<table><tr><th>{e(t['ride'])}</th><th>{e(t['vehicle'])}</th>"
        f"<th>{e(t['organisation'])}</th><th>{e(t['time'])}</th><th>km</th>"
        f"<th>{e(t['participants'])}</th><th></th></tr>",
    ]
    for key, route, href, pdf in entries:
        riders = sum(len(s.boarding) for s in route.stops)
        links = f"<a href='{e(href)}'>HTML</a>"
        if pdf:
            links += f" · <a href='{e(pdf)}'>PDF</a>"
        parts.append(
            f"<tr><td>{e(ride_label(key, language))}</td><td>{e(route.vehicle)}</td>"
            f"<td>{e(orgs.get(route.organisation, route.organisation))}</td>"
            f"<td>{format_clock(route.stops[0].departure)}–"
            f"{format_clock(route.stops[-1].arrival)}</td>"
            f"<td>{format_number(route.distance_m / 1000, 1, language)}</td><td>{riders}</td>"
            f"<td>{links}</td></tr>"
        )
    parts.append("</table></body></html>")
    return "".join(parts)


def sheet_stems(plan: Plan) -> dict[tuple[str, str], str]:
    """The file name (without extension) of every route's sheet.

    Parameters
    ----------
    plan
        The plan.

    Returns
    -------
    dict
        ``(ride, vehicle)`` -> stem such as ``mon-heen-B1`` (vehicle ids slugified, distinct).
    """
    slugs = unique_slugs(r.vehicle for _, r in iter_routes(plan))
    return {(str(k), r.vehicle): route_file_stem(k, slugs[r.vehicle]) for k, r in iter_routes(plan)}


__all__ = [
    "find_vehicle_day",
    "osm_directions_url",
    "route_sheet_html",
    "route_svg",
    "sheet_stems",
    "sheets_index_html",
    "trip_words",
]
