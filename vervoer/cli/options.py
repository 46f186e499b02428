"""Options and error handling shared by every `vervoer` command."""

from __future__ import annotations

import functools
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from vervoer.core.errors import VervoerError
from vervoer.core.model import RideKey, Weekday
from vervoer.io.scenario import Scenario

F = Callable[..., Any]
TIME_LIMIT = click.FloatRange(min=0, min_open=True)  # seconds, above 0
ITERATIONS = click.IntRange(min=0)


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


def budget_option(default: int = 30) -> Callable[[F], F]:
    """``--iterations N``: the deterministic search budget of the many-plan commands."""
    return click.option(
        "--iterations",
        type=ITERATIONS,
        default=default,
        show_default=True,
        help="Deterministic search budget per ride and pool.",
    )


def cluster_options(what: str) -> Callable[[F], F]:
    """``--scheduler ADDR`` and ``--dask-local``: where the many plans of ``what`` run."""

    def wrap(f: F) -> F:
        f = click.option(
            "--dask-local", is_flag=True, help=f"Run the {what} on a local Dask cluster."
        )(f)
        return click.option(
            "--scheduler",
            default=None,
            help="Dask scheduler address (tcp://host:8786); default: all local cores.",
        )(f)

    return wrap


def unassigned_cost_option() -> Callable[[F], F]:
    """``--unassigned-cost EUR``: what a ride a plan leaves out is counted at."""
    return click.option(
        "--unassigned-cost",
        type=click.FloatRange(min=0),
        default=75.0,
        show_default=True,
        help="Euros counted for a ride a plan leaves out (assumption: a separate taxi).",
    )


def say(msg: str) -> None:
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


osm_option = click.option(
    "--osm",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="VERVOER_OSM",
    help="OSM extract (.osm.pbf/.osm/.osm.bz2). Default: settings.toml `osm`, then $VERVOER_OSM.",
)


@dataclass(frozen=True, slots=True)
class RideChoice:
    """What ``--day`` and ``--ride`` ask for: whole days and single trips."""

    days: tuple[Weekday, ...]
    keys: tuple[RideKey, ...]

    def trips(self, scenario: Scenario) -> list[RideKey]:
        """The trips of the scenario chosen, in the week's order.

        Raises
        ------
        click.BadParameter
            When a ``--ride`` names a trip the scenario does not have on that day.
        """
        from vervoer.routing.requests import all_trips, trips_of_day

        for key in self.keys:
            day_trips = list(trips_of_day(scenario, key.weekday))
            if key not in day_trips:
                have = ", ".join(str(k) for k in day_trips) or "none (nobody rides that day)"
                msg = f"the scenario has no trip {key}; its trips on that day: {have}"
                raise click.BadParameter(msg, param_hint="--ride")
        chosen = set(self.keys) | set(all_trips(scenario, self.days))
        return [k for k in all_trips(scenario) if k in chosen]


def parse_rides(days: tuple[str, ...], rides: tuple[str, ...]) -> RideChoice | None:
    """The days of ``--day`` and the trips of ``--ride`` options (None: none given)."""
    try:
        keys = tuple(RideKey.parse(text) for text in rides)
        weekdays = tuple(Weekday.parse(d) for d in days)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    return RideChoice(weekdays, keys) if keys or weekdays else None


def parse_days(days: tuple[str, ...]) -> tuple[Weekday, ...] | None:
    """The days of ``--day`` options (None: none given, i.e. every day in the attendance)."""
    try:
        return tuple(Weekday.parse(d) for d in days) or None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--day") from None


plan_argument = click.argument(
    "plan_file", metavar="PLAN", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
scenario_option = click.option(
    "--scenario",
    "scenario",
    required=True,
    type=click.Path(exists=True, path_type=Path),
    help="The scenario the plan was made for (folder or workbook).",
)
out_option = click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder (default: the folder of PLAN).",
)
lang_option = click.option(
    "--lang",
    "language",
    type=click.Choice(["nl", "en"]),
    default=None,
    help="Language of the pages (default: `language` in settings.toml, else nl).",
)
