"""`vervoer plan`, `vervoer check`, `vervoer demo`, `vervoer bench`: planning."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from vervoer.cli.options import (
    ITERATIONS,
    TIME_LIMIT,
    cluster_options,
    handle_errors,
    lns_rounds_option,
    osm_option,
    parse_rides,
    say,
)
from vervoer.core.model import WORKDAYS, Mode, Plan, RideKey, RidePlan, Weekday
from vervoer.core.settings import PLAN_LNS_ROUNDS, REPLAN_LNS_ROUNDS

if TYPE_CHECKING:
    from vervoer.pipeline import Prepared


def _ride_line(key: RideKey, ride: RidePlan) -> str:
    from vervoer.io.plan_json import ride_totals

    t = ride_totals(ride)
    return (
        f"{key!s:<18} vehicles {t['vehicles']:>2}  km {t['km']:>7.1f}  hours {t['hours']:>5.1f}"
        f"  EUR {t['cost']:>8.2f}  served {t['served']:>3}  unassigned {t['unassigned']:>2}"
    )


def _write_outputs(plan: Plan, prepared: Prepared, out: Path, *, pdf: bool) -> dict[str, Path]:
    """Maps, route sheets and exports, with the route sheets' progress."""
    from vervoer.core.progress import Progress
    from vervoer.outputs.exports import iter_routes
    from vervoer.outputs.write import write_outputs

    what = "route sheets (HTML and PDF)" if pdf else "route sheets"
    click.echo(f"writing maps, {what} and exports")
    with Progress(f"Writing {what}", sum(1 for _ in iter_routes(plan))) as bar:
        return write_outputs(
            plan,
            prepared.scenario,
            prepared.network,
            out,
            pdf=pdf,
            progress=lambda done, _total: bar.update(done),
        )


@click.command()
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
    "--ride",
    "rides",
    multiple=True,
    help="Plan only this trip (repeatable), e.g. mon-heen, wo-middag, wo-terug-middag.",
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
@cluster_options("days")
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
    scheduler: str | None,
    dask_local: bool,
) -> None:
    """Plan the week's trips; write OUT/plan.json, maps, route sheets and exports.

    Without --day/--ride every trip of every day in the attendance is planned, Saturday
    and Sunday included; each vehicle drives its day's trips one after the other.
    """
    from vervoer import pipeline
    from vervoer.io.plan_json import plan_totals, write_plan

    choice = parse_rides(days, rides)
    prepared = pipeline.prepare(scenario, osm=osm, say=say)
    keys = choice.trips(prepared.scenario) if choice else None
    params = pipeline.search_params(
        prepared.scenario, time_limit_s=time_limit, iterations=iterations, lns_rounds=lns_rounds
    )
    from vervoer.core.progress import Progress
    from vervoer.routing.requests import all_trips

    on = (
        f" on the Dask scheduler {scheduler}"
        if scheduler
        else " on a local Dask cluster"
        if dask_local
        else ""
    )
    click.echo(f"Planning {prepared.scenario.name} in {mode} mode{on}")
    total = len(keys) if keys is not None else len(all_trips(prepared.scenario))
    with Progress("Planning trips", total) as bar:
        result = pipeline.plan(
            prepared,
            mode=mode,
            rides=keys,
            params=params,
            progress=lambda k, r: bar.advance(message=_ride_line(k, r)),
            scheduler_address=scheduler,
            dask=bool(scheduler or dask_local),
        )
    write_plan(result, out / "plan.json")
    week = plan_totals(result)["week"]
    label = "week"
    if result.meta.get("partial"):  # say what was planned: the days, or the trips
        whole = not rides
        label = "planned " + ", ".join(
            sorted({r.key.weekday.value for r in result.rides}, key=lambda d: Weekday(d).number)
            if whole
            else [str(r.key) for r in result.rides]
        )
    click.echo(
        f"{label}: EUR {week['cost']:,.2f}, {week['km']:,.1f} km, "
        f"{week['hours']:,.1f} vehicle hours, {week['vehicle_days']} vehicle days, "
        f"{week['served']:,} rides planned, {week['unassigned']:,} unassigned"
    )
    steady = plan_totals(result)["stability"]
    if steady["participants"]:
        click.echo(
            f"stable week: {steady['one_vehicle_share']:.0%} of {steady['participants']} "
            "participants ride one vehicle all week; pickup times vary by "
            f"{steady['pickup_spread_median_min']:.0f} min (median), "
            f"{steady['pickup_spread_max_min']:.0f} min at most"
        )
    for ride in result.rides:
        for u in ride.unassigned:
            click.echo(f"  unassigned {ride.key} {u.participant}: {u.message}")
    check = pipeline.check(prepared, result)
    click.echo(f"check: {'OK' if check.ok else 'FAILED'}")
    click.echo(f"written: {out / 'plan.json'}")
    if outputs:
        files = _write_outputs(result, prepared, out, pdf=pdf)
        click.echo(f"written: {files['map']}, {files['sheets']}, {files['geojson']}")
    if not check.ok:  # the plan is written for inspection, but the run failed
        for v in check.violations:
            click.echo(f"  violation: {v}")
        sys.exit(1)


@click.command()
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
    from vervoer.routing.changes import plan_scenario

    sc = plan_scenario(pipeline.read(scenario), the_plan)
    date = the_plan.meta.get("date")
    if date:  # a re-planned date: checked against that date's scenario
        click.echo(f"checking the plan of {date} with that date's changes")
    prepared = pipeline.prepare(sc, osm=osm, say=say)
    result = pipeline.check(prepared, the_plan)
    click.echo(
        f"{result.requests} requested rides in {result.trips} trips: {result.served} planned, "
        f"{result.unassigned} unassigned"
    )
    if result.trips < result.scenario_trips and not date:
        click.echo(
            f"note: the plan covers {result.trips} of the scenario's {result.scenario_trips} "
            "trips (it was made with --day/--ride)"
        )
    if result.ok:
        click.echo("check: OK")
        return
    for v in result.violations:
        click.echo(f"  violation: {v}")
    click.echo(f"check: FAILED ({len(result.violations)} violations)")
    sys.exit(1)


@click.command()
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
        say=say,
    )


@click.command()
@click.argument("kind", type=click.Choice(["darp", "solomon", "lilim"]))
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
    """Solve a published benchmark INSTANCE with the planner's OR-Tools model; print JSON.

    KIND is the file's format: a Cordeau DARP file, a Solomon VRPTW file or a Li & Lim
    PDPTW file (solved vehicles first, then distance).
    """
    import json

    from vervoer.core.settings import SolveParams
    from vervoer.routing.solver.instances import bench_darp, bench_lilim, bench_solomon

    params = SolveParams(time_limit_s=time_limit, max_iterations=iterations)
    run = {"darp": bench_darp, "solomon": bench_solomon, "lilim": bench_lilim}[kind]
    result = run(instance, params)
    click.echo(json.dumps(result))


@click.command()
@click.argument("scenario", type=click.Path(exists=True, path_type=Path))
@click.option("--date", "date", required=True, help="The date to plan: YYYY-MM-DD.")
@click.option(
    "--base",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="The base week's plan.json to stay close to (without it: plan from scratch).",
)
@click.option(
    "--changes",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A changes CSV to use instead of the scenario's changes table.",
)
@osm_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("replan"),
    show_default=True,
)
@click.option("--iterations", type=ITERATIONS, default=None, help="Search budget (solutions).")
@click.option("--time-limit", type=TIME_LIMIT, default=None, help="Solver seconds per trip.")
@lns_rounds_option(REPLAN_LNS_ROUNDS)
@click.option("--no-outputs", "outputs", is_flag=True, default=True, flag_value=False)
@click.option("--no-pdf", "pdf", is_flag=True, default=True, flag_value=False)
@handle_errors
def replan(
    scenario: Path,
    date: str,
    base: Path | None,
    changes: Path | None,
    osm: Path | None,
    out: Path,
    iterations: int | None,
    time_limit: float | None,
    lns_rounds: int,
    outputs: bool,
    pdf: bool,
) -> None:
    """Plan one DATE from the base week with that date's changes, changing as little as
    possible; write OUT/plan.json, OUT/wijzigingen.csv (the change list) and the outputs."""
    from vervoer import pipeline
    from vervoer.io.plan_json import read_plan, write_plan
    from vervoer.outputs.change_list import write_change_list

    base_plan = read_plan(base) if base is not None else None
    sc = pipeline.read(scenario)
    params = pipeline.search_params(
        sc, time_limit_s=time_limit, iterations=iterations, lns_rounds=lns_rounds
    )
    prepared, result = pipeline.replan(
        sc, date, base=base_plan, changes=changes, osm=osm, params=params, say=say
    )
    plan = result.plan
    click.echo(
        f"Re-planned {prepared.scenario.name} for {date} ({plan.rides[0].key.weekday.value})"
        if plan.rides
        else f"Nobody rides on {date}"
    )
    for ride in plan.rides:
        click.echo(_ride_line(ride.key, ride))
    if base_plan is not None:
        kept = "kept close to the base week" if result.anchored else "planned from scratch"
        click.echo(
            f"{kept}: EUR {result.anchored_cost:.2f} close to the base, "
            f"EUR {result.scratch_cost:.2f} from scratch"
        )
        click.echo(f"change list: {len(result.moves)} rides to phone through")
        for m in result.moves:
            click.echo(
                f"  {m.trip:<14} {m.participant:<8} {m.what:<10} "
                f"{m.old_vehicle or '-'} {m.old_time or ''} -> {m.new_vehicle or '-'} "
                f"{m.new_time or ''}  {m.reason}"
            )
    write_plan(plan, out / "plan.json")
    language = prepared.scenario.settings.language
    name = "wijzigingen.csv" if language == "nl" else "changes_list.csv"
    write_change_list(result.moves, prepared.scenario, out / name, language)
    check = pipeline.check(prepared, plan)
    click.echo(f"check: {'OK' if check.ok else 'FAILED'}")
    click.echo(f"written: {out / 'plan.json'}, {out / name}")
    if outputs:
        files = _write_outputs(plan, prepared, out, pdf=pdf)
        click.echo(f"written: {files['map']}, {files['sheets']}")
    if not check.ok:
        for v in check.violations:
            click.echo(f"  violation: {v}")
        sys.exit(1)
