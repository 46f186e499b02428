"""`vervoer study`: which locations to merge or close, ranked by what transport then costs."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from vervoer.cli.options import (
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
from vervoer.core.settings import COMPARE_LNS_ROUNDS

if TYPE_CHECKING:
    from vervoer.sharing.evaluate import ExecutorName
    from vervoer.sharing.study import Study


def _print_study(study: Study, top: int) -> None:
    cur = study.current
    click.echo(
        f"Current situation: EUR {cur.priced:,.2f}, {cur.km:,.1f} km, {cur.hours:,.2f} vehicle "
        f"hours, {cur.vehicles_max} buses (max/day), {cur.unassigned} unassigned"
    )
    if study.ranked:
        click.echo(
            f"{'#':>3}  {'candidate':<24}{'moved':>6}{'saving':>11}{'d km':>9}{'d hours':>9}"
            f"{'d buses':>8}{'max ride':>9}{'>max':>5}{'>norm':>6}"
        )
    for i, r in enumerate(study.ranked[:top], 1):
        f = r.figures
        assert f is not None
        click.echo(
            f"{i:>3}  {r.candidate.label:<24}{len(r.moves):>6}{r.saving:>11,.2f}"
            f"{f.km - cur.km:>9,.1f}{f.hours - cur.hours:>9,.2f}"
            f"{f.vehicles_max - cur.vehicles_max:>8d}{f.max_ride_min:>9.1f}"
            f"{len(r.over_max):>5}{len(r.over_norm):>6}"
        )
    if len(study.ranked) > top:
        click.echo(f"     ... {len(study.ranked) - top} more in the report")
    for w in study.over_capacity_now:
        click.echo(
            f"note: {w.location} already has {w.count} participants on {w.weekday} {w.part}, "
            f"above its capacity of {w.capacity}"
        )
    for r in study.infeasible:
        assert r.why is not None
        click.echo(f"infeasible: {r.candidate.label}: {r.why.text()}")
    for r in study.failed:
        assert r.why is not None
        click.echo(f"FAILED: {r.candidate.label}: {r.why.text()}")


@click.command("study")
@click.argument("scenario", type=click.Path(exists=True, path_type=Path))
@osm_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("study"),
    show_default=True,
    help="Folder of the report (study.html, study.pdf, study.csv, study.json, maps/).",
)
@click.option(
    "--candidates",
    "candidates_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="CSV with the candidates (columns close, into, note); default: every merge of "
    "two locations of the same kind within --max-km and every closure.",
)
@click.option(
    "--max-km",
    type=click.FloatRange(min=0),
    default=None,
    help="Default merges: locations at most this far apart by road (km). [default: 10]",
)
@click.option(
    "--day",
    "days",
    multiple=True,
    help="Only these weekdays (repeatable); default every day in the attendance.",
)
@click.option("--mode", type=click.Choice(["own", "shared"]), default="shared", show_default=True)
@click.option(
    "--norm",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Report rides longer than this (minutes). Default: setting ride_norm_min (60).",
)
@click.option("--time-limit", type=TIME_LIMIT, default=None, help="Solver seconds per ride.")
@budget_option()
@cluster_options("candidates")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Local worker processes (default: every core; 1 plans in this process).",
)
@click.option(
    "--retries",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Times a failed candidate is tried again before it is reported as failed.",
)
@unassigned_cost_option()
@click.option(
    "--lang",
    type=click.Choice(["nl", "en"]),
    default=None,
    help="Language of the report (default: `language` in settings.toml, else nl).",
)
@click.option("--pdf/--no-pdf", default=True, show_default=True, help="Also write study.pdf.")
@click.option(
    "--top",
    type=click.IntRange(min=0),
    default=10,
    show_default=True,
    help="Ranked candidates printed (the report has all).",
)
@lns_rounds_option(COMPARE_LNS_ROUNDS)
@handle_errors
def study(
    scenario: Path,
    osm: Path | None,
    out: Path,
    candidates_file: Path | None,
    max_km: float | None,
    days: tuple[str, ...],
    mode: str,
    norm: float | None,
    time_limit: float | None,
    iterations: int,
    scheduler: str | None,
    dask_local: bool,
    workers: int | None,
    retries: int,
    unassigned_cost: float,
    lang: str | None,
    pdf: bool,
    top: int,
    lns_rounds: int,
) -> None:
    """Which locations to merge or close: every candidate planned, ranked by saving.

    A merge A → B sends everyone of A to B; a closure sends each participant to the nearest
    location of the same kind with room (own organisation first, then a partner). Each
    candidate's week is planned on the local cores or on Dask, like `vervoer compare`.
    """
    from vervoer import pipeline
    from vervoer.core.model import Mode
    from vervoer.io.candidates import read_candidates
    from vervoer.outputs.study_report import write_study
    from vervoer.sharing import study as st

    weekdays = parse_days(days)
    if candidates_file is not None and max_km is not None:
        raise click.UsageError("--max-km is for the default candidates; not with --candidates")
    prepared = pipeline.prepare(scenario, osm=osm, say=say)
    sc = prepared.scenario
    if candidates_file is not None:
        candidates = st.candidates_from_rows(read_candidates(candidates_file, sc))
    else:
        candidates = st.default_candidates(
            sc, prepared.matrix, prepared.places, max_km=max_km or st.DEFAULT_MAX_KM
        )
    executor: ExecutorName = (
        "dask" if (scheduler or dask_local) else "serial" if workers == 1 else "process"
    )
    if executor == "dask":
        try:
            import distributed  # noqa: F401
        except ImportError:
            msg = "--scheduler and --dask-local need the `distributed` package"
            raise click.UsageError(msg) from None
    click.echo(
        f"Studying {len(candidates)} candidates of {len(sc.locations)} locations "
        f"({executor}{', ' + str(workers) + ' workers' if workers else ''})"
    )
    params = pipeline.search_params(
        sc, time_limit_s=time_limit, iterations=iterations, lns_rounds=lns_rounds
    )
    from vervoer.core.progress import Progress

    with Progress("Planning the candidates", len(candidates) + 1) as bar:

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done)

        result = st.run_study(
            sc,
            prepared.matrix,
            prepared.places,
            candidates=candidates,
            max_km=max_km or st.DEFAULT_MAX_KM,
            days=weekdays,
            mode=Mode(mode),
            params=params,
            norm_min=norm,
            unassigned_ride_cost=unassigned_cost,
            executor=executor,
            scheduler=scheduler,
            max_workers=workers,
            retries=retries,
            progress=progress,
        )
    _print_study(result, top)
    files = write_study(result, sc, out, language=lang or sc.settings.language, pdf=pdf)
    names = [files[k].name for k in ("report", "pdf", "csv", "json", "moves") if k in files]
    click.echo(f"written in {out}: {', '.join(names)} and a map per candidate in maps/")
