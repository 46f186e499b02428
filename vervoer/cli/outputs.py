"""`vervoer map`, `vervoer sheets`, `vervoer export`: maps, sheets and exports of a plan."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from vervoer.cli.options import (
    handle_errors,
    lang_option,
    osm_option,
    out_option,
    plan_argument,
    say,
    scenario_option,
)


def _prepare_outputs(plan_file: Path, scenario: Path, osm: Path | None) -> tuple[Any, Any, Any]:
    """Read the plan, prepare the scenario (geocoding, network) and compute road geometry."""
    from vervoer import pipeline
    from vervoer.io.plan_json import read_plan
    from vervoer.outputs.exports import route_geometry

    the_plan = read_plan(plan_file)
    prepared = pipeline.prepare(scenario, osm=osm, say=say)
    sc = prepared.scenario
    if the_plan.scenario and the_plan.scenario != sc.name:
        say(f"warning: the plan was made for scenario {the_plan.scenario!r}, not {sc.name!r}")
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
        say(f"warning: vehicles not in the scenario: {', '.join(unknown_v)}")
    if unknown_p:
        say(f"warning: participants not in the scenario: {', '.join(unknown_p)}")
    say("road geometry of the routes")
    return the_plan, prepared, route_geometry(the_plan, prepared.network)


@click.command("map")
@plan_argument
@scenario_option
@osm_option
@out_option
@click.option("--names", is_flag=True, help="Show participant names (default: ids only).")
@lang_option
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
    from vervoer.outputs.maps import OSM_TILES
    from vervoer.outputs.write import write_maps

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


@click.command("sheets")
@plan_argument
@scenario_option
@osm_option
@out_option
@click.option(
    "--no-names", is_flag=True, help="Participant ids only (default: names for the driver)."
)
@lang_option
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
    from vervoer.core.progress import Progress
    from vervoer.outputs.exports import iter_routes
    from vervoer.outputs.write import write_sheets

    the_plan, prepared, geometry = _prepare_outputs(plan_file, scenario, osm)
    folder = (out or plan_file.parent) / "sheets"
    total = sum(1 for _ in iter_routes(the_plan))
    with Progress(f"Writing route sheets{'' if no_pdf else ' (HTML and PDF)'}", total) as bar:
        written = write_sheets(
            the_plan,
            prepared.scenario,
            folder,
            pdf=not no_pdf,
            language=language or prepared.scenario.settings.language,
            names=not no_names,
            geometry=geometry,
            progress=lambda done, _total: bar.update(done),
        )
    n = sum(1 for k in written if k.endswith(".html"))
    click.echo(f"{n} route sheets{'' if no_pdf else ' (HTML and PDF)'} in {folder}")
    click.echo(f"written: {written['index']}")


@click.command("export")
@plan_argument
@scenario_option
@osm_option
@out_option
@click.option("--names", is_flag=True, help="Add participant names (default: ids only).")
@handle_errors
def export_command(
    plan_file: Path, scenario: Path, osm: Path | None, out: Path | None, names: bool
) -> None:
    """Write OUT/routes.geojson, OUT/stops.csv, OUT/vehicle_days.csv and OUT/gpx/*.gpx."""
    from vervoer.outputs.exports import write_exports

    the_plan, prepared, geometry = _prepare_outputs(plan_file, scenario, osm)
    written = write_exports(
        the_plan, prepared.scenario, geometry, out or plan_file.parent, names=names
    )
    for path in written.values():
        click.echo(f"written: {path}")


# ============================================================================ end of outputs
