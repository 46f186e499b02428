"""`vervoer serve` (the coordinators' web app) and `vervoer users` (who may sign in)."""

from __future__ import annotations

import ipaddress
import secrets
from pathlib import Path

import click

from vervoer.cli.options import handle_errors, osm_option
from vervoer.core.errors import InputError

scenario_argument = click.argument(
    "scenario", type=click.Path(exists=True, file_okay=False, path_type=Path)
)
work_option = click.option(
    "--work",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The app's folder (database, jobs, previous versions); default SCENARIO/.vervoer-web.",
)


def _store(scenario: Path, work: Path | None):  # type: ignore[no-untyped-def]
    from vervoer.web.store import Store

    return Store((work or scenario / ".vervoer-web") / "web.sqlite3")


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@click.command()
@scenario_argument
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8765, show_default=True)
@osm_option
@work_option
@click.option("--lang", type=click.Choice(["nl", "en"]), default=None, help="Page language.")
@click.option(
    "--insecure-cookies",
    is_flag=True,
    help="Send cookies over plain http on a non-loopback address (behind a TLS proxy only).",
)
@handle_errors
def serve(
    scenario: Path,
    host: str,
    port: int,
    osm: Path | None,
    work: Path | None,
    lang: str | None,
    insecure_cookies: bool,
) -> None:
    """Serve the web app for the scenario folder SCENARIO (loopback by default).

    Sign-in is always required. Without any user yet, a `planner` user with a random
    password is created and the password printed once; add users with `vervoer users add`.
    """
    import uvicorn

    from vervoer.web.app import create_app

    store = _store(scenario, work)
    if not store.users():
        password = secrets.token_urlsafe(12)
        store.add_user("planner", password, "planner")
        click.echo(f"created user 'planner' with password {password} (shown once)")
    if not _loopback(host):
        click.echo(
            f"note: listening on {host}, not only on this computer: put it behind https "
            "(cookies are Secure; browsers send them over https only)"
        )
    app = create_app(
        scenario,
        work=work,
        osm=osm,
        language=lang,
        secure_cookies=not insecure_cookies,
    )
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"vervoer web app for {scenario.resolve().name}: http://{shown}:{port}/")
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)


@click.group()
def users() -> None:
    """Manage who may sign in to `vervoer serve` (roles: planner, organisation:ID,
    driver:VEHICLE)."""


@users.command("add")
@scenario_argument
@click.argument("name")
@click.option("--role", required=True, help="planner, organisation:<id> or driver:<vehicle id>.")
@click.password_option(help="The password (asked when not given; at least 10 characters).")
@work_option
@handle_errors
def users_add(scenario: Path, name: str, role: str, password: str, work: Path | None) -> None:
    """Add user NAME (or set their password and role)."""
    from vervoer.pipeline import read
    from vervoer.web.auth import parse_role

    parsed = parse_role(role)
    if parsed.kind in ("organisation", "driver"):
        sc = read(scenario)
        known = (
            {o.id for o in sc.organisations}
            if parsed.kind == "organisation"
            else {v.id for v in sc.vehicles}
        )
        if parsed.id not in known:
            raise InputError(
                f"{parsed.kind} {parsed.id!r} is not in the scenario; expected one of "
                + ", ".join(sorted(known)),
                field="role",
            )
    _store(scenario, work).add_user(name, password, str(parsed))
    click.echo(f"user {name!r}: {parsed}")


@users.command("list")
@scenario_argument
@work_option
@handle_errors
def users_list(scenario: Path, work: Path | None) -> None:
    """List the users and their roles."""
    for u in _store(scenario, work).users():
        click.echo(f"{u.name:<20} {u.role}")


@users.command("remove")
@scenario_argument
@click.argument("name")
@work_option
@handle_errors
def users_remove(scenario: Path, name: str, work: Path | None) -> None:
    """Remove user NAME and end their sessions."""
    if not _store(scenario, work).remove_user(name):
        raise InputError(f"there is no user {name!r}", field="name")
    click.echo(f"removed {name!r}")
