"""Offline geocoding from the address tags of an OSM extract and from a BAG export.

No address ever leaves the machine: every lookup runs against an :class:`AddressIndex` built
from local files (an ``.osm.pbf`` extract with ``addr:*`` tags, and/or a BAG export of the
Dutch national address register). There is no online geocoder here.

Dutch forms are understood ("Slotlaan 12, 3701 GK Zeist", "3701GK 12", "3701 gk 12-2",
"Slotlaan 12a Zeist", "Slotlaan 12 A", "Slotlaan 12 bis", "Kerkstr. 5, Utrecht"), as are
Liechtenstein/German ones ("Städtle 1, 9490 Vaduz"); case, diacritics, extra spaces and
commas do not matter, and common abbreviations are written out (str. = straat, ln. = laan,
wg. = weg, pl. = plein, Burg. = Burgemeester, St. = Sint).

The modules, along the way an address goes (each imports only those above it):

- :mod:`~vervoer.geo.geocode.text`: folding, normalisation and parsing of address text.
- :mod:`~vervoer.geo.geocode.records`: :class:`AddressRecord`, and records held column-wise.
- :mod:`~vervoer.geo.geocode.sources`: reading a BAG export and the addresses of an OSM
  extract.
- :mod:`~vervoer.geo.geocode.index`: :class:`AddressIndex`, the lookups.
- :mod:`~vervoer.geo.geocode.resolve`: :func:`geocode`, one address text to a
  :class:`GeocodeResult` (the order of the lookups and the meaning of the scores are
  described there).
- :mod:`~vervoer.geo.geocode.report`: :func:`write_geocode_report`, the review CSV.
"""

from __future__ import annotations

from vervoer.geo.geocode.index import CITY_FUZZY_MIN, ONE_TYPO_SCORE, AddressIndex, load_index
from vervoer.geo.geocode.records import AddressRecord
from vervoer.geo.geocode.report import REPORT_COLUMNS, ReportRow, write_geocode_report
from vervoer.geo.geocode.resolve import (
    FUZZY_MIN,
    SIBLING_MIN,
    GeocodeResult,
    Status,
    geocode,
    geocode_many,
)
from vervoer.geo.geocode.sources import OsmAddress, OsmAddresses, read_osm_addresses
from vervoer.geo.geocode.text import ParsedAddress, parse_address

__all__ = [
    "CITY_FUZZY_MIN",
    "FUZZY_MIN",
    "ONE_TYPO_SCORE",
    "REPORT_COLUMNS",
    "SIBLING_MIN",
    "AddressIndex",
    "AddressRecord",
    "GeocodeResult",
    "OsmAddress",
    "OsmAddresses",
    "ParsedAddress",
    "ReportRow",
    "Status",
    "geocode",
    "geocode_many",
    "load_index",
    "parse_address",
    "read_osm_addresses",
    "write_geocode_report",
]
