"""The change list of a re-planned date: who to phone, as a CSV a coordinator opens.

One row per participant whose ride on the date differs from the base week: another
vehicle, a pickup time that moved by more than the tolerance, no ride, a new ride, or not
planned (with the reason). Dutch by default, English on request.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from vervoer.core.files import write_csv
from vervoer.core.i18n import language_code
from vervoer.io.scenario import Scenario
from vervoer.routing.replan import Move

HEADERS = {
    "nl": [
        "rit",
        "deelnemer",
        "naam",
        "wijziging",
        "oud voertuig",
        "nieuw voertuig",
        "oude tijd",
        "nieuwe tijd",
        "reden",
    ],
    "en": [
        "trip",
        "participant",
        "name",
        "change",
        "old vehicle",
        "new vehicle",
        "old time",
        "new time",
        "reason",
    ],
}
WHAT = {
    "nl": {
        "vehicle": "ander voertuig",
        "time": "andere ophaaltijd",
        "no_ride": "geen rit",
        "new": "nieuwe rit",
        "unassigned": "niet ingepland",
    },
    "en": {
        "vehicle": "other vehicle",
        "time": "other pickup time",
        "no_ride": "no ride",
        "new": "new ride",
        "unassigned": "not planned",
    },
}
REASONS = {
    "nl": {
        "absent": "afwezig",
        "address": "ander adres",
        "time": "andere tijd",
        "start": "nog niet gestart",
        "stop": "gestopt",
    },
    "en": {
        "absent": "absent",
        "address": "other address",
        "time": "other time",
        "start": "not started yet",
        "stop": "stopped",
    },
}


def change_rows(
    moves: Sequence[Move], scenario: Scenario, language: str = "nl", *, names: bool = True
) -> list[list[object]]:
    """The rows of the change list (see :data:`HEADERS`).

    Parameters
    ----------
    moves
        From :func:`vervoer.routing.replan.change_list`.
    scenario
        For the participants' names.
    language
        ``nl`` (default) or ``en``.
    names
        Include the participants' names.

    Returns
    -------
    list of list
    """
    lang = language_code(language)
    name_of = {p.id: p.name for p in scenario.participants} if names else {}
    rows: list[list[object]] = []
    for m in moves:
        reason = REASONS[lang].get(m.reason, m.reason)
        if m.reason.startswith("location ") and lang == "nl":
            reason = "locatie " + m.reason.removeprefix("location ").replace("closed", "gesloten")
        rows.append(
            [
                m.trip,
                m.participant,
                name_of.get(m.participant, ""),
                WHAT[lang][m.what],
                m.old_vehicle,
                m.new_vehicle,
                m.old_time,
                m.new_time,
                reason,
            ]
        )
    return rows


def write_change_list(
    moves: Sequence[Move],
    scenario: Scenario,
    path: Path,
    language: str = "nl",
    *,
    names: bool = True,
) -> Path:
    """Write the change list CSV (UTF-8, numbers and times as text cells a sheet reads)."""
    write_csv(
        path, HEADERS[language_code(language)], change_rows(moves, scenario, language, names=names)
    )
    return path
