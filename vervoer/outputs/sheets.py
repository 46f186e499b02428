"""Driver route sheets: one printable A4 page per vehicle per trip, and their index.

:func:`route_sheet_html` gives one sheet as a self-contained HTML page (CSS ``@page`` A4,
ready for WeasyPrint, see :mod:`vervoer.outputs.pdf`): a compact head with the vehicle, its
depot times and its trips of the day (this one marked); a table of the stops in driving
order with the time, the address (with navigation links), who gets in and out with their
needs as short tags (``rolstoel``, ``begeleider``, ``rollator``) and the load; each
participant's notes once, at their home; the totals and a map of the route
(:func:`route_svg`) in the height the page has left. Up to 16 stops fit on one page.
Sheets show participants' names by default — the driver has to know whom to pick up, also
from other organisations — and ``names=False`` reduces them to ids. Every text from the
scenario is HTML-escaped. :func:`sheets_index_html` lists them, with the PDFs to print:
every sheet in one file, and one file per vehicle day.
:func:`vervoer.outputs.write.write_sheets` writes them.
"""

from __future__ import annotations

import math
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from vervoer.core.i18n import (
    day_name,
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
from vervoer.outputs.style import LineStyle, e, swatch_svg, vehicle_styles

OSM_DIRECTIONS = "https://www.openstreetmap.org/directions"

#: where a sheet's content ends on the paper (mm from the top: A4 less the bottom margin)
SHEET_BOTTOM_MM = 297.0 - 14
#: the printable height of an A4 page inside the margins (mm), and what the parts take
_PAGE_MM = SHEET_BOTTOM_MM - 10
_HEAD_MM = 27.0
_FOOT_MM = 12.0
_MAP_MM = (45.0, 120.0)  # the map's smallest and largest height
#: the smallest map a sheet gets (mm)
MAP_MIN_MM = _MAP_MM[0]
_MAP_WIDTH_MM = 186.0

_SHEET_CSS = """
@page { size: A4; margin: 10mm 12mm 14mm 12mm;
  @bottom-left { content: "@FOOTER@"; font: 6.5pt sans-serif; color: #555; width: 80% }
  @bottom-right { content: "@PAGE@ " counter(page) " / " counter(pages);
    font: 7pt sans-serif; width: 20% } }
@media print { .screen { display: none } }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 8pt;
  line-height: 1.25; color: #000; margin: 0 }
h1 { font-size: 13pt; margin: 0 0 2pt }
table { border-collapse: collapse; width: 100% }
table.meta td { padding: 0.5pt 8pt 0.5pt 0; vertical-align: top }
table.meta th { text-align: left; padding: 0.5pt 5pt 0.5pt 0; white-space: nowrap;
  vertical-align: top }
table.stops { table-layout: fixed; margin-top: 3pt }
table.stops th, table.stops td { border: 0.5pt solid #999; padding: 1.2pt 2.5pt;
  vertical-align: top; text-align: left; overflow-wrap: break-word }
table.stops th { background: #e8e8e8; font-size: 7.5pt }
table.stops tr { page-break-inside: avoid }
tr.depot td { background: #f2f2f2 }
tr.location td { background: #f7f7fb }
td.seq { font-weight: bold; font-size: 10pt; text-align: center }
td.time { white-space: nowrap; font-weight: bold; font-size: 7.5pt }
a.addr { color: #000 }
.who { display: block }
.who b { font-weight: bold }
.dir { font-weight: bold; font-size: 6.5pt; border: 0.5pt solid #000; border-radius: 1.5pt;
  padding: 0 1.5pt; margin-right: 2pt }
.dir.out { background: #000; color: #fff }
.group { font-size: 7.5pt }
.tag { border: 0.5pt solid #000; border-radius: 1.5pt; padding: 0 1.5pt; font-size: 6.5pt;
  margin-left: 2pt; white-space: nowrap }
.id { color: #333 }
.note { font-style: italic; font-size: 7pt; display: block }
.small { font-size: 6.5pt; color: #333 }
.links { font-size: 6.5pt; white-space: nowrap }
.totals { margin: 3pt 0 1pt; font-weight: bold }
.swatch-line { vertical-align: middle }
ol.schedule { display: inline; margin: 0; padding: 0; list-style: none }
ol.schedule li { display: inline; margin-right: 6pt }
ol.schedule li.current { font-weight: bold }
svg.route-map { margin-top: 3pt; border: 0.5pt solid #aaa; page-break-inside: avoid }
a { color: #00c; text-decoration: none }
@media screen { body { max-width: 190mm; margin: 1em auto } }
"""

#: widths of the stop table's columns (mm): #, time, address, in/out, load
_COLUMNS_MM = (7.0, 20.0, 50.0, 93.0, 16.0)


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


# ----------------------------------------------------------------------------- the map


def _place_labels(
    points: Sequence[tuple[float, float]], radius: float
) -> list[tuple[float, float]]:
    """Where to draw each stop's numbered marker so that no two overlap.

    A marker stays on its point when there is room; otherwise it moves to the first free
    place on rings around the point (a leader line then joins it to the point).
    """
    placed: list[tuple[float, float]] = []
    rings = [(0.0, 1)] + [(radius * k, 8 * k) for k in (1, 2, 3)]
    for x, y in points:
        spot = (x, y)
        for r, n in rings:
            found = None
            for i in range(n):
                a = 2 * math.pi * i / n - math.pi / 4
                cx, cy = x + r * math.cos(a), y + r * math.sin(a)
                if all(math.hypot(cx - px, cy - py) >= radius for px, py in placed):
                    found = (cx, cy)
                    break
            if found is not None:
                spot = found
                break
        placed.append(spot)
    return placed


def route_svg(
    route: Route,
    geometry: Geometry | None,
    colour: str = "#1f77b4",
    *,
    width: int = 700,
    height: int = 260,
    dash: str = "",
    size_mm: tuple[float, float] | None = None,
) -> str:
    """A small static map of a route as inline SVG (road path and numbered stops).

    Stops close together (the same address, or a few metres apart) get their numbers side
    by side with a thin line to the point, so that every number stays readable.

    Parameters
    ----------
    route
        The route.
    geometry
        Road paths per leg; None draws straight lines.
    colour
        The colour of the line and the home stops.
    width, height
        The drawing's size in its own units (CSS pixels unless ``size_mm`` is given).
    dash
        The line's dash pattern (``stroke-dasharray``; empty: solid).
    size_mm
        The printed size in millimetres (width, height).

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
    pad = 24.0
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
    size = (
        f'width="{size_mm[0]:.1f}mm" height="{size_mm[1]:.1f}mm"'
        if size_mm
        else f'width="{width}" height="{height}"'
    )
    dash_attr = f' stroke-dasharray="{e(dash)}"' if dash else ""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" {size} '
        f'viewBox="0 0 {width} {height}" class="route-map">',
        f'<polyline points="{pts}" fill="none" stroke="{e(colour)}" stroke-width="3.5" '
        f'stroke-linejoin="round" stroke-linecap="round" opacity="0.85"{dash_attr}/>',
    ]
    seen: set[LatLon] = set()
    marks: list[tuple[int, Stop, tuple[float, float]]] = []
    for seq, s in enumerate(route.stops):
        p = point_of(s)
        if p in seen and s.kind is StopKind.DEPOT:
            continue
        seen.add(p)
        marks.append((seq, s, xy(*p)))
    spots = _place_labels([m[2] for m in marks], 19.0)
    for (_seq, _s, (x, y)), (lx, ly) in zip(marks, spots, strict=True):
        if (lx, ly) != (x, y):  # moved aside: a dot on the point and a line to the number
            parts.append(
                f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{lx:.1f}" y2="{ly:.1f}" stroke="#333" '
                f'stroke-width="1"/><circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="#333"/>'
            )
    for (seq, s, _xy), (x, y) in zip(marks, spots, strict=True):
        shape = (
            f'<rect x="{x - 9:.1f}" y="{y - 9:.1f}" width="18" height="18" fill="#444"/>'
            if s.kind is StopKind.DEPOT
            else f'<rect x="{x - 9:.1f}" y="{y - 9:.1f}" width="18" height="18" rx="4" '
            f'fill="#14345c" stroke="#fff" stroke-width="1.5"/>'
            if s.kind is StopKind.LOCATION
            else f'<circle cx="{x:.1f}" cy="{y:.1f}" r="9.5" fill="{e(colour)}" '
            'stroke="#fff" stroke-width="1.5"/>'
        )
        parts.append(
            shape + f'<text x="{x:.1f}" y="{y + 4:.1f}" font-size="11.5" text-anchor="middle" '
            f'fill="#fff" font-family="DejaVu Sans, sans-serif" font-weight="bold">{seq}</text>'
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


def _tags(p: Participant, t: Mapping[str, str]) -> list[str]:
    """A participant's needs as short words (not escaped)."""
    tags = []
    if p.wheelchair:
        tags.append(t["tag_wheelchair"])
    if p.escort:
        tags.append(t["tag_escort"])
    if p.walker:
        tags.append(t["tag_walker"])
    return tags


def _person(pid: str, sheet: _Sheet, alight_seq: int | None = None) -> str:
    """A participant in the in/out cell: name (with ``names``) and id, needs as tags."""
    p = sheet.people.get(pid)
    if p is None:
        return f"<b>{e(pid)}</b>"
    out = (
        f"<b>{e(p.name)}</b> <span class='id'>{e(pid)}</span>"
        if sheet.names and p.name
        else f"<b>{e(pid)}</b>"
    )
    out += "".join(f"<span class='tag'>{e(tag)}</span>" for tag in _tags(p, sheet.t))
    if p.organisation != sheet.route.organisation:
        out += f" <span class='small'>· {e(sheet.org(p.organisation))}</span>"
    if alight_seq is not None:
        out += f" <span class='small'>→ {e(sheet.t['stop'].lower())} {alight_seq}</span>"
    return out


def _notes_here(seq: int, stops: Sequence[Stop]) -> set[str]:
    """Whose notes the stop ``seq`` shows: each participant's once, at their home stop.

    Notes are about the person at their door: shown where the vehicle is at their home
    (pick-up in a ride to the locations, drop-off in a ride home); a ride that never stops
    at the home (a transfer between locations) shows them where the participant gets in.
    """
    s = stops[seq]
    riders = (*s.boarding, *s.alighting)
    if s.kind is StopKind.HOME:
        return {pid for pid in riders if pid == s.place or _home_stop(pid, stops) == seq}
    return {pid for pid in s.boarding if _home_stop(pid, stops) is None}


def _home_stop(pid: str, stops: Sequence[Stop]) -> int | None:
    """The stop at the participant's home where they get in or out (None: no such stop)."""
    for seq, s in enumerate(stops):
        if s.kind is StopKind.HOME and pid in (*s.boarding, *s.alighting):
            return seq
    return None


def _who_cell(seq: int, sheet: _Sheet, alight_at: Mapping[str, int], show_to: bool) -> str:
    """Who gets in and out at a stop, their needs, and the notes the stop shows."""
    t = sheet.t
    s = sheet.route.stops[seq]
    parts = []
    for ids, word, cls in ((s.alighting, t["out"], "out"), (s.boarding, t["in"], "in")):
        if not ids:
            continue
        to = show_to and cls == "in"
        people = [_person(pid, sheet, alight_at.get(pid) if to else None) for pid in ids]
        count = f" {len(ids)}" if len(ids) > 2 else ""
        head = f"<span class='dir {cls}'>{e(word)}{count}</span>"
        if len(ids) > 2:  # a group at a location: one compact list
            parts.append(f"<span class='who group'>{head}{', '.join(people)}</span>")
        else:
            parts.extend(f"<span class='who'>{head}{person}</span>" for person in people)
    several = len(s.alighting) + len(s.boarding) > 1
    for pid in (*s.alighting, *s.boarding):
        p = sheet.people.get(pid)
        if p is not None and p.notes and pid in _notes_here(seq, sheet.route.stops):
            who = (p.name if sheet.names and p.name else pid) + ": " if several else ""
            parts.append(f"<span class='note'>{e(who)}{e(p.notes)}</span>")
    return "".join(parts)


def _estimate_table_mm(sheet: _Sheet) -> float:
    """About how tall the stop table prints (mm), to give the map the rest of the page."""
    stops = sheet.route.stops
    per_line = 3.55
    address_chars = _COLUMNS_MM[2] / 1.5
    who_chars = _COLUMNS_MM[3] / 1.5
    total = 6.0  # the head row
    for seq, s in enumerate(stops):
        addr = stop_address(s, sheet.book)
        if s.kind is StopKind.LOCATION:
            loc = sheet.locations.get(s.place)
            addr = f"{loc.name if loc else s.place} ({s.place}) {addr}"
        addr_lines = math.ceil((len(addr) + 14) / address_chars) or 1
        lines = 0.0
        for ids in (s.boarding, s.alighting):
            texts_ = [
                (sheet.people[p].name if p in sheet.people and sheet.names else p) + "  " + p
                for p in ids
            ]
            width = sum(len(x) + 16 for x in texts_)
            if len(ids) > 2:
                lines += math.ceil(width / (who_chars * 1.07))
            else:
                lines += sum(math.ceil((len(x) + 24) / who_chars) for x in texts_)
        for pid in _notes_here(seq, stops):
            p = sheet.people.get(pid)
            if p is not None and p.notes:
                lines += 0.9 * math.ceil((len(p.notes) + len(p.name) + 2) / (who_chars * 1.15))
        total += max(addr_lines, lines, 1) * per_line + 1.6
    return total


def _map_height_mm(sheet: _Sheet, schedule_lines: int) -> float:
    """The map's height: what the page has left below the table, within limits."""
    free = _PAGE_MM - _HEAD_MM - 3.6 * schedule_lines - _FOOT_MM - _estimate_table_mm(sheet)
    return max(_MAP_MM[0], min(_MAP_MM[1], free - 6.0))


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
    dash: str | None = None,
    map_height_mm: float | None = None,
) -> str:
    """The printable route sheet of one vehicle in one trip: one A4 page, as HTML.

    A compact head (vehicle, organisation, depot times, the vehicle's trips of the day), a
    table with a row per stop (time, address with navigation links, who gets in and out
    with their needs as short tags, the load after the stop), each participant's notes
    once (at their home), the totals and a map of the route that takes the rest of the
    page. Up to 16 stops fit on one page.

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
    colour, dash
        The vehicle's colour and line pattern on the maps (None: from
        :func:`vervoer.outputs.style.vehicle_styles`).
    gpx_href
        Link to the route's GPX file, when written next to the sheets.
    vehicle_day
        The vehicle's day this trip belongs to, for the day schedule (None: found in
        ``plan.vehicle_days()``; pass it when writing many sheets).
    map_height_mm
        The map's printed height (None: what the page has left by an estimate of the
        table's height; :func:`vervoer.outputs.write.write_sheets` measures the laid-out
        page and gives the exact height when the estimate was too generous).

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
    if colour is None or dash is None:
        style = vehicle_styles(plan, scenario).get(route.vehicle, LineStyle("#1f77b4"))
        colour = colour or style.colour
        dash = style.dash if dash is None else dash
    if vehicle_day is None:
        vehicle_day = find_vehicle_day(plan, ride_key, route.vehicle)
    title = f"{t['sheet_title']} {route.vehicle} — {ride_label(ride_key, language)}"
    footer = f"{t['confidential']} {t['map_data']}".replace('"', "'").replace("\\", "/")
    css = _SHEET_CSS.replace("@FOOTER@", footer).replace("@PAGE@", t["page"])
    trips = len(vehicle_day.trips) if vehicle_day else 0
    map_mm = (
        _map_height_mm(sheet, max(0, math.ceil(trips / 4) - 1))
        if map_height_mm is None
        else max(10.0, map_height_mm)
    )
    map_h = round(700 * map_mm / _MAP_WIDTH_MM)
    parts = [
        f"<!doctype html><html lang='{language_code(language)}'><head><meta charset='utf-8'>",
        f"<title>{e(title)}</title><style>{css}</style></head>",
        f"<body data-ride='{e(str(ride_key))}' data-vehicle='{e(route.vehicle)}'>",
        f"<h1>{e(t['sheet_title'])} {e(route.vehicle)} · {e(ride_label(ride_key, language))}</h1>",
        *_meta_table(ride_key, sheet, LineStyle(colour, dash), vehicle_day),
        *_stops_table(sheet),
        _totals(sheet),
        f"<div class='small'>{e(t['nav'])}: {e(t['nav_note'])}",
    ]
    if gpx_href:
        parts.append(f" <a href='{e(gpx_href)}'>{e(t['gpx'])}</a>")
    parts.append("</div>")
    parts.append(
        route_svg(
            route,
            geometry,
            colour,
            width=700,
            height=map_h,
            dash=dash,
            size_mm=(_MAP_WIDTH_MM, map_mm),
        )
    )
    parts.append(
        f"<p class='small screen'>{e(t['confidential'])} {e(t['map_data'])}</p></body></html>"
    )
    return "".join(parts)


def _meta_table(
    ride_key: RideKey, sheet: _Sheet, style: LineStyle, vehicle_day: VehicleDay | None
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
        f"<tr><th>{e(t['vehicle'])}</th><td>{swatch_svg(style)} <b>{e(route.vehicle)}</b>"
        f"{e(vname)}{e(cap)}</td>",
        f"<th>{e(t['depot_start'])}</th><td><b>{format_clock(first.departure)}</b>"
        f"{' — ' + e(depot_addr) if depot_addr else ''}</td></tr>",
        f"<tr><th>{e(t['organisation'])}</th><td>{e(sheet.org(route.organisation))}</td>",
        f"<th>{e(t['depot_end'])}</th><td><b>{format_clock(last.arrival)}</b></td></tr>",
        f"<tr><th>{e(t['day'])}</th><td>{e(ride_label(ride_key, sheet.language, long=True))}</td>",
        *_schedule_cells(ride_key, vehicle_day, sheet),
        "</tr></table>",
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


def _schedule_cells(ride_key: RideKey, vehicle_day: VehicleDay | None, sheet: _Sheet) -> list[str]:
    """The cells "Dagplanning": the vehicle's trips of the day in order, this one marked."""
    if vehicle_day is None or not any(k == ride_key for k, _ in vehicle_day.trips):
        return ["<td></td><td></td>"]
    t = sheet.t
    total = len(vehicle_day.trips)
    items = []
    position = 1
    for n, (key, r) in enumerate(vehicle_day.trips, start=1):
        times = f"{format_clock(r.stops[0].departure)}–{format_clock(r.stops[-1].arrival)}"
        current = key == ride_key
        if current:
            position = n
        mark = f" ({e(t['this_trip'])})" if current else ""
        cls = " class='current'" if current else ""
        items.append(
            f"<li{cls} data-trip='{e(key.trip)}'>"
            f"{n}. {e(trip_words(key, sheet.language))} {times}{mark}</li>"
        )
    of = t["trip_of"].format(n=position, total=total)
    return [
        f"<th>{e(t['day_schedule'])}</th><td>{e(of)}: "
        f"<ol class='schedule'>{''.join(items)}</ol></td>"
    ]


def _stops_table(sheet: _Sheet) -> list[str]:
    """The table of the stops in driving order, a row per stop."""
    t = sheet.t
    stops = sheet.route.stops
    alight_at = {pid: seq for seq, s in enumerate(stops) for pid in s.alighting}
    # where each rider gets out is worth saying only when it is not the same for all
    drop_offs = {seq for seq, s in enumerate(stops) if s.alighting and s.kind is not StopKind.HOME}
    show_to = len(drop_offs) > 1
    cols = "".join(f"<col style='width:{w:g}mm'>" for w in _COLUMNS_MM)
    parts = [
        f"<table class='stops'><colgroup>{cols}</colgroup><thead><tr>",
        f"<th>#</th><th>{e(t['time'])}</th><th>{e(t['address_col'])}</th>"
        f"<th>{e(t['in_out'])}</th><th>{e(t['load_short'])}</th>",
        "</tr></thead><tbody>",
    ]
    prev: Stop | None = None
    for seq, s in enumerate(stops):
        cls = {StopKind.DEPOT: " class='depot'", StopKind.LOCATION: " class='location'"}.get(
            s.kind, ""
        )
        parts.append(
            f"<tr{cls} data-seq='{seq}' data-place='{e(s.place)}'><td class='seq'>{seq}</td>"
            f"<td class='time'>{_stop_time(s)}</td>"
            f"<td>{_place_cell(seq, s, sheet)}{_nav_links(prev, s)}</td>"
            f"<td>{_who_cell(seq, sheet, alight_at, show_to)}</td>"
            f"<td>{_load_cell(seq, s, sheet)}</td></tr>"
        )
        prev = s
    parts.append("</tbody></table>")
    return parts


def _stop_time(s: Stop) -> str:
    if s.arrival == s.departure:
        return format_clock(s.arrival)
    return f"{format_clock(s.arrival)}–{format_clock(s.departure)}"


def _place_cell(seq: int, s: Stop, sheet: _Sheet) -> str:
    """Where a stop is: the depot, a location by name, or a home address (a ``geo:`` link)."""
    t = sheet.t
    addr = stop_address(s, sheet.book) or f"{s.lat:.5f}, {s.lon:.5f}"
    link = f"<a class='addr' href='{e(_geo_uri(s))}'>{e(addr)}</a>"
    if s.kind is StopKind.DEPOT:
        what = t["depot_start"] if seq == 0 else t["depot_end"]
        return f"<b>{e(what)}</b> {link}"
    if s.kind is StopKind.LOCATION:
        loc = sheet.locations.get(s.place)
        name = e(loc.name if loc else s.place)
        return f"<b>{name}</b> <span class='id'>{e(s.place)}</span><br>{link}"
    return link


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


def _nav_links(prev: Stop | None, s: Stop) -> str:
    """The OSM route from the previous stop, when the vehicle moved (the address is the
    ``geo:`` link)."""
    if prev is None or point_of(prev) == point_of(s):
        return ""
    return f" <span class='links'>· <a href='{e(osm_directions_url(prev, s))}'>OSM</a></span>"


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
    all_pdf: str | None = None,
    day_pdfs: Sequence[tuple[VehicleDay, str]] = (),
) -> str:
    """An index page listing the route sheets, and the PDFs to print.

    Parameters
    ----------
    plan, scenario
        The plan and the scenario it was made for.
    entries
        ``(ride, route, html href, pdf href or None)`` per sheet, in the order to list.
    language
        ``nl`` (default) or ``en``.
    all_pdf
        Href of the PDF with every sheet (None: not written).
    day_pdfs
        ``(vehicle day, pdf href)``: one PDF per vehicle per day, for its driver.

    Returns
    -------
    str
        An HTML page with the print links and a table row and links per sheet; every
        scenario text escaped.
    """
    t = texts(language)
    orgs = {o.id: o.name for o in scenario.organisations}
    name = plan.scenario or scenario.name
    parts = [
        f"<!doctype html><html lang='{language_code(language)}'><head><meta charset='utf-8'>",
        f"<title>{e(t['index_title'])} — {e(name)}</title>",
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;"
        "margin-bottom:1em}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}"
        "</style></head><body>",
        f"<h1>{e(t['index_title'])} — {e(name)}</h1>",
        f"<p>{e(t['confidential'])}</p>",
    ]
    if all_pdf or day_pdfs:
        parts.append(f"<h2>{e(t['print'])}</h2>")
    if all_pdf:
        parts.append(
            f"<p class='all'><a href='{e(all_pdf)}'>all-sheets.pdf</a> — {e(t['all_sheets'])}</p>"
        )
    if day_pdfs:
        parts.append(
            f"<p>{e(t['per_vehicle_day'])}</p><table class='days'><tr><th>{e(t['day'])}</th>"
            f"<th>{e(t['vehicle'])}</th><th>{e(t['organisation'])}</th><th>{e(t['time'])}</th>"
            f"<th>{e(t['trips'])}</th><th>PDF</th></tr>"
        )
        for vd, href in day_pdfs:
            trips = ", ".join(trip_words(k, language) for k, _ in vd.trips)
            parts.append(
                f"<tr><td>{e(day_name(vd.weekday, language))}</td><td>{e(vd.vehicle)}</td>"
                f"<td>{e(orgs.get(vd.organisation, vd.organisation))}</td>"
                f"<td>{format_clock(vd.start)}–{format_clock(vd.end)}</td>"
                f"<td>{e(trips)}</td><td><a href='{e(href)}'>{e(href)}</a></td></tr>"
            )
        parts.append("</table>")
    parts.append(
        f"<h2>{e(t['index_title'])}</h2>"
        f"<table class='sheets'><tr><th>{e(t['ride'])}</th><th>{e(t['vehicle'])}</th>"
        f"<th>{e(t['organisation'])}</th><th>{e(t['time'])}</th><th>km</th>"
        f"<th>{e(t['participants'])}</th><th></th></tr>"
    )
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


def vehicle_day_stems(plan: Plan) -> dict[tuple[str, str], str]:
    """The file name (without extension) of every vehicle day's PDF.

    Parameters
    ----------
    plan
        The plan.

    Returns
    -------
    dict
        ``(weekday, vehicle)`` -> stem such as ``day-mon-B1`` (the vehicle slugs of
        :func:`sheet_stems`; a sheet's stem starts with its weekday, so they never meet).
    """
    slugs = unique_slugs(r.vehicle for _, r in iter_routes(plan))
    return {
        (vd.weekday.value, vd.vehicle): f"day-{vd.weekday.value}-{slugs[vd.vehicle]}"
        for vd in plan.vehicle_days()
        if vd.vehicle in slugs
    }


__all__ = [
    "MAP_MIN_MM",
    "SHEET_BOTTOM_MM",
    "find_vehicle_day",
    "osm_directions_url",
    "route_sheet_html",
    "route_svg",
    "sheet_stems",
    "sheets_index_html",
    "trip_words",
    "vehicle_day_stems",
]
