"""Leaflet pieces of the maps: the inlined library, the map's CSS, and three map elements.

:func:`leaflet_assets` reads Leaflet from the ``xstatic-leaflet`` package so that a saved
map needs no CDN. :class:`Pin`, :class:`Bind` and :class:`RouteFilter` are compact folium
elements that write a few JavaScript statements each; every text they carry is escaped HTML,
JSON-encoded into the script. Private to :mod:`vervoer.outputs.maps`.
"""

from __future__ import annotations

import base64
import functools
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from branca.element import MacroElement
from folium.template import Template

from vervoer.outputs.exports import LatLon


@functools.cache
def leaflet_assets() -> tuple[str, str] | None:
    """Leaflet's JavaScript and CSS (images as data URIs) from ``xstatic-leaflet``.

    Returns None when the package is not installed; maps then load Leaflet from a CDN.
    """
    try:
        from xstatic.pkg import leaflet as xs
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


MAP_CSS = """
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
.vv-swatch-line{vertical-align:middle;margin:0 4px 2px 2px}
.vv-vehicles label{cursor:pointer}
.vv-stop{transition:transform .15s}
.vv-popup table{border-collapse:collapse}
.vv-popup td,.vv-popup th{padding:1px 6px 1px 0;text-align:left;vertical-align:top}
"""


class Pin(MacroElement):
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
        super().__init__()  # type: ignore[no-untyped-call]  # branca is untyped
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


class Bind(MacroElement):
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
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "Bind"
        self.popup = popup
        self.tooltip = tooltip


class RouteFilter(MacroElement):
    """Routes follow three switches, and numbers at one place are spread out.

    A route (a *cell* in its ride's layer) shows when its ride layer, its organisation
    layer (both in the layer control) and its vehicle (a checkbox in the legend,
    ``input[data-vehicle]``) are on. Stop numbers that would cover each other on the screen
    (one address visited by several vehicles or trips, or two addresses a few metres
    apart) push each other aside until they no longer overlap (at most 70 pixels), again
    after every zoom and switch.
    """

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function () {
  var map = {{ this._parent.get_name() }};
  var cells = [
  {%- for org, ride, cell, vehicle in this.cells %}
    [{{ org }}, {{ ride }}, {{ cell }}, {{ vehicle|tojson }}],
  {%- endfor %}
  ];
  var orgOff = {}, vehicleOff = {};
  function spread() {
    // numbers that would cover each other push each other apart (a few rounds of pairwise
    // repulsion); numbers at one point start apart on a small circle, in a fixed order
    var GAP = 23, LIMIT = 70, ROUNDS = 40, marks = [];
    map.eachLayer(function (l) {
      if (!(l instanceof L.Marker) || !l._icon) { return; }
      var inner = l._icon.querySelector(".vv-stop");
      if (inner) { marks.push({p: map.latLngToLayerPoint(l.getLatLng()), el: inner}); }
    });
    var n = marks.length;
    if (n > 600) { marks.forEach(function (m) { m.el.style.transform = ""; }); return; }
    var seen = {};
    marks.forEach(function (m) {
      var k = Math.round(m.p.x) + "," + Math.round(m.p.y), i = seen[k] = (seen[k] || 0) + 1;
      m.x = m.p.x + 0.5 * Math.cos(i * 2.39996); m.y = m.p.y + 0.5 * Math.sin(i * 2.39996);
    });
    for (var round = 0; round < ROUNDS; round++) {
      var moved = false;
      for (var i = 0; i < n; i++) {
        for (var j = i + 1; j < n; j++) {
          var a = marks[i], b = marks[j], dx = b.x - a.x, dy = b.y - a.y;
          var d = Math.sqrt(dx * dx + dy * dy);
          if (d >= GAP || d === 0) { continue; }
          var push = (GAP - d) / 2 + 0.01, ux = dx / d, uy = dy / d;
          a.x -= ux * push; a.y -= uy * push; b.x += ux * push; b.y += uy * push;
          moved = true;
        }
      }
      if (!moved) { break; }
    }
    marks.forEach(function (m) {
      var dx = m.x - m.p.x, dy = m.y - m.p.y, d = Math.sqrt(dx * dx + dy * dy);
      if (d > LIMIT) { dx *= LIMIT / d; dy *= LIMIT / d; }
      m.el.style.transform = d < 0.6 ? "" :
        "translate(" + dx.toFixed(1) + "px," + dy.toFixed(1) + "px)";
    });
  }
  function refresh() {
    cells.forEach(function (c) {
      var on = !orgOff[L.stamp(c[0])] && !vehicleOff[c[3]];
      if (on) { c[1].addLayer(c[2]); } else { c[1].removeLayer(c[2]); }
    });
    spread();
  }
  map.on("overlayadd overlayremove", function (ev) {
    var isOrg = cells.some(function (c) { return c[0] === ev.layer; });
    if (isOrg) { orgOff[L.stamp(ev.layer)] = ev.type === "overlayremove"; refresh(); }
    else { spread(); }
  });
  map.on("zoomend", spread);
  document.querySelectorAll("#vv-legend input[data-vehicle]").forEach(function (box) {
    box.addEventListener("change", function () {
      vehicleOff[box.dataset.vehicle] = !box.checked;
      refresh();
    });
  });
  map.whenReady(function () { setTimeout(spread, 0); });
})();
{% endmacro %}
"""
    )

    def __init__(self, cells: Sequence[tuple[str, str, str, str]]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "RouteFilter"
        self.cells = list(cells)


__all__ = ["MAP_CSS", "Bind", "Pin", "RouteFilter", "leaflet_assets"]
