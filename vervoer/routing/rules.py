"""Who may ride with whom and in which vehicle: the scenario's rules and locks, indexed.

:class:`RuleBook` answers the questions the planner, the pre-checks and the checker ask of
``rules.csv`` and ``locks.csv`` (a pin or a forbidden vehicle, on some weekdays): which rule
or lock keeps a participant out of a vehicle, which pairs must or may not share a vehicle,
how many others may be on board with someone. :func:`rule_problems` finds rules that no
plan can satisfy before anything is solved.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from vervoer.core.errors import Problem
from vervoer.core.model import Lock, LockKind, Participant, Rule, RuleKind, Vehicle, Weekday
from vervoer.io.scenario import Scenario
from vervoer.routing.requests import Request, attendance_days, trips_of_day

RULES_FILE = "rules.csv"


@dataclass(frozen=True, slots=True)
class RuleBook:
    """The rules of a scenario by participant."""

    rules: tuple[Rule, ...] = ()
    locks: tuple[Lock, ...] = ()
    _by_person: dict[str, tuple[Rule, ...]] = field(default_factory=dict, compare=False)
    _locks_of: dict[str, tuple[Lock, ...]] = field(default_factory=dict, compare=False)

    @classmethod
    def of(cls, scenario: Scenario) -> RuleBook:
        """The rule book of a scenario."""
        by: dict[str, list[Rule]] = {}
        for rule in scenario.rules:
            by.setdefault(rule.participant, []).append(rule)
            if rule.kind in (RuleKind.TOGETHER, RuleKind.NOT_TOGETHER):
                by.setdefault(rule.other, []).append(rule)
        locks: dict[str, list[Lock]] = {}
        for lock in scenario.locks:
            locks.setdefault(lock.participant, []).append(lock)
        return cls(
            tuple(scenario.rules),
            tuple(scenario.locks),
            {p: tuple(r) for p, r in by.items()},
            {p: tuple(x) for p, x in locks.items()},
        )

    def __bool__(self) -> bool:
        return bool(self.rules or self.locks)

    def of_person(self, pid: str) -> tuple[Rule, ...]:
        """Every rule that names the participant."""
        return self._by_person.get(pid, ())

    def forbids(
        self, person: Participant, vehicle: Vehicle, day: Weekday | None = None
    ) -> Rule | Lock | None:
        """The rule or lock that keeps ``person`` out of ``vehicle`` (on ``day``), or None.

        ``vehicle`` rules of one participant are alternatives (any of the vehicles named);
        ``needs`` and ``own_only`` rules must all hold; a ``pin`` lock of the day allows only
        its vehicle, a ``forbid`` lock never its vehicle (without ``day``: every lock).
        """
        for lock in self._locks_of.get(person.id, ()):
            if day is not None and not lock.applies(day):
                continue
            if (lock.kind is LockKind.PIN) != (lock.vehicle == vehicle.id):
                return lock
        own = [r for r in self.of_person(person.id) if r.participant == person.id]
        named = [r for r in own if r.kind is RuleKind.VEHICLE]
        if named and vehicle.id not in {r.vehicle for r in named}:
            return named[0]
        for r in own:
            if r.kind is RuleKind.NEEDS and r.feature not in vehicle.features:
                return r
            if r.kind is RuleKind.OWN_ONLY and vehicle.organisation != person.organisation:
                return r
        return None

    def pairs(self, kind: RuleKind, ids: Iterable[str]) -> list[tuple[str, str]]:
        """The ``together`` or ``not_together`` pairs among the participants ``ids``."""
        present = set(ids)
        return sorted(
            {
                tuple(sorted((r.participant, r.other)))  # type: ignore[misc]
                for r in self.rules
                if r.kind is kind and r.participant in present and r.other in present
            }
        )

    def max_others(self, pid: str) -> int | None:
        """How many others may be on board with the participant (None: no limit)."""
        limits = [
            r.max_others
            for r in self.of_person(pid)
            if r.kind is RuleKind.ALONE and r.participant == pid
        ]
        return min(limits) if limits else None

    def words(self, pid: str) -> str:
        """The participant's rules and locks in words (``; ``-separated), empty without."""
        texts = [r.words() for r in self.of_person(pid)]
        texts += [lock.words() for lock in self._locks_of.get(pid, ())]
        return "; ".join(texts)


def rule_problems(scenario: Scenario) -> list[Problem]:
    """Rules no plan can satisfy, found before solving (with the rules file and rule).

    - two ``together`` participants whose rides never fall in the same trip (different
      days, locations or times): each day where one rides without the other;
    - a participant who may ride in no vehicle of the scenario at all (``vehicle``,
      ``needs`` and ``own_only`` rules together), or in none that works on one of their days.
    """
    if not scenario.rules:
        return []
    book = RuleBook.of(scenario)
    problems: list[Problem] = []
    people = {p.id: p for p in scenario.participants}
    rides: dict[tuple[Weekday, str], set[str]] = {}  # (day, participant) -> trips
    for day in attendance_days(scenario):
        for key, requests in trips_of_day(scenario, day).items():
            for r in requests:
                rides.setdefault((day, r.participant.id), set()).add(key.trip)
    for a, b in book.pairs(RuleKind.TOGETHER, people):
        for day in attendance_days(scenario):
            ta, tb = rides.get((day, a), set()), rides.get((day, b), set())
            if ta != tb:
                problems.append(
                    Problem(
                        RULES_FILE,
                        None,
                        "rule",
                        f"{a} and {b} must ride together, but on {day.value} ({day.dutch}) "
                        f"their rides are not in the same trips ({_trips(ta)} against "
                        f"{_trips(tb)}): give them the same days, times and rides",
                    )
                )
                break
    for pid in sorted({r.participant for r in scenario.rules}):
        person = people.get(pid)
        if person is None:
            continue
        able = [
            v
            for v in scenario.vehicles
            if not isinstance(book.forbids(person, v), Rule)  # locks are per day
        ]
        if not able:
            problems.append(
                Problem(
                    RULES_FILE,
                    None,
                    "rule",
                    f"no vehicle satisfies every rule of {pid} ({book.words(pid)})",
                )
            )
    return problems


def _trips(trips: set[str]) -> str:
    return ", ".join(sorted(trips)) or "no ride"


def allowed_matrix(
    book: RuleBook, requests: Sequence[Request], vehicles: Sequence[Vehicle]
) -> list[list[bool]]:
    """Per request and vehicle: whether the rules and locks let the participant ride in it."""
    return [
        [book.forbids(r.participant, v, r.key.weekday) is None for v in vehicles] for r in requests
    ]
