"""A plan with one long route (16 stops between the depot visits), without a road network.

Used by the route-sheet tests: a driver's sheet of up to 16 stops must fit on one A4 page.
Every participant has a long name and address; half have notes, some need a wheelchair
place, an escort or a walker; two share an address (siblings, one stop).
"""

from __future__ import annotations

from vervoer.core.model import (
    Location,
    Mode,
    Organisation,
    Participant,
    Plan,
    Point,
    RideKey,
    RidePlan,
    Route,
    Stop,
    StopKind,
    Vehicle,
    Weekday,
)
from vervoer.io.scenario import Scenario

STREETS = (
    "Hoofdstraat",
    "Burgemeester van Tuyllkade",
    "Slotlaan",
    "Prins Hendriklaan",
    "Utrechtseweg",
    "Kerkplein",
    "Van Reenenweg",
    "Laan van Vollenhove",
    "Montaubanstraat",
    "Oranje Nassaulaan",
    "Driebergseweg",
    "Couwenhoven",
    "Patrimoniumlaan",
    "Jagerlaan",
    "Woudenbergseweg",
)
NAMES = (
    "Anneke van den Berg-Oosterhout",
    "Mohammed el Amrani",
    "Johannes (Hans) de Vries",
    "Fatima Yilmaz-Bakker",
    "Pieter-Jan van Leeuwen",
    "Ingrid Verhoeven",
    "Kees van der Heijden",
    "Sanne Dijkstra",
    "Wilhelmina Schoonderwoerd",
    "Bram Jansen",
    "Esther de Groot-Smit",
    "Theo Mulder",
    "Gerrit-Jan Vermeulen",
    "Marleen van Dam",
    "Lotte van Dam",
)
NOTES = (
    "Bellen bij aankomst; sleutelkastje naast de voordeur (code bij de begeleiding)",
    "",
    "Kan niet alleen thuis worden gelaten: wachten tot er iemand opendoet",
    "",
    "Stapt voorin",
    "",
)


def long_route_plan(
    *, homes: int = 14, direction: str = "heen", cost: float = 123.45, distance_m: int = 41_250
) -> tuple[Plan, Scenario]:
    """A plan with one route of ``homes`` home stops and two locations (heen or terug).

    Parameters
    ----------
    homes
        The number of home stops (14 gives 16 stops between the depot visits).
    direction
        ``heen``: homes first, the locations after (half of the riders get out at each);
        ``terug``: everyone boards at the two locations, then the homes.
    cost, distance_m
        The route's cost (EUR) and length.

    Returns
    -------
    tuple
        The plan and its scenario.
    """
    org = Organisation(id="zeist", name="Stichting Dagbesteding Zeist en Omstreken")
    locs = (
        Location(
            id="L1",
            name="Activiteitencentrum De Boomgaard",
            organisation="zeist",
            address="Boulevard 1, 3707 BN Zeist",
            point=Point(52.09, 5.23),
        ),
        Location(
            id="L2",
            name="Werkplaats Het Atelier",
            organisation="zeist",
            address="Handelsweg 20, 3707 NH Zeist",
            point=Point(52.095, 5.25),
        ),
    )
    people = []
    for i in range(homes + 1):  # the last one lives with the one before (siblings)
        n = min(i, homes - 1)
        people.append(
            Participant(
                id=f"Z{i + 1:03d}",
                name=NAMES[i % len(NAMES)],
                organisation="zeist",
                address=f"{STREETS[n % len(STREETS)]} {100 + n}, 3701 AB Zeist",
                point=Point(52.07 + 0.004 * (n % 5), 5.20 + 0.006 * (n // 5)),
                wheelchair=i % 5 == 0,
                seats=2 if i % 4 == 1 else 1,
                walker=i % 3 == 2,
                notes=NOTES[i % len(NOTES)],
            )
        )
    vehicle = Vehicle(
        id="ZB1",
        name="Taxibus Zeist 1",
        organisation="zeist",
        depot_address="Stationsplein 5, 3705 BB Zeist",
        depot=Point(52.08, 5.24),
        seats=16,
        wheelchair_places=4,
    )
    sc = Scenario(
        name="Deelregio Zeist",
        organisations=(org,),
        locations=locs,
        participants=tuple(people),
        attendance=(),
        vehicles=(vehicle,),
    )
    t = 7 * 3600
    stops = [Stop(kind=StopKind.DEPOT, place="ZB1", lat=52.08, lon=5.24, arrival=t, departure=t)]
    homes_at = []
    for n in range(homes):
        ids = (people[n].id,) if n < homes - 1 else (people[n].id, people[n + 1].id)
        homes_at.append((people[n], ids))
    half = len(people) // 2
    to_l1 = tuple(p.id for p in people[:half])
    to_l2 = tuple(p.id for p in people[half:])
    seats = wheels = 0

    def load(ids: tuple[str, ...], sign: int) -> None:
        nonlocal seats, wheels
        for pid in ids:
            p = next(q for q in people if q.id == pid)
            seats += sign * p.seat_demand
            wheels += sign * p.wheelchair_demand

    def add(kind: StopKind, place: str, pt: Point, boarding=(), alighting=()) -> None:
        nonlocal t
        t += 300
        load(tuple(alighting), -1)
        load(tuple(boarding), +1)
        stops.append(
            Stop(
                kind=kind,
                place=place,
                lat=pt.lat,
                lon=pt.lon,
                arrival=t,
                departure=t + 60,
                boarding=tuple(boarding),
                alighting=tuple(alighting),
                load_seats=seats,
                load_wheelchairs=wheels,
            )
        )
        t += 60

    if direction == "heen":
        for p, ids in homes_at:
            add(StopKind.HOME, p.id, p.point, boarding=ids)
        add(StopKind.LOCATION, "L1", locs[0].point, alighting=to_l1)
        add(StopKind.LOCATION, "L2", locs[1].point, alighting=to_l2)
    else:
        add(StopKind.LOCATION, "L1", locs[0].point, boarding=to_l1)
        add(StopKind.LOCATION, "L2", locs[1].point, boarding=to_l2)
        for p, ids in homes_at:
            add(StopKind.HOME, p.id, p.point, alighting=ids)
    t += 300
    stops.append(
        Stop(kind=StopKind.DEPOT, place="ZB1", lat=52.08, lon=5.24, arrival=t, departure=t)
    )
    route = Route(
        vehicle="ZB1",
        organisation="zeist",
        stops=tuple(stops),
        distance_m=distance_m,
        duration_s=t - 7 * 3600,
        cost=cost,
    )
    key = RideKey(weekday=Weekday.MON, trip=direction)
    plan = Plan(mode=Mode.SHARED, scenario=sc.name, rides=(RidePlan(key=key, routes=(route,)),))
    return plan, sc
