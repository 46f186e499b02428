"""Maps of a location study: which homes move to which location, one map per candidate.

Two forms of one picture. :func:`candidate_map` is an interactive Folium/Leaflet page (with
Leaflet inlined from ``xstatic-leaflet`` as in :mod:`vervoer.outputs.maps`; only the
background tiles come from the internet, ``tiles=None`` leaves them out).
:func:`candidate_svg` is a small static SVG for the HTML and PDF report (WeasyPrint runs no
JavaScript). The closed location is red, a receiving location green, the others grey; a
line joins each moved participant's home to their new location, in that location's colour.
Participants appear by id only. Every text from the scenario is HTML-escaped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import folium
from branca.element import Element, Figure

from vervoer.core.i18n import study_texts, texts
from vervoer.outputs._leaflet import MAP_CSS, leaflet_assets
from vervoer.outputs.maps import OSM_ATTR, OSM_TILES, save_map
from vervoer.outputs.style import PALETTE, e

if TYPE_CHECKING:
    from vervoer.core.model import Location, Point
    from vervoer.io.scenario import Scenario
    from vervoer.sharing.study import CandidateResult

__all__ = ["candidate_map", "candidate_svg", "save_candidate_map"]

CLOSED = "#c0392b"
OTHER = "#8a8f98"


def _colours(result: CandidateResult) -> dict[str, str]:
    """A colour per receiving location, in id order."""
    targets = sorted({m.target for m in result.moves})
    return {t: PALETTE[(i + 2) % len(PALETTE)] for i, t in enumerate(targets)}


def _lines(result: CandidateResult, scenario: Scenario) -> list[tuple[str, Point, Point, str]]:
    """(participant, home, new location, colour) of every move with both points known."""
    homes = {p.id: p.point for p in scenario.participants}
    locs = {loc.id: loc for loc in scenario.locations}
    colours = _colours(result)
    out = []
    for m in result.moves:
        home, target = homes.get(m.participant), locs[m.target].point
        if home is not None and target is not None:
            out.append((m.participant, home, target, colours[m.target]))
    return out


def _location_colour(loc: Location, result: CandidateResult) -> str:
    if loc.id == result.candidate.close:
        return CLOSED
    return _colours(result).get(loc.id, OTHER)


def candidate_map(
    result: CandidateResult,
    scenario: Scenario,
    *,
    language: str = "nl",
    tiles: str | None = OSM_TILES,
) -> folium.Map:
    """The interactive map of one candidate.

    Parameters
    ----------
    result
        The candidate and its moves (:func:`vervoer.sharing.study.run_study`).
    scenario
        The scenario (locations and homes with points).
    language
        ``nl`` (default) or ``en``.
    tiles
        The background tiles URL; None for none (offline).

    Returns
    -------
    folium.Map
    """
    t = study_texts(language)
    lines = _lines(result, scenario)
    pts = [loc.point for loc in scenario.locations if loc.point is not None]
    pts += [home for _, home, _, _ in lines]
    lats = [p.lat for p in pts] or [52.1]
    lons = [p.lon for p in pts] or [5.3]
    m = folium.Map(
        location=[(min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2],
        zoom_start=12,
        tiles=None,
        control_scale=True,
    )
    root: Figure = m.get_root()  # type: ignore[assignment]
    root.title = e(f"{t['title']} {scenario.name} — {result.candidate.label}")
    assets = leaflet_assets()
    if assets is not None:
        js, css = assets
        m.default_js = []
        m.default_css = []
        root.header.add_child(Element(f"<style>{css}</style>"), name="leaflet_css")
        root.header.add_child(Element(f"<script>{js}</script>"), name="leaflet_js")
    else:  # pragma: no cover - without xstatic-leaflet: Leaflet from its CDN
        m.default_js = [(n, u) for n, u in m.default_js if n == "leaflet"]
        m.default_css = [(n, u) for n, u in m.default_css if n == "leaflet_css"]
    root.header.add_child(Element(f"<style>{MAP_CSS}</style>"), name="vervoer_css")
    if tiles:
        folium.TileLayer(
            tiles=tiles, attr=OSM_ATTR, name="OpenStreetMap", max_zoom=19, control=False
        ).add_to(m)
    moved = folium.FeatureGroup(name=e(t["moves"]))
    for pid, home, target, colour in lines:
        path = [(home.lat, home.lon), (target.lat, target.lon)]
        line = folium.PolyLine(path, color=colour, weight=2, opacity=0.7)  # type: ignore[no-untyped-call]
        line.add_to(moved)
        folium.CircleMarker(
            (home.lat, home.lon),
            radius=5,
            color="#fff",
            weight=1,
            fill=True,
            fill_color=colour,
            fill_opacity=1,
            tooltip=folium.Tooltip(e(f"{t['participant']} {pid}")),
        ).add_to(moved)
    moved.add_to(m)
    places = folium.FeatureGroup(name=e(texts(language)["locations"]))
    for loc in scenario.locations:
        if loc.point is None:
            continue
        role = (
            t["closed"]
            if loc.id == result.candidate.close
            else t["receiving"]
            if loc.id in _colours(result)
            else t["other"]
        )
        colour = _location_colour(loc, result)
        label = "✕" if loc.id == result.candidate.close else "★"
        text = e(f"{loc.id}: {loc.name} — {role}") + (f"<br>{e(loc.kind)}" if loc.kind else "")
        folium.Marker(
            (loc.point.lat, loc.point.lon),
            icon=folium.DivIcon(
                html=f'<div class="vv-place" style="background:{colour}">{label}</div>',
                icon_size=(26, 26),
                icon_anchor=(13, 33),
                class_name="vv-icon",
            ),
            tooltip=folium.Tooltip(text),
        ).add_to(places)
    places.add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    if pts:
        m.fit_bounds([[min(lats), min(lons)], [max(lats), max(lons)]], padding=(20, 20))
    return m


def save_candidate_map(m: folium.Map, path: Path) -> Path:
    """Write a candidate's map as one HTML file, atomically (see :func:`save_map`)."""
    return save_map(m, path)


def candidate_svg(
    result: CandidateResult,
    scenario: Scenario,
    *,
    width: int = 320,
    height: int = 220,
) -> str:
    """A small static map of one candidate as an inline ``<svg>`` (for HTML and PDF).

    Parameters
    ----------
    result
        The candidate and its moves.
    scenario
        The scenario (points of the locations and homes).
    width, height
        The size in CSS pixels.

    Returns
    -------
    str
        The SVG element; location ids as labels, escaped.
    """
    lines = _lines(result, scenario)
    locs = [loc for loc in scenario.locations if loc.point is not None]
    pts: Sequence[Point] = [loc.point for loc in locs if loc.point is not None] + [
        h for _, h, _, _ in lines
    ]
    if not pts:
        return ""
    lat0 = (min(p.lat for p in pts) + max(p.lat for p in pts)) / 2
    k = math.cos(math.radians(lat0))
    xs = [p.lon * k for p in pts]
    ys = [p.lat for p in pts]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 1e-6)
    pad = 14
    scale = min((width - 2 * pad) / span, (height - 2 * pad) / span)

    def xy(p: Point) -> tuple[float, float]:
        x = pad + (p.lon * k - min(xs)) * scale
        y = height - pad - (p.lat - min(ys)) * scale
        return round(x, 1), round(y, 1)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" class="study-map">',
        f'<rect width="{width}" height="{height}" fill="#f6f7f9" stroke="#ccd"/>',
    ]
    for _, home, target, colour in lines:
        (x1, y1), (x2, y2) = xy(home), xy(target)
        parts.append(
            f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="{colour}" '
            'stroke-width="1" stroke-opacity="0.6"/>'
        )
        parts.append(f'<circle cx="{x1}" cy="{y1}" r="2.5" fill="{colour}"/>')
    for loc in locs:
        assert loc.point is not None
        x, y = xy(loc.point)
        colour = _location_colour(loc, result)
        parts.append(
            f'<rect x="{x - 5}" y="{y - 5}" width="10" height="10" fill="{colour}" '
            'stroke="#fff" stroke-width="1.5"/>'
        )
        parts.append(
            f'<text x="{x + 7}" y="{y + 4}" font-size="10" font-family="sans-serif" '
            f'fill="#222">{e(loc.id)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
