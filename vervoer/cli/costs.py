"""`vervoer costs`: who pays, the cost of a plan per participant, payer, organisation, region."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

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

if TYPE_CHECKING:
    from vervoer.sharing.settlement import Grouping, PassengerCost

#: language -> (file of the cost per participant, of the cost per payer, of all totals)
FILES: dict[str, tuple[str, str, str]] = {
    "nl": ("kosten_per_deelnemer.csv", "kosten_per_financier.csv", "kosten_totalen.csv"),
    "en": ("costs_per_participant.csv", "costs_per_payer.csv", "cost_totals.csv"),
}
#: language -> the header of the cost per participant
PARTICIPANT_HEADER: dict[str, tuple[str, ...]] = {
    "nl": ("rit", "voertuig", "deelnemer", "organisatie", "financier", "regio", "kosten"),
    "en": ("trip", "vehicle", "participant", "organisation", "payer", "region", "cost"),
}
#: language -> the header of the cost per payer
PAYER_HEADER: dict[str, tuple[str, ...]] = {
    "nl": ("financier", "ritten", "kosten"),
    "en": ("payer", "rides", "cost"),
}
#: language -> the header of the totals
TOTALS_HEADER: dict[str, tuple[str, ...]] = {
    "nl": ("indeling", "naam", "ritten", "kosten"),
    "en": ("grouping", "name", "rides", "cost"),
}
#: language -> grouping -> its name in words
GROUPING_WORDS: dict[str, dict[str, str]] = {
    "nl": {
        "payer": "financier",
        "organisation": "organisatie",
        "region": "regio",
        "vehicle_owner": "voertuigeigenaar",
    },
    "en": {
        "payer": "payer",
        "organisation": "organisation",
        "region": "region",
        "vehicle_owner": "vehicle owner",
    },
}
#: language -> the name written for an empty key (no region given, unknown participant)
NONE_WORD = {"nl": "(geen)", "en": "(none)"}


def _table(rows: list[PassengerCost], by: Grouping) -> list[tuple[str, int, float]]:
    """(name, rides, euros) per key of one grouping, sorted by name."""
    from vervoer.sharing.settlement import cost_totals, ride_counts

    totals, counts = cost_totals(rows, by), ride_counts(rows, by)
    return [(name, counts[name], euros) for name, euros in totals.items()]


def write_cost_files(rows: list[PassengerCost], out: Path, language: str = "nl") -> dict[str, Path]:
    """Write the cost per participant, per payer and all totals as CSV files in ``out``.

    Parameters
    ----------
    rows
        The rows of :func:`~vervoer.sharing.settlement.passenger_costs`.
    out
        The output folder (created when needed).
    language
        ``nl`` (Dutch file names and headers) or ``en``.

    Returns
    -------
    dict of str to Path
        ``participants``, ``payers`` and ``totals`` -> the file written.
    """
    from vervoer.core.files import write_csv
    from vervoer.sharing.settlement import GROUPINGS

    lang = "en" if language == "en" else "nl"
    none = NONE_WORD[lang]
    per_participant, per_payer, all_totals = (out / name for name in FILES[lang])
    write_csv(
        per_participant,
        PARTICIPANT_HEADER[lang],
        (
            (r.trip, r.vehicle, r.participant, r.organisation, r.payer, r.region, f"{r.cost:.2f}")
            for r in rows
        ),
    )
    write_csv(
        per_payer,
        PAYER_HEADER[lang],
        ((name or none, n, f"{euros:.2f}") for name, n, euros in _table(rows, "payer")),
    )
    write_csv(
        all_totals,
        TOTALS_HEADER[lang],
        (
            (GROUPING_WORDS[lang][by], name or none, n, f"{euros:.2f}")
            for by in GROUPINGS
            for name, n, euros in _table(rows, by)
        ),
    )
    return {"participants": per_participant, "payers": per_payer, "totals": all_totals}


def _cents(totals: Mapping[str, float]) -> int:
    """The sum of a grouping's totals in whole cents."""
    return sum(round(euros * 100) for euros in totals.values())


def _print_tables(rows: list[PassengerCost]) -> None:
    for by in ("payer", "organisation", "region"):
        table = _table(rows, by)
        click.echo("")
        click.echo(f"{GROUPING_WORDS['en'][by]:<24}{'rides':>8}{'cost (EUR)':>14}")
        for name, n, euros in table:
            click.echo(f"{(name or NONE_WORD['en']):<24}{n:>8}{euros:>14,.2f}")


@click.command("costs")
@plan_argument
@scenario_option
@osm_option
@out_option
@lang_option
@handle_errors
def costs_command(
    plan_file: Path, scenario: Path, osm: Path | None, out: Path | None, language: str | None
) -> None:
    """Split the cost of PLAN over its passengers; totals per payer, organisation and region.

    Each route's cost is divided over the passengers who board in it in proportion to
    their stand-alone direct ride, in whole cents (largest remainder). Writes
    OUT/kosten_per_deelnemer.csv, OUT/kosten_per_financier.csv and OUT/kosten_totalen.csv
    (English: costs_per_participant.csv, costs_per_payer.csv, cost_totals.csv).
    """
    from vervoer import pipeline
    from vervoer.core.errors import InputError
    from vervoer.io.plan_json import read_plan
    from vervoer.routing.changes import plan_scenario
    from vervoer.sharing.settlement import (
        GROUPINGS,
        cost_totals,
        passenger_costs,
        plan_cost,
        to_cents,
    )

    the_plan = read_plan(plan_file)
    sc = plan_scenario(pipeline.read(scenario), the_plan)
    if the_plan.scenario and the_plan.scenario != sc.name:
        say(f"warning: the plan was made for scenario {the_plan.scenario!r}, not {sc.name!r}")
    people = {p.id for p in sc.participants}
    unknown = sorted(
        {
            pid
            for ride in the_plan.rides
            for route in ride.routes
            for stop in route.stops
            for pid in stop.boarding
        }
        - people
    )
    if unknown:
        shown = ", ".join(unknown[:10]) + (", ..." if len(unknown) > 10 else "")
        msg = (
            f"the plan carries participants the scenario does not have ({shown}); "
            "is --scenario the scenario the plan was made for?"
        )
        raise InputError(msg, file=plan_file.name)
    date = the_plan.meta.get("date")
    if date:
        click.echo(f"costs of the plan of {date}, with that date's changes")
    prepared = pipeline.prepare(sc, osm=osm, say=say)
    rows = passenger_costs(the_plan, prepared.scenario, prepared.matrix, prepared.places)
    total = plan_cost(the_plan)
    rides = sum(1 for r in rows if r.participant)
    click.echo(
        f"{rides} passenger rides in {len(the_plan.rides)} trips, route cost EUR {total:,.2f}"
    )
    _print_tables(rows)
    files = write_cost_files(
        rows, out or plan_file.parent, language or prepared.scenario.settings.language
    )
    click.echo("")
    wrong = [by for by in GROUPINGS if _cents(cost_totals(rows, by)) != to_cents(total)]
    if wrong:  # cannot happen by construction; say so rather than print a wrong claim
        click.echo(f"error: the totals per {', '.join(wrong)} do not add up to the route cost")
        sys.exit(1)
    click.echo(
        "The totals per payer, organisation and region each equal the plan's route cost: "
        f"EUR {total:,.2f}."
    )
    for path in files.values():
        click.echo(f"written: {path}")
