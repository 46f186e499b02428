"""Interactive maps of a plan (the only module that imports folium).

Maps (:func:`week_map`) are Folium/Leaflet pages: routes along the roads in a colour (and,
past the palette's 12 colours, a dash pattern) per vehicle, numbered stops in driving order
with an arrow per leg, a layer per ride and per organisation and a checkbox per vehicle in
the legend (a route shows when its trip, its organisation and its vehicle are switched on),
layers for locations, depots and unassigned rides, a legend, popups. The week overview opens
with one day's morning trips shown and the other trips switched off in the layer control;
stop numbers at one address are set side by side. They are shared between
organisations, so participants appear by id unless ``names=True``. Leaflet's JavaScript and
CSS are inlined from the ``xstatic-leaflet`` package, so a saved map needs no CDN; only the
background tiles come from the internet (``tiles=None`` leaves them out). Every text from the
scenario is HTML-escaped.

:func:`week_map` builds a map, :func:`save_map` writes one; :func:`vervoer.outputs.write.write_maps`
writes the overview and one map per weekday.
"""

from __future__ import annotations

import html
import math
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import folium
from branca.element import Element, Figure

from vervoer.core.files import atomic_open
from vervoer.core.i18n import (
    day_name,
    format_number,
    load_text,
    reason_text,
    ride_label,
    texts,
)
from vervoer.core.model import Direction, StopKind, Weekday, format_clock
from vervoer.outputs._leaflet import MAP_CSS, Bind, Pin, RouteFilter, leaflet_assets
from vervoer.outputs.exports import (
    haversine_m,
    iter_routes,
    leg_path,
    people_by_id,
    point_of,
    route_path,
    simplify_path,
)
from vervoer.outputs.style import LineStyle, e, swatch_svg, vehicle_styles
from vervoer.routing.requests import trips_of_day

if TYPE_CHECKING:
    from vervoer.core.model import Plan, RideKey, RidePlan, Route, Stop, Unassigned, Vehicle
    from vervoer.io.scenario import Scenario
    from vervoer.outputs.exports import Geometry, LatLon

OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTR = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'


def osm_attribution(language: str) -> str:
    """The tiles' attribution in the map's language (HTML with the copyright link).

    Parameters
    ----------
    language
        ``nl`` (default) or ``en``.

    Returns
    -------
    str
        ``© OpenStreetMap-bijdragers`` / ``© OpenStreetMap contributors``, linked.
    """
    words = texts(language)["osm_contributors"]
    link = '<a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
    return "&copy; " + e(words).replace("OpenStreetMap", link, 1)


# ----------------------------------------------------------------------------- lookups


class _Lookups:
    """What every part of one map looks up: the scenario by id, colours and language."""

    def __init__(self, plan: Plan, scenario: Scenario, *, names: bool, language: str) -> None:
        self.scenario = scenario
        self.names = names
        self.language = language
        self.t = texts(language)
        self.people = people_by_id(scenario)
        self.vehicles = {v.id: v for v in scenario.vehicles}
        self.orgs = {o.id: o.name for o in scenario.organisations}
        self.locations = {loc.id: loc for loc in scenario.locations}
        self.styles = vehicle_styles(plan, scenario)
        self.colours = {vid: st.colour for vid, st in self.styles.items()}

    def org(self, org_id: str) -> str:
        """An organisation's name (its id when the scenario does not know it)."""
        return self.orgs.get(org_id, org_id)

    def who(self, ids: Sequence[str]) -> str:
        """Escaped, comma-separated participants: ids, or ``name (id)`` with ``names``."""
        out = []
        for i in ids:
            p = self.people.get(i)
            out.append(e(f"{p.name} ({i})") if self.names and p is not None and p.name else e(i))
        return ", ".join(out)


# ----------------------------------------------------------------------------- geometry


def _bearing(a: LatLon, b: LatLon) -> float:
    lat1, lat2 = math.radians(a[0]), math.radians(b[0])
    dlon = math.radians(b[1] - a[1])
    x = math.sin(dlon) * math.cos(lat2)
    y = math.cos(lat1) * math.sin(lat2) - math.sin(lat1) * math.cos(lat2) * math.cos(dlon)
    return math.degrees(math.atan2(x, y)) % 360


def _midpoint(path: Sequence[LatLon]) -> tuple[LatLon, float] | None:
    """The point halfway along a path and the bearing there (None for a point)."""
    lengths = [haversine_m(a, b) for a, b in zip(path[:-1], path[1:], strict=True)]
    total = sum(lengths)
    if total <= 0:
        return None
    half = total / 2
    for (a, b), d in zip(zip(path[:-1], path[1:], strict=True), lengths, strict=True):
        if d > 0 and half <= d:
            f = half / d
            return (a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1])), _bearing(a, b)
        half -= d
    return None


def _bounds(plan: Plan, scenario: Scenario) -> list[list[float]] | None:
    pts = [p.point for p in scenario.participants if p.point is not None]
    pts += [loc.point for loc in scenario.locations if loc.point is not None]
    pts += [v.depot for v in scenario.vehicles if v.depot is not None]
    lats = [p.lat for p in pts] + [s.lat for _, r in iter_routes(plan) for s in r.stops]
    lons = [p.lon for p in pts] + [s.lon for _, r in iter_routes(plan) for s in r.stops]
    if not lats:
        return None
    return [[min(lats), min(lons)], [max(lats), max(lons)]]


# ----------------------------------------------------------------------------- popups


def _stop_popup(
    key: RideKey,
    route: Route,
    seq: int,
    stop: Stop,
    look: _Lookups,
    *,
    place_name: str,
    vehicle: Vehicle | None,
) -> str:
    t = look.t
    kind = {StopKind.HOME: t["home"], StopKind.LOCATION: t["location"], StopKind.DEPOT: t["depot"]}
    rows = [
        f"<b>{e(t['stop'])} {seq} · {e(kind[stop.kind])} {e(place_name)}</b>",
        f"{e(ride_label(key, look.language))} · {e(t['vehicle'])} {e(route.vehicle)}",
        f"{e(t['arrival'])} {format_clock(stop.arrival)} · "
        f"{e(t['departure'])} {format_clock(stop.departure)}",
    ]
    if stop.boarding:
        rows.append(f"{e(t['boarding'])}: {look.who(stop.boarding)}")
    if stop.alighting:
        rows.append(f"{e(t['alighting'])}: {look.who(stop.alighting)}")
    rows.append(
        f"{e(t['load_after'])}: {e(load_text(stop.load_seats, stop.load_wheelchairs, vehicle, t))}"
    )
    return "<div class='vv-popup'>" + "<br>".join(rows) + "</div>"


def _route_popup(key: RideKey, route: Route, look: _Lookups, *, sheet_href: str | None) -> str:
    t = look.t
    language = look.language
    vehicle = look.vehicles.get(route.vehicle)
    first, last = route.stops[0], route.stops[-1]
    riders = sum(len(s.boarding) for s in route.stops)
    max_s = max(s.load_seats for s in route.stops)
    max_w = max(s.load_wheelchairs for s in route.stops)
    vname = f" ({vehicle.name})" if vehicle and vehicle.name else ""
    rows = [
        f"<b>{e(t['vehicle'])} {e(route.vehicle + vname)}</b>",
        f"{e(t['organisation'])}: {e(look.org(route.organisation))}",
        f"{e(ride_label(key, language))}: {format_clock(first.departure)}–"
        f"{format_clock(last.arrival)}",
        f"{format_number(route.distance_m / 1000, 1, language)} km · "
        f"{format_clock(route.duration_s)} · "
        f"{e(t['cost'])} EUR {format_number(route.cost, 2, language)}",
        f"{e(t['max_load'])}: {e(load_text(max_s, max_w, vehicle, t))}",
        f"{riders} {e(t['participants'])}, {len(route.stops)} {e(t['stops'])}",
    ]
    if sheet_href:
        rows.append(f"<a href='{e(sheet_href)}' target='_blank'>{e(t['sheet'])}</a>")
    return "<div class='vv-popup'>" + "<br>".join(rows) + "</div>"


#: a location's part in a trip: participants arrive there, or leave from it
_ARRIVE, _LEAVE = "arrive", "leave"


def _wanted_times(
    scenario: Scenario, keys: Sequence[RideKey]
) -> dict[tuple[str, RideKey, str], set[int]]:
    """Per ``(location, trip, arrive/leave)``: the asked arrival or departure minutes.

    The times come from the trip's requests (:func:`vervoer.routing.requests.trips_of_day`):
    a ride to a location (heen, and the second half of a transfer) asks to arrive by
    ``arrive_by``; a ride home asks to be picked up from ``depart_at``, and a transfer from
    ``depart_at`` at the location it starts from.
    """
    times: dict[tuple[str, RideKey, str], set[int]] = defaultdict(set)
    wanted = set(keys)
    for day in dict.fromkeys(k.weekday for k in keys):
        for key, requests in trips_of_day(scenario, day).items():
            if key not in wanted:
                continue
            for r in requests:
                if r.direction in (Direction.HEEN, Direction.TRANSFER):
                    times[(r.location.id, key, _ARRIVE)].add(r.arrive_by)
                if r.direction is Direction.TERUG:
                    times[(r.location.id, key, _LEAVE)].add(r.depart_at)
                if r.direction is Direction.TRANSFER and r.origin is not None:
                    times[(r.origin.id, key, _LEAVE)].add(r.depart_at)
    return times


def _location_popups(rides: Sequence[RidePlan], look: _Lookups) -> dict[str, str]:
    """Popup HTML per location id: name, address, and per trip who arrives or leaves when.

    A trip gets a row for the participants arriving at the location and one for those
    leaving it, each when asked for or when someone gets out or in there (a midday trip
    can have both).
    """
    t = look.t
    times = _wanted_times(look.scenario, [ride.key for ride in rides])
    visits: dict[str, list[tuple[RideKey, str, Stop]]] = defaultdict(list)
    for ride in rides:
        for route in ride.routes:
            for s in route.stops:
                if s.kind is StopKind.LOCATION:
                    visits[s.place].append((ride.key, route.vehicle, s))
    out = {}
    for loc in look.scenario.locations:
        head = [
            f"<b>{e(loc.name)}</b> ({e(loc.id)})",
            f"{e(t['organisation'])}: {e(look.org(loc.organisation))}",
        ]
        if loc.address:
            head.append(f"{e(t['address'])}: {e(loc.address)}")
        rows = []
        for ride in rides:
            key = ride.key
            stops = [(v, s) for k, v, s in visits.get(loc.id, ()) if k == key]
            for role in (_ARRIVE, _LEAVE):
                arrive = role == _ARRIVE
                wanted = sorted(times.get((loc.id, key, role), ()))
                moving = [(v, s) for v, s in stops if (s.alighting if arrive else s.boarding)]
                if not wanted and not moving:
                    continue
                who = [p for _, s in moving for p in (s.alighting if arrive else s.boarding)]
                when = ", ".join(format_clock(m * 60) for m in wanted)
                label = t["arrive_by"] if arrive else t["depart_at"]
                vehicles = ", ".join(f"{e(v)} {format_clock(s.arrival)}" for v, s in moving)
                rows.append(
                    f"<tr data-ride='{e(str(key))}' data-role='{role}'>"
                    f"<td>{e(ride_label(key, look.language))}</td>"
                    f"<td>{e(label)} {when}</td>"
                    f"<td>{len(who)} {e(t['participants'])} {e(t[role])}"
                    f"{': ' + look.who(who) if who else ''}</td>"
                    f"<td>{vehicles}</td></tr>"
                )
        table = f"<table>{''.join(rows)}</table>" if rows else ""
        out[loc.id] = "<div class='vv-popup'>" + "<br>".join(head) + table + "</div>"
    return out


def _icon(kind: str, label: str, colour: str, data: Mapping[str, object]) -> str:
    attrs = "".join(f' data-{k}="{e(str(v))}"' for k, v in data.items())
    return f'<div class="vv-stop vv-{kind}"{attrs} style="background:{colour}">{e(label)}</div>'


# ----------------------------------------------------------------------------- the map


def week_map(
    plan: Plan,
    scenario: Scenario,
    geometry: Geometry | None,
    *,
    day: Weekday | str | None = None,
    names: bool = False,
    language: str = "nl",
    tiles: str | None = OSM_TILES,
    day_links: Mapping[Weekday, str] | None = None,
    sheet_links: Mapping[tuple[str, str], str] | None = None,
    shown: Collection[RideKey] | None = None,
) -> folium.Map:
    """An interactive map of a plan (one weekday, or the whole plan).

    Parameters
    ----------
    plan, scenario
        The plan and the (geocoded) scenario it was made for.
    geometry
        Road paths per leg (:func:`vervoer.outputs.exports.route_geometry`); None: straight lines.
    day
        Only the rides of this weekday (``ma``/``mon``/:class:`Weekday`); None: all rides.
    names
        Show participant names (the default shows ids only: maps are shared).
    language
        ``nl`` (default) or ``en``.
    tiles
        Tile URL template of the background map; None for no background (fully offline).
    day_links
        Weekday -> href of that day's map, listed in the legend (for the overview).
    sheet_links
        ``(ride, vehicle)`` -> href of the route sheet, linked from the route popup.
    shown
        The trips switched on when the map opens (the others are off in the layer
        control). Default: a day's map shows all its trips; the overview shows the
        morning trips of the first day (:func:`first_shown`).

    Returns
    -------
    folium.Map
        Layers: one per ride, one per organisation, locations, depots, unassigned; a
        checkbox per vehicle in the legend.
    """
    if isinstance(day, str):
        day = Weekday.parse(day)
    rides = [r for r in plan.rides if day is None or r.key.weekday is day]
    if shown is None:
        shown = [r.key for r in rides] if day is not None else first_shown(plan)
    shown = set(shown)
    look = _Lookups(plan, scenario, names=names, language=language)
    bounds = _bounds(plan, scenario)
    m, title = _base_map(plan, scenario, day, bounds, language=language, tiles=tiles)
    cells = _add_rides(m, rides, geometry, look, sheet_links or {}, shown)
    org_layers = _add_organisation_layers(m, rides, look)
    _add_locations(m, rides, look)
    _add_depots(m, rides, look, every_vehicle=day is None)
    unassigned = _add_unassigned(m, rides, look)
    hidden = len(shown & {r.key for r in rides}) < len(rides)
    first = [ride_label(r.key, language) for r in rides if r.key in shown] if hidden else None
    _add_legend(m, title, rides, unassigned, look, day_links=day_links, shown=first)
    folium.LayerControl(collapsed=False).add_to(m)
    RouteFilter(
        [(org_layers[o].get_name(), ride, cell, vehicle) for o, ride, cell, vehicle in cells]
    ).add_to(m)
    if bounds:
        m.fit_bounds(bounds, padding=(20, 20))
    return m


def first_shown(plan: Plan) -> list[RideKey]:
    """The trips a week overview shows when it opens: the first day's morning trips.

    Parameters
    ----------
    plan
        The plan.

    Returns
    -------
    list of RideKey
        The ``heen`` trips of the plan's first weekday with routes (its first trip when it
        has no morning trip); empty for a plan without routes.
    """
    for ride in plan.rides:
        if ride.routes:
            day = ride.key.weekday
            trips = [r.key for r in plan.rides if r.key.weekday is day and r.routes]
            return [k for k in trips if k.kind == "heen"] or trips[:1]
    return []


def _base_map(
    plan: Plan,
    scenario: Scenario,
    day: Weekday | None,
    bounds: list[list[float]] | None,
    *,
    language: str,
    tiles: str | None,
) -> tuple[folium.Map, str]:
    """The empty map with its title, Leaflet (inlined when possible), CSS and tiles."""
    t = texts(language)
    centre = (
        [(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2]
        if bounds
        else [52.1, 5.3]
    )
    m = folium.Map(location=centre, zoom_start=12, tiles=None, control_scale=True)
    root: Figure = m.get_root()  # type: ignore[assignment]
    mode = t.get(plan.mode.value, plan.mode.value)
    scope = day_name(day, language) if day is not None else t["overview"]
    title = f"{t['plan']} {plan.scenario or scenario.name} — {scope} ({mode})"
    root.title = e(title)
    assets = leaflet_assets()
    if assets is not None:
        js, css = assets
        m.default_js = []
        m.default_css = []
        root.header.add_child(Element(f"<style>{css}</style>"), name="leaflet_css")
        root.header.add_child(Element(f"<script>{js}</script>"), name="leaflet_js")
    else:  # without xstatic-leaflet: Leaflet from its CDN, nothing else
        m.default_js = [(n, u) for n, u in m.default_js if n == "leaflet"]
        m.default_css = [(n, u) for n, u in m.default_css if n == "leaflet_css"]
    root.header.add_child(Element(f"<style>{MAP_CSS}</style>"), name="vervoer_css")
    if tiles:
        folium.TileLayer(
            tiles=tiles,
            attr=osm_attribution(language),
            name="OpenStreetMap",
            max_zoom=19,
            control=False,
        ).add_to(m)
    return m, title


def _add_rides(
    m: folium.Map,
    rides: Sequence[RidePlan],
    geometry: Geometry | None,
    look: _Lookups,
    sheet_links: Mapping[tuple[str, str], str],
    shown: Collection[RideKey],
) -> list[tuple[str, str, str, str]]:
    """A layer per ride holding a sub-group per route; returns ``(org, ride, cell, vehicle)``.

    Ride layers not in ``shown`` start switched off. The names of the ride layers and their
    cells let :class:`RouteFilter` take an organisation's or a vehicle's routes out of every
    ride layer.
    """
    cells: list[tuple[str, str, str, str]] = []
    for ride in rides:
        key = ride.key
        group = folium.FeatureGroup(name=e(ride_label(key, look.language)), show=key in shown)
        group.add_to(m)
        for route in ride.routes:
            if not route.stops:
                continue
            cell = folium.FeatureGroup(control=False)
            cell.add_to(group)
            sheet_href = sheet_links.get((str(key), route.vehicle))
            _draw_route(cell, key, route, geometry, look, sheet_href=sheet_href)
            cells.append((route.organisation, group.get_name(), cell.get_name(), route.vehicle))
    return cells


def _add_organisation_layers(
    m: folium.Map, rides: Sequence[RidePlan], look: _Lookups
) -> dict[str, folium.FeatureGroup]:
    """An (empty) switch layer per organisation with routes, sorted by name."""
    used = sorted(
        {r.organisation for ride in rides for r in ride.routes},
        key=lambda o: (look.org(o).lower(), o),
    )
    layers: dict[str, folium.FeatureGroup] = {}
    for org in used:
        name = e(f"{look.t['organisation']}: {look.org(org)}")
        layer = folium.FeatureGroup(name=name, show=True)
        layer.add_to(m)
        layers[org] = layer
    return layers


def _add_locations(m: folium.Map, rides: Sequence[RidePlan], look: _Lookups) -> None:
    """A pin per located location, with who arrives and leaves when."""
    layer = folium.FeatureGroup(name=e(look.t["locations"]), show=True).add_to(m)
    popups = _location_popups(rides, look)
    for loc in look.scenario.locations:
        if loc.point is None:
            continue
        Pin(
            (loc.point.lat, loc.point.lon),
            '<div class="vv-place vv-place-location">&#9733;</div>',
            size=26,
            pin=True,
            popup=popups.get(loc.id, ""),
            tooltip=e(f"{loc.name} ({loc.id})"),
            z_offset=-100,
            data={"location": loc.id},
        ).add_to(layer)


def _add_depots(
    m: folium.Map, rides: Sequence[RidePlan], look: _Lookups, *, every_vehicle: bool
) -> None:
    """A pin per depot position listing its vehicles (``every_vehicle``: also unused ones)."""
    t = look.t
    layer = folium.FeatureGroup(name=e(t["depots"]), show=True).add_to(m)
    depots: dict[tuple[float, float], list[Vehicle]] = defaultdict(list)
    used = {r.vehicle for ride in rides for r in ride.routes}
    for v in look.scenario.vehicles:
        if v.depot is not None and (v.id in used or every_vehicle):
            depots[(round(v.depot.lat, 7), round(v.depot.lon, 7))].append(v)
    for pt, vs in depots.items():
        lines = [
            f"<span class='vv-swatch' style='background:{look.colours.get(v.id, '#333')}'></span>"
            f"<b>{e(v.id)}</b> {e(v.name)} · {e(look.org(v.organisation))} · "
            f"{v.seats} {e(t['seats'])}, {v.wheelchair_places} {e(t['wheel'])}"
            for v in vs
        ]
        addr = next((v.depot_address for v in vs if v.depot_address), "")
        head = f"<b>{e(t['depot'])}</b>" + (f": {e(addr)}" if addr else "")
        Pin(
            pt,
            '<div class="vv-place vv-place-depot">P</div>',
            size=26,
            pin=True,
            popup="<div class='vv-popup'>" + "<br>".join([head, *lines]) + "</div>",
            tooltip=e(f"{t['depot']}: " + ", ".join(v.id for v in vs)),
            z_offset=-200,
            data={"depot": ",".join(v.id for v in vs)},
        ).add_to(layer)


def _add_unassigned(
    m: folium.Map, rides: Sequence[RidePlan], look: _Lookups
) -> list[tuple[RideKey, Unassigned]]:
    """A pin at the home of every unassigned ride (when located); returns them all."""
    t = look.t
    unassigned = [(ride.key, u) for ride in rides for u in ride.unassigned]
    layer = folium.FeatureGroup(name=e(f"{t['unassigned']} ({len(unassigned)})"), show=True).add_to(
        m
    )
    for key, u in unassigned:
        p = look.people.get(u.participant)
        if p is None or p.point is None:
            continue
        who = look.who([u.participant])
        loc = look.locations.get(u.location)
        Pin(
            (p.point.lat, p.point.lon),
            '<div class="vv-place vv-place-unassigned">!</div>',
            size=26,
            pin=True,
            popup=(
                f"<div class='vv-popup'><b>{e(t['unassigned'])}: {who}</b><br>"
                f"{e(ride_label(key, look.language))} · "
                f"{e(loc.name if loc else u.location)}<br>"
                f"{e(t['organisation'])}: {e(look.org(u.organisation))}<br>"
                f"{e(t['reason'])}: {e(reason_text(u.reason, u.message, look.language))}</div>"
            ),
            tooltip=f"{e(t['unassigned'])}: {who}",
            data={"unassigned": u.participant, "ride": str(key)},
        ).add_to(layer)
    return unassigned


def _draw_route(
    cell: folium.FeatureGroup,
    key: RideKey,
    route: Route,
    geometry: Geometry | None,
    look: _Lookups,
    *,
    sheet_href: str | None,
) -> None:
    """One route into its cell: the line along the roads, an arrow per leg, the stops."""
    style = look.styles.get(route.vehicle, LineStyle("#333"))
    colour = style.colour
    path = simplify_path(route_path(route, geometry))
    dash = {"dash_array": style.dash} if style.dash else {}
    line = folium.PolyLine(path, color=colour, weight=5, opacity=0.85, **dash)  # type: ignore[no-untyped-call]
    Bind(
        _route_popup(key, route, look, sheet_href=sheet_href),
        e(f"{route.vehicle} · {ride_label(key, look.language)}"),
    ).add_to(line)
    line.add_to(cell)
    _draw_arrows(cell, route, geometry, colour)
    _draw_stops(cell, key, route, look, colour)


def _draw_arrows(
    cell: folium.FeatureGroup, route: Route, geometry: Geometry | None, colour: str
) -> None:
    """An arrow halfway along every leg, turned in the driving direction."""
    for a, b in zip(route.stops[:-1], route.stops[1:], strict=True):
        mid = _midpoint(leg_path(a, b, geometry))
        if mid is None:
            continue
        (lat, lon), bearing = mid
        Pin(
            (lat, lon),
            f'<div class="vv-arrow" style="transform:rotate({bearing:.0f}deg)">'
            '<svg width="16" height="16" viewBox="0 0 16 16"><path d="M8 1 L14 14 L8 10 L2 14 Z"'
            f' fill="{colour}" stroke="#222" stroke-width="1"/></svg></div>',
            size=16,
            interactive=False,
            z_offset=-500,
        ).add_to(cell)


def _place_name(s: Stop, look: _Lookups) -> str:
    """A stop's place as its popup names it (a home by id, or ``name (id)`` with names)."""
    if s.kind is StopKind.LOCATION:
        loc = look.locations.get(s.place)
        return f"{loc.name} ({s.place})" if loc else s.place
    if s.kind is StopKind.DEPOT:
        return s.place
    p = look.people.get(s.place)
    return f"{p.name} ({s.place})" if look.names and p is not None and p.name else s.place


def _draw_stops(
    cell: folium.FeatureGroup, key: RideKey, route: Route, look: _Lookups, colour: str
) -> None:
    """A numbered marker per stop, in driving order, with its popup and tooltip."""
    t = look.t
    vehicle = look.vehicles.get(route.vehicle)
    last = len(route.stops) - 1
    for seq, s in enumerate(route.stops):
        data = {
            "ride": str(key),
            "vehicle": route.vehicle,
            "seq": seq,
            "kind": s.kind.value,
            "place": s.place,
        }
        tip = f"{seq} · {format_clock(s.arrival)} · {route.vehicle}"
        if s.kind is StopKind.DEPOT:
            tip += f" · {t['depot_start'] if seq == 0 else t['depot_end']}"
        Pin(
            point_of(s),
            _icon(s.kind.value, str(seq), colour, data),
            popup=_stop_popup(
                key, route, seq, s, look, place_name=_place_name(s, look), vehicle=vehicle
            ),
            tooltip=e(tip),
            z_offset=(100 if s.kind is StopKind.HOME else 0) + (0 if seq < last else -50),
            data=data,
        ).add_to(cell)


def _legend_vehicles(rides: Sequence[RidePlan], look: _Lookups) -> list[str]:
    """The legend's vehicle list items, in colour order (``none`` when no vehicle drives)."""
    used = []
    for ride in rides:
        for r in ride.routes:
            if r.vehicle not in used:
                used.append(r.vehicle)
    order = {vid: i for i, vid in enumerate(look.colours)}
    used.sort(key=lambda v: order.get(v, len(order)))
    items = []
    for vid in used:
        v = look.vehicles.get(vid)
        label = vid + (f" {v.name}" if v and v.name else "")
        org = look.org(v.organisation) if v else ""
        style = look.styles.get(vid, LineStyle("#333"))
        items.append(
            f"<li class='vv-vehicle' data-vehicle='{e(vid)}'><label>"
            f"<input type='checkbox' checked data-vehicle='{e(vid)}'>{swatch_svg(style)}"
            f"{e(label)}{' · ' + e(org) if org else ''}</label></li>"
        )
    if not used:
        items.append(f"<li>{e(look.t['none'])}</li>")
    return items


def _add_legend(
    m: folium.Map,
    title: str,
    rides: Sequence[RidePlan],
    unassigned: Sequence[tuple[RideKey, Unassigned]],
    look: _Lookups,
    *,
    day_links: Mapping[Weekday, str] | None,
    shown: Sequence[str] | None = None,
) -> None:
    """The legend box: vehicles (colours and switches), symbols, unassigned rides, day links.

    ``shown`` names the rides switched on when the map opens, when some are off.
    """
    t = look.t
    parts = [
        f"<div id='vv-legend' class='vv-legend'><details open><summary>{e(title)}</summary>",
    ]
    if shown is not None:
        rides_on = ", ".join(shown) or t["none"]
        parts.append(f"<div class='vv-shown'>{e(t['shown_first'].format(rides=rides_on))}</div>")
    parts += [
        f"<div><b>{e(t['vehicles'])}</b> <small>{e(t['vehicle_switch'])}</small></div>"
        "<ul class='vv-vehicles' style='list-style:none;padding-left:0'>",
        *_legend_vehicles(rides, look),
        "</ul>",
        f"<div>{e(t['legend_stops'])}</div><div>{e(t['legend_layers'])}</div>",
        f"<details class='vv-unassigned'><summary>{e(t['unassigned'])} ({len(unassigned)})"
        "</summary><ul>",
    ]
    for key, u in unassigned:
        parts.append(
            f"<li>{e(ride_label(key, look.language))}: "
            f"{look.who([u.participant])} · "
            f"{e(look.org(u.organisation))} — "
            f"{e(reason_text(u.reason, u.message, look.language))}</li>"
        )
    parts.append("</ul></details>")
    if day_links:
        links = " · ".join(
            f"<a href='{e(href)}'>{e(day_name(d, look.language))}</a>"
            for d, href in day_links.items()
        )
        parts.append(f"<div>{e(t['per_day'])}: {links}</div>")
    parts.append(f"<div><small>{e(t['map_data'])}</small></div></details></div>")
    root: Figure = m.get_root()  # type: ignore[assignment]
    root.html.add_child(Element("".join(parts)), name="vv_legend")


# ----------------------------------------------------------------------------- saving


def save_map(m: folium.Map, path: Path) -> Path:
    """Write a map as one HTML file, atomically.

    Parameters
    ----------
    m
        The map (:func:`week_map`).
    path
        The file to write (its folder is created when needed).

    Returns
    -------
    Path
        ``path``.
    """
    text = m.get_root().render()
    with atomic_open(Path(path), "w", encoding="utf-8") as fh:
        fh.write(text)
    return Path(path)


def map_summary(m: folium.Map) -> dict[str, object]:
    """Counts of what a map holds (for tests and logs).

    Parameters
    ----------
    m
        The map (:func:`week_map`).

    Returns
    -------
    dict
        ``stops``: the data of every numbered stop marker, ``layers``: the names of the
        switchable layers (unescaped), ``shown``: those switched on when the map opens.
    """
    stops: list[dict[str, object]] = []
    layers: list[str] = []
    shown: list[str] = []

    def walk(el: Element) -> None:
        for child in el._children.values():
            if isinstance(child, Pin) and "seq" in child.data:
                stops.append(child.data)
            if isinstance(child, folium.FeatureGroup) and child.control:
                layers.append(html.unescape(child.layer_name))
                if child.show:
                    shown.append(html.unescape(child.layer_name))
            walk(child)

    walk(m)
    return {"stops": stops, "layers": layers, "shown": shown}


__all__ = [
    "OSM_ATTR",
    "OSM_TILES",
    "first_shown",
    "leaflet_assets",
    "map_summary",
    "osm_attribution",
    "save_map",
    "week_map",
]
