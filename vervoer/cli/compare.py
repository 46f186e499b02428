"""`vervoer compare` and `vervoer whatif`: own versus shared, fair shares, what-ifs."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from vervoer.cli.options import (
    ITERATIONS,
    TIME_LIMIT,
    budget_option,
    cluster_options,
    handle_errors,
    lns_rounds_option,
    osm_option,
    parse_days,
    say,
    unassigned_cost_option,
)
from vervoer.core.errors import InputError
from vervoer.core.settings import COMPARE_LNS_ROUNDS

if TYPE_CHECKING:
    from vervoer.core.settings import SolveParams
    from vervoer.io.scenario import Scenario
    from vervoer.pipeline import Prepared
    from vervoer.sharing.compare import Comparison
    from vervoer.sharing.evaluate import ExecutorName


def _params(
    prepared: Prepared, time_limit: float | None, iterations: int, lns_rounds: int
) -> SolveParams:
    from vervoer import pipeline

    return pipeline.search_params(
        prepared.scenario, time_limit_s=time_limit, iterations=iterations, lns_rounds=lns_rounds
    )


#: (label with unit, OrgMetrics attribute, digits) of the terminal table
TERMINAL_METRICS: tuple[tuple[str, str, int], ...] = (
    ("cost (EUR)", "cost", 2),
    ("distance (km)", "km", 1),
    ("vehicle hours (h)", "hours", 1),
    ("vehicles per day, mean", "vehicles_per_day", 1),
    ("vehicles per day, max", "max_vehicles", 0),
    ("rides planned", "rides", 0),
    ("rides unassigned", "unassigned", 0),
    ("mean ride time (min)", "mean_ride_min", 1),
    ("max ride time (min)", "max_ride_min", 1),
    ("CO2 (kg)", "co2_kg", 1),
)


def _num(x: float, digits: int) -> str:
    return f"{x:,.{digits}f}"


def _diff(x: float, digits: int) -> str:
    return _num(0, digits) if round(x, digits) == 0 else f"{x:+,.{digits}f}"


def _print_comparison(cmp: Comparison, scenario: Scenario) -> None:
    from vervoer.outputs.report import headline_rows, period_text, pools_text, rule_name

    click.echo(period_text(cmp, "en"))
    click.echo(pools_text(cmp, scenario, "en"))
    click.echo("")
    t_own, t_sh = cmp.own_metrics["total"], cmp.shared_metrics["total"]
    click.echo(f"{'all organisations':<26}{'own':>12}{'shared':>12}{'difference':>12}")
    for label, attr, digits in TERMINAL_METRICS:
        a, b = float(getattr(t_own, attr)), float(getattr(t_sh, attr))
        click.echo(
            f"{label:<26}{_num(a, digits):>12}{_num(b, digits):>12}{_diff(b - a, digits):>12}"
        )
    if cmp.allocations:
        click.echo("")
        click.echo(f"fair share: {rule_name(cmp.rule, 'en')} (setting `allocation`)")
        click.echo(
            f"{'organisation':<18}{'own (EUR)':>13}{'fair share (EUR)':>18}"
            f"{'saving (EUR)':>14}{'saving (%)':>12}"
        )
        for r in headline_rows(cmp, scenario):
            click.echo(
                f"{r.organisation:<18}{_num(r.own, 2):>13}{_num(r.fair_share, 2):>18}"
                f"{_num(r.saving, 2):>14}{_num(r.saving_pct, 1):>12}"
            )
        if cmp.settlement is not None:
            click.echo("")
            if cmp.settlement.transfers:
                click.echo("settlement (after it, each organisation has paid its fair share):")
                for x in cmp.settlement.transfers:
                    click.echo(f"  {x.payer} pays {x.payee} EUR {_num(x.amount, 2)}")
            else:
                click.echo("settlement: nothing to transfer")
        click.echo("")
        names = list(cmp.allocations)
        click.echo("every division (EUR):")
        click.echo(
            f"{'organisation':<18}{'own v(i)':>12}"
            + "".join(f"{rule_name(n, 'en'):>20}" for n in names)
        )
        for o in scenario.organisations:
            alone = cmp.costs.get(frozenset({o.id}), 0.0)
            row = "".join(f"{_num(cmp.allocations[n].get(o.id, 0.0), 2):>20}" for n in names)
            click.echo(f"{o.id:<18}{_num(alone, 2):>12}{row}")
        core = "; ".join(
            f"{rule_name(n, 'en')}: {'in the core' if c.in_core else 'NOT in the core'}"
            for n, c in cmp.core.items()
        )
        if core:
            click.echo(f"core check: {core}")
        if cmp.core_empty:
            click.echo("warning: the core of this cost game is empty")
    for note in cmp.notes:
        click.echo(note)


@click.command()
@click.argument("scenario", type=click.Path(exists=True, path_type=Path))
@osm_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("compare"),
    show_default=True,
)
@click.option(
    "--day",
    "days",
    multiple=True,
    help="Only these weekdays (repeatable); whole days, as a vehicle day is the unit.",
)
@click.option(
    "--time-limit", type=TIME_LIMIT, default=None, help="Solver seconds per ride and pool."
)
@budget_option()
@cluster_options("coalitions")
@unassigned_cost_option()
@click.option("--lang", type=click.Choice(["nl", "en"]), default=None)
@lns_rounds_option(COMPARE_LNS_ROUNDS)
@handle_errors
def compare(
    scenario: Path,
    osm: Path | None,
    out: Path,
    days: tuple[str, ...],
    time_limit: float | None,
    iterations: int,
    scheduler: str | None,
    dask_local: bool,
    unassigned_cost: float,
    lang: str | None,
    lns_rounds: int,
) -> None:
    """Compare own and shared transport, divide the shared cost fairly and settle it.

    The shared plan is the pooled plan of the settings (``[pools]``, one pool per
    deelregio, or one pool); the cost game is played within each pool. The fair share
    follows the ``allocation`` setting (Shapley value by default). Writes OUT/report.html,
    OUT/report.pdf (A4), OUT/report.json and CSV tables.
    """
    from vervoer import pipeline
    from vervoer.core.model import Mode
    from vervoer.outputs.report import write_report
    from vervoer.routing.planner import pools_for
    from vervoer.routing.requests import all_trips
    from vervoer.sharing.compare import compare as run_compare

    weekdays = parse_days(days)
    prepared = pipeline.prepare(scenario, osm=osm, say=say)
    keys = all_trips(prepared.scenario, weekdays)
    n = len(prepared.scenario.organisations)
    pools = pools_for(prepared.scenario, Mode.SHARED)
    coalitions = sum(2 ** len(p.organisations) - 1 for p in pools)
    executor: ExecutorName = "dask" if (scheduler or dask_local) else "process"
    click.echo(
        f"Comparing {n} organisations in {len(pools)} pool(s) over {len(keys)} trips "
        f"({coalitions} coalitions within the pools, {executor})"
    )
    from vervoer.core.progress import Progress

    with Progress("Evaluating coalitions", coalitions) as bar:
        cmp = run_compare(
            prepared.scenario,
            prepared.matrix,
            prepared.places,
            days=weekdays,
            params=_params(prepared, time_limit, iterations, lns_rounds),
            executor=executor,
            scheduler=scheduler,
            unassigned_ride_cost=unassigned_cost,
            progress=lambda done, total: bar.update(done),
        )
    _print_comparison(cmp, prepared.scenario)
    files = write_report(
        cmp, prepared.scenario, out, language=lang or prepared.scenario.settings.language
    )
    click.echo(
        f"written: {files['report']}, {files['pdf'].name}, {files['json'].name} "
        f"and CSV tables in {out}"
    )


@click.command()
@click.argument("scenario", type=click.Path(exists=True, path_type=Path))
@osm_option
@click.option(
    "--merge",
    "merge",
    default=None,
    metavar="LOC_A:LOC_B",
    help="Close location LOC_A; its participants go to LOC_B.",
)
@click.option("--remove-vehicle", default=None, metavar="ID", help="Take a vehicle out.")
@click.option(
    "--add-vehicle",
    default=None,
    metavar="LIKE_ID",
    help="Add a copy of this vehicle at the same depot.",
)
@click.option(
    "--arrival-window",
    type=float,
    default=None,
    metavar="MIN",
    help="Another arrival window (minutes before the start time).",
)
@click.option("--mode", type=click.Choice(["own", "shared"]), default="shared", show_default=True)
@click.option("--day", "days", multiple=True, help="Only these weekdays (repeatable).")
@click.option("--time-limit", type=TIME_LIMIT, default=None)
@click.option("--iterations", type=ITERATIONS, default=30, show_default=True)
@lns_rounds_option(COMPARE_LNS_ROUNDS)
@handle_errors
def whatif(
    scenario: Path,
    osm: Path | None,
    merge: str | None,
    remove_vehicle: str | None,
    add_vehicle: str | None,
    arrival_window: float | None,
    mode: str,
    days: tuple[str, ...],
    time_limit: float | None,
    iterations: int,
    lns_rounds: int,
) -> None:
    """Plan before and after a change (merge a location, a vehicle more or less, window)."""
    from vervoer import pipeline
    from vervoer.core.model import Mode
    from vervoer.routing.planner import plan_week
    from vervoer.sharing import whatif as wi
    from vervoer.sharing.compare import plan_metrics

    weekdays = parse_days(days)
    prepared = pipeline.prepare(scenario, osm=osm, say=say)
    sc, places = prepared.scenario, dict(prepared.places)
    changes = []
    try:
        if merge:
            a, sep, b = merge.partition(":")
            if not sep:
                raise InputError("expected --merge LOC_A:LOC_B", field="merge")
            sc = wi.merge_locations(sc, a.strip(), b.strip())
            changes.append(f"location {a} merged into {b}")
        if remove_vehicle:
            sc = wi.remove_vehicle(sc, remove_vehicle)
            changes.append(f"vehicle {remove_vehicle} removed")
        if add_vehicle:
            new_id = f"{add_vehicle}-extra"
            sc = wi.add_vehicle(sc, add_vehicle, new_id)
            places = wi.places_for_vehicle_copy(places, add_vehicle, new_id)
            changes.append(f"vehicle {new_id} added")
        if arrival_window is not None:
            sc = wi.with_arrival_window(sc, arrival_window)
            changes.append(f"arrival window {arrival_window:g} min")
    except ValueError as exc:
        raise InputError(str(exc), field="what-if") from None
    if not changes:
        raise click.UsageError("give at least one change (--merge, --remove-vehicle, ...)")
    params = _params(prepared, time_limit, iterations, lns_rounds)
    before = plan_week(
        prepared.scenario,
        prepared.matrix,
        prepared.places,
        mode=Mode(mode),
        days=weekdays,
        params=params,
    )
    after = plan_week(sc, prepared.matrix, places, mode=Mode(mode), days=weekdays, params=params)
    m0 = plan_metrics(before, prepared.scenario)["total"]
    m1 = plan_metrics(after, sc)["total"]
    click.echo("What-if: " + "; ".join(changes))
    click.echo(f"{'':<26}{'before':>12}{'after':>12}{'difference':>12}")
    for label, attr, digits in TERMINAL_METRICS:
        was, now = float(getattr(m0, attr)), float(getattr(m1, attr))
        click.echo(
            f"{label:<26}{_num(was, digits):>12}{_num(now, digits):>12}"
            f"{_diff(now - was, digits):>12}"
        )
