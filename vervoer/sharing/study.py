"""Location study: which locations to merge or close, ranked by what transport then costs.

A *candidate* closes one location. A **merge** ``A → B`` sends every participant of A to
B; a **closure** of A sends each of its participants to a location chosen by the rule
below. Either way a participant only goes to a location of the same ``kind`` with room:
a location with a ``capacity`` takes at most that many participants in each dagdeel
(morning and afternoon of each weekday; a whole-day leg counts in both).

Where a closed location's participants go (:func:`assign`), one participant after the
other in the order of their ids, each with all their legs at the closed location:

1. the locations of the same kind with room for all of those legs, of the **same
   organisation** as the closed location; if there is none,
2. those of a **partner**: an organisation that shares a pool with it in shared mode
   (``[pools]`` of the settings; without pools every organisation is a partner);
3. within the first group that has one, the **nearest**: the shortest travel time from
   the participant's home (from the closed location when the home has no point), ties
   by location id.

A candidates file (:mod:`vervoer.io.candidates`) may pin the destination (``into``): that
is a merge. The default candidates (:func:`default_candidates`) are every ordered pair of
locations of the same kind at most ``max_km`` apart by road (both directions: which of
the two stays open matters), and every single closure of a location with participants.

:func:`run_study` plans the current situation and every feasible candidate on the
executor of ``vervoer compare`` (:func:`vervoer.sharing.evaluate.evaluate_tasks`), with
retries; a candidate that still fails is listed as failed, never left out. The saving of
a candidate is the cost of the current plan minus its own, where a cost is the route
costs plus ``unassigned_ride_cost`` per ride a plan leaves out (as in ``compare``).
"""

from __future__ import annotations

import dataclasses
import math
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from vervoer.core.errors import VervoerError
from vervoer.core.model import DayPart, Location, Mode, Plan, Reason, StopKind, Weekday
from vervoer.core.settings import SolveParams
from vervoer.geo.matrix import UNREACHABLE, Matrix
from vervoer.io.scenario import Scenario
from vervoer.routing.planner import plan_week, pools_for
from vervoer.routing.requests import PlaceKey
from vervoer.sharing.compare import UNASSIGNED_RIDE_COST, plan_metrics, ride_times
from vervoer.sharing.whatif import close_location

if TYPE_CHECKING:
    from vervoer.io.candidates import CandidateRow
    from vervoer.sharing.evaluate import ExecutorName

__all__ = [
    "DEFAULT_MAX_KM",
    "Candidate",
    "CandidateKind",
    "CandidateResult",
    "Figures",
    "Move",
    "Status",
    "Study",
    "StudyError",
    "StudyTask",
    "Why",
    "assign",
    "candidates_from_rows",
    "default_candidates",
    "figures",
    "occupancy",
    "over_capacity",
    "run_study",
]

#: default largest road distance (km) between two locations for a default merge candidate
DEFAULT_MAX_KM = 10.0
#: the dagdelen a location's capacity counts in (a whole-day leg takes both)
SLOTS = (DayPart.MORNING, DayPart.AFTERNOON)

Slot = tuple[Weekday, DayPart]
"""A dagdeel of the week: a weekday and its morning or afternoon."""


class StudyError(VervoerError, RuntimeError):
    """The current situation could not be planned, so no candidate can be compared."""


class CandidateKind(StrEnum):
    """A merge (every participant to one given location) or a closure (by the rule)."""

    MERGE = "merge"
    CLOSE = "close"


class Status(StrEnum):
    """What became of a candidate."""

    OK = "ok"
    INFEASIBLE = "infeasible"
    FAILED = "failed"


@dataclass(frozen=True, slots=True, kw_only=True)
class Candidate:
    """One change to study: location ``close`` closes; its participants go to ``into``
    (a merge) or by the rule of :func:`assign` (``into`` empty: a closure).

    ``number`` is the candidate's place in the study (1, 2, ...); ``row`` the row of the
    candidates file it comes from (None: a default candidate).
    """

    number: int
    close: str
    into: str = ""
    note: str = ""
    row: int | None = None

    @property
    def kind(self) -> CandidateKind:
        """Merge when a destination is given, else closure."""
        return CandidateKind.MERGE if self.into else CandidateKind.CLOSE

    @property
    def label(self) -> str:
        """``L1 → L2`` for a merge, ``L3 ✕`` for a closure (not escaped)."""
        return f"{self.close} → {self.into}" if self.into else f"{self.close} ✕"


@dataclass(frozen=True, slots=True, kw_only=True)
class Move:
    """One participant of a closed location and where they go, by which rule.

    ``rule`` is ``into`` (the merge's destination), ``organisation`` (a location of the
    same organisation) or ``partner`` (of a partner organisation).
    """

    participant: str
    organisation: str
    source: str
    target: str
    rule: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Why:
    """Why a candidate is infeasible or failed: a code and its details (for the texts).

    Codes: ``kind`` (``into`` is another kind of location), ``capacity`` (a destination
    would hold ``count`` participants in a dagdeel, above its ``capacity``), ``no_room``
    (``count`` participants, the first ``participants``, find no location of the kind
    with room), ``no_alternative`` (no other location of the same kind of the
    organisation or a partner), ``failed`` (the planning failed: ``error``).
    """

    code: str
    location: str = ""
    other: str = ""
    kind: str = ""
    other_kind: str = ""
    weekday: Weekday | None = None
    part: DayPart | None = None
    count: int = 0
    capacity: int = 0
    participants: tuple[str, ...] = ()
    error: str = ""

    def text(self) -> str:
        """The reason in English words (the report has Dutch ones, :mod:`vervoer.core.i18n`)."""
        if self.code == "kind":
            return (
                f"{self.other} is a {self.other_kind or '(no kind)'!r} location, "
                f"{self.location} a {self.kind or '(no kind)'!r} one"
            )
        if self.code == "capacity":
            when = f"{self.weekday} {self.part}" if self.weekday and self.part else ""
            return (
                f"{self.location} would hold {self.count} participants on {when}, "
                f"its capacity is {self.capacity}"
            )
        if self.code == "no_room":
            return (
                f"no location of kind {self.kind or '(no kind)'!r} with room for "
                f"{self.count} participant(s): {', '.join(self.participants)}"
            )
        if self.code == "no_alternative":
            return (
                f"no other location of kind {self.kind or '(no kind)'!r} of the organisation "
                "or a partner"
            )
        return f"planning failed: {self.error}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Figures:
    """What the transport of one plan amounts to.

    ``cost`` is the route costs (EUR), ``priced`` that plus the price of every ride left
    out; ``longest_ride_min`` the longest ride of each participant who rides;
    ``too_long`` the participants with a ride left out because it would be too long.
    """

    cost: float
    priced: float
    unassigned: int
    km: float
    hours: float
    vehicles_max: int
    vehicles_mean: float
    rides: int
    mean_ride_min: float
    max_ride_min: float
    longest_ride_min: Mapping[str, float] = field(default_factory=dict)
    too_long: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class CandidateResult:
    """A candidate with its moves and, when planned, its figures against the current plan.

    ``over_max``: participants whose ride is now longer than their maximum on their current
    ride (their own ``max_ride_min``, else the settings' formula on the current direct
    ride), or left out as too long; ``over_norm``: those whose longest ride was within the
    norm and now is above it. ``room_left``: per receiving location with a capacity, the
    fewest places left in any dagdeel. ``same_as``: the number of an earlier candidate
    with exactly the same moves (planned once; e.g. a closure whose participants all go to
    one location is that merge).
    """

    candidate: Candidate
    status: Status
    moves: tuple[Move, ...] = ()
    why: Why | None = None
    figures: Figures | None = None
    saving: float = 0.0
    over_max: tuple[str, ...] = ()
    over_norm: tuple[str, ...] = ()
    room_left: Mapping[str, int] = field(default_factory=dict)
    same_as: int | None = None

    def delta(self, current: Figures, attr: str) -> float:
        """This candidate's figure ``attr`` minus the current one (0 when not planned)."""
        if self.figures is None:
            return 0.0
        return float(getattr(self.figures, attr)) - float(getattr(current, attr))


@dataclass(frozen=True, slots=True, kw_only=True)
class Study:
    """The current situation and every candidate: the ranked, then the others."""

    current: Figures
    ranked: tuple[CandidateResult, ...]
    infeasible: tuple[CandidateResult, ...]
    failed: tuple[CandidateResult, ...]
    mode: Mode
    days: tuple[Weekday, ...] | None
    norm_min: float
    unassigned_ride_cost: float
    max_km: float
    over_capacity_now: tuple[Why, ...] = ()

    @property
    def results(self) -> tuple[CandidateResult, ...]:
        """Every candidate: ranked, infeasible, failed."""
        return (*self.ranked, *self.infeasible, *self.failed)


# ----------------------------------------------------------------------------- capacity


def occupancy(scenario: Scenario) -> dict[tuple[str, Weekday, DayPart], set[str]]:
    """Who is at each location in each dagdeel of the week (whole days count in both).

    Parameters
    ----------
    scenario
        The scenario (every attendance leg counts, also one without rides).

    Returns
    -------
    dict
        ``(location, weekday, morning|afternoon)`` -> participant ids.
    """
    out: dict[tuple[str, Weekday, DayPart], set[str]] = defaultdict(set)
    for a in scenario.attendance:
        for slot in _slots(a.weekday, a.part):
            out[(a.location, *slot)].add(a.participant)
    return out


def over_capacity(scenario: Scenario) -> list[Why]:
    """The locations that hold more participants in some dagdeel than their capacity now.

    Parameters
    ----------
    scenario
        The scenario.

    Returns
    -------
    list of Why
        Per such location (in scenario order) a ``capacity`` reason for its fullest dagdeel
        (the first of the week on a tie).
    """
    occ = occupancy(scenario)
    out = []
    for loc in scenario.locations:
        if loc.capacity is None:
            continue
        counts = [
            (len(ids), -day.number, -SLOTS.index(part), day, part)
            for (lid, day, part), ids in occ.items()
            if lid == loc.id
        ]
        if counts:
            count, _, _, day, part = max(counts)
            if count > loc.capacity:
                out.append(
                    Why(
                        code="capacity",
                        location=loc.id,
                        weekday=day,
                        part=part,
                        count=count,
                        capacity=loc.capacity,
                    )
                )
    return out


def _slots(weekday: Weekday, part: DayPart) -> tuple[Slot, ...]:
    return tuple((weekday, p) for p in SLOTS if part is DayPart.DAY or part is p)


def _partners(scenario: Scenario, organisation: str) -> set[str]:
    """The organisations that share a pool with ``organisation`` in shared mode."""
    for pool in pools_for(scenario, Mode.SHARED):
        if organisation in pool.organisations:
            return set(pool.organisations) - {organisation}
    return set()


def _seconds(matrix: Matrix, places: Mapping[PlaceKey, int], a: PlaceKey, b: PlaceKey) -> float:
    i, j = places.get(a), places.get(b)
    if i is None or j is None:
        return math.inf
    value = int(matrix.durations[i, j])
    return math.inf if value >= UNREACHABLE else float(value)


def _road_km(
    matrix: Matrix, places: Mapping[PlaceKey, int], a: Location, b: Location
) -> float | None:
    """The road distance from location ``a`` to ``b`` in km (None: no path or no point)."""
    i = places.get(PlaceKey(StopKind.LOCATION, a.id))
    j = places.get(PlaceKey(StopKind.LOCATION, b.id))
    if i is None or j is None:
        return None
    value = int(matrix.distances[i, j])
    return None if value >= UNREACHABLE else value / 1000


# ----------------------------------------------------------------------------- candidates


def default_candidates(
    scenario: Scenario,
    matrix: Matrix,
    places: Mapping[PlaceKey, int],
    *,
    max_km: float = DEFAULT_MAX_KM,
) -> list[Candidate]:
    """Every merge of two locations of the same kind within ``max_km``, every closure.

    Parameters
    ----------
    scenario, matrix, places
        A prepared scenario.
    max_km
        The largest road distance (km, either direction) between the two locations of a
        merge.

    Returns
    -------
    list of Candidate
        The merges ``A → B`` in the order of the locations (both directions), then the
        closure of every location that has participants, numbered from 1.
    """
    people = occupancy(scenario)
    used = {loc for loc, _, _ in people}
    locs = scenario.locations
    pairs: list[tuple[str, str]] = []
    for a in locs:
        if a.id not in used:
            continue
        for b in locs:
            if b.id == a.id or b.kind_key != a.kind_key:
                continue
            km = [_road_km(matrix, places, a, b), _road_km(matrix, places, b, a)]
            if all(k is not None and k <= max_km for k in km):
                pairs.append((a.id, b.id))
    out = [Candidate(number=n, close=a, into=b) for n, (a, b) in enumerate(pairs, 1)]
    out += [
        Candidate(number=len(out) + n, close=loc.id)
        for n, loc in enumerate((loc for loc in locs if loc.id in used), 1)
    ]
    return out


def candidates_from_rows(rows: Sequence[CandidateRow]) -> list[Candidate]:
    """The candidates of a candidates file, numbered from 1 in the file's order.

    Parameters
    ----------
    rows
        From :func:`vervoer.io.candidates.read_candidates`.

    Returns
    -------
    list of Candidate
    """
    return [
        Candidate(number=n, close=r.close, into=r.into, note=r.note, row=r.row)
        for n, r in enumerate(rows, 1)
    ]


def assign(
    scenario: Scenario,
    matrix: Matrix,
    places: Mapping[PlaceKey, int],
    candidate: Candidate,
) -> tuple[tuple[Move, ...], Why | None]:
    """Where the participants of the closed location go, or why they cannot.

    Parameters
    ----------
    scenario, matrix, places
        A prepared scenario.
    candidate
        The merge or closure (see the module docstring for the rule of a closure).

    Returns
    -------
    tuple
        The moves (one per participant, by id) and None; or the moves found so far and why
        the candidate is infeasible.
    """
    by_id = {loc.id: loc for loc in scenario.locations}
    source = by_id[candidate.close]
    occ = occupancy(scenario)
    counts = {key: len(ids) for key, ids in occ.items()}
    legs: dict[str, set[Slot]] = defaultdict(set)
    for a in scenario.attendance:
        if a.location == source.id:
            legs[a.participant].update(_slots(a.weekday, a.part))
    owner = {p.id: p.organisation for p in scenario.participants}
    if candidate.into:
        return _merge(source, by_id[candidate.into], legs, counts, owner)
    partners = _partners(scenario, source.organisation)
    tiers = [
        (
            "organisation",
            [loc for loc in scenario.locations if loc.organisation == source.organisation],
        ),
        ("partner", [loc for loc in scenario.locations if loc.organisation in partners]),
    ]
    tiers = [
        (rule, [loc for loc in group if loc.id != source.id and loc.kind_key == source.kind_key])
        for rule, group in tiers
    ]
    if not any(group for _, group in tiers):
        return (), Why(code="no_alternative", location=source.id, kind=source.kind)
    moves: list[Move] = []
    stuck: list[str] = []
    src_key = PlaceKey(StopKind.LOCATION, source.id)
    for pid in sorted(legs):
        home = PlaceKey(StopKind.HOME, pid)
        start = home if home in places else src_key
        choice = None
        for rule, group in tiers:
            fits = [loc for loc in group if _has_room(loc, legs[pid], counts)]
            if fits:
                best = min(
                    fits,
                    key=lambda loc: (
                        _seconds(matrix, places, start, PlaceKey(StopKind.LOCATION, loc.id)),
                        loc.id,
                    ),
                )
                choice = (rule, best)
                break
        if choice is None:
            stuck.append(pid)
            continue
        rule, best = choice
        for slot in legs[pid]:
            counts[(best.id, *slot)] = counts.get((best.id, *slot), 0) + 1
        moves.append(
            Move(
                participant=pid,
                organisation=owner.get(pid, ""),
                source=source.id,
                target=best.id,
                rule=rule,
            )
        )
    if stuck:
        why = Why(
            code="no_room",
            location=source.id,
            kind=source.kind,
            count=len(stuck),
            participants=tuple(stuck[:5]),
        )
        return tuple(moves), why
    return tuple(moves), None


def _has_room(
    loc: Location, slots: set[Slot], counts: Mapping[tuple[str, Weekday, DayPart], int]
) -> bool:
    if loc.capacity is None:
        return True
    return all(counts.get((loc.id, *slot), 0) + 1 <= loc.capacity for slot in slots)


def _merge(
    source: Location,
    target: Location,
    legs: Mapping[str, set[Slot]],
    counts: Mapping[tuple[str, Weekday, DayPart], int],
    owner: Mapping[str, str],
) -> tuple[tuple[Move, ...], Why | None]:
    """Every participant of ``source`` to ``target``: the same kind, within its capacity."""
    moves = tuple(
        Move(
            participant=pid,
            organisation=owner.get(pid, ""),
            source=source.id,
            target=target.id,
            rule="into",
        )
        for pid in sorted(legs)
    )
    if target.kind_key != source.kind_key:
        return moves, Why(
            code="kind",
            location=source.id,
            other=target.id,
            kind=source.kind,
            other_kind=target.kind,
        )
    if target.capacity is not None:
        extra: dict[Slot, int] = defaultdict(int)
        for slots in legs.values():
            for slot in slots:
                extra[slot] += 1
        over = [
            (counts.get((target.id, *slot), 0) + n, slot)
            for slot, n in extra.items()
            if counts.get((target.id, *slot), 0) + n > target.capacity
        ]
        if over:
            count, (weekday, part) = max(
                over, key=lambda o: (o[0], -o[1][0].number, -SLOTS.index(o[1][1]))
            )
            return moves, Why(
                code="capacity",
                location=target.id,
                weekday=weekday,
                part=part,
                count=count,
                capacity=target.capacity,
            )
    return moves, None


def _room_left(scenario: Scenario, moves: Sequence[Move]) -> dict[str, int]:
    """Per receiving location with a capacity: the fewest places left in a dagdeel after."""
    targets = {m.target for m in moves}
    by_id = {loc.id: loc for loc in scenario.locations}
    dest = {m.participant: m.target for m in moves}
    counts: dict[tuple[str, Weekday, DayPart], set[str]] = defaultdict(set)
    source = moves[0].source if moves else ""
    for a in scenario.attendance:
        loc = dest.get(a.participant, a.location) if a.location == source else a.location
        for slot in _slots(a.weekday, a.part):
            counts[(loc, *slot)].add(a.participant)
    out = {}
    for t in sorted(targets):
        cap = by_id[t].capacity
        if cap is None:
            continue
        used = [len(ids) for (loc, _, _), ids in counts.items() if loc == t]
        out[t] = cap - max(used, default=0)
    return out


# ----------------------------------------------------------------------------- planning


@dataclass(frozen=True, slots=True)
class StudyTask:
    """A picklable task: plan the current week (key 0) or a candidate (its number).

    Sent once to every worker process or Dask worker, with the matrix.
    """

    scenario: Scenario
    matrix: Matrix
    places: Mapping[PlaceKey, int]
    moves: Mapping[int, tuple[Move, ...]]
    mode: Mode
    days: tuple[Weekday, ...] | None
    params: SolveParams
    unassigned_ride_cost: float = UNASSIGNED_RIDE_COST

    def scenario_of(self, key: int) -> Scenario:
        """The scenario with candidate ``key``'s change applied (0: as it is)."""
        if key == 0:
            return self.scenario
        moves = self.moves[key]
        return close_location(
            self.scenario, moves[0].source, {m.participant: m.target for m in moves}
        )

    def plan(self, key: int) -> Plan:
        """The plan of the week (or the days) with candidate ``key`` applied."""
        return plan_week(
            self.scenario_of(key),
            self.matrix,
            self.places,
            mode=self.mode,
            days=self.days,
            params=self.params,
            workers=1,
        )

    def __call__(self, key: int) -> Figures:
        """Plan and measure candidate ``key`` (0: the current situation)."""
        sc = self.scenario_of(key)
        return figures(self.plan(key), sc, unassigned_ride_cost=self.unassigned_ride_cost)


def figures(
    plan: Plan, scenario: Scenario, *, unassigned_ride_cost: float = UNASSIGNED_RIDE_COST
) -> Figures:
    """The figures of a plan (see :class:`Figures`).

    Parameters
    ----------
    plan
        The plan of the scenario.
    scenario
        The scenario it was made for.
    unassigned_ride_cost
        The price of a ride the plan leaves out (EUR).

    Returns
    -------
    Figures
    """
    total = plan_metrics(plan, scenario)["total"]
    longest: dict[str, float] = {}
    for (_, pid), minutes in ride_times(plan).items():
        longest[pid] = max(longest.get(pid, 0.0), round(minutes, 1))
    too_long = sorted(
        {
            u.participant
            for r in plan.rides
            for u in r.unassigned
            if u.reason is Reason.RIDE_TOO_LONG
        }
    )
    return Figures(
        cost=total.cost,
        priced=round(total.cost + total.unassigned * unassigned_ride_cost, 2),
        unassigned=total.unassigned,
        km=total.km,
        hours=total.hours,
        vehicles_max=total.max_vehicles,
        vehicles_mean=total.vehicles_per_day,
        rides=total.rides,
        mean_ride_min=round(total.mean_ride_min, 1),
        max_ride_min=round(total.max_ride_min, 1),
        longest_ride_min=dict(sorted(longest.items())),
        too_long=tuple(too_long),
    )


def _limits_min(
    scenario: Scenario, matrix: Matrix, places: Mapping[PlaceKey, int]
) -> dict[str, float]:
    """Each participant's maximum ride (minutes) on their current rides."""
    people = {p.id: p for p in scenario.participants}
    direct: dict[str, float] = {}
    for a in scenario.attendance:
        home = PlaceKey(StopKind.HOME, a.participant)
        loc = PlaceKey(StopKind.LOCATION, a.location)
        d = max(_seconds(matrix, places, home, loc), _seconds(matrix, places, loc, home))
        if math.isfinite(d):
            direct[a.participant] = max(direct.get(a.participant, 0.0), d)
    return {
        pid: scenario.settings.max_ride_s(d, people[pid].max_ride_min) / 60
        for pid, d in direct.items()
        if pid in people
    }


def run_study(
    scenario: Scenario,
    matrix: Matrix,
    places: Mapping[PlaceKey, int],
    *,
    candidates: Sequence[Candidate] | None = None,
    max_km: float = DEFAULT_MAX_KM,
    days: Sequence[Weekday] | None = None,
    mode: Mode = Mode.SHARED,
    params: SolveParams,
    norm_min: float | None = None,
    unassigned_ride_cost: float = UNASSIGNED_RIDE_COST,
    executor: ExecutorName = "process",
    scheduler: str | None = None,
    max_workers: int | None = None,
    retries: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> Study:
    """Plan the current situation and every feasible candidate, and rank them by saving.

    Parameters
    ----------
    scenario, matrix, places
        A prepared scenario (:func:`vervoer.pipeline.prepare`).
    candidates
        The candidates (e.g. :func:`vervoer.io.candidates.read_candidates`); default
        :func:`default_candidates` with ``max_km``.
    max_km
        For the default candidates: the largest road distance of a merge.
    days
        The days to plan (default: every day in the attendance).
    mode
        ``shared`` (default) or ``own``, for the current plan and every candidate.
    params
        Solver parameters, the same for every plan.
    norm_min
        Rides longer than this (minutes) are reported; default the setting
        ``ride_norm_min``.
    unassigned_ride_cost
        The price of a ride a plan leaves out (EUR), added to its cost.
    executor, scheduler, max_workers, retries
        Where the plans run (:func:`vervoer.sharing.evaluate.evaluate_tasks`): ``process``
        (local cores), ``serial`` or ``dask`` (``scheduler`` address, or a local cluster).
    progress
        Called with (plans done, total).

    Returns
    -------
    Study
        The feasible candidates ranked by saving (largest first, then by number), the
        infeasible ones with why, those whose planning failed with the error, and the
        locations already above their capacity now (:func:`over_capacity`).

    Raises
    ------
    StudyError
        If the current situation itself cannot be planned.
    ValueError
        If a candidate names an unknown location, or two candidates have one number.
    """
    from vervoer.sharing.evaluate import TaskFailure, evaluate_tasks

    chosen = tuple(days) if days is not None else None
    todo = (
        list(candidates)
        if candidates is not None
        else default_candidates(scenario, matrix, places, max_km=max_km)
    )
    ids = {loc.id for loc in scenario.locations}
    for c in todo:
        for loc in (c.close, c.into):
            if loc and loc not in ids:
                msg = f"candidate {c.number}: unknown location {loc!r}"
                raise ValueError(msg)
    if len({c.number for c in todo}) != len(todo) or any(c.number < 1 for c in todo):
        msg = "candidates need unique numbers of 1 or more"
        raise ValueError(msg)
    assigned = {c.number: (c, *assign(scenario, matrix, places, c)) for c in todo}
    to_plan = {n: moves for n, (_, moves, why) in assigned.items() if why is None and moves}
    first: dict[tuple[tuple[str, str], ...], int] = {}
    same_as: dict[int, int] = {}
    for n, moves in to_plan.items():
        key = tuple((m.participant, m.target) for m in moves)
        if key in first:
            same_as[n] = first[key]
        else:
            first[key] = n
    task = StudyTask(
        scenario, matrix, dict(places), to_plan, mode, chosen, params, unassigned_ride_cost
    )
    out = evaluate_tasks(
        [0, *(n for n in to_plan if n not in same_as)],
        task,
        executor=executor,
        scheduler_address=scheduler,
        max_workers=max_workers,
        retries=retries,
        progress=progress,
    )
    current = out[0]
    if isinstance(current, TaskFailure):
        msg = (
            f"the current situation could not be planned ({current.attempts} attempts): "
            f"{current.error}"
        )
        raise StudyError(msg)
    norm = scenario.settings.ride_norm_min if norm_min is None else norm_min
    limits = _limits_min(scenario, matrix, places)
    ranked, infeasible, failed = [], [], []
    for n, (cand, moves, why) in assigned.items():
        if why is not None:
            infeasible.append(
                CandidateResult(candidate=cand, status=Status.INFEASIBLE, moves=moves, why=why)
            )
            continue
        got = out.get(same_as.get(n, n), current)  # no moves: nothing changes
        if isinstance(got, TaskFailure):
            failed.append(
                CandidateResult(
                    candidate=cand,
                    status=Status.FAILED,
                    moves=moves,
                    why=Why(code="failed", error=f"{got.error} ({got.attempts} attempts)"),
                    same_as=same_as.get(n),
                )
            )
            continue
        result = _result(cand, moves, got, current, limits, norm, scenario)
        ranked.append(dataclasses.replace(result, same_as=same_as.get(n)))
    ranked.sort(key=lambda r: (-r.saving, r.candidate.number))
    return Study(
        current=current,
        ranked=tuple(ranked),
        infeasible=tuple(infeasible),
        failed=tuple(failed),
        mode=mode,
        days=chosen,
        norm_min=norm,
        unassigned_ride_cost=unassigned_ride_cost,
        max_km=max_km,
        over_capacity_now=tuple(over_capacity(scenario)),
    )


def _result(
    cand: Candidate,
    moves: tuple[Move, ...],
    got: Figures,
    current: Figures,
    limits: Mapping[str, float],
    norm: float,
    scenario: Scenario,
) -> CandidateResult:
    over_max = {
        pid for pid, m in got.longest_ride_min.items() if pid in limits and m > limits[pid] + 1e-6
    } | set(got.too_long)
    over_norm = {
        pid
        for pid, m in got.longest_ride_min.items()
        if m > norm and current.longest_ride_min.get(pid, 0.0) <= norm
    }
    return CandidateResult(
        candidate=cand,
        status=Status.OK,
        moves=moves,
        figures=got,
        saving=round(current.priced - got.priced, 2),
        over_max=tuple(sorted(over_max)),
        over_norm=tuple(sorted(over_norm)),
        room_left=_room_left(scenario, moves),
    )
