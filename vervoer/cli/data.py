"""`vervoer validate`, `vervoer network`, `vervoer geocode`: the inputs."""

from __future__ import annotations

import time
from pathlib import Path

import click

from vervoer.cli.options import (
    handle_errors,
    osm_option,
    say,
)


@click.command()
@click.argument("scenario", type=click.Path(exists=True, path_type=Path))
@handle_errors
def validate(scenario: Path) -> None:
    """Check a scenario folder or workbook and report every problem at once."""
    from vervoer.pipeline import read

    sc = read(scenario)
    click.echo(
        f"{scenario}: OK - {len(sc.organisations)} organisations, {len(sc.locations)} "
        f"locations, {len(sc.participants)} participants, {len(sc.attendance)} attendance "
        f"rows, {len(sc.vehicles)} vehicles, {len(sc.rules)} rules"
    )


@click.command()
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
    net = load_road_network(src, online=online, say=say)
    s = net.summary()
    click.echo(f"source:      {s['source']}")
    click.echo(f"source date: {s['source_date'] or 'unknown'}")
    click.echo(f"nodes:       {s['nodes']}")
    click.echo(f"edges:       {s['edges']}")
    click.echo(f"road km:     {s['road_km']}")
    click.echo(f"bbox:        {s['bbox']} (lat/lon min, max)")
    click.echo(f"area:        {s['bbox_area_km2']} km2 (bounding box)")
    click.echo(f"time:        {time.perf_counter() - t0:.1f} s")


@click.command()
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
    _, rows = geocode_scenario(sc, osm_path, bag=bag, say=say)
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
