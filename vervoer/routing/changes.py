"""A date of the week: the base week's pattern with the dated changes of that date applied.

:func:`scenario_on` turns a scenario (the base week plus ``changes.csv``) into the scenario
of one date: who is absent, who has another address or time, which vehicle is out of
service, which location is closed, who has not started yet or has stopped. The planner then
plans that weekday of the result; :mod:`vervoer.routing.replan` keeps it close to the base.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from vervoer.core.errors import InputError, Problem
from vervoer.core.model import Attendance, Change, ChangeKind, Plan, RideNeed, Weekday
from vervoer.io.scenario import Scenario

CHANGES_FILE = "changes.csv"


def weekday_of(date: dt.date) -> Weekday:
    """The weekday of a date."""
    return list(Weekday)[date.weekday()]


def parse_date(text: str) -> dt.date:
    """Read ``YYYY-MM-DD``.

    Raises
    ------
    InputError
        When the text is no such date.
    """
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        msg = f"{text!r} is not a date; expected YYYY-MM-DD, e.g. 2026-12-08"
        raise InputError(msg, field="date") from None


def change_dict(change: Change) -> dict[str, object]:
    """A change as plan.json's ``meta.changes`` records it (see :func:`change_from_dict`)."""
    return {f.name: getattr(change, f.name) for f in dataclasses.fields(change)}


def change_from_dict(d: Mapping[str, Any]) -> Change:
    """A change read back from plan.json's ``meta.changes``."""
    return Change(
        **{
            **d,
            "kind": ChangeKind(d["kind"]),
            "rides": RideNeed(d.get("rides", "both")),
        }
    )


def plan_scenario(scenario: Scenario, plan: Plan) -> Scenario:
    """The scenario a plan was made for: for a re-planned date (``meta.date``), the date's
    scenario with the changes recorded in the plan (or else the scenario's own changes)."""
    date = plan.meta.get("date")
    if not isinstance(date, str):
        return scenario
    recorded = plan.meta.get("changes")
    if isinstance(recorded, list):
        try:
            changes = tuple(change_from_dict(d) for d in recorded)
        except (KeyError, TypeError, ValueError):
            raise InputError(
                "the changes recorded in the plan are not readable", field="meta.changes"
            ) from None
        scenario = dataclasses.replace(scenario, changes=changes)
    return scenario_on(scenario, parse_date(date))[0]


def changes_on(changes: Iterable[Change], date: dt.date) -> list[Change]:
    """The changes that hold on ``date`` (``start``/``stop`` from or until their date)."""
    day = date.isoformat()
    out = []
    for c in changes:
        if c.kind is ChangeKind.START:
            if day < c.first:
                out.append(c)  # not started yet
        elif c.kind is ChangeKind.STOP:
            if day > c.first:
                out.append(c)  # stopped
        elif c.first <= day <= c.last:
            out.append(c)
    return out


def scenario_on(scenario: Scenario, date: dt.date) -> tuple[Scenario, dict[str, str]]:
    """The scenario of one date, and per participant the change that touches them (words).

    Parameters
    ----------
    scenario
        The base week with its ``changes``.
    date
        The date.

    Returns
    -------
    tuple of (Scenario, dict)
        The scenario with that date's changes applied (its ``changes`` emptied) and
        ``participant -> "absent"`` / ``"address"`` / ... for the change list.

    Raises
    ------
    InputError
        When a time change leaves a leg that ends before it starts (naming the row).
    """
    day = weekday_of(date)
    people = {p.id: p for p in scenario.participants}
    vehicles = {v.id: v for v in scenario.vehicles}
    attendance = list(scenario.attendance)
    touched: dict[str, str] = {}
    problems: list[Problem] = []
    for c in changes_on(scenario.changes, date):
        if c.kind is ChangeKind.OUT_OF_SERVICE and c.vehicle in vehicles:
            v = vehicles[c.vehicle]
            vehicles[c.vehicle] = dataclasses.replace(
                v, weekdays=tuple(d for d in v.weekdays if d is not day)
            )
            continue
        if c.kind is ChangeKind.CLOSED:
            for i, a in enumerate(attendance):
                if a.weekday is day and a.location == c.location:
                    attendance[i] = dataclasses.replace(a, rides=RideNeed.NONE)
                    touched[a.participant] = f"location {c.location} closed"
            continue
        if c.kind is ChangeKind.ADDRESS and c.rides is not RideNeed.BOTH:
            problems.append(
                Problem(
                    CHANGES_FILE,
                    c.row,
                    "rides",
                    "another address for one ride of the day only is not supported; an "
                    "address change holds for both rides (leave `rides` empty)",
                )
            )
            continue
        if c.kind is ChangeKind.ADDRESS and c.participant in people:
            people[c.participant] = dataclasses.replace(
                people[c.participant], address=c.value, point=None
            )
            touched[c.participant] = "address"
            continue
        legs = [i for i, a in enumerate(attendance) if _leg_of(a, c.participant, day)]
        if not legs:
            continue
        if c.kind in (ChangeKind.ABSENT, ChangeKind.START, ChangeKind.STOP):
            drop = RideNeed.BOTH if c.kind is not ChangeKind.ABSENT else c.rides
            for i in legs:
                attendance[i] = dataclasses.replace(
                    attendance[i], rides=_without(attendance[i].rides, drop)
                )
            touched[c.participant] = c.kind.value
        elif c.kind is ChangeKind.TIME and c.minutes is not None:
            first, last = legs[0], legs[-1]
            a = attendance[first if c.rides is RideNeed.HEEN else last]
            leg = (
                (
                    dataclasses.replace(a, arrive_by=c.minutes)
                    if c.rides is RideNeed.HEEN
                    else dataclasses.replace(a, depart_at=c.minutes)
                )
                if _times_ok(a, c)
                else None
            )
            if leg is None:
                problems.append(
                    Problem(
                        CHANGES_FILE,
                        c.row,
                        "value",
                        f"{c.value} would make {c.participant}'s day on {day.value} end "
                        "before it starts",
                    )
                )
                continue
            attendance[first if c.rides is RideNeed.HEEN else last] = leg
            touched[c.participant] = "time"
    if problems:
        raise InputError(problems)
    return (
        dataclasses.replace(
            scenario,
            participants=tuple(people[p.id] for p in scenario.participants),
            vehicles=tuple(vehicles[v.id] for v in scenario.vehicles),
            attendance=tuple(attendance),
            changes=(),
        ),
        touched,
    )


def _leg_of(a: Attendance, pid: str, day: Weekday) -> bool:
    return a.participant == pid and a.weekday is day


def _times_ok(a: Attendance, c: Change) -> bool:
    assert c.minutes is not None
    if c.rides is RideNeed.HEEN:
        return c.minutes < a.depart_at
    return c.minutes > a.arrive_by


def _without(need: RideNeed, drop: RideNeed) -> RideNeed:
    """The rides left of ``need`` after taking ``drop`` (both, heen or terug) away."""
    if drop is RideNeed.BOTH or need is drop or need is RideNeed.NONE:
        return RideNeed.NONE
    if need is RideNeed.BOTH:
        return RideNeed.TERUG if drop is RideNeed.HEEN else RideNeed.HEEN
    return need
