"""Route geometry along the roads, and machine-readable exports of a plan.

Geometry is plain data, so that maps, route sheets and exports can be made (and tested)
without a road network: a :data:`Geometry` maps a *leg* — the ``(lat, lon)`` of two
consecutive stops — to the road path between them as a list of ``(lat, lon)``. A leg that
is missing (or ``geometry=None``) is drawn as a straight line. :func:`route_geometry`
computes it for a whole plan from a road network (one Dijkstra per distinct leg origin).

Every ride is named by its ``trip`` (``heen``, ``terug``, ``middag``, ``heen-2`` ...);
``ride`` is the trip with its weekday (``wed-middag``). An unassigned ride also has the
participant's ``direction`` (``heen``, ``terug`` or ``transfer``, from
:mod:`vervoer.routing.requests`).

Exports (no participant names and no home addresses unless ``names=True``; participants
appear by id):

- :func:`plan_geojson` — a GeoJSON FeatureCollection (RFC 7946, ``[lon, lat]``): one
  LineString per route along the roads, one Point per stop, one feature per unassigned
  ride (Point at the home, or ``null`` geometry when the address was not found);
- :func:`write_stops_csv` — one row per stop, formula-like cells neutralised;
- :func:`write_vehicle_days_csv` — one row per vehicle per day: its trips in driving
  order, start and end, km, hours and cost (the cost of the day is the sum of its trips);
- :func:`route_gpx` — GPX 1.1 per route: a ``<rte>`` of the stops for navigation devices
  and a ``<trk>`` with the road path.
"""

from __future__ import annotations

import json
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import pairwise
from pathlib import Path

from vervoer.core.files import atomic_open, write_csv
from vervoer.core.model import (
    Direction,
    Participant,
    Plan,
    Point,
    RideKey,
    Route,
    Stop,
    StopKind,
    format_clock,
)
from vervoer.io.plan_json import stop_dict, vehicle_day_dict
from vervoer.io.scenario import Scenario
from vervoer.routing.requests import trips_of_day

LatLon = tuple[float, float]
Leg = tuple[LatLon, LatLon]
Geometry = Mapping[Leg, Sequence[LatLon]]

GPX_NS = "http://www.topografix.com/GPX/1/1"
OSM_ATTRIBUTION = "Road data © OpenStreetMap contributors (ODbL)"

CSV_COLUMNS = [
    "weekday",
    "trip",
    "vehicle",
    "organisation",
    "seq",
    "kind",
    "place",
    "address",
    "lat",
    "lon",
    "arrival",
    "departure",
    "boarding",
    "alighting",
    "load_seats",
    "load_wheelchairs",
]

#: the columns of ``vehicle_days.csv`` (:func:`vehicle_day_rows`)
VEHICLE_DAY_COLUMNS = [
    "weekday",
    "vehicle",
    "organisation",
    "trips",
    "trip_count",
    "start",
    "end",
    "km",
    "hours",
    "cost",
]


# ----------------------------------------------------------------------------- geometry


def point_of(stop: Stop) -> LatLon:
    """The ``(lat, lon)`` of a stop, rounded to 7 decimals (the key of a leg)."""
    return (round(stop.lat, 7), round(stop.lon, 7))


def route_legs(plan: Plan) -> set[Leg]:
    """Every distinct leg (pair of consecutive stop positions) of a plan's routes."""
    return {
        (point_of(a), point_of(b))
        for ride in plan.rides
        for route in ride.routes
        for a, b in pairwise(route.stops)
        if point_of(a) != point_of(b)
    }


def route_geometry(plan: Plan, network: object) -> dict[Leg, list[LatLon]]:
    """Road paths of every leg of a plan, on the network the plan was made with.

    Parameters
    ----------
    plan
        The plan (e.g. from :func:`vervoer.io.plan_json.read_plan`).
    network
        A :class:`vervoer.geo.network.RoadNetwork`.

    Returns
    -------
    dict
        Leg -> path as ``(lat, lon)`` points, starting at the first stop and ending at the
        second; a straight line where the network has no path.
    """
    from vervoer.geo.matrix import leg_paths, snap

    legs = sorted(route_legs(plan))
    if not legs:
        return {}
    points = sorted({p for leg in legs for p in leg})
    nodes, _ = snap(network, [Point(lat, lon) for lat, lon in points])  # type: ignore[arg-type]
    node_of = {p: int(n) for p, n in zip(points, nodes, strict=True)}
    node_legs = sorted({(node_of[a], node_of[b]) for a, b in legs if node_of[a] != node_of[b]})
    paths = leg_paths(network, node_legs)  # type: ignore[arg-type]
    out: dict[Leg, list[LatLon]] = {}
    for a, b in legs:
        na, nb = node_of[a], node_of[b]
        road = paths.get((na, nb), []) if na != nb else []
        if na != nb and len(road) < 2:  # no path on the network: straight line
            road = []
        out[(a, b)] = _dedupe([a, *road, b])
    return out


def _dedupe(coords: Iterable[LatLon]) -> list[LatLon]:
    out: list[LatLon] = []
    for c in coords:
        if not out or out[-1] != c:
            out.append(c)
    return out


def leg_path(a: Stop, b: Stop, geometry: Geometry | None) -> list[LatLon]:
    """The path from stop ``a`` to stop ``b``: along the road, else a straight line."""
    pa, pb = point_of(a), point_of(b)
    if geometry is not None:
        path = geometry.get((pa, pb))
        if path:
            return [(float(lat), float(lon)) for lat, lon in path]
    return _dedupe([pa, pb])


def route_path(route: Route, geometry: Geometry | None) -> list[LatLon]:
    """The whole route from depot to depot as one list of ``(lat, lon)``."""
    coords: list[LatLon] = [point_of(route.stops[0])] if route.stops else []
    for a, b in pairwise(route.stops):
        coords.extend(leg_path(a, b, geometry))
    return _dedupe(coords)


def simplify_path(path: Sequence[LatLon], tolerance_deg: float = 2e-5) -> list[LatLon]:
    """A path with fewer points (Douglas-Peucker), rounded to 6 decimals.

    Parameters
    ----------
    path
        ``(lat, lon)`` points.
    tolerance_deg
        How far (in degrees) a dropped point may lie from the simplified line; the default
        is about 2 m.

    Returns
    -------
    list
        The simplified path; a path of fewer than three points is only rounded.
    """
    if len(path) < 3:
        return [(round(a, 6), round(b, 6)) for a, b in path]
    from shapely.geometry import LineString

    line = LineString([(lon, lat) for lat, lon in path]).simplify(tolerance_deg)
    return [(round(lat, 6), round(lon, 6)) for lon, lat in line.coords]


def haversine_m(a: LatLon, b: LatLon) -> float:
    """Great-circle distance in metres between two ``(lat, lon)``."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6_371_008.8 * math.asin(math.sqrt(min(1.0, h)))


# ----------------------------------------------------------------------------- helpers


def slugify(text: str, *, fallback: str = "x") -> str:
    """A safe file-name part: ASCII letters, digits, ``-`` and ``_`` only.

    Path separators, dots and everything else become ``-``, so an id like ``../../etc/x``
    gives ``etc-x`` and cannot steer where a file is written.
    """
    slug = re.sub(r"[^A-Za-z0-9_]+", "-", text).strip("-_")
    return slug[:80] or fallback


def unique_slugs(keys: Iterable[str]) -> dict[str, str]:
    """A distinct :func:`slugify` per key (``-2``, ``-3`` ... when two keys collide)."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for key in keys:
        if key in out:
            continue
        base = slugify(key)
        slug, n = base, 1
        while slug.lower() in used:
            n += 1
            slug = f"{base}-{n}"
        used.add(slug.lower())
        out[key] = slug
    return out


def route_file_stem(key: RideKey, vehicle_slug: str) -> str:
    """The file name (without extension) of a route's sheet or GPX: ``mon-heen-B1``."""
    return f"{key}-{vehicle_slug}"


def address_book(scenario: Scenario) -> dict[tuple[StopKind, str], str]:
    """The scenario's address per stop ``(kind, place)``: homes, locations and depots."""
    book = {(StopKind.HOME, p.id): p.address for p in scenario.participants}
    book.update({(StopKind.LOCATION, loc.id): loc.address for loc in scenario.locations})
    book.update({(StopKind.DEPOT, v.id): v.depot_address for v in scenario.vehicles})
    return book


def stop_address(stop: Stop, book: Mapping[tuple[StopKind, str], str]) -> str:
    """The address of a stop (see :func:`address_book`); empty when unknown."""
    return stop.address or book.get((stop.kind, stop.place), "")


def shared_address(stop: Stop, book: Mapping[tuple[StopKind, str], str], names: bool) -> str:
    """The address of a stop as exports show it: a home's only with ``names`` (personal data).

    Exports are shared like the maps; a home address with a participant id identifies the
    person as much as a name does. Locations and depots are always shown.
    """
    if stop.kind is StopKind.HOME and not names:
        return ""
    return stop_address(stop, book)


def people_by_id(scenario: Scenario) -> dict[str, Participant]:
    """The scenario's participants by id."""
    return {p.id: p for p in scenario.participants}


def _who(ids: Sequence[str], people: Mapping[str, Participant], names: bool) -> list[str]:
    if not names:
        return list(ids)
    return [f"{people[i].name} ({i})" if i in people and people[i].name else i for i in ids]


def iter_routes(plan: Plan) -> Iterator[tuple[RideKey, Route]]:
    """Every ``(ride key, route)`` of a plan, in plan order (routes without stops skipped)."""
    for ride in plan.rides:
        for route in ride.routes:
            if route.stops:
                yield ride.key, route


def trip_positions(plan: Plan) -> dict[tuple[RideKey, str], tuple[int, int]]:
    """Where each route lies in its vehicle's day: ``(trip, vehicle) -> (n, of)``.

    Parameters
    ----------
    plan
        The plan.

    Returns
    -------
    dict
        ``(ride key, vehicle id)`` -> ``(position, number of trips)``: ``(2, 3)`` is the
        vehicle's second of three trips that day (see :meth:`Plan.vehicle_days`).
    """
    out: dict[tuple[RideKey, str], tuple[int, int]] = {}
    for vd in plan.vehicle_days():
        for n, (key, _) in enumerate(vd.trips, start=1):
            out[(key, vd.vehicle)] = (n, len(vd.trips))
    return out


def ride_directions(
    plan: Plan, scenario: Scenario
) -> dict[tuple[RideKey, str], tuple[Direction, str | None]]:
    """Each participant's ride in each trip of the plan: its direction and where it starts.

    Parameters
    ----------
    plan, scenario
        The plan and the scenario it was made for (its requests, by
        :func:`vervoer.routing.requests.trips_of_day`).

    Returns
    -------
    dict
        ``(ride key, participant id)`` -> ``(direction, origin location id or None)``;
        the origin is set for a transfer only. Rides the scenario does not ask for are
        missing.
    """
    out: dict[tuple[RideKey, str], tuple[Direction, str | None]] = {}
    for day in dict.fromkeys(ride.key.weekday for ride in plan.rides):
        for key, requests in trips_of_day(scenario, day).items():
            for r in requests:
                origin = r.origin.id if r.origin is not None else None
                out[(key, r.participant.id)] = (r.direction, origin)
    return out


# ----------------------------------------------------------------------------- GeoJSON


def _lonlat(p: LatLon) -> list[float]:
    return [round(p[1], 6), round(p[0], 6)]


def _stop_properties(s: Stop) -> dict[str, object]:
    """A stop's GeoJSON properties: plan.json's stop (:func:`stop_dict`) in the same order.

    The position is left out (the feature's geometry holds it) and the load is given as
    two flat keys, ``load_seats`` and ``load_wheelchairs``.
    """
    props = stop_dict(s)
    del props["lat"], props["lon"], props["load"]
    return {**props, "load_seats": s.load_seats, "load_wheelchairs": s.load_wheelchairs}


def plan_geojson(
    plan: Plan, scenario: Scenario, geometry: Geometry | None, *, names: bool = False
) -> dict[str, object]:
    """The plan as a GeoJSON FeatureCollection (coordinates ``[lon, lat]``, WGS84).

    Parameters
    ----------
    plan, scenario
        The plan and the scenario it was made for.
    geometry
        Road paths per leg (see :func:`route_geometry`); None draws straight lines.
    names
        Add participant names (``boarding_names`` / ``alighting_names``); off by default.

    Returns
    -------
    dict
        Features with ``properties.type`` ``route``, ``stop`` or ``unassigned``. Every
        feature has ``ride``, ``weekday`` and ``trip``; a route also its place in the
        vehicle's day (``vehicle_trip`` of ``vehicle_trips``); an unassigned ride the
        participant's ``direction`` (``heen``/``terug``/``transfer``, None when the scenario
        does not ask for it) and, for a transfer, the ``origin`` location.
    """
    people = people_by_id(scenario)
    points = {p.id: p.point for p in scenario.participants}
    positions = trip_positions(plan)
    features: list[dict[str, object]] = []
    for key, route in iter_routes(plan):
        base = {
            "ride": str(key),
            "weekday": key.weekday.value,
            "trip": key.trip,
            "vehicle": route.vehicle,
            "organisation": route.organisation,
        }
        n, of = positions.get((key, route.vehicle), (1, 1))
        first, last = route.stops[0], route.stops[-1]
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "LineString",
                    "coordinates": [_lonlat(c) for c in route_path(route, geometry)],
                },
                "properties": {
                    "type": "route",
                    **base,
                    "vehicle_trip": n,
                    "vehicle_trips": of,
                    "distance_m": route.distance_m,
                    "km": round(route.distance_m / 1000, 2),
                    "duration_s": route.duration_s,
                    "cost": route.cost,
                    "start": format_clock(first.departure),
                    "end": format_clock(last.arrival),
                    "stops": len(route.stops),
                    "max_seats": max(s.load_seats for s in route.stops),
                    "max_wheelchairs": max(s.load_wheelchairs for s in route.stops),
                },
            }
        )
        for seq, s in enumerate(route.stops):
            props: dict[str, object] = {"type": "stop", **base, "seq": seq, **_stop_properties(s)}
            if names:
                props["boarding_names"] = _who(s.boarding, people, True)
                props["alighting_names"] = _who(s.alighting, people, True)
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": _lonlat(point_of(s))},
                    "properties": props,
                }
            )
    directions = ride_directions(plan, scenario) if any(r.unassigned for r in plan.rides) else {}
    for ride in plan.rides:
        for u in ride.unassigned:
            pt = points.get(u.participant)
            direction, origin = directions.get((ride.key, u.participant), (None, None))
            props = {
                "type": "unassigned",
                "ride": str(ride.key),
                "weekday": ride.key.weekday.value,
                "trip": ride.key.trip,
                "direction": direction.value if direction is not None else None,
                "participant": u.participant,
                "organisation": u.organisation,
                "location": u.location,
                "origin": origin,
                "reason": u.reason.value,
                "message": u.message,
            }
            if names and u.participant in people:
                props["name"] = people[u.participant].name
            features.append(
                {
                    "type": "Feature",
                    "geometry": None
                    if pt is None
                    else {"type": "Point", "coordinates": _lonlat((pt.lat, pt.lon))},
                    "properties": props,
                }
            )
    return {
        "type": "FeatureCollection",
        "name": plan.scenario,
        "attribution": OSM_ATTRIBUTION,
        "features": features,
    }


def write_geojson(
    plan: Plan,
    scenario: Scenario,
    geometry: Geometry | None,
    path: Path,
    *,
    names: bool = False,
) -> Path:
    """Write :func:`plan_geojson` atomically to ``path`` and return it."""
    doc = plan_geojson(plan, scenario, geometry, names=names)
    with atomic_open(Path(path), "w", encoding="utf-8") as fh:
        json.dump(doc, fh, ensure_ascii=False, separators=(",", ":"))
        fh.write("\n")
    return Path(path)


# ----------------------------------------------------------------------------- CSV


def stop_rows(plan: Plan, scenario: Scenario, *, names: bool = False) -> list[list[object]]:
    """One row per stop, in the order of :data:`CSV_COLUMNS` (+ names when asked)."""
    people = people_by_id(scenario)
    book = address_book(scenario)
    rows: list[list[object]] = []
    for key, route in iter_routes(plan):
        for seq, s in enumerate(route.stops):
            row: list[object] = [
                key.weekday.value,
                key.trip,
                route.vehicle,
                route.organisation,
                seq,
                s.kind.value,
                s.place,
                shared_address(s, book, names),
                f"{s.lat:.7f}",
                f"{s.lon:.7f}",
                format_clock(s.arrival),
                format_clock(s.departure),
                " ".join(s.boarding),
                " ".join(s.alighting),
                s.load_seats,
                s.load_wheelchairs,
            ]
            if names:
                row += [
                    "; ".join(_who(s.boarding, people, True)),
                    "; ".join(_who(s.alighting, people, True)),
                ]
            rows.append(row)
    return rows


def write_stops_csv(plan: Plan, scenario: Scenario, path: Path, *, names: bool = False) -> Path:
    """Write the stops as CSV (UTF-8, comma) atomically; formula-like cells get a ``'``.

    The ``address`` of a home stop is empty unless ``names`` (see :func:`shared_address`).

    Participant ids in ``boarding`` / ``alighting`` are separated by spaces.
    """
    header = CSV_COLUMNS + (["boarding_names", "alighting_names"] if names else [])
    write_csv(Path(path), header, stop_rows(plan, scenario, names=names))
    return Path(path)


def vehicle_day_rows(plan: Plan) -> list[list[object]]:
    """One row per vehicle per day, in the order of :data:`VEHICLE_DAY_COLUMNS`.

    Parameters
    ----------
    plan
        The plan.

    Returns
    -------
    list
        Rows by day, then vehicle: the trips in driving order (separated by spaces), their
        number, the start at and the return to the depot (``HH:MM``), km and hours on the
        road and the day's cost (the sum of its trips; the fixed cost is in the first) as
        numbers.
    """
    rows: list[list[object]] = []
    for vd in plan.vehicle_days():
        d = vehicle_day_dict(vd)
        trips = [key.trip for key, _ in vd.trips]
        rows.append(
            [
                d["weekday"],
                d["vehicle"],
                d["organisation"],
                " ".join(trips),
                len(trips),
                d["start"],
                d["end"],
                d["km"],
                d["hours"],
                d["cost"],
            ]
        )
    return rows


def write_vehicle_days_csv(plan: Plan, path: Path) -> Path:
    """Write the vehicle days (:func:`vehicle_day_rows`) as CSV atomically; return the path.

    Parameters
    ----------
    plan
        The plan.
    path
        The file to write (UTF-8, comma; formula-like cells get a ``'``).

    Returns
    -------
    Path
        ``path``.
    """
    write_csv(Path(path), VEHICLE_DAY_COLUMNS, vehicle_day_rows(plan))
    return Path(path)


# ----------------------------------------------------------------------------- GPX


def route_gpx(
    key: RideKey,
    route: Route,
    scenario: Scenario,
    geometry: Geometry | None,
    *,
    names: bool = False,
) -> str:
    """One route as a GPX 1.1 document: the stops as ``<rte>``, the road path as ``<trk>``.

    Stops are named ``<seq> <place id> <time>``; no participant names. Home addresses are
    in the stops' descriptions only with ``names`` (see :func:`shared_address`).
    """
    ET.register_namespace("", GPX_NS)
    q = f"{{{GPX_NS}}}"
    gpx = ET.Element(f"{q}gpx", {"version": "1.1", "creator": "vervoer"})
    title = f"{key} {route.vehicle}"
    meta = ET.SubElement(gpx, f"{q}metadata")
    ET.SubElement(meta, f"{q}name").text = title
    ET.SubElement(meta, f"{q}desc").text = f"{route.organisation}; {OSM_ATTRIBUTION}"
    book = address_book(scenario)
    rte = ET.SubElement(gpx, f"{q}rte")
    ET.SubElement(rte, f"{q}name").text = title
    for seq, s in enumerate(route.stops):
        pt = ET.SubElement(rte, f"{q}rtept", {"lat": f"{s.lat:.7f}", "lon": f"{s.lon:.7f}"})
        ET.SubElement(pt, f"{q}name").text = f"{seq} {s.place} {format_clock(s.arrival)}"
        desc = [s.kind.value, shared_address(s, book, names)]
        if s.boarding:
            desc.append("in: " + " ".join(s.boarding))
        if s.alighting:
            desc.append("out: " + " ".join(s.alighting))
        ET.SubElement(pt, f"{q}desc").text = "; ".join(d for d in desc if d)
    trk = ET.SubElement(gpx, f"{q}trk")
    ET.SubElement(trk, f"{q}name").text = title
    seg = ET.SubElement(trk, f"{q}trkseg")
    for lat, lon in route_path(route, geometry):
        ET.SubElement(seg, f"{q}trkpt", {"lat": f"{lat:.7f}", "lon": f"{lon:.7f}"})
    ET.indent(gpx)
    return ET.tostring(gpx, encoding="unicode", xml_declaration=True) + "\n"


def write_gpx(
    plan: Plan,
    scenario: Scenario,
    geometry: Geometry | None,
    folder: Path,
    *,
    names: bool = False,
) -> list[Path]:
    """Write one GPX file per route into ``folder`` (``mon-heen-B1.gpx``); return the paths."""
    slugs = unique_slugs(r.vehicle for _, r in iter_routes(plan))
    out = []
    for key, route in iter_routes(plan):
        path = Path(folder) / f"{route_file_stem(key, slugs[route.vehicle])}.gpx"
        with atomic_open(path, "w", encoding="utf-8") as fh:
            fh.write(route_gpx(key, route, scenario, geometry, names=names))
        out.append(path)
    return out


def write_exports(
    plan: Plan,
    scenario: Scenario,
    geometry: Geometry | None,
    out_dir: Path,
    *,
    names: bool = False,
) -> dict[str, Path]:
    """Write ``routes.geojson``, ``stops.csv``, ``vehicle_days.csv`` and ``gpx/*.gpx``.

    Parameters
    ----------
    plan, scenario
        The plan and the scenario it was made for.
    geometry
        Road paths per leg (see :func:`route_geometry`); None draws straight lines.
    out_dir
        The folder to write into.
    names
        Add participant names and home addresses (see :func:`shared_address`).

    Returns
    -------
    dict
        ``geojson``, ``csv``, ``vehicle_days`` and ``gpx`` (the folder) -> path.
    """
    out_dir = Path(out_dir)
    write_gpx(plan, scenario, geometry, out_dir / "gpx", names=names)
    return {
        "geojson": write_geojson(plan, scenario, geometry, out_dir / "routes.geojson", names=names),
        "csv": write_stops_csv(plan, scenario, out_dir / "stops.csv", names=names),
        "vehicle_days": write_vehicle_days_csv(plan, out_dir / "vehicle_days.csv"),
        "gpx": out_dir / "gpx",
    }
