"""The `vervoer` command line: thin over :mod:`vervoer.pipeline`.

Exit codes: 0 ok, 1 unexpected error or a failed check, 2 bad input, 3 road-data problem.
"""

from __future__ import annotations

import functools
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from vervoer.core.errors import VervoerError
from vervoer.core.model import WORKDAYS, Direction, Mode, RideKey, RidePlan, Weekday

F = Callable[..., Any]
TIME_LIMIT = click.FloatRange(min=0, min_open=True)  # seconds, above 0
ITERATIONS = click.IntRange(min=0)


# rounds of ruin-and-descend per ride and pool after guided local search: on the demo's
# Monday 3-7% cheaper plans for 6-10x the solver time (BENCHMARKS.md)
PLAN_LNS_ROUNDS = 25


def lns_rounds_option(default: int) -> Callable[[F], F]:
    """``--lns-rounds N``: rounds of ruin-and-descend after guided local search."""
    return click.option(
        "--lns-rounds",
        type=click.IntRange(min=0),
        default=default,
        show_default=True,
        help="Rounds of the deterministic large-neighbourhood search per ride and pool "
        "(ruin related requests, reinsert, descend); 0 = none.",
    )


def _say(msg: str) -> None:
    click.echo(f"  {msg}", err=True)


class Terminated(KeyboardInterrupt):
    """SIGTERM as an exception, so that it cleans up like Ctrl-C (temporary files, workers)."""


def _terminate(signum: int, frame: object) -> None:
    raise Terminated


def handle_errors(func: F) -> F:
    """Turn vervoer's errors into a clear message and its exit code; never a traceback.

    Ctrl-C exits with 130 and SIGTERM with 143, after the same clean-up: a file being
    written is not left half-written (the previous one stays), planning workers are stopped.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            previous: Any = signal.signal(signal.SIGTERM, _terminate)
            installed = True
        except ValueError:  # not in the main thread: leave SIGTERM alone
            installed = False
        try:
            return func(*args, **kwargs)
        except VervoerError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt as exc:
            stopped = "Stopped (SIGTERM)" if isinstance(exc, Terminated) else "Interrupted"
            click.echo(f"{stopped}; outputs written so far are complete.", err=True)
            sys.exit(143 if isinstance(exc, Terminated) else 130)
        finally:
            if installed:
                signal.signal(signal.SIGTERM, previous)

    return wrapper


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "auto_envvar_prefix": "VERVOER"}
)
@click.version_option(package_name="vervoer")
def main() -> None:
    """Plan shared group transport for day activities (OpenStreetMap + OR-Tools).

    Everything runs offline on a local OSM extract; no participant data leaves the machine.
    """


osm_option = click.option(
    "--osm",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="VERVOER_OSM",
    help="OSM extract (.osm.pbf/.osm/.osm.bz2). Default: settings.toml `osm`, then $VERVOER_OSM.",
)


@main.command()
@click.argument("scenario", type=click.Path(exists=True, path_type=Path))
@handle_errors
def validate(scenario: Path) -> None:
    """Check a scenario folder or workbook and report every problem at once."""
    from vervoer.io.scenario import read_scenario

    sc = read_scenario(scenario)
    click.echo(
        f"{scenario}: OK - {len(sc.organisations)} organisations, {len(sc.locations)} "
        f"locations, {len(sc.participants)} participants, {len(sc.attendance)} attendance "
        f"rows, {len(sc.vehicles)} vehicles"
    )


@main.command()
@click.argument("source", required=False)
@osm_option
@click.option(
    "--online", is_flag=True, help="Treat SOURCE as a place name and download it (internet)."
)
@handle_errors
def network(source: str | None, osm: Path | None, online: bool) -> None:
    """Build (and cache) the road network of an OSM extract and print a summary."""
    from vervoer.pipeline import load_road_network

    src = source or (str(osm) if osm else None)
    if src is None:
        raise click.UsageError("give an OSM file (or --osm / $VERVOER_OSM)")
    t0 = time.perf_counter()
    net = load_road_network(src, online=online, say=_say)
    s = net.summary()
    click.echo(f"source:      {s['source']}")
    click.echo(f"source date: {s['source_date'] or 'unknown'}")
    click.echo(f"nodes:       {s['nodes']}")
    click.echo(f"edges:       {s['edges']}")
    click.echo(f"road km:     {s['road_km']}")
    click.echo(f"bbox:        {s['bbox']} (lat/lon min, max)")
    click.echo(f"area:        {s['bbox_area_km2']} km2 (bounding box)")
    click.echo(f"time:        {time.perf_counter() - t0:.1f} s")


@main.command()
@click.argument("scenario", type=click.Path(exists=True, path_type=Path))
@osm_option
@click.option(
    "--bag",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="BAG address export (CSV or .csv.zst).",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Report file (default: SCENARIO/geocoded.csv).",
)
@handle_errors
def geocode(scenario: Path, osm: Path | None, bag: Path | None, out: Path | None) -> None:
    """Resolve addresses offline and write the coordinates as a reviewable CSV."""
    from vervoer.geo.geocode import write_geocode_report
    from vervoer.io.scenario import read_scenario
    from vervoer.pipeline import geocode_scenario, resolve_osm

    sc = read_scenario(scenario)
    osm_path = resolve_osm(sc, osm) if (osm or sc.settings.osm or not bag) else None
    _, rows = geocode_scenario(sc, osm_path, bag=bag, say=_say)
    out = out or (scenario if scenario.is_dir() else scenario.parent) / "geocoded.csv"
    write_geocode_report(rows, out)
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.status] = counts.get(r.status, 0) + 1
    click.echo(", ".join(f"{k}: {v}" for k, v in sorted(counts.items())))
    for r in rows:
        if r.status in ("failed", "street", "fuzzy"):
            click.echo(
                f"  {r.table} {r.id}: {r.status} {r.address!r} -> {r.matched or '-'} {r.note}"
            )
    click.echo(f"written: {out}")


def _parse_rides(days: tuple[str, ...], rides: tuple[str, ...]) -> list[RideKey] | None:
    keys: list[RideKey] = []
    try:
        for text in rides:
            keys.append(RideKey.parse(text))
        for d in days:
            day = Weekday.parse(d)
            keys.extend(RideKey(weekday=day, direction=r) for r in Direction)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    return keys or None


def _ride_line(key: RideKey, ride: RidePlan) -> str:
    from vervoer.io.plan_json import ride_totals

    t = ride_totals(ride)
    return (
        f"{key!s:<10} vehicles {t['vehicles']:>2}  km {t['km']:>7.1f}  hours {t['hours']:>5.1f}"
        f"  EUR {t['cost']:>8.2f}  served {t['served']:>3}  unassigned {t['unassigned']:>2}"
    )


@main.command()
@click.argument("scenario", type=click.Path(exists=True, path_type=Path))
@osm_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("out"),
    show_default=True,
)
@click.option(
    "--mode", type=click.Choice([m.value for m in Mode]), default="shared", show_default=True
)
@click.option(
    "--day",
    "days",
    multiple=True,
    help="Plan only this weekday (repeatable): ma/di/.. or mon/tue/..",
)
@click.option(
    "--ride", "rides", multiple=True, help="Plan only this ride (repeatable), e.g. mon-heen."
)
@click.option(
    "--time-limit", type=TIME_LIMIT, default=None, help="Solver seconds per ride and pool."
)
@click.option(
    "--iterations", type=ITERATIONS, default=None, help="Deterministic search budget (solutions)."
)
@click.option(
    "--outputs/--no-outputs",
    default=True,
    show_default=True,
    help="Also write maps, route sheets and exports into OUT.",
)
@lns_rounds_option(PLAN_LNS_ROUNDS)
@click.option("--pdf/--no-pdf", default=True, show_default=True, help="PDF route sheets.")
@handle_errors
def plan(
    scenario: Path,
    osm: Path | None,
    out: Path,
    mode: str,
    days: tuple[str, ...],
    rides: tuple[str, ...],
    time_limit: float | None,
    iterations: int | None,
    outputs: bool,
    lns_rounds: int,
    pdf: bool,
) -> None:
    """Plan the week's rides; write OUT/plan.json, maps, route sheets and exports."""
    from vervoer import pipeline
    from vervoer.core.settings import SolveParams
    from vervoer.io.plan_json import check_plan, plan_totals, write_plan

    keys = _parse_rides(days, rides)
    prepared = pipeline.prepare(scenario, osm=osm, say=_say)
    s = prepared.scenario.settings
    params = SolveParams(
        time_limit_s=time_limit or s.time_limit_s,
        seed=s.seed,
        max_iterations=iterations if iterations is not None else SolveParams().max_iterations,
        lns_rounds=lns_rounds,
    )
    click.echo(f"Planning {prepared.scenario.name} in {mode} mode")
    result = pipeline.plan(
        prepared,
        mode=mode,
        rides=keys,
        params=params,
        progress=lambda k, r: click.echo(_ride_line(k, r)),
    )
    write_plan(result, out / "plan.json")
    week = plan_totals(result)["week"]
    click.echo(
        f"week: EUR {week['cost']:.2f}, {week['km']:.1f} km, {week['hours']:.1f} vehicle hours, "
        f"{week['served']} rides planned, {week['unassigned']} unassigned"
    )
    for ride in result.rides:
        for u in ride.unassigned:
            click.echo(f"  unassigned {ride.key} {u.participant}: {u.message}")
    check = check_plan(result, prepared.scenario, prepared.matrix, prepared.places)
    click.echo(f"check: {'OK' if check.ok else 'FAILED'}")
    click.echo(f"written: {out / 'plan.json'}")
    if outputs:
        from vervoer.outputs.render import write_outputs

        click.echo("writing maps, route sheets and exports")
        files = write_outputs(result, prepared, out, pdf=pdf)
        click.echo(f"written: {files['map']}, {files['sheets']}, {files['geojson']}")


@main.command()
@click.argument("scenario", type=click.Path(exists=True, path_type=Path))
@click.argument(
    "plan_file", metavar="PLAN", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@osm_option
@handle_errors
def check(scenario: Path, plan_file: Path, osm: Path | None) -> None:
    """Re-verify PLAN (a plan.json) against SCENARIO, independently of the solver."""
    from vervoer import pipeline
    from vervoer.io.plan_json import read_plan

    the_plan = read_plan(plan_file)
    prepared = pipeline.prepare(scenario, osm=osm, say=_say)
    result = pipeline.check(prepared, the_plan)
    click.echo(
        f"{result.requests} requested rides: {result.served} planned, "
        f"{result.unassigned} unassigned"
    )
    if result.ok:
        click.echo("check: OK")
        return
    for v in result.violations:
        click.echo(f"  violation: {v}")
    click.echo(f"check: FAILED ({len(result.violations)} violations)")
    sys.exit(1)


@main.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("demo-output"),
    show_default=True,
)
@osm_option
@click.option("--place", default=None, help="Download this place online instead (internet).")
@click.option("--participants", type=int, default=120, show_default=True)
@click.option(
    "--time-limit", type=TIME_LIMIT, default=None, help="Solver seconds per ride and pool."
)
@click.option("--days", type=int, default=5, show_default=True, help="Plan the first N weekdays.")
@lns_rounds_option(PLAN_LNS_ROUNDS)
@handle_errors
def demo(
    out: Path,
    osm: Path | None,
    place: str | None,
    participants: int,
    time_limit: float | None,
    days: int,
    lns_rounds: int,
) -> None:
    """Generate a realistic scenario on a real OSM extract, plan it own and shared, compare."""
    from vervoer.demo import run_demo

    run_demo(
        out,
        osm=osm,
        place=place,
        participants=participants,
        time_limit_s=time_limit,
        days=WORKDAYS[:days],
        lns_rounds=lns_rounds,
        echo=click.echo,
        say=_say,
    )


@main.command()
@click.argument("kind", type=click.Choice(["darp", "solomon"]))
@click.argument("instance", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--time-limit", type=TIME_LIMIT, default=10.0, show_default=True)
@click.option(
    "--iterations",
    type=ITERATIONS,
    default=0,
    show_default=True,
    help="Solution budget (0 = time limit only).",
)
@handle_errors
def bench(kind: str, instance: Path, time_limit: float, iterations: int) -> None:
    """Solve a published benchmark INSTANCE with the planner's OR-Tools model; print JSON."""
    import json

    from vervoer.core.settings import SolveParams
    from vervoer.routing.solver.instances import bench_darp, bench_solomon

    params = SolveParams(time_limit_s=time_limit, max_iterations=iterations)
    result = (bench_darp if kind == "darp" else bench_solomon)(instance, params)
    click.echo(json.dumps(result))


# commands defined in their own modules register themselves on `main`
from vervoer.cli import compare as cli_compare  # noqa: E402, F401

# ============================================================================ outputs
# `vervoer map`, `vervoer sheets`, `vervoer export`: maps, route sheets and exports from a
# plan.json (issue 4). The code is in vervoer.outputs.render and vervoer.outputs.exports.

_plan_argument = click.argument(
    "plan_file", metavar="PLAN", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
_scenario_option = click.option(
    "--scenario",
    "scenario",
    required=True,
    type=click.Path(exists=True, path_type=Path),
    help="The scenario the plan was made for (folder or workbook).",
)
_out_option = click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder (default: the folder of PLAN).",
)
_lang_option = click.option(
    "--lang",
    "language",
    type=click.Choice(["nl", "en"]),
    default=None,
    help="Language of the pages (default: `language` in settings.toml, else nl).",
)


def _prepare_outputs(plan_file: Path, scenario: Path, osm: Path | None) -> tuple[Any, Any, Any]:
    """Read the plan, prepare the scenario (geocoding, network) and compute road geometry."""
    from vervoer import pipeline
    from vervoer.io.plan_json import read_plan
    from vervoer.outputs.exports import route_geometry

    the_plan = read_plan(plan_file)
    prepared = pipeline.prepare(scenario, osm=osm, say=_say)
    sc = prepared.scenario
    if the_plan.scenario and the_plan.scenario != sc.name:
        _say(f"warning: the plan was made for scenario {the_plan.scenario!r}, not {sc.name!r}")
    vehicles = {v.id for v in sc.vehicles}
    people = {p.id for p in sc.participants}
    unknown_v = sorted({r.vehicle for ride in the_plan.rides for r in ride.routes} - vehicles)
    unknown_p = sorted(
        {
            pid
            for ride in the_plan.rides
            for r in ride.routes
            for s in r.stops
            for pid in (*s.boarding, *s.alighting)
        }
        - people
    )
    if unknown_v:
        _say(f"warning: vehicles not in the scenario: {', '.join(unknown_v)}")
    if unknown_p:
        _say(f"warning: participants not in the scenario: {', '.join(unknown_p)}")
    _say("road geometry of the routes")
    return the_plan, prepared, route_geometry(the_plan, prepared.network)


@main.command("map")
@_plan_argument
@_scenario_option
@osm_option
@_out_option
@click.option("--names", is_flag=True, help="Show participant names (default: ids only).")
@_lang_option
@click.option(
    "--no-tiles", is_flag=True, help="No background map: the page makes no internet requests."
)
@handle_errors
def map_command(
    plan_file: Path,
    scenario: Path,
    osm: Path | None,
    out: Path | None,
    names: bool,
    language: str | None,
    no_tiles: bool,
) -> None:
    """Write interactive maps of PLAN: OUT/map.html (all rides) and OUT/map-<day>.html."""
    from vervoer.outputs.render import OSM_TILES, write_maps

    the_plan, prepared, geometry = _prepare_outputs(plan_file, scenario, osm)
    out = out or plan_file.parent
    written = write_maps(
        the_plan,
        prepared.scenario,
        geometry,
        out,
        names=names,
        language=language or prepared.scenario.settings.language,
        tiles=None if no_tiles else OSM_TILES,
    )
    for path in written.values():
        click.echo(f"written: {path}")


@main.command("sheets")
@_plan_argument
@_scenario_option
@osm_option
@_out_option
@click.option(
    "--no-names", is_flag=True, help="Participant ids only (default: names for the driver)."
)
@_lang_option
@click.option("--no-pdf", is_flag=True, help="HTML only, no PDF.")
@handle_errors
def sheets_command(
    plan_file: Path,
    scenario: Path,
    osm: Path | None,
    out: Path | None,
    no_names: bool,
    language: str | None,
    no_pdf: bool,
) -> None:
    """Write a printable route sheet per vehicle per ride (HTML + PDF) into OUT/sheets."""
    from vervoer.outputs.render import write_sheets

    the_plan, prepared, geometry = _prepare_outputs(plan_file, scenario, osm)
    folder = (out or plan_file.parent) / "sheets"
    written = write_sheets(
        the_plan,
        prepared.scenario,
        folder,
        pdf=not no_pdf,
        language=language or prepared.scenario.settings.language,
        names=not no_names,
        geometry=geometry,
    )
    n = sum(1 for k in written if k.endswith(".html"))
    click.echo(f"{n} route sheets{'' if no_pdf else ' (HTML and PDF)'} in {folder}")
    click.echo(f"written: {written['index']}")


@main.command("export")
@_plan_argument
@_scenario_option
@osm_option
@_out_option
@click.option("--names", is_flag=True, help="Add participant names (default: ids only).")
@handle_errors
def export_command(
    plan_file: Path, scenario: Path, osm: Path | None, out: Path | None, names: bool
) -> None:
    """Write OUT/routes.geojson, OUT/stops.csv and OUT/gpx/*.gpx (one GPX per route)."""
    from vervoer.outputs.exports import write_exports

    the_plan, prepared, geometry = _prepare_outputs(plan_file, scenario, osm)
    written = write_exports(
        the_plan, prepared.scenario, geometry, out or plan_file.parent, names=names
    )
    for path in written.values():
        click.echo(f"written: {path}")


# ============================================================================ end of outputs
