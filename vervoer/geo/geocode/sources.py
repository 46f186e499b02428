"""Reading address data: a BAG export (CSV, optionally zstandard) and an OSM extract (pyrosm).

:func:`read_bag` and :func:`read_osm` give :class:`~vervoer.geo.geocode.records.AddressColumns`
for an :class:`~vervoer.geo.geocode.index.AddressIndex`; :func:`read_osm_addresses` gives the
address tags of an extract as they are (the demo picks its homes from them).
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from vervoer.core.errors import InputError
from vervoer.geo.geocode.records import AddressColumns
from vervoer.geo.geocode.text import fold, norm_postcode, parse_address

__all__ = ["OsmAddress", "OsmAddresses", "read_bag", "read_osm", "read_osm_addresses"]

# ------------------------------------------------------------------------------ BAG

_BAG_NEED = ("straat", "huisnummer", "postcode", "woonplaats", "lat", "lon")
_BAG_HEADER = (
    "straat;huisnummer;huisletter;huisnummertoevoeging;postcode;woonplaats;gemeente;provincie;"
    "lat;lon"
)
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


def read_bag(path: Path | str) -> AddressColumns:
    """Read a BAG address export: CSV, plain or zstandard-compressed (``.zst``).

    Parameters
    ----------
    path
        A ``;``-separated file with the header
        ``straat;huisnummer;huisletter;huisnummertoevoeging;postcode;woonplaats;gemeente;
        provincie;lat;lon`` (``huisletter``, ``huisnummertoevoeging``, ``gemeente`` and
        ``provincie`` may be missing; the column order does not matter). Compression is
        recognised by its magic bytes.

    Returns
    -------
    AddressColumns
        Every readable row; rows without a house number or with bad coordinates are
        counted in ``skipped``. The municipality ("gemeente") is kept as another name of the
        place.

    Raises
    ------
    InputError
        When the file cannot be read or lacks a needed column.
    """
    path = Path(path)
    try:
        with path.open("rb") as raw:
            magic = raw.read(4)
            raw.seek(0)
            if magic == _ZSTD_MAGIC:
                import zstandard

                stream: Any = zstandard.ZstdDecompressor().stream_reader(raw)
            else:
                stream = raw
            text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
            return _read_bag_rows(csv.reader(text, delimiter=";"), path.name)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        msg = f"could not read the BAG export ({exc})"
        raise InputError(msg, file=path.name) from None
    except Exception as exc:  # zstandard.ZstdError for a damaged file
        if type(exc).__module__.startswith("zstandard"):
            msg = f"could not read the BAG export ({exc})"
            raise InputError(msg, file=path.name) from None
        raise


def _bag_columns(header: list[str], name: str) -> dict[str, int]:
    """The position of each column of a BAG header (lower case); InputError if one is missing."""
    header = [h.strip().lower() for h in header]
    missing = [n for n in _BAG_NEED if n not in header]
    if missing:
        msg = f"not a BAG export: missing column(s) {', '.join(missing)}; expected {_BAG_HEADER}"
        raise InputError(msg, file=name, row=1)
    return {h: i for i, h in enumerate(header)}


def _read_bag_rows(reader: Iterator[list[str]], name: str) -> AddressColumns:
    """The rows of a BAG export (a hot loop: the tables' ``add`` and the columns are local)."""
    col = _bag_columns(next(reader, []), name)
    i_st, i_nr, i_pc, i_wp = col["straat"], col["huisnummer"], col["postcode"], col["woonplaats"]
    i_lat, i_lon = col["lat"], col["lon"]
    i_let, i_add = col.get("huisletter"), col.get("huisnummertoevoeging")
    i_gm = col.get("gemeente")
    width = max(col.values()) + 1
    b = AddressColumns()
    st_add, sf_add = b.streets.add, b.suffixes.add
    pc_add, pl_add = b.postcodes.add, b.places.add
    src = b.sources.add("bag")
    c_street, c_number, c_suffix, c_pc, c_place, c_lat, c_lon = (
        b.street, b.number, b.suffix, b.postcode, b.place, b.lat, b.lon,
    )  # fmt: skip
    place_cache: dict[tuple[str, str], int] = {}
    pc_cache: dict[str, int] = {}
    skipped = 0
    for row in reader:
        if len(row) < width:
            if row:
                skipped += 1
            continue
        try:
            number = int(row[i_nr])
            lat = float(row[i_lat])
            lon = float(row[i_lon])
        except ValueError:
            skipped += 1
            continue
        if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0) or number < 0:
            skipped += 1
            continue
        letter = row[i_let].strip().lower() if i_let is not None else ""
        addition = row[i_add].strip().lower() if i_add is not None else ""
        pc_raw = row[i_pc]
        pid = pc_cache.get(pc_raw)
        if pid is None:
            pid = pc_cache[pc_raw] = pc_add(norm_postcode(pc_raw))
        wp = row[i_wp]
        gm = row[i_gm] if i_gm is not None else ""
        plid = place_cache.get((wp, gm))
        if plid is None:
            areas = (gm,) if gm and gm != wp else ()
            plid = place_cache[(wp, gm)] = pl_add((wp, areas))
        c_street.append(st_add(row[i_st]))
        c_number.append(number)
        c_suffix.append(sf_add((letter, addition)))
        c_pc.append(pid)
        c_place.append(plid)
        c_lat.append(lat)
        c_lon.append(lon)
    b.source = [src] * len(b.street)
    b.skipped = skipped
    return b


# ------------------------------------------------------------------------------ OSM


@dataclass(frozen=True, slots=True)
class OsmAddress:
    """The address tags of one OSM node or building (for a building: at its centroid).

    Attributes
    ----------
    street
        ``addr:street``, or ``""``.
    place
        ``addr:place`` (an address on a square or hamlet without streets), or ``""``.
    housenumber
        ``addr:housenumber`` as written (``12a``, ``76, 76a``, ``3-7``).
    postcode, city
        ``addr:postcode`` and ``addr:city``, or ``""``.
    lat, lon
        The position.
    """

    street: str
    place: str
    housenumber: str
    postcode: str
    city: str
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class OsmAddresses:
    """The addresses of an OSM extract, as :func:`read_osm_addresses` reads them.

    Attributes
    ----------
    addresses
        Every object with a house number, a street or place, and a finite position.
    skipped
        Objects with ``addr:housenumber`` that lack one of those.
    osm
        The ``pyrosm.OSM`` reader of the file (for its administrative boundaries).
    """

    addresses: list[OsmAddress]
    skipped: int
    osm: Any


def read_osm_addresses(path: Path | str) -> OsmAddresses:
    """The address tags of the nodes and ways of an OSM extract (``.osm.pbf``), via pyrosm.

    Parameters
    ----------
    path
        The ``.osm.pbf`` file.

    Returns
    -------
    OsmAddresses
        The addresses in the order of the extract, the number skipped, and the reader.
        A tag is taken from its own column, else from the ``tags`` JSON; values are stripped.

    Raises
    ------
    InputError
        When the file does not exist or cannot be read.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path} not found", file=path.name)
    try:
        import pyrosm

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            osm = pyrosm.OSM(str(path))
            gdf = osm.get_data_by_custom_criteria(
                custom_filter={"addr:housenumber": True},
                filter_type="keep",
                keep_nodes=True,
                keep_ways=True,
                keep_relations=False,
            )
    except Exception as exc:  # pyrosm raises many kinds for a bad file
        msg = f"could not read addresses from the OSM extract ({type(exc).__name__}: {exc})"
        raise InputError(msg, file=path.name) from None
    if gdf is None or len(gdf) == 0:
        return OsmAddresses([], 0, osm)
    import shapely

    centroids = shapely.centroid(np.asarray(gdf.geometry.values))
    xs, ys = shapely.get_x(centroids), shapely.get_y(centroids)
    columns = {c: gdf[c].tolist() for c in gdf.columns if str(c).startswith("addr:")}
    tag_list = gdf["tags"].tolist() if "tags" in gdf.columns else [None] * len(gdf)
    out: list[OsmAddress] = []
    skipped = 0
    for i, raw_tags in enumerate(tag_list):
        tags = _tag_dict(raw_tags)

        def tag(name: str, i: int = i, tags: dict[str, Any] = tags) -> str:
            value = columns[name][i] if name in columns else None
            if value is None or (isinstance(value, float) and math.isnan(value)):
                value = tags.get(name)
            return str(value or "").strip()

        street, place, number = tag("addr:street"), tag("addr:place"), tag("addr:housenumber")
        x, y = float(xs[i]), float(ys[i])
        if not (street or place) or not number or not (math.isfinite(x) and math.isfinite(y)):
            skipped += 1
            continue
        out.append(OsmAddress(street, place, number, tag("addr:postcode"), tag("addr:city"), y, x))
    return OsmAddresses(out, skipped, osm)


def _tag_dict(tags: Any) -> dict[str, Any]:
    """The ``tags`` of a pyrosm row as a dict (it may be JSON text, None or damaged)."""
    if isinstance(tags, str):
        try:
            tags = json.loads(tags)
        except ValueError:
            tags = {}
    return tags if isinstance(tags, dict) else {}


def read_osm(path: Path | str) -> AddressColumns:
    """The address rows of an OSM extract, from :func:`read_osm_addresses`.

    Parameters
    ----------
    path
        The extract (``.osm.pbf``).

    Returns
    -------
    AddressColumns
        One row per house number (``76, 76a`` gives two, a range ``3-7`` both ends); the
        street is ``addr:street``, else ``addr:place``. The place is ``addr:city``, else the
        smallest administrative boundary (admin_level 8-10) holding the address; the other
        boundaries are kept as other names of the place. Objects without a street are
        counted in ``skipped``.

    Raises
    ------
    InputError
        When the file cannot be read.
    """
    found = read_osm_addresses(path)
    b = AddressColumns()
    for a, places in zip(found.addresses, _osm_places(found.osm, found.addresses), strict=True):
        place = a.city or (places[0] if places else "")
        areas = tuple(p for p in places if p != place)
        for num, letter, addition in _osm_numbers(a.housenumber):
            b.add(
                street=a.street or a.place,
                number=num,
                letter=letter,
                addition=addition,
                postcode=norm_postcode(a.postcode),
                city=place,
                areas=areas,
                lat=a.lat,
                lon=a.lon,
                source="osm",
            )
    b.skipped = found.skipped
    return b


def _osm_numbers(text: str) -> list[tuple[int | None, str, str]]:
    """``12`` / ``12a`` / ``12-2`` / ``76, 76a`` / ``3-7`` as (number, letter, addition)."""
    out: list[tuple[int | None, str, str]] = []
    for part in re.split(r"[,;]", fold(text)):
        part = re.sub(r"[^a-z0-9/ -]", "", part).strip()
        rng = re.fullmatch(r"(\d{1,5})\s*-\s*(\d{1,5})", part)
        if rng and int(rng.group(2)) > int(rng.group(1)):  # a range of numbers: both ends
            out += [(int(rng.group(1)), "", ""), (int(rng.group(2)), "", "")]
            continue
        p = parse_address(part)
        if p.number is not None:
            out.append((p.number, p.letter, p.addition))
    return out


def _osm_places(osm: Any, addresses: Sequence[OsmAddress]) -> list[list[str]]:
    """For each address, the names of the admin boundaries (level 8-10) holding it, smallest
    first (none when the boundaries cannot be read: they are a help, never a reason to fail)."""
    if not addresses:
        return []
    try:
        import shapely

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            bounds = osm.get_boundaries(boundary_type="administrative")
        if bounds is None or len(bounds) == 0:
            return [[] for _ in addresses]
        lats = np.array([a.lat for a in addresses])
        lons = np.array([a.lon for a in addresses])
        found: list[list[tuple[int, str]]] = [[] for _ in addresses]
        for name, level, geom in zip(
            bounds["name"].tolist(),
            bounds["admin_level"].tolist(),
            bounds.geometry.values,
            strict=True,
        ):
            try:
                lvl = int(str(level))
            except ValueError:
                continue
            if not name or geom is None or not 8 <= lvl <= 10:
                continue
            shapely.prepare(geom)
            inside = np.flatnonzero(shapely.contains_xy(geom, lons, lats))
            for i in inside.tolist():
                found[i].append((lvl, str(name)))
        return [[n for _, n in sorted(f, key=lambda t: -t[0])] for f in found]
    except Exception:  # boundaries are a help, never a reason to fail
        return [[] for _ in addresses]
