"""Leaflet pieces of the maps: the inlined library, the map's CSS, and three map elements.

:func:`leaflet_assets` reads Leaflet from the ``xstatic-leaflet`` package so that a saved
map needs no CDN. :class:`Pin`, :class:`Bind` and :class:`OrgFilter` are compact folium
elements that write one JavaScript statement each; every text they carry is escaped HTML,
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


class OrgFilter(MacroElement):
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
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "OrgFilter"
        self.cells = list(cells)


__all__ = ["MAP_CSS", "Bind", "OrgFilter", "Pin", "leaflet_assets"]
