"""The pipeline as functions a notebook, the CLI and the tests call alike.

scenario -> geocode -> network -> matrix -> plan -> check, data flowing one way::

    from vervoer import pipeline
    prepared = pipeline.prepare("my-scenario", osm="utrecht-latest.osm.pbf")
    plan = pipeline.plan(prepared, mode="shared")
    pipeline.check(prepared, plan).ok
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from vervoer.core.errors import InputError, NetworkError, Problem
from vervoer.core.model import Change, Mode, Plan, Point, RideKey, RidePlan, Weekday
from vervoer.core.settings import PLAN_LNS_ROUNDS, REPLAN_LNS_ROUNDS, SolveParams
from vervoer.geo.matrix import Matrix, road_matrix
from vervoer.geo.network import RoadNetwork, load_network, network_from_place
from vervoer.geo.regions import with_regions
from vervoer.io.scenario import Scenario, read_scenario
from vervoer.routing.check import CheckResult, check_plan
from vervoer.routing.planner import plan_week
from vervoer.routing.replan import Replan
from vervoer.routing.requests import PlaceKey, scenario_points
from vervoer.routing.rules import rule_problems

Say = Callable[[str], None]


def search_params(
    scenario: Scenario,
    *,
    time_limit_s: float | None = None,
    iterations: int | None = None,
    lns_rounds: int = PLAN_LNS_ROUNDS,
) -> SolveParams:
    """The solver parameters of a plan: the scenario's time cap and seed, and the policy.

    Parameters
    ----------
    scenario
        The scenario (its settings give the time cap and the seed).
    time_limit_s
        Overrides the settings' time cap per ride and pool.
    iterations
        The work budget (default 100 solutions).
    lns_rounds
        Rounds of the large-neighbourhood search (default :data:`PLAN_LNS_ROUNDS`).

    Returns
    -------
    SolveParams
    """
    return SolveParams.from_settings(
        scenario.settings,
        time_limit_s=time_limit_s,
        max_iterations=iterations,
        lns_rounds=lns_rounds,
    )


def _quiet(_msg: str) -> None:
    return None


@dataclass(frozen=True, slots=True)
class GeocodeRow:
    """How one address of the scenario was resolved."""

    table: str
    id: str
    address: str
    status: str  # given | exact | fuzzy | street | failed
    point: Point | None
    matched: str = ""
    score: float = 0.0
    candidates: tuple[str, ...] = ()
    note: str = ""


@dataclass(slots=True)
class Prepared:
    """A scenario ready for planning: geocoded, with its network and matrix."""

    scenario: Scenario
    network: RoadNetwork
    matrix: Matrix
    places: dict[PlaceKey, int]
    geocoding: list[GeocodeRow] = field(default_factory=list)


def resolve_osm(scenario: Scenario, osm: str | Path | None = None) -> Path:
    """The OSM extract to use: ``osm``, the scenario's setting, or ``$VERVOER_OSM``.

    Raises
    ------
    InputError
        When none is given.
    """
    if osm:
        return Path(osm)
    if scenario.settings.osm:
        path = Path(scenario.settings.osm)
        if not path.is_absolute() and scenario.source is not None:
            base = scenario.source if scenario.source.is_dir() else scenario.source.parent
            path = base / path
        return path
    env = os.environ.get("VERVOER_OSM")
    if env:
        return Path(env)
    where = (
        scenario.source / "settings.toml"
        if scenario.source is not None and scenario.source.is_dir()
        else "the workbook's settings sheet"
        if scenario.source is not None
        else "settings.toml"
    )
    msg = (
        'no OSM extract: give --osm FILE, or set `osm = "path/to/extract.osm.pbf"` in '
        f"{where} (the file may not exist yet; a path relative to the scenario folder is fine), "
        "or set VERVOER_OSM"
    )
    raise InputError(msg, file="settings.toml", field="osm")


def geocode_scenario(
    scenario: Scenario,
    osm_path: Path | None,
    *,
    bag: Path | None = None,
    say: Say = _quiet,
) -> tuple[Scenario, list[GeocodeRow]]:
    """Fill in missing coordinates from addresses, offline (OSM extract and/or BAG export).

    Given coordinates always win. Addresses that cannot be resolved keep ``point=None``;
    planning lists those participants as unassigned ("address not found").
    """
    from vervoer.geo import geocode as gc

    todo = [p for p in scenario.participants if p.point is None and p.address]
    todo_loc = [loc for loc in scenario.locations if loc.point is None and loc.address]
    todo_veh = [v for v in scenario.vehicles if v.depot is None and v.depot_address]
    rows: list[GeocodeRow] = []
    for table, items, addr, pt in (
        ("participants", scenario.participants, "address", "point"),
        ("locations", scenario.locations, "address", "point"),
        ("vehicles", scenario.vehicles, "depot_address", "depot"),
    ):
        for item in items:
            if getattr(item, pt) is not None:
                rows.append(
                    GeocodeRow(table, item.id, getattr(item, addr), "given", getattr(item, pt))
                )
    if not (todo or todo_loc or todo_veh):
        return scenario, rows
    indexes = []
    if osm_path is not None and str(osm_path).lower().endswith((".pbf",)):
        say(f"reading addresses from {osm_path.name}")
        indexes.append(gc.load_index(osm_path, kind="osm"))
    if bag is not None:
        say(f"reading BAG addresses from {bag.name}")
        indexes.append(gc.load_index(bag, kind="bag"))
    if not indexes:
        msg = "addresses without coordinates need an OSM extract (.osm.pbf) or a BAG export"
        raise InputError(msg, file="settings.toml", field="osm")
    index = indexes[0] if len(indexes) == 1 else gc.AddressIndex.merge(*indexes)
    say(f"geocoding {len(todo) + len(todo_loc) + len(todo_veh)} addresses offline")

    def look(table: str, item_id: str, text: str) -> Point | None:
        res = gc.geocode(text, index)
        rows.append(
            GeocodeRow(
                table,
                item_id,
                text,
                res.status,
                res.point,
                res.matched,
                res.score,
                tuple(res.candidates),
                res.note,
            )
        )
        return res.point if res.status != "failed" else None

    participants = tuple(
        dataclasses.replace(p, point=look("participants", p.id, p.address))
        if p.point is None and p.address
        else p
        for p in scenario.participants
    )
    locations = tuple(
        dataclasses.replace(loc, point=look("locations", loc.id, loc.address))
        if loc.point is None and loc.address
        else loc
        for loc in scenario.locations
    )
    vehicles = tuple(
        dataclasses.replace(v, depot=look("vehicles", v.id, v.depot_address))
        if v.depot is None and v.depot_address
        else v
        for v in scenario.vehicles
    )
    failed = [r for r in rows if r.status == "failed" and r.table != "participants"]
    if failed:
        raise InputError(
            [
                Problem(
                    f"{r.table}.csv",
                    None,
                    "address",
                    f"{r.id}: {r.address!r} not found; "
                    f"candidates: {', '.join(r.candidates) or 'none'}; give lat/lon instead",
                )
                for r in failed
            ]
        )
    scenario = dataclasses.replace(
        scenario, participants=participants, locations=locations, vehicles=vehicles
    )
    return scenario, rows


def load_road_network(
    source: str | Path, *, online: bool = False, say: Say = _quiet
) -> RoadNetwork:
    """The road network of a local file, or (``online=True``) of a place name via osmnx."""
    if online:
        return network_from_place(str(source), progress=say)
    return load_network(Path(source), progress=say)


def read(path: str | Path) -> Scenario:
    """Read and validate a scenario, including rules that no plan can satisfy.

    Raises
    ------
    InputError
        With every problem: of the files (:func:`vervoer.io.scenario.read_scenario`) and of
        the rules (:func:`vervoer.routing.rules.rule_problems`).
    """
    scenario = read_scenario(Path(path))
    problems = rule_problems(scenario)
    if problems:
        raise InputError(problems)
    return scenario


def prepare(
    scenario: Scenario | str | Path,
    *,
    osm: str | Path | None = None,
    bag: str | Path | None = None,
    network: RoadNetwork | None = None,
    say: Say = _quiet,
) -> Prepared:
    """Read, geocode, build the network and the matrix: everything planning needs."""
    if not isinstance(scenario, Scenario):
        scenario = read(scenario)
    osm_path = resolve_osm(scenario, osm) if network is None or osm else None
    bag_path = Path(bag) if bag else _setting_path(scenario, scenario.settings.bag)
    if network is None:
        assert osm_path is not None
        network = load_network(osm_path, progress=say)
    scenario, rows = geocode_scenario(scenario, osm_path, bag=bag_path, say=say)
    # deelregio's from municipality boundaries, and pools per deelregio by default
    boundaries = _setting_path(scenario, scenario.settings.municipalities)
    scenario = with_regions(scenario, boundaries, say=say)
    points, places = scenario_points(scenario)
    if not points:
        msg = "the scenario has no points to plan between"
        raise NetworkError(msg)
    say(f"travel-time matrix for {len(points)} points")
    matrix = road_matrix(network, points)
    limit = scenario.settings.snap_max_m
    far = [k for k, i in places.items() if matrix.snap_m[i] > limit]
    if len(far) == len(places):
        source = Path(network.source).name if network.source else "the road network"
        msg = (
            f"{source}: no drivable road within {limit:.0f} m of any home, location or depot "
            f"of the scenario (the nearest is {min(matrix.snap_m):,.0f} m away); is this the "
            "OSM extract of the scenario's area?"
        )
        raise NetworkError(msg)
    for k in far:
        say(
            f"warning: {k.kind.value} {k.id} lies {matrix.snap_m[places[k]]:.0f} m from the "
            "nearest road"
        )
    return Prepared(scenario, network, matrix, places, rows)


def _setting_path(scenario: Scenario, value: str | None) -> Path | None:
    if not value:
        return None
    path = Path(value)
    if not path.is_absolute() and scenario.source is not None:
        base = scenario.source if scenario.source.is_dir() else scenario.source.parent
        path = base / path
    return path


def plan(
    prepared: Prepared,
    *,
    mode: Mode | str = Mode.SHARED,
    rides: Sequence[RideKey] | None = None,
    days: Sequence[Weekday] | None = None,
    params: SolveParams | None = None,
    progress: Callable[[RideKey, RidePlan], None] | None = None,
    workers: int | None = None,
    scheduler_address: str | None = None,
    dask: bool = False,
) -> Plan:
    """Plan the rides of a prepared scenario (see :func:`vervoer.routing.planner.plan_week`).

    Parameters
    ----------
    prepared
        From :func:`prepare`.
    mode
        ``shared`` (default) or ``own``.
    rides
        The trips to plan (default: every trip of every day in the attendance, see
        :func:`vervoer.routing.requests.all_trips`).
    days
        Without ``rides``: every trip of these days.
    params
        Solver parameters; default :func:`search_params` of the scenario, the same policy
        as ``vervoer plan`` (so the CLI and a notebook get the same plan).
    progress
        Called after each ride with its plan.
    workers
        Parallel processes (default: all cores); the plan does not depend on it.
    scheduler_address, dask
        ``dask=True``: plan the days on the Dask scheduler at ``scheduler_address``
        (``"tcp://host:8786"``), or on a temporary local cluster when it is None; the
        plan is the same.

    Returns
    -------
    Plan
    """
    return plan_week(
        prepared.scenario,
        prepared.matrix,
        prepared.places,
        mode=Mode(mode),
        rides=rides,
        days=days,
        params=params or search_params(prepared.scenario),
        progress=progress,
        workers=workers,
        scheduler_address=scheduler_address,
        dask=dask,
    )


def check(prepared: Prepared, plan: Plan) -> CheckResult:
    """Re-verify a plan against the prepared scenario and matrix."""
    return check_plan(plan, prepared.scenario, prepared.matrix, prepared.places)


def replan(
    scenario: Scenario | str | Path,
    date: str | dt.date,
    *,
    base: Plan | None = None,
    changes: str | Path | None = None,
    osm: str | Path | None = None,
    network: RoadNetwork | None = None,
    params: SolveParams | None = None,
    say: Say = _quiet,
    workers: int | None = None,
) -> tuple[Prepared, Replan]:
    """Plan one date from the base week with that date's changes, changing little.

    Parameters
    ----------
    scenario
        The scenario (its ``changes`` table, or ``changes``, gives the dated changes).
    date
        ``YYYY-MM-DD``.
    base
        The base week's plan; None plans the date from scratch.
    changes
        A changes CSV to use instead of the scenario's ``changes`` table.
    osm, network, params, say, workers
        As for :func:`prepare` and :func:`plan`.

    Returns
    -------
    tuple of (Prepared, Replan)
        The date's prepared scenario (geocoded again where an address changed) and the
        re-plan with its change list (:func:`vervoer.routing.replan.replan_date`).
    """
    from vervoer.routing.changes import change_dict, changes_on, parse_date, scenario_on
    from vervoer.routing.replan import replan_date

    when = date if isinstance(date, dt.date) else parse_date(date)
    sc = scenario if isinstance(scenario, Scenario) else read(scenario)
    if changes is not None:
        sc = dataclasses.replace(sc, changes=_read_changes(sc, Path(changes)))
    day, touched = scenario_on(sc, when)
    prepared = prepare(day, osm=osm, network=network, say=say)
    result = replan_date(
        prepared.scenario,
        prepared.matrix,
        prepared.places,
        base,
        when,
        params=params or search_params(prepared.scenario, lns_rounds=REPLAN_LNS_ROUNDS),
        touched=touched,
        changed=bool(changes_on(sc.changes, when)),
        workers=workers,
    )
    # the plan says which changes it was made with, so that `check` can apply them again
    applied = [change_dict(c) for c in changes_on(sc.changes, when)]
    plan = dataclasses.replace(result.plan, meta={**result.plan.meta, "changes": applied})
    return prepared, dataclasses.replace(result, plan=plan)


def _read_changes(scenario: Scenario, path: Path) -> tuple[Change, ...]:
    """The changes of a separate changes CSV, validated against the scenario."""
    import shutil
    import tempfile

    from vervoer.io.scenario import write_scenario

    if not path.is_file():
        raise InputError("file not found", file=str(path))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "scenario"
        write_scenario(dataclasses.replace(scenario, changes=()), folder)
        shutil.copyfile(path, folder / "changes.csv")
        return read(folder).changes
