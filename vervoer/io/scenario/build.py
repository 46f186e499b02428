"""From validated rows to a :class:`~vervoer.io.scenario.schema.Scenario`: one builder a table.

Each builder turns the rows of its table into model objects, reporting every bad cell on
its row. The cross-table checks come on top: ids are unique, references name a known
organisation, participant or location, the legs of a participant on one day do not
overlap, pools name known organisations once, and a participant in a wheelchair has a
vehicle with a wheelchair place within reach. The optional ``rules`` table is checked
against the participants and vehicles (:func:`_rules`), the optional ``changes`` table
(dated exceptions to the week) against the participants, vehicles and locations
(:func:`_changes`) and the optional ``locks`` table against the participants, vehicles and
itself (:func:`_locks`).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from vervoer.core.errors import Problem
from vervoer.core.model import (
    Attendance,
    Change,
    ChangeKind,
    DayPart,
    Location,
    Lock,
    LockKind,
    Organisation,
    Participant,
    RideNeed,
    Rule,
    RuleKind,
    Vehicle,
    Weekday,
)
from vervoer.core.settings import Settings

from .cells import hhmm, ride_key
from .rows import Row, Table
from .schema import (
    CHANGE_COLUMNS,
    CHANGES,
    DAY_PARTS,
    LOCKS,
    NO_WEEKDAYS,
    RIDES,
    RULE_COLUMNS,
    RULES,
    Scenario,
)

__all__ = ["build_scenario", "infer_day_part"]

#: a leg that ends by this time (minutes after midnight) is a morning (ochtend) ...
MORNING_ENDS_BY = 13 * 60
#: ... else one that starts from this time is an afternoon (middag)
AFTERNOON_STARTS_FROM = 12 * 60

_EUROS = "an amount in euros of 0 or more, like 42 or 0,32"

#: the organisation reference of a row (reported when unknown)
_OrgOf = Callable[[Row], str]


def build_scenario(
    path: Path,
    tables: Mapping[str, Table],
    settings: Settings,
    settings_name: str,
    problems: list[Problem],
) -> Scenario | None:
    """Build the scenario from its tables, or report why not.

    Parameters
    ----------
    path
        The scenario folder or workbook; names the scenario.
    tables
        Table name -> its rows (see :func:`~vervoer.io.scenario.rows.table_rows`); the
        optional ``rules``, ``changes`` and ``locks`` may be absent (none of them).
    settings
        The scenario's settings; their pools are checked against the organisations.
    settings_name
        The settings file (or sheet), as problems with pools name it.
    problems
        The problems found so far; every problem found here is appended, row by row.

    Returns
    -------
    Scenario or None
        None when there is any problem (also one found before).
    """
    for t in ("organisations", "locations", "participants", "vehicles"):
        _unique(tables[t])
    org_ids = tables["organisations"].ids()
    problems.extend(_check_pools(settings, org_ids, settings_name))
    orgs_file = tables["organisations"].name

    def org(r: Row) -> str:
        return _reference(r, "organisation", org_ids, "organisation", orgs_file)

    organisations = _organisations(tables["organisations"])
    locations = _locations(tables["locations"], org)
    participants = _participants(tables["participants"], org)
    vehicles = _vehicles(tables["vehicles"], org)
    attendance = _attendance(
        tables["attendance"], tables["participants"], tables["locations"], settings
    )
    if org_ids is not None and tables["vehicles"].usable:
        _check_wheelchairs(tables["participants"], participants, vehicles, settings, org_ids)
    rules_table = tables.get("rules")
    rules = (
        _rules(rules_table, tables["participants"], tables["vehicles"], participants, vehicles)
        if rules_table is not None
        else []
    )
    changes_table = tables.get("changes")
    changes = (
        _changes(changes_table, tables["participants"], tables["vehicles"], tables["locations"])
        if changes_table is not None
        else []
    )
    locks_table = tables.get("locks")
    locks = (
        _locks(locks_table, tables["participants"], tables["vehicles"])
        if locks_table is not None
        else []
    )
    if problems:
        return None
    return Scenario(
        name=settings.name or (path.name if path.is_dir() else path.stem),
        organisations=tuple(o for o in organisations if o is not None),
        locations=tuple(loc for loc in locations if loc is not None),
        participants=tuple(p for p in participants if p is not None),
        attendance=tuple(a for a in attendance if a is not None),
        vehicles=tuple(v for v in vehicles if v is not None),
        settings=settings,
        rules=tuple(rule for rule in rules if rule is not None),
        changes=tuple(c for c in changes if c is not None),
        locks=tuple(lock for lock in locks if lock is not None),
        source=path,
    )


# ----------------------------------------------------------------------------- tables


def _organisations(table: Table) -> list[Organisation | None]:
    return [r.make(Organisation, id=r.required("id"), name=r.required("name")) for r in table.rows]


def _named(r: Row, org: _OrgOf) -> dict[str, str]:
    """The ``id``, ``name`` and ``organisation`` of a location or participant (all required)."""
    return {"id": r.required("id"), "name": r.required("name"), "organisation": org(r)}


def _locations(table: Table, org: _OrgOf) -> list[Location | None]:
    out = []
    for r in table.rows:
        address, point = r.place("locations")
        out.append(
            r.make(
                Location,
                **_named(r, org),
                address=address,
                point=point,
                region=r.get("region"),
                capacity=_capacity(r),
                kind=r.get("kind"),
            )
        )
    return out


def _capacity(r: Row) -> int | None:
    """The optional ``capacity`` of a location: participants per dagdeel (empty: no limit)."""
    value = r.number(
        "capacity",
        None,
        integer=True,
        minimum=1,
        expected="a whole number of participants per dagdeel, 1 or more (empty: no limit)",
    )
    return None if value is None else int(value)


def _participants(table: Table, org: _OrgOf) -> list[Participant | None]:
    out = []
    for r in table.rows:
        address, point = r.place("participants")
        seats = r.number(
            "seats",
            1,
            integer=True,
            minimum=1,
            expected="a whole number of 1 or more (2 = with an escort)",
        )
        max_ride = r.number("max_ride_min", None, minimum=1, expected="minutes, at least 1")
        out.append(
            r.make(
                Participant,
                **_named(r, org),
                address=address,
                point=point,
                wheelchair=r.yes_no("wheelchair"),
                seats=int(seats or 1),
                walker=r.yes_no("walker"),
                boarding_min=r.number("boarding_min", None, expected="minutes, 0 or more"),
                max_ride_min=max_ride,
                notes=r.get("notes"),
                payer=r.get("payer"),
            )
        )
    return out


def _vehicles(table: Table, org: _OrgOf) -> list[Vehicle | None]:
    out = []
    for r in table.rows:
        address, point = r.place("vehicles")
        seats = r.number("seats", None, integer=True, minimum=0, required=True)
        if seats is not None and seats < 1:
            r.bad("seats", f"{r.get('seats')!r}: a vehicle needs at least 1 seat")
        start, end = _shift(r)
        out.append(
            r.make(
                Vehicle,
                id=r.required("id"),
                name=r.get("name"),
                organisation=org(r),
                depot_address=address,
                depot=point,
                seats=max(1, int(seats or 1)),
                wheelchair_places=int(r.number("wheelchair_places", 0, integer=True) or 0),
                weekdays=r.weekdays("weekdays"),
                shift_start=start or 0,
                shift_end=end or 1,
                cost_per_hour=r.number("cost_per_hour", 0.0, expected=_EUROS) or 0.0,
                cost_per_km=r.number("cost_per_km", 0.0, expected=_EUROS) or 0.0,
                fixed_cost=r.number("fixed_cost", 0.0, expected=_EUROS) or 0.0,
                features=r.words("features"),
                layouts=r.layouts("layouts"),
            )
        )
    return out


def _shift(r: Row) -> tuple[int | None, int | None]:
    """Start and end of a vehicle's shift (default 07:00-18:00); an end not after the start
    is reported and taken as one minute after it."""
    start = r.clock("shift_start", 7 * 60)
    end = r.clock("shift_end", 18 * 60)
    if start is not None and end is not None and end <= start:
        r.bad(
            "shift_end",
            f"{r.get('shift_end') or '18:00'} is not after shift_start "
            f"{r.get('shift_start') or '07:00'}; expected the end of the shift (HH:MM)",
        )
        end = start + 1
    return start, end


def infer_day_part(arrive_by: int, depart_at: int) -> DayPart:
    """The part of the day of a leg without a dagdeel, from its times.

    A leg that ends by 13:00 is a morning, else one that starts at 12:00 or later is an
    afternoon, else it is a whole day.

    Parameters
    ----------
    arrive_by, depart_at
        The leg's times, in minutes after midnight.

    Returns
    -------
    DayPart
    """
    if depart_at <= MORNING_ENDS_BY:
        return DayPart.MORNING
    if arrive_by >= AFTERNOON_STARTS_FROM:
        return DayPart.AFTERNOON
    return DayPart.DAY


def _day_part(r: Row) -> tuple[DayPart | None, bool]:
    """The dagdeel of an attendance row, and whether one is given (a bad one is reported)."""
    text = r.get("dagdeel")
    if not text:
        return None, False
    part = DAY_PARTS.get(ride_key(text))
    if part is None:
        r.bad(
            "dagdeel",
            f"{text!r} is not a part of the day; expected ochtend, middag or hele dag "
            "(morning / afternoon / day), or empty",
        )
    return part, True


def _leg_time(r: Row, column: str, default: int | None, part_given: bool) -> int | None:
    """A time of a leg; an empty cell takes ``default`` (the dagdeel's) or is reported.

    With a bad dagdeel (``part_given`` but no ``default``) an empty cell is not reported
    again.
    """
    if r.get(column):
        return r.clock(column)
    if default is None and not part_given:
        r.bad(
            column,
            "is empty; expected a time HH:MM, or a dagdeel (ochtend, middag or hele dag) "
            "to take its default times",
        )
    return default


def _time_text(r: Row, column: str, minutes: int, part: DayPart | None) -> str:
    """A time as a message names it: as typed, or as the default of the dagdeel."""
    typed = r.get(column)
    return typed or f"{hhmm(minutes)} (the default of {part.dutch if part else 'the dagdeel'})"


def _attendance(
    table: Table, people: Table, places: Table, settings: Settings
) -> list[Attendance | None]:
    """One leg a row; the legs of a participant on one day must not overlap."""
    person_ids, loc_ids = people.ids(), places.ids()
    #: (participant, weekday) -> (row, arrive_by, depart_at) of each leg read so far
    legs: dict[tuple[str, Weekday], list[tuple[int, int, int]]] = {}
    out = []
    for r in table.rows:
        pid = _reference(r, "participant", person_ids, "participant", people.name)
        loc = _reference(r, "location", loc_ids, "location", places.name)
        day = None
        if r.required("weekday"):
            try:
                day = Weekday.parse(r.get("weekday"))
            except ValueError as exc:
                r.bad("weekday", str(exc))
        part, part_given = _day_part(r)
        default_arrive, default_depart = (
            settings.dagdeel_times(part) if part is not None else (None, None)
        )
        arrive = _leg_time(r, "arrive_by", default_arrive, part_given)
        depart = _leg_time(r, "depart_at", default_depart, part_given)
        need = RIDES.get(ride_key(r.get("rides")))
        if need is None:
            r.bad(
                "rides",
                f"{r.get('rides')!r} is not a kind of ride; expected both, heen, terug or "
                "none (beide / alleen heen / alleen terug / zelfstandig)",
            )
        if arrive is None or depart is None:
            continue
        if depart <= arrive:
            r.bad(
                "depart_at",
                f"{_time_text(r, 'depart_at', depart, part)} is not after arrive_by "
                f"{_time_text(r, 'arrive_by', arrive, part)}; expected the time of the "
                "pickup after the day activity",
            )
            continue
        if day is not None and pid:
            earlier = legs.setdefault((pid, day), [])
            clash = next((leg for leg in earlier if leg[1] < depart and arrive < leg[2]), None)
            earlier.append((r.row, arrive, depart))
            if clash is not None:
                row, a0, d0 = clash
                r.bad(
                    "arrive_by",
                    f"{hhmm(arrive)}-{hhmm(depart)} overlaps the leg of participant {pid!r} "
                    f"on {day.value} ({day.dutch}) in row {row} ({hhmm(a0)}-{hhmm(d0)}); "
                    "legs of one day must not overlap",
                )
                continue
        if day is None or (part_given and part is None) or need is None or not pid or not loc:
            continue
        out.append(
            r.make(
                Attendance,
                participant=pid,
                weekday=day,
                location=loc,
                arrive_by=arrive,
                depart_at=depart,
                rides=need,
                part=part if part is not None else infer_day_part(arrive, depart),
            )
        )
    return out


# ----------------------------------------------------------------------------- rules

_RULE_WORDS = (
    "not_together, together, alone, vehicle, needs or own_only "
    "(niet_samen / samen / alleen / voertuig / nodig / eigen)"
)
_MAX_OTHERS = "a whole number of 0 or more: how many others may be on board (0 = nobody)"


def _rules(
    table: Table,
    people: Table,
    cars: Table,
    participants: list[Participant | None],
    vehicles: list[Vehicle | None],
) -> list[Rule | None]:
    """One rule a row, checked against the participants and vehicles.

    Reported on the row: an unknown rule word, participant, other participant or vehicle;
    a cell the rule does not use; ``together``/``not_together`` of a participant with
    itself, or of a pair that an earlier row gave the opposite rule; a bad ``alone``
    number; a ``needs`` feature that no vehicle lists; a ``vehicle`` rule naming a vehicle
    of another organisation for a participant with an ``own_only`` rule; and a rule that
    an earlier row already gives (exact duplicate).
    """
    person_ids, vehicle_ids = people.ids(), cars.ids()
    features = (
        frozenset().union(*(v.features for v in vehicles if v is not None)) if cars.usable else None
    )
    #: the pairs of together/not_together read so far -> (kind, row)
    pairs: dict[frozenset[str], tuple[RuleKind, int]] = {}
    #: every rule read so far -> its row
    seen: dict[Rule, int] = {}
    out: list[Rule | None] = []
    for r in table.rows:
        text = r.required("rule")
        kind = RULES.get(ride_key(text)) if text else None
        if text and kind is None:
            r.bad("rule", f"{text!r} is not a rule; expected {_RULE_WORDS}")
        pid = _reference(r, "participant", person_ids, "participant", people.name)
        if kind is None:
            out.append(None)
            continue
        for column in ("other", "vehicle", "value"):
            if r.get(column) and column not in RULE_COLUMNS[kind]:
                uses = " and ".join(("participant", *RULE_COLUMNS[kind]))
                r.bad(
                    column,
                    f"{r.get(column)!r} is not used by rule {kind.value!r}, which uses "
                    f"{uses}; expected an empty cell",
                )
        rule = _rule(r, kind, pid, person_ids, vehicle_ids, features, people.name, cars.name)
        if rule is not None and rule.other:
            pair = frozenset({rule.participant, rule.other})
            earlier = pairs.get(pair)
            if earlier is not None and earlier[0] is not kind:
                r.bad(
                    "rule",
                    f"{rule.participant} and {rule.other} are {earlier[0].value!r} in row "
                    f"{earlier[1]}; expected a pair to be either together or not_together",
                )
                rule = None
            else:
                pairs.setdefault(pair, (kind, r.row))
        if rule is not None and rule in seen:
            r.bad("rule", f"the same rule as row {seen[rule]} ({rule.words()}); keep one")
            rule = None
        if rule is not None:
            seen[rule] = r.row
        out.append(rule)
    _check_own_only(table, out, participants, vehicles)
    return out


def _rule(
    r: Row,
    kind: RuleKind,
    pid: str,
    person_ids: set[str] | None,
    vehicle_ids: set[str] | None,
    features: frozenset[str] | None,
    people: str,
    cars: str,
) -> Rule | None:
    """The rule of a row of a known kind, or None when a cell it uses is bad."""
    ok = bool(pid) and (person_ids is None or pid in person_ids)
    if kind in (RuleKind.TOGETHER, RuleKind.NOT_TOGETHER):
        other = _reference(r, "other", person_ids, "participant", people)
        if other and other == pid:
            r.bad(
                "other",
                f"{other!r} is the participant of the rule itself; expected another participant",
            )
            return None
        ok = ok and bool(other) and (person_ids is None or other in person_ids)
        return r.make(Rule, kind=kind, participant=pid, other=other) if ok else None
    if kind is RuleKind.ALONE:
        count = r.number("value", 0, integer=True, expected=_MAX_OTHERS)
        return r.make(Rule, kind=kind, participant=pid, max_others=int(count or 0)) if ok else None
    if kind is RuleKind.VEHICLE:
        vid = _reference(r, "vehicle", vehicle_ids, "vehicle", cars)
        ok = ok and bool(vid) and (vehicle_ids is None or vid in vehicle_ids)
        return r.make(Rule, kind=kind, participant=pid, vehicle=vid) if ok else None
    if kind is RuleKind.NEEDS:
        feature = r.get("value").lower()
        if not feature:
            r.bad(
                "value",
                "is empty; expected the feature the participant needs, like lift "
                "(a word from the vehicles' features)",
            )
            return None
        if features is not None and feature not in features:
            listed = ", ".join(sorted(features)) or "none"
            r.bad(
                "value",
                f"no vehicle lists feature {feature!r} in its `features`; expected one of "
                f"the features in {cars} ({listed})",
            )
            return None
        return r.make(Rule, kind=kind, participant=pid, feature=feature) if ok else None
    return r.make(Rule, kind=kind, participant=pid) if ok else None


def _check_own_only(
    table: Table,
    rules: list[Rule | None],
    participants: list[Participant | None],
    vehicles: list[Vehicle | None],
) -> None:
    """A ``vehicle`` rule of a participant with an ``own_only`` rule names an own vehicle."""
    own_row = {
        rule.participant: r.row
        for r, rule in zip(table.rows, rules, strict=True)
        if rule is not None and rule.kind is RuleKind.OWN_ONLY
    }
    org_of = {p.id: p.organisation for p in participants if p is not None}
    car_org = {v.id: v.organisation for v in vehicles if v is not None}
    for r, rule in zip(table.rows, rules, strict=True):
        if rule is None or rule.kind is not RuleKind.VEHICLE or rule.participant not in own_row:
            continue
        mine, theirs = org_of.get(rule.participant), car_org.get(rule.vehicle)
        if mine is not None and theirs is not None and mine != theirs:
            r.bad(
                "vehicle",
                f"vehicle {rule.vehicle!r} is of organisation {theirs!r}, but "
                f"{rule.participant} (of {mine!r}) may ride only in own vehicles (own_only "
                f"in row {own_row[rule.participant]}); expected a vehicle of {mine!r}",
            )


# ----------------------------------------------------------------------------- changes

_CHANGE_WORDS = (
    "absent, address, time, out_of_service, closed, start or stop "
    "(afwezig / adres / tijd / defect / buiten dienst / gesloten)"
)
_DATES = (
    "a date as year-month-day like 2026-12-08, or an inclusive range like 2026-12-08..2026-12-12"
)
_ISO_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[ T]00:00(?::00)?)?")
#: what each change of a participant says about their day, for the rides message
_ONE_DATE = {
    ChangeKind.START: "the participant rides from that date on",
    ChangeKind.STOP: "the participant rides until that date",
}


def _dates(r: Row) -> tuple[str, str] | None:
    """The first and last ISO date of the ``date`` cell (one date or ``first..last``).

    A cell that is not one or two real dates, or a range that runs backwards, is reported
    (None). A date an xlsx cell holds as a datetime at midnight is read as its date.
    """
    text = r.required("date")
    if not text:
        return None
    parts = [part.strip() for part in text.split("..")]
    matches = [_ISO_DATE.fullmatch(part) for part in parts]
    if len(parts) > 2 or any(m is None for m in matches):
        r.bad("date", f"{text!r} is not a date or a range of dates; expected {_DATES}")
        return None
    days = []
    for m in matches:
        assert m is not None
        try:
            days.append(dt.date.fromisoformat(m.group(1)))
        except ValueError as exc:
            r.bad("date", f"{m.group(1)!r} is not a day of the calendar ({exc}); expected {_DATES}")
            return None
    first, last = days[0], days[-1]
    if last < first:
        r.bad(
            "date",
            f"{text!r} runs backwards: {last.isoformat()} is before {first.isoformat()}; "
            "expected the first date, then '..', then the last date",
        )
        return None
    return first.isoformat(), last.isoformat()


def _change_rides(r: Row, kind: ChangeKind) -> RideNeed | None:
    """The ``rides`` of a change: both (default), heen or terug; a bad cell is reported.

    A ``time`` change needs heen or terug: the end of the day it moves.
    """
    text = r.get("rides")
    need = RIDES.get(ride_key(text))
    if need is None:
        r.bad(
            "rides",
            f"{text!r} is not a kind of ride; expected both, heen or terug "
            "(beide / alleen heen / alleen terug), or empty for both",
        )
        return None
    if need is RideNeed.NONE:
        r.bad(
            "rides",
            f"{text!r} (no rides) cannot be a change of rides; expected both, heen or terug, "
            "or change absent for a day without rides",
        )
        return None
    if kind is ChangeKind.TIME and need is RideNeed.BOTH:
        given = f"{text!r} names both ends of the day" if text else "is empty"
        r.bad(
            "rides",
            f"{given}, but a time change moves one of them; say heen (the start time) or "
            "terug (the end time)",
        )
        return None
    return need


def _changes(table: Table, people: Table, cars: Table, places: Table) -> list[Change | None]:
    """One dated change a row, checked against the participants, vehicles and locations.

    Reported on the row: a ``date`` that is not one real date or a range ``first..last``
    that runs forwards (``start`` and ``stop`` take one date); an unknown change word;
    a missing or unknown participant (``absent``, ``address``, ``time``, ``start``,
    ``stop``), vehicle (``out_of_service``) or location (``closed``); a cell the change
    does not use; ``rides`` that is not both, heen or terug (a ``time`` change needs heen
    or terug); an ``address`` without a value, a ``time`` whose value is not ``HH:MM``.
    """
    known = {"participant": people.ids(), "vehicle": cars.ids(), "location": places.ids()}
    where = {"participant": people.name, "vehicle": cars.name, "location": places.name}
    out: list[Change | None] = []
    for r in table.rows:
        dates = _dates(r)
        text = r.required("change")
        kind = CHANGES.get(ride_key(text)) if text else None
        if text and kind is None:
            r.bad("change", f"{text!r} is not a change; expected {_CHANGE_WORDS}")
        if kind is None:
            out.append(None)
            continue
        used = CHANGE_COLUMNS[kind]
        for column in ("participant", "vehicle", "location", "value", "rides"):
            cell = r.get(column)
            if not cell or column in used:
                continue
            if column == "rides" and RIDES.get(ride_key(cell)) is RideNeed.BOTH:
                continue
            uses = " and ".join(("date", *used))
            r.bad(
                column,
                f"{cell!r} is not used by change {kind.value!r}, which uses {uses}; "
                "expected an empty cell",
            )
        if kind in _ONE_DATE and dates is not None and dates[0] != dates[1]:
            r.bad(
                "date",
                f"{r.get('date')!r} is a range, but {kind.value!r} takes one date "
                f"({_ONE_DATE[kind]}); expected one date like 2026-12-08",
            )
            dates = None
        ids: dict[str, str] = {}
        ok = dates is not None
        for column in ("participant", "vehicle", "location"):
            if column in used:
                ids[column] = ref = _reference(r, column, known[column], column, where[column])
                valid = known[column]
                ok = ok and bool(ref) and (valid is None or ref in valid)
        need = _change_rides(r, kind) if "rides" in used else RideNeed.BOTH
        value, minutes = r.get("value"), None
        if kind is ChangeKind.ADDRESS and not value:
            r.bad(
                "value",
                "is empty; expected the address the participant is picked up from and "
                "brought home to on these dates, like Dorpsstraat 4a, 3701 AB Zeist",
            )
            ok = False
        if kind is ChangeKind.TIME:
            minutes = r.clock("value")
            if minutes is None:
                ok = False
            else:
                value = hhmm(minutes)
        if not ok or need is None or dates is None:
            out.append(None)
            continue
        out.append(
            r.make(
                Change,
                first=dates[0],
                last=dates[1],
                kind=kind,
                **ids,
                rides=need,
                value=value,
                minutes=minutes,
                note=r.get("note"),
                row=r.row,
            )
        )
    return out


# ----------------------------------------------------------------------------- locks

_LOCK_WORDS = "pin or forbid (vast / verboden / nooit)"


def _lock_days(r: Row) -> tuple[Weekday, ...] | None:
    """The weekdays of a lock: empty = every day (``()``); None when the cell is bad."""
    text = r.get("weekdays")
    if not text:
        return ()
    if text.lower() in NO_WEEKDAYS:
        r.bad(
            "weekdays",
            f"{text!r} names no day; expected the days the lock holds, like ma,wo or ma-vr, "
            "or an empty cell for every day",
        )
        return None
    before = len(r.problems)
    days = r.weekdays("weekdays")
    return days if len(r.problems) == before else None


def _common_days(a: tuple[Weekday, ...], b: tuple[Weekday, ...]) -> tuple[Weekday, ...] | None:
    """The days two locks share (``()``: every day), or None when they share none."""
    if not a or not b:
        return a or b
    common = tuple(d for d in a if d in b)
    return common or None


def _locks(table: Table, people: Table, cars: Table) -> list[Lock | None]:
    """One lock a row, checked against the participants, vehicles and the earlier rows.

    Reported on the row: an unknown lock word; a missing or unknown participant or
    vehicle; bad weekdays; a ``pin`` of a participant to another vehicle than an earlier
    ``pin`` on a common day (one vehicle per day); and a ``pin`` and a ``forbid`` of the
    same participant and vehicle on a common day.
    """
    person_ids, vehicle_ids = people.ids(), cars.ids()
    #: the locks read so far, with their rows
    earlier: list[tuple[Lock, int]] = []
    out: list[Lock | None] = []
    for r in table.rows:
        text = r.required("lock")
        kind = LOCKS.get(ride_key(text)) if text else None
        if text and kind is None:
            r.bad("lock", f"{text!r} is not a lock; expected {_LOCK_WORDS}")
        pid = _reference(r, "participant", person_ids, "participant", people.name)
        vid = _reference(r, "vehicle", vehicle_ids, "vehicle", cars.name)
        days = _lock_days(r)
        ok = (
            kind is not None
            and days is not None
            and bool(pid)
            and bool(vid)
            and (person_ids is None or pid in person_ids)
            and (vehicle_ids is None or vid in vehicle_ids)
        )
        if not ok or kind is None or days is None:
            out.append(None)
            continue
        lock = r.make(Lock, kind=kind, participant=pid, vehicle=vid, weekdays=days)
        if lock is not None and _lock_clash(r, lock, earlier):
            lock = None
        if lock is not None:
            earlier.append((lock, r.row))
        out.append(lock)
    return out


def _lock_clash(r: Row, lock: Lock, earlier: list[tuple[Lock, int]]) -> bool:
    """Whether ``lock`` contradicts an earlier lock on a common day (then reported)."""
    for other, row in earlier:
        if other.participant != lock.participant:
            continue
        common = _common_days(other.weekdays, lock.weekdays)
        if common is None:
            continue
        on = ", ".join(d.dutch for d in common) if common else "every day"
        if lock.kind is LockKind.PIN and other.kind is LockKind.PIN:
            if other.vehicle != lock.vehicle:
                r.bad(
                    "vehicle",
                    f"{lock.participant} is already pinned to {other.vehicle} in row {row} "
                    f"(common days: {on}); a participant can be pinned to one vehicle per "
                    f"day; expected {other.vehicle}, or weekdays that do not overlap",
                )
                return True
        elif lock.kind is not other.kind and other.vehicle == lock.vehicle:
            was = "pinned to" if other.kind is LockKind.PIN else "forbidden in"
            r.bad(
                "lock",
                f"{lock.participant} is {was} {lock.vehicle} in row {row} (common days: "
                f"{on}); a participant cannot be both pinned to and forbidden in one "
                "vehicle on a day; expected one of pin or forbid, or weekdays that do not "
                "overlap",
            )
            return True
    return False


# ----------------------------------------------------------------------------- cross-table


def _unique(table: Table, column: str = "id") -> None:
    first: dict[str, int] = {}
    for r in table.rows:
        k = r.get(column)
        if not k:
            continue
        if k in first:
            r.bad(column, f"{k!r} occurs twice (first in row {first[k]}); ids must be unique")
        else:
            first[k] = r.row


def _reference(r: Row, column: str, known: set[str] | None, what: str, where: str) -> str:
    """A required reference to another table; unknown values are reported."""
    value = r.required(column)
    if value and known is not None and value not in known:
        if len(known) <= 12:
            hint = f"expected one of {', '.join(sorted(known)) or '(none)'}"
        else:
            close = difflib.get_close_matches(value, list(known), n=3, cutoff=0.6)
            hint = f"did you mean {', '.join(close)}?" if close else f"not in {where}"
        r.bad(column, f"unknown {what} {value!r}; {hint}")
    return value


def _check_pools(settings: Settings, org_ids: set[str] | None, file: str) -> list[Problem]:
    problems = []
    first_pool: dict[str, str] = {}
    for pool in settings.pools:
        where = f"pools.{pool.name}"
        for o in dict.fromkeys(pool.organisations):
            if org_ids is not None and o not in org_ids:
                problems.append(
                    Problem(
                        file,
                        None,
                        where,
                        f"unknown organisation {o!r}; expected ids from organisations: "
                        f"{', '.join(sorted(org_ids)) or '(none)'}",
                    )
                )
            elif o in first_pool:
                problems.append(
                    Problem(
                        file,
                        None,
                        where,
                        f"organisation {o!r} is already in pool {first_pool[o]!r}; "
                        "an organisation can be in one pool only",
                    )
                )
            else:
                first_pool[o] = pool.name
    return problems


def _pool_of(settings: Settings, org_ids: Iterable[str]) -> dict[str, tuple[str, frozenset[str]]]:
    """Organisation -> (pool name, members), as :func:`vervoer.routing.planner.pools_for`."""
    orgs = list(org_ids)
    if not settings.pools:
        everyone = frozenset(orgs)
        return {o: ("all", everyone) for o in orgs}
    out: dict[str, tuple[str, frozenset[str]]] = {}
    for pool in settings.pools:
        members = frozenset(o for o in pool.organisations if o not in out)
        for o in members:
            out[o] = (pool.name, members)
    for o in orgs:
        out.setdefault(o, (o, frozenset({o})))
    return out


def _check_wheelchairs(
    table: Table,
    participants: list[Participant | None],
    vehicles: list[Vehicle | None],
    settings: Settings,
    org_ids: set[str],
) -> None:
    """A participant in a wheelchair needs a vehicle with a wheelchair place in their pool.

    With ``layouts`` a vehicle has a wheelchair place when one of its layouts has one.

    (Own mode may still leave such rides unassigned; the planner reports those per ride.)
    """
    with_place = {
        v.organisation
        for v in vehicles
        if v is not None and any(places for _, places in v.seat_layouts)
    }
    pool_of = _pool_of(settings, org_ids)
    for r, p in zip(table.rows, participants, strict=True):
        if p is None or not p.wheelchair or p.organisation not in pool_of:
            continue
        pool, members = pool_of[p.organisation]
        if members.isdisjoint(with_place):
            where = "any organisation" if not settings.pools else f"pool {pool!r}"
            r.bad(
                "wheelchair",
                f"{p.id} uses a wheelchair, but no vehicle in {where} "
                f"({', '.join(sorted(members))}) has a wheelchair place; expected a "
                "vehicle with wheelchair_places of 1 or more, or a layout like 6+1",
            )
