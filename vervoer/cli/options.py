"""Options and error handling shared by every `vervoer` command."""

from __future__ import annotations

import functools
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from vervoer.core.errors import VervoerError
from vervoer.core.model import Direction, RideKey, Weekday

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


def parse_rides(days: tuple[str, ...], rides: tuple[str, ...]) -> list[RideKey] | None:
    """The rides of ``--day`` and ``--ride`` options (None: none given)."""
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
