"""What the maps and the route sheets share: a colour per vehicle, and HTML escaping.

A vehicle has the same colour on every map and on its route sheet, so that a driver finds
their route on the shared map.
"""

from __future__ import annotations

import colorsys
import functools
import html

from vervoer.core.model import Plan
from vervoer.io.scenario import Scenario
from vervoer.outputs.exports import iter_routes

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
"""HTML-escape a text for element content and quoted attributes (``&``, ``<``, ``>``, quotes)."""


def vehicle_colours(plan: Plan, scenario: Scenario) -> dict[str, str]:
    """A distinct colour per vehicle: scenario order first, then vehicles only in the plan.

    Parameters
    ----------
    plan, scenario
        The plan and the scenario it was made for.

    Returns
    -------
    dict
        Vehicle id -> ``#rrggbb``: the :data:`PALETTE` in order, then golden-angle hues.
    """
    ids = [v.id for v in scenario.vehicles]
    ids += sorted({r.vehicle for _, r in iter_routes(plan)} - set(ids))
    out: dict[str, str] = {}
    for i, vid in enumerate(ids):
        if i < len(PALETTE):
            out[vid] = PALETTE[i]
        else:  # golden-angle hues beyond the palette
            r, g, b = colorsys.hls_to_rgb((i * 0.618034) % 1.0, 0.42, 0.75)
            out[vid] = f"#{int(r * 255):02x}{int(g * 255):02x}{int(b * 255):02x}"
    return out


__all__ = ["PALETTE", "e", "vehicle_colours"]
