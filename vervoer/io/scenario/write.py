"""Write a scenario as a folder of CSV files plus ``settings.toml``, the layout it is read from."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import fields
from pathlib import Path

from vervoer.core.files import write_csv, write_text
from vervoer.core.model import Change, Lock, Rule, RuleKind
from vervoer.core.settings import Settings

from .cells import coord_texts, features_text, hhmm, layouts_text, number_text, yes_text
from .schema import CHANGE_COLUMNS, HEADERS, TABLES, Scenario

__all__ = ["settings_toml", "write_scenario"]


def write_scenario(scenario: Scenario, folder: Path | str) -> None:
    """Write a scenario as a folder of CSV files plus ``settings.toml``.

    The five CSV files are comma-separated UTF-8 with the canonical headers of
    :data:`~vervoer.io.scenario.schema.HEADERS`, times as ``HH:MM``, weekdays as Dutch
    abbreviations and the dagdeel of each attendance leg in Dutch (``ochtend``, ``middag``,
    ``hele dag``), a vehicle's ``features`` and ``layouts`` separated by ``;``.
    ``rules.csv`` (English rule words), ``changes.csv`` (English change words, a date range
    as ``first..last``) and ``locks.csv`` (English lock words, Dutch weekdays, empty for
    every day) are written when there are rules, changes or locks and removed when there
    are none; ``settings.toml`` holds only the settings that differ from the defaults
    (and is removed when none do). Every file is written atomically, every text cell with
    the formula guard of :func:`~vervoer.core.files.safe_cell`. ``read_scenario(folder)``
    gives back an equal scenario, apart from ``source`` (and ``name``, which is the
    folder's name).

    Parameters
    ----------
    scenario
        The scenario to write.
    folder
        The target folder; created if needed. Existing scenario files are replaced.
    """
    folder = Path(folder)
    rows = _rows(scenario)
    for table in TABLES:
        write_csv(folder / f"{table}.csv", HEADERS[table], rows[table])
    optional: dict[str, list[tuple[str, ...]]] = {
        "rules": [_rule_row(rule) for rule in scenario.rules],
        "changes": [_change_row(change) for change in scenario.changes],
        "locks": [_lock_row(lock) for lock in scenario.locks],
    }
    for table, table_rows in optional.items():
        target = folder / f"{table}.csv"
        if table_rows:
            write_csv(target, HEADERS[table], table_rows)
        else:
            target.unlink(missing_ok=True)
    text = settings_toml(scenario.settings)
    target = folder / "settings.toml"
    if text:
        write_text(target, text)
    else:
        target.unlink(missing_ok=True)


def _rows(scenario: Scenario) -> dict[str, Iterable[Iterable[object]]]:
    """Table -> its rows, cells in the order of :data:`HEADERS`."""
    return {
        "organisations": ((o.id, o.name) for o in scenario.organisations),
        "locations": (
            (
                loc.id,
                loc.name,
                loc.organisation,
                loc.address,
                *coord_texts(loc.point),
                number_text(loc.capacity),
                loc.kind,
                loc.region,
            )
            for loc in scenario.locations
        ),
        "participants": (
            (
                p.id,
                p.name,
                p.organisation,
                p.address,
                *coord_texts(p.point),
                yes_text(p.wheelchair),
                p.seats,
                yes_text(p.walker),
                number_text(p.boarding_min),
                number_text(p.max_ride_min),
                p.notes,
                p.payer,
            )
            for p in scenario.participants
        ),
        "attendance": (
            (
                a.participant,
                a.weekday.dutch,
                a.location,
                hhmm(a.arrive_by),
                hhmm(a.depart_at),
                a.rides.value,
                a.part.dutch,
            )
            for a in scenario.attendance
        ),
        "vehicles": (
            (
                v.id,
                v.name,
                v.organisation,
                v.depot_address,
                *coord_texts(v.depot),
                v.seats,
                v.wheelchair_places,
                ",".join(d.dutch for d in v.weekdays) or "geen",
                hhmm(v.shift_start),
                hhmm(v.shift_end),
                number_text(v.cost_per_hour),
                number_text(v.cost_per_km),
                number_text(v.fixed_cost),
                features_text(v.features),
                layouts_text(v.layouts),
            )
            for v in scenario.vehicles
        ),
    }


def _rule_row(rule: Rule) -> tuple[str, str, str, str, str]:
    """The cells of a rule, in the order of ``HEADERS["rules"]``; unused cells are empty."""
    value = ""
    if rule.kind is RuleKind.ALONE:
        value = str(rule.max_others)
    elif rule.kind is RuleKind.NEEDS:
        value = rule.feature
    return (rule.kind.value, rule.participant, rule.other, rule.vehicle, value)


def _change_row(change: Change) -> tuple[str, ...]:
    """The cells of a change, in the order of ``HEADERS["changes"]``.

    The date is one date, or ``first..last``; ``rides`` is written only for the changes
    that use it (else empty, read as both).
    """
    date = change.first if change.first == change.last else f"{change.first}..{change.last}"
    rides = change.rides.value if "rides" in CHANGE_COLUMNS[change.kind] else ""
    return (
        date,
        change.participant,
        change.vehicle,
        change.location,
        change.kind.value,
        rides,
        change.value,
        change.note,
    )


def _lock_row(lock: Lock) -> tuple[str, str, str, str]:
    """The cells of a lock, in the order of ``HEADERS["locks"]``; no weekdays = every day."""
    return (
        lock.kind.value,
        lock.participant,
        lock.vehicle,
        ",".join(d.dutch for d in lock.weekdays),
    )


def settings_toml(settings: Settings) -> str:
    """The TOML text of the settings that differ from the defaults.

    One ``key = value`` line a changed setting, then the pools as a ``[pools]`` table and
    the deelregio's as a ``[regions]`` table; the empty text when every setting is the default.
    """
    default = Settings()
    lines = []
    for f in fields(Settings):
        value = getattr(settings, f.name)
        if f.name not in ("pools", "regions") and value != getattr(default, f.name):
            lines.append(f"{f.name} = {_toml(value)}")
    if settings.pools:
        lines.append("\n[pools]" if lines else "[pools]")
        lines.extend(
            f"{_toml(p.name)} = [{', '.join(_toml(o) for o in p.organisations)}]"
            for p in settings.pools
        )
    if settings.regions:
        lines.append("\n[regions]" if lines else "[regions]")
        lines.extend(
            f"{_toml(name)} = [{', '.join(_toml(m) for m in names)}]"
            for name, names in settings.regions
        )
    return "\n".join(lines) + "\n" if lines else ""


def _toml(value: object) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a valid TOML basic string
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)
