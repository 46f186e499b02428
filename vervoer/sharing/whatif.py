"""What-if edits of a scenario: close a location, a vehicle less or more, another window.

Each edit returns a new :class:`~vervoer.io.scenario.Scenario` (the input is left as it
is); plan the edited scenario as usual and compare the two plans, e.g. with
:func:`vervoer.sharing.compare.plan_metrics` (``vervoer whatif`` does that).
A vehicle copy also needs its depot in the matrix places: see
:func:`places_for_vehicle_copy`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from vervoer.core.model import StopKind, Vehicle
from vervoer.io.scenario import Scenario
from vervoer.routing.requests import PlaceKey

__all__ = [
    "add_vehicle",
    "close_location",
    "merge_locations",
    "places_for_vehicle_copy",
    "remove_vehicle",
    "with_arrival_window",
]


def merge_locations(scenario: Scenario, source: str, target: str) -> Scenario:
    """Close location ``source``: its participants go to ``target`` (same times).

    Parameters
    ----------
    scenario
        The scenario to edit.
    source
        The id of the location that closes.
    target
        The id of the location its participants go to instead.

    Returns
    -------
    Scenario
        Without location ``source``; its attendance moved to ``target``.

    Raises
    ------
    ValueError
        If a location id is unknown.
    """
    ids = {loc.id for loc in scenario.locations}
    for loc in (source, target):
        if loc not in ids:
            msg = f"unknown location {loc!r}; expected one of {', '.join(sorted(ids))}"
            raise ValueError(msg)
    return dataclasses.replace(
        scenario,
        locations=tuple(loc for loc in scenario.locations if loc.id != source),
        attendance=tuple(
            dataclasses.replace(a, location=target) if a.location == source else a
            for a in scenario.attendance
        ),
    )


def close_location(scenario: Scenario, source: str, destinations: Mapping[str, str]) -> Scenario:
    """Close location ``source``: each of its participants goes to their own destination.

    Parameters
    ----------
    scenario
        The scenario to edit.
    source
        The id of the location that closes.
    destinations
        Participant id -> the location their legs at ``source`` move to (same times);
        every participant with a leg at ``source`` needs one.

    Returns
    -------
    Scenario
        Without location ``source``; its attendance moved as given.

    Raises
    ------
    ValueError
        If a location id is unknown, a destination is ``source`` itself, or a participant
        of ``source`` has no destination.
    """
    ids = {loc.id for loc in scenario.locations}
    for loc in (source, *destinations.values()):
        if loc not in ids:
            msg = f"unknown location {loc!r}; expected one of {', '.join(sorted(ids))}"
            raise ValueError(msg)
    if source in destinations.values():
        msg = f"location {source!r} closes; it cannot be a destination"
        raise ValueError(msg)
    missing = sorted(
        {a.participant for a in scenario.attendance if a.location == source} - set(destinations)
    )
    if missing:
        msg = f"no destination for participant(s) {', '.join(missing)} of location {source!r}"
        raise ValueError(msg)
    return dataclasses.replace(
        scenario,
        locations=tuple(loc for loc in scenario.locations if loc.id != source),
        attendance=tuple(
            dataclasses.replace(a, location=destinations[a.participant])
            if a.location == source
            else a
            for a in scenario.attendance
        ),
    )


def remove_vehicle(scenario: Scenario, vehicle_id: str) -> Scenario:
    """The scenario without one vehicle (e.g. a bus in the garage).

    Parameters
    ----------
    scenario
        The scenario to edit.
    vehicle_id
        The id of the vehicle to take out.

    Returns
    -------
    Scenario
        The same scenario without that vehicle.

    Raises
    ------
    ValueError
        If the vehicle id is unknown.
    """
    if vehicle_id not in {v.id for v in scenario.vehicles}:
        msg = f"unknown vehicle {vehicle_id!r}"
        raise ValueError(msg)
    return dataclasses.replace(
        scenario, vehicles=tuple(v for v in scenario.vehicles if v.id != vehicle_id)
    )


def add_vehicle(scenario: Scenario, like: str, new_id: str) -> Scenario:
    """The scenario with one more vehicle, a copy of vehicle ``like`` at the same depot.

    Parameters
    ----------
    scenario
        The scenario to edit.
    like
        The id of the vehicle to copy (capacity, costs, depot, organisation).
    new_id
        The id of the copy; its name is the original's with ``" (extra)"``.

    Returns
    -------
    Scenario
        The scenario with the copy added after the other vehicles. Plan it with
        :func:`places_for_vehicle_copy` for the places.

    Raises
    ------
    ValueError
        If vehicle ``like`` is unknown.
    """
    base = next((v for v in scenario.vehicles if v.id == like), None)
    if base is None:
        msg = f"unknown vehicle {like!r}"
        raise ValueError(msg)
    copy: Vehicle = dataclasses.replace(base, id=new_id, name=f"{base.name or base.id} (extra)")
    return dataclasses.replace(scenario, vehicles=(*scenario.vehicles, copy))


def with_arrival_window(scenario: Scenario, minutes: float) -> Scenario:
    """The scenario with another arrival window before the start time.

    Parameters
    ----------
    scenario
        The scenario to edit.
    minutes
        The new arrival window (minutes before the start time).

    Returns
    -------
    Scenario
        The scenario with ``settings.arrival_window_min = minutes``.
    """
    return dataclasses.replace(
        scenario, settings=dataclasses.replace(scenario.settings, arrival_window_min=minutes)
    )


def places_for_vehicle_copy(
    places: Mapping[PlaceKey, int], like: str, new_id: str
) -> dict[PlaceKey, int]:
    """Places with the new vehicle's depot at the same matrix point as ``like``'s.

    Parameters
    ----------
    places
        The matrix index per place of the original scenario.
    like, new_id
        As for :func:`add_vehicle`.

    Returns
    -------
    dict
        A copy of ``places`` with the depot of ``new_id`` added.

    Raises
    ------
    KeyError
        If vehicle ``like`` has no depot in ``places``.
    """
    out = dict(places)
    out[PlaceKey(StopKind.DEPOT, new_id)] = places[PlaceKey(StopKind.DEPOT, like)]
    return out
