"""Settings of a scenario and of the solver, with their documented defaults.

A scenario folder may hold a ``settings.toml``; every key is optional::

    name = "Deelregio Zeist"                 # the scenario's name in titles (default: folder)
    osm = "../osm/utrecht-latest.osm.pbf"   # road network + addresses (path relative to it)
    bag = "bag-utrecht.csv"                  # optional BAG address export (second source)
    boarding_min = 1.0                       # boarding/alighting minutes per participant
    boarding_wheelchair_min = 4.0            # ... for a participant in a wheelchair
    arrival_window_min = 15                  # may arrive up to this early, never late
    pickup_window_min = 15                   # afternoon: picked up within this after depart_at
    trip_gap_min = 45                        # rides less apart than this share one trip
    layout_change_min = 10                   # flip seats to another layout at the depot
    replan_tolerance_min = 10                # replan: a pickup may move this much unlisted
    replan_max_extra_pct = 10                # replan: stay close unless it costs more than this
    stable_week = true                       # the same vehicle and time on every day
    max_ride_min = 0                         # absolute default maximum ride; 0 = use formula
    max_ride_factor = 1.5                    # formula: max(max_ride_floor_min,
    max_ride_extra_min = 15                  #   factor * direct + extra)
    max_ride_floor_min = 30
    ride_norm_min = 60                       # location study: rides above this are reported
    snap_max_m = 300                         # points further from a road are reported
    time_limit_s = 300                       # solver time cap per ride and pool (s)
    seed = 0
    co2_g_per_km = 220                       # for cost reports (diesel taxibus, assumption)
    language = "nl"                          # "nl" or "en" for route sheets, maps, reports
    morning_times = "09:00-12:30"            # default arrive_by-depart_at of a dagdeel
    afternoon_times = "13:00-16:00"          #   (ochtend / middag / hele dag) when the
    day_times = "09:00-16:00"                #   attendance row leaves its times empty

    allocation = "shapley"                   # rule dividing a pool's shared cost (compare):
                                             #   shapley, nucleolus, standalone, rides, km
    municipalities = "gemeenten.geojson"     # municipality boundaries (GeoJSON polygons):
    municipality_field = "gemeentenaam"      #   a location without a region gets its
                                             #   municipality's deelregio (field: auto)
    pool_by_region = true                    # no [pools]: one pool per deelregio

    [pools]                                  # pooling groups for shared mode
    Zeist = ["abrona", "reinaerde"]          # default: one pool with every organisation
                                             #   (or per deelregio, see pool_by_region)

    [regions]                                # deelregio = [municipalities]; a municipality
    "Heuvelrug" = ["Zeist", "De Bilt"]       #   not listed is a deelregio of its own
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path

from vervoer.core.errors import InputError, Problem
from vervoer.core.model import DayPart, Pool

#: a span of time of day, ``HH:MM-HH:MM`` (also ``H:MM`` and ``HH.MM``; spaces allowed)
_SPAN = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*[-\u2013]\s*(\d{1,2})[:.](\d{2})\s*$")
#: the settings whose value is text
_TEXT_KEYS = (
    "osm",
    "bag",
    "language",
    "name",
    "allocation",
    "municipalities",
    "municipality_field",
)
#: the rules that can divide a pool's shared cost (``allocation``); the first is the default
ALLOCATION_RULES = ("shapley", "nucleolus", "standalone", "rides", "km")
#: the settings that hold the default times of a dagdeel
_DAY_PART_KEYS = {
    DayPart.MORNING: "morning_times",
    DayPart.AFTERNOON: "afternoon_times",
    DayPart.DAY: "day_times",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """Planning settings of a scenario (see the module docstring for the TOML keys).

    Attributes
    ----------
    name
        The scenario's name in titles of maps, sheets and reports (default: the folder or
        workbook name).
    osm
        Path of the OSM extract (.osm.pbf/.osm/.osm.bz2); None means: the ``--osm`` option,
        the ``VERVOER_OSM`` environment variable, or the demo extract.
    bag
        Optional path of a BAG address export used as a second offline geocoding source.
    boarding_min, boarding_wheelchair_min
        Minutes per participant to board or alight (default 1.0 / 4.0).
    arrival_window_min
        Morning: arrival at the location is allowed this many minutes before ``arrive_by``.
    pickup_window_min
        Afternoon: pickup at the location between ``depart_at`` and this many minutes later.
    trip_gap_min
        Rides of a day whose times at the location are less than this apart are planned as
        one trip (e.g. a midday trip that takes the morning group home and brings the
        afternoon group in); see :func:`vervoer.routing.requests.trips_of_day`.
    layout_change_min
        Minutes it takes at the depot to change a vehicle's seat layout between two trips
        (flip seats, see the vehicles' ``layouts``).
    replan_tolerance_min
        ``vervoer replan``: a participant's pickup stays within this many minutes of the
        base plan, and a smaller move is not on the change list.
    replan_max_extra_pct
        ``vervoer replan``: the plan that stays close to the base is kept unless it costs
        more than this percentage above the date planned from scratch.
    stable_week
        Plan the busiest day first and keep every participant on the other days in the same
        vehicle with a pickup within ``replan_tolerance_min`` where that is feasible (the
        others are placed freely); ``false`` plans every day on its own.
    max_ride_min
        Absolute default maximum ride time; 0 uses the formula
        ``max(max_ride_floor_min, max_ride_factor * direct + max_ride_extra_min)``.
    ride_norm_min
        A location study (``vervoer study``) reports the participants whose ride becomes
        longer than this many minutes (default 60; a norm, not a limit for the planner).
    snap_max_m
        Points further than this from the road network are reported as unreachable.
    time_limit_s
        Solver time cap per ride and pool, in seconds (default 300; the work budget
        usually ends the search first).
    seed
        Random seed of the solver (determinism, see the README).
    co2_g_per_km
        CO2 emission factor used in reports (grams per vehicle-km; an assumption).
    language
        ``nl`` (default) or ``en`` for user-facing output.
    morning_times, afternoon_times, day_times
        The default times ``HH:MM-HH:MM`` (``arrive_by``-``depart_at``) of an attendance
        row whose dagdeel is ``ochtend``, ``middag`` or ``hele dag`` and whose times are
        empty (defaults ``09:00-12:30``, ``13:00-16:00`` and ``09:00-16:00``); see
        :meth:`dagdeel_times`.
    allocation
        The rule that divides a pool's shared cost over its organisations in ``vervoer
        compare`` and the settlement: ``shapley`` (default), ``nucleolus``,
        ``standalone`` (in proportion to own cost), ``rides`` or ``km``.
    municipalities
        Optional GeoJSON file of municipality boundaries (polygons, WGS84; relative to the
        scenario folder). A location whose ``region`` column is empty gets the deelregio of
        the municipality it lies in (see :mod:`vervoer.geo.regions`).
    municipality_field
        The property of a feature that holds the municipality's name; empty: the first of
        ``gemeentenaam``, ``statnaam``, ``naam``, ``name``, ``GM_NAAM`` that is there.
    pool_by_region
        Without ``[pools]``, shared mode plans one pool per deelregio when the locations
        have regions (default true); false: one pool with every organisation.
    pools
        Pooling groups for shared mode; empty means one pool with every organisation (or
        one per deelregio, see ``pool_by_region``).
    regions
        Deelregio -> its municipalities (``[regions]``), to map a municipality of
        ``municipalities`` to a deelregio; a municipality not listed is its own deelregio.
    """

    name: str | None = None
    osm: str | None = None
    bag: str | None = None
    boarding_min: float = 1.0
    boarding_wheelchair_min: float = 4.0
    arrival_window_min: float = 15.0
    pickup_window_min: float = 15.0
    trip_gap_min: float = 45.0
    layout_change_min: float = 10.0
    replan_tolerance_min: float = 10.0
    replan_max_extra_pct: float = 10.0
    stable_week: bool = True
    max_ride_min: float = 0.0
    max_ride_factor: float = 1.5
    max_ride_extra_min: float = 15.0
    max_ride_floor_min: float = 30.0
    ride_norm_min: float = 60.0
    snap_max_m: float = 300.0
    time_limit_s: float = 300.0
    seed: int = 0
    co2_g_per_km: float = 220.0
    language: str = "nl"
    morning_times: str = "09:00-12:30"
    afternoon_times: str = "13:00-16:00"
    day_times: str = "09:00-16:00"
    allocation: str = "shapley"
    municipalities: str | None = None
    municipality_field: str = ""
    pool_by_region: bool = True
    pools: tuple[Pool, ...] = field(default_factory=tuple)
    regions: tuple[tuple[str, tuple[str, ...]], ...] = field(default_factory=tuple)

    def max_ride_s(self, direct_s: float, own_min: float | None = None) -> int:
        """The maximum ride time in seconds for a ride whose direct travel time is ``direct_s``.

        A participant's own value wins, then the absolute default, then the formula.
        """
        if own_min is not None and own_min > 0:
            return round(own_min * 60)
        if self.max_ride_min > 0:
            return round(self.max_ride_min * 60)
        minutes = max(
            self.max_ride_floor_min,
            self.max_ride_factor * direct_s / 60 + self.max_ride_extra_min,
        )
        return round(minutes * 60)

    def dagdeel_times(self, part: DayPart) -> tuple[int, int]:
        """The default times of a dagdeel, from ``morning_times``, ``afternoon_times`` or
        ``day_times``.

        Parameters
        ----------
        part
            The part of the day.

        Returns
        -------
        tuple of int
            ``(arrive_by, depart_at)`` in minutes after midnight.

        Raises
        ------
        ValueError
            If the setting is not a span ``HH:MM-HH:MM`` whose end is after its start
            (:meth:`from_dict` never lets such a value through).
        """
        key = _DAY_PART_KEYS[part]
        span = parse_span(getattr(self, key))
        if span is None:
            msg = f"`{key}` {getattr(self, key)!r} is not a span of time HH:MM-HH:MM"
            raise ValueError(msg)
        return span

    @classmethod
    def from_toml(cls, path: Path) -> Settings:
        """Read settings from a TOML file; unknown keys and bad values are input errors."""
        name = path.name
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise InputError(f"not valid TOML: {exc}", file=name) from None
        return cls.from_dict(raw, file=name)

    @classmethod
    def from_dict(cls, raw: dict[str, object], *, file: str = "settings.toml") -> Settings:
        """Build settings from a mapping, collecting every problem."""
        problems: list[Problem] = []
        known = {f.name: f for f in fields(cls)}
        kwargs: dict[str, object] = {}
        for key, value in raw.items():
            if key not in known:
                problems.append(
                    Problem(file, None, key, f"unknown setting; expected one of {sorted(known)}")
                )
                continue
            if key == "pools":
                pools = _read_pools(value, file, problems)
                if pools is not None:
                    kwargs["pools"] = pools
                continue
            if key == "regions":
                regions = _read_regions(value, file, problems)
                if regions is not None:
                    kwargs["regions"] = regions
                continue
            default = known[key].default
            if key in _TEXT_KEYS:
                if not isinstance(value, str):
                    problems.append(Problem(file, None, key, f"{value!r} must be a string"))
                    continue
                if key == "language" and value not in ("nl", "en"):
                    problems.append(Problem(file, None, key, f"{value!r}: expected 'nl' or 'en'"))
                    continue
                if key == "allocation" and value not in ALLOCATION_RULES:
                    problems.append(
                        Problem(
                            file,
                            None,
                            key,
                            f"{value!r}: expected one of {', '.join(ALLOCATION_RULES)}",
                        )
                    )
                    continue
                kwargs[key] = value
            elif key in _DAY_PART_KEYS.values():
                span = parse_span(value) if isinstance(value, str) else None
                if span is None:
                    problems.append(
                        Problem(
                            file,
                            None,
                            key,
                            f'{value!r} is not a span of time; expected "HH:MM-HH:MM" with '
                            'the end after the start, like "09:00-12:30"',
                        )
                    )
                    continue
                kwargs[key] = span_text(*span)
            elif isinstance(default, bool):
                words = {
                    "true": True,
                    "ja": True,
                    "yes": True,
                    "false": False,
                    "nee": False,
                    "no": False,
                }
                if isinstance(value, str) and value.strip().lower() in words:
                    value = words[value.strip().lower()]
                if not isinstance(value, bool):
                    problems.append(Problem(file, None, key, f"{value!r}: expected true or false"))
                    continue
                kwargs[key] = value
            elif isinstance(default, int | float):
                if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                    problems.append(
                        Problem(file, None, key, f"{value!r} must be a number of 0 or more")
                    )
                    continue
                if value > 1e9:  # like the numbers in the tables; larger ones overflow
                    problems.append(
                        Problem(file, None, key, f"{value!r} is too large (above 10^9)")
                    )
                    continue
                if key == "time_limit_s" and value == 0:
                    problems.append(Problem(file, None, key, "0: expected seconds above 0"))
                    continue
                kwargs[key] = int(value) if isinstance(default, int) else float(value)
        if problems:
            raise InputError(problems)
        return cls(**kwargs)  # type: ignore[arg-type]


def parse_span(text: str) -> tuple[int, int] | None:
    """The start and end (minutes after midnight) of a span ``HH:MM-HH:MM``.

    Parameters
    ----------
    text
        E.g. ``09:00-12:30``; ``9:00 - 12.30`` is accepted too.

    Returns
    -------
    tuple of int or None
        ``(start, end)``, or None if ``text`` is not a span of two times of day with the
        end after the start.
    """
    m = _SPAN.match(text)
    if m is None:
        return None
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
        return None
    start, end = h1 * 60 + m1, h2 * 60 + m2
    return (start, end) if end > start else None


def span_text(start: int, end: int) -> str:
    """The canonical text ``HH:MM-HH:MM`` of a span of minutes after midnight."""
    return f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"


def _read_regions(
    value: object, file: str, problems: list[Problem]
) -> tuple[tuple[str, tuple[str, ...]], ...] | None:
    """``[regions]``: deelregio -> list of municipality names; a municipality in one only."""
    if not isinstance(value, dict):
        problems.append(Problem(file, None, "regions", "expected a table: name = [municipalities]"))
        return None
    out: list[tuple[str, tuple[str, ...]]] = []
    first: dict[str, str] = {}
    for name, names in value.items():
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            problems.append(
                Problem(file, None, f"regions.{name}", "expected a list of municipality names")
            )
            continue
        for n in names:
            seen = first.setdefault(n.strip().casefold(), str(name))
            if seen != str(name):
                problems.append(
                    Problem(
                        file,
                        None,
                        f"regions.{name}",
                        f"municipality {n!r} is already in deelregio {seen!r}",
                    )
                )
        out.append((str(name), tuple(n.strip() for n in names)))
    return tuple(out)


def _read_pools(value: object, file: str, problems: list[Problem]) -> tuple[Pool, ...] | None:
    if not isinstance(value, dict):
        problems.append(Problem(file, None, "pools", "expected a table: name = [org ids]"))
        return None
    pools = []
    for name, orgs in value.items():
        if not isinstance(orgs, list) or not all(isinstance(o, str) for o in orgs) or not orgs:
            problems.append(
                Problem(file, None, f"pools.{name}", "expected a list of organisation ids")
            )
            continue
        pools.append(Pool(name=str(name), organisations=tuple(orgs)))
    return tuple(pools)


#: The default work budget: local-search solutions per search.
DEFAULT_ITERATIONS = 100
# The default search policy, the same for the CLI, a notebook and the web app (applied by
# :func:`vervoer.pipeline.search_params`):
#: rounds of ruin-and-descend per ride and pool after guided local search when planning
#: (on the seat-layout choice kept only); on the demo week 3.2% cheaper than none, and
#: with 100 solutions 11.9% cheaper than the former 30 solutions and 25 rounds in about
#: the same time (BENCHMARKS.md, "Speed and scale");
PLAN_LNS_ROUNDS = 5
#: the same for the own/shared comparison and what-ifs, which plan every coalition.
COMPARE_LNS_ROUNDS = 0
#: rounds of the large-neighbourhood search for ``vervoer replan``: a date is re-planned
#: from the base routes while a coordinator waits, so none by default
REPLAN_LNS_ROUNDS = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class SolveParams:
    """Parameters of the routing solver.

    Attributes
    ----------
    time_limit_s
        Wall-clock limit per solve (hard cap).
    seed
        Seed for the randomised parts of the search.
    max_iterations
        Deterministic work budget: local-search solutions explored by guided local search.
        With the same input, seed and budget the plan is identical; the time limit only
        cuts the search short on a slow machine (documented in the README).
    lns_rounds
        With a work budget: rounds of :func:`vervoer.routing.solver.ruin_and_descend` after the
        guided local search (0: none). Each round's descent stops after
        ``max_iterations`` solutions plus two per removed request, so the result stays
        deterministic.
    workers
        Processes one trip's search may use (1: this process only): the seat-layout choices
        of a trip, the parts of a large trip and their rounds run side by side. The result
        does not depend on it; :func:`vervoer.routing.planner.plan_week` gives each day the
        cores the days leave over.
    """

    time_limit_s: float = 10.0
    seed: int = 0
    max_iterations: int = DEFAULT_ITERATIONS
    lns_rounds: int = 0
    workers: int = 1

    def __post_init__(self) -> None:
        if self.time_limit_s <= 0:
            msg = "`time_limit_s` must be positive"
            raise ValueError(msg)
        if self.max_iterations < 0:
            msg = "`max_iterations` must be 0 or more"
            raise ValueError(msg)
        if self.lns_rounds < 0:
            msg = "`lns_rounds` must be 0 or more"
            raise ValueError(msg)
        if self.workers < 1:
            msg = "`workers` must be 1 or more"
            raise ValueError(msg)

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        time_limit_s: float | None = None,
        max_iterations: int | None = None,
        lns_rounds: int = 0,
    ) -> SolveParams:
        """The solver parameters of a scenario: its time cap and seed, and a work budget.

        This is the one place that turns settings into solver parameters; the default
        search policy (how many LNS rounds a plan gets) is :mod:`vervoer.pipeline`'s.

        Parameters
        ----------
        settings
            The scenario settings (``time_limit_s``, ``seed``).
        time_limit_s
            Overrides the settings' time cap (None: keep it).
        max_iterations
            The work budget (None: the default, 100 solutions).
        lns_rounds
            Rounds of ruin-and-descend after guided local search.

        Returns
        -------
        SolveParams
        """
        return cls(
            time_limit_s=time_limit_s or settings.time_limit_s,
            seed=settings.seed,
            max_iterations=max_iterations if max_iterations is not None else DEFAULT_ITERATIONS,
            lns_rounds=lns_rounds,
        )
