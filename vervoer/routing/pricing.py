"""The money of a route: one tariff rule for the planner, the checker and the reports."""

from __future__ import annotations

from vervoer.core.model import Route, Stop, Vehicle

MILLICENTS_PER_EURO = 100_000


def route_cost(
    vehicle: Vehicle, distance_m: float, duration_s: float, *, first_of_day: bool = True
) -> float:
    """Money cost of one route: per hour of duration + per km, plus the fixed cost of the
    vehicle day on the vehicle's first trip of the day (euros, 2 decimals).

    Waiting at the depot between two trips of a day is not priced: the hours are those of
    the routes, from leaving the depot to being back.
    """
    euros = (
        (vehicle.fixed_cost if first_of_day else 0.0)
        + vehicle.cost_per_hour * duration_s / 3600
        + vehicle.cost_per_km * distance_m / 1000
    )
    return round(euros, 2)


def price_route(
    vehicle: Vehicle, stops: tuple[Stop, ...], distance_m: int, *, first_of_day: bool = True
) -> Route:
    """A route with its distance, duration (first departure to last arrival) and cost."""
    duration_s = stops[-1].arrival - stops[0].departure
    return Route(
        vehicle=vehicle.id,
        organisation=vehicle.organisation,
        stops=stops,
        distance_m=distance_m,
        duration_s=duration_s,
        cost=route_cost(vehicle, distance_m, duration_s, first_of_day=first_of_day),
    )
