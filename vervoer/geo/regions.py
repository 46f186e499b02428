"""Deelregio's from municipality boundaries, and one pool per deelregio.

A location's ``region`` column names its deelregio. Where the column is empty, the
deelregio can be derived offline from a GeoJSON file of municipality boundaries
(``municipalities`` in the settings) and a mapping of municipalities to deelregio's
(``[regions]``: ``deelregio = [municipalities]``): the location lies in a municipality
(point-in-polygon with shapely; a point on a border counts for the first municipality
in the file), and that municipality belongs to a deelregio. A municipality that
``[regions]`` does not list is a deelregio of its own, named after it; a location outside
every municipality keeps an empty region (and a warning says so).

Pools per deelregio: when the settings define no ``[pools]``, ``pool_by_region`` is true
(the default) and the locations have regions, shared mode plans one pool per deelregio.
Pools are groups of organisations, so an organisation joins the deelregio where most of
its participants' attendance is (ties: the deelregio first by name); organisations
without any region share one pool, ``overig``.

GeoJSON coordinates are ``[lon, lat]``; the model's points are ``(lat, lon)``.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vervoer.core.errors import InputError, Problem
from vervoer.core.model import Point, Pool

if TYPE_CHECKING:
    from shapely.geometry.base import BaseGeometry

    from vervoer.io.scenario import Scenario

__all__ = [
    "NAME_FIELDS",
    "NO_REGION_POOL",
    "Municipality",
    "assign_regions",
    "municipality_of",
    "read_municipalities",
    "region_of_municipality",
    "region_pools",
    "with_regions",
]

#: the properties tried, in order, for a municipality's name when none is set
NAME_FIELDS = ("gemeentenaam", "statnaam", "naam", "name", "GM_NAAM")
#: the pool of the organisations whose locations have no region
NO_REGION_POOL = "overig"


@dataclass(frozen=True, slots=True)
class Municipality:
    """One municipality of a boundaries file.

    Attributes
    ----------
    name
        Its name (the name property of the feature).
    shape
        Its boundary, a shapely (multi)polygon in ``(lon, lat)``, prepared for fast
        point-in-polygon tests.
    """

    name: str
    shape: BaseGeometry


def read_municipalities(path: Path, *, field: str = "") -> tuple[Municipality, ...]:
    """Read municipality boundaries from a GeoJSON FeatureCollection.

    Parameters
    ----------
    path
        The GeoJSON file (WGS84 polygons or multipolygons).
    field
        The property that holds the name; empty: the first of :data:`NAME_FIELDS` found
        in a feature.

    Returns
    -------
    tuple of Municipality
        In the order of the file.

    Raises
    ------
    InputError
        When the file is missing, is not GeoJSON, or a feature has no name or no polygon;
        the message names the file, the feature (as row, counted from 1) and the field.
    """
    import shapely
    from shapely.geometry import shape

    name = path.name
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        msg = f"{path}: no such file (setting `municipalities`)"
        raise InputError(msg, file="settings.toml", field="municipalities") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"not valid GeoJSON: {exc}", file=name) from None
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list) or not features:
        msg = "expected a GeoJSON FeatureCollection with municipality polygons"
        raise InputError(msg, file=name, field="features")
    problems: list[Problem] = []
    out: list[Municipality] = []
    for row, feature in enumerate(features, start=1):
        props: dict[str, Any] = (
            (feature.get("properties") or {}) if isinstance(feature, dict) else {}
        )
        keys = (field,) if field else NAME_FIELDS
        label = next((str(props[k]).strip() for k in keys if props.get(k)), "")
        if not label:
            wanted = f"`{field}`" if field else "one of " + ", ".join(f"`{k}`" for k in keys)
            problems.append(
                Problem(name, row, field or "properties", f"no name: expected {wanted}")
            )
            continue
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        try:
            boundary = shape(geometry)
        except (AttributeError, KeyError, TypeError, ValueError, shapely.errors.ShapelyError):
            boundary = None
        if boundary is None or boundary.geom_type not in ("Polygon", "MultiPolygon"):
            problems.append(
                Problem(name, row, "geometry", f"{label}: expected a Polygon or MultiPolygon")
            )
            continue
        if not boundary.is_valid:
            boundary = boundary.buffer(0)
        shapely.prepare(boundary)
        out.append(Municipality(name=label, shape=boundary))
    if problems:
        raise InputError(problems)
    return tuple(out)


def municipality_of(point: Point, municipalities: Sequence[Municipality]) -> Municipality | None:
    """The municipality a point lies in.

    Parameters
    ----------
    point
        ``(lat, lon)``.
    municipalities
        From :func:`read_municipalities`.

    Returns
    -------
    Municipality or None
        The first municipality whose boundary covers the point (so a point on a border
        counts for the first in the file); None outside all of them.
    """
    from shapely.geometry import Point as ShapelyPoint

    where = ShapelyPoint(point.lon, point.lat)
    return next((m for m in municipalities if m.shape.covers(where)), None)


def region_of_municipality(municipality: str, regions: Sequence[tuple[str, Sequence[str]]]) -> str:
    """The deelregio of a municipality.

    Parameters
    ----------
    municipality
        Its name.
    regions
        The ``[regions]`` setting: (deelregio, municipality names) pairs.

    Returns
    -------
    str
        The deelregio that lists the municipality (names compared case-insensitively,
        trimmed), else the municipality's own name.
    """
    wanted = municipality.strip().casefold()
    for region, names in regions:
        if any(n.strip().casefold() == wanted for n in names):
            return region
    return municipality


def assign_regions(
    scenario: Scenario,
    municipalities: Sequence[Municipality],
    *,
    say: Callable[[str], None] | None = None,
) -> Scenario:
    """Give every location with an empty region the deelregio of its municipality.

    Parameters
    ----------
    scenario
        A scenario whose locations have points (geocoded).
    municipalities
        From :func:`read_municipalities`.
    say
        Told about each location that lies outside every municipality.

    Returns
    -------
    Scenario
        The scenario with regions filled in; a given region is never changed.
    """
    regions = scenario.settings.regions
    locations = []
    for loc in scenario.locations:
        if loc.region or loc.point is None:
            locations.append(loc)
            continue
        found = municipality_of(loc.point, municipalities)
        if found is None:
            if say is not None:
                say(f"warning: location {loc.id} lies in none of the municipalities; no region")
            locations.append(loc)
            continue
        locations.append(
            dataclasses.replace(loc, region=region_of_municipality(found.name, regions))
        )
    return dataclasses.replace(scenario, locations=tuple(locations))


def region_pools(scenario: Scenario) -> tuple[Pool, ...]:
    """One pool per deelregio (see the module docstring); empty when no location has one.

    Parameters
    ----------
    scenario
        The scenario, with the regions of its locations filled in.

    Returns
    -------
    tuple of Pool
        Pools named after their deelregio, sorted by name (``overig`` last), each with its
        organisations in the scenario's order.
    """
    region = {loc.id: loc.region for loc in scenario.locations}
    if not any(region.values()):
        return ()
    votes: dict[str, Counter[str]] = {o.id: Counter() for o in scenario.organisations}
    owner = {p.id: p.organisation for p in scenario.participants}
    for a in scenario.attendance:
        org = owner.get(a.participant)
        if org in votes and region.get(a.location):
            votes[org][region[a.location]] += 1
    for loc in scenario.locations:  # an organisation without attendance: its own locations
        if loc.organisation in votes and not votes[loc.organisation] and loc.region:
            votes[loc.organisation][loc.region] += 0
    members: dict[str, list[str]] = {}
    for org, counted in votes.items():
        best = min(counted.items(), key=lambda kv: (-kv[1], kv[0]))[0] if counted else ""
        members.setdefault(best, []).append(org)
    names = sorted(k for k in members if k)
    pools = [Pool(name=n, organisations=tuple(members[n])) for n in names]
    if "" in members:
        pools.append(Pool(name=NO_REGION_POOL, organisations=tuple(members[""])))
    return tuple(pools)


def with_regions(
    scenario: Scenario,
    municipalities_file: Path | None,
    *,
    say: Callable[[str], None] | None = None,
) -> Scenario:
    """Fill in regions from the boundaries (when given) and pools per deelregio (by default).

    Parameters
    ----------
    scenario
        A geocoded scenario.
    municipalities_file
        The ``municipalities`` GeoJSON, or None.
    say
        For warnings.

    Returns
    -------
    Scenario
        Regions filled in; without ``[pools]`` and with ``pool_by_region``, the pools per
        deelregio as the settings' pools.
    """
    if municipalities_file is not None:
        found = read_municipalities(municipalities_file, field=scenario.settings.municipality_field)
        scenario = assign_regions(scenario, found, say=say)
    settings = scenario.settings
    if not settings.pools and settings.pool_by_region:
        pools = region_pools(scenario)
        if pools:
            scenario = dataclasses.replace(
                scenario, settings=dataclasses.replace(settings, pools=pools)
            )
    return scenario
