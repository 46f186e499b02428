"""Maps and driver route sheets from a plan (the only module that imports folium).

Maps (:func:`week_map`) are Folium/Leaflet pages: routes along the roads in a colour per
vehicle, numbered stops in driving order with an arrow per leg, a layer per ride and per
organisation (a route shows when both its ride and its organisation are switched on), layers
for locations, depots and unassigned rides, a legend, popups. They are shared between
organisations, so participants appear by id unless ``names=True``. Leaflet's JavaScript and
CSS are inlined from the ``xstatic-leaflet`` package, so a saved map needs no CDN; only the
background tiles come from the internet (``tiles=None`` leaves them out).

Route sheets (:func:`route_sheet_html`, :func:`write_sheets`) are printable A4 pages per
vehicle per ride for the driver, with PDF through WeasyPrint. They show participants' names
by default — the driver has to know whom to pick up, also from other organisations — and
``names=False`` reduces them to ids. Every text from the scenario is HTML-escaped.
"""

from __future__ import annotations

import base64
import colorsys
import functools
import html
import math
import re
import urllib.parse
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import folium
from branca.element import Element, Figure, MacroElement
from folium.template import Template

from vervoer.core.files import atomic_open
from vervoer.core.model import (
    DAY_NAMES,
    Direction,
    Location,
    Participant,
    Plan,
    RideKey,
    RidePlan,
    Route,
    Stop,
    StopKind,
    Unassigned,
    Vehicle,
    Weekday,
    format_clock,
)
from vervoer.io.scenario import Scenario
from vervoer.outputs.exports import (
    OSM_ATTRIBUTION,
    Geometry,
    LatLon,
    address_book,
    haversine_m,
    iter_routes,
    leg_path,
    point_of,
    route_file_stem,
    route_geometry,
    route_path,
    stop_address,
    unique_slugs,
    write_exports,
)

if TYPE_CHECKING:
    from vervoer.pipeline import Prepared

OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTR = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
OSM_DIRECTIONS = "https://www.openstreetmap.org/directions"

TEXT = {
    "nl": {
        "plan": "Vervoersplan",
        "week": "week",
        "heen": "heen",
        "terug": "terug",
        "heen_long": "heen (naar de locaties)",
        "terug_long": "terug (naar huis)",
        "own": "eigen vervoer",
        "shared": "gedeeld vervoer",
        "locations": "Locaties",
        "depots": "Depots",
        "unassigned": "Niet ingepland",
        "vehicles": "Voertuigen",
        "organisation": "Organisatie",
        "vehicle": "Voertuig",
        "stop": "Stop",
        "time": "Tijd",
        "arrival": "aankomst",
        "departure": "vertrek",
        "boarding": "Instappen",
        "alighting": "Uitstappen",
        "load": "Bezetting",
        "load_after": "Bezetting na de stop",
        "max_load": "Max. bezetting",
        "seats": "stoelen",
        "wheel": "rolstoelplaatsen",
        "participants": "deelnemers",
        "stops": "stops",
        "cost": "Kosten",
        "arrive_by": "aankomen uiterlijk",
        "depart_at": "ophalen vanaf",
        "arrive": "komen aan",
        "leave": "vertrekken",
        "reason": "Reden",
        "per_day": "Per dag",
        "overview": "Weekoverzicht",
        "address": "Adres",
        "map_data": "Kaartgegevens © OpenStreetMap-bijdragers (ODbL)",
        "legend_stops": "Cijfers: stops in rijvolgorde (0 = vertrek depot); rond = thuisadres, "
        "afgerond vierkant = locatie, vierkant = depot; pijlen: rijrichting. "
        "Spelden: ★ locatie, P depot, ! niet ingepland.",
        "legend_layers": "Een route is zichtbaar als zowel de rit als de organisatie aan staat.",
        "depot": "Depot",
        "location": "Locatie",
        "home": "Thuisadres",
        "sheet": "Ritstaat",
        "none": "geen",
        # route sheets
        "sheet_title": "Ritstaat",
        "day": "Dag",
        "depot_start": "Vertrek depot",
        "depot_end": "Terug op depot",
        "address_col": "Adres",
        "nav": "Navigatie",
        "wheelchair": "Rolstoelplaats",
        "escort": "Begeleider",
        "walker": "Rollator",
        "notes": "Opmerkingen",
        "totals": "Totaal",
        "km": "km",
        "duration": "tijd",
        "to_stop": "uit bij stop",
        "capacity": "Capaciteit",
        "confidential": "Vertrouwelijk: bevat persoonsgegevens. Alleen voor de chauffeur; "
        "na de rit vernietigen.",
        "nav_note": "geo: opent de navigatie-app van de telefoon; OSM toont de route vanaf "
        "de vorige stop op openstreetmap.org.",
        "gpx": "Hele route voor een navigatiesysteem (GPX)",
        "index_title": "Ritstaten",
        "ride": "Rit",
        "page": "Pagina",
        "unknown": "onbekend",
    },
    "en": {
        "plan": "Transport plan",
        "week": "week",
        "heen": "to location",
        "terug": "home",
        "heen_long": "to the locations (heen)",
        "terug_long": "home (terug)",
        "own": "own transport",
        "shared": "shared transport",
        "locations": "Locations",
        "depots": "Depots",
        "unassigned": "Unassigned",
        "vehicles": "Vehicles",
        "organisation": "Organisation",
        "vehicle": "Vehicle",
        "stop": "Stop",
        "time": "Time",
        "arrival": "arrival",
        "departure": "departure",
        "boarding": "Boarding",
        "alighting": "Alighting",
        "load": "Load",
        "load_after": "Load after the stop",
        "max_load": "Max. load",
        "seats": "seats",
        "wheel": "wheelchair places",
        "participants": "participants",
        "stops": "stops",
        "cost": "Cost",
        "arrive_by": "arrive by",
        "depart_at": "pick up from",
        "arrive": "arrive",
        "leave": "leave",
        "reason": "Reason",
        "per_day": "Per day",
        "overview": "Week overview",
        "address": "Address",
        "map_data": "Map data © OpenStreetMap contributors (ODbL)",
        "legend_stops": "Numbers: stops in driving order (0 = leaving the depot); round = home, "
        "rounded square = location, square = depot; arrows: driving direction. "
        "Pins: ★ location, P depot, ! unassigned.",
        "legend_layers": "A route shows when both its ride and its organisation are on.",
        "depot": "Depot",
        "location": "Location",
        "home": "Home",
        "sheet": "Route sheet",
        "none": "none",
        "sheet_title": "Route sheet",
        "day": "Day",
        "depot_start": "Leave depot",
        "depot_end": "Back at depot",
        "address_col": "Address",
        "nav": "Navigation",
        "wheelchair": "Wheelchair place",
        "escort": "Escort",
        "walker": "Walker",
        "notes": "Notes",
        "totals": "Totals",
        "km": "km",
        "duration": "time",
        "to_stop": "gets out at stop",
        "capacity": "Capacity",
        "confidential": "Confidential: contains personal data. For the driver only; "
        "destroy after the ride.",
        "nav_note": "geo: opens the phone's navigation app; OSM shows the route from the "
        "previous stop on openstreetmap.org.",
        "gpx": "Whole route for a navigation device (GPX)",
        "index_title": "Route sheets",
        "ride": "Ride",
        "page": "Page",
        "unknown": "unknown",
    },
}

PALETTE = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#ff7f0e",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#393b79",
    "#637939",
    "#8c6d31",
    "#843c39",
    "#7b4173",
    "#3182bd",
    "#e6550d",
    "#31a354",
    "#756bb1",
    "#636363",
    "#b5179e",
)

e = functools.partial(html.escape, quote=True)


def _text(language: str) -> dict[str, str]:
    return TEXT.get(language, TEXT["nl"])


def _lang(language: str) -> str:
    return language if language in TEXT else "nl"


def _num(x: float, digits: int, language: str) -> str:
    text = f"{x:,.{digits}f}"
    if _lang(language) == "nl":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def ride_label(key: RideKey, language: str = "nl", *, long: bool = False) -> str:
    """``maandag heen`` / ``Monday to location`` (``long``: with where the ride goes)."""
    t = _text(language)
    day = DAY_NAMES[_lang(language)][key.weekday]
    direction = t[f"{key.direction.value}_long" if long else key.direction.value]
    return f"{day} {direction}"


def vehicle_colours(plan: Plan, scenario: Scenario) -> dict[str, str]:
    """A distinct colour per vehicle (scenario order first, then unknown plan vehicles)."""
    ids = [v.id for v in scenario.vehicles]
    ids += sorted({r.vehicle for _, r in iter_routes(plan)} - set(ids))
    out = {}
    for i, vid in enumerate(ids):
        if i < len(PALETTE):
            out[vid] = PALETTE[i]
        else:  # golden-angle hues beyond the palette
            r, g, b = colorsys.hls_to_rgb((i * 0.618034) % 1.0, 0.42, 0.75)
            out[vid] = f"#{int(r * 255):02x}{int(g * 255):02x}{int(b * 255):02x}"
    return out


# ----------------------------------------------------------------------------- Leaflet


@functools.cache
def leaflet_assets() -> tuple[str, str] | None:
    """Leaflet's JavaScript and CSS (images as data URIs) from ``xstatic-leaflet``.

    Returns None when the package is not installed; maps then load Leaflet from a CDN.
    """
    try:
        from xstatic.pkg import leaflet as xs  # type: ignore[import-untyped]
    except ImportError:
        return None
    base = Path(xs.BASE_DIR)
    js = (base / "leaflet.js").read_text(encoding="utf-8")
    js = re.sub(r"//# sourceMappingURL=\S*\s*$", "", js).replace("</script", "<\\/script")
    css = (base / "leaflet.css").read_text(encoding="utf-8")

    def inline(match: re.Match[str]) -> str:
        data = base64.b64encode((base / match.group(1)).read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    css = re.sub(r"url\((images/[A-Za-z0-9_.-]+\.png)\)", inline, css)
    return js, css


_MAP_CSS = """
.vv-icon{background:none;border:none}
.vv-stop{box-sizing:border-box;width:22px;height:22px;border-radius:50%;color:#fff;
 font:bold 11px/18px sans-serif;text-align:center;border:2px solid #fff;
 box-shadow:0 0 3px rgba(0,0,0,.7)}
.vv-stop.vv-depot{border-radius:2px}
.vv-stop.vv-location{border-radius:5px;border-color:#222}
.vv-arrow svg{display:block}
.vv-place{box-sizing:border-box;width:26px;height:26px;border-radius:5px;color:#fff;
 font:bold 15px/22px sans-serif;text-align:center;border:2px solid #fff;
 box-shadow:0 0 4px rgba(0,0,0,.8)}
.vv-place:after{content:"";position:absolute;left:8px;top:24px;border:5px solid transparent;
 border-top:7px solid #fff}
.vv-place{position:relative}
.vv-place-location{background:#14345c}
.vv-place-depot{background:#555}
.vv-place-unassigned{background:#c00}
.vv-legend{position:absolute;z-index:1000;left:10px;bottom:56px;max-width:330px;
 max-height:60vh;overflow:auto;background:rgba(255,255,255,.95);padding:6px 10px;
 border-radius:6px;box-shadow:0 1px 5px rgba(0,0,0,.4);font:12px/1.35 sans-serif}
.vv-legend summary{font-weight:bold;cursor:pointer}
.vv-legend ul{margin:2px 0;padding-left:16px}
.vv-swatch{display:inline-block;width:22px;height:5px;margin:0 6px 2px 0;
 vertical-align:middle;border-radius:2px}
.vv-popup table{border-collapse:collapse}
.vv-popup td,.vv-popup th{padding:1px 6px 1px 0;text-align:left;vertical-align:top}
"""


class _Pin(MacroElement):
    """A marker with a div icon, its popup and tooltip, in one compact statement."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.marker({{ this.location|tojson }}, {
 icon: L.divIcon({{ this.icon|tojavascript }}),
 interactive: {{ this.interactive|tojson }}, keyboard: false,
 zIndexOffset: {{ this.z_offset|tojson }}
}).addTo({{ this._parent.get_name() }});
{%- if this.popup %}
{{ this.get_name() }}.bindPopup({{ this.popup|tojavascript }}, {"maxWidth": 440});
{%- endif %}
{%- if this.tooltip %}
{{ this.get_name() }}.bindTooltip({{ this.tooltip|tojavascript }});
{%- endif %}
{% endmacro %}
"""
    )

    def __init__(
        self,
        location: LatLon,
        icon_html: str,
        *,
        size: int = 22,
        popup: str = "",
        tooltip: str = "",
        interactive: bool = True,
        z_offset: int = 0,
        pin: bool = False,
        data: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__()
        self._name = "Pin"
        self.location = [float(location[0]), float(location[1])]
        self.icon = {
            "html": icon_html,
            "className": "vv-icon",
            "iconSize": [size, size],
            # a pin stands above its point (its tip on it), so a numbered stop at the
            # same place stays visible
            "iconAnchor": [size // 2, size + 7] if pin else [size // 2, size // 2],
            "popupAnchor": [0, -size - 7] if pin else [0, -size // 2],
            "tooltipAnchor": [size // 2, -size // 2 - 7] if pin else [size // 2, 0],
        }
        self.popup = popup
        self.tooltip = tooltip
        self.interactive = interactive
        self.z_offset = z_offset
        self.data = dict(data or {})


class _Bind(MacroElement):
    """Bind a popup and a tooltip (escaped HTML, JSON-encoded) to the parent layer."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
{{ this._parent.get_name() }}.bindPopup({{ this.popup|tojavascript }}, {"maxWidth": 440})
{%- if this.tooltip %}.bindTooltip({{ this.tooltip|tojavascript }}, {"sticky": true}){% endif %};
{% endmacro %}
"""
    )

    def __init__(self, popup: str, tooltip: str = "") -> None:
        super().__init__()
        self._name = "Bind"
        self.popup = popup
        self.tooltip = tooltip


class _OrgFilter(MacroElement):
    """Switching an organisation layer off removes its routes from every ride layer."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function () {
  var cells = [
  {%- for org, ride, cell in this.cells %}
    [{{ org }}, {{ ride }}, {{ cell }}],
  {%- endfor %}
  ];
  {{ this._parent.get_name() }}.on("overlayadd overlayremove", function (ev) {
    cells.forEach(function (c) {
      if (c[0] !== ev.layer) { return; }
      if (ev.type === "overlayadd") { c[1].addLayer(c[2]); } else { c[1].removeLayer(c[2]); }
    });
  });
})();
{% endmacro %}
"""
    )

    def __init__(self, cells: Sequence[tuple[str, str, str]]) -> None:
        super().__init__()
        self._name = "OrgFilter"
        self.cells = list(cells)


# ----------------------------------------------------------------------------- maps


def _people(scenario: Scenario) -> dict[str, Participant]:
    return {p.id: p for p in scenario.participants}


def _who(ids: Sequence[str], people: Mapping[str, Participant], names: bool) -> str:
    """Escaped, comma-separated participants: ids, or ``name (id)`` with ``names``."""
    out = []
    for i in ids:
        p = people.get(i)
        out.append(e(f"{p.name} ({i})") if names and p is not None and p.name else e(i))
    return ", ".join(out)


def simplify_path(path: Sequence[LatLon], tolerance_deg: float = 2e-5) -> list[LatLon]:
    """A path with fewer points (Douglas-Peucker, about 2 m), rounded to 6 decimals."""
    if len(path) < 3:
        return [(round(a, 6), round(b, 6)) for a, b in path]
    from shapely.geometry import LineString

    line = LineString([(lon, lat) for lat, lon in path]).simplify(tolerance_deg)
    return [(round(lat, 6), round(lon, 6)) for lon, lat in line.coords]


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


def _load_text(seats: int, wheel: int, vehicle: Vehicle | None, t: dict[str, str]) -> str:
    cap_s = f"/{vehicle.seats}" if vehicle else ""
    cap_w = f"/{vehicle.wheelchair_places}" if vehicle else ""
    return f"{seats}{cap_s} {t['seats']}, {wheel}{cap_w} {t['wheel']}"


def _bounds(plan: Plan, scenario: Scenario) -> list[list[float]] | None:
    pts = [p.point for p in scenario.participants if p.point is not None]
    pts += [loc.point for loc in scenario.locations if loc.point is not None]
    pts += [v.depot for v in scenario.vehicles if v.depot is not None]
    lats = [p.lat for p in pts] + [s.lat for _, r in iter_routes(plan) for s in r.stops]
    lons = [p.lon for p in pts] + [s.lon for _, r in iter_routes(plan) for s in r.stops]
    if not lats:
        return None
    return [[min(lats), min(lons)], [max(lats), max(lons)]]


def _stop_popup(
    key: RideKey,
    route: Route,
    seq: int,
    stop: Stop,
    *,
    names: bool,
    people: Mapping[str, Participant],
    place_name: str,
    vehicle: Vehicle | None,
    language: str,
) -> str:
    t = _text(language)
    kind = {StopKind.HOME: t["home"], StopKind.LOCATION: t["location"], StopKind.DEPOT: t["depot"]}
    rows = [
        f"<b>{e(t['stop'])} {seq} · {e(kind[stop.kind])} {e(place_name)}</b>",
        f"{e(ride_label(key, language))} · {e(t['vehicle'])} {e(route.vehicle)}",
        f"{e(t['arrival'])} {format_clock(stop.arrival)} · "
        f"{e(t['departure'])} {format_clock(stop.departure)}",
    ]
    if stop.boarding:
        rows.append(f"{e(t['boarding'])}: {_who(stop.boarding, people, names)}")
    if stop.alighting:
        rows.append(f"{e(t['alighting'])}: {_who(stop.alighting, people, names)}")
    rows.append(
        f"{e(t['load_after'])}: {e(_load_text(stop.load_seats, stop.load_wheelchairs, vehicle, t))}"
    )
    return "<div class='vv-popup'>" + "<br>".join(rows) + "</div>"


def _route_popup(
    key: RideKey,
    route: Route,
    *,
    vehicle: Vehicle | None,
    org_name: str,
    language: str,
    sheet_href: str | None,
) -> str:
    t = _text(language)
    first, last = route.stops[0], route.stops[-1]
    riders = sum(len(s.boarding) for s in route.stops)
    max_s = max(s.load_seats for s in route.stops)
    max_w = max(s.load_wheelchairs for s in route.stops)
    vname = f" ({vehicle.name})" if vehicle and vehicle.name else ""
    rows = [
        f"<b>{e(t['vehicle'])} {e(route.vehicle + vname)}</b>",
        f"{e(t['organisation'])}: {e(org_name)}",
        f"{e(ride_label(key, language))}: {format_clock(first.departure)}–"
        f"{format_clock(last.arrival)}",
        f"{_num(route.distance_m / 1000, 1, language)} km · {format_clock(route.duration_s)} · "
        f"{e(t['cost'])} EUR {_num(route.cost, 2, language)}",
        f"{e(t['max_load'])}: {e(_load_text(max_s, max_w, vehicle, t))}",
        f"{riders} {e(t['participants'])}, {len(route.stops)} {e(t['stops'])}",
    ]
    if sheet_href:
        rows.append(f"<a href='{e(sheet_href)}' target='_blank'>{e(t['sheet'])}</a>")
    return "<div class='vv-popup'>" + "<br>".join(rows) + "</div>"


def _location_popups(
    rides: Sequence[RidePlan],
    scenario: Scenario,
    *,
    names: bool,
    language: str,
) -> dict[str, str]:
    """Popup HTML per location id: name, address, and per ride who arrives or leaves when."""
    t = _text(language)
    people = _people(scenario)
    orgs = {o.id: o.name for o in scenario.organisations}
    times: dict[tuple[str, Weekday, Direction], set[int]] = defaultdict(set)
    for a in scenario.attendance:
        for d in Direction:
            if a.rides.includes(d):
                minutes = a.arrive_by if d is Direction.HEEN else a.depart_at
                times[(a.location, a.weekday, d)].add(minutes)
    visits: dict[str, list[tuple[RideKey, str, Stop]]] = defaultdict(list)
    for ride in rides:
        for route in ride.routes:
            for s in route.stops:
                if s.kind is StopKind.LOCATION:
                    visits[s.place].append((ride.key, route.vehicle, s))
    out = {}
    for loc in scenario.locations:
        head = [
            f"<b>{e(loc.name)}</b> ({e(loc.id)})",
            f"{e(t['organisation'])}: {e(orgs.get(loc.organisation, loc.organisation))}",
        ]
        if loc.address:
            head.append(f"{e(t['address'])}: {e(loc.address)}")
        rows = []
        for ride in rides:
            key = ride.key
            heen = key.direction is Direction.HEEN
            wanted = sorted(times.get((loc.id, key.weekday, key.direction), ()))
            stops = [(v, s) for k, v, s in visits.get(loc.id, ()) if k == key]
            if not wanted and not stops:
                continue
            who = [p for _, s in stops for p in (s.alighting if heen else s.boarding)]
            when = ", ".join(format_clock(m * 60) for m in wanted)
            label = t["arrive_by"] if heen else t["depart_at"]
            vehicles = ", ".join(
                f"{e(v)} {format_clock(s.arrival)}"
                for v, s in stops
                if (s.alighting if heen else s.boarding)
            )
            rows.append(
                f"<tr><td>{e(ride_label(key, language))}</td>"
                f"<td>{e(label)} {when}</td>"
                f"<td>{len(who)} {e(t['participants'])} {e(t['arrive' if heen else 'leave'])}"
                f"{': ' + _who(who, people, names) if who else ''}</td>"
                f"<td>{vehicles}</td></tr>"
            )
        table = f"<table>{''.join(rows)}</table>" if rows else ""
        out[loc.id] = "<div class='vv-popup'>" + "<br>".join(head) + table + "</div>"
    return out


def _icon(kind: str, label: str, colour: str, data: Mapping[str, object]) -> str:
    attrs = "".join(f' data-{k}="{e(str(v))}"' for k, v in data.items())
    return f'<div class="vv-stop vv-{kind}"{attrs} style="background:{colour}">{e(label)}</div>'


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

    Returns
    -------
    folium.Map
        Layers: one per ride, one per organisation, locations, depots, unassigned.
    """
    t = _text(language)
    lang = _lang(language)
    if isinstance(day, str):
        day = Weekday.parse(day)
    rides = [r for r in plan.rides if day is None or r.key.weekday is day]
    people = _people(scenario)
    vehicles = {v.id: v for v in scenario.vehicles}
    orgs = {o.id: o.name for o in scenario.organisations}
    locations = {loc.id: loc for loc in scenario.locations}
    colours = vehicle_colours(plan, scenario)
    bounds = _bounds(plan, scenario)
    centre = (
        [(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2]
        if bounds
        else [52.1, 5.3]
    )

    m = folium.Map(location=centre, zoom_start=12, tiles=None, control_scale=True)
    root: Figure = m.get_root()  # type: ignore[assignment]
    mode = t.get(plan.mode.value, plan.mode.value)
    scope = DAY_NAMES[lang][day] if day is not None else t["overview"]
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
    root.header.add_child(Element(f"<style>{_MAP_CSS}</style>"), name="vervoer_css")
    if tiles:
        folium.TileLayer(
            tiles=tiles, attr=OSM_ATTR, name="OpenStreetMap", max_zoom=19, control=False
        ).add_to(m)

    # rides: one layer each, holding one sub-group per organisation
    org_layers: dict[str, folium.FeatureGroup] = {}
    used_orgs = sorted(
        {r.organisation for ride in rides for r in ride.routes},
        key=lambda o: (orgs.get(o, o).lower(), o),
    )
    cells: list[tuple[str, str, str]] = []
    for ride in rides:
        key = ride.key
        group = folium.FeatureGroup(name=e(ride_label(key, language)), show=True)
        group.add_to(m)
        by_org: dict[str, folium.FeatureGroup] = {}
        for route in ride.routes:
            if not route.stops:
                continue
            cell = by_org.get(route.organisation)
            if cell is None:
                cell = folium.FeatureGroup(control=False)
                cell.add_to(group)
                by_org[route.organisation] = cell
            _draw_route(
                cell,
                key,
                route,
                geometry,
                colour=colours.get(route.vehicle, "#333"),
                vehicle=vehicles.get(route.vehicle),
                org_name=orgs.get(route.organisation, route.organisation),
                people=people,
                locations=locations,
                names=names,
                language=language,
                sheet_href=(sheet_links or {}).get((str(key), route.vehicle)),
            )
        for org, cell in by_org.items():
            cells.append((org, group.get_name(), cell.get_name()))
    for org in used_orgs:
        layer = folium.FeatureGroup(name=e(f"{t['organisation']}: {orgs.get(org, org)}"), show=True)
        layer.add_to(m)
        org_layers[org] = layer

    # locations, depots, unassigned
    loc_layer = folium.FeatureGroup(name=e(t["locations"]), show=True).add_to(m)
    popups = _location_popups(rides, scenario, names=names, language=language)
    for loc in scenario.locations:
        if loc.point is None:
            continue
        _Pin(
            (loc.point.lat, loc.point.lon),
            '<div class="vv-place vv-place-location">&#9733;</div>',
            size=26,
            pin=True,
            popup=popups.get(loc.id, ""),
            tooltip=e(f"{loc.name} ({loc.id})"),
            z_offset=-100,
            data={"location": loc.id},
        ).add_to(loc_layer)
    depot_layer = folium.FeatureGroup(name=e(t["depots"]), show=True).add_to(m)
    depots: dict[tuple[float, float], list[Vehicle]] = defaultdict(list)
    used_vehicles = {r.vehicle for ride in rides for r in ride.routes}
    for v in scenario.vehicles:
        if v.depot is not None and (v.id in used_vehicles or day is None):
            depots[(round(v.depot.lat, 7), round(v.depot.lon, 7))].append(v)
    for pt, vs in depots.items():
        lines = [
            f"<span class='vv-swatch' style='background:{colours.get(v.id, '#333')}'></span>"
            f"<b>{e(v.id)}</b> {e(v.name)} · {e(orgs.get(v.organisation, v.organisation))} · "
            f"{v.seats} {e(t['seats'])}, {v.wheelchair_places} {e(t['wheel'])}"
            for v in vs
        ]
        addr = next((v.depot_address for v in vs if v.depot_address), "")
        head = f"<b>{e(t['depot'])}</b>" + (f": {e(addr)}" if addr else "")
        _Pin(
            pt,
            '<div class="vv-place vv-place-depot">P</div>',
            size=26,
            pin=True,
            popup="<div class='vv-popup'>" + "<br>".join([head, *lines]) + "</div>",
            tooltip=e(f"{t['depot']}: " + ", ".join(v.id for v in vs)),
            z_offset=-200,
            data={"depot": ",".join(v.id for v in vs)},
        ).add_to(depot_layer)
    unassigned = [(ride.key, u) for ride in rides for u in ride.unassigned]
    un_layer = folium.FeatureGroup(
        name=e(f"{t['unassigned']} ({len(unassigned)})"), show=True
    ).add_to(m)
    for key, u in unassigned:
        p = people.get(u.participant)
        if p is None or p.point is None:
            continue
        who = _who([u.participant], people, names)
        loc = locations.get(u.location)
        _Pin(
            (p.point.lat, p.point.lon),
            '<div class="vv-place vv-place-unassigned">!</div>',
            size=26,
            pin=True,
            popup=(
                f"<div class='vv-popup'><b>{e(t['unassigned'])}: {who}</b><br>"
                f"{e(ride_label(key, language))} · "
                f"{e(loc.name if loc else u.location)}<br>"
                f"{e(t['organisation'])}: {e(orgs.get(u.organisation, u.organisation))}<br>"
                f"{e(t['reason'])}: {e(u.message)}</div>"
            ),
            tooltip=f"{e(t['unassigned'])}: {who}",
            data={"unassigned": u.participant, "ride": str(key)},
        ).add_to(un_layer)

    _add_legend(
        m,
        title,
        rides,
        scenario,
        colours,
        unassigned,
        names=names,
        language=language,
        day_links=day_links,
    )
    folium.LayerControl(collapsed=False).add_to(m)
    _OrgFilter([(org_layers[o].get_name(), ride, cell) for o, ride, cell in cells]).add_to(m)
    if bounds:
        m.fit_bounds(bounds, padding=(20, 20))
    return m


def _draw_route(
    cell: folium.FeatureGroup,
    key: RideKey,
    route: Route,
    geometry: Geometry | None,
    *,
    colour: str,
    vehicle: Vehicle | None,
    org_name: str,
    people: Mapping[str, Participant],
    locations: Mapping[str, Location],
    names: bool,
    language: str,
    sheet_href: str | None,
) -> None:
    t = _text(language)
    path = simplify_path(route_path(route, geometry))
    line = folium.PolyLine(path, color=colour, weight=5, opacity=0.8)
    _Bind(
        _route_popup(
            key, route, vehicle=vehicle, org_name=org_name, language=language, sheet_href=sheet_href
        ),
        e(f"{route.vehicle} · {ride_label(key, language)}"),
    ).add_to(line)
    line.add_to(cell)
    for a, b in zip(route.stops[:-1], route.stops[1:], strict=True):
        mid = _midpoint(leg_path(a, b, geometry))
        if mid is None:
            continue
        (lat, lon), bearing = mid
        _Pin(
            (lat, lon),
            f'<div class="vv-arrow" style="transform:rotate({bearing:.0f}deg)">'
            '<svg width="16" height="16" viewBox="0 0 16 16"><path d="M8 1 L14 14 L8 10 L2 14 Z"'
            f' fill="{colour}" stroke="#222" stroke-width="1"/></svg></div>',
            size=16,
            interactive=False,
            z_offset=-500,
        ).add_to(cell)
    last = len(route.stops) - 1
    for seq, s in enumerate(route.stops):
        if s.kind is StopKind.LOCATION:
            loc = locations.get(s.place)
            place_name = f"{loc.name} ({s.place})" if loc else s.place
        elif s.kind is StopKind.DEPOT:
            place_name = s.place
        else:
            p = people.get(s.place)
            place_name = f"{p.name} ({s.place})" if names and p is not None and p.name else s.place
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
        _Pin(
            point_of(s),
            _icon(s.kind.value, str(seq), colour, data),
            popup=_stop_popup(
                key,
                route,
                seq,
                s,
                names=names,
                people=people,
                place_name=place_name,
                vehicle=vehicle,
                language=language,
            ),
            tooltip=e(tip),
            z_offset=(100 if s.kind is StopKind.HOME else 0) + (0 if seq < last else -50),
            data=data,
        ).add_to(cell)


def _add_legend(
    m: folium.Map,
    title: str,
    rides: Sequence[RidePlan],
    scenario: Scenario,
    colours: Mapping[str, str],
    unassigned: Sequence[tuple[RideKey, Unassigned]],
    *,
    names: bool,
    language: str,
    day_links: Mapping[Weekday, str] | None,
) -> None:
    t = _text(language)
    lang = _lang(language)
    people = _people(scenario)
    orgs = {o.id: o.name for o in scenario.organisations}
    vehicles = {v.id: v for v in scenario.vehicles}
    used = []
    for ride in rides:
        for r in ride.routes:
            if r.vehicle not in used:
                used.append(r.vehicle)
    order = {vid: i for i, vid in enumerate(colours)}
    used.sort(key=lambda v: order.get(v, len(order)))
    parts = [
        f"<div id='vv-legend' class='vv-legend'><details open><summary>{e(title)}</summary>",
        f"<div><b>{e(t['vehicles'])}</b></div><ul class='vv-vehicles' style='list-style:none;"
        "padding-left:0'>",
    ]
    for vid in used:
        v = vehicles.get(vid)
        label = vid + (f" {v.name}" if v and v.name else "")
        org = orgs.get(v.organisation, v.organisation) if v else ""
        parts.append(
            f"<li class='vv-vehicle' data-vehicle='{e(vid)}'>"
            f"<span class='vv-swatch' style='background:{colours.get(vid, '#333')}'></span>"
            f"{e(label)}{' · ' + e(org) if org else ''}</li>"
        )
    if not used:
        parts.append(f"<li>{e(t['none'])}</li>")
    parts.append("</ul>")
    parts.append(f"<div>{e(t['legend_stops'])}</div><div>{e(t['legend_layers'])}</div>")
    parts.append(
        f"<details class='vv-unassigned'><summary>{e(t['unassigned'])} ({len(unassigned)})"
        "</summary><ul>"
    )
    for key, u in unassigned:
        parts.append(
            f"<li>{e(ride_label(key, language))}: "
            f"{_who([u.participant], people, names)} "
            f"({e(orgs.get(u.organisation, u.organisation))}) — "
            f"{e(u.message)}</li>"
        )
    parts.append("</ul></details>")
    if day_links:
        links = " · ".join(
            f"<a href='{e(href)}'>{e(DAY_NAMES[lang][d])}</a>" for d, href in day_links.items()
        )
        parts.append(f"<div>{e(t['per_day'])}: {links}</div>")
    parts.append(f"<div><small>{e(t['map_data'])}</small></div></details></div>")
    root: Figure = m.get_root()  # type: ignore[assignment]
    root.html.add_child(Element("".join(parts)), name="vv_legend")


def save_map(m: folium.Map, path: Path) -> Path:
    """Write a map as one HTML file, atomically; return the path."""
    text = m.get_root().render()
    with atomic_open(Path(path), "w", encoding="utf-8") as fh:
        fh.write(text)
    return Path(path)


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

    Returns
    -------
    dict
        ``map`` and ``map-mon`` ... -> path.
    """
    out_dir = Path(out_dir)
    days = list(dict.fromkeys(r.key.weekday for r in plan.rides))
    links = {d: f"map-{d.value}.html" for d in days}
    out = {
        "map": save_map(
            week_map(
                plan,
                scenario,
                geometry,
                names=names,
                language=language,
                tiles=tiles,
                day_links=links,
                sheet_links=sheet_links,
            ),
            out_dir / "map.html",
        )
    }
    for d in days:
        m = week_map(
            plan,
            scenario,
            geometry,
            day=d,
            names=names,
            language=language,
            tiles=tiles,
            day_links=links,
            sheet_links=sheet_links,
        )
        out[f"map-{d.value}"] = save_map(m, out_dir / links[d])
    return out


# ----------------------------------------------------------------------------- route sheets

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
    """An openstreetmap.org link showing the car route from stop ``a`` to stop ``b``."""
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
    """A small static map of a route as inline SVG (road path and numbered stops)."""
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


def _person_html(
    pid: str,
    people: Mapping[str, Participant],
    *,
    names: bool,
    t: Mapping[str, str],
    vehicle_org: str,
    orgs: Mapping[str, str],
    alight_seq: int | None = None,
) -> str:
    p = people.get(pid)
    if p is None:
        return f"<div class='person'><b>{e(pid)}</b></div>"
    label = f"<b>{e(p.name)}</b> ({e(pid)})" if names and p.name else f"<b>{e(pid)}</b>"
    tags = []
    if p.wheelchair:
        tags.append(t["wheelchair"])
    if p.escort:
        tags.append(t["escort"])
    if p.walker:
        tags.append(t["walker"])
    out = label + "".join(f"<span class='tag'>{e(tag)}</span>" for tag in tags)
    if p.organisation != vehicle_org:
        out += f" <span class='small'>· {e(orgs.get(p.organisation, p.organisation))}</span>"
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
) -> str:
    """The printable A4 route sheet of one vehicle in one ride, as an HTML page.

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

    Returns
    -------
    str
        A self-contained HTML page (CSS ``@page`` A4); every scenario text escaped.
    """
    t = _text(language)
    lang = _lang(language)
    people = _people(scenario)
    orgs = {o.id: o.name for o in scenario.organisations}
    vehicle = next((v for v in scenario.vehicles if v.id == route.vehicle), None)
    locations = {loc.id: loc for loc in scenario.locations}
    book = address_book(scenario)
    colour = colour or vehicle_colours(plan, scenario).get(route.vehicle, "#1f77b4")
    first, last = route.stops[0], route.stops[-1]
    day = DAY_NAMES[lang][ride_key.weekday]
    alight_at = {pid: seq for seq, s in enumerate(route.stops) for pid in s.alighting}

    vname = f" — {vehicle.name}" if vehicle and vehicle.name else ""
    cap = (
        f" ({vehicle.seats} {t['seats']}, {vehicle.wheelchair_places} {t['wheel']})"
        if vehicle
        else ""
    )
    depot_addr = stop_address(first, book)
    title = f"{t['sheet_title']} {route.vehicle} — {ride_label(ride_key, language)}"
    footer = f"{t['confidential']} {OSM_ATTRIBUTION}".replace('"', "'").replace("\\", "/")
    css = _SHEET_CSS.replace("@FOOTER@", footer).replace("@PAGE@", t["page"])
    parts = [
        f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'>",
        f"<title>{e(title)}</title><style>{css}</style></head>",
        f"<body data-ride='{e(str(ride_key))}' data-vehicle='{e(route.vehicle)}'>",
        f"<h1>{e(t['sheet_title'])} · {e(ride_label(ride_key, language))}</h1>",
        "<table class='meta'>",
        f"<tr><th>{e(t['vehicle'])}</th><td><span class='swatch' style='background:"
        f"{e(colour)}'></span> <b>{e(route.vehicle)}</b>{e(vname)}{e(cap)}</td></tr>",
        f"<tr><th>{e(t['organisation'])}</th>"
        f"<td>{e(orgs.get(route.organisation, route.organisation))}</td></tr>",
        f"<tr><th>{e(t['day'])}</th><td>{e(day)}, {e(t[ride_key.direction.value + '_long'])}"
        "</td></tr>",
        f"<tr><th>{e(t['depot_start'])}</th><td><b>{format_clock(first.departure)}</b>"
        f"{' — ' + e(depot_addr) if depot_addr else ''}</td></tr>",
        f"<tr><th>{e(t['depot_end'])}</th><td><b>{format_clock(last.arrival)}</b></td></tr>",
        "</table>",
        "<table class='stops'><thead><tr>",
        f"<th>#</th><th>{e(t['time'])}</th><th>{e(t['address_col'])}</th>"
        f"<th>{e(t['boarding'])}</th><th>{e(t['alighting'])}</th>"
        f"<th>{e(t['load'])}</th><th>{e(t['nav'])}</th>",
        "</tr></thead><tbody>",
    ]
    prev: Stop | None = None
    n_last = len(route.stops) - 1
    for seq, s in enumerate(route.stops):
        addr = stop_address(s, book)
        if s.kind is StopKind.DEPOT:
            what = t["depot_start"] if seq == 0 else t["depot_end"]
            place = f"<b>{e(what)}</b><br>{e(addr)}"
        elif s.kind is StopKind.LOCATION:
            loc = locations.get(s.place)
            place = f"<b>{e(loc.name if loc else s.place)}</b> ({e(s.place)})"
            if addr:
                place += f"<br>{e(addr)}"
        else:
            place = e(addr) if addr else e(f"{s.lat:.5f}, {s.lon:.5f}")
        when = (
            format_clock(s.arrival)
            if s.arrival == s.departure
            else f"{format_clock(s.arrival)}–{format_clock(s.departure)}"
        )
        board = "".join(
            _person_html(
                pid,
                people,
                names=names,
                t=t,
                vehicle_org=route.organisation,
                orgs=orgs,
                alight_seq=alight_at.get(pid),
            )
            for pid in s.boarding
        )
        alight = "".join(
            _person_html(pid, people, names=names, t=t, vehicle_org=route.organisation, orgs=orgs)
            for pid in s.alighting
        )
        load = (
            f"{s.load_seats}/{vehicle.seats if vehicle else '?'}"
            + (
                f"<br>&#9855; {s.load_wheelchairs}/{vehicle.wheelchair_places}"
                if vehicle and vehicle.wheelchair_places
                else ""
            )
            if 0 < seq < n_last
            else ""
        )
        nav = f"<a href='{e(_geo_uri(s))}'>geo</a>"
        if prev is not None and point_of(prev) != point_of(s):
            nav += f" · <a href='{e(osm_directions_url(prev, s))}'>OSM</a>"
        cls = " class='depot'" if s.kind is StopKind.DEPOT else ""
        parts.append(
            f"<tr{cls} data-seq='{seq}' data-place='{e(s.place)}'><td class='seq'>{seq}</td>"
            f"<td class='time'>{when}</td><td>{place}</td><td>{board}</td><td>{alight}</td>"
            f"<td>{load}</td><td>{nav}</td></tr>"
        )
        prev = s
    parts.append("</tbody></table>")
    riders = sum(len(s.boarding) for s in route.stops)
    max_s = max(s.load_seats for s in route.stops)
    max_w = max(s.load_wheelchairs for s in route.stops)
    parts.append(
        f"<p class='totals'>{e(t['totals'])}: {_num(route.distance_m / 1000, 1, language)} "
        f"{e(t['km'])} · {e(t['duration'])} {format_clock(route.duration_s)} "
        f"({format_clock(first.departure)}–{format_clock(last.arrival)}) · {riders} "
        f"{e(t['participants'])} · {e(t['max_load'])} "
        f"{e(_load_text(max_s, max_w, vehicle, t))}</p>"
    )
    parts.append(f"<p class='small'>{e(t['nav'])}: {e(t['nav_note'])}")
    if gpx_href:
        parts.append(f" <a href='{e(gpx_href)}'>{e(t['gpx'])}</a>")
    parts.append("</p>")
    parts.append(route_svg(route, geometry, colour))
    parts.append(
        f"<p class='small screen'>{e(t['confidential'])} {e(t['map_data'])}</p></body></html>"
    )
    return "".join(parts)


def sheets_index_html(
    plan: Plan,
    scenario: Scenario,
    entries: Sequence[tuple[RideKey, Route, str, str | None]],
    *,
    language: str = "nl",
) -> str:
    """An index page listing the route sheets: ``(ride, route, html href, pdf href)``."""
    t = _text(language)
    orgs = {o.id: o.name for o in scenario.organisations}
    parts = [
        f"<!doctype html><html lang='{_lang(language)}'><head><meta charset='utf-8'>",
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
            f"<td>{_num(route.distance_m / 1000, 1, language)}</td><td>{riders}</td>"
            f"<td>{links}</td></tr>"
        )
    parts.append("</table></body></html>")
    return "".join(parts)


def sheet_stems(plan: Plan) -> dict[tuple[str, str], str]:
    """File stem per ``(ride, vehicle)``: ``mon-heen-B1`` (vehicle ids slugified)."""
    slugs = unique_slugs(r.vehicle for _, r in iter_routes(plan))
    return {(str(k), r.vehicle): route_file_stem(k, slugs[r.vehicle]) for k, r in iter_routes(plan)}


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
) -> dict[str, Path]:
    """Write one route sheet per vehicle per ride (HTML, and PDF), and ``index.html``.

    Parameters
    ----------
    plan, scenario
        The plan and the scenario it was made for.
    out_dir
        The folder for the sheets (created when needed).
    pdf
        Also write a PDF per sheet and ``all-sheets.pdf`` with every sheet (WeasyPrint).
    language, names, geometry
        See :func:`route_sheet_html`.
    gpx_dir
        Relative href of the folder with the routes' GPX files, linked from each sheet.

    Returns
    -------
    dict
        ``index`` (and ``all`` with ``pdf``), and ``<stem>.html`` / ``<stem>.pdf`` -> path.
    """
    out_dir = Path(out_dir)
    stems = sheet_stems(plan)
    colours = vehicle_colours(plan, scenario)
    out: dict[str, Path] = {}
    entries: list[tuple[RideKey, Route, str, str | None]] = []
    documents = []
    for key, route in iter_routes(plan):
        stem = stems[(str(key), route.vehicle)]
        text = route_sheet_html(
            plan,
            scenario,
            key,
            route,
            language=language,
            names=names,
            geometry=geometry,
            colour=colours.get(route.vehicle),
            gpx_href=f"{gpx_dir.rstrip('/')}/{stem}.gpx" if gpx_dir else None,
        )
        path = out_dir / f"{stem}.html"
        with atomic_open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
        out[path.name] = path
        if pdf:
            import weasyprint

            doc = weasyprint.HTML(string=text, base_url=str(out_dir)).render()
            documents.append(doc)
            pdf_path = out_dir / f"{stem}.pdf"
            with atomic_open(pdf_path, "wb") as fh:
                doc.write_pdf(fh)
            out[pdf_path.name] = pdf_path
        entries.append((key, route, path.name, f"{stem}.pdf" if pdf else None))
    if documents:
        pages = [page for doc in documents for page in doc.pages]
        out["all"] = out_dir / "all-sheets.pdf"
        with atomic_open(out["all"], "wb") as fh:
            documents[0].copy(pages).write_pdf(fh)
    out["index"] = out_dir / "index.html"
    with atomic_open(out["index"], "w", encoding="utf-8") as fh:
        fh.write(sheets_index_html(plan, scenario, entries, language=language))
    return out


# ----------------------------------------------------------------------------- all outputs


def write_outputs(
    plan: Plan,
    prepared: Prepared,
    out_dir: Path,
    *,
    language: str | None = None,
    names_on_map: bool = False,
    names_on_sheets: bool = True,
    pdf: bool = True,
    tiles: str | None = OSM_TILES,
) -> dict[str, Path]:
    """Maps, route sheets and exports of a plan, into ``out_dir``.

    Writes ``map.html`` + ``map-<day>.html``, ``sheets/`` (HTML, PDF, ``index.html``),
    ``routes.geojson``, ``stops.csv`` and ``gpx/``. Road geometry is computed once on
    ``prepared.network``.

    Parameters
    ----------
    plan
        The plan.
    prepared
        The prepared scenario (:func:`vervoer.pipeline.prepare`): geocoded scenario and
        road network.
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

    Returns
    -------
    dict
        ``map``, ``map-<day>``, ``sheets`` (the index), ``geojson``, ``csv``, ``gpx`` -> path.
    """
    out_dir = Path(out_dir)
    scenario = prepared.scenario
    language = language or scenario.settings.language
    geometry = route_geometry(plan, prepared.network)
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


def map_summary(m: folium.Map) -> dict[str, object]:
    """Counts of what a map holds (for tests and logs): stops per ride, layers, pins."""
    stops: list[dict[str, object]] = []
    layers: list[str] = []

    def walk(el: Element) -> None:
        for child in el._children.values():
            if isinstance(child, _Pin) and "seq" in child.data:
                stops.append(child.data)
            if isinstance(child, folium.FeatureGroup) and child.control:
                layers.append(html.unescape(child.layer_name))
            walk(child)

    walk(m)
    return {"stops": stops, "layers": layers}


__all__ = [
    "OSM_TILES",
    "leaflet_assets",
    "map_summary",
    "ride_label",
    "route_sheet_html",
    "route_svg",
    "save_map",
    "sheets_index_html",
    "vehicle_colours",
    "week_map",
    "write_maps",
    "write_outputs",
    "write_sheets",
]
