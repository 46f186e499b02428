"""The layout of a scenario: its tables, their columns and the words a cell may hold.

A scenario has five required tables (:data:`TABLES`) and the optional tables ``rules``,
``changes`` and ``locks`` (:data:`OPTIONAL_TABLES`), each a CSV file or a workbook sheet
under one of the names in :data:`TABLE_NAMES`; a missing optional table is an empty one.
Headers are matched after normalising (lower case, spaces and dashes as ``_``) against the
aliases in :data:`COLUMNS`; the first alias of a column is its canonical name, which
:func:`~vervoer.io.scenario.write_scenario` writes (:data:`HEADERS`). :class:`Scenario` is
what reading gives when every table is valid.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

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
)
from vervoer.core.settings import Settings

__all__ = [
    "ALIASES",
    "CHANGES",
    "CHANGE_COLUMNS",
    "COLUMNS",
    "DAY_PARTS",
    "HEADERS",
    "LOCKS",
    "NO",
    "NO_WEEKDAYS",
    "OPTIONAL_TABLES",
    "PLACE_COLUMNS",
    "REQUIRED",
    "RIDES",
    "RULES",
    "RULE_COLUMNS",
    "SETTINGS_HEADER",
    "TABLES",
    "TABLE_NAMES",
    "YES",
    "Scenario",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Scenario:
    """A validated scenario: every reference between the tables is known to be good."""

    name: str
    organisations: tuple[Organisation, ...]
    locations: tuple[Location, ...]
    participants: tuple[Participant, ...]
    attendance: tuple[Attendance, ...]
    vehicles: tuple[Vehicle, ...]
    settings: Settings = field(default_factory=Settings)
    rules: tuple[Rule, ...] = ()
    changes: tuple[Change, ...] = ()
    locks: tuple[Lock, ...] = ()
    source: Path | None = None


#: the tables every scenario has
TABLES = ("organisations", "locations", "participants", "attendance", "vehicles")
#: the tables a scenario may leave out (then empty: no rules, no changes, no locks)
OPTIONAL_TABLES = ("rules", "changes", "locks")

#: table -> accepted names of the CSV file (without .csv) or workbook sheet; first = canonical
TABLE_NAMES: dict[str, tuple[str, ...]] = {
    "organisations": ("organisations", "organizations", "organisaties"),
    "locations": ("locations", "locaties"),
    "participants": ("participants", "deelnemers"),
    "attendance": ("attendance", "aanwezigheid"),
    "vehicles": ("vehicles", "voertuigen"),
    "rules": ("rules", "regels"),
    "changes": ("changes", "wijzigingen"),
    "locks": ("locks", "vastzetten"),
}

_ORG = ("organisation", "organization", "organisatie", "org")
_LAT = ("lat", "latitude", "breedtegraad")
_LON = ("lon", "lng", "long", "longitude", "lengtegraad")

#: table -> column -> accepted header names (normalised: lower case, spaces as "_");
#: the first name is the canonical one, written by write_scenario
COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "organisations": {"id": ("id", "code"), "name": ("name", "naam")},
    "locations": {
        "id": ("id", "code"),
        "name": ("name", "naam"),
        "organisation": _ORG,
        "address": ("address", "adres"),
        "lat": _LAT,
        "lon": _LON,
        "capacity": ("capacity", "capaciteit", "max_deelnemers"),
        "kind": ("kind", "soort", "activiteit", "activity", "type"),
        "region": ("region", "regio", "deelregio"),
    },
    "participants": {
        "id": ("id", "code", "nummer"),
        "name": ("name", "naam"),
        "organisation": _ORG,
        "address": ("address", "adres", "woonadres", "ophaaladres"),
        "lat": _LAT,
        "lon": _LON,
        "wheelchair": ("wheelchair", "rolstoel"),
        "seats": ("seats", "stoelen", "plaatsen", "zitplaatsen"),
        "walker": ("walker", "rollator"),
        "boarding_min": ("boarding_min", "instapminuten", "instaptijd"),
        "max_ride_min": ("max_ride_min", "max_reistijd", "maximale_reistijd"),
        "notes": ("notes", "opmerkingen", "notities", "bijzonderheden"),
        "payer": ("payer", "financier", "betaler", "bekostiging"),
    },
    "attendance": {
        "participant": ("participant", "deelnemer"),
        "weekday": ("weekday", "day", "dag"),
        "location": ("location", "locatie"),
        "arrive_by": ("arrive_by", "aanwezig_om", "begintijd", "start"),
        "depart_at": ("depart_at", "vertrek_om", "eindtijd", "end"),
        "rides": ("rides", "ritten", "vervoer"),
        "dagdeel": ("dagdeel", "part_of_day", "daypart", "day_part", "part", "dagdelen"),
    },
    "vehicles": {
        "id": ("id", "code", "kenteken"),
        "name": ("name", "naam"),
        "organisation": _ORG,
        "depot_address": ("depot_address", "depot_adres", "standplaats"),
        "depot_lat": ("depot_lat", "depot_latitude"),
        "depot_lon": ("depot_lon", "depot_lng", "depot_longitude"),
        "seats": ("seats", "stoelen", "zitplaatsen"),
        "wheelchair_places": ("wheelchair_places", "rolstoelplaatsen", "rolstoelplekken"),
        "weekdays": ("weekdays", "days", "dagen", "werkdagen"),
        "shift_start": ("shift_start", "dienst_start", "dienst_begin"),
        "shift_end": ("shift_end", "dienst_einde", "dienst_eind"),
        "cost_per_hour": ("cost_per_hour", "kosten_per_uur", "uurtarief"),
        "cost_per_km": ("cost_per_km", "kosten_per_km", "kilometertarief"),
        "fixed_cost": ("fixed_cost", "vaste_kosten", "starttarief"),
        "features": ("features", "kenmerken", "voorzieningen"),
        "layouts": ("layouts", "indelingen", "layout", "indeling"),
    },
    "rules": {
        "rule": ("rule", "regel", "type"),
        "participant": ("participant", "deelnemer"),
        "other": ("other", "ander", "other_participant", "met"),
        "vehicle": ("vehicle", "voertuig"),
        "value": ("value", "waarde"),
    },
    "changes": {
        "date": ("date", "datum"),
        "participant": ("participant", "deelnemer"),
        "vehicle": ("vehicle", "voertuig"),
        "location": ("location", "locatie"),
        "change": ("change", "wijziging", "soort"),
        "rides": ("rides", "ritten"),
        "value": ("value", "waarde"),
        "note": ("note", "opmerking", "notitie", "notes", "opmerkingen", "notities"),
    },
    "locks": {
        "lock": ("lock", "soort", "type"),
        "participant": ("participant", "deelnemer"),
        "vehicle": ("vehicle", "voertuig"),
        "weekdays": ("weekdays", "dagen", "days"),
    },
    # not a scenario table: the candidates file of `vervoer study` (vervoer.io.candidates)
    "candidates": {
        "close": ("close", "sluit", "sluiten", "location", "locatie"),
        "into": ("into", "naar", "merge_into", "destination", "bestemming"),
        "note": ("note", "opmerking", "notitie", "notes", "opmerkingen"),
    },
}
#: table -> canonical header, in the order write_scenario writes the columns
HEADERS: dict[str, list[str]] = {table: list(cols) for table, cols in COLUMNS.items()}
#: table -> normalised header name -> canonical column
ALIASES: dict[str, dict[str, str]] = {
    table: {alias: canon for canon, names in cols.items() for alias in names}
    for table, cols in COLUMNS.items()
}
#: table -> the columns a table must have
REQUIRED: dict[str, tuple[str, ...]] = {
    "organisations": ("id", "name"),
    "locations": ("id", "name", "organisation"),
    "participants": ("id", "name", "organisation"),
    # arrive_by and depart_at may be left out when every row has a dagdeel (default times)
    "attendance": ("participant", "weekday", "location"),
    "vehicles": ("id", "organisation", "seats"),
    "rules": ("rule", "participant"),
    "changes": ("date", "change"),
    "locks": ("lock", "participant", "vehicle"),
    "candidates": ("close",),
}
#: tables with a place: (address column, lat column, lon column)
PLACE_COLUMNS: dict[str, tuple[str, str, str]] = {
    "locations": ("address", "lat", "lon"),
    "participants": ("address", "lat", "lon"),
    "vehicles": ("depot_address", "depot_lat", "depot_lon"),
}

#: cell texts (lower case) read as yes and as no
YES = frozenset({"yes", "ja", "j", "y", "true", "waar", "1", "x"})
NO = frozenset({"no", "nee", "n", "false", "onwaar", "0", ""})
#: kinds of ride; keys are normalised by :func:`~vervoer.io.scenario.cells.ride_key`
#: (lower case, "_", "-" and "/" as spaces)
RIDES: dict[str, RideNeed] = {
    "": RideNeed.BOTH,
    "both": RideNeed.BOTH,
    "beide": RideNeed.BOTH,
    "heen en terug": RideNeed.BOTH,
    "there and back": RideNeed.BOTH,
    "heen": RideNeed.HEEN,
    "alleen heen": RideNeed.HEEN,
    "heen only": RideNeed.HEEN,
    "to location": RideNeed.HEEN,
    "to location only": RideNeed.HEEN,
    "terug": RideNeed.TERUG,
    "alleen terug": RideNeed.TERUG,
    "terug only": RideNeed.TERUG,
    "home": RideNeed.TERUG,
    "home only": RideNeed.TERUG,
    "to home": RideNeed.TERUG,
    "none": RideNeed.NONE,
    "geen": RideNeed.NONE,
    "nee": RideNeed.NONE,
    "geen vervoer": RideNeed.NONE,
    "eigen vervoer": RideNeed.NONE,
    "zelfstandig": RideNeed.NONE,
    "independent": RideNeed.NONE,
}
#: kinds of rule of the ``rules`` table; keys are normalised like those of :data:`RIDES`
RULES: dict[str, RuleKind] = {
    "not together": RuleKind.NOT_TOGETHER,
    "niet samen": RuleKind.NOT_TOGETHER,
    "together": RuleKind.TOGETHER,
    "samen": RuleKind.TOGETHER,
    "alone": RuleKind.ALONE,
    "alleen": RuleKind.ALONE,
    "vehicle": RuleKind.VEHICLE,
    "voertuig": RuleKind.VEHICLE,
    "needs": RuleKind.NEEDS,
    "nodig": RuleKind.NEEDS,
    "own only": RuleKind.OWN_ONLY,
    "eigen": RuleKind.OWN_ONLY,
    "alleen eigen": RuleKind.OWN_ONLY,
}
#: rule -> the columns besides ``rule`` and ``participant`` it uses (others must be empty)
RULE_COLUMNS: dict[RuleKind, tuple[str, ...]] = {
    RuleKind.NOT_TOGETHER: ("other",),
    RuleKind.TOGETHER: ("other",),
    RuleKind.ALONE: ("value",),
    RuleKind.VEHICLE: ("vehicle",),
    RuleKind.NEEDS: ("value",),
    RuleKind.OWN_ONLY: (),
}
#: kinds of change of the ``changes`` table; keys are normalised like those of :data:`RIDES`
CHANGES: dict[str, ChangeKind] = {
    "absent": ChangeKind.ABSENT,
    "afwezig": ChangeKind.ABSENT,
    "address": ChangeKind.ADDRESS,
    "adres": ChangeKind.ADDRESS,
    "time": ChangeKind.TIME,
    "tijd": ChangeKind.TIME,
    "out of service": ChangeKind.OUT_OF_SERVICE,
    "defect": ChangeKind.OUT_OF_SERVICE,
    "buiten dienst": ChangeKind.OUT_OF_SERVICE,
    "closed": ChangeKind.CLOSED,
    "gesloten": ChangeKind.CLOSED,
    "start": ChangeKind.START,
    "stop": ChangeKind.STOP,
}
#: change -> the columns besides ``date``, ``change`` and ``note`` it uses (others must be
#: empty; ``rides`` may also say both)
CHANGE_COLUMNS: dict[ChangeKind, tuple[str, ...]] = {
    ChangeKind.ABSENT: ("participant", "rides"),
    ChangeKind.ADDRESS: ("participant", "rides", "value"),
    ChangeKind.TIME: ("participant", "rides", "value"),
    ChangeKind.OUT_OF_SERVICE: ("vehicle",),
    ChangeKind.CLOSED: ("location",),
    ChangeKind.START: ("participant",),
    ChangeKind.STOP: ("participant",),
}
#: kinds of lock of the ``locks`` table; keys are normalised like those of :data:`RIDES`
LOCKS: dict[str, LockKind] = {
    "pin": LockKind.PIN,
    "vast": LockKind.PIN,
    "forbid": LockKind.FORBID,
    "verboden": LockKind.FORBID,
    "nooit": LockKind.FORBID,
}
#: parts of the day ("dagdelen") of an attendance leg; keys are normalised like those of
#: :data:`RIDES`. An empty cell is not here: without a dagdeel the part is inferred from
#: the times (:func:`~vervoer.io.scenario.build.infer_day_part`)
DAY_PARTS: dict[str, DayPart] = {
    "hele dag": DayPart.DAY,
    "heledag": DayPart.DAY,
    "dag": DayPart.DAY,
    "day": DayPart.DAY,
    "whole day": DayPart.DAY,
    "full day": DayPart.DAY,
    "ochtend": DayPart.MORNING,
    "ochtenddeel": DayPart.MORNING,
    "voormiddag": DayPart.MORNING,
    "morning": DayPart.MORNING,
    "am": DayPart.MORNING,
    "middag": DayPart.AFTERNOON,
    "middagdeel": DayPart.AFTERNOON,
    "namiddag": DayPart.AFTERNOON,
    "afternoon": DayPart.AFTERNOON,
    "pm": DayPart.AFTERNOON,
}
#: weekday cells (lower case) that mean "no day at all"
NO_WEEKDAYS = frozenset({"geen", "none", "nooit", "never"})
#: first-row keys (lower case) of a settings sheet that mark a header row, not a setting
SETTINGS_HEADER = frozenset({"key", "setting", "instelling", "sleutel", "naam", "name"})
