"""All user-facing text: the phrases of maps and route sheets, day names, number format.

Every table has a Dutch (``nl``, the default) and an English (``en``) version; an unknown
language falls back to Dutch (:func:`language_code`). Nothing here knows about files,
folium or HTML: the callers escape what they put into a page.

:data:`DAY_NAMES` is keyed by the weekday's value (``mon`` ... ``sun``); a
:class:`~vervoer.core.model.Weekday` is a string enum, so ``DAY_NAMES["nl"][Weekday.MON]``
works as well. This module imports nothing of vervoer at run time, so that
:mod:`vervoer.core.model` can re-export :data:`DAY_NAMES` from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vervoer.core.model import RideKey, Vehicle

DEFAULT_LANGUAGE = "nl"

TEXT: dict[str, dict[str, str]] = {
    "nl": {
        "plan": "Vervoersplan",
        "week": "week",
        "heen": "heen",
        "terug": "terug",
        "heen_long": "heen (naar de locaties)",
        "terug_long": "terug (naar huis)",
        "middag": "middagrit",
        "middag_long": "middagrit (naar huis en naar de locaties)",
        "heen-middag": "heen (middag)",
        "heen-middag_long": "heen in de middag (naar de locaties)",
        "terug-middag": "terug (middag)",
        "terug-middag_long": "terug in de middag (naar huis)",
        "trip_number": "rit",
        "layout": "indeling",
        "transfer": "overstap",
        "own": "eigen vervoer",
        "shared": "gedeeld vervoer",
        "locations": "Locaties",
        "depots": "Depots",
        "unassigned": "Niet ingepland",
        "vehicles": "Voertuigen",
        "organisation": "Organisatie",
        "vehicle": "Voertuig",
        "stop": "Stop",
        "time": "Tijd",
        "arrival": "aankomst",
        "departure": "vertrek",
        "boarding": "Instappen",
        "alighting": "Uitstappen",
        "load": "Bezetting",
        "load_after": "Bezetting na de stop",
        "max_load": "Max. bezetting",
        "seats": "stoelen",
        "wheel": "rolstoelplaatsen",
        "participants": "deelnemers",
        "stops": "stops",
        "cost": "Kosten",
        "arrive_by": "aankomen uiterlijk",
        "depart_at": "ophalen vanaf",
        "arrive": "komen aan",
        "leave": "vertrekken",
        "reason": "Reden",
        "per_day": "Per dag",
        "overview": "Weekoverzicht",
        "address": "Adres",
        "map_data": "Kaartgegevens © OpenStreetMap-bijdragers (ODbL)",
        "legend_stops": "Cijfers: stops in rijvolgorde (0 = vertrek depot); rond = thuisadres, "
        "afgerond vierkant = locatie, vierkant = depot; pijlen: rijrichting. "
        "Spelden: ★ locatie, P depot, ! niet ingepland.",
        "legend_layers": "Een route is zichtbaar als zowel de rit als de organisatie aan staat.",
        "depot": "Depot",
        "location": "Locatie",
        "home": "Thuisadres",
        "sheet": "Ritstaat",
        "none": "geen",
        # route sheets
        "sheet_title": "Ritstaat",
        "day": "Dag",
        "depot_start": "Vertrek depot",
        "depot_end": "Terug op depot",
        "address_col": "Adres",
        "nav": "Navigatie",
        "wheelchair": "Rolstoelplaats",
        "escort": "Begeleider",
        "walker": "Rollator",
        "notes": "Opmerkingen",
        "totals": "Totaal",
        "km": "km",
        "duration": "tijd",
        "to_stop": "uit bij stop",
        "capacity": "Capaciteit",
        "confidential": "Vertrouwelijk: bevat persoonsgegevens. Alleen voor de chauffeur; "
        "na de rit vernietigen.",
        "nav_note": "geo: opent de navigatie-app van de telefoon; OSM toont de route vanaf "
        "de vorige stop op openstreetmap.org.",
        "gpx": "Hele route voor een navigatiesysteem (GPX)",
        "index_title": "Ritstaten",
        "ride": "Rit",
        "page": "Pagina",
        "day_schedule": "Dagplanning",
        "trip_of": "rit {n} van {total}",
        "this_trip": "deze rit",
        "unknown": "onbekend",
    },
    "en": {
        "plan": "Transport plan",
        "week": "week",
        "heen": "to location",
        "terug": "home",
        "heen_long": "to the locations (heen)",
        "terug_long": "home (terug)",
        "middag": "midday trip",
        "middag_long": "midday trip (home and to the locations)",
        "heen-middag": "to location (midday)",
        "heen-middag_long": "to the locations at midday (heen)",
        "terug-middag": "home (midday)",
        "terug-middag_long": "home at midday (terug)",
        "trip_number": "trip",
        "layout": "seat layout",
        "transfer": "transfer",
        "own": "own transport",
        "shared": "shared transport",
        "locations": "Locations",
        "depots": "Depots",
        "unassigned": "Unassigned",
        "vehicles": "Vehicles",
        "organisation": "Organisation",
        "vehicle": "Vehicle",
        "stop": "Stop",
        "time": "Time",
        "arrival": "arrival",
        "departure": "departure",
        "boarding": "Boarding",
        "alighting": "Alighting",
        "load": "Load",
        "load_after": "Load after the stop",
        "max_load": "Max. load",
        "seats": "seats",
        "wheel": "wheelchair places",
        "participants": "participants",
        "stops": "stops",
        "cost": "Cost",
        "arrive_by": "arrive by",
        "depart_at": "pick up from",
        "arrive": "arrive",
        "leave": "leave",
        "reason": "Reason",
        "per_day": "Per day",
        "overview": "Week overview",
        "address": "Address",
        "map_data": "Map data © OpenStreetMap contributors (ODbL)",
        "legend_stops": "Numbers: stops in driving order (0 = leaving the depot); round = home, "
        "rounded square = location, square = depot; arrows: driving direction. "
        "Pins: ★ location, P depot, ! unassigned.",
        "legend_layers": "A route shows when both its ride and its organisation are on.",
        "depot": "Depot",
        "location": "Location",
        "home": "Home",
        "sheet": "Route sheet",
        "none": "none",
        "sheet_title": "Route sheet",
        "day": "Day",
        "depot_start": "Leave depot",
        "depot_end": "Back at depot",
        "address_col": "Address",
        "nav": "Navigation",
        "wheelchair": "Wheelchair place",
        "escort": "Escort",
        "walker": "Walker",
        "notes": "Notes",
        "totals": "Totals",
        "km": "km",
        "duration": "time",
        "to_stop": "gets out at stop",
        "capacity": "Capacity",
        "confidential": "Confidential: contains personal data. For the driver only; "
        "destroy after the ride.",
        "nav_note": "geo: opens the phone's navigation app; OSM shows the route from the "
        "previous stop on openstreetmap.org.",
        "gpx": "Whole route for a navigation device (GPX)",
        "index_title": "Route sheets",
        "ride": "Ride",
        "page": "Page",
        "day_schedule": "Day schedule",
        "trip_of": "trip {n} of {total}",
        "this_trip": "this trip",
        "unknown": "unknown",
    },
}

# Day names for user-facing text, per language, keyed by the weekday's value
DAY_NAMES: dict[str, dict[str, str]] = {
    "nl": {
        "mon": "maandag",
        "tue": "dinsdag",
        "wed": "woensdag",
        "thu": "donderdag",
        "fri": "vrijdag",
        "sat": "zaterdag",
        "sun": "zondag",
    },
    "en": {
        "mon": "Monday",
        "tue": "Tuesday",
        "wed": "Wednesday",
        "thu": "Thursday",
        "fri": "Friday",
        "sat": "Saturday",
        "sun": "Sunday",
    },
}


def language_code(language: str) -> str:
    """The language the tables have: ``language`` itself, or ``nl`` when it is unknown.

    Parameters
    ----------
    language
        A language code such as ``nl`` or ``en``.

    Returns
    -------
    str
        A key of :data:`TEXT` and :data:`DAY_NAMES`.
    """
    return language if language in TEXT else DEFAULT_LANGUAGE


def texts(language: str) -> dict[str, str]:
    """The phrase table of a language (Dutch when the language is unknown).

    Parameters
    ----------
    language
        ``nl``, ``en``, or anything else for Dutch.

    Returns
    -------
    dict
        Phrase key (``vehicle``, ``sheet_title`` ...) -> text.
    """
    return TEXT[language_code(language)]


def day_name(weekday: str, language: str) -> str:
    """The full name of a weekday: ``maandag`` / ``Monday``.

    Parameters
    ----------
    weekday
        A :class:`~vervoer.core.model.Weekday` (or its value, ``mon`` ... ``sun``).
    language
        ``nl`` or ``en`` (unknown: Dutch).

    Returns
    -------
    str
        The day's name, lower case in Dutch and capitalised in English.
    """
    return DAY_NAMES[language_code(language)][weekday]


def format_number(x: float, digits: int, language: str) -> str:
    """A number with thousands separators in the language's style.

    Parameters
    ----------
    x
        The number.
    digits
        Digits after the decimal separator.
    language
        ``nl`` (unknown languages too): ``1.234,5``; ``en``: ``1,234.5``.

    Returns
    -------
    str
        The formatted number.
    """
    text = f"{x:,.{digits}f}"
    if language_code(language) == "nl":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


#: why a ride is unassigned, in Dutch (the English message of the plan has the details)
REASONS_NL = {
    "address_not_found": "het adres is niet gevonden in de adresgegevens",
    "unreachable_by_road": "het adres is niet over de weg bereikbaar",
    "no_vehicle_on_day": "er rijdt die dag geen voertuig van de pool",
    "no_wheelchair_place": "er is geen voertuig met een rolstoelplaats",
    "not_enough_seats": "er is geen voertuig met genoeg zitplaatsen",
    "ride_too_long": "de rechtstreekse rit duurt al langer dan de maximale reistijd",
    "window_unreachable": "de tijd is met geen voertuig te halen, ook niet rechtstreeks",
    "no_room": "geen plek gevonden binnen de rekentijd",
    "rule": "een regel of vastzetting laat geen voertuig toe dat die dag rijdt",
}


def reason_text(reason: str, message: str, language: str = DEFAULT_LANGUAGE) -> str:
    """Why a ride is unassigned, for a coordinator: Dutch words in ``nl``, the message in ``en``.

    Parameters
    ----------
    reason
        The reason code (:class:`vervoer.core.model.Reason` value).
    message
        The plan's message (English, with the details).
    language
        ``nl`` (default) or ``en``.

    Returns
    -------
    str
        Not escaped.
    """
    if language_code(language) == "nl":
        return REASONS_NL.get(reason, message)
    return message


def ride_label(key: RideKey, language: str = DEFAULT_LANGUAGE, *, long: bool = False) -> str:
    """The name of a trip: ``maandag heen`` / ``Monday to location`` / ``woensdag
    middagrit`` (a second trip of its kind gets ``rit 2``).

    Parameters
    ----------
    key
        The trip (weekday and trip name).
    language
        ``nl`` (default) or ``en``.
    long
        Say where the ride goes: ``maandag heen (naar de locaties)``.

    Returns
    -------
    str
        The label, not escaped.
    """
    t = texts(language)
    words = t[f"{key.kind}_long" if long else key.kind]
    if key.number > 1:
        words += f", {t['trip_number']} {key.number}"
    return f"{day_name(key.weekday, language)} {words}"


def load_text(
    seats: int,
    wheelchairs: int,
    vehicle: Vehicle | None,
    t: Mapping[str, str],
    *,
    capacity: tuple[int, int] | None = None,
) -> str:
    """Occupied seats and wheelchair places, out of the vehicle's when it is known.

    Parameters
    ----------
    seats, wheelchairs
        The load.
    vehicle
        The vehicle (None: no capacities shown).
    t
        The phrase table (:func:`texts`).
    capacity
        Seats and wheelchair places to show instead of the vehicle's (its seat layout).

    Returns
    -------
    str
        ``3/8 stoelen, 1/1 rolstoelplaatsen``, not escaped.
    """
    if vehicle and capacity is None:
        capacity = (vehicle.seats, vehicle.wheelchair_places)
    cap_s = f"/{capacity[0]}" if vehicle and capacity else ""
    cap_w = f"/{capacity[1]}" if vehicle and capacity else ""
    return f"{seats}{cap_s} {t['seats']}, {wheelchairs}{cap_w} {t['wheel']}"



#: the web app's words (``vervoer serve``), per language
WEB_TEXT: dict[str, dict[str, str]] = {
    "nl": {
        "app": "vervoer",
        "sign_in": "Inloggen",
        "sign_out": "Uitloggen",
        "user": "Gebruiker",
        "password": "Wachtwoord",
        "bad_login": "Onbekende gebruiker of verkeerd wachtwoord.",
        "forbidden": "Geen toegang",
        "forbidden_text": "Uw rol geeft geen toegang tot deze pagina.",
        "overview": "Overzicht",
        "tables": "Tabellen",
        "plans": "Planningen",
        "day": "Dag",
        "compare": "Vergelijken",
        "sheets": "Ritbladen",
        "audit": "Logboek",
        "organisations": "Organisaties",
        "locations": "Locaties",
        "participants": "Deelnemers",
        "attendance": "Aanwezigheid",
        "vehicles": "Voertuigen",
        "rules": "Regels",
        "changes": "Wijzigingen",
        "locks": "Vastzettingen",
        "rows": "rijen",
        "problems": "problemen",
        "no_problems": "Geen problemen gevonden.",
        "problems_found": "Problemen gevonden (dezelfde als `vervoer validate`)",
        "file": "bestand",
        "row": "rij",
        "field": "veld",
        "message": "melding",
        "missing_file": "Dit bestand ontbreekt.",
        "upload": "Vervangen door een bestand",
        "upload_help": "Een CSV-bestand voor deze tabel of een werkmap (.xlsx) met een blad per "
        "tabel. U ziet eerst wat er verandert; pas na opslaan wordt het bestand vervangen "
        "(de vorige versie wordt bewaard).",
        "upload_button": "Bekijken",
        "workbook": "Werkmap met alle tabellen",
        "preview": "Voorbeeld van de wijziging",
        "added": "toegevoegd",
        "removed": "verwijderd",
        "changed": "gewijzigd",
        "unchanged": "ongewijzigd",
        "before": "voor",
        "after": "na",
        "save": "Opslaan",
        "discard": "Weggooien",
        "save_blocked": "Opslaan kan pas als de problemen zijn opgelost: pas het bestand aan en "
        "upload het opnieuw.",
        "plan_week": "Plannen",
        "plan_days": "Dagen (leeg: de hele week)",
        "plan_start": "Planning starten",
        "job": "Taak",
        "status": "status",
        "queued": "in de wachtrij",
        "running": "bezig",
        "done": "klaar",
        "failed": "mislukt",
        "cancelled": "gestopt",
        "cancel": "Stoppen",
        "elapsed": "verstreken",
        "remaining": "nog ongeveer",
        "result": "Resultaat bekijken",
        "created": "aangemaakt",
        "started": "gestart",
        "finished": "klaar om",
        "log": "Uitvoer",
        "map": "Kaart",
        "unassigned": "Niet ingepland",
        "reason": "reden",
        "nobody_unassigned": "Iedereen is ingepland.",
        "costs": "Kosten",
        "cost_eur": "kosten (EUR)",
        "km": "km",
        "hours": "voertuiguren",
        "vehicle_days": "voertuigdagen",
        "vehicles_n": "voertuigen",
        "served": "ritten gepland",
        "trip": "rit",
        "trips": "ritten",
        "vehicle": "voertuig",
        "participant": "deelnemer",
        "name": "naam",
        "pickup": "ophalen",
        "dropoff": "afzetten",
        "organisation": "organisatie",
        "location": "locatie",
        "all_sheets": "Alle ritbladen (PDF)",
        "day_pdf": "de hele dag (PDF)",
        "kind_plan": "planning",
        "kind_replan": "datum opnieuw plannen",
        "kind_compare": "vergelijking",
        "sheets_index": "Ritbladen (overzicht)",
        "no_plan": "Er is nog geen planning.",
        "own_rides": "Ritten van uw deelnemers",
        "changes_of_day": "Wijzigingen van een datum",
        "date": "datum",
        "change": "wijziging",
        "rides": "ritten",
        "value": "waarde",
        "note": "opmerking",
        "add_change": "Wijziging toevoegen",
        "replan": "Datum opnieuw plannen",
        "base_plan": "Basisplanning van de week",
        "no_base": "geen (vanaf nul)",
        "change_list": "Wijzigingenlijst (om door te bellen)",
        "no_moves": "Niemand hoeft gebeld te worden.",
        "compare_start": "Eigen en gedeeld vervoer vergelijken",
        "report": "Rapport",
        "download": "Downloaden",
        "absent": "afwezig",
        "out_of_service": "voertuig defect",
        "closed": "locatie gesloten",
        "time": "andere tijd",
        "address": "ander adres",
        "both": "beide",
        "heen": "heen",
        "terug": "terug",
        "when": "wanneer",
        "who": "wie",
        "action": "actie",
        "detail": "details",
        "id_only": "· = gegevens van een deelnemer van een andere organisatie",
        "week": "week",
        "planned_on": "gepland op",
    },
    "en": {
        "app": "vervoer",
        "sign_in": "Sign in",
        "sign_out": "Sign out",
        "user": "User",
        "password": "Password",
        "bad_login": "Unknown user or wrong password.",
        "forbidden": "No access",
        "forbidden_text": "Your role gives no access to this page.",
        "overview": "Overview",
        "tables": "Tables",
        "plans": "Plans",
        "day": "Day",
        "compare": "Compare",
        "sheets": "Route sheets",
        "audit": "Audit log",
        "organisations": "Organisations",
        "locations": "Locations",
        "participants": "Participants",
        "attendance": "Attendance",
        "vehicles": "Vehicles",
        "rules": "Rules",
        "changes": "Changes",
        "locks": "Locks",
        "rows": "rows",
        "problems": "problems",
        "no_problems": "No problems found.",
        "problems_found": "Problems found (the same as `vervoer validate`)",
        "file": "file",
        "row": "row",
        "field": "field",
        "message": "message",
        "missing_file": "This file is missing.",
        "upload": "Replace with a file",
        "upload_help": "A CSV file for this table, or a workbook (.xlsx) with a sheet per "
        "table. You see what changes first; the file is replaced only when you save (the "
        "previous version is kept).",
        "upload_button": "Preview",
        "workbook": "Workbook with every table",
        "preview": "Preview of the change",
        "added": "added",
        "removed": "removed",
        "changed": "changed",
        "unchanged": "unchanged",
        "before": "before",
        "after": "after",
        "save": "Save",
        "discard": "Discard",
        "save_blocked": "Saving is possible once the problems are solved: fix the file and "
        "upload it again.",
        "plan_week": "Plan",
        "plan_days": "Days (empty: the whole week)",
        "plan_start": "Start planning",
        "job": "Job",
        "status": "status",
        "queued": "queued",
        "running": "running",
        "done": "done",
        "failed": "failed",
        "cancelled": "stopped",
        "cancel": "Stop",
        "elapsed": "elapsed",
        "remaining": "about",
        "result": "See the result",
        "created": "created",
        "started": "started",
        "finished": "finished",
        "log": "Output",
        "map": "Map",
        "unassigned": "Not planned",
        "reason": "reason",
        "nobody_unassigned": "Everybody is planned.",
        "costs": "Costs",
        "cost_eur": "cost (EUR)",
        "km": "km",
        "hours": "vehicle hours",
        "vehicle_days": "vehicle days",
        "vehicles_n": "vehicles",
        "served": "rides planned",
        "trip": "trip",
        "trips": "trips",
        "vehicle": "vehicle",
        "participant": "participant",
        "name": "name",
        "pickup": "pick-up",
        "dropoff": "drop-off",
        "organisation": "organisation",
        "location": "location",
        "all_sheets": "All route sheets (PDF)",
        "day_pdf": "the whole day (PDF)",
        "kind_plan": "plan",
        "kind_replan": "re-plan a date",
        "kind_compare": "comparison",
        "sheets_index": "Route sheets (index)",
        "no_plan": "There is no plan yet.",
        "own_rides": "Rides of your participants",
        "changes_of_day": "Changes of a date",
        "date": "date",
        "change": "change",
        "rides": "rides",
        "value": "value",
        "note": "note",
        "add_change": "Add the change",
        "replan": "Re-plan the date",
        "base_plan": "Base plan of the week",
        "no_base": "none (from scratch)",
        "change_list": "Change list (to phone through)",
        "no_moves": "Nobody needs a call.",
        "compare_start": "Compare own and shared transport",
        "report": "Report",
        "download": "Download",
        "absent": "absent",
        "out_of_service": "vehicle out of service",
        "closed": "location closed",
        "time": "other time",
        "address": "other address",
        "both": "both",
        "heen": "to the location",
        "terug": "home",
        "when": "when",
        "who": "who",
        "action": "action",
        "detail": "details",
        "id_only": "· = data of another organisation's participant",
        "week": "week",
        "planned_on": "planned on",
    },
}


def web_texts(language: str) -> dict[str, str]:
    """The web app's phrase table of a language (Dutch when unknown)."""
    return WEB_TEXT.get(language, WEB_TEXT[DEFAULT_LANGUAGE])

__all__ = [
    "DAY_NAMES",
    "DEFAULT_LANGUAGE",
    "TEXT",
    "day_name",
    "format_number",
    "language_code",
    "load_text",
    "reason_text",
    "ride_label",
    "texts",
    "web_texts",
]
