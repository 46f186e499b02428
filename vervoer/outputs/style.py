"""What the maps and the route sheets share: a colour per vehicle, and HTML escaping.

A vehicle has the same colour (and line pattern) on every map and on its route sheet, so
that a driver finds their route on the shared map. The colours are a qualitative palette of
:data:`PALETTE` (12 colours that stay apart on an OpenStreetMap background and in print);
a fleet larger than the palette gets the colours again with a dashed, a dotted and a
dash-dotted line (:data:`DASHES`), so 48 vehicles have distinct styles.
"""

from __future__ import annotations

import functools
import html
from dataclasses import dataclass

from vervoer.core.model import Plan
from vervoer.io.scenario import Scenario
from vervoer.outputs.exports import iter_routes

#: qualitative colours, in the order vehicles get them (dark and saturated: no yellow or grey
#: that vanishes on the map's background)
PALETTE = (
    "#1f77b4",  # blue
    "#d62728",  # red
    "#2ca02c",  # green
    "#ff7f0e",  # orange
    "#9467bd",  # purple
    "#8c564b",  # brown
    "#e377c2",  # pink
    "#17becf",  # cyan
    "#9a9a00",  # olive
    "#0b2a6f",  # navy
    "#b5179e",  # magenta
    "#111111",  # black
)

#: SVG/Leaflet ``dash-array`` per round through the palette: solid, dashed, dotted, dash-dot
DASHES = ("", "12 7", "2 7", "14 6 2 6")


@dataclass(frozen=True, slots=True)
class LineStyle:
    """How a vehicle's routes are drawn: colour and dash pattern (empty: solid)."""

    colour: str
    dash: str = ""


e = functools.partial(html.escape, quote=True)
"""HTML-escape a text for element content and quoted attributes (``&``, ``<``, ``>``, quotes)."""


def line_style(index: int) -> LineStyle:
    """The style of the ``index``-th vehicle (0-based): palette colour, then dash pattern.

    Parameters
    ----------
    index
        The vehicle's position (scenario order).

    Returns
    -------
    LineStyle
        Colour ``PALETTE[index % 12]``; solid for the first 12, then dashed, dotted,
        dash-dotted, and round again.
    """
    n = len(PALETTE)
    return LineStyle(PALETTE[index % n], DASHES[(index // n) % len(DASHES)])


def _vehicle_order(plan: Plan, scenario: Scenario) -> list[str]:
    ids = [v.id for v in scenario.vehicles]
    return ids + sorted({r.vehicle for _, r in iter_routes(plan)} - set(ids))


def vehicle_styles(plan: Plan, scenario: Scenario) -> dict[str, LineStyle]:
    """A distinct line style per vehicle: scenario order first, then vehicles only in the plan.

    Parameters
    ----------
    plan, scenario
        The plan and the scenario it was made for.

    Returns
    -------
    dict
        Vehicle id -> :class:`LineStyle` (see :func:`line_style`).
    """
    return {vid: line_style(i) for i, vid in enumerate(_vehicle_order(plan, scenario))}


def vehicle_colours(plan: Plan, scenario: Scenario) -> dict[str, str]:
    """The colour of every vehicle (see :func:`vehicle_styles`, which adds the dash pattern).

    Parameters
    ----------
    plan, scenario
        The plan and the scenario it was made for.

    Returns
    -------
    dict
        Vehicle id -> ``#rrggbb``.
    """
    return {vid: s.colour for vid, s in vehicle_styles(plan, scenario).items()}


def swatch_svg(style: LineStyle, *, width: int = 26, height: int = 8) -> str:
    """A small picture of a line style (for legends and sheets), as inline SVG.

    Parameters
    ----------
    style
        The colour and dash pattern.
    width, height
        Size in CSS pixels.

    Returns
    -------
    str
        An ``<svg>`` element with one horizontal line.
    """
    dash = f' stroke-dasharray="{e(style.dash)}"' if style.dash else ""
    y = height / 2
    return (
        f'<svg class="vv-swatch-line" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-hidden="true">'
        f'<line x1="1" y1="{y:g}" x2="{width - 1}" y2="{y:g}" stroke="{e(style.colour)}" '
        f'stroke-width="4"{dash}/></svg>'
    )


__all__ = [
    "DASHES",
    "PALETTE",
    "LineStyle",
    "e",
    "line_style",
    "swatch_svg",
    "vehicle_colours",
    "vehicle_styles",
]
